"""Recognition help that generalises (issue 15, item 5): the whole term base, searched by
pinyin as Changde's Southwestern Mandarin speakers say it, and no ordinary word turned
into a term. These strings are written for the rule, not taken from any clip."""
from __future__ import annotations

import pytest

from glossary import load_default
from glossary.correct import correct
from glossary.normalize import normalize
from glossary.pinyin import accent_form
from tests.support import SHARED_CLIPS

GLOSSARY = load_default()
SEED = "seed/report.txt"


@pytest.mark.parametrize("heard, said", [("nao", "lao"), ("hu", "fu"), ("zhi", "zi"), ("chen2", "cen"),
                                         ("shang", "san"), ("xing2", "xin"), ("huang", "fuan")])
def test_accent_form_merges_what_southwestern_mandarin_merges(heard, said):
    assert accent_form(heard) == said


@pytest.mark.parametrize("meant, heard", [
    ("城乡居民医保可以在网上缴费", "层先居民医保可以在网上缴费"),  # cheng→ceng, xiang→xian
    ("首问负责制要落实到每个窗口", "搜问胡责制要落实到每个窗口"),  # shou→sou, fu→hu
    ("可以申请不动产登记", "可以申请不动惨登记"),  # chan→can
])
def test_two_syllables_said_with_the_accent_are_corrected(meant, heard):
    result = correct(heard, GLOSSARY)
    assert result.text == meant
    assert len(result.changes) == 1


@pytest.mark.parametrize("text", [
    "推进基层行政监管与行政处罚有机衔接",  # 监管 is the term base's own word (包容审慎监管)
    "老师让同学们先把作业做完",
    "今天的菜市场人特别多，大家都在排队",
])
def test_ordinary_words_are_not_turned_into_terms(text):
    assert correct(text, GLOSSARY).changes == ()


def test_no_false_corrections_on_the_scripts_and_the_cleaned_report(shared_media):
    texts = [(shared_media / f"{clip}.txt").read_text(encoding="utf-8") for clip in SHARED_CLIPS]
    texts.append(normalize((shared_media.parent / SEED).read_text(encoding="utf-8")))
    assert [fix for text in texts for fix in correct(text, GLOSSARY).changes] == []


def test_a_false_correction_is_one_that_adds_errors():
    from glossary.evaluation import false_corrections

    heard = "社保关系转移核重防攻击金提取"  # 住房 misheard, so only 公积金提取 can be put back
    fixes = correct(heard, GLOSSARY).changes
    assert [f.after for f in fixes] == ["公积金提取"]
    assert false_corrections(heard, fixes, "社保关系转移和住房公积金提取") == []
    assert false_corrections(heard, fixes, "社保关系转移核重防攻击金提取") == list(fixes)


@pytest.mark.parametrize("text", [
    "社区发放政府给的补助",  # 给 may be read ji3 and 的 di4, but nobody says 府给的 for 户籍地
    "执法人员依法短期限制",  # 法短期限 starts inside 依法 and ends inside 限制: words said
    "这项证明实行告知承诺制",  # 告知承诺制 is right, so 实行 beside it was said, not 事项 misheard
    "可以申请形成复议",  # one syllable only rhymes, and it is part of the word 形成
])
def test_words_said_on_purpose_are_not_corrected(text):
    assert correct(text, GLOSSARY).changes == ()


@pytest.mark.parametrize("heard, meant", [
    ("同时隔令改正", "同时责令改正"),  # every syllable but one identical, that one rhymes, no word
    ("先看市场准入货面清单", "先看市场准入负面清单"),  # seven of eight identical
])
def test_a_term_heard_with_one_syllable_off_is_corrected(heard, meant):
    assert correct(heard, GLOSSARY).text == meant


def test_the_term_base_own_sentences_get_no_corrections():
    """Every example sentence and explanation of the term base, drafts too, is text with
    the terms right and ordinary words around them: the corrector must leave it alone."""
    texts = [text for term in GLOSSARY.all_terms for text in (term.example, term.explanation) if text]
    assert len(texts) > 300
    assert [(fix.before, fix.after) for text in texts for fix in correct(text, GLOSSARY).changes] == []
