"""`studio episodes`: what is in the catalog (the live schedule is `studio live`)."""
from __future__ import annotations

import click

from episodes.record import KINDS
from episodes.vocabulary import STATUSES
from studio.cli_support import catalog_session, local_time
from studio.environment import Environment, pass_environment


@click.group("episodes")
def episodes_group() -> None:
    """Episodes and guide videos in the catalog."""


@episodes_group.command("list")
@click.option("--status", type=click.Choice(STATUSES), help="Only episodes in this state.")
@click.option("--kind", type=click.Choice(KINDS), help="Only call-in episodes or guides.")
@pass_environment
def list_episodes(env: Environment, status: str | None, kind: str | None) -> None:
    """List episodes: id, status, kind, slug, publish time, title."""
    from sqlalchemy import select

    from episodes.models import Episode, as_utc

    query = select(Episode).order_by(Episode.id)
    if status:
        query = query.where(Episode.status == status)
    if kind:
        query = query.where(Episode.kind == kind)
    with catalog_session(env) as session:
        for episode in session.scalars(query):
            when = as_utc(episode.published_at or episode.publish_at)
            click.echo("\t".join((str(episode.id), episode.status, episode.kind, episode.slug,
                                  local_time(env, when) if when else "-", episode.title)))


@episodes_group.command("archive")
@click.argument("episode")
@pass_environment
def archive_episode(env: Environment, episode: str) -> None:
    """Take EPISODE (slug or id) off the site and feeds; its files are kept."""
    from episodes.catalog import change_episode
    from episodes.publishing import archive

    with catalog_session(env) as session:
        click.echo(f"archived {change_episode(session, episode, archive)}")
