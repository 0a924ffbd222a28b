"""`studio serve --workers N` (gunicorn) with real processes, on SQLite and PostgreSQL, with
thread workers and (PostgreSQL) gevent workers: N web processes and exactly one background
process (one scheduler), and a kill -9 of one web process in the middle of a small bounded
beacon load loses no view answered "counted" and counts none twice. A gevent worker waiting
on the database still answers other requests; gevent on SQLite is refused."""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from episodes.db import make_engine
from episodes.leases import current
from episodes.scheduler import LEASE
from episodes.schema import migrations
from episodes.views import ViewEvent
from studio.cli import cli
from tests.browser_support import free_port
from tests.support import ROOT, STUDIO
from tests.site_data import add_episode

WORKERS = 3
CLIENTS, BEACONS = 4, 60  # 240 distinct viewers: bounded, a few seconds
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0 Safari/537.36"
pytestmark = pytest.mark.slow  # real `studio` processes (seconds of imports each)


def children(pid: int) -> list[tuple[int, str]]:
    """(pid, command line) of the processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            if ppid == pid:
                found.append((int(entry.name), (entry / "cmdline").read_text().replace("\0", " ")))
        except (OSError, ValueError, IndexError):
            continue
    return found


def web_workers(pid: int) -> list[int]:
    return [child for child, line in children(pid) if "serve" in line]


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


@pytest.fixture
def catalog(database_url):
    """(engine, id of its one episode, slug ep1)."""
    engine = make_engine(database_url)
    migrations.apply(engine)  # a fresh SQLite file; PostgreSQL's copy is migrated already
    with Session(engine) as session:
        episode_id = add_episode(session, "ep1").id
    yield engine, episode_id
    engine.dispose()


@contextmanager
def serving(environ, database_url: str, log: Path, *options: str):
    """`studio serve --port P *options` running until it is ready: (process, P)."""
    port = free_port()
    home = log.parent / "home"  # where gunicorn would put its control socket (see the kill -9 test)
    home.mkdir(exist_ok=True)
    env = {**environ, "WULING_DATABASE_URL": database_url, "HOME": str(home), "XDG_RUNTIME_DIR": "",
           "WULING_SCHEDULER_RECONCILE_SECONDS": "1", "WULING_SCHEDULER_LEASE_SECONDS": "3"}
    process = subprocess.Popen([STUDIO, "serve", "--port", str(port), *options],
                               cwd=ROOT, env=env, stderr=log.open("w"), start_new_session=True)
    try:
        wait_for(lambda: "Serving on http://127.0.0.1:" in log.read_text())
        yield process, port
    finally:  # its own session: nothing else would stop it
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture
def site(environ, database_url, worker_class, catalog, tmp_path):
    """`studio serve --workers 3 --worker-class C` on a catalog with one episode:
    (process, port, engine, episode id)."""
    with serving(environ, database_url, tmp_path / "serve.log", "--workers", str(WORKERS),
                 "--worker-class", worker_class) as (process, port):
        wait_for(lambda: len(web_workers(process.pid)) == WORKERS)
        yield process, port, *catalog


def post_beacon(port: int, episode_id: int, agent: str) -> bool | None:
    """The beacon's "counted" answer; None if it was not answered 202."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", "/views/beacon", json.dumps({"episode": episode_id, "watched": 11}),
                           {"Content-Type": "application/json", "User-Agent": agent})
        response = connection.getresponse()
        return json.loads(response.read()).get("counted") if response.status == 202 else None
    finally:
        connection.close()


def get_page(port: int, slug: str) -> str:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", f"/e/{slug}")
        response = connection.getresponse()
        assert response.status == 200
        return response.read().decode()
    finally:
        connection.close()


@pytest.mark.parametrize(("database_url", "worker_class"),
                         [("sqlite", "thread"), ("postgresql", "thread"), ("postgresql", "gevent")],
                         indirect=["database_url"])
