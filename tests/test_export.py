"""Exports of record lists (`cockpit.views.export`, the `/records/export` route): exactly the rows
the reader gives, typed, described, masked, streamed."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from datetime import datetime
from urllib.parse import quote, unquote

import numpy as np
import openpyxl
import pandas as pd
import pytest

from cockpit.config import REPO_ROOT
from cockpit.views import export

COLUMNS = [
    {"name": "order_id", "label": "工单编号", "type": "string", "personal": None, "hidden": False},
    {"name": "created_at", "label": "受理时间", "type": "timestamp", "personal": None, "hidden": False},
    {"name": "due_on", "label": "办结期限", "type": "date", "personal": None, "hidden": False},
    {"name": "hours", "label": "时长", "type": "float", "personal": None, "hidden": False},
    {"name": "visits", "label": "回访次数", "type": "integer", "personal": None, "hidden": False},
    {"name": "revisit", "label": "需回访", "type": "boolean", "personal": None, "hidden": False},
    {"name": "caller_phone", "label": "联系电话", "type": "string", "personal": "phone", "hidden": False},
    {"name": "request_text", "label": "诉求内容", "type": "string", "personal": "free_text", "hidden": True},
]
ABOUT = [("指标", "12345 工单量 (hotline_orders)"), ("筛选条件", "渠道 = 电话"), ("数据快照", "snap-1")]


def frame(start: int, n: int) -> pd.DataFrame:
    rows = np.arange(start, start + n)
    return pd.DataFrame({
        "order_id": [f"HL{i:06d}" for i in rows],
        "created_at": pd.Timestamp("2026-10-01 08:00:00") + pd.to_timedelta(rows * 61, unit="s"),
        "due_on": pd.to_datetime("2026-10-05") + pd.to_timedelta(rows % 7, unit="D"),
        "hours": rows / 4,
        "visits": rows % 3,
        "revisit": rows % 2 == 0,
        "caller_phone": ["138****5678"] * n,
        "request_text": ["不应导出"] * n,
    })


def frames(total: int, batch: int = 1000):
    for start in range(0, total, batch):
        yield frame(start, min(batch, total - start))


def test_xlsx_holds_typed_cells_a_chinese_header_and_an_about_sheet(tmp_path):
    rows = frame(0, 5)
    rows["revisit"] = rows["revisit"].astype("boolean")  # nullable, as DuckDB hands a boolean with nulls
    rows.loc[1, ["hours", "created_at", "revisit"]] = [np.nan, pd.NaT, pd.NA]
    rows.loc[2, "order_id"] = "=HYPERLINK(\"http://x\")<&>\x07"
    path = tmp_path / "out.xlsx"
    written = export.write_xlsx([rows.iloc[:2], rows.iloc[2:]], COLUMNS, ABOUT, path)
    assert written == 5
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["记录", "说明"]
    sheet = book["记录"]
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("工单编号", "受理时间", "办结期限", "时长", "回访次数", "需回访", "联系电话")  # hidden: left out
    assert len(values) == 1 + 5
    first = values[1]
    assert first[0] == "HL000000" and first[1] == datetime(2026, 10, 1, 8, 0, 0)
    assert first[2] == datetime(2026, 10, 5) and sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["B2"].number_format == "yyyy-mm-dd hh:mm:ss" and sheet["B2"].is_date
    assert first[3] == 0.0 and isinstance(values[4][3], float) and values[4][3] == 0.75
    assert values[4][4] == 0 and values[3][4] == 2 and sheet["E4"].data_type == "n"
    assert first[5] == "是" and values[4][5] == "否" and first[6] == "138****5678"
    assert values[3][1] == datetime(2026, 10, 1, 8, 2, 2)  # exact to the second
    # a missing value is an empty cell, not "nan" or 0
    assert values[2][1] is None and values[2][3] is None and values[2][5] is None
    # text stays text: no formula, the markup escaped, the control character dropped
    assert values[3][0] == "=HYPERLINK(\"http://x\")<&>" and sheet["A4"].data_type == "s"
    about = list(book["说明"].iter_rows(values_only=True))
    assert about[0] == ("项目", "内容") and about[1:4] == ABOUT and about[-1] == ("行数", "5")


def test_xlsx_in_english_has_english_sheets_and_real_booleans():
    out = io.BytesIO()
    columns = [dict(c, label=c["name"]) for c in COLUMNS]
    export.write_xlsx(frames(3), columns, [("Indicator", "x")], out, lang="en")
    book = openpyxl.load_workbook(io.BytesIO(out.getvalue()))
    assert book.sheetnames == ["Records", "About"]
    assert [c.value for c in book["Records"][2]][5] is True and [c.value for c in book["Records"][3]][5] is False
    assert list(book["About"].iter_rows(values_only=True))[-1] == ("Rows", "3")


def test_an_empty_export_is_a_workbook_with_only_the_header():
    out = io.BytesIO()
    assert export.write_xlsx(iter(()), COLUMNS, ABOUT, out) == 0
    sheet = openpyxl.load_workbook(io.BytesIO(out.getvalue()))["记录"]
    assert sheet.max_row == 1


def test_csv_has_a_bom_the_about_lines_and_round_trips_with_pandas():
    rows = frame(0, 4)
    rows.loc[0, "order_id"] = "=1+2"
    rows.loc[1, "order_id"] = "含,逗号\"和引号\""
    rows.loc[2, "hours"] = np.nan
    body = b"".join(export.iter_csv([rows.iloc[:2], rows.iloc[2:]], COLUMNS, ABOUT))
    assert body.startswith(b"\xef\xbb\xbf")
    text = body.decode("utf-8-sig")
    lines = text.split("\r\n")
    assert lines[0] == "指标,12345 工单量 (hotline_orders)" and lines[len(ABOUT)] == ""
    assert lines[len(ABOUT) + 1] == "工单编号,受理时间,办结期限,时长,回访次数,需回访,联系电话"
    back = pd.read_csv(io.StringIO(text), skiprows=len(ABOUT) + 1, dtype={"工单编号": str})
    assert len(back) == 4 and list(back.columns)[0] == "工单编号"
    assert back["工单编号"].tolist() == ["'=1+2", "含,逗号\"和引号\"", "HL000002", "HL000003"]  # no formula
    assert back["受理时间"].tolist()[:2] == ["2026-10-01 08:00:00", "2026-10-01 08:01:01"]
    assert back["办结期限"].tolist()[0] == "2026-10-05"
    assert back["回访次数"].tolist() == [0, 1, 2, 0] and np.isnan(back["时长"][2]) and back["时长"][3] == 0.75
    assert back["需回访"].tolist() == ["是", "否", "是", "否"]
    assert "诉求内容" not in back.columns  # hidden


class Consumed:
    """Frames handed out one at a time, counting how many were asked for."""

    def __init__(self, total: int, batch: int):
        self.total, self.batch, self.taken = total, batch, 0

    def __iter__(self):
        for start in range(0, self.total, self.batch):
            self.taken += 1
            yield frame(start, min(self.batch, self.total - start))


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_writers_consume_the_rows_lazily(fmt):
    source = Consumed(total=20_000, batch=2_000)  # 10 batches
    pieces = (export.iter_xlsx if fmt == "xlsx" else export.iter_csv)(source, COLUMNS, ABOUT)
    assert source.taken == 0  # nothing read before the first piece is asked for
    got = bytearray()
    while source.taken < 3:
        got += next(pieces)
    assert source.taken == 3  # pieces leave as batches arrive: the file is never held whole
    got += b"".join(pieces)
    assert source.taken == 10
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(bytes(got)), read_only=True)
        assert sum(1 for _ in book["记录"].iter_rows(values_only=True)) == 20_001
    else:
        assert got.count(b"\r\n") == len(ABOUT) + 1 + 1 + 20_000


BOUNDED = """
import resource, sys
import numpy as np, pandas as pd
from cockpit.views import export
def frames():
    for s in range(0, 200_000, 10_000):
        rows = np.arange(s, s + 10_000)
        yield pd.DataFrame({"id": [f"R{i:07d}" for i in rows], "t": pd.Timestamp("2026-01-01") + pd.to_timedelta(rows, unit="s"),
                            "v": rows / 3.0, "k": ["街道"] * len(rows)})
