"""Chinese subtitle text: display width, Chinese-TV display style, reading length.

Chinese TV shows no commas or full stops in subtitles: each becomes a space. Width
counts characters, not bytes, and a half-width character counts half.
"""
from __future__ import annotations

import functools
import re
import unicodedata

# Replaced by a space in display style; ？！《》“” and 、：stay.
_PAUSE_MARKS = "，。；,.;"
CLOSING_QUOTES = "”’」』）)"
_SPACES = re.compile(r"\s+")
TITLE = re.compile(r"《[^《》]*》")


def char_width(char: str) -> float:
    """1 for full-width (and East-Asian ambiguous, as CJK fonts draw them), else 0.5."""
    return 1.0 if unicodedata.east_asian_width(char) in "WFA" else 0.5


@functools.lru_cache(maxsize=16384)  # the line breaker measures the same words over and over
def display_width(text: str) -> float:
    """Width on screen in full-width characters: ``display_width("办理App") == 3.5``."""
    return sum(char_width(char) for char in text)


def has_words(text: str) -> bool:
    """False for text that is only punctuation and spaces: nothing to show on its own."""
    return any(char.isalnum() for char in text)


def reading_length(text: str) -> int:
    """Characters a viewer reads, spaces not counted (the base of the cps rule)."""
    return sum(1 for char in text if not char.isspace())


def _is_pause_mark(text: str, index: int) -> bool:
    """A comma or full stop, but not the ASCII one inside "3.5", "1,000" or "Amara.org",
    nor a stop that is part of an ellipsis ("..." or "。。。"), which is kept as written."""
    char = text[index]
    if char not in _PAUSE_MARKS:
        return False
    if char in ".。" and char in (text[index - 1:index], text[index + 1:index + 2]):
        return False
    if char in ",." and 0 < index < len(text) - 1:
        before, after = text[index - 1], text[index + 1]
        return not (before.isascii() and before.isalnum() and after.isascii() and after.isalnum())
    return True


def _outside_titles(text: str, rewrite) -> str:
    """``rewrite`` applied to the text between 《titles》; titles are never rewritten."""
    parts = re.split(f"({TITLE.pattern})", text)  # titles at odd positions
    return "".join(part if i % 2 else rewrite(part) for i, part in enumerate(parts))


def pauses_as_spaces(text: str) -> str:
    """Commas and full stops become spaces (not in numbers, not inside 《titles》);
    before a closing quote they just go: “好的。” shows as “好的”."""
    return _outside_titles(text, lambda part: "".join(
        _pause_shown(part, i) if _is_pause_mark(part, i) else char for i, char in enumerate(part)))


def _pause_shown(text: str, index: int) -> str:
    return "" if text[index + 1:index + 2] in tuple(CLOSING_QUOTES) else " "


def display_style(text: str) -> str:
    """Chinese-TV display style: ``display_style("您好，请取号。") == "您好 请取号"``.

    Runs of spaces become one; text inside 《titles》 is never rewritten.
    """
    return _outside_titles(text, lambda part: _SPACES.sub(" ", pauses_as_spaces(part))).strip()


def join_lines(lines: tuple[str, ...] | list[str]) -> str:
    """Lines back into one text; a space only where two half-width (Latin) pieces meet,
    so "Yeah!" and "babibabi" stay two words while Chinese lines join without one."""
    text = ""
    for line in (line.strip() for line in lines):
        latin_seam = text and line and char_width(text[-1]) == char_width(line[0]) == 0.5
        text += (" " if latin_seam else "") + line
    return text
