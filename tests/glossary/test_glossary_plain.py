"""Issue 15: rewriting that respects the sentence, official names kept and explained,
a term base the office approves. Each example from the issue is a regression test."""
from __future__ import annotations

import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st

from glossary import load_default
from glossary.examples import term_problems
from glossary.io import dumps, load, loads
from glossary.lines import line_units
from glossary.match import find_terms
from glossary.normalize import normalize
from glossary.rewrite import rewrite
from glossary.score import score
from glossary.termbase import Glossary, Term
from glossary.tracks import plain_track
from studio.cli import cli
from studio.environment import Environment
from subtitles.check import check
from subtitles.cue import Cue
from subtitles.profiles import get_profile

GLOSSARY = load_default()
PROFILE = get_profile("broadcast-zh")
MODES = (None, "replace", "annotate", "explain")


def texts_of(text: str, glossary: Glossary = GLOSSARY) -> set[str]:
    """The rewrite of ``text`` in every mode."""
    return {rewrite(text, glossary, mode).text for mode in MODES}


# 1. Rewriting that respects the sentence


def test_a_plain_wording_never_fuses_with_the_next_word():
    """许可事项 + 实行 once read 「要审批的事实行」."""
    old_wording = Glossary((Term("许可事项", "要审批的事"),))
    result = rewrite("部分许可事项实行告知承诺制", old_wording)
    assert result.text == "部分许可事项实行告知承诺制"
    assert [s.reason for s in result.skipped] == ["would read as 事实 across the edge"]
    assert not any("事实行" in text for text in texts_of("部分许可事项实行告知承诺制"))


def test_a_replacement_stands_where_words_meet_without_fusing():
    # 可以|外省 does not read 以外: that would split both words
    assert rewrite("也可以跨省通办", GLOSSARY, "replace").text == "也可以外省的事就近办"


@pytest.mark.parametrize("text, term", [("大家再三包括他在内都同意", "三包"),
                                        ("可以通过一网通办理业务", "一网通办")])
def test_only_whole_words_are_rewritten(text, term):
    result = rewrite(text, GLOSSARY, "replace")
    assert result.text == text and result.skipped[0].change.before == term
    assert "not a whole word" in result.skipped[0].reason


def test_context_rules_come_from_the_term_base():
    """「向人民法院提起告政府的官司」: 行政诉讼 may not follow 提起 (a not_after cell)."""
    assert GLOSSARY.get("行政诉讼").not_after == ("提起", "提出")
    assert "向人民法院提起告政府的官司" not in texts_of("向人民法院提起行政诉讼")
    assert rewrite("向人民法院提起行政诉讼", GLOSSARY, "replace").text == "向人民法院提起行政诉讼"
    assert rewrite("他打算行政诉讼", GLOSSARY, "replace").text == "他打算告政府的官司"
    no_rule = loads("term,plain\n行政诉讼,告政府的官司\n")
    assert rewrite("提起行政诉讼", no_rule).text == "提起告政府的官司"


def test_every_context_column_is_read_and_written():
    text = ("term,plain,only_after,not_after,only_before,not_before\n"
            "容缺受理,收件后补材料,可以|能,先,。|，,了\n")
    glossary = loads(text)
    term = glossary.get("容缺受理")
    assert (term.only_after, term.not_after, term.only_before, term.not_before) == (
        ("可以", "能"), ("先",), ("。", "，"), ("了",))
    assert loads(dumps(glossary)).terms == glossary.terms
    assert rewrite("窗口可以容缺受理。", glossary).text == "窗口可以收件后补材料。"
    for text in ("窗口就容缺受理。", "窗口可以先容缺受理。", "窗口可以容缺受理了。", "窗口可以容缺受理吗"):
        assert rewrite(text, glossary).text == text


