"""Meaning checks over indicator definitions: feeds, columns, references, cycles, weights, SQL.

`definitions.read_systems` checked each entry's shape; this stage checks what the entries mean,
against the feed contracts and the region hierarchy, and reports every problem at once, each at
the line of the indicator (or composite child) at fault.

Measure values, filters, grain columns and formulas are SQL written by analysts that the engine
re-generates from sqlglot's tree into its own queries, so they are treated as untrusted code:
each is parsed and walked node by node, and only node types on an explicit allow-list pass.
Anything else (a statement, a sub-query, a table or file function, a node type this module has
never heard of) is refused: fail closed, so a new sqlglot node or DuckDB function stays refused
until someone adds it here on purpose. The same walk holds the portable subset of
ARCHITECTURE.md (definitions must later run on Spark with the same meaning).

Definitions that pass all that are then run as refresh would run them, on empty tables of the
contracts' column types (`_Binder`), so that what the types alone decide (a time compared with a
number, a cast of text, a constant such as make_date(2024, 13, 45)) is found here, at the
definition's line, rather than at refresh.
"""

from __future__ import annotations

import difflib
import logging
import re
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError
from sqlglot.tokens import TokenType

import cockpit.duck as duck
from cockpit.duck import quote
from cockpit.feeds.contracts import Contracts, TableContract, load_contracts
from cockpit.indicators.definitions import Problem, read_systems
from cockpit.indicators.formulas import TIME_FUNCTIONS
from cockpit.indicators.graph import CycleError, Graph
from cockpit.indicators.model import ID_PATTERN, Child, Indicator, IndicatorSystem
from cockpit.indicators.periods import allowed_frequencies
from cockpit.regions.hierarchy import LEVELS, load_hierarchy

DIALECT = "duckdb"
WEIGHT_TOLERANCE = 1e-6
TIME_TYPES = ("timestamp", "date", "month", "quarter", "integer")  # integer: a year column
ROLLING = ("rolling_sum", "rolling_avg")
MAX_EXPRESSION = 4000  # characters: far above any real definition, well below a recursion limit

# -- the allow-list ----------------------------------------------------------------------------
# Exact node types (never isinstance: a subclass may be a different function).

# Values and operators: arithmetic, comparison, logic, CASE, CAST, intervals.
OPERATORS: frozenset[type[exp.Expression]] = frozenset({
    exp.Column, exp.Literal, exp.Boolean, exp.Null, exp.Paren,
    exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.Neg, exp.DPipe,
    exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ,
    exp.And, exp.Or, exp.Not, exp.Is, exp.In, exp.Between, exp.Like, exp.ILike,
    exp.Case, exp.Cast, exp.TryCast, exp.Interval,
})
# Scalar functions. sqlglot maps aliases onto these (ifnull → Coalesce, ceiling → Ceil,
# pow → Pow, substr → Substring, len → Length, datediff → DateDiff).
SCALARS: frozenset[type[exp.Expression]] = frozenset({
    exp.Coalesce, exp.Nullif, exp.Abs, exp.Round, exp.Floor, exp.Ceil, exp.Ln, exp.Log,
    exp.Exp, exp.Sqrt, exp.Pow, exp.Greatest, exp.Least, exp.Lower, exp.Upper, exp.Trim,
    exp.Length, exp.Substring, exp.Concat, exp.StartsWith, exp.Contains, exp.DateDiff,
    exp.TimestampTrunc, exp.DateTrunc, exp.Year, exp.Quarter, exp.Month, exp.Day, exp.Hour,
    exp.TimeToStr, exp.DateFromParts, exp.Extract,
})
# Aggregates, only in a measure's value (var_samp parses as Variance, bool_and as LogicalAnd).
AGGREGATES: frozenset[type[exp.Expression]] = frozenset({
    exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.Stddev, exp.StddevSamp, exp.StddevPop,
    exp.Variance, exp.VariancePop, exp.LogicalAnd, exp.LogicalOr, exp.AnyValue,
})
# Units of date_trunc, extract and intervals.
UNITS = frozenset({"YEAR", "QUARTER", "MONTH", "DAY", "HOUR", "MINUTE", "SECOND"})
CAST_TYPES = frozenset({
    exp.DataType.Type.BOOLEAN, exp.DataType.Type.TINYINT, exp.DataType.Type.SMALLINT,
    exp.DataType.Type.INT, exp.DataType.Type.BIGINT, exp.DataType.Type.FLOAT,
    exp.DataType.Type.DOUBLE, exp.DataType.Type.DECIMAL, exp.DataType.Type.VARCHAR,
    exp.DataType.Type.TEXT, exp.DataType.Type.DATE, exp.DataType.Type.TIMESTAMP,
    exp.DataType.Type.TIMESTAMPNTZ,  # what duckdb's TIMESTAMP reads as; zoned types differ on Spark
})


def _under(node: exp.Expression, parents: tuple[type[exp.Expression], ...], arg: str) -> bool:
    return type(node.parent) in parents and node.arg_key == arg


# Parts that are harmless only in one place: a Var is a unit, a Star is count(*), …
PLACED: dict[type[exp.Expression], Callable[[exp.Expression], bool]] = {
    exp.Identifier: lambda n: _under(n, (exp.Column,), "this"),
    exp.Var: lambda n: (_under(n, (exp.DateDiff, exp.TimestampTrunc, exp.DateTrunc, exp.Interval), "unit")
                        or _under(n, (exp.Extract,), "this")),
    exp.Star: lambda n: _under(n, (exp.Count,), "this"),
    exp.Distinct: lambda n: (_under(n, (exp.Count,), "this") and len(n.expressions) == 1
                             and set(n.args) <= {"expressions"}),
    exp.IgnoreNulls: lambda n: type(n.this) is exp.AnyValue,  # how sqlglot reads any_value(x)
    exp.Where: lambda n: _under(n, (exp.Filter,), "expression"),
    exp.If: lambda n: _under(n, (exp.Case,), "ifs"),  # a WHEN branch; if(…) itself is refused
    exp.DataType: lambda n: _under(n, (exp.Cast, exp.TryCast), "to") and n.this in CAST_TYPES,
    exp.DataTypeParam: lambda n: _under(n, (exp.DataType,), "expressions"),
}

