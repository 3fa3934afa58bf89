"""The records page (/records) drawn from its view model, and the grid's server side.

The grid is dash-ag-grid with the infinite row model: the browser asks for a block of rows
(`getRowsRequest`: startRow, endRow, sortModel, filterModel) and `grid_rows` answers it through
the reader (`Reader.indicator_records` or `Reader.records`), so sorting, filtering, scope and
masking all happen on the server. AG Grid's filter model is mapped to the reader's filters by
`read_grid_request`: only what the reader supports (a value, or a range from inclusive to
exclusive); anything else is refused with a message naming the column and the problem, never
quietly widened. The export links carry the same sort and filters (`export_href`), so an export
holds exactly the rows the grid shows.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

import dash_bootstrap_components as dbc
import pandas as pd
from dash import dcc, html

from cockpit.ui.i18n import t
from cockpit.views.records import RecordsQuery, records_query_string

GRID = "records-grid"
BLOCK_ROWS = 100  # rows the grid asks for at once (the reader pages at most 1,000)
MAX_ROW = 10_000_000  # no grid scrolls further; a request beyond is hostile
NUMBER_TYPES = ("integer", "float")
TIME_TYPES = ("timestamp", "date")
TEXT_TYPES = ("string", "month", "quarter")
NUMBER_OPTIONS = ("equals", "greaterThanOrEqual", "lessThan", "inRange")
DATE_OPTIONS = ("equals", "lessThan", "greaterThan", "inRange")
BOOLEAN_WORDS = {"是": True, "否": False, "true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}
# Personal columns get the class `records-personal`: assets/records.css draws a lock before
# their header text (dash-ag-grid blocks header templates as code).
PERSONAL_HEADER = "records-personal"


# -- the grid's requests -------------------------------------------------------------------------

@dataclass(frozen=True)
class GridAsk:
    """A grid request as the reader takes it: which rows, in what order, filtered how."""

    offset: int = 0
    limit: int = BLOCK_ROWS
    sort: tuple[tuple[str, str], ...] = ()
    filters: Mapping[str, Any] = field(default_factory=dict)
    problem: str | None = None  # why the request cannot be answered as asked (shown to the user)


def _day(text: Any, column: str) -> datetime:
    """The day an AG Grid date filter names ("2026-10-01 00:00:00"), at midnight."""
    if not isinstance(text, str) or len(text) > 40:
        raise ValueError(f"{column}: the date is missing")
    try:
        stamp = pd.Timestamp(text)
    except ValueError as bad:
        raise ValueError(f"{column}: {text!r} is not a date") from bad
    return datetime(stamp.year, stamp.month, stamp.day)


def _number(value: Any, column: str, kind: str) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise ValueError(f"{column}: the number is missing")
    try:
        number = float(value)
    except ValueError as bad:
        raise ValueError(f"{column}: {value!r} is not a number") from bad
    if not math.isfinite(number):
        raise ValueError(f"{column}: {value!r} is not a number")
    return int(number) if kind == "integer" and number.is_integer() else number


def _one_filter(column: dict, model: Any) -> Any:
    """The reader's filter for one column's AG Grid filter model (ValueError naming the column
    when it asks for something the reader cannot do)."""
    name, kind = column["name"], str(column.get("type") or "string")
    label = str(column.get("label") or name)
    if not isinstance(model, dict):
        raise ValueError(f"{label}: the filter is not understood")
    if "operator" in model or "conditions" in model:
        raise ValueError(f"{label}: only one condition a column is supported")
    option = model.get("type")
    if kind in NUMBER_TYPES:
        if option not in NUMBER_OPTIONS:
            raise ValueError(f"{label}: numbers filter by equals or a range, not {option!r}")
        low = _number(model.get("filter"), label, kind)
        if option == "equals":
            return low
        if option == "greaterThanOrEqual":
            return {"from": low}
        if option == "lessThan":
            return {"to": low}
        high = _number(model.get("filterTo"), label, kind)
        if high <= low:
            raise ValueError(f"{label}: the range's end must be above its start")
        return {"from": low, "to": high}
    if kind in TIME_TYPES:
        if option not in DATE_OPTIONS:
            raise ValueError(f"{label}: dates filter by the day, before, after or between, not {option!r}")
        day = _day(model.get("dateFrom"), label)
        if option == "equals":
            return {"from": day, "to": day + timedelta(days=1)}
        if option == "lessThan":
            return {"to": day}
        if option == "greaterThan":
            return {"from": day + timedelta(days=1)}
        last = _day(model.get("dateTo"), label)
        if last < day:
            raise ValueError(f"{label}: the last day is before the first")
        return {"from": day, "to": last + timedelta(days=1)}
    if option != "equals":
        raise ValueError(f"{label}: text filters by 'equals' only, not {option!r}")
    value = model.get("filter")
    if not isinstance(value, str | int | float) or isinstance(value, bool) or not str(value).strip():
        raise ValueError(f"{label}: the value is missing")
    text = str(value).strip()
    if len(text) > 200:
        raise ValueError(f"{label}: the value is longer than 200 characters")
    if kind == "boolean":
        if text.lower() not in BOOLEAN_WORDS:
            raise ValueError(f"{label}: write 是 or 否 (yes or no), not {text!r}")
        return BOOLEAN_WORDS[text.lower()]
    return text


def read_grid_request(request: Any, columns: Sequence[dict], *, locked: Sequence[str] = ()) -> GridAsk:
    """A `getRowsRequest` (as a hostile client may send it) as the reader's offset, limit, sort and
    filters. `columns` are the grid's columns (the reader's `record_columns` shown); `locked` the
    columns the grid may not sort or filter (personal columns of a masked viewer, the URL's own
    cross-filters). A request asking for anything else is answered with `problem` set."""
    if not isinstance(request, dict):
        return GridAsk()
    by_name = {c["name"]: c for c in columns}
    start, end = request.get("startRow", 0), request.get("endRow", BLOCK_ROWS)
    if isinstance(start, bool) or isinstance(end, bool) or not isinstance(start, int) or not isinstance(end, int) \
            or not 0 <= start < end <= MAX_ROW:
        return GridAsk(problem="rows: startRow and endRow must be whole numbers, 0 ≤ start < end")
    limit = min(end - start, 1000)
    sort: list[tuple[str, str]] = []
    filters: dict[str, Any] = {}
    try:
        sort_model = request.get("sortModel") or []
        if not isinstance(sort_model, list) or len(sort_model) > 5:
            raise ValueError("sort: not understood")
        for item in sort_model:
            column = item.get("colId") if isinstance(item, dict) else None
            direction = item.get("sort") if isinstance(item, dict) else None
            if column not in by_name or column in locked or direction not in ("asc", "desc"):
                raise ValueError(f"sort: cannot sort by {str(column)[:60]!r} {str(direction)[:10]!r}")
            sort.append((column, direction))
        filter_model = request.get("filterModel") or {}
        if not isinstance(filter_model, dict) or len(filter_model) > len(by_name):
            raise ValueError("filters: not understood")
        for column, model in filter_model.items():
            if column not in by_name:
                raise ValueError(f"filters: no column {str(column)[:60]!r}")
            if column in locked:
                raise ValueError(f"{by_name[column].get('label') or column}: this column cannot be filtered here")
            filters[column] = _one_filter(by_name[column], model)
    except ValueError as problem:
        return GridAsk(offset=start, limit=limit, problem=str(problem))
    return GridAsk(offset=start, limit=limit, sort=tuple(sort), filters=filters)


# -- rows as the grid shows them ---------------------------------------------------------------

def _cell(value: Any, kind: str, lang: str) -> Any:
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float) and math.isnan(value):
        return None
    if kind == "timestamp":
        return pd.Timestamp(value).strftime("%Y-%m-%d %H:%M:%S")
    if kind == "date":
        return pd.Timestamp(value).strftime("%Y-%m-%d")
    if kind == "boolean":
        return t("records.true" if bool(value) else "records.false", lang)
    if kind in NUMBER_TYPES:
        return int(value) if kind == "integer" else float(value)
    return str(value)


def grid_row_data(frame: pd.DataFrame, columns: Sequence[dict], lang: str) -> list[dict]:
    """A page of rows as JSON for the grid: times as text to the second, booleans as 是/否,
    missing values as null; only the columns shown."""
    shown = [(c["name"], str(c.get("type") or "string")) for c in columns if c["name"] in frame.columns]
    records = frame[[n for n, _ in shown]].astype("object").to_dict("records")
    return [{name: _cell(row[name], kind, lang) for name, kind in shown} for row in records]


def column_width(column: Mapping[str, Any]) -> int:
    """A column's starting width in pixels, by what its values look like (the user may resize)."""
    name, kind = str(column["name"]), str(column.get("type") or "string")
    if column.get("personal") == "address":
        return 300
    if column.get("personal") == "free_text":
        return 360
    if name.endswith("_id"):
        return 240
    if name.endswith("_code"):
        return 175
    if name == "department":
        return 230
    if name == "category_l3":
        return 190
    return {"timestamp": 190, "date": 130, "integer": 115, "float": 125, "boolean": 105}.get(kind, 140)


