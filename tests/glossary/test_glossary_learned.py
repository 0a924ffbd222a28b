"""Corrections teach the glossary: a reviewer's fix of a misheard term, or a correction
staff mark as recurring, is kept in the instance folder (who, when, undo) and applied to
later transcripts by the correction step, with its safeguards. Real files under tmp_path."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

import pytest

from glossary import load_default
from glossary.correct import correct
from glossary.errors import GlossaryError
from glossary.learned import (LearnedCorrection, Taught, attach, learn, learn_from_edit, load, misheard_terms,
                              path_in, undo)
from subtitles.transcript import Segment, Transcript, Word

GLOSSARY = load_default()
NOON = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)


@pytest.fixture
def instance(tmp_path):
    return tmp_path / "instance"


def taught(instance, *pairs):
    for heard, after in pairs:
        learn(path_in(instance), heard, after, by="wang", now=NOON)
    return attach(GLOSSARY, instance)


def test_a_learned_correction_is_kept_with_who_and_when_and_applied(instance):
    record = learn(path_in(instance), "趋司法局", "区司法局", by="wang", now=NOON)
    assert record == LearnedCorrection(1, "趋司法局", "区司法局", "recurring", "wang", "2026-11-30T04:00:00+00:00")
    assert load(path_in(instance)) == (record,)
    assert path_in(instance).read_text(encoding="utf-8").startswith("\ufeffid,heard,after,")  # Excel
    result = correct("欢迎来到趋司法局咨询", attach(GLOSSARY, instance))
    assert result.text == "欢迎来到区司法局咨询"
    assert [(f.before, f.after, f.rule) for f in result.changes] == [("趋司法局", "区司法局", "learned")]
    assert correct(result.text, attach(GLOSSARY, instance)).text == result.text  # idempotent


def test_undo_stops_it_and_keeps_the_row(instance):
    record = learn(path_in(instance), "趋司法局", "区司法局", by="wang")
    undone = undo(path_in(instance), record.id, by="zhao", now=NOON)
    assert (undone.undone_by, undone.undone_at, undone.active) == ("zhao", "2026-11-30T04:00:00+00:00", False)
    assert load(path_in(instance)) == (undone,)
    assert correct("来到趋司法局", attach(GLOSSARY, instance)).text == "来到趋司法局"
    with pytest.raises(GlossaryError, match="already undone by zhao"):
        undo(path_in(instance), record.id, by="zhao")
    with pytest.raises(GlossaryError, match="no learned correction 9"):
        undo(path_in(instance), 9, by="zhao")


def test_teaching_again_keeps_one_and_the_latest_teaching_wins(instance):
    first = learn(path_in(instance), "趋司法局", "区司法局", by="wang")
    assert learn(path_in(instance), "趋司法局", "区司法局", by="li") == first
    second = learn(path_in(instance), "趋司法局", "县司法局", by="li")
    rows = load(path_in(instance))
    assert [(r.id, r.after, r.active) for r in rows] == [(1, "区司法局", False), (2, "县司法局", True)]
    assert rows[0].undone_by == "li" and second.id == 2


def test_an_ordinary_word_taught_is_never_applied_inside_a_longer_word(instance):
    glossary = taught(instance, ("中午", "众悟"))
    assert correct("我们中午见", glossary).text == "我们众悟见"  # staff asked for it: standalone, applied
    assert correct("我们吃中午饭", glossary).text == "我们吃中午饭"
    assert correct("请读《中午》这本书", glossary).text == "请读《中午》这本书"  # never in a title


def test_a_term_already_right_is_never_touched(instance):
    glossary = taught(instance, ("网通", "望通"))
    assert correct("可以通过一网通办平台申请", glossary).text == "可以通过一网通办平台申请"


def test_a_correction_of_another_length_and_a_long_text(instance):
    glossary = taught(instance, ("法援", "法律援助"))
    text = "可以申请法援。" + "今天早上下了一场小雨。" * 1000
    result = correct(text[:10_000], glossary)
    assert result.text.startswith("可以申请法律援助。今天") and len(result.text) == 10_002
    assert correct("", glossary).text == ""


def test_a_transcript_gets_learned_corrections_with_its_times(instance):
    glossary = taught(instance, ("趋司法局", "区司法局"))
    words = (Word(0, 400, "欢迎来到", 0.9), Word(400, 700, "趋", 0.3), Word(700, 1200, "司法局", 0.9))
    transcript = Transcript("zh", 1500, [Segment(0, 1200, "欢迎来到趋司法局", words)])
    corrected = correct(transcript, glossary).transcript
    assert corrected.segments[0].text == "欢迎来到区司法局"
    assert [(w.text, w.start_ms) for w in corrected.segments[0].words] == \
        [("欢迎来到", 0), ("区", 400), ("司法局", 700)]


@pytest.mark.parametrize("heard, after, problem", [
    ("趋", "区", "needs 2 to 50 characters, not 1"),
    ("  ", "区司法局", "needs 2 to 50 characters, not 0"),
    ("趋司法局", "", "needs 1 to 50 characters, not 0"),
    ("趋司法局", "趋司法局", "is already"),
    ("司法", "区司法局", "contains '司法': it would be corrected again on every run"),
    ("=HYPERLINK(1)", "区司法局", "runs as a formula"),
    ("趋司\n法局", "区司法局", "several lines"),
    ("趋" * 51, "区司法局", "not 51"),
])
def test_bad_corrections_are_refused_and_nothing_is_written(instance, heard, after, problem):
    with pytest.raises(GlossaryError, match=problem):
        learn(path_in(instance), heard, after, by="wang")
    assert load(path_in(instance)) == ()


def test_bad_reason_is_refused(instance):
    with pytest.raises(GlossaryError, match="reason must be one of review, recurring"):
        learn(path_in(instance), "趋司法局", "区司法局", by="wang", reason="guess")


@pytest.mark.parametrize("text, problem, line", [
    ("id,heard\n1,趋司法局\n", "need the columns id, heard, after", 1),
    ("id,heard,after,reason,by,at,undone_by,undone_at\nx,a,b,review,w,t,,\n", "id must be a number", 2),
    ("id,heard,after,reason,by,at,undone_by,undone_at\n1,a,b,review,w,t,,,extra\n", "broken", 2),
])
def test_a_broken_file_is_named_with_its_line(instance, text, problem, line):
    path = path_in(instance)
    instance.mkdir()
    path.write_text(text, encoding="utf-8")
    with pytest.raises(GlossaryError, match=problem) as caught:
        load(path)
    assert str(caught.value).startswith(f"{path}:{line}: ")


def test_a_file_in_gbk_is_refused_with_the_fix(instance):
    instance.mkdir()
    path_in(instance).write_bytes("id,heard\n1,趋司法局\n".encode("gbk"))
    with pytest.raises(GlossaryError, match="save it as UTF-8"):
        load(path_in(instance))


def test_browsers_teaching_at_once_all_land(instance):
    heard = [f"{a}{b}" for a in "甲乙丙丁" for b in "子丑"]
    threads = [threading.Thread(target=learn, args=(path_in(instance), h, "区司法局", f"staff{i}"))
               for i, h in enumerate(heard)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = load(path_in(instance))
    assert sorted(r.heard for r in rows) == sorted(heard)
    assert sorted(r.id for r in rows) == list(range(1, len(heard) + 1))
    assert sorted(p.name for p in instance.iterdir()) == ["learned-corrections.csv", "learned-corrections.csv.lock"]


@pytest.mark.parametrize("before, after, expected", [
    ("可以通过以往通办平台申请", "可以通过一网通办平台申请", [Taught("以往通办", "一网通办", "一网通办")]),
    ("也可以申请行政副议。", "也可以申请行政复议！", [Taught("行政副议", "行政复议", "行政复议")]),
    ("社保卡丢了先挂师", "社保卡丢了先挂失", [Taught("挂师", "挂失", "挂失")]),
])
def test_a_reviewers_fix_of_a_misheard_term_is_recognised(before, after, expected):
    assert misheard_terms(before, after, GLOSSARY) == expected


@pytest.mark.parametrize("before, after", [
    ("我们中午见面", "我们挂失见面"),  # 中午 does not sound like 挂失
    ("买了一瓶汽水", "买了一瓶契税"),  # 汽水 sounds like 契税 but is an ordinary word
    ("请及时办理", "请及时办理"),  # nothing changed
    ("可以申请帮助", "可以申请法律援助"),  # a term added, nothing misheard
    ("欢迎来到趋司法局", "欢迎来到区司法局"),  # not a glossary term: staff mark it 以后自动改 by hand
    ("今天天气很好", "可以通过一网通办"),  # rewritten, not misheard
    ("", ""),
    ("请参阅《以往通办指南》", "请参阅《一网通办指南》"),  # a title is not a term occurrence
])
def test_other_edits_teach_nothing(before, after):
    assert misheard_terms(before, after, GLOSSARY) == []


def test_learning_from_a_review_edit_end_to_end(instance):
    before = ["可以通过以往通办平台申请", "我们中午见面"]
    after = ["可以通过一网通办", "平台申请", "我们中午见面"]  # a split cue, and a fix
    [row] = learn_from_edit(path_in(instance), "\n".join(before), "\n".join(after), GLOSSARY, "wang", NOON)
    assert (row.heard, row.after, row.reason, row.by) == ("以往通办", "一网通办", "review", "wang")
    assert load(path_in(instance)) == (row,)
    assert correct("我用以往通办办好了", attach(GLOSSARY, instance)).changes[0].rule == "learned"
    assert learn_from_edit(path_in(instance), "今天", "明天", GLOSSARY, "wang") == []


def test_long_edits_are_compared_whole():
    before = "今天早上下了一场小雨。" * 900 + "可以通过以往通办平台申请"
    after = "今天早上下了一场小雨。" * 900 + "可以通过一网通办平台申请"
    assert misheard_terms(before, after, GLOSSARY) == [Taught("以往通办", "一网通办", "一网通办")]


def test_the_pipelines_correction_step_uses_what_staff_taught(tmp_path):
    """`studio run` and the worker build their text options from the settings: the
    instance folder's learned corrections are applied, and teaching one redoes the stage."""
    from studio.environment import Environment
    from studio.stages.job import Job, TextOptions
    from studio.stages.terms import glossary_files, load_terms
    from studio.workdir import WorkDir

    instance = tmp_path / "instance"
    options = TextOptions.from_settings(Environment(environ={"WULING_INSTANCE_PATH": str(instance)}))
    job = Job(WorkDir(tmp_path / "work"), tmp_path / "talk.wav", text=options)
    assert load_terms(job).corrections == () and path_in(instance) not in glossary_files(job)
    learn(path_in(instance), "趋司法局", "区司法局", by="wang")
    assert correct("来到趋司法局", load_terms(job)).text == "来到区司法局"
    assert path_in(instance) in glossary_files(job)


