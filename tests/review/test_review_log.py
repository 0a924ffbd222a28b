"""The review log: revisions, conflicts, approval, and its JSON form."""
from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subtitles.cue import Cue
from subtitles.errors import SubtitleError
from subtitles.review import (PrivateSpan, ReviewLog, RevisionConflict, diff, validate_cues)

MACHINE = (Cue(0, 1000, ("欢迎收看中午服务",)), Cue(1200, 2000, ("导办视频",)))
FIXED = (Cue(0, 1000, ("欢迎收看政务服务",)), Cue(1200, 2000, ("导办视频",)))
T1, T2, T3 = "2026-11-30T01:00:00+00:00", "2026-11-30T01:05:00+00:00", "2026-11-30T01:06:00+00:00"


def machine_log() -> ReviewLog:
    return ReviewLog().commit(0, MACHINE, "studio", "machine", T1)


def test_a_save_on_top_of_the_current_revision_is_the_next_revision():
    log = machine_log().commit(1, FIXED, "wang", "browser", T2)
    assert [r.number for r in log.revisions] == [1, 2]
    assert log.current.author == "wang" and log.current.cues == FIXED
    assert log.revision(1).cues == MACHINE  # nothing earlier is lost


def test_saving_over_a_newer_revision_is_refused_and_the_refused_cues_come_back():
    log = machine_log().commit(1, FIXED, "wang", "browser", T2)
    mine = (Cue(0, 1000, ("欢迎收看政务服务！",)), MACHINE[1])
    with pytest.raises(RevisionConflict, match="revision 2 was saved by wang") as caught:
        log.commit(1, mine, "li", "browser", T3)
    assert caught.value.mine == mine and caught.value.theirs.author == "wang"


def test_approval_covers_the_revision_it_was_given_for_only():
    log = machine_log().commit(1, FIXED, "wang", "browser", T2).approve("zhao", T2)
    assert log.is_approved and log.approved.number == 2
    edited = log.commit(2, MACHINE, "li", "browser", T3)
    assert not edited.is_approved
    assert edited.approved.number == 2  # the public keeps seeing the approved text


def test_an_unreviewed_publish_is_recorded_but_is_not_an_approval():
    log = machine_log().approve("make demo", T1, unreviewed=True)
    assert log.approved is None and log.approvals[0].unreviewed


def test_identical_text_makes_no_new_revision():
    log = machine_log()
    assert log.commit(1, MACHINE, "wang", "browser", T2) is log


@pytest.mark.parametrize("cues, problem", [
    ((Cue(-5000, 1000, ("负",)),), "must end after it starts"),
    ((Cue(1000, 1000, ("零",)),), "must end after it starts"),
    ((Cue(0, 2000, ("一",)), Cue(1500, 3000, ("二",))), "before cue 1 ends"),
    ((Cue(0, 2000, ("长" * 10_000,)),), "10000 characters"),
])
def test_impossible_edits_are_refused_with_the_cue_named(cues, problem):
    with pytest.raises(SubtitleError, match=problem):
        validate_cues(cues, "review.json")
    with pytest.raises(SubtitleError, match=problem):
        machine_log().commit(1, cues, "wang", "browser", T2)


def test_the_log_round_trips_through_json_with_private_spans():
    log = machine_log().commit(1, FIXED, "wang", "browser", T2,
                               private=[PrivateSpan(300, 900, "来电者电话")]).approve("zhao", T3)
    again = ReviewLog.from_json(log.to_json())
    assert again == log and again.current.private[0].note == "来电者电话"


@pytest.mark.parametrize("text", ["", "[]", '{"format_version": 9}', "[" * 100_000,
                                  '{"format_version": 1, "revisions": [{"number": "x"}], "approvals": []}'])
def test_a_damaged_review_file_is_a_one_line_error(text):
    with pytest.raises(SubtitleError, match="not a review log"):
        ReviewLog.from_json(text, "review.json")


cue_texts = st.text(alphabet="政务服务导办视频欢迎收看", min_size=1, max_size=12)


@given(st.lists(cue_texts, min_size=1, max_size=8), st.lists(cue_texts, min_size=1, max_size=8))
def test_diff_lists_exactly_what_changed(before_texts, after_texts):
    before = [Cue(i * 1000, i * 1000 + 900, (t,)) for i, t in enumerate(before_texts)]
    after = [Cue(i * 1000, i * 1000 + 900, (t,)) for i, t in enumerate(after_texts)]
    changes = diff(before, after)
    assert (changes == []) == (before == after)
    assert all(c.before in before or c.before is None for c in changes)
    assert all(c.after in after or c.after is None for c in changes)
