"""The validation stage: every class of bad definition is reported at its file and line, all at once,
and analysts' SQL is refused unless it is a plain, portable, read-only expression."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from cockpit.config import REPO_ROOT
from cockpit.feeds.contracts import Column, Contracts, Family, TableContract
from cockpit.indicators.definitions import Problem, read_systems
from cockpit.indicators.validate import check_directory, check_systems
from cockpit.regions.hierarchy import LEVELS

# -- a small contract set of its own, so that edits to data/contracts do not move these tests --


def _table(name: str, columns: dict[str, str], time: str | None, region_levels: tuple[str, ...] | None = None,
           region: str = "region_code") -> TableContract:
    cols = tuple(Column(name=c, type=t, label_zh=c, label_en=c) for c, t in {region: "string", **columns}.items())
    return TableContract(name=name, family="test", label_zh=name, label_en=name, description=name,
                         columns=cols, natural_key=(region,), region_column=region, time_column=time,
                         region_levels=region_levels)


CONTRACTS = Contracts(families=(Family(name="test", label_zh="测试", label_en="Test", tables=(
    _table("orders", {"created_at": "timestamp", "closed_at": "timestamp", "status": "string",
                      "tons": "float", "urgent": "boolean", "caller_id": "string", "code": "integer"},
           time="created_at"),
    _table("gdp_quarterly", {"quarter": "quarter", "gdp": "float"}, time="quarter", region_levels=("county",)),
    _table("population", {"year": "integer", "people": "float"}, time="year", region_levels=("county",)),
    _table("stations", {"station_id": "string", "installed_on": "date"}, time=None),
)),))

HEAD = """\
system:
  id: {system}
  name_zh: 测试体系
  name_en: Test system
  description: Indicators for the validator's tests.
  owner: 测试中心
  frequencies: [month, year]
  levels: [province, city, county]
{headline}indicators:
"""


def ind(ident: str, body: str) -> str:
    """One indicator entry: the required keys, then `body` (measure, formula, composite, …)."""
    head = (f"  - id: {ident}\n    name_zh: {ident}\n    name_en: {ident}\n    unit: 件\n"
            "    description: For the tests.\n")
    return head + textwrap.indent(textwrap.dedent(body).strip("\n"), "    ") + "\n"


def write(directory: Path, name: str, *indicators: str, system: str = "test", headline: str = "") -> Path:
    path = directory / name
    head = HEAD.format(system=system, headline=f"  headline: [{headline}]\n" if headline else "")
    path.write_text(head + "".join(indicators), encoding="utf-8")
    return path


def check(directory: Path, *indicators: str, levels: tuple[str, ...] = LEVELS, **kwargs: str) -> list[Problem]:
    if indicators:
        write(directory, "test.yaml", *indicators, **kwargs)
    systems, shape = read_systems(directory)
    assert shape == [], shape  # the fixtures are well-shaped: their meaning is what is under test
    return check_systems(systems, CONTRACTS, levels)


def line_of(path: Path, text: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    raise AssertionError(f"{text!r} not in {path}")


def one(problems: list[Problem], *words: str) -> Problem:
    """The one problem whose message holds all `words`."""
    found = [p for p in problems if all(w in p.message for w in words)]
    assert len(found) == 1, f"{words} in {[p.message for p in problems]}"
    return found[0]


def at(tmp_path: Path, problem: Problem, ident: str, file: str = "test.yaml") -> None:
    """The problem points at the indicator's own line."""
    assert (problem.file, problem.line) == (str(tmp_path / file), line_of(tmp_path / file, f"- id: {ident}"))


COUNT = "measure: {feed: orders, value: count(*)}"