def test_a_correction_of_another_length_across_words_reaches_the_cues(instance):
    """The model heard 补办物 over three words; staff taught 补办物 → 补办. The words keep
    their times and the cues, cut from the words, read 补办."""
    from studio.captions import verbatim_cues
    from subtitles.profiles import get_profile

    glossary = taught(instance, ("补办物", "补办"), ("挂尸", "挂失"))
    words = (Word(0, 400, "先在网上", 0.9), Word(400, 600, "挂", 0.8), Word(600, 900, "尸，", 0.6),
             Word(900, 1400, "再来补", 0.9), Word(1400, 1600, "办", 0.4), Word(1600, 1900, "物。", 0.5))
    transcript = Transcript("zh", 2000, [Segment(0, 1900, "先在网上挂尸，再来补办物。", words)])
    corrected = correct(transcript, glossary).transcript
    assert [(w.text, w.start_ms) for w in corrected.words] == [
        ("先在网上", 0), ("挂", 400), ("失，", 600), ("再来补", 900), ("办", 1400), ("。", 1600)]
    assert corrected.segments[0].text == "先在网上挂失，再来补办。"
    shown = "".join(cue.text for cue in verbatim_cues(corrected, get_profile("broadcast-zh")))
    assert "挂失" in shown and shown.endswith("再来补办") and "物" not in shown


@pytest.mark.parametrize("convert, expected", [
    (lambda text: text.replace("补办物", "补办"), ["补", "办", "。"]),  # shorter
    (lambda text: text.replace("补办", "补办事"), ["补", "办事", "物。"]),  # an insertion joins the word before
    (lambda text: text.replace("办物", "X"), ["补", "X", "。"]),  # a changed stretch: its first word
    (lambda text: text.replace("补办物。", ""), []),  # words left with no text are dropped
    (lambda text: "【" + text, ["【补", "办", "物。"]),
])
def test_word_texts_follow_a_conversion_of_another_length(convert, expected):
    from subtitles.transcript import map_word_texts

    words = (Word(0, 100, "补", 0.9), Word(100, 200, "办", 0.5), Word(200, 300, "物。", 0.5))
    mapped = map_word_texts(words, convert)
    assert [w.text for w in mapped] == expected
    assert all(w.start_ms == next(o.start_ms for o in words if o.end_ms == w.end_ms) for w in mapped)
