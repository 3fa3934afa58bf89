"""Exports of a record list: exactly the rows, columns, sort and masking the grid shows, as an
Excel workbook or a CSV file, streamed so a 200,000-row export holds bounded memory.

The rows come from the reader's record iterators (`Reader.iter_indicator_records`,
`Reader.iter_records`), which apply the viewer's scope and mask personal columns; nothing here
filters, unmasks or reads anything else. Columns are the reader's `record_columns` dicts
(`name`, `label`, `type`, `personal`, `hidden`): hidden ones are not exported, the labels (in the
viewer's language) are the header row.

- **xlsx** (`iter_xlsx`, `write_xlsx`): SpreadsheetML written here, streamed through zipfile
  (no seekable output needed), strings inline (no shared-string table), one batch of rows as
  XML at a time, built with Arrow string kernels, so memory does not grow with the rows and a
  200,000-row export takes seconds (a cell-at-a-time writer, xlsxwriter's constant_memory mode
  or openpyxl's write_only, took 17 s and 68 s for the same rows). Cells are typed: numbers as
  numbers, timestamps and dates as Excel serial dates with a date format, booleans as 是/否
  (Chinese) or TRUE/FALSE (English); text is always text (never a formula). A second sheet,
  说明 (About), holds what the rows are: indicator, region, period, filters, sort, snapshot,
  when exported, row count, masking note.
- **csv** (`iter_csv`): UTF-8 with a byte-order mark (without it, Excel reads UTF-8 as the local
  code page and Chinese turns to mojibake). The About items lead the file as `label,value` lines,
  then one empty line, then the header row and the rows: Excel opens that as a sheet whose first
  rows are the description, and `pandas.read_csv(f, skiprows=<items> + 1)` reads the table. `#`
  comment lines are avoided: Excel shows them as data with a broken first column. A text cell
  starting with `=`, `+`, `-`, `@` (or a tab or carriage return) gets a leading `'`, so Excel does
  not run it as a formula (CSV injection).

`export_response_parts` ties them to a records query for the web route (in `cockpit/web.py`,
which keeps Flask out of the view models).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote as url_quote

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

FORMATS = ("xlsx", "csv")
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIMETYPE = "text/csv; charset=utf-8"
BOM = "\ufeff".encode()
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
# Rows of a batch turned into text at a time: a row's cells as XML or CSV text and their pieces are
# several times the row (~1.6 KB of XML for the 12345 orders' 24 columns), so a 10,000-row batch is
# written in five parts and what is held at once does not grow with the batch size.
WRITE_ROWS = 2_000
EXCEL_EPOCH = np.datetime64("1899-12-30T00:00:00", "us")
_US_PER_DAY = 86_400 * 1_000_000
# Characters that make Excel read a CSV cell as a formula.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

_TEXT = {
    "sheet": {"zh": "记录", "en": "Records"},
    "about_sheet": {"zh": "说明", "en": "About"},
    "item": {"zh": "项目", "en": "Item"},
    "value": {"zh": "内容", "en": "Value"},
    "rows": {"zh": "行数", "en": "Rows"},
    "true": {"zh": "是", "en": "TRUE"},
    "false": {"zh": "否", "en": "FALSE"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "feed": {"zh": "数据表", "en": "Table"},
    "region": {"zh": "地区", "en": "Region"},
    "period": {"zh": "周期", "en": "Period"},
    "key": {"zh": "口径", "en": "Counted as"},
    "filters": {"zh": "筛选条件", "en": "Filters"},
    "sort": {"zh": "排序", "en": "Sort"},
    "snapshot": {"zh": "数据快照", "en": "Snapshot"},
    "created_at": {"zh": "导出时间", "en": "Exported at"},
    "masking": {"zh": "脱敏说明", "en": "Masking"},
    "none": {"zh": "无", "en": "none"},
    "asc": {"zh": "升序", "en": "ascending"},
    "desc": {"zh": "降序", "en": "descending"},
    "masked": {"zh": "个人信息列（{columns}）已脱敏，与页面显示一致",
               "en": "personal columns ({columns}) are masked, as on the page"},
    "unmasked": {"zh": "个人信息列（{columns}）未脱敏：仅限有权限的人员使用，请勿外传",
                 "en": "personal columns ({columns}) are NOT masked: for authorised staff only, do not pass on"},
    "no_personal": {"zh": "不含个人信息列", "en": "no personal columns"},
    "key_value": {"zh": "指标值的记录", "en": "records behind the value"},
    "key_numerator": {"zh": "分子的记录", "en": "records of the numerator"},
    "key_denominator": {"zh": "分母的记录", "en": "records of the denominator"},
}


class ExportError(ValueError):
    """An export that cannot be made as asked (an unknown format, too many rows for a sheet)."""


def _text(key: str, lang: str, **values: object) -> str:
    entry = _TEXT[key]
    text = entry.get(lang) or entry["zh"]
    return text.format(**values) if values else text


def visible_columns(columns: Sequence[dict]) -> list[dict]:
    """The columns the grid shows, in order: every column the reader does not mark hidden."""
    return [c for c in columns if not c.get("hidden")]


def _kind(column: dict) -> str:
    """How a column's cells are written: number, datetime, date, boolean or text."""
    kind = str(column.get("type") or "string")
    if kind in ("float", "integer", "number", "int", "double"):
        return "number"
    if kind in ("timestamp", "datetime"):
        return "datetime"
    if kind == "date":
        return "date"
    if kind in ("boolean", "bool"):
        return "boolean"
    return "text"  # string, month ("2026-11"), quarter ("2026Q3"), and anything else: as shown


