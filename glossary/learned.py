"""Corrections staff taught the correction step: a heard form and what it should read.

When a reviewer's edit replaces a misheard form of a glossary term (趋司法局 → 区司法局,
以往通办 → 一网通办), or staff mark a correction as recurring (以后自动改), the heard form
is recorded here with who and when, and every later transcript is corrected the same
way by :func:`glossary.correct.correct` (with the safeguards it applies to every
correction: never inside a 《title》, never on a term already right, never inside a
longer word, so 中午 taught as a heard form is still left alone in 中午饭).

The office's learned corrections live in one CSV file in the instance folder
(:func:`path_in`), beside the catalog: the shipped term base is read-only and the
office's own term base may sit in a shared, read-only folder, while the instance
folder is where the site and the CLI both may write. The file opens in Excel like
the term base. Undoing a correction keeps its row, marked undone, so the list shows
what was taught and taken back. Writes hold a lock and replace the file atomically,
so two browsers teaching at once both land and a crash leaves the old file whole.

>>> glossary = attach(load_default(), tmp / "instance")  # doctest: +SKIP
>>> learn(path_in(tmp / "instance"), "趋司法局", "区司法局", by="wang")  # doctest: +SKIP
"""
from __future__ import annotations

import contextlib
import csv
import difflib
import fcntl
import io
import os
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator, Sequence

from glossary.correct import heard_as
from glossary.errors import GlossaryError
from glossary.match import find_normalized
from glossary.normalize import to_simplified
from glossary.rows import decode
from glossary.termbase import Glossary
from glossary.validate import formula_problem
from subtitles.spreadsheet import spreadsheet_safe

FILE_NAME = "learned-corrections.csv"
COLUMNS = ("id", "heard", "after", "reason", "by", "at", "undone_by", "undone_at")
REASONS = ("review", "recurring")  # replaced a misheard term / staff said 以后自动改
BOM = "\ufeff"  # so Excel and WPS open the file as UTF-8
MIN_HEARD, MAX_TEXT = 2, 50  # one character would be corrected everywhere it stands


@dataclass(frozen=True)
class LearnedCorrection:
    """``heard`` becomes ``after`` in later transcripts, until undone."""

    id: int
    heard: str
    after: str
    reason: str
    by: str
    at: str  # ISO 8601, UTC
    undone_by: str = ""
    undone_at: str = ""

    @property
    def active(self) -> bool:
        return not self.undone_at


@dataclass(frozen=True)
class Taught:
    """A stretch of a cue edit: ``heard`` was replaced by the glossary term ``after``."""

    heard: str
    after: str
    term: str


def path_in(instance_path: Path | str) -> Path:
    """The learned-corrections file of the office whose instance folder is ``instance_path``."""
    return Path(instance_path) / FILE_NAME


def loads(text: str, path: object = "<string>") -> tuple[LearnedCorrection, ...]:
    """Parse the CSV text; a broken row is an error naming the file and line."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is not None and tuple(reader.fieldnames) != COLUMNS:
        raise GlossaryError(f"learned corrections need the columns {', '.join(COLUMNS)}", path, 1)
    found = []
    try:
        for row in reader:
            if None in row or not row["id"].isdecimal():
                raise GlossaryError("broken learned-correction row (id must be a number, "
                                    f"{len(COLUMNS)} columns)", path, reader.line_num)
            found.append(LearnedCorrection(int(row["id"]), *(row[c] for c in COLUMNS[1:])))
    except csv.Error as exc:
        raise GlossaryError(f"broken CSV ({exc})", path, reader.line_num) from exc
    return tuple(found)


def dumps(corrections: Sequence[LearnedCorrection]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for c in corrections:
        writer.writerow(map(spreadsheet_safe, (c.id, c.heard, c.after, c.reason, c.by, c.at,
                                               c.undone_by, c.undone_at)))
    return out.getvalue()


def load(path: Path | str) -> tuple[LearnedCorrection, ...]:
    """Every correction in the file, undone ones included; none when there is no file yet."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return ()
    except OSError as exc:
        raise GlossaryError(f"cannot read learned corrections ({exc.strerror})", path) from exc
    return loads(decode(data, path), path)


def attach(glossary: Glossary, instance_path: Path | str) -> Glossary:
    """``glossary`` with the office's active learned corrections, for the correction step."""
    return glossary.with_corrections(load(path_in(instance_path)))


