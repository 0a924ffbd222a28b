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
# The bracket comes first so the regex engine can scan for it quickly; the character
# before it is checked in code.
_PINYIN = re.compile(r"[(（]\s*([a-zāáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê]{1,6}[1-5]?)\s*[)）]")
_TONED = re.compile(r"[āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜ1-5]")
ZHE = "著"  # Traditional 着 (换著喝) and also a Simplified character (显著): see _zhe
_BASE = str.maketrans("āáǎàēéěèīíǐìōóǒòūúǔùǖǘǚǜüê", "aaaaeeeeiiiioooouuuuvvvvve")


def _is_pinyin(candidate: str) -> bool:
    plain = candidate.translate(_BASE).rstrip("12345")
    return bool(_TONED.search(candidate)) and re.fullmatch(_SYLLABLE, plain) is not None


@functools.lru_cache(maxsize=1)
def _converter() -> opencc.OpenCC:
    return opencc.OpenCC("t2s")


@functools.lru_cache(maxsize=1)
def _variants() -> opencc.OpenCC:
    """OpenCC ``tw2s``: the one shipped configuration whose phrase tables tell 著 (显著,
    著作) from 着 (换著喝 → 换着喝, 看著 → 看着); ``t2s`` and ``hk2s`` leave every 著, and
    ``tw2sp`` also swaps Taiwan vocabulary (文件 → 文档, 建立 → 创建), wrong for the
    office's mainland text. Only its choice for 著 is taken (it also turns 么 into 幺)."""
    return opencc.OpenCC("tw2s")


@functools.lru_cache(maxsize=1)
def _traditional() -> re.Pattern[str]:
    """A character class of every Han character that t2s changes (built once, ~30 ms)."""
    chars = [chr(c) for c in (*range(0x3400, 0xA000), *range(0xF900, 0xFB00))]
    converted = _converter().convert("\n".join(chars)).split("\n")
    changed = "".join(a for a, b in zip(chars, converted) if a != b)
    return re.compile(f"[{re.escape(changed + ZHE)}]")


def to_simplified(text: str) -> str:
    """OpenCC t2s of the lines that need it, one output character per input character.

    Most subtitle text is already Simplified: only lines holding a Traditional
    character go through OpenCC (phrase rules need the whole line).
    """
    pieces, position = [], 0
    for hit in _traditional().finditer(text):
        if hit.start() < position:
            continue
        start = text.rfind("\n", 0, hit.start()) + 1
        end = text.find("\n", hit.start())
        end = len(text) if end < 0 else end
        pieces += [text[position:start], _convert_line(text[start:end])]
        position = end
    return "".join(pieces) + text[position:] if pieces else text


def _convert_line(line: str) -> str:
    """Phrase rules that change the length (rare in t2s) fall back to character by character."""
    converted = _converter().convert(line)
    if len(converted) != len(line):
        converted = "".join(c if len(c := _converter().convert(ch)) == 1 else ch for ch in line)
    return _zhe(line, converted) if ZHE in line else converted


def _zhe(line: str, converted: str) -> str:
    """``converted`` with each 著 of ``line`` written as tw2s's phrase tables choose, except
    where the word segmenter's dictionary knows the word with 著 better (卓著, 编著, 原著,
    土著, which tw2s would turn into 着)."""
    variants = _variants().convert(line)
    if len(variants) != len(line):
        return converted
    chars = list(converted)
    for i, char in enumerate(line):
        if char == ZHE and variants[i] == "着" and not _known_with_zhe(converted, i):
            chars[i] = "着"
    return "".join(chars)


def _known_with_zhe(text: str, i: int) -> bool:
    """True when a 2–3 character word around ``text[i]`` is commoner spelt with 著 than 着."""
    from subtitles.linebreak import word_frequencies  # jieba loads only for text with 著

    frequencies = word_frequencies()
    for start in range(max(0, i - 2), i + 1):
        for end in range(i + 1, min(len(text), start + 3) + 1):
            if end - start < 2:
                continue
            word = text[start:i] + ZHE + text[i + 1:end]
            if frequencies.get(word, 0) > frequencies.get(word.replace(ZHE, "着"), 0):
                return True
    return False


def normalize_map(text: str) -> tuple[str, list[int]]:
    """(normalised text, index in ``text`` of each normalised character)."""
    kept: list[str] = []
    origin: list[int] = []
    for start, end in _kept_spans(text):
        kept.append(text[start:end])
        origin.extend(range(start, end))
    return to_simplified("".join(kept)), origin


def normalize(text: str) -> str:
    """Simplified text without pinyin annotations, e.g. ``區(qū)來(lái)`` → ``区来``."""
    return to_simplified("".join(text[start:end] for start, end in _kept_spans(text)))


def _kept_spans(text: str) -> list[tuple[int, int]]:
    """The spans of ``text`` left once pinyin annotations are cut out."""
    spans, position = [], 0
    for annotation in _PINYIN.finditer(text):
        after_han = annotation.start() > 0 and "\u3400" <= text[annotation.start() - 1] <= "\u9fff"
        if after_han and _is_pinyin(annotation.group(1)):
            spans.append((position, annotation.start()))
            position = annotation.end()
    spans.append((position, len(text)))
    return spans