def _check_frame(frame: pd.DataFrame, names: Sequence[str]) -> None:
    missing = [n for n in names if n not in frame.columns]
    if missing:
        raise ExportError(f"the rows lack the column(s) {', '.join(missing)} the export lists")


# -- xlsx -----------------------------------------------------------------------------------------
#
# The workbook is SpreadsheetML written directly: one zip member a sheet, streamed through zipfile
# (data descriptors, so the output need not be seekable), each batch of rows turned into XML with
# vectorised string operations. xlsxwriter (constant_memory) and openpyxl (write_only) write a
# cell at a time in Python: 17 s and more for 200,000 rows of a 21-column feed, against the 15 s
# target; this writer takes a fraction of that (BENCHMARKS.md, "Records").

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_CONTENT_TYPES = (
    _XML_HEAD + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/worksheets/sheet2.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml" '
    'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '</Types>')
_ROOT_RELS = (
    _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/'
    'core-properties" Target="docProps/core.xml"/>'
    '</Relationships>')
_WORKBOOK_RELS = (
    _XML_HEAD + f'<Relationships xmlns="{_PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{_REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_REL_NS}/worksheet" Target="worksheets/sheet2.xml"/>'
    f'<Relationship Id="rId3" Type="{_REL_NS}/styles" Target="styles.xml"/>'
    '</Relationships>')
# Cell styles by index: 0 general, 1 date and time, 2 date, 3 bold (header row), 4 wrapped text.
_STYLE_DATETIME, _STYLE_DATE, _STYLE_HEADER, _STYLE_WRAP = 1, 2, 3, 4
_STYLES = (
    _XML_HEAD + f'<styleSheet xmlns="{_MAIN_NS}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" applyAlignment="1">'
    '<alignment wrapText="1" vertical="top"/></xf></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    '</styleSheet>')
# Characters XML 1.0 cannot hold at all (a stray control byte in a source file): dropped.
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_EXCEL_CELL_CHARS = 32_767  # Excel's limit for one cell's text


def _xml_escape(text: str) -> str:
    text = _XML_ILLEGAL.sub("", text[:_EXCEL_CELL_CHARS])
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _column_letter(index: int) -> str:
    """A, B, …, Z, AA, … for the 0-based column index."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _sheet_start(widths: Sequence[float], frozen_header: bool) -> str:
    pane = ('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
            if frozen_header else "")
    cols = "".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'
                   for i, w in enumerate(widths, start=1))
    return (_XML_HEAD + f'<worksheet xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
            f'<sheetViews><sheetView workbookViewId="0">{pane}</sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>' + (f"<cols>{cols}</cols>" if cols else "") + "<sheetData>")


_SHEET_END = "</sheetData></worksheet>"


def _text_row(row: int, values: Sequence[str], style: int = 0) -> str:
    s = f' s="{style}"' if style else ""
    cells = "".join(f'<c r="{_column_letter(i)}{row}" t="inlineStr"{s}><is><t xml:space="preserve">'
                    f"{_xml_escape(str(v))}</t></is></c>" for i, v in enumerate(values))
    return f'<row r="{row}">{cells}</row>'


def _arrow_strings(values: pd.Series, missing: np.ndarray) -> pa.Array:
    """A column as Arrow strings, null where missing: pandas' Arrow-backed text as it is (no
    Python string a cell), anything else through `str`."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        text = pa.array(values.array, from_pandas=True)
        text = text.combine_chunks() if isinstance(text, pa.ChunkedArray) else text
        return text.cast(pa.string())  # pandas holds large_string; the XML pieces join as string
    objects = values.astype("object").to_numpy()
    return pa.array([None if gone else str(v) for v, gone in zip(objects.tolist(), missing.tolist(), strict=True)],
                    type=pa.string())


def _arrow_text(values: pd.Series, missing: np.ndarray) -> pa.Array:
    """A column as Arrow strings, escaped for XML, null where missing."""
    text = _arrow_strings(values, missing)
    text = pc.utf8_slice_codeunits(text, 0, _EXCEL_CELL_CHARS)
    if pc.any(pc.match_substring_regex(text, _XML_ILLEGAL.pattern)).as_py():
        text = pc.replace_substring_regex(text, _XML_ILLEGAL.pattern, "")
    for raw, escaped in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, raw, escaped)
    return text


