"""`studio contest`: set up a contest, take in entries, assign judges, rank, export, back up.

Each command is a thin shell over ``episodes.contest``/``episodes.judging`` and
``studio.contest_intake``/``studio.precheck``; the site does the same through
its organiser pages.
"""
from __future__ import annotations

import csv
import sys
from pathlib import Path

import click

from episodes.vocabulary import DEFAULT_ROUNDS
from studio.cli_support import local_time, password_stdin_option, read_password, ready_engine
from studio.environment import Environment, pass_environment
from studio.errors import StudioError
from subtitles.errors import ExitCode

IMPORT_COLUMNS = ("file", "title", "entrant", "organisation", "contact", "description")
round_option = click.option("--round", "position", type=int, default=1, show_default=True,
                            help="Round number (1 = the first round).")


def uploads_root(env: Environment) -> Path:
    from episodes.uploads import UPLOADS_FOLDER

    return Path(env.setting("instance_path")) / UPLOADS_FOLDER


def sessions(env: Environment):
    from episodes.db import make_sessionmaker

    return make_sessionmaker(ready_engine(env))


def criterion_option(text: str):
    from episodes.contest import parse_criterion

    criterion = parse_criterion(text)
    if criterion is None:
        raise click.BadParameter(f"{text!r} is not NAME=WEIGHT or NAME=WEIGHT|LOW-HIGH:MEANING;... "
                                 "(e.g. 政策准确=30 or 政策准确=30|0-5:有错误;6-10:准确)")
    return criterion


def deadline_option(env: Environment, text: str | None):
    """``--deadline`` as typed (local time, full-width colons too) in UTC; None if absent.
    A time already past is refused: entries would be closed from the start."""
    from episodes.models import utcnow
    from episodes.publishing import parse_local_time

    if not text:
        return None
    deadline = parse_local_time(text, env.setting("timezone"), "--deadline")
    if deadline <= utcnow():
        raise StudioError("is in the past: entries would be closed from the start", f"--deadline {text!r}")
    return deadline


@click.group("contest")
def contest_group() -> None:
    """The guide-video contest: set-up, intake, judging, results, backup."""


@contest_group.command("create")
@click.argument("slug")
@click.option("--title", required=True, help="Contest name shown on the site.")
@click.option("--max-seconds", default=180, show_default=True, help="Longest video accepted.")
@click.option("--min-height", default=720, show_default=True, help="Lowest resolution (p) accepted.")
@click.option("--max-mb", default=500, show_default=True, help="Largest upload in MB.")
@click.option("--rounds", default="、".join(DEFAULT_ROUNDS), show_default=True,
              help="Round names separated by 、 or commas.")
@click.option("--criterion", "criteria", multiple=True, metavar="NAME=WEIGHT[|LEVELS]",
              help="A rubric criterion (repeat; weights sum to 100), optionally with what each "
                   "score level means: '政策准确=30|0-3:有明显错误;4-7:基本准确;8-10:准确无误' "
                   "(levels cover 0-10). Default: the issue's four, with their levels.")
@click.option("--deadline", "deadline_text", metavar='"YYYY-MM-DD HH:MM"',
              help="Entries close at this local time (the timezone setting). Default: none.")
@pass_environment
def create_command(env: Environment, slug, title, max_seconds, min_height, max_mb, rounds,
                   criteria, deadline_text) -> None:
    """Create contest SLUG with its rounds and weighted rubric (scores 0-10 per criterion),
    open for entries."""
    from episodes.contest import create_contest, parse_rounds
    from episodes.db import transaction

    extra = {"rubric": tuple(map(criterion_option, criteria))} if criteria else {}
    deadline = deadline_option(env, deadline_text)
    with transaction(sessions(env)) as session:
        contest = create_contest(session, slug, title, max_duration_ms=max_seconds * 1000,
                                 min_height=min_height, max_bytes=max_mb * 1024 * 1024,
                                 rounds=parse_rounds(rounds), deadline=deadline, **extra)
        click.echo(f"created {slug}: {len(contest.rounds)} rounds, "
                   + ", ".join(f"{c.name} {c.weight}%" for c in contest.criteria)
                   + (f"; entries close {local_time(env, deadline)}" if deadline else ""))