# Only for a better message: the node is refused anyway, since it is on no list above.
_QUERIES = (exp.Query, exp.Subquery, exp.Exists, exp.Any, exp.All, exp.Values, exp.Table,
            exp.Lateral, exp.Unnest)
_STATEMENTS = tuple(getattr(exp, name) for name in (
    "DDL", "DML", "Command", "Attach", "Detach", "Pragma", "Set", "Install", "Use", "Transaction",
    "Commit", "Rollback", "Alter", "Drop", "Merge", "Describe", "Show", "Summarize", "Cache",
    "Uncache", "LoadData", "Refresh", "Analyze", "Export", "Kill") if hasattr(exp, name))

# -- the portable subset (ARCHITECTURE.md, Conventions) --------------------------------------
_ELAPSED = "write elapsed time as date_diff('microsecond', a, b) scaled, e.g. / 3.6e9 for hours"
_WEEKS = "DuckDB and Spark number weeks and weekdays differently"
_QUANTILES = "DuckDB and Spark compute quantiles differently"


def _not_portable_why(name: str) -> str | None:
    """Why a function (or extract part) is outside the portable subset, or None."""
    name = name.lower()
    if name.startswith("epoch"):
        return _ELAPSED
    if name in ("dayofweek", "dow", "isodow", "week", "weekofyear", "yearweek", "isoyear"):
        return _WEEKS
    if name.startswith(("quantile", "percentile", "approx_quantile")) or name == "median":
        return _QUANTILES
    if name == "range":
        return "range() is a DuckDB table function with no Spark equivalent"
    return None


def _not_portable(name: str, why: str) -> str:
    return f"{name} is not portable: {why} (definitions keep to SQL that means the same on Spark)"


# -- parsing -----------------------------------------------------------------------------------
@contextmanager
def _quiet() -> Iterator[None]:
    """sqlglot logs a warning for syntax it falls back on; here that syntax is refused anyway."""
    logger = logging.getLogger("sqlglot")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def parse_expression(text: str) -> tuple[exp.Expression | None, str | None]:
    """Exactly one expression, or why not (multiple statements, comments, a syntax error)."""
    if len(text) > MAX_EXPRESSION:
        return None, f"is longer than {MAX_EXPRESSION} characters: split it into several indicators"
    try:
        with _quiet():
            tokens = sqlglot.tokenize(text, read=DIALECT)
            if any(t.token_type == TokenType.SEMICOLON for t in tokens):
                return None, "';' is not allowed: write one expression, not statements"
            if any(t.comments for t in tokens):
                # Comments are copied into generated SQL; YAML '#' comments serve analysts.
                return None, "SQL comments are not allowed in expressions (use a YAML # comment)"
            trees = [t for t in sqlglot.parse(text, read=DIALECT) if t is not None]
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" at column {first['col']}" if "col" in first else ""
        return None, f"is not a valid expression: {first.get('description', exc)}{where}"
    except Exception as exc:  # noqa: BLE001 - any failure to read untrusted text refuses it
        return None, f"is not a valid expression: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}"
    if len(trees) != 1:
        return None, "is empty" if not trees else f"must be one expression, found {len(trees)}"
    return trees[0], None


def _function_name(node: exp.Expression) -> str:
    """The name an analyst would recognise: read_csv, quantile_cont, epoch, …"""
    if isinstance(node, exp.Anonymous):
        return str(node.this).lower()
    try:
        with _quiet():
            sql = node.sql(dialect=DIALECT)
    except Exception:  # noqa: BLE001 - naming is best effort, refusal does not depend on it
        return node.key
    return sql.split("(", 1)[0].strip().lower() or node.key


def _snippet(node: exp.Expression, width: int = 40) -> str:
    try:
        with _quiet():
            text = node.sql(dialect=DIALECT)
    except Exception:  # noqa: BLE001 - see _function_name
        return node.key
    return text if len(text) <= width else text[: width - 1] + "…"


def _describe(node: exp.Expression) -> str:
    if isinstance(node, _QUERIES):
        return "a sub-query (SELECT …)"
    if isinstance(node, _STATEMENTS):
        keyword = str(node.this).split()[0] if isinstance(node, exp.Command) else node.key
        return f"the statement {keyword.upper()}"
    if isinstance(node, exp.Func):
        return f"function {_function_name(node)}"
    return f"{node.key} `{_snippet(node)}`"


def _unit(node: exp.Expression, arg: str) -> str | None:
    value = node.args.get(arg)
    if isinstance(value, exp.Var) or (isinstance(value, exp.Literal) and value.is_string):
        return str(value.this).upper()
    return None


def _number(node: exp.Expression | None) -> float | None:
    """The value of a numeric literal (also -1, (2)), else None."""
    if node is None:
        return None
    node = node.unnest()
    if isinstance(node, exp.Neg):
        inner = _number(node.this)
        return -inner if inner is not None else None
    if isinstance(node, exp.Literal) and not node.is_string:
        try:
            return float(node.this)
        except ValueError:
            return None
    return None


def _guarded(denominator: exp.Expression) -> bool:
    """A divisor that cannot be zero: a non-zero number, nullif(d, 0), greatest(d, 1)."""
    node = denominator.unnest()
    if isinstance(node, exp.Cast | exp.TryCast | exp.Neg):
        return _guarded(node.this)
    number = _number(node)
    if number is not None:
        return number != 0
    if type(node) is exp.Nullif:
        return _number(node.expression) == 0
    if type(node) is exp.Greatest:
        return any((_number(a) or 0) > 0 for a in [node.this, *node.expressions])
    return False