def _cells(values: pd.Series, kind: str, letter: str, refs: pa.Array, lang: str) -> pa.Array:
    """The XML of one column's cells for a batch, null for a missing value: the cell is left
    out, the `r` references keep the others in place."""
    missing = values.isna().to_numpy(dtype=bool)
    head = f'<c r="{letter}'
    if kind == "number":
        numbers = pd.to_numeric(values, errors="coerce").astype("float64").to_numpy()
        missing = missing | ~np.isfinite(numbers)
        text = pc.cast(pa.array(numbers, mask=missing), pa.string())
        parts = [head, refs, '"><v>', text, "</v></c>"]
    elif kind in ("datetime", "date"):
        stamps = pd.to_datetime(values, errors="coerce")
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        raw = stamps.to_numpy(dtype="datetime64[us]")
        missing = missing | np.isnat(raw)
        days = (raw - EXCEL_EPOCH).astype("int64") / _US_PER_DAY
        if kind == "date":
            days = np.floor(days)
        style = _STYLE_DATETIME if kind == "datetime" else _STYLE_DATE
        parts = [head, refs, f'" s="{style}"><v>', pc.cast(pa.array(days, mask=missing), pa.string()), "</v></c>"]
    elif kind == "boolean":
        truth = pa.array(values.astype("object").where(~missing, False).astype(bool).to_numpy(), mask=missing)
        if lang == "en":
            parts = [head, refs, '" t="b"><v>', pc.if_else(truth, "1", "0"), "</v></c>"]
        else:
            words = pc.if_else(truth, _text("true", "zh"), _text("false", "zh"))
            parts = [head, refs, '" t="inlineStr"><is><t>', words, "</t></is></c>"]
    else:
        parts = [head, refs, '" t="inlineStr"><is><t xml:space="preserve">', _arrow_text(values, missing),
                 "</t></is></c>"]
    return pc.binary_join_element_wise(*parts, "", null_handling="emit_null")


