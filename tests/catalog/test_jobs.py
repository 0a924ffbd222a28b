"""Background jobs on the real engines: catalog rows in real SQLite and PostgreSQL, Huey
on SQLite (and on a throwaway Redis when ``redis-server`` is installed), real worker
processes killed with SIGKILL mid-job, and an older worker beside a newer one.

The tests with worker processes run twice, as deployed: one office PC (SQLite catalog,
SQLite queue) and several machines (PostgreSQL catalog, Redis queue)."""
from __future__ import annotations

import shutil
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from episodes import jobs
from episodes.db import make_engine
from episodes.errors import CatalogError
from episodes.schema import migrations
from episodes.models import utcnow
from episodes.queue import HAND_BACK_SECONDS, JobQueue, code_version
from tests.support import ROOT, STUDIO

LEASE_SECONDS = 2


@pytest.fixture
def backend(database_url, tmp_path):
    """The queue URL beside the catalog as deployed: empty (SQLite in the instance folder)
    with a SQLite catalog, a throwaway Redis with PostgreSQL."""
    if database_url.startswith("sqlite"):
        yield ""
        return
    port = free_port()
    server = start_redis(port, tmp_path)
    yield f"redis://127.0.0.1:{port}/0"
    server.terminate()
    server.wait(10)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(port: int, folder: Path) -> subprocess.Popen:
    """A throwaway redis-server on loopback that keeps nothing on disk."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (make installs it)")
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1",
                               "--save", "", "--appendonly", "no", "--dir", str(folder)],
                              stdout=subprocess.DEVNULL)
    _wait(lambda: _redis_up(port), "redis-server to start")
    return server


def _redis_up(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        return True
    except OSError:
        return False


@pytest.fixture
def instance(environ) -> Path:
    return Path(environ["WULING_INSTANCE_PATH"])


@pytest.fixture
def engine(environ, database_url):
    """The catalog on each engine; worker processes find it through ``environ``."""
    environ["WULING_DATABASE_URL"] = database_url
    engine = make_engine(database_url)
    migrations.apply(engine)
    yield engine
    engine.dispose()


# Tests of rendering through the queue: the catalog's engine changes nothing there.
ON_SQLITE = pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)


def make_queue(engine, instance, url="", retries=0, retry_delay=0):
    return JobQueue.create(engine, instance, url, retries=retries, retry_delay=retry_delay,
                           lease_seconds=LEASE_SECONDS)


def start_worker(environ: dict[str, str], url: str, older: bool = False,
                 stderr=subprocess.DEVNULL) -> subprocess.Popen:
    """A worker process knowing the test kinds (``tests.catalog.job_worker``), or with
    ``older`` a plain `studio worker`, which knows none of them: a worker from before
    they existed."""
    env = dict(environ, WULING_QUEUE_URL=url, WULING_JOB_LEASE_SECONDS=str(LEASE_SECONDS))
    command = [STUDIO, "worker"] if older else [sys.executable, "-m", "tests.catalog.job_worker"]
    return subprocess.Popen(command, cwd=ROOT, env=env, stderr=stderr)


def stop(worker: subprocess.Popen) -> None:
    worker.send_signal(signal.SIGINT)
    worker.wait(20)


def _wait(condition, what: str, seconds: float = 60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        found = condition()
        if found:
            return found
        time.sleep(0.1)
    pytest.fail(f"gave up waiting for {what}")


def row(engine, job_id: int) -> jobs.Job:
    with Session(engine) as session:
        return session.get(jobs.Job, job_id)


def aware(moment: datetime) -> datetime:
    """PostgreSQL hands back aware datetimes, SQLite naive ones in UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def lines(path: Path) -> list[str]:
    return path.read_text(encoding="utf-8").splitlines() if path.exists() else []