# -- a clean file --------------------------------------------------------------------------------
def test_a_sound_system_has_no_problems(tmp_path):
    problems = check(
        tmp_path,
        ind("orders_all", "measure: {feed: orders, value: count(*), filter: \"status <> '已退回'\"}"),
        ind("orders_closed", "measure: {feed: orders, value: \"count(*) filter (where status = '已办结')\"}"),
        ind("hours_to_close", "measure: {feed: orders, value: \"avg(date_diff('microsecond', created_at, closed_at)) / 3.6e9\"}"),
        ind("urgent_share", "measure: {feed: orders, value: \"100.0 * count(*) filter (where urgent) / nullif(count(*), 0)\"}"),
        ind("tons_total", "measure: {feed: orders, value: sum(tons), accumulate: true}"),
        ind("people", "frequencies: [year]\nmeasure: {feed: population, value: sum(people)}"),
        ind("busy_days", """
            measure:
              feed: orders
              grain: {time: day, by: [caller_id], columns: {calls: count(*), all_urgent: bool_and(urgent)}}
              filter: calls >= 3 and not all_urgent
              value: count(distinct caller_id)
            """),
        ind("closure_rate", "formula: 100.0 * orders_closed / nullif(orders_all, 0)"),
        ind("orders_per_10k", "formula: orders_all / nullif(people, 0) * 10"),  # yearly-only, read as of the year
        ind("closure_yoy", "formula: yoy(ytd(orders_closed) / nullif(ytd(orders_all), 0))"),
        ind("closure_rolling", "formula: rolling_avg(closure_rate, 3)"),
        ind("closed_ytd", "frequencies: [month]\nformula: ytd(orders_closed)\njan_feb_combined: true\ndecimals: 0"),
        ind("index", """
            composite:
              normalisation: {method: minmax, floor: 60}
              children:
                - {indicator: closure_rate, weight: 0.7}
                - {indicator: hours_to_close, weight: 0.3}
            """),
        headline="closure_rate, index",
    )
    assert problems == []


# -- ids -----------------------------------------------------------------------------------------
def test_duplicate_indicator_ids_across_systems_name_both_places(tmp_path):
    first = write(tmp_path, "a.yaml", ind("dup", COUNT), system="a")
    second = write(tmp_path, "b.yaml", ind("other", COUNT), ind("dup", COUNT), system="b")
    problem = one(check(tmp_path), "dup", "defined twice")
    assert (problem.file, problem.line) == (str(second), line_of(second, "- id: dup"))
    assert f"{first}, line {line_of(first, '- id: dup')}" in problem.message


def test_duplicate_system_ids(tmp_path):
    write(tmp_path, "a.yaml", ind("x1", COUNT), system="same")
    second = write(tmp_path, "b.yaml", ind("x2", COUNT), system="same")
    problem = one(check(tmp_path), "system same", "defined twice")
    assert (problem.file, problem.line) == (str(second), 2)
    assert str(tmp_path / "a.yaml") in problem.message


def test_headline_must_be_an_indicator_of_the_system(tmp_path):
    write(tmp_path, "other.yaml", ind("elsewhere", COUNT), system="other")
    problems = check(tmp_path, ind("here", COUNT), headline="here, elsewhere, her")
    path = tmp_path / "test.yaml"
    for head in ("elsewhere", "her"):
        problem = one(problems, f"headline '{head}'", "not an indicator of this system")
        assert (problem.file, problem.line) == (str(path), line_of(path, "headline:"))
    assert "did you mean here" in one(problems, "headline 'her'").message


def test_levels_must_exist_in_the_hierarchy(tmp_path):
    problems = check(tmp_path, ind("deep", "levels: [city, county, street]\n" + COUNT),
                     levels=("province", "city", "county"))
    at(tmp_path, one(problems, "indicator deep", "street", "not levels of the region hierarchy"), "deep")


def test_jan_feb_combined_needs_months(tmp_path):
    problems = check(tmp_path, ind("yearly", "frequencies: [year]\njan_feb_combined: true\n" + COUNT))
    at(tmp_path, one(problems, "indicator yearly", "jan_feb_combined", "about months"), "yearly")


@pytest.mark.parametrize("body, words", [
    ("decimals: abc", ("decimals must be a whole number from 0 to 6", "'abc'")),
    ("decimals: 9", ("decimals must be a whole number from 0 to 6", "9")),
    ("decimals: 1.5", ("decimals must be a whole number", "1.5")),
    ("jan_feb_combined: 'yes'", ("jan_feb_combined must be true or false", "'yes'")),
    ("thresholds: [{severity: alarm, below: 1, live: 'no'}]", ("threshold: live must be true or false", "'no'")),
])
def test_switches_and_decimals_of_the_wrong_type_are_named(tmp_path, body, words):
    write(tmp_path, "test.yaml", ind("odd", body + "\n" + COUNT), ind("fine", COUNT))
    systems, shape = read_systems(tmp_path)
    problem = one(shape, "indicator odd", *words)
    # at the line of the mapping that holds the key: the indicator's own, or its threshold's
    assert problem.line == line_of(tmp_path / "test.yaml", body.split("\n")[0] if "{" in body else "- id: odd")
    assert [i.id for i in systems[0].indicators] == ["odd", "fine"]  # the rest of the file is kept