def column_defs(columns: Sequence[dict], lang: str, *, locked: Sequence[str] = (), pinned: str | None = None,
                sort: Sequence[tuple[str, str]] = ()) -> list[dict]:
    """AG Grid column definitions for the reader's columns (hidden ones left out): typed filters
    offering only what the reader can do, personal columns marked with a lock and neither sortable
    nor filterable when `locked`; the URL's `sort` set on its columns, so the grid shows and asks it."""
    sorted_by = {name: (i, direction) for i, (name, direction) in enumerate(sort)}
    defs = []
    for column in columns:
        if column.get("hidden"):
            continue
        name, kind = column["name"], str(column.get("type") or "string")
        label = str(column.get("label") or name)
        spec: dict[str, Any] = {"field": name, "colId": name, "headerName": label, "headerTooltip": label,
                                "sortable": name not in locked, "minWidth": 90}
        if name in locked:
            spec["filter"] = False
        elif kind in NUMBER_TYPES:
            spec["filter"] = "agNumberColumnFilter"
            spec["filterParams"] = {"filterOptions": list(NUMBER_OPTIONS), "maxNumConditions": 1,
                                    "buttons": ["apply", "reset"], "closeOnApply": True}
        elif kind in TIME_TYPES:
            spec["filter"] = "agDateColumnFilter"
            spec["filterParams"] = {"filterOptions": list(DATE_OPTIONS), "maxNumConditions": 1,
                                    "inRangeInclusive": True, "buttons": ["apply", "reset"], "closeOnApply": True}
        else:
            spec["filter"] = "agTextColumnFilter"
            spec["filterParams"] = {"filterOptions": ["equals"], "maxNumConditions": 1,
                                    "buttons": ["apply", "reset"], "closeOnApply": True}
        if column.get("personal"):
            spec["headerTooltip"] = f"{label}（{t('records.personal_header', lang)}）" if lang == "zh" \
                else f"{label} ({t('records.personal_header', lang)})"
            spec["headerClass"] = PERSONAL_HEADER
            if name in locked:
                spec["cellClass"] = "records-masked-cell"
        # wide enough for the header too (English labels are long), within reason
        spec["width"] = max(column_width(column), min(260, 9 * len(label) + 56 if lang == "en" else 15 * len(label) + 56))
        if kind in NUMBER_TYPES:
            spec["type"] = "rightAligned"
        elif kind in TEXT_TYPES:
            spec["tooltipField"] = name  # a long value cut by the column's width reads in full on hover
        if name == pinned:
            spec["pinned"] = "left"
        if name in sorted_by and name not in locked:
            spec["sort"], spec["sortIndex"] = sorted_by[name][1], sorted_by[name][0]
        defs.append(spec)
    return defs


