"""Text normalisation before matching: Traditional → Simplified, pinyin annotations out.

Web pages of service guides are often pasted with pinyin glued to characters
(``區(qū)``, ``來(lái)``); OpenCC alone would keep the ``(qū)``. :func:`normalize_map`
also returns where each output character came from, so matches can be reported on
the text the user gave.
"""
from __future__ import annotations

import functools
import re

import opencc

# A CJK character followed by one toned pinyin syllable in ASCII or full-width
# brackets. A tone (mark or digit) is required so that "表(a)" or "(ok)" stay.
_SYLLABLE = (r"(?:[bpmfdtnlgkhjqxrzcsyw]|zh|ch|sh)?"
             r"(?:iang|iong|uang|ueng|ang|eng|ing|ong|ian|iao|uai|uan|van|an|ai|ao|ei|en|er"
             r"|ia|ie|iu|in|ou|ua|uo|ui|un|ue|ve|vn|a|o|e|i|u|v)")
_PINYIN = re.compile(r"(?<=[\u3400-\u9fff])[(（]\s*([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê]{1,6}[1-5]?)\s*[)）]")
_TONED = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ1-5]")
_BASE = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê", "aaaaeeeeiiiioooouuuuvvvvve")


def _is_pinyin(candidate: str) -> bool:
    plain = candidate.translate(_BASE).rstrip("12345")
    return bool(_TONED.search(candidate)) and re.fullmatch(_SYLLABLE, plain) is not None


@functools.lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """OpenCC t2s, kept to one output character per input character.

    Phrase rules that change length (rare in t2s) fall back to per-character conversion
    so positions stay aligned.
    """
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(ch if len(c := _converter().convert(ch)) != 1 else c for ch in text)


def normalize_map(text: str) -> tuple[str, list[int]]:
    """(normalised text, index in ``text`` of each normalised character)."""
    kept: list[str] = []
    origin: list[int] = []
    position = 0
    for annotation in _PINYIN.finditer(text):
        if not _is_pinyin(annotation.group(1)):
            continue
        kept.append(text[position:annotation.start()])
        origin.extend(range(position, annotation.start()))
        position = annotation.end()
    kept.append(text[position:])
    origin.extend(range(position, len(text)))
    return to_simplified("".join(kept)), origin


def normalize(text: str) -> str:
    """Simplified text without pinyin annotations, e.g. ``區(qū)來(lái)`` → ``区来``."""
    return normalize_map(text)[0]
