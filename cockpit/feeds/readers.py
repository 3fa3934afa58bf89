"""Read a source file into a DataFrame of raw values, remembering where each row came from.

Readers do no type inference: CSV and XLSX cells arrive as text (an empty cell is ""); JSON
lines keep JSON's own scalars and Parquet keeps the types the file declares, because
turning those into text and back would only lose precision. Checking values against a
contract is `validate`'s job. Each row carries the number a person would look for in the
source: CSV physical line (header = line 1), XLSX sheet row, JSON line, Parquet row index + 1.

Rows whose every cell is empty are dropped: spreadsheet exports are full of them and they
hold no data. A problem with the whole file raises `ReadError` naming the line where it
applies; a problem with one row (a CSV line with more or fewer fields than the header, a
quoted value that swallowed the lines after it, a formula cell without a computed value) is
kept in `RawTable.row_problems` so that row alone is quarantined: every physical line of the
file is either a row read or named in a problem, never silently gone.

A file whose content is not what its extension says (a workbook named .csv, a gzip named
.parquet) is refused naming what it is, before any reader guesses at it.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pa_csv
import pyarrow.parquet as pq

_UTF8_BOM = codecs.BOM_UTF8
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (BIFF) workbooks
_PARQUET_MAGIC = b"PAR1"
_GZIP_MAGIC = b"\x1f\x8b"
_PDF_MAGIC = b"%PDF"

# Python's csv module refuses fields over 128 KiB by default; the contract's `max_length` is
# what limits a value (a long complaint is data), so the parser must not cut it first.
csv.field_size_limit(2**31 - 1)
# Arrow's CSV blocks: a quoted value with line breaks must fit in one block, so blocks are
# larger than the longest value a contract accepts (100,000 characters, up to 4 bytes each).
_ARROW_BLOCK_BYTES = 16 << 20

# The key of `DataFrame.attrs` under which a workbook of several data sheets names each row's
# sheet (a tuple of sheet names and an int array of indexes into it), so that the reasons a
# row is quarantined for say which sheet its row number is on.
SHEET_ATTR = "cockpit.sheets"

# Checks a header row against the feed it is ingested into: None when the header holds the
# feed's columns, else why not (e.g. "missing required columns order_id (工单编号)").
HeaderCheck = Callable[[list[str]], str | None]


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
            raise _cut_mid_character(data) or _not_decodable(data, "the file starts with a UTF-8 BOM but is not valid UTF-8")
        return data[len(_UTF8_BOM):], "utf-8-sig"
    if _is_utf8(data):
        return data, "utf-8"
    cut = _cut_mid_character(data)
    if cut is not None:
        raise cut
    try:
        return data.decode("gb18030").encode("utf-8"), "gb18030"
    except UnicodeDecodeError:
        raise _not_decodable(data, "the bytes are neither UTF-8 nor GB18030") from None


def decode_text(data: bytes, encoding: str | None) -> tuple[str, str]:
    """The text and the encoding it was in, chosen as `to_utf8` does."""
    utf8, used = to_utf8(data, encoding)
    return utf8.decode("utf-8"), used


def _cut_mid_character(data: bytes) -> ReadError | None:
    """A file that is UTF-8 up to its last bytes, which start a character and stop: an export or
    copy cut short. Said as such, not as an unknown encoding (which --encoding cannot mend)."""
    try:
        _, consumed = codecs.utf_8_decode(data, "strict", False)  # not final: an unfinished character is left over
    except UnicodeDecodeError:
        return None
    if consumed == len(data):
        return None
    return ReadError("the file ends in the middle of a UTF-8 character: it was cut short (truncated); "
                     "copy or export it again", _line_of_offset(data, consumed))


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


def read_csv(path: Path, encoding: str | None = None, header_check: HeaderCheck | None = None) -> RawTable:
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
            read_options=pa_csv.ReadOptions(column_names=names, skip_rows=1, block_size=_ARROW_BLOCK_BYTES),
            parse_options=pa_csv.ParseOptions(newlines_in_values=True),
            # large_string: pandas takes it without a copy. Empty cells stay "", as in the file.
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.large_string()),
                strings_can_be_null=False, quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid:
        return None
    spans = _record_spans(table, utf8.count(b"\n") + (0 if utf8.endswith(b"\n") else 1))
    if spans is None:
        return None
    lines = 2 + np.concatenate(([0], np.cumsum(spans)[:-1])).astype(np.int64)
    problems: dict[int, str] = {}
    for row in np.flatnonzero(spans > 1).tolist():  # few: only records with line breaks in values
        record = list(table.slice(row, 1).to_pylist()[0].values())
        problem = _swallowed_lines(record, headers, int(lines[row]), int(lines[row] + spans[row] - 1))
        if problem:
            problems[row] = problem
    return headers, table.to_pandas(), lines, problems


def _record_spans(table: pa.Table, physical_lines: int) -> np.ndarray | None:
    """How many lines each record spans (header = line 1); None if blank lines were skipped.

    A record spans one line plus the line breaks inside its quoted values, and every skipped
    blank line is one more line: so when the total matches the file's lines, no line was
    skipped and each record starts where the ones before it end.
    """
    if table.num_rows + 1 == physical_lines:  # the usual case: one line a record
        return np.ones(table.num_rows, dtype=np.int64)
    spans = np.ones(table.num_rows, dtype=np.int64)
    for column in table.columns:
        spans += pc.count_substring(column, "\n").to_numpy()
    if int(spans.sum()) + 1 != physical_lines:
        return None
    return spans


def _swallowed_lines(record: Sequence[str], headers: Sequence[str], start: int, end: int) -> str | None:
    """Why a record spanning lines `start`..`end` is a stray quote's doing, or None if it looks meant.

    An opening quote without its closing quote makes the parser read the lines after it as
    the text of one value, up to the next quote anywhere in the file: those lines (whole
    records, other people's orders) then vanish inside one cell. A genuine multi-line value
    (an address, a complaint) rarely holds a line with as many commas as a record has
    separators, so a value holding such a line is taken for swallowed records.
    """
    separators = len(headers) - 1
    if separators < 2:  # with one or two columns any text line looks like a record
        return None
    for position, value in enumerate(record):
        inner = value.split("\n")[1:] if isinstance(value, str) else []
        swallowed = sum(1 for line in inner if line.count(",") >= separators)
        if swallowed:
            name = clean_header(headers[position]) if position < len(headers) else f"column {position + 1}"
            opens = start + sum(v.count("\n") for v in record[:position] if isinstance(v, str))
            return (f"lines {start}-{end} were read as one record: the quoted value of {name} that opens on "
                    f"line {opens} runs over {swallowed} line(s) that look like records of their own "
                    f"(a stray or unclosed quote); fix the quote and ingest the file again")
    return None


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
            problem = None
            if previous_end > start:
                problem = _swallowed_lines(record, headers, start, previous_end)
            if problem is None and len(record) != width:
                # Padding a short line with empty cells would load its values under the wrong
                # columns or as nulls: the line goes to quarantine as it is.
                problem = f"line has {len(record)} fields, the header has {width}"
            if problem is not None:
                problems[len(rows)] = problem
            rows.append(record[:width] + [""] * (width - len(record)))
            lines.append(start)
    except csv.Error as exc:
        raise ReadError(f"not readable as CSV ({exc})", reader.line_num) from None
    frame = pd.DataFrame(rows, columns=range(width), dtype="str") if rows else pd.DataFrame(columns=range(width))
    return headers, frame, np.asarray(lines, dtype=np.int64), problems


@dataclass
class _Sheet:
    name: str
    headers: list[str]
    header_row: int
    rows: list[list[str]]
    row_numbers: list[int]
    problems: dict[int, str]
    """Position in `rows` -> a problem with that row (formula without value, Excel error)."""


def read_xlsx(path: Path, encoding: str | None = None, header_check: HeaderCheck | None = None) -> RawTable:
    """Every sheet that holds data; in each, the first non-empty row is the header, rows numbered as in Excel.

    Sheets with no data row (blank, or a header alone) are skipped. When several sheets hold
    data, the ones whose header `header_check` accepts are read together and every other one
    is refused by name: a sheet is never left out unnoticed. Without `header_check`, all must
    have the same columns. Rows of a workbook read from several sheets carry their sheet's
    name (`SHEET_ATTR`) so that a row number is never ambiguous.
    """
    with path.open("rb") as f:
        start = f.read(512)
    if not start:
        raise ReadError("empty file (0 bytes): no header and no data rows", 1)
    try:
        sheets = _read_workbook(path)
    except ReadError:
        raise
    except Exception as exc:  # openpyxl raises many types (zipfile, KeyError, XML errors) for broken workbooks
        raise ReadError(f"not a readable Excel .xlsx workbook, damaged or cut short ({type(exc).__name__}: {exc})") from None
    with_data = [sheet for sheet in sheets if sheet.rows]
    if not with_data:
        header_only = next((sheet for sheet in sheets if sheet.headers), None)
        if header_only is not None:
            raise ReadError(f"no data rows (row {header_only.header_row} of sheet {header_only.name!r} is the header "
                            "and nothing follows it)", header_only.header_row)
        raise ReadError("the workbook is empty: no sheet holds a header and data rows", 1)
    chosen = _data_sheets(with_data, header_check)
    first = chosen[0]
    frames, lines, problems, sheet_of_row = [], [], {}, []
    for index, sheet in enumerate(chosen):
        order = [sheet.headers.index(h) for h in first.headers] if sheet.headers != first.headers else None
        rows = sheet.rows if order is None else [[row[i] for i in order] for row in sheet.rows]
        offset = sum(len(f) for f in frames)
        where = f"sheet {sheet.name!r}: " if len(chosen) > 1 else ""
        problems.update({offset + row: where + problem for row, problem in sheet.problems.items()})
        frames.append(pd.DataFrame(rows, columns=range(len(first.headers)), dtype="str"))
        lines.append(np.asarray(sheet.row_numbers, dtype=np.int64))
        sheet_of_row.append(np.full(len(rows), index, dtype=np.int64))
    frame = pd.concat(frames, ignore_index=True) if len(frames) > 1 else frames[0]
    frame.columns = first.headers
    if len(chosen) > 1:
        frame.attrs[SHEET_ATTR] = (tuple(sheet.name for sheet in chosen), np.concatenate(sheet_of_row))
    return RawTable(frame, np.concatenate(lines), header_line=first.header_row, row_problems=problems)


def _data_sheets(sheets: list[_Sheet], header_check: HeaderCheck | None) -> list[_Sheet]:
    """The sheets to read, or ReadError naming the sheets that cannot be read with them."""
    if len(sheets) == 1:
        return sheets  # its header is judged as any file's is, with the line of the header
    if header_check is not None:
        verdicts = {sheet.name: header_check(sheet.headers) for sheet in sheets}
        good = [sheet for sheet in sheets if verdicts[sheet.name] is None]
        bad = [sheet for sheet in sheets if verdicts[sheet.name] is not None]
        if bad:
            named = "; ".join(f"sheet {s.name!r} (header on row {s.header_row}): {verdicts[s.name]}" for s in bad)
            readable = f"sheets {', '.join(repr(s.name) for s in good)} can be read" if good else "no sheet can be read"
            raise ReadError(f"{len(sheets)} sheets hold data but not all are this feed's: {named}; {readable}; "
                            "move or delete the other sheets, or ingest them as their own files")
    else:
        good = sheets
    first = good[0]
    for sheet in good[1:]:
        if sorted(sheet.headers) != sorted(first.headers) or len(set(sheet.headers)) != len(sheet.headers):
            raise ReadError(f"sheets {first.name!r} and {sheet.name!r} both hold data but with different columns; "
                            "give them the same header row, or ingest them as separate files")
    return good


def _read_workbook(path: Path) -> list[_Sheet]:
    """Every worksheet as text cells, as pandas would give them, with formula cells resolved.

    Formulas are read as formulas first (a second pass for their cached values is only made
    when there are any): `data_only` alone gives None for a formula Excel never computed
    (a file written by a program, not saved in Excel), which would load as an empty cell.
    """
    book = openpyxl.load_workbook(path, read_only=True, data_only=False)
    try:
        sheets, formulas = [], {}
        for worksheet in book.worksheets:
            sheet, cells = _read_worksheet(worksheet)
            sheets.append(sheet)
            if cells:
                formulas[worksheet.title] = cells
    finally:
        book.close()
    if formulas:
        _fill_formula_values(path, sheets, formulas)
    return sheets


def _read_worksheet(worksheet) -> tuple[_Sheet, dict[tuple[int, int], int]]:
    """The sheet, and the formula cells of its data rows: (sheet row, column) -> position in rows."""
    # The dimension a file declares may be missing or wrong (some writers leave it out or put
    # A1): read every cell there is, as pandas does.
    worksheet.reset_dimensions()
    headers: list[str] = []
    header_row = 0
    rows: list[list[str]] = []
    row_numbers: list[int] = []
    problems: dict[int, str] = {}
    formulas: dict[tuple[int, int], int] = {}
    for number, cells in enumerate(worksheet.iter_rows(min_row=1), start=1):
        values = [_cell_text(cell) for cell in cells]
        if not any(value.strip() for value in values):
            continue  # blank rows hold no data: spreadsheet exports are full of them
        if not headers:
            headers, header_row = [clean_header(v) for v in values], number
            continue
        width = max(len(values), len(headers))
        headers.extend([""] * (width - len(headers)))
        position = len(rows)
        # Formulas and errors are text in the parsed cells ("=…", "#…"): only those are looked at twice.
        for column in (i for i, value in enumerate(values) if value[:1] in ("=", "#")):
            cell = cells[column]
            if cell.data_type == "f":
                formulas[(number, column)] = position
            elif cell.data_type == "e":
                problems[position] = _join(problems.get(position),
                                           f"{_column_name(headers, column)} holds the Excel error {cell.value}")
        rows.append(values + [""] * (width - len(values)))
        row_numbers.append(number)
    width = len(headers)
    for row in rows:
        row.extend([""] * (width - len(row)))
    sheet = _Sheet(worksheet.title, headers, header_row, rows, row_numbers, problems)
    return sheet, formulas


def _fill_formula_values(path: Path, sheets: list[_Sheet], formulas: dict[str, dict[tuple[int, int], int]]) -> None:
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in sheets:
            cells = formulas.get(sheet.name)
            if not cells:
                continue
            worksheet = book[sheet.name]
            worksheet.reset_dimensions()
            last = max(number for number, _ in cells)
            for number, row in enumerate(worksheet.iter_rows(min_row=1, max_row=last), start=1):
                for column, cell in enumerate(row):
                    position = cells.get((number, column))
                    if position is None:
                        continue
                    if cell.value is None:
                        sheet.problems[position] = _join(
                            sheet.problems.get(position),
                            f"formula without a computed value in column {_column_name(sheet.headers, column)}; "
                            "open and save the file in Excel")
                        sheet.rows[position][column] = ""
                    else:
                        sheet.rows[position][column] = _cell_text(cell)
    finally:
        book.close()


def _cell_text(cell) -> str:
    """A cell as text the way pandas reads it: whole numbers without '.0', datetimes ISO with a space."""
    value = cell.value
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    formula = getattr(value, "text", None)  # an array formula (openpyxl's ArrayFormula): its "=…" text
    return formula if isinstance(formula, str) else str(value)


def _column_name(headers: Sequence[str], column: int) -> str:
    return headers[column] if column < len(headers) and headers[column] else f"column {column + 1}"


def _join(first: str | None, second: str) -> str:
    return f"{first}; {second}" if first else second


def row_sheets(frame: pd.DataFrame) -> list[str] | None:
    """For a frame read from several sheets of a workbook, each row's sheet name; else None."""
    entry = frame.attrs.get(SHEET_ATTR)
    if entry is None:
        return None
    names, index = entry
    if len(index) != len(frame):  # a frame filtered after reading: the names no longer line up
        return None
    return [names[i] for i in index.tolist()]


def read_parquet(path: Path, encoding: str | None = None, header_check: HeaderCheck | None = None) -> RawTable:
    size = path.stat().st_size
    if size == 0:
        raise ReadError("empty file (0 bytes): no data rows")
    with path.open("rb") as f:
        head = f.read(4)
        f.seek(max(size - 4, 0))
        tail = f.read(4)
    if head == _PARQUET_MAGIC and tail != _PARQUET_MAGIC:
        # Parquet keeps its schema and row groups in a footer that ends the file with PAR1 again:
        # a file that starts like one but lacks the end was cut short (a copy or a download).
        raise ReadError("a truncated Parquet file: it starts with the PAR1 marker but does not end with one "
                        "(its footer, which holds the schema, is missing); copy or export it again")
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


def read_jsonl(path: Path, encoding: str | None = None, header_check: HeaderCheck | None = None) -> RawTable:
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


# What each extension's content is; `_content_kind` tells what a file's content is.
_Reader = Callable[[Path, str | None, HeaderCheck | None], RawTable]
READERS: dict[str, tuple[_Reader, str]] = {
    ".csv": (read_csv, "text"),
    ".xlsx": (read_xlsx, "xlsx"),
    ".parquet": (read_parquet, "parquet"),
    ".jsonl": (read_jsonl, "text"),
    ".ndjson": (read_jsonl, "text"),
}

# How a kind of content is named to the person who has the file, and what to do about it.
_KIND_NAMES = {
    "xlsx": "an Excel workbook (.xlsx)",
    "xls": "an old Excel workbook (.xls)",
    "parquet": "a Parquet file (.parquet)",
    "gzip": "a gzip-compressed file (.gz)",
    "zip": "a ZIP archive",
    "pdf": "a PDF document",
    "text": "a text file",
}
_KIND_ADVICE = {
    "xlsx": "rename it to .xlsx",
    "xls": "open it in Excel and save it as .xlsx (Excel Workbook)",
    "parquet": "rename it to .parquet",
    "gzip": "decompress it first",
    "zip": "extract it first",
    "pdf": "export the data as CSV or .xlsx instead",
}


def _content_kind(path: Path) -> tuple[str, bytes]:
    """What the file holds, judged by its first bytes, and those bytes."""
    with path.open("rb") as f:
        start = f.read(512)
    if start.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:  # a damaged workbook still starts like one: let the reader say what is wrong
            return "xlsx", start
        return ("xlsx" if "xl/workbook.xml" in names or "[Content_Types].xml" in names else "zip"), start
    for magic, kind in ((_OLE_MAGIC, "xls"), (_PARQUET_MAGIC, "parquet"), (_GZIP_MAGIC, "gzip"), (_PDF_MAGIC, "pdf")):
        if start.startswith(magic):
            return kind, start
    return "text", start


def _wrong_content(suffix: str, kind: str, start: bytes) -> ReadError:
    if kind == "text":
        guess = ".jsonl" if start.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") else ".csv"
        # "not an Excel .xlsx workbook" / "not a Parquet file": what the reader of that format says.
        format_name = {".xlsx": "an Excel .xlsx workbook", ".parquet": "a Parquet file"}[suffix]
        return ReadError(f"not {format_name}: {_describe_start(start)}; if it is a text file, rename it to {guess}",
                         1 if suffix == ".xlsx" else None)
    advice = _KIND_ADVICE[kind]
    return ReadError(f"this is {_KIND_NAMES[kind]} named {suffix}; {advice}")


def read_source(path: Path, encoding: str | None = None, header_check: HeaderCheck | None = None) -> RawTable:
    """Read a file by its extension; raises ReadError (or OSError) when the file cannot be read.

    `header_check` tells a workbook's data sheets from its other sheets (see `read_xlsx`).
    """
    if not path.exists():
        raise ReadError("file not found")
    if not path.is_file():
        raise ReadError("not a file")
    suffix = path.suffix.lower()
    entry = READERS.get(suffix)
    if entry is None:
        known = ", ".join(READERS)
        hint = " (save .xls workbooks as .xlsx)" if suffix == ".xls" else ""
        raise ReadError(f"unknown file type {suffix or '(no extension)'!r}; expected one of {known}{hint}")
    reader, expected = entry
    kind, start = _content_kind(path)
    if start and kind != expected:
        raise _wrong_content(suffix, kind, start)
    return reader(path, encoding, header_check)