def test_a_job_whose_worker_is_killed_mid_run_completes_exactly_once(environ, engine, instance, backend, tmp_path):
    record = tmp_path / "record.txt"
    job = make_queue(engine, instance, backend).enqueue(engine, "test.sleep", "a", seconds=4,
                                                         record=str(record))
    first = start_worker(environ, backend)
    try:
        _wait(lambda: lines(record) == ["start a"], "the first run to start")
        with Session(engine) as session:
            shown = _wait(lambda: jobs.progress(session, "test.sleep:a").message == "sleeping"
                          and jobs.progress(session, "test.sleep:a"), "progress on the row")
        assert (shown.state, shown.fraction, shown.attempts) == ("running", 0.5, 1)
        first.send_signal(signal.SIGKILL)
    finally:
        first.wait(20)
    assert row(engine, job.id).state == "running"  # nobody knows yet that its worker died
    _wait(lambda: aware(row(engine, job.id).lease_expires_at) < utcnow(), "the lease to run out")
    second = start_worker(environ, backend)
    try:
        _wait(lambda: row(engine, job.id).state == "done", "the job to finish on the second worker")
    finally:
        stop(second)
    assert lines(record) == ["start a", "start a", "done a"]
    assert row(engine, job.id).attempts == 2 and row(engine, job.id).progress == 1.0


def test_failed_jobs_are_retried_with_growing_delays_then_given_up(environ, engine, instance, tmp_path):
    queue = make_queue(engine, instance, retries=2, retry_delay=1)
    heals, hopeless = tmp_path / "heals.txt", tmp_path / "hopeless.txt"
    healing = queue.enqueue(engine, "test.flaky", "heals", fails=2, record=str(heals))
    failing = queue.enqueue(engine, "test.flaky", "hopeless", fails=99, record=str(hopeless))
    worker = start_worker(environ, "")
    try:
        _wait(lambda: row(engine, healing.id).state == "done"
              and row(engine, failing.id).state == "failed", "both jobs to settle")
    finally:
        stop(worker)
    tries = [float(t) for t in lines(heals)]
    assert len(tries) == 3 and row(engine, healing.id).attempts == 3
    assert tries[1] - tries[0] >= 1 and tries[2] - tries[1] >= 2  # retry_delay, then doubled
    given_up = row(engine, failing.id)
    assert len(lines(hopeless)) == 3 and given_up.error == "flaky failure 3"


def test_enqueueing_a_key_again_changes_nothing_until_it_has_failed(engine, instance):
    queue = make_queue(engine, instance)
    first = queue.enqueue(engine, "test.sleep", "b", seconds=0, record="x")
    again = queue.enqueue(engine, "test.sleep", "b", seconds=99, record="y")
    with Session(engine) as session:
        assert session.scalar(select(func.count(jobs.Job.id))) == 1
    assert again.id == first.id and row(engine, first.id).params == {"seconds": 0, "record": "x"}
    claim = jobs.claim(engine, first.id, LEASE_SECONDS)
    assert jobs.claim(engine, first.id, LEASE_SECONDS) is None  # a second worker gets nothing
    jobs.finish(engine, claim)
    queue.enqueue(engine, "test.sleep", "b")
    assert row(engine, first.id).state == "done" and jobs.claim(engine, first.id, LEASE_SECONDS) is None
    other = jobs.claim(engine, queue.enqueue(engine, "test.sleep", "c").id, LEASE_SECONDS)
    jobs.fail(engine, other, "broken")
    assert queue.enqueue(engine, "test.sleep", "c").state == "queued"  # a failed job starts over


def test_a_worker_whose_lease_was_taken_over_cannot_finish_the_job(engine, instance):
    job = make_queue(engine, instance).enqueue(engine, "test.sleep", "d")
    stale = jobs.claim(engine, job.id, lease_seconds=-1)  # its lease has already run out
    assert jobs.requeue_expired(engine) == [job.id]
    fresh = jobs.claim(engine, job.id, LEASE_SECONDS)
    assert not jobs.renew(engine, stale, LEASE_SECONDS) and not jobs.finish(engine, stale)
    assert jobs.finish(engine, fresh) and row(engine, job.id).attempts == 2


def test_a_job_enqueued_with_a_session_is_sent_only_when_committed(engine, instance):
    queue = make_queue(engine, instance)
    with Session(engine) as session:
        queue.enqueue(session, "test.sleep", "e")
        assert queue.huey.pending_count() == 0
        session.rollback()
        queue.enqueue(session, "test.sleep", "f")
        session.commit()
    assert queue.huey.pending_count() == 1


