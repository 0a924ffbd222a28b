"""Timed publishing: APScheduler date jobs rebuilt from the episode rows of a real
SQLite catalog, led through the catalog's lease (two `studio serve` processes and
kill -9: tests/studio/test_scheduler_serve.py)."""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from sqlalchemy import delete, inspect, text

from episodes.db import make_sessionmaker
from episodes.leases import current
from episodes.migrations import schema_migrations
from episodes.models import Episode, as_utc
from episodes.publishing import parse_local_time, publish_due
from episodes import scheduler as scheduler_module
from episodes.scheduler import LEASE, PublishScheduler, Timing
from episodes.schema import migrations
from studio.cli import cli
from tests.catalog_fixtures import catalog_engine, make_workdir, publish

FAST = Timing(reconcile_seconds=0.2, lease_seconds=1)
pytestmark = pytest.mark.usefixtures("settings_catalog")  # on SQLite and on PostgreSQL


@pytest.fixture()
def engine(instance, settings_catalog):
    return catalog_engine(instance, settings_catalog)


@pytest.fixture()
def running(engine):
    """Start publish schedulers on the catalog; every one is shut down after the test."""
    started = []

    def start(holder: str = "test-scheduler") -> PublishScheduler:
        scheduler = PublishScheduler(engine, FAST, holder)
        scheduler.start()
        started.append(scheduler)
        return scheduler

    yield start
    for scheduler in started:
        scheduler.shutdown()


def episode(engine, episode_id: int) -> Episode:
    with make_sessionmaker(engine)() as session:
        return session.get(Episode, episode_id)


def wait_for(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def publications(caplog) -> int:
    return sum(r.getMessage().startswith("published episode") for r in caplog.records
               if r.name == "episodes.scheduler")


def soon(seconds: float) -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=seconds)


def local(moment: datetime) -> str:
    """``moment`` typed as a person here would, to the second, for `--at`."""
    return f"{moment.astimezone(ZoneInfo('Asia/Shanghai')):%Y-%m-%d %H:%M:%S}"


@pytest.fixture
def run(runner):
    """Run a `studio` command in the test's environment."""
    return lambda *args: runner.invoke(cli, list(args))


def test_publish_due_while_down_runs_once_at_start(settings_catalog, tmp_path, instance, engine, running, caplog):
    caplog.set_level(logging.INFO, logger="episodes.scheduler")
    at = soon(-3600)  # scheduled yesterday for an hour ago; no scheduler ran since
    result = publish(instance, make_workdir(tmp_path / "w", "due-1", seconds=5), settings_catalog, at=at,
                     now=at - timedelta(days=1))
    assert episode(engine, result.episode_id).status == "scheduled"

    first = running("first")
    wait_for(lambda: episode(engine, result.episode_id).status == "published")
    first.shutdown()
    again = running("second")  # a restart finds nothing left to do
    wait_for(lambda: again.leading)
    time.sleep(0.5)

    assert publications(caplog) == 1 and again.queued() == {}
    assert as_utc(episode(engine, result.episode_id).published_at) == at


def test_cancel_and_reschedule_only_write_the_episode_row(run, settings_catalog, tmp_path, instance, engine, running):
    result = publish(instance, make_workdir(tmp_path / "w", "moving", seconds=5), settings_catalog,
                     at=soon(3600))
    scheduler = running()
    wait_for(lambda: result.episode_id in scheduler.queued())
    assert scheduler.queued() == {result.episode_id: result.publish_at}

    assert run("schedule", "cancel", "moving").output == "cancelled moving (now a draft)\n"
    wait_for(lambda: scheduler.queued() == {})

    later = soon(7200)
    assert run("publish", "moving", "--at", local(later)).exit_code == 0
    wait_for(lambda: scheduler.queued() == {result.episode_id: later})
    at = soon(2)
    assert run("publish", "moving", "--at", local(at)).exit_code == 0  # moved earlier
    wait_for(lambda: episode(engine, result.episode_id).status == "published")
    assert as_utc(episode(engine, result.episode_id).published_at) == at
    wait_for(lambda: scheduler.queued() == {})


def test_only_the_lease_holder_queues_jobs_and_a_successor_takes_over(settings_catalog, tmp_path, instance,
                                                                       engine, running):
    result = publish(instance, make_workdir(tmp_path / "w", "hand-over", seconds=5), settings_catalog,
                     at=soon(3600))
    leader = running("leader")
    wait_for(lambda: leader.leading)
    standby = running("standby")
    wait_for(lambda: result.episode_id in leader.queued())
    time.sleep(3 * FAST.reconcile_seconds)
    assert not standby.leading and standby.queued() == {}
    assert current(engine, LEASE).holder == "leader"

    leader.shutdown()  # hands the lease back: no need to wait for it to expire
    wait_for(lambda: standby.queued() == {result.episode_id: result.publish_at})
    assert current(engine, LEASE).holder == "standby"


