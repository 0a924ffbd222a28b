"""`studio subtitles`: check subtitle files against a profile, and fix common errors."""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from studio.cli_support import setting_default
from subtitles.errors import ExitCode
from subtitles.profiles import PROFILES, get_profile

if TYPE_CHECKING:
    import pysubs2


def profile_option(command):
    return click.option(
        "--profile", "profile_name", default=setting_default("profile"),
        show_default="setting `profile`",
        help=f"Subtitle profile: {', '.join(PROFILES)}.")(command)


def terms_option(command):
    return click.option(
        "--glossary", "terms_source", type=click.Path(path_type=Path),
        help="Term base (CSV file or folder): its terms and plain wordings are kept whole "
             "on a line too; without it only jieba's words are.")(command)


def _line_units(source: Path | None) -> frozenset[str]:
    """The glossary's unbreakable units when a term base was given, else none."""
    if source is None:
        return frozenset()
    from glossary.io import load
    from glossary.lines import line_units

    return line_units(load(source))


@click.group("subtitles")
def subtitles_group() -> None:
    """Subtitle files (SRT, WebVTT, ASS): check the broadcast rules, fix common errors."""


@subtitles_group.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@profile_option
@terms_option
@click.pass_context
def check_command(ctx: click.Context, file: Path, profile_name: str, terms_source: Path | None) -> None:
    """Report every rule FILE's dialogue breaks: cue number, time, rule and detail.

    Signs, positioned lines and comments are not checked. A line break inside a word
    (jieba's, or a term of --glossary) is rule split-word. Exits with 4 when anything
    is reported, 0 when the file passes.
    """
    from subtitles.check import check_file
    from subtitles.io import read

    profile = get_profile(profile_name)
    keep = _line_units(terms_source)
    subs, encoding = read(file)
    violations = check_file(subs, profile, keep)
    for violation in violations:
        click.echo(f"{file}: {violation}")
    click.echo(f"{file}: {_cue_count(subs)} cue(s), {len(violations)} violation(s) of "
               f"{profile.name}; read as {encoding}")
    if violations:
        ctx.exit(ExitCode.CHECK_FAILED)


@subtitles_group.command("fix")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write here (format from its extension) instead of FILE.fixed.EXT.")
@click.option("--in-place", is_flag=True, help="Replace FILE itself.")
@click.option("--encoding", "encoding_name", metavar="ENC",
              help="Text encoding to write (utf-8, utf-8-sig, gb18030, utf-16 …); "
                   "default: FILE's own.")
@profile_option
@terms_option
def fix_command(file: Path, output: Path | None, in_place: bool, encoding_name: str | None,
                profile_name: str, terms_source: Path | None) -> None:
    """Fix common errors in FILE's dialogue: merge too-short cues, split too-long ones,
    re-break lines, extend durations into gaps, keep the minimum gap.

    Styles, tags, signs and comments are kept as they are. Writes FILE.fixed.EXT
    (atomically) unless --in-place or -o is given, in FILE's encoding unless
    --encoding says otherwise.
    """
    from dataclasses import replace

    from studio.files import write_bytes
    from subtitles.check import check_file
    from subtitles.fix import fix_file
    from subtitles.io import TIME_GRID_MS, Encoding, format_of, parse, read, render

    if output and in_place:
        raise click.UsageError("give either -o/--output or --in-place, not both")
    profile = get_profile(profile_name)
    keep = _line_units(terms_source)
    subs, encoding = read(file)
    target = output or (file if in_place else file.with_name(f"{file.stem}.fixed{file.suffix}"))
    fmt = format_of(target)
    written_as = Encoding(encoding_name) if encoding_name else replace(encoding, detected=False)
    text = render(fix_file(subs, profile, TIME_GRID_MS[fmt], keep), fmt)
    write_bytes(target, written_as.encode(text, target))
    # Counted on the file as written and read back, so `check` on it agrees.
    fixed = parse(text, fmt, target)
    before, after = len(check_file(subs, profile, keep)), len(check_file(fixed, profile, keep))
    click.echo(f"{target}: {_cue_count(subs)} cue(s) in, {_cue_count(fixed)} out; "
               f"violations of {profile.name}: {before} before, {after} after; "
               f"read as {encoding}, written as {written_as}")


def _cue_count(subs: pysubs2.SSAFile) -> int:
    from subtitles.events import dialogue_tracks

    return sum(len(track) for track in dialogue_tracks(subs).values())

