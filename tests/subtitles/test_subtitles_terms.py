"""Line breaking that keeps words and terms whole, in both tracks (issue 15, item 4).

The regression examples are the ones the issue found on the shared clips: 跨省 / 通办 and
综合 / 行政执法 in the verbatim track, 「相关事一次 / 办完」, 「申请上级复查也可以」 and
「本期 / 的话提示」 in the plain track, and questions that lost their ？.
"""
from __future__ import annotations

import pysubs2
import pytest
from hypothesis import given, settings, strategies as st

from glossary import load_default
from glossary.io import loads
from glossary.lines import cue_text, line_units
from glossary.tracks import plain_track
from studio.cli import cli
from subtitles.check import check
from subtitles.cue import Cue
from subtitles.fix import fix
from subtitles.io import dumps
from subtitles.linebreak import atoms, break_lines, split_words
from subtitles.profiles import PROFILES, get_profile
from subtitles.segment import segment_words
from subtitles.speech import punctuate_pauses
from subtitles.transcript import Word
from tests.support import SHARED_CLIPS

BROADCAST, VERTICAL = get_profile("broadcast-zh"), get_profile("vertical-zh")
DEFAULT_UNITS = line_units(load_default())
# Replace-mode terms, so these tests follow the layout and not the default term base's modes.
REPLACING = loads("term,plain,explanation,category,variants,status,mode\n"
                  "一件事一次办,相关事一次办完,,,,preferred,replace\n"
                  "行政复议,上级复查,,,,preferred,replace\n"
                  "跨省通办,外地办理,,,,preferred,replace\n")


def _sentence_words(shared_media, clip: str) -> list[Word]:
    """The clip's true text as one word per character, timed by its sentence cues."""
    words = []
    for event in pysubs2.load(str(shared_media / f"{clip}.srt")):
        text = event.plaintext.replace("\n", "")
        step = (event.end - event.start) // len(text)
        words += [Word(event.start + i * step, event.start + (i + 1) * step, char, 0.9)
                  for i, char in enumerate(text)]
    return words


def test_kept_words_are_one_atom():
    keep = frozenset({"跨省通办", "综合行政执法"})
    assert atoms("可以通过跨省通办专窗", keep) == ("可以", "通过", "跨省通办", "专窗")
    assert "综合行政执法" in atoms("由综合行政执法队伍统一实施", keep)
    assert "".join(atoms("由综合行政执法队伍统一实施", keep)) == "由综合行政执法队伍统一实施"


@pytest.mark.parametrize("profile", [BROADCAST, VERTICAL], ids=lambda p: p.name)
def test_no_cue_of_the_shared_clips_splits_a_term(shared_media, profile):
    # Without the glossary's terms 4 broadcast cues split one (跨省 / 通办, 综合 / 行政执法, …).
    for clip in SHARED_CLIPS:
        cues = segment_words(_sentence_words(shared_media, clip), profile, DEFAULT_UNITS)
        assert check(cues, profile, DEFAULT_UNITS) == [], clip


def test_without_the_terms_the_same_cues_split_them(shared_media):
    """The baseline of the test above: jieba alone cuts 跨省通办 and 综合行政执法 in two."""
    split = [word for clip in SHARED_CLIPS
             for cue in segment_words(_sentence_words(shared_media, clip), BROADCAST)
             for word in split_words(cue.lines, BROADCAST, DEFAULT_UNITS)]
    assert {"跨省通办", "综合行政执法"} <= set(split)


def test_a_term_longer_than_half_a_line_goes_whole_onto_one_line():
    lines = break_lines("现在很多执法事项由综合行政执法队伍统一实施", VERTICAL, DEFAULT_UNITS)
    assert any("综合行政执法" in line for line in lines), lines


def test_a_term_wider_than_a_line_still_breaks_to_fit():
    lines = break_lines("请到公共法律服务工作站咨询", get_profile("vertical-zh"), {"请到公共法律服务工作站咨询"})
    assert all(len(line) <= VERTICAL.max_line_width for line in lines)


def test_a_line_never_starts_with_a_particle_word():
    for text in ("欢迎回到政务直播间本期的话提示综合行政执法改革", "本期的话提示综合行政执法改革的内容很多"):
        lines = break_lines(text, BROADCAST, DEFAULT_UNITS)
        assert not any(line.startswith("的") for line in lines), lines


