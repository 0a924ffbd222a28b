"""Chinese line breaking: words stay whole, 《titles》 stay whole, lines come out balanced.

Text is first cut into *atoms*, the pieces a break may fall between: jieba words,
whole 《》 titles, runs of Latin letters and digits ("App", "3.5", "Amara.org"),
each with its closing punctuation attached (no line starts with "，" or "》") and
its opening punctuation attached to what follows (no line ends with "《").

jieba cuts many terms of the trade into ordinary words (跨省 / 通办, 综合 / 行政执法),
so callers pass the words that must also stay whole as ``keep`` (the glossary's terms
and plain wordings): this package knows no glossary, the caller hands it the units.
jieba also cuts a number from its measure word (一百二十多 / 项, 60 / 岁): a count reads
as one word, so the two are one atom too.
"""
from __future__ import annotations

import functools
import itertools
import logging
import re
from typing import AbstractSet, Iterator, Mapping, Sequence

from subtitles.profiles import Profile
from subtitles.text import (CLOSING_QUOTES, TITLE, display_style, display_width, join_lines,
                            pauses_as_spaces)
CLOSING = "，。、；：？！）》」』”’…—～,.;:?!)%"
OPENING = "（《「『“‘("
# Cost of breaking at a boundary: free after a clause or a space, dear inside a phrase.
FREE_BREAK, WORD_BREAK, STRANDED = 0.0, 1.0, 0.5
PARTICLES = frozenset("的了吗呢吧啊着过地得")
# Words that lean on the word before them as particles do: a line never should start with them.
CLITICS = PARTICLES | {"的话", "似的", "而已", "罢了", "们"}
NO_KEEP: frozenset[str] = frozenset()
# A number as jieba cuts it: digits, or Chinese numerals with an approximate 多/余/几 (一百二十多).
NUMBER = re.compile(r"第?(?:[0-9０-９]+(?:\.[0-9]+)?|[〇零一二两三四五六七八九十百千万亿几]+)[多余]?")
# Measure words jieba leaves apart from the number before them (its tagger calls 项 a noun
# and 岁 a numeral, so the tags cannot tell them), after an optional 多/余 (30 / 多家).
MEASURE = re.compile(r"[多余]?(?:个|项|件|份|家|次|条|位|名|人|户|岁|年|月|日|号|天|周|小时|分钟|秒|张|本|处|"
                     r"种|类|批|所|台|辆|套|间|栋|层|页|笔|例|座|部|级|届|期|节|章|款|段|倍|成|元|万元|亿元|"
                     r"角|块|米|公里|平方米|亩|斤|公斤|吨)")


@functools.cache
def _jieba():
    """Load jieba's dictionary on first use, without its start-up chatter on stderr."""
    import jieba

    jieba.setLogLevel(logging.WARNING)
    jieba.initialize()
    return jieba


def word_frequencies() -> Mapping[str, int]:
    """The Chinese word segmenter's dictionary, word -> frequency (0: a word it dropped),
    loaded once and quietly; glossary correction asks it whether a heard string is a
    real word, so the segmenter and the corrector agree on what a word is."""
    return _jieba().dt.FREQ


def fitting(keep: AbstractSet[str], profile: Profile) -> frozenset[str]:
    """The words of ``keep`` that fit on one line of ``profile``: a longer one must break."""
    return frozenset(word for word in keep if display_width(word) <= profile.max_line_width)


@functools.lru_cache(maxsize=16)
def _keep_pattern(keep: frozenset[str]) -> re.Pattern[str] | None:
    """Leftmost-longest search for the kept words (longest first in the alternation)."""
    words = sorted((word for word in keep if len(word) > 1), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, words))) if words else None


def _kept_whole(words: list[str], part: str, keep: frozenset[str]) -> list[str]:
    """``words`` (jieba's cut of ``part``) with every kept word's span merged into one word.

    A jieba word reaching over a kept word's edge joins it, so the unit only grows.
    """
    pattern = _keep_pattern(keep)
    spans = [match.span() for match in pattern.finditer(part)] if pattern else []
    if not spans:
        return words
    merged: list[str] = []
    previous: set[int] = set()  # the spans the last merged word overlaps
    position, first = 0, 0
    for word in words:
        end = position + len(word)
        while first < len(spans) and spans[first][1] <= position:
            first += 1
        overlaps = set(itertools.takewhile(lambda i: spans[i][0] < end, range(first, len(spans))))
        if overlaps & previous:
            merged[-1] += word
        else:
            merged.append(word)
        previous, position = overlaps, end
    return merged


