"""The live captioner's parts without the model: LocalAgreement, roll-up cues, the
WebVTT segments and playlist (real files under tmp_path)."""
from __future__ import annotations

import logging
import wave
from types import SimpleNamespace

import numpy as np
import pytest

from glossary import load_default
from glossary.correct import correct
from subtitles.transcript import Word
from studio.live_captions import (HOLD_MS, Agreement, Captioner, RollUp, SegmentWriter, end_playlist, first_shown,
                                  vtt_segment, warn_if_fragments_longer)
from studio.live_recording import live_cues
from subtitles.cue import Cue


def words(text: str, start_ms: int = 0, step_ms: int = 200) -> list[Word]:
    return [Word(start_ms + i * step_ms, start_ms + (i + 1) * step_ms, ch, 0.9) for i, ch in enumerate(text)]


def test_only_words_two_passes_agree_on_are_committed():
    agreement = Agreement()
    assert agreement.confirm(words("法律援"), 700) == []  # one pass: nothing is sure yet
    assert "".join(w.text for w in agreement.confirm(words("法律援助怎"), 1100)) == "法律援"
    # the next pass heard 怎 as 找: only what both said goes out
    assert "".join(w.text for w in agreement.confirm(words("法律援助找么"), 1300)) == "助"
    assert agreement.committed_until == 800


def test_a_word_the_passes_keep_hearing_differently_holds_back_the_rest_only_until_it_is_settled():
    """一律不再 heard three ways: LocalAgreement alone would stop at 一 and hold every
    word after it; a word heard with 2 s of audio after it goes out as that pass heard it."""
    agreement, committed = Agreement(), []
    hearings = [(1000, "衣律不再"), (2000, "一绿部在要求群众提"), (3000, "一路不在要求群众提供"),
                (4000, "一路不再要求群众提供")]  # (the pass's audio end, what it heard; 200 ms a character)
    for heard_until, heard in hearings:
        committed += agreement.confirm(words(heard), heard_until)
        settled = (heard_until - Agreement.SETTLED_MS) // 200  # characters said 2 s before the pass's end
        assert len(committed) >= settled
    assert "".join(w.text for w in committed) == "一路不在要求群众提供"


def test_a_settled_stretch_is_taken_from_the_surer_of_the_last_two_hearings():
    agreement = Agreement()
    agreement.confirm([Word(0, 400, "调解", 0.9), Word(400, 800, "费用", 0.8)], 1200)
    later = [Word(0, 400, "议，", 0.3), Word(400, 800, "调节", 0.4), Word(800, 1200, "不收", 0.9)]
    assert [w.text for w in agreement.confirm(later, 3000)] == ["调解", "费用"]  # heard 2 s ago: settled
    assert [w.text for w in agreement.pending] == ["不收"]


def test_words_heard_again_at_the_seam_are_not_committed_twice():
    agreement = Agreement()
    agreement.confirm(words("申请法律"), 900)
    agreement.confirm(words("申请法律援助"), 1300)
    again = words("法律援助由政府", start_ms=400)  # a later window re-hears 法律
    agreement.confirm(again, 1900)
    agreement.confirm(words("法律援助由政府指", start_ms=400), 2100)
    assert "".join(w.text for w in agreement.committed) == "申请法律援助由政府"


def test_a_term_whose_words_two_passes_confirm_apart_is_corrected_whole(tmp_path):
    """Glossary correction runs on each pass's words before they are compared: 行政复意
    is put right although 行政复 and 意 were confirmed by different passes."""
    glossary = load_default()
    captioner = Captioner(model=None, writer=SegmentWriter(tmp_path / "b1"),
                          correct=lambda transcript: correct(transcript, glossary).transcript)
    captioner.start_at(0)
    for heard in ("还可以申请行政", "还可以申请行政复", "还可以申请行政复意", "还可以申请行政复意"):
        captioner.feed(np.zeros(16000, dtype=np.float32))
        captioner.take(words(heard))
    assert "".join(w.text for w in captioner.agreement.committed) == "还可以申请行政复议"


class ScriptedModel:
    """Stands in for the speech model (it cannot be made to invent words on demand):
    each pass "hears" the same words, as faster-whisper's segments."""

    def __init__(self, *said: tuple[float, float, str]):
        self.said = said

    def transcribe(self, audio, **options):
        heard_s = audio.size / 16000  # it hears only the words inside the audio it is given
        words = [SimpleNamespace(start=start, end=end, word=text, probability=0.9)
                 for start, end, text in self.said if end <= heard_s]
        segment = SimpleNamespace(start=words[0].start, end=words[-1].end, text="".join(w.word for w in words),
                                  words=words, avg_logprob=-0.2, no_speech_prob=0.01)
        return iter([segment]), None


