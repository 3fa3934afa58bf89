"""Read a source file into a DataFrame of raw values, remembering where each row came from.

Readers do no type inference: CSV and XLSX cells arrive as text (an empty cell is ""); JSON
lines keep JSON's own scalars and Parquet keeps the types the file declares, because
turning those into text and back would only lose precision. Checking values against a
contract is `validate`'s job. Each row carries the number a person would look for in the
source: CSV physical line (header = line 1), XLSX sheet row, JSON line, Parquet row index + 1.

Rows whose every cell is empty are dropped: spreadsheet exports are full of them and they
hold no data. A problem with the whole file raises `ReadError` naming the line where it
applies; a problem with one row (a CSV line with more fields than the header) is kept in
`RawTable.row_problems` so that row alone is quarantined.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

_UTF8_BOM = codecs.BOM_UTF8
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (BIFF) workbooks
_PARQUET_MAGIC = b"PAR1"


class ReadError(ValueError):
    """The file as a whole cannot be read; `line` is where the problem is, when there is one."""

    def __init__(self, problem: str, line: int | None = None):
        super().__init__(problem)
        self.problem = problem
        self.line = line


@dataclass
class RawTable:
    frame: pd.DataFrame
    """Columns named by the file's headers (stripped of whitespace and BOM), values as read."""
    line_numbers: np.ndarray
    """int64, one a row: where the row is in the source file."""
    encoding: str | None = None
    """The text encoding used (CSV, JSON lines), None for binary formats."""
    header_line: int | None = None
    """Where the header is, for messages about missing columns; None when there is no header row."""
    row_problems: dict[int, str] = field(default_factory=dict)
    """Row position -> a problem found while reading that row."""


def clean_header(name: object) -> str:
    """A header as people meant it: without surrounding whitespace or a stray BOM."""
    return str(name).replace("\ufeff", "").strip()


def to_utf8(data: bytes, encoding: str | None) -> tuple[bytes, str]:
    """The bytes as UTF-8 without BOM, and the encoding they were in.

    `encoding` if given; otherwise UTF-8 (with or without BOM), else GB18030: a superset of GBK
    and GB2312, the encodings of most Chinese government exports. UTF-8 is checked with Arrow,
    several times faster than decoding in Python, and then passed on as it is.
    """
    if encoding is not None:
        try:
            codec = codecs.lookup(encoding).name
        except LookupError:
            raise ReadError(f"unknown encoding {encoding!r}") from None
        try:
            text = data.decode(codec)
        except UnicodeDecodeError as exc:
            raise ReadError(
                f"the bytes are not valid {encoding} (byte 0x{data[exc.start]:02x}); check --encoding",
                _line_of_offset(data, exc.start),
            ) from None
        return text.removeprefix("\ufeff").encode("utf-8"), encoding
    if data.startswith(_UTF8_BOM):
        if not _is_utf8(data):
            raise _not_decodable(data, "the file starts with a UTF-8 BOM but is not valid UTF-8")
        return data[len(_UTF8_BOM):], "utf-8-sig"
    if _is_utf8(data):
        return data, "utf-8"
    try:
        return data.decode("gb18030").encode("utf-8"), "gb18030"
    except UnicodeDecodeError:
        raise _not_decodable(data, "the bytes are neither UTF-8 nor GB18030") from None


def decode_text(data: bytes, encoding: str | None) -> tuple[str, str]:
    """The text and the encoding it was in, chosen as `to_utf8` does."""
    utf8, used = to_utf8(data, encoding)
    return utf8.decode("utf-8"), used


def _is_utf8(data: bytes) -> bool:
    try:
        pa.array([data], pa.large_binary()).cast(pa.large_string())
    except pa.ArrowInvalid:
        return False
    return True


def _not_decodable(data: bytes, problem: str) -> ReadError:
    """Names the first byte that is not UTF-8: where the file's own encoding shows."""
    try:
        data.decode("utf-8")
        offset = 0
    except UnicodeDecodeError as exc:
        offset = exc.start
    return ReadError(f"{problem} (byte 0x{data[offset]:02x}); name the file's encoding with --encoding",
                     _line_of_offset(data, offset))