def test_the_plain_wording_is_not_split():
    cue = Cue(0, 6000, ("现在合并为一件事一次办", "只需要交一套材料"))
    lines = plain_track([cue], REPLACING, BROADCAST).cues[0].lines
    assert any("相关事一次办完" in line for line in lines), lines


def test_a_line_break_that_ended_a_clause_stays_a_pause():
    short, long = Cue(0, 3000, ("可以申请行政复议", "也可以起诉")), \
        Cue(4000, 9000, ("还可以依法申请行政复议", "也可以向人民法院提起诉讼"))
    track = plain_track([short, long], REPLACING, BROADCAST)
    assert track.cues[0].lines == ("可以申请上级复查 也可以起诉",)
    assert track.cues[1].lines == ("还可以依法申请上级复查", "也可以向人民法院提起诉讼")


def test_a_break_inside_a_term_joins_it_up_for_rewriting():
    cue = Cue(0, 6000, ("对决定不服的可以申请行政", "复议也可以提起诉讼"))
    assert "申请行政复议也可以" in cue_text(cue, BROADCAST, line_units(REPLACING))
    assert "上级复查" in plain_track([cue], REPLACING, BROADCAST).cues[0].text


def test_a_question_keeps_its_question_mark():
    words = [Word(0, 900, "请不起律师", 0.9), Word(900, 1500, "怎么办", 0.9),
             Word(2000, 3000, "教大家怎么申领", 0.9), Word(3000, 3600, "社保卡", 0.9),
             Word(4000, 5500, "处罚决定是怎么把关的", 0.9)]
    texts = [cue.text for cue in segment_words(punctuate_pauses(words), BROADCAST)]
    assert texts == ["请不起律师怎么办？", "教大家怎么申领社保卡", "处罚决定是怎么把关的？"]


def test_the_plain_track_keeps_question_and_exclamation_marks():
    cues = [Cue(0, 4000, ("请不起律师怎么办？",)), Cue(5000, 9000, ("可以申请行政复议！",))]
    assert [c.text for c in plain_track(cues, REPLACING, BROADCAST).cues] == [
        "请不起律师怎么办？", "可以申请上级复查！"]


def test_check_reports_a_word_split_across_lines():
    split_term = Cue(0, 4000, ("在外地工作的朋友可以通过跨省", "通办专窗提交申请"))
    split_word = Cue(4100, 8000, ("新办企业怎么申领营业执", "照和食品经营许可证"))
    assert [v.rule for v in check([split_term], BROADCAST)] == []
    assert [(v.rule, v.detail) for v in check([split_term], BROADCAST, DEFAULT_UNITS)] == [
        ("split-word", "a line break splits 「跨省通办」")]
    assert [v.rule for v in check([split_word], BROADCAST)] == ["split-word"]


def test_fix_rejoins_a_split_term():
    cues = [Cue(0, 6000, ("在外地工作的朋友可以通过跨省", "通办专窗提交申请"))]
    fixed = fix(cues, BROADCAST, keep=DEFAULT_UNITS)
    assert [v.rule for v in check(fixed, BROADCAST, DEFAULT_UNITS)] == []
    assert "".join(c.text for c in fixed) == cues[0].text


def test_subtitles_check_names_the_rule_and_takes_the_term_base(runner, tmp_path):
    path = tmp_path / "split.srt"
    path.write_text(dumps([Cue(0, 4000, ("在外地工作的朋友可以通过跨省", "通办专窗提交申请"))], "srt"),
                    encoding="utf-8")
    terms = tmp_path / "terms.csv"
    terms.write_text("term,plain\n跨省通办,外地办理\n", encoding="utf-8")
    assert runner.invoke(cli, ["subtitles", "check", str(path)]).exit_code == 0
    result = runner.invoke(cli, ["subtitles", "check", str(path), "--glossary", str(terms)])
    assert result.exit_code == 4
    assert f"{path}: cue 1 at 00:00:00,000: split-word: a line break splits 「跨省通办」" in result.stdout


def test_subtitles_check_with_a_missing_term_base_is_a_one_line_error(runner, tmp_path):
    path = tmp_path / "ok.srt"
    path.write_text(dumps([Cue(0, 4000, ("好的",))], "srt"), encoding="utf-8")
    result = runner.invoke(cli, ["subtitles", "check", str(path), "--glossary", str(tmp_path / "no.csv")])
    assert result.exit_code != 0 and "no.csv" in result.output and "Traceback" not in result.output


