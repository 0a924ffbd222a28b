"""Podcast download counting against the real app over HTTP (a werkzeug server on
127.0.0.1), with an injected clock for the 24-hour window; the batch function its
group-commit writer runs (``count_downloads``), and two writers racing, on each engine."""
from __future__ import annotations

import threading
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select, text
from werkzeug.serving import make_server

import web
from episodes.db import make_sessionmaker
from episodes.downloads import Download, PodcastDownload, count_downloads, network_of
from episodes.groupcommit import GroupCommit
from episodes.models import Episode, MediaAsset
from tests.catalog_fixtures import catalog_engine, make_workdir, publish
from tests.site_data import Clock
from tests.support import isolated_environ

PHONE = "AppleCoreMedia/1.0.0.21A329 (iPhone; U; CPU OS 17_0 like Mac OS X; zh_cn)"
PC = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/120.0 Safari/537.36"
NOW = datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc)


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
    clock.now = datetime(2026, 11, 24, 15, 30, tzinfo=timezone.utc)  # the site's midnight: 16:00 UTC
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


def test_concurrent_downloads_count_once_per_listener_and_episode(site):
    """Many listeners fetch two episodes three times each, all at once (a player's parallel
    range requests): the writer's batches hold several requests of one listener, and each
    listener counts once per episode."""
    base, engine, _, audio = site
    agents = [f"{PHONE} listener-{n}" for n in range(12)]
    wanted = [(audio[slug].path, agent) for slug in ("long-1", "short-1") for agent in agents]
    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(lambda request: fetch(base, request[0], agent=request[1]),
                                 [request for request in wanted for _ in range(3)]))
    assert statuses == [200] * len(wanted) * 3
    with make_sessionmaker(engine)() as session:
        rows = session.execute(select(PodcastDownload.episode_id, PodcastDownload.listener)).all()
    assert len(rows) == len(set(rows)) == len(wanted)


def test_one_batch_counts_a_listener_once_the_first_time(site):
    """Two downloads of one listener in one batch: the first counts, the second not; nor
    does one just past midnight (hashed with the new day's salt, and today's as yesterday's)."""
    _, engine, _, audio = site
    long, short = audio["long-1"].episode_id, audio["short-1"].episode_id
    batch = [Download(long, ("a", "a before"), NOW), Download(long, ("a", "a before"), NOW),
             Download(short, ("a", "a before"), NOW), Download(long, ("b", "b before"), NOW),
             Download(long, ("a after", "a"), NOW + timedelta(seconds=1))]
    with engine.begin() as connection:
        assert count_downloads(connection, batch) == [True, False, True, True, False]
    with engine.begin() as connection:
        assert count_downloads(connection, batch[:1]) == [False]
    assert counted(engine) == 3


@pytest.mark.parametrize("size", [1, 40])
def test_a_batch_costs_the_same_statements_whatever_its_size(site, size):
    """One statement checks and inserts the whole batch; PostgreSQL first takes the
    listeners' advisory locks in one more."""
    _, engine, _, audio = site
    statements: list[str] = []

    def note(_connection, _cursor, statement, *_args) -> None:
        statements.append(statement.split()[0])

    event.listen(engine, "before_cursor_execute", note)
    with engine.begin() as connection:
        count_downloads(connection, [Download(audio["long-1"].episode_id, (f"l{n}", f"l{n} before"), NOW)
                                     for n in range(size)])
    event.remove(engine, "before_cursor_execute", note)
    assert statements == (["SELECT", "INSERT"] if engine.dialect.name == "postgresql" else ["INSERT"])


def test_two_writers_never_both_count_a_listener(site, server):
    """Two web processes' writers (two engines, two group commits): a batch sent while the
    other writer's batch has counted the same listener and episode but not committed
    waits for that commit, then does not count (SQLite: the write lock its statement
    takes before reading; PostgreSQL: the advisory lock on the listener)."""
    _, engine, _, audio = site
    instance, url = server[1], server[3]
    counted_not_committed, commit = threading.Event(), threading.Event()

    def count_then_wait(connection, downloads):
        answers = count_downloads(connection, downloads)
        counted_not_committed.set()
        commit.wait(10)
        return answers

    engines = [catalog_engine(instance, url), catalog_engine(instance, url)]
    writers = [GroupCommit(engines[0], count_then_wait), GroupCommit(engines[1], count_downloads)]
    download = Download(audio["long-1"].episode_id, ("a", "a before"), NOW)
    answers: list[bool] = []
    threads = [threading.Thread(target=lambda writer=writer: answers.append(writer.submit(download)))
               for writer in writers]
    threads[0].start()
    assert counted_not_committed.wait(10)
    threads[1].start()
    threads[1].join(timeout=1)  # time for the second writer to get as far as it can
    commit.set()
    for thread in threads:
        thread.join()
    for each in engines:
        each.dispose()
    assert sorted(answers) == [False, True] and counted(engine) == 1


def test_a_download_that_cannot_be_counted_is_still_served_and_logged(site, caplog):
    """The count fails (here its table is gone): the listener still gets the whole file,
    and the log says which download was not counted."""
    base, engine, _, audio = site
    asset = audio["long-1"]
    with engine.begin() as connection:
        connection.execute(text("ALTER TABLE podcast_downloads RENAME TO podcast_downloads_away"))
    try:
        request = urllib.request.Request(f"{base}/media/{asset.path}", headers={"User-Agent": PHONE})
        with urllib.request.urlopen(request, timeout=10) as response:
            assert response.status == 200 and len(response.read()) == asset.bytes
    finally:
        with engine.begin() as connection:
            connection.execute(text("ALTER TABLE podcast_downloads_away RENAME TO podcast_downloads"))
    assert f"download of {asset.path} not counted: " in caplog.text
    assert fetch(base, asset.path) == 200 and counted(engine) == 1