def test_accumulate_of_the_wrong_type_is_named(tmp_path):
    write(tmp_path, "test.yaml", ind("odd", "measure: {feed: orders, value: count(*), accumulate: 'no'}"))
    _, shape = read_systems(tmp_path)
    problem = one(shape, "indicator odd", "accumulate must be true or false", "'no'")
    assert problem.line == line_of(tmp_path / "test.yaml", "accumulate: 'no'")  # the measure's line


# -- measures: feed, time and region ----------------------------------------------------------------
def test_unknown_feed_suggests_close_ones_and_lists_known(tmp_path):
    problem = one(check(tmp_path, ind("m", "measure: {feed: order, value: count(*)}")), "feed 'order'")
    at(tmp_path, problem, "m")
    assert "did you mean orders" in problem.message
    assert "known feeds: gdp_quarterly, orders, population, stations" in problem.message


def test_time_and_region_must_be_columns_of_the_feed(tmp_path):
    problems = check(tmp_path, ind("m", "measure: {feed: orders, value: count(*), time: created, region: area}"))
    at(tmp_path, one(problems, "indicator m", "measure time 'created'", "not a column of feed orders",
                     "did you mean created_at"), "m")
    at(tmp_path, one(problems, "indicator m", "measure region 'area'", "not a column of feed orders"), "m")


def test_time_must_be_a_date_or_time_column(tmp_path):
    problem = one(check(tmp_path, ind("m", "measure: {feed: orders, value: count(*), time: status}")),
                  "measure time status is a string column")
    at(tmp_path, problem, "m")


def test_feed_without_time_column_needs_time(tmp_path):
    problems = check(tmp_path, ind("no_time", "measure: {feed: stations, value: count(*)}"),
                     ind("with_time", "measure: {feed: stations, value: count(*), time: installed_on}"))
    at(tmp_path, one(problems, "indicator no_time", "feed stations has no time column", "installed_on"), "no_time")
    assert not [p for p in problems if "with_time" in p.message]


def test_time_column_must_bucket_into_every_frequency(tmp_path):
    problems = check(tmp_path,
                     ind("gdp", "levels: [county]\nmeasure: {feed: gdp_quarterly, value: sum(gdp)}"),
                     ind("pop", "levels: [county]\nfrequencies: [quarter, year]\nmeasure: {feed: population, value: sum(people)}"))
    at(tmp_path, one(problems, "indicator gdp", "quarter (quarter) cannot be bucketed into month"), "gdp")
    at(tmp_path, one(problems, "indicator pop", "year (integer) cannot be bucketed into quarter"), "pop")


def test_feed_with_county_codes_cannot_give_streets(tmp_path):
    problem = one(check(tmp_path, ind("gdp", "levels: [city, county, street]\nfrequencies: [quarter]\n"
                                             "measure: {feed: gdp_quarterly, value: sum(gdp)}")),
                  "indicator gdp", "feed gdp_quarterly holds region codes at county only", "street")
    at(tmp_path, problem, "gdp")


@pytest.mark.parametrize("value", ["avg(tons)", "sum(tons) / nullif(count(*), 0)", "count(distinct caller_id)",
                                   "max(tons)"])
def test_accumulate_needs_sums_and_counts(tmp_path, value):
    problem = one(check(tmp_path, ind("acc", f"measure: {{feed: orders, value: '{value}', accumulate: true}}")),
                  "indicator acc", "accumulate: true", "sum(…) and count(…)")
    at(tmp_path, problem, "acc")


def test_accumulate_accepts_sums_and_counts_combined_linearly(tmp_path):
    value = "sum(tons) filter (where urgent) - 2 * count(*) + sum(tons) / 1000"
    assert check(tmp_path, ind("acc", f"measure: {{feed: orders, value: '{value}', accumulate: true}}")) == []


GRAIN = "grain: {time: day, by: [%s], columns: {%s}}"


