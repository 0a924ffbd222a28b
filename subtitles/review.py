"""The reviewed transcript: every revision of an episode's captions, who made it, and
which revision was approved.

Human edits are the source of truth for everything published, so they are never
overwritten: each save is a new :class:`Revision` on top of the one the editor
started from, and saving over a newer revision is refused as a
:class:`RevisionConflict` naming who saved it (nothing is lost: the refused cues
come back in the error for the editor to merge). The machine's text is revision 1;
a script alignment or a subtitle file edited in Aegisub or Subtitle Edit is just
another revision with its source recorded.

Pure data: the work folder (``review.json``) and the catalog store the same JSON.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Iterable, Sequence

from subtitles.cue import Cue
from subtitles.errors import SubtitleError

FORMAT_VERSION = 1
#: Where a revision came from.
SOURCES = ("machine", "script", "browser", "editor", "revert", "import")
#: A cue longer than this is a paste gone wrong, not a caption.
MAX_CUE_CHARS = 200


class RevisionConflict(SubtitleError):
    """Someone saved a newer revision since the editor opened theirs."""

    def __init__(self, problem: str, path: object = None, *, mine: tuple[Cue, ...] = (),
                 theirs: "Revision | None" = None):
        super().__init__(problem, path)
        self.mine = mine
        self.theirs = theirs


@dataclass(frozen=True)
class PrivateSpan:
    """Audio a caller must not be heard or read in (a name, a phone number):
    muted in every render, its words kept out of captions, transcript and search."""
    start_ms: int
    end_ms: int
    note: str = ""


@dataclass(frozen=True)
class Revision:
    number: int
    author: str
    created_at: str  # ISO 8601, UTC
    source: str
    cues: tuple[Cue, ...]
    private: tuple[PrivateSpan, ...] = ()
    note: str = ""
    #: Plain-language wording staff chose for a cue (verbatim text, plain text), e.g. to
    #: keep the official term where the glossary would rewrite it (保留规范说法). Keyed by
    #: the cue's text, so editing the cue drops the choice with the text it was made for.
    plain_choices: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        return "".join(cue.text for cue in self.cues)


@dataclass(frozen=True)
class Approval:
    revision: int
    by: str
    at: str
    unreviewed: bool = False  # published without review (``--unreviewed``), recorded as such


@dataclass(frozen=True)
class ReviewLog:
    revisions: tuple[Revision, ...] = ()
    approvals: tuple[Approval, ...] = field(default=())

    @property
    def current(self) -> Revision | None:
        return self.revisions[-1] if self.revisions else None

    @property
    def approved(self) -> Revision | None:
        """The latest revision that was approved: what the public may see."""
        numbers = {approval.revision for approval in self.approvals if not approval.unreviewed}
        return next((r for r in reversed(self.revisions) if r.number in numbers), None)

    @property
    def is_approved(self) -> bool:
        """True when the current text is the approved text."""
        return self.current is not None and self.approved is not None \
            and self.approved.number == self.current.number

    @property
    def has_human_edits(self) -> bool:
        return any(r.source not in ("machine",) for r in self.revisions)

    def revision(self, number: int) -> Revision:
        for revision in self.revisions:
            if revision.number == number:
                return revision
        raise SubtitleError(f"there is no revision {number} (latest is "
                            f"{self.current.number if self.current else 0})")

    def commit(self, base: int, cues: Sequence[Cue], author: str, source: str, at: str,
               private: Iterable[PrivateSpan] | None = None, note: str = "",
               path: object = None,
               plain_choices: Iterable[tuple[str, str]] | None = None) -> "ReviewLog":
        """A new log with ``cues`` saved as the next revision, made on top of ``base``.

        Refuses with :class:`RevisionConflict` when ``base`` is not the current
        revision: someone else saved in between. Saving text identical to the current
        revision changes nothing.
        """
        if source not in SOURCES:
            raise SubtitleError(f"unknown revision source {source!r}", path)
        cues = tuple(cues)
        validate_cues(cues, path)
        current = self.current
        latest = current.number if current else 0
        if base != latest:
            who = f"{current.author} at {current.created_at}" if current else "nobody"
            raise RevisionConflict(
                f"revision {latest} was saved by {who} after you opened revision {base}; "
                "your changes were not saved: reload and apply them again", path,
                mine=cues, theirs=current)
        spans = tuple(private) if private is not None else (current.private if current else ())
        choices = tuple((str(a), str(b)) for a, b in plain_choices) if plain_choices is not None \
            else (current.plain_choices if current else ())
        if current and (current.cues, current.private, current.plain_choices) == (cues, spans, choices):
            return self
        revision = Revision(latest + 1, author, at, source, cues, spans, note, choices)
        return replace(self, revisions=(*self.revisions, revision))

    def approve(self, by: str, at: str, unreviewed: bool = False) -> "ReviewLog":
        if self.current is None:
            raise SubtitleError("there is nothing to approve yet")
        return replace(self, approvals=(*self.approvals, Approval(self.current.number, by, at, unreviewed)))

    def to_json(self) -> str:
        return json.dumps({"format_version": FORMAT_VERSION,
                           "revisions": [_revision_data(r) for r in self.revisions],
                           "approvals": [vars(a) for a in self.approvals]},
                          ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str, path: object = None) -> "ReviewLog":
        try:
            data = json.loads(text)
            if not isinstance(data, dict) or data.get("format_version") != FORMAT_VERSION:
                raise ValueError("not a review log of format version 1")
            revisions = tuple(
                Revision(int(r["number"]), str(r["author"]), str(r["created_at"]), str(r["source"]),
                         tuple(Cue(int(c["start_ms"]), int(c["end_ms"]), tuple(map(str, c["lines"])))
                               for c in r["cues"]),
                         tuple(PrivateSpan(int(p["start_ms"]), int(p["end_ms"]), str(p.get("note", "")))
                               for p in r.get("private", ())),
                         str(r.get("note", "")),
                         tuple((str(a), str(b)) for a, b in r.get("plain_choices", ())))
                for r in data["revisions"])
            approvals = tuple(Approval(int(a["revision"]), str(a["by"]), str(a["at"]),
                                       bool(a.get("unreviewed", False))) for a in data["approvals"])
        except (ValueError, KeyError, TypeError, RecursionError) as exc:
            raise SubtitleError(f"not a review log ({exc})", path) from exc
        return cls(revisions, approvals)


def _revision_data(revision: Revision) -> dict:
    return {"number": revision.number, "author": revision.author, "created_at": revision.created_at,
            "source": revision.source, "note": revision.note,
            "cues": [{"start_ms": c.start_ms, "end_ms": c.end_ms, "lines": list(c.lines)}
                     for c in revision.cues],
            "private": [vars(p) for p in revision.private],
            "plain_choices": [list(pair) for pair in revision.plain_choices]}


class CueProblem(SubtitleError):
    """A cue the review log refuses; ``rule`` ("times", "overlap" or "length") and
    ``cue`` (1-based) let the workspace say it in the staff's language."""

    def __init__(self, problem: str, path: object = None, *, cue: int, rule: str):
        super().__init__(problem, path)
        self.cue, self.rule = cue, rule


