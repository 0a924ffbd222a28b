"""`studio glossary`: edit, check and apply the term base (jargon → plain language).

A thin shell over ``glossary``: the term base is the ``glossary`` setting (a CSV
file or a folder of them) or, when that is empty, the shipped default. Files are
written atomically and with a UTF-8 BOM, so Excel opens them in the right encoding.
"""
from __future__ import annotations

import getpass
import json
from dataclasses import asdict
from pathlib import Path

import click

from glossary import DEFAULT_NAME, default_text
from glossary.errors import GlossaryError
from glossary.io import dumps, load, loads
from glossary.report import Unit, report
from glossary.rows import decode, parse, read_rows
from glossary.termbase import KINDS, MODES, STATUSES, Glossary, Term, default_mode
from glossary.validate import formula_problem, split_variants, validate
from studio.cli_support import glossary_option, open_glossary
from studio.environment import Environment, pass_environment
from studio.files import write_text
from subtitles.errors import ExitCode
from subtitles.files import read_file

SUBTITLE_SUFFIXES = (".srt", ".vtt", ".ass", ".ssa")
TEXT_SUFFIXES = (".txt", ".md", ".markdown")
BOM = "\ufeff"


def writable_target(env: Environment, to: Path | None) -> Path:
    """Where add/import write: --to, else the `glossary` setting (never the shipped file)."""
    target = to or (Path(env.setting("glossary")) if env.setting("glossary") else None)
    if target is None:
        raise GlossaryError("the shipped glossary is read-only; pass --to FILE.csv or set "
                            "WULING_GLOSSARY (start one with: studio glossary export -o FILE.csv)")
    if target.is_dir():
        raise GlossaryError("is a folder; pass --to one CSV file inside it", target)
    return target


def save(glossary: Glossary, target: Path) -> None:
    write_text(target, BOM + dumps(glossary))


@click.group("glossary")
def glossary_group() -> None:
    """Term base of jargon and plain wordings: validate, list, add, approve, import, export,
    check, clean, corrections."""


@glossary_group.command("validate")
@click.argument("path", type=click.Path(path_type=Path), required=False)
@click.pass_context
@pass_environment
def validate_command(env: Environment, ctx: click.Context, path: Path | None) -> None:
    """Report problems in the term base at PATH (default: the `glossary` setting).

    Errors (duplicates, empty fields, plain wordings containing a term, plain wordings
    that do not fit the term's example sentence) exit with 4; warnings (overlapping
    terms, missing explanations) are listed but pass.
    """
    from glossary.examples import example_problems

    path = path or (Path(env.setting("glossary")) if env.setting("glossary") else None)
    rows = read_rows(path) if path else parse(default_text(), DEFAULT_NAME)
    problems = validate(rows)
    problems = sorted(problems + example_problems(rows), key=lambda p: (p.path, p.line))
    for problem in problems:
        click.echo(str(problem))
    errors = sum(p.severity == "error" for p in problems)
    click.echo(f"{path or 'shipped glossary'}: {len(rows)} term(s), {errors} error(s), "
               f"{len(problems) - errors} warning(s)")
    if errors:
        ctx.exit(ExitCode.CHECK_FAILED)


