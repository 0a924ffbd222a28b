"""A burst of view beacons at once, more than the catalog's connection pool holds: each
beacon in flight holds no pooled connection of its own (the episode is checked in the
group commit's batch, the day's salt is read once), so none waits for one, and every
distinct viewer is counted once."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from episodes.views import ViewEvent
from tests.site_data import NOON, add_episode

BROWSER = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"
IN_FLIGHT = 24  # the pool holds at most 15 connections (5 + 10 overflow)


def test_a_burst_larger_than_the_pool_is_counted_without_waiting_for_connections(app, session):
    episode_id = add_episode(session, "ep1").id
    session.commit()
    together = threading.Barrier(IN_FLIGHT, timeout=20)

    def clock():
        """Every beacon reads the clock once, between reading its body and counting:
        all of them are in flight at this point at once."""
        together.wait()
        return NOON

    app.config["VIEWS_CLOCK"] = clock
    answers: list[tuple[int, dict]] = []

    def viewer(number: int) -> None:
        response = app.test_client().post(
            "/views/beacon", json={"episode": episode_id, "watched": 11},
            headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": f"203.0.113.{number}"})
        answers.append((response.status_code, response.get_json()))

    threads = [threading.Thread(target=viewer, args=(n,)) for n in range(IN_FLIGHT)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [(202, {"counted": True, "reason": ""})] * IN_FLIGHT
    assert session.scalar(select(func.count()).select_from(ViewEvent)) == IN_FLIGHT
