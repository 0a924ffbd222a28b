"""The `studio` command: a thin click shell over the Python API.

The commands are listed in ``COMMANDS`` by where they live, and a module is imported
only when its command runs or shows its help (click's "lazily loading subcommands"
pattern), so ``studio --help`` starts without SQLAlchemy or the speech model. Every
:class:`~subtitles.errors.WulingError` becomes one line on stderr and its exit code
here, never a traceback.
"""
from __future__ import annotations

import importlib
import logging

import click

from studio.environment import Environment
from subtitles.errors import ExitCode, WulingError

# command name -> "module:attribute" of its click command or group
COMMANDS = {
    "db": "studio.commands.db:db_group",
    "transcribe": "studio.commands.transcribe:transcribe_command",
    "run": "studio.commands.run:run_command",
    "render": "studio.commands.run:render_command",
    "watch": "studio.commands.run:watch_command",
    "glossary": "studio.commands.glossary:glossary_group",
    "subtitles": "studio.commands.subtitles:subtitles_group",
    "publish": "studio.commands.publish:publish_command",
    "review": "studio.commands.review:review_group",
    "schedule": "studio.commands.schedule:schedule_group",
    "episodes": "studio.commands.catalog:episodes_group",
    "live": "studio.commands.live:live_group",
    "serve": "studio.commands.serve:serve_command",
    "users": "studio.commands.users:users_group",
    "contest": "studio.commands.contest:contest_group",
    "worker": "studio.commands.worker:worker_command",
}


class UserFacingError(click.ClickException):
    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


class StudioGroup(click.Group):
    """Loads the commands named in ``lazy_subcommands`` on first use, and maps every
    known failure to one line and its exit code."""

    def __init__(self, *args, lazy_subcommands: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.lazy_subcommands = lazy_subcommands or {}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted([*super().list_commands(ctx), *self.lazy_subcommands])

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name not in self.lazy_subcommands:
            return super().get_command(ctx, name)
        module, attribute = self.lazy_subcommands[name].split(":")
        return getattr(importlib.import_module(module), attribute)

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except WulingError as exc:
            raise UserFacingError(str(exc), int(exc.exit_code)) from exc
        except KeyboardInterrupt:
            click.echo("Interrupted; finished outputs are kept, partial ones were removed.", err=True)
            ctx.exit(ExitCode.INTERRUPTED)


@click.group(cls=StudioGroup, lazy_subcommands=COMMANDS)
@click.option("-v", "--verbose", count=True, help="Log more (-vv for debug).")
@click.version_option(package_name="wuling-studio")
@click.pass_context
def cli(ctx: click.Context, verbose: int) -> None:
    """Wuling Studio: plain-language civic-service media, from recording to web and podcast."""
    ctx.ensure_object(Environment)  # the one environment; tests pass their own as obj=
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


def main() -> None:
    cli(prog_name="studio")