@pytest.mark.parametrize("term, shifted", [
    ("规范性文件", "红头文件"), ("行政复议", "上级复查"), ("不动产登记", "房地产登记"),
    # found reviewing the term base: a narrower or a different thing
    ("跨省通办", "外地办理"), ("减轻处罚", "降低处罚"), ("临时救助", "应急救助金"),
    ("行政强制", "强制措施"), ("起诉状", "起诉书"), ("认罪认罚从宽", "认罪认罚可从轻"),
    ("行政拘留", "公安拘留"),  # 刑事拘留 is the police's too
    ("包容审慎监管", "对新行业宽容监管")])  # 审慎 (prudent) was lost
def test_plain_wordings_keep_the_meaning(term, shifted):
    glossary = GLOSSARY.approve([term])  # drafts too: the office would approve them as they are
    assert glossary.get(term).plain != shifted
    assert not any(shifted in text for text in texts_of(f"依法申请{term}。", glossary))


ALL_APPROVED = GLOSSARY.approve([t.term for t in GLOSSARY.drafts])


@pytest.mark.parametrize("text, wrong", [
    ("欢迎回到政务直播间", "政府直播节目间"),  # 政务直播 inside the programme's spoken name
    ("拍摄政务服务事项导办视频21期", "带着办事视频"),  # 导办 as a modifier, not a verb
    ("加强派驻机构属地管理", "归当地管"),  # a verb phrase where 加强 wants a noun
    ("推行政务服务事项告知承诺制", "承诺后先办"),
    ("重点依据法治政府建设", "依据依法"),
    # 行政赔偿 would end the match before 义务机关: the longer name is a term of its own
    ("应当向行政赔偿义务机关提出", "行政赔偿（政府部门赔偿）义务机关"),
    ("应当向行政赔偿义务机关提出", "政府部门赔偿义务机关"),
    ("依法实施行政强制执行", "行政强制（政府强制手段）执行"),  # 行政强制法 names both kinds
    ("采取行政强制措施", "政府强制手段措施"),
])
def test_the_drafts_once_approved_read_well_in_the_offices_own_sentences(text, wrong):
    """Sentences of the shared clips and the office's report, read with every draft approved."""
    assert not any(wrong in out for out in texts_of(text, ALL_APPROVED))


@pytest.mark.parametrize("text", ["欢迎收看政务服务导办视频", "本期政务服务导办小视频讲一网通办",
                                  "《政务服务导办视频》第21期"])
def test_the_programme_name_is_never_rewritten(text):
    assert all("政务服务导办" in out and "政府办事服务" not in out for out in texts_of(text))


def test_the_programme_name_is_not_jargon():
    assert score("欢迎收看政务服务导办视频", GLOSSARY).terms == 0


def test_a_plain_wording_the_sentence_already_says_is_not_added():
    """「申请免费律师帮助 由政府指派律师免费代理」 says it twice."""
    for text in ("申请法律援助 由政府指派律师免费代理", "可以申请法律援助，由政府指派律师免费代理。"):
        result = rewrite(text, GLOSSARY, "replace")
        assert result.text == text
        assert result.skipped[0].reason == "says 免费/律师 twice"
    assert rewrite("可以申请法律援助。", GLOSSARY, "replace").text == "可以申请免费律师帮助。"


# 2. Official names kept, explained


def test_the_first_mention_keeps_the_name_and_explains_it():
    result = rewrite("可以申请行政复议，行政复议不收费", GLOSSARY)
    assert result.text == "可以申请行政复议（对政府决定的复查），行政复议不收费"
    assert result.introduced == ("行政复议",)
    later = rewrite("行政复议不收费", GLOSSARY, introduced={"行政复议"})
    assert later.text == "行政复议不收费" and not later.changes


def test_later_mentions_follow_the_office_choice_per_term():
    text = "term,plain,kind,later\n一网通办,网上一站办,procedure,plain\n"
    glossary = loads(text)
    assert glossary.get("一网通办").mode == "explain"
    assert rewrite("一网通办，一网通办", glossary).text == "一网通办（网上一站办），网上一站办"