# -- links ------------------------------------------------------------------------------------

def _url_filters(filters: Mapping[str, Any]) -> dict[str, str] | None:
    """Grid filters as URL cross-filters (column=value), or None when one of them (a range) has
    no form in the records URL."""
    out = {}
    for name, wanted in filters.items():
        if isinstance(wanted, Mapping | list | tuple | set):
            return None
        out[name] = ("true" if wanted else "false") if isinstance(wanted, bool) else str(wanted)
    return out


def shown_query(q: RecordsQuery, ask: GridAsk) -> RecordsQuery | None:
    """The records query of what the grid shows now: the URL's filters and the grid's, and the
    grid's sort (the URL's sort only seeds the grid's columns, so a sort the user removed is gone);
    None when a grid filter has no form in the URL."""
    extra = _url_filters(ask.filters)
    if extra is None:
        return None
    return replace(q, filters={**dict(q.filters), **extra}, sort=tuple(ask.sort))


def records_href(q: RecordsQuery, **changes: Any) -> str:
    """The records page for `q` with `changes` (RecordsQuery fields) applied."""
    text = records_query_string(replace(q, **changes) if changes else q)
    return "/records" + (f"?{text}" if text else "")


def export_href(q: RecordsQuery, fmt: str, lang: str) -> str:
    text = records_query_string(q)
    extra = urlencode({"format": fmt, "lang": lang})
    return f"/records/export?{text}&{extra}" if text else f"/records/export?{extra}"


