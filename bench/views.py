"""View-beacon and episode-page benchmark against the production server on loopback.

    .venv/bin/python bench/views.py [--workers 1] [--worker-class thread|gevent]
                                    [--database sqlite|postgresql]
                                    [--episodes 1000] [--clients 32] [--beacons 250]

Starts `studio serve --workers N --worker-class C` (waitress for 1 process of threads,
gunicorn for more or for gevent) on a fresh catalog
of ``--episodes`` published episodes (each with 120 transcript cues, guests and media
rows): a SQLite file, or with ``--database postgresql`` a database on the server
``WULING_BENCH_POSTGRES_URL`` names (a superuser URL) or else on a throwaway durable
PostgreSQL started here (fsync and synchronous commits on, as in production). Then:

0. the floor: beacons refused before any database work (400), same server and clients,
   as many as step 1 sends, once before and once after it (the mean is the floor: on a
   shared machine the load moves during a run);
1. ``--clients`` concurrent keep-alive clients each post ``--beacons`` view beacons;
   every (viewer, episode) pair is sent twice, so half must be counted and half
   deduplicated. Reports beacons/s and latency; afterwards checks that the stored
   count equals the distinct (viewer, episode, hour) triples sent: 0 lost, 0 doubled.
2. p50/p95 of the episode page, requests spread over the whole catalog.

The clients run in ``--load-processes`` processes of their own (threads in each), so
the load generator shares no interpreter with the benchmark or the server; each posts
requests built in advance on a raw keep-alive socket, so it takes little of the two
cores it shares with the server.
Targets on the 2-core machine: >= 1,000 accepted beacons/s on SQLite, >= 0.65 x the
floor on PostgreSQL, episode page p95 < 50 ms.
Bounded: at most clients x beacons requests, and the run stops after 120 s.
"""
from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import multiprocessing
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Iterator

if not __package__:  # run as `python bench/X.py`: import the project, never bench's own files
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from sqlalchemy import func, select  # noqa: E402

from episodes.catalog import AssetInfo, CueText, save_episode  # noqa: E402
from episodes.db import make_engine, make_sessionmaker  # noqa: E402
from episodes.schema import migrations  # noqa: E402
from episodes.publishing import publish_now  # noqa: E402
from episodes.record import EpisodeRecord, Guest  # noqa: E402
from episodes.views import DailyViews, ViewEvent  # noqa: E402

DEADLINE_S = 120
CUES_PER_EPISODE = 120
SENTENCES = ("社保卡丢了要先打电话挂失，再带身份证到政务服务中心补办。",
             "办理营业执照现在可以全程网办，不用跑腿。",
             "不动产登记一般五个工作日内办结。")


def fill(engine, count: int) -> None:
    """``count`` published episodes with guests, media rows and a full transcript."""
    start = datetime(2024, 1, 1, tzinfo=timezone.utc)
    with make_sessionmaker(engine).begin() as session:
        for n in range(count):
            slug = f"episode-{n:04d}"
            record = EpisodeRecord(title=f"第{n}期：社保卡怎么办", kind="episode" if n % 2 else "guide",
                                   slug=slug, summary="社保卡申领、补换、激活，一次讲清楚。",
                                   service_category=("社会保障", "市场监管", "不动产")[n % 3],
                                   guests=(Guest("李明", "区人社局"), Guest("王芳", "区政务服务中心")),
                                   duration_ms=1_800_000)
            assets = [AssetInfo(kind, variant, f"{slug}/{name}", mime, 10_000_000, 1_800_000, f"{n:064x}")
                      for kind, variant, name, mime in (
                          ("web_video", "", "web.mp4", "video/mp4"), ("poster", "", "poster.jpg", "image/jpeg"),
                          ("podcast_mp3", "", "podcast.mp3", "audio/mpeg"),
                          ("subtitles", "plain", "plain.vtt", "text/vtt"),
                          ("subtitles", "verbatim", "verbatim.vtt", "text/vtt"))]
            cues = [CueText(i * 15_000, i * 15_000 + 14_000, SENTENCES[i % 3], SENTENCES[(i + 1) % 3])
                    for i in range(CUES_PER_EPISODE)]
            publish_now(save_episode(session, record, assets, cues), start + timedelta(days=n))


def checkpoint(engine) -> None:
    """Write the filled catalog out of the write-ahead log before measuring: otherwise the
    checkpoint of the fill's ~120,000 rows lands in the middle of the beacons' commits,
    which a site serving its viewers does not have. (PostgreSQL: needs the superuser
    the bench's database URL is.)"""
    with engine.connect() as connection:
        connection.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)" if engine.dialect.name == "sqlite"
                                   else "CHECKPOINT")


