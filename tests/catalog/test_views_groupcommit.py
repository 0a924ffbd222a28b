"""Group commit: concurrent beacons share commits, none is lost or doubled, errors stay put;
a batch of beacons is checked against its episodes with one query, whatever its size."""
from __future__ import annotations

import threading
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import event, func, select
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


def test_concurrent_submits_are_all_committed_exactly_once(factory):
    writer = GroupCommit(factory, lambda session, views: record_views(session, views, SHANGHAI))
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


def test_duplicates_inside_one_batch_count_once(factory):
    with factory.begin() as session:
        views = [View(1, "a", NOW), View(1, "a", NOW), View(2, "a", NOW), View(1, "b", NOW)]
        assert record_views(session, views, SHANGHAI) == [True, False, True, True]


def test_a_failing_item_fails_alone(factory):
    writer = GroupCommit(factory, lambda session, views: record_views(session, views, SHANGHAI))
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


def test_a_batch_of_beacons_gets_one_answer_each_in_order(factory):
    beacons = [Beacon(1, 12_000, "a", NOW), Beacon(1, 12_000, "a", NOW),  # the repeat is refused
               Beacon(2, 9_000, "a", NOW), Beacon(99, 12_000, "a", NOW),
               Beacon(3, 700_000, "a", NOW), Beacon(3, 12_000, "", NOW, unwanted="bot"),
               Beacon(4, 12_000, "a", NOW), Beacon(3, 12_000, "b", NOW)]
    with factory.begin() as session:
        answers = count_beacons(session, beacons, SHANGHAI)
    assert answers == [Answer(True), Answer(False, "already counted this hour"),
                       Answer(False, "not watched long enough"),
                       Answer(False, error="unknown episode 99"),
                       Answer(False, error="'watched' 700 s is impossible for this episode"),
                       Answer(False, "bot"), Answer(False, "staff preview"), Answer(True)]
    with factory() as session:
        assert session.scalar(select(func.sum(DailyViews.views))) == 2


@pytest.mark.parametrize("size", [1, 40])
def test_a_batch_costs_the_same_statements_whatever_its_size(factory, size):
    """No beacon gets a query of its own: one read of the episodes, the insert of the
    views and the daily totals' upsert, for one beacon or forty."""
    statements: list[str] = []
    engine = factory.kw["bind"]
    event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2].split()[0]))
    with factory.begin() as session:
        count_beacons(session, [Beacon(1 + n % 3, 12_000, f"viewer-{n}", NOW) for n in range(size)],
                      SHANGHAI)
    assert statements == ["SELECT", "INSERT", "INSERT"]
