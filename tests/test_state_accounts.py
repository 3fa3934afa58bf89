"""Accounts on SQLite and PostgreSQL: sign-in and its limits, sessions and their expiry, the
password policy, and the viewer a user gets. The clock is injected: nothing sleeps."""

from __future__ import annotations

import hashlib
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from cockpit.state import accounts, audit, store
from cockpit.state.accounts import Refused
from cockpit.state.schema import sessions

pytest_plugins = ["tests.state_db"]  # state_url: each test on SQLite and on PostgreSQL

T0 = datetime(2026, 11, 20, 8, 0)
PASSWORD = "Wall-Screen-2026"


@pytest.fixture()
def store_with_users(state_url, fast_hashes, monkeypatch):
    monkeypatch.setenv("COCKPIT_SESSION_IDLE_MINUTES", "30")
    monkeypatch.setenv("COCKPIT_SESSION_MAX_HOURS", "12")
    accounts.add_user("zhang", PASSWORD, "leader", "330600", now=T0)
    accounts.add_user("li", PASSWORD, "staff", "330602", department="区城管局", now=T0)
    return state_url


def refusal(name, password, address="10.1.1.1", now=T0) -> Refused:
    with pytest.raises(Refused) as caught:
        accounts.authenticate(name, password, address, now=now)
    return caught.value


def trail() -> list[dict]:
    return list(audit.entries())


def test_sign_in_lets_the_right_password_in_and_audits_it_with_the_address(store_with_users):
    user = accounts.authenticate("zhang", PASSWORD, "10.1.1.1", now=T0)
    assert (user.name, user.role, user.region, user.disabled) == ("zhang", "leader", "330600", False)
    last = trail()[-1]
    assert (last["actor"], last["action"], last["address"], last["at"]) == ("zhang", "sign_in", "10.1.1.1", T0)


def test_unknown_name_and_wrong_password_are_refused_alike_and_both_verify_a_hash(store_with_users, monkeypatch):
    from argon2 import PasswordHasher

    verified = []

    class Counting(PasswordHasher):
        def verify(self, hash, password):
            verified.append(hash)
            return super().verify(hash, password)

    monkeypatch.setattr(accounts, "_hasher", Counting(time_cost=1, memory_cost=1024, parallelism=1))
    unknown, wrong = refusal("nobody", PASSWORD), refusal("zhang", "Wrong-Password-1")
    assert (unknown.reason, wrong.reason) == ("unknown", "wrong_password")
    for lang in ("zh", "en"):
        assert unknown.message(lang) == wrong.message(lang)
    assert unknown.message_key == wrong.message_key
    assert len(verified) == 2  # the unknown name's password was checked against a dummy hash too
    failed = [e for e in trail() if e["action"] == "sign_in_failed"]
    assert [(e["actor"], e["details"]["reason"], e["address"]) for e in failed] == [
        ("nobody", "unknown", "10.1.1.1"), ("zhang", "wrong_password", "10.1.1.1")]


def test_five_wrong_passwords_lock_the_account_for_fifteen_minutes(store_with_users):
    for minute in range(4):
        assert refusal("zhang", "Wrong-Password-1", now=T0 + timedelta(minutes=minute)).reason == "wrong_password"
    accounts.authenticate("zhang", PASSWORD, "10.1.1.1", now=T0 + timedelta(minutes=4))  # resets the count
    for minute in range(5, 10):
        assert refusal("zhang", "Wrong-Password-1", now=T0 + timedelta(minutes=minute)).reason == "wrong_password"
    locked_at = T0 + timedelta(minutes=9)
    assert accounts.locks(now=locked_at) == {"zhang": locked_at + accounts.LOCK_FOR}
    locked = refusal("zhang", PASSWORD, now=locked_at + timedelta(minutes=14))  # the right password, still locked
    assert locked.reason == "locked"
    assert locked.message("zh") == refusal("nobody", "x").message("zh")  # a lock does not tell a name exists
    assert accounts.authenticate("zhang", PASSWORD, None, now=locked_at + timedelta(minutes=15, seconds=1))
    assert accounts.locks(now=locked_at + timedelta(minutes=16)) == {}
    accounts.authenticate("li", PASSWORD, None, now=locked_at)  # other accounts never were locked