def start_server(instance: Path, url: str, workers: int, threads: int,
                 worker_class: str) -> tuple[subprocess.Popen, int]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    studio = Path(sys.executable).parent / "studio"
    server = subprocess.Popen([str(studio), "serve", "--port", str(port), "--threads", str(threads),
                               "--workers", str(workers), "--worker-class", worker_class],
                              env={**os.environ, "WULING_INSTANCE_PATH": str(instance),
                                   "WULING_DATABASE_URL": url},
                              stderr=(instance / "serve.log").open("w"))
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return server, port
        except OSError:
            time.sleep(0.1)
    server.kill()
    raise SystemExit("studio serve did not start")


class KeepAlive:
    """One keep-alive HTTP/1.1 connection that posts requests built in advance and reads
    only the status line, Content-Length and body of each answer: the load generator
    shares the two cores with the server, so it does as little work per request as it
    can (``http.client`` parses every header through ``email``, several times our cost)."""

    def __init__(self, port: int):
        self.port = port
        self.sock: socket.socket | None = None
        self.buffer = b""

    def post(self, request: bytes) -> tuple[int, bytes]:
        """(status, body) of the answer to ``request``; raises OSError on a lost connection."""
        if self.sock is None:
            self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
            self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.sendall(request)
        while b"\r\n\r\n" not in self.buffer:
            self._receive()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        lines = head.split(b"\r\n")
        length = next(int(line.split(b":", 1)[1]) for line in lines[1:]
                      if line[:15].lower() == b"content-length:")
        while len(self.buffer) < length:
            self._receive()
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        if any(line.lower() == b"connection: close" for line in lines[1:]):
            self.close()
        return int(lines[0].split()[1]), body

    def _receive(self) -> None:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionResetError("server closed the connection")
        self.buffer += data

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock, self.buffer = None, b""