@pytest.mark.parametrize(("by", "columns", "words"), [
    ("station", "calls: count(*)", ("grain by: 'station' is not a column of feed orders",)),
    ("region_code", "calls: count(*)", ("grain by: region_code is already a key of the grain",)),
    ("caller_id", "caller_id: count(*)", ("grain column caller_id has the name of a grain key",)),
    ("caller_id", "Calls: count(*)", ("grain column name 'Calls' must be lower_snake_case",)),
    ("caller_id", "calls: tons", ("measure grain column calls: needs an aggregate",)),
    ("caller_id", "calls: sum(tons) + tons", ("measure grain column calls: column tons is outside an aggregate",)),
    ("caller_id", "calls: \"read_csv('x')\"", ("measure grain column calls: function read_csv is not allowed",)),
    ("caller_id", "calls: sum(ton)", ("measure grain column calls: unknown column 'ton'", "feed orders has columns")),
])
def test_grain_keys_and_columns(tmp_path, by, columns, words):
    problems = check(tmp_path, ind("g", f"measure:\n  feed: orders\n  value: count(*)\n  {GRAIN % (by, columns)}"))
    at(tmp_path, one(problems, "indicator g:", *words), "g")


def test_after_a_grain_value_and_filter_read_the_grain_columns(tmp_path):
    problems = check(tmp_path, ind("g", "measure:\n  feed: orders\n  value: sum(tons)\n  filter: calls > 1\n  "
                                        + GRAIN % ("caller_id", "calls: count(*)")))
    problem = one(problems, "indicator g: measure value: unknown column 'tons'")
    assert "with its grain the measure reads region_code, caller_id, created_at, calls" in problem.message
    at(tmp_path, problem, "g")


def test_a_grain_needs_a_date_or_time_column(tmp_path):
    problems = check(tmp_path, ind("g", "levels: [county]\nfrequencies: [year]\nmeasure:\n  feed: population\n"
                                        "  value: count(*)\n  " + GRAIN % ("", "n: count(*)")))
    at(tmp_path, one(problems, "indicator g: measure grain needs a date or time column; year is integer"), "g")


# -- measures: value and filter ----------------------------------------------------------------------
@pytest.mark.parametrize(("value", "words"), [
    ("tons * 2", ("needs an aggregate",)),
    ("sum(tons) + tons", ("column tons is outside an aggregate",)),
    ("sum(tons) over ()", ("window functions",)),
    ("sum(max(tons))", ("aggregate max inside another aggregate",)),
    ("count(*) filter (where sum(tons) > 1)", ("aggregate sum inside another aggregate",)),
    ("count(*), sum(tons)", ("not a valid expression",)),
    ("count(*) -- all of them", ("SQL comments are not allowed",)),
    ("sum(orders.tons)", ("without a table", "orders.tons")),
    ("sum(tons) / count(*)", ("guard the divisor", "nullif")),
    ("abs(tons) filter (where urgent)", ("FILTER (WHERE …) must follow an aggregate",)),
])
def test_value_must_be_one_aggregate_expression(tmp_path, value, words):
    problem = one(check(tmp_path, ind("v", f'measure: {{feed: orders, value: "{value}"}}')),
                  "indicator v: measure value:", *words)
    at(tmp_path, problem, "v")


@pytest.mark.parametrize(("condition", "words"), [
    ("count(*) > 1", ("aggregate count is not allowed in a filter",)),
    ("tons + 1", ("must be a condition",)),
    ("status", ("must be a condition",)),
    ("status = 'a'; status = 'b'", ("';' is not allowed",)),
])
def test_filter_must_be_one_row_condition(tmp_path, condition, words):
    problem = one(check(tmp_path, ind("f", f'measure: {{feed: orders, value: count(*), filter: "{condition}"}}')),
                  "indicator f: measure filter", *words)
    at(tmp_path, problem, "f")


def test_filter_accepts_boolean_columns_and_conditions(tmp_path):
    conditions = ["urgent", "not urgent and tons between 1 and 5", "status in ('a', 'b') or status is null",
                  "closed_at <= created_at + interval 1 day", "coalesce(urgent, false)",
                  "starts_with(status, '已') and lower(status) like '%x%'", "cast(code as boolean)",
                  "created_at >= timestamp '2026-01-01' and extract(year from closed_at) = 2026"]
    indicators = [ind(f"f{n}", f'measure: {{feed: orders, value: count(*), filter: "{c}"}}')
                  for n, c in enumerate(conditions)]
    assert check(tmp_path, *indicators) == []