def indicator_back_href(q: RecordsQuery) -> str | None:
    """The indicator page the number came from, at the same region, frequency and period."""
    if not q.indicator:
        return None
    args = {k: v for k, v in (("region", q.region), ("frequency", q.frequency), ("period", q.period)) if v}
    return f"/indicator/{q.indicator}" + (f"?{urlencode(args)}" if args else "")


# -- the page ---------------------------------------------------------------------------------

def exact_number(value: float | int | None, decimals: int) -> str:
    """A number in full (no 万/亿 rounding): a count set beside its rows must read exactly."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{float(value):,.{max(int(decimals), 0)}f}"


def set_label(record_set: Mapping[str, Any], lang: str) -> str:
    key = str(record_set.get("key") or "value")
    label = str(record_set.get("label") or record_set.get("indicator") or key)
    if key in ("value", "numerator", "denominator"):
        return t(f"records.set.{key}", lang, label=label)
    return t("records.set.other", lang, label=label)


def indicator_value(reader: Any, q: RecordsQuery) -> str | None:
    """The indicator's own value at the query's region and period, as it reads ("100.0%"), from the snapshot."""
    if not (q.indicator and q.region and q.frequency and q.period):
        return None
    meta = reader.indicator(q.indicator)
    series = reader.series(q.indicator, q.region, q.frequency)
    found = series.loc[series["period"] == q.period, "value"]
    if found.empty or pd.isna(found.iloc[0]):
        return t("records.no_value", reader.viewer.lang)
    unit = str(meta.get("unit") or "")
    number = exact_number(float(found.iloc[0]), int(meta.get("decimals") or 0))
    return f"{number}{unit}" if unit == "%" else f"{number} {reader.unit_label(unit)}".rstrip()


def set_tabs(q: RecordsQuery, sets: Sequence[Mapping[str, Any]], lang: str, *, formula: str | None = None) -> html.Div | None:
    """One link a record set (numerator, denominator …), the shown one active, each with its
    value; `formula` ("办结率 100.0% = 分子 ÷ 分母") says how they make the number."""
    if len(sets) < 2:
        return None
    items = []
    for record_set in sets:
        key = str(record_set.get("key") or "value")
        value = record_set.get("value")
        number = exact_number(value, 0) if value is not None else "—"
        items.append(dbc.NavItem(dcc.Link(
            [set_label(record_set, lang), html.Span(f" {number}", className="ms-1 small opacity-75")],
            href=records_href(q, key=key), id={"records": "set", "key": key},
            className="nav-link py-1" + (" active" if key == q.key else ""))))
    return html.Div([html.Span(formula or t("records.sets", lang), className="small text-muted me-2",
                               id="records-formula"),
                     dbc.Nav(items, pills=True, className="d-inline-flex flex-wrap")],
                    className="d-flex align-items-center flex-wrap mb-2", id="records-sets")


def filter_chips(q: RecordsQuery, labels: Mapping[str, str], lang: str) -> html.Div | None:
    """The URL's cross-filters, each a chip naming the filter whose × link drops it."""
    if not q.filters:
        return None
    chips = []
    for name, value in q.filters.items():
        rest = {k: v for k, v in q.filters.items() if k != name}
        chips.append(dcc.Link(
            [t("records.chip", lang, label=labels.get(name, name), value=value), html.I(className="bi bi-x-lg ms-2")],
            href=records_href(q, filters=rest), title=t("records.chip_clear", lang),
            className="badge rounded-pill text-bg-primary text-decoration-none me-2 p-2",
            id={"records": "chip", "dim": name}))
    return html.Div([html.Span(t("records.cross", lang), className="small text-muted me-1"), *chips],
                    className="mb-2", id="records-chips")


