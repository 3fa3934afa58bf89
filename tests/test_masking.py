"""Personal data in records: masked in the reader for every viewer not allowed to see it.

Names, phone numbers, ID numbers and addresses are masked in every way records leave the reader
(pages, indicator pages, streams); free text is hidden; a masked viewer cannot filter or sort on
a personal column (the answer would reveal the value); a viewer allowed personal data sees it
as stored.
"""

from __future__ import annotations

import pandas as pd
import pytest

from cockpit.feeds.contracts import load_contracts
from cockpit.query.masking import (
    HIDDEN_TEXT,
    mask_address,
    mask_frame,
    mask_id_number,
    mask_name,
    mask_phone,
    mask_value,
)
from cockpit.query.reader import OutOfScope, Reader
from cockpit.query.snapshot import current_snapshot
from cockpit.query.viewer import Viewer, default_viewer

COUNTY = "330602"
PERSONAL = ("caller_name", "caller_phone", "caller_address", "request_text")


def test_each_kind_is_masked_as_the_rules_say():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李四") == "李*"
    assert mask_name("欧阳娜娜") == "欧***"
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("057188001234") == "057*****1234"
    assert mask_id_number("330602199001011234") == "330***********1234"
    assert mask_id_number("33060219900101123X") == "330***********123X"
    assert mask_address("绍兴市越城区府山街道胜利路12号阳光花园3幢1单元302室") == "绍兴市越城区府山街道"
    assert mask_address("宁波市镇海区招宝山街道人民路1号") == "宁波市镇海区招宝山街道"  # 镇 of 镇海区 is no street
    assert mask_address("浙江省杭州市淳安县千岛湖镇新安大街1号") == "浙江省杭州市淳安县千岛湖镇"
    assert mask_address("衢州市开化县林山乡林山村3组12号") == "衢州市开化县林山乡"
    assert mask_address("解放路12号3幢302室") == "解放路12号***"  # no street named: the first 6 characters
    assert mask_value("free_text", "家门口的路灯坏了") == HIDDEN_TEXT["zh"]
    assert mask_value("free_text", "路灯坏了", "en") == "(hidden)"
    assert mask_value("name", None) is None
    with pytest.raises(ValueError, match="unknown kind"):
        mask_value("shoe_size", "42")


def test_a_frame_is_masked_column_by_column_and_left_unchanged():
    frame = pd.DataFrame({"who": pd.array(["王小明", None, "王小明"], dtype="str"), "n": [1, 2, 3]})
    masked = mask_frame(frame, {"who": "name", "absent": "phone"})
    assert masked["who"].tolist()[0] == "王**" and masked["who"].tolist()[2] == "王**"
    assert pd.isna(masked["who"].tolist()[1])
    assert frame["who"].tolist()[0] == "王小明"  # the input is not changed
    assert masked["n"].tolist() == [1, 2, 3]


@pytest.fixture()
def viewers(use_demo_lake):
    snap = current_snapshot()
    return Reader(default_viewer(), snap), Reader(Viewer(role="admin", personal_data=True), snap)


def _assert_masked(masked: pd.DataFrame, plain: pd.DataFrame) -> None:
    """Row by row (same order), each personal column of `masked` is the mask of `plain`'s."""
    assert masked["order_id"].tolist() == plain["order_id"].tolist()
    assert len(masked) > 0
    kinds = load_contracts().table("hotline_orders").personal_columns
    for column in PERSONAL:
        for shown, stored in zip(masked[column], plain[column], strict=True):
            if pd.isna(stored):
                assert pd.isna(shown), column
            else:
                assert shown == mask_value(kinds[column], stored), column
                assert shown != stored, column


def test_the_contract_marks_the_callers_personal_data():
    contract = load_contracts().table("hotline_orders")
    assert contract.personal_columns == {"caller_name": "name", "caller_phone": "phone",
                                         "caller_address": "address", "request_text": "free_text"}
    assert contract.column("request_text").max_length == 2000
    assert load_contracts().table("service_cases").personal_columns == {
        "applicant_name": "name", "applicant_id_number": "id_number"}


