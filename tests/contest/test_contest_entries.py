"""Issue 16, contest: what entrants, judges and organisers see and may do, through the real
app with real files. Entrants see their pre-check and withdraw or replace an entry only
before the deadline and while the contest is open; judges get the video's captions and
the recognised speech as WebVTT tracks, blind; submitting scores needs a confirmation;
organisers read state names and the audit log in Chinese."""
from __future__ import annotations

import io
from datetime import timedelta

import pytest
from sqlalchemy import select

from episodes import accounts, jobs
from episodes.contest import PrecheckReport, Submission, get_contest, job_key
from episodes.judging import Assignment, save_review
from episodes.models import utcnow
from studio import precheck, tasks
from studio.environment import Environment
from subtitles.transcript import Transcript
from tests.contest_fixtures import (CAPTION, ENTRANT_NAME, ENTRANT_ORG, SLUG, SPOKEN, make_clip, recognised,
                                    session_of)
from tests.logins import PASSWORD, token


def test_the_judge_gets_the_videos_captions_and_the_recognised_speech_as_tracks(login, contest, captioned):
    code, judge_name, outsider = captioned
    judge = login(judge_name)
    page = judge.get(f"/contest/{SLUG}/r1/{code}").get_data(as_text=True)
    base = f"/contest/{SLUG}/captions/{code}"
    assert (f'<track kind="subtitles" srclang="zh" label="作品自带字幕" src="{base}/captions0.vtt" default>'
            in page)
    assert f'label="自动识别文字（参考）" src="{base}/transcript.vtt">' in page
    assert "自动识别的讲解文字" in page and SPOKEN in page and "字幕轨</dt><dd>有" in page
    for secret in (ENTRANT_NAME, ENTRANT_ORG, "张三丰-医保局-终稿", "alice"):
        assert secret not in page  # blind: no name, organisation or original file name
    own = judge.get(f"{base}/captions0.vtt")
    assert own.status_code == 200 and own.mimetype == "text/vtt"
    assert own.get_data(as_text=True).startswith("WEBVTT") and CAPTION in own.get_data(as_text=True)
    assert f"{code}-captions0.vtt" in own.headers["Content-Disposition"]
    heard = judge.get(f"{base}/transcript.vtt").get_data(as_text=True)
    assert heard.startswith("WEBVTT") and "00:00:00.000 --> 00:00:01.500" in heard and SPOKEN in heard
    # only judges it is assigned to (and organisers) get the files; no other name is served
    assert login(outsider).get(f"{base}/captions0.vtt").status_code == 403
    assert login("alice").get(f"{base}/transcript.vtt").status_code == 403
    organiser = login("org")
    assert organiser.get(f"{base}/captions0.vtt").status_code == 200
    assert f'src="{base}/captions0.vtt" default>' in organiser.get(
        f"/contest/admin/{SLUG}/submissions/{code}").get_data(as_text=True)
    for name in ("captions1", "captions²", "..%2Fsecret", "video"):
        assert judge.get(f"{base}/{name}.vtt").status_code == 404, name


def test_judges_read_what_each_score_level_means_beside_the_score_box(login, contest):
    judge = login("judge_a")
    page = judge.get(f"/contest/{SLUG}/r1/{contest.codes['S1']}").get_data(as_text=True)
    assert '<legend>政策准确（权重 30%）</legend>' in page
    assert "<b>0–3 分</b>有明显错误或过时的政策说法" in page and "<b>8–10 分</b>准确、完整，依据清楚" in page
    assert 'type="number"' in page and 'aria-describedby="levels-1"' in page
    assert 'data-confirm="提交后评分不能再修改。确定提交评分吗？"' in page


@pytest.mark.parametrize("value, message", [("11", "数值大小必须介于 0 到 10 之间"),
                                            ("-1", "数值大小必须介于 0 到 10 之间"),
                                            ("七", "不是有效的整数")])
def test_a_score_out_of_range_or_not_a_number_is_refused_and_nothing_saved(login, contest, value, message):
    judge = login("judge_a")
    url = f"/contest/{SLUG}/r1/{contest.codes['S1']}"
    form = {"c1": value, "c2": "5", "c3": "5", "c4": "5", "submit_final": "y", "confirm": "y",
            "csrf_token": token(judge, url)}
    refused = judge.post(url, data=form)
    assert refused.status_code == 400 and message in refused.get_data(as_text=True)
    with session_of(contest.app) as db:
        assert all(a.status == "assigned" for a in db.scalars(select(Assignment)))


