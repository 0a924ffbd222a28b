"""Align an office script to what the recogniser heard: the script's words, the audio's times.

A scripted guide video is read from a script the office already approved, so the
captions should say exactly what the script says, not what whisper-base made of it
(about one character in five wrong on real speech). The recognised words are still
the best clock there is: the script's spoken characters are aligned to the recognised
characters by edit distance over toneless pinyin (homophones such as 证照/证招 match),
each script character takes the time of the character it met, and characters the
recogniser missed share the time between their neighbours.

Where the two disagree by more than a mishearing — words the speaker added, skipped
or changed — the place is reported as a :class:`Departure` for staff to decide, never
dropped silently. A script that agrees with the audio on less than
:data:`MIN_AGREEMENT` of its characters is another video's script (or another
language): :func:`align_script` refuses it and the machine text stays.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Sequence

from rapidfuzz.distance import Levenshtein

from subtitles.errors import SubtitleError
from subtitles.script import ScriptToken, spoken_number
from subtitles.transcript import Word

#: Share of the script's spoken characters that must meet a same-sounding recognised
#: character. Measured: the right script with a third of the recognised characters
#: garbled still agrees on well over half; another video's script on far less.
MIN_AGREEMENT = 0.45
#: A disagreement shorter than this many characters is taken for a mishearing: whisper
#: often drops or merges one syllable of a two-character word (政务 heard as 众).
MIN_DEPARTURE_CHARS = 3
#: A stretch the recogniser left out is "skipped" only if the audio had no room to say
#: it: fewer milliseconds per missing character than even fast speech needs.
MIN_MS_PER_SPOKEN_CHAR = 120
#: A changed stretch whose pinyin is this close to the script's is a mishearing.
MISHEARD_SIMILARITY = 0.5


@dataclass(frozen=True)
class Departure:
    """A place where the speaker left the script.

    ``kind`` is ``added`` (said, not in the script), ``skipped`` (in the script, not
    said) or ``changed`` (said differently); times are the audio's.
    """
    kind: str
    script_text: str
    heard_text: str
    start_ms: int
    end_ms: int
    line: int


@dataclass(frozen=True)
class AlignedScript:
    words: tuple[Word, ...]
    agreement: float
    departures: tuple[Departure, ...]


@dataclass(frozen=True)
class _Char:
    key: str
    text: str
    start_ms: int
    end_ms: int


def align_script(tokens: Sequence[ScriptToken], heard: Sequence[Word], path: object = None) -> AlignedScript:
    """The script's tokens as timed words, with agreement and departures.

    Raises :class:`SubtitleError` naming ``path`` when the script does not belong to
    the audio (agreement below :data:`MIN_AGREEMENT`).
    """
    script = [(index, char) for index, token in enumerate(tokens) for char in token.spoken]
    script_keys = [_key(char) for _, char in script]
    heard_chars = _heard_chars(heard)
    pairs: list[int | None] = [None] * len(script)
    matched = 0
    departures: list[Departure] = []
    pending: list[tuple[int, int, int, int]] = []  # script i1..i2, heard j1..j2 of one disagreement
    for tag, i1, i2, j1, j2 in Levenshtein.opcodes(script_keys, [c.key for c in heard_chars]):
        if tag == "equal":
            for offset in range(i2 - i1):
                pairs[i1 + offset] = j1 + offset
            matched += i2 - i1
            departures += _departure(pending, script, tokens, heard_chars)
            pending = []
            continue
        if tag == "replace":
            for offset in range(min(i2 - i1, j2 - j1)):
                pairs[i1 + offset] = j1 + offset
        pending.append((i1, i2, j1, j2))
    departures += _departure(pending, script, tokens, heard_chars)
    agreement = matched / len(script) if script else 0.0
    if agreement < MIN_AGREEMENT:
        raise SubtitleError(f"the script matches only {agreement:.0%} of what was said "
                            f"(at least {MIN_AGREEMENT:.0%} needed): is it this video's script?", path)
    times = _char_times(pairs, heard_chars)
    return AlignedScript(tuple(_timed_tokens(tokens, script, times)), agreement,
                         tuple(d for d in departures if d is not None))


@functools.lru_cache(maxsize=8192)
def _key(char: str) -> str:
    """Toneless pinyin for Han characters (homophones meet), the lower-case char otherwise."""
    if "\u3400" <= char <= "\u9fff":
        from pypinyin import lazy_pinyin

        return lazy_pinyin(char)[0]
    return char.lower()


def _heard_chars(words: Sequence[Word]) -> list[_Char]:
    """Every spoken character the recogniser wrote, timed by sharing its word's time.

    Digits are read out (whisper writes 120 where the speaker said 一百二十), so both
    sides are compared as spoken.
    """
    chars: list[_Char] = []
    for word in words:
        spoken = "".join(_spoken_pieces(word.text))
        if not spoken:
            continue
        step = (word.end_ms - word.start_ms) / len(spoken)
        for index, char in enumerate(spoken):
            start = round(word.start_ms + index * step)
            chars.append(_Char(_key(char), char, start, round(start + step)))
    return chars


def _spoken_pieces(text: str) -> list[str]:
    pieces, digits = [], ""
    for char in text + " ":
        if char.isdigit() and char.isascii():
            digits += char
            continue
        if digits:
            pieces.append(spoken_number(digits, char))
            digits = ""
        if char.isalnum():
            pieces.append(char)
    return pieces


def _char_times(pairs: list[int | None], heard: list[_Char]) -> list[tuple[int, int]]:
    """Times for every script character: its partner's, or a share of the gap around it."""
    times: list[tuple[int, int] | None] = [
        (heard[j].start_ms, heard[j].end_ms) if j is not None else None for j in pairs]
    index = 0
    while index < len(times):
        if times[index] is not None:
            index += 1
            continue
        end = index
        while end < len(times) and times[end] is None:
            end += 1
        left = times[index - 1][1] if index else (heard[0].start_ms if heard else 0)
        right = times[end][0] if end < len(times) else (heard[-1].end_ms if heard else left)
        right = max(right, left)
        step = (right - left) / (end - index)
        for offset in range(end - index):
            times[index + offset] = (round(left + offset * step), round(left + (offset + 1) * step))
        index = end
    return [t for t in times if t is not None]


