"""Roll-up line breaking (subtitles.rollup): text arriving a few characters at a time
fills lines that never exceed the width, never cut a word that fits on a line (jieba's,
or a glossary term passed to keep) and keep the text as said. The offline checker
(subtitles.linebreak.split_words) is the judge of what a split word is."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from subtitles.linebreak import split_words
from subtitles.profiles import Profile
from subtitles.rollup import add_to_line
from subtitles.text import display_width

# Words of the show, so that jieba finds words of several characters, and terms jieba cuts.
WORDS = ["人民调解", "调解员", "法律援助", "热线", "我们", "今天", "请来了", "一位", "区司法局", "的",
         "工作人员", "跨省", "通办", "综合", "行政执法", "《民法典》", "，", "。", "App", "3.5", "不收费"]
TERMS = frozenset({"跨省通办", "综合行政执法"})


@st.composite
def said(draw) -> tuple[str, list[str]]:
    """A text and the pieces it arrives in (1 to 3 characters, as the model's words)."""
    text = "".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=30)))
    pieces, at = [], 0
    while at < len(text):
        size = draw(st.integers(1, 3))
        pieces.append(text[at:at + size])
        at += size
    return text, pieces


@settings(deadline=None)  # the first example loads jieba
@given(said(), st.sampled_from([8, 12, 16]))
def test_lines_stay_within_the_width_keep_words_whole_and_keep_the_text(arrival, width):
    text, pieces = arrival
    profile = Profile("roll-up", max_line_width=width)
    done, bottom = [], ""
    for piece in pieces:
        lines = add_to_line(bottom, piece, width, TERMS)
        assert split_words(lines, profile, TERMS) == []  # no word that fits on a line is cut
        done += lines[:-1]
        bottom = lines[-1]
    lines = [*done, bottom]
    assert all(display_width(line) <= width for line in lines)
    assert "".join(lines) == text


def test_the_end_of_the_bottom_line_moves_down_with_the_word_it_starts():
    assert add_to_line("今天我们请来了一位人民调", "解员", 11) == ("今天我们请来了一位人民", "调解员")
    assert add_to_line("今天我们请来了一位", "人", 11) == ("今天我们请来了一位人",)  # it fits: no break yet
    assert add_to_line("请我们区司法局的工作", "人员", 11) == ("请我们区司法局的", "工作人员")


def test_a_glossary_term_moves_down_whole_and_a_word_wider_than_a_line_breaks_between_characters():
    assert add_to_line("全省都可以跨省", "通办", 8, TERMS) == ("全省都可以", "跨省通办")
    assert add_to_line("全省都可以跨省", "通办", 8) == ("全省都可以跨省", "通办")  # jieba alone cuts it
    assert add_to_line("《中华人民共和国", "民法典》", 8) == ("《中华人民共和国", "民法典》")
