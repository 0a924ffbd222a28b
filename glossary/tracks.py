"""The plain-language subtitle track: the verbatim cues with the glossary applied.

Cue count and start times are those of the verbatim track, always. When a longer
plain wording makes a cue too fast to read or too long for its lines, the cue
first borrows time from the gap after it (keeping the profile's minimum gap);
if that is not enough, the longest rewrites in that cue fall back to the term
itself, one at a time. Every borrowing and fallback is reported.

Terms in ``explain`` mode are explained at their first mention in the episode
(一网通办（网上一站办）). When that explanation does not fit its cue, the term stays
bare there and the explanation goes to the next cue, which a viewer reads right
after the name: as that cue's own first mention if it names the term, else as an
aside before its text, （一网通办：网上一站办）, if the cue still fits with it. Failing
both, a later mention explains it; a term the episode never gets to explain is
listed in ``unexplained``, for the episode's term page.

Staff may choose a cue's plain wording in review (保留规范说法). The choice is applied
where the cue is rewritten, so the cue keeps what the track puts in it besides its own
words: an aside explaining the cue before, the borrowing and fallbacks that make it fit.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Collection, Mapping

from glossary.lines import cue_text, line_units
from glossary.rewrite import Change, Place, Rewrite, kept_places, rewrite
from glossary.termbase import Glossary, Term
from subtitles.check import check, required_ms
from subtitles.cue import Cue
from subtitles.linebreak import break_lines
from subtitles.profiles import Profile
from subtitles.text import display_style

FIT_RULES = ("lines", "line-width", "split-word", "cps")  # what a rewrite can break


@dataclass(frozen=True)
class Fallback:
    cue: int  # 1-based, as players number cues
    start_ms: int
    action: str  # "borrowed", "kept-term", "unfit", "explain-later" or "explained-aside"
    detail: str


@dataclass(frozen=True)
class PlainTrack:
    cues: list[Cue]
    changes: list[tuple[int, Change]]  # (1-based cue number, change)
    fallbacks: list[Fallback]
    introduced: set[str] = field(default_factory=set)  # explained in the track so far
    unexplained: list[str] = field(default_factory=list)  # explain on the term page instead
    due: set[str] = field(default_factory=set, repr=False)  # explanations that were due
    carried: list[Term] = field(default_factory=list, repr=False)  # for the next cue to explain


def plain_track(cues: list[Cue], glossary: Glossary, profile: Profile,
                keep: Mapping[int, Collection[Place]] | None = None,
                chosen: Mapping[int, str] | None = None) -> PlainTrack:
    """Rewrite every cue; same number of cues, same start times, ends only into gaps.

    ``keep`` maps a cue's index in ``cues`` (from 0) to the places in its text where
    staff kept the official wording (see :func:`glossary.rewrite.rewrite`). ``chosen``
    maps a cue's index to the plain wording staff chose for it in review: read back as
    kept places when it is the cue's rewrite with some kept
    (:func:`glossary.rewrite.kept_places`), else used as the cue's own words as written;
    either way the cue still takes an aside the cue before it carries.

    >>> plain_track([Cue(0, 3000, ("窗口可以容缺受理",))], load_default(), get_profile("broadcast-zh")).cues[0].lines  # doctest: +SKIP
    ('窗口可以收件后补材料',)
    """
    track = PlainTrack([], [], [])
    for index, cue in enumerate(cues):
        limit = cues[index + 1].start_ms - profile.min_gap_ms if index + 1 < len(cues) \
            else cue.start_ms + profile.max_duration_ms
        places, wording = (keep or {}).get(index, ()), (chosen or {}).get(index)
        if wording is not None and (kept := kept_places(cue.text, wording, glossary)) is not None:
            places, wording = {*places, *kept}, None
        _plain_cue(track, index + 1, cue, max(cue.end_ms, limit), glossary, profile, places, wording)
    track.unexplained.extend(sorted(track.due - track.introduced))
    return track


def _plain_cue(track: PlainTrack, number: int, cue: Cue, limit_ms: int, glossary: Glossary,
               profile: Profile, keep: Collection[Place], wording: str | None = None) -> None:
    """Append cue ``number``'s plain version, its changes and any fallbacks to ``track``;
    ``wording``: staff's own words for the cue, used unrewritten."""
    units = line_units(glossary)
    result = rewrite(cue_text(cue, profile, units), glossary, keep=keep, introduced=track.introduced) \
        if wording is None else Rewrite(wording, ())
    allowed = _broken(cue, profile, units)  # what the verbatim cue already breaks is not our doing
    changes = sorted(result.changes, key=lambda c: len(c.before) - len(c.after))
    while True:
        text = _apply(result.text, changes, result.changes)
        candidate = _fitted(cue, text, limit_ms, profile, units)
        broken = _broken(candidate, profile, units) - allowed
        if not broken or not changes:
            break
        reverted = changes.pop(0)
        track.fallbacks.append(Fallback(
            number, cue.start_ms, "explain-later" if reverted.introduces else "kept-term",
            f"kept {reverted.before!r} instead of {reverted.after!r}"))
    if broken:
        track.fallbacks.append(Fallback(number, cue.start_ms, "unfit", ", ".join(sorted(broken))))
    track.introduced.update(change.term for change in changes if change.introduces)
    if not broken:
        candidate = _with_asides(track, number, cue, text, candidate, limit_ms, profile, units)
    if candidate.end_ms > cue.end_ms:
        track.fallbacks.append(Fallback(number, cue.start_ms, "borrowed",
                                        f"{candidate.end_ms - cue.end_ms} ms from the gap after it"))
    track.cues.append(candidate)
    track.changes.extend((number, change) for change in changes)
    track.carried[:] = [glossary.get(change.term) for change in result.changes
                        if change.introduces and change not in changes]
    track.due.update(change.term for change in result.changes if change.introduces)
    track.due.update(skip.change.term for skip in result.skipped
                                    if skip.change.introduces)