def test_unknown_columns_are_named_with_the_feeds_columns(tmp_path):
    problems = check(tmp_path, ind("c", "measure: {feed: orders, value: sum(ton), filter: \"state = 'x'\"}"))
    value = one(problems, "indicator c: measure value: unknown column 'ton'", "did you mean tons")
    at(tmp_path, value, "c")
    assert "feed orders has columns region_code, created_at, closed_at, status, tons" in value.message
    at(tmp_path, one(problems, "indicator c: measure filter: unknown column 'state'", "did you mean status"), "c")


# -- safety: analysts' SQL is code --------------------------------------------------------------------
@pytest.mark.parametrize(("key", "text", "words"), [
    ("value", "count(*)); DROP TABLE x; --", ("';' is not allowed",)),
    ("value", "count(*); DROP TABLE orders", ("';' is not allowed",)),
    ("value", "(select 1)", ("sub-query",)),
    ("value", "count(*) + (select count(*) from secrets)", ("sub-query",)),
    ("value", "read_csv('/etc/passwd')", ("function read_csv is not allowed",
                                          "only read-only expressions over the feed's columns")),
    ("value", "count(*) filter (where status in (select * from read_parquet('x')))", ("sub-query",)),
    ("value", "getenv('HOME')", ("function getenv is not allowed",)),
    ("value", "max(current_setting('threads'))", ("function current_setting is not allowed",)),
    ("value", "max(read_text('/etc/passwd'))", ("function read_text is not allowed",)),
    ("value", "max(query('select 1'))", ("function query is not allowed",)),
    ("value", "count(*) filter (where glob('*') is not null)", ("function glob is not allowed",)),
    ("value", "COPY orders TO '/tmp/x.csv'", ("statement COPY",)),
    ("value", "ATTACH '/tmp/x.db'", ("statement ATTACH",)),
    ("value", "DETACH x", ("statement DETACH",)),
    ("value", "PRAGMA version", ("statement PRAGMA",)),
    ("value", "SET threads = 1", ("statement SET",)),
    ("value", "INSTALL httpfs", ("statement INSTALL",)),
    ("value", "LOAD httpfs", ("statement LOAD",)),
    ("value", "CALL pragma_version()", ("statement CALL",)),
    ("value", "DROP TABLE orders", ("statement DROP",)),
    ("value", "DELETE FROM orders", ("statement DELETE",)),
    ("value", "INSERT INTO orders VALUES (1)", ("statement INSERT",)),
    ("value", "UPDATE orders SET tons = 0", ("statement UPDATE",)),
    ("value", "CREATE TABLE x (a int)", ("statement CREATE",)),
    ("value", "EXPORT DATABASE '/tmp/x'", ("not a valid expression",)),
    ("filter", "1=1 union select password from users", ("sub-query",)),
    ("filter", "status = 'x' or exists (select 1)", ("sub-query",)),
    ("filter", "regexp_matches(status, 'a')", ("function regexp_matches is not allowed",)),
    ("filter", "created_at < now()", ("function now is not allowed",)),
    ("filter", "list_contains([1, 2], code)", ("contains is not allowed",)),
    ("filter", "$1 = status", ("not allowed",)),
])
def test_anything_but_a_read_only_expression_is_refused(tmp_path, key, text, words):
    quoted = text.replace("'", "''")
    body = ("measure: {feed: orders, value: count(*), filter: '%s'}" if key == "filter"
            else "measure: {feed: orders, value: '%s'}") % quoted
    problem = one(check(tmp_path, ind("bad", body)), f"indicator bad: measure {key}:", *words)
    at(tmp_path, problem, "bad")


@pytest.mark.parametrize(("value", "name"), [
    ("sum(epoch(closed_at) - epoch(created_at))", "epoch"),
    ("avg(epoch_ms(closed_at))", "epoch_ms"),
    ("avg(extract(epoch from closed_at))", "extract(epoch …)"),
    ("count(*) filter (where dayofweek(created_at) = 0)", "dayofweek"),
    ("count(*) filter (where isodow(created_at) = 7)", "isodow"),
    ("count(distinct week(created_at))", "week"),
    ("count(distinct weekofyear(created_at))", "weekofyear"),
    ("median(tons)", "median"),
    ("quantile_cont(tons, 0.9)", "quantile_cont"),
    ("quantile(tons, 0.9)", "quantile"),
    ("percentile_cont(0.9) within group (order by tons)", "quantile_cont"),
    ("count(distinct strftime(created_at, '%G-%V'))", "strftime format '%G-%V'"),
    ("avg(date_diff('hour', created_at, closed_at))", "date_diff('hour', …)"),
    ("avg(datediff('day', created_at, closed_at))", "date_diff('day', …)"),
    ("sum(range(3))", "range"),
])
def test_functions_outside_the_portable_subset_are_refused_with_the_reason(tmp_path, value, name):
    problem = one(check(tmp_path, ind("p", f'measure: {{feed: orders, value: "{value}"}}')),
                  f"{name} is not portable", "Spark")
    at(tmp_path, problem, "p")
    if "epoch" in name or "date_diff" in name:
        assert "date_diff('microsecond', a, b)" in problem.message


