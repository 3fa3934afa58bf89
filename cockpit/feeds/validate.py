"""Check a frame against a table contract, column by column, vectorised.

Every column is converted to its storage type (see `ARROW_TYPES`) with pyarrow compute and
numpy, never a Python loop over rows: the demo build pushes millions of rows through here.
Text is parsed (the formats are listed in `data/contracts/README.md`); columns that already
hold the right kind of values (numpy ints, floats, bools, datetimes) skip text parsing.
Only the rows that fail are visited one by one, to word their reasons.

A reason names the column, the value as read and the rule, e.g.
`region_code: '339999' is not a region code in the hierarchy`; a row failing several rules
gets them all, joined with "; ".
"""

from __future__ import annotations

import difflib
import re
import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from cockpit.config import now as clock_now
from cockpit.feeds.contracts import TIME_TYPES, Column, TableContract
from cockpit.feeds.readers import HeaderCheck, clean_header, row_sheets
from cockpit.regions.hierarchy import Hierarchy

# Timestamps in the lake are naive local wall-clock times (see docs/ARCHITECTURE.md): values that
# carry a UTC offset, and zoned Parquet or pandas timestamps, are converted to this zone.
LOCAL_TIMEZONE = "Asia/Shanghai"

ARROW_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "integer": pa.int64(),
    "float": pa.float64(),
    "boolean": pa.bool_(),
    "timestamp": pa.timestamp("us"),
    "date": pa.date32(),
    "month": pa.date32(),
    "quarter": pa.date32(),
}

TRUE_WORDS = ("true", "1", "是", "y", "yes")
FALSE_WORDS = ("false", "0", "否", "n", "no")

# What a value failing to parse "is not", by column type.
TYPE_NOUNS = {
    "integer": "an integer",
    "float": "a number",
    "boolean": "a boolean (true/false, 1/0, 是/否, Y/N, yes/no)",
    "timestamp": "a timestamp (YYYY-MM-DD HH:MM[:SS], YYYY/MM/DD HH:MM[:SS] or ISO 8601)",
    "date": "a date (YYYY-MM-DD, YYYY/MM/DD or YYYY年M月D日)",
    "month": "a month (YYYY-MM, YYYY/MM, YYYY年M月 or a date)",
    "quarter": "a quarter (YYYYQn, YYYY-Qn, YYYY年n季度 or a date)",
}

_INTEGER_TEXT = r"^[+-]?\d{1,18}(\.0*)?$"  # 18 digits always fit int64
_FLOAT_TEXT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_MIDNIGHT = r"(?:[T ]+0{1,2}:00(?::00(?:\.0+)?)?)?"
_TIMESTAMP_TEXT = (
    r"^(?P<y>\d{4})[-/](?P<m>\d{1,2})[-/](?P<d>\d{1,2})"
    r"(?:[T ]+(?P<H>\d{1,2}):(?P<M>\d{2})(?::(?P<S>\d{2})(?:[.,](?P<f>\d+))?)?)?"
    r"\s*(?:(?P<z>Z)|(?P<sign>[+-])(?P<oh>\d{2}):?(?P<om>\d{2}))?$"
)
_USUAL_TIMESTAMP_TEXT = r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$"
_USUAL_TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S"
# Applied after `_normalise_date_text`, which turns 年/月/日 and slashes into dashes.
_DATE_TEXT = r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})" + _MIDNIGHT + "$"
_MONTH_TEXT = r"^(?P<y>\d{4})-(?P<m>\d{1,2})(?:-(?P<d>\d{1,2})" + _MIDNIGHT + ")?$"
_QUARTER_TEXT = r"^(?P<y>\d{4})(?:-?Q(?P<q>[1-4])|年第?(?P<qzh>[1-4])季度)$"

_NULL_TEXT = pa.scalar(None, pa.string())


def storage_schema(contract: TableContract) -> pa.Schema:
    """The Arrow schema of the table's lake files: contract columns in order, storage types."""
    return pa.schema([pa.field(c.name, ARROW_TYPES[c.type]) for c in contract.columns])


# -- headers -------------------------------------------------------------------------------

