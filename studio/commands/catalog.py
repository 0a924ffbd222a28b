"""`studio episodes` and `studio live`: what is in the catalog, and the live schedule."""
from __future__ import annotations

import click

from episodes.record import KINDS
from episodes.vocabulary import STATUSES
from studio.cli_support import catalog_session, local_time, parse_guest
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


@click.group("live")
def live_group() -> None:
    """The schedule of live broadcasts of 《武陵政务直播间》."""


@live_group.command("add")
@click.option("--at", "at_text", required=True, metavar='"YYYY-MM-DD HH:MM"',
              help="Air time, in the `timezone` setting.")
@click.option("--topic", required=True, help="What the show is about.")
@click.option("--guest", "guests", multiple=True, metavar="姓名:部门",
              help="A guest and their department (repeatable).")
@click.option("--stream-url", default="", help="Where the stream can be watched.")
@pass_environment
def add_live(env: Environment, at_text: str, topic: str, guests: tuple[str, ...],
             stream_url: str) -> None:
    """Announce a live broadcast."""
    from episodes.live import add_broadcast
    from episodes.publishing import parse_local_time

    air_at = parse_local_time(at_text, env.setting("timezone"))
    with catalog_session(env) as session:
        show = add_broadcast(session, air_at, topic, [parse_guest(g) for g in guests],
                             stream_url)
        click.echo(f"added live broadcast {show.id} for {local_time(env, air_at)}")


@live_group.command("list")
@click.option("--all", "everything", is_flag=True, help="Include broadcasts already aired.")
@pass_environment
def list_live(env: Environment, everything: bool) -> None:
    """List live broadcasts: id, air time, topic, guests, episode it became."""
    from episodes.live import broadcasts
    from episodes.models import as_utc, utcnow

    with catalog_session(env) as session:
        for show in broadcasts(session, None if everything else utcnow()):
            guests = "、".join(f"{g['name']}（{g['department']}）" for g in show.guests)
            episode = f"#{show.episode_id}" if show.episode_id else "-"
            click.echo("\t".join((str(show.id), local_time(env, as_utc(show.air_at)), show.topic,
                                  guests or "-", episode)))

