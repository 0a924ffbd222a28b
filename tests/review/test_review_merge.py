"""Re-applying an edit after a save conflict (Flask test client, real SQLite): the
editor's changes are merged per cue onto the newest revision, so another person's
saved edit is never reverted, and a cue both changed is reported, nothing lost
(QA: re-applying used to save the whole stale editor over revision N+1)."""
from __future__ import annotations

from episodes.review import review_log
from subtitles.cue import Cue
from subtitles.review import merge
from tests.review_data import cues_json, post


def test_reapplying_keeps_the_other_edit_and_applies_mine(client, staff, session, episode):
    assert post(client, staff, "save", {"base": 1, "cues": cues_json(c0="我先改的开头")}).status_code == 200
    a = post(client, staff, "save", {"base": 2, "cues": cues_json(c0="我先改的开头", c2="第三句（A）")})
    assert a.get_json()["revision"]["number"] == 3
    mine = cues_json(c0="我先改的开头", c3="第四句（B）")  # B opened revision 2
    assert post(client, staff, "save", {"base": 2, "cues": mine}).status_code == 409
    again = post(client, staff, "save", {"base": 2, "cues": mine, "reapply": True})
    assert again.status_code == 200, again.get_data(as_text=True)
    assert again.get_json()["revision"]["number"] == 4 and again.get_json()["conflicts"] == []
    texts = [c.text for c in review_log(session, episode.id).current.cues]
    assert texts[2] == "第三句（A）" and texts[3] == "第四句（B）" and texts[0] == "我先改的开头"


def test_both_changing_one_cue_keeps_theirs_and_reports_mine(client, staff, session, episode):
    assert post(client, staff, "save", {"base": 1, "cues": cues_json(c2="第三句（A）")}).status_code == 200
    mine = cues_json(c2="第三句（B）", c3="第四句（B）")  # B opened revision 1
    again = post(client, staff, "save", {"base": 1, "cues": mine, "reapply": True})
    assert again.status_code == 200, again.get_data(as_text=True)
    [clash] = again.get_json()["conflicts"]
    assert clash["cue"] == 3 and clash["mine"][0]["text"] == "第三句（B）"
    assert clash["theirs"][0]["text"] == "第三句（A）"
    assert "第 3 句两人都改了" in clash["message"] and "第三句（B）" in clash["message"]
    texts = [c.text for c in review_log(session, episode.id).current.cues]
    assert texts[2] == "第三句（A）" and texts[3] == "第四句（B）"


def test_reapplying_onto_a_revision_that_does_not_exist_is_a_clear_400(client, staff, session, episode):
    post(client, staff, "save", {"base": 1, "cues": cues_json(c0="改")})
    post(client, staff, "save", {"base": 2, "cues": cues_json(c0="再改")})
    response = post(client, staff, "save", {"base": 0, "cues": cues_json(c1="改"), "reapply": True})
    assert response.status_code == 400 and "没有第 0 版" in response.get_json()["error"]
    assert review_log(session, episode.id).current.number == 3


def test_the_merge_takes_each_sides_cues_and_keeps_theirs_where_both_changed():
    base = [Cue(0, 1000, "一"), Cue(1000, 2000, "二"), Cue(2000, 3000, "三")]
    split = [Cue(0, 1000, "一"), Cue(1000, 1500, "二上"), Cue(1500, 2000, "二下"), Cue(2000, 3000, "三")]
    merged, conflicts = merge(base, split, [Cue(0, 1000, "一"), Cue(1000, 2000, "二"), Cue(2000, 3000, "叁")])
    assert [c.text for c in merged] == ["一", "二上", "二下", "叁"] and conflicts == []
    mine = [Cue(0, 1000, "一"), Cue(1000, 2000, "贰"), Cue(2000, 3000, "三")]
    merged, [clash] = merge(base, split, mine)
    assert [c.text for c in merged] == ["一", "二上", "二下", "三"]
    assert clash.position == 1 and [c.text for c in clash.mine] == ["贰"] and len(clash.theirs) == 2
    assert merge(base, mine, mine) == (tuple(mine), [])  # the same change on both sides is no conflict
