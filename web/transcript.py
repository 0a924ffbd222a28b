"""The transcript as the episode page shows it: cues split around glossary terms.

Each term occurrence becomes a link to a footnote-style 术语解释 list under the
transcript, so the explanation works with a keyboard, a touch screen, a screen reader
and without JavaScript. Text stays plain strings here; Jinja escapes it.
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
    numbering each term once. Pure, so the site can cache it per transcript."""
    transcript = Transcript()
    numbers: dict[str, int] = {}
    for start_ms, text in cues:
        parts, position = [], 0
        for match in find_terms(text, glossary):
            number = numbers.setdefault(match.term.term, len(numbers))
            if number == len(transcript.terms):
                transcript.terms.append(match.term)
            parts += [(text[position:match.start], None), (match.surface, number)]
            position = match.end
        parts.append((text[position:], None))
        transcript.lines.append(Line(start_ms, [p for p in parts if p[0]]))
    return transcript
