"""Pinyin similarity between characters, for finding misheard glossary terms.

Whisper mishears jargon as homophones (事项 → 是向) or near-homophones whose
initial or final is one that Mandarin speakers (and models) confuse (证明/便民 →
便名, 沉/层). Tones are ignored except where a two-character term needs them.

Changde's speakers talk Southwestern Mandarin, which merges n/l, f/h, z/zh, c/ch,
s/sh and -n/-ng: 劳动 comes out as 脑动, 社保 as 色保, 执照 as 执灶. :func:`accent_form`
is a syllable as such a speaker may say it; two syllables with the same accent form
are as good as the same (a near miss at worst), whichever of them was heard.
"""
from __future__ import annotations

import functools

from pypinyin import Style, lazy_pinyin, pinyin

_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h",
             "j", "q", "x", "r", "z", "c", "s", "y", "w")
_CLOSE_INITIALS = {frozenset(p) for p in (("zh", "z"), ("ch", "c"), ("sh", "s"), ("n", "l"),
                                           ("f", "h"), ("l", "r"))}
_CLOSE_FINALS = {frozenset(p) for p in (("an", "ang"), ("en", "eng"), ("in", "ing"),
                                         ("ian", "iang"), ("uan", "uang"), ("ua", "uai"))}
EXACT, NEAR, FAR, WEAK, RHYME = 1.0, 0.75, 0.5, 0.4, 0.25
# Southwestern Mandarin merges: retroflex initials with the flat ones, n with l, h with f;
# the -ng finals with the -n ones (ong stays: it has no -n partner).
_ACCENT_INITIALS = {"zh": "z", "ch": "c", "sh": "s", "n": "l", "h": "f"}
_ACCENT_FINALS = {"ang": "an", "eng": "en", "ing": "in", "iang": "ian", "uang": "uan"}


def split(syllable: str) -> tuple[str, str]:
    """Initial and final of a toneless syllable: ``split("zhuang") == ("zh", "uang")``."""
    initial = next((i for i in _INITIALS if syllable.startswith(i)), "")
    return initial, syllable[len(initial):]


@functools.lru_cache(maxsize=None)
def readings(char: str) -> tuple[str, ...]:
    """Every toned reading of ``char`` (TONE3, e.g. ``("hang2", "xing2")``); () if not Han."""
    if not "\u3400" <= char <= "\u9fff":
        return ()
    return tuple(pinyin(char, heteronym=True, style=Style.TONE3, neutral_tone_with_five=True)[0])


def toneless(syllable: str) -> str:
    return syllable.rstrip("012345")


@functools.lru_cache(maxsize=None)
def accent_form(syllable: str) -> str:
    """``syllable`` (toned or not) as a Southwestern Mandarin speaker may say it, toneless:
    ``accent_form("sheng1") == accent_form("sen") == "sen"``, ``accent_form("nao") == "lao"``."""
    initial, final = split(toneless(syllable))
    return _ACCENT_INITIALS.get(initial, initial) + _ACCENT_FINALS.get(final, final)


def phrase(text: str) -> tuple[str, ...]:
    """Toned syllables of a term read as a phrase (so 行政 is xing2, not hang2)."""
    return tuple(lazy_pinyin(text, style=Style.TONE3, neutral_tone_with_five=True))


def similarity(heard: str, meant: str) -> float:
    """1 for the same toneless syllable, down to 0 for unrelated ones."""
    heard, meant = toneless(heard), toneless(meant)
    if heard == meant:
        return EXACT
    (hi, hf), (mi, mf) = split(heard), split(meant)
    initial = 2 if hi == mi else 1 if frozenset((hi, mi)) in _CLOSE_INITIALS else 0
    final = 2 if hf == mf else 1 if frozenset((hf, mf)) in _CLOSE_FINALS else 0
    return {(2, 1): NEAR, (1, 2): NEAR, (1, 1): FAR, (2, 0): WEAK, (0, 2): RHYME}.get(
        (initial, final), 0.0)


def char_similarity(char: str, meant: str, written: str = "") -> float:
    """1 if ``char`` is the term's own character ``written`` or its usual (first) reading
    is ``meant``; else how close its usual reading is, and at least :data:`NEAR` when a
    Southwestern Mandarin speaker says both alike or a rarer reading of ``char`` is ``meant``.

    Rare readings count as near, never as the same: 给 read ji3 or 的 read di4 would
    otherwise make 政府给的 sound exactly like 户籍地; and for near misses they do not
    count at all (派 bai4 would make almost anything "close").
    """
    if same_syllable(char, meant, written):
        return EXACT
    options = readings(char)
    if not options:
        return 0.0
    rare = NEAR if any(toneless(r) == toneless(meant) for r in options) else 0.0
    accent = NEAR if accent_form(options[0]) == accent_form(meant) else 0.0
    return max(similarity(options[0], meant), accent, rare)


def same_syllable(char: str, meant: str, written: str = "") -> bool:
    """Whether ``char`` is the term's own character ``written`` or its usual reading is
    ``meant`` (tones aside): what :func:`char_similarity` scores 1."""
    options = readings(char)
    return char == written or bool(options) and toneless(options[0]) == toneless(meant)
