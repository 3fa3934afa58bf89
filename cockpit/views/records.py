"""The records view: the rows behind a number, as the /records page and its export show them.

`parse_records_query` reads the URL (`/records?indicator=hotline_closure_rate&region=330600&
period=2026-10&frequency=month&key=numerator&category_l1=固体废物&sort=created_at:desc`) as a
hostile client may send it: every value is checked for shape here and returns a safe default when
it is not one; whether an id, region or column exists is the reader's to say. `records_view`
builds what the page shows, through the reader only, so scope, departments and masking of
personal data apply as they do everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import pandas as pd

from cockpit.query.reader import Reader, RecordPage

MAX_VALUE_CHARS = 200  # as cockpit/ui/params.py: longer than any id, code, period or category
MAX_FILTERS = 12
MAX_SORT = 4
IDENT = re.compile(r"[a-z][a-z0-9_]{0,63}")
REGION_CODE = re.compile(r"[0-9]{1,20}")
PERIOD = re.compile(r"[0-9]{4}(?:-(?:0[1-9]|1[0-2])|Q[1-4])?")
KEY = re.compile(r"(?:numerator|denominator)\.[a-z][a-z0-9_]{0,63}|[a-z][a-z0-9_]{0,63}")
FREQUENCIES = ("month", "quarter", "year")
# Parameters of the page itself; any other parameter naming a column is a cross-filter.
RESERVED = frozenset({"indicator", "feed", "region", "frequency", "period", "key", "sort", "offset", "limit",
                      "page", "lang", "theme", "refresh", "format"})

NOTICES = {
    "sum": {"zh": "该数值由这些记录汇总计算（如求和、平均、去重计数），并非记录条数。",
            "en": "The value is computed over these rows (a sum, an average or a distinct count), not a count of them."},
    "ytd": {"zh": "记录为当年1月至本期末。", "en": "Rows from January to the end of the period."},
    "running": {"zh": "记录为截至本期末的全部记录。", "en": "Every row up to the end of the period."},
    "departments": {"zh": "仅含您有权查看的部门的记录。", "en": "Only the records of the departments you may see."},
    "masked": {"zh": "个人信息已脱敏。", "en": "Personal data is masked."},
    "filtered": {"zh": "已按所选条件筛选，条数可能少于指标值。",
                 "en": "Filtered by your selection: fewer rows than the value may show."},
}


@dataclass(frozen=True)
class RecordsQuery:
    """What /records and /records/export take from the URL, each value checked for shape."""

    indicator: str | None = None
    feed: str | None = None
    region: str | None = None
    frequency: str | None = None
    period: str | None = None
    key: str = "value"
    filters: dict[str, str] = field(default_factory=dict)
    sort: tuple[tuple[str, str], ...] = ()


def _one(value: Any) -> str | None:
    """A single short string (a repeated parameter arrives as a list: refused)."""
    if isinstance(value, list | tuple) and len(value) == 1:
        value = value[0]
    return value if isinstance(value, str) and 0 < len(value) <= MAX_VALUE_CHARS else None


def _matching(value: Any, pattern: re.Pattern) -> str | None:
    text = _one(value)
    return text if text is not None and pattern.fullmatch(text) else None


def _sort(value: Any) -> tuple[tuple[str, str], ...]:
    """`col:asc,col2:desc` → ((col, asc), (col2, desc)); anything malformed → no sort at all."""
    text = _one(value)
    if text is None:
        return ()
    out: list[tuple[str, str]] = []
    for part in text.split(","):
        column, _, direction = part.strip().partition(":")
        direction = direction or "asc"
        if not IDENT.fullmatch(column) or direction not in ("asc", "desc") or any(c == column for c, _ in out):
            return ()
        out.append((column, direction))
    return tuple(out) if len(out) <= MAX_SORT else ()


def parse_records_query(args: Mapping[str, Any]) -> RecordsQuery:
    """The records query of a URL's parameters; never raises (a bad value is left out)."""
    if not isinstance(args, Mapping):
        return RecordsQuery()
    filters: dict[str, str] = {}
    for name, value in args.items():
        if not isinstance(name, str) or name in RESERVED or not IDENT.fullmatch(name) or len(filters) >= MAX_FILTERS:
            continue
        text = _one(value)
        if text is not None:
            filters[name] = text
    key = _matching(args.get("key"), KEY) or "value"
    return RecordsQuery(
        indicator=_matching(args.get("indicator"), IDENT), feed=_matching(args.get("feed"), IDENT),
        region=_matching(args.get("region"), REGION_CODE),
        frequency=(f if (f := _one(args.get("frequency"))) in FREQUENCIES else None),
        period=_matching(args.get("period"), PERIOD), key=key, filters=filters, sort=_sort(args.get("sort")),
    )


def records_query_string(q: RecordsQuery) -> str:
    """The URL query of a records query (without '?'): parse_records_query's inverse, for links."""
    pairs: list[tuple[str, str]] = [(name, value) for name, value in (
        ("indicator", q.indicator), ("feed", q.feed), ("region", q.region), ("frequency", q.frequency),
        ("period", q.period)) if value is not None]
    if q.key != "value":
        pairs.append(("key", q.key))
    pairs += sorted(q.filters.items())
    if q.sort:
        pairs.append(("sort", ",".join(f"{c}:{d}" for c, d in q.sort)))
    return urlencode(pairs)


