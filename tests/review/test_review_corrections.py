"""Corrections teach the glossary from the workspace (issue 12 item 5, web side): a saved
fix of a misheard term is learned with who and when, staff teach one by hand
(以后自动改), see the list and undo; bad input and an unwritable file never lose the edit."""
from __future__ import annotations

import pytest

from glossary import learned
from tests.logins import add_account, log_in
from tests.review_data import MACHINE, SLUG, add_review_episode, csrf_of

LIST = "/review/corrections/"


@pytest.fixture
def staff(app, client, session, media_root):
    add_review_episode(session, app, media_root)
    add_account(session, "wang")
    log_in(client, "wang")
    return csrf_of(client)


def cues(**changes):
    out = [{"start_ms": c.start_ms, "end_ms": c.end_ms, "text": c.text} for c in MACHINE]
    for index, text in changes.items():
        out[int(index[1:])]["text"] = text
    return out


def post(client, token, url, body):
    return client.post(url, json=body, headers={"X-CSRFToken": token})


def test_a_fix_of_a_misheard_term_is_learned_listed_and_undone(app, client, staff):
    saved = post(client, staff, f"/review/{SLUG}/save",
                 {"base": 1, "cues": cues(c1="办理营业执照可以到政务服务中心。", c2="社保卡丢了要先挂失。")})
    assert [(c["heard"], c["after"], c["by"]) for c in saved.get_json()["learned"]] == [
        ("政务服务中新", "政务服务中心", "wang")]  # 挂史 → 挂失 is no glossary term: not learned
    listed = client.get(LIST).get_json()["corrections"]
    assert listed[0]["reason"] == "审核时的更正" and listed[0]["at"]["iso"].endswith("+08:00")
    undone = post(client, staff, f"{LIST}{listed[0]['id']}/undo", {}).get_json()["correction"]
    assert undone["active"] is False and undone["undone_by"] == "wang"
    again = post(client, staff, f"{LIST}{listed[0]['id']}/undo", {})
    assert again.status_code == 409 and "已经撤销" in again.get_json()["error"]
    assert post(client, staff, f"{LIST}99/undo", {}).status_code == 404
    assert [c.active for c in learned.load(learned.path_in(app.instance_path))] == [False]


def test_staff_teach_a_recurring_correction_by_hand(app, client, staff):
    taught = post(client, staff, LIST, {"heard": "以往通办", "after": "一网通办"})
    assert taught.status_code == 200 and taught.get_json()["correction"]["reason"] == "以后自动改"
    found = learned.load(learned.path_in(app.instance_path))
    assert [(c.heard, c.after, c.reason, c.by) for c in found] == [("以往通办", "一网通办", "recurring", "wang")]


@pytest.mark.parametrize("body, message", [
    ({"heard": "趋", "after": "区"}, "听错的说法要 2 到"),
    ({"heard": "以往通办", "after": "以往通办"}, "两种说法相同"),
    ({"heard": "=cmd|x", "after": "一网通办"}, "公式"),
    ({"heard": "以往", "after": ""}, "正确的说法要 1 到"),
    ({"heard": 5, "after": "一网通办"}, "请填写"),
    ([], "请填写"),
])
def test_a_bad_correction_is_refused_in_chinese(client, staff, body, message):
    response = post(client, staff, LIST, body)
    assert response.status_code == 400 and message in response.get_json()["error"]


def test_an_unwritable_corrections_file_never_costs_the_edit(app, client, staff):
    learned.path_in(app.instance_path).mkdir()  # a folder where the file should be
    saved = post(client, staff, f"/review/{SLUG}/save",
                 {"base": 1, "cues": cues(c1="办理营业执照可以到政务服务中心。")})
    assert saved.status_code == 200 and saved.get_json()["revision"]["number"] == 2
    assert "没能记住" in saved.get_json()["warning"]
    assert client.get(LIST).status_code == 409


def test_the_corrections_are_for_staff_only(client, session, app, media_root):
    assert client.get(LIST).status_code == 302
    add_account(session, "judge1", "judge")
    log_in(client, "judge1")
    assert client.get(LIST).status_code == 403