@glossary_group.command("list")
@glossary_option
@click.option("--category", help="Only terms of this category (e.g. 社保).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(source: Path | None, category: str | None, as_json: bool) -> None:
    """List the terms: term, plain wording, category, status and mode (drafts included)."""
    terms = [t for t in open_glossary(source).all_terms if not category or t.category == category]
    if as_json:
        click.echo(json.dumps([asdict(t) for t in terms], ensure_ascii=False, indent=1))
        return
    for t in terms:
        click.echo(f"{t.term}\t{t.plain}\t{t.category}\t{t.status}\t{t.mode}")


@glossary_group.command("add")
@click.argument("term")
@click.argument("plain")
@click.option("--explanation", default="", help="One sentence for residents.")
@click.option("--category", default="")
@click.option("--variants", default="", help="Other spellings, separated by |.")
@click.option("--status", type=click.Choice(STATUSES), default="preferred")
@click.option("--kind", type=click.Choice(KINDS), default=None,
              help="What the term names; sets the default mode (procedure/document/body: explain).")
@click.option("--mode", type=click.Choice(MODES), default=None,
              help="Default: from --kind, else replace.")
@click.option("--example", default="", help="A sentence using the term (checked by validate).")
@click.option("--source", default="", help="Where the definition comes from, if known for certain.")
@click.option("--to", type=click.Path(path_type=Path), help="Term base CSV to add to.")
@pass_environment
def add_command(env: Environment, term: str, plain: str, explanation: str, category: str,
                variants: str, status: str, kind: str | None, mode: str | None, example: str,
                source: str, to: Path | None) -> None:
    """Add (or replace) TERM with its PLAIN wording; the result is validated before saving."""
    target = writable_target(env, to)
    typed = {"term": term, "plain": plain, "explanation": explanation, "category": category,
             "variants": variants, "example": example, "source": source}
    for column, value in typed.items():
        if problem := formula_problem(column, value.strip()):
            raise GlossaryError(problem)
    new = Term(term.strip(), plain.strip(), explanation.strip(), category.strip(),
               split_variants(variants), status, mode or default_mode(kind or ""), kind=kind or "",
               example=example.strip(), source=source.strip())
    _merge_and_save(target, [new])
    click.echo(f"{target}: saved {new.term} → {new.plain}")


@glossary_group.command("approve")
@click.argument("terms", nargs=-1)
@click.option("--all-from", "all_from", type=click.Path(dir_okay=False, path_type=Path),
              help="Approve every term this file lists: a term base CSV, or one term a line.")
@click.option("--to", type=click.Path(path_type=Path), help="Term base CSV to approve in.")
@pass_environment
def approve_command(env: Environment, terms: tuple[str, ...], all_from: Path | None,
                    to: Path | None) -> None:
    """Approve draft TERMS (status draft → preferred), so rewriting and correction use them.

    Terms proposed for the office (shipped as drafts, or added with --status draft)
    are applied by nothing until approved here.
    """
    target = writable_target(env, to)
    names = [*map(str.strip, terms), *(_listed_terms(all_from) if all_from else [])]
    if not names:
        raise click.UsageError("name the terms to approve, or pass --all-from FILE")
    if not target.exists():
        raise GlossaryError("no such term base file", target)
    base = load(target)
    approved = base.approve(names)
    save(loads(dumps(approved), target), target)
    click.echo(f"{target}: approved {len(base.drafts) - len(approved.drafts)} term(s), "
               f"{len(approved.drafts)} draft(s) left")


def _listed_terms(file: Path) -> list[str]:
    """The terms a CSV term base lists, or the non-empty lines of any other text file."""
    if file.suffix.lower() == ".csv":
        return [row.get("term") for row in read_rows(file) if row.get("term")]
    return [line.strip() for line in _read_text(file).splitlines() if line.strip()]


def _read_text(file: Path) -> str:
    """A text file's content (UTF-8); a folder, binary data or another encoding is refused."""
    data = read_file(file, error=GlossaryError)
    if b"\0" in data:
        raise GlossaryError("binary data, not text", file)
    return decode(data, file)


@glossary_group.command("import")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--to", type=click.Path(path_type=Path), help="Term base CSV to merge into.")
@pass_environment
def import_command(env: Environment, source: Path, to: Path | None) -> None:
    """Merge the terms of SOURCE (CSV file or folder) into the term base.

    A term already present is replaced by SOURCE's entry. Nothing is written unless
    the merged term base validates.
    """
    target = writable_target(env, to)
    incoming = load(source).terms
    _merge_and_save(target, incoming)
    click.echo(f"{target}: imported {len(incoming)} term(s) from {source}")


def _merge_and_save(target: Path, terms) -> None:
    """Merge, then validate the merged CSV text before the file is touched."""
    base = load(target) if target.exists() else Glossary((), str(target))
    save(loads(dumps(base.with_terms(terms)), target), target)


@glossary_group.command("export")
@glossary_option
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this CSV file (UTF-8 with BOM) instead of standard output.")
def export_command(source: Path | None, output: Path | None) -> None:
    """Write the whole term base as one CSV (e.g. to start the office's own from the default)."""
    glossary = open_glossary(source)
    if output is None:
        click.echo(dumps(glossary), nl=False)
        return
    save(glossary, output)
    click.echo(f"{output}: exported {len(glossary)} term(s)")


@glossary_group.command("check")
@click.argument("file", type=click.Path(path_type=Path))
@glossary_option
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def check_command(file: Path, source: Path | None, as_json: bool) -> None:
    """Find every term in FILE (SRT, VTT, ASS, TXT, Markdown) and score its plainness.

    Prints each term with its cue and time (or line), then the jargon density (terms
    per 100 characters) and the plain-language score (0–100, see the README).
    """
    from subtitles.check import timestamp

    result = report(read_units(file), open_glossary(source))
    if as_json:
        click.echo(json.dumps({"file": str(file), **result.to_dict()}, ensure_ascii=False, indent=1))
        return
    for f in result.findings:
        where = f"cue {f.number} {timestamp(f.start_ms)}" if f.kind == "cue" else f"line {f.number}"
        note = "explained" if f.explained else f"→ {f.plain}"
        click.echo(f"{file}: {where}: {f.surface} ({f.status}) {note}")
    click.echo(f"{file}: {result.units} {'cue' if _is_subtitles(file) else 'line'}(s), "
               f"{result.chars} characters, {result.terms} term(s), density {result.density:g} "
               f"per 100 characters, plain-language score {result.score}")


@glossary_group.command("clean")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the clean text to this file instead of standard output.")
def clean_command(file: Path, output: Path | None) -> None:
    """Clean text pasted from a web page: Traditional → Simplified, pinyin artefacts
    such as 區(qū) removed, Chinese punctuation, real brackets kept (（街道）、党（团）).

    A lost character it restores from its surviving pinyin is listed on standard
    error with its line, to check by hand.
    """
    from glossary.clean import clean

    cleaned = clean(_read_text(file))
    for note in cleaned.notes:
        click.echo(f"{file}:{note.line}: {note.message}", err=True)
    if output is None:
        click.echo(cleaned.text, nl=False)
        return
    write_text(output, cleaned.text)
    click.echo(f"{output}: cleaned {file}")


@glossary_group.command("corrections")
@click.option("--undo", "undo_id", type=click.IntRange(min=1), metavar="ID",
              help="Stop applying learned correction ID (its row is kept, marked undone).")
@click.option("--all", "show_all", is_flag=True, help="Also list corrections already undone.")
@click.option("--by", default=lambda: getpass.getuser(), show_default="your login name",
              help="Who undoes it (recorded).")
@pass_environment
def corrections_command(env: Environment, undo_id: int | None, show_all: bool, by: str) -> None:
    """List the corrections staff taught the correction step (heard form → correction),
    or undo one with --undo ID.

    They are learned in the review workspace (a fix of a misheard term, or 以后自动改) and
    kept in the instance folder; every later transcript is corrected with them.
    """
    from glossary import learned

    path = learned.path_in(env.setting("instance_path"))
    if undo_id is not None:
        done = learned.undo(path, undo_id, by)
        click.echo(f"{path}: undid {done.id} {done.heard} → {done.after}")
        return
    rows = [c for c in learned.load(path) if show_all or c.active]
    for c in rows:
        undone = "" if c.active else f"\tundone by {c.undone_by} {c.undone_at}"
        click.echo(f"{c.id}\t{c.heard} → {c.after}\t{c.reason}\t{c.by}\t{c.at}{undone}")
    click.echo(f"{path}: {len(rows)} learned correction(s)")


def _is_subtitles(file: Path) -> bool:
    return file.suffix.lower() in SUBTITLE_SUFFIXES


def read_units(file: Path) -> list[Unit]:
    """Cues of a subtitle file, or non-empty lines of a text/Markdown file."""
    if _is_subtitles(file):
        from subtitles.io import load as load_cues

        return [Unit("cue", n, cue.text, cue.start_ms) for n, cue in enumerate(load_cues(file), 1)]
    if file.suffix.lower() not in TEXT_SUFFIXES:
        raise GlossaryError(f"cannot check {file.suffix or 'files without an extension'}; "
                            f"use {', '.join(SUBTITLE_SUFFIXES + TEXT_SUFFIXES)}", file)
    try:
        text = decode(file.read_bytes(), file)
    except OSError as exc:
        raise GlossaryError(f"cannot read the file ({exc.strerror})", file) from None
    return [Unit("line", n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]