def masking_note(columns: Sequence[dict], personal_allowed: bool, lang: str) -> html.Div | None:
    """Which personal columns are masked (or shown plain, for an allowed viewer), and which are left out."""
    shown = [str(c.get("label") or c["name"]) for c in columns if c.get("personal") and not c.get("hidden")]
    hidden = [str(c.get("label") or c["name"]) for c in columns if c.get("hidden")]
    joined = "、" if lang == "zh" else ", "
    parts = []
    if shown and personal_allowed:
        parts.append(html.Div([html.I(className="bi bi-unlock me-2"),
                               t("records.unmasked", lang, columns=joined.join(shown))]))
    elif shown:
        parts.append(html.Div([html.I(className="bi bi-lock-fill me-2"),
                               t("records.masked", lang, columns=joined.join(shown))]))
    if hidden:
        parts.append(html.Div([html.I(className="bi bi-eye-slash me-2"),
                               t("records.hidden", lang, columns=joined.join(hidden))]))
    if not parts:
        return None
    return dbc.Alert(parts, color="warning" if personal_allowed else "secondary", className="py-2 px-3 small mb-2",
                     id="records-masking")


# AG Grid's own words in Chinese (its English is built in): the filter menus and their buttons.
ZH_GRID_TEXT = {"equals": "等于", "greaterThanOrEqual": "大于等于", "lessThan": "小于", "greaterThan": "大于",
                "inRange": "介于", "before": "早于", "after": "晚于", "inRangeStart": "从", "inRangeEnd": "至",
                "applyFilter": "应用", "resetFilter": "重置", "filterOoo": "筛选…", "dateFormatOoo": "年-月-日",
                "blanks": "空白", "searchOoo": "搜索…", "ariaFilterInput": "筛选输入"}


def grid_props(columns: Sequence[dict], lang: str, *, locked: Sequence[str], pinned: str | None,
               sort: Sequence[tuple[str, str]] = ()) -> dict:
    """The records grid's properties (the page builds the `dag.AgGrid` with id GRID, as its
    callback listens to it): the infinite row model, blocks of BLOCK_ROWS, typed columns."""
    return dict(
        columnDefs=column_defs(columns, lang, locked=locked, pinned=pinned, sort=sort),
        defaultColDef={"resizable": True, "suppressHeaderMenuButton": True, "floatingFilter": False},
        rowModelType="infinite",
        dashGridOptions={
            "cacheBlockSize": BLOCK_ROWS, "maxBlocksInCache": 20, "infiniteInitialRowCount": 1,
            "maxConcurrentDatasourceRequests": 1, "rowBuffer": 0, "tooltipShowDelay": 300,
            # every column is drawn (two dozen at most), so find-in-page and tests see them all
            "suppressColumnVirtualisation": True,
            "localeText": ZH_GRID_TEXT | {"noRowsToShow": t("records.no_rows", lang),
                                          "loadingOoo": t("records.loading", lang)} if lang == "zh"
            else {"noRowsToShow": t("records.no_rows", lang)},
        },
        style={"height": "max(360px, calc(100vh - 360px))", "width": "100%"},
    )