def test_an_address_with_twenty_failures_in_ten_minutes_is_refused_before_any_password(store_with_users):
    for i in range(accounts.ADDRESS_LIMIT):
        refusal(f"guess{i}", "Whatever-123", address="10.9.9.9", now=T0 + timedelta(seconds=20 * i))
    last_failure = T0 + timedelta(seconds=20 * (accounts.ADDRESS_LIMIT - 1))
    limited = refusal("zhang", PASSWORD, address="10.9.9.9", now=last_failure + timedelta(seconds=1))
    assert limited.reason == "address_limited" and limited.message_key == "sign_in.address_limited"
    assert accounts.authenticate("zhang", PASSWORD, "10.1.1.1", now=last_failure)  # another address is not
    # the window slides: ten minutes after the first failures, the address may try again
    assert accounts.authenticate("zhang", PASSWORD, "10.9.9.9", now=T0 + timedelta(minutes=17))


def test_a_disabled_account_is_refused_with_its_own_message_only_after_the_right_password(store_with_users):
    accounts.disable_user("li", actor="cli:test", now=T0)
    assert refusal("li", PASSWORD).reason == "disabled"
    assert refusal("li", "Wrong-Password-1").reason == "wrong_password"
    assert refusal("li", PASSWORD).message("en") != refusal("li", "Wrong-Password-1").message("en")


def test_passwords_and_hashes_never_reach_the_audit_trail(store_with_users):
    accounts.authenticate("zhang", PASSWORD, "10.1.1.1", now=T0)
    refusal("zhang", "Typo-Password-9")
    accounts.set_password("zhang", "New-Password-2027", actor="cli:test", now=T0)
    dumped = repr(trail())
    assert PASSWORD not in dumped and "Typo-Password-9" not in dumped and "New-Password-2027" not in dumped
    assert "$argon2" not in dumped


def test_strange_input_at_sign_in_is_refused_not_an_error(store_with_users):
    for name, password in [("", ""), ("\x00zhang", PASSWORD), ("z" * 5000, PASSWORD), ("zhang", "x" * 5000),
                           ("=cmd|' /C calc'!A0", PASSWORD), ("zhang", None)]:
        assert refusal(name, password).message_key == "sign_in.refused"
    assert audit.verify().ok


def test_sessions_end_after_idle_time_and_absolutely_and_the_token_is_stored_hashed(store_with_users):
    user = accounts.authenticate("zhang", PASSWORD, "10.1.1.1", now=T0)
    token = accounts.start_session(user, "10.1.1.1", now=T0)
    with store.read() as connection:
        stored = connection.execute(select(sessions.c.id)).scalars().all()
    assert stored == [hashlib.sha256(token.encode()).hexdigest()] and token not in stored

    assert accounts.session_user(token, now=T0 + timedelta(minutes=29)) == user
    assert accounts.session_user(token, now=T0 + timedelta(minutes=58)) == user  # 29 idle: still on
    assert accounts.session_user(token, now=T0 + timedelta(minutes=89)) is None  # 31 idle: gone
    assert accounts.session_user(token, now=T0 + timedelta(minutes=90)) is None  # and stays gone

    busy = accounts.start_session(user, "10.1.1.1", now=T0)
    moment = T0
    while moment < T0 + timedelta(hours=12):  # a wall that refreshes every 20 minutes all day
        assert accounts.session_user(busy, now=moment) == user
        moment += timedelta(minutes=20)
    assert accounts.session_user(busy, now=T0 + timedelta(hours=12, minutes=1)) is None

    assert accounts.session_user("not-a-token", now=T0) is None
    assert accounts.session_user("", now=T0) is None and accounts.session_user(None, now=T0) is None


def test_a_sessions_last_request_is_written_at_most_once_a_minute(store_with_users):
    user = accounts.authenticate("zhang", PASSWORD, None, now=T0)
    token = accounts.start_session(user, None, now=T0)

    def last_seen():
        with store.read() as connection:
            return connection.execute(select(sessions.c.last_seen)).scalar_one()

    for seconds in (10, 30, 59):
        accounts.session_user(token, now=T0 + timedelta(seconds=seconds))
    assert last_seen() == T0
    accounts.session_user(token, now=T0 + timedelta(seconds=61))
    assert last_seen() == T0 + timedelta(seconds=61)


