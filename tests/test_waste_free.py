"""The Waste-Free Index (indicators/waste_free.yaml): its 9 × 3 structure, its weights, and what a
refresh on the session's small demo lake publishes for it (ranks of the 11 cities, composite
parts, explanations).

The refresh reads only waste_free.yaml and the definition files it references (economy, hotline),
so a colleague's half-finished system elsewhere cannot break these tests, and it is quick.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from cockpit.feeds.contracts import load_contracts
from cockpit.indicators.composite import declared_weights
from cockpit.indicators.definitions import indicator_dir, read_file, read_systems
from cockpit.indicators.refresh import dependencies, refresh
from cockpit.indicators.subset import write_subset
from cockpit.indicators.validate import check_systems
from cockpit.regions import load_hierarchy

FILE = indicator_dir() / "waste_free.yaml"
SYSTEM = "waste_free"
INDEX = "waste_free_index"
PROVINCE = "330000"
CJK = re.compile(r"[\u4e00-\u9fff]")


# -- definitions ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def system():
    system, problems = read_file(FILE)
    assert not problems, "\n".join(map(str, problems))
    assert system is not None and system.id == SYSTEM
    return system


@pytest.fixture(scope="module")
def by_id(system):
    return {i.id: i for i in system.indicators}


@pytest.fixture(scope="module")
def all_indicators():
    """Every indicator of every system (formulas read economy and hotline indicators)."""
    systems, _ = read_systems()
    return {i.id: i for s in systems for i in s.indicators}


def dimensions(by_id) -> list:
    return [by_id[c.indicator] for c in by_id[INDEX].composite.children]


def second_level(by_id) -> list:
    return [by_id[c.indicator] for d in dimensions(by_id) for c in d.composite.children]


def test_file_validates(system):
    """Shape and meaning checks (feeds, columns, references, SQL safety, weights): no problem in
    this file, whatever the state of the other files."""
    systems, _ = read_systems()
    problems = check_systems(systems, load_contracts(), load_hierarchy().levels)
    ours = [p for p in problems if Path(p.file).name == FILE.name]
    assert not ours, "\n".join(map(str, ours))


def test_nine_dimensions_of_three_indicators_under_one_index(system, by_id):
    composites = [i for i in system.indicators if i.composite]
    children_of_any = {c.indicator for i in composites for c in i.composite.children}
    roots = [i.id for i in composites if i.id not in children_of_any]
    assert roots == [INDEX], "one index on top of every composite"

    dims = dimensions(by_id)
    assert len(dims) == 9 and len({d.id for d in dims}) == 9
    assert all(d.composite is not None and d.system == SYSTEM for d in dims)
    for d in dims:
        kids = [by_id[c.indicator] for c in d.composite.children]
        assert len(kids) == 3, d.id
        assert all(k.composite is None for k in kids), f"{d.id}: second-level indicators are measures or formulas"
    leaves = second_level(by_id)
    assert len(leaves) == 27 and len({i.id for i in leaves}) == 27, "each indicator in one dimension only"
    # the composites are exactly the 9 dimensions and the index
    assert {i.id for i in composites} == {INDEX, *(d.id for d in dims)}


def test_weights_sum_to_one_at_each_level(by_id):
    for comp in [by_id[INDEX], *dimensions(by_id)]:
        declared = sum(c.weight for c in comp.composite.children)
        assert math.isclose(declared, 1.0, abs_tol=1e-6), f"{comp.id}: weights sum to {declared}"
        assert math.isclose(declared_weights(comp.composite).sum(), 1.0, abs_tol=1e-6)
        assert all(c.weight > 0 for c in comp.composite.children)
    # equal weights within each dimension and across the dimensions
    for comp in [by_id[INDEX], *dimensions(by_id)]:
        weights = {round(c.weight, 6) for c in comp.composite.children}
        assert len(weights) == 1, f"{comp.id}: weights are documented as equal"


def test_levels_frequencies_and_peers(system, by_id):
    for comp in [by_id[INDEX], *dimensions(by_id)]:
        assert comp.levels == ("city", "county")
        assert comp.frequencies == ("month", "year")
        assert comp.composite.peer_group == "siblings"
        assert comp.composite.missing == "reweight"
        assert comp.polarity == "higher_better"
    assert by_id[INDEX].composite.normalisation.method == "none", "dimensions are already scores"


def test_every_indicator_is_documented(system, all_indicators):
    for ind in system.indicators:
        for key in ("name_zh", "name_en", "unit", "description", "owner"):
            assert getattr(ind, key).strip(), f"{ind.id}: {key} is empty"
        assert CJK.search(ind.name_zh), f"{ind.id}: name_zh is not Chinese"
        assert ind.id.startswith(("wfi_", "waste_free")), f"{ind.id}: ids of this system start with wfi_"
        if ind.polarity == "band":
            assert ind.band is not None and ind.band[0] < ind.band[1]
        for dep in dependencies(ind):
            assert dep in all_indicators, f"{ind.id} reads unknown {dep}"


def test_second_level_indicators_say_how_they_are_computed(by_id):
    """Each has a direction and a description that writes out its 口径 (numerator ÷ denominator
    and the time basis); substitutes say so."""
    for ind in second_level(by_id):
        assert ind.polarity in ("higher_better", "lower_better", "band"), ind.id
        assert "÷" in ind.description, f"{ind.id}: the description should write out the 口径"
        assert "year to date" in ind.description or "period end" in ind.description, ind.id
    substitutes = [i.id for i in second_level(by_id) if "Substitute" in i.description or "Stands" in i.description]
    assert len(substitutes) >= 5, "indicators without a direct source say what they stand in for"


# -- a refresh on the demo lake ---------------------------------------------------------------------


def _minimal_definitions(system_id: str, target: Path) -> None:
    """This system and, from every other system it reads (economy, hotline), just the indicators
    it needs, transitively: the refresh then computes what the index uses and nothing else."""
    systems, _ = read_systems()
    write_subset([i.id for s in systems if s.id == system_id for i in s.indicators], target)


@pytest.fixture(scope="module")
def published(demo_lake, tmp_path_factory) -> Path:
    """The snapshot file of a refresh of the Waste-Free Index on the session's demo lake."""
    root = tmp_path_factory.mktemp("waste_free")
    definitions = root / "indicators"
    definitions.mkdir()
    _minimal_definitions(SYSTEM, definitions)
    report = refresh(lake_dir=demo_lake, snapshot_dir=root / "snapshots", definitions_dir=definitions)
    return report.path


