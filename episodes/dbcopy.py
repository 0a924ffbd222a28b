"""Copy a whole catalog from one database to another (an office's SQLite file to
PostgreSQL), with nothing lost and proof of it.

The target gets the schema by the migrations, then every table's rows in foreign-key
order inside one transaction. Before it commits, each table's row count and a
checksum of its content (rows in primary-key order, values in a canonical text form)
are compared with the source; any difference rolls the whole copy back. PostgreSQL's
id sequences are moved past the copied ids, so new rows insert normally afterwards.
The search index is no table of its own to copy: SQLite's FTS5 tables are filled by
their triggers, PostgreSQL's trigram indexes by the database.

Example::

    report = copy_catalog(make_engine("sqlite:///instance/catalog.sqlite3"),
                          make_engine("postgresql+psycopg://wuling@db/wuling"))
    for table in report: print(table.name, table.rows, table.checksum)
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import Connection, DateTime, Engine, MetaData, Table, func, select, text

from episodes.errors import CatalogError
from episodes.migrations import schema_migrations
from episodes.schema import migrations

BATCH = 1000
# SQLite's FTS5 search tables and their shadow tables: derived data, rebuilt by triggers.
_DERIVED = ("search_titles", "search_cues")


@dataclass(frozen=True)
class CopiedTable:
    name: str
    rows: int
    checksum: str


def copy_catalog(source: Engine, target: Engine, replace: bool = False) -> list[CopiedTable]:
    """Copy every catalog table of ``source`` into ``target`` and verify it.

    Refuses (:class:`CatalogError`) a missing SQLite source, a source with pending
    migrations, and a target that already holds catalog rows unless ``replace``, which
    deletes them first.
    """
    if source.dialect.name == "sqlite" and not Path(source.url.database or "").is_file():
        raise CatalogError("no such catalog file", source.url.database)  # not an empty new one
    pending = [m.name for m in migrations.pending(source)]
    if pending:
        raise CatalogError(f"the source catalog needs migrations first ({', '.join(pending)}); "
                           "run `studio db upgrade` on it", _shown(source))
    migrations.apply(target)
    tables = _catalog_tables(target)
    with source.connect() as reading, target.begin() as writing:
        held = {t.name: n for t in tables if (n := _count(writing, t))}
        if held and not replace:
            raise CatalogError("the target catalog is not empty (" + ", ".join(
                f"{name}: {n} rows" for name, n in held.items()) + "); pass --force to replace "
                "its content", _shown(target))
        for table in reversed(tables):
            writing.execute(table.delete())
        for table in tables:
            _copy_rows(reading, writing, table)
        report = [_verify(reading, writing, table) for table in tables]
        if writing.dialect.name == "postgresql":
            _move_sequences(writing, tables)
    return report


def _catalog_tables(engine: Engine) -> list[Table]:
    """The target's tables in foreign-key order, without the migration log and derived
    search tables (their shape is the target's, so values are read as it stores them)."""
    meta = MetaData()
    meta.reflect(engine)
    return [t for t in meta.sorted_tables if t.name != schema_migrations.name
            and not any(t.name == d or t.name.startswith(f"{d}_") for d in _DERIVED)]


def _copy_rows(reading: Connection, writing: Connection, table: Table) -> None:
    rows = reading.execute(_ordered(table)).mappings()
    while batch := rows.fetchmany(BATCH):
        writing.execute(table.insert(), [_as_utc(table, dict(row)) for row in batch])


def _as_utc(table: Table, row: dict) -> dict:
    """SQLite keeps the catalog's UTC times without a zone; say so before PostgreSQL
    would read them in its session's zone."""
    for column in table.columns:
        value = row[column.name]
        if isinstance(column.type, DateTime) and isinstance(value, datetime) and value.tzinfo is None:
            row[column.name] = value.replace(tzinfo=timezone.utc)
    return row


def _verify(reading: Connection, writing: Connection, table: Table) -> CopiedTable:
    source_rows, source_sum = _fingerprint(reading, table)
    target_rows, target_sum = _fingerprint(writing, table)
    if (source_rows, source_sum) != (target_rows, target_sum):
        raise CatalogError(f"table {table.name} differs after copying ({source_rows} rows "
                           f"{source_sum[:12]} in the source, {target_rows} rows "
                           f"{target_sum[:12]} in the target); nothing was saved")
    return CopiedTable(table.name, source_rows, source_sum)


def _fingerprint(connection: Connection, table: Table) -> tuple[int, str]:
    """Row count and SHA-256 of the rows in key order, each value in canonical form."""
    digest, count = hashlib.sha256(), 0
    for row in connection.execute(_ordered(table)):
        digest.update(json.dumps([_canonical(v) for v in row], ensure_ascii=False).encode())
        count += 1
    return count, digest.hexdigest()


def _canonical(value):
    if isinstance(value, datetime):
        aware = value if value.tzinfo else value.replace(tzinfo=timezone.utc)
        return aware.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    return value


def _ordered(table: Table):
    key = list(table.primary_key.columns) or list(table.columns)
    return select(table).order_by(*key)


def _count(connection: Connection, table: Table) -> int:
    return connection.scalar(select(func.count()).select_from(table))


def _move_sequences(writing: Connection, tables: list[Table]) -> None:
    """Set each id sequence to the largest copied id, so the next insert takes the next."""
    for table in tables:
        for column in table.primary_key.columns:
            sequence = writing.scalar(text("SELECT pg_get_serial_sequence(:t, :c)"),
                                      {"t": table.name, "c": column.name})
            if sequence:
                writing.execute(text(
                    f'SELECT setval(:s, COALESCE(MAX("{column.name}"), 1), MAX("{column.name}") '
                    f'IS NOT NULL) FROM "{table.name}"'), {"s": sequence})


def _shown(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
