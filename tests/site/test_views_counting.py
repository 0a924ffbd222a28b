"""View counting (PeerTube 6.1 rules) through the real beacon endpoint and real SQLite."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine, select, text

from episodes.views import DailyViews, ViewSalt, countable, is_bot, plausible
from tests.site_data import NOON, add_episode

BROWSER = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"


@pytest.fixture
def episode(session):
    return add_episode(session, "ep1")  # 12 s long


def beacon(client, episode_id, watched, agent=BROWSER, ip="203.0.113.7", **kwargs):
    return client.post("/views/beacon", json={"episode": episode_id, "watched": watched},
                       headers={"User-Agent": agent}, environ_base={"REMOTE_ADDR": ip}, **kwargs)


def views_of(client, slug="ep1") -> int:
    html = client.get(f"/e/{slug}").get_data(as_text=True)
    return int(html.split('<strong id="view-count">')[1].split("<")[0])


@pytest.mark.parametrize("watched_ms, duration_ms, expected", [
    (9_999, 600_000, False), (10_000, 600_000, True), (10_000, 0, True),
    (5_999, 20_000, False), (6_000, 20_000, True),  # 30 % of a 20 s video
    (8_999, 29_999, False), (9_000, 29_999, True), (9_999, 30_000, False),
])
def test_countable_threshold(watched_ms, duration_ms, expected):
    assert countable(watched_ms, duration_ms) is expected


def test_plausible_watch_times():
    assert plausible(0, 12_000) and plausible(70_000, 12_000)
    assert not plausible(-1, 12_000) and not plausible(72_001, 12_000)


@pytest.mark.parametrize("agent", ["Googlebot/2.1 (+http://www.google.com/bot.html)", "curl/8.5.0",
                                   "Mozilla/5.0 (compatible; bingbot/2.0)", "", "python-requests/2.31",
                                   "Wget/1.21.4", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/120.0"])
def test_known_bots(agent):
    assert is_bot(agent)


def test_real_browsers_are_not_bots():
    assert not is_bot(BROWSER)


def test_view_counts_after_the_threshold_only(client, episode, clock):
    assert beacon(client, episode.id, 3.5).json == {"counted": False, "reason": "not watched long enough"}
    assert views_of(client) == 0
    assert beacon(client, episode.id, 4.0).json["counted"]  # 30 % of this 12 s clip is 3.6 s
    assert views_of(client) == 1


def test_once_per_viewer_per_hour(client, episode, clock):
    assert beacon(client, episode.id, 12).json["counted"]
    clock.now = NOON + timedelta(minutes=59)
    assert beacon(client, episode.id, 12).json == {"counted": False,
                                                   "reason": "already counted this hour"}
    assert beacon(client, episode.id, 12, ip="198.51.100.9").json["counted"]  # someone else
    assert beacon(client, episode.id, 12, agent=BROWSER + " Edg/120").json["counted"]
    clock.now = NOON + timedelta(hours=1)
    assert beacon(client, episode.id, 12).json["counted"]
    assert views_of(client) == 4


def test_bots_and_staff_preview_are_not_counted(client, session, episode, clock):
    draft = add_episode(session, "draft", status="draft")
    assert beacon(client, episode.id, 12, agent="Googlebot/2.1").json["reason"] == "bot"
    assert beacon(client, draft.id, 12).json["reason"] == "staff preview"
    assert views_of(client) == 0
    assert session.scalar(select(DailyViews.views).where(DailyViews.episode_id == draft.id)) is None


@pytest.mark.parametrize("body", [
    b"not json", b"[1, 2]", b'"text"', b"{}", b'{"episode": 1}', b'{"watched": 12}',
    b'{"episode": "1", "watched": 12}', b'{"episode": true, "watched": 12}',
    b'{"episode": 1.5, "watched": 12}', b'{"episode": -1, "watched": 12}',
    b'{"episode": 99999999999999999999999, "watched": 12}',
    b'{"episode": 1, "watched": "12"}', b'{"episode": 1, "watched": NaN}',
    b'{"episode": 1, "watched": Infinity}', b'{"episode": 1, "watched": -3}',
    b'{"episode": 1, "watched": 1e308}', b'{"episode": 1, "watched": 100000}',
    b'{"episode": 424242, "watched": 12}',
    b"[" * 4000, b'{"":' * 1000,  # nested deeper than the parser's recursion limit
])
def test_malformed_beacons_are_rejected_with_400(client, episode, clock, body):
    response = client.post("/views/beacon", data=body, content_type="application/json",
                           headers={"User-Agent": BROWSER})
    assert response.status_code == 400
    assert response.json["counted"] is False and response.json["error"]
    assert views_of(client) == 0


def test_beacon_must_be_json(client, episode, clock):
    response = client.post("/views/beacon", data='{"episode": 1, "watched": 12}',
                           content_type="text/plain", headers={"User-Agent": BROWSER})
    assert response.status_code == 400
    assert client.get("/views/beacon").status_code == 405


def test_counted_view_is_committed_before_the_response(client, app, episode, clock):
    beacon(client, episode.id, 12)
    other = create_engine(app.config["DATABASE_URL"])  # a separate connection, as after a crash
    with other.connect() as connection:
        assert connection.execute(text("SELECT views FROM daily_views")).scalar() == 1
        assert connection.execute(text("SELECT count(*) FROM view_events")).scalar() == 1
    other.dispose()


def test_daily_aggregates_use_the_local_day(client, session, episode, clock):
    clock.now = datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc)  # 23:30 in Shanghai
    beacon(client, episode.id, 12)
    clock.now = datetime(2026, 11, 24, 16, 30, tzinfo=timezone.utc)  # 00:30 next day
    beacon(client, episode.id, 12)
    rows = session.execute(select(DailyViews.day, DailyViews.views).order_by(DailyViews.day)).all()
    assert rows == [(date(2026, 11, 24), 1), (date(2026, 11, 25), 1)]


def test_salt_rotates_daily_and_old_salts_are_forgotten(client, session, episode, clock):
    beacon(client, episode.id, 12)
    clock.now = NOON + timedelta(days=3)
    beacon(client, episode.id, 12)
    assert session.scalars(select(ViewSalt.day)).all() == [date(2026, 11, 27)]
    viewers = session.execute(text("SELECT viewer FROM view_events")).scalars().all()
    assert len(set(viewers)) == 2 and not any("203.0.113.7" in v for v in viewers)
