"""When live captions show, and what they show, without the model: properties of the
commit policy (LocalAgreement), the roll-up and the segment timing over generated
passes (hypothesis). Segments are real files under tmp_path."""
from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studio import media
from studio.live_captions import SEGMENT_MS, Agreement, Captioner, RollUp, SegmentWriter, first_shown
from studio.live_recording import live_cues
from subtitles.transcript import Word

PROFILE_WIDTH, PROFILE_LINES, PAUSE_MS = 16, 2, 800


@st.composite
def speech(draw, max_words: int = 40) -> list[Word]:
    """Words in order, each of its own characters (so every caption character says
    which word it came from), with gaps that are sometimes pauses."""
    words, moment, next_char = [], draw(st.integers(0, 3000)), 0x4E00
    for _ in range(draw(st.integers(1, max_words))):
        moment += draw(st.sampled_from([0, 0, 50, 300, 1200, 5000]))
        length, size = draw(st.integers(80, 700)), draw(st.integers(1, 4))
        words.append(Word(moment, moment + length, "".join(map(chr, range(next_char, next_char + size))), 0.9))
        moment, next_char = moment + length, next_char + size
    return words


def shown_at(cues) -> dict[str, int]:
    """Each caption character with the moment it first showed."""
    return {ch: moment for moment, text in first_shown(cues) for ch in text}


@settings(deadline=None)  # the first example loads jieba (lines break between its words)
@given(speech(), st.lists(st.integers(0, 4000), min_size=40, max_size=40))
def test_roll_up_shows_every_word_once_never_before_it_is_said_and_never_too_wide(said, lateness):
    rollup = RollUp(PROFILE_WIDTH, PROFILE_LINES, PAUSE_MS)
    not_before = 0
    for word, late in zip(said, lateness):
        not_before = max(not_before, word.start_ms + late)  # confirmed some time after it was said
        rollup.add(word, not_before)
        word_not_before = not_before
        assert rollup.changes[-1][0] >= max(word.start_ms, word_not_before)
    cues = rollup.cues(0, 10**9)
    assert "".join(text for _, text in first_shown(cues)) == "".join(w.text for w in said)
    moments = shown_at(cues)
    for word in said:
        assert moments[word.text[0]] >= word.start_ms
    assert all(len(cue.lines) <= PROFILE_LINES and all(len(line) <= PROFILE_WIDTH for line in cue.lines)
               for cue in cues)
    assert all(a.end_ms <= b.start_ms for a, b in zip(cues, cues[1:]))


def test_words_confirmed_together_show_together():
    rollup = RollUp(PROFILE_WIDTH, PROFILE_LINES, PAUSE_MS)
    for word in [Word(1000, 1300, "法律", 0.9), Word(1300, 1600, "援助", 0.9), Word(1600, 1900, "热线", 0.9)]:
        rollup.add(word, not_before_ms=4000)
    assert rollup.changes == [(4000, ("法律援助热线",))]


def test_a_batch_longer_than_the_screen_rolls_through_and_every_line_shows():
    rollup = RollUp(PROFILE_WIDTH, PROFILE_LINES, PAUSE_MS)
    text = "".join(map(chr, range(0x4E00, 0x4E00 + 40)))  # two and a half lines, confirmed at once
    for index, char in enumerate(text):
        rollup.add(Word(1000 + 100 * index, 1100 + 100 * index, char, 0.9), not_before_ms=9000)
    assert "".join(added for _, added in first_shown(rollup.cues(0, 20_000))) == text
    assert [moment for moment, _ in rollup.changes] == [9000, 9000 + 120]


def test_a_word_whose_punctuation_changed_with_more_audio_is_still_confirmed():
    agreement = Agreement()
    agreement.confirm([Word(0, 300, "工", 0.9), Word(300, 600, "资。", 0.9)], 600)  # the audio ended there
    agreed = agreement.confirm([Word(0, 300, "工", 0.9), Word(300, 600, "资，", 0.9), Word(600, 900, "请", 0.9)], 1000)
    assert [w.text for w in agreed] == ["工", "资，"]  # as the pass that heard more wrote it


