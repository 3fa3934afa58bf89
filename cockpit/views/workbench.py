"""What every department page shares, as data: its address, the place it looks at, the period,
the comparison, the headline numbers and where the indicators stop.

A department page is a pure function of its URL. `parse_query` reads the query as a hostile
client may send it; every filter, drill-down and cross-filter is a link to the same page with one
thing changed (`page_href`), so a pasted link reproduces the view and the browser's back button
undoes the last step. Nothing here draws (`cockpit.ui.workbench` does) or formats a number.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from cockpit.query.reader import OutOfScope, Reader
from cockpit.query.viewer import Viewer
from cockpit.views.index import choose_period
from cockpit.views.screen import _catalogue, _target, compare

COMPARISONS = ("yoy", "mom", "target")
FREQUENCIES = ("month", "quarter", "year")
MAX_TEXT = 200  # longer than any code, period, department or category a page takes
_REGION = re.compile(r"[0-9]{1,20}")
_PERIOD = re.compile(r"[0-9]{4}(-[0-9]{2}|Q[1-4])?")  # cockpit.indicators.periods: 2026-10, 2026Q3, 2026
_RECORD_LEVELS = ("community", "grid")  # levels where a page offers the region's own records

LEVEL_NAMES = {
    "province": ("省", "Province"), "city": ("市", "City"), "county": ("县（市、区）", "County / district"),
    "street": ("乡镇（街道）", "Town / street"), "community": ("村（社区）", "Village / community"),
    "grid": ("网格", "Grid"),
}
COMPARE_LABELS = {"yoy": ("同比", "YoY"), "mom": ("环比", "vs previous"), "target": ("较目标", "vs target")}


def level_name(level: str, lang: str) -> str:
    zh, en = LEVEL_NAMES.get(level, (level, level))
    return en if lang == "en" else zh


def _text(value: Any) -> str | None:
    """One short string (a repeated parameter arrives as a list, a hostile one as anything)."""
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    return value.strip() if isinstance(value, str) and 0 < len(value.strip()) <= MAX_TEXT else None


# -- the address -------------------------------------------------------------------------------

@dataclass(frozen=True)
class PageSpec:
    """A department page: its path, the indicator whose periods it lists, the frequencies it offers
    and the cross-filter dimensions it takes in its URL (feed column names)."""

    path: str
    lead: str
    frequencies: tuple[str, ...] = ("month", "year")
    cross: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()
    """The indicator systems the page shows, its own (the lead's) first. A viewer who may not see
    its own is told the page is outside their department's themes and shown nothing of it (nor
    offered it in the navigation); the panels of the others show to viewers who may see them."""


def in_themes(viewer: Viewer, themes: Sequence[str]) -> bool:
    """Whether a page showing `themes` (its own first, as `PageSpec.themes` says) is within the
    viewer's: they may see its own. The pages and the navigation ask this one question."""
    return not themes or viewer.may_see_theme(themes[0])


@dataclass(frozen=True)
class WorkbenchQuery:
    region: str | None = None
    frequency: str = "month"
    period: str | None = None
    cmp: str = "yoy"
    filters: tuple[tuple[str, str], ...] = ()
    since: str | None = None
    """The first period the page's trends show (?since=2025-06); None: the last TREND_PERIODS."""

    def filter(self, dim: str) -> str | None:
        return dict(self.filters).get(dim)

    def changed(self, **changes: Any) -> WorkbenchQuery:
        """The query with `region`, `period`, `frequency` (which forgets the period: another
        frequency has other periods), `cmp` or `filters={dim: value or None}` changed."""
        unknown = set(changes) - {"region", "period", "frequency", "cmp", "filters", "since"}
        if unknown:
            raise ValueError(f"not part of a page's query: {', '.join(sorted(unknown))}")
        out = self
        if "frequency" in changes and changes["frequency"] != self.frequency:
            out = replace(out, frequency=changes["frequency"], period=None, since=None)
        for key in ("region", "period", "cmp", "since"):
            if key in changes:
                out = replace(out, **{key: changes[key]})
        if "filters" in changes:
            merged = dict(out.filters)
            for dim, value in changes["filters"].items():
                if value is None:
                    merged.pop(dim, None)
                else:
                    merged[dim] = value
            out = replace(out, filters=tuple(sorted(merged.items())))
        return out


def parse_query(args: Mapping[str, Any], spec: PageSpec) -> WorkbenchQuery:
    """The page's query from the URL's parameters; anything malformed is dropped, never an error."""
    region = _text(args.get("region"))
    frequency = _text(args.get("frequency"))
    period = _text(args.get("period"))
    cmp = _text(args.get("cmp"))
    since = _text(args.get("since"))
    filters = tuple(sorted((dim, value) for dim in spec.cross if (value := _text(args.get(dim))) is not None))
    return WorkbenchQuery(
        region=region if region and _REGION.fullmatch(region) else None,
        frequency=frequency if frequency in spec.frequencies else spec.frequencies[0],
        period=period if period and _PERIOD.fullmatch(period) else None,
        cmp=cmp if cmp in COMPARISONS else COMPARISONS[0],
        filters=filters, since=since if since and _PERIOD.fullmatch(since) else None)


