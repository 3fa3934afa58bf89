"""Accounts: users and their passwords, sign-in and its limits, sessions, and `viewer_for`.

Passwords are hashed with argon2 (argon2-cffi's default parameters, the RFC 9106 low-memory
profile); the hash is never logged, printed or written to the audit trail.

Sign-in refuses in the same words whether the name is unknown, the password wrong or the account
locked, and verifies a hash in every case (a dummy one for an unknown name), so neither the answer
nor its time tells whether a name exists. An account is locked for `LOCK_FOR` after `LOCK_AFTER`
wrong passwords in a row; an address with `ADDRESS_LIMIT` failed sign-ins in the last
`ADDRESS_WINDOW` is refused before any password is checked (counted from the audit trail, the
refusals included: an address that keeps trying stays refused until it pauses).

A session is a random token held by the browser; the store keeps only its SHA-256, so a copy of
the table opens no session. It ends at sign-out, after `session_limits().idle` without a request,
`session_limits().absolute` after sign-in, and when its user is disabled or gets a new password.
A session that has ended is never used again, so its row is deleted: a few at each sign-in
(`start_session`) and all of them by `prune_sessions` (`cockpit state prune`, for a timer). Failed
sign-ins are counted from the audit trail, which is never pruned; they leave no rows of their own.

`viewer_for` is the one place a `Viewer` is made from a user. An external identity provider (OIDC,
the province's unified login) later produces the same `User`, and nothing downstream changes.

Every function takes the clock as `now=` (naive UTC or aware; default the system clock), so tests
never sleep.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, delete, func, insert, or_, select, update
from sqlalchemy.exc import IntegrityError

from cockpit.config import SessionLimits, session_limits
from cockpit.query.departments import themes_of
from cockpit.query.viewer import Viewer
from cockpit.state import audit, store
from cockpit.state.schema import ROLES, sessions, users
from cockpit.state.schema import audit as audit_table

LOCK_AFTER = 5  # wrong passwords in a row that lock an account
LOCK_FOR = timedelta(minutes=15)
ADDRESS_LIMIT = 20  # failed sign-ins from one address in ADDRESS_WINDOW before it is refused
ADDRESS_WINDOW = timedelta(minutes=10)
LAST_SEEN_EVERY = timedelta(minutes=1)  # a session's last request is written at most this often
PRUNE_AT_SIGN_IN = 100  # ended sessions deleted by a sign-in at most: more than one a sign-in keeps up
PRUNE_BATCH = 1000  # ended sessions `prune_sessions` deletes in one transaction
MIN_PASSWORD = 10
MAX_PASSWORD = 1024  # longer is refused unhashed: hashing megabytes is a way to load the server
NAME_MAX = 64
REGION_MAX = 32
DEPARTMENT_MAX = 128

_hasher = PasswordHasher()
_dummy: list[str] = []  # the hash an unknown name's password is checked against, made on first use

# Actions this module writes to the audit trail.
SIGN_IN, SIGN_IN_FAILED, SIGN_OUT = "sign_in", "sign_in_failed", "sign_out"
USER_ADDED, USER_DISABLED, USER_ENABLED = "user_added", "user_disabled", "user_enabled"
PASSWORD_SET, SESSIONS_ENDED = "password_set", "sessions_ended"


@dataclass(frozen=True)
class User:
    id: int
    name: str
    role: str
    region: str
    department: str | None
    personal_data: bool
    disabled: bool


class AccountError(ValueError):
    """A change to the accounts that cannot be made (unknown or duplicate name, a password the
    policy refuses, a bad role): said in one line."""


MESSAGES = {
    "sign_in.refused": {
        "zh": "用户名或密码错误。连续 5 次输错后账户将锁定 15 分钟。",
        "en": "Wrong user name or password. After 5 wrong passwords in a row the account is locked for 15 minutes.",
    },
    "sign_in.disabled": {
        "zh": "该账户已停用，请联系管理员。",
        "en": "This account is disabled: ask an administrator.",
    },
    "sign_in.address_limited": {
        "zh": "此地址登录失败次数过多，请 10 分钟后再试。",
        "en": "Too many failed sign-ins from this address: try again in 10 minutes.",
    },
}
_MESSAGE_KEYS = {  # unknown, wrong and locked share one text: a name cannot be probed by its answer
    "unknown": "sign_in.refused",
    "wrong_password": "sign_in.refused",
    "locked": "sign_in.refused",
    "disabled": "sign_in.disabled",  # said only to someone who gave the right password
    "address_limited": "sign_in.address_limited",
}


class Refused(Exception):
    """A sign-in refused. `reason` is for the audit trail and the logs ("unknown", "wrong_password",
    "locked", "disabled", "address_limited"); show the user `message(lang)` (or look up
    `message_key`), never the reason."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
        self.message_key = _MESSAGE_KEYS[reason]

    def message(self, lang: str = "zh") -> str:
        return MESSAGES[self.message_key]["en" if lang == "en" else "zh"]