@pytest.fixture(scope="module")
def con(published):
    c = duckdb.connect(str(published), read_only=True)
    yield c
    c.close()


@pytest.fixture(scope="module")
def cities() -> set[str]:
    return {r.code for r in load_hierarchy().children(PROVINCE)}


@pytest.fixture(scope="module")
def latest_month(con) -> str:
    """The latest month whose index is complete (not provisional)."""
    period = con.execute("""SELECT max(period) FROM indicator_values WHERE indicator = ? AND level = 'city'
                            AND frequency = 'month' AND NOT provisional AND value IS NOT NULL""", [INDEX]).fetchone()[0]
    assert period is not None, "the index has no complete month"
    return period


def test_index_ranks_the_eleven_cities(con, cities, latest_month):
    ranking = con.execute("""SELECT region, parent, value, rank FROM indicator_values
                             WHERE indicator = ? AND level = 'city' AND frequency = 'month' AND period = ?""",
                          [INDEX, latest_month]).df()
    assert len(cities) == 11
    assert set(ranking["region"]) == cities
    assert (ranking["parent"] == PROVINCE).all()
    assert ranking["value"].notna().all()
    assert ranking["value"].between(0, 100).all()
    assert sorted(ranking["rank"].astype(int)) == list(range(1, 12)), "11 distinct ranks"


def _reads_feed(ident: str, feed: str, indicators: dict) -> bool:
    ind = indicators[ident]
    if ind.measure is not None:
        return ind.measure.feed == feed
    return any(_reads_feed(d, feed, indicators) for d in dependencies(ind) if d in indicators)


def _cities_with_values(con, ids: list[str], period: str) -> dict[str, int]:
    df = con.execute("""SELECT indicator, count(value) AS n FROM indicator_values
                        WHERE list_contains(?, indicator) AND level = 'city' AND frequency = 'month'
                          AND period = ? GROUP BY indicator""", [ids, period]).df()
    return dict(zip(df["indicator"], df["n"], strict=True))


