"""`studio serve --workers N` (gunicorn) with real processes, on SQLite and PostgreSQL:
N web processes and exactly one background process (one scheduler), and a kill -9 of
one web process in the middle of a small bounded beacon load loses no view answered
"counted" and counts none twice."""
from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from episodes.db import make_engine
from episodes.leases import current
from episodes.scheduler import LEASE
from episodes.schema import migrations
from episodes.views import ViewEvent
from tests.browser_support import free_port
from tests.support import ROOT, STUDIO
from tests.site_data import add_episode

WORKERS = 3
CLIENTS, BEACONS = 4, 60  # 240 distinct viewers: bounded, a few seconds
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
def site(environ, database_url, tmp_path):
    """`studio serve --workers 3` on a catalog with one episode: (process, port, engine)."""
    engine = make_engine(database_url)
    migrations.apply(engine)  # a fresh SQLite file; PostgreSQL's copy is migrated already
    with Session(engine) as session:
        episode_id = add_episode(session, "ep1").id
    port = free_port()
    env = {**environ, "WULING_DATABASE_URL": database_url,
           "WULING_SCHEDULER_RECONCILE_SECONDS": "1", "WULING_SCHEDULER_LEASE_SECONDS": "3"}
    log = (tmp_path / "serve.log").open("w")
    process = subprocess.Popen([STUDIO, "serve", "--workers", str(WORKERS), "--port", str(port)],
                               cwd=ROOT, env=env, stderr=log, start_new_session=True)
    try:
        wait_for(lambda: "Serving on http://127.0.0.1:" in (tmp_path / "serve.log").read_text())
        wait_for(lambda: len(web_workers(process.pid)) == WORKERS)
        yield process, port, engine, episode_id
    finally:  # its own session: nothing else would stop it
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        engine.dispose()


def test_n_web_processes_one_scheduler_and_kill_9_of_one_loses_no_counted_view(site):
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

    page = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    page.request("GET", "/e/ep1")
    response = page.getresponse()
    assert response.status == 200 and "如何办理营业执照" in response.read().decode()
    page.close()
    process.send_signal(signal.SIGTERM)  # gunicorn's graceful stop; the lease is handed back
    assert process.wait(timeout=60) == 0
    assert current(engine, LEASE) is None