# -- passwords -------------------------------------------------------------------------------


def check_password_policy(name: str, password: str) -> list[str]:
    """What is wrong with `password` for the user `name`; empty when the policy accepts it."""
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"it has {len(password)} characters, at least {MIN_PASSWORD} are needed")
    if len(password) > MAX_PASSWORD:
        problems.append(f"it has more than {MAX_PASSWORD} characters")
    if len(name) >= 3 and name.casefold() in password.casefold():  # shorter names occur in words by chance
        problems.append("it contains the user name")
    kinds = sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                 any(c.isdigit() for c in password), any(not (c.islower() or c.isupper() or c.isdigit())
                                                          for c in password)))
    if kinds < 3:
        problems.append(f"it mixes {kinds} of lower case, upper case, digits and other characters; 3 are needed")
    return problems


def _verify(password_hash: str | None, password) -> bool:
    """Whether `password` matches; a hash is verified whatever the input (the dummy one for an
    unknown name or an impossible password), so the time taken tells nothing."""
    usable = isinstance(password, str) and 0 < len(password) <= MAX_PASSWORD and password_hash is not None
    if not _dummy:
        _dummy.append(_hasher.hash(secrets.token_urlsafe(16)))
    try:
        matches = _hasher.verify(password_hash if usable else _dummy[0], password if usable else "-")
    except (VerificationError, InvalidHashError):
        return False
    return usable and matches


# -- users -----------------------------------------------------------------------------------


def _user(row) -> User:
    return User(id=row.id, name=row.name, role=row.role, region=row.region, department=row.department,
                personal_data=bool(row.personal_data), disabled=bool(row.disabled))


def _clean(value: str | None, what: str, limit: int, *, spaces: bool = False) -> str:
    text = (value or "").strip()
    if not text:
        raise AccountError(f"the {what} is empty")
    if len(text) > limit:
        raise AccountError(f"the {what} {text[:limit]!r}… is longer than {limit} characters")
    if not text.isprintable() or (not spaces and any(ch.isspace() for ch in text)):
        raise AccountError(f"the {what} {text!r} holds {'control characters' if spaces else 'spaces or control characters'}")
    return text


def _row_named(connection: Connection, name: str, *, for_update: bool = False):
    query = select(users).where(users.c.name == name)
    return connection.execute(query.with_for_update() if for_update else query).first()


def _existing(connection: Connection, name: str):
    row = _row_named(connection, name, for_update=True)
    if row is None:
        raise AccountError(f"no user is named {name!r}")
    return row


def add_user(name: str, password: str, role: str, region: str, department: str | None = None,
             personal_data: bool = False, *, actor: str = "cli", address: str | None = None,
             now: datetime | None = None) -> User:
    """Create an account (audited, without the password). AccountError for a name taken, a role
    not in ROLES, staff without a department, or a password the policy refuses."""
    name = _clean(name, "user name", NAME_MAX)
    region = _clean(region, "region code", REGION_MAX)
    department = (_clean(department, "department", DEPARTMENT_MAX, spaces=True)
                  if department and department.strip() else None)
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; roles are {', '.join(ROLES)}")
    if role == "staff" and department is None:
        raise AccountError("a staff account needs its department (--department): it sees that department's records")
    problems = check_password_policy(name, password)
    if problems:
        raise AccountError(f"the password is refused: {'; '.join(problems)}")
    password_hash = _hasher.hash(password)  # slow on purpose: outside the write transaction
    now = audit.utc(now)

    def work(connection: Connection) -> User:
        if _row_named(connection, name) is not None:
            raise AccountError(f"a user named {name!r} already exists")
        values = {"name": name, "password_hash": password_hash, "role": role, "region": region,
                  "department": department, "personal_data": bool(personal_data), "disabled": False,
                  "created_at": now, "updated_at": now, "failed_attempts": 0, "locked_until": None}
        user_id = connection.execute(insert(users).values(**values)).inserted_primary_key[0]
        audit.append(connection, actor, USER_ADDED, name, {"role": role, "region": region, "department": department,
                                                         "personal_data": bool(personal_data)}, address, at=now)
        return User(id=user_id, name=name, role=role, region=region, department=department,
                    personal_data=bool(personal_data), disabled=False)

    try:
        return store.write(work)
    except IntegrityError:  # added by someone else between our look and our insert
        raise AccountError(f"a user named {name!r} already exists") from None