@dataclass(frozen=True)
class ColumnMatch:
    positions: dict[str, int]
    """Contract column name -> position of the frame column holding it."""
    ignored: list[str]
    """Headers that name no contract column, each with the closest column name when one is close."""
    missing: list[Column]
    """Contract columns no header names."""
    conflicts: list[str]
    """Problems that stop the file: two headers naming the same column, or a header that is
    probably a misspelt column the file then lacks."""

    @property
    def missing_required(self) -> list[Column]:
        return [c for c in self.missing if c.required]


# How alike (difflib ratio) a header and a column name or label must be to be suggested:
# 'satisfation' and satisfaction are 0.96 apart, 满意程度 and 满意度 0.86; 备注 or remark are near none.
_SUGGESTION_CUTOFF = 0.8


def normal_header(name: object) -> str:
    """A header as people meant it: line breaks, tabs and repeated or full-width spaces as one space."""
    return " ".join(clean_header(name).split())


def match_columns(headers: Sequence[object], contract: TableContract) -> ColumnMatch:
    """Which frame column holds which contract column: by English name (any case) or label_zh.

    Headers are compared as `normal_header` gives them; a label also matches without its spaces
    (受理 时间, or 受理 and 时间 on two lines of one cell) and a name with spaces for its
    underscores (created at).
    """
    by_name = {c.name.lower(): c.name for c in contract.columns}
    by_label = {"".join(c.label_zh.split()): c.name for c in contract.columns}
    positions: dict[str, int] = {}
    unmatched: list[tuple[int, str]] = []
    conflicts: list[str] = []
    cleaned = [normal_header(h) for h in headers]
    for position, header in enumerate(cleaned):
        name = (by_name.get(header.lower()) or by_name.get(header.lower().replace(" ", "_"))
                or by_label.get(header.replace(" ", "")))
        if name is None:
            unmatched.append((position, header))
        elif name in positions:
            conflicts.append(f"columns {cleaned[positions[name]]!r} and {header!r} both hold {name}")
        else:
            positions[name] = position
    missing = [c for c in contract.columns if c.name not in positions]
    ignored: list[str] = []
    for position, header in unmatched:
        if not header:
            ignored.append(f"(column {position + 1}, no header)")
            continue
        close = _closest_column(header, contract)
        if close is None:
            ignored.append(header)
            continue
        ignored.append(f"{header} (did you mean {close.name} / {close.label_zh}?)")
        if close in missing:
            conflicts.append(f"column {header!r} is not a column of {contract.name} and {close.name} "
                             f"({close.label_zh}) is missing: did you mean {close.name}? rename the header")
    return ColumnMatch(positions, ignored, missing, conflicts)


def _closest_column(header: str, contract: TableContract) -> Column | None:
    """The contract column whose name or label is closest to a header, if any is close."""
    candidates: dict[str, Column] = {}
    for column in contract.columns:
        candidates[column.name] = column
        candidates[column.label_zh] = column
    close = difflib.get_close_matches(header.lower(), list(candidates), n=1, cutoff=_SUGGESTION_CUTOFF)
    return candidates[close[0]] if close else None


def header_check(contract: TableContract) -> HeaderCheck:
    """Whether a header row holds the contract's columns, as a reader asks of each workbook sheet."""
    def check(headers: list[str]) -> str | None:
        match = match_columns(headers, contract)
        if match.conflicts:
            return match.conflicts[0]
        if match.missing_required:
            return "missing required " + ", ".join(f"{c.name} ({c.label_zh})" for c in match.missing_required)
        return None
    return check


# -- values as text ------------------------------------------------------------------------

def as_text(series: pd.Series) -> pa.Array:
    """The values as text, untrimmed, null where missing: what quarantine keeps and reasons quote."""
    dtype = series.dtype
    if pd.api.types.is_object_dtype(dtype):
        if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
            return pa.array(series.to_numpy(), type=pa.string(), from_pandas=True)
        return pa.array([_scalar_text(v) for v in series], type=pa.string())
    if (pd.api.types.is_string_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype)
            or pd.api.types.is_datetime64_any_dtype(dtype)):
        arrow = pa.array(series, from_pandas=True)
        if isinstance(arrow, pa.ChunkedArray):  # pyarrow-backed pandas columns
            arrow = arrow.combine_chunks()
        return pc.cast(arrow, pa.string())
    return pa.array([_scalar_text(v) for v in series], type=pa.string())


