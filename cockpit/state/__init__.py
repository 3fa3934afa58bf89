"""The state store: what changes while the cockpit runs (users, sessions, the audit trail).

Kept out of the immutable snapshots and the lake, in one database reached through SQLAlchemy:
an SQLite file by default (no set-up), PostgreSQL in production (`COCKPIT_STATE_URL`). The schema
is made by the Alembic migrations in `migrations/`, applied on first use.

- `store.py`: the engine (SQLite pragmas on every connection), migrations, write transactions.
- `schema.py`: the tables, for queries (the migrations create them).
- `accounts.py`: users, passwords, sign-in with rate limits, sessions, and `viewer_for`, the one
  place a `Viewer` is made from a user.
- `audit.py`: the append-only, hash-chained audit trail.

Times in the store are naive UTC.
"""
