"""Named leases in the real catalog, SQLite and PostgreSQL: one holder at a time, taken
over on expiry."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

import pytest

from episodes.db import make_engine
from episodes.leases import current, holder_id, release, renew, take
from episodes.schema import migrations

TTL = timedelta(seconds=30)
T0 = datetime(2026, 12, 1, 11, 30, tzinfo=timezone.utc)


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    migrations.apply(engine)
    yield engine
    engine.dispose()


def test_one_holder_until_it_expires(engine):
    assert take(engine, "scheduler", "a", TTL, now=T0)
    assert not take(engine, "scheduler", "b", TTL, now=T0 + timedelta(seconds=29))
    assert take(engine, "scheduler", "a", TTL, now=T0 + timedelta(seconds=20))  # renewal
    assert not take(engine, "scheduler", "b", TTL, now=T0 + timedelta(seconds=49))
    assert take(engine, "scheduler", "b", TTL, now=T0 + timedelta(seconds=50))  # a's expired
    assert not renew(engine, "scheduler", "a", TTL, now=T0 + timedelta(seconds=51))
    assert current(engine, "scheduler", now=T0 + timedelta(seconds=51)).holder == "b"
    assert take(engine, "queue", "a", TTL, now=T0)  # names are independent


def test_release_frees_the_lease_at_once(engine):
    assert take(engine, "scheduler", "a", TTL)
    release(engine, "scheduler", "b")  # not b's: nothing happens
    assert current(engine, "scheduler").holder == "a"
    release(engine, "scheduler", "a")
    assert current(engine, "scheduler") is None
    assert take(engine, "scheduler", "b", TTL)
    assert renew(engine, "scheduler", "b", TTL)


def test_racing_takers_get_exactly_one_lease(engine):
    url = engine.url.render_as_string(hide_password=False)
    start, won = threading.Barrier(8), []

    def racer(name: str) -> None:
        engine = make_engine(url)  # its own connection pool, as another process would have
        start.wait()
        if take(engine, "scheduler", name, TTL):
            won.append(name)
        engine.dispose()

    threads = [threading.Thread(target=racer, args=(holder_id(),)) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(won) == 1 and len(set(t.name for t in threads)) == 8
