"""Where a roll-up caption's bottom line breaks: between words, as offline lines do.

Live captions arrive a few characters at a time (the speech model's "words" in Chinese
are often single characters) and fill the bottom line; when the next piece does not fit,
a new bottom line starts. Starting it with the new piece alone would cut the word it
continues (人民调 / 解). So the line is filled again from its start with the pieces a
break may fall between, the atoms of :mod:`subtitles.linebreak` (jieba words, whole
《titles》, Latin runs, the caller's words to ``keep``): the end of the bottom line that
belongs to the same word as the new text moves down with it (/ 人民调解).
"""
from __future__ import annotations

from typing import AbstractSet, Iterator

from subtitles.linebreak import NO_KEEP, atoms
from subtitles.text import display_width


def add_to_line(line: str, text: str, max_width: float, keep: AbstractSet[str] = NO_KEEP) -> tuple[str, ...]:
    """The bottom line ``line`` once ``text`` is added after it: one line when both fit,
    else the lines they now fill, each at most ``max_width`` wide and broken between
    words; the last is the new bottom line. Lines are filled greedily, so a break falls
    as late as a whole word allows and what was on ``line`` stays up unless it starts
    the word ``text`` continues. A word wider than a line is broken between characters.

    >>> add_to_line("今天我们请来了人民调", "解", 10)
    ('今天我们请来了', '人民调解')
    >>> add_to_line("欢迎收看武陵政务直播", "间", 10, {"武陵政务直播间"})
    ('欢迎收看', '武陵政务直播间')
    """
    joined = line + text
    if display_width(joined) <= max_width:
        return (joined,)
    lines, current = [], ""
    for piece in _pieces(joined, max_width, keep):
        if current and display_width(current + piece) > max_width:
            lines.append(current.rstrip())
            current = ""
        if current or not piece.isspace():  # a space where a line breaks is not shown
            current += piece
    return (*lines, current)


def _pieces(text: str, max_width: float, keep: AbstractSet[str]) -> Iterator[str]:
    """The atoms of ``text``; an atom wider than a line comes as its characters."""
    fits = frozenset(word for word in keep if display_width(word) <= max_width)
    for atom in atoms(text, fits):
        yield from atom if display_width(atom) > max_width else (atom,)