def query_params(q: WorkbenchQuery, spec: PageSpec) -> dict[str, str]:
    """The parameters that say `q` on `spec`'s page, defaults left out (short links)."""
    params: dict[str, str] = {}
    if q.region:
        params["region"] = q.region
    if q.frequency != spec.frequencies[0]:
        params["frequency"] = q.frequency
    if q.period:
        params["period"] = q.period
    if q.cmp != COMPARISONS[0]:
        params["cmp"] = q.cmp
    if q.since:
        params["since"] = q.since
    params.update({dim: value for dim, value in q.filters if dim in spec.cross})
    return params


def page_href(spec: PageSpec, q: WorkbenchQuery, **changes: Any) -> str:
    """A link to the page showing `q` with `changes` (see `WorkbenchQuery.changed`)."""
    params = query_params(q.changed(**changes) if changes else q, spec)
    return spec.path + ("?" + urlencode(params) if params else "")


def records_href(indicator: str, region: str, frequency: str, period: str,
                 filters: Sequence[tuple[str, str]] = (), key: str = "value") -> str:
    """The records behind a number: /records with the indicator, region, period and cross filters."""
    params = {"indicator": indicator, "region": region, "frequency": frequency, "period": period}
    if key != "value":
        params["key"] = key
    params.update(dict(filters))
    return "/records?" + urlencode(params)


def feed_records_href(feed: str, region: str) -> str:
    """A region's own rows of a feed (a grid's orders), without an indicator."""
    return "/records?" + urlencode({"feed": feed, "region": region})


def indicator_href(indicator: str, q: WorkbenchQuery | None = None) -> str:
    """The indicator's own page, at the region, frequency and period of `q`."""
    params = {}
    if q is not None:
        params = {k: v for k, v in (("region", q.region), ("frequency", q.frequency), ("period", q.period)) if v}
    return f"/indicator/{indicator}" + ("?" + urlencode(params) if params else "")


# -- the place ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class Crumb:
    code: str
    name: str
    level: str
    level_name: str


@dataclass(frozen=True)
class Place:
    """The region a page looks at, within the viewer's scope: its path from the viewer's root
    (the breadcrumbs) and its children (one level down)."""

    code: str
    name: str
    level: str
    level_name: str
    path: tuple[Crumb, ...]
    children: tuple[Crumb, ...]
    child_level_name: str | None
    asked_out_of_scope: bool = False
    """The URL named a region the viewer may not see, or none the snapshot holds: the root is shown, and said."""

    @property
    def parent(self) -> Crumb | None:
        return self.path[-2] if len(self.path) > 1 else None


def _crumb(row: Mapping[str, Any], lang: str) -> Crumb:
    name = row.get("name_en") if lang == "en" and isinstance(row.get("name_en"), str) else row["name"]
    return Crumb(code=str(row["code"]), name=str(name), level=str(row["level"]),
                 level_name=level_name(str(row["level"]), lang))


def place(reader: Reader, region: str | None) -> Place:
    """Where the page looks: `region` when the viewer may see it, else the viewer's root."""
    lang = reader.viewer.lang
    asked_wrong = False
    code = region or reader.root
    try:
        row = reader.region(code)
    except (OutOfScope, KeyError):
        asked_wrong, code = True, reader.root
        row = reader.region(code)

    def build() -> Place:
        path = [_crumb(row, lang)]
        parent = row["parent_code"]
        while parent is not None:  # the reader hides parents outside the viewer's scope
            up = reader.region(parent)
            path.append(_crumb(up, lang))
            parent = up["parent_code"]
        children = tuple(_crumb(r, lang) for r in reader.children(code).to_dict("records"))
        here = path[0]
        return Place(code=here.code, name=here.name, level=here.level, level_name=here.level_name,
                     path=tuple(reversed(path)), children=children,
                     child_level_name=children[0].level_name if children else None)

    found = reader.memo("workbench-place", (code,), build)
    return replace(found, asked_out_of_scope=asked_wrong)


# -- the period --------------------------------------------------------------------------------

@dataclass(frozen=True)
class PeriodChoice:
    frequency: str
    periods: tuple[str, ...]  # newest first
    chosen: str | None
    """The period asked for when the indicator has it, else the newest complete one; None only when the indicator has no values."""
    asked_missing: bool = False


