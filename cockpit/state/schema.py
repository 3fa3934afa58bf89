"""The state store's tables as SQLAlchemy Core objects, for queries.

The migrations in `migrations/versions/` create them; `tests/test_state_store.py` holds that the
two agree. Portable types only: the same tables on SQLite and PostgreSQL.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

ROLES = ("leader", "staff", "analyst", "admin")

metadata = MetaData()

users = Table(
    "users", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(64), nullable=False),
    Column("password_hash", String(255), nullable=False),
    Column("role", String(16), nullable=False),
    Column("region", String(32), nullable=False),
    Column("department", String(128), nullable=True),
    Column("personal_data", Boolean, nullable=False, default=False),
    Column("disabled", Boolean, nullable=False, default=False),
    Column("created_at", DateTime, nullable=False),
    Column("updated_at", DateTime, nullable=False),
    Column("failed_attempts", Integer, nullable=False, default=0),
    Column("locked_until", DateTime, nullable=True),
    CheckConstraint("role IN ('leader', 'staff', 'analyst', 'admin')", name="users_role"),
    UniqueConstraint("name", name="uq_users_name"),
)

sessions = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the token: a stolen table opens no session
    Column("user_id", Integer, ForeignKey("users.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime, nullable=True),
    Column("address", String(64), nullable=True),
)

audit = Table(
    "audit", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=False),  # assigned by the writer: no gaps
    Column("at", DateTime, nullable=False, index=True),
    Column("actor", String(64), nullable=False, index=True),
    Column("action", String(64), nullable=False, index=True),
    Column("target", String(256), nullable=True),
    Column("details", Text, nullable=False),  # canonical JSON, stored as hashed
    Column("address", String(64), nullable=True),
    Column("prev_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False),
    Index("ix_audit_address_at", "address", "at"),  # failed sign-ins from an address, for its rate limit
)