def _timed_tokens(tokens: Sequence[ScriptToken], script: list[tuple[int, str]],
                  times: list[tuple[int, int]]) -> list[Word]:
    spans: dict[int, tuple[int, int]] = {}
    for (token_index, _), (start, end) in zip(script, times):
        first = spans.get(token_index, (start, end))
        spans[token_index] = (min(first[0], start), max(first[1], end))
    words, last_end = [], 0
    for index, token in enumerate(tokens):
        start, end = spans.get(index, (last_end, last_end))
        words.append(Word(start, max(end, start), token.display, 1.0))
        last_end = max(end, last_end)
    return words


def _departure(run: list[tuple[int, int, int, int]], script: list[tuple[int, str]],
               tokens: Sequence[ScriptToken], heard: list[_Char]) -> list[Departure]:
    """Classify one stretch of disagreement: a mishearing (nothing) or a departure."""
    if not run:
        return []
    i1, i2, j1, j2 = run[0][0], run[-1][1], run[0][2], run[-1][3]
    said, meant = heard[j1:j2], [char for _, char in script[i1:i2]]
    if max(len(said), len(meant)) < MIN_DEPARTURE_CHARS:
        return []
    line = tokens[script[min(i1, len(script) - 1)][0]].line if script else 0
    before = heard[j1 - 1].end_ms if j1 else 0
    after = heard[j2].start_ms if j2 < len(heard) else (heard[-1].end_ms if heard else 0)
    if not said:
        if after - before >= MIN_MS_PER_SPOKEN_CHAR * len(meant):
            return []  # there was time to say it: the recogniser missed it
        return [Departure("skipped", "".join(meant), "", before, after, line)]
    start, end = said[0].start_ms, said[-1].end_ms
    heard_text = "".join(c.text for c in said)
    if not meant:
        return [Departure("added", "", heard_text, start, end, line)]
    if _similarity(meant, said) >= MISHEARD_SIMILARITY:
        return []
    return [Departure("changed", "".join(meant), heard_text, start, end, line)]


def _similarity(meant: list[str], said: list[_Char]) -> float:
    """Share of positions whose syllables sound alike (same initial or same final)."""
    from pypinyin import Style, lazy_pinyin

    def parts(text: str) -> tuple[str, str]:
        initial = lazy_pinyin(text, style=Style.INITIALS, strict=False)[0]
        final = lazy_pinyin(text, style=Style.FINALS, strict=False)[0]
        return initial, final

    alike = 0.0
    for char, heard_char in zip(meant, said):
        if _key(char) == heard_char.key:
            alike += 1
            continue
        (mi, mf), (hi, hf) = parts(char), parts(heard_char.text)
        alike += 0.5 * (mi == hi) + 0.5 * (mf == hf)
    return alike / max(len(meant), len(said))
