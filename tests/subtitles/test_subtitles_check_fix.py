"""check() names every broken rule; fix() repairs what can be repaired, idempotently."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from subtitles.check import check, timestamp
from subtitles.cue import Cue
from subtitles.fix import MAX_EARLY_MS, fix
from subtitles.io import load
from subtitles.linebreak import atoms
from subtitles.profiles import PROFILES, get_profile
from subtitles.text import display_style
from tests.support import SHARED_CLIPS
from tests.texts import MARKS, TITLES, WORDS

BROADCAST = get_profile("broadcast-zh")
GOOD = Cue(1000, 3000, ("如果材料暂时不齐全",))


def test_timestamp_is_srt_style():
    assert timestamp(3_723_004) == "01:02:03,004"
    assert timestamp(0) == "00:00:00,000"


@pytest.mark.parametrize("cues, expected", [
    ([GOOD], []),
    ([Cue(0, 2000, ())], [(1, "empty")]),
    ([Cue(0, 2000, ("，。",))], [(1, "empty")]),
    ([Cue(0, 5000, ("一行", "二行", "三行"))], [(1, "lines")]),
    ([Cue(0, 5000, ("市场准入负面清单以外的行业各类经营主体",))], [(1, "line-width")]),
    ([Cue(0, 500, ("好的",))], [(1, "min-duration")]),
    ([Cue(0, 8000, ("好的",))], [(1, "max-duration")]),
    ([Cue(0, 1000, ("市场准入负面清单以外的行业",))], [(1, "cps")]),
    ([GOOD, Cue(2900, 5000, ("窗口可以先容缺受理",))], [(2, "overlap")]),
    ([GOOD, Cue(3040, 5000, ("窗口可以先容缺受理",))], [(2, "gap")]),
    ([GOOD, Cue(3080, 5000, ("窗口可以先容缺受理",))], []),
])
def test_check_reports_each_rule(cues, expected):
    assert [(v.cue, v.rule) for v in check(cues, BROADCAST)] == expected


def test_a_violation_reads_as_one_line():
    violation = check([GOOD, Cue(2900, 5000, ("窗口",))], BROADCAST)[0]
    assert str(violation) == "cue 2 at 00:00:02,900: overlap: starts 100 ms before cue 1 ends"


def test_vertical_profile_has_shorter_lines():
    cue = Cue(0, 3000, ("市场准入负面清单以外",))
    assert check([cue], BROADCAST) == []
    assert [v.rule for v in check([cue], get_profile("vertical-zh"))] == []
    wide = Cue(0, 3000, ("市场准入负面清单以外的行业",))
    assert [v.rule for v in check([wide], get_profile("vertical-zh"))] == ["line-width"]


def test_fix_merges_a_cue_too_short_to_read():
    cues = [Cue(0, 400, ("好的，",)), Cue(450, 2500, ("请问怎么办理？",))]
    assert fix(cues, BROADCAST) == [Cue(0, 2500, ("好的 请问怎么办理？",))]


def test_fix_extends_into_the_gap_and_keeps_the_minimum_gap():
    cues = [Cue(0, 300, ("好的",)), Cue(1500, 3000, ("请问怎么办理",)),
            Cue(3010, 6000, ("窗口可以先容缺受理",))]
    fixed = fix(cues, BROADCAST)
    assert [(c.start_ms, c.end_ms) for c in fixed] == [(0, 833), (1500, 2930), (3010, 6000)]
    assert check(fixed, BROADCAST) == []


def test_fix_splits_a_cue_with_too_many_lines_at_a_clause():
    text = "如果材料暂时不齐全，但主要材料已经具备，窗口可以先容缺受理，再在规定时间内补齐。"
    fixed = fix([Cue(0, 9000, (text,))], BROADCAST)
    assert [cue.lines for cue in fixed] == [("如果材料暂时不齐全", "但主要材料已经具备"),
                                           ("窗口可以先容缺受理", "再在规定时间内补齐")]
    assert [(c.start_ms, c.end_ms) for c in fixed] == [(0, 4420), (4500, 9000)]
    assert check(fixed, BROADCAST) == []


def test_fix_drops_empty_cues_and_never_moves_a_start_earlier():
    cues = [Cue(500, 1900, ("窗口可以",)), Cue(2000, 2100, ("  ",)), Cue(1000, 4000, ("先容缺受理",))]
    fixed = fix(cues, BROADCAST)
    assert all(cue.text for cue in fixed) and min(c.start_ms for c in fixed) == 500


def test_fix_keeps_ellipses_and_a_space_between_latin_words():
    """Re-breaking must not glue "Yeah!" to the next line nor take "..." for full stops."""
    fixed = fix([Cue(0, 4000, ("Yeah!", "babibabi...", "我们走吧……"))], BROADCAST)
    assert [cue.lines for cue in fixed] == [("Yeah! babibabi...我们走吧……",)]
    assert display_style("好的。。。再见。") == "好的。。。再见"


def test_fix_never_shows_a_cue_long_before_it_is_spoken():
    """A merge would show "好的" 1.3 s early: the short cue is extended instead, as far as it can."""
    cues = [Cue(0, 1200, ("市场准入负面清单以外的行业",)), Cue(1300, 3000, ("好的",))]
    assert fix(cues, BROADCAST) == [cues[0].shifted(end_ms=1220), cues[1]]
    assert cues[1].start_ms - cues[0].start_ms > MAX_EARLY_MS


def test_fix_leaves_a_good_file_alone():
    cues = [GOOD, Cue(3080, 5000, ("窗口可以先容缺受理",))]
    assert fix(cues, BROADCAST) == cues


@pytest.mark.parametrize("clip", SHARED_CLIPS)
def test_fix_makes_true_sentence_timings_broadcast_ready(shared_media, clip):
    """The shared clips' ground truth has one long cue per sentence: fix splits and styles it."""
    cues = load(shared_media / f"{clip}.srt")
    assert check(cues, BROADCAST)
    fixed = fix(cues, BROADCAST)
    assert check(fixed, BROADCAST) == []
    assert "".join(c.text for c in fixed).replace(" ", "") == \
        display_style("".join(c.text for c in cues)).replace(" ", "")


