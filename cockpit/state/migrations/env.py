"""Alembic's environment for the state store: runs on the connection `cockpit.state.store` hands
it (config.attributes["connection"]), or on the store's engine when Alembic's own command line is
pointed here (`alembic -x` is not needed: the URL is COCKPIT_STATE_URL)."""

from __future__ import annotations

from alembic import context

from cockpit.state.schema import metadata

config = context.config


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:  # `alembic` run by hand, e.g. to write a new revision
        from cockpit.state.store import raw_engine

        with raw_engine().connect() as connection:
            _run(connection)
            connection.commit()
    else:
        _run(connection)


def _run(connection) -> None:
    context.configure(connection=connection, target_metadata=metadata,
                      render_as_batch=True)  # SQLite alters tables by copying them
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("the state store's migrations run online only")
run_migrations_online()
