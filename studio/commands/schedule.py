"""`studio schedule`: scheduled publishes: list, cancel, and run the scheduler."""
from __future__ import annotations

import threading

import click

from studio.cli_support import catalog_session, local_time, ready_engine
from studio.environment import Environment, pass_environment


@click.group("schedule")
def schedule_group() -> None:
    """Scheduled publishing: list, cancel, run."""


@schedule_group.command("list")
@pass_environment
def list_command(env: Environment) -> None:
    """List scheduled episodes with their local publish time; say on stderr which
    process runs the scheduler (none: nothing goes out until one starts)."""
    from sqlalchemy import select

    from episodes.db import make_sessionmaker, transaction
    from episodes.leases import current
    from episodes.models import Episode, as_utc
    from episodes.scheduler import LEASE

    engine = ready_engine(env)
    with transaction(make_sessionmaker(engine)) as session:
        rows = session.scalars(select(Episode).where(Episode.status == "scheduled")
                               .order_by(Episode.publish_at)).all()
        for episode in rows:
            click.echo(f"{episode.id}\t{episode.slug}\t{local_time(env, as_utc(episode.publish_at))}")
    if not rows:
        click.echo("nothing scheduled")
    lease = current(engine, LEASE)
    click.echo(f"scheduler: {lease.holder}" if lease else
               "scheduler: none running (start `studio serve` or `studio schedule run`)", err=True)


@schedule_group.command("cancel")
@click.argument("episode")
@pass_environment
def cancel_command(env: Environment, episode: str) -> None:
    """Cancel the scheduled publish of EPISODE (slug or id); it goes back to draft."""
    from episodes.catalog import change_episode
    from episodes.publishing import unschedule

    with catalog_session(env) as session:
        click.echo(f"cancelled {change_episode(session, episode, unschedule)} (now a draft)")


@schedule_group.command("run")
@pass_environment
def run_command(env: Environment) -> None:
    """Run the publish scheduler alone in the foreground until Ctrl-C (`studio serve`
    runs one too); several may run, the catalog's lease lets one publish."""
    from studio.background import running_scheduler, scheduler_timing

    with running_scheduler(ready_engine(env), scheduler_timing(env),
                           env.setting_flag("review_required")) as scheduler:
        click.echo(f"scheduler {scheduler.holder} running; it publishes while it holds the "
                   "catalog's scheduler lease; Ctrl-C stops it", err=True)
        threading.Event().wait()

