"""Pinyin post-correction: misheard jargon back to the term, nothing else touched."""
from __future__ import annotations

import pytest

from glossary import load_default
from glossary.correct import correct
from subtitles.transcript import Segment, Transcript, Word
from tests.support import SHARED_CLIPS
from tests.texts import EVERYDAY

GLOSSARY = load_default()


@pytest.mark.parametrize("heard, expected", [
    ("可以通过以往通办平台申请", "可以通过一网通办平台申请"),  # same syllables, other tones
    ("也可以申请行政副议", "也可以申请行政复议"),
    ("可以通过快省通班专窗办理", "可以通过跨省通办专窗办理"),  # kuai ~ kua
    ("通过检证辩名改革", "通过减证便民改革"),  # ming ~ min
    ("会同步生成电子证长", "会同步生成电子证照"),  # one syllable with the same initial
    ("按照是向下沉的要求", "按照事项下沉的要求"),
    ("按照事项下层的要求", "按照事项下沉的要求"),  # ceng ~ chen
    ("社保卡丢了先挂师", "社保卡丢了先挂失"),  # two characters: same syllables and tones
    ("到社区辩名服务中心办理", "到社区便民服务中心办理"),
    ("申请不动产等级", "申请不动产登记"),
    ("如果您的餐饱地在外省", "如果您的参保地在外省"),
    ("先通过法治审核", "先通过法制审核"),
])
def test_misheard_terms_are_corrected(heard, expected):
    result = correct(heard, GLOSSARY)
    assert result.text == expected
    assert len(result.changes) == 1 and 0.85 <= result.changes[0].score <= 1


@pytest.mark.parametrize("text", [
    "中午一起去吃饭吧",  # a real word two syllables from 政务
    "政府服务越来越好了",  # fu and wu only rhyme
    "他把挂饰挂上了",  # gua shi, but another tone
    "由政府指派律师免费代理",
    "也可以先找社区的人民调解委员会",
    "请参阅《以往通办指南》",  # titles are never touched
    "买卖二手房时要交税",
])
def test_other_text_is_left_alone(text):
    assert correct(text, GLOSSARY).text == text


def test_no_false_corrections_on_text_without_jargon(shared_media):
    texts = [EVERYDAY] + [(shared_media / f"{c}.txt").read_text(encoding="utf-8") for c in SHARED_CLIPS]
    changes = [c for text in texts for c in correct(text, GLOSSARY).changes]
    assert changes == []


def test_a_transcript_keeps_every_time():
    words = tuple(Word(i * 300, i * 300 + 250, text, 0.9)
                  for i, text in enumerate(["可以", "通过", "以往", "通办", "平台", "申请"]))
    transcript = Transcript("zh", 2000, [Segment(0, 1750, "可以通过以往通办平台申请", words)])
    result = correct(transcript, GLOSSARY)
    corrected, changes = result.transcript, result.changes
    segment = corrected.segments[0]
    assert segment.text == "可以通过一网通办平台申请"
    assert [w.text for w in segment.words] == ["可以", "通过", "一网", "通办", "平台", "申请"]
    assert [(w.start_ms, w.end_ms) for w in segment.words] == [(w.start_ms, w.end_ms) for w in words]
    assert [(c.segment, c.start, c.end, c.before, c.after, c.term) for c in changes] == \
        [(0, 4, 8, "以往通办", "一网通办", "一网通办")]
    assert transcript.segments[0].text == "可以通过以往通办平台申请"  # the input is not modified
