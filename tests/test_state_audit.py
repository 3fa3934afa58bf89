"""The audit trail on SQLite and PostgreSQL: append-only, its hash chain finds an edited, deleted
or inserted entry, concurrent writers never fork it, and its CSV export is safe to open in Excel."""

from __future__ import annotations

import csv
import threading
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from cockpit.state import audit, store

pytest_plugins = ["tests.state_db"]  # state_url: each test on SQLite and on PostgreSQL

T0 = datetime(2026, 11, 20, 8, 0)


def fill(count: int = 6) -> None:
    for i in range(count):
        audit.record(f"user{i % 2}", "record_view", f"hotline_orders/{i}", {"rows": i, "filters": {"region": "330602"}},
                     "10.1.1.1", at=T0 + timedelta(minutes=i))


def tamper(url: str, *statements: str) -> None:
    """Change the table behind the cockpit's back, as someone with the database's password would:
    first the trigger that keeps the trail append-only goes."""
    engine = store.raw_engine(url)
    drop = (["DROP TRIGGER audit_no_update", "DROP TRIGGER audit_no_delete"] if engine.dialect.name == "sqlite"
            else ["DROP TRIGGER audit_append_only ON audit"])
    with engine.begin() as connection:
        for statement in [*drop, *statements]:
            connection.exec_driver_sql(statement)  # as typed: no bind parameters


def test_a_whole_trail_verifies_and_names_its_head(state_url):
    assert audit.verify().entries == 0 and audit.verify().ok
    fill()
    verdict = audit.verify()
    last = list(audit.entries())[-1]
    assert (verdict.ok, verdict.entries, verdict.head_seq, verdict.head_hash) == (True, 6, 6, last["hash"])


def test_the_database_refuses_to_update_or_delete_entries(state_url):
    fill(2)
    for statement in ("UPDATE audit SET actor = 'someone' WHERE seq = 1", "DELETE FROM audit WHERE seq = 1"):
        with pytest.raises(SQLAlchemyError, match="append-only"), store.raw_engine(state_url).begin() as connection:
            connection.execute(text(statement))
    assert audit.verify().ok and audit.verify().entries == 2


def test_an_edited_entry_is_found(state_url):
    fill()
    tamper(state_url, """UPDATE audit SET details = '{"filters":{"region":"330000"},"rows":3}' WHERE seq = 4""")
    verdict = audit.verify()
    assert not verdict.ok and verdict.seq == 4 and "#4" in verdict.problem and verdict.entries == 3


def test_an_edit_that_recomputes_the_hash_is_found_at_the_next_entry(state_url):
    fill()
    rows = list(audit.entries())
    forged = audit.chain_hash(rows[1]["hash"], audit.canonical(3, rows[2]["at"], "user0", "record_view",
                                                               rows[2]["target"], "{}", rows[2]["address"]))
    tamper(state_url, f"UPDATE audit SET details = '{{}}', hash = '{forged}' WHERE seq = 3")
    verdict = audit.verify()
    assert not verdict.ok and verdict.seq == 3 and "#4 does not follow entry #3" in verdict.problem


def test_a_deleted_entry_is_found(state_url):
    fill()
    tamper(state_url, "DELETE FROM audit WHERE seq = 3")
    verdict = audit.verify()
    assert not verdict.ok and verdict.seq == 3 and "#3 is missing" in verdict.problem


def test_an_inserted_entry_is_found(state_url):
    fill()
    last = list(audit.entries())[-1]
    tamper(state_url, "INSERT INTO audit (seq, at, actor, action, target, details, address, prev_hash, hash) "
                      f"VALUES (7, '2026-11-20 09:00:00', 'admin', 'user_added', 'mole', '{{}}', NULL, "
                      f"'{last['hash']}', '{'ab' * 32}')")
    verdict = audit.verify()
    assert not verdict.ok and verdict.seq == 7 and "#7 does not match its hash" in verdict.problem
    assert verdict.entries == 6  # the entries before it still hold


def test_an_entry_inserted_before_the_first_is_found(state_url):
    fill(2)
    tamper(state_url, "INSERT INTO audit (seq, at, actor, action, target, details, address, prev_hash, hash) "
                      f"VALUES (0, '2026-11-20 07:00:00', 'admin', 'sign_in', NULL, '{{}}', NULL, "
                      f"'{audit.GENESIS}', '{'cd' * 32}')")
    verdict = audit.verify()
    assert not verdict.ok and verdict.seq == 0 and "inserted" in verdict.problem


def test_two_writers_appending_at_once_make_one_chain(state_url):
    store.engine(state_url)  # migrate first: the race is the appends', not the migration's
    failures: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(200):
                audit.record(name, "record_view", f"orders/{i}", {"i": i}, "10.0.0.1")
        except BaseException as exc:  # noqa: BLE001 - reported by the test below
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(name,)) for name in ("one", "two")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert failures == []
    verdict = audit.verify()
    assert (verdict.ok, verdict.entries, verdict.head_seq) == (True, 400, 400), verdict.problem
    entries = list(audit.entries())
    assert [e["seq"] for e in entries] == list(range(1, 401))
    for name in ("one", "two"):  # each writer's entries, in the order it wrote them
        assert [e["details"]["i"] for e in entries if e["actor"] == name] == list(range(200))


def test_entries_filter_by_time_actor_action_and_keep_the_newest(state_url):
    fill()
    audit.record("admin", "user_added", "wang", {}, at=T0 + timedelta(hours=1))
    assert [e["seq"] for e in audit.entries(actor="user1")] == [2, 4, 6]
    assert [e["seq"] for e in audit.entries(action="user_added")] == [7]
    assert [e["seq"] for e in audit.entries(action="record_*")] == [1, 2, 3, 4, 5, 6]  # a prefix
    assert [e["seq"] for e in audit.entries(since=T0 + timedelta(minutes=4))] == [5, 6, 7]
    assert [e["seq"] for e in audit.entries(limit=2)] == [6, 7]
    assert list(audit.entries(actor="user%")) == [] and list(audit.entries(action="record%*")) == []


def test_the_csv_export_has_a_bom_and_no_cell_a_spreadsheet_would_run(state_url, tmp_path):
    audit.record("=HYPERLINK(\"http://evil\",\"x\")", "sign_in_failed", None, {"reason": "unknown"}, "10.1.1.1", at=T0)
    audit.record("+cmd", "sign_in_failed", "-2+3", {"reason": "unknown"}, "@SUM(A1)", at=T0)
    audit.record("王伟", "record_export", "hotline_orders", {"rows": 12, "format": "csv"}, "10.1.1.2", at=T0)
    (tmp_path / "out").mkdir()
    path = tmp_path / "out" / "audit.csv"
    assert audit.export_csv(path) == 3
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert rows[0] == list(audit.CSV_COLUMNS)
    cells = [cell for row in rows[1:] for cell in row]
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in cells and "'+cmd" in cells and "'-2+3" in cells and "'@SUM(A1)" in cells
    assert rows[3][2] == "王伟" and rows[3][1] == "2026-11-20T08:00:00Z"
    assert [p.name for p in path.parent.iterdir()] == ["audit.csv"]  # no temporary file left beside it