def test_second_level_indicators_have_city_values_in_the_latest_month(con, by_id, all_indicators, latest_month):
    """Each of the 27 is computed for the cities in the latest complete month (a city without
    such waste in the small demo may lack a value, never every city)."""
    ids = [i.id for i in second_level(by_id) if not _reads_feed(i.id, "waste_facilities", all_indicators)]
    counts = _cities_with_values(con, ids, latest_month)
    assert not [i for i in ids if counts.get(i, 0) == 0]


def test_facility_indicators_have_city_values_in_the_latest_month(con, by_id, all_indicators, latest_month):
    ids = [i.id for i in second_level(by_id) if _reads_feed(i.id, "waste_facilities", all_indicators)]
    assert len(ids) == 6
    counts = _cities_with_values(con, ids, latest_month)
    assert not [i for i in ids if counts.get(i, 0) == 0]


def test_composite_parts_shares_sum_to_one(con, by_id):
    composites = [INDEX, *(d.id for d in dimensions(by_id))]
    values = con.execute("""SELECT indicator, region, level, frequency, period_start FROM indicator_values
                            WHERE list_contains(?, indicator) AND value IS NOT NULL""", [composites]).df()
    assert set(values["indicator"]) == set(composites)
    shares = con.execute("""SELECT indicator, region, level, frequency, period_start, sum(share) AS total,
                                   count(*) AS parts
                            FROM composite_parts WHERE list_contains(?, indicator)
                            GROUP BY ALL""", [composites]).df()
    merged = values.merge(shares, on=["indicator", "region", "level", "frequency", "period_start"], how="left")
    assert merged["total"].notna().all(), "every composite value has its parts"
    assert (merged["total"] - 1.0).abs().max() <= 1e-6
    children = {c: len(by_id[c].composite.children) for c in composites}
    assert (merged["parts"] == merged["indicator"].map(children)).all(), "a part for each declared child"


def test_composite_values_are_explained_in_both_languages(con, by_id, latest_month):
    composites = [INDEX, *(d.id for d in dimensions(by_id))]
    # every composite value with a value in the period before has an explanation of its change
    missing = con.execute("""
        SELECT count(*) FROM indicator_values AS v
        JOIN indicator_values AS p ON p.indicator = v.indicator AND p.region = v.region AND p.level = v.level
             AND p.frequency = v.frequency
             AND p.period_start = v.period_start - CASE v.frequency WHEN 'month' THEN INTERVAL 1 MONTH
                                                                    ELSE INTERVAL 1 YEAR END
        WHERE list_contains(?, v.indicator) AND v.value IS NOT NULL AND p.value IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM explanations AS e WHERE e.indicator = v.indicator AND e.region = v.region
                          AND e.level = v.level AND e.frequency = v.frequency AND e.period_start = v.period_start
                          AND e.text_zh <> '' AND e.text_en <> '')""", [composites]).fetchone()[0]
    assert missing == 0
    latest = con.execute("""SELECT DISTINCT e.region, e.text_zh, e.text_en FROM explanations AS e
                            JOIN indicator_values AS v USING (indicator, region, level, frequency, period_start)
                            WHERE e.indicator = ? AND e.level = 'city' AND e.frequency = 'month' AND v.period = ?""",
                         [INDEX, latest_month]).df()
    assert latest["region"].nunique() == 11
    assert latest["text_zh"].map(lambda t: bool(CJK.search(t))).all()
    assert latest["text_en"].map(lambda t: bool(re.search(r"\b(rose|fell|held)\b", t))).all()


def test_counties_are_ranked_within_their_city(con, latest_month):
    counties = con.execute("""SELECT parent, count(*) AS n, max(rank) AS worst, count(DISTINCT rank) AS ranks
                              FROM indicator_values WHERE indicator = ? AND level = 'county' AND frequency = 'month'
                                AND period = ? AND value IS NOT NULL GROUP BY parent""",
                           [INDEX, latest_month]).df()
    assert len(counties) == 11, "the counties of every city are ranked"
    assert (counties["worst"] <= counties["n"]).all()


