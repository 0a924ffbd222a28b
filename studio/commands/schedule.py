"""`studio schedule`: scheduled publishes: list, cancel, and run the scheduler."""
from __future__ import annotations

import threading
from pathlib import Path

import click
from sqlalchemy import select

from episodes.catalog import change_episode
from episodes.db import make_sessionmaker, transaction
from episodes.models import Episode, as_utc
from episodes.publishing import unschedule
from episodes.scheduler import queued_publish_jobs, start
from studio import settings
from studio.cli_support import catalog_session, local_time, ready_engine
from studio.errors import StudioError


def lock_path() -> Path:
    """One scheduler per instance folder: `studio serve` workers take the same lock."""
    return Path(settings.get("instance_path")) / "scheduler.lock"


@click.group("schedule")
def schedule_group() -> None:
    """Scheduled publishing: list, cancel, run."""


@schedule_group.command("list")
def list_command() -> None:
    """List scheduled episodes, their local publish time and whether a job is queued."""
    engine = ready_engine()
    queued = queued_publish_jobs(engine)
    with transaction(make_sessionmaker(engine)) as session:
        rows = session.scalars(select(Episode).where(Episode.status == "scheduled")
                               .order_by(Episode.publish_at)).all()
        for episode in rows:
            job = "queued" if episode.id in queued else "no job (the scheduler's sweep publishes it)"
            click.echo(f"{episode.id}\t{episode.slug}\t{local_time(as_utc(episode.publish_at))}\t{job}")
    if not rows:
        click.echo("nothing scheduled")


@schedule_group.command("cancel")
@click.argument("episode")
def cancel_command(episode: str) -> None:
    """Cancel the scheduled publish of EPISODE (slug or id); it goes back to draft."""
    with catalog_session() as session:
        click.echo(f"cancelled {change_episode(session, episode, unschedule)} (now a draft)")


@schedule_group.command("run")
def run_command() -> None:
    """Run the scheduler in the foreground until Ctrl-C (`studio serve` runs it too)."""
    running = start(ready_engine(), lock_path(), settings.get("timezone"))
    if running is None:
        raise StudioError("another process already runs the scheduler for this instance",
                          lock_path())
    click.echo(f"scheduler running (lock {lock_path()}); Ctrl-C stops it", err=True)
    try:
        threading.Event().wait()
    finally:
        running.shutdown()


def register(cli: click.Group) -> None:
    cli.add_command(schedule_group)