# -- formulas -----------------------------------------------------------------------------------------
def test_formula_references_must_be_indicators(tmp_path):
    problems = check(tmp_path, ind("orders_all", COUNT), ind("rate", "formula: 100 * closed / nullif(orders_al, 0)"))
    at(tmp_path, one(problems, "indicator rate: formula: unknown indicator 'closed'"), "rate")
    at(tmp_path, one(problems, "unknown indicator 'orders_al'", "did you mean orders_all"), "rate")


@pytest.mark.parametrize(("formula", "words"), [
    ("a + ", ("not a valid expression",)),
    ("a; b", ("';' is not allowed",)),
    ("sum(a)", ("aggregate sum is not allowed in a formula",)),
    ("yoy(a, a)", ("yoy(x) takes one argument",)),
    ("rolling_sum(a)", ("rolling_sum(x, n)", "positive whole number")),
    ("rolling_avg(a, 0)", ("rolling_avg(x, n)", "positive whole number")),
    ("rolling_avg(a, 2.5)", ("rolling_avg(x, n)", "positive whole number")),
    ("trend(a)", ("function trend is not allowed",)),
    ("a / a", ("guard the divisor",)),
    ("read_csv('x')", ("function read_csv is not allowed",)),
    ("a + (select 1)", ("sub-query",)),
])
def test_formula_is_one_safe_expression(tmp_path, formula, words):
    problem = one(check(tmp_path, ind("a", COUNT), ind("f", f'formula: "{formula}"')), "indicator f: formula", *words)
    at(tmp_path, problem, "f")


def test_formula_references_must_exist_at_its_levels_and_frequencies(tmp_path):
    problems = check(
        tmp_path,
        ind("cities", "levels: [province, city]\n" + COUNT),
        ind("quarterly", "frequencies: [quarter]\n" + COUNT),
        ind("f", "formula: cities + quarterly"),
    )
    at(tmp_path, one(problems, "indicator f", "reads cities", "level(s) county"), "f")
    at(tmp_path, one(problems, "indicator f", "reads quarterly", "frequency month, year"), "f")


def test_formula_may_read_a_yearly_indicator_as_of_the_year_but_not_add_it_up(tmp_path):
    problems = check(
        tmp_path,
        ind("people", "frequencies: [year]\nmeasure: {feed: population, value: sum(people)}"),
        ind("orders_all", COUNT),
        ind("per_head", "formula: orders_all / nullif(people, 0)"),
        ind("summed", "formula: ytd(orders_all) / nullif(ytd(people), 0)"),
    )
    assert [p.message for p in problems if "per_head" in p.message] == []
    at(tmp_path, one(problems, "indicator summed", "ytd(…) over people", "once per month"), "summed")


# -- composites ---------------------------------------------------------------------------------------
def composite(*children: str, extra: str = "") -> str:
    lines = "".join(f"\n    - {c}" for c in children)
    return f"composite:{textwrap.indent(extra, '  ')}\n  children:{lines}"


def test_composite_children_must_exist_once_at_its_levels_and_frequencies(tmp_path):
    problems = check(
        tmp_path,
        ind("a", COUNT),
        ind("cities", "levels: [province, city]\n" + COUNT),
        ind("yearly", "frequencies: [year]\n" + COUNT),
        ind("idx", composite("{indicator: a, weight: 0.25}", "{indicator: cities, weight: 0.25}",
                             "{indicator: yearly, weight: 0.25}", "{indicator: b, weight: 0.25}",
                             "{indicator: a, weight: 0}")),
    )
    path = tmp_path / "test.yaml"

    def child_line(name: str, nth: int = 0) -> int:
        lines = [n for n, text in enumerate(path.read_text().splitlines(), 1) if f"indicator: {name}," in text]
        return lines[nth]

    assert one(problems, "indicator idx", "child 'b' is not an indicator").line == child_line("b")
    assert one(problems, "child cities", "level(s) county").line == child_line("cities")
    assert one(problems, "child yearly", "frequency month").line == child_line("yearly")
    assert one(problems, "child a is listed twice").line == child_line("a", 1)