def test_n_web_processes_one_scheduler_and_kill_9_of_one_loses_no_counted_view(site, tmp_path):
    process, port, engine, episode_id = site
    background = [pid for pid, line in children(process.pid) if "spawn_main" in line]
    assert len(web_workers(process.pid)) == WORKERS and len(background) == 1
    wait_for(lambda: current(engine, LEASE) is not None)
    assert int(current(engine, LEASE).holder.split(":")[1]) == background[0]  # host:pid:...

    answers: list[bool | None] = []  # True counted, False not, None no answer (error)

    def client(number: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for beacon in range(BEACONS):
            body = json.dumps({"episode": episode_id, "watched": 11})
            agent = f"Mozilla/5.0 (viewer {number}-{beacon}) Chrome/120"
            try:
                connection.request("POST", "/views/beacon", body,
                                   {"Content-Type": "application/json", "User-Agent": agent})
                response = connection.getresponse()
                answers.append(json.loads(response.read()).get("counted")
                               if response.status == 202 else None)
            except (OSError, http.client.HTTPException):
                answers.append(None)
                connection.close()
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    wait_for(lambda: len(answers) >= CLIENTS * BEACONS // 4)
    victim = web_workers(process.pid)[0]
    os.kill(victim, signal.SIGKILL)
    for thread in threads:
        thread.join()
    with Session(engine) as session:
        stored = session.scalar(select(func.count()).select_from(ViewEvent))
    counted = answers.count(True)
    assert len(answers) == CLIENTS * BEACONS and answers.count(False) == 0
    assert counted >= CLIENTS * BEACONS * 3 // 4  # the other workers kept answering
    assert counted <= stored <= CLIENTS * BEACONS  # none answered "counted" lost, none doubled
    wait_for(lambda: len(web_workers(process.pid)) == WORKERS and victim not in
             web_workers(process.pid))  # gunicorn replaced it; still one background process
    assert [pid for pid, line in children(process.pid) if "spawn_main" in line] == background

    assert "如何办理营业执照" in get_page(port, "ep1")
    # no gunicorn control socket at the one per-user path two sites on a machine would share
    assert not (tmp_path / "home" / ".gunicorn").exists()
    process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop; the lease is handed back
    assert process.wait(timeout=60) == 0
    assert current(engine, LEASE) is None
    assert "did not stop" not in (tmp_path / "serve.log").read_text()  # it stopped on its own


def lock_waits(engine) -> int:
    """PostgreSQL sessions waiting for a lock (a new transaction each time: the activity
    view is a snapshot taken once per transaction)."""
    with engine.connect() as connection:
        return connection.exec_driver_sql(
            "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'").scalar()


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_a_gevent_worker_waiting_on_the_database_still_answers_other_requests(environ, database_url,
                                                                               catalog, tmp_path):
    """The app's locks and psycopg's waits must be gevent's: `studio serve` patches before it
    builds the app (psycopg picks a blocking wait if imported unpatched, and one greenlet's
    query would then stop the process)."""
    engine, episode_id = catalog
    with serving(environ, database_url, tmp_path / "serve.log", "--worker-class", "gevent") as (_, port), \
            engine.connect() as holder:
        holder.exec_driver_sql("LOCK TABLE view_events IN ACCESS EXCLUSIVE MODE")
        answer: list[bool | None] = []
        beacon = threading.Thread(target=lambda: answer.append(post_beacon(port, episode_id, BROWSER)))
        beacon.start()
        wait_for(lambda: lock_waits(engine) == 1)  # the group commit's insert waits for the table
        assert "如何办理营业执照" in get_page(port, "ep1") and answer == []
        holder.rollback()
        beacon.join()
        assert answer == [True] and post_beacon(port, episode_id, BROWSER) is False  # counted once
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ViewEvent)) == 1


def test_gevent_workers_on_a_sqlite_catalog_are_refused_in_one_line(environ, tmp_path):
    environ["WULING_INSTANCE_PATH"] = str(tmp_path)
    result = subprocess.run([STUDIO, "serve", "--port", str(free_port()), "--worker-class", "gevent"],
                            cwd=ROOT, env=environ, capture_output=True, text=True, timeout=60)
    assert result.returncode == 3 and "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1] == (f"Error: {tmp_path / 'catalog.sqlite3'}: --worker-class gevent needs a "
                             "PostgreSQL catalog: each SQLite call (a commit's fsync) would stop every "
                             "request of the process; use threads")


def test_gevent_workers_with_the_live_media_server_are_refused_in_one_line(runner):
    result = runner.invoke(cli, ["serve", "--worker-class", "gevent", "--live"])
    assert result.exit_code == 3 and result.output == (
        "Error: --live runs with thread workers only (its nginx watcher was never run under gevent): "
        "drop --worker-class gevent on the machine the encoder pushes to\n")