# --- properties -----------------------------------------------------------------------

texts = st.lists(st.sampled_from(WORDS + TITLES + MARKS), min_size=0, max_size=30).map("".join)


@st.composite
def cue_lists(draw):
    """Any cues: overlapping, touching, too short, too long, empty, out of order, some
    locked (formatted text that fix may only retime)."""
    cues = []
    for _ in range(draw(st.integers(0, 8))):
        start = draw(st.integers(0, 30_000))
        cues.append(Cue(start, start + draw(st.integers(-200, 12_000)), (draw(texts),),
                        locked=draw(st.booleans())))
    return cues


def _words(text):
    return "".join(char for char in text if char.isalnum())


def _bounds(pieces):
    """Where each piece ends, counted in word characters (punctuation may be dropped)."""
    lengths = [len(_words(piece)) for piece in pieces]
    return {sum(lengths[:i]) for i in range(1, len(lengths))}


@settings(max_examples=100, deadline=None, derandomize=True)
@given(cues=cue_lists(), profile=st.sampled_from(list(PROFILES.values())))
def test_fix_is_idempotent_and_never_overlaps(cues, profile):
    fixed = fix(cues, profile)
    assert fix(fixed, profile) == fixed
    rules = {v.rule for v in check(fixed, profile)}
    assert not rules & {"overlap", "gap", "empty", "lines", "max-duration"}
    in_order = sorted(cues, key=lambda c: (c.start_ms, c.end_ms))
    assert _words("".join(c.text for c in fixed)) == _words("".join(c.text for c in in_order))
    if cues and fixed:
        assert fixed[0].start_ms >= min(cue.start_ms for cue in cues)


@settings(max_examples=60, deadline=None, derandomize=True)
@given(cues=cue_lists())
def test_fix_never_splits_words_or_titles(cues):
    fixed = fix(cues, BROADCAST)
    text = display_style(" ".join(c.text for c in sorted(cues, key=lambda c: (c.start_ms, c.end_ms))))
    assert _bounds([cue.text for cue in fixed]) <= _bounds(atoms(text))
    for title in set(re.findall("《[^》]*》", text)):
        assert sum(cue.text.count(title) for cue in fixed) == text.count(title)
