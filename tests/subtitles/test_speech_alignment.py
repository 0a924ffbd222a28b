"""Word times aligned to detected speech; pauses turned into clause marks."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from subtitles.speech import align_words, punctuate_pauses
from subtitles.transcript import Word


def w(start, end, text="字"):
    return Word(start, end, text, 0.9)


def test_early_first_word_moves_to_the_speech_onset():
    # Whisper started the sentence where the previous one ended (5720) but speech starts at 6170.
    words = [w(5720, 6400, "买"), w(6400, 6620, "卖")]
    assert [x.start_ms for x in align_words(words, [(3550, 5950), (6170, 7700)])] == [6170, 6400]


def test_word_anchored_by_its_end_not_its_early_start():
    # “这” spans the gap between two regions; its end belongs to the second one.
    aligned = align_words([w(3320, 3720, "这")], [(680, 3450), (3590, 5950)])
    assert (aligned[0].start_ms, aligned[0].end_ms) == (3590, 3720)


def test_word_spilling_into_silence_is_trimmed_to_the_region_end():
    aligned = align_words([w(1000, 2600)], [(900, 1800), (4000, 5000)])
    assert (aligned[0].start_ms, aligned[0].end_ms) == (1000, 1800)


def test_words_far_from_any_speech_are_dropped():
    words = [w(1000, 1200), w(9000, 9500, "幻")]
    assert [x.text for x in align_words(words, [(900, 1300)])] == ["字"]


def test_without_regions_words_are_unchanged():
    words = [w(0, 100), w(100, 200)]
    assert align_words(words, []) == words


@given(st.lists(st.tuples(st.integers(0, 60_000), st.integers(1, 3000)), max_size=40),
       st.lists(st.tuples(st.integers(0, 60_000), st.integers(50, 5000)), min_size=1, max_size=20))
def test_aligned_words_lie_in_speech_and_stay_in_order(raw_words, raw_regions):
    words = [w(s, s + d) for s, d in sorted(raw_words)]
    regions, last_end = [], -1
    for start, length in sorted(raw_regions):
        if start > last_end:
            regions.append((start, start + length))
            last_end = start + length
    aligned = align_words(words, regions)
    assert len(aligned) <= len(words)
    for word in aligned:
        assert word.start_ms <= word.end_ms
        assert any(s <= word.start_ms <= e for s, e in regions)
        assert any(s <= word.end_ms <= e for s, e in regions)
    assert [x.start_ms for x in aligned] == sorted(x.start_ms for x in aligned)


def test_pauses_become_clause_and_sentence_marks():
    words = [w(0, 500, "您好"), w(620, 900, "这里"), w(1300, 1600, "是"), w(1610, 1900, "窗口")]
    assert [x.text for x in punctuate_pauses(words)] == ["您好，", "这里。", "是", "窗口。"]


def test_existing_punctuation_is_kept():
    words = [w(0, 500, "请问？"), w(1000, 1500, "好的")]
    assert [x.text for x in punctuate_pauses(words)] == ["请问？", "好的。"]