FILLERS = ("可以", "通过", "申请", "我们", "的", "在", "办理", "，", "。", "？", "就能", "队伍", "专窗")
TERMS = tuple(sorted(unit for unit in DEFAULT_UNITS if "（" not in unit))


@settings(max_examples=150, deadline=None, derandomize=True)
@given(pieces=st.lists(st.one_of(st.sampled_from(TERMS), st.sampled_from(FILLERS)), min_size=1, max_size=12),
       profile=st.sampled_from(list(PROFILES.values())))
def test_rewrapping_never_splits_a_glossary_term(pieces, profile):
    text = "".join(pieces)
    lines = break_lines(text, profile, DEFAULT_UNITS)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert split_words(lines, profile, DEFAULT_UNITS) == []


COUNTS = ("一百二十多项", "六百多项", "12个", "30多家", "60岁", "3项", "两份", "十五天", "5万元")


@pytest.mark.parametrize("profile", [BROADCAST, VERTICAL], ids=lambda p: p.name)
@pytest.mark.parametrize("text, count", [
    ("目前 全区共有一百二十多项政务服务事项", "一百二十多项"),  # the vertical track had 一百二十多 / 项
    ("全区共有一百二十多项政务服务事项 可以在社区窗口直接受理", "一百二十多项"),
    ("老人满60岁以上可以申请养老金待遇", "60岁"),
    ("这次有30多家单位都可以在网上申请办理", "30多家"),
])
def test_a_number_and_its_measure_word_stay_on_one_line(text, count, profile):
    lines = break_lines(text, profile, DEFAULT_UNITS)
    assert any(count in line for line in lines), lines


@settings(max_examples=150, deadline=None, derandomize=True)
@given(pieces=st.lists(st.one_of(st.sampled_from(COUNTS), st.sampled_from(FILLERS)), min_size=1, max_size=12),
       profile=st.sampled_from([BROADCAST, VERTICAL]))
def test_rewrapping_never_splits_a_count(pieces, profile):
    text = "".join(pieces)
    lines = break_lines(text, profile, DEFAULT_UNITS)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    for count in set(pieces) & set(COUNTS):
        assert text.count(count) == sum(line.count(count) for line in lines), lines


def test_check_reports_a_number_split_from_its_measure_word():
    cue = Cue(0, 4000, ("全区共有一百二十多", "项政务服务事项"))
    assert [(v.rule, v.detail) for v in check([cue], VERTICAL)] == [
        ("split-word", "a line break splits 「一百二十多项」")]


def test_the_vertical_video_burns_cues_cut_for_vertical_zh(shared_media, tmp_path):
    from studio.stages.burnin import burn_in_script
    from studio.stages.geometry import Size
    from subtitles.io import loads as load_subtitles

    broken_before = 0
    for clip in SHARED_CLIPS:
        track = tmp_path / f"{clip}.srt"
        cues = segment_words(_sentence_words(shared_media, clip), BROADCAST, DEFAULT_UNITS)
        track.write_text(dumps(cues, "srt"), encoding="utf-8")
        as_before = load_subtitles(burn_in_script(track, Size(360, 640), BROADCAST), "ass")
        broken_before += len([v for v in check(as_before, VERTICAL) if v.rule == "line-width"])
        vertical = load_subtitles(burn_in_script(track, Size(360, 640), VERTICAL, recut=DEFAULT_UNITS), "ass")
        assert [v for v in check(vertical, VERTICAL, DEFAULT_UNITS)
                if v.rule in ("lines", "line-width", "split-word")] == [], clip
        assert "".join(c.text for c in vertical).replace(" ", "") == "".join(c.text for c in cues).replace(" ", "")
    assert broken_before >= 5  # the broadcast layout on the narrow picture: lines too wide


def test_the_cover_title_breaks_between_words():
    from PIL import Image, ImageDraw

    from studio.stages.artwork import COVER_SIZE, cjk_font, wrap

    draw = ImageDraw.Draw(Image.new("RGB", (COVER_SIZE, COVER_SIZE)))
    title = "新办企业怎么申领营业执照"
    lines = wrap(draw, title, cjk_font(120), COVER_SIZE - 240)  # as cover_image wraps it
    assert len(lines) == 2 and "".join(lines) == title
    assert "营业执照" in lines[1], lines
    assert split_words(lines, BROADCAST) == []


def test_the_review_page_names_every_rule_check_reports():
    from subtitles.check import RULES
    from web.workspace import RULE_NAMES

    assert set(RULES) <= set(RULE_NAMES)