def _words(text: str, keep: frozenset[str] = NO_KEEP) -> list[str]:
    """jieba words, with titles whole, Latin/digit runs ("3.5", "Amara.org") whole, a
    number with its measure word (一百二十多项) whole and the words in ``keep`` whole."""
    words: list[str] = []
    for part in re.split(f"({TITLE.pattern})", text):
        if TITLE.fullmatch(part) or not part:
            words += [part] if part else []
            continue
        for word in _kept_whole(_jieba().lcut(part), part, keep):
            latin = word.isascii() and not word.isspace()
            if latin and words and words[-1].isascii() and not words[-1][-1:].isspace() \
                    and not TITLE.fullmatch(words[-1]):
                words[-1] += word
            elif word.isspace() and words and words[-1].isspace():
                words[-1] += word
            elif words and NUMBER.fullmatch(words[-1]) and MEASURE.fullmatch(word):
                words[-1] += word
            else:
                words.append(word)
    return words


@functools.lru_cache(maxsize=4096)
def atoms(text: str, keep: frozenset[str] = NO_KEEP) -> tuple[str, ...]:
    """The unbreakable pieces of ``text``; ``"".join(atoms(t)) == t``. Each word in
    ``keep`` (a frozenset, for the cache) found in the text is one piece, or inside one.

    Cached: segmenting and fixing ask for the same texts again and again.

    >>> atoms("请看《民法典》，好吗？")
    ('请', '看', '《民法典》，', '好', '吗？')
    >>> atoms("跨省通办", frozenset({"跨省通办"}))
    ('跨省通办',)
    """
    glued: list[str] = []
    pending_open = ""
    for word in _words(text, keep):
        owner = _closing_owner(glued) if all(char in CLOSING for char in word) else None
        if owner is not None and not pending_open:
            glued[owner:] = ["".join(glued[owner:]) + word]
        elif all(char in OPENING for char in word):
            pending_open += word
        else:
            glued.append(pending_open + word)
            pending_open = ""
    if pending_open:
        glued.append(pending_open)
    return tuple(glued)


def _closing_owner(glued: list[str]) -> int | None:
    """Index of the atom a closing mark belongs to: the last word, even across a space."""
    for index in (-1, -2):
        if len(glued) >= -index and not glued[index].isspace():
            return len(glued) + index
    return None


def ends_with(text: str, marks: str) -> bool:
    """True when ``text`` ends with one of ``marks``, closing quotes aside: “好的。” ends with 。."""
    last = text.rstrip().rstrip(CLOSING_QUOTES)[-1:]
    return bool(last) and last in marks


def break_cost(before: str, after: str, profile: Profile) -> float:
    """How much a reader is disturbed by a break between atoms ``before`` and ``after``.

    Inside a clause, a lone character left at a line's end (区|司法局) or a particle
    starting the next line (|的) reads worse than an ordinary word break.
    """
    if before[-1:].isspace() or after[:1].isspace():
        return FREE_BREAK
    if ends_with(before, profile.sentence_ends + profile.preferred_breaks):
        return FREE_BREAK
    stranded = len(before) == 1 and before not in PARTICLES or after.rstrip(CLOSING) in CLITICS
    return WORD_BREAK + (STRANDED if stranded else 0.0)


def break_lines(text: str, profile: Profile, keep: AbstractSet[str] = NO_KEEP) -> tuple[str, ...]:
    """Split ``text`` into balanced lines of at most ``profile.max_line_width``.

    Breaks prefer punctuation and spaces, never fall inside a word, a 《title》 or a
    word of ``keep`` that fits on a line, and may yield more than ``profile.max_lines``
    lines (the caller decides what to do with a text that is too long). An atom wider
    than a line gets a line alone.

    >>> break_lines("如果材料暂时不齐全 窗口可以先容缺受理", get_profile("broadcast-zh"))
    ('如果材料暂时不齐全', '窗口可以先容缺受理')
    """
    text = text.strip()
    return set_lines(atoms(text, fitting(keep, profile)), profile) if text else ()


def split_words(lines: Sequence[str], profile: Profile, keep: AbstractSet[str] = NO_KEEP) -> list[str]:
    """The words that a break between ``lines`` falls inside: jieba words of the joined
    text, and words of ``keep`` (glossary terms, say). A word wider than a line has to
    break somewhere and is not counted.

    >>> split_words(("可以跨省", "通办"), get_profile("broadcast-zh"), {"跨省通办"})
    ['跨省通办']
    """
    text, breaks = "", set()
    for line in lines:
        breaks.add(len(text))
        text = join_lines([text, line])
    split, position = [], 0
    for piece in atoms(text, fitting(keep, profile)):
        end = position + len(piece)
        if any(position < at < end for at in breaks) and display_width(piece) <= profile.max_line_width:
            split.append(piece.strip())
        position = end
    return split