def learn(path: Path | str, heard: str, after: str, by: str, reason: str = "recurring",
          now: datetime | None = None) -> LearnedCorrection:
    """Record that ``heard`` should read ``after`` from now on; returns the record.

    Teaching the same correction again returns the active record unchanged; teaching
    ``heard`` another ``after`` undoes the earlier one (the latest teaching wins).
    """
    heard, after = _checked(heard, after, reason)
    with _locked(Path(path)) as (current, save):
        same = next((c for c in current if c.active and c.heard == heard), None)
        if same and same.after == after:
            return same
        stamp = _stamp(now)
        kept = [replace(c, undone_by=by, undone_at=stamp) if c is same else c for c in current]
        record = LearnedCorrection(max((c.id for c in current), default=0) + 1, heard, after, reason,
                                   by, stamp)
        save([*kept, record])
    return record


def undo(path: Path | str, correction_id: int, by: str, now: datetime | None = None) -> LearnedCorrection:
    """Stop applying correction ``correction_id``; its row stays, marked undone by ``by``."""
    with _locked(Path(path)) as (current, save):
        found = next((c for c in current if c.id == correction_id), None)
        if found is None:
            raise GlossaryError(f"no learned correction {correction_id} (see 'studio glossary corrections')",
                                path)
        if not found.active:
            raise GlossaryError(f"learned correction {correction_id} was already undone by "
                                f"{found.undone_by} at {found.undone_at}", path)
        undone = replace(found, undone_by=by, undone_at=_stamp(now))
        save([undone if c is found else c for c in current])
    return undone


def misheard_terms(before: str, after: str, glossary: Glossary) -> list[Taught]:
    """Stretches a cue edit replaced whose old form sounds like the glossary term it became.

    The web calls this when a cue edit is saved and records each with :func:`learn`
    (reason ``"review"``). Only same-length pinyin look-alikes count (what the
    recogniser mishears), judged by the correction step's own candidate search at the
    suggestion level, and never an ordinary word: a reviewer who turns 中午 into a term
    once did not mean every 中午.
    """
    before, after = to_simplified(before), to_simplified(after)
    taught = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, before, after, autojunk=False).get_opcodes():
        if tag != "replace" or i2 - i1 != j2 - j1:
            continue
        for match in find_normalized(after, glossary):
            if match.start <= j1 and j2 <= match.end:
                heard = before[i1 - (j1 - match.start):i2 + (match.end - j2)]
                if heard_as(heard, match.surface, glossary):
                    taught.append(Taught(heard, match.surface, match.term.term))
    return taught


def learn_from_edit(path: Path | str, before: str, after: str, glossary: Glossary, by: str,
                    now: datetime | None = None) -> list[LearnedCorrection]:
    """Record every misheard term a saved edit fixed (reason ``"review"``); returns them.

    What the workspace calls when staff save: ``before`` and ``after`` are a cue's
    text before and after the edit (or a whole revision's cue texts joined with new
    lines, when cues were split or merged).

    >>> learn_from_edit(path, "通过以往通办申请", "通过一网通办申请", glossary, "wang")  # doctest: +SKIP
    [LearnedCorrection(id=1, heard='以往通办', after='一网通办', reason='review', ...)]
    """
    return [learn(path, found.heard, found.after, by, "review", now)
            for found in misheard_terms(before, after, glossary)]


def _checked(heard: str, after: str, reason: str) -> tuple[str, str]:
    heard, after = to_simplified(heard.strip()), to_simplified(after.strip())
    problem = (
        f"the heard form needs {MIN_HEARD} to {MAX_TEXT} characters, not {len(heard)}"
        if not MIN_HEARD <= len(heard) <= MAX_TEXT else
        f"the correction needs 1 to {MAX_TEXT} characters, not {len(after)}"
        if not 1 <= len(after) <= MAX_TEXT else
        "text on several lines cannot be a correction" if "\n" in heard + after or "\r" in heard + after else
        f"{heard!r} is already {after!r}" if heard == after else
        f"{after!r} contains {heard!r}: it would be corrected again on every run" if heard in after else
        f"reason must be one of {', '.join(REASONS)}" if reason not in REASONS else
        formula_problem("heard", heard) or formula_problem("correction", after))
    if problem:
        raise GlossaryError(problem)
    return heard, after


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[tuple[tuple[LearnedCorrection, ...], object]]:
    """Read the file under an exclusive lock; ``save(records)`` replaces it atomically."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock = open(path.with_name(path.name + ".lock"), "a")
    except OSError as exc:
        raise GlossaryError(f"cannot write learned corrections ({exc.strerror})", path) from exc
    with lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield load(path), lambda records: _replace_file(path, BOM + dumps(records))


def _replace_file(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
            out.write(text)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise GlossaryError(f"cannot write learned corrections ({exc.strerror})", path) from exc


def _stamp(now: datetime | None) -> str:
    return (now or datetime.now(timezone.utc)).astimezone(timezone.utc).isoformat(timespec="seconds")
