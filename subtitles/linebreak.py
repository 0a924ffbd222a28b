"""Chinese line breaking: words stay whole, 《titles》 stay whole, lines come out balanced.

Text is first cut into *atoms*, the pieces a break may fall between: jieba words,
whole 《》 titles, runs of Latin letters and digits ("App", "3.5", "Amara.org"),
each with its closing punctuation attached (no line starts with "，" or "》") and
its opening punctuation attached to what follows (no line ends with "《").
"""
from __future__ import annotations

import functools
import logging
import math
import re

from subtitles.profiles import Profile
from subtitles.text import display_width

_TITLE = re.compile(r"《[^《》]*》")
CLOSING = "，。、；：？！）》」』”’…—～,.;:?!)%"
OPENING = "（《「『“‘("
# Cost of breaking at a boundary: free after a clause or a space, dear inside a phrase.
FREE_BREAK, WORD_BREAK = 0.0, 1.0


@functools.cache
def _jieba():
    """Load jieba's dictionary on first use, without its start-up chatter on stderr."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def _words(text: str) -> list[str]:
    """jieba words, with titles whole and Latin/digit runs ("3.5", "Amara.org") whole."""
    words: list[str] = []
    for part in re.split(f"({_TITLE.pattern})", text):
        if _TITLE.fullmatch(part) or not part:
            words += [part] if part else []
            continue
        for word in _jieba().lcut(part):
            latin = word.isascii() and not word.isspace()
            if latin and words and words[-1].isascii() and not words[-1][-1:].isspace() \
                    and not _TITLE.fullmatch(words[-1]):
                words[-1] += word
            elif word.isspace() and words and words[-1].isspace():
                words[-1] += word
            else:
                words.append(word)
    return words


@functools.lru_cache(maxsize=4096)
def atoms(text: str) -> tuple[str, ...]:
    """The unbreakable pieces of ``text``; ``"".join(atoms(t)) == t``.

    Cached: segmenting and fixing ask for the same texts again and again.

    >>> atoms("请看《民法典》，好吗？")
    ('请', '看', '《民法典》，', '好', '吗？')
    """
    glued: list[str] = []
    pending_open = ""
    for word in _words(text):
        if all(char in CLOSING for char in word) and glued and not glued[-1].isspace():
            glued[-1] += word
        elif all(char in OPENING for char in word):
            pending_open += word
        else:
            glued.append(pending_open + word)
            pending_open = ""
    if pending_open:
        glued.append(pending_open)
    return tuple(glued)


def break_cost(before: str, after: str, profile: Profile) -> float:
    """How much a reader is disturbed by a break between atoms ``before`` and ``after``."""
    if before[-1:].isspace() or after[:1].isspace():
        return FREE_BREAK
    last = before.rstrip()[-1:]
    if last and last in profile.sentence_ends + profile.preferred_breaks:
        return FREE_BREAK
    return WORD_BREAK


@functools.lru_cache(maxsize=4096)
def break_lines(text: str, profile: Profile) -> tuple[str, ...]:
    """Split ``text`` into balanced lines of at most ``profile.max_line_width``.

    Breaks prefer punctuation and spaces, never fall inside a word or a 《title》,
    and may yield more than ``profile.max_lines`` lines (the caller decides what to
    do with a text that is too long). An atom wider than a line gets a line alone.

    >>> break_lines("如果材料暂时不齐全 窗口可以先容缺受理", get_profile("broadcast-zh"))
    ('如果材料暂时不齐全', '窗口可以先容缺受理')
    """
    text = text.strip()
    if display_width(text) <= profile.max_line_width:
        return (text,) if text else ()
    pieces = atoms(text)
    fewest = math.ceil(display_width(text) / profile.max_line_width)
    for count in range(fewest, len(pieces) + 1):
        lines = _best_lines(pieces, count, profile)
        if lines:
            return lines
    return tuple(piece.strip() for piece in pieces if not piece.isspace())


def _best_lines(pieces: tuple[str, ...], count: int, profile: Profile) -> tuple[str, ...] | None:
    """The cheapest way to set ``pieces`` in exactly ``count`` lines, or None if none fits.

    Dynamic programming over (lines set, atoms used); a line costs its squared
    distance from an even share plus the cost of the break that starts it.
    """
    total = len(pieces)
    target = display_width("".join(pieces).strip()) / count
    best: dict[tuple[int, int], tuple[float, int]] = {(0, 0): (0.0, -1)}
    for line in range(1, count + 1):
        for end in range(line, total + 1):
            choices = [(best[line - 1, start][0] + cost, start)
                       for start in range(end) if (line - 1, start) in best
                       and (cost := _line_cost(pieces, start, end, target, profile)) is not None]
            if choices:
                best[line, end] = min(choices)
    if (count, total) not in best:
        return None
    bounds = [total]
    for line in range(count, 0, -1):
        bounds.append(best[line, bounds[-1]][1])
    bounds.reverse()
    return tuple("".join(pieces[a:b]).strip() for a, b in zip(bounds, bounds[1:]))


def _line_cost(pieces: tuple[str, ...], start: int, end: int, target: float,
               profile: Profile) -> float | None:
    """Cost of one line made of ``pieces[start:end]``; None if it is empty or too wide."""
    words = [piece for piece in pieces[start:end] if not piece.isspace()]
    width = display_width("".join(pieces[start:end]).strip())
    if not words or (width > profile.max_line_width and len(words) > 1):
        return None
    # Bottom-heavy: an upper line longer than its share costs a little more.
    weight = 1.5 if end < len(pieces) and width > target else 1.0
    shape = weight * ((width - target) / profile.max_line_width) ** 2
    return shape + (break_cost(pieces[start - 1], pieces[start], profile) if start else 0.0)