# -- the grid's server side ---------------------------------------------------------------------

@dataclass(frozen=True)
class GridAnswer:
    """What the rows callback returns: the grid's response, the rows matching in all, the query
    of what is shown (for the export links; None when it cannot be carried in a URL), a problem."""

    response: dict
    total: int | None
    shown: RecordsQuery | None
    problem: str | None
    filtered: bool = False  # the grid's own filters narrow the rows


def record_feed(reader: Any, q: RecordsQuery) -> str:
    """The feed whose rows the query lists: the record set's for an indicator, else the URL's."""
    if not q.indicator:
        if not q.feed:
            raise ValueError("feed: the link names no indicator and no feed")
        return q.feed
    for record_set in reader.record_sets(q.indicator, q.region, q.frequency, q.period):
        if record_set["key"] == q.key:
            return str(record_set["feed"])
    raise ValueError(f"key: {q.indicator} has no record set {q.key!r}")


def grid_columns(reader: Any, feed: str) -> list[dict]:
    """The columns the grid shows (the reader's, hidden ones left out)."""
    return [c for c in reader.record_columns(feed) if not c.get("hidden")]


def locked_columns(reader: Any, q: RecordsQuery, columns: Sequence[dict]) -> list[str]:
    """Columns the grid may not sort or filter: personal ones of a viewer not allowed personal
    data (a sort or filter on a masked value would reveal it), and the URL's cross-filters (their
    chips clear them)."""
    personal = [] if getattr(reader.viewer, "personal_data", False) else [c["name"] for c in columns if c.get("personal")]
    return [*personal, *[name for name in q.filters if name not in personal]]


def visible_indicator(reader: Any, indicator: str) -> bool:
    """Whether the viewer may see `indicator` (so a refusal is about something else, e.g. a composite)."""
    try:
        reader.indicator(indicator)
    except KeyError:
        return False
    return True


def problem_text(error: Exception) -> str:
    """An error's message as the page shows it (a KeyError's without its quotes), cut to 300 characters."""
    text = str(error.args[0]) if isinstance(error, KeyError) and error.args else str(error)
    return text[:300]


def grid_rows(reader: Any, q: RecordsQuery, request: Any) -> GridAnswer:
    """Answer one `getRowsRequest` of the records grid through the reader (scope, masking and
    the checks of columns, sort and filters are the reader's)."""
    from cockpit.query.reader import OutOfScope, OutOfTheme

    empty = {"rowData": [], "rowCount": 0}
    try:
        feed = record_feed(reader, q)
        columns = grid_columns(reader, feed)
        ask = read_grid_request(request, columns, locked=locked_columns(reader, q, columns))
        if ask.problem:
            return GridAnswer(empty, None, None, ask.problem)
        filters = {**dict(q.filters), **dict(ask.filters)}
        if q.indicator:
            page = reader.indicator_records(q.indicator, q.region, q.frequency, q.period, key=q.key, filters=filters,
                                            sort=ask.sort, offset=ask.offset, limit=ask.limit)
        else:
            page = reader.records(feed, filters={"region": q.region, **filters}, sort=ask.sort,
                                  offset=ask.offset, limit=ask.limit)
    except OutOfTheme:
        return GridAnswer(empty, None, None, t("records.bad_query.theme", reader.viewer.lang))
    except (ValueError, KeyError, OutOfScope) as error:
        return GridAnswer(empty, None, None, problem_text(error))
    rows = grid_row_data(page.rows, columns, reader.viewer.lang)
    return GridAnswer({"rowData": rows, "rowCount": int(page.total)}, int(page.total), shown_query(q, ask), None,
                      filtered=bool(ask.filters))


