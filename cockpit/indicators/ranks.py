"""Ranks: the one rule by which a region is ranked among its peers, in SQL, written once.

Every indicator value in a snapshot carries its rank, peer count and percentile, and a
composite's explanation ("rose 2 places") reads the same ranks: both are computed by
`ranked_sql`, so a page and its explanation never disagree. The rule:

- **Peers** are the regions sharing a parent (the counties of one city), per indicator, level,
  frequency and period: what a ranking panel lists. A composite's `peer_group` decides which
  regions it normalises across, not this.
- **As published.** Values are compared rounded to the indicator's `decimals`, exactly as they
  are shown (correctly rounded from the stored double, as Python's and DuckDB's formatting
  both do): 97.30000001 and 97.3 both read 97.3 and share a rank, where a 1st and a 2nd place
  beside two equal numbers would be inexplicable.
- **Direction.** higher_better ranks the largest first, lower_better the smallest. A band
  indicator ranks by the distance of its shown value outside the band, the smallest first: every
  region inside the band shares the first place. A neutral indicator has no better direction,
  so it has no rank (a rank would claim one).
- **Ties** share the lowest rank (competition ranking: 1, 1, 3), so the rank still says how
  many peers did better.
- **No value** (NULL, or not a finite number): no rank, and not counted among the peers.
- **Percentile** = (peers − rank) / (peers − 1) × 100: 100 for the best, 0 for the last; a
  region alone among its peers is at 100.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from cockpit.indicators.model import Indicator

RULES = "rank_rules"  # the table `ranked_sql` reads: one row an indicator


def register(con: duckdb.DuckDBPyConnection, indicators: Iterable[Indicator]) -> None:
    """Create the table of what `ranked_sql` needs to know of each indicator."""
    rules = pd.DataFrame(
        [(i.id, i.polarity, *(i.band or (None, None)), i.decimals) for i in indicators],
        columns=["indicator", "polarity", "band_low", "band_high", "decimals"],
    ).astype({"band_low": "float64", "band_high": "float64", "decimals": "int32"})
    con.register("rank_rules_frame", rules)
    con.execute(f"CREATE OR REPLACE TABLE {RULES} AS SELECT * FROM rank_rules_frame")
    con.unregister("rank_rules_frame")


def _shown(value: str, decimals: str) -> str:
    """SQL: `value` rounded as it is shown, at `decimals`; + 0.0 makes a shown -0.0 plain 0."""
    return f"(CAST(format('{{:.{{}}f}}', CAST({value} AS DOUBLE), {decimals}) AS DOUBLE) + 0.0)"


def ranked_sql(source: str) -> str:
    """A query of `source`'s rows with `parent`, `rank`, `peer_count` and `percentile` added.

    `source` is a table name or a parenthesised query with the columns indicator, level,
    frequency, region, period_start and value (and any others, which are kept; none of them
    named like the added ones). The connection needs the table `regions` (code, parent_code)
    and the rules `register` writes; an indicator without rules gets no rank.
    """
    distance = "greatest(_band_low - _value, 0) + greatest(_value - _band_high, 0)"
    return f"""
SELECT * EXCLUDE (rank_key),
       CASE WHEN peer_count > 1 THEN (peer_count - rank) / (peer_count - 1) * 100
            WHEN peer_count = 1 THEN 100.0 END AS percentile
FROM (
  SELECT *, CAST(CASE WHEN rank_key IS NOT NULL THEN rank() OVER ordered END AS DOUBLE) AS rank,
            CAST(CASE WHEN rank_key IS NOT NULL THEN count(*) OVER peers END AS DOUBLE) AS peer_count
  FROM (
    SELECT * EXCLUDE (_polarity, _band_low, _band_high, _decimals, _value),
           CASE _polarity WHEN 'higher_better' THEN -_value
                          WHEN 'lower_better' THEN _value
                          -- the distance between two shown values, shown again: float noise
                          -- (1.7 - 1.5 = 0.19999999999999996) must not split a tie
                          WHEN 'band' THEN {_shown(distance, '_decimals')} END AS rank_key
    FROM (
      SELECT s.*, r.parent_code AS parent, q.polarity AS _polarity, q.band_low AS _band_low,
             q.band_high AS _band_high, q.decimals AS _decimals,
             CASE WHEN isfinite(s.value) AND q.polarity <> 'neutral'
                  THEN {_shown('s.value', 'q.decimals')} END AS _value
      FROM {source} AS s
      LEFT JOIN {RULES} AS q ON q.indicator = s.indicator
      LEFT JOIN regions AS r ON r.code = s.region))
  WINDOW peers AS (PARTITION BY indicator, level, frequency, period_start, parent, rank_key IS NULL),
         ordered AS (peers ORDER BY rank_key))"""
