"""The state store's schema: the migrations make exactly the tables `schema.py` declares, on
SQLite and PostgreSQL, and applying them again changes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect

from cockpit.state import schema, store

pytest_plugins = ["tests.state_db"]  # the state_url fixture: each test on SQLite and on PostgreSQL


def _differences(url: str) -> list:
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    with store.raw_engine(url).connect() as connection:
        return compare_metadata(MigrationContext.configure(connection), schema.metadata)


def _shape(url: str) -> dict:
    found = inspect(store.raw_engine(url))
    return {table: ([(c["name"], str(c["type"]), c["nullable"]) for c in found.get_columns(table)],
                    sorted((i["name"], tuple(i["column_names"])) for i in found.get_indexes(table)))
            for table in found.get_table_names()}


def test_migrations_from_empty_make_the_declared_tables_and_twice_is_a_no_op(state_url):
    assert store.table_names(state_url) == []
    assert store.current_revision(state_url) is None
    assert store.upgrade(state_url) == store.head_revision()
    assert store.table_names(state_url) == sorted([*schema.metadata.tables, "alembic_version"])
    assert _differences(state_url) == []  # columns, types, nullability, indexes, keys: as declared
    before = _shape(state_url)
    store.dispose_all()  # a new process: nothing remembered that the store is migrated
    assert store.upgrade(state_url) == store.head_revision()
    assert _shape(state_url) == before
    assert store.current_revision(state_url) == store.head_revision()


def test_an_unusable_url_is_one_line(tmp_path, monkeypatch):
    monkeypatch.setenv("COCKPIT_STATE_URL", "nosuchdb://x/y")
    store.dispose_all()
    with pytest.raises(store.StateError, match="COCKPIT_STATE_URL is not a database URL"):
        store.engine()
    monkeypatch.setenv("COCKPIT_STATE_URL", f"sqlite:///{tmp_path}/dir-is-a-file/state.sqlite")
    (tmp_path / "dir-is-a-file").write_text("")
    with pytest.raises((store.StateError, OSError)):
        store.engine()
    store.dispose_all()


def test_without_postgresql_its_runs_are_skipped_here_and_fail_where_required(monkeypatch):
    from tests import state_db

    monkeypatch.setattr(state_db, "_pg_bin", lambda: None)
    monkeypatch.delenv("COCKPIT_TEST_REQUIRE_POSTGRES", raising=False)
    with pytest.raises(pytest.skip.Exception):
        state_db.postgres_programs()
    monkeypatch.setenv("COCKPIT_TEST_REQUIRE_POSTGRES", "1")  # what scripts/test.sh (CI) sets
    with pytest.raises(pytest.fail.Exception, match="COCKPIT_TEST_REQUIRE_POSTGRES"):
        state_db.postgres_programs()
    from cockpit.config import REPO_ROOT

    assert "COCKPIT_TEST_REQUIRE_POSTGRES=1" in (REPO_ROOT / "scripts" / "test.sh").read_text()
    assert "postgresql" in (REPO_ROOT / "scripts" / "test.sh").read_text().split("apt_install ", 1)[1].splitlines()[0]
