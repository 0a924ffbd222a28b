"""Podcast download counting against the real app over HTTP (a werkzeug server on
127.0.0.1), with an injected clock for the 24-hour window."""
from __future__ import annotations

import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

import web
from episodes.db import make_sessionmaker
from episodes.downloads import PodcastDownload, network_of
from episodes.models import Episode, MediaAsset
from tests.catalog_fixtures import catalog_engine, make_workdir, publish
from tests.site_data import Clock
from tests.support import isolated_environ

PHONE = "AppleCoreMedia/1.0.0.21A329 (iPhone; U; CPU OS 17_0 like Mac OS X; zh_cn)"
PC = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(tmp_path_factory, request):
    """The site on a real socket, serving a 120 s MP3 (so a minute is half the file), on
    each catalog engine."""
    root = tmp_path_factory.mktemp("downloads")
    instance = root / "instance"
    url = request.getfixturevalue("postgres").new_database() \
        if request.param == "postgresql" else ""
    publish(instance, make_workdir(root / "long", "long-1", seconds=120), url)
    publish(instance, make_workdir(root / "short", "short-1", seconds=30, frequency=500), url)
    clock = Clock(datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc))
    app = web.create_app({"TESTING": True, "DOWNLOAD_CLOCK": clock, "DATABASE_URL": url},
                         environ=isolated_environ(instance))
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_port}", instance, clock, url
    httpd.shutdown()
    app.extensions["catalog_engine"].dispose()


@pytest.fixture
def site(server):
    """A clean count and a fresh clock for each test."""
    base, instance, clock, url = server
    engine = catalog_engine(instance, url)
    with make_sessionmaker(engine).begin() as session:
        session.execute(PodcastDownload.__table__.delete())
        audio = {e.slug: e.asset("podcast_mp3") for e in session.scalars(select(Episode))}
    clock.now = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)
    return base, engine, clock, audio


def fetch(base: str, path: str, agent: str = PHONE, method: str = "GET", **headers) -> int:
    request = urllib.request.Request(f"{base}/media/{path}", method=method,
                                     headers={"User-Agent": agent, **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def counted(engine) -> int:
    with make_sessionmaker(engine)() as session:
        return len(session.scalars(select(PodcastDownload)).all())


def test_full_download_counts_once_per_24_hours(site):
    base, engine, clock, audio = site
    path = audio["long-1"].path
    assert fetch(base, path) == 200 and counted(engine) == 1
    assert fetch(base, path) == 200 and counted(engine) == 1
    clock.now += timedelta(hours=23, minutes=59)
    assert fetch(base, path) == 200 and counted(engine) == 1
    clock.now += timedelta(minutes=2)
    assert fetch(base, path) == 200 and counted(engine) == 2


def test_window_spans_midnight_though_salts_rotate(site):
    base, engine, clock, audio = site
    clock.now = datetime(2026, 11, 24, 23, 30, tzinfo=timezone.utc)
    assert fetch(base, audio["long-1"].path) == 200 and counted(engine) == 1
    clock.now += timedelta(hours=1)
    assert fetch(base, audio["long-1"].path) == 200 and counted(engine) == 1


def test_ranges_count_only_with_a_minute_of_audio(site):
    base, engine, _, audio = site
    asset = audio["long-1"]
    half = asset.bytes // 2  # 60 of 120 seconds
    assert fetch(base, asset.path, Range="bytes=0-1") == 206 and counted(engine) == 0
    assert fetch(base, asset.path, Range=f"bytes=0-{half - 100}") == 206 and counted(engine) == 0
    assert fetch(base, asset.path, Range=f"bytes=1000-{1000 + half + 10}") == 206
    assert counted(engine) == 1
    assert fetch(base, asset.path, Range=f"bytes={half}-") == 206 and counted(engine) == 1


def test_short_episode_needs_the_whole_file(site):
    base, engine, _, audio = site
    asset = audio["short-1"]
    assert fetch(base, asset.path, Range=f"bytes=0-{asset.bytes - 2}") == 206
    assert counted(engine) == 0
    assert fetch(base, asset.path) == 200 and counted(engine) == 1


def test_head_304_and_bots_never_count(site):
    base, engine, _, audio = site
    asset = audio["long-1"]
    assert fetch(base, asset.path, method="HEAD") == 200
    assert fetch(base, asset.path, **{"If-None-Match": f'"{asset.checksum}"'}) == 304
    for bot in ("Mozilla/5.0 (compatible; Googlebot/2.1)", "curl/8.5.0", "", "python-requests/2.31"):
        assert fetch(base, asset.path, agent=bot) == 200
    assert counted(engine) == 0
    assert fetch(base, asset.path, **{"If-None-Match": '"stale"'}) == 200
    assert counted(engine) == 1


def test_listeners_are_told_apart_by_agent_and_never_stored_raw(site):
    base, engine, _, audio = site
    path = audio["long-1"].path
    assert fetch(base, path, agent=PHONE) == 200 and fetch(base, path, agent=PC) == 200
    assert counted(engine) == 2
    with make_sessionmaker(engine)() as session:
        listeners = session.scalars(select(PodcastDownload.listener)).all()
    assert all(len(value) == 64 and "127.0.0.1" not in value for value in listeners)
    database = engine.url.database
    for suffix in ("", "-wal"):
        try:
            assert b"127.0.0.1" not in open(database + suffix, "rb").read()
        except FileNotFoundError:
            pass


def test_media_responses_are_safe_and_seekable(site):
    base, _, _, audio = site
    request = urllib.request.Request(f"{base}/media/{audio['long-1'].path}",
                                     headers={"Range": "bytes=10-19", "User-Agent": PHONE})
    with urllib.request.urlopen(request) as response:
        assert response.status == 206 and len(response.read()) == 10
        assert response.headers["Content-Range"] == f"bytes 10-19/{audio['long-1'].bytes}"
        assert response.headers["Accept-Ranges"] == "bytes"
        assert response.headers["Content-Type"] == "audio/mpeg"
        assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert fetch(base, "long-1/0000/podcast.mp3") == 404


def test_ipv6_listeners_are_their_64_prefix():
    assert network_of("2001:db8:1:2:aaaa::1") == network_of("2001:db8:1:2:bbbb:cccc:dddd:eeee")
    assert network_of("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::"
    assert network_of("2001:db8:1:3::1") != network_of("2001:db8:1:2::1")
    assert network_of("::ffff:10.1.2.3") == "10.1.2.3" == network_of("10.1.2.3")


def test_html_is_never_served_inline(site, server):
    base, engine, _, audio = site
    instance = server[1]
    page = instance / "media" / "long-1" / "notes.html"
    page.write_text("<script>alert(1)</script>", encoding="utf-8")
    with make_sessionmaker(engine).begin() as session:
        episode = session.scalar(select(Episode).where(Episode.slug == "long-1"))
        episode.assets.append(MediaAsset(kind="notes", path="long-1/notes.html", mime_type="text/html",
                                         bytes=page.stat().st_size, checksum="0" * 64))
    with urllib.request.urlopen(f"{base}/media/long-1/notes.html") as response:
        assert response.headers["Content-Disposition"].startswith("attachment")
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_parallel_requests_from_one_listener_count_once(site):
    base, engine, _, audio = site
    path = audio["long-1"].path
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda _: fetch(base, path), range(16)))
    assert statuses == [200] * 16
    assert counted(engine) == 1