def test_the_entrant_sees_the_contests_own_title_and_the_precheck_of_an_entry(login, contest, captioned):
    code = captioned[0]
    alice = login("alice")
    home = alice.get("/contest/").get_data(as_text=True)
    assert '<h2 id="contest-1">政务服务导办小视频创作大赛</h2>' in home and "征集中" in home
    assert "未发现问题" in home or "个问题需注意" in home
    with session_of(contest.app) as db:
        get_contest(db, SLUG).title = "2027 年医保服务短视频征集"
        db.commit()
    assert "2027 年医保服务短视频征集" in alice.get("/contest/").get_data(as_text=True)
    entry = alice.get(f"/contest/{SLUG}/entries/{code}").get_data(as_text=True)
    assert "<h1>2027 年医保服务短视频征集：作品 " in entry
    assert "自动预检" in entry and "字幕轨</dt><dd>有" in entry and "替换视频" in entry and "撤回作品" in entry


def _withdraw(client, code: str, **form):
    url = f"/contest/{SLUG}/entries/{code}"
    return client.post(url + "/withdraw", data={"csrf_token": token(client, url), **form})


def _replace(client, code: str, data: bytes, filename: str = "新版.mp4"):
    url = f"/contest/{SLUG}/entries/{code}"
    return client.post(url + "/replace", content_type="multipart/form-data",
                       data={"csrf_token": token(client, url), "video": (io.BytesIO(data), filename)})


def _files(contest) -> list[str]:
    return sorted(p.name for p in contest.uploads.iterdir())


def test_withdrawing_needs_a_confirmation_and_removes_the_entry_and_its_files(login, contest, captioned):
    code = captioned[0]
    alice = login("alice")
    with session_of(contest.app) as db:
        stored, entry_id = db.execute(select(Submission.stored_name, Submission.id)
                                      .where(Submission.code == code)).one()
    assert sum(name.startswith(stored) for name in _files(contest)) == 3  # video, captions, transcript
    unconfirmed = _withdraw(alice, code)
    assert unconfirmed.status_code == 400 and "请先勾选确认，再撤回作品" in unconfirmed.get_data(as_text=True)
    assert _withdraw(alice, code, confirm="y").status_code == 302
    assert not any(name.startswith(stored) for name in _files(contest))
    with session_of(contest.app) as db:
        assert db.scalar(select(Submission).where(Submission.code == code)) is None
        for table in (PrecheckReport, Assignment):  # its pre-check and unscored reviews go too
            assert db.scalar(select(table).where(table.submission_id == entry_id)) is None
    assert f"作品 {code} 已撤回" in alice.get("/contest/").get_data(as_text=True)


def test_nobody_withdraws_or_replaces_someone_elses_entry(login, contest):
    code = contest.codes["S1"]
    with session_of(contest.app) as db:
        accounts.create_user(db, "bob", PASSWORD, "entrant")
        db.commit()
    before = _files(contest)
    bob = login("bob")
    assert bob.get(f"/contest/{SLUG}/entries/{code}").status_code == 404
    gone = _withdraw(bob, code, confirm="y")
    assert gone.status_code == 404 and "不是您提交的" in gone.get_data(as_text=True)
    assert _replace(bob, code, make_clip(contest.clips, "bob.mp4").read_bytes()).status_code == 404
    assert _withdraw(login("judge_a"), code, confirm="y").status_code == 403
    assert _files(contest) == before
    with session_of(contest.app) as db:
        assert db.scalar(select(Submission).where(Submission.code == code)).title == "作品S1"


def test_an_entry_scored_by_a_judge_can_no_longer_be_withdrawn_or_replaced(login, contest):
    code = contest.codes["S1"]
    with session_of(contest.app) as db:
        item = get_contest(db, SLUG)
        review = db.scalars(select(Assignment).join(Submission).where(Submission.code == code)).first()
        save_review(db, item, review, {c.id: 7 for c in item.criteria}, "", submit=True)
        db.commit()
    alice = login("alice")
    refused = _withdraw(alice, code, confirm="y")
    assert refused.status_code == 409 and "评委已经为这件作品提交了评分" in refused.get_data(as_text=True)
    before = _files(contest)
    assert _replace(alice, code, make_clip(contest.clips, "new.mp4").read_bytes()).status_code == 409
    assert _files(contest) == before  # the refused upload is not left behind


