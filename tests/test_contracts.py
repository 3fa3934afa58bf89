"""Feed contracts are data: every shipped one loads, and a broken one says what is wrong where."""

from __future__ import annotations

import pytest

from cockpit.feeds.contracts import COLUMN_TYPES, ContractError, load_contracts


def test_shipped_contracts_cover_the_four_families():
    contracts = load_contracts()
    assert [f.name for f in contracts.families] == ["economy", "governance", "environment", "infrastructure"]
    names = {t.name for t in contracts.tables}
    assert {"economy_monthly", "hotline_orders", "grid_events", "service_cases", "air_quality_hourly",
            "water_quality_monthly", "waste_manifests", "waste_facilities", "waste_free_cells",
            "iot_sensors", "iot_readings", "cloud_usage_daily", "data_platform_daily", "security_events"} <= names
    for table in contracts.tables:
        assert table.label_zh and table.label_en and table.description, table.name
        assert set(table.natural_key) <= set(table.column_names)
        assert table.region_column in table.column_names
        assert all(c.type in COLUMN_TYPES and c.label_zh and c.label_en for c in table.columns)


def test_hotline_contract_has_the_handling_timeline():
    hotline = load_contracts().table("hotline_orders")
    for column in ("created_at", "dispatched_at", "first_feedback_at", "closed_at", "due_at"):
        assert hotline.column(column).type == "timestamp"
    assert hotline.column("status").allowed and "已办结" in hotline.column("status").allowed
    assert hotline.column("order_id").required


def test_unknown_feed_lists_the_known_ones():
    with pytest.raises(KeyError, match="hotline_orders"):
        load_contracts().table("no_such_feed")


def test_every_problem_in_a_broken_contract_is_reported_at_once(tmp_path):
    (tmp_path / "broken.yaml").write_text(
        "family: test\nlabel_zh: 测试\nlabel_en: Test\ntables:\n"
        "  - name: t1\n    label_zh: 表\n    label_en: T\n    natural_key: [id, missing_key]\n"
        "    region_column: nowhere\n    columns:\n"
        "      - {name: id, type: uuid, label_zh: 编号, label_en: ID}\n"
        "      - {name: BadName, type: string, label_zh: x, label_en: x}\n"
        "      - {name: v, type: float, label_zh: 值}\n", encoding="utf-8")
    with pytest.raises(ContractError) as err:
        load_contracts(tmp_path)
    text = str(err.value)
    assert "broken.yaml, table t1, column id: type 'uuid'" in text
    assert "column name 'BadName'" in text
    assert "column v: missing label_en" in text
    assert "natural_key column 'missing_key'" in text
    assert "region_column 'nowhere'" in text
    assert len(err.value.problems) >= 5


def test_invalid_yaml_names_the_line(tmp_path):
    (tmp_path / "bad.yaml").write_text("family: x\ntables:\n  - name: [unclosed\n", encoding="utf-8")
    with pytest.raises(ContractError, match=r"bad.yaml, line \d+: not valid YAML"):
        load_contracts(tmp_path)


def test_a_bad_personal_marking_names_file_table_and_column(tmp_path):
    (tmp_path / "people.yaml").write_text(
        "family: test\nlabel_zh: 测试\nlabel_en: Test\ntables:\n"
        "  - name: callers\n    label_zh: 来电\n    label_en: Calls\n    natural_key: [call_id]\n"
        "    region_column: region_code\n    columns:\n"
        "      - {name: call_id, type: string, personal: phone, label_zh: 编号, label_en: ID}\n"
        "      - {name: region_code, type: string, label_zh: 区划, label_en: Region}\n"
        "      - {name: who, type: string, personal: nickname, label_zh: 姓名, label_en: Name}\n"
        "      - {name: age, type: integer, personal: name, label_zh: 年龄, label_en: Age}\n", encoding="utf-8")
    with pytest.raises(ContractError) as err:
        load_contracts(tmp_path)
    text = str(err.value)
    assert "people.yaml, table callers, column who: personal 'nickname' is not one of name|phone|id_number|address|free_text" in text
    assert "people.yaml, table callers, column age: personal applies to string columns, not integer" in text
    assert "people.yaml, table callers, column call_id: a personal column cannot be part of the natural_key" in text


def test_personal_columns_are_listed_in_contract_order(tmp_path):
    (tmp_path / "people.yaml").write_text(
        "family: test\nlabel_zh: 测试\nlabel_en: Test\ntables:\n"
        "  - name: callers\n    label_zh: 来电\n    label_en: Calls\n    natural_key: [call_id]\n"
        "    region_column: region_code\n    columns:\n"
        "      - {name: call_id, type: string, label_zh: 编号, label_en: ID}\n"
        "      - {name: region_code, type: string, label_zh: 区划, label_en: Region}\n"
        "      - {name: said, type: string, personal: free_text, label_zh: 内容, label_en: Said}\n"
        "      - {name: who, type: string, personal: name, label_zh: 姓名, label_en: Name}\n", encoding="utf-8")
    table = load_contracts(tmp_path).table("callers")
    assert table.personal_columns == {"said": "free_text", "who": "name"}
    assert table.column("call_id").personal is None