@functools.lru_cache(maxsize=4096)
def set_lines(pieces: tuple[str, ...], profile: Profile) -> tuple[str, ...]:
    """:func:`break_lines` for text already cut into atoms (spaces as atoms of their own)."""
    text = "".join(pieces).strip()
    if display_width(text) <= profile.max_line_width:
        return (text,) if text else ()
    return _best_lines(pieces, line_count(pieces, profile), profile)


def line_count(pieces: Sequence[str], profile: Profile) -> int:
    """The fewest lines ``pieces`` can be set in; filling each line greedily finds it.

    >>> line_count(("如果", "材料", "暂时", "不", "齐全", " ", "窗口", "可以"), get_profile("broadcast-zh"))
    1
    """
    lines, width, space = 0, 0.0, 0.0
    for piece in pieces:
        if piece.isspace():
            space = display_width(piece)
            continue
        if lines and width + space + display_width(piece) <= profile.max_line_width:
            width += space + display_width(piece)
        else:
            lines, width = lines + 1, display_width(piece)
        space = 0.0
    return lines


def display_pieces(texts: Sequence[str]) -> tuple[str, ...]:
    """Atoms in display style as :func:`set_lines` takes them: a comma or full stop
    at an atom's edge becomes a space atom, so a break there stays free."""
    pieces: list[str] = []
    for space_before, core, space_after in map(_styled_atom, texts):
        if space_before and pieces and not pieces[-1].isspace():
            pieces.append(" ")
        if core:
            pieces += [core, " "] if space_after else [core]
    return tuple(pieces[:-1] if pieces and pieces[-1].isspace() else pieces)


@functools.lru_cache(maxsize=8192)
def _styled_atom(text: str) -> tuple[bool, str, bool]:
    """(space before?, the atom in display style, space after?)."""
    styled = pauses_as_spaces(text)
    return styled[:1].isspace(), display_style(text), styled[-1:].isspace()


def _best_lines(pieces: tuple[str, ...], count: int, profile: Profile) -> tuple[str, ...] | None:
    """The cheapest way to set ``pieces`` in exactly ``count`` lines, or None if none fits.

    Dynamic programming over (lines set, atoms used); a line costs its squared
    distance from an even share plus the cost of the break that starts it.
    """
    widths = [display_width(piece) for piece in pieces]
    words = sum(width for width, piece in zip(widths, pieces) if not piece.isspace())
    if words > count * max(profile.max_line_width, *widths, 0):
        # no line holds more than a line's width (or one wider atom): cannot fit. Spaces
        # are left out: one where a line breaks is not shown.
        return None
    target = sum(widths) / count
    best: dict[tuple[int, int], tuple[float, int]] = {(0, 0): (0.0, -1)}
    for line in range(1, count + 1):
        for end in range(line, len(pieces) + 1):
            choices = [(best[line - 1, start][0] + cost, start)
                       for start, cost in _lines_ending_at(pieces, widths, end, target, profile)
                       if (line - 1, start) in best]
            if choices:
                best[line, end] = min(choices)
    if (count, len(pieces)) not in best:
        return None
    bounds = [len(pieces)]
    for line in range(count, 0, -1):
        bounds.append(best[line, bounds[-1]][1])
    bounds.reverse()
    return tuple("".join(pieces[a:b]).strip() for a, b in zip(bounds, bounds[1:]))


def _lines_ending_at(pieces: tuple[str, ...], widths: list[float], end: int, target: float,
                     profile: Profile) -> Iterator[tuple[int, float]]:
    """(start, cost) of every line that can end before ``pieces[end]``, shortest first.

    Stops at the first line too wide to show, since longer ones are wider still; a
    single atom wider than a line is allowed a line of its own.
    """
    width, words = 0.0, 0
    trailing = widths[end - 1] if pieces[end - 1].isspace() else 0.0
    for start in range(end - 1, -1, -1):
        width += widths[start]
        words += not pieces[start].isspace()
        shown = width - trailing - (widths[start] if pieces[start].isspace() and start < end - 1 else 0)
        if words == 0:
            continue
        if shown > profile.max_line_width and words > 1:
            return
        # Bottom-heavy: an upper line longer than its share costs a little more.
        weight = 1.5 if end < len(pieces) and shown > target else 1.0
        shape = weight * ((shown - target) / profile.max_line_width) ** 2
        yield start, shape + (break_cost(pieces[start - 1], pieces[start], profile) if start else 0.0)
