"""Cutting cues from word timings: real sentences, table cases, and properties."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from subtitles.check import check
from subtitles.cue import Cue
from subtitles.io import load
from subtitles.linebreak import atoms
from subtitles.profiles import PROFILES, get_profile
from subtitles.segment import segment_words, timed_atoms
from subtitles.text import display_style, display_width
from subtitles.transcript import Word
from tests.support import SHARED_CLIPS
from tests.texts import MARKS, TITLES, WORDS

BROADCAST = get_profile("broadcast-zh")


def whisper_words(text: str, start_ms: int, end_ms: int) -> list[Word]:
    """Words as whisper gives them for Chinese: pieces of two characters,
    punctuation glued to the piece before, the time shared evenly by characters."""
    pieces = re.findall(r"..?[，。、？！：；]?", text)
    per_char = (end_ms - start_ms) / max(1, len(text))
    words, at = [], start_ms
    for piece in pieces:
        words.append(Word(round(at), round(at + per_char * len(piece)), piece, 0.9))
        at += per_char * len(piece)
    return words


def clip_words(shared_media, clip: str) -> list[Word]:
    sentences = load(shared_media / f"{clip}.srt")
    return [word for cue in sentences for word in whisper_words(cue.text, cue.start_ms, cue.end_ms)]


def spoken(text: str) -> str:
    """The words of ``text``: what no cutting or fixing may lose, reorder or invent."""
    return "".join(char for char in text if char.isalnum())


@pytest.mark.parametrize("profile", PROFILES.values(), ids=lambda p: p.name)
@pytest.mark.parametrize("clip", SHARED_CLIPS)
def test_real_sentences_give_cues_that_pass_check(shared_media, clip, profile):
    words = clip_words(shared_media, clip)
    cues = segment_words(words, profile)
    assert check(cues, profile) == []
    assert spoken("".join(cue.text for cue in cues)) == spoken("".join(w.text for w in words))
    assert cues[0].start_ms == words[0].start_ms


def test_sentences_and_long_pauses_end_cues():
    words = [Word(0, 900, "好的", 0.9), Word(900, 950, "。", 0.9), Word(1000, 1900, "请问", 0.9),
             Word(2800, 3500, "怎么", 0.9), Word(3500, 4200, "办理", 0.9)]
    cues = segment_words(words, BROADCAST)
    assert [cue.lines for cue in cues] == [("好的",), ("请问",), ("怎么办理",)]
    assert [(cue.start_ms, cue.end_ms) for cue in cues] == [(0, 920), (1000, 1900), (2800, 4200)]


def test_a_quoted_sentence_ends_a_cue():
    words = [Word(0, 900, "他说", 0.9), Word(900, 1800, "“好的", 0.9), Word(1800, 1850, "。”", 0.9),
             Word(1900, 2800, "然后", 0.9), Word(2800, 3700, "走了", 0.9)]
    assert [cue.lines for cue in segment_words(words, BROADCAST)] == [("他说“好的”",), ("然后走了",)]


def test_a_cue_too_short_to_read_joins_its_neighbour():
    words = [Word(0, 500, "好的", 0.9), Word(500, 520, "。", 0.9), Word(550, 1400, "请问", 0.9),
             Word(1400, 2100, "怎么办理", 0.9)]
    cues = segment_words(words, BROADCAST)
    assert [cue.lines for cue in cues] == [("好的 请问怎么办理",)]


def test_whisper_pieces_of_one_word_stay_together():
    """Whisper cut 营业执照 as 营|业执|照 and paused inside it; the cue still keeps it whole."""
    text = "现在申请营业执照可以通过一网通办平台在线办理不用再到窗口来回跑也不用排队等候"
    words = [Word(0, 400, "现在", 0.9), Word(400, 800, "申请", 0.9), Word(800, 1000, "营", 0.9),
             Word(1000, 1400, "业执", 0.9), Word(1450, 1700, "照", 0.9)] + \
        whisper_words(text[8:], 1700, 9000)
    cues = segment_words(words, BROADCAST)
    assert any("营业执照" in cue.text for cue in cues)
    assert check(cues, BROADCAST) == []


def test_a_title_is_never_cut_even_when_long():
    title = "《中华人民共和国行政复议法》"
    text = f"今天我们聊一聊{title}里关于申请期限的规定"
    cues = segment_words(whisper_words(text, 0, 6000), get_profile("vertical-zh"))
    assert sum(title in line for cue in cues for line in cue.lines) == 1


def test_empty_and_punctuation_only_input_gives_no_cues():
    assert segment_words([], BROADCAST) == []
    assert segment_words([Word(0, 100, "。", 0.5), Word(100, 200, "，", 0.5)], BROADCAST) == []


def test_stray_punctuation_before_a_pause_makes_no_cue_of_its_own():
    words = [Word(0, 40, "，、", 0.9), Word(840, 1500, "可以的", 0.9), Word(1500, 2200, "谢谢", 0.9)]
    assert segment_words(words, BROADCAST) == [Cue(840, 2200, ("可以的谢谢",))]


def test_timed_atoms_take_times_from_the_characters_under_them():
    pieces = timed_atoms([Word(0, 300, "营业执", 0.9), Word(300, 500, "照，我", 0.9)])
    assert [(a.text, a.start_ms) for a in pieces][:1] == [("营业执照，", 0)]


# --- properties -----------------------------------------------------------------------

@st.composite
def word_sequences(draw, max_ms_per_char=600, gaps=(0, 0, 0, 40, 200, 600, 2500)):
    """Whisper-like words: vocabulary words cut at random places into 1-3 character
    pieces, with random speaking rates and pauses."""
    tokens = draw(st.lists(st.sampled_from(WORDS + TITLES + MARKS), min_size=1, max_size=60))
    text = "".join(tokens)
    words, at, position = [], 0, 0
    while position < len(text):
        size = draw(st.integers(1, 3))
        piece = text[position:position + size]
        at += draw(st.sampled_from(gaps))
        length = draw(st.integers(20, max_ms_per_char)) * len(piece)
        words.append(Word(at, at + length, piece, 0.9))
        at, position = at + length, position + size
    return words


def _bounds(pieces):
    """Where each piece ends, counted in word characters (punctuation may be dropped)."""
    lengths = [len(spoken(piece)) for piece in pieces]
    return {sum(lengths[:i]) for i in range(1, len(lengths))}


@settings(max_examples=80, deadline=None, derandomize=True)
@given(words=word_sequences(), profile=st.sampled_from(list(PROFILES.values())))
def test_any_words_give_cues_that_fit_or_are_reported(words, profile):
    cues = segment_words(words, profile)
    text = "".join(word.text for word in words)
    assert spoken("".join(cue.text for cue in cues)) == spoken(text)
    assert _bounds([cue.text for cue in cues]) <= _bounds(atoms(display_style(text))), "a word was split"
    for title in re.findall("《[^》]*》", text):
        assert sum(line.count(title) for cue in cues for line in cue.lines) == text.count(title)
    reported = {(v.cue, v.rule) for v in check(cues, profile)}
    for number, cue in enumerate(cues, start=1):
        assert cue.start_ms >= words[0].start_ms and cue.end_ms > cue.start_ms
        if number > 1:
            assert cue.start_ms - cues[number - 2].end_ms >= profile.min_gap_ms
        assert len(cue.lines) <= profile.max_lines or (number, "lines") in reported
        for line in cue.lines:
            assert display_width(line) <= profile.max_line_width or (number, "line-width") in reported
    # Only speech too fast or too dense can leave a rule broken.
    assert {rule for _, rule in reported} <= {"cps", "min-duration", "line-width"}


@settings(max_examples=50, deadline=None, derandomize=True)
@given(words=word_sequences(max_ms_per_char=600, gaps=(0, 100, 300, 800)))
def test_realistic_speech_passes_check_outright(words):
    """At 2.5-6 characters a second (people speak 4-5) every rule is met."""
    words = [Word(w.start_ms, w.start_ms + max(w.end_ms - w.start_ms, 166 * len(w.text)),
                  w.text, w.probability) for w in words]
    words = _reflow(words)
    assert check(segment_words(words, BROADCAST), BROADCAST) == []


def _reflow(words):
    """Keep each word's duration and the pause before it, but never overlap the previous word."""
    out, at = [], words[0].start_ms
    for previous, word in zip([None] + words[:-1], words):
        gap = 0 if previous is None else max(0, word.start_ms - previous.end_ms)
        start = at + gap
        out.append(Word(start, start + word.end_ms - word.start_ms, word.text, word.probability))
        at = out[-1].end_ms
    return out


def test_segmenting_is_deterministic(shared_media):
    words = clip_words(shared_media, SHARED_CLIPS[2])
    assert segment_words(words, BROADCAST) == segment_words(list(words), BROADCAST)
