"""Clean text pasted from web pages into plain Simplified Chinese (``studio glossary clean``).

The office's own report (``../shared/seed/report.txt``) shows what such text looks
like: Traditional characters, a toned syllable glued after some of them (``區(qū)``),
ASCII commas and brackets between Chinese words, nested titles written ``<…>``, and
once a character lost altogether, only its reading left (``納入?yún)^(qū)委``).
:func:`clean` builds on :func:`glossary.normalize.normalize` (Simplified, pinyin out)
and then gives the punctuation its Chinese full-width form; real brackets stay
brackets (``(街道)`` → ``（街道）``, ``党(团)`` → ``党（团）``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from pypinyin.contrib.tone_convert import to_tone3

from glossary.normalize import normalize, to_simplified
from glossary.pinyin import readings

HAN = r"\u3400-\u9fff"
MISSING = "〓"  # the typesetter's mark for a character that cannot be shown
_TONED = "a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜü"
# "?" (or U+FFFD) where a character was lost, some debris, then its pinyin in brackets.
_LOST = re.compile(rf"[?\ufffd][^\s{HAN}(（]{{0,8}}?[(（]([{_TONED}]{{1,6}}[1-5]?)[)）]")
_AFTER_HAN = f"(?<=[{HAN}）》”〉])"
_MARKS = str.maketrans(",;:?!", "，；：？！")
_BRACKETS = re.compile(rf"\(([^()\n]*[{HAN}][^()\n]*)\)")
_QUOTES = re.compile(rf'"([^"\n]*[{HAN}][^"\n]*)"')
_NESTED_TITLE = re.compile(r"<([^<>《》\n]+)>")
_TITLE = re.compile(r"《[^《》\n]*》")


@dataclass(frozen=True)
class Note:
    """Something a person should check: ``line`` is 1-based."""

    line: int
    message: str


@dataclass(frozen=True)
class Cleaned:
    text: str
    notes: tuple[Note, ...]


def clean(text: str) -> Cleaned:
    """``text`` cleaned line by line, with a note for each character it had to guess.

    >>> clean("完善黨領(lǐng)導(dǎo)鄉(xiāng)鎮(zhèn)(街道)法治建設(shè),換著喝").text
    '完善党领导乡镇（街道）法治建设，换着喝'
    """
    lines, notes = [], []
    for number, line in enumerate(text.split("\n"), 1):
        line, restored = _restore_lost(line)
        notes += [Note(number, message) for message in restored]
        lines.append(_punctuation(normalize(line)))
    return Cleaned("\n".join(lines), tuple(notes))


def _restore_lost(line: str) -> tuple[str, list[str]]:
    """Put back each lost character whose reading survives, if exactly one word fits."""
    pieces, notes, position = [], [], 0
    for lost in _LOST.finditer(line):
        before = to_simplified(line[lost.start() - 1:lost.start()])
        after = to_simplified(line[lost.end():lost.end() + 1])
        char = _likeliest(to_tone3(lost.group(1)), before, after)
        notes.append(f"a lost character read {lost.group(1)} restored as {char!r} (from the "
                     f"words around it); check it" if char != MISSING else
                     f"a lost character read {lost.group(1)} could not be restored; "
                     f"marked {MISSING}")
        pieces += [line[position:lost.start()], char]
        position = lost.end()
    return "".join(pieces) + line[position:], notes


def _likeliest(reading: str, before: str, after: str) -> str:
    """The character read ``reading`` that makes the commonest two-character dictionary
    word with its neighbour (区 in 纳入_委: 区委), or :data:`MISSING`."""
    from subtitles.linebreak import word_frequencies  # jieba loads only for damaged text

    best, best_frequency = MISSING, 0
    for word, frequency in word_frequencies().items():
        if len(word) != 2 or frequency <= best_frequency:
            continue
        if after and word[1] == after and reading in readings(word[0]):
            best, best_frequency = word[0], frequency
        elif before and word[0] == before and reading in readings(word[1]):
            best, best_frequency = word[1], frequency
    return best


def _punctuation(line: str) -> str:
    """Full-width Chinese punctuation where ASCII marks stand among Chinese words."""
    line = _TITLE.sub(lambda title: _NESTED_TITLE.sub(r"〈\1〉", title.group()), line)
    line = _BRACKETS.sub(r"（\1）", line)
    line = _QUOTES.sub(r"“\1”", line)
    return re.sub(_AFTER_HAN + r"[,;:?!]", lambda m: m.group().translate(_MARKS), line)