def test_yearly_index_for_the_complete_years(con, cities):
    years = con.execute("""SELECT period, count(value) AS n, min(value) AS lo, max(value) AS hi
                           FROM indicator_values WHERE indicator = ? AND level = 'city' AND frequency = 'year'
                           GROUP BY period ORDER BY period""", [INDEX]).df()
    assert not years.empty
    full = years[years["n"] == len(cities)]
    assert not full.empty
    assert ((full["lo"] >= 0) & (full["hi"] <= 100)).all()


def test_no_values_before_the_platform_records(con):
    """Facility stocks go back to 2003, but no indicator of the index has a value before the
    manifests begin (the networked flag is today's, so older stocks would be invented)."""
    first_manifest = con.execute("""SELECT min(period_start) FROM indicator_values
                                    WHERE indicator = 'wfi_period_days' AND value IS NOT NULL""").fetchone()[0]
    early = con.execute("""SELECT DISTINCT indicator FROM indicator_values
                           WHERE system = ? AND value IS NOT NULL AND period_start < ?
                             AND indicator NOT LIKE '%\\_tpd' ESCAPE '\\' AND indicator NOT LIKE '%\\_count' ESCAPE '\\'""",
                        [SYSTEM, pd.Timestamp(first_manifest).replace(month=1, day=1).date()]).df()
    assert early.empty, f"values before the records begin: {sorted(early['indicator'])}"


def test_stocks_begin_with_the_event_data_not_with_the_population_years(con):
    """Monthly stocks (facility capacity, cells) and what is built on them start in the first
    month of the event feeds: the population of an earlier year is a yearly reference figure and
    adds no months of stocks, nor of empty capacity indicators, before the records begin."""
    first_event = con.execute("""SELECT min(period_start) FROM indicator_values
                                 WHERE indicator = 'wfi_period_days' AND frequency = 'month'""").fetchone()[0]
    first_population = con.execute("""SELECT min(period_start) FROM indicator_values
                                      WHERE indicator = 'population'""").fetchone()[0]
    assert first_population < first_event, "the demo's population begins a year before its events"
    early = con.execute("""SELECT indicator, count(*) AS n FROM indicator_values
                           WHERE system = ? AND frequency = 'month' AND period_start < ?
                           GROUP BY indicator ORDER BY indicator""", [SYSTEM, first_event]).df()
    assert early.empty, f"monthly rows before the first month of data: {dict(zip(early['indicator'], early['n'], strict=True))}"


@pytest.mark.parametrize(("capacity", "match", "dimension"), [
    ("wfi_haz_capacity_tpd", "wfi_haz_capacity_match", "wfi_hazardous"),
    ("wfi_con_capacity_tpd", "wfi_con_capacity_match", "wfi_construction"),
])
def test_capacity_match_has_no_value_without_a_plant_of_that_kind(con, capacity, match, dimension):
    """A county with no plant of the kind in service (capacity 0 t/d, though it may have other
    facilities) has no capacity match, as the definition says: not 0, which min-max would score as
    the worst of its peers (60), but missing, so its dimension re-weights the other two children."""
    assert con.execute("SELECT count(*) FROM indicator_values WHERE indicator = ? AND value = 0",
                       [match]).fetchone()[0] == 0
    keys = "USING (level, frequency, region, period_start)"
    rows = con.execute(f"""
        SELECT c.level, c.frequency, c.region, c.period_start, m.value AS match, p.weight, p.score, o.weights
        FROM (SELECT * FROM indicator_values WHERE indicator = ? AND value = 0) AS c
        LEFT JOIN (SELECT * FROM indicator_values WHERE indicator = ?) AS m {keys}
        JOIN (SELECT * FROM composite_parts WHERE indicator = ? AND child = ?) AS p {keys}
        JOIN (SELECT level, frequency, region, period_start, sum(weight) AS weights FROM composite_parts
              WHERE indicator = ? AND child <> ? GROUP BY ALL) AS o {keys}""",
        [capacity, match, dimension, match, dimension, match]).df()
    assert len(rows) > 0, "the demo has counties with other facilities but none of this kind"
    assert set(rows["level"]) == {"county"}, "every city has a plant of each kind"
    assert rows["match"].isna().all()
    assert (rows["weight"] == 0).all() and rows["score"].isna().all()
    assert ((rows["weights"] - 1.0).abs() < 1e-6).all(), "the other two children share its weight"
