"""Named, versioned schema migrations, applied in order by ``studio db upgrade``.

Each migration is a function registered with :func:`migration`; its name is
recorded in ``schema_migrations`` once applied, so it never runs twice. Add new
migrations at the end; never edit one that has shipped.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Callable

from sqlalchemy import Column, Connection, DateTime, Engine, MetaData, String, Table, select

_meta = MetaData()
schema_migrations = Table(
    "schema_migrations", _meta,
    Column("name", String(200), primary_key=True),
    Column("applied_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Migration:
    name: str
    apply: Callable[[Connection], None]


MIGRATIONS: list[Migration] = []


def migration(fn: Callable[[Connection], None]) -> Callable[[Connection], None]:
    """Register ``fn`` as the next migration, named after the function."""
    if any(m.name == fn.__name__ for m in MIGRATIONS):
        raise ValueError(f"duplicate migration name {fn.__name__}")
    MIGRATIONS.append(Migration(fn.__name__, fn))
    return fn


def create_tables(connection: Connection, *names: str) -> None:
    """Create the named tables from the ORM models as they are declared now."""
    from episodes.db import Base

    Base.metadata.create_all(connection, tables=[Base.metadata.tables[n] for n in names])


def applied(engine: Engine) -> list[str]:
    with engine.begin() as connection:
        _meta.create_all(connection)
        return [row.name for row in connection.execute(select(schema_migrations.c.name))]


def upgrade(engine: Engine) -> list[str]:
    """Apply every pending migration, each in its own transaction; return their names."""
    import episodes.schema  # noqa: F401  (registers the migrations)

    done = set(applied(engine))
    ran = []
    for item in MIGRATIONS:
        if item.name in done:
            continue
        with engine.begin() as connection:
            item.apply(connection)
            connection.execute(schema_migrations.insert().values(
                name=item.name, applied_at=datetime.now(timezone.utc)))
        ran.append(item.name)
    return ran