def test_sign_out_disable_and_a_new_password_end_sessions(store_with_users):
    zhang = accounts.authenticate("zhang", PASSWORD, None, now=T0)
    li = accounts.authenticate("li", PASSWORD, None, now=T0)
    out, other = accounts.start_session(zhang, "10.1.1.1", now=T0), accounts.start_session(zhang, None, now=T0)
    accounts.end_session(out, now=T0 + timedelta(minutes=1))
    assert accounts.session_user(out, now=T0 + timedelta(minutes=2)) is None
    assert accounts.session_user(other, now=T0 + timedelta(minutes=2)) == zhang
    signed_out = trail()[-1]
    assert (signed_out["actor"], signed_out["action"], signed_out["address"]) == ("zhang", "sign_out", "10.1.1.1")

    assert accounts.set_password("zhang", "Fresh-Password-77", actor="cli:test", now=T0) == 1
    assert accounts.session_user(other, now=T0 + timedelta(minutes=2)) is None
    assert refusal("zhang", PASSWORD).reason == "wrong_password"

    li_session = accounts.start_session(li, None, now=T0)
    assert accounts.disable_user("li", actor="cli:test", now=T0) == 1
    assert accounts.session_user(li_session, now=T0) is None
    with pytest.raises(accounts.AccountError):
        accounts.start_session(li, None, now=T0)  # a user disabled since sign-in gets no new session
    assert accounts.disable_user("li", actor="cli:test", now=T0) == 0  # again: nothing changes
    assert [e["action"] for e in trail()].count("user_disabled") == 1


def test_a_disabled_account_enabled_again_signs_in_and_both_changes_are_audited(store_with_users):
    li = accounts.authenticate("li", PASSWORD, "10.1.1.1", now=T0)
    before = accounts.start_session(li, "10.1.1.1", now=T0)
    accounts.disable_user("li", actor="cli:ops", now=T0 + timedelta(minutes=1))
    assert refusal("li", PASSWORD, now=T0 + timedelta(minutes=2)).reason == "disabled"

    assert accounts.enable_user("li", actor="cli:ops", address="10.2.2.2", now=T0 + timedelta(minutes=3)) is True
    assert accounts.find_user("li").disabled is False
    again = accounts.authenticate("li", PASSWORD, "10.1.1.1", now=T0 + timedelta(minutes=4))
    assert accounts.session_user(accounts.start_session(again, None, now=T0 + timedelta(minutes=4)),
                                 now=T0 + timedelta(minutes=5)) == again
    assert accounts.session_user(before, now=T0 + timedelta(minutes=5)) is None  # ended by the disable, for good

    assert accounts.enable_user("li", actor="cli:ops", now=T0 + timedelta(minutes=6)) is False  # nothing to do
    changes = [(e["actor"], e["action"], e["target"], e["address"]) for e in trail()
               if e["action"] in ("user_disabled", "user_enabled")]
    assert changes == [("cli:ops", "user_disabled", "li", None), ("cli:ops", "user_enabled", "li", "10.2.2.2")]
    with pytest.raises(accounts.AccountError, match="no user is named"):
        accounts.enable_user("nobody", actor="cli")
    assert audit.verify().ok


def stored_sessions() -> set[str]:
    with store.read() as connection:
        return set(connection.execute(select(sessions.c.id)).scalars())


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def sessions_of_every_kind(now: datetime) -> tuple[dict[str, str], dict[str, str]]:
    """Sessions that are live at `now` and sessions that have ended by then, each kind by name:
    (live, ended), name -> token."""
    zhang = accounts.authenticate("zhang", PASSWORD, None, now=now - timedelta(hours=13))
    li = accounts.authenticate("li", PASSWORD, None, now=now - timedelta(hours=13))

    def opened(user, ago: timedelta, *, seen: timedelta | None = None) -> str:
        token = accounts.start_session(user, None, now=now - ago)
        moment = now - ago
        while seen is not None and moment < now - seen:  # a busy screen: a request every 20 minutes
            moment = min(moment + timedelta(minutes=20), now - seen)
            assert accounts.session_user(token, now=moment) == user
        return token

    ended = {
        "idle": opened(zhang, timedelta(minutes=31)),
        "absolute": opened(zhang, timedelta(hours=12, minutes=1), seen=timedelta(minutes=1)),
        "signed out": opened(zhang, timedelta(minutes=5)),
        "disabled": opened(li, timedelta(minutes=5)),
    }
    live = {"fresh": opened(zhang, timedelta(minutes=1)), "idle 29 min": opened(zhang, timedelta(minutes=29)),
            "busy 11 h": opened(zhang, timedelta(hours=11), seen=timedelta(minutes=2))}
    accounts.end_session(ended["signed out"], now=now - timedelta(minutes=4))
    accounts.disable_user("li", actor="cli:test", now=now - timedelta(minutes=3))
    return live, ended


def test_prune_deletes_the_ended_sessions_keeps_the_live_ones_and_never_the_audit_trail(store_with_users, monkeypatch):
    now = T0 + timedelta(days=1)
    live, ended = sessions_of_every_kind(now)
    assert stored_sessions() == {digest(t) for t in (*live.values(), *ended.values())}
    entries = trail()

    monkeypatch.setattr(accounts, "PRUNE_BATCH", 3)  # several transactions, the last one short
    assert accounts.prune_sessions(now=now) == len(ended)
    assert stored_sessions() == {digest(t) for t in live.values()}
    for name, token in live.items():
        assert accounts.session_user(token, now=now) is not None, name
    for name, token in ended.items():
        assert accounts.session_user(token, now=now) is None, name
    assert accounts.prune_sessions(now=now) == 0
    assert trail() == entries and audit.verify().ok  # not one entry deleted, none added