EXPORT_CLASS = "d-inline-flex gap-2 align-items-center"


def grid_outputs(answer: GridAnswer, q: RecordsQuery, lang: str) -> tuple:
    """The rows callback's outputs: the grid's response, the xlsx and csv links of what is shown,
    the export group's class (disabled when what is shown has no URL), the count after the grid's
    filters, and the problem (text, whether shown)."""
    problem = t("records.bad_filter", lang, problem=answer.problem) if answer.problem else ""
    count = t("records.grid_count", lang, n=f"{answer.total:,}") if answer.filtered and answer.total is not None else ""
    if answer.shown is None:
        if not problem:
            problem = t("records.export_range", lang)
        return (answer.response, None, None, f"{EXPORT_CLASS} records-export-off", count, problem, bool(problem))
    return (answer.response, export_href(answer.shown, "xlsx", lang), export_href(answer.shown, "csv", lang),
            EXPORT_CLASS, count, problem, bool(problem))


# -- the page ------------------------------------------------------------------------------------

def _active_set(view: Any, q: RecordsQuery) -> Mapping[str, Any] | None:
    return next((s for s in view.sets if s.get("key") == q.key), None)


def count_line(view: Any, q: RecordsQuery, reader: Any, lang: str) -> html.Div:
    """"共 1,234 条 = 指标值 1,234 件": the rows beside the value they make; for a sum, that the value
    is a total over the rows; with cross-filters, that the value counts all rows."""
    total = int(view.page.total)
    parts: list[Any] = [html.Span(t("records.count", lang, n=f"{total:,}"), className="fw-bold fs-5 me-2",
                                  id="records-count")]
    if q.indicator:
        unit = str(view.unit or "")
        active = _active_set(view, q)
        decimals = int(reader.indicator(str(active["indicator"])).get("decimals") or 0) if active else 0
        value = view.value
        shown_value = (f"{exact_number(value, decimals)}{unit}" if unit == "%" else
                       f"{exact_number(value, decimals)} {reader.unit_label(unit)}".rstrip()) if value is not None \
            else t("records.no_value", lang)
        if value is None:
            parts.append(html.Span(t("records.no_value_here", lang), className="text-muted", id="records-value"))
        elif not view.counts:
            parts.append(html.Span([html.I(className="bi bi-sigma me-1"),
                                    t("records.sum_notice", lang, value=shown_value)], className="text-muted",
                                   id="records-value"))
        elif q.filters:
            parts.append(html.Span(t("records.count_filtered", lang, value=shown_value), className="text-muted",
                                   id="records-value"))
        elif round(float(value)) == total:
            parts.append(html.Span([t("records.count_equals", lang, value=shown_value),
                                    html.I(className="bi bi-check-circle-fill ms-2 change-better")],
                                   className="fw-bold fs-5", id="records-value"))
        else:
            parts.append(html.Span([html.I(className="bi bi-exclamation-triangle-fill me-1"),
                                    t("records.count_differs", lang, value=shown_value)],
                                   className="change-worse", id="records-value"))
    parts.append(html.Span(id="records-grid-count", className="ms-3 text-muted"))
    return html.Div(parts, className="d-flex flex-wrap align-items-baseline mb-2")


def export_group(lang: str) -> html.Div:
    """The export links; their hrefs are set by the rows callback to what the grid shows."""
    return html.Div([
        html.Span(t("records.export", lang), className="small text-muted", title=t("records.export_hint", lang)),
        html.A([html.I(className="bi bi-file-earmark-excel me-1"), t("records.export_xlsx", lang)],
               id="records-export-xlsx", className="btn btn-outline-primary btn-sm", title=t("records.export_hint", lang)),
        html.A([html.I(className="bi bi-filetype-csv me-1"), t("records.export_csv", lang)],
               id="records-export-csv", className="btn btn-outline-primary btn-sm", title=t("records.export_hint", lang)),
    ], id="records-export", className=f"{EXPORT_CLASS} records-export-off")


