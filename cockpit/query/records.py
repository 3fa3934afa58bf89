"""The records behind a number: which rows of which feed an indicator's value is computed from.

Pure logic over definitions and contracts, no data: `record_sets(indicator, definitions,
contracts)` says, for a measure, the rows its value counts (or sums, averages …); for a rate
(`100.0 * a / nullif(b, 0)`), the rows of the numerator's and of the denominator's measures;
through time functions (`yoy(ytd(x))`), the rows of the inner indicator; for other formulas,
the rows of each measure read. The reader (`Reader.indicator_records`) adds the region subtree,
the period, the viewer's departments and the page's cross-filters, and masks personal data.

`condition_sql` is built from the analysts' definitions (already validated as read-only
expressions over the feed's own columns), never from a request, and is never sent to a client.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import sqlglot
from sqlglot import exp

from cockpit.feeds.contracts import Contracts
from cockpit.indicators.formulas import TIME_FUNCTIONS
from cockpit.indicators.model import Indicator, IndicatorSystem

DIALECT = "duckdb"
ALIAS = "f"  # the feed's alias in the reader's record queries: condition columns are qualified with it
# Time functions whose value at a period is the inner expression's over the year so far.
YEAR_TO_DATE = ("ytd",)


@dataclass(frozen=True)
class RecordSet:
    key: str  # "value" for a measure; "numerator" / "denominator" for a rate; else the measure's id
    indicator: str  # the MEASURE indicator whose rows these are
    feed: str
    counts: bool  # the number of rows equals the measure's value (count(*) [FILTER], count(col))
    condition_sql: str  # internal only: measure.filter AND the aggregate's FILTER, columns qualified
    time_column: str
    region_column: str
    accumulate: bool  # rows up to the period end (no start bound)
    year_to_date: bool = False  # rows from the start of the period's year (a ytd() formula's)


def _indicators(definitions: Any) -> Mapping[str, Indicator]:
    """Definitions as id → Indicator, from a mapping, systems, or indicators."""
    if isinstance(definitions, Mapping):
        return definitions
    out: dict[str, Indicator] = {}
    for item in definitions:
        if isinstance(item, IndicatorSystem):
            out.update({i.id: i for i in item.indicators})
        elif isinstance(item, Indicator):
            out[item.id] = item
        else:
            raise TypeError(f"definitions must be indicator systems or indicators, not {type(item).__name__}")
    return out


@lru_cache(maxsize=4)
def _definitions_at(stamp: tuple) -> dict[str, Indicator]:
    from cockpit.indicators.definitions import read_systems

    directory = Path(stamp[0]) if stamp else None
    systems, problems = read_systems(directory)
    if problems and not systems:
        raise ValueError("indicator definitions cannot be read: " + "; ".join(str(p) for p in problems[:3]))
    return dict(_indicators(systems))


def load_definitions(directory: Path | None = None) -> dict[str, Indicator]:
    """The indicator definitions on disk (id → Indicator), read again only when a file changes."""
    from cockpit.indicators.definitions import indicator_dir

    directory = directory or indicator_dir()
    files = sorted(directory.glob("*.yaml"))
    return _definitions_at((str(directory), *((str(f), f.stat().st_mtime_ns) for f in files)))


def record_sets(indicator_id: str, definitions: Any, contracts: Contracts) -> list[RecordSet]:
    """Measure -> [its RecordSet]; formula -> numerator/denominator sets when the formula is
    a division (100.0 * a / nullif(b, 0), a / b ...): the measures referenced on each side
    (recursing through formulas); yoy()/ytd() wrappers -> the inner indicator's sets; other
    formulas -> the sets of each referenced measure (key = measure id). Composite -> []."""
    indicators = _indicators(definitions)
    if indicator_id not in indicators:
        raise KeyError(f"no indicator {indicator_id!r} among the definitions")
    ind = indicators[indicator_id]
    if ind.measure is not None:
        return [_measure_set(ind, "value", contracts)]
    if ind.composite is not None or not ind.formula:
        return []
    tree, year_to_date = _unwrap(sqlglot.parse_one(ind.formula, read=DIALECT))
    if isinstance(tree, exp.Column) and tree.name in indicators:  # yoy(x), ytd(x), x: x's own sets
        inner = record_sets(tree.name, indicators, contracts) if tree.name != indicator_id else []
        return [_year_to_date(s) if year_to_date else s for s in inner]
    division = _division(tree)
    if division is not None:
        out: list[RecordSet] = []
        for side, node in zip(("numerator", "denominator"), division, strict=True):
            found = _measures_read(node, indicators, indicator_id)
            for measure_id, ytd in found:
                key = side if len(found) == 1 else f"{side}.{measure_id}"
                made = _measure_set(indicators[measure_id], key, contracts)
                out.append(_year_to_date(made) if ytd or year_to_date else made)
        return out
    return [_year_to_date(made) if ytd or year_to_date else made
            for measure_id, ytd in _measures_read(tree, indicators, indicator_id)
            for made in [_measure_set(indicators[measure_id], measure_id, contracts)]]


def _year_to_date(found: RecordSet) -> RecordSet:
    # rows from January: the value is the year's total so far, so no count of them equals a measure's value
    return RecordSet(found.key, found.indicator, found.feed, False, found.condition_sql, found.time_column,
                     found.region_column, found.accumulate, year_to_date=True)


def _call_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    if isinstance(node, exp.Func):
        name = node.sql_name().lower()
        return name if name in TIME_FUNCTIONS else None
    return None


def _first_argument(node: exp.Expression) -> exp.Expression | None:
    if isinstance(node, exp.Anonymous):
        return node.expressions[0] if node.expressions else None
    return node.this if isinstance(node.this, exp.Expression) else None


def _unwrap(node: exp.Expression) -> tuple[exp.Expression, bool]:
    """The expression inside parentheses and time-function calls, and whether a ytd() was among them."""
    year_to_date = False
    while True:
        if isinstance(node, exp.Paren):
            node = node.this
            continue
        name = _call_name(node)
        if name in TIME_FUNCTIONS:
            inner = _first_argument(node)
            if inner is None:
                return node, year_to_date
            year_to_date |= name in YEAR_TO_DATE
            node = inner
            continue
        return node, year_to_date


def _division(node: exp.Expression) -> tuple[exp.Expression, exp.Expression] | None:
    """(numerator, denominator) of a ratio: a / b, k * a / b, a / nullif(b, 0) … (a literal factor
    or `nullif(…, 0)` guard is not part of either side)."""
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Mul):  # 100.0 * (a / b)
        left, right = node.this, node.expression
        if isinstance(left, exp.Literal):
            return _division(right)
        if isinstance(right, exp.Literal):
            return _division(left)
        return None
    if not isinstance(node, exp.Div):
        return None
    return node.this, _strip_guard(node.expression)


def _strip_guard(node: exp.Expression) -> exp.Expression:
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Nullif):
        return node.this
    return node


def _measures_read(node: exp.Expression, indicators: Mapping[str, Indicator],
                   start: str) -> list[tuple[str, bool]]:
    """The measures an expression reads, through formulas (iteratively, each once), in order of
    first use, with whether a ytd() stands between the expression and the measure."""
    out: dict[str, bool] = {}
    todo: list[tuple[exp.Expression, bool]] = [(node, False)]
    seen_formulas = {start}
    while todo:
        expr, ytd = todo.pop(0)
        for column in _columns_with_ytd(expr, ytd):
            name, under_ytd = column
            ind = indicators.get(name)
            if ind is None:
                continue
            if ind.measure is not None:
                out[name] = out.get(name, False) or under_ytd
            elif ind.formula and name not in seen_formulas:
                seen_formulas.add(name)
                todo.append((sqlglot.parse_one(ind.formula, read=DIALECT), under_ytd))
    return list(out.items())


def _columns_with_ytd(node: exp.Expression, ytd: bool) -> Iterable[tuple[str, bool]]:
    for column in node.find_all(exp.Column):
        under = ytd
        parent = column.parent
        while parent is not None and parent is not node.parent:
            if _call_name(parent) in YEAR_TO_DATE:
                under = True
            parent = parent.parent
        yield column.name, under


def _measure_set(ind: Indicator, key: str, contracts: Contracts) -> RecordSet:
    m = ind.measure
    assert m is not None
    contract = contracts.table(m.feed)
    time_column = m.time or contract.time_column
    if time_column is None:
        raise ValueError(f"indicator {ind.id}: feed {m.feed} has no time column to find a period's rows by")
    region_column = m.region or contract.region_column
    value = sqlglot.parse_one(m.value, read=DIALECT)
    conditions: list[exp.Expression] = []
    counts = False
    if m.grain is None:  # a grain's filter and value read the grain's columns, not the feed's rows
        if m.filter:
            conditions.append(sqlglot.parse_one(m.filter, read=DIALECT))
        shared = _shared_filter(value)
        if shared is not None:
            conditions.append(shared)
        counted = _counted(value)
        if counted is not None:
            counts = True  # a running count too: it counts every row up to the period end
            if isinstance(counted, exp.Expression):
                conditions.append(exp.Not(this=exp.Is(this=counted.copy(), expression=exp.Null())))
    condition = exp.and_(*[exp.paren(c.copy()) for c in conditions]) if conditions else exp.true()
    return RecordSet(key=key, indicator=ind.id, feed=contract.name, counts=counts,
                     condition_sql=_qualified(condition).sql(dialect=DIALECT), time_column=time_column,
                     region_column=region_column, accumulate=m.accumulate)


def _aggregates(value: exp.Expression) -> list[exp.Expression]:
    """The aggregates of a value, each with its FILTER clause when it has one."""
    out = []
    for agg in value.find_all(exp.AggFunc):
        out.append(agg.parent if isinstance(agg.parent, exp.Filter) and agg.parent.this is agg else agg)
    return out


def _shared_filter(value: exp.Expression) -> exp.Expression | None:
    """The FILTER (WHERE …) condition every aggregate of the value has, when they all have the same one."""
    wheres = set()
    for agg in _aggregates(value):
        if not isinstance(agg, exp.Filter):
            return None
        wheres.add(agg.expression.this.sql(dialect=DIALECT))
    if len(wheres) != 1:
        return None
    return sqlglot.parse_one(wheres.pop(), read=DIALECT)


def _counted(value: exp.Expression) -> exp.Expression | bool | None:
    """For a value that is one count of rows, `count(*)` [FILTER …] → True, `count(col)` → col;
    anything else (count(distinct), sums, arithmetic on counts) → None."""
    node = value
    while isinstance(node, exp.Paren):
        node = node.this
    if isinstance(node, exp.Filter):
        node = node.this
    if not isinstance(node, exp.Count):
        return None
    argument = node.this
    if argument is None or isinstance(argument, exp.Star):
        return True
    if isinstance(argument, exp.Distinct):
        return None
    if isinstance(argument, exp.Column):
        return argument
    return None


def _qualified(tree: exp.Expression) -> exp.Expression:
    def qualify(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table:
            return exp.column(node.name, table=ALIAS, quoted=True)
        return node
    return tree.transform(qualify, copy=True)
