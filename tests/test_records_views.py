"""The records page's server side: AG Grid's requests mapped to the reader's filters and sort, the
rows it answers equal to the reader's, the count equal to the indicator value, and export links
that carry exactly what the grid shows."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlparse

import pytest

from cockpit.query.reader import Reader
from cockpit.query.viewer import Viewer
from cockpit.ui import records_view as rv
from cockpit.views.records import RecordsQuery, parse_records_query, records_view

COLUMNS = [
    {"name": "order_id", "label": "工单编号", "type": "string", "personal": None, "hidden": False},
    {"name": "lon", "label": "经度", "type": "float", "personal": None, "hidden": False},
    {"name": "created_at", "label": "受理时间", "type": "timestamp", "personal": None, "hidden": False},
    {"name": "revisit_done", "label": "回访成功", "type": "boolean", "personal": None, "hidden": False},
    {"name": "caller_phone", "label": "联系电话", "type": "string", "personal": "phone", "hidden": False},
]


def _ask(**request):
    return rv.read_grid_request({"startRow": 0, "endRow": 100, **request}, COLUMNS, locked=["caller_phone"])


def test_grid_request_maps_what_the_reader_supports():
    ask = _ask(sortModel=[{"colId": "created_at", "sort": "desc"}],
               filterModel={"order_id": {"filterType": "text", "type": "equals", "filter": " A-1 "},
                            "lon": {"filterType": "number", "type": "inRange", "filter": 120, "filterTo": 121.5},
                            "created_at": {"filterType": "date", "type": "inRange", "dateFrom": "2026-10-01 00:00:00",
                                           "dateTo": "2026-10-31 00:00:00"},
                            "revisit_done": {"filterType": "text", "type": "equals", "filter": "否"}})
    assert ask.problem is None
    assert (ask.offset, ask.limit) == (0, 100)
    assert ask.sort == (("created_at", "desc"),)
    assert ask.filters == {"order_id": "A-1", "lon": {"from": 120, "to": 121.5},
                           "created_at": {"from": datetime(2026, 10, 1), "to": datetime(2026, 11, 1)},
                           "revisit_done": False}
    one_day = _ask(filterModel={"created_at": {"filterType": "date", "type": "equals", "dateFrom": "2026-10-05 00:00:00"}})
    assert one_day.filters["created_at"] == {"from": datetime(2026, 10, 5), "to": datetime(2026, 10, 6)}
    after = _ask(filterModel={"created_at": {"filterType": "date", "type": "greaterThan", "dateFrom": "2026-10-05"}})
    assert after.filters["created_at"] == {"from": datetime(2026, 10, 6)}
    at_least = _ask(filterModel={"lon": {"filterType": "number", "type": "greaterThanOrEqual", "filter": "120"}})
    assert at_least.filters["lon"] == {"from": 120.0}


@pytest.mark.parametrize("request_, problem", [
    ({"filterModel": {"order_id": {"filterType": "text", "type": "contains", "filter": "A"}}}, "equals"),
    ({"filterModel": {"lon": {"filterType": "number", "operator": "OR", "conditions": []}}}, "one condition"),
    ({"filterModel": {"lon": {"filterType": "number", "type": "inRange", "filter": 5, "filterTo": 1}}}, "above"),
    ({"filterModel": {"lon": {"filterType": "number", "type": "equals", "filter": "x"}}}, "not a number"),
    ({"filterModel": {"caller_phone": {"filterType": "text", "type": "equals", "filter": "138"}}}, "cannot be filtered"),
    ({"filterModel": {"nope": {"type": "equals", "filter": "1"}}}, "no column"),
    ({"filterModel": {"revisit_done": {"type": "equals", "filter": "maybe"}}}, "是 or 否"),
    ({"sortModel": [{"colId": "caller_phone", "sort": "asc"}]}, "cannot sort"),
    ({"sortModel": [{"colId": "lon", "sort": "sideways"}]}, "cannot sort"),
    ({"sortModel": "lon"}, "sort"),
    ({"startRow": -5}, "rows"),
    ({"startRow": 10, "endRow": 5}, "rows"),
    ({"endRow": True}, "rows"),
])
def test_grid_request_refuses_the_rest_with_a_message(request_, problem):
    ask = _ask(**request_)
    assert ask.problem is not None and problem in ask.problem
    assert not ask.filters


def test_hostile_grid_requests_are_safe():
    assert rv.read_grid_request(None, COLUMNS) == rv.GridAsk()
    assert rv.read_grid_request(["x"], COLUMNS) == rv.GridAsk()
    assert rv.read_grid_request({"startRow": 0, "endRow": 10**12}, COLUMNS).problem
    assert rv.read_grid_request({"startRow": 0, "endRow": 5000}, COLUMNS).limit == 1000  # the reader's page limit


def test_column_defs_offer_only_supported_filters_and_lock_personal_columns():
    defs = {d["field"]: d for d in rv.column_defs([*COLUMNS, {"name": "request_text", "label": "诉求内容", "type": "string",
                                                            "personal": "free_text", "hidden": True}],
                                                  "zh", locked=["caller_phone"], sort=[("created_at", "desc")])}
    assert "request_text" not in defs  # hidden for this viewer: not shown, not exported
    assert defs["order_id"]["filterParams"]["filterOptions"] == ["equals"]
    assert set(defs["lon"]["filterParams"]["filterOptions"]) <= set(rv.NUMBER_OPTIONS)
    assert defs["created_at"]["filter"] == "agDateColumnFilter"
    assert (defs["created_at"]["sort"], defs["created_at"]["sortIndex"]) == ("desc", 0)
    phone = defs["caller_phone"]
    assert phone["sortable"] is False and phone["filter"] is False
    assert phone["headerClass"] == rv.PERSONAL_HEADER  # assets/records.css draws the lock


# -- against the session demo ---------------------------------------------------------------------

def _reader(**viewer) -> Reader:
    return Reader.current(Viewer(**viewer))


def _city_month(reader: Reader) -> tuple[str, str]:
    city = reader.children(reader.root)["code"].iloc[0]
    return city, reader.periods("hotline_orders", "month")[1]


def _query(reader: Reader, **changes) -> RecordsQuery:
    city, month = _city_month(reader)
    args = {"indicator": "hotline_orders", "region": city, "frequency": "month", "period": month, **changes}
    return parse_records_query(args)


def _value(reader: Reader, indicator: str, region: str, period: str) -> float:
    series = reader.series(indicator, region, "month")
    return float(series.loc[series["period"] == period, "value"].iloc[0])


def test_first_block_equals_the_reader_and_the_count_equals_the_value(use_demo_lake):
    reader = _reader()
    q = _query(reader, region=reader.root)  # the province: more rows than one block
    answer = rv.grid_rows(reader, q, {"startRow": 0, "endRow": 100, "sortModel": [], "filterModel": {}})
    assert answer.problem is None
    value = _value(reader, "hotline_orders", q.region, q.period)
    assert answer.response["rowCount"] == answer.total == round(value) > 100
    page = reader.indicator_records("hotline_orders", q.region, "month", q.period, offset=0, limit=100)
    assert [r["order_id"] for r in answer.response["rowData"]] == page.rows["order_id"].tolist()
    first = answer.response["rowData"][0]
    assert isinstance(first["created_at"], str) and len(first["created_at"]) == 19
    assert "****" in first["caller_phone"]  # masked by the reader for a viewer without personal data
    assert "request_text" not in first  # free text is hidden from such a viewer
    view = records_view(reader, q, offset=0, limit=0)
    assert view.page.total == answer.total


def test_sort_and_filters_change_the_rows_as_the_reader_does(use_demo_lake):
    reader = _reader()
    q = _query(reader)
    newest = rv.grid_rows(reader, q, {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "created_at", "sort": "desc"}]})
    oldest = rv.grid_rows(reader, q, {"startRow": 0, "endRow": 50, "sortModel": [{"colId": "created_at", "sort": "asc"}]})
    assert newest.response["rowData"][0]["created_at"] > oldest.response["rowData"][0]["created_at"]
    channel = newest.response["rowData"][0]["channel"]
    filtered = rv.grid_rows(reader, q, {"startRow": 0, "endRow": 50, "sortModel": [],
                                        "filterModel": {"channel": {"filterType": "text", "type": "equals",
                                                                    "filter": channel}}})
    expected = reader.indicator_records("hotline_orders", q.region, "month", q.period, filters={"channel": channel},
                                        limit=0).total
    assert filtered.total == expected < newest.total
    assert filtered.filtered and {r["channel"] for r in filtered.response["rowData"]} == {channel}
    # what the export links carry is what the grid shows
    href = rv.grid_outputs(filtered, q, "zh")[1]
    carried = urlparse(href)
    assert carried.path == "/records/export"
    args = {k: v[0] for k, v in parse_qs(carried.query).items()}
    assert args["format"] == "xlsx" and args[
        "channel"] == channel
    again = parse_records_query(args)
    assert again.filters == {"channel": channel} and again.indicator == q.indicator and again.period == q.period
    sorted_href = rv.grid_outputs(newest, q, "en")[2]
    assert parse_records_query({k: v[0] for k, v in parse_qs(urlparse(sorted_href).query).items()}).sort == \
        (("created_at", "desc"),)


def test_a_url_cross_filter_narrows_the_rows_and_locks_its_column(use_demo_lake):
    reader = _reader()
    plain = _query(reader)
    category = reader.indicator_records("hotline_orders", plain.region, "month", plain.period, limit=1).rows[
        "category_l1"].iloc[0]
    q = _query(reader, category_l1=category)
    answer = rv.grid_rows(reader, q, {"startRow": 0, "endRow": 100})
    assert answer.total == reader.indicator_records("hotline_orders", q.region, "month", q.period,
                                                    filters={"category_l1": category}, limit=0).total
    assert 0 < answer.total < rv.grid_rows(reader, plain, {"startRow": 0, "endRow": 100}).total
    assert {r["category_l1"] for r in answer.response["rowData"]} == {category}
    assert "category_l1" in rv.locked_columns(reader, q, rv.grid_columns(reader, "hotline_orders"))


def test_a_rate_lists_numerator_and_denominator(use_demo_lake):
    reader = _reader()
    q = _query(reader, indicator="hotline_closure_rate", key="numerator")
    sets = {s["key"]: s for s in reader.record_sets("hotline_closure_rate", q.region, "month", q.period)}
    assert set(sets) == {"numerator", "denominator"}
    for key in ("numerator", "denominator"):
        answer = rv.grid_rows(reader, _query(reader, indicator="hotline_closure_rate", key=key),
                              {"startRow": 0, "endRow": 10})
        assert answer.problem is None
        assert answer.total == round(_value(reader, sets[key]["indicator"], q.region, q.period))
    bad = rv.grid_rows(reader, _query(reader, indicator="hotline_closure_rate", key="nonsense"), {"startRow": 0, "endRow": 10})
    assert bad.problem and bad.response == {"rowData": [], "rowCount": 0}


def test_personal_columns_refused_for_masked_viewers_and_plain_for_allowed(use_demo_lake):
    masked = _reader()
    q = _query(masked)
    refused = rv.grid_rows(masked, q, {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "caller_phone", "sort": "asc"}]})
    assert refused.problem and "caller_phone" in refused.problem
    allowed = _reader(personal_data=True)
    answer = rv.grid_rows(allowed, q, {"startRow": 0, "endRow": 10, "sortModel": [{"colId": "caller_phone", "sort": "asc"}]})
    assert answer.problem is None
    phones = [r["caller_phone"] for r in answer.response["rowData"]]
    assert phones == sorted(phones) and not any("*" in p for p in phones if p)


def test_feed_records_of_a_grid(use_demo_lake):
    reader = _reader()
    region = reader.root
    for _ in range(5):  # down to a grid
        children = reader.children(region)
        if children.empty:
            break
        region = children["code"].iloc[0]
    q = parse_records_query({"feed": "hotline_orders", "region": region})
    answer = rv.grid_rows(reader, q, {"startRow": 0, "endRow": 100})
    assert answer.problem is None
    assert answer.total == reader.records("hotline_orders", filters={"region": region}, limit=0).total
    out_of_scope = rv.grid_rows(_reader(region=reader.children(reader.root)["code"].iloc[0]),
                                parse_records_query({"feed": "hotline_orders",
                                                     "region": reader.children(reader.root)["code"].iloc[1]}),
                                {"startRow": 0, "endRow": 10})
    assert out_of_scope.problem and out_of_scope.total is None


def test_a_range_filter_turns_the_export_off_with_a_message(use_demo_lake):
    """A grid range filter has no form in the records URL: rather than export other rows than the
    grid shows, the export links are switched off and the page says why."""
    reader = _reader()
    q = _query(reader)
    answer = rv.grid_rows(reader, q, {"startRow": 0, "endRow": 100, "filterModel": {
        "created_at": {"filterType": "date", "type": "inRange", "dateFrom": "2026-10-01 00:00:00",
                       "dateTo": "2026-10-10 00:00:00"}}})
    assert answer.problem is None and answer.shown is None and answer.filtered
    assert answer.total == reader.indicator_records(
        "hotline_orders", q.region, "month", q.period, limit=0,
        filters={"created_at": {"from": datetime(2026, 10, 1), "to": datetime(2026, 10, 11)}}).total
    _, xlsx, csv, group, count, problem, shown = rv.grid_outputs(answer, q, "zh")
    assert xlsx is None and csv is None and "records-export-off" in group
    assert shown and "范围筛选" in problem and str(answer.total) in count.replace(",", "")


def test_a_grid_is_named_with_its_street_and_community(use_demo_lake):
    """Every street has a 第1网格: a grid's records say whose it is."""
    from cockpit.views.records import region_label

    reader = _reader()
    street = next(c for c in sorted(reader.children("330602")["code"]))
    community = str(reader.children(street)["code"].iloc[0])
    grid = str(reader.children(community)["code"].iloc[0])
    label = region_label(reader, grid)
    assert label == " ".join(reader.region_name(c) for c in (street, community, grid))
    assert region_label(reader, street) == reader.region_name(street)  # a street's name says enough