def test_a_word_heard_again_after_the_window_was_cut_at_its_end_is_committed_once():
    agreement = Agreement()
    agreement.confirm([Word(0, 400, "法律", 0.9)], 500)
    agreement.confirm([Word(0, 400, "法律", 0.9), Word(400, 700, "援助", 0.9)], 800)
    agreement.forget_before(agreement.committed_until)  # the captioner cuts its window there
    # the model hears the cut word's tail again at the start of the new window
    again = [Word(390, 450, "法律", 0.9), Word(450, 700, "援助", 0.9)]
    committed = agreement.confirm(again, 900) + agreement.confirm([*again, Word(700, 900, "热线", 0.9)], 1100)
    assert [w.text for w in committed] == ["援助"]


@given(speech(max_words=30), st.lists(st.integers(600, 2500), min_size=1, max_size=80),
       st.integers(300, 1500))
def test_a_steady_hearer_gets_every_word_committed_once_in_order(said, steps, unheard_tail_ms):
    """Passes over a growing window that hear the same words (all but the last moments
    of audio) commit the speech exactly, whatever the step and where the window starts."""
    agreement, audio_end, window_start, committed = Agreement(), 0, 0, []
    for step in steps + [3000, 3000]:
        audio_end += step
        # the window starts where the last committed word ended: the model may hear it again
        heard = [w for w in said if w.start_ms >= window_start - 100 and w.end_ms <= audio_end - unheard_tail_ms]
        committed += agreement.confirm(heard, audio_end)
        if audio_end - window_start > 8000 and agreement.committed_until > window_start:
            window_start = agreement.committed_until  # the captioner cuts its window there
            agreement.forget_before(window_start)
    texts = [w.text for w in committed]
    assert texts == [w.text for w in said][:len(committed)]
    assert len(committed) >= sum(w.end_ms <= audio_end - 3000 - unheard_tail_ms for w in said)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None, max_examples=30)
@given(said=speech(max_words=12), step_ms=st.sampled_from([600, 1000, 1400]))
@example(said=[Word(5000, 5080, "一", 0.9), Word(10080, 10160, "丁", 0.9)], step_ms=600)  # re-heard at the cut
def test_segments_go_out_as_the_audio_passes_their_end_and_words_show_within_a_segment_of_being_confirmed(
        tmp_path_factory, said, step_ms):
    """A steady hearer (every word once its audio is 500 ms old): each pass writes every
    segment the audio has passed and none ahead; a word shows at or after its start and
    is on disk at most one segment after the pass that confirmed it."""
    folder = tmp_path_factory.mktemp("captions") / "b1"
    captioner = Captioner(model=None, writer=SegmentWriter(folder))
    captioner.start_at(0)
    on_disk_at: dict[int, int] = {}  # segment -> audio end of the pass that wrote it
    confirmed_at: dict[str, int] = {}  # word -> audio end of the pass that confirmed it
    confirm = captioner.agreement.confirm

    def noting_confirm(words: list[Word], heard_until_ms: int) -> list[Word]:
        agreed = confirm(words, heard_until_ms)
        confirmed_at.update((word.text, captioner.audio_end_ms) for word in agreed)
        return agreed

    captioner.agreement.confirm = noting_confirm
    step = np.zeros(step_ms * media.SAMPLE_RATE // 1000, dtype=np.float32)
    while captioner.audio_end_ms < said[-1].end_ms + 3 * step_ms + SEGMENT_MS:
        captioner.feed(step)
        end = captioner.audio_end_ms
        captioner.take([w for w in said if w.start_ms >= captioner.audio_start_ms - 100 and w.end_ms <= end - 500])
        for segment in folder.glob("seg-*.vtt"):
            on_disk_at.setdefault(int(segment.stem[4:]), end)
        assert max(on_disk_at, default=-1) == end // SEGMENT_MS - 1  # passed ones, none ahead
    moments = shown_at(live_cues(folder))
    for word in said:
        moment = moments[word.text[0]]
        assert moment >= word.start_ms
        assert on_disk_at[moment // SEGMENT_MS] <= confirmed_at[word.text] + SEGMENT_MS