# -- the walk ----------------------------------------------------------------------------------
@dataclass
class ExpressionCheck:
    """One walk over an analyst's expression.

    kind: "value" (one aggregate expression), "filter" (a row condition) or "formula"
    (arithmetic over indicator ids, with time functions).
    """

    kind: str
    messages: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # names read, in order of first use
    aggregates: int = 0
    bare_columns: list[str] = field(default_factory=list)  # value: columns outside any aggregate
    time_calls: list[exp.Expression] = field(default_factory=list)

    @property
    def scope(self) -> str:
        if self.kind == "formula":
            return "only arithmetic over indicator ids with the allowed functions"
        return "only read-only expressions over the feed's columns"

    def refuse(self, message: str) -> None:
        if message not in self.messages:
            self.messages.append(message)

    def run(self, text: str) -> exp.Expression | None:
        tree, error = parse_expression(text)
        if tree is None:
            self.refuse(error or "is not a valid expression")
            return None
        try:
            self.visit(tree, in_aggregate=False)
        except RecursionError:  # absurd nesting: refuse rather than crash the whole check
            self.refuse("is nested too deeply")
            return None
        if self.kind == "value" and self.aggregates == 0:
            if not self.messages:  # after a refusal, asking for an aggregate would be noise
                self.refuse("needs an aggregate, e.g. count(*) or sum(column): the engine groups the rows")
        else:
            for name in self.bare_columns:
                self.refuse(f"column {name} is outside an aggregate (e.g. sum({name}), "
                            "or count(*) filter (where …))")
        return tree

    def visit(self, node: exp.Expression, in_aggregate: bool) -> None:
        refusal = self.refusal(node, in_aggregate)
        if refusal:
            self.refuse(refusal)
            return  # do not look inside refused code: its parts would only repeat the news
        if type(node) in (exp.Div, exp.IntDiv, exp.Mod) and not _guarded(node.expression):
            self.refuse(f"guard the divisor of `{_snippet(node)}` with nullif(…, 0): "
                        "DuckDB and Spark differ on division by zero")
        if self._is_time_call(node):
            self.time_calls.append(node)
        if isinstance(node, exp.Column):
            self.column(node, in_aggregate)
        if isinstance(node, exp.Filter):  # FILTER (WHERE …) belongs to its aggregate
            self.visit(node.this, in_aggregate)
            self.visit(node.expression, True)
            return
        if type(node) in AGGREGATES:
            self.aggregates += 1
            in_aggregate = True
        for child in node.iter_expressions():
            self.visit(child, in_aggregate)

    def column(self, node: exp.Column, in_aggregate: bool) -> None:
        if node.name not in self.columns:
            self.columns.append(node.name)
        if self.kind == "value" and not in_aggregate and node.name not in self.bare_columns:
            self.bare_columns.append(node.name)

    def refusal(self, node: exp.Expression, in_aggregate: bool) -> str | None:
        """Why this node may not run here, or None; checked in order, most telling first."""
        if isinstance(node, _QUERIES + _STATEMENTS):
            return f"{_describe(node)} is not allowed ({self.scope})"
        if isinstance(node, exp.Window):
            return "window functions (… OVER …) are not allowed: the engine groups by region and period"
        portability = self.portability(node)
        if portability:
            return portability
        if self._is_time_call(node):
            return _time_call_problem(node)
        if type(node) in AGGREGATES or isinstance(node, exp.Filter):
            return self.aggregate_problem(node, in_aggregate)
        if type(node) in PLACED:
            return None if PLACED[type(node)](node) else f"{_describe(node)} is not allowed ({self.scope})"
        if isinstance(node, exp.Column) and (len(node.parts) != 1 or not isinstance(node.this, exp.Identifier)):
            return f"write column names without a table: `{_snippet(node)}`"
        unit = self.unit_problem(node)
        if unit:
            return unit
        if type(node) in OPERATORS or type(node) in SCALARS:
            return None
        return f"{_describe(node)} is not allowed ({self.scope})"

    def _is_time_call(self, node: exp.Expression) -> bool:
        return self.kind == "formula" and isinstance(node, exp.Anonymous) and node.name.lower() in TIME_FUNCTIONS

    def aggregate_problem(self, node: exp.Expression, in_aggregate: bool) -> str | None:
        name = _function_name(node.this if isinstance(node, exp.Filter) else node)
        if self.kind == "formula":
            return f"aggregate {name} is not allowed in a formula (formulas combine indicators; aggregate in a measure)"
        if self.kind == "filter":
            return f"aggregate {name} is not allowed in a filter (the filter picks rows; aggregate in value)"
        if isinstance(node, exp.Filter) and type(node.this) not in AGGREGATES:
            return f"FILTER (WHERE …) must follow an aggregate such as count(*), not {name}"
        if in_aggregate:
            return f"aggregate {name} inside another aggregate is not allowed"
        return None

    def portability(self, node: exp.Expression) -> str | None:
        target = node.this if isinstance(node, exp.WithinGroup) else node
        if isinstance(target, exp.Func) and not isinstance(target, exp.Extract):
            name = _function_name(target)
            why = _not_portable_why(name)
            if why:
                return _not_portable(name, why)
        if type(node) is exp.Extract:
            part = _unit(node, "this")
            why = _not_portable_why(part or "")
            if why:
                return _not_portable(f"extract({(part or '').lower()} …)", why)
        if type(node) is exp.DateDiff and _unit(node, "unit") != "MICROSECOND":
            unit = (_unit(node, "unit") or "?").lower()
            return _not_portable(f"date_diff('{unit}', …)", "DuckDB counts boundaries crossed, Spark "
                                 f"elapsed time; {_ELAPSED}")
        if type(node) is exp.TimeToStr:
            fmt = node.args.get("format")
            if not (isinstance(fmt, exp.Literal) and fmt.is_string):
                return "strftime needs its format written as text, e.g. strftime(ts, '%Y-%m')"
            if "%G" in fmt.this or "%V" in fmt.this:
                return _not_portable(f"strftime format {fmt.this!r}", _WEEKS)
        return None

    def unit_problem(self, node: exp.Expression) -> str | None:
        arg = {exp.TimestampTrunc: "unit", exp.DateTrunc: "unit", exp.Extract: "this",
               exp.Interval: "unit"}.get(type(node))
        if arg is None or (type(node) is exp.Interval and node.args.get("unit") is None):
            return None
        unit = _unit(node, arg)
        if unit is not None and (unit in UNITS or (type(node) is exp.Interval and unit.rstrip("S") in UNITS)):
            return None
        return (f"{_function_name(node)} unit {(unit or '?').lower()} is not allowed "
                f"(one of {', '.join(sorted(u.lower() for u in UNITS))})")


