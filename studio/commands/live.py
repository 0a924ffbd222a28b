"""`studio live`: the schedule of live broadcasts, their stream keys, the media server's
configuration and the live captioner it runs (see :mod:`studio.live_server`)."""
from __future__ import annotations

import click

from studio.cli_support import catalog_session, local_time, parse_guest
from studio.environment import Environment, pass_environment


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
        click.echo(f"stream key: {show.stream_key}")


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



@live_group.command("key")
@click.argument("broadcast_id", type=int)
@pass_environment
def show_key(env: Environment, broadcast_id: int) -> None:
    """Print the stream key of broadcast BROADCAST_ID (for the encoder)."""
    from episodes.errors import NotFound
    from episodes.models import LiveBroadcast

    with catalog_session(env) as session:
        show = session.get(LiveBroadcast, broadcast_id)
        if show is None:
            raise NotFound("no such live broadcast in the catalog", f"#{broadcast_id}")
        click.echo(show.stream_key)


@live_group.command("nginx-conf")
@pass_environment
def nginx_conf_command(env: Environment) -> None:
    """Write the media server's nginx configuration into the live folder; print its path."""
    from studio.live_server import write_nginx_conf

    click.echo(str(write_nginx_conf(env)))


@live_group.command("relay", hidden=True)
@click.argument("stream")
@click.argument("rendition", type=click.Choice(["video", "audio"]))
@pass_environment
def relay_command(env: Environment, stream: str, rendition: str) -> None:
    """Copy push STREAM (b12) into its RENDITION for HLS; nginx runs this for each push."""
    import logging

    from studio.live_server import LivePaths, relay

    # nginx keeps no output of the programs it runs: the relays log beside the stream
    log_file = logging.FileHandler(LivePaths.from_settings(env).root / f"relay-{stream}.log", delay=True)
    logging.basicConfig(handlers=[log_file], level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        force=True)
    relay(env, stream, rendition)


@live_group.command("caption", hidden=True)
@click.argument("stream")
@pass_environment
def caption_command(env: Environment, stream: str) -> None:
    """Caption live stream STREAM (b12) until it ends; nginx runs this for each push."""
    import logging
    import signal
    import threading

    # before the heavy imports: nginx stopping a short push while we start must not kill us
    ended = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: ended.set())

    from studio.live_captions import caption_stream
    from studio.live_server import LivePaths

    # nginx keeps no output of the programs it runs: the captioner logs beside the stream
    logging.basicConfig(filename=LivePaths.from_settings(env).root / f"captioner-{stream}.log",
                        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True)
    logging.getLogger("faster_whisper").setLevel(logging.WARNING)  # a line per pass otherwise
    caption_stream(env, stream, ended)
