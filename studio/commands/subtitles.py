"""`studio subtitles`: check subtitle files against a profile, and fix common errors."""
from __future__ import annotations

from pathlib import Path

import click

from studio import settings
from studio.errors import ExitCode
from studio.files import write_text
from subtitles.check import check
from subtitles.fix import fix
from subtitles.io import dumps, format_of, load
from subtitles.profiles import PROFILES, get_profile


def profile_option(command):
    return click.option(
        "--profile", "profile_name", default=lambda: settings.get("profile"),
        show_default="setting `profile`",
        help=f"Subtitle profile: {', '.join(PROFILES)}.")(command)


@click.group("subtitles")
def subtitles_group() -> None:
    """Subtitle files (SRT, WebVTT, ASS): check the broadcast rules, fix common errors."""


@subtitles_group.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@profile_option
@click.pass_context
def check_command(ctx: click.Context, file: Path, profile_name: str) -> None:
    """Report every rule FILE breaks: cue number, time, rule and detail.

    Exits with 4 when anything is reported, 0 when the file passes.
    """
    profile = get_profile(profile_name)
    cues = load(file)
    violations = check(cues, profile)
    for violation in violations:
        click.echo(f"{file}: {violation}")
    click.echo(f"{file}: {len(cues)} cue(s), {len(violations)} violation(s) of {profile.name}")
    if violations:
        ctx.exit(ExitCode.CHECK_FAILED)


@subtitles_group.command("fix")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (format from its extension) instead of replacing FILE.")
@profile_option
def fix_command(file: Path, output: Path | None, profile_name: str) -> None:
    """Fix common errors in FILE: merge too-short cues, split too-long ones,
    re-break lines, extend durations into gaps, keep the minimum gap.

    FILE is replaced atomically unless --output is given.
    """
    profile = get_profile(profile_name)
    cues = load(file)
    target = output or file
    fmt = format_of(target)
    fixed = fix(cues, profile)
    write_text(target, dumps(fixed, fmt))
    before, after = len(check(cues, profile)), len(check(fixed, profile))
    click.echo(f"{target}: {len(cues)} cue(s) in, {len(fixed)} out; "
               f"violations of {profile.name}: {before} before, {after} after")


def register(cli: click.Group) -> None:
    cli.add_command(subtitles_group)
