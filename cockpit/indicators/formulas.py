"""Formulas: arithmetic over other indicators at the same region and period, with time functions.

A formula is compiled to one DuckDB query over the long table of values computed so far:
1. `wide`: the referenced indicators pivoted to one column each, per region and period;
   an indicator only computed yearly (population) joins as of the period's year (ASOF join).
2. one stage per nesting depth of time functions (`yoy(ytd(x))` needs two): each stage adds a
   column per call, from self-joins to the previous period or the same period a year before,
   or windows over the year (ytd) or the last n periods (rolling);
3. the formula itself over those columns.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlglot
from sqlglot import exp

from cockpit.duck import quote
from cockpit.indicators.periods import STEP

DIALECT = "duckdb"
TIME_FUNCTIONS = ("yoy", "yoy_diff", "mom", "prev", "last_year", "ytd", "rolling_sum", "rolling_avg")


def parse(formula: str) -> exp.Expression:
    return sqlglot.parse_one(formula, read=DIALECT)


def _call_name(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    if isinstance(node, exp.Func):
        name = node.sql_name().lower()
        return name if name in TIME_FUNCTIONS else None
    return None


def references(formula: str) -> list[str]:
    """Indicator ids a formula reads, in order of first use."""
    seen: list[str] = []
    for col in parse(formula).find_all(exp.Column):
        if col.name not in seen:
            seen.append(col.name)
    return seen


def uses_time_functions(formula: str) -> bool:
    """Whether a formula calls yoy(), ytd() or another function reading other periods."""
    return any(_call_name(n) in TIME_FUNCTIONS for n in parse(formula).find_all(exp.Func))


def breakdown_sql(formula: str, frequency: str, levels: list[str], refs: list[str], columns: list[str]) -> str:
    """SQL giving (breakdown, category, category_en, level, region, period_start, value): a plain
    formula (no time functions) over the same period's values, per category of each breakdown
    column, from the table `bvals` of breakdown rows (its references split by those columns).

    Exact at every level: the references' categories are recomputed from the rows at each level,
    so the formula per category is what it would be over that category's rows alone. A category
    a reference lacks reads as missing, as a missing value does in the formula itself."""
    if uses_time_functions(formula):
        raise ValueError("a formula with time functions is not computed per category")
    tree = parse(formula)
    quoted = ", ".join(f"'{r}'" for r in refs)
    pivot = ", ".join(f"max(value) FILTER (WHERE indicator = '{r}') AS {quote(r)}" for r in refs)
    value = _qualify(tree, "c").sql(dialect=DIALECT)
    return f"""-- formula per category: {" ".join(formula.split())}
