"""The authorization matrix of every contest route, blind review, and CSRF on every form.

Runs against the real app with CSRF enabled, a real SQLite catalog and real clips.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from episodes.judging import Assignment, ScoreAudit
from tests.contest_fixtures import ENTRANT_NAME, ENTRANT_ORG, SLUG, session_of
from tests.logins import token


USERS = ("anonymous", "alice", "judge_a", "judge_b", "org", "staffer")
LOGIN = 302  # anonymous visitors are sent to the login page

# route -> expected status for USERS, in order.
GET_MATRIX = {
    "/contest/": (LOGIN, 200, 403, 403, 403, 403),
    f"/contest/{SLUG}/submit": (LOGIN, 200, 403, 403, 403, 403),
    "/contest/judge": (LOGIN, 403, 200, 200, 403, 403),
    f"/contest/{SLUG}/r1/{{S1}}": (LOGIN, 403, 200, 403, 403, 403),
    f"/contest/{SLUG}/r1/{{S2}}": (LOGIN, 403, 403, 200, 403, 403),
    f"/contest/{SLUG}/video/{{S1}}": (LOGIN, 403, 200, 403, 200, 403),
    f"/contest/{SLUG}/video/{{S2}}": (LOGIN, 403, 403, 200, 200, 403),
    "/contest/admin/": (LOGIN, 403, 403, 403, 200, 403),
    f"/contest/admin/{SLUG}": (LOGIN, 403, 403, 403, 200, 403),
    f"/contest/admin/{SLUG}/r1/results": (LOGIN, 403, 403, 403, 200, 403),
    f"/contest/admin/{SLUG}/r1/ranking.csv": (LOGIN, 403, 403, 403, 200, 403),
    f"/contest/admin/{SLUG}/r1/scores.csv": (LOGIN, 403, 403, 403, 200, 403),
    f"/contest/admin/{SLUG}/r1/results.xlsx": (LOGIN, 403, 403, 403, 200, 403),
    f"/contest/admin/{SLUG}/submissions/{{S1}}": (LOGIN, 403, 403, 403, 200, 403),
}
# POSTs carry a valid CSRF token, so the status is the authorization decision.
POST_MATRIX = {
    f"/contest/admin/{SLUG}/judges": (LOGIN, 403, 403, 403, 302, 403),
    f"/contest/admin/{SLUG}/conflicts": (LOGIN, 403, 403, 403, 302, 403),
    f"/contest/admin/{SLUG}/accounts": (LOGIN, 403, 403, 403, 302, 403),
    f"/contest/admin/{SLUG}/r1/assign": (LOGIN, 403, 403, 403, 302, 403),
    f"/contest/admin/{SLUG}/r1/results": (LOGIN, 403, 403, 403, 302, 403),
    f"/contest/{SLUG}/r1/{{S1}}": (LOGIN, 403, 302, 403, 403, 403),
}


def _clients(login):
    return {user: login(None if user == "anonymous" else user) for user in USERS}


def test_every_get_route_gives_each_role_exactly_the_intended_status(login, contest):
    clients = _clients(login)
    for route, expected in GET_MATRIX.items():
        url = route.format(**contest.codes)
        got = tuple(clients[user].get(url).status_code for user in USERS)
        assert got == expected, f"GET {route}: {dict(zip(USERS, got))}"


def test_every_post_route_gives_each_role_exactly_the_intended_status(login, contest):
    clients = _clients(login)
    form = {"username": "judge_c", "code": contest.codes["S1"], "top": "1", "save_draft": "y",
            "role": "judge", "password": "long password 1"}
    for route, expected in POST_MATRIX.items():
        url = route.format(**contest.codes)
        got = tuple(clients[user].post(url, data={**form, "csrf_token": token(clients[user])}).status_code
                    for user in USERS)
        assert got == expected, f"POST {route}: {dict(zip(USERS, got))}"


def test_forms_without_a_csrf_token_are_rejected_and_change_nothing(login, contest):
    judge, org = login("judge_a"), login("org")
    review = f"/contest/{SLUG}/r1/{contest.codes['S1']}"
    assert judge.post(review, data={"c1": "5", "save_draft": "y"}).status_code == 400
    assert org.post(f"/contest/admin/{SLUG}/r1/assign").status_code == 400
    assert org.post("/contest/admin/", data={"slug": "x", "title": "x"}).status_code == 400
    assert judge.post("/auth/logout").status_code == 400
    assert login(None).post("/auth/login", data={
        "username": "org", "password": "correct horse battery"}).status_code == 400
    with session_of(contest.app) as db:
        assert db.scalars(select(ScoreAudit)).all() == []


def test_judges_never_see_who_made_the_work(login, contest):
    judge = login("judge_a")
    code = contest.codes["S1"]
    pages = [judge.get("/contest/judge"), judge.get(f"/contest/{SLUG}/r1/{code}")]
    video = judge.get(f"/contest/{SLUG}/video/{code}")
    for page in pages:
        text = page.get_data(as_text=True)
        assert code in text
        for secret in (ENTRANT_NAME, ENTRANT_ORG, "我的作品.mp4", "alice"):
            assert secret not in text
    assert video.mimetype == "video/mp4" and f"{code}.mp4" in video.headers["Content-Disposition"]
    assert "我的作品" not in video.headers["Content-Disposition"]
    organiser_view = login("org").get(f"/contest/admin/{SLUG}/submissions/{code}")
    assert ENTRANT_NAME in organiser_view.get_data(as_text=True)


def _criteria_form(client, url, value, **extra):
    return {**{f"c{i}": str(value) for i in range(1, 5)}, "csrf_token": token(client, url), **extra}


def test_judge_scores_within_bounds_saves_a_draft_then_submits_and_every_change_is_audited(login, contest):
    judge = login("judge_a")
    url = f"/contest/{SLUG}/r1/{contest.codes['S1']}"
    too_high = judge.post(url, data=_criteria_form(judge, url, 11, save_draft="y"))
    assert too_high.status_code == 400 and "数值大小必须介于 0 到 10 之间" in too_high.get_data(as_text=True)
    incomplete = judge.post(url, data={"c1": "5", "submit_final": "y", "csrf_token": token(judge, url)})
    assert incomplete.status_code == 422 and "提交前请为每一项标准打分" in incomplete.get_data(as_text=True)
    assert judge.post(url, data=_criteria_form(judge, url, 6, comment="初稿", save_draft="y")).status_code == 302
    # submitting is final: without the confirmation box ticked nothing is saved
    unconfirmed = judge.post(url, data=_criteria_form(judge, url, 8, comment="定稿", submit_final="y"))
    assert unconfirmed.status_code == 422 and "请勾选“我已核对全部分数，确认提交”" in unconfirmed.get_data(as_text=True)
    assert judge.post(url, data=_criteria_form(judge, url, 8, comment="定稿", submit_final="y", confirm="y")).status_code == 302
    late = judge.post(url, data=_criteria_form(judge, url, 1, submit_final="y", confirm="y"))
    assert late.status_code == 422 and "评分已经提交，不能再修改" in late.get_data(as_text=True)
    with session_of(contest.app) as db:
        log = db.scalars(select(ScoreAudit).order_by(ScoreAudit.id)).all()
        assert [(e.action, e.comment, sorted(e.values.values())) for e in log] == [
            ("draft", "初稿", [6, 6, 6, 6]), ("submit", "定稿", [8, 8, 8, 8])]


def test_other_judges_scores_stay_hidden_until_one_submits_and_others_work_is_untouchable(login, contest):
    c, a = login("judge_c"), login("judge_a")
    s1, s2 = (f"/contest/{SLUG}/r1/{contest.codes[k]}" for k in ("S1", "S2"))
    c.post(s1, data=_criteria_form(c, s1, 3, comment="评委丙的意见", submit_final="y", confirm="y"))
    before = a.get(s1).get_data(as_text=True)
    assert "评委丙的意见" not in before and "其他评委" not in before
    assert a.post(s2, data=_criteria_form(a, s1, 10, submit_final="y", confirm="y")).status_code == 403
    a.post(s1, data=_criteria_form(a, s1, 9, submit_final="y", confirm="y"))
    after = a.get(s1).get_data(as_text=True)
    assert "评委 1：政策准确 3 分" in after and "评委丙的意见" not in after
    with session_of(contest.app) as db:
        reviews = db.scalars(select(Assignment)).all()
        assert all(r.status != "submitted" for r in reviews if r.submission.code == contest.codes["S2"])


@pytest.mark.parametrize("user", ["judge_a", "org"])
def test_a_nonexistent_submission_is_forbidden_to_judges_and_missing_for_organisers(login, contest, user):
    client = login(user)
    status = client.get(f"/contest/{SLUG}/video/V-NOSUCH").status_code
    assert status == 404
    if user == "judge_a":
        assert client.get(f"/contest/{SLUG}/r1/V-NOSUCH").status_code == 403