def _line_of_offset(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def read_csv(path: Path, encoding: str | None = None) -> RawTable:
    data = path.read_bytes()
    if not data:
        raise ReadError("empty file (0 bytes): no header and no data rows", 1)
    utf8, used = to_utf8(data, encoding)
    if not utf8 or utf8.isspace():
        raise ReadError("no header and no data rows (the file holds only whitespace)", 1)
    headers, frame, lines, row_problems = _parse_csv_fast(utf8) or _parse_csv_exact(utf8.decode("utf-8"))
    if not any(clean_header(h) for h in headers):
        raise ReadError("the first line is empty; it must hold the column headers", 1)
    frame.columns = [clean_header(h) for h in headers]
    return _without_blank_rows(
        RawTable(frame, lines, encoding=used, header_line=1, row_problems=row_problems), "line 1 is the header"
    )


_CsvParse = tuple[list[str], pd.DataFrame, np.ndarray, dict[int, str]]


def _parse_csv_fast(utf8: bytes) -> _CsvParse | None:
    """Arrow's multi-threaded CSV parser, with line numbers worked out from the parsed values.

    Returns None when that cannot be done (blank lines, which Arrow skips; lone CR line ends;
    a header cell with a line break) or a line has more or fewer fields than the header: the
    exact parser then follows the file record by record.
    """
    header_end = utf8.find(b"\n")
    header_line = (utf8 if header_end < 0 else utf8[:header_end]).decode("utf-8")
    headers = next(csv.reader([header_line.removesuffix("\r")]), [])
    if not headers or header_line.count('"') % 2:
        return None
    if utf8.count(b"\r") != utf8.count(b"\r\n"):
        return None
    names = [f"c{i}" for i in range(len(headers))]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(utf8),
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            # large_string: pandas takes it without a copy. Empty cells stay "", as in the file.
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    lines = _record_start_lines(table, utf8.count(b"\n") + (0 if utf8.endswith(b"\n") else 1))
    if lines is None:
        return None
    return headers, table.to_pandas(), lines, {}


def _record_start_lines(table: pa.Table, physical_lines: int) -> np.ndarray | None:
    """The line each record starts on, header = line 1; None if blank lines were skipped.

    A record spans one line plus the line breaks inside its quoted values, and every skipped
    blank line is one more line: so when the total matches the file's lines, no line was
    skipped and each record starts where the ones before it end.
    """
    if table.num_rows + 1 == physical_lines:  # the usual case: one line a record
        return np.arange(2, table.num_rows + 2, dtype=np.int64)
    spans = np.ones(table.num_rows, dtype=np.int64)
    for column in table.columns:
        spans += pc.count_substring(column, "\n").to_numpy()
    if int(spans.sum()) + 1 != physical_lines:
        return None
    return 2 + np.concatenate(([0], np.cumsum(spans)[:-1]))


def _parse_csv_exact(text: str) -> _CsvParse:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        headers = next(reader)
        header_end = reader.line_num
        width = len(headers)
        rows: list[list[str]] = []
        lines: list[int] = []
        problems: dict[int, str] = {}
        previous_end = header_end
        for record in reader:
            start, previous_end = previous_end + 1, reader.line_num
            if not record:  # a blank line
                continue
            if len(record) > width:
                problems[len(rows)] = f"line has {len(record)} fields, the header has {width}"
                record = record[:width]
            rows.append(record + [""] * (width - len(record)))
            lines.append(start)
    except csv.Error as exc:
        raise ReadError(f"not readable as CSV ({exc})", reader.line_num) from None
    frame = pd.DataFrame(rows, columns=range(width), dtype="str") if rows else pd.DataFrame(columns=range(width))
    return headers, frame, np.asarray(lines, dtype=np.int64), problems


def read_xlsx(path: Path, encoding: str | None = None) -> RawTable:
    """The first sheet; the first non-empty row is the header, rows are numbered as in Excel."""
    with path.open("rb") as f:
        start = f.read(512)
    if not start:
        raise ReadError("empty file (0 bytes): no header and no data rows", 1)
    if start.startswith(_OLE_MAGIC):
        raise ReadError("this is an old .xls workbook, not .xlsx; save it as .xlsx (Excel Workbook)")
    if not start.startswith(_ZIP_MAGIC):
        raise ReadError(f"not an Excel .xlsx workbook: {_describe_start(start)}", 1)
    try:
        # pandas pads missing leading rows, so row position + 1 is the sheet row.
        sheet = pd.read_excel(path, sheet_name=0, header=None, dtype="str", na_filter=False, engine="openpyxl")
    except Exception as exc:  # openpyxl raises many types (zipfile, KeyError, XML errors) for broken workbooks
        raise ReadError(f"not a readable Excel .xlsx workbook ({type(exc).__name__}: {exc})") from None
    filled = sheet.apply(lambda col: col.str.strip() != "").to_numpy().any(axis=1) if len(sheet.columns) else []
    non_empty = np.flatnonzero(filled)
    if not len(non_empty):
        raise ReadError("the first sheet is empty: no header and no data rows", 1)
    header_row = int(non_empty[0])
    headers = [clean_header(h) for h in sheet.iloc[header_row].tolist()]
    frame = sheet.iloc[header_row + 1:].reset_index(drop=True)
    frame.columns = headers
    lines = np.arange(header_row + 2, header_row + 2 + len(frame), dtype=np.int64)
    return _without_blank_rows(
        RawTable(frame, lines, header_line=header_row + 1), f"row {header_row + 1} is the header"
    )


def read_parquet(path: Path, encoding: str | None = None) -> RawTable:
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty file (0 bytes): no data rows")
    with path.open("rb") as f:
        head = f.read(4)
        f.seek(max(size - 4, 0))
        tail = f.read(4)
    if head != _PARQUET_MAGIC or tail != _PARQUET_MAGIC:
        raise ReadError(f"not a Parquet file (it lacks the PAR1 markers): {_describe_start(head)}")
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError… for corrupt files
        raise ReadError(f"not a readable Parquet file ({exc})") from None
    if table.num_rows == 0:
        raise ReadError("no data rows (the Parquet file has a schema but no rows)")
    frame = table.to_pandas(date_as_object=False)
    frame.columns = [clean_header(c) for c in frame.columns]
    return RawTable(frame, np.arange(1, len(frame) + 1, dtype=np.int64))


def read_jsonl(path: Path, encoding: str | None = None) -> RawTable:
    """One JSON object a line; blank lines are skipped; nested values are kept as JSON text."""
    data = path.read_bytes()
    if not data:
        raise ReadError("empty file (0 bytes): no data rows", 1)
    text, used = decode_text(data, encoding)
    records: list[dict] = []
    lines: list[int] = []
    # split("\n"), not splitlines(): JSON strings may hold U+2028 and other Unicode breaks.
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise ReadError(f"not valid JSON ({exc.msg}, column {exc.colno})", number) from None
        if not isinstance(record, dict):
            raise ReadError(f"expected a JSON object {{…}}, got {type(record).__name__}", number)
        records.append({k: _json_scalar(v) for k, v in record.items()})
        lines.append(number)
    if not records:
        raise ReadError("no data rows (only blank lines)", 1)
    keys: dict[str, None] = {}
    for record in records:
        keys.update(dict.fromkeys(record))
    # Object columns built by hand: DataFrame.from_records would turn [330102, None] into floats.
    frame = pd.DataFrame({clean_header(k): pd.Series([r.get(k) for r in records], dtype=object) for k in keys})
    return RawTable(frame, np.asarray(lines, dtype=np.int64), encoding=used)


def _json_scalar(value: object) -> object:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def _describe_start(start: bytes) -> str:
    try:
        text = start[:40].decode("utf-8")
    except UnicodeDecodeError:
        return f"it starts with bytes {start[:8].hex(' ')}"
    first_line = text.splitlines()[0] if text.strip() else ""
    return f"it holds text starting {first_line[:30]!r}"


def _without_blank_rows(raw: RawTable, header_note: str) -> RawTable:
    frame = raw.frame
    if len(frame) and len(frame.columns):
        blank = np.ones(len(frame), dtype=bool)
        for position in range(len(frame.columns)):
            column = frame.iloc[:, position]
            blank &= (column.isna() | (column.astype("str").str.strip() == "")).to_numpy()
        if blank.any():
            keep = np.flatnonzero(~blank)
            problems = {int(np.searchsorted(keep, row)): problem
                        for row, problem in raw.row_problems.items() if not blank[row]}
            raw = RawTable(frame.iloc[keep].reset_index(drop=True), raw.line_numbers[keep], raw.encoding,
                           raw.header_line, problems)
    if len(raw.frame) == 0:
        raise ReadError(f"no data rows ({header_note} and nothing follows it)", raw.header_line)
    return raw


READERS: dict[str, Callable[[Path, str | None], RawTable]] = {
    ".csv": read_csv,
    ".xlsx": read_xlsx,
    ".parquet": read_parquet,
    ".jsonl": read_jsonl,
    ".ndjson": read_jsonl,
}


def read_source(path: Path, encoding: str | None = None) -> RawTable:
    """Read a file by its extension; raises ReadError (or OSError) when the file cannot be read."""
    if not path.exists():
        raise ReadError("file not found")
    if not path.is_file():
        raise ReadError("not a file")
    suffix = path.suffix.lower()
    reader = READERS.get(suffix)
    if reader is None:
        known = ", ".join(READERS)
        hint = " (save .xls workbooks as .xlsx)" if suffix == ".xls" else ""
        raise ReadError(f"unknown file type {suffix or '(no extension)'!r}; expected one of {known}{hint}")
    return reader(path, encoding)
