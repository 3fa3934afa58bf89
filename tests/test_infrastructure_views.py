"""The infrastructure page's view model on the session's demo: sensor status by type and region,
the indicator tables by region, the cloud and platform trends (province and city only), security
events; the sensor-type cross filter changes the counts by region."""

from __future__ import annotations

import pytest

from cockpit.query.reader import OutOfScope, Reader
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import Viewer, default_viewer
from cockpit.views import workbench as wb
from cockpit.views.infrastructure import LEAD, SENSOR_TYPES, infrastructure_view

PROVINCE, HANGZHOU, SHAOXING = "330000", "330100", "330600"


@pytest.fixture()
def zh(use_demo_lake) -> Reader:
    return Reader.current(default_viewer("zh"))


def _view(reader, region, sensor_type=None):
    where = wb.place(reader, region)
    choice = wb.period_choice(reader, LEAD, "month", None)
    return where, choice, infrastructure_view(
        reader, where.code, where.level, [(c.code, c.name) for c in where.children],
        where.children[0].level if where.children else None, "month", choice.chosen, sensor_type)


def test_sensor_status_by_type_and_region_is_the_snapshots(zh):
    snap = current_snapshot()
    where, choice, view = _view(zh, None)
    points = snap.sensor_points(PROVINCE)
    assert view.sensors.total.sensors == len(points)
    assert view.sensors.total.alarm == int(points["alarm"].sum())
    by_type = {c.key: c for c in view.sensors.by_type}
    assert set(by_type) == set(points["sensor_type"]) and set(by_type) <= set(SENSOR_TYPES)
    for key, count in by_type.items():
        assert count.sensors == int((points["sensor_type"] == key).sum())
    assert sum(c.sensors for c in view.sensors.by_region) == len(points)
    # the indicator table by city: the snapshot's values for the period
    online = snap.ranking("sensor_online_rate", PROVINCE, "month", choice.chosen).set_index("region")["value"]
    col = [c.indicator for c in view.sensor_regions.columns].index("sensor_online_rate")
    for row in view.sensor_regions.rows:
        if row.region in online.index:
            assert row.values[col] == pytest.approx(online[row.region])


def test_the_sensor_type_filter_changes_the_counts_by_region(zh):
    snap = current_snapshot()
    _, _, whole = _view(zh, None)
    kind = whole.sensors.by_type[0].key
    _, _, view = _view(zh, None, kind)
    assert view.sensors.sensor_type == kind
    assert view.sensors.total.sensors == whole.sensors.by_type[0].sensors
    assert sum(c.sensors for c in view.sensors.by_region) == view.sensors.total.sensors
    assert view.sensors.total.sensors < whole.sensors.total.sensors
    for c in view.sensors.by_region:
        points = snap.sensor_points(c.key)
        assert c.sensors == int((points["sensor_type"] == kind).sum())
    with pytest.raises(ValueError, match="sensor_type"):
        _view(zh, None, "不存在")


def test_platform_stops_at_the_city_and_security_reaches_the_county(zh):
    snap = current_snapshot()
    _, choice, province = _view(zh, None)
    assert {s.indicator for s in province.platform} >= {"cloud_vcpu_utilisation", "records_shared"}
    cloud = next(s for s in province.platform if s.indicator == "cloud_vcpu_utilisation")
    series = snap.series("cloud_vcpu_utilisation", PROVINCE, "month").set_index("period")["value"]
    assert cloud.periods[-1] == choice.chosen and cloud.values[-1] == pytest.approx(series[choice.chosen])
    assert cloud.band == (50.0, 80.0)
    assert province.platform_regions is not None and len(province.platform_regions.rows) == 11
    _, _, city = _view(zh, HANGZHOU)
    assert city.platform and city.platform_regions is None  # counties have no cloud figures
    county = wb.place(zh, HANGZHOU).children[0].code
    _, _, there = _view(zh, county)
    assert there.platform == () and there.security
    assert there.sensor_regions is None  # the sensor indicators stop at the county


def test_out_of_scope_is_refused(use_demo_lake):
    reader = Reader.current(Viewer(region=SHAOXING))
    with pytest.raises(OutOfScope):
        infrastructure_view(reader, HANGZHOU, "city", [], "county", "month", "2026-10")