def _time_call_problem(node: exp.Expression) -> str | None:
    name = node.name.lower()
    args = list(node.expressions)
    if name in ROLLING:
        n = args[1] if len(args) == 2 else None
        if n is None or not (isinstance(n, exp.Literal) and not n.is_string and n.this.isdigit() and int(n.this) > 0):
            return f"{name}(x, n) needs x and a positive whole number of periods n"
        return None
    if len(args) != 1:
        return f"{name}(x) takes one argument, got {len(args)}"
    return None


def is_condition(node: exp.Expression, columns: Mapping[str, str]) -> bool:
    """True when an expression is true/false for each row (a comparison, a boolean column, …)."""
    node = node.unnest()
    if isinstance(node, exp.Predicate | exp.Connector | exp.Not | exp.Boolean | exp.StartsWith | exp.Contains):
        return True
    if isinstance(node, exp.Column):
        return columns.get(node.name) == "boolean"
    if isinstance(node, exp.Cast | exp.TryCast):
        return node.to.this == exp.DataType.Type.BOOLEAN
    if isinstance(node, exp.Case):
        branches = [i.args.get("true") for i in node.args.get("ifs") or []] + [node.args.get("default")]
        return all(is_condition(b, columns) for b in branches if b is not None)
    if isinstance(node, exp.Coalesce):
        return all(is_condition(a, columns) for a in [node.this, *node.expressions])
    return False


def is_additive(node: exp.Expression) -> bool:
    """Built only of sum/count (not distinct), added, subtracted or scaled by a number.

    Only such values can be accumulated into running totals: a running total of monthly
    averages, ratios or distinct counts means nothing.
    """
    node = node.unnest()
    if isinstance(node, exp.Filter):
        node = node.this
    if type(node) is exp.Sum:
        return True
    if type(node) is exp.Count:
        return not isinstance(node.this, exp.Distinct)
    if isinstance(node, exp.Add | exp.Sub):
        return is_additive(node.this) and is_additive(node.expression)
    if isinstance(node, exp.Neg | exp.Cast):
        return is_additive(node.this)
    if isinstance(node, exp.Mul):
        return ((is_additive(node.this) and _number(node.expression) is not None)
                or (_number(node.this) is not None and is_additive(node.expression)))
    if isinstance(node, exp.Div):
        return is_additive(node.this) and _number(node.expression) is not None
    return False


# -- helpers for messages ----------------------------------------------------------------------
def _close(name: str, known: list[str]) -> str:
    matches = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(matches)}?)" if matches else ""


def _listed(items: tuple[str, ...] | list[str]) -> str:
    return ", ".join(items) if items else "none"


def _at(ind: Indicator, message: str, child: Child | None = None) -> Problem:
    where = child.where if child is not None and child.where is not None else ind.where
    return Problem(where.file, where.line, f"indicator {ind.id}: {message}")


# -- measures ----------------------------------------------------------------------------------
def _check_measure(ind: Indicator, contracts: Contracts) -> list[Problem]:
    m = ind.measure
    assert m is not None
    if m.feed not in contracts:
        known = sorted(t.name for t in contracts.tables)
        return [_at(ind, f"measure feed {m.feed!r} is not a known feed{_close(m.feed, known)}; "
                         f"known feeds: {_listed(known)}")]
    table = contracts.table(m.feed)
    problems = _check_time(ind, table) + _check_region(ind, table)
    columns = {c.name: c.type for c in table.columns}
    source = f"feed {table.name} has columns"
    if m.grain is not None:
        problems.extend(_check_grain(ind, table))
        columns = _grain_columns(ind, table)
        source = "with its grain the measure reads"
    value = _check_expression(ind, "value", "measure value", m.value, columns, source, problems)
    if m.filter:
        tree = _check_expression(ind, "filter", "measure filter", m.filter, columns, source, problems)
        if tree is not None and not is_condition(tree, columns):
            problems.append(_at(ind, f"measure filter must be a condition, true or false for each row "
                                     f"(e.g. status = '已办结'), not `{m.filter}`"))
    if m.breakdown:
        problems.extend(_check_breakdown(ind, columns, source))
    if m.accumulate and value is not None and not is_additive(value):
        problems.append(_at(ind, "accumulate: true needs a value built only of sum(…) and count(…) "
                                 "(not distinct): running totals of averages or ratios mean nothing"))
    return problems


def _check_breakdown(ind: Indicator, columns: Mapping[str, str], source: str) -> list[Problem]:
    """A breakdown splits the value by the categories of each of its columns: each must be a text
    column, and the value must add up over the categories (a running total per category is not
    offered)."""
    m = ind.measure
    assert m is not None and m.breakdown
    if m.accumulate:
        return [_at(ind, "measure breakdown cannot be combined with accumulate: true")]
    problems = []
    outside = [lvl for lvl in m.breakdown_levels if lvl not in ind.levels]
    if outside:
        problems.append(_at(ind, f"measure breakdown_levels: {', '.join(outside)} not among the indicator's "
                                 f"levels ({_listed(ind.levels)})"))
    for column in m.breakdown:
        if column not in columns:
            problems.append(_at(ind, f"measure breakdown: unknown column {column!r}{_close(column, list(columns))}; "
                                     f"{source} {_listed(list(columns))}"))
        elif columns[column] != "string":
            problems.append(_at(ind, f"measure breakdown: {column} is a {columns[column]} column; "
                                     "a breakdown needs a text column of categories"))
    return problems


