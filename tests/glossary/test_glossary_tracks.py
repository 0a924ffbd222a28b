"""The plain-language track: same cues and starts; fits the profile or says why not."""
from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from glossary import load_default
from glossary.lines import line_units
from glossary.tracks import plain_track
from subtitles.check import check
from subtitles.cue import Cue
from subtitles.io import load
from subtitles.profiles import get_profile
from tests.support import SHARED_CLIPS

GLOSSARY = load_default()
PROFILE = get_profile("broadcast-zh")


@pytest.mark.parametrize("clip", SHARED_CLIPS)
def test_shared_clips_get_a_plain_track_with_the_same_timing(shared_media, clip):
    cues = load(shared_media / f"{clip}.srt")
    track = plain_track(cues, GLOSSARY, PROFILE)
    assert [c.start_ms for c in track.cues] == [c.start_ms for c in cues]
    assert track.changes or track.unexplained, \
        "every shared clip uses jargon the glossary rewrites or explains"
    assert all(c.start_ms <= p.end_ms for c, p in zip(cues, track.cues))


def test_rewrites_are_laid_out_in_display_style():
    cues = [Cue(1000, 5000, ("如果材料暂时不齐全，窗口可以先容缺受理。",))]
    track = plain_track(cues, GLOSSARY, PROFILE)
    assert track.cues[0].lines == ("如果材料暂时不齐全", "窗口可以先收件后补材料")
    assert [(n, c.term) for n, c in track.changes] == [(1, "容缺受理")]
    assert track.fallbacks == []


def test_a_plain_wording_short_enough_keeps_the_clause_break():
    """「各类 / 企业和个体户都可以依法平等进入」: a wording one line could not hold moved
    the break away from the comma; 企业商户 keeps it where the speaker paused."""
    cues = [Cue(0, 5000, ("市场准入负面清单以外的行业", "各类经营主体都可以依法平等进入"))]
    track = plain_track(cues, GLOSSARY, PROFILE)
    assert track.cues[0].lines == ("市场准入负面清单以外的行业", "各类企业商户都可以依法平等进入")


def test_a_longer_wording_borrows_time_from_the_gap():
    # 7 characters in 0.8 s read at 8.75 cps; the plain 9 characters need 1 s at 9 cps.
    cues = [Cue(0, 800, ("可以容缺受理了",)), Cue(3000, 4000, ("好的",))]
    track = plain_track(cues, GLOSSARY, PROFILE)
    first = track.cues[0]
    assert first.text == "可以收件后补材料了" and first.end_ms == 1000
    assert [f.action for f in track.fallbacks] == ["borrowed"]
    assert not [v for v in check(track.cues, PROFILE) if v.rule in ("cps", "gap", "overlap")]


def test_without_a_gap_the_term_is_kept_and_reported():
    cues = [Cue(0, 800, ("可以容缺受理了",)), Cue(880, 2000, ("好的",))]
    track = plain_track(cues, GLOSSARY, PROFILE)
    assert track.cues[0] == Cue(0, 800, ("可以容缺受理了",))
    assert [f.action for f in track.fallbacks] == ["kept-term"]
    assert "容缺受理" in track.fallbacks[0].detail
    assert track.changes == []


_WORDS = ["可以", "容缺受理", "跨省通办", "帮办代办", "社保卡", "办理", "，", "我们", "行政复议",
          "《行政复议法》", "契税", "法律援助", "公共法律服务工作站", "的", "市场准入负面清单"]
cue_texts = st.lists(st.sampled_from(_WORDS), min_size=1, max_size=8).map("".join)


@st.composite
def tracks(draw):
    cues, start = [], draw(st.integers(0, 5000))
    for text in draw(st.lists(cue_texts, min_size=1, max_size=6)):
        duration = draw(st.integers(900, 7000))
        cues.append(Cue(start, start + duration, (text,)))
        start += duration + draw(st.integers(PROFILE.min_gap_ms, 3000))
    return cues


@settings(max_examples=60, deadline=None)
@given(tracks())
def test_timing_never_drifts_and_every_break_is_reported(cues):
    track = plain_track(cues, GLOSSARY, PROFILE)
    assert len(track.cues) == len(cues)
    assert [c.start_ms for c in track.cues] == [c.start_ms for c in cues]
    assert all(c.end_ms >= v.end_ms for c, v in zip(track.cues, cues))
    gaps = [b.start_ms - a.end_ms for a, b in zip(track.cues, track.cues[1:])]
    assert all(gap >= PROFILE.min_gap_ms for gap in gaps)
    units = line_units(GLOSSARY)  # a glossary term or plain wording split across lines counts
    verbatim = {(v.cue, v.rule) for v in check(cues, PROFILE, units)}
    unfit = {f.cue for f in track.fallbacks if f.action == "unfit"}
    new = {(v.cue, v.rule) for v in check(track.cues, PROFILE, units)} - verbatim
    assert {cue for cue, rule in new if rule in ("cps", "lines", "line-width", "split-word")} <= unfit


@settings(max_examples=60, deadline=None)
@given(tracks())
def test_an_explanation_due_is_given_once_or_left_to_the_term_page(cues):
    """At its first mention, in the next cue, or at a later mention: never twice, never lost."""
    track = plain_track(cues, GLOSSARY, PROFILE)
    shown = "".join(c.text for c in track.cues)
    for name in track.due:
        term = GLOSSARY.get(name)
        given = shown.count(term.annotated) + shown.count(term.aside)
        assert given == (0 if name in track.unexplained else 1), name