def beacon_request(agent: str, episode_id: int) -> bytes:
    body = json.dumps({"episode": episode_id, "watched": 12.5}).encode()
    return (f"POST /views/beacon HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            f"User-Agent: {agent}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body


def beacon_client(port: int, plan: list[tuple[str, int]], out: list, stop: float) -> None:
    """Post each (user agent, episode) beacon in ``plan`` on one keep-alive connection."""
    connection = KeepAlive(port)
    for request in [beacon_request(agent, episode_id) for agent, episode_id in plan]:
        if time.monotonic() > stop:
            break
        began = time.perf_counter()
        try:
            status, data = connection.post(request)
        except OSError:  # counted as an error below; the run goes on on a new connection
            out.append((time.perf_counter() - began, 0, None))
            connection.close()
            continue
        counted = json.loads(data).get("counted") if status == 202 else None
        out.append((time.perf_counter() - began, status, counted))
    connection.close()


def load_process(port: int, work: list[list[tuple[str, int]]]) -> tuple[list[list], float, float]:
    """One load-generator process: a thread per plan; (results per plan, start, end)."""
    results = [[] for _ in work]
    stop = time.monotonic() + DEADLINE_S
    threads = [threading.Thread(target=beacon_client, args=(port, plan, out, stop))
               for plan, out in zip(work, results)]
    began = time.time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, began, time.time()


def run_load(pool, port: int, work: list[list[tuple[str, int]]]) -> tuple[list[list], float]:
    """Spread the plans over the pool's processes; results in plan order, wall seconds."""
    share = pool._processes
    parts = pool.starmap(load_process, [(port, work[i::share]) for i in range(share)])
    results: list[list] = [[] for _ in work]
    for i, (part, _, _) in enumerate(parts):
        results[i::share] = part
    return results, max(p[2] for p in parts) - min(p[1] for p in parts)


def baseline(pool, port: int, clients: int, requests: int) -> float:
    """Requests/s for beacons refused before the database (400): the floor that the
    server, the clients and this machine's load allow at the moment, for comparison."""
    results, elapsed = run_load(pool, port, [[("Mozilla/5.0", 0)] * requests] * clients)
    return sum(map(len, results)) / elapsed


def plans(clients: int, beacons: int, episodes: int) -> list[list[tuple[str, int]]]:
    """Each client is its own viewer (user agent); each pair appears twice, in random order."""
    rng = random.Random(6)
    result = []
    for client in range(clients):
        agent = f"Mozilla/5.0 (bench viewer {client}) Chrome/120"
        pairs = [(agent, rng.randrange(1, episodes + 1)) for _ in range(beacons // 2)]
        pairs = list(dict.fromkeys(pairs))  # distinct episodes per viewer
        plan = pairs * 2
        rng.shuffle(plan)
        result.append(plan)
    return result


def run_beacons(pool, port: int, clients: int, beacons: int, episodes: int):
    work = plans(clients, beacons, episodes)
    results, elapsed = run_load(pool, port, work)
    sent = [pair for plan, out in zip(work, results) for pair in plan[:len(out)]]
    return [r for out in results for r in out], elapsed, len(set(sent))


def page_latencies(port: int, episodes: int, requests: int) -> list[float]:
    connection, rng, took = http.client.HTTPConnection("127.0.0.1", port, timeout=30), random.Random(7), []
    for _ in range(requests):
        began = time.perf_counter()
        connection.request("GET", f"/e/episode-{rng.randrange(episodes):04d}")
        response = connection.getresponse()
        response.read()
        assert response.status == 200, response.status
        took.append(time.perf_counter() - began)
    connection.close()
    return took


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[-1] * 1000


def wait_clear_of_the_hour() -> None:
    """Dedupe is per clock hour: don't let the run straddle one."""
    now = datetime.now(timezone.utc)
    if now.minute == 59 and now.second > 58 - DEADLINE_S % 60:
        time.sleep(61 - now.second)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=1, help="web processes (studio serve --workers)")
    parser.add_argument("--worker-class", choices=("thread", "gevent"), default="thread",
                        help="studio serve --worker-class")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--episodes", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--beacons", type=int, default=250, help="beacons per client")
    parser.add_argument("--threads", type=int, default=0,
                        help="request threads per web process (default: clients / workers, so every "
                             "client's waiting beacon has a thread and joins the next group commit)")
    parser.add_argument("--pages", type=int, default=400, help="episode page requests")
    parser.add_argument("--load-processes", type=int, default=2, help="load generator processes")
    args = parser.parse_args()
    args.threads = args.threads or -(-args.clients // args.workers)
    with tempfile.TemporaryDirectory() as folder, catalog_database(args.database, Path(folder)) as url:
        instance = Path(folder)
        engine = make_engine(url)
        migrations.apply(engine)
        began = time.perf_counter()
        fill(engine, args.episodes)
        checkpoint(engine)
        print(f"catalog: {args.database}, {args.episodes} episodes x {CUES_PER_EPISODE} cues in "
              f"{time.perf_counter() - began:.1f} s; studio serve --workers {args.workers} "
              f"--threads {args.threads} --worker-class {args.worker_class}; "
              f"load from {args.load_processes} processes")
        server, port = start_server(instance, url, args.workers, args.threads, args.worker_class)
        try:
            with multiprocessing.get_context("fork").Pool(args.load_processes) as pool:
                page_latencies(port, args.episodes, 20)  # warm up: templates, glossary
                before = baseline(pool, port, args.clients, args.beacons)
                wait_clear_of_the_hour()
                results, elapsed, distinct = run_beacons(pool, port, args.clients, args.beacons,
                                                         args.episodes)
                after = baseline(pool, port, args.clients, args.beacons)
            pages = page_latencies(port, args.episodes, args.pages)
        finally:
            server.terminate()
            server.wait(timeout=30)
        floor = (before + after) / 2
        print(f"floor: refused beacons (400, no database work): {floor:.0f} requests/s "
              f"(mean of {before:.0f} before and {after:.0f} after the beacons)")
        problems = [line for line in (instance / "serve.log").read_text().splitlines()
                    if line.startswith(("ERROR", "CRITICAL", "[", "Traceback"))]
        print(f"server log: {len(problems)} error lines" + "".join(f"\n  {p}" for p in problems[:5]))
        report(engine, results, elapsed, distinct, pages, floor, args)
        engine.dispose()


@contextlib.contextmanager
def catalog_database(kind: str, folder: Path) -> Iterator[str]:
    """The catalog URL for the run: a SQLite file in ``folder`` or a PostgreSQL database."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'catalog.sqlite3'}"
        return
    from tests.postgres_server import PostgresServer  # the tests' throwaway server

    given = os.environ.get("WULING_BENCH_POSTGRES_URL")
    server = PostgresServer(given) if given else PostgresServer.start(durable=True)
    try:
        yield server.empty_database()
    finally:
        server.stop()


def report(engine, results, elapsed, distinct, pages, floor, args) -> None:
    latencies = [r[0] for r in results]
    counted = sum(1 for r in results if r[2])
    errors = sum(1 for r in results if r[1] != 202)
    with make_sessionmaker(engine)() as session:
        stored = session.scalar(select(func.count()).select_from(ViewEvent))
        daily = session.scalar(select(func.sum(DailyViews.views)))
    print(f"beacons: {len(results)} from {args.clients} clients in {elapsed:.2f} s = "
          f"{len(results) / elapsed:.0f} beacons/s; latency p50 "
          f"{statistics.median(latencies) * 1000:.1f} ms, p95 {p95(latencies):.1f} ms; errors {errors}")
    print(f"distinct (viewer, episode, hour) sent: {distinct}; answered counted: {counted}; "
          f"stored events: {stored}; daily total: {daily}; lost: {distinct - stored}; "
          f"double-counted: {max(0, stored - distinct)}")
    print(f"episode page ({args.episodes} episodes in catalog): p50 "
          f"{statistics.median(pages) * 1000:.1f} ms, p95 {p95(pages):.1f} ms over {len(pages)} requests")
    rate = len(results) / elapsed
    print(f"accepted beacons / floor: {rate / floor:.2f}")
    ok = stored == distinct == counted == daily and errors == 0
    fast = rate >= 1000 if args.database == "sqlite" else rate >= 0.65 * floor
    print("PASS" if ok and fast and p95(pages) < 50 else "BELOW TARGET")


if __name__ == "__main__":
    main()