@pytest.mark.parametrize(("weights", "extra", "words"), [
    ((0.5, 0.4), "", ("weights sum to 0.9, not 1", "renormalise_weights")),
    ((0.0, 0.0), "\nrenormalise_weights: true", ("weights are all zero",)),
])
def test_composite_weights(tmp_path, weights, extra, words):
    problems = check(tmp_path, ind("a", COUNT), ind("b", COUNT),
                     ind("idx", composite(f"{{indicator: a, weight: {weights[0]}}}",
                                          f"{{indicator: b, weight: {weights[1]}}}", extra=extra)))
    at(tmp_path, one(problems, "indicator idx", *words), "idx")


def test_composite_weights_within_tolerance_or_renormalised_pass(tmp_path):
    assert check(tmp_path, ind("a", COUNT), ind("b", COUNT),
                 ind("i1", composite("{indicator: a, weight: 0.3333333}", "{indicator: b, weight: 0.6666667}")),
                 ind("i2", composite("{indicator: a, weight: 2}", "{indicator: b, weight: 1}",
                                     extra="\nrenormalise_weights: true"))) == []


def test_target_normalisation_needs_targets_on_every_child(tmp_path):
    problems = check(tmp_path, ind("a", "targets: 95\n" + COUNT), ind("b", COUNT),
                     ind("idx", composite("{indicator: a, weight: 0.5}", "{indicator: b, weight: 0.5}",
                                          extra="\nnormalisation: {method: target}")))
    problem = one(problems, "indicator idx", "normalisation target needs targets", "child b")
    assert problem.line == line_of(tmp_path / "test.yaml", "indicator: b,")


# -- cycles -------------------------------------------------------------------------------------------
def test_a_dependency_cycle_is_reported_once_at_its_first_indicator(tmp_path):
    problems = check(
        tmp_path,
        ind("leaf", COUNT),
        ind("a", "formula: b + leaf"),
        ind("b", "formula: c * 2"),
        ind("c", composite("{indicator: a, weight: 0.5}", "{indicator: leaf, weight: 0.5}")),
        ind("selfish", "formula: selfish + 1"),
    )
    cycles = [p for p in problems if "cycle" in p.message]
    assert [p.message for p in cycles] == ["indicator a: dependency cycle a → b → c → a",
                                           "indicator selfish: dependency cycle selfish → selfish"]
    at(tmp_path, cycles[0], "a")
    at(tmp_path, cycles[1], "selfish")


# -- all at once, and the real files ------------------------------------------------------------------
def test_every_problem_of_a_file_is_reported_at_once(tmp_path):
    problems = check(
        tmp_path,
        ind("m1", "measure: {feed: nowhere, value: count(*)}"),
        ind("m2", "measure: {feed: orders, value: \"read_csv('x')\", filter: 'count(*) > 0'}"),
        ind("m3", "measure: {feed: orders, value: median(tons)}"),
        ind("f1", "formula: m3 / nullif(missing, 0)"),
        ind("c1", composite("{indicator: m3, weight: 0.2}")),
        ind("m1", COUNT),
        headline="nothing",
        levels=("province", "city"),
    )
    expected = [("m1", "feed 'nowhere'"), ("m2", "function read_csv"), ("m2", "aggregate count is not allowed in a filter"),
                ("m3", "median is not portable"), ("f1", "unknown indicator 'missing'"), ("c1", "weights sum to 0.2"),
                ("m1", "defined twice"), ("system test", "headline 'nothing'")]
    for ident, words in expected:
        one(problems, ident, words)
    assert sum("not levels of the region hierarchy" in p.message for p in problems) == 6


def test_check_directory_reads_sorts_and_includes_shape_problems(tmp_path):
    path = tmp_path / "hotline.yaml"
    path.write_text(HEAD.format(system="hotline", headline="") + ind("h_orders", "measure: {feed: hotline_orders, value: count(*)}")
                    + ind("h_rate", "formula: 100 * h_closed / nullif(h_orders, 0)")
                    + "  - id: h_bad\n    name_zh: x\n", encoding="utf-8")
    problems = check_directory(tmp_path)
    assert [(p.line, p.message.split(":")[0]) for p in problems] == [
        (line_of(path, "- id: h_rate"), "indicator h_rate"), (line_of(path, "- id: h_bad"), "indicator h_bad")]
    assert problems == sorted(problems, key=lambda p: (p.file, p.line))


