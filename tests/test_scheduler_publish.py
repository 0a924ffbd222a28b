"""Scheduled publishing against the real APScheduler job store in the catalog DB."""
from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from episodes.db import make_sessionmaker
from episodes.models import Episode, as_utc
from episodes.publishing import parse_local_time, publish_due
from episodes.scheduler import queued_publish_jobs, start
from studio.cli import cli
from tests.catalog_fixtures import catalog_engine, make_workdir, publish, seed_catalog
from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def _seeded_instance() -> None:
    seed_catalog(Path(os.environ["WULING_INSTANCE_PATH"]))


def status(engine, episode_id: int) -> Episode:
    with make_sessionmaker(engine)() as session:
        return session.get(Episode, episode_id)


def wait_for(condition, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def publications(caplog) -> int:
    return sum(r.getMessage().startswith("published") for r in caplog.records
               if r.name == "episodes.scheduler")


def test_publish_due_while_down_fires_exactly_once_after_restart(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="episodes.scheduler")
    instance = tmp_path / "instance"
    engine = catalog_engine(instance)
    lock = instance / "scheduler.lock"
    first = start(engine, lock)
    work = make_workdir(tmp_path / "w", "due-1", seconds=5)
    at = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=3)
    result = publish(instance, work, at=at)
    assert queued_publish_jobs(engine) == {result.episode_id: at}
    first.shutdown()  # the site goes down before the publish time
    wait_for(lambda: datetime.now(timezone.utc) > at + timedelta(seconds=0.5))
    assert status(engine, result.episode_id).status == "scheduled"

    second = start(engine, lock)  # back up: the missed publish runs now
    wait_for(lambda: status(engine, result.episode_id).status == "published")
    time.sleep(0.5)
    second.shutdown()
    third = start(engine, lock)  # another restart: nothing left to do
    time.sleep(0.5)
    third.shutdown()

    assert publications(caplog) == 1
    assert queued_publish_jobs(engine) == {}
    assert as_utc(status(engine, result.episode_id).published_at) == at


def test_only_one_scheduler_per_instance(tmp_path):
    instance = tmp_path / "instance"
    engine = catalog_engine(instance)
    lock = instance / "scheduler.lock"
    running = start(engine, lock)
    try:
        assert running is not None
        assert start(engine, lock) is None
        probe = ("import sys; from episodes.db import make_engine; from episodes.scheduler import start;"
                 "print(start(make_engine(sys.argv[1]), sys.argv[2]))")
        other = subprocess.run([sys.executable, "-c", probe, str(engine.url), str(lock)],
                               capture_output=True, text=True, cwd=ROOT, timeout=60)
        assert other.stdout.strip() == "None", other.stderr
    finally:
        running.shutdown()
    again = start(engine, lock)  # the lock is released on shutdown
    assert again is not None
    again.shutdown()


def test_two_firings_publish_once(tmp_path):
    instance = tmp_path / "instance"
    engine = catalog_engine(instance)
    at = datetime.now(timezone.utc) + timedelta(hours=1)
    result = publish(instance, make_workdir(tmp_path / "w", "twice-1", seconds=5), at=at)
    with make_sessionmaker(engine).begin() as session:
        assert publish_due(session, result.episode_id, at - timedelta(seconds=1)) is False
        assert publish_due(session, result.episode_id, at) is True
        assert publish_due(session, result.episode_id, at + timedelta(seconds=1)) is False


def test_local_times_are_stored_in_utc():
    assert parse_local_time("2026-12-01 19:30", "Asia/Shanghai") == \
        datetime(2026, 12, 1, 11, 30, tzinfo=timezone.utc)


def test_schedule_list_and_cancel_cli(tmp_path):
    work = make_workdir(tmp_path / "w", "cancel-me", seconds=5)
    runner = CliRunner()
    assert runner.invoke(cli, ["publish", str(work), "--at", "2099-03-01 19:30"]).exit_code == 0
    listed = runner.invoke(cli, ["schedule", "list"])
    assert listed.exit_code == 0
    assert listed.output.split("\t")[1:] == ["cancel-me", "2099-03-01 19:30 Asia/Shanghai", "queued\n"]
    cancelled = runner.invoke(cli, ["schedule", "cancel", "cancel-me"])
    assert cancelled.output == "cancelled cancel-me (now a draft)\n"
    assert runner.invoke(cli, ["schedule", "list"]).output == "nothing scheduled\n"
    again = runner.invoke(cli, ["schedule", "cancel", "cancel-me"])
    assert again.exit_code == 3 and again.stderr == "Error: cancel-me: is draft, not scheduled\n"


@pytest.mark.parametrize("ref", ["missing-slug", "#99"])
def test_cancel_unknown_episode(ref):
    result = CliRunner().invoke(cli, ["schedule", "cancel", ref])
    assert result.exit_code == 3 and result.stderr == f"Error: {ref}: no such episode in the catalog\n"