def validate_cues(cues: Sequence[Cue], path: object = None) -> None:
    """Times that run forwards without overlap, and text of caption length."""
    previous_end = 0
    for number, cue in enumerate(cues, start=1):
        where = f"cue {number}"
        if cue.start_ms < 0 or cue.end_ms <= cue.start_ms:
            raise CueProblem(f"{where} must end after it starts, at or after 0 "
                             f"({cue.start_ms} ms to {cue.end_ms} ms)", path, cue=number, rule="times")
        if cue.start_ms < previous_end:
            raise CueProblem(f"{where} starts at {cue.start_ms} ms, before cue {number - 1} "
                             f"ends ({previous_end} ms)", path, cue=number, rule="overlap")
        if len(cue.text) > MAX_CUE_CHARS:
            raise CueProblem(f"{where} has {len(cue.text)} characters (at most {MAX_CUE_CHARS})", path,
                             cue=number, rule="length")
        previous_end = cue.end_ms


@dataclass(frozen=True)
class CueChange:
    """One difference between two revisions, for the history view and re-transcription."""
    kind: str  # "changed", "added", "removed"
    before: Cue | None
    after: Cue | None


def diff(before: Sequence[Cue], after: Sequence[Cue]) -> list[CueChange]:
    """Cue-level differences (text or times), in order."""
    import difflib

    def key(cue: Cue) -> tuple:
        return cue.start_ms, cue.end_ms, cue.text

    matcher = difflib.SequenceMatcher(a=[key(c) for c in before], b=[key(c) for c in after],
                                      autojunk=False)
    changes: list[CueChange] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        old, new = list(before[i1:i2]), list(after[j1:j2])
        for index in range(max(len(old), len(new))):
            a = old[index] if index < len(old) else None
            b = new[index] if index < len(new) else None
            changes.append(CueChange("changed" if a and b else "removed" if a else "added", a, b))
    return changes