def test_shutdown_while_a_reconcile_runs_returns(engine, monkeypatch):
    """APScheduler's shutdown waits for running jobs holding its job-store lock: a
    reconcile that reached the date jobs after shutdown began used to wait for that lock
    for ever (seen once in a test run's teardown; `studio serve` stopping could hang)."""
    entered, go_on = threading.Event(), threading.Event()
    real = scheduler_module.scheduled_times

    def paused(engine):
        entered.set()
        go_on.wait(10)
        return real(engine)

    monkeypatch.setattr(scheduler_module, "scheduled_times", paused)
    scheduler = PublishScheduler(engine, Timing(reconcile_seconds=60, lease_seconds=30), "stopping")
    scheduler.start()
    assert entered.wait(10)  # the first reconcile runs, before its date jobs
    stopping = threading.Thread(target=scheduler.shutdown, daemon=True)
    stopping.start()
    time.sleep(0.5)  # shutdown now waits for the reconcile, holding APScheduler's lock
    go_on.set()
    stopping.join(10)
    assert not stopping.is_alive(), "shutdown hung"
    assert current(engine, LEASE) is None  # the lease handed back


def test_two_firings_publish_once(settings_catalog, tmp_path, instance, engine):
    at = datetime.now(timezone.utc) + timedelta(hours=1)
    result = publish(instance, make_workdir(tmp_path / "w", "twice-1", seconds=5), settings_catalog, at=at)
    with make_sessionmaker(engine).begin() as session:
        assert publish_due(session, result.episode_id, at - timedelta(seconds=1)) is False
        assert publish_due(session, result.episode_id, at) is True
        assert publish_due(session, result.episode_id, at + timedelta(seconds=1)) is False


def test_catalog_with_an_apscheduler_job_row_upgrades_and_keeps_the_schedule(settings_catalog, 
        tmp_path, instance, engine, running):
    """A catalog from before m0011 kept each timed publish twice: the episode row and a
    pickled APScheduler job. The migration drops the job table; the row still rules."""
    result = publish(instance, make_workdir(tmp_path / "w", "old-job", seconds=5), settings_catalog, at=soon(2))
    old_store = BackgroundScheduler(jobstores={"default": SQLAlchemyJobStore(engine=engine)})
    old_store.start(paused=True)
    # the old job called a function that is gone; any importable one pickles alike
    old_store.add_job("episodes.publishing:publish_due", "date", run_date=result.publish_at,
                      args=[None, result.episode_id, None], id=f"publish:{result.episode_id}")
    old_store.shutdown(wait=False)
    with engine.begin() as connection:  # as a catalog migrated by the old code would be
        connection.execute(delete(schema_migrations)
                           .where(schema_migrations.c.name == "m0011_drop_apscheduler_jobs"))
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM apscheduler_jobs")).scalar() == 1

    assert migrations.apply(engine) == ["m0011_drop_apscheduler_jobs"]
    assert "apscheduler_jobs" not in inspect(engine).get_table_names()
    kept = episode(engine, result.episode_id)
    assert (kept.status, as_utc(kept.publish_at)) == ("scheduled", result.publish_at)
    running()
    wait_for(lambda: episode(engine, result.episode_id).status == "published")


def test_local_times_are_stored_in_utc():
    assert parse_local_time("2026-12-01 19:30", "Asia/Shanghai") == \
        datetime(2026, 12, 1, 11, 30, tzinfo=timezone.utc)


def test_schedule_list_and_cancel_cli(run, tmp_path, instance):
    work = make_workdir(tmp_path / "w", "cancel-me", seconds=5)
    assert run("publish", str(work), "--at", "2099-03-01 19:30").exit_code == 0
    listed = run("schedule", "list")
    assert listed.exit_code == 0
    assert listed.stdout.split("\t")[1:] == ["cancel-me", "2099-03-01 19:30 Asia/Shanghai\n"]
    assert listed.stderr == "scheduler: none running (start `studio serve` or `studio schedule run`)\n"
    cancelled = run("schedule", "cancel", "cancel-me")
    assert cancelled.output == "cancelled cancel-me (now a draft)\n"
    assert run("schedule", "list").stdout == "nothing scheduled\n"
    again = run("schedule", "cancel", "cancel-me")
    assert again.exit_code == 3 and again.stderr == "Error: cancel-me: is draft, not scheduled\n"


@pytest.mark.parametrize("ref", ["missing-slug", "#99"])
def test_cancel_unknown_episode(run, ref, instance):
    result = run("schedule", "cancel", ref)
    assert result.exit_code == 3 and result.stderr == f"Error: {ref}: no such episode in the catalog\n"


@pytest.mark.parametrize("values, problem", [
    ({"WULING_SCHEDULER_LEASE_SECONDS": "5", "WULING_SCHEDULER_RECONCILE_SECONDS": "5"},
     "setting scheduler_lease_seconds (5) must be longer than scheduler_reconcile_seconds (5)"),
    ({"WULING_SCHEDULER_RECONCILE_SECONDS": "0"},
     "setting scheduler_reconcile_seconds must be a whole number from 1 to 3600, not '0'"),
])
def test_bad_scheduler_settings_are_one_line_errors(values, problem, instance, environ, run):
    environ.update(values)
    result = run("schedule", "run")
    assert result.exit_code == 3 and result.stderr.startswith(f"Error: {problem}")