def test_words_the_model_writes_over_silence_after_speech_are_not_captioned(tmp_path, shared_media):
    with wave.open(str(shared_media / "talk_legal_aid.wav")) as clip:  # 16 kHz mono, as the captioner hears
        speech = np.frombuffer(clip.readframes(3 * 16000), dtype=np.int16).astype(np.float32) / 32768
    model = ScriptedModel((0.2, 0.6, "各位"), (0.6, 1.0, "听众"), (5.5, 6.2, "请注意"))  # 3 s to 8 s is silence
    captioner = Captioner(model, SegmentWriter(tmp_path / "b1"))
    captioner.start_at(0)
    captioner.feed(np.concatenate([speech, np.zeros(5 * 16000, dtype=np.float32)]))
    assert [w.text for w in captioner._hypothesis()] == ["各位", "听众"]


def test_the_last_pass_hears_no_silence_after_the_last_words_so_adds_no_closing_line(tmp_path, shared_media):
    """At the push's end no later pass can disagree with what the last one heard; over
    the silence after the last words the model adds a closing line (请注意) that lands
    within a second of the speech, too near to be dropped as far from it."""
    with wave.open(str(shared_media / "talk_legal_aid.wav")) as clip:
        speech = np.frombuffer(clip.readframes(3 * 16000), dtype=np.int16).astype(np.float32) / 32768
    model = ScriptedModel((0.2, 0.6, "各位"), (0.6, 1.0, "听众"), (3.4, 3.8, "请注意"))
    captioner = Captioner(model, SegmentWriter(tmp_path / "b1"))
    captioner.start_at(0)
    captioner.feed(np.concatenate([speech, np.zeros(16000, dtype=np.float32)]))  # the push ends after 1 s of silence
    captioner.finish()
    assert "".join(text for _, text in first_shown(live_cues(tmp_path / "b1"))) == "各位听众"
    assert SegmentWriter(tmp_path / "b1").written_until_ms == 4000  # segments up to the push's end


def test_the_window_is_cut_where_a_clause_ended_not_inside_a_word(tmp_path):
    """Cut after 工 of 工资, the next window began inside 资 and no pass heard it again."""
    captioner = Captioner(model=None, writer=SegmentWriter(tmp_path / "b1"))
    captioner.start_at(0)
    captioner.feed(np.zeros(13 * 16000, dtype=np.float32))  # more than the 12 s window
    captioner.take([Word(0, 4000, "申请法律援助，", 0.9), Word(4000, 9000, "在外打工被拖欠了工", 0.9)])
    assert (captioner.audio_start_ms, captioner.text_before) == (4000, "申请法律援助，")
    unpunctuated = Captioner(model=None, writer=SegmentWriter(tmp_path / "b2"))
    unpunctuated.start_at(0)
    unpunctuated.feed(np.zeros(13 * 16000, dtype=np.float32))
    unpunctuated.take([Word(0, 4000, "申请法律援助", 0.9), Word(4000, 9000, "在外打工被拖欠了工", 0.9)])
    assert unpunctuated.audio_start_ms == 9000  # no clause ended: after the last committed word


def test_roll_up_keeps_two_lines_of_16_and_gives_late_words_a_moment_each():
    rollup = RollUp(max_width=16, max_lines=2, pause_ms=800)
    for word in words("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二三四"):
        rollup.add(word, not_before_ms=0)
    assert rollup.lines == ["六七八九十一二三四五六七八九十", "一二三四"]  # 十一 moved down whole
    late = RollUp(max_width=16, max_lines=2, pause_ms=800)
    for word in words("不收取任何费用", start_ms=1000, step_ms=100):
        late.add(word, not_before_ms=5000)  # confirmed after 5 s was written out
    moments = [moment for moment, _ in late.changes]
    assert moments == sorted(set(moments)) and moments[0] == 5000
    assert "".join(text for _, text in first_shown(late.cues(0, 20_000))) == "不收取任何费用"


def test_a_full_line_breaks_between_words_and_the_word_started_on_it_moves_down_shown_once():
    rollup = RollUp(max_width=16, max_lines=2, pause_ms=800)
    said = words("今天的节目我们请来了区司法局的人民调解员")  # the model's "words": one character each
    for word in said:
        rollup.add(word, not_before_ms=0)
    assert rollup.lines == ["今天的节目我们请来了区司法局的", "人民调解员"]  # not 人民调 / 解员
    shown = first_shown(rollup.cues(0, 20_000))
    assert "".join(text for _, text in shown) == "".join(w.text for w in said)  # moved down, not shown again
    assert {ch: moment for moment, text in shown for ch in text}["人"] == said[15].start_ms  # when it was said