@dataclass(frozen=True)
class MergeConflict:
    """Cues both sides changed differently: the merge kept ``theirs`` (already saved,
    at ``position`` in the merged cues) and hands back ``mine`` for the editor to resolve."""
    position: int
    theirs: tuple[Cue, ...]
    mine: tuple[Cue, ...]


def merge(base: Sequence[Cue], theirs: Sequence[Cue], mine: Sequence[Cue]) -> tuple[tuple[Cue, ...], list[MergeConflict]]:
    """Three-way merge per cue, for re-applying an edit made on ``base`` after someone
    saved ``theirs`` on top of it: every cue only one side changed takes that side's
    change; where both changed the same cues differently, theirs stays and mine is
    returned as a conflict, so neither edit is lost. Edits to neighbouring cues do not
    conflict (a line-based diff3 would call them one clash)."""
    import difflib

    def key(cue: Cue) -> tuple:
        return cue.start_ms, cue.end_ms, cue.text

    def hunks(side: str, other: Sequence[Cue]) -> list[tuple[int, int, str, list[Cue]]]:
        """One side's changes to ``base``; a run of cues edited one for one is split per
        cue, so that side's neighbouring edits are merged independently."""
        matcher = difflib.SequenceMatcher(a=[key(c) for c in base], b=[key(c) for c in other], autojunk=False)
        out = []
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag == "replace" and i2 - i1 == j2 - j1:
                out += [(i1 + k, i1 + k + 1, side, [other[j1 + k]]) for k in range(i2 - i1)]
            elif tag != "equal":
                out.append((i1, i2, side, list(other[j1:j2])))
        return out

    def version(start: int, end: int, side_hunks: list) -> list[Cue]:
        """base[start:end] with one side's hunks (all inside that range) applied."""
        out, at = [], start
        for i1, i2, _, cues in side_hunks:
            out += list(base[at:i1]) + cues
            at = i2
        return out + list(base[at:end])

    # Group the hunks of both sides into clusters of those touching the same base cues.
    clusters: list[list] = []
    for hunk in sorted(hunks("theirs", theirs) + hunks("mine", mine), key=lambda h: (h[0], h[1])):
        if clusters:
            lo, hi = clusters[-1][0][0], max(h[1] for h in clusters[-1])
            if hunk[0] < hi or hunk[0] == lo:
                clusters[-1].append(hunk)
                continue
        clusters.append([hunk])
    merged: list[Cue] = []
    conflicts: list[MergeConflict] = []
    at = 0
    for cluster in clusters:
        lo, hi = cluster[0][0], max(h[1] for h in cluster)
        merged += base[at:lo]
        ours = version(lo, hi, [h for h in cluster if h[2] == "theirs"])
        mines = version(lo, hi, [h for h in cluster if h[2] == "mine"])
        if {h[2] for h in cluster} == {"theirs", "mine"} and ours != mines:
            conflicts.append(MergeConflict(len(merged), tuple(ours), tuple(mines)))
        merged += ours if {h[2] for h in cluster} != {"mine"} else mines
        at = hi
    return tuple(merged) + tuple(base[at:]), conflicts
