"""Display width, Chinese-TV display style, atoms and line breaking."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from subtitles.linebreak import atoms, break_lines, display_pieces, line_count
from subtitles.profiles import PROFILES, get_profile
from subtitles.text import display_style, display_width, join_lines, reading_length
from tests.support import SHARED_CLIPS
from tests.texts import MARKS, TITLES, WORDS

BROADCAST, VERTICAL = get_profile("broadcast-zh"), get_profile("vertical-zh")


@pytest.mark.parametrize("text, width", [
    ("营业执照", 4), ("App", 1.5), ("办理App", 3.5), ("3.5元", 2.5), ("“一网通办”", 6), ("", 0),
])
def test_display_width_counts_half_width_as_half(text, width):
    assert display_width(text) == width


@pytest.mark.parametrize("raw, styled", [
    ("您好，请取号。", "您好 请取号"),
    ("价格是3.5元，共1,000份。", "价格是3.5元 共1,000份"),
    ("字幕由Amara.org社群提供。", "字幕由Amara.org社群提供"),
    ("请问：《民法典》规定了什么？", "请问：《民法典》规定了什么？"),
    ("材料、证件；都要带齐！", "材料、证件 都要带齐！"),
    ("他说“一网通办”很方便。", "他说“一网通办”很方便"),
    ("他说：“好的。”然后走了。", "他说：“好的”然后走了"),
    ("好的，，　 谢谢。", "好的 谢谢"),
    ("Hello, world.", "Hello world"),
    ("请看《关于优化营商环境，推进一网通办的通知》。", "请看《关于优化营商环境，推进一网通办的通知》"),
])
def test_display_style_is_chinese_tv_style(raw, styled):
    assert display_style(raw) == styled


def test_reading_length_ignores_spaces():
    assert reading_length("好的 谢谢") == 4


def test_join_lines_adds_a_space_only_between_latin_words():
    assert join_lines(("欢迎使用", "App 办理")) == "欢迎使用App 办理"
    assert join_lines(("download", "the App")) == "download the App"


def test_atoms_keep_titles_latin_runs_and_punctuation_together():
    pieces = atoms("请看《中华人民共和国行政复议法》，下载App 3.5版。")
    assert "《中华人民共和国行政复议法》，" in pieces
    assert "App" in pieces and "3.5" in [piece.strip() for piece in pieces]
    assert not any(piece[0] in "，。》" for piece in pieces)


@pytest.mark.parametrize("text, lines", [
    ("如果材料暂时不齐全 窗口可以先容缺受理", ("如果材料暂时不齐全", "窗口可以先容缺受理")),
    ("市场准入负面清单以外的行业 各类经营主体都可以依法平等进入",
     ("市场准入负面清单以外的行业", "各类经营主体都可以依法平等进入")),
    ("办好以后出示就可以了", ("办好以后出示就可以了",)),
    ("今天我们请来了《中华人民共和国民法典》的专家",
     ("今天我们请来了", "《中华人民共和国民法典》的专家")),
    ("", ()),
    # two full lines: the space where they break is not shown, so they fit
    ("可以行政复议（对政府决定的复查） 收件后补材料社保卡《行政复议法》",
     ("可以行政复议（对政府决定的复查）", "收件后补材料社保卡《行政复议法》")),
])
def test_break_lines_prefers_clause_breaks_and_keeps_titles(text, lines):
    assert break_lines(text, BROADCAST) == lines


def test_break_lines_leaves_no_lone_character_at_a_line_end():
    assert break_lines("今天我们请来了区司法局的工作人员", VERTICAL) == ("今天我们请来了", "区司法局的工作人员")


def _sentences(shared_media):
    for clip in SHARED_CLIPS:
        yield from (shared_media / f"{clip}.txt").read_text(encoding="utf-8").split()


@pytest.mark.parametrize("profile", PROFILES.values(), ids=lambda p: p.name)
def test_break_lines_on_real_sentences_fits_and_loses_nothing(shared_media, profile):
    for sentence in _sentences(shared_media):
        text = display_style(sentence)
        lines = break_lines(text, profile)
        assert all(display_width(line) <= profile.max_line_width for line in lines), lines
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert _breaks(lines) <= _atom_bounds(text), (text, lines)


def _breaks(lines):
    """Offsets (in non-space characters) where one line ends and the next begins."""
    lengths = [reading_length(line) for line in lines]
    return {sum(lengths[:i]) for i in range(1, len(lines))}


def _atom_bounds(text):
    lengths = [reading_length(piece) for piece in atoms(text)]
    return {sum(lengths[:i]) for i in range(len(lengths) + 1)}


texts = st.lists(st.sampled_from(WORDS + TITLES + MARKS), min_size=1, max_size=40).map("".join)


@settings(max_examples=100, deadline=None, derandomize=True)
@given(text=texts, profile=st.sampled_from(list(PROFILES.values())))
def test_break_lines_never_splits_words_or_titles(text, profile):
    text = display_style(text)
    lines = break_lines(text, profile)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")
    assert _breaks(lines) <= _atom_bounds(text)
    for line in lines:
        assert display_width(line) <= profile.max_line_width or len(atoms(line)) == 1
    for title in re.findall("《[^》]*》", text):
        assert sum(line.count(title) for line in lines) == text.count(title)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=texts)
def test_atoms_rebuild_the_text(text):
    assert "".join(atoms(text)) == text


@settings(max_examples=60, deadline=None, derandomize=True)
@given(text=texts, profile=st.sampled_from(list(PROFILES.values())))
def test_styled_atoms_agree_with_display_style_and_line_count(text, profile):
    """The segmenter styles atoms one by one; that must give what display_style gives."""
    pieces = display_pieces(atoms(text))
    assert "".join(pieces) == display_style(text)
    assert line_count(pieces, profile) == len(break_lines(display_style(text), profile))


def test_line_count_gives_an_over_wide_title_a_line_of_its_own():
    pieces = ("请看", "《中华人民共和国行政复议法》", "第九条")
    assert line_count(pieces, get_profile("vertical-zh")) == 3
    assert line_count(pieces, BROADCAST) == 2
