"""Catalog migrations: explicit tables per migration, and catalogs made by earlier
releases upgrade in place with nothing lost.

``fixtures/catalog_m0006.sqlite3`` was made by main at migration m0006 (before the
migrations declared their own tables): ``studio db upgrade`` into an empty instance,
then a row or more in every table written with plain SQL.
"""
from __future__ import annotations

import importlib
import pkgutil
import shutil
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Connection, inspect, text

import episodes
from episodes.db import Base, make_engine
from episodes.migrations import Migrations
from episodes.schema import migrations
from tests.support import FIXTURES

OLD_CATALOG = FIXTURES / "catalog_m0006.sqlite3"
OLD_MIGRATIONS = ["m0001_catalog", "m0002_view_counts", "m0003_search_index", "m0004_contest",
                  "m0005_podcast_downloads", "m0006_episode_change_index"]


def rows(path: Path) -> dict[str, list[dict]]:
    """Every row of every ordinary table, keyed by table name."""
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        names = [n for (n,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                          " AND name NOT LIKE 'search_%' AND name NOT LIKE 'sqlite_%'")]
        return {name: [dict(row) for row in db.execute(f'SELECT * FROM "{name}" ORDER BY rowid')]
                for name in names}


def schema(path: Path) -> dict[str, str]:
    with sqlite3.connect(path) as db:
        return dict(db.execute("SELECT name, sql FROM sqlite_master WHERE name != 'schema_migrations'"))


@pytest.fixture
def old_catalog(tmp_path) -> Path:
    return Path(shutil.copyfile(OLD_CATALOG, tmp_path / "catalog.sqlite3"))


def test_a_catalog_made_by_an_earlier_release_upgrades_with_nothing_lost(old_catalog):
    before = rows(old_catalog)
    assert all(before[table] for table in before if table != "schema_migrations"), "fixture has an empty table"
    engine = make_engine(f"sqlite:///{old_catalog}")

    assert migrations.applied(engine) == OLD_MIGRATIONS
    ran = migrations.apply(engine)

    assert ran == migrations.names()[len(OLD_MIGRATIONS):]
    assert sorted(migrations.applied(engine)) == sorted(migrations.names())
    after = rows(old_catalog)
    for table, old_rows in before.items():
        if table != "schema_migrations":  # new columns may be added; old values stay
            assert [{k: row[k] for k in old} for row, old in zip(after[table], old_rows)] == old_rows
            assert len(after[table]) == len(old_rows), table
    with engine.connect() as connection:
        found = connection.execute(text("SELECT rowid FROM search_titles WHERE search_titles MATCH '不动产'"))
        assert list(found) == [(1,)]


def test_the_upgraded_catalog_has_the_schema_of_a_new_one(old_catalog, tmp_path):
    migrations.apply(make_engine(f"sqlite:///{old_catalog}"))
    migrations.apply(make_engine(f"sqlite:///{tmp_path / 'new.sqlite3'}"))
    assert schema(old_catalog) == schema(tmp_path / "new.sqlite3")


def test_every_model_has_the_columns_the_migrations_made(database_url):
    """A model changed without a new migration fails here, not on a production catalog;
    on SQLite and on PostgreSQL (where every migration has run once more, doing nothing)."""
    for module in pkgutil.iter_modules(episodes.__path__):
        importlib.import_module(f"episodes.{module.name}")
    engine = make_engine(database_url)
    migrations.apply(engine)
    assert migrations.pending(engine) == [] and migrations.apply(engine) == []
    inspector = inspect(engine)
    for table in Base.metadata.sorted_tables:
        made = {column["name"] for column in inspector.get_columns(table.name)}
        assert set(table.columns.keys()) <= made, f"{table.name}: no migration adds " \
            f"{sorted(set(table.columns.keys()) - made)}"


def test_a_failing_migration_is_rolled_back_and_not_recorded(tmp_path):
    steps = Migrations()

    @steps
    def m0001_notes(connection: Connection) -> None:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))

    @steps
    def m0002_broken(connection: Connection) -> None:
        connection.execute(text("CREATE TABLE later (id INTEGER PRIMARY KEY)"))
        connection.execute(text("INSERT INTO nowhere VALUES (1)"))

    engine = make_engine(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    with pytest.raises(Exception, match="nowhere"):
        steps.apply(engine)
    assert steps.applied(engine) == ["m0001_notes"]
    assert "later" not in inspect(engine).get_table_names()
    with pytest.raises(ValueError, match="duplicate migration name m0001_notes"):
        steps(m0001_notes)


def test_processes_starting_together_apply_each_migration_once(tmp_path):
    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    with ThreadPoolExecutor(4) as pool:
        runs = list(pool.map(lambda _: migrations.apply(make_engine(url)), range(4)))
    assert sorted(name for ran in runs for name in ran) == sorted(migrations.names())
