"""`cockpit users`, `cockpit audit` and `cockpit state` as an administrator uses them, on SQLite
and PostgreSQL: the password twice on standard input, one clear line for every refusal."""

from __future__ import annotations

import csv
import sys

import pytest
from typer.testing import CliRunner

from cockpit import cli
from cockpit.state import accounts, audit

pytest_plugins = ["tests.state_db"]  # state_url: each test on SQLite and on PostgreSQL

PASSWORD = "Wall-Screen-2026"


def cockpit(monkeypatch, *args: str, input: str | None = None) -> tuple[int, str, str]:
    """Run `cockpit ARGS` through its entry point (as the installed command does, errors turned into
    one line) with typer's runner capturing standard input and output: (exit status, stdout, stderr)."""
    runner = CliRunner()
    monkeypatch.setattr(sys, "argv", ["cockpit", *args])
    status = 0
    with runner.isolation(input=input, env={"COLUMNS": "200"}) as (out, err, _):
        try:
            cli.main()
        except SystemExit as exc:
            status = exc.code if isinstance(exc.code, int) else 1
        sys.stdout.flush()
        sys.stderr.flush()
        return status, out.getvalue().decode(), err.getvalue().decode()


@pytest.fixture()
def admin(state_url, fast_hashes, tmp_path, monkeypatch):
    """A state store on each engine, no snapshot published (regions come from data/regions/)."""
    monkeypatch.setenv("COCKPIT_SNAPSHOT_DIR", str(tmp_path / "no-snapshots"))
    return lambda *args, input=None: cockpit(monkeypatch, *args, input=input)


