"""Feed benchmark: build the podcast feed for 1,000 published episodes, and serve
304 revalidations over HTTP from the production server (waitress on loopback).

    .venv/bin/python bench/feed.py [--episodes 1000] [--requests 500]

Targets: feed build (catalog query + feedgen) < 0.5 s; 304 p95 < 5 ms.
"""
from __future__ import annotations

import argparse
import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

if not __package__:  # run as `python bench/X.py`: import the project, never bench's own files
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from waitress.server import create_server  # noqa: E402

import web  # noqa: E402
from episodes.catalog import AssetInfo, published_episodes, save_episode  # noqa: E402
from episodes.db import database_url, make_engine, make_sessionmaker  # noqa: E402
from episodes.feed import Channel, podcast_rss  # noqa: E402
from episodes.schema import migrations  # noqa: E402
from episodes.publishing import publish_now  # noqa: E402
from episodes.record import EpisodeRecord, Guest  # noqa: E402


def fill(engine, count: int) -> None:
    """``count`` published episodes, each with audio, cover and two transcripts."""
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    with make_sessionmaker(engine).begin() as session:
        for n in range(count):
            slug = f"episode-{n:04d}"
            record = EpisodeRecord(title=f"第{n}期：社保卡怎么办", kind="episode", slug=slug,
                                   summary="社保卡申领、补换、激活，一次讲清楚。" * 3,
                                   guests=(Guest("李明", "区人社局"),), duration_ms=1_800_000)
            assets = [AssetInfo(kind, variant, f"{slug}/{n:016x}/{name}", mime, 28_800_000, 1_800_000,
                                f"{n:064x}")
                      for kind, variant, name, mime in (
                          ("podcast_mp3", "", "podcast.mp3", "audio/mpeg"),
                          ("cover", "", "cover.jpg", "image/jpeg"),
                          ("subtitles", "verbatim", "verbatim.vtt", "text/vtt"),
                          ("subtitles", "verbatim", "verbatim.srt", "application/x-subrip"))]
            publish_now(save_episode(session, record, assets, []), start + timedelta(days=n))


def time_build(engine, runs: int = 5) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds per build: on a shared machine the gap is other load."""
    factory, channel = make_sessionmaker(engine), Channel("https://ting.example.gov.cn")
    wall, cpu = [], []
    for _ in range(runs):
        began, began_cpu = time.perf_counter(), time.process_time()
        with factory() as session:
            xml = podcast_rss(published_episodes(session), channel)
        wall.append(time.perf_counter() - began)
        cpu.append(time.process_time() - began_cpu)
    print(f"feed size: {len(xml) / 1024:.0f} KiB")
    return wall, cpu


def time_requests(connection: http.client.HTTPConnection, path: str, headers: dict[str, str],
                  status: int, requests: int) -> list[float]:
    took = []
    for _ in range(requests):
        began = time.perf_counter()
        connection.request("GET", path, headers=headers)
        response = connection.getresponse()
        response.read()
        took.append(time.perf_counter() - began)
        assert response.status == status, response.status
    return took


def time_revalidation(instance: Path, requests: int) -> tuple[list[float], ...]:
    """304s for the feed, and beside them the site's floor: a 404 through the same
    server, hooks and headers, which touches no catalog table."""
    app = web.create_app({"SITE_URL": "https://ting.example.gov.cn"}, str(instance))
    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    connection = http.client.HTTPConnection("127.0.0.1", server.effective_port)
    etag = time_requests_etag(connection)
    floor = time_requests(connection, "/feed/none", {}, 404, requests)
    revalidate = time_requests(connection, "/feed/podcast.xml", {"If-None-Match": etag}, 304,
                               requests)
    connection.close()
    time.sleep(0.1)  # let waitress see the close before its trigger is torn down
    server.close()
    return revalidate, floor, time_in_process(app, etag, requests)


def time_in_process(app, etag: str, requests: int) -> list[float]:
    """The app's own share: the same 304 through Flask's test client, no sockets."""
    client, took = app.test_client(), []
    for _ in range(requests):
        began = time.perf_counter()
        assert client.get("/feed/podcast.xml", headers={"If-None-Match": etag}).status_code == 304
        took.append(time.perf_counter() - began)
    return took


def time_requests_etag(connection: http.client.HTTPConnection) -> str:
    connection.request("GET", "/feed/podcast.xml")
    response = connection.getresponse()
    response.read()
    return response.getheader("ETag")


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(database_url(folder))
        migrations.apply(engine)
        fill(engine, args.episodes)
        build, build_cpu = time_build(engine)
        revalidate, floor, in_process = time_revalidation(Path(folder), args.requests)
    print(f"feed build, {args.episodes} episodes: median {statistics.median(build):.3f} s, "
          f"worst {max(build):.3f} s, CPU median {statistics.median(build_cpu):.3f} s (target < 0.5 s)")
    print(f"304 revalidation over HTTP, {args.requests} requests: median "
          f"{statistics.median(revalidate) * 1000:.2f} ms, p95 {p95(revalidate) * 1000:.2f} ms "
          f"(target p95 < 5 ms)")
    print(f"304 in process (Flask test client): median {statistics.median(in_process) * 1000:.2f} ms, "
          f"p95 {p95(in_process) * 1000:.2f} ms")
    print(f"floor, 404 through the same server: median {statistics.median(floor) * 1000:.2f} ms, "
          f"p95 {p95(floor) * 1000:.2f} ms")
    print(f"load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