columns = [{"name": n, "label": n, "type": t} for n, t in (("id", "string"), ("t", "timestamp"), ("v", "float"), ("k", "string"))]
first = next(frames())
export.write_xlsx([first], columns, [], open("/dev/null", "wb"))  # warm up; a file, as a path is replaced by rename
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
written = sum(len(p) for p in export.iter_%s(frames(), columns, [("a", "b")]))
print(written, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - base)
"""


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_200k_row_export_holds_bounded_memory(fmt):
    proc = subprocess.run([sys.executable, "-c", BOUNDED % fmt], capture_output=True, text=True, cwd=REPO_ROOT,
                          timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    size, grown_mib = proc.stdout.split()
    # 200,000 rows are several MB of output; the process grows by a batch's worth, not the file's
    assert int(size) > 2_000_000
    assert float(grown_mib) < 60, f"peak memory grew {grown_mib} MiB over the export"


def test_content_disposition_is_rfc_5987_with_an_ascii_fallback():
    header = export.content_disposition("12345工单量_杭州市_2026-10.xlsx")
    assert header.startswith('attachment; filename="12345')
    assert "filename*=UTF-8''" + quote("12345工单量_杭州市_2026-10.xlsx", safe="") in header
    assert export.safe_filename_part("a/b\\c:d\n") == "a_b_c_d_"


class Watched:
    """Frames handed out one at a time, each watched by a weak reference: what the consumer still
    holds when it asks for the next one."""

    def __init__(self, total: int, batch: int):
        self.total, self.batch, self.refs, self.held_at_most = total, batch, [], 0

    def __iter__(self):
        import gc
        import weakref

        for start in range(0, self.total, self.batch):
            gc.collect()
            self.held_at_most = max(self.held_at_most, sum(1 for r in self.refs if r() is not None))
            batch = frame(start, min(self.batch, self.total - start))
            self.refs.append(weakref.ref(batch))
            yield batch
            del batch


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_writers_hold_one_batch_at_a_time(fmt):
    """Streaming, not collecting: when the writer asks for a batch it holds at most the one before
    (the loop's variable), however many it has written; collecting the frames (a concat, a list)
    would hold them all."""
    source = Watched(total=30_000, batch=1_000)
    written = sum(len(p) for p in (export.iter_xlsx if fmt == "xlsx" else export.iter_csv)(source, COLUMNS, ABOUT))
    assert written > 300_000 and len(source.refs) == 30
    assert source.held_at_most <= 1


def test_a_batch_is_written_a_few_thousand_rows_at_a_time(monkeypatch):
    """A big batch is turned into text in parts of WRITE_ROWS rows, so the XML and CSV text held at
    once do not grow with the batch size, and the output is the same as in one part."""
    seen = []
    real = export._cells

    def cells(values, *args):
        seen.append(len(values))
        return real(values, *args)

    whole = b"".join(export.iter_csv([frame(0, 5_000)], COLUMNS, ABOUT))
    monkeypatch.setattr(export, "_cells", cells)
    book = b"".join(export.iter_xlsx([frame(0, 5_000)], COLUMNS, ABOUT))
    assert max(seen) <= export.WRITE_ROWS and sum(seen) == 5_000 * len(export.visible_columns(COLUMNS))
    sheet = list(openpyxl.load_workbook(io.BytesIO(book), read_only=True)["记录"].iter_rows(values_only=True))
    assert [r[0] for r in sheet[1:]] == [f"HL{i:06d}" for i in range(5_000)]  # rows numbered on across parts
    monkeypatch.setattr(export, "WRITE_ROWS", 5_000)
    assert b"".join(export.iter_csv([frame(0, 5_000)], COLUMNS, ABOUT)) == whole


# -- against the demo lake, through the reader --------------------------------------------------

FEED = "hotline_orders"


@pytest.fixture()
def reader(use_demo_lake):
    from cockpit.query.reader import Reader
    from cockpit.query.viewer import default_viewer

    return Reader.current(default_viewer("zh"))


def _october(reader):
    return {"created_at": {"from": datetime(2026, 10, 1), "to": datetime(2026, 11, 1)}}


def test_the_xlsx_holds_exactly_the_readers_rows_masked(reader, tmp_path, use_demo_lake):
    import duckdb

    from cockpit.feeds.lake import table_source

    filters, sort = _october(reader), [("created_at", "desc")]
    columns = reader.record_columns(FEED)
    shown = export.visible_columns(columns)
    expected = pd.concat(list(reader.iter_records(FEED, filters=filters, sort=sort, batch_rows=50)),
                         ignore_index=True)
    assert len(expected) > 150  # several batches
    path = tmp_path / "orders.xlsx"
    assert export.write_xlsx(reader.iter_records(FEED, filters=filters, sort=sort, batch_rows=50), columns,
                             ABOUT, path) == len(expected)
    sheet = openpyxl.load_workbook(path, read_only=True)["记录"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == tuple(c["label"] for c in shown) and rows[0][0] == "工单编号"
    assert len(rows) - 1 == len(expected)
    # a row whose last cells are empty is shorter in read-only mode: pad it
    got = pd.DataFrame([r + (None,) * (len(shown) - len(r)) for r in rows[1:]], columns=[c["name"] for c in shown])
    assert got["order_id"].tolist() == expected["order_id"].tolist()  # same rows, same order
    assert got["created_at"].tolist() == [t.to_pydatetime() for t in expected["created_at"]]
    assert all(isinstance(v, datetime) for v in got["created_at"])
    assert np.allclose(got["lon"].astype(float), expected["lon"].astype(float))
    personal = [c["name"] for c in shown if c["personal"]]
    assert personal and not [c for c in columns if c["hidden"] and c["name"] in got.columns]
    raw = duckdb.sql(f"SELECT order_id, {', '.join(personal)} FROM {table_source(use_demo_lake, FEED)}").df()
    raw = raw.set_index("order_id").loc[got["order_id"]].reset_index(drop=True)
    for column in personal:
        present = got[column].notna()
        assert present.any()
        assert got.loc[present, column].tolist() == expected.loc[present, column].tolist()  # as the reader masked
        assert not (got.loc[present, column] == raw.loc[present, column]).any()  # never the raw value


def test_the_readers_stream_hands_over_bounded_batches_and_keeps_none(reader):
    """The export's rows come from DuckDB a batch at a time: no frame larger than `batch_rows`, and
    none kept by the stream once handed on (a stream that fetched everything first, or collected
    the frames, would fail this)."""
    import gc
    import weakref

    stream = reader.iter_records(FEED, sort=[("created_at", "asc")], batch_rows=500)
    refs, sizes = [], []
    for batch in stream:
        sizes.append(len(batch))
        refs.append(weakref.ref(batch))
        del batch
        gc.collect()
        assert sum(1 for r in refs if r() is not None) == 0
        if len(sizes) == 8:
            break
    assert len(sizes) == 8 and max(sizes) <= 500
    stream.close()


def test_the_export_stream_sorts_within_a_small_duckdb_limit_and_falls_back(reader, monkeypatch):
    """The stream's connection: one thread, Parquet prefetching off and the first memory limit of
    RECORDS_STREAM_MEMORY_LIMITS; when DuckDB runs out of it before the first batch, the next one
    is used and the rows are the same."""
    from cockpit.query import reader as reader_module

    settings = []
    real = reader_module.Reader._record_connection

    def connection(q, **kwargs):
        con = real(q, **kwargs)
        settings.append(dict(con.execute(
            "SELECT name, value FROM duckdb_settings() WHERE name IN "
            "('memory_limit', 'threads', 'disable_parquet_prefetching')").fetchall()))
        return con

    monkeypatch.setattr(reader_module.Reader, "_record_connection", staticmethod(connection))
    filters, sort = _october(reader), [("created_at", "desc")]
    expected = pd.concat(reader.iter_records(FEED, filters=filters, sort=sort), ignore_index=True)
    assert len(settings) == 1
    assert settings[0]["threads"] == "1" and settings[0]["disable_parquet_prefetching"] == "true"
    assert settings[0]["memory_limit"].startswith("152")  # 160MB, as DuckDB shows it in MiB
    monkeypatch.setattr(reader_module, "RECORDS_STREAM_MEMORY_LIMITS", ("1MB", "256MB"))
    settings.clear()
    again = pd.concat(reader.iter_records(FEED, filters=filters, sort=sort), ignore_index=True)
    assert len(settings) == 2  # 1 MB ran out, 256 MB sorted
    pd.testing.assert_frame_equal(again, expected)


# -- the route ------------------------------------------------------------------------------------

@pytest.fixture()
def client(use_demo_lake, sign_in):
    from cockpit.web import create_app

    return sign_in(create_app())


def _indicator_query(reader) -> dict:
    """An indicator with records, a region and a complete month: what a records page link holds."""
    period = reader.periods("hotline_orders", "month")[0]  # newest first
    return {"indicator": "hotline_orders", "region": reader.root, "frequency": "month", "period": period}


def test_the_route_streams_an_xlsx_named_and_described(client, reader):
    query = _indicator_query(reader)
    response = client.get("/records/export", query_string={**query, "format": "xlsx", "sort": "created_at:asc"})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == export.XLSX_MIMETYPE
    assert response.headers["X-Cockpit-Snapshot"] == reader.snapshot_id
    assert response.headers["Cache-Control"] == "no-store"
    disposition = response.headers["Content-Disposition"]
    name = unquote(disposition.split("filename*=UTF-8''", 1)[1])
    region = reader.region_name(reader.root)
    assert name.endswith(f"_{region}_{query['period']}.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.get_data()), read_only=True)
    about = dict(book["说明"].iter_rows(min_row=2, values_only=True))
    assert about["数据快照"] == reader.snapshot_id and query["period"] in about["周期"]
    assert "受理时间" in about["排序"] and region in about["地区"] and "脱敏" in about["脱敏说明"]
    page = reader.indicator_records("hotline_orders", reader.root, "month", query["period"], limit=0)
    rows = sum(1 for _ in book["记录"].iter_rows(values_only=True)) - 1
    assert int(about["行数"].replace(",", "")) == page.total == rows
    assert zipfile.is_zipfile(io.BytesIO(response.get_data()))


def test_the_route_answers_csv_with_a_bom(client, reader):
    query = _indicator_query(reader)
    response = client.get("/records/export", query_string={**query, "format": "csv", "lang": "en"})
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_data()
    assert body.startswith(export.BOM) and response.mimetype == "text/csv"
    assert unquote(response.headers["Content-Disposition"].split("''", 1)[1]).endswith(f"_{query['period']}.csv")
    text = body.decode("utf-8-sig")
    head, _, table = text.partition("\r\n\r\n")
    assert "Snapshot," + reader.snapshot_id in head
    back = pd.read_csv(io.StringIO(table))
    assert "Order ID" in back.columns or back.columns[0].isascii()  # English labels
    total = reader.indicator_records("hotline_orders", reader.root, "month", query["period"], limit=0).total
    assert len(back) == total


@pytest.mark.parametrize(("change", "problem"), [
    ({"indicator": "no_such_indicator"}, "no_such_indicator"),
    ({"period": "2026-13"}, "2026-13"),
    ({"key": "denominator"}, "denominator"),
    ({"format": "pdf"}, "format"),
    ({"sort": "no_such_column:asc"}, "no_such_column"),
    ({"no_such_column": "x"}, "no_such_column"),
])
def test_a_bad_query_answers_400_naming_the_problem(client, reader, change, problem):
    response = client.get("/records/export", query_string={**_indicator_query(reader), "format": "xlsx", **change})
    assert response.status_code == 400
    text = response.get_data(as_text=True)
    assert problem in text and "Traceback" not in text and "/" not in text.split(":", 1)[0]


def test_a_region_outside_the_viewers_scope_answers_403(client, reader, monkeypatch):
    from cockpit.query.viewer import Viewer
    from cockpit.ui import request

    cities = reader.children(reader.root)["code"].tolist()
    monkeypatch.setattr(request, "viewer", lambda lang=None: Viewer(region=cities[0], lang="zh"))
    query = {**_indicator_query(reader), "region": cities[1], "format": "xlsx"}
    response = client.get("/records/export", query_string=query)
    assert response.status_code == 403 and cities[1] in response.get_data(as_text=True)


def test_no_snapshot_answers_404(client, reader, monkeypatch, tmp_path):
    query = _indicator_query(reader)
    monkeypatch.setenv("COCKPIT_SNAPSHOT_DIR", str(tmp_path / "none"))
    response = client.get("/records/export", query_string={**query, "format": "csv"})
    assert response.status_code == 404 and "snapshot" in response.get_data(as_text=True)


def test_a_workbook_is_never_renamed_onto_a_device_or_a_folder(tmp_path):
    frame = pd.DataFrame({"n": ["1"]})
    columns = [{"name": "n", "label": "n", "type": "string", "personal": None, "hidden": False}]
    for target in ("/dev/null", str(tmp_path)):
        with pytest.raises(ValueError, match="is not a regular file"):
            export.write_xlsx([frame], columns, [], target)
    import os
    import stat

    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)