def test_names_of_procedures_documents_and_bodies_are_explained_by_default():
    kinds = {t.kind for t in GLOSSARY.terms if t.mode == "explain"}
    assert kinds == {"procedure", "document", "body"}
    assert GLOSSARY.get("一网通办").mode == "explain"
    assert GLOSSARY.get("政务服务导办视频").mode == "keep"


def test_the_plain_track_explains_once_per_episode():
    cues = [Cue(0, 4000, ("可以申请行政复议",)), Cue(5000, 9000, ("行政复议不收费",))]
    track = plain_track(cues, GLOSSARY, PROFILE)
    assert [c.text for c in track.cues] == ["可以申请行政复议（对政府决定的复查）", "行政复议不收费"]
    assert track.unexplained == []


def test_an_explanation_that_does_not_fit_moves_to_the_next_mention():
    # 0.9 s cannot hold 7 more characters and no gap follows: the name stays bare there
    cues = [Cue(0, 900, ("申请行政复议",)), Cue(960, 5000, ("行政复议可以在网上申请",)),
            Cue(5100, 9000, ("行政复议不收费",))]
    track = plain_track(cues, GLOSSARY, PROFILE)
    assert [c.text for c in track.cues] == [
        "申请行政复议", "行政复议（对政府决定的复查）可以在网上申请", "行政复议不收费"]
    assert [f.action for f in track.fallbacks if f.cue == 1] == ["explain-later"]
    assert not [v for v in check(track.cues, PROFILE) if v.rule in ("cps", "line-width", "lines")]


def test_an_explanation_that_does_not_fit_goes_to_the_next_cue():
    """A viewer reads the next cue right after the name: the explanation goes there,
    on a line of its own, and the track still passes the checks."""
    cues = [Cue(0, 900, ("申请行政复议",)), Cue(960, 4000, ("要在六十日内提出",))]
    track = plain_track(cues, GLOSSARY, PROFILE)
    assert [c.lines for c in track.cues] == [
        ("申请行政复议",), ("（行政复议：对政府决定的复查）", "要在六十日内提出")]
    assert [(f.cue, f.action) for f in track.fallbacks] == [(1, "explain-later"), (2, "explained-aside")]
    assert track.unexplained == []
    assert not [v for v in check(track.cues, PROFILE, line_units(GLOSSARY)) if v.rule != "gap"]


def test_an_aside_counts_as_explained_and_is_never_rewritten():
    text = "（行政复议：对政府决定的复查）要在六十日内提出"
    assert texts_of(text) == {text}
    assert [m.explained for m in find_terms(text, GLOSSARY)] == [True]
    assert rewrite(text + "，行政复议不收费", GLOSSARY).text == text + "，行政复议不收费"


def test_an_explanation_the_next_cue_cannot_hold_goes_to_the_term_page():
    # 「好的」 has 0.84 s and cannot borrow more: the explanation needs 1.9 s to read
    cues = [Cue(0, 900, ("申请行政复议",)), Cue(960, 1800, ("好的",)), Cue(1860, 3000, ("谢谢",))]
    track = plain_track(cues, GLOSSARY, PROFILE)
    assert [c.text for c in track.cues] == ["申请行政复议", "好的", "谢谢"]
    assert track.unexplained == ["行政复议"]


# 3. A term base worth trusting


def test_draft_terms_are_kept_but_never_applied(tmp_path):
    csv = tmp_path / "office.csv"
    csv.write_text("term,plain,status\n容缺受理,收件后补材料,draft\n跨省通办,外地办理,\n",
                   encoding="utf-8")
    glossary = load(csv)
    assert [t.term for t in glossary.terms] == ["跨省通办"]
    assert [t.term for t in glossary.drafts] == ["容缺受理"]
    assert rewrite("可以容缺受理", glossary).text == "可以容缺受理"
    assert "容缺受理,收件后补材料,,,,draft" in dumps(glossary)