def _with_asides(track: PlainTrack, number: int, cue: Cue, text: str, laid: Cue, limit_ms: int,
                 profile: Profile, units: frozenset[str]) -> Cue:
    """``laid`` (the cue's ``text`` laid out) with the explanations the cue before could
    not hold put first, （行政复议：对政府决定的复查）, each only where the cue then breaks
    no rule at all (extra text must not make a cue that is already too fast worse);
    a term this cue names is explained at that mention instead."""
    asides = ""
    for term in track.carried:
        if term.term in track.introduced:
            continue
        candidate = _fitted(cue, asides + term.aside + text, limit_ms, profile, units)
        if _broken(candidate, profile, units):
            continue
        asides, laid = asides + term.aside, candidate
        track.introduced.add(term.term)
        track.fallbacks.append(Fallback(number, cue.start_ms, "explained-aside",
                                        f"explained {term.term!r} from the cue before"))
    return laid


def _apply(plain: str, kept: list[Change], all_changes: tuple[Change, ...]) -> str:
    """Rebuild the cue text with only the ``kept`` changes; the rest stay as the term."""
    pieces, position, shift = [], 0, 0
    for change in all_changes:
        start = change.start + shift
        shift += len(change.after) - (change.end - change.start)
        if change not in kept:
            pieces += [plain[position:start], change.before]
            position = start + len(change.after)
    return "".join(pieces) + plain[position:]


def _laid_out(cue: Cue, text: str, end_ms: int, profile: Profile, units: frozenset[str]) -> Cue:
    """``text`` broken into lines, never inside a term or a plain wording (``units``)
    unless keeping them whole would take more lines than the profile allows."""
    styled = display_style(text)
    lines = break_lines(styled, profile, units)
    if len(lines) > profile.max_lines:
        lines = break_lines(styled, profile)
    return Cue(cue.start_ms, end_ms, lines)


def _fitted(cue: Cue, text: str, limit_ms: int, profile: Profile, units: frozenset[str]) -> Cue:
    """``text`` laid out in the cue, its end moved later (up to ``limit_ms``) if needed to read it."""
    laid = _laid_out(cue, text, cue.end_ms, profile, units)
    needed = cue.start_ms + required_ms(laid, profile)
    return laid if needed <= cue.end_ms else laid.shifted(end_ms=min(needed, limit_ms))


def _broken(cue: Cue, profile: Profile, units: frozenset[str]) -> set[str]:
    return {v.rule for v in check([cue], profile, units) if v.rule in FIT_RULES}