def period_choice(reader: Reader, indicator: str, frequency: str, asked: str | None) -> PeriodChoice:
    try:
        periods = tuple(reader.periods(indicator, frequency))
    except KeyError:
        periods = ()
    chosen = choose_period(list(periods), asked)
    missing = asked is not None and chosen is None
    if chosen is None and periods:
        chosen = periods[0]
    return PeriodChoice(frequency=frequency, periods=periods, chosen=chosen, asked_missing=missing)


# -- tables of regions by indicators ----------------------------------------------------------

@dataclass(frozen=True)
class Column:
    """One indicator as a column of a table of regions: how its values read, and its target."""

    indicator: str
    name: str
    unit: str
    decimals: int
    polarity: str
    target: float | None = None


# -- trends ------------------------------------------------------------------------------------

TREND_PERIODS = {"month": 18, "quarter": 12, "year": 10}  # what a trend shows when no start is asked


def trend_window(series: pd.DataFrame, frequency: str, period: str | None, since: str | None) -> pd.DataFrame:
    """The rows of a series (oldest first, with `period`) a trend shows: up to the chosen
    `period`, from `since` when the series has it, else the last TREND_PERIODS of the frequency."""
    if series.empty:
        return series
    labels = list(series["period"])
    if period in labels:
        series = series.iloc[: labels.index(period) + 1]
        labels = labels[: labels.index(period) + 1]
    if since in labels:
        return series.iloc[labels.index(since):]
    return series.tail(TREND_PERIODS.get(frequency, 12))


def trend_starts(choice: PeriodChoice) -> tuple[str, ...]:
    """The periods a trend may start at: those before the chosen one, newest first."""
    if choice.chosen not in choice.periods:
        return choice.periods[1:]
    return choice.periods[choice.periods.index(choice.chosen) + 1:]


# -- headline numbers --------------------------------------------------------------------------

@dataclass(frozen=True)
class Headline:
    indicator: str
    name: str
    unit: str
    decimals: int
    value: float | None
    period: str | None
    compare_label: str
    reference: float | None
    delta: float | None
    delta_pct: float | None
    """The change in percent of the reference; None for % units (their change is in points) and from zero."""
    tone: str  # good | bad | neutral (by polarity; no change is neutral)
    records: str | None
    link: str
    filtered_by: tuple[tuple[str, str], ...] = field(default=())
    """The cross filters this number honours (its breakdown value); empty when it is the whole region's."""


def _float(value: object) -> float | None:
    return None if value is None or (not isinstance(value, str) and pd.isna(value)) else float(value)


def _shifted(period: str, frequency: str, back: str) -> str | None:
    """The period a year before, or the one before (`back` = yoy | mom), as the snapshot labels periods."""
    if frequency == "year":
        return str(int(period) - 1)
    if back == "yoy":
        return str(int(period[:4]) - 1) + period[4:]
    if frequency == "month":
        year, month = int(period[:4]), int(period[5:7])
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
        return f"{year}-{month:02d}"
    if frequency == "quarter":
        year, quarter = int(period[:4]), int(period[-1])
        year, quarter = (year - 1, 4) if quarter == 1 else (year, quarter - 1)
        return f"{year}Q{quarter}"
    return None


def value_at(reader: Reader, indicator: str, region: str, frequency: str, period: str | None) -> float | None:
    """One indicator's value at a region and period (None when it has none, or when the snapshot
    does not hold the indicator: definitions deployed before the refresh that computes them)."""
    if period is None:
        return None
    try:
        series = reader.series(indicator, region, frequency)
    except KeyError:
        return None
    found = series.loc[series["period"] == period, "value"]
    return _float(found.iloc[0]) if len(found) else None


def reference_value(reader: Reader, indicator: str, region: str, frequency: str, period: str,
                    cmp: str) -> float | None:
    """What a number is compared with: the same period a year before, the period before, or the target."""
    if cmp == "target":
        meta = _catalogue(reader)[indicator]
        return _target(meta.get("targets"), region, int(period[:4]))
    earlier = _shifted(period, frequency, cmp)
    if earlier is None:
        return None
    if cmp == "mom" and frequency == "month" and earlier.endswith("-01"):
        meta = _catalogue(reader)[indicator]
        if bool(meta.get("jan_feb_combined")):  # published as 1–2月: February's previous is December
            earlier = _shifted(earlier, frequency, "mom")
    return value_at(reader, indicator, region, frequency, earlier)


def tone(value: float | None, reference: float | None, polarity: str) -> str:
    if value is None or reference is None or value == reference:
        return "neutral"
    better = (value > reference) == (polarity == "higher_better")
    if polarity not in ("higher_better", "lower_better"):
        return "neutral"
    return "good" if better else "bad"


def has_records(reader: Reader, indicator: str) -> bool:
    """Whether the rows behind an indicator can be listed (a measure, or a formula over measures)."""
    meta = _catalogue(reader).get(indicator)
    return meta is not None and meta.get("kind") in ("measure", "formula")