WITH c AS (
  SELECT breakdown, category, min(category_en) AS category_en, level, region, CAST(period_start AS DATE) AS period_start,
    {pivot}
  FROM bvals
  WHERE frequency = '{frequency}' AND level IN ({", ".join(f"'{lvl}'" for lvl in levels)})
    AND breakdown IN ({", ".join(_text(c) for c in columns)}) AND indicator IN ({quoted})
  GROUP BY ALL
)
SELECT c.breakdown, c.category, c.category_en, c.level, c.region, c.period_start, CAST({value} AS DOUBLE) AS value
FROM c"""


def _text(value: str) -> str:
    """A SQL string literal (contract column names are plain identifiers; quoted all the same)."""
    return "'" + value.replace("'", "''") + "'"


@dataclass
class _Stage:
    columns: list[str]  # SELECT items added at this stage
    joins: set[str]  # 'prev' and/or 'ly'


def formula_sql(formula: str, frequency: str, levels: list[str], refs_here: list[str], refs_yearly: list[str]) -> str:
    """SQL giving (level, region, period_start, value) for a formula at one frequency, all its levels.

    `refs_here` are references computed at this frequency; `refs_yearly` are references only
    computed yearly, joined as of the period's year.
    """
    tree = parse(formula)
    level_list = ", ".join(f"'{lvl}'" for lvl in levels)
    pivot = ", ".join(f"max(value) FILTER (WHERE indicator = '{r}') AS {quote(r)}" for r in refs_here)
    base = f"""base AS (
  SELECT level, region, CAST(period_start AS DATE) AS period_start, {pivot}
  FROM vals WHERE frequency = '{frequency}' AND level IN ({level_list}) AND indicator IN ({', '.join(f"'{r}'" for r in refs_here)})
  GROUP BY ALL
)"""
    ctes = [base]
    current = "base"
    for r in refs_yearly:
        nxt = f"y_{len(ctes)}"
        ctes.append(f"""{nxt} AS (
  SELECT {current}.*, y.value AS {quote(r)}
  FROM {current} ASOF LEFT JOIN (
    SELECT level, region, CAST(period_start AS DATE) AS y_start, value FROM vals
    WHERE frequency = 'year' AND level IN ({level_list}) AND indicator = '{r}') AS y
  ON y.level = {current}.level AND y.region = {current}.region AND {current}.period_start >= y.y_start
)""")
        current = nxt
    counter = [0]
    while True:
        calls = [n for n in tree.find_all(exp.Func)
                 if _call_name(n) in TIME_FUNCTIONS and not any(_call_name(d) in TIME_FUNCTIONS
                                                               for d in n.find_all(exp.Func) if d is not n)]
        if not calls:
            break
        stage = _Stage(columns=[], joins=set())
        replacements: dict[int, str] = {}
        for call in calls:
            counter[0] += 1
            name = f"__t{counter[0]}"
            stage.columns.append(f"{_time_call_sql(call, frequency, stage)} AS {name}")
            replacements[id(call)] = name
        tree = tree.transform(lambda n, rep=replacements: exp.column(rep[id(n)]) if id(n) in rep else n, copy=False)
        nxt = f"s_{len(ctes)}"
        joins = ""
        if "prev" in stage.joins:
            joins += f"\n  LEFT JOIN {current} AS pv ON pv.level = c.level AND pv.region = c.region AND pv.period_start = c.period_start - {STEP[frequency]}"
        if "ly" in stage.joins:
            joins += f"\n  LEFT JOIN {current} AS ly ON ly.level = c.level AND ly.region = c.region AND ly.period_start = c.period_start - INTERVAL 1 YEAR"
        ctes.append(f"{nxt} AS (\n  SELECT c.*, {', '.join(stage.columns)}\n  FROM {current} AS c{joins}\n)")
        current = nxt
    value = _qualify(tree, "c").sql(dialect=DIALECT)
    return ("-- formula: " + " ".join(formula.split()) + "\nWITH " + ",\n".join(ctes)
            + f"\nSELECT c.level, c.region, c.period_start, CAST({value} AS DOUBLE) AS value FROM {current} AS c")


def _qualify(tree: exp.Expression, alias: str) -> exp.Expression:
    def q(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Column) and not node.table:
            return exp.column(node.name, table=alias, quoted=True)
        return node
    return tree.transform(q, copy=True)


def _time_call_sql(call: exp.Func, frequency: str, stage: _Stage) -> str:
    name = _call_name(call)
    args = list(call.expressions) if isinstance(call, exp.Anonymous) else [a for a in call.args.values() if isinstance(a, exp.Expression)]
    if not args:
        raise ValueError(f"{name}() needs an argument")
    x = args[0]
    cur = _qualify(x, "c").sql(dialect=DIALECT)
    if name in ("prev", "mom"):
        stage.joins.add("prev")
        before = _qualify(x, "pv").sql(dialect=DIALECT)
        return before if name == "prev" else f"(({cur}) / nullif({before}, 0) - 1) * 100"
    if name in ("last_year", "yoy", "yoy_diff"):
        stage.joins.add("ly")
        before = _qualify(x, "ly").sql(dialect=DIALECT)
        if name == "last_year":
            return before
        return f"(({cur}) / nullif({before}, 0) - 1) * 100" if name == "yoy" else f"({cur}) - ({before})"
    if name == "ytd":
        if frequency == "year":
            return cur
        return f"sum({cur}) OVER (PARTITION BY c.level, c.region, year(c.period_start) ORDER BY c.period_start)"
    if name in ("rolling_sum", "rolling_avg"):
        if len(args) != 2 or not isinstance(args[1], exp.Literal) or args[1].is_string:
            raise ValueError(f"{name}(x, n) needs a whole number n of periods")
        n = int(args[1].this)
        months = {"month": 1, "quarter": 3, "year": 12}[frequency] * (n - 1)
        agg = "sum" if name == "rolling_sum" else "avg"
        return (f"{agg}({cur}) OVER (PARTITION BY c.level, c.region ORDER BY c.period_start "
                f"RANGE BETWEEN INTERVAL {months} MONTH PRECEDING AND CURRENT ROW)")
    raise ValueError(f"unknown time function {name}")