def test_records_are_masked_for_a_viewer_not_allowed_personal_data(viewers):
    masked_reader, plain_reader = viewers
    sort = [("created_at", "desc")]
    masked = masked_reader.records("hotline_orders", {"region": COUNTY}, sort, limit=200).rows
    plain = plain_reader.records("hotline_orders", {"region": COUNTY}, sort, limit=200).rows
    _assert_masked(masked, plain)
    assert plain["caller_phone"].dropna().str.fullmatch(r"1[3-9][0-9]{9}").all()  # the allowed viewer sees them
    assert masked["caller_phone"].dropna().str.fullmatch(r"1[3-9][0-9]\*{4}[0-9]{4}").all()
    assert (masked["request_text"].dropna() == "（已隐藏）").all()
    # the same in the service cases: ID numbers and names
    cases = masked_reader.records("service_cases", {"region": COUNTY}, limit=50).rows
    assert cases["applicant_id_number"].str.fullmatch(r"[0-9]{3}\*{11}[0-9]{3}[0-9X]").all()
    assert cases["applicant_name"].str.fullmatch(r"[\u4e00-\u9fff]\*{1,3}").all()


def test_indicator_records_and_streams_are_masked_too(viewers):
    masked_reader, plain_reader = viewers
    args = ("hotline_closure_rate", "330000", "year", "2025")
    masked = masked_reader.indicator_records(*args, key="numerator", limit=300).rows
    plain = plain_reader.indicator_records(*args, key="numerator", limit=300).rows
    _assert_masked(masked, plain)
    streamed = pd.concat(masked_reader.iter_indicator_records(*args, key="numerator", batch_rows=100), ignore_index=True)
    plain_streamed = pd.concat(plain_reader.iter_indicator_records(*args, key="numerator"), ignore_index=True)
    _assert_masked(streamed, plain_streamed)
    feed = pd.concat(masked_reader.iter_records("hotline_orders", {"region": COUNTY}), ignore_index=True)
    plain_feed = pd.concat(plain_reader.iter_records("hotline_orders", {"region": COUNTY}), ignore_index=True)
    _assert_masked(feed, plain_feed)


def test_the_columns_say_what_is_personal_and_what_is_hidden(viewers):
    masked_reader, plain_reader = viewers
    columns = {c["name"]: c for c in masked_reader.record_columns("hotline_orders")}
    assert columns["caller_phone"]["personal"] == "phone" and not columns["caller_phone"]["hidden"]
    assert columns["request_text"]["hidden"] and columns["request_text"]["label"] == "诉求内容"
    assert columns["order_id"]["personal"] is None and columns["created_at"]["type"] == "timestamp"
    assert [c["name"] for c in masked_reader.record_columns("hotline_orders")] == \
        load_contracts().table("hotline_orders").column_names
    assert not any(c["hidden"] for c in plain_reader.record_columns("hotline_orders"))


def test_a_masked_viewer_may_not_filter_or_sort_on_personal_data(viewers):
    masked_reader, plain_reader = viewers
    with pytest.raises(ValueError, match="personal data"):
        masked_reader.records("hotline_orders", {"caller_phone": "13812341234"})
    with pytest.raises(ValueError, match="personal data"):
        masked_reader.records("hotline_orders", sort=[("caller_name", "asc")])
    with pytest.raises(ValueError, match="personal data"):
        masked_reader.indicator_records("hotline_orders", COUNTY, "year", "2025", filters={"caller_address": "x"})
    with pytest.raises(ValueError, match="personal data"):
        masked_reader.iter_indicator_records("hotline_orders", COUNTY, "year", "2025", sort=[("request_text", "desc")])
    with pytest.raises(ValueError, match="personal data"):
        masked_reader.iter_records("service_cases", {"applicant_id_number": "330602199001011234"})
    # a viewer allowed personal data may: finding a caller's orders by their number
    number = next(p for p in plain_reader.records("hotline_orders", {"region": COUNTY}, limit=50).rows["caller_phone"]
                  if isinstance(p, str))
    found = plain_reader.records("hotline_orders", {"caller_phone": number}, limit=100).rows
    assert len(found) >= 1 and (found["caller_phone"] == number).all()


def test_out_of_scope_stays_out_of_scope_whatever_the_personal_rights(use_demo_lake):
    snap = current_snapshot()
    county = Reader(Viewer(role="staff", region=COUNTY, personal_data=True), snap)
    with pytest.raises(OutOfScope):
        county.records("hotline_orders", {"region": "330102"})
    with pytest.raises(OutOfScope):
        county.indicator_records("hotline_orders", "330102", "year", "2025")
    with pytest.raises(OutOfScope):
        county.iter_indicator_records("hotline_orders", "330100", "year", "2025")
    with pytest.raises(OutOfScope):
        county.record_sets("hotline_orders", "330102", "year", "2025")
    own = county.indicator_records("hotline_orders", COUNTY, "year", "2025", limit=5)
    assert own.total > 0 and own.rows["caller_phone"].dropna().str.fullmatch(r"1[3-9][0-9]{9}").all()
