"""The review workspace over HTTP (Flask test client, real SQLite, real files): staff
only, every JSON endpoint, and the hostile inputs (overlapping or negative times, a
10,000-character cue, HTML in a cue, stale saves, an episode deleted meanwhile)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from episodes.jobs import Job
from episodes.models import Episode, TranscriptCue
from episodes.review import review_log
from tests.logins import add_account, log_in
from tests.review_data import SLUG, csrf_of, cues_json, post
from subtitles.cue import Cue
from web.review import assistant
from web.workspace import analyse, plain_choices


def public_texts(session, episode_id):
    session.expire_all()
    return [(c.text, c.plain_text) for c in session.scalars(
        select(TranscriptCue).where(TranscriptCue.episode_id == episode_id).order_by(TranscriptCue.position))]


def test_the_workspace_is_for_staff_only(client, session, episode):
    assert client.get("/review/").status_code == 302
    assert client.get(f"/review/{SLUG}/state").status_code == 302
    add_account(session, "judge1", "judge")
    log_in(client, "judge1")
    assert client.get("/review/").status_code == 403
    assert client.post(f"/review/{SLUG}/save", json={}).status_code in (400, 403)


def test_the_list_shows_each_episode_under_its_stage_with_who_and_when(client, staff, session):
    assert 'href="/review/"' in client.get("/dashboard/").get_data(as_text=True)  # staff land there
    draft = session.get(Episode, session.scalar(select(Episode.id).where(Episode.slug == SLUG)))
    page = client.get("/review/").get_data(as_text=True)
    stages = re.findall(r'<h2 id="stage-\d">(\S+)', page)
    assert stages == ["草稿", "待审", "已审核", "已排期", "已发布", "已下线"]
    published = page.split('id="stage-5">')[1].split('id="stage-6">')[0]
    assert draft.title in published
    assert "审核：studio" in published  # who signed off the text that is out
    assert "字幕待审" not in published
    post(client, staff, "save", {"base": 1, "cues": cues_json(c2="社保卡丢了要先挂失。")})
    assert "字幕待审" in client.get("/review/").get_data(as_text=True)  # published, edit not approved
    assert re.search(r'<time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00">', page)


def test_the_page_documents_the_keys_and_the_state_marks_suggests_and_rewrites(client, staff):
    page = client.get(f"/review/{SLUG}").get_data(as_text=True)
    assert "键盘操作" in page and "Alt</kbd>+<kbd>Enter" in page and "输入法" in page
    assert 'src="/review/media/ep/clip.mp4"' in page
    state = client.get(f"/review/{SLUG}/state").get_json()
    assert state["revision"]["number"] == 1 and state["stage"] == "已发布"
    analysis = state["analysis"]
    assert analysis[2]["marks"] == [{"start": 7, "end": 9, "probability": 0.32}]  # 挂史
    assert analysis[1]["suggestions"][0]["before"] == "政务服务中新"
    assert analysis[1]["suggestions"][0]["after"] == "政务服务中心"
    replaced = [part for part in analysis[2]["plain"] if part["before"]]
    assert replaced == [{"text": "社会保障卡", "before": "社保卡", "term": "社保卡"}]
    assert state["analysis"][0]["violations"] == []


def test_a_save_makes_a_revision_and_a_stale_save_is_refused_with_who_and_when(client, staff, session, episode):
    fixed = cues_json(c2="社保卡丢了要先挂失。")
    saved = post(client, staff, "save", {"base": 1, "cues": fixed})
    assert saved.status_code == 200, saved.get_data(as_text=True)
    assert saved.get_json()["revision"]["number"] == 2
    assert saved.get_json()["stage"] == "已发布"
    stale = post(client, staff, "save", {"base": 1, "cues": cues_json(c0="别人的修改")})
    assert stale.status_code == 409
    body = stale.get_json()
    assert "第 2 版已由 wang 于" in body["error"] and "您的修改没有保存" in body["error"]
    assert body["theirs"]["number"] == 2 and body["theirs"]["when"]["iso"].endswith("+08:00")
    log = review_log(session, episode.id)
    assert log.current.number == 2 and log.current.cues[2].text == "社保卡丢了要先挂失。"
    # the public transcript keeps the approved text until the edit is approved
    assert public_texts(session, episode.id)[2][0] == "社保卡丢了要先挂史。"


@pytest.mark.parametrize("cues, message", [
    ([{"start_ms": 0, "end_ms": 2000, "text": "一"}, {"start_ms": 1500, "end_ms": 3000, "text": "二"}],
     "第 2 句的开始时间早于上一句的结束时间"),
    ([{"start_ms": -100, "end_ms": 2000, "text": "一"}], "第 1 句的时间不对"),
    ([{"start_ms": 2000, "end_ms": 1000, "text": "一"}], "第 1 句的时间不对"),
    ([{"start_ms": 0, "end_ms": 2000, "text": "长" * 10_000}], "第 1 句太长"),
    ([{"start_ms": 0, "end_ms": 2000, "text": "长" * 300}], "第 1 句太长"),
    ([{"start_ms": "0", "end_ms": 2000, "text": "一"}], "不是整数毫秒"),
    ([{"start_ms": 0, "end_ms": 2000}], "缺少时间或文字"),
    ([{"start_ms": 0, "end_ms": 2**40, "text": "一"}], "不是整数毫秒"),
    (["一"], "格式不对"),
    ([], "至少要有一句"),
    ("一", "至少要有一句"),
])
def test_bad_cues_get_a_clear_message_and_change_nothing(client, staff, session, episode, cues, message):
    saved = post(client, staff, "save", {"base": 1, "cues": cues})
    assert saved.status_code == 400 and message in saved.get_json()["error"]
    checked = post(client, staff, "check", {"cues": cues}).get_json()  # the live check warns at once
    assert message in checked.get("error", checked.get("blocking"))
    assert review_log(session, episode.id).current.number == 1


def test_broken_requests_are_400s_never_500s(client, staff):
    headers = {"X-CSRFToken": staff}
    assert client.post(f"/review/{SLUG}/save", data="{not json", headers=headers,
                       content_type="application/json").status_code == 400
    assert post(client, staff, "save", {"cues": cues_json()}).status_code == 400  # no base
    assert post(client, staff, "save", {"base": True, "cues": cues_json()}).status_code == 400
    assert post(client, staff, "save", {"base": 1, "cues": cues_json(), "private": "x"}).status_code == 400
    assert post(client, staff, "save", {"base": 1, "cues": cues_json(),
                                        "private": [{"start_ms": 5, "end_ms": 1}]}).status_code == 400
    assert post(client, staff, "save", {"base": 1, "cues": cues_json(), "keep": []}).status_code == 400
    assert post(client, staff, "approve", {}).status_code == 400
    assert post(client, staff, "publish", {"action": "explode"}).status_code == 400
    assert post(client, staff, "revert", {"base": 1, "to": 99}).status_code == 400
    assert client.get(f"/review/{SLUG}/revisions/99").status_code == 404
    # no CSRF token: refused before anything is read
    assert client.post(f"/review/{SLUG}/save", json={"base": 1, "cues": cues_json()}).status_code == 400


def test_html_in_a_cue_is_saved_as_text_and_never_markup(client, staff, session, episode):
    hostile = "<script>alert(1)</script>{\\pos(1,2)}-->&"
    assert post(client, staff, "save", {"base": 1, "cues": cues_json(c0=hostile)}).status_code == 200
    assert post(client, staff, "approve", {"revision": 2}).status_code == 200
    state = client.get(f"/review/{SLUG}/state").get_json()
    assert state["cues"][0]["text"] == hostile  # JSON is text; the script uses textContent
    vtt = client.get(f"/e/{SLUG}/captions/verbatim.vtt").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;｛＼pos(1,2)｝--&gt;&amp;" in vtt
    page = client.get(f"/e/{SLUG}").get_data(as_text=True)
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page


def test_an_episode_deleted_meanwhile_is_a_clear_404(client, staff, session, episode):
    session.delete(session.get(Episode, episode.id))
    session.commit()
    for path in ("save", "check", "approve", "submit", "publish", "meta", "revert"):
        response = post(client, staff, path, {"base": 1, "revision": 1, "cues": cues_json()})
        assert response.status_code == 404 and "已不存在" in response.get_json()["error"], path
    assert client.get(f"/review/{SLUG}/state").status_code == 404
    assert client.get(f"/review/{SLUG}").status_code == 404


def test_approval_makes_the_text_public_and_queues_the_rederivation(client, staff, session, episode):
    fixed = cues_json(c1="办理营业执照可以到政务服务中心。", c2="社保卡丢了要先挂失。")
    post(client, staff, "save", {"base": 1, "cues": fixed, "keep": {"1": [True]}})
    post(client, staff, "save", {"base": 2, "cues": cues_json(c0="又改了")})
    stale = post(client, staff, "approve", {"revision": 2})
    assert stale.status_code == 409 and "第 3 版已由 wang" in stale.get_json()["error"]
    post(client, staff, "revert", {"base": 3, "to": 2})
    approved = post(client, staff, "approve", {"revision": 4})
    assert approved.status_code == 200, approved.get_json()
    body = approved.get_json()
    assert (body["stage"], body["review"]) == ("已发布", "已审核") and body["by"] == "wang" and body["at"]["iso"].endswith("+08:00")
    assert body["job"]["label"] == "新视频排队等待生成"
    texts = public_texts(session, episode.id)
    assert texts[1] == ("办理营业执照可以到政务服务中心。", "办理营业执照可以到政务服务中心。")  # kept
    assert texts[2] == ("社保卡丢了要先挂失。", "社会保障卡丢了要先挂失。")
    job = session.scalar(select(Job).where(Job.kind == "episode.rederive"))
    assert (job.target, job.key, job.params) == (SLUG, f"episode.rederive:{SLUG}:4", {"revision": 4})
    session.execute(Job.__table__.update().values(state="running", progress=0.37))
    session.commit()
    session.expire_all()  # the fixture's session is the request's: forget the job row it holds
    assert client.get(f"/review/{SLUG}/job").get_json()["job"]["label"] == "新视频生成中 37%"
    vtt = client.get(f"/e/{SLUG}/captions/plain.vtt").get_data(as_text=True)
    assert "社会保障卡丢了要先挂失。" in vtt and "政务服务中心" in vtt


def test_history_shows_each_revision_and_its_diff(client, staff):
    post(client, staff, "save", {"base": 1, "cues": cues_json(c2="社保卡丢了要先挂失。")})
    history = client.get(f"/review/{SLUG}/state").get_json()["history"]
    assert [(h["number"], h["author"], h["source"]) for h in history] == [(2, "wang", "browser"),
                                                                         (1, "studio", "machine")]
    changes = client.get(f"/review/{SLUG}/revisions/2").get_json()["changes"]
    assert changes == [{"kind": "changed", "before": cues_json()[2],
                        "after": {**cues_json()[2], "text": "社保卡丢了要先挂失。"}}]


def test_a_private_span_leaves_the_text_and_is_saved_with_the_revision(client, staff, session, episode):
    cues = cues_json(c0="大家好，欢迎收看。")
    span = {"start_ms": 1500, "end_ms": 2600, "note": "来电者姓名"}
    assert post(client, staff, "save", {"base": 1, "cues": cues, "private": [span]}).status_code == 200
    current = review_log(session, episode.id).current
    assert [vars(p) for p in current.private] == [span] and "武陵" not in current.text


def test_publishing_from_the_page_obeys_the_approval_gate(client, staff, session, episode):
    assert post(client, staff, "publish", {"action": "unpublish"}).get_json()["status"] == "draft"
    post(client, staff, "save", {"base": 1, "cues": cues_json(c2="社保卡丢了要先挂失。")})
    refused = post(client, staff, "publish", {"action": "now"})
    assert refused.status_code == 409 and "还没有审核通过" in refused.get_json()["error"]
    assert post(client, staff, "publish", {"action": "schedule", "at": "2099-01-01T10:00"}).status_code == 409
    assert post(client, staff, "submit", {}).get_json()["stage"] == "待审"
    post(client, staff, "approve", {"revision": 2})
    past = post(client, staff, "publish", {"action": "schedule", "at": "2001-01-01T10:00"})
    assert past.status_code == 409 and "已经过去" in past.get_json()["error"]
    assert "格式不对" in post(client, staff, "publish", {"action": "schedule", "at": "下周"}).get_json()["error"]
    scheduled = post(client, staff, "publish", {"action": "schedule", "at": "2099-01-01T10:00"}).get_json()
    assert scheduled["stage"] == "已排期" and scheduled["publish_at"]["iso"] == "2099-01-01T10:00:00+08:00"
    assert post(client, staff, "publish", {"action": "now"}).get_json()["stage"] == "已发布"
    assert post(client, staff, "publish", {"action": "archive"}).get_json()["stage"] == "已下线"
    assert "已经下线" in post(client, staff, "publish", {"action": "archive"}).get_json()["error"]


def test_the_gate_can_be_turned_off(app, client, staff):
    app.config["REVIEW_REQUIRED"] = "false"
    post(client, staff, "save", {"base": 1, "cues": cues_json(c2="社保卡丢了要先挂失。")})
    post(client, staff, "publish", {"action": "unpublish"})
    assert post(client, staff, "publish", {"action": "now"}).status_code == 200


def test_metadata_is_edited_with_guests_a_line_each(client, staff, session, episode):
    body = {"title": "社保卡<b>挂失</b>", "summary": "简介", "category": "人社",
            "guests": "王芳：区人社局\n李明\n"}
    assert post(client, staff, "meta", body).status_code == 200
    session.expire_all()
    stored = session.get(Episode, episode.id)
    assert stored.title == "社保卡<b>挂失</b>" and stored.service_category == "人社"
    assert [(g.name, g.department) for g in stored.guests] == [("王芳", "区人社局"), ("李明", "")]
    assert "社保卡&lt;b&gt;挂失" in client.get(f"/review/{SLUG}").get_data(as_text=True)
    assert "标题不能为空" in post(client, staff, "meta", {**body, "title": " "}).get_json()["error"]
    assert "内容太长" in post(client, staff, "meta", {**body, "summary": "长" * 6000}).get_json()["error"]
    assert post(client, staff, "meta", {**body, "guests": ["x"]}).status_code == 400


def test_staff_get_unpublished_media_and_the_public_does_not(client, session, episode, staff):
    post(client, staff, "publish", {"action": "unpublish"})
    assert client.get("/review/media/ep/clip.mp4").status_code == 200
    assert client.get("/review/media/ep/nothing.mp4").status_code == 404
    assert client.get("/media/ep/clip.mp4").status_code == 404  # the public route: published only
    preview = client.get(f"/e/{SLUG}").get_data(as_text=True)  # the staff preview plays it
    assert 'src="/review/media/ep/clip.mp4"' in preview and 'poster="/review/media/ep/poster.jpg"' in preview
    client.post("/auth/logout", data={"csrf_token": staff})
    assert client.get("/review/media/ep/clip.mp4").status_code == 302


def test_keeping_the_official_wording_is_per_place(app):
    with app.app_context():
        cue = Cue(0, 4000, ("社保卡和社保卡",))
        choices = plain_choices([cue], {"0": [False, True]}, assistant())
        assert choices == (("社保卡和社保卡", "社会保障卡和社保卡"),)
        analysis = analyse([cue], choices, assistant(), [])
        assert analysis[0]["kept"] == [False, True]  # read back from the stored wording



def test_two_browsers_saving_at_once_get_one_revision_and_one_409(app, session, episode):
    import threading

    add_account(session, "wang")
    add_account(session, "li")
    clients = {name: app.test_client() for name in ("wang", "li")}
    tokens = {}
    for name, browser in clients.items():
        log_in(browser, name)
        tokens[name] = csrf_of(browser)
    barrier, results = threading.Barrier(2), {}

    def save(name):  # each thread its own app context and catalog session, as two requests
        barrier.wait()
        response = clients[name].post(f"/review/{SLUG}/save", headers={"X-CSRFToken": tokens[name]},
                                      json={"base": 1, "cues": cues_json(c0=f"{name}的修改")})
        results[name] = response.status_code

    threads = [threading.Thread(target=save, args=(name,)) for name in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results.values()) == [200, 409]
    session.expire_all()
    log = review_log(session, episode.id)
    winner = next(name for name, status in results.items() if status == 200)
    assert log.current.number == 2 and log.current.cues[0].text == f"{winner}的修改"


def test_a_long_episode_saves_although_its_cues_exceed_the_form_limit(client, staff):
    cues = [{"start_ms": i * 3000, "end_ms": i * 3000 + 2800, "text": "政务服务" * 10} for i in range(2000)]
    response = post(client, staff, "save", {"base": 1, "cues": cues})
    assert response.request.content_length > 256 * 1024 and response.status_code == 200


@pytest.mark.parametrize("path", [f"/review/{SLUG}/save", f"/review/{SLUG}/check", "/review/corrections/"])
def test_deeply_nested_json_is_refused_with_a_message_never_a_500(client, staff, path):
    response = client.post(path, data="[" * 1200, content_type="application/json",
                           headers={"X-CSRFToken": staff})
    assert 400 <= response.status_code < 500 and response.is_json


def test_public_caption_tracks_lay_out_lines_within_the_profile(client, staff, session, episode):
    """The catalog keeps a cue's text without line breaks; the player's tracks break it
    again so no line is wider than the profile (QA found 30-character lines)."""
    from subtitles.check import check
    from subtitles.io import loads
    from subtitles.profiles import get_profile

    long_cue = "社保卡丢了可以先在网上挂失，再到社区便民服务中心补办"
    assert post(client, staff, "save", {"base": 1, "cues": cues_json(c0=long_cue)}).status_code == 200
    assert post(client, staff, "approve", {"revision": 2}).status_code == 200
    for variant in ("verbatim", "plain"):
        vtt = client.get(f"/e/{SLUG}/captions/{variant}.vtt").get_data(as_text=True)
        cues = loads(vtt, "vtt")
        assert len(cues[0].lines) == 2, vtt
        wide = [p for p in check(cues, get_profile("broadcast-zh")) if "wide" in str(p)]
        assert wide == [], wide
