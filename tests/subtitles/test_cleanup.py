"""Whisper's stock hallucinations and repetition loops are removed; real speech kept."""
from __future__ import annotations

import pytest

from subtitles.cleanup import clean, collapse_loops, fullwidth_punctuation, is_hallucination, model_spelling
from subtitles.transcript import Segment, Transcript, Word


def seg(text, no_speech=0.05, logprob=-0.3, words=None):
    words = words or tuple(Word(i * 200, i * 200 + 200, ch, 0.9) for i, ch in enumerate(text))
    return Segment(words[0].start_ms, words[-1].end_ms, text, tuple(words), logprob, no_speech)


@pytest.mark.parametrize("text", [
    "字幕由Amara.org社群提供", "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目",
    "中文字幕志愿者 李宗盛", "点赞、订阅、转发", "优优独播剧场——YoYo Television Series Exclusive",
])
def test_credit_lines_are_always_hallucinations(text):
    assert is_hallucination(seg(text, no_speech=0.0, logprob=-0.1))


def test_polite_closing_is_kept_when_the_model_heard_speech():
    assert not is_hallucination(seg("谢谢观看", no_speech=0.05, logprob=-0.2))
    assert is_hallucination(seg("谢谢观看", no_speech=0.8, logprob=-0.2))


def test_a_line_said_faster_than_anyone_speaks_is_a_hallucination():
    """The live captioner's last pass wrote 这次的电话是说的 over half a second after the
    last words, every character but the first timed at the very end of the audio; and,
    sure of it, a loop of 新的 in another half second."""
    words = (Word(9120, 9620, "这", 0.01), *(Word(9620, 9620, ch, 0.05) for ch in "次的电话是说的"))
    assert is_hallucination(seg("这次的电话是说的", no_speech=0.59, logprob=-0.96, words=words))
    loop = (Word(9740, 10280, "这次是一个", 0.5), *(Word(10280, 10280, ch, 0.95) for ch in "新的" * 20))
    assert is_hallucination(seg("这次是一个" + "新的" * 20, no_speech=0.42, logprob=-0.7, words=loop))
    brisk = tuple(Word(i * 110, i * 110 + 110, ch, 0.9) for i, ch in enumerate("依法可以不予处罚"))  # 9 a second
    assert not is_hallucination(seg("依法可以不予处罚", no_speech=0.59, logprob=-0.96, words=brisk))


@pytest.mark.parametrize("text", ["办理营业执照需要哪些材料", "字幕要清楚，观众才看得懂", "请大家订阅我们的政务公众号通知"])
def test_real_sentences_are_not_hallucinations(text):
    assert not is_hallucination(seg(text))


def test_repetition_loop_collapses_to_one_copy_with_times_kept():
    words = tuple(Word(i * 300, i * 300 + 300, t, 0.9) for i, t in enumerate(["我们", "会", "在", "这里"] * 4))
    collapsed = collapse_loops(seg("我们会在这里" * 4, words=words))
    assert collapsed.text == "我们会在这里"
    assert [x.start_ms for x in collapsed.words] == [0, 300, 600, 900]


def test_short_single_character_repeats_are_speech():
    words = tuple(Word(i * 200, i * 200 + 200, "对", 0.9) for i in range(3))
    assert collapse_loops(seg("对对对", words=words)).text == "对对对"


def test_clean_drops_hallucinations_and_repeated_segments():
    transcript = Transcript("zh", 10_000, [seg("欢迎收看"), seg("欢迎收看"), seg("字幕由Amara.org社群提供")])
    assert [s.text for s in clean(transcript).segments] == ["欢迎收看"]


def test_ascii_punctuation_after_chinese_becomes_full_width():
    words = (Word(0, 100, "大家好", 0.9), Word(100, 110, ",", 0.9), Word(110, 300, "版本1.5", 0.9))
    fixed = fullwidth_punctuation(Segment(0, 300, "大家好,版本1.5", words))
    assert fixed.text == "大家好，版本1.5"
    assert [x.text for x in fixed.words] == ["大家好", "，", "版本1.5"]


@pytest.mark.parametrize("texts, expected", [
    (["当面", "资", " ,", "也"], ["当面", "资", "，", "也"]),  # a space before the mark
    ([",", "也可以"], ["，", "也可以"]),  # a live pass opening where the last confirmed word ended
    ([" ?", "对吗"], ["？", "对吗"]),
    ([",", " OK"], [",", " OK"]),  # not before Chinese: left alone
    (["版本", " 1.5"], ["版本", " 1.5"]),
])
def test_ascii_marks_next_to_chinese_become_full_width_whatever_the_spacing(texts, expected):
    words = tuple(Word(i * 100, i * 100 + 100, text, 0.9) for i, text in enumerate(texts))
    assert [w.text for w in fullwidth_punctuation(Segment(0, 100 * len(texts), "".join(texts), words)).words] == expected


def test_the_prompt_is_spelled_as_the_model_writes_so_no_comma_becomes_a_letter():
    assert model_spelling("武陵政务直播间：法律援助，热线？是！；") == "武陵政务直播间:法律援助,热线?是!;"
    assert model_spelling("由政府指派律师、律师。") == "由政府指派律师、律师。"  # 、 and 。 are one token each


def test_the_model_spelling_is_undone_by_the_cleanup():
    text = "武陵政务直播间：法律援助，热线？是！好；对"
    assert fullwidth_punctuation(seg(model_spelling(text))).text == text
