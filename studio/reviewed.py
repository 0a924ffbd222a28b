"""The work folder's review log: human edits are the source of truth for every later stage.

``review.json`` holds the :class:`~subtitles.review.ReviewLog`. Revision 1 is the
machine's text (or the script's, when one was aligned); the verbatim tracks are always
written from the current revision, so the plain track, the videos and publishing follow
it. :func:`reconcile` runs in the verbatim stage and makes sure no rerun overwrites an
edit silently:

- a verbatim track edited in a subtitle editor (its fingerprint differs from the one the
  manifest recorded when the pipeline wrote it) becomes a revision (source ``editor``);
- a new machine text (another model, another glossary) replaces an untouched machine
  revision, but never a reviewed one: where it differs is written to
  ``retranscribe-diff.json`` instead;
- an editor edit made while ``review.json`` itself changed (a browser edit written back by
  ``episode.rederive``) is refused, naming both: nothing is overwritten.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Mapping, Sequence

from episodes.library import sha256_of
from studio.errors import StudioError
from studio.files import write_text
from studio.workdir import WorkDir
from subtitles import io as subtitle_io
from subtitles.cue import Cue
from subtitles.review import PrivateSpan, ReviewLog, Revision, diff
from subtitles.transcript import Transcript

TRACK_FORMATS = ("srt", "vtt", "ass")
# Revisions that are what a machine made (the recogniser, or the script aligned to it).
MACHINE_SOURCES = ("machine", "script")


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def load_log(work: WorkDir) -> ReviewLog:
    """``review.json`` of ``work``; an empty log when the folder has none yet."""
    if not work.review.is_file():
        return ReviewLog()
    return ReviewLog.from_json(work.review.read_text(encoding="utf-8"), work.review)


def save_log(work: WorkDir, log: ReviewLog) -> None:
    write_text(work.review, log.to_json())


def private_spans(work: WorkDir) -> tuple[PrivateSpan, ...]:
    """The current revision's private spans: audio every render mutes."""
    current = load_log(work).current
    return current.private if current else ()


@dataclass(frozen=True)
class MachineText:
    """What the machine made of the recording: cues, and who/what to name as their author."""

    cues: tuple[Cue, ...]
    source: str  # "machine" or "script"
    author: str
    note: str = ""


def reconcile(work: WorkDir, machine: MachineText, written: Mapping[str, str]) -> tuple[ReviewLog, list[str]]:
    """The review log after taking in editor edits and the new machine text; saved.

    ``written`` maps output file names to the fingerprints (SHA-256) the manifest
    recorded when the pipeline last wrote them. Returns the log and what to tell the
    user (one line each).
    """
    original = log = load_log(work)
    notes = []
    edited = [path for path in (work.subtitles("verbatim", fmt) for fmt in TRACK_FORMATS)
              if _changed(path, written)]
    if edited:
        imported = _import_edit(work, log, edited, written)
        if imported is not log:  # a file saved again with the same text changes nothing
            notes.append(f"imported your edit of {edited[0].name} as revision {imported.current.number}")
        log = imported
    log, note = _take_machine_text(work, log, machine)
    notes += [note] if note else []
    if log != original:
        save_log(work, log)
    return log, notes


def _changed(path: Path, written: Mapping[str, str]) -> bool:
    return path.name in written and path.is_file() and sha256_of(path) != written[path.name]


def _import_edit(work: WorkDir, log: ReviewLog, edited: list[Path], written: Mapping[str, str]) -> ReviewLog:
    """The one edited track as the next revision (source ``editor``)."""
    if len(edited) > 1:
        raise StudioError(f"{' and '.join(p.name for p in edited)} were all edited since studio wrote "
                          "them; keep the edit in one, put the others back (delete them), and rerun",
                          work.root)
    path = edited[0]
    current = log.current
    if _changed(work.review, written) and current is not None:
        raise StudioError(
            f"was edited in a subtitle editor, and review.json got revision {current.number} "
            f"({current.author}, {current.created_at}) since studio wrote {path.name}: nothing was "
            f"overwritten; keep one: copy your edit into the workspace, or delete {path.name} to "
            "take the workspace's text", path)
    cues = subtitle_io.load(path)  # a damaged file is a one-line SubtitleError naming it
    return log.commit(current.number if current else 0, cues, f"editor ({path.name})", "editor",
                      now_iso(), path=path)


def _take_machine_text(work: WorkDir, log: ReviewLog, machine: MachineText) -> tuple[ReviewLog, str]:
    """A first or changed machine text: a revision if nobody reviewed yet, else a report."""
    baseline = _last_machine_revision(log)
    if baseline is not None and baseline.cues == machine.cues:
        return log, ""
    if log.current is None or _replaceable(log, machine):
        base = log.current.number if log.current else 0
        return log.commit(base, machine.cues, machine.author, machine.source, now_iso(),
                          note=machine.note, path=work.review), ""
    changes = diff(log.current.cues, machine.cues)
    write_text(work.retranscribe_diff, json.dumps(
        {"reviewed_revision": log.current.number, "machine": machine.author,
         "changes": [_change_data(change) for change in changes]}, ensure_ascii=False, indent=1))
    return log, (f"kept the reviewed text (revision {log.current.number}); the new machine text "
                 f"differs in {len(changes)} places, listed in {work.retranscribe_diff.name}")


def _last_machine_revision(log: ReviewLog) -> Revision | None:
    return next((r for r in reversed(log.revisions) if r.source in MACHINE_SOURCES), None)


def _replaceable(log: ReviewLog, machine: MachineText) -> bool:
    """Whether the new machine text may become the current revision: nobody edited or
    approved the text, and it would not put the recogniser's words over a script's (a
    rerun that left out ``--script``)."""
    if log.approvals or any(r.source not in MACHINE_SOURCES for r in log.revisions):
        return False
    return not (log.current.source == "script" and machine.source == "machine")


def _change_data(change) -> dict:
    def cue(c: Cue | None) -> dict | None:
        return None if c is None else {"start_ms": c.start_ms, "end_ms": c.end_ms, "text": c.text}
    return {"kind": change.kind, "reviewed": cue(change.before), "machine": cue(change.after)}



def write_public_transcript(work: WorkDir, spans: Sequence[PrivateSpan]) -> None:
    """``transcript.public.json``: the corrected transcript (words with times and
    probabilities) without a word heard in a private span, for the media library."""
    write_text(work.public_transcript,
               without_private(Transcript.load(work.corrected_transcript), spans).to_json())


def without_private(transcript: Transcript, spans: Sequence[PrivateSpan]) -> Transcript:
    """``transcript`` with every word that overlaps a span left out (and segments left empty)."""
    def private(start_ms: int, end_ms: int) -> bool:
        return any(start_ms < span.end_ms and span.start_ms < end_ms for span in spans)

    segments = []
    for segment in transcript.segments:
        words = tuple(w for w in segment.words if not private(w.start_ms, w.end_ms))
        if words == segment.words:
            segments.append(segment)
        elif words:
            segments.append(replace(segment, text="".join(w.text for w in words), words=words))
    return replace(transcript, segments=segments)
