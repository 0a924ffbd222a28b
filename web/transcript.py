"""The transcript as the episode page shows it: cues split around glossary terms.

Each term occurrence becomes a ``<details>`` disclosure whose explanation opens in
place (tap, Enter, or keyboard focus with ``site.js``), beside the playing video, with
a touch screen, a screen reader and without JavaScript; the 术语解释 list under the
transcript repeats them all. Text stays plain strings here; Jinja escapes it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from glossary import Glossary, Term
from glossary.match import find_terms


@dataclass(frozen=True)
class Line:
    """One cue: its start and its text as (piece, term number or None) parts."""

    start_ms: int
    parts: list[tuple[str, int | None]]


@dataclass
class Transcript:
    lines: list[Line] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)  # numbered in order of first use


def transcript_lines(cues: tuple[tuple[int, str], ...], glossary: Glossary) -> Transcript:
    """Split every (start_ms, text) cue around the glossary terms it contains,
    numbering each term once. Pure, so the site can cache it per transcript.

    The matcher runs once over all cues joined by newlines (no term contains one),
    which costs a fraction of one call per cue.
    """
    transcript, numbers = Transcript(), {}
    matches = iter(find_terms("\n".join(text for _, text in cues), glossary))
    match, offset = next(matches, None), 0
    for start_ms, text in cues:
        parts, position = [], 0
        while match is not None and match.end <= offset + len(text):
            number = numbers.setdefault(match.term.term, len(numbers))
            if number == len(transcript.terms):
                transcript.terms.append(match.term)
            parts += [(text[position:match.start - offset], None), (match.surface, number)]
            position = match.end - offset
            match = next(matches, None)
        parts.append((text[position:], None))
        transcript.lines.append(Line(start_ms, [p for p in parts if p[0]]))
        offset += len(text) + 1
    return transcript