@dataclass(frozen=True)
class RecordsView:
    """What the records page (and its export) shows."""

    query: RecordsQuery  # the query as resolved: region, frequency and period filled in
    title: str
    subtitle: str  # region name · period · indicator name
    feed: str
    sets: list[dict]  # the indicator's record sets (Reader.record_sets), the shown one with active=True
    columns: list[dict]  # Reader.record_columns: what the grid shows
    page: RecordPage
    value: float | None  # the value of the measure whose rows these are, at the region and period
    counts: bool  # whether the number of rows is that value
    notice: str | None  # what the rows are when not simply the value's count, in the viewer's language
    unit: str | None = None  # the unit of the active set's measure


def _infer_frequency(period: str | None) -> str | None:
    if period is None:
        return None
    return "year" if len(period) == 4 else "quarter" if "Q" in period else "month"



# Below a street, a name alone is ambiguous (every street has a 第1网格): it is said with its street.
_NAMED_WITH_STREET = ("community", "grid")


def region_label(reader: Reader, region: str) -> str:
    """A region's name as a list of its records says it: a community or grid with its street and community."""
    row = reader.region(region)
    names = [reader.region_name(region)]
    parent = row["parent_code"]
    level = row["level"]
    while level in _NAMED_WITH_STREET and parent is not None:
        up = reader.region(parent)
        names.insert(0, reader.region_name(parent))
        level, parent = up["level"], up["parent_code"]
    return " ".join(names)

def records_view(reader: Reader, q: RecordsQuery, offset: int = 0, limit: int = 100) -> RecordsView:
    """The records behind an indicator's value (q.indicator) or a feed's rows (q.feed alone).
    Raises KeyError / ValueError / OutOfScope (from the reader) on an unknown id, a bad period or
    key, a filter the viewer may not use, or a region out of scope, and OutOfTheme (a KeyError) on
    an indicator or feed outside the viewer's themes: the page says why."""
    lang = reader.viewer.lang
    region = q.region or reader.root
    filters = dict(q.filters)
    if q.indicator is None:
        if q.feed is None:
            raise ValueError("records need an indicator or a feed")
        page = reader.records(q.feed, {**filters, "region": region}, list(q.sort), offset, limit)
        notes = _notices(reader, q.feed, filtered=False, counts=True)
        return RecordsView(query=RecordsQuery(None, q.feed, region, None, None, "value", filters, q.sort),
                           title=reader.feed_label(q.feed), subtitle=region_label(reader, region), feed=q.feed,
                           sets=[], columns=reader.record_columns(q.feed), page=page, value=None, counts=False,
                           notice=" ".join(notes) or None)
    meta = reader.indicator(q.indicator)  # KeyError for an unknown indicator or one the viewer may not see
    frequencies = str(meta["frequencies"]).split(",")
    frequency = q.frequency or _infer_frequency(q.period) or frequencies[0]
    if frequency not in frequencies:
        raise ValueError(f"{q.indicator} has no {frequency} values; it has {', '.join(frequencies)}")
    period = q.period
    if period is None:
        known = reader.periods(q.indicator, frequency)
        if not known:
            raise ValueError(f"{q.indicator} has no complete {frequency} period yet")
        period = known[0]
    sets = reader.record_sets(q.indicator, region, frequency, period)
    if not sets:
        raise KeyError(f"{q.indicator} is a composite index: its value is computed from other indicators, "
                       "not from records")
    keys = [s["key"] for s in sets]
    key = q.key if q.key in keys else keys[0] if q.key == "value" else q.key
    if key not in keys:
        raise KeyError(f"{q.indicator} has no record set {key!r}; its sets are {', '.join(keys)}")
    active = next(s for s in sets if s["key"] == key)
    page = reader.indicator_records(q.indicator, region, frequency, period, key, filters, list(q.sort), offset, limit)
    name = meta["name_zh"] if lang == "zh" else meta["name_en"]
    notes = _notices(reader, active["feed"], filtered=bool(filters), counts=active["counts"])
    if active.get("year_to_date"):
        notes.insert(0, NOTICES["ytd"][lang])
    elif active.get("accumulate"):
        notes.insert(0, NOTICES["running"][lang])
    measure = reader.indicator(active["indicator"])
    return RecordsView(
        query=RecordsQuery(q.indicator, None, region, frequency, period, key, filters, q.sort),
        title=active["label"] if active["indicator"] != q.indicator else name,
        subtitle=" · ".join([region_label(reader, region), period, name]), feed=active["feed"],
        sets=[{**s, "active": s["key"] == key} for s in sets], columns=reader.record_columns(active["feed"]),
        page=page, value=active["value"], counts=bool(active["counts"]), notice=" ".join(notes) or None,
        unit=measure.get("unit"),
    )


def _notices(reader: Reader, feed: str, filtered: bool, counts: bool) -> list[str]:
    lang = reader.viewer.lang
    columns = reader.record_columns(feed)
    notes = []
    if not counts:
        notes.append(NOTICES["sum"][lang])
    if filtered:
        notes.append(NOTICES["filtered"][lang])
    if reader.viewer.departments is not None and any(c["name"] == "department" for c in columns):
        notes.append(NOTICES["departments"][lang])
    if not reader.viewer.personal_data and any(c["personal"] for c in columns):
        notes.append(NOTICES["masked"][lang])
    return notes


def frame_for_export(view: RecordsView, rows: pd.DataFrame) -> pd.DataFrame:
    """Rows as an export writes them: the columns a grid shows (hidden free text left out), headed
    by their labels in the viewer's language."""
    shown = [c for c in view.columns if not c["hidden"] and c["name"] in rows.columns]
    return rows[[c["name"] for c in shown]].rename(columns={c["name"]: c["label"] for c in shown})
