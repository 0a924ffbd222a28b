"""Glossary suggestions for reviewers: the correction step's one candidate search at a
looser level, offered where a stretch sounds like a term but was not auto-corrected."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from glossary import load_default
from glossary.correct import correct, inside_longer_word, suggest
from glossary.match import find_normalized, protected_spans
from tests.texts import EVERYDAY

GLOSSARY = load_default()


@pytest.mark.parametrize("heard, before, after", [
    ("申请行政复意", "行政复意", "行政复议"),  # yi4 ~ yi4, but 4-character rule wants 0.85 and gets it: auto too
    ("可以申请形成复议", "形成复议", "行政复议"),  # cheng only rhymes with zheng: suggest only
    ("社保卡丢了先挂诗", "挂诗", "挂失"),  # homophone in another tone
    ("老人可以申请高龄金贴", "高龄金贴", "高龄津贴"),
])
def test_a_stretch_that_sounds_like_a_term_is_suggested(heard, before, after):
    found = suggest(heard, GLOSSARY)
    assert [(f.before, f.after) for f in found] == [(before, after)]
    fix = found[0]
    assert heard[fix.start:fix.end] == before and 0 < fix.score <= 1


def test_suggestions_are_what_auto_correction_leaves_to_people():
    text = "可以通过以往通办平台申请，也可以申请形成复议"
    corrected = correct(text, GLOSSARY)
    assert corrected.text == "可以通过一网通办平台申请，也可以申请形成复议"
    assert [(f.before, f.after) for f in suggest(corrected.text, GLOSSARY)] == [("形成复议", "行政复议")]
    # on text nobody corrected, what auto-correction would fix is offered too
    assert [f.after for f in suggest(text, GLOSSARY)] == ["一网通办", "行政复议"]


@pytest.mark.parametrize("text", [
    "请参阅《以往通办指南》",  # never inside a title
    "关于以往通办的通知",  # nor an official document's name
    "可以通过一网通办平台申请",  # the term is already right
    "",
])
def test_no_suggestion_in_titles_on_terms_or_in_nothing(text):
    assert suggest(text, GLOSSARY) == ()


@pytest.mark.parametrize("text, heard", [
    ("她生了三胞胎", "三胞"),  # 三胞 sounds exactly like 三包, but 三胞胎 is a word
    ("用支付现金的方式", "支付现"),  # 起付线
    ("游戏基地在城东", "戏基地"),  # 户籍地
])
def test_a_heard_form_inside_a_longer_word_is_only_suggested(text, heard):
    assert correct(text, GLOSSARY).text == text
    assert [f.before for f in suggest(text, GLOSSARY)] == [heard]
    start = text.index(heard)
    assert inside_longer_word(text, start, start + len(heard))


@pytest.mark.parametrize("text, heard, term", [
    ("给予行政处分", "行政处分", "行政处罚"),  # a real word, and another sanction
    ("办理商业登记", "商业登记", "失业登记"),
    ("省直机关的干部", "省直机关", "行政机关"),
    ("请了一位卦师", "卦师", "挂失"),  # same syllables and tones, but a word
])
def test_an_ordinary_word_that_sounds_like_a_term_is_only_suggested(text, heard, term):
    assert correct(text, GLOSSARY).text == text
    assert [(f.before, f.after) for f in suggest(text, GLOSSARY)] == [(heard, term)]


def test_the_same_heard_form_standing_alone_is_corrected():
    assert correct("买家电享受三胞服务", GLOSSARY).text == "买家电享受三包服务"
    assert not inside_longer_word("买家电享受三胞服务", 5, 7)


def test_everyday_text_gets_few_suggestions_and_no_corrections():
    """Suggestions cost a reviewer a glance each: on everyday text there are almost none."""
    assert correct(EVERYDAY, GLOSSARY).changes == ()
    assert len(suggest(EVERYDAY, GLOSSARY)) <= 2


def test_ten_thousand_characters_are_searched_whole():
    text = ("可以通过以往通办平台申请。" + "今天早上下了一场小雨。" * 60) * 13
    text = text[:10_000]
    found = suggest(text, GLOSSARY)
    assert found and all(text[f.start:f.end] == f.before for f in found)
    assert all(a.end <= b.start for a, b in zip(found, found[1:]))


def test_a_correction_may_lean_on_a_term_without_changing_it():
    """住房公积金 is right; 公积金体取 overlaps it and only its last two characters change."""
    assert correct("住房公积金体取可以在网上申请", GLOSSARY).text == "住房公积金提取可以在网上申请"
    assert correct("《住房公积金体取办法》", GLOSSARY).text == "《住房公积金体取办法》"


_HEARD = ["住房公积金", "体取", "以往通办", "一网通办", "行政副议", "挂师", "社保卡", "三胞胎", "《以往通办》",
          "中午", "，", "可以", "便民服务中心", "辩名", "服务中心"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_HEARD), max_size=10).map("".join))
def test_no_term_already_right_is_ever_changed(text):
    corrected = correct(text, GLOSSARY).text
    assert len(corrected) == len(text)
    for match in find_normalized(text, GLOSSARY):
        assert corrected[match.start:match.end] == text[match.start:match.end]
    for start, end in protected_spans(text):
        assert corrected[start:end] == text[start:end]