def one_error(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in err, err
    return lines[0]


def test_users_add_reads_the_password_twice_and_the_account_signs_in(admin):
    status, _, err = admin("users", "add", "li", "--role", "staff", "--region", "330602", "--department", "区城管局",
                           "--personal-data", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert status == 0, err
    assert "added li (staff, 330602 越城区, 区城管局, personal data)" in err
    user = accounts.authenticate("li", PASSWORD, None)
    assert (user.role, user.region, user.department, user.personal_data) == ("staff", "330602", "区城管局", True)
    added = list(audit.entries(action="user_added"))[0]
    assert added["target"] == "li" and added["actor"].startswith("cli")


def test_two_different_passwords_or_one_the_policy_refuses_add_nobody(admin):
    status, _, err = admin("users", "add", "li", "--role", "leader", "--region", "330602",
                           input=f"{PASSWORD}\n{PASSWORD}x\n")
    assert status == 1 and "the two passwords differ" in one_error(err)
    status, _, err = admin("users", "add", "li", "--role", "leader", "--region", "330602", input="short\nshort\n")
    line = one_error(err)
    assert status == 1 and "at least 10" in line and "3 are needed" in line
    status, _, err = admin("users", "add", "li", "--role", "leader", "--region", "330602", input=f"{PASSWORD}\n")
    assert status == 1 and "twice" in one_error(err)
    assert accounts.list_users() == []


def test_unknown_region_code_role_and_a_duplicate_are_one_line_each(admin, monkeypatch):
    status, _, err = admin("users", "add", "li", "--role", "leader", "--region", "339999",
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert status == 1 and "unknown region code '339999'" in one_error(err)
    status, _, err = admin("users", "add", "li", "--role", "boss", "--region", "330602")
    assert status == 1 and "unknown role 'boss'" in one_error(err)
    status, _, err = admin("users", "add", "li", "--role", "staff", "--region", "330602")
    assert status == 1 and "--department" in one_error(err)
    assert admin("users", "add", "li", "--role", "leader", "--region", "330602",
                 input=f"{PASSWORD}\n{PASSWORD}\n")[0] == 0
    status, _, err = admin("users", "add", "li", "--role", "leader", "--region", "330602",
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert status == 1 and "a user named 'li' already exists" in one_error(err)

    class Published:  # a published snapshot, whose regions are the ones that count
        id = "20261120T220000"

        def region(self, code):
            if code != "330000":
                raise KeyError(code)
            return {"name": "浙江省"}

        def roots(self):
            return ("330000",)

    monkeypatch.setattr("cockpit.query.snapshot.current_snapshot", lambda: Published())
    status, _, err = admin("users", "add", "wang", "--role", "leader", "--region", "330602",
                           input=f"{PASSWORD}\n{PASSWORD}\n")
    assert status == 1 and "snapshot 20261120T220000 has no such region" in one_error(err)
    assert admin("users", "add", "wang", "--role", "analyst", "--region", "330000",
                 input=f"{PASSWORD}\n{PASSWORD}\n")[0] == 0


def test_users_list_disable_and_passwd(admin):
    for name, role in (("zhang", "leader"), ("chen", "admin")):
        assert admin("users", "add", name, "--role", role, "--region", "330600",
                     input=f"{PASSWORD}\n{PASSWORD}\n")[0] == 0
    for _ in range(accounts.LOCK_AFTER):
        with pytest.raises(accounts.Refused):
            accounts.authenticate("zhang", "Wrong-Password-1", None)
    token = accounts.start_session(accounts.authenticate("chen", PASSWORD, None), None)

    status, out, _ = admin("users", "list")
    assert status == 0
    rows = {line.split("│")[1].strip(): [c.strip() for c in line.split("│")[2:-1]]
            for line in out.splitlines() if line.startswith("│")}
    assert rows["chen"] == ["admin", "330600", "", "", "", ""]
    assert rows["zhang"][:5] == ["leader", "330600", "", "", ""] and rows["zhang"][5].startswith("until ")

    status, _, err = admin("users", "disable", "chen")
    assert status == 0 and "chen disabled; 1 session(s) ended" in err
    assert accounts.session_user(token) is None
    assert "already disabled" in admin("users", "disable", "chen")[2]
    assert "no user is named 'nobody'" in one_error(admin("users", "disable", "nobody")[2])

    new = "Another-Pass-2027"
    status, _, err = admin("users", "passwd", "zhang", input=f"{new}\n{new}\n")
    assert status == 0 and "password of zhang changed" in err
    assert accounts.authenticate("zhang", new, None).name == "zhang"  # and the lock is lifted
    assert "contains the user name" in one_error(admin("users", "passwd", "zhang", input="Zhang-2027-xyz\n" * 2)[2])


def disabled_column(listing: str) -> dict[str, str]:
    """`cockpit users list`'s disabled column, by user name."""
    return {line.split("│")[1].strip(): line.split("│")[6].strip() for line in listing.splitlines()
            if line.startswith("│")}


def test_users_enable_lets_a_disabled_account_sign_in_again_and_both_are_audited(admin):
    assert admin("users", "add", "li", "--role", "leader", "--region", "330602",
                 input=f"{PASSWORD}\n{PASSWORD}\n")[0] == 0
    assert admin("users", "disable", "li")[0] == 0
    assert disabled_column(admin("users", "list")[1]) == {"li": "yes"}
    with pytest.raises(accounts.Refused) as refused:
        accounts.authenticate("li", PASSWORD, None)
    assert refused.value.reason == "disabled"

    status, _, err = admin("users", "enable", "li")
    assert status == 0 and "li enabled" in err
    assert accounts.authenticate("li", PASSWORD, None).name == "li"
    assert disabled_column(admin("users", "list")[1]) == {"li": ""}
    assert "li was not disabled" in admin("users", "enable", "li")[2]
    assert "no user is named 'nobody'" in one_error(admin("users", "enable", "nobody")[2])

    changes = [(e["action"], e["target"], e["actor"].startswith("cli")) for e in audit.entries()
               if e["action"] in ("user_disabled", "user_enabled")]
    assert changes == [("user_disabled", "li", True), ("user_enabled", "li", True)]  # the second enable wrote nothing
    assert admin("audit", "verify")[0] == 0


def test_state_prune_deletes_ended_sessions_and_says_how_many(admin):
    from datetime import timedelta

    from cockpit.state.audit import utc

    assert admin("users", "add", "li", "--role", "leader", "--region", "330602",
                 input=f"{PASSWORD}\n{PASSWORD}\n")[0] == 0
    li = accounts.authenticate("li", PASSWORD, None)
    live = accounts.start_session(li, None)
    # opened 13 hours ago, after the live one (a sign-in deletes the sessions ended at its own time)
    then = utc() - timedelta(hours=13)
    stale = [accounts.start_session(li, None, now=then) for _ in range(3)]
    accounts.end_session(accounts.start_session(li, None, now=then), now=then + timedelta(minutes=1))
    entries = len(list(audit.entries(limit=1000)))

    status, _, err = admin("state", "prune")
    assert status == 0 and "state: 4 ended session(s) deleted" in err and "idle over 30 min" in err
    assert accounts.session_user(live) == li and all(accounts.session_user(t) is None for t in stale)
    assert "state: 0 ended session(s) deleted" in admin("state", "prune")[2]
    assert len(list(audit.entries(limit=1000))) == entries  # the audit trail is never pruned


def test_audit_verify_list_and_export(admin, state_url, tmp_path):
    assert admin("users", "add", "=zhang", "--role", "leader", "--region", "330600",
                 input=f"{PASSWORD}\n{PASSWORD}\n")[0] == 0
    for _ in range(3):
        with pytest.raises(accounts.Refused):
            accounts.authenticate("=zhang", "Wrong-Password-1", "10.1.1.1")
    accounts.authenticate("=zhang", PASSWORD, "10.1.1.1")

    status, out, _ = admin("audit", "verify")
    head = audit.verify()
    assert status == 0 and f"5 entries checked, the chain holds; head #5 {head.head_hash}" in out

    status, out, _ = admin("audit", "list", "--action", "sign_in*", "--limit", "2")
    assert status == 0 and "audit: 2 entries (the newest 2)" in out
    assert out.count("sign_in_failed") == 1 and out.count("│ sign_in ") == 1
    status, out, _ = admin("audit", "list", "--actor", "=zhang", "--since", "2000-01-01")
    assert status == 0 and out.count("10.1.1.1") == 4
    assert "is not a date" in one_error(admin("audit", "list", "--since", "yesterday")[2])

    target = tmp_path / "trail.csv"
    status, _, err = admin("audit", "export", str(target), "--action", "sign_in_failed")
    assert status == 0 and "3 entries written" in err
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(raw.decode("utf-8-sig").splitlines()))
    assert {row[2] for row in rows[1:]} == {"'=zhang"}  # a name that looks like a formula is text
    assert "does not exist" in one_error(admin("audit", "export", str(tmp_path / "no" / "x.csv"))[2])

    from sqlalchemy import text

    from cockpit.state import store

    engine = store.raw_engine(state_url)
    with engine.begin() as connection:
        for statement in (["DROP TRIGGER audit_no_delete"] if engine.dialect.name == "sqlite"
                          else ["DROP TRIGGER audit_append_only ON audit"]):
            connection.execute(text(statement))
        connection.execute(text("DELETE FROM audit WHERE seq = 2"))
    status, out, err = admin("audit", "verify")
    assert status == 1 and "entry #2 is missing" in one_error(err) and out == ""


def test_state_upgrade_says_where_and_which_revision(admin, state_url):
    from cockpit.state import store

    status, _, err = admin("state", "upgrade")
    assert status == 0 and f"is at revision {store.head_revision()}" in err
    assert admin("state", "upgrade")[0] == 0