def back_links(q: RecordsQuery, lang: str) -> html.Div:
    links: list[Any] = []
    href = indicator_back_href(q)
    if href:
        links.append(dcc.Link([html.I(className="bi bi-arrow-left me-1"), t("records.back_indicator", lang)],
                              href=href, id="records-back-indicator", className="me-3"))
    links.append(html.Button([html.I(className="bi bi-arrow-counterclockwise me-1"), t("records.back", lang)],
                             id="records-back", className="btn btn-link btn-sm p-0 align-baseline"))
    return html.Div(links, className="small mb-1")


def page_title(view: Any, q: RecordsQuery, reader: Any, lang: str) -> str:
    """"受理工单量 · 绍兴市 · 2026-10" (the indicator whose number this is, not the part shown), or
    "12345热线工单 · 某网格" for a feed's own rows."""
    region = reader.region_name(q.region)
    if not q.indicator:
        return t("records.title_feed", lang, feed=view.title, region=region)
    meta = reader.indicator(q.indicator)
    name = meta.get("name_zh") if lang == "zh" else meta.get("name_en")
    return t("records.title", lang, indicator=name, region=region, period=q.period)


def extra_notice(view: Any, lang: str) -> str | None:
    """The view's notice less what the page already says beside it (masking, the filtered count, a sum)."""
    from cockpit.views.records import NOTICES

    text = str(view.notice or "")
    for said in ("masked", "filtered", "sum"):
        text = text.replace(NOTICES[said][lang], "")
    return text.strip() or None


def _formula(reader: Any, q: RecordsQuery, sets: Sequence[Mapping[str, Any]]) -> str | None:
    keys = {s.get("key") for s in sets}
    if keys != {"numerator", "denominator"}:
        return None
    meta = reader.indicator(q.indicator)
    name = meta.get("name_zh") if reader.viewer.lang == "zh" else meta.get("name_en")
    return t("records.formula", reader.viewer.lang, name=name, value=indicator_value(reader, q))


def page_grid_props(view: Any, q: RecordsQuery, reader: Any, lang: str) -> dict:
    """The grid's properties for a records view: its shown columns, the locked ones, the URL's sort."""
    shown = [c for c in view.columns if not c.get("hidden")]
    return grid_props(shown, lang, locked=locked_columns(reader, q, shown), pinned=shown[0]["name"] if shown else None,
                      sort=q.sort)


def records_page(view: Any, q: RecordsQuery, reader: Any, lang: str, grid: Any) -> html.Div:
    """The page body for a records view around its `grid` (built by the page from
    `page_grid_props`): back links, title and lead, record sets, the count and the value, chips,
    masking note, export links and the grid's problem line."""
    columns = list(view.columns)
    labels = {c["name"]: str(c.get("label") or c["name"]) for c in columns}
    personal_allowed = bool(getattr(reader.viewer, "personal_data", False))
    return html.Div([
        back_links(q, lang),
        html.H2(page_title(view, q, reader, lang), className="page-title", id="records-title"),
        html.P(t("records.lead" if q.indicator else "records.lead_feed", lang), className="text-muted mb-2",
               id="records-lead"),
        set_tabs(q, view.sets, lang, formula=_formula(reader, q, view.sets)) if q.indicator else None,
        count_line(view, q, reader, lang),
        html.Div([html.I(className="bi bi-info-circle me-1"), notice], className="small text-muted mb-2",
                 id="records-notice") if (notice := extra_notice(view, lang)) else None,
        filter_chips(q, labels, lang),
        masking_note(columns, personal_allowed, lang),
        html.Div([export_group(lang),
                  html.Span(t("records.filter_hint", lang), className="small text-muted ms-3 d-none d-xl-inline")],
                 className="d-flex align-items-center mb-2"),
        dbc.Alert(id="records-grid-problem", color="warning", is_open=False, className="py-2 small mb-2"),
        grid,
    ], className="records-page")