def _joined_bytes(strings: pa.Array) -> bytes | memoryview:
    """Every value of a string array with no nulls, end to end: its data buffer, no Python strings
    (a view of it: the caller writes it before the array goes)."""
    if isinstance(strings, pa.ChunkedArray):
        return b"".join(_joined_bytes(chunk) for chunk in strings.chunks)
    offsets_type = np.int64 if pa.types.is_large_string(strings.type) else np.int32
    _, offsets_buffer, data = strings.buffers()
    offsets = np.frombuffer(offsets_buffer, dtype=offsets_type)[strings.offset: strings.offset + len(strings) + 1]
    if len(offsets) == 0 or data is None:
        return b""
    return memoryview(data)[int(offsets[0]): int(offsets[-1])]  # a view of Arrow's buffer, not a copy


class _Sink:
    """A write-only, non-seekable file collecting what zipfile writes, handed on in pieces."""

    def __init__(self) -> None:
        self._parts: list[bytes] = []
        self.size = 0

    def write(self, data: bytes) -> int:
        if data:
            self._parts.append(bytes(data))
            self.size += len(data)
        return len(data)

    def flush(self) -> None:
        pass

    def take(self) -> bytes:
        data, self._parts = b"".join(self._parts), []
        return data


def iter_xlsx(frames: Iterable[pd.DataFrame], columns: list[dict], about: list[tuple[str, str]], *,
              lang: str = "zh", compresslevel: int = 1) -> Iterator[bytes]:
    """The workbook in pieces, as its rows are written: one piece (or none, while the compressor
    holds it) a frame of `frames`, consumed one at a time.

    Sheet 1 (记录 / Records): a frozen header row of the column labels, then typed cells. Sheet 2
    (说明 / About): the `about` items, then the row count. Memory holds one batch and the XML of WRITE_ROWS of its rows.
    """
    import zipfile

    shown = visible_columns(columns)
    names = [c["name"] for c in shown]
    kinds = [_kind(c) for c in shown]
    letters = [_column_letter(i) for i in range(len(shown))]
    labels = [str(c.get("label") or c["name"]) for c in shown]
    widths = [max({"datetime": 19, "date": 11, "number": 12}.get(k, 16), min(40, 2 * len(label) + 2))
              for k, label in zip(kinds, labels, strict=True)]
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as archive:
        for name, text in (("[Content_Types].xml", _CONTENT_TYPES), ("_rels/.rels", _ROOT_RELS),
                           ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS), ("xl/styles.xml", _STYLES),
                           ("docProps/core.xml", _core_properties())):
            archive.writestr(name, text)
        sheet_names = (_text("sheet", lang), _text("about_sheet", lang))
        archive.writestr("xl/workbook.xml", _XML_HEAD + f'<workbook xmlns="{_MAIN_NS}" xmlns:r="{_REL_NS}">'
                         '<sheets>' + "".join(f'<sheet name="{_xml_escape(n)}" sheetId="{i}" r:id="rId{i}"/>'
                                              for i, n in enumerate(sheet_names, start=1))
                         + "</sheets></workbook>")
        yield sink.take()
        rows = 0
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write((_sheet_start(widths, True) + _text_row(1, labels, _STYLE_HEADER)).encode("utf-8"))
            for frame in frames:
                if frame is None or len(frame) == 0:
                    continue
                _check_frame(frame, names)
                if rows + len(frame) > XLSX_MAX_ROWS:
                    raise ExportError(f"more than {XLSX_MAX_ROWS:,} rows do not fit one Excel sheet; "
                                      "narrow the filters or export CSV")
                # the XML of at most WRITE_ROWS rows at a time
                for start in range(0, len(frame), WRITE_ROWS):
                    part = frame.iloc[start: start + WRITE_ROWS]
                    refs = pc.cast(pa.array(np.arange(rows + 2, rows + 2 + len(part))), pa.string())
                    cells = [_cells(part[name], kind, letter, refs, lang)
                             for name, kind, letter in zip(names, kinds, letters, strict=True)]
                    xml = pc.binary_join_element_wise('<row r="', refs, '">', *cells, "</row>", "",
                                                      null_handling="replace", null_replacement="")
                    del cells, refs
                    sheet.write(_joined_bytes(xml))
                    rows += len(part)
                    del xml, part
                if sink.size:
                    yield sink.take()
            sheet.write(_SHEET_END.encode("utf-8"))
        items = [*about, (_text("rows", lang), f"{rows:,}")]
        about_xml = [_text_row(1, [_text("item", lang), _text("value", lang)], _STYLE_HEADER)]
        about_xml += [_text_row(n, [label, value]) for n, (label, value) in enumerate(items, start=2)]
        archive.writestr("xl/worksheets/sheet2.xml", _sheet_start([16, 90], False) + "".join(about_xml) + _SHEET_END)
    yield sink.take()