def _check_expression(ind: Indicator, kind: str, what: str, text: str, columns: Mapping[str, str],
                      source: str, problems: list[Problem]) -> exp.Expression | None:
    """Walk one measure expression, adding its problems; the tree when it is safe to use, else None.

    `what` names it in messages ("measure filter"), `source` introduces the columns it may read.
    """
    check = ExpressionCheck(kind=kind)
    tree = check.run(text)
    messages = list(check.messages)
    for name in check.columns:
        if name not in columns:
            messages.append(f"unknown column {name!r}{_close(name, list(columns))}; {source} "
                            f"{_listed(list(columns))}")
    problems.extend(_at(ind, f"{what}: {message}") for message in messages)
    return tree if not messages else None


def _grain_columns(ind: Indicator, table: TableContract) -> dict[str, str]:
    """What value and filter read after a grain: its keys and its named aggregates."""
    m = ind.measure
    assert m is not None and m.grain is not None
    feed = {c.name: c.type for c in table.columns}
    region, time = m.region or table.region_column, m.time or table.time_column or ""
    keys = {region: "string", **{b: feed.get(b, "string") for b in m.grain.by}, time: "timestamp"}
    for name, text in m.grain.columns:
        tree, _ = parse_expression(text)
        logical = tree is not None and type(tree.unnest()) in (exp.LogicalAnd, exp.LogicalOr)
        keys.setdefault(name, "boolean" if logical else "number")
    return keys


def _check_grain(ind: Indicator, table: TableContract) -> list[Problem]:
    m = ind.measure
    assert m is not None and m.grain is not None
    problems: list[Problem] = []
    region, time = m.region or table.region_column, m.time or table.time_column
    feed = {c.name: c.type for c in table.columns}
    if time in feed and feed[time] not in ("timestamp", "date", "month", "quarter"):
        problems.append(_at(ind, f"measure grain needs a date or time column; {time} is {feed[time]}"))
    for name in m.grain.by:
        if name not in feed:
            problems.append(_at(ind, f"measure grain by: {name!r} is not a column of feed {table.name}"
                                     f"{_close(name, list(feed))}; columns: {_listed(list(feed))}"))
        elif name in (region, time):
            problems.append(_at(ind, f"measure grain by: {name} is already a key of the grain (region and time)"))
    keys = (region, time, *m.grain.by)
    for name, text in m.grain.columns:
        if not ID_PATTERN.fullmatch(name):
            problems.append(_at(ind, f"measure grain column name {name!r} must be lower_snake_case"))
        elif name in keys:
            problems.append(_at(ind, f"measure grain column {name} has the name of a grain key; rename it"))
        _check_expression(ind, "value", f"measure grain column {name}", text, feed,
                          f"feed {table.name} has columns", problems)
    return problems


def _check_time(ind: Indicator, table: TableContract) -> list[Problem]:
    m = ind.measure
    assert m is not None
    name = m.time or table.time_column
    dated = [c.name for c in table.columns if c.type in TIME_TYPES]
    if name is None:
        return [_at(ind, f"feed {table.name} has no time column: set measure time to one of "
                         f"{_listed(dated)}")]
    if name not in table.column_names:
        return [_at(ind, f"measure time {name!r} is not a column of feed {table.name}{_close(name, dated)}; "
                         f"date/time columns: {_listed(dated)}")]
    ctype = table.column(name).type
    if ctype not in TIME_TYPES:
        return [_at(ind, f"measure time {name} is a {ctype} column, not a date or time; "
                         f"date/time columns: {_listed(dated)}")]
    allowed = allowed_frequencies(ctype)
    bad = [f for f in ind.frequencies if f not in allowed]
    if bad:
        return [_at(ind, f"time column {name} ({ctype}) cannot be bucketed into {_listed(bad)}; "
                         f"frequencies it allows: {_listed(allowed)}")]
    return []


def _check_region(ind: Indicator, table: TableContract) -> list[Problem]:
    m = ind.measure
    assert m is not None
    name = m.region or table.region_column
    if name not in table.column_names:
        return [_at(ind, f"measure region {name!r} is not a column of feed {table.name}"
                         f"{_close(name, table.column_names)}; columns: {_listed(table.column_names)}")]
    if table.column(name).type != "string":
        return [_at(ind, f"measure region {name} is a {table.column(name).type} column; region codes are text")]
    if name == table.region_column and table.region_levels:
        # Rows only carry codes at these levels: coarser levels are rolled up, finer ones do not exist.
        finest = max(LEVELS.index(lvl) for lvl in table.region_levels if lvl in LEVELS)
        too_fine = [lvl for lvl in ind.levels if lvl in LEVELS and LEVELS.index(lvl) > finest]
        if too_fine:
            return [_at(ind, f"feed {table.name} holds region codes at {_listed(table.region_levels)} only, "
                             f"so it cannot give level(s) {_listed(too_fine)}")]
    return []


# -- formulas ----------------------------------------------------------------------------------
def _check_formula(ind: Indicator, index: Mapping[str, Indicator]) -> list[Problem]:
    assert ind.formula is not None
    check = ExpressionCheck(kind="formula")
    check.run(ind.formula)
    problems = [_at(ind, f"formula: {message}") for message in check.messages]
    known = list(index)
    for name in check.columns:
        ref = index.get(name)
        if ref is None:
            problems.append(_at(ind, f"formula: unknown indicator {name!r}{_close(name, known)}"))
        elif ref.id != ind.id:  # reading itself is a cycle, reported once as such
            problems.extend(_check_reference(ind, ref))
    problems.extend(_check_yearly_sums(ind, check.time_calls, index))
    return problems