def test_replacing_the_video_keeps_the_code_and_checks_the_new_file_again(login, contest):
    code = contest.codes["S1"]
    alice = login("alice")
    with session_of(contest.app) as db:
        old = db.scalar(select(Submission).where(Submission.code == code))
        old_name, entry_id = old.stored_name, old.id
    replaced = _replace(alice, code, make_clip(contest.clips, "v2.mp4", seconds=1.5).read_bytes())
    assert replaced.status_code == 302
    assert old_name not in _files(contest)
    with session_of(contest.app) as db:
        entry = db.get(Submission, entry_id)
        assert (entry.code, entry.title, entry.intake, entry.original_name) == (code, "作品S1", "checking", "新版.mp4")
        assert db.scalar(select(PrecheckReport).where(PrecheckReport.submission_id == entry_id)) is None
        assert jobs.progress(db, job_key("contest.intake", entry)).state == "queued"
    queue = contest.app.extensions["jobs"]
    tasks.register(queue, Environment(environ=contest.environ), contest.uploads.parent)
    for _ in range(queue.huey.pending_count()):
        queue.huey.execute(queue.huey.dequeue())
    with session_of(contest.app) as db:
        entry = db.get(Submission, entry_id)
        assert entry.intake == "accepted" and entry.duration_ms == 1500
        # a new pre-check job of its own (the old video's is done and stays so)
        assert jobs.progress(db, job_key("contest.precheck", entry)).state == "queued"
    page = alice.get(f"/contest/{SLUG}/entries/{code}").get_data(as_text=True)
    assert "已受理" in page and "预检排队中" in page


@pytest.mark.parametrize("closing, message", [
    ("deadline", "的截止时间（"), ("closed", "已停止征集作品")])
def test_after_the_deadline_or_when_closed_no_upload_withdrawal_or_replacement(login, contest, closing, message):
    with session_of(contest.app) as db:
        item = get_contest(db, SLUG)
        if closing == "deadline":
            item.deadline = utcnow() - timedelta(minutes=1)
        else:
            item.is_open = False
        db.commit()
    code, alice = contest.codes["S1"], login("alice")
    before = _files(contest)
    url = f"/contest/{SLUG}/submit"
    page = alice.get(url)
    assert page.status_code == 403 and message in page.get_data(as_text=True)
    upload = alice.post(url, content_type="multipart/form-data", data={
        "title": "迟到", "csrf_token": token(alice, "/contest/"),
        "video": (io.BytesIO(make_clip(contest.clips, "late.mp4").read_bytes()), "late.mp4")})
    assert upload.status_code == 403
    for response in (_withdraw(alice, code, confirm="y"),
                     _replace(alice, code, make_clip(contest.clips, "late2.mp4").read_bytes())):
        assert response.status_code == 403 and message in response.get_data(as_text=True)
    assert _files(contest) == before
    home = alice.get("/contest/").get_data(as_text=True)
    assert "已截止" in home and message in home and f"/contest/{SLUG}/submit" not in home
    entry = alice.get(f"/contest/{SLUG}/entries/{code}").get_data(as_text=True)
    assert "替换视频" not in entry and "撤回作品" not in entry and message in entry


def test_the_organiser_reads_states_and_the_audit_log_in_chinese(login, contest):
    code = contest.codes["S1"]
    judge = login("judge_a")
    url = f"/contest/{SLUG}/r1/{code}"
    scores = {"c1": "6", "c2": "6", "c3": "6", "c4": "6"}
    judge.post(url, data={**scores, "comment": "初稿", "save_draft": "y", "csrf_token": token(judge, url)})
    judge.post(url, data={**scores, "c1": "8", "comment": "初稿", "submit_final": "y", "confirm": "y",
                          "csrf_token": token(judge, url)})
    page = login("org").get(f"/contest/admin/{SLUG}/submissions/{code}").get_data(as_text=True)
    audit = page.split("评分修改记录")[1]
    assert "judge_a（judge_a）保存草稿：政策准确 6 分；通俗易懂 6 分" in audit and "评语改为：初稿" in audit
    assert "提交评分：政策准确 6 → 8 分</li>" in audit  # only what changed
    assert audit.count('+08:00">') == 2  # the configured time zone, offset stated
    assert "{" not in audit and "submit" not in audit and "draft" not in audit
    assert "<dt>状态</dt><dd>已受理</dd>" in page and ">已提交</td>" in page and ">未评</td>" in page