@contest_group.command("open")
@click.argument("slug")
@click.option("--deadline", "deadline_text", metavar='"YYYY-MM-DD HH:MM"',
              help="Also set a new entry deadline (local time).")
@pass_environment
def open_command(env: Environment, slug: str, deadline_text: str | None) -> None:
    """Open contest SLUG for entries (uploads, withdrawals, replacements) until its deadline."""
    from episodes.contest import closed_because, get_contest
    from episodes.db import transaction
    from episodes.models import utcnow

    deadline = deadline_option(env, deadline_text)
    with transaction(sessions(env)) as session:
        contest = get_contest(session, slug)
        contest.is_open = True
        contest.deadline = deadline or contest.deadline
        if closed_because(contest, utcnow()) == "deadline":  # the deadline it already had
            raise StudioError(f"the deadline {local_time(env, contest.deadline)} has passed, so the "
                              "contest would stay closed; give a later --deadline", slug)
        until = f" until {local_time(env, contest.deadline)}" if contest.deadline else ""
    click.echo(f"{slug} is open for entries{until}")


@contest_group.command("close")
@click.argument("slug")
@pass_environment
def close_command(env: Environment, slug: str) -> None:
    """Close contest SLUG: no more uploads, withdrawals or replacements."""
    from episodes.contest import get_contest
    from episodes.db import transaction

    with transaction(sessions(env)) as session:
        get_contest(session, slug).is_open = False
    click.echo(f"{slug} is closed for entries")


@contest_group.command("add-judge")
@click.argument("slug")
@click.argument("username")
@click.option("--name", "display_name", default="", help="Judge's name (organisers see it).")
@password_stdin_option
@pass_environment
def add_judge_command(env: Environment, slug: str, username: str, display_name: str,
                      password_stdin: bool) -> None:
    """Add judge USERNAME to contest SLUG, creating the account (asks a password) if new."""
    from episodes import accounts
    from episodes.contest import add_judge, get_contest
    from episodes.db import transaction
    from episodes.errors import NotFound

    with transaction(sessions(env)) as session:
        contest = get_contest(session, slug)
        try:
            user, created = accounts.get_user(session, username), False
        except NotFound:
            user = accounts.create_user(session, username, read_password(password_stdin), "judge",
                                        display_name)
            created = True
        add_judge(session, contest, user)
    click.echo(f"{'created judge account and ' if created else ''}added {username} to {slug}")


@contest_group.command("conflict")
@click.argument("slug")
@click.argument("username")
@click.argument("code")
@click.option("--reason", default="", help="Why (kept for the record).")
@pass_environment
def conflict_command(env: Environment, slug: str, username: str, code: str, reason: str) -> None:
    """Declare that judge USERNAME must not review submission CODE."""
    from episodes import accounts
    from episodes.contest import add_conflict, get_contest, get_submission
    from episodes.db import transaction

    with transaction(sessions(env)) as session:
        contest = get_contest(session, slug)
        add_conflict(session, accounts.get_user(session, username),
                     get_submission(session, contest, code), reason)
    click.echo(f"{username} will not be assigned {code}")


@contest_group.command("import")
@click.argument("slug")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.argument("details", type=click.Path(dir_okay=False, path_type=Path))
@pass_environment
def import_command(env: Environment, slug: str, folder: Path, details: Path) -> None:
    """Import the videos in FOLDER listed in the CSV DETAILS (columns: file, title, entrant,
    organisation, contact, description). Each row is checked like an upload; rejected rows
    are reported and skipped, accepted ones are kept."""
    from episodes.uploads import UploadRejected

    factory, accepted, rejected = sessions(env), 0, 0
    for row in read_import_csv(details):
        try:
            code = import_row(factory, uploads_root(env) / slug, slug, folder, row)
            click.echo(f"accepted {row['file']} as {code}")
            accepted += 1
        except UploadRejected as exc:
            click.echo(f"rejected {exc}", err=True)
            rejected += 1
    click.echo(f"{accepted} accepted, {rejected} rejected")
    if rejected:
        sys.exit(ExitCode.CHECK_FAILED)