def test_shipped_indicator_systems_have_no_problems():
    directory = REPO_ROOT / "indicators"
    if not sorted(directory.glob("*.yaml")):
        pytest.skip("indicators/*.yaml not written yet")
    assert [str(p) for p in check_directory(directory)] == []


@pytest.mark.parametrize(("breakdown", "words"), [
    ("staus", ("unknown column 'staus'", "did you mean status")),
    ("tons", ("tons is a float column", "needs a text column")),
])
def test_breakdown_needs_a_text_column_of_the_feed(tmp_path, breakdown, words):
    problem = one(check(tmp_path, ind("by", f"measure: {{feed: orders, value: count(*), breakdown: {breakdown}}}")),
                  "indicator by", "measure breakdown", *words)
    at(tmp_path, problem, "by")


def test_breakdown_is_not_offered_on_running_totals(tmp_path):
    problem = one(check(tmp_path, ind("by", "measure: {feed: orders, value: count(*), breakdown: status, "
                                            "accumulate: true}")), "indicator by", "breakdown", "accumulate")
    at(tmp_path, problem, "by")
    assert check(tmp_path, ind("by", "measure: {feed: orders, value: count(*), breakdown: status}")) == []


# -- errors that only data would show, found on the contract's types ------------------------------
@pytest.mark.parametrize("key, text, words", [
    ("value", "sum(cast(status as integer))", ["CAST(status AS INT)", "fails at refresh", "try_cast"]),
    ("value", "sum(status)", ["does not run on the feed's column types", "sum(VARCHAR)"]),
    ("filter", "created_at > 5", ["does not run on the feed's column types", "Cannot compare", "TIMESTAMP"]),
    ("filter", "created_at > make_date(2024, 13, 45)", ["`MAKE_DATE(2024, 13, 45)` fails", "Date out of range"]),
    ("filter", "created_at > closed_at + interval 100000000 year", ["INTERVAL '100000000' YEAR", "out of range"]),
    ("filter", "created_at > '2024-13-01'", ["compares a TIMESTAMP with text that is not one"]),
    ("filter", "code in (1, 'x')", ["compares a BIGINT with text", "'x'"]),
])
def test_type_and_value_errors_are_found_on_the_feeds_types_at_check(tmp_path, key, text, words):
    body = f"measure: {{feed: orders, value: count(*), {key}: \"{text}\"}}" if key == "filter" else \
        f"measure: {{feed: orders, value: \"{text}\"}}"
    problems = check(tmp_path, ind("bad", body))
    at(tmp_path, one(problems, f"measure {key}", *words), "bad")
    assert len(problems) == 1


def test_formulas_are_run_on_numbers_at_check(tmp_path):
    problems = check(tmp_path, ind("n", COUNT), ind("bad_const", "formula: \"n + cast('x' as integer)\""),
                     ind("bad_text", "formula: \"case when n > 'abc' then 1 else 0 end\""))
    at(tmp_path, one(problems, "formula", "`CAST('x' AS INT)` fails", "Could not convert string 'x'"), "bad_const")
    at(tmp_path, one(problems, "formula", "compares a DOUBLE with text"), "bad_text")
    assert len(problems) == 2


def test_sound_casts_and_comparisons_pass_the_run_on_empty_tables(tmp_path):
    assert check(tmp_path, ind("ok", """
        measure:
          feed: orders
          value: "sum(try_cast(status as integer)) + sum(cast(code as double))"
          filter: "created_at > '2024-01-01' and created_at < closed_at + interval 30 day and status in ('a', 'b')"
        """), ind("ok_formula", "formula: \"ok * 2 + cast('1' as integer)\"")) == []


def test_refresh_does_not_repeat_the_run_on_empty_tables(tmp_path, monkeypatch):
    from cockpit.indicators import validate

    monkeypatch.setattr(validate, "_check_running", lambda *a: pytest.fail("ran at refresh"))
    write(tmp_path, "test.yaml", ind("n", COUNT))
    systems, _ = read_systems(tmp_path)
    assert check_systems(systems, CONTRACTS, LEVELS, run=False) == []