def headlines(reader: Reader, indicators: Sequence[str], place: Place, q: WorkbenchQuery,
              period: PeriodChoice, category: tuple[str, str] | None = None) -> tuple[Headline, ...]:
    """The page's headline numbers at the place and chosen period, each with its comparison.

    With `category` (a cross filter: dimension and value), a number that has a breakdown by that
    dimension shows that category's value (the rates of one handling department); others show
    the whole region's and say so by an empty `filtered_by`."""
    lang = reader.viewer.lang
    catalogue = _catalogue(reader)
    out = []
    for indicator in indicators:
        meta = catalogue.get(indicator)
        if meta is None or period.chosen is None:
            continue
        value, reference, honoured = None, None, ()
        if category is not None and category[0] in breakdown_columns(reader, indicator):
            value = category_value(reader, indicator, place.code, period.frequency, period.chosen, *category)
            if q.cmp != "target":
                earlier = _shifted(period.chosen, period.frequency, q.cmp)
                reference = category_value(reader, indicator, place.code, period.frequency, earlier, *category) \
                    if earlier else None
            else:
                reference = reference_value(reader, indicator, place.code, period.frequency, period.chosen, "target")
            honoured = (category,)
        else:
            value = value_at(reader, indicator, place.code, period.frequency, period.chosen)
            reference = reference_value(reader, indicator, place.code, period.frequency, period.chosen, q.cmp)
        unit = meta["unit"]
        change = compare(value, reference, unit, meta["polarity"])
        delta = None if value is None or reference is None else value - reference
        delta_pct = change.amount * (1 if delta >= 0 else -1) if change is not None and change.kind == "percent" \
            and delta is not None else None
        records = records_href(indicator, place.code, period.frequency, period.chosen, honoured) \
            if has_records(reader, indicator) else None
        zh, en = COMPARE_LABELS[q.cmp]
        out.append(Headline(indicator=indicator, name=meta["display_name"], unit=unit,
                            decimals=int(meta["decimals"]), value=value, period=period.chosen,
                            compare_label=en if lang == "en" else zh, reference=reference, delta=delta,
                            delta_pct=delta_pct, tone=tone(value, reference, meta["polarity"]),
                            records=records, link=indicator_href(indicator, q), filtered_by=honoured))
    return tuple(out)


def breakdown_columns(reader: Reader, indicator: str) -> tuple[str, ...]:
    """The columns an indicator is broken down by (none for a snapshot or engine without them)."""
    method = getattr(reader, "breakdown_columns", None)
    if method is None:
        return ()
    try:
        return tuple(method(indicator))
    except KeyError:
        return ()


def category_value(reader: Reader, indicator: str, region: str, frequency: str, period: str | None,
                   by: str, category: str) -> float | None:
    """One category's value of an indicator's breakdown at a region and period (0 rows: None)."""
    if period is None:
        return None
    rows = reader.breakdown(indicator, region, frequency, limit=1000, by=by, period=period)
    found = rows.loc[rows["category"] == category, "value"]
    return _float(found.iloc[0]) if len(found) else None


# -- where the indicators stop -----------------------------------------------------------------

@dataclass(frozen=True)
class Coverage:
    """Said instead of empty charts when the page's indicators stop above the place's level."""

    level_name: str
    deepest_level_name: str
    nearest: Crumb | None
    records: str | None


def may_see(reader: Reader, indicator: str) -> bool:
    """Whether the viewer may see an indicator the snapshot holds: a panel of a theme that is not
    theirs is left out of a page, not drawn empty."""
    return indicator in _catalogue(reader)


def defined_at(reader: Reader, indicator: str, level: str) -> bool:
    meta = _catalogue(reader).get(indicator)
    return meta is not None and level in str(meta.get("levels") or "").split(",")


def coverage(reader: Reader, indicators: Sequence[str], place: Place, records_feed: str | None = None) -> Coverage | None:
    """None when one of `indicators` is defined at the place's level; else the deepest level they
    reach, the nearest region up the path that has them and, at community and grid level, a link
    to the region's own rows of `records_feed`."""
    lang = reader.viewer.lang
    if any(defined_at(reader, i, place.level) for i in indicators):
        return None
    nearest = next((c for c in reversed(place.path) if any(defined_at(reader, i, c.level) for i in indicators)), None)
    order = list(LEVEL_NAMES)
    levels = {lvl for i in indicators if (m := _catalogue(reader).get(i))
              for lvl in str(m.get("levels") or "").split(",") if lvl in LEVEL_NAMES}
    deepest = max(levels, key=order.index) if levels else place.level
    records = feed_records_href(records_feed, place.code) if records_feed and place.level in _RECORD_LEVELS else None
    return Coverage(level_name=place.level_name, deepest_level_name=level_name(deepest, lang), nearest=nearest,
                    records=records)