def list_users() -> list[User]:
    with store.read() as connection:
        return [_user(row) for row in connection.execute(select(users).order_by(users.c.name))]


def find_user(name: str) -> User | None:
    with store.read() as connection:
        row = _row_named(connection, name)
    return None if row is None else _user(row)


def locks(*, now: datetime | None = None) -> dict[str, datetime]:
    """The accounts locked by wrong passwords now, and until when (naive UTC)."""
    now = audit.utc(now)
    with store.read() as connection:
        rows = connection.execute(select(users.c.name, users.c.locked_until).where(users.c.locked_until > now))
        return {row.name: row.locked_until for row in rows}


def _end_sessions(connection: Connection, user_id: int, now: datetime) -> int:
    result = connection.execute(update(sessions).where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None))
                                .values(ended_at=now))
    return result.rowcount


def disable_user(name: str, *, actor: str, address: str | None = None, now: datetime | None = None) -> int:
    """Disable an account and end its sessions (audited); the number of sessions ended. Disabling
    a disabled account changes nothing and writes nothing."""
    now = audit.utc(now)

    def work(connection: Connection) -> int:
        row = _existing(connection, name)
        if row.disabled:
            return 0
        connection.execute(update(users).where(users.c.id == row.id).values(disabled=True, updated_at=now))
        ended = _end_sessions(connection, row.id, now)
        audit.append(connection, actor, USER_DISABLED, name, {"sessions_ended": ended}, address, at=now)
        return ended

    return store.write(work)


def enable_user(name: str, *, actor: str, address: str | None = None, now: datetime | None = None) -> bool:
    """Enable a disabled account again (audited): it signs in with its password. The sessions
    that disabling ended stay ended. Whether anything changed: enabling an account that is not
    disabled changes nothing and writes nothing."""
    now = audit.utc(now)

    def work(connection: Connection) -> bool:
        row = _existing(connection, name)
        if not row.disabled:
            return False
        connection.execute(update(users).where(users.c.id == row.id).values(disabled=False, updated_at=now))
        audit.append(connection, actor, USER_ENABLED, name, {}, address, at=now)
        return True

    return store.write(work)


def set_password(name: str, password: str, *, actor: str, address: str | None = None,
                 now: datetime | None = None) -> int:
    """Give an account a new password (audited, without it): it also lifts a lock and ends the
    account's sessions. The number of sessions ended."""
    problems = check_password_policy(name, password)
    if problems:
        raise AccountError(f"the password is refused: {'; '.join(problems)}")
    password_hash = _hasher.hash(password)
    now = audit.utc(now)

    def work(connection: Connection) -> int:
        row = _existing(connection, name)
        connection.execute(update(users).where(users.c.id == row.id).values(
            password_hash=password_hash, failed_attempts=0, locked_until=None, updated_at=now))
        ended = _end_sessions(connection, row.id, now)
        audit.append(connection, actor, PASSWORD_SET, name, {"sessions_ended": ended}, address, at=now)
        return ended

    return store.write(work)


def end_sessions_of(name: str, *, actor: str = "system", address: str | None = None,
                    now: datetime | None = None) -> int:
    """End every open session of an account (audited); how many. Disabling an account and
    setting its password do this in their own transaction."""
    now = audit.utc(now)

    def work(connection: Connection) -> int:
        row = _existing(connection, name)
        ended = _end_sessions(connection, row.id, now)
        audit.append(connection, actor, SESSIONS_ENDED, name, {"sessions_ended": ended}, address, at=now)
        return ended

    return store.write(work)