def test_the_organiser_sets_a_deadline_levels_and_closes_entries_from_the_site(login, contest):
    org, url = login("org"), "/contest/admin/"
    form = {"slug": "second", "title": "第二届导办视频大赛", "deadline": "2099-12-01T18:30",
            "max_seconds": "180", "min_height": "720", "max_mb": "500", "rounds": "初评、终评",
            "rubric": "政策准确 60｜0-4：有错误；5-10：准确\n通俗易懂 40", "csrf_token": token(org, url)}
    assert "政策准确 30｜0-3：有明显错误或过时的政策说法；" in org.get(url).get_data(as_text=True)  # the default
    assert org.post(url, data=form).status_code == 302
    with session_of(contest.app) as db:
        second = get_contest(db, "second")
        assert second.deadline.replace(tzinfo=None).isoformat() == "2099-12-01T10:30:00"  # Asia/Shanghai
        assert [c.levels for c in second.criteria] == [[[0, 4, "有错误"], [5, 10, "准确"]], None]
    gap = org.post(url, data={**form, "slug": "third", "rubric": "政策准确 100｜0-4：差；6-10：好"})
    assert gap.status_code == 422 and "expected a level starting at 5, got 6-10" in gap.get_data(as_text=True)
    manage = f"/contest/admin/{SLUG}"
    closed = org.post(manage + "/entries", data={"state": "closed", "deadline": "2099-12-24T12:00",
                                                 "csrf_token": token(org, manage)})
    assert closed.status_code == 302
    page = org.get(manage).get_data(as_text=True)
    assert "已停止征集作品" in page and 'value="2099-12-24T12:00"' in page
    with session_of(contest.app) as db:
        item = get_contest(db, SLUG)
        assert not item.is_open and item.deadline.replace(tzinfo=None).isoformat() == "2099-12-24T04:00:00"
    assert login("alice").get(f"/contest/{SLUG}/submit").status_code == 403
    bad = org.post(manage + "/entries", data={"state": "closed", "deadline": "明天",
                                              "csrf_token": token(org, manage)})
    assert bad.status_code == 400


def test_an_entry_withdrawn_during_its_precheck_leaves_no_files_and_no_error(login, contest):
    with session_of(contest.app) as db:
        entry = db.scalar(select(Submission).where(Submission.code == contest.codes["S1"]))
        entry_id, stored = entry.id, entry.stored_name
    alice = login("alice")

    def withdrawn_while_listening(path, progress) -> Transcript:
        assert _withdraw(alice, contest.codes["S1"], confirm="y").status_code == 302
        return recognised(path, progress)

    factory = contest.app.extensions["catalog_sessions"]
    assert precheck.run(factory, contest.uploads.parent, [entry_id], transcribe=withdrawn_while_listening) == (1, 0)
    assert not any(name.startswith(stored) for name in _files(contest))  # no caption or transcript left


@pytest.mark.parametrize("data, filename, status, message", [
    (b"", "empty.mp4", 422, "0 字节"),
    (b"x" * 10, "../../evil.mp4", 422, "文件名不能包含路径"),
    (b"x" * (4 * 1024 * 1024), "huge.mp4", 413, "超过大小上限"),
])
def test_a_bad_replacement_is_refused_and_the_entry_keeps_its_video(login, contest, data, filename, status, message):
    code, before = contest.codes["S1"], _files(contest)
    refused = _replace(login("alice"), code, data, filename)
    assert refused.status_code == status and message in refused.get_data(as_text=True)
    assert _files(contest) == before
    with session_of(contest.app) as db:
        assert db.scalar(select(Submission).where(Submission.code == code)).intake == "accepted"