def _check_reference(ind: Indicator, ref: Indicator) -> list[Problem]:
    """A referenced indicator must exist at each level and period the formula is computed for."""
    problems = []
    levels = [lvl for lvl in ind.levels if lvl not in ref.levels]
    if levels:
        problems.append(_at(ind, f"formula reads {ref.id}, which is not computed at level(s) "
                                 f"{_listed(levels)} (it has {_listed(ref.levels)})"))
    # An indicator computed yearly (population) is read as of the year of a month or quarter.
    freqs = [f for f in ind.frequencies if f not in ref.frequencies and "year" not in ref.frequencies]
    if freqs:
        problems.append(_at(ind, f"formula reads {ref.id}, which is not computed at frequency "
                                 f"{_listed(freqs)} nor yearly (it has {_listed(ref.frequencies)})"))
    return problems


def _check_yearly_sums(ind: Indicator, calls: list[exp.Expression], index: Mapping[str, Indicator]) -> list[Problem]:
    """ytd/rolling over a value read as of the year would add the same yearly value per period."""
    problems = []
    for call in calls:
        name = call.name.lower()
        if name != "ytd" and name not in ROLLING:
            continue
        for col in call.expressions[0].find_all(exp.Column):
            ref = index.get(col.name)
            sub_year = [f for f in ind.frequencies if f != "year" and ref is not None and f not in ref.frequencies]
            if ref is not None and sub_year:
                problems.append(_at(ind, f"formula: {name}(…) over {ref.id}, computed only at "
                                         f"{_listed(ref.frequencies)}, would add its yearly value once per "
                                         f"{_listed(sub_year)}"))
    return problems


# -- composites --------------------------------------------------------------------------------
def _check_composite(ind: Indicator, index: Mapping[str, Indicator]) -> list[Problem]:
    comp = ind.composite
    assert comp is not None
    problems: list[Problem] = []
    seen: set[str] = set()
    for child in comp.children:
        if child.indicator in seen:
            problems.append(_at(ind, f"composite child {child.indicator} is listed twice", child))
            continue
        seen.add(child.indicator)
        problems.extend(_check_child(ind, child, index))
    problems.extend(_check_weights(ind))
    return problems


def _check_child(ind: Indicator, child: Child, index: Mapping[str, Indicator]) -> list[Problem]:
    comp = ind.composite
    assert comp is not None
    ref = index.get(child.indicator)
    if ref is None:
        return [_at(ind, f"composite child {child.indicator!r} is not an indicator"
                         f"{_close(child.indicator, list(index))}", child)]
    if ref.id == ind.id:
        return []  # a cycle, reported once as such
    problems = []
    levels = [lvl for lvl in ind.levels if lvl not in ref.levels]
    freqs = [f for f in ind.frequencies if f not in ref.frequencies]
    if levels:
        problems.append(_at(ind, f"composite child {ref.id} is not computed at level(s) {_listed(levels)} "
                                 f"of the composite (it has {_listed(ref.levels)})", child))
    if freqs:
        problems.append(_at(ind, f"composite child {ref.id} is not computed at frequency {_listed(freqs)} "
                                 f"of the composite (it has {_listed(ref.frequencies)})", child))
    if comp.normalisation.method == "target" and not ref.targets:
        problems.append(_at(ind, f"normalisation target needs targets, but child {ref.id} has none", child))
    return problems


def _check_weights(ind: Indicator) -> list[Problem]:
    comp = ind.composite
    assert comp is not None
    total = sum(c.weight for c in comp.children)
    if comp.children and all(c.weight == 0 for c in comp.children):
        return [_at(ind, "composite weights are all zero")]
    if comp.children and not comp.renormalise_weights and abs(total - 1) > WEIGHT_TOLERANCE:
        return [_at(ind, f"composite weights sum to {total:g}, not 1 "
                         "(correct them, or set renormalise_weights: true to scale them)")]
    return []


# -- across indicators -------------------------------------------------------------------------
def _index(systems: list[IndicatorSystem]) -> tuple[dict[str, Indicator], list[Problem]]:
    """Every indicator by id (the first definition wins), and the duplicates."""
    index: dict[str, Indicator] = {}
    problems = []
    for system in systems:
        for ind in system.indicators:
            first = index.get(ind.id)
            if first is None:
                index[ind.id] = ind
            else:
                problems.append(_at(ind, f"id {ind.id} is defined twice: here and at {first.where}"))
    return index, problems


def _system_line(file: str, key: str) -> int:
    """The line of `key` under `system:` (systems carry no line of their own), else of `system:`."""
    try:
        lines = Path(file).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return 1
    start = next((i for i, text in enumerate(lines) if re.match(r"system\s*:", text)), None)
    if start is None:
        return 1
    for i in range(start + 1, len(lines)):
        text = lines[i]
        if text and not text[0].isspace() and not text.startswith("#"):
            break  # left the system mapping
        if re.match(rf"\s+{re.escape(key)}\s*:", text):
            return i + 1
    return start + 1


def _check_systems_heads(systems: list[IndicatorSystem]) -> list[Problem]:
    problems = []
    first: dict[str, IndicatorSystem] = {}
    for system in systems:
        if system.id in first:
            problems.append(Problem(system.file, _system_line(system.file, "id"),
                                    f"system {system.id} is defined twice: here and in {first[system.id].file}"))
        first.setdefault(system.id, system)
        own = [i.id for i in system.indicators]
        for head in system.headline:
            if head not in own:
                problems.append(Problem(system.file, _system_line(system.file, "headline"),
                                        f"system {system.id}: headline {head!r} is not an indicator of this "
                                        f"system{_close(head, own)}"))
    return problems


