"""Station status for the maps: each IoT sensor with its alert state over the last days of data.

Not an indicator (no period, no roll-up): the state of each monitored point as of the data's
end, which the big screen's map draws on top of the regions, alarming sensors highlighted. It is
computed at refresh, with the indicators, so a screen shows points and numbers of one moment
and reads nothing from the lake while it is being looked at.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd

from cockpit.feeds.lake import table_source

COLUMNS = ["sensor_id", "sensor_type", "region_code", "lon", "lat", "alarm", "warning"]
RECENT_DAYS = 3  # a sensor that raised an alarm within this many days of the data's end is "in alarm"


def sensor_status(con: duckdb.DuckDBPyConnection, lake: Path, days: int = RECENT_DAYS) -> pd.DataFrame:
    sensors, readings = table_source(lake, "iot_sensors"), table_source(lake, "iot_readings")
    if sensors is None or readings is None:
        return pd.DataFrame(columns=COLUMNS)
    return con.execute(f"""
        WITH recent AS (SELECT sensor_id, alert_level FROM {readings}
                        WHERE reading_at > (SELECT max(reading_at) FROM {readings}) - to_days(?))
        SELECT s.sensor_id, s.sensor_type, s.region_code, s.lon, s.lat,
               coalesce(bool_or(recent.alert_level = '报警'), false) AS alarm,
               coalesce(bool_or(recent.alert_level = '预警'), false) AS warning
        FROM {sensors} AS s LEFT JOIN recent USING (sensor_id)
        GROUP BY ALL ORDER BY s.sensor_id""", [days]).df()