def test_an_older_worker_hands_back_a_kind_it_does_not_know_and_a_newer_one_runs_it(
        environ, engine, instance, backend, tmp_path):
    record, older_log = tmp_path / "record.txt", tmp_path / "older.log"
    job = make_queue(engine, instance, backend).enqueue(engine, "test.sleep", "g", seconds=0,
                                                         record=str(record))
    with older_log.open("w") as log:
        older = start_worker(environ, backend, older=True, stderr=log)
    newer = None
    try:
        _wait(lambda: "handed back" in older_log.read_text(), "the older worker to hand the job back")
        assert (row(engine, job.id).state, row(engine, job.id).attempts) == ("queued", 0)
        time.sleep(HAND_BACK_SECONDS * 2)  # it meets the job again, and says nothing more
        newer = start_worker(environ, backend)
        _wait(lambda: row(engine, job.id).state == "done", "the newer worker to run the job")
    finally:
        stop(older)
        if newer:
            stop(newer)
    assert lines(record) == ["start g", "done g"] and row(engine, job.id).attempts == 1
    started, *said = older_log.read_text().splitlines()
    assert "job kinds: contest.intake" in started and "test.sleep" not in started
    assert said == [f"WARNING episodes.queue: job {job.id} of kind 'test.sleep' handed back: this worker "
                    f"(wuling-studio {code_version()}) does not know that kind; a worker with newer "
                    "code will run it"]


def test_a_bad_queue_url_is_a_one_line_error(engine, instance):
    with pytest.raises(CatalogError, match="queue_url must be empty"):
        make_queue(engine, instance, "amqp://rabbit")


def test_an_embedded_worker_runs_jobs_beside_other_work_and_stops_on_exit(engine, instance):
    from studio.tasks import embedded_worker

    queue, ran = make_queue(engine, instance), []
    queue.register("test.echo", lambda claim, progress: ran.append(claim.target))
    handler_before = signal.getsignal(signal.SIGTERM)
    with embedded_worker(queue):
        assert signal.getsignal(signal.SIGTERM) is handler_before  # the host keeps its handlers
        job = queue.enqueue(engine, "test.echo", "h")
        _wait(lambda: row(engine, job.id).state == "done", "the embedded worker to run the job")
    assert ran == ["h"]


@ON_SQLITE
def test_a_pipeline_run_job_rerenders_a_work_folder_once(engine, instance, tmp_path):
    from studio.environment import Environment
    from studio.pipeline import run_stages
    from studio.tasks import register
    from tests.support import FIXTURES
    from tests.render_support import INGEST, lavfi_clip, prepared_job

    job = prepared_job(tmp_path, lavfi_clip(tmp_path / "clip.mp4"), FIXTURES / "short_guide.srt")
    run_stages(job, INGEST)  # a work folder `studio run` has started
    queue = make_queue(engine, instance)
    register(queue, Environment(environ={"WULING_INSTANCE_PATH": str(instance)}), instance / "uploads")
    queued = queue.enqueue(engine, "pipeline.run", job.work.root, stages="render")
    queue.huey.execute(queue.huey.dequeue())
    assert row(engine, queued.id).state == "done" and job.work.web_video.exists()
    made = job.work.web_video.stat().st_mtime_ns
    assert queue.enqueue(engine, "pipeline.run", job.work.root, stages="render").id == queued.id
    assert queue.huey.pending_count() == 0  # done: nothing sent, nothing rendered again
    assert job.work.web_video.stat().st_mtime_ns == made