def test_a_sign_in_deletes_a_bounded_number_of_ended_sessions(store_with_users, monkeypatch):
    now = T0 + timedelta(days=1)
    live, ended = sessions_of_every_kind(now)
    monkeypatch.setattr(accounts, "PRUNE_AT_SIGN_IN", 3)
    zhang = accounts.authenticate("zhang", PASSWORD, None, now=now)
    first = accounts.start_session(zhang, None, now=now)
    left = stored_sessions() - {digest(t) for t in (*live.values(), first)}
    assert len(left) == len(ended) - 3 and left < {digest(t) for t in ended.values()}
    second = accounts.start_session(zhang, None, now=now)
    assert stored_sessions() == {digest(t) for t in (*live.values(), first, second)}
    for token in ended.values():
        assert accounts.session_user(token, now=now) is None
    assert accounts.session_user(first, now=now) == zhang


def test_changes_to_accounts_are_audited_with_who_did_them(store_with_users):
    accounts.disable_user("li", actor="cli:ops", address="10.2.2.2", now=T0)
    entries = trail()
    assert [(e["actor"], e["action"], e["target"]) for e in entries] == [
        ("cli", "user_added", "zhang"), ("cli", "user_added", "li"), ("cli:ops", "user_disabled", "li")]
    assert entries[1]["details"] == {"role": "staff", "region": "330602", "department": "区城管局",
                                     "personal_data": False}
    assert entries[2]["address"] == "10.2.2.2"


def test_duplicates_bad_roles_and_staff_without_a_department_are_refused(store_with_users):
    with pytest.raises(accounts.AccountError, match="already exists"):
        accounts.add_user("zhang", PASSWORD, "leader", "330600")
    with pytest.raises(accounts.AccountError, match="unknown role"):
        accounts.add_user("wang", PASSWORD, "boss", "330600")
    with pytest.raises(accounts.AccountError, match="department"):
        accounts.add_user("wang", PASSWORD, "staff", "330600")
    with pytest.raises(accounts.AccountError, match="no user is named"):
        accounts.disable_user("nobody", actor="cli")
    assert [u.name for u in accounts.list_users()] == ["li", "zhang"]


def test_the_password_policy_names_every_problem():
    assert accounts.check_password_policy("zhang", "Wall-Screen-2026") == []
    assert accounts.check_password_policy("zhang", "城市驾驶舱-2026-ok") == []  # Chinese counts as "other"
    short = accounts.check_password_policy("zhang", "Ab1-")
    assert len(short) == 1 and "at least 10" in short[0]
    assert any("user name" in p for p in accounts.check_password_policy("zhang", "Zhang-Screen-2026"))
    assert any("3 are needed" in p for p in accounts.check_password_policy("zhang", "alllowercaseletters"))
    assert len(accounts.check_password_policy("zhang", "zhang")) == 3
    assert accounts.check_password_policy("li", "Believe-2026-x") == []  # a two-letter name is in many words


def test_viewer_for_is_the_users_scope():
    from cockpit.query.viewer import Viewer

    staff = accounts.User(1, "li", "staff", "330602", "区城管局", False, False)
    # a 城管局 is a 综合行政执法局 (data/departments.yaml): the hotline, the grid and waste
    assert accounts.viewer_for(staff, "en") == Viewer(role="staff", region="330602",
                                                      departments=frozenset({"区城管局"}),
                                                      themes=frozenset({"hotline", "grid", "waste_free"}), lang="en")
    leader = accounts.User(2, "zhang", "leader", "330600", None, True, False)
    assert accounts.viewer_for(leader) == Viewer(role="leader", region="330600", personal_data=True)
    analyst = accounts.User(3, "chen", "analyst", "330000", "统计局", False, False)
    assert accounts.viewer_for(analyst).departments is None  # a department narrows staff only
    assert accounts.viewer_for(analyst).themes is None  # and its themes too
    nowhere = accounts.User(4, "hand-made", "staff", "330602", None, False, False)
    assert accounts.viewer_for(nowhere).departments == frozenset()  # fails closed: no department's records
    assert accounts.viewer_for(nowhere).themes == frozenset()  # and no theme
    unknown = accounts.User(5, "wang", "staff", "330602", "越城区某某办公室", False, False)
    assert accounts.viewer_for(unknown).themes == frozenset()  # a department of no declared kind: none
