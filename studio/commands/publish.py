"""`studio publish`: put a work folder (or a catalog episode) on the site and feed."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click
from sqlalchemy import Engine

from episodes.errors import NotFound
from episodes.schema import migrations
from episodes.models import utcnow
from episodes.publishing import parse_local_time, zone
from studio import settings
from studio.commands.db import catalog_engine
from studio.errors import StudioError
from studio.publish import publish_episode, publish_workdir


def ready_engine() -> Engine:
    """The catalog engine with every migration applied (publishing needs the tables)."""
    engine = catalog_engine()
    migrations.apply(engine)
    return engine


def media_root() -> Path:
    return Path(settings.get("instance_path")) / "media"


def local_time(moment: datetime) -> str:
    """``moment`` as people here read it: "2026-12-01 19:30 Asia/Shanghai"."""
    name = settings.get("timezone")
    return f"{moment.astimezone(zone(name)):%Y-%m-%d %H:%M} {name}"


@click.command("publish")
@click.argument("target")
@click.option("--at", "at_text", metavar='"YYYY-MM-DD HH:MM"',
              help="Publish at this time (in the `timezone` setting) instead of now.")
@click.option("--replace", is_flag=True,
              help="Give an episode already in the catalog this folder's new files.")
@click.option("--live", type=int, metavar="ID",
              help="The live broadcast (see `studio live list`) this recording comes from.")
def publish_command(target: str, at_text: str | None, replace: bool, live: int | None) -> None:
    """Publish TARGET (a work folder, or the slug/id of a catalog episode) now or --at a time."""
    at = parse_local_time(at_text, settings.get("timezone")) if at_text else None
    engine = ready_engine()
    if Path(target).is_dir():
        result = publish_workdir(Path(target), engine, media_root(), utcnow(), at, replace, live)
        slug, files = result.slug, f" ({result.assets} files, {result.copied} new)"
    else:
        try:
            slug, files = publish_episode(target, engine, utcnow(), at), ""
        except NotFound:
            raise StudioError("no such work folder or episode in the catalog", target) from None
    click.echo(f"scheduled {slug} for {local_time(at)}{files}" if at else f"published {slug}{files}")


def register(cli: click.Group) -> None:
    cli.add_command(publish_command)