def import_row(factory, uploads: Path, slug: str, folder: Path, row: dict[str, str]) -> str:
    """Accept one CSV row's video in its own transaction; return its blind code."""
    from episodes.contest import get_contest
    from episodes.db import transaction
    from episodes.uploads import Entrant, UploadRejected, check_name
    from studio.contest_intake import accept

    path = folder / check_name(row["file"])
    if not path.is_file():
        raise UploadRejected("missing", f"no such file in {folder}", row["file"])
    with transaction(factory) as session, open(path, "rb") as stream:
        entrant = Entrant(row["entrant"], row["organisation"], row["contact"])
        return accept(session, get_contest(session, slug), stream, row["file"], uploads,
                      row["title"], entrant, row["description"]).code


def read_import_csv(path: Path) -> list[dict[str, str]]:
    """Rows of the entrant CSV (UTF-8, with or without BOM); StudioError names what is wrong."""
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            missing = [c for c in ("file", "title", "entrant") if c not in (reader.fieldnames or [])]
            if missing:
                raise StudioError(f"CSV lacks column(s) {', '.join(missing)}; expected "
                                  f"{', '.join(IMPORT_COLUMNS)}", path)
            return [{c: (row.get(c) or "").strip() for c in IMPORT_COLUMNS} for row in reader]
    except (OSError, UnicodeDecodeError) as exc:
        raise StudioError(f"cannot read the CSV ({exc.__class__.__name__}: save it as UTF-8)", path) from exc


@contest_group.command("assign")
@click.argument("slug")
@round_option
@click.option("--judges-per-submission", "k", type=int, help="Change k for this round first.")
@pass_environment
def assign_command(env: Environment, slug: str, position: int, k: int | None) -> None:
    """Assign k judges to each unassigned submission of the round (balanced, no conflicts)."""
    from episodes.contest import get_contest, get_round
    from episodes.db import transaction
    from episodes.judging import assign_round

    with transaction(sessions(env)) as session:
        contest = get_contest(session, slug)
        round_ = get_round(contest, position)
        if k:
            round_.judges_per_submission = k
        made = assign_round(session, contest, round_)
    click.echo(f"{made} review(s) assigned in {round_.name}")


@contest_group.command("precheck")
@click.argument("slug")
@click.option("--all", "redo", is_flag=True, help="Check every submission again, not only pending ones.")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar.")
@pass_environment
def precheck_command(env: Environment, slug: str, redo: bool, quiet: bool) -> None:
    """Run the automatic pre-check (loudness, captions, transcript, plain language, rules)."""
    from episodes.contest import get_contest, round_submissions
    from episodes.db import transaction
    from studio import precheck

    factory = sessions(env)
    with transaction(factory) as session:
        contest = get_contest(session, slug)
        ids = [s.id for s in round_submissions(session, contest.rounds[0])]
        if not redo:
            ids = [i for i in precheck.pending(session) if i in ids]
    done, failed = precheck.run(factory, uploads_root(env), ids,
                                progress=env.for_terminal(quiet).progress)
    with transaction(factory) as session:
        for line in findings_lines(session, ids):
            click.echo(line)
    click.echo(f"{done} checked, {failed} failed")
    if failed:
        sys.exit(ExitCode.CHECK_FAILED)


def findings_lines(session, submission_ids: list[int]) -> list[str]:
    """What the pre-check found on each submission, one block per submission."""
    from sqlalchemy import select

    from episodes.contest import PrecheckReport, Submission

    lines = []
    for report, code in session.execute(select(PrecheckReport, Submission.code).join(
            Submission, Submission.id == PrecheckReport.submission_id)
            .where(PrecheckReport.submission_id.in_(submission_ids)).order_by(Submission.id)):
        if report.status != "done":
            lines.append(f"{code}: {report.status}" + (f": {report.error}" if report.error else ""))
            continue
        loudness = "silent" if report.loudness_lufs is None else f"{report.loudness_lufs:.1f} LUFS"
        lines.append(f"{code}: loudness {loudness}, caption tracks {report.caption_tracks}, "
                     f"{report.speech_chars} characters of speech, jargon {report.jargon_density:.1f}"
                     f"/100 characters, plain-language score {report.plain_score:.0f}")
        lines += [f"  - {v}" for v in report.violations] or ["  no rule broken"]
    return lines