def test_approve_applies_a_draft(tmp_path):
    csv = tmp_path / "office.csv"
    csv.write_text("term,plain,status\n容缺受理,收件后补材料,draft\n一网通办,网上一站办,draft\n",
                   encoding="utf-8")
    listed = tmp_path / "approved.txt"
    listed.write_text("一网通办\n", encoding="utf-8")
    runner, env = CliRunner(), Environment(environ={})

    def approve(*args):
        return runner.invoke(cli, ["glossary", "approve", "--to", str(csv), *args], obj=env)

    done = approve("容缺受理")
    assert done.exit_code == 0, done.output
    assert done.output == f"{csv}: approved 1 term(s), 1 draft(s) left\n"
    assert rewrite("可以容缺受理", load(csv)).text == "可以收件后补材料"
    assert approve("--all-from", str(listed)).exit_code == 0
    assert load(csv).drafts == ()
    csv.write_text("term,plain,status\n容缺受理,收件后补材料,draft\n", encoding="utf-8")
    approved_csv = tmp_path / "approved.csv"
    approved_csv.write_text("术语,白话\n容缺受理,收件后补材料\n", encoding="utf-8")
    assert approve("--all-from", str(approved_csv)).exit_code == 0
    assert load(csv).drafts == ()
    binary = tmp_path / "list.txt"
    binary.write_bytes(b"\x00\x01")
    refused = approve("--all-from", str(binary))
    assert refused.exit_code == 3 and refused.output == f"Error: {binary}: binary data, not text\n"
    before = csv.read_bytes()
    typo = approve("容缺收理")
    assert typo.exit_code == 3 and typo.output == f"Error: {csv}: no such term(s): 容缺收理\n"
    assert approve().exit_code == 2
    assert csv.read_bytes() == before