# -- sign-in ---------------------------------------------------------------------------------


def _refuse(name: str, reason: str, address: str | None, now: datetime) -> Refused:
    audit.record(name or "?", SIGN_IN_FAILED, None, {"reason": reason}, address, at=now)
    return Refused(reason)


def authenticate(name: str, password: str, address: str | None, *, now: datetime | None = None) -> User:
    """The user `name` if `password` is theirs and they may sign in now; otherwise `Refused`.
    Either way audited with the address (the sign-in, or the failure and its reason)."""
    now = audit.utc(now)
    name = name.strip() if isinstance(name, str) else ""
    address = audit.printable(address, 64)
    if address is not None:
        with store.read() as connection:
            failures = connection.execute(select(func.count()).select_from(audit_table).where(
                audit_table.c.action == SIGN_IN_FAILED, audit_table.c.address == address,
                audit_table.c.at > now - ADDRESS_WINDOW)).scalar_one()
        if failures >= ADDRESS_LIMIT:
            raise _refuse(name, "address_limited", address, now)
    row = None
    if 0 < len(name) <= NAME_MAX and name.isprintable():
        with store.read() as connection:
            row = _row_named(connection, name)
    matches = _verify(row.password_hash if row is not None else None, password)  # outside any transaction
    if row is None:
        raise _refuse(name, "unknown", address, now)
    rehashed = _hasher.hash(password) if matches and _hasher.check_needs_rehash(row.password_hash) else None

    def settle(connection: Connection) -> tuple[str | None, object]:
        current = connection.execute(select(users).where(users.c.id == row.id).with_for_update()).first()
        details: dict = {}
        if current is None:  # removed while the password was checked
            reason = "unknown"
        elif current.locked_until is not None and current.locked_until > now:
            reason = "locked"  # even with the right password: the lock is what stops guessing
        elif not matches:
            reason, attempts = "wrong_password", current.failed_attempts + 1
            values: dict = {"failed_attempts": attempts}
            if attempts >= LOCK_AFTER:
                values = {"failed_attempts": 0, "locked_until": now + LOCK_FOR}
                details["locked_until"] = (now + LOCK_FOR).isoformat(timespec="seconds")
            connection.execute(update(users).where(users.c.id == row.id).values(**values))
        elif current.disabled:
            reason = "disabled"
        else:
            reason = None
            values = {"failed_attempts": 0, "locked_until": None}
            if rehashed is not None and current.password_hash == row.password_hash:
                values["password_hash"] = rehashed
            connection.execute(update(users).where(users.c.id == row.id).values(**values))
        if reason is None:
            audit.append(connection, name, SIGN_IN, None, {"role": current.role}, address, at=now)
        else:
            audit.append(connection, name, SIGN_IN_FAILED, None, {"reason": reason, **details}, address, at=now)
        return reason, current

    reason, current = store.write(settle)
    if reason is not None:
        raise Refused(reason)
    return _user(current)


# -- sessions --------------------------------------------------------------------------------


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _ended(now: datetime, limits: SessionLimits):
    """The sessions that `session_user` refuses at `now` whatever their user: signed out or ended,
    idle longer than `limits.idle`, older than `limits.absolute` or past their `expires_at`."""
    return or_(sessions.c.ended_at.is_not(None), sessions.c.last_seen < now - limits.idle,
               sessions.c.created_at < now - limits.absolute, sessions.c.expires_at < now)


def _delete_ended(connection: Connection, now: datetime, limit: int) -> int:
    """Delete at most `limit` ended sessions in one statement; how many. On PostgreSQL rows another
    transaction holds are skipped (`SKIP LOCKED`), so two sign-ins pruning at once neither wait
    for each other nor deadlock; SQLite has one writer at a time and ignores the clause."""
    doomed = select(sessions.c.id).where(_ended(now, session_limits())).limit(limit).with_for_update(skip_locked=True)
    return connection.execute(delete(sessions).where(sessions.c.id.in_(doomed))).rowcount