@contest_group.command("results")
@click.argument("slug")
@round_option
@click.option("--advance-top", type=int, help="Advance the top N (ties at the cut go together).")
@click.option("--advance-threshold", type=float,
              help="Advance all at or above this score (normalised, or raw when the round is ranked raw).")
@pass_environment
def results_command(env: Environment, slug: str, position: int, advance_top: int | None,
                    advance_threshold: float | None) -> None:
    """Print the ranking (normalised and raw); optionally advance to the next round."""
    from episodes.contest import get_contest, get_round
    from episodes.db import transaction
    from episodes.judging import advance
    from episodes.results import raw_only, standings
    from episodes.scoring import MIN_ENTRIES_PER_JUDGE

    with transaction(sessions(env)) as session:
        contest = get_contest(session, slug)
        round_ = get_round(contest, position)
        fewest = raw_only(session, contest, round_)
        if fewest is not None:
            click.echo(f"ranked by raw mean: a judge scored only {fewest} entr{'y' if fewest == 1 else 'ies'} "
                       f"(normalising needs at least {MIN_ENTRIES_PER_JUDGE} per judge to tell a "
                       "strict judge from weak entries)")
        click.echo("rank\tcode\tnormalised\traw\tjudges\ttied\ttitle\tentrant")
        for s in standings(session, contest, round_):
            r = s.ranked
            normalised = "-" if r.normalised is None else f"{r.normalised:.2f}"
            click.echo(f"{r.rank}\t{s.submission.code}\t{normalised}\t{r.raw:.2f}\t{r.judges}\t"
                       f"{'tie' if r.tied else ''}\t{s.submission.title}\t{s.submission.entrant_name}")
        if advance_top is not None or advance_threshold is not None:
            moved = advance(session, contest, round_, advance_top, advance_threshold)
            click.echo(f"advanced {len(moved)}: " + " ".join(s.code for s in moved))


@contest_group.command("export")
@click.argument("slug")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@round_option
@pass_environment
def export_command(env: Environment, slug: str, folder: Path, position: int) -> None:
    """Write the round's ranking and all scores to FOLDER as CSV and XLSX."""
    from episodes.contest import get_contest, get_round
    from episodes.db import transaction
    from episodes.results import ranking_table, scores_table, to_csv, to_xlsx
    from studio.files import write_bytes, write_text

    with transaction(sessions(env)) as session:
        contest = get_contest(session, slug)
        round_ = get_round(contest, position)
        ranking, scores = ranking_table(session, contest, round_), scores_table(session, contest, round_)
    stem = folder / f"{slug}-round{position}"
    write_text(stem.with_name(stem.name + "-ranking.csv"), to_csv(ranking))
    write_text(stem.with_name(stem.name + "-scores.csv"), to_csv(scores))
    write_bytes(stem.with_suffix(".xlsx"), to_xlsx([ranking, scores]))
    click.echo(f"wrote {stem}-ranking.csv, {stem}-scores.csv, {stem}.xlsx")


@contest_group.command("backup")
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@pass_environment
def backup_command(env: Environment, target: Path) -> None:
    """Copy the live catalog (accounts, contests, scores, audit log) to TARGET, safely while
    the site runs."""
    from studio import backup

    backup.backup(ready_engine(env), target)
    click.echo(f"backed up the catalog to {target}")


@contest_group.command("restore")
@click.argument("source", type=click.Path(dir_okay=False, path_type=Path))
@click.confirmation_option(prompt="Replace the live catalog with this backup?")
@pass_environment
def restore_command(env: Environment, source: Path) -> None:
    """Replace the live catalog with the backup SOURCE (checked first)."""
    from studio import backup

    backup.restore(ready_engine(env), source)
    click.echo(f"restored the catalog from {source}")

