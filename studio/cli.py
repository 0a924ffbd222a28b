"""The `studio` command: a thin click shell over the Python API.

Each command group lives in its own module under ``studio/commands/`` and is
registered in ``COMMAND_MODULES``. Known failures become one line on stderr and a
non-zero exit code, never a traceback (see :func:`studio.errors`).
"""
from __future__ import annotations

import importlib
import logging

import click

from episodes.errors import CatalogError
from glossary.errors import GlossaryError
from studio.errors import ExitCode, StudioError
from subtitles.errors import SubtitleError

COMMAND_MODULES = (
    "studio.commands.db",
    "studio.commands.transcribe",
    "studio.commands.run",
    "studio.commands.glossary",
    "studio.commands.subtitles",
    "studio.commands.publish",
    "studio.commands.schedule",
    "studio.commands.catalog",
    "studio.commands.serve",
    "studio.commands.users",
    "studio.commands.contest",
)


def known_errors() -> tuple[type[BaseException], ...]:
    """Exception types whose message is already a complete one-line explanation."""
    return (StudioError, SubtitleError, GlossaryError, CatalogError)


class UserFacingError(click.ClickException):
    def __init__(self, message: str, exit_code: int):
        super().__init__(message)
        self.exit_code = exit_code


class StudioGroup(click.Group):
    """A group that maps known exceptions to one-line errors with exit codes."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except known_errors() as exc:
            code = getattr(exc, "exit_code", ExitCode.BAD_INPUT)
            raise UserFacingError(str(exc), int(code)) from exc
        except KeyboardInterrupt:
            click.echo("Interrupted; finished outputs are kept, partial ones were removed.", err=True)
            ctx.exit(ExitCode.INTERRUPTED)


@click.group(cls=StudioGroup)
@click.option("-v", "--verbose", count=True, help="Log more (-vv for debug).")
@click.version_option(package_name="wuling-studio")
def cli(verbose: int) -> None:
    """Wuling Studio: plain-language civic-service media, from recording to web and podcast."""
    level = {0: logging.WARNING, 1: logging.INFO}.get(verbose, logging.DEBUG)
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s")


for _module in COMMAND_MODULES:
    importlib.import_module(_module).register(cli)


def main() -> None:
    cli(prog_name="studio")
