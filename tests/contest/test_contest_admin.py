"""Organiser pages on the real app: set-up with a rubric, progress, ranking, advancing,
exports; and the background pre-check started by a real upload."""
from __future__ import annotations

import io
import re
import signal
import subprocess
import time
from datetime import datetime, timezone

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from episodes.contest import (Contest, PrecheckReport, Submission, get_contest, get_round,
                              round_submissions)
from episodes.jobs import Job
from episodes.judging import Assignment, ScoreAudit, save_review
from tests.contest_fixtures import SLUG, session_of
from tests.support import STUDIO
from tests.logins import token



def _create(client, **fields):
    form = {"slug": "c2", "title": "第二届大赛", "max_seconds": "120", "min_height": "720",
            "max_mb": "100", "rounds": "初评，终评", "rubric": "准确 50\n通俗 50", **fields}
    return client.post("/contest/admin/", data={**form, "csrf_token": token(client, "/contest/admin/")})


def test_organiser_sets_up_a_contest_and_a_bad_rubric_is_refused(login, contest):
    org = login("org")
    bad = _create(org, slug="c3", rubric="准确 50\n通俗 40")
    assert bad.status_code == 422 and "weights sum to 90, not 100" in bad.get_data(as_text=True)
    assert _create(org, slug="c4", rubric="准确五十").status_code == 422
    created = _create(org)
    assert created.status_code == 302 and created.headers["Location"] == "/contest/admin/c2"
    with session_of(contest.app) as db:
        made = get_contest(db, "c2")
        assert [(c.name, c.weight) for c in made.criteria] == [("准确", 50), ("通俗", 50)]
        assert [r.name for r in made.rounds] == ["初评", "终评"] and made.max_duration_ms == 120_000
        assert db.scalar(select(Contest).where(Contest.slug == "c3")) is None


def test_organiser_adds_judge_and_entrant_accounts_and_sets_k_when_assigning(login, contest):
    org = login("org")
    manage = f"/contest/admin/{SLUG}"
    for name, role, said in (("judge_d", "judge", "已创建评委账号 judge_d 并加入评委组"),
                             ("bob", "entrant", "已创建参赛者账号 bob")):
        made = org.post(f"{manage}/accounts", data={"username": name, "role": role, "password": "long password 1",
                                                   "display_name": name.upper(), "csrf_token": token(org, manage)})
        assert made.status_code == 302 and said in org.get(made.headers["Location"]).get_data(as_text=True)
    assert "JUDGE_D（judge_d）" in org.get(manage).get_data(as_text=True)
    short = org.post(f"{manage}/accounts", data={"username": "eve", "role": "entrant", "password": "short",
                                                "csrf_token": token(org, manage)})
    assert "password too short" in org.get(short.headers["Location"]).get_data(as_text=True)
    bob = contest.app.test_client()
    assert bob.post("/auth/login", data={"username": "bob", "password": "long password 1",
                                         "csrf_token": token(bob)}).headers["Location"] == "/contest/"
    org.post(f"{manage}/r2/assign", data={"judges_per_submission": "4", "csrf_token": token(org, manage)})
    with session_of(contest.app) as db:
        assert get_round(get_contest(db, SLUG), 2).judges_per_submission == 4


def test_every_field_on_the_organiser_page_has_its_label(login, contest):
    """Each input's label points at it (axe-core 'label'): the judge and conflict forms give
    the same username field different ids, so their labels must name those ids."""
    html = login("org").get(f"/contest/admin/{SLUG}").get_data(as_text=True)
    labelled = set(re.findall(r'<label for="([^"]+)"', html))
    inputs = re.findall(r'<(?:input|select|textarea)\b(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', html)
    assert {"judge-username", "conflict-username"} <= set(inputs)
    assert [name for name in inputs if name not in labelled] == []


def _submit_all(app, marks: dict[str, dict[str, int]]) -> None:
    with session_of(app) as db:
        item = get_contest(db, SLUG)
        for review in db.scalars(select(Assignment)):
            value = marks[review.judge.username][review.submission.title]
            save_review(db, item, review, {c.id: value for c in item.criteria}, "", submit=True)
        db.commit()