def test_a_glossary_term_moves_down_whole():
    rollup = RollUp(max_width=16, max_lines=2, pause_ms=800, keep=frozenset({"综合行政执法"}))
    for word in words("今天我们来聊一聊区里的综合行政执法"):
        rollup.add(word, not_before_ms=0)
    assert rollup.lines == ["今天我们来聊一聊区里的", "综合行政执法"]


def test_captions_clear_after_a_pause_and_cues_are_cut_at_segment_edges():
    rollup = RollUp(max_width=16, max_lines=2, pause_ms=800)
    for word in words("调解不收费"):
        rollup.add(word, 0)
    assert rollup.cues(0, 2000)[-1] == Cue(800, 2000, ("调解不收费",))  # cut at the segment's end
    assert rollup.cues(1000 + HOLD_MS, 10_000) == []  # cleared HOLD_MS after the last word
    for word in words("热线", start_ms=9000):
        rollup.add(word, 0)
    assert rollup.lines == ["热线"]


def test_segments_and_playlist_and_the_whole_captions_read_back(tmp_path):
    writer = SegmentWriter(tmp_path / "b1")
    writer.write(0, [Cue(500, 1000, ["法律援助"])])  # segments of 1 s, as nginx's video fragments
    writer.write(1, [Cue(1000, 1300, ["法律援助"]), Cue(1300, 1900, ["法律援助", "由政府"])])
    assert (tmp_path / "b1" / "seg-1.vtt").read_text().startswith(
        "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:63000,LOCAL:00:00:00.000\n")
    playlist = (tmp_path / "b1" / "index.m3u8").read_text()
    assert playlist.splitlines()[:4] == ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-TARGETDURATION:1",
                                         "#EXT-X-MEDIA-SEQUENCE:0"]
    assert playlist.endswith("seg-1.vtt\n")  # the encoder may come back: not ended
    cues = live_cues(tmp_path / "b1")  # the caption across the segment edge is one cue again
    assert cues == [Cue(500, 1300, ("法律援助",)), Cue(1300, 1900, ("法律援助", "由政府"))]
    assert SegmentWriter(tmp_path / "b1").written_until_ms == 2000  # a restarted captioner goes on


def test_an_empty_segment_is_a_valid_webvtt_file():
    assert vtt_segment([]) == "WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:63000,LOCAL:00:00:00.000\n"


def test_a_new_push_starts_with_a_discontinuity_and_the_broadcast_end_ends_the_playlist(tmp_path):
    folder = tmp_path / "b1"
    first = SegmentWriter(folder)
    first.write(0, [Cue(500, 1000, ["法律援助"])])
    second = SegmentWriter(folder)  # the captioner of the encoder's next push
    second.start_push(3)
    second.write(3, [Cue(3000, 3500, ["热线"])])
    lines = (folder / "index.m3u8").read_text().splitlines()
    assert lines[4:] == ["#EXT-X-DISCONTINUITY", "#EXTINF:1.000,", "seg-0.vtt",
                         "#EXT-X-DISCONTINUITY", "#EXTINF:1.000,", "seg-3.vtt"]
    assert SegmentWriter(folder).push_starts == {0, 3}  # read back after a crash
    end_playlist(folder)
    end_playlist(folder)
    second.write(4, [])  # a last segment written after the grace period ended it
    assert (folder / "index.m3u8").read_text().endswith("seg-4.vtt\n#EXT-X-ENDLIST\n")


@pytest.mark.parametrize("fragments, warned", [([1.0, 1.0, 1.04, 0.96], False), ([2.0, 2.0, 2.0, 1.0], True), ([], False)])
def test_picture_fragments_longer_than_the_caption_segments_are_named(tmp_path, caplog, fragments, warned):
    playlist = tmp_path / "index.m3u8"
    playlist.write_text("#EXTM3U\n#EXT-X-TARGETDURATION:2\n" + "".join(
        f"#EXTINF:{seconds:.3f},\n{number}.ts\n" for number, seconds in enumerate(fragments)))
    with caplog.at_level(logging.WARNING):
        warn_if_fragments_longer(playlist)
        warn_if_fragments_longer(tmp_path / "no-picture" / "index.m3u8")
    assert ("keyframe interval to 1 s" in caplog.text) is warned