def _scalar_text(value: object) -> str | None:
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _trimmed(text: pa.Array) -> pa.Array:
    """Surrounding whitespace removed; empty text becomes null."""
    trimmed = pc.utf8_trim_whitespace(text)
    return pc.if_else(pc.equal(pc.utf8_length(trimmed), 0), _NULL_TEXT, trimmed)


def _np_bool(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    return np.asarray(pc.fill_null(values, False).to_numpy(zero_copy_only=False), dtype=bool)


def _valid(values: pa.Array) -> np.ndarray:
    return _np_bool(values.is_valid())


# -- conversion to storage types -----------------------------------------------------------

@dataclass
class _Converted:
    values: pa.Array
    """Storage type, null where the cell is missing or does not parse."""
    present: np.ndarray
    """A value was given."""
    unparsed: np.ndarray
    """A value was given but it is not of the column's type."""
    numbers: np.ndarray | None = None
    """float64 view of integer and float values, for min/max."""


def _convert(series: pd.Series, column_type: str) -> _Converted:
    if pd.api.types.is_object_dtype(series.dtype):
        series = _datetime_objects(series)
    dtype = series.dtype
    numeric = pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if column_type == "integer" and numeric:
        return _integers_from_numbers(series)
    if column_type == "float" and numeric:
        numbers = series.to_numpy(dtype=np.float64, na_value=np.nan)
        present = ~np.isnan(numbers)
        ok = np.isfinite(numbers)
        return _Converted(pa.array(numbers, mask=~ok), present, present & ~ok, numbers)
    if column_type == "boolean" and pd.api.types.is_bool_dtype(dtype):
        present = ~series.isna().to_numpy()
        return _Converted(pa.array(series.to_numpy(dtype=bool, na_value=False), mask=~present),
                          present, np.zeros(len(series), dtype=bool))
    if column_type in ("timestamp", "date", "month", "quarter") and pd.api.types.is_datetime64_any_dtype(dtype):
        return _from_datetimes(_local_naive(series).to_numpy().astype("datetime64[us]"), column_type)
    text = _trimmed(as_text(series))
    if column_type == "string":
        present = _valid(text)
        return _Converted(text, present, np.zeros(len(series), dtype=bool))
    return _TEXT_PARSERS[column_type](text)


def _datetime_objects(series: pd.Series) -> pd.Series:
    """Object columns of date/datetime objects (Excel, the demo generator) as datetime64."""
    if pd.api.types.infer_dtype(series, skipna=True) not in ("datetime", "datetime64", "date"):
        return series
    try:
        return pd.to_datetime(series)
    except (ValueError, TypeError):  # mixed time zones and such: let the text parser judge each value
        return series


def _local_naive(series: pd.Series) -> pd.Series:
    if getattr(series.dtype, "tz", None) is not None:
        return series.dt.tz_convert(LOCAL_TIMEZONE).dt.tz_localize(None)
    return series


def _integers_from_numbers(series: pd.Series) -> _Converted:
    if pd.api.types.is_integer_dtype(series.dtype):
        present = ~series.isna().to_numpy()
        integers = series.to_numpy(dtype=np.int64, na_value=0)
        return _Converted(pa.array(integers, mask=~present), present,
                          np.zeros(len(series), dtype=bool), integers.astype(np.float64))
    numbers = series.to_numpy(dtype=np.float64, na_value=np.nan)
    present = ~np.isnan(numbers)
    with np.errstate(invalid="ignore"):
        ok = np.isfinite(numbers) & (numbers == np.floor(numbers)) & (np.abs(numbers) < 2**63)
    integers = np.where(ok, numbers, 0).astype(np.int64)
    return _Converted(pa.array(integers, mask=~ok), present, present & ~ok, numbers)


def _from_datetimes(values: np.ndarray, column_type: str) -> _Converted:
    present = ~np.isnat(values)
    ok = present.copy()
    if column_type == "timestamp":
        return _Converted(pa.array(values, type=pa.timestamp("us"), mask=~ok), present, present & ~ok)
    days = values.astype("datetime64[D]")
    if column_type == "date":
        ok &= days == values  # a date column takes midnight only, not a time of day
    elif column_type == "month":
        days = values.astype("datetime64[M]").astype("datetime64[D]")
    else:
        days = _quarter_start(values.astype("datetime64[M]"))
    return _Converted(pa.array(days, type=pa.date32(), mask=~ok), present, present & ~ok)


def _quarter_start(months: np.ndarray) -> np.ndarray:
    index = months.astype(np.int64)  # months since 1970-01, the start of a quarter
    return (index - index % 3).astype("datetime64[M]").astype("datetime64[D]")


def _parse_integer(text: pa.Array) -> _Converted:
    present = _valid(text)
    ok = _np_bool(pc.match_substring_regex(text, _INTEGER_TEXT))
    digits = pc.replace_substring_regex(text, r"^\+|\.0*$", "")
    values = pc.cast(pc.if_else(pa.array(ok), digits, _NULL_TEXT), pa.int64())
    numbers = values.to_numpy(zero_copy_only=False).astype(np.float64)
    return _Converted(values, present, present & ~ok, numbers)


def _parse_float(text: pa.Array) -> _Converted:
    present = _valid(text)
    syntax = _np_bool(pc.match_substring_regex(text, _FLOAT_TEXT))
    values = pc.cast(pc.if_else(pa.array(syntax), text, _NULL_TEXT), pa.float64())
    numbers = values.to_numpy(zero_copy_only=False).astype(np.float64)
    ok = syntax & np.isfinite(numbers)  # "1e999" has the syntax but overflows to inf
    return _Converted(pa.array(numbers, mask=~ok), present, present & ~ok, numbers)


def _parse_boolean(text: pa.Array) -> _Converted:
    present = _valid(text)
    lower = pc.utf8_lower(text)
    true = _np_bool(pc.is_in(lower, value_set=pa.array(TRUE_WORDS)))
    false = _np_bool(pc.is_in(lower, value_set=pa.array(FALSE_WORDS)))
    ok = true | false
    return _Converted(pa.array(true, mask=~ok), present, present & ~ok)


def _parse_timestamp(text: pa.Array) -> _Converted:
    present = _valid(text)
    values = np.full(len(text), np.datetime64("NaT"), dtype="datetime64[us]")
    ok = np.zeros(len(text), dtype=bool)
    # The layout of nearly every export (and of pandas and Excel) goes through Arrow's strptime,
    # several times faster than the regular expression all other layouts go through.
    usual = _np_bool(pc.match_substring_regex(text, _USUAL_TIMESTAMP_TEXT))
    if usual.any():
        usual_text = text.filter(pa.array(usual))
        parsed = pc.strptime(usual_text, format=_USUAL_TIMESTAMP_FORMAT, unit="us", error_is_null=True)
        # strptime rolls 30 February over into March; a changed day of the month gives it away.
        same_day = pc.equal(pc.day(parsed), pc.cast(pc.utf8_slice_codeunits(usual_text, 8, 10), pa.int64()))
        values[usual] = parsed.to_numpy(zero_copy_only=False)
        ok[usual] = _np_bool(same_day)
    others = present & ~usual
    if others.any():
        values[others], ok[others] = _timestamps_from_parts(text.filter(pa.array(others)))
    return _Converted(pa.array(values, type=pa.timestamp("us"), mask=~ok), present, present & ~ok)


def _timestamps_from_parts(text: pa.Array) -> tuple[np.ndarray, np.ndarray]:
    """Any accepted layout, via the parts `_TIMESTAMP_TEXT` extracts; UTC offsets become local time."""
    parts = pc.extract_regex(text, _TIMESTAMP_TEXT)
    number = _part_numbers(parts)
    days, ok = _days(number("y"), number("m"), number("d"))
    hours, minutes, seconds = number("H"), number("M"), number("S")
    ok &= _valid(parts) & (hours < 24) & (minutes < 60) & (seconds < 60)
    micros = _to_int(pc.utf8_rpad(pc.utf8_slice_codeunits(parts.field("f"), 0, 6), 6, "0"))
    time_of_day = (((hours * 60 + minutes) * 60 + seconds) * 1_000_000 + micros).astype("timedelta64[us]")
    values = days.astype("datetime64[us]") + time_of_day
    zulu = _np_bool(pc.equal(parts.field("z"), "Z"))
    with_offset = ok & (zulu | _np_bool(pc.not_equal(parts.field("sign"), "")))
    if with_offset.any():
        sign = np.where(_np_bool(pc.equal(parts.field("sign"), "-")), -1, 1)
        offset = (sign * (number("oh") * 60 + number("om")) * 60_000_000).astype("timedelta64[us]")
        utc = values[with_offset] - offset[with_offset]
        local = pd.DatetimeIndex(utc).tz_localize("UTC").tz_convert(LOCAL_TIMEZONE).tz_localize(None)
        values[with_offset] = local.to_numpy().astype("datetime64[us]")
    return values, ok


def _normalise_date_text(text: pa.Array) -> pa.Array:
    """2026年10月1日 and 2026/10/01 become 2026-10-1 and 2026-10-01; 2026年10月 becomes 2026-10."""
    text = pc.replace_substring(text, "/", "-")
    text = pc.replace_substring(text, "年", "-")
    text = pc.replace_substring(text, "月", "-")
    text = pc.replace_substring(text, "日", "")
    return pc.utf8_rtrim(text, characters="-")


def _parse_date(text: pa.Array) -> _Converted:
    present = _valid(text)
    days, ok = _date_parts(_normalise_date_text(text), _DATE_TEXT)
    return _Converted(pa.array(days, type=pa.date32(), mask=~ok), present, present & ~ok)


def _date_parts(normalised: pa.Array, pattern: str) -> tuple[np.ndarray, np.ndarray]:
    parts = pc.extract_regex(normalised, pattern)
    number = _part_numbers(parts)
    days, ok = _days(number("y"), number("m"), np.maximum(number("d"), 1))
    return days, ok & _valid(parts)


def _parse_month(text: pa.Array) -> _Converted:
    present = _valid(text)
    days, ok = _date_parts(_normalise_date_text(text), _MONTH_TEXT)
    first = days.astype("datetime64[M]").astype("datetime64[D]")
    return _Converted(pa.array(first, type=pa.date32(), mask=~ok), present, present & ~ok)


def _parse_quarter(text: pa.Array) -> _Converted:
    present = _valid(text)
    parts = pc.extract_regex(pc.utf8_upper(text), _QUARTER_TEXT)
    ok = _valid(parts)
    number = _part_numbers(parts)
    quarter = np.maximum(number("q"), number("qzh"))
    months = (number("y") - 1970) * 12 + (np.clip(quarter, 1, 4) - 1) * 3
    first = months.astype("datetime64[M]").astype("datetime64[D]")
    as_date = present & ~ok
    if as_date.any():  # a date stands for the quarter it falls in
        days, ok_date = _date_parts(_normalise_date_text(text), _DATE_TEXT)
        use = as_date & ok_date
        first[use] = _quarter_start(days[use].astype("datetime64[M]"))
        ok |= use
    return _Converted(pa.array(first, type=pa.date32(), mask=~ok), present, present & ~ok)


def _part_numbers(parts: pa.StructArray) -> Callable[[str], np.ndarray]:
    """Reads a named group of an extract_regex result as int64; unmatched groups read 0."""
    return lambda name: _to_int(parts.field(name))


def _to_int(digits: pa.Array) -> np.ndarray:
    filled = pc.if_else(pc.equal(pc.fill_null(digits, ""), ""), "0", pc.fill_null(digits, "0"))
    return pc.cast(filled, pa.int64()).to_numpy(zero_copy_only=False)


def _days(year: np.ndarray, month: np.ndarray, day: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Calendar dates from parts, and which parts make a real date (no 30 February)."""
    ok = (month >= 1) & (month <= 12) & (day >= 1) & (day <= 31)
    first = ((year - 1970) * 12 + np.clip(month, 1, 12) - 1).astype("datetime64[M]")
    days = first.astype("datetime64[D]") + (np.clip(day, 1, 31) - 1).astype("timedelta64[D]")
    ok &= days.astype("datetime64[M]") == first
    return days, ok


_TEXT_PARSERS: dict[str, Callable[[pa.Array], _Converted]] = {
    "integer": _parse_integer,
    "float": _parse_float,
    "boolean": _parse_boolean,
    "timestamp": _parse_timestamp,
    "date": _parse_date,
    "month": _parse_month,
    "quarter": _parse_quarter,
}


# -- rules ---------------------------------------------------------------------------------

# A broken rule: which rows break it and how to word it, given the value as read (None: empty).
_Failure = tuple[np.ndarray, Callable[[str], str]]


@dataclass
class CheckedRows:
    table: pa.Table
    """Every row in storage types (`storage_schema`); cells that failed are null."""
    problems: dict[int, str] = field(default_factory=dict)
    """Row position -> the reason the row cannot be loaded."""


_HIERARCHY_ARRAYS: weakref.WeakKeyDictionary[Hierarchy, tuple[pa.Array, pa.Array]] = weakref.WeakKeyDictionary()


def _hierarchy_arrays(hierarchy: Hierarchy) -> tuple[pa.Array, pa.Array]:
    """Codes and their levels as Arrow arrays, built once a hierarchy."""
    arrays = _HIERARCHY_ARRAYS.get(hierarchy)
    if arrays is None:
        regions = list(hierarchy)
        arrays = (pa.array([r.code for r in regions], pa.string()), pa.array([r.level for r in regions], pa.string()))
        _HIERARCHY_ARRAYS[hierarchy] = arrays
    return arrays


def check_rows(frame: pd.DataFrame, match: ColumnMatch, contract: TableContract,
               hierarchy: Hierarchy, now: datetime | None = None) -> CheckedRows:
    """Convert every column to its storage type and check every rule of the contract.

    `now` (default `config.now()`, so a replayed day judges as it would have then) bounds
    how far ahead of the present time values may lie.
    """
    rows = len(frame)
    latest = _plausible_now(now)
    arrays: list[pa.Array] = []
    problems: dict[int, list[str]] = {}
    for column in contract.columns:
        position = match.positions.get(column.name)
        if position is None:  # an optional column the source does not have
            arrays.append(pa.nulls(rows, ARROW_TYPES[column.type]))
            continue
        series = frame.iloc[:, position]
        converted = _convert(series, column.type)
        arrays.append(converted.values)
        failures = _failures(column, converted, contract, hierarchy, latest)
        if any(mask.any() for mask, _ in failures):
            raw = as_text(series)
            for mask, describe in failures:
                _record(problems, column, mask, describe, raw)
    table = pa.Table.from_arrays(arrays, schema=storage_schema(contract))
    sheets = row_sheets(frame)  # a row number alone is ambiguous in a workbook of several data sheets
    return CheckedRows(table, {
        row: (f"sheet {sheets[row]!r}: " if sheets else "") + "; ".join(reasons)
        for row, reasons in sorted(problems.items())
    })


def _plausible_now(now: datetime | None) -> datetime:
    """The present as a naive local time, like the lake's timestamps."""
    now = now if now is not None else clock_now()
    if now.tzinfo is not None:
        now = pd.Timestamp(now).tz_convert(LOCAL_TIMEZONE).tz_localize(None).to_pydatetime()
    return now


def _record(problems: dict[int, list[str]], column: Column, mask: np.ndarray,
            describe: Callable[[str], str], raw: pa.Array) -> None:
    rows = np.flatnonzero(mask)
    if not len(rows):
        return
    shown = raw.take(pa.array(rows)).to_pylist()
    for row, value in zip(rows.tolist(), shown, strict=True):
        problems.setdefault(row, []).append(f"{column.name}: {describe(value)}")


def _quote(value: str | None) -> str:
    if value is None:
        return "empty"
    return repr(value if len(value) <= 60 else value[:57] + "…")


def _failures(column: Column, converted: _Converted, contract: TableContract,
              hierarchy: Hierarchy, now: datetime) -> list[_Failure]:
    present, unparsed = converted.present, converted.unparsed
    failures: list[_Failure] = []
    if column.required:
        failures.append((~present, lambda _: "required but empty"))
    if column.type != "string":
        noun = TYPE_NOUNS[column.type]
        failures.append((unparsed, lambda v: f"{_quote(v)} is not {noun}"))
    valid = present & ~unparsed
    values = converted.values
    if column.allowed is not None:
        text = values if column.type == "string" else pc.cast(values, pa.string())
        allowed = ", ".join(column.allowed)
        outside = valid & ~_np_bool(pc.is_in(text, value_set=pa.array(column.allowed, pa.string())))
        failures.append((outside, lambda v: f"{_quote(v)} is not one of {allowed}"))
    if converted.numbers is not None:
        with np.errstate(invalid="ignore"):
            if column.min is not None:
                minimum = column.min
                failures.append((valid & (converted.numbers < minimum), lambda v: f"{_quote(v)} is below the minimum {minimum}"))
            if column.max is not None:
                maximum = column.max
                failures.append((valid & (converted.numbers > maximum), lambda v: f"{_quote(v)} is above the maximum {maximum}"))
    if column.type == "string":
        failures.extend(_too_long(values, valid, column.max_length))
    if column.type in TIME_TYPES:
        failures.extend(_implausible_times(column, values, valid, contract, now))
    if column.pattern is not None and column.type == "string":
        pattern = column.pattern
        failures.append((valid & ~_fullmatch(values, pattern), lambda v: f"{_quote(v)} does not match the pattern {pattern}"))
    if column.name == contract.region_column:
        failures.extend(_region_failures(pc.cast(values, pa.string()), valid, contract, hierarchy))
    return failures


def _too_long(values: pa.Array, valid: np.ndarray, limit: int) -> list[_Failure]:
    # A value's bytes bound its characters, and byte lengths come from the offsets alone: in
    # the usual file nothing comes near the limit and no character is counted.
    longest = pc.max(pc.binary_length(values)).as_py()
    if longest is None or longest <= limit:
        return []
    too_long = valid & (pc.fill_null(pc.utf8_length(values), 0).to_numpy(zero_copy_only=False) > limit)
    return [(too_long, lambda v: f"{_quote(v)} is {len(v.strip()):,} characters long, over the limit of {limit:,}")]


def _implausible_times(column: Column, values: pa.Array, valid: np.ndarray, contract: TableContract,
                       now: datetime) -> list[_Failure]:
    """Values before the feed's declared start, or further ahead of now than it allows.

    A date, month or quarter is judged by its first day: statistics for next month are in the
    future until it begins, whatever day of this month it is.
    """
    valid_from, tolerance_days = contract.plausible_time(column)
    latest_time = now + timedelta(days=tolerance_days)
    earliest, latest = np.datetime64(valid_from, "us"), np.datetime64(latest_time, "us")
    bounds = pc.min_max(values)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    if low is None or (np.datetime64(low, "us") >= earliest and np.datetime64(high, "us") <= latest):
        return []  # the usual column: every value plausible, no row to visit
    stamps = values.to_numpy(zero_copy_only=False).astype("datetime64[us]")
    with np.errstate(invalid="ignore"):
        early = valid & (stamps < earliest)
        late = valid & (stamps > latest)
    ahead = f"now + {tolerance_days:g} day{'s' if tolerance_days != 1 else ''}"
    return [
        (early, lambda v: f"{_quote(v)} is before {valid_from.isoformat()}, the earliest time {contract.name} "
                          "declares (valid_from)"),
        (late, lambda v: f"{_quote(v)} is in the future: after {latest_time:%Y-%m-%d %H:%M} ({ahead}, "
                         "future_tolerance_days)"),
    ]


def _fullmatch(text: pa.Array, pattern: str) -> np.ndarray:
    anchored = f"^(?:{pattern})$"
    try:
        return _np_bool(pc.match_substring_regex(text, anchored))
    except pa.ArrowInvalid:  # Python-only syntax (backreferences, lookaround) that RE2 lacks
        regex = re.compile(anchored)
        return np.array([v is not None and regex.match(v) is not None for v in text.to_pylist()], dtype=bool)


def _region_failures(codes: pa.Array, valid: np.ndarray, contract: TableContract,
                     hierarchy: Hierarchy) -> list[_Failure]:
    known_codes, known_levels = _hierarchy_arrays(hierarchy)
    index = pc.index_in(codes, value_set=known_codes)
    known = _valid(index)
    failures: list[_Failure] = [(valid & ~known, lambda v: f"{_quote(v)} is not a region code in the hierarchy")]
    if contract.region_levels:
        expected = " or ".join(contract.region_levels)
        levels = known_levels.take(index)
        for level in sorted(set(pc.unique(levels.drop_null()).to_pylist()) - set(contract.region_levels)):
            at_level = valid & known & _np_bool(pc.equal(levels, level))
            failures.append((at_level, lambda v, level=level: f"{_quote(v)} is a {level} code, expected a {expected} code"))
    return failures