def _core_properties() -> str:
    from cockpit.config import now

    stamp = now().strftime("%Y-%m-%dT%H:%M:%SZ")
    return (_XML_HEAD + '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/'
            'core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>城市数字驾驶舱</dc:creator>'
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{stamp}</dcterms:created></cp:coreProperties>')


def write_xlsx(frames: Iterable[pd.DataFrame], columns: list[dict], about: list[tuple[str, str]],
               out: BinaryIO | str | Path, *, lang: str = "zh") -> int:
    """Write the rows of `frames` (consumed one at a time) as a workbook to `out` (a path, written
    under a temporary name and renamed, or a binary file); returns the number of rows written."""
    counted = _Counted(frames)
    if isinstance(out, str | Path):
        target = Path(out)
        if target.exists() and not target.is_file():
            # renaming onto a device or a directory replaces it (as root, /dev/null became a file)
            raise ValueError(f"{target} is not a regular file: give an open file to write a workbook to it")
        temporary = target.with_name(f".tmp-{target.name}.partial")
        try:
            with open(temporary, "wb") as f:
                for piece in iter_xlsx(counted, columns, about, lang=lang):
                    f.write(piece)
            os.replace(temporary, target)
        finally:
            temporary.unlink(missing_ok=True)
    else:
        for piece in iter_xlsx(counted, columns, about, lang=lang):
            out.write(piece)
    return counted.rows


class _Counted:
    """The frames, counting the rows handed on."""

    def __init__(self, frames: Iterable[pd.DataFrame]):
        self._frames, self.rows = frames, 0

    def __iter__(self) -> Iterator[pd.DataFrame]:
        for frame in self._frames:
            if frame is not None:
                self.rows += len(frame)
            yield frame


# -- csv ------------------------------------------------------------------------------------------

def _csv_cell_text(values: pd.Series) -> pd.Series:
    """Text cells as Excel should read them: a value that would start a formula is quoted with '."""
    if isinstance(values.dtype, pd.StringDtype) and values.dtype.storage == "pyarrow":
        # pandas' Arrow-backed text: Arrow kernels over the column, no Python string a cell
        risky = values.str.startswith(_FORMULA_START).fillna(False).astype(bool)
        return values.where(~risky, "'" + values) if risky.any() else values
    text = values.astype("object")
    present = text.notna()
    as_str = text[present].astype(str)
    risky = as_str.str.startswith(_FORMULA_START)
    if risky.any():
        as_str[risky] = "'" + as_str[risky]
    out = pd.Series([None] * len(text), index=text.index, dtype="object")
    out[present] = as_str
    return out


def _csv_frame(frame: pd.DataFrame, names: Sequence[str], kinds: Sequence[str], lang: str) -> pd.DataFrame:
    true, false = _text("true", lang), _text("false", lang)
    out = {}
    for name, kind in zip(names, kinds, strict=True):
        values = frame[name]
        if kind == "datetime":
            stamps = pd.to_datetime(values, errors="coerce")
            out[name] = stamps.dt.strftime("%Y-%m-%d %H:%M:%S").astype("object").where(stamps.notna(), None)
        elif kind == "date":
            stamps = pd.to_datetime(values, errors="coerce")
            out[name] = stamps.dt.strftime("%Y-%m-%d").astype("object").where(stamps.notna(), None)
        elif kind == "boolean":
            out[name] = pd.Series([None if v is None or v is pd.NA or (isinstance(v, float) and v != v)
                                   else (true if v else false) for v in values.astype("object").tolist()],
                                  index=values.index, dtype="object")
        elif kind == "number":
            numbers = pd.to_numeric(values, errors="coerce")
            # integers stay integers (no "3.0"); floats as Python prints them (shortest round-trip)
            out[name] = numbers.astype("Int64") if (str(numbers.dtype).lower().startswith(("int", "uint"))) else numbers
        else:
            out[name] = _csv_cell_text(values)
    return pd.DataFrame(out, index=frame.index)


def iter_csv(frames: Iterable[pd.DataFrame], columns: list[dict], about: list[tuple[str, str]], *,
             lang: str = "zh") -> Iterator[bytes]:
    """The CSV file in pieces: BOM and the About items (`label,value` lines), an empty line, the
    header row, then the rows of `frames`, a piece per WRITE_ROWS rows of a frame (consumed as the
    pieces are)."""
    shown = visible_columns(columns)
    names = [c["name"] for c in shown]
    kinds = [_kind(c) for c in shown]
    head = io.StringIO()
    writer = csv.writer(head, lineterminator="\r\n")
    for label, value in about:
        writer.writerow([str(label), str(value)])
    if about:
        head.write("\r\n")
    writer.writerow([str(c.get("label") or c["name"]) for c in shown])
    yield BOM + head.getvalue().encode("utf-8")
    for frame in frames:
        if frame is None or len(frame) == 0:
            continue
        _check_frame(frame, names)
        for start in range(0, len(frame), WRITE_ROWS):  # its cells as text: a few thousand rows at a time
            part = _csv_frame(frame.iloc[start: start + WRITE_ROWS], names, kinds, lang)
            text = part.to_csv(header=False, index=False, lineterminator="\r\n")
            del part
            yield text.encode("utf-8")


# -- a records query as a download -----------------------------------------------------------------

def content_disposition(filename: str) -> str:
    """`attachment` with the UTF-8 name (RFC 5987 `filename*`) and an ASCII fallback for old clients."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._-") else "_" for ch in filename)
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{url_quote(filename, safe='')}"


def safe_filename_part(text: str) -> str:
    """A piece of a file name: no path separators, control or reserved characters (Windows too)."""
    cleaned = "".join("_" if (ch in '\\/:*?"<>|' or ord(ch) < 32) else ch for ch in str(text)).strip(" .")
    return cleaned[:80] or "_"


def _describe_filters(filters: dict, labels: dict[str, str], lang: str) -> str:
    if not filters:
        return _text("none", lang)
    parts = []
    for name, wanted in filters.items():
        label = labels.get(name, name)
        if isinstance(wanted, dict):
            low, high = wanted.get("from"), wanted.get("to")
            parts.append(f"{label} ∈ [{'' if low is None else low}, {'' if high is None else high})")
        elif isinstance(wanted, list | tuple | set | frozenset):
            parts.append(f"{label} ∈ {{{', '.join(map(str, wanted))}}}")
        else:
            parts.append(f"{label} = {wanted}")
    return "; ".join(parts)


def _describe_sort(sort: Sequence[tuple[str, str]], labels: dict[str, str], lang: str) -> str:
    if not sort:
        return _text("none", lang)
    return ", ".join(f"{labels.get(c, c)} {_text(d, lang) if d in ('asc', 'desc') else d}" for c, d in sort)


def about_items(reader: Any, query: Any, columns: Sequence[dict], *, feed: str, region: str, title: str,
                region_name: str, created_at: datetime) -> list[tuple[str, str]]:
    """What an export says about its rows, in the viewer's language (the row count is added by
    the writer, which is the one that knows it)."""
    lang = reader.viewer.lang
    labels = {c["name"]: str(c.get("label") or c["name"]) for c in columns}
    personal = [labels[c["name"]] for c in visible_columns(columns) if c.get("personal")]
    if not personal:
        masking = _text("no_personal", lang)
    elif getattr(reader.viewer, "personal_data", False):
        masking = _text("unmasked", lang, columns="、".join(personal) if lang == "zh" else ", ".join(personal))
    else:
        masking = _text("masked", lang, columns="、".join(personal) if lang == "zh" else ", ".join(personal))
    items: list[tuple[str, str]] = []
    if getattr(query, "indicator", None):
        items.append((_text("indicator", lang), f"{title} ({query.indicator})"))
        key = getattr(query, "key", None) or "value"
        items.append((_text("key", lang), _text(f"key_{key}", lang) if f"key_{key}" in _TEXT else str(key)))
    items.append((_text("feed", lang), str(feed)))
    items.append((_text("region", lang), f"{region_name} ({region})"))
    if getattr(query, "period", None):
        items.append((_text("period", lang), f"{query.period} ({query.frequency})"))
    items += [(_text("filters", lang), _describe_filters(dict(query.filters or {}), labels, lang)),
              (_text("sort", lang), _describe_sort(tuple(query.sort or ()), labels, lang)),
              (_text("snapshot", lang), str(reader.snapshot_id)),
              (_text("created_at", lang), created_at.strftime("%Y-%m-%d %H:%M:%S")),
              (_text("masking", lang), masking)]
    return items


def export_response_parts(reader: Any, query: Any, fmt: str, *, batch_rows: int = 10_000,
                          created_at: datetime | None = None,
                          on_done: Callable[[int, bool], None] | None = None) -> tuple[str, str, Iterator[bytes]]:
    """(file name, MIME type, body pieces) of the export of a records query for `reader`'s viewer.

    `query` is a `cockpit.views.records.RecordsQuery`, resolved as the records page resolves it
    (`records_view`: the default frequency, period and record set filled in), so the file holds
    what the page shows. Everything that can be refused (an unknown indicator or column, a bad
    period, a region out of scope) raises here, before the first byte: the view is built and the
    first batch of rows read now. Both formats then stream, one batch of rows a piece.
    `on_done(rows, complete)` is called when the stream ends, finished or cut off (the audit trail).
    """
    from cockpit.config import now
    from cockpit.views.records import records_view

    if fmt not in FORMATS:
        raise ExportError(f"format: {fmt!r} is not one of {', '.join(FORMATS)}")
    lang = reader.viewer.lang
    created_at = created_at or now()
    view = records_view(reader, query, offset=0, limit=0)  # KeyError / ValueError / OutOfScope
    resolved = view.query
    region = resolved.region or reader.root
    region_name = reader.region_name(region)
    filters, sort = dict(resolved.filters or {}), tuple(resolved.sort or ())
    if resolved.indicator:
        frames = reader.iter_indicator_records(resolved.indicator, region, resolved.frequency, resolved.period,
                                               key=resolved.key, filters=filters, sort=sort, batch_rows=batch_rows)
        name = "_".join(safe_filename_part(p) for p in (view.title, region_name, resolved.period or ""))
    else:
        frames = reader.iter_records(view.feed, filters={**filters, "region": region}, sort=sort,
                                     batch_rows=batch_rows)
        name = "_".join(safe_filename_part(p) for p in (view.title, region_name))
    frames = _started(_tallied(frames, on_done) if on_done else frames)
    about = about_items(reader, resolved, view.columns, feed=view.feed, region=region, title=view.title,
                        region_name=region_name, created_at=created_at)
    if fmt == "csv":
        return f"{name}.csv", CSV_MIMETYPE, iter_csv(frames, view.columns, about, lang=lang)
    return f"{name}.xlsx", XLSX_MIMETYPE, iter_xlsx(frames, view.columns, about, lang=lang)


def _tallied(frames: Iterable[pd.DataFrame], on_done: Callable[[int, bool], None]) -> Iterator[pd.DataFrame]:
    """The frames, counting their rows; `on_done(rows, complete)` once they are done or given up."""
    rows, complete = 0, False
    try:
        for frame in frames:
            rows += len(frame)
            yield frame
        complete = True
    finally:
        on_done(rows, complete)


def _started(frames: Iterable[pd.DataFrame]) -> Iterator[pd.DataFrame]:
    """The frames, with the first one already read: a query the reader refuses raises now, not
    halfway through a response whose status is already sent."""
    iterator = iter(frames)
    try:
        held = [next(iterator)]
    except StopIteration:
        return iter(())

    def chained() -> Iterator[pd.DataFrame]:
        yield held.pop()  # not kept for the rest of the export
        yield from iterator

    return chained()
