"""城市治理 (/governance) as data: the 12345 hotline's handling funnel, the five assessment rates by
handling department and by region against their targets, hot spots, high-frequency categories
with their trend, repeat complaints, overdue orders, and the one-stop government services beside it.

Every number is an indicator value from the snapshot, read through the viewer's `Reader`; nothing
here draws (`cockpit.ui.governance_view` does). A cross filter (`department=…` or
`category_l1=…`) narrows a number through the indicator's breakdown by that column: breakdowns
split by one column at a time, so a panel that cannot be narrowed by a filter says so in
`ignored` (the dimensions it is not filtered by) rather than showing a number that looks filtered.
The open overdue orders are the one panel read from records (the orders themselves, through
`Reader.records`), and they take every filter, since both are columns of the orders.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from cockpit.config import now
from cockpit.query.reader import RECORDS_PAGE_LIMIT, Reader
from cockpit.views.workbench import may_see, records_href, trend_window, value_at

ORDERS = "hotline_orders"
OVERDUE = "hotline_overdue"
REPEAT = "hotline_repeat_complaints"
# the five rates of the 12345 assessment, in the order the assessment lists them
RATES = ("hotline_immediate_dispatch_rate", "hotline_on_time_feedback_rate", "hotline_closure_rate",
         "hotline_satisfaction_rate", "hotline_revisit_rate")
HEADLINES = (ORDERS, *RATES)  # six cards fill a row at 1366 px; the overdue orders have their own panel
FUNNEL = (  # each step's orders hold the next one's
    (ORDERS, "gov.funnel.accepted"),
    ("hotline_dispatched", "gov.funnel.dispatched"),
    ("hotline_fed_back", "gov.funnel.fed_back"),
    ("hotline_dispatched_closed", "gov.funnel.closed"),
    ("hotline_dispatched_satisfied", "gov.funnel.satisfied"),
)
SERVICES = ("service_cases", "service_online_rate", "service_on_time_rate", "service_days_saved")
CROSS = ("department", "category_l1")  # the cross filters: columns of the hotline orders
FEED = "hotline_orders"
OPEN_STATUSES = ("待派单", "办理中")  # an order not closed (nor returned) is still being handled
OVERDUE_AGES = ((0, 3), (3, 7), (7, 30), (30, None))  # days past the deadline, [from, to)
ORDER_COLUMNS = ("order_id", "category_l1", "department", "region_code", "created_at", "due_at", "status")
MANY = Reader.BREAKDOWN_LIMIT  # "every category" for a breakdown (a province has a few hundred departments)
DEPARTMENT_ROWS = 20  # departments the rates table lists (the busiest)
TREND_CATEGORIES = 5


def _float(value: object) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _meta(reader: Reader, indicator: str) -> dict:
    meta = reader.indicator(indicator)
    meta["display_name"] = meta["name_en" if reader.viewer.lang == "en" else "name_zh"]
    return meta


def target(reader: Reader, indicator: str, region: str, period: str | None) -> float | None:
    """The indicator's target for a region in a period's year: the most specific of its declared
    `targets` (a region and a year beat any, indicators/README.md); None when it has none."""
    raw = reader.indicator(indicator).get("targets")
    if not isinstance(raw, str) or not raw:
        return None
    year = int(period[:4]) if period and period[:4].isdigit() else None
    best, score = None, -1
    for t in json.loads(raw):
        if t.get("region") not in (None, region) or t.get("year") not in (None, year):
            continue
        specific = (t.get("region") is not None) * 2 + (t.get("year") is not None)
        if specific > score:
            best, score = float(t["value"]), specific
    return best


def _filters(filters: Mapping[str, str] | Sequence[tuple[str, str]] | None) -> dict[str, str]:
    """Cross filters as a dict, only the dimensions this page takes (ValueError naming any other)."""
    found = dict(filters.items() if isinstance(filters, Mapping) else (filters or ()))
    unknown = sorted(set(found) - set(CROSS))
    if unknown:
        raise ValueError(f"cross filter {', '.join(unknown)}: this page filters by {', '.join(CROSS)} only")
    return {k: v for k, v in found.items() if v is not None}


@dataclass(frozen=True)
class Narrowed:
    """A value narrowed by the cross filters it could be narrowed by."""

    value: float | None
    applied: tuple[str, ...]  # the filter dimensions the value honours
    ignored: tuple[str, ...]  # the filter dimensions it could not honour


def narrowed(reader: Reader, indicator: str, region: str, frequency: str, period: str | None,
             filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> Narrowed:
    """The indicator's value at a region and period for the orders the cross filters select.

    With no filter: the value itself. With a filter the indicator is split by: the value of that
    category in the indicator's breakdown (a category without orders there counts 0 for a count,
    and has no value for a rate). Breakdowns split by one column at a time, so with two filters the
    first of `CROSS` (the department) is honoured and the other is reported in `ignored`."""
    asked = _filters(filters)
    if not asked:
        return Narrowed(value_at(reader, indicator, region, frequency, period), (), ())
    columns = set(reader.breakdown_columns(indicator))
    dim = next((d for d in CROSS if d in asked and d in columns), None)
    if dim is None or period is None:
        return Narrowed(value_at(reader, indicator, region, frequency, period), (), tuple(sorted(asked)))
    ignored = tuple(sorted(d for d in asked if d != dim))
    rows = reader.breakdown(indicator, region, frequency, limit=MANY, by=dim, period=period)
    if rows.empty:
        whole = value_at(reader, indicator, region, frequency, period)
        if whole is None or whole == 0:  # no orders at all: none of any category either
            return Narrowed(whole, (dim,), ignored)
        # not split at this level (breakdowns may stop above the indicator's own levels)
        return Narrowed(whole, (), tuple(sorted(asked)))
    hit = rows.loc[rows["category"] == asked[dim], "value"]
    if len(hit):
        return Narrowed(_float(hit.iloc[0]), (dim,), ignored)
    additive = reader.indicator(indicator).get("additive") is True
    return Narrowed(0.0 if additive else None, (dim,), ignored)


@dataclass(frozen=True)
class NarrowedChildren:
    """`narrowed` at every child of a region, read at once."""

    values: dict[str, float | None]  # child code → value, for the children the indicator has a value for
    applied: tuple[str, ...]
    ignored: tuple[str, ...]


def narrowed_children(reader: Reader, indicator: str, region: str, frequency: str, period: str,
                      filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> NarrowedChildren:
    """What `narrowed` gives each child of `region`, child by child, from two reads (the children
    ranked and one category at every child) instead of a breakdown read a child."""
    asked = _filters(filters)
    ranked = reader.ranking(indicator, region, frequency, period)
    whole = {str(c): _float(v) for c, v in zip(ranked["region"], ranked["value"], strict=True)}
    dim = next((d for d in CROSS if d in asked and d in reader.breakdown_columns(indicator)), None)
    if dim is None:
        return NarrowedChildren(whole, (), tuple(sorted(asked)))
    split = reader.children_category(indicator, region, frequency, period, dim, asked[dim])
    values, applied, ignored = {}, set(), {d for d in asked if d != dim}
    for code, value, is_split in zip(split["region"], split["value"], split["split"], strict=True):
        code = str(code)
        if is_split:
            values[code], applied = _float(value), applied | {dim}
        elif not whole.get(code):  # no orders at all: none of any category either
            values[code], applied = whole.get(code), applied | {dim}
        else:  # not split at this level (breakdowns may stop above the indicator's own levels)
            values[code], ignored = whole[code], ignored | set(asked)
    return NarrowedChildren(values, tuple(sorted(applied)), tuple(sorted(ignored)))


# -- the funnel ------------------------------------------------------------------------------

@dataclass(frozen=True)
class FunnelStep:
    indicator: str
    label: str  # i18n key
    name: str  # the indicator's name
    value: float | None
    of_previous: float | None  # share of the step before, %
    of_first: float | None  # share of the orders accepted, %


@dataclass(frozen=True)
class Funnel:
    region: str
    frequency: str
    period: str | None
    steps: tuple[FunnelStep, ...]
    ignored: tuple[str, ...]  # filters the counts do not honour


def funnel(reader: Reader, region: str, frequency: str, period: str | None,
           filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> Funnel:
    """The handling funnel of the orders accepted in the period (accepted → dispatched → fed back →
    closed → rated satisfied), narrowed by the cross filters."""
    steps, ignored, first, before = [], set(), None, None
    for indicator, label in FUNNEL:
        found = narrowed(reader, indicator, region, frequency, period, filters)
        ignored |= set(found.ignored)
        value = found.value
        first = value if first is None else first
        steps.append(FunnelStep(indicator, label, _meta(reader, indicator)["display_name"], value,
                                _share(value, before), _share(value, first)))
        before = value
    return Funnel(region, frequency, period, tuple(steps), tuple(sorted(ignored)))


def _share(part: float | None, whole: float | None) -> float | None:
    return None if part is None or not whole else 100.0 * part / whole


# -- the assessment rates, by department and by region -----------------------------------------

@dataclass(frozen=True)
class RateColumn:
    indicator: str
    name: str
    target: float | None
    polarity: str


@dataclass(frozen=True)
class RateCell:
    value: float | None
    target: float | None
    met: bool | None  # None: no value or no target


@dataclass(frozen=True)
class RateRow:
    key: str  # a department's name, or a region's code
    name: str  # in the viewer's language
    orders: float | None
    overdue: float | None
    cells: tuple[RateCell, ...]  # in the order of the columns
    selected: bool  # the department of the cross filter


@dataclass(frozen=True)
class RateTable:
    by: str  # "department" | "region"
    region: str
    frequency: str
    period: str | None
    columns: tuple[RateColumn, ...]
    rows: tuple[RateRow, ...]
    total: RateRow | None  # the region itself, for comparison
    more: int  # rows left out (departments beyond the busiest DEPARTMENT_ROWS)
    ignored: tuple[str, ...]  # filters the values do not honour
    rates_split: bool = True  # False: the rates are not split at this level (breakdowns stop above it)


def _columns(reader: Reader, region: str, period: str | None) -> tuple[RateColumn, ...]:
    out = []
    for rate in RATES:
        meta = _meta(reader, rate)
        out.append(RateColumn(rate, meta["display_name"], target(reader, rate, region, period), meta["polarity"]))
    return tuple(out)


def _cell(value: float | None, column: RateColumn) -> RateCell:
    if value is None or column.target is None:
        return RateCell(value, column.target, None)
    met = value >= column.target if column.polarity != "lower_better" else value <= column.target
    return RateCell(value, column.target, bool(met))


def _total_row(reader: Reader, region: str, frequency: str, period: str | None, columns: tuple[RateColumn, ...],
               filters: dict[str, str]) -> RateRow:
    def get(indicator: str) -> float | None:
        return narrowed(reader, indicator, region, frequency, period, filters).value
    return RateRow(key=region, name=reader.region_name(region), orders=get(ORDERS), overdue=get(OVERDUE),
                   cells=tuple(_cell(get(c.indicator), c) for c in columns), selected=False)


def _rates_by_department(reader: Reader, region: str, frequency: str, period: str | None,
                        filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
                        limit: int = DEPARTMENT_ROWS) -> RateTable:
    """The five rates of each handling department at a region in a period, the busiest departments
    (by orders accepted) first, against the targets. The department of a `department` filter is
    marked (and kept in the table when it is not among the busiest); a category filter cannot
    narrow a department's rates (one split at a time) and is reported in `ignored`. A viewer
    limited to some departments sees those only."""
    asked = _filters(filters)
    columns = _columns(reader, region, period)
    ignored = tuple(d for d in asked if d != "department")
    if period is None:
        return RateTable("department", region, frequency, None, columns, (), None, 0, ignored)
    split = {ind: reader.breakdown(ind, region, frequency, limit=MANY, by="department", period=period)
             .set_index("category")["value"] for ind in (ORDERS, OVERDUE, *RATES)}
    orders = split[ORDERS].sort_values(ascending=False, kind="stable")
    allowed = reader.viewer.departments
    names = [d for d in orders.index if allowed is None or d in allowed]
    chosen = asked.get("department")
    shown = names[:limit]
    if chosen in names and chosen not in shown:
        shown.append(chosen)
    def get(indicator: str, name: str) -> float | None:
        # a department missing from a count's split had none; a split missing altogether (breakdowns
        # may stop above the region's level) or a rate over no orders has no value
        values = split[indicator]
        if values.empty:
            return None
        additive = reader.indicator(indicator).get("additive") is True
        return _float(values.get(name, 0.0 if additive else None))

    rows = []
    for name in shown:
        rows.append(RateRow(key=name, name=name, orders=get(ORDERS, name), overdue=get(OVERDUE, name),
                            cells=tuple(_cell(get(c.indicator, name), c) for c in columns), selected=name == chosen))
    total = _total_row(reader, region, frequency, period, columns, {k: v for k, v in asked.items() if k not in ignored})
    split_here = any(not split[c.indicator].empty for c in columns) or split[ORDERS].empty
    return RateTable("department", region, frequency, period, columns, tuple(rows), total,
                     max(len(names) - len(shown), 0), ignored, rates_split=split_here)


def _rates_by_region(reader: Reader, region: str, frequency: str, period: str | None,
                    filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> RateTable:
    """The five rates of each region one level below `region` (a row drills into it), narrowed by
    one cross filter through the breakdowns, against the targets; the region itself as the total."""
    asked = _filters(filters)
    columns = _columns(reader, region, period)
    children = reader.children(region)
    name_col = "name_en" if reader.viewer.lang == "en" else "name"
    rows, ignored = [], set()
    if period is not None:
        # each indicator's children in two reads: whole, or one category of the cross filter
        by_indicator = {}
        for ind in (ORDERS, OVERDUE, *RATES):
            by_indicator[ind] = narrowed_children(reader, ind, region, frequency, period, asked)
            ignored |= set(by_indicator[ind].ignored)
        for child in children.itertuples():
            values = {ind: found.values.get(child.code) for ind, found in by_indicator.items()}
            if all(v is None for v in values.values()):
                continue  # a level the hotline is not counted at: the page's coverage notice says so
            rows.append(RateRow(key=child.code, name=getattr(child, name_col) or child.name, orders=values[ORDERS],
                                overdue=values[OVERDUE], cells=tuple(_cell(values[c.indicator], c) for c in columns),
                                selected=False))
    rows.sort(key=lambda r: (-(r.orders or 0.0), r.key))
    total = _total_row(reader, region, frequency, period, columns, asked) if period is not None else None
    return RateTable("region", region, frequency, period, columns, tuple(rows), total, 0, tuple(sorted(ignored)))


# -- the streets with the most overdue orders --------------------------------------------------

@dataclass(frozen=True)
class OverdueStreet:
    code: str
    name: str
    county: str | None  # the parent's name (a street's county), when the rows span several parents
    value: float
    rank: int


@dataclass(frozen=True)
class OverdueStreets:
    region: str
    level: str  # the level ranked: street, or below a street the level below
    frequency: str
    period: str | None
    rows: tuple[OverdueStreet, ...]  # most overdue first
    streets: int  # streets under the region with a value
    with_overdue: int  # of them, with at least one overdue order
    total: float  # overdue orders over all of them
    unit: str
    ignored: tuple[str, ...]  # filters the counts do not honour


def overdue_level(reader: Reader, region: str) -> str:
    """The level the overdue ranking lists under `region`: the streets, from a street down the
    level below (a street's communities, a community's grids), and a grid itself."""
    levels = list(reader.level_counts())  # top level first, as deep as the viewer's subtree goes
    level = reader.region(region)["level"]
    here = levels.index(level) if level in levels else 0
    street = levels.index("street") if "street" in levels else len(levels) - 1
    return levels[max(street, min(here + 1, len(levels) - 1))]


def overdue_streets(reader: Reader, region: str, frequency: str, period: str | None,
                    filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
                    limit: int = 15, level: str | None = None) -> OverdueStreets:
    """The streets under `region` (or the regions of `level`; default `overdue_level`) ranked by
    超期工单 (orders accepted in the period and closed after their deadline), most first. These
    values are not split by department or category, so the filters are reported in `ignored`."""
    asked = _filters(filters)
    unit = _meta(reader, OVERDUE)["unit"]
    level = level or overdue_level(reader, region)
    if period is None:
        return OverdueStreets(region, level, frequency, None, (), 0, 0, 0.0, unit, tuple(sorted(asked)))
    found = reader.descendant_values(OVERDUE, region, level, frequency, period)
    name_col = "name_en" if reader.viewer.lang == "en" else "name"
    counties = found["parent"].dropna().unique().tolist() if "parent" in found else []
    county_names = {c: reader.region_name(c) for c in counties if reader.in_scope(c)} if len(counties) > 1 else {}
    top = found.head(limit)
    rows = tuple(OverdueStreet(code=str(r["region"]), name=str(r[name_col] or r["name"]),
                               county=county_names.get(r["parent"]), value=float(r["value"]), rank=int(r["rank"]))
                 for _, r in top.iterrows())
    return OverdueStreets(region, level, frequency, period, rows, len(found), int((found["value"] > 0).sum()),
                          float(found["value"].sum()), unit, tuple(sorted(asked)))


# -- hot spots ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class HotSpots:
    region: str
    region_name: str
    frequency: str
    period: str | None
    indicator: str
    name: str
    unit: str
    values: dict[str, float]  # child code → orders
    geometry: dict  # GeoJSON of the children, named in the viewer's language
    notice: str  # what the boundaries are
    applied: tuple[str, ...]
    ignored: tuple[str, ...]


def _hot_spots(reader: Reader, region: str, frequency: str, period: str | None,
              filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> HotSpots:
    """The orders accepted in the period in each region one level down (the map's fill), narrowed
    by one cross filter."""
    meta = _meta(reader, ORDERS)
    values, applied, ignored = {}, set(), set()
    if period is not None and not _filters(filters):
        ranked = reader.ranking(ORDERS, region, frequency, period)
        values = {str(c): float(v) for c, v in zip(ranked["region"], ranked["value"], strict=True) if pd.notna(v)}
    elif period is not None:
        found = narrowed_children(reader, ORDERS, region, frequency, period, filters)
        applied, ignored = set(found.applied), set(found.ignored)
        values = {code: value for code, value in found.values.items() if value is not None}
    if values and meta.get("additive") is True:  # a count: a region without a row had no orders, it is not unknown
        values = {str(c): values.get(str(c), 0.0) for c in reader.children(region)["code"]}
    return HotSpots(region, reader.region_name(region), frequency, period, ORDERS, meta["display_name"], meta["unit"],
                    values, reader.geometry(region), reader.geometry_notice(), tuple(sorted(applied)),
                    tuple(sorted(ignored)))


# -- high-frequency categories and their trend ---------------------------------------------------

@dataclass(frozen=True)
class CategoryRow:
    category: str  # the value a `category_l1` filter takes
    label: str  # in the viewer's language
    value: float
    share: float | None  # of all orders, %
    selected: bool


@dataclass(frozen=True)
class CategoryLine:
    category: str
    label: str
    periods: tuple[str, ...]
    values: tuple[float | None, ...]


@dataclass(frozen=True)
class Categories:
    region: str
    frequency: str
    period: str | None
    unit: str
    rows: tuple[CategoryRow, ...]  # most orders first
    lines: tuple[CategoryLine, ...]  # the chosen category, else the busiest, over the last periods
    ignored: tuple[str, ...]


def categories(reader: Reader, region: str, frequency: str, period: str | None,
               filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None, limit: int = 10,
               since: str | None = None) -> Categories:
    """The first-level categories people called about most in the period (orders accepted), and
    the trend of the busiest (or of the chosen one, with the busiest beside it) over the periods up
    to it. A department filter cannot narrow the split by category and is reported in `ignored`."""
    asked = _filters(filters)
    unit = _meta(reader, ORDERS)["unit"]
    ignored = tuple(d for d in asked if d != "category_l1")
    chosen = asked.get("category_l1")
    if period is None:
        return Categories(region, frequency, None, unit, (), (), ignored)
    en = reader.viewer.lang == "en"
    split = reader.breakdown(ORDERS, region, frequency, limit=MANY, by="category_l1", period=period)
    label = {r["category"]: (r["category_en"] if en and isinstance(r["category_en"], str) else r["category"])
             for _, r in split.iterrows()}
    top = split.head(limit)
    if chosen is not None and chosen in set(split["category"]) and chosen not in set(top["category"]):
        top = pd.concat([top, split[split["category"] == chosen]])
    rows = tuple(CategoryRow(str(r["category"]), label[r["category"]], float(r["value"]),
                             None if pd.isna(r["share"]) else 100.0 * float(r["share"]), r["category"] == chosen)
                 for _, r in top.iterrows() if pd.notna(r["value"]))
    traced = [r.category for r in rows[:TREND_CATEGORIES]]
    if chosen is not None and chosen in label:
        traced = [chosen] + [c for c in traced if c != chosen][:TREND_CATEGORIES - 2]
    series = reader.breakdown_series(ORDERS, region, frequency, "category_l1", traced) if traced else pd.DataFrame()
    lines = []
    if len(series):
        series = series[~series["provisional"].astype(bool)]
        order = series.drop_duplicates("period").sort_values("period_start")
        periods = trend_window(order, frequency, period, since)["period"].tolist()
        for cat in traced:
            own = series[series["category"] == cat].set_index("period")["value"]
            lines.append(CategoryLine(cat, label.get(cat, cat), tuple(periods),
                                      tuple(_float(own.get(p, 0.0)) for p in periods)))
    return Categories(region, frequency, period, unit, rows, tuple(lines), ignored)


# -- repeat complaints ------------------------------------------------------------------------

@dataclass(frozen=True)
class RepeatComplaints:
    region: str
    frequency: str
    period: str | None
    name: str
    unit: str
    value: float | None
    periods: tuple[str, ...]  # up to the period
    values: tuple[float | None, ...]
    children: tuple[tuple[str, str, float], ...]  # (code, name, value): the most first, the period's
    ignored: tuple[str, ...]


def repeat_complaints(reader: Reader, region: str, frequency: str, period: str | None,
                      filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
                      limit: int = 5, since: str | None = None) -> RepeatComplaints:
    """Complaints beyond the first from the same caller about the same third-level category in a
    period: the region's trend up to the period and the regions below with the most. Not split by
    department or category: the filters are reported in `ignored`."""
    asked = _filters(filters)
    meta = _meta(reader, REPEAT)
    ignored = tuple(sorted(asked))
    if period is None:
        return RepeatComplaints(region, frequency, None, meta["display_name"], meta["unit"], None, (), (), (), ignored)
    series = reader.series(REPEAT, region, frequency)
    series = series[~series["provisional"].astype(bool)]
    series = trend_window(series, frequency, period, since)
    ranking = reader.ranking(REPEAT, region, frequency, period)
    name_col = "name_en" if reader.viewer.lang == "en" else "name"
    ranking = ranking.sort_values(["value", "region"], ascending=[False, True]).head(limit)
    children = tuple((str(r["region"]), str(r[name_col] or r["name"]), float(r["value"]))
                     for _, r in ranking.iterrows() if pd.notna(r["value"]))
    return RepeatComplaints(region, frequency, period, meta["display_name"], meta["unit"],
                            value_at(reader, REPEAT, region, frequency, period), tuple(series["period"]),
                            tuple(_float(v) for v in series["value"]), children, ignored)


# -- open orders past their deadline (records) -------------------------------------------------

@dataclass(frozen=True)
class OpenOrder:
    order_id: str
    category: str
    department: str | None
    region: str
    created_at: pd.Timestamp
    due_at: pd.Timestamp
    status: str
    days_overdue: float


@dataclass(frozen=True)
class OpenOverdue:
    region: str
    as_of: pd.Timestamp | None  # the data time the ages are measured at
    total: int  # open orders past their deadline
    ages: tuple[tuple[int, int | None, int], ...]  # (from days, to days or None, orders)
    oldest: tuple[OpenOrder, ...]  # longest overdue first
    filters: tuple[tuple[str, str], ...]  # the cross filters applied (both are order columns)


def open_overdue(reader: Reader, region: str,
                 filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
                 limit: int = 8) -> OpenOverdue:
    """The orders under `region` still being handled (待派单, 办理中) whose deadline has passed at
    the data time, how long past it (in age bands), and the longest overdue ones, from the orders
    themselves (`Reader.records`), narrowed by every cross filter (both are columns of the orders)."""
    asked = _filters(filters)
    as_of = reader.data_as_of()
    if as_of is None:
        return OpenOverdue(region, None, 0, (), (), tuple(sorted(asked.items())))
    at = pd.Timestamp(as_of)

    def build() -> OpenOverdue:
        base = {"region": region, "status": list(OPEN_STATUSES), **asked}
        page = reader.records(FEED, {**base, "due_at": {"to": at}}, sort=[("due_at", "asc")], limit=RECORDS_PAGE_LIMIT)
        due = pd.to_datetime(page.rows["due_at"])
        days = (at - due).dt.total_seconds() / 86400
        ages = []
        for low, high in OVERDUE_AGES:
            if page.total <= len(page.rows):  # every overdue order is in the page: count the bands from it
                n = int(((days >= low) & ((days < high) if high is not None else True)).sum())
            else:
                window = {"to": at - pd.Timedelta(days=low)}
                if high is not None:
                    window["from"] = at - pd.Timedelta(days=high)
                n = reader.records(FEED, {**base, "due_at": window}, limit=0).total
            ages.append((low, high, n))
        oldest = tuple(OpenOrder(order_id=str(r["order_id"]), category=str(r["category_l1"]),
                                 department=None if pd.isna(r["department"]) else str(r["department"]),
                                 region=str(r["region_code"]), created_at=pd.Timestamp(r["created_at"]),
                                 due_at=pd.Timestamp(r["due_at"]), status=str(r["status"]),
                                 days_overdue=float(d))
                       for (_, r), d in zip(page.rows.head(limit).iterrows(), days.head(limit), strict=True))
        return OpenOverdue(region, at, page.total, tuple(ages), oldest, tuple(sorted(asked.items())))

    # the orders are read from the lake, which ingest appends to: kept for the data time's minute
    return reader.memo("gov-open-overdue", (region, tuple(sorted(asked.items())), limit, at.isoformat(),
                                            pd.Timestamp(now()).floor("min").isoformat()), build)


# -- one-stop government services beside it ---------------------------------------------------

@dataclass(frozen=True)
class ServiceFigure:
    indicator: str
    name: str
    unit: str
    decimals: int
    value: float | None
    target: float | None
    polarity: str


@dataclass(frozen=True)
class Services:
    region: str  # where the values are counted: the region, or its nearest ancestor counting them
    region_name: str
    asked: str  # the page's region
    frequency: str
    period: str | None
    figures: tuple[ServiceFigure, ...]


def services(reader: Reader, region: str, frequency: str, period: str | None) -> Services | None:
    """一网通办 at the region in the period (cases, online rate, on-time rate, days saved); below
    the lowest level the services are counted at, the nearest ancestor in the viewer's scope that
    has them (the page says whose numbers they are). None for a viewer outside their theme."""
    if not may_see(reader, SERVICES[0]):
        return None
    where = region
    while where is not None and all(value_at(reader, i, where, frequency, period) is None for i in SERVICES):
        where = reader.region(where)["parent_code"]
    shown = where if where is not None else region
    figures = []
    for indicator in SERVICES:
        meta = _meta(reader, indicator)
        figures.append(ServiceFigure(indicator, meta["display_name"], meta["unit"], int(meta["decimals"]),
                                     value_at(reader, indicator, shown, frequency, period) if where else None,
                                     target(reader, indicator, shown, period), meta["polarity"]))
    return Services(shown, reader.region_name(shown), region, frequency, period, tuple(figures))


# -- grid events beside it ------------------------------------------------------------------

GRID_EVENTS = ("grid_events", "grid_events_closed", "grid_events_open", "grid_events_major", "grid_event_closure_rate")


@dataclass(frozen=True)
class GridEvents:
    region: str
    frequency: str
    period: str | None
    reported: int  # events reported in the period under the region
    closed: int  # of them, closed
    open: int  # of them, still waiting or being handled
    major: int  # of them, graded 重大 or A
    closure_rate: float | None = None  # grid_event_closure_rate, %
    records: str | None = None  # the events reported, as records


def grid_events(reader: Reader, region: str, frequency: str, period: str | None) -> GridEvents | None:
    """Grid events (基层治理四平台) reported under `region` in the period, from the grid
    indicators (indicators/grid.yaml): reported, closed, still open, and the major or grade-A ones.
    None for a viewer outside their theme."""
    if not may_see(reader, GRID_EVENTS[0]):
        return None

    def count(indicator: str) -> int:
        value = value_at(reader, indicator, region, frequency, period)
        return 0 if value is None else int(value)

    return GridEvents(region, frequency, period, reported=count("grid_events"), closed=count("grid_events_closed"),
                      open=count("grid_events_open"), major=count("grid_events_major"),
                      closure_rate=value_at(reader, "grid_event_closure_rate", region, frequency, period),
                      records=records_href("grid_events", region, frequency, period) if period else None)


# -- kept per snapshot and viewer ---------------------------------------------------------------

def _kept(name: str, build, reader: Reader, region: str, frequency: str, period: str | None, filters, *more):
    """A panel built once per snapshot, viewer and arguments (`Reader.memo`): the values it reads
    are the snapshot's, which never change."""
    key = (region, frequency, period, tuple(sorted(_filters(filters).items())), *more)
    return reader.memo(f"gov-{name}", key, lambda: build(reader, region, frequency, period, filters, *more))


def rates_by_department(reader: Reader, region: str, frequency: str, period: str | None,
                        filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None,
                        limit: int = DEPARTMENT_ROWS) -> RateTable:
    """The rates of the busiest handling departments (see `_rates_by_department`), kept per snapshot."""
    return _kept("rates-department", _rates_by_department, reader, region, frequency, period, filters, limit)


def rates_by_region(reader: Reader, region: str, frequency: str, period: str | None,
                    filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> RateTable:
    """The rates of the regions one level down (see `_rates_by_region`), kept per snapshot."""
    return _kept("rates-region", _rates_by_region, reader, region, frequency, period, filters)


def hot_spots(reader: Reader, region: str, frequency: str, period: str | None,
              filters: Mapping[str, str] | Sequence[tuple[str, str]] | None = None) -> HotSpots:
    """The map's orders by child region (see `_hot_spots`), kept per snapshot."""
    return _kept("hot-spots", _hot_spots, reader, region, frequency, period, filters)