def test_progress_ranking_advance_and_exports(login, contest):
    org = login("org")
    manage = org.get(f"/contest/admin/{SLUG}").get_data(as_text=True)
    # judge_c: 2 assigned, 0 submitted
    assert '<td data-label="已分配">2</td><td data-label="已提交">0</td><td data-label="未完成">2</td>' in manage
    # judge_a is lenient and saw only S1; judge_c, the one judge who saw both, preferred S2.
    _submit_all(contest.app, {"judge_a": {"作品S1": 9}, "judge_b": {"作品S2": 4},
                              "judge_c": {"作品S1": 5, "作品S2": 6}})
    page = org.get(f"/contest/admin/{SLUG}/r1/results").get_data(as_text=True)
    s1, s2 = contest.codes["S1"], contest.codes["S2"]
    # judges scored one or two works each: z-scores would make c's preference the whole
    # ranking (S2 100, S1 0), so the round is ranked by raw mean and the page says why:
    # S1 (90 + 50) / 2 = 70, S2 (40 + 60) / 2 = 50.
    assert page.index(s1) < page.index(s2)
    assert "本轮按<strong>原始分</strong>排名" in page and "只评了 1 件作品，少于 5 件" in page
    assert '<td data-label="原始分">70.00</td>' in page and '<td data-label="原始分">50.00</td>' in page
    assert "标准化分</th>" not in page
    advanced = org.post(f"/contest/admin/{SLUG}/r1/results",
                        data={"top": "1", "csrf_token": token(org, f"/contest/admin/{SLUG}")})
    assert advanced.status_code == 302
    with session_of(contest.app) as db:
        second = round_submissions(db, get_round(get_contest(db, SLUG), 2))
        assert [s.code for s in second] == [s1]
    ranking = org.get(f"/contest/admin/{SLUG}/r1/ranking.csv")
    assert ranking.mimetype == "text/csv" and "attachment" in ranking.headers["Content-Disposition"]
    assert ranking.get_data(as_text=True).splitlines()[1].startswith(f"1,{s1},作品S1,张三丰,武陵区医保局,,70.0,")
    book = load_workbook(io.BytesIO(org.get(f"/contest/admin/{SLUG}/r1/results.xlsx").data))
    assert book.sheetnames == ["初评 ranking", "初评 scores"] and book.worksheets[1].max_row == 5


@pytest.mark.slow
def test_an_upload_is_checked_and_prechecked_by_studio_worker(login, contest):
    """The whole job flow on the real engine: the site enqueues, a `studio worker`
    process takes the upload in, then pre-checks it with the speech model."""
    client = login("alice")
    clip = (contest.clips / "ok.mp4").read_bytes()
    url = f"/contest/{SLUG}/submit"
    response = client.post(url, content_type="multipart/form-data", data={
        "title": "背景预检", "csrf_token": token(client, url), "video": (io.BytesIO(clip), "a.mp4")})
    assert response.status_code == 302
    worker = subprocess.Popen([STUDIO, "worker"], env=contest.environ)
    deadline, report = time.monotonic() + 180, None
    try:
        while time.monotonic() < deadline and worker.poll() is None:
            with session_of(contest.app) as db:
                report = db.scalars(select(PrecheckReport).order_by(PrecheckReport.id.desc())).first()
                submission = db.get(Submission, report.submission_id)
                if submission.title == "背景预检" and report.status in ("done", "failed"):
                    break
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGINT)
        worker.wait(60)
    assert submission.title == "背景预检" and submission.intake == "accepted"
    assert report.status == "done", report.error
    assert report.loudness_lufs is not None and "未识别出讲解语音" in report.violations
    with session_of(contest.app) as db:
        assert {j.state for j in db.scalars(select(Job))} == {"done"}


def test_a_finished_precheck_is_shown_to_the_judge_and_the_organiser(login, contest):
    s1 = contest.codes["S1"]
    with session_of(contest.app) as db:
        submission = db.scalar(select(Submission).where(Submission.code == s1))
        report = db.scalar(select(PrecheckReport).where(PrecheckReport.submission_id == submission.id))
        report.status, report.loudness_lufs, report.has_caption_stream = "done", -23.4, False
        report.speech_chars, report.jargon_density, report.plain_score = 120, 2.5, 75
        report.violations = ["有讲解语音但没有字幕轨（如字幕已压制在画面中，请人工确认）"]
        db.commit()
    for client, url in ((login("judge_a"), f"/contest/{SLUG}/r1/{s1}"),
                        (login("org"), f"/contest/admin/{SLUG}/submissions/{s1}")):
        page = client.get(url).get_data(as_text=True)
        assert "-23.4 LUFS" in page and "2.5 个/百字" in page and "75 / 100" in page
        assert "没有字幕轨" in page


def test_contest_times_are_shown_in_the_configured_time_zone(login, contest):
    """Submitted 02:17 UTC is 10:17 in Asia/Shanghai (the default `timezone`)."""
    s1, at = contest.codes["S1"], datetime(2026, 12, 1, 2, 17, tzinfo=timezone.utc)
    with session_of(contest.app) as db:
        item = get_contest(db, SLUG)
        submission = db.scalar(select(Submission).where(Submission.code == s1))
        review = db.scalar(select(Assignment).where(Assignment.submission_id == submission.id,
                                                    Assignment.judge.has(username="judge_a")))
        save_review(db, item, review, {c.id: 7 for c in item.criteria}, "", submit=True)
        submission.created_at = review.submitted_at = at
        for entry in db.scalars(select(ScoreAudit)):
            entry.at = at
        db.commit()
    shown = '<time datetime="2026-12-01T10:17:00+08:00">2026-12-01 10:17'
    for user, url in (("alice", "/contest/"), ("judge_a", f"/contest/{SLUG}/r1/{s1}"),
                      ("org", f"/contest/admin/{SLUG}/submissions/{s1}")):
        page = login(user).get(url).get_data(as_text=True)
        assert shown in page and "02:17" not in page, (user, url)
