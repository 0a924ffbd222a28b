"""`studio publish`: put a work folder (or a catalog episode) on the site and feed."""
from __future__ import annotations

from pathlib import Path

import click

from studio.cli_support import local_time, media_root, publishing_gate, ready_engine
from studio.environment import Environment, pass_environment
from studio.errors import StudioError


@click.command("publish")
@click.argument("target")
@click.option("--at", "at_text", metavar='"YYYY-MM-DD HH:MM"',
              help="Publish at this time (in the `timezone` setting) instead of now.")
@click.option("--replace", is_flag=True,
              help="Give an episode already in the catalog this folder's new files.")
@click.option("--live", type=int, metavar="ID",
              help="The live broadcast (see `studio live list`) this recording comes from.")
@click.option("--unreviewed", is_flag=True,
              help="Publish captions nobody approved (recorded as an unreviewed publish).")
@pass_environment
def publish_command(env: Environment, target: str, at_text: str | None, replace: bool,
                    live: int | None, unreviewed: bool) -> None:
    """Publish TARGET (a work folder, or the slug/id of a catalog episode) now or --at a time.

    A work folder's review log (review.json) goes into the catalog first. With the
    setting review_required on, the current revision of the captions must be approved
    (`studio review approve`, or 审核通过 in the workspace), or --unreviewed given.
    """
    from episodes.errors import NotFound
    from episodes.models import utcnow
    from episodes.publishing import parse_local_time
    from studio.publish import publish_episode, publish_workdir

    at = parse_local_time(at_text, env.setting("timezone")) if at_text else None
    engine = ready_engine(env)
    gate = publishing_gate(env, unreviewed)
    if Path(target).is_dir():
        result = publish_workdir(Path(target), engine, media_root(env), utcnow(), at, replace, live, gate)
        slug, files = result.slug, f" ({result.assets} files, {result.copied} new)"
    else:
        try:
            slug, files = publish_episode(target, engine, utcnow(), at, gate), ""
        except NotFound:
            raise StudioError("no such work folder or episode in the catalog", target) from None
    click.echo(f"scheduled {slug} for {local_time(env, at)}{files}" if at else f"published {slug}{files}")