def _check_cycles(index: Mapping[str, Indicator]) -> list[Problem]:
    """Each dependency cycle once, written from the indicator defined first, at its line."""
    return [_at(index[ring[0]], str(CycleError(ring))) for ring in Graph(index).cycles()]


def _check_indicator(ind: Indicator, index: Mapping[str, Indicator], contracts: Contracts,
                     levels: tuple[str, ...]) -> list[Problem]:
    problems = []
    missing = [lvl for lvl in ind.levels if lvl not in levels]
    if missing:
        problems.append(_at(ind, f"level(s) {_listed(missing)} are not levels of the region hierarchy "
                                 f"({_listed(levels)})"))
    if ind.jan_feb_combined and "month" not in ind.frequencies:
        problems.append(_at(ind, f"jan_feb_combined: true is about months, but its frequencies are "
                                 f"{_listed(ind.frequencies)}"))
    if ind.measure is not None:
        problems.extend(_check_measure(ind, contracts))
    elif ind.formula is not None:
        problems.extend(_check_formula(ind, index))
    elif ind.composite is not None:
        problems.extend(_check_composite(ind, index))
    return problems


# -- running on the contract's types ------------------------------------------------------------
_TEXT_TYPES = (exp.DataType.Type.VARCHAR, exp.DataType.Type.TEXT)
_NOT_CONSTANT = (exp.Column, exp.Star, *AGGREGATES, exp.Filter, exp.Anonymous)  # Anonymous: time functions
_LEAVES = (exp.Literal, exp.Null, exp.Boolean)  # constants too plain to fail


class _Binder:
    """Runs each definition the way refresh will, on empty tables of the contracts' storage
    types, in the refresh's sandbox (no file readable): DuckDB then reports what its binder
    knows from the types alone (a comparison of a time with a number, a function that takes no
    such argument). What only the values decide is found two more ways: every constant part is
    evaluated (make_date(2024, 13, 45), an interval past the range of dates), and a cast of text
    to anything else, which fails on the first value that does not read as one, must be try_cast.
    Errors that depend on the data and nothing else (an overflow on large values) remain for
    refresh, which isolates the indicator (cockpit.indicators.refresh)."""

    def __init__(self, contracts: Contracts, levels: tuple[str, ...]):
        from cockpit.feeds.contracts import STORAGE_TYPES
        from cockpit.indicators.refresh import BreakdownStore, ValueStore

        self.con = duck.sandbox()  # no directory: the definitions run on empty tables, never on files
        codes = ", ".join(f"{lvl}_code VARCHAR" for lvl in levels)
        self.con.execute(f"CREATE TABLE regions (code VARCHAR, parent_code VARCHAR, level VARCHAR, {codes})")
        for table in contracts.tables:
            columns = ", ".join(f"{quote(c.name)} {STORAGE_TYPES[c.type]}" for c in table.columns)
            self.con.execute(f"CREATE TABLE {quote(_empty(table.name))} ({columns})")
        self.store = ValueStore(self.con)
        self.splits = BreakdownStore(self.con, contracts)
        self.levels = levels

    def close(self) -> None:
        self.con.close()

    def measure(self, ind: Indicator, contracts: Contracts) -> list[Problem]:
        from cockpit.indicators import measures

        m = ind.measure
        assert m is not None
        feed = quote(_empty(m.feed))
        problems = []
        if m.grain is not None:
            for name, text in m.grain.columns:
                problems += [_at(ind, f"measure grain column {name}: {p}") for p in self.expression(text, feed, "value")]
            if problems:
                return problems
        batch = measures.batches([ind], contracts)[0]
        source = measures.grain_source_sql(batch, feed)
        for what, text in (("filter", m.filter), ("value", m.value)):
            if text:
                problems += [_at(ind, f"measure {what}: {p}") for p in self.expression(text, source, what)]
        if problems:
            return problems
        levels = [lvl for lvl in self.levels if lvl in ind.levels]
        try:
            measures.compute_batch(self.con, batch, feed, levels, None, self.store)
            measures.compute_breakdowns(self.con, batch, feed, levels, self.splits)
        except duckdb.Error as exc:
            return [_at(ind, f"measure does not run on the types of feed {m.feed}: {first_line(exc)}")]
        return []

    def formula(self, ind: Indicator, index: Mapping[str, Indicator]) -> list[Problem]:
        from cockpit.indicators.refresh import _compute_formula

        assert ind.formula is not None
        tree, _ = parse_expression(ind.formula)
        if tree is None:
            return []
        refs = list(dict.fromkeys(c.name for c in tree.find_all(exp.Column)))
        numbers = ("(SELECT " + ", ".join(f"CAST(NULL AS DOUBLE) AS {quote(r)}" for r in refs) + ")") if refs else None
        problems = [_at(ind, f"formula: {p}") for p in self.constants(tree)
                    + (self.compared_text(tree, numbers) if numbers else [])]
        if problems:
            return problems
        try:
            _compute_formula(self.con, ind, dict(index), self.store)
        except (duckdb.Error, ValueError) as exc:
            return [_at(ind, f"formula does not run on indicator values (numbers): {first_line(exc)}")]
        return []

    def expression(self, text: str, source: str, kind: str) -> list[str]:
        """Problems of one measure expression (`kind` value or filter) over `source`."""
        tree, _ = parse_expression(text)
        if tree is None:
            return []  # refused already
        sql = tree.sql(dialect=DIALECT)
        query = (f"SELECT count(*) FROM {source} AS f WHERE {sql}" if kind == "filter"
                 else f"SELECT {sql} FROM {source} AS f")
        try:
            self.con.execute(query)
        except duckdb.Error as exc:
            return [f"does not run on the feed's column types: {first_line(exc)}"]
        return self.constants(tree) + self.text_casts(tree, source) + self.compared_text(tree, source)

    def constants(self, tree: exp.Expression) -> list[str]:
        """Each largest part that reads no column, evaluated: DuckDB would fold it at refresh."""
        problems, stack = [], [tree]
        while stack:
            node = stack.pop()
            constant = not isinstance(node, _NOT_CONSTANT) and not any(
                isinstance(n, _NOT_CONSTANT) for n in node.find_all(*_NOT_CONSTANT))
            if constant and (type(node) in OPERATORS or type(node) in SCALARS) and not isinstance(node, _LEAVES):
                problem = self.evaluate(node)
                if problem:
                    problems.append(problem)
                continue
            stack.extend(node.iter_expressions())
        return problems

    def evaluate(self, node: exp.Expression) -> str | None:
        sql = node.sql(dialect=DIALECT)
        try:
            kind = self.con.execute(f"DESCRIBE SELECT ({sql}) AS x").fetchone()[1]
            # IS NULL: evaluated in DuckDB, not fetched (Python has no room for some of its values)
            self.con.execute(f"SELECT ({sql}) IS NULL").fetchall()
            if kind == "INTERVAL":  # data times lie within a few centuries of 1970
                self.con.execute(f"SELECT (TIMESTAMP '1970-01-01' + ({sql})) IS NULL, "
                                 f"(TIMESTAMP '1970-01-01' - ({sql})) IS NULL").fetchall()
        except duckdb.Error as exc:
            return f"`{_snippet(node)}` fails: {first_line(exc)}"
        return None

    def text_casts(self, tree: exp.Expression, source: str) -> list[str]:
        problems = []
        for node in tree.find_all(exp.Cast):
            if type(node) is not exp.Cast or node.to.this in _TEXT_TYPES or not node.this.find(exp.Column):
                continue
            if self.type_of(node.this, source) == "VARCHAR":
                problems.append(f"`{_snippet(node)}` fails at refresh on the first text that does not read as "
                                f"{node.to.sql(dialect=DIALECT)}: write try_cast(…), NULL where it does not")
        return problems

    def type_of(self, node: exp.Expression, source: str) -> str | None:
        """The DuckDB type an expression over the feed's columns has; None when it does not bind
        (the binding of the whole expression reports why)."""
        try:
            return self.con.execute(f"DESCRIBE SELECT ({node.sql(dialect=DIALECT)}) AS x FROM {source} AS f").fetchone()[1]
        except duckdb.Error:
            return None

    def compared_text(self, tree: exp.Expression, source: str) -> list[str]:
        """Text compared with a time or a number (created_at > '2024-13-01') is cast to it once
        per row at refresh, so a text that is no such value fails there: cast it here."""
        problems = []
        for node in tree.find_all(*_COMPARISONS):
            operands = [node.this, node.expression] if isinstance(node, exp.Binary) else [
                node.this, *node.expressions, *(node.args.get(k) for k in ("low", "high") if node.args.get(k))]
            texts = [o for o in operands if isinstance(o, exp.Literal) and o.is_string]
            others = [o for o in operands if o is not None and o.find(exp.Column)]
            if not texts or not others:
                continue
            kind = self.type_of(others[0], source)
            if kind is None or kind == "VARCHAR":
                continue
            for text in texts:
                try:
                    self.con.execute(f"SELECT CAST({text.sql(dialect=DIALECT)} AS {kind}) IS NULL").fetchall()
                except duckdb.Error as exc:
                    problems.append(f"`{_snippet(node)}` compares a {kind} with text that is not one: "
                                    f"{first_line(exc)}")
        return problems


