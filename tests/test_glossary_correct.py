"""Pinyin post-correction: misheard jargon back to the term, nothing else touched."""
from __future__ import annotations

import pytest

from glossary import load_default
from glossary.correct import correct
from subtitles.transcript import Segment, Transcript, Word
from tests.conftest import SHARED_CLIPS

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


EVERYDAY = """今天早上下了一场小雨，空气特别清新。
我和邻居约好周末一起去菜市场买菜，顺便看看新开的面包店。
孩子放学回家以后先写作业，再下楼和小伙伴踢球。
奶奶最近腿脚不太方便，我们打算给她买一根结实的拐杖。
公交车改了线路，以后坐三路车就能直接到医院门口。
晚上全家人一起包饺子，爸爸负责擀皮，妈妈负责调馅。
图书馆周六延长开放时间，很多学生在那里复习功课。
楼下的银行换了新的自动取款机，排队的人少了很多。
小区门口新开了一家理发店，价格公道，手艺也不错。
天气预报说明天降温，出门记得多穿一件外套。"""


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
