"""Named schema migrations, applied in order (the shape of sqlite-utils' ``Migrations``).

A :class:`Migrations` object is the ordered list of one database's migrations: each is
a function of a SQLAlchemy ``Connection``, registered by decorating it. Applying the
list runs the pending ones, each in its own transaction, and records its name in
``schema_migrations`` so it never runs twice. This module knows no tables of ours;
the catalog's list lives in :mod:`episodes.schema`.

Example::

    migrations = Migrations()

    @migrations
    def m0001_notes(connection):
        Table("notes", MetaData(), Column("id", Integer, primary_key=True)).create(connection)

    migrations.apply(engine)  # -> ["m0001_notes"], then [] on every later call
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable, Iterator

from sqlalchemy import Column, Connection, DateTime, Engine, MetaData, String, Table, select

_meta = MetaData()
schema_migrations = Table(
    "schema_migrations", _meta,
    Column("name", String(200), primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)

Step = Callable[[Connection], None]


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Step


class Migrations:
    """An append-only, ordered list of named migrations."""

    def __init__(self) -> None:
        self._migrations: list[Migration] = []

    def __call__(self, step: Step) -> Step:
        """Register ``step`` as the next migration, named after the function (``@migrations``)."""
        if step.__name__ in self.names():
            raise ValueError(f"duplicate migration name {step.__name__}")
        self._migrations.append(Migration(step.__name__, step))
        return step

    def names(self) -> list[str]:
        return [item.name for item in self._migrations]

    def applied(self, engine: Engine) -> list[str]:
        """Names recorded in the database, in the order they were applied."""
        with _locked(engine) as connection:
            return _applied(connection)

    def pending(self, engine: Engine) -> list[Migration]:
        done = set(self.applied(engine))
        return [item for item in self._migrations if item.name not in done]

    def apply(self, engine: Engine) -> list[str]:
        """Apply every pending migration, each in its own transaction; return their names.

        Safe when several processes start at once (web workers, ``studio worker``): on
        SQLite each migration takes the write lock before checking it is still pending.
        """
        ran = []
        for item in self.pending(engine):
            with _locked(engine) as connection:
                if item.name in _applied(connection):
                    continue
                item.apply(connection)
                connection.execute(schema_migrations.insert().values(
                    name=item.name, applied_at=datetime.now(timezone.utc)))
            ran.append(item.name)
        return ran


@contextmanager
def _locked(engine: Engine) -> Iterator[Connection]:
    """A transaction holding the database's write lock from its first statement."""
    with engine.begin() as connection:
        if connection.dialect.name == "sqlite":
            # Python's sqlite3 commits DDL at once unless a transaction is open, so a
            # migration failing halfway would stay half-applied; IMMEDIATE also makes a
            # second process wait here rather than run the same migration again.
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        yield connection


def _applied(connection: Connection) -> list[str]:
    _meta.create_all(connection)
    query = select(schema_migrations.c.name).order_by(schema_migrations.c.applied_at,
                                                      schema_migrations.c.name)
    return list(connection.scalars(query))
