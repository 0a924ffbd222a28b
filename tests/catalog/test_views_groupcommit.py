"""Group commit: concurrent beacons share commits, none is lost or doubled, errors stay put;
a batch of beacons is checked against its episodes with one query, whatever its size."""
from __future__ import annotations

import threading
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select, text
from sqlalchemy.exc import IntegrityError

from episodes.groupcommit import GroupCommit
from episodes.models import Episode
from episodes.views import Answer, Beacon, DailyViews, View, ViewEvent, count_beacons, record_views

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 11, 24, 4, 0, tzinfo=timezone.utc)


@pytest.fixture
def factory(catalog_sessions):
    factory = catalog_sessions
    with factory.begin() as session:
        session.add_all(Episode(slug=f"e{n}", title="节目", status="published", duration_ms=600_000)
                        for n in range(3))
        session.add(Episode(slug="draft", title="节目", status="draft", duration_ms=600_000))  # id 4
    return factory


@pytest.fixture
def engine(factory):
    return factory.kw["bind"]


def test_concurrent_submits_are_all_committed_exactly_once(factory, engine):
    writer = GroupCommit(engine, lambda connection, views: record_views(connection, views, SHANGHAI))
    answers: list[bool] = []

    def viewer(number: int) -> None:
        for episode_id in (1, 2, 3, 1, 2, 3):  # each pair twice
            answers.append(writer.submit(View(episode_id, f"viewer-{number}", NOW)))

    threads = [threading.Thread(target=viewer, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ViewEvent)) == 48
        assert session.scalar(select(func.sum(DailyViews.views))) == 48
    assert answers.count(True) == 48 and answers.count(False) == 48


def test_duplicates_inside_one_batch_count_once(factory, engine):
    with engine.begin() as connection:
        views = [View(1, "a", NOW), View(1, "a", NOW), View(2, "a", NOW), View(1, "b", NOW)]
        assert record_views(connection, views, SHANGHAI) == [True, False, True, True]
    with factory() as session:
        assert session.scalar(select(func.sum(DailyViews.views))) == 3


def test_each_view_counts_on_its_own_local_day_and_hour(factory, engine):
    """One batch across Shanghai's midnight (16:00 UTC): each view lands on its own local
    day, and a repeat within the same UTC hour is refused whatever the connection's time
    zone (PostgreSQL gives timestamps back in it)."""
    before, after = datetime(2026, 11, 24, 15, 59, tzinfo=timezone.utc), datetime(2026, 11, 24, 16, 1,
                                                                                tzinfo=timezone.utc)
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql("SET TIME ZONE 'America/New_York'")
            connection.commit()
        with connection.begin():
            assert record_views(connection, [View(1, "a", before), View(1, "a", after), View(1, "b", after)],
                                SHANGHAI) == [True, True, True]
        with connection.begin():
            assert record_views(connection, [View(1, "a", before.replace(minute=1))], SHANGHAI) == [False]
    with factory() as session:
        assert session.execute(select(DailyViews.day, DailyViews.views).order_by(DailyViews.day)).all() == [
            (date(2026, 11, 24), 1), (date(2026, 11, 25), 2)]


def test_a_failing_item_fails_alone(factory, engine):
    writer = GroupCommit(engine, lambda connection, views: record_views(connection, views, SHANGHAI))
    results: dict[int, object] = {}

    def submit(episode_id: int) -> None:
        try:
            results[episode_id] = writer.submit(View(episode_id, "someone", NOW))
        except IntegrityError:  # no such episode: the foreign key refuses it
            results[episode_id] = "refused"

    threads = [threading.Thread(target=submit, args=(n,)) for n in (1, 99, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == {1: True, 99: "refused", 2: True}


def test_a_writer_connection_the_server_dropped_loses_nothing(factory, engine):
    """The writer keeps one connection between batches, with no pre-ping: when the server
    has dropped it, the next batch is retried on new connections and still counts."""
    if engine.dialect.name != "postgresql":
        pytest.skip("only a database server drops connections")
    writer = GroupCommit(engine, lambda connection, views: record_views(connection, views, SHANGHAI))
    assert writer.submit(View(1, "a", NOW)) is True
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    assert [writer.submit(View(1, viewer, NOW)) for viewer in ("b", "a", "c")] == [True, False, True]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(ViewEvent)) == 3


def test_a_batch_of_beacons_gets_one_answer_each_in_order(factory, engine):
    beacons = [Beacon(1, 12_000, "a", NOW), Beacon(1, 12_000, "a", NOW),  # the repeat is refused
               Beacon(2, 9_000, "a", NOW), Beacon(99, 12_000, "a", NOW),
               Beacon(3, 700_000, "a", NOW), Beacon(3, 12_000, "", NOW, unwanted="bot"),
               Beacon(4, 12_000, "a", NOW), Beacon(3, 12_000, "b", NOW)]
    with engine.begin() as connection:
        answers = count_beacons(connection, beacons, SHANGHAI)
    assert answers == [Answer(True), Answer(False, "already counted this hour"),
                       Answer(False, "not watched long enough"),
                       Answer(False, error="unknown episode 99"),
                       Answer(False, error="'watched' 700 s is impossible for this episode"),
                       Answer(False, "bot"), Answer(False, "staff preview"), Answer(True)]
    with factory() as session:
        assert session.scalar(select(func.sum(DailyViews.views))) == 2


@pytest.mark.parametrize("size", [1, 40])
def test_a_batch_costs_the_same_statements_whatever_its_size(engine, size):
    """No beacon gets a query of its own: one read of the episodes, then the insert of the
    views and the daily totals' upsert, for one beacon or forty; on PostgreSQL, where
    each statement is a round trip to the server, those two are one statement."""
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2].split()[0]))
    with engine.begin() as connection:
        count_beacons(connection, [Beacon(1 + n % 3, 12_000, f"viewer-{n}", NOW) for n in range(size)],
                      SHANGHAI)
    assert statements == (["SELECT", "WITH"] if engine.dialect.name == "postgresql"
                          else ["SELECT", "INSERT", "INSERT"])