_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.NullSafeEQ, exp.NullSafeNEQ, exp.In,
                exp.Between)


def _empty(feed: str) -> str:
    return f"empty_{feed}"


def first_line(exc: BaseException) -> str:
    """An error's first line: DuckDB follows it with the generated query, which names nothing
    an analyst wrote."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _check_running(index: Mapping[str, Indicator], clean: list[Indicator], contracts: Contracts,
                   levels: tuple[str, ...]) -> list[Problem]:
    """Run each indicator without other problems on empty tables (see _Binder)."""
    runnable = [i for i in clean if i.measure is not None or i.formula is not None]
    if not runnable:
        return []
    binder = _Binder(contracts, levels)
    try:
        problems = []
        for ind in runnable:
            problems.extend(binder.measure(ind, contracts) if ind.measure else binder.formula(ind, index))
        return problems
    finally:
        binder.close()


# -- entry points ------------------------------------------------------------------------------
def check_systems(systems: list[IndicatorSystem], contracts: Contracts, levels: tuple[str, ...],
                  run: bool = True) -> list[Problem]:
    """Every meaning problem of systems that read without shape problems; `levels` are the
    region levels the deployment's hierarchy has. `run`: also run each definition on empty
    tables of its feed's types (_Binder); refresh skips that, since it runs them on the data
    anyway, and an indicator that fails there fails alone."""
    index, problems = _index(systems)
    problems.extend(_check_systems_heads(systems))
    clean = []
    for system in systems:
        for ind in system.indicators:
            found = _check_indicator(ind, index, contracts, levels)
            problems.extend(found)
            if not found and index[ind.id] is ind:
                clean.append(ind)
    cycles = _check_cycles(index)
    problems.extend(cycles)
    if run and not cycles:  # a formula is compiled from what it reads, which must then be well-founded
        problems.extend(_check_running(index, clean, contracts, levels))
    return problems


def check_directory(directory: Path | None = None) -> list[Problem]:
    """Shape and meaning problems of every definition file in the directory, sorted by file and line.

    Broken contract or hierarchy files raise (ContractError, HierarchyError): they are not
    indicator problems, and `cockpit check` reports them on their own.
    """
    systems, problems = read_systems(directory)
    problems.extend(check_systems(systems, load_contracts(), load_hierarchy().levels))
    return sorted(problems, key=lambda p: (p.file, p.line))