def prune_sessions(*, now: datetime | None = None) -> int:
    """Delete every session that has ended (signed out, ended by a disable or a new password,
    idle or absolutely expired), `PRUNE_BATCH` a transaction so sign-ins are not held up; how
    many. Not audited: the sign-ins and sign-outs are in the audit trail already, and nothing in
    the trail is ever deleted."""
    now = audit.utc(now)
    removed = 0
    while True:
        deleted = store.write(lambda connection: _delete_ended(connection, now, PRUNE_BATCH))
        removed += deleted
        if deleted < PRUNE_BATCH:
            return removed


def start_session(user: User, address: str | None, *, now: datetime | None = None) -> str:
    """Open a session for a user `authenticate` let in; the token for the browser's cookie (the
    store keeps only its SHA-256). The same transaction deletes up to `PRUNE_AT_SIGN_IN` ended
    sessions, so they do not pile up where no timer runs `prune_sessions`."""
    now = audit.utc(now)
    token = secrets.token_urlsafe(32)

    def work(connection: Connection) -> None:
        row = connection.execute(select(users.c.disabled).where(users.c.id == user.id)).first()
        if row is None or row.disabled:
            raise AccountError(f"{user.name!r} may not sign in: the account is disabled or gone")
        connection.execute(insert(sessions).values(
            id=_digest(token), user_id=user.id, created_at=now, last_seen=now,
            expires_at=now + session_limits().absolute, ended_at=None, address=audit.printable(address, 64)))
        _delete_ended(connection, now, PRUNE_AT_SIGN_IN)

    store.write(work)
    return token


def session_user(token: str | None, *, now: datetime | None = None) -> User | None:
    """The user of a live session; None when the token is unknown, the session ended, idle
    longer than `session_limits().idle`, older than `.absolute`, or its user is disabled."""
    if not isinstance(token, str) or not 0 < len(token) <= 256:
        return None
    now = audit.utc(now)
    limits = session_limits()
    key = _digest(token)
    with store.read() as connection:
        row = connection.execute(
            # the session's times labelled: users has a created_at of its own, which a plain
            # `row.created_at` would read instead
            select(users, sessions.c.created_at.label("session_created_at"), sessions.c.last_seen,
                   sessions.c.expires_at, sessions.c.ended_at)
            .join(users, users.c.id == sessions.c.user_id).where(sessions.c.id == key)).first()
    if row is None or row.ended_at is not None or row.disabled:
        return None
    if (now - row.last_seen > limits.idle or now - row.session_created_at > limits.absolute
            or now > row.expires_at):
        return None
    if now - row.last_seen >= LAST_SEEN_EVERY:  # at most one write a minute for a busy session
        store.write(lambda connection: connection.execute(
            update(sessions).where(sessions.c.id == key, sessions.c.last_seen < now).values(last_seen=now)))
    return _user(row)


def end_session(token: str | None, *, now: datetime | None = None, address: str | None = None) -> None:
    """Sign out: end the session (audited); nothing for an unknown or ended one."""
    if not isinstance(token, str) or not 0 < len(token) <= 256:
        return
    now = audit.utc(now)
    key = _digest(token)

    def work(connection: Connection) -> None:
        row = connection.execute(select(users.c.name, sessions.c.ended_at, sessions.c.address)
                                 .join(users, users.c.id == sessions.c.user_id).where(sessions.c.id == key)).first()
        if row is None or row.ended_at is not None:
            return
        connection.execute(update(sessions).where(sessions.c.id == key).values(ended_at=now))
        audit.append(connection, row.name, SIGN_OUT, None, {}, address or row.address, at=now)

    store.write(work)


# -- the viewer ------------------------------------------------------------------------------


def viewer_for(user: User, lang: str = "zh") -> Viewer:
    """The viewer a signed-in user reads as: the one place a `Viewer` is made from a user.

    Region: the user's subtree. Departments: a staff member sees their department's records only
    (a staff account without one, which `add_user` refuses, sees none); other roles every
    department. Themes: a staff member sees the indicator systems of their department's kind in
    data/departments.yaml (`cockpit.query.departments`: 越城区综合行政执法局 is a 综合行政执法局),
    and none when the department is of no kind declared there, or missing; other roles every
    theme. Personal data: as granted."""
    staff = user.role == "staff"
    departments = (frozenset({user.department} if user.department else ()) if staff else None)
    themes = themes_of(user.department) if staff else None
    return Viewer(role=user.role, region=user.region, departments=departments, themes=themes,
                  lang="en" if lang == "en" else "zh", personal_data=user.personal_data)