def test_validate_flags_a_plain_wording_that_does_not_fit_its_example(tmp_path):
    csv = tmp_path / "office.csv"
    csv.write_text("term,plain,example,pos\n"
                   "许可事项,要审批的事,部分许可事项实行告知承诺制。,\n"
                   "法律援助,免费律师帮助,申请法律援助，由政府指派律师免费代理。,\n"
                   "容缺受理,收件后补材料,窗口可以先一网通办。,\n"
                   "行政诉讼,告政府,可以提起行政诉讼。,v\n"
                   "跨省通办,外地办理,也可以跨省通办。,n\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["glossary", "validate", str(csv)], obj=Environment(environ={}))
    assert result.exit_code == 4
    errors = [line for line in result.output.splitlines() if ": error: " in line]
    assert errors == [
        f"{csv}:2: error: plain wording '要审批的事' does not fit the example: would read as 事实 across the edge",
        f"{csv}:3: error: plain wording '免费律师帮助' does not fit the example: says 免费/律师 twice",
        f"{csv}:4: error: the example '窗口可以先一网通办。' does not use 容缺受理",
        f"{csv}:5: error: plain wording '告政府' does not end in a word of part of speech 'v', as the term is used",
    ]


def test_the_shipped_examples_all_fit():
    assert [(t.term, p) for t in GLOSSARY.all_terms for p in term_problems(t)] == []
    assert all(t.example for t in GLOSSARY.all_terms)  # every term, drafts too, is checked in use


def test_the_shipped_term_base_proposes_drafts_the_office_must_approve():
    assert len(GLOSSARY.all_terms) >= 300 and len(GLOSSARY.drafts) >= 140
    assert all(t.explanation.endswith("。") and t.category and t.kind for t in GLOSSARY.drafts)
    assert rewrite("申请公证和行政调解", GLOSSARY).text == "申请公证和行政调解"  # drafts
    approved = GLOSSARY.approve(["公证"])
    assert rewrite("申请公证", approved).text == "申请公证（真实合法的官方证明）"


def test_every_shipped_term_has_what_the_site_and_the_office_need():
    """Category, kind, a plain wording (unless the name is kept as it is) and a
    one-sentence explanation for the term page."""
    lacking = [t.term for t in GLOSSARY.all_terms
               if not (t.category and t.kind and (t.plain or t.mode == "keep")
                       and t.explanation.endswith("。") and t.explanation.count("。") == 1)]
    assert lacking == []


def test_sources_are_laws_or_documents_never_guesses():
    sourced = [t for t in GLOSSARY.all_terms if t.source]
    assert len(sourced) >= 25
    assert all(t.source.startswith(("《", "GB ")) for t in sourced)


# Hostile term bases


@pytest.mark.parametrize("text, message", [
    ("term,plain,kind\n容缺受理,收件后补材料,procedur\n", "kind 'procedur' is not one of"),
    ("term,plain,later\n容缺受理,收件后补材料,always\n", "later 'always' is not one of"),
    ("term,plain,status\n容缺受理,收件后补材料,drafted\n", "status 'drafted' is not one of"),
    ("term,plain,not_after\n容缺受理,收件后补材料,=cmd()\n", "starts with '='"),
    ("term,plain,pronunciation\n容缺受理,收件后补材料,x\n", r"unknown column\(s\) pronunciation"),
])
def test_bad_new_columns_are_refused_with_the_line(text, message):
    from glossary.errors import GlossaryError

    with pytest.raises(GlossaryError, match=message):
        loads(text, "office.csv")


# Hypothesis: rewriting changes nothing outside matched terms, in every mode


_PIECES = sorted({s for t in GLOSSARY.terms for s in (*t.surfaces, t.plain, t.annotated, t.aside)}
                 | {"，", "。", " ", "我们", "可以", "提起", "实行", "由政府指派律师免费代理", "再三",
                    "《行政复议法》", "區(qū)", "政务服务导办视频"})
texts = st.lists(st.sampled_from(_PIECES), max_size=10).map("".join)


@settings(max_examples=300, deadline=None)
@given(texts, st.sampled_from(MODES), st.sets(st.sampled_from([t.term for t in GLOSSARY.terms[:40]])))
def test_rewriting_changes_nothing_outside_matched_terms(text, mode, introduced):
    norm = normalize(text)
    result = rewrite(text, GLOSSARY, mode, introduced=introduced)
    rebuilt, position = [], 0
    for change in result.changes:
        assert norm[change.start:change.end] == change.before
        assert GLOSSARY.get(change.term) is not None and change.before.startswith(
            tuple(map(normalize, GLOSSARY.get(change.term).surfaces)))
        rebuilt += [norm[position:change.start], change.after]
        position = change.end
    assert result.text == "".join(rebuilt) + norm[position:]
    assert rewrite(result.text, GLOSSARY, mode, introduced={*introduced, *result.introduced}).text \
        == result.text


def test_the_plain_stage_reports_what_only_the_term_page_explains(tmp_path):
    import json

    from studio.stages import plain
    from tests.render_support import prepared_job

    srt = tmp_path / "verbatim.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:00,900\n申请行政复议\n\n"
                   "2\n00:00:00,960 --> 00:00:01,800\n好的\n\n"
                   "3\n00:00:01,860 --> 00:00:03,000\n谢谢\n", encoding="utf-8")
    job = prepared_job(tmp_path, srt, srt)
    plain.run(job)
    report = json.loads(job.work.glossary_report.read_text(encoding="utf-8"))
    assert report["unexplained"] == ["行政复议"]
    assert [f["action"] for f in report["fallbacks"]] == ["explain-later"]


def test_add_takes_the_kind_example_and_source(tmp_path):
    csv = tmp_path / "office.csv"
    result = CliRunner().invoke(cli, [
        "glossary", "add", "公证", "官方证明真实合法", "--explanation", "公证机构证明一件事真实合法。",
        "--kind", "procedure", "--example", "合同可以去公证处办理公证。",
        "--source", "《中华人民共和国公证法》第二条", "--status", "draft", "--to", str(csv)],
        obj=Environment(environ={}))
    assert result.exit_code == 0, result.output
    term = load(csv).drafts[0]
    assert (term.kind, term.mode, term.status) == ("procedure", "explain", "draft")
    assert term.example == "合同可以去公证处办理公证。" and term.source.startswith("《中华人民共和国公证法》")
