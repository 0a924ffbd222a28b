"""The plain-language score and the decoding hints built from the glossary."""
from __future__ import annotations

import pytest

from glossary import load_default
from glossary.prompt import MAX_PROMPT_CHARS, PROMPT_OPENING, decoding_hints
from glossary.rewrite import rewrite
from glossary.score import score
from tests.support import SHARED_CLIPS

GLOSSARY = load_default()


@pytest.mark.parametrize("text, chars, terms, density, value", [
    ("今天天气很好，我们去公园散步。", 13, 0, 0.0, 100),
    ("窗口可以容缺受理。", 8, 1, 12.5, 0),
    ("窗口可以容缺受理（收件后补材料）。", 14, 1, 7.14, 82),  # explained: weight 0.25
    ("请大家在节目里不要叫他老赖，要叫他的名字，或者叫他被执行人，这样说话更尊重别人。", 36, 1, 2.78, 17),
    # forbidden: weight 3, so 100 − 10 × 3 × 100 / 36
    ("市场主体都可以依法平等进入这个行业的市场。", 20, 1, 5.0, 25),  # deprecated: weight 1.5
    ("", 0, 0, 0.0, 100),
])
def test_score_formula(text, chars, terms, density, value):
    result = score(text, GLOSSARY)
    assert (result.chars, result.terms, result.density, result.score) == (chars, terms, density, value)


@pytest.mark.parametrize("clip", SHARED_CLIPS)
def test_the_plain_rewrite_scores_higher(shared_media, clip):
    text = (shared_media / f"{clip}.txt").read_text(encoding="utf-8")
    before, after = score(text, GLOSSARY), score(rewrite(text, GLOSSARY).text, GLOSSARY)
    assert before.terms >= 4 and after.score > before.score


def test_hints_from_an_episode_script():
    script = "如果材料不齐，窗口可以容缺受理；營業執照可以一網通辦。"
    assert decoding_hints(GLOSSARY, script) == (None, "武陵政务直播间、政务服务导办视频:容缺受理、营业执照、一网通办。")
    hotwords, prompt = decoding_hints(GLOSSARY, script, hotwords=True)
    assert hotwords == "容缺受理 营业执照 一网通办"


def test_hints_from_a_term_list_are_canonical_and_short():
    terms = [t.term for t in GLOSSARY.terms][:40] + ["容缺办理", "武陵区"]
    hotwords, prompt = decoding_hints(GLOSSARY, terms, hotwords=True)
    assert len(prompt) <= MAX_PROMPT_CHARS and prompt.endswith("。")
    assert hotwords.split() == prompt[len(PROMPT_OPENING):-1].split("、")
    assert decoding_hints(GLOSSARY, ["容缺办理", "武陵区"], hotwords=True) == (
        "容缺受理 武陵区", "武陵政务直播间、政务服务导办视频:容缺受理、武陵区。")


def test_no_terms_no_hints():
    assert decoding_hints(GLOSSARY, "今天天气很好") == (None, None)
