"""Timed publishing with real processes: two `studio serve` on one instance folder lead
through the catalog's lease, a kill -9 of the leader hands over, their background
processes also run queued jobs, and `studio schedule run` publishes what fell due
while nothing ran; on each catalog engine. Short intervals keep it to seconds."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from episodes import jobs
from episodes.db import make_sessionmaker
from episodes.leases import current
from episodes.models import Episode, as_utc
from episodes.queue import JobQueue
from episodes.scheduler import LEASE
from tests.catalog_fixtures import catalog_engine, make_workdir, publish
from tests.support import ROOT, STUDIO, ctrl_c_works

pytestmark = pytest.mark.slow  # real `studio` processes (seconds of imports each)


@pytest.fixture()
def instance(environ) -> Path:
    return Path(environ["WULING_INSTANCE_PATH"])


@pytest.fixture()
def engine(instance, settings_catalog):
    """The catalog the `studio` processes use, on each engine."""
    engine = catalog_engine(instance, settings_catalog)
    yield engine
    engine.dispose()


@pytest.fixture()
def start(environ, settings_catalog, instance, tmp_path):
    """Start `studio -v ARGS...` in its own process group, stderr to a log file; every
    group still running is killed after the test."""
    env = {**environ, "WULING_INSTANCE_PATH": str(instance),
           "WULING_SCHEDULER_RECONCILE_SECONDS": "1", "WULING_SCHEDULER_LEASE_SECONDS": "3"}
    started: list[subprocess.Popen] = []

    def run(*args: str) -> subprocess.Popen:
        log = (tmp_path / f"studio-{len(started)}.log").open("w")
        process = subprocess.Popen([STUDIO, "-v", *args], cwd=ROOT, env=env, stderr=log,
                                   start_new_session=True, preexec_fn=ctrl_c_works)
        process.log = Path(log.name)
        started.append(process)
        return process

    yield run
    for process in started:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def wait_for(condition, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def status(engine, episode_id: int) -> Episode:
    with make_sessionmaker(engine)() as session:
        return session.get(Episode, episode_id)


def publications(processes, episode_id: int) -> int:
    """How many times any of the processes logged publishing ``episode_id``."""
    return sum(p.log.read_text().count(f"published episode #{episode_id}\n") for p in processes)


def leader_group(engine) -> int | None:
    """The process group (= `studio` process started by the test) of the lease holder."""
    lease = current(engine, LEASE)
    return os.getpgid(int(lease.holder.split(":")[1])) if lease else None


def job_state(engine, key: str) -> tuple[str, int] | None:
    with make_sessionmaker(engine)() as session:
        status = jobs.progress(session, key)
    return (status.state, status.attempts) if status else None


def soon(seconds: float) -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=seconds)


def test_two_serve_processes_publish_once_and_survive_kill_9_of_the_leader(tmp_path, engine, settings_catalog,
                                                                           instance, start):
    servers = [start("serve", "--port", "0"), start("serve", "--port", "0")]
    wait_for(lambda: all("Serving on http://127.0.0.1:" in s.log.read_text() for s in servers))
    wait_for(lambda: leader_group(engine) is not None)
    site_queue = JobQueue.create(engine, instance, retries=0, retry_delay=0)  # as the site has it
    site_queue.enqueue(engine, "contest.precheck", 424242, key="gone")  # no such submission
    wait_for(lambda: job_state(engine, "gone") == ("done", 1))  # run by an embedded worker

    first = publish(instance, make_workdir(tmp_path / "w1", "timed-1", seconds=5), settings_catalog, at=soon(3))
    wait_for(lambda: status(engine, first.episode_id).status == "published")
    time.sleep(2.5)  # further reconciles in both processes publish nothing again
    assert publications(servers, first.episode_id) == 1
    assert as_utc(status(engine, first.episode_id).published_at) == first.publish_at

    [leader] = [s for s in servers if s.pid == leader_group(engine)]
    [survivor] = [s for s in servers if s is not leader]
    second = publish(instance, make_workdir(tmp_path / "w2", "timed-2", seconds=5), settings_catalog,
                     at=soon(2))
    os.killpg(leader.pid, signal.SIGKILL)  # web process and background process, no goodbye
    leader.wait()
    wait_for(lambda: status(engine, second.episode_id).status == "published")
    assert leader_group(engine) == survivor.pid
    assert publications(servers, second.episode_id) == 1

    survivor.send_signal(signal.SIGINT)  # Ctrl-C: the background process hands the lease back
    assert survivor.wait(timeout=60) == 0  # waitress ends its loop on Ctrl-C
    assert current(engine, LEASE) is None


def test_schedule_run_publishes_what_fell_due_while_down(tmp_path, engine, settings_catalog, instance, start):
    at = soon(-3600)  # scheduled yesterday for an hour ago; no scheduler ran since
    due = publish(instance, make_workdir(tmp_path / "w", "missed", seconds=5), settings_catalog, at=at,
                  now=at - timedelta(days=1))
    scheduler = start("schedule", "run")
    wait_for(lambda: status(engine, due.episode_id).status == "published")
    assert re.search(r"scheduler \S+ running", scheduler.log.read_text())
    scheduler.send_signal(signal.SIGINT)
    assert scheduler.wait(timeout=60) == 130
    assert publications([scheduler], due.episode_id) == 1
    assert current(engine, LEASE) is None


def test_serve_no_background_starts_neither_scheduler_nor_worker(tmp_path, engine, instance,
                                                                   start):
    server = start("serve", "--port", "0", "--no-background")
    wait_for(lambda: "no scheduler or job worker here (--no-background)" in server.log.read_text())
    assert Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text() == ""
    assert current(engine, LEASE) is None
