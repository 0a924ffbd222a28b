"""Remove what Chinese Whisper says when nobody is speaking.

On silence and music Whisper emits stock lines learnt from subtitled video
(credits, pleas to subscribe) and can fall into repetition loops. Credit lines
never belong in a civic guide, so they always go; polite closings such as
“谢谢观看” may be real, so they go only when the model itself doubted there was
speech. A line timed faster than anyone speaks is never speech either: the model
writes loops and stock lines (“这次的电话是说的”) into the last fraction of a second of
audio after the last words, and puts every character there.
"""
from __future__ import annotations

import re
from dataclasses import replace

from subtitles.transcript import Segment, Transcript, map_word_texts

# Phrases that only ever come from training-data credits: always dropped.
CREDIT_PATTERNS = tuple(re.compile(p, re.IGNORECASE) for p in (
    r"amara\s*\.?\s*org",
    r"字幕(由|提供|制作|组|志愿者|校对|翻译)",
    r"(请|記得|记得|欢迎)?不吝点赞",
    r"点赞.{0,3}订阅.{0,3}(转发|打赏|分享)",
    r"明镜(与|和)?点点栏目",
    r"优优独播剧场",
    r"YoYo Television",
    r"中文字幕\s*by",
    r"本(视频|节目)字幕",
))
# Real sentences too, but typical hallucinations over silence at the end of a clip.
DOUBTFUL_PATTERNS = tuple(re.compile(p) for p in (
    r"^(谢谢|感谢)(大家|您的?)?(收看|观看|收听|聆听)[。！!]?$",
    r"^(下期|下次)再见[。！!]?$",
    r"订阅.{0,4}频道",
    r"^(嗯|啊|哦|呃)+[。！!]?$",
))
NO_SPEECH_DOUBT = 0.5
LOGPROB_DOUBT = -1.0
# Mandarin is spoken at 4-7 characters a second (read news about 5; segments of the
# 21 shared and held-out clips, fast ones included, at most 6.4 offline and 6.2 in live
# passes): a line timed faster is not what anyone said (live passes' stock lines and
# loops over silence: 14 to 500 a second)
MAX_CHARS_PER_S = 12
MIN_LOOP_REPEATS = 3
MAX_LOOP_UNIT = 12


def clean(transcript: Transcript) -> Transcript:
    """Drop hallucinated segments and collapse repetition loops, keeping word times."""
    kept: list[Segment] = []
    for segment in transcript.segments:
        if is_hallucination(segment):
            continue
        segment = collapse_loops(fullwidth_punctuation(segment))
        if kept and _normalised(segment.text) == _normalised(kept[-1].text):
            continue  # the same segment again: a loop across segment boundaries
        if segment.text.strip():
            kept.append(segment)
    return replace(transcript, segments=kept)


def is_hallucination(segment: Segment) -> bool:
    text = _normalised(segment.text)
    if any(p.search(text) for p in CREDIT_PATTERNS):
        return True
    if _too_fast(segment, text):
        return True
    doubtful = (segment.no_speech_prob > NO_SPEECH_DOUBT or segment.avg_logprob < LOGPROB_DOUBT)
    return doubtful and any(p.search(text) for p in DOUBTFUL_PATTERNS)


def _too_fast(segment: Segment, text: str) -> bool:
    """Said faster than :data:`MAX_CHARS_PER_S` by the segment's own times."""
    spoken = sum(ch.isalnum() for ch in text)
    return spoken * 1000 > MAX_CHARS_PER_S * max(segment.end_ms - segment.start_ms, 1)


def collapse_loops(segment: Segment) -> Segment:
    """Keep one copy of a run of words repeated ``MIN_LOOP_REPEATS`` times or more.

    Single characters may repeat legitimately (“对对对”), so a one-word unit needs
    twice as many repeats.
    """
    words = list(segment.words)
    texts = [w.text.strip() for w in words]
    keep = [True] * len(words)
    i = 0
    while i < len(words):
        unit, repeats = _longest_loop(texts, i)
        if unit:
            for j in range(i + unit, i + unit * repeats):
                keep[j] = False
            i += unit * repeats
        else:
            i += 1
    if all(keep):
        return segment
    kept_words = tuple(w for w, k in zip(words, keep) if k)
    return replace(segment, words=kept_words, text="".join(w.text for w in kept_words).strip(),
                   end_ms=kept_words[-1].end_ms if kept_words else segment.end_ms)


# ASCII punctuation between Chinese characters (Whisper writes “好,欢迎”), also with a
# space before it (words come as “资”, “ ,”) or opening a piece of text that goes on in
# Chinese (a live pass starts where the last confirmed word ended: “,也可以”).
_HALF_TO_FULL = {",": "，", "?": "？", "!": "！", ";": "；", ":": "："}
_CJK = r"[\u3400-\u9fff]"
_ASCII_MARK = re.compile(rf"(?<={_CJK})\s*([,?!;:]|\.(?!\d))|^\s*([,?!;:])(?=\s*{_CJK})")


def fullwidth_punctuation(segment: Segment) -> Segment:
    """Use Chinese full-width marks after Chinese characters, in the text and the words."""
    def convert(text: str) -> str:
        return _ASCII_MARK.sub(lambda m: _HALF_TO_FULL.get(m.group(1) or m.group(2), "。"), text)

    words = map_word_texts(segment.words, convert)
    text = "".join(w.text for w in words).strip() if words else convert(segment.text)
    return replace(segment, text=text, words=words)


def model_spelling(text: str) -> str:
    """Text for the decoder's prompt, spelled as the model writes it: ASCII punctuation
    (the reverse of :func:`fullwidth_punctuation`, from the same table).

    Whisper's vocabulary has no token for the full-width ``，：；？！``: each is three
    byte-level tokens (``，`` is EF BC 8C). Primed with them, greedy decoding imitates
    them and often gets the last byte wrong: ``，`` came out as ``Ｇ`` (EF BC A7), ``０``
    or ``１``, often in a loop (measured: dozens of such characters in the first 40 s of
    ``talk_legal_aid`` with the live captions' own text as prompt, none with ASCII marks).
    The model writes ASCII ``,`` (one token) by itself and :func:`clean` makes the
    published text full-width again. ``、`` and ``。`` are one token each and stay.

    >>> model_spelling("法律援助，区司法局：")
    '法律援助,区司法局:'
    """
    return text.translate(_MODEL_PUNCTUATION)


_MODEL_PUNCTUATION = str.maketrans({full: half for half, full in _HALF_TO_FULL.items()})


def _longest_loop(texts: list[str], start: int) -> tuple[int, int]:
    for unit in range(1, MAX_LOOP_UNIT + 1):
        pattern = texts[start:start + unit]
        if len(pattern) < unit:
            break
        repeats = 1
        while texts[start + repeats * unit:start + (repeats + 1) * unit] == pattern:
            repeats += 1
        needed = MIN_LOOP_REPEATS * (2 if unit == 1 and len(pattern[0]) == 1 else 1)
        if repeats >= needed:
            return unit, repeats
    return 0, 0


def _normalised(text: str) -> str:
    return re.sub(r"\s+", "", text)
