"""`studio db copy`: an office's SQLite catalog moved to a real PostgreSQL with nothing
lost (counts and checksums), search working there, new rows inserting, and a non-empty
target refused unless --force."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import MetaData, func, select, text
from sqlalchemy.orm import Session

from episodes import accounts
from episodes.contest import create_contest
from episodes.db import make_engine
from episodes.dbcopy import copy_catalog
from episodes.models import Episode
from episodes.schema import migrations
from episodes.search import search
from episodes.views import record_view
from studio.cli import cli
from tests.site_data import add_episode

NOW = datetime(2026, 11, 24, 4, 30, tzinfo=timezone.utc)


@pytest.fixture
def office_catalog(tmp_path) -> str:
    """A SQLite catalog with episodes, cues, guests, views, accounts and a contest."""
    url = f"sqlite:///{tmp_path / 'catalog.sqlite3'}"
    engine = make_engine(url)
    migrations.apply(engine)
    with Session(engine) as session:
        for n in range(3):
            episode = add_episode(session, f"ep{n}", title=f"社保卡补办第{n}期")
            record_view(session, episode.id, f"viewer-{n}", NOW, ZoneInfo("Asia/Shanghai"))
        session.delete(session.scalar(select(Episode).where(Episode.slug == "ep1")))  # an id gap
        accounts.create_user(session, "org", "correct horse battery", "organiser")
        create_contest(session, "c2026", "导办视频大赛")
        session.commit()
    engine.dispose()
    return url


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as connection:
        found = {t.name: connection.scalar(select(func.count()).select_from(t))
                 for t in meta.sorted_tables if not t.name.startswith("search_")}
    engine.dispose()
    return found


def test_copy_to_postgresql_keeps_every_row_and_new_rows_insert(runner, office_catalog, postgres):
    target = postgres.empty_database()
    result = runner.invoke(cli, ["db", "copy", office_catalog, target])
    assert result.exit_code == 0, result.output
    assert "row counts and checksums match" in result.output
    assert counts(target) == counts(office_catalog)
    assert counts(target)["transcript_cues"] == 8 and counts(target)["daily_views"] == 2
    engine = make_engine(target)
    with Session(engine) as session:
        assert [h.slug for h in search(session, "社保")] == ["ep2", "ep2", "ep0", "ep0"]
        assert session.scalar(select(Episode.published_at).where(Episode.slug == "ep0")) \
            .tzinfo is not None
        added = add_episode(session, "ep-new")  # the id sequence was moved past the copy
        assert added.id == 4
    engine.dispose()


def test_non_empty_target_is_refused_unless_forced(runner, office_catalog, postgres):
    target = postgres.empty_database()
    assert runner.invoke(cli, ["db", "copy", office_catalog, target]).exit_code == 0
    again = runner.invoke(cli, ["db", "copy", office_catalog, target])
    assert again.exit_code == 3
    assert again.output.startswith(f"Error: {target}: the target catalog is not empty (")
    assert "pass --force" in again.output and len(again.output.strip().splitlines()) == 1
    forced = runner.invoke(cli, ["db", "copy", office_catalog, target, "--force"])
    assert forced.exit_code == 0, forced.output
    assert counts(target) == counts(office_catalog)


def test_a_copy_that_differs_saves_nothing(office_catalog, postgres, monkeypatch):
    import episodes.dbcopy

    target = postgres.empty_database()
    real = episodes.dbcopy._copy_rows
    monkeypatch.setattr(episodes.dbcopy, "_copy_rows", lambda reading, writing, table: (
        None if table.name == "guests" else real(reading, writing, table)))
    with pytest.raises(Exception, match="table guests differs after copying"):
        copy_catalog(make_engine(office_catalog), make_engine(target))
    assert counts(target)["episodes"] == 0


def test_missing_or_outdated_source_is_refused(runner, tmp_path, postgres):
    old = make_engine(f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with old.begin() as connection:
        connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY)"))
    result = runner.invoke(cli, ["db", "copy", str(old.url), postgres.empty_database()])
    assert result.exit_code == 3 and "needs migrations first" in result.output
    missing = tmp_path / "typo.sqlite3"
    result = runner.invoke(cli, ["db", "copy", f"sqlite:///{missing}", postgres.empty_database()])
    assert result.output == f"Error: {missing}: no such catalog file\n" and result.exit_code == 3
    assert not missing.exists()