def test_a_running_job_renews_its_lease_so_a_second_worker_leaves_it_alone(environ, engine, instance, backend,
                                                                          tmp_path):
    record = tmp_path / "record.txt"
    queue = make_queue(engine, instance, backend)
    long = queue.enqueue(engine, "test.sleep", "long", seconds=LEASE_SECONDS * 2.5, record=str(record))
    first = start_worker(environ, backend)
    second = None
    try:
        _wait(lambda: lines(record) == ["start long"], "the long job to start")
        time.sleep(LEASE_SECONDS * 1.5)  # past the first lease: only renewal keeps it
        second = start_worker(environ, backend)  # sweeps expired leases as it starts
        short = [queue.enqueue(engine, "test.sleep", f"s{i}", seconds=0.5, record=str(record))
                 for i in range(4)]
        _wait(lambda: all(row(engine, job.id).state == "done" for job in [long, *short]),
              "every job to finish")
    finally:
        stop(first)
        if second:
            stop(second)
    assert sorted(lines(record)) == sorted(
        ["start long", "done long"] + [f"{event} s{i}" for i in range(4) for event in ("start", "done")])
    assert row(engine, long.id).attempts == 1


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)  # Redis goes with it
def test_a_worker_that_loses_redis_carries_on_and_runs_what_waited_when_it_is_back(
        environ, engine, instance, tmp_path):
    port, record = free_port(), tmp_path / "record.txt"
    url = f"redis://127.0.0.1:{port}/0"
    redis = start_redis(port, tmp_path)
    worker = start_worker(environ, url)
    try:
        queue = make_queue(engine, instance, url)
        before = queue.enqueue(engine, "test.sleep", "before", seconds=0, record=str(record))
        _wait(lambda: row(engine, before.id).state == "done", "a job before Redis goes")
        redis.terminate()
        redis.wait(10)
        with Session(engine) as session:
            during = queue.enqueue(session, "test.sleep", "during", seconds=0, record=str(record)).id
            session.commit()  # the page that enqueued still answers
        assert jobs.never_started(engine) == [during]  # it waits in the catalog
        time.sleep(2)  # the worker polls a dead server for a while
        redis = start_redis(port, tmp_path)
        after = queue.enqueue(engine, "test.sleep", "after", seconds=0, record=str(record))
        _wait(lambda: row(engine, after.id).state == "done", "a job after Redis is back")
        assert row(engine, during).state == "queued" and worker.poll() is None
        queue.requeue_expired()  # every worker's minute sweep: the queue is empty, so it sends it
        _wait(lambda: row(engine, during).state == "done", "the job that waited to run")
    finally:
        stop(worker)
        redis.terminate()
        redis.wait(10)
    assert lines(record) == ["start before", "done before", "start after", "done after",
                             "start during", "done during"]


@pytest.mark.parametrize("name, value, problem", [
    ("WULING_JOB_RETRIES", "many", "setting job_retries must be a whole number"),
    ("WULING_JOB_LEASE_SECONDS", "0", "setting job_lease_seconds must be a whole number"),
    ("WULING_QUEUE_URL", "amqp://rabbit", "queue_url must be empty"),
])
def test_studio_worker_with_a_bad_setting_says_which_in_one_line(runner, environ, name, value, problem):
    from studio.cli import cli

    environ[name] = value
    result = runner.invoke(cli, ["worker"])
    assert result.exit_code == 3 and problem in result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output


@ON_SQLITE
def test_studio_render_background_queues_a_rerender_that_studio_worker_runs(environ, runner, engine, instance, tmp_path):
    from studio.cli import cli
    from studio.pipeline import run_stages
    from tests.support import FIXTURES
    from tests.render_support import INGEST, lavfi_clip, prepared_job

    job = prepared_job(tmp_path, lavfi_clip(tmp_path / "clip.mp4"), FIXTURES / "short_guide.srt")
    run_stages(job, INGEST)
    queued = runner.invoke(cli, ["render", str(job.work.root), "--background"])
    assert queued.exit_code == 0 and "re-render queued as job 1" in queued.output
    assert not job.work.web_video.exists()  # nothing rendered by the command itself
    worker = subprocess.Popen([STUDIO, "worker"],
                              env=environ,
                              stderr=subprocess.DEVNULL)
    try:
        _wait(lambda: row(engine, 1).state == "done", "the worker to render")
    finally:
        stop(worker)
    assert job.work.web_video.exists()
    again = runner.invoke(cli, ["render", str(job.work.root), "--background"])
    assert "queued as job 2" in again.output  # a new request, a new job
