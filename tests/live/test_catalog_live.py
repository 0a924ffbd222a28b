"""`studio live`, `studio episodes list`, `publish --live` and `studio episodes archive`
(`studio schedule run` as a real process: tests/studio/test_scheduler_serve.py)."""
from __future__ import annotations

import re

import pytest

import web
from studio.cli import cli
from tests.catalog_fixtures import make_workdir

pytestmark = pytest.mark.usefixtures("instance")  # every command finds a migrated catalog


@pytest.fixture
def run(runner):
    """``run(*args)``: a `studio` command in the test's environment."""
    return lambda *args: runner.invoke(cli, list(args))


def test_live_broadcast_becomes_an_episode(run, tmp_path):
    added = run("live", "add", "--at", "2099-12-03 10:00", "--topic", "医保异地就医备案",
                "--guest", "王芳:区医保局", "--stream-url", "https://live.example.gov.cn/1")
    assert added.output.startswith("added live broadcast 1 for 2099-12-03 10:00 Asia/Shanghai\n"
                                   "stream key: ")
    assert run("live", "list").output == \
        "1\t2099-12-03 10:00 Asia/Shanghai\t医保异地就医备案\t王芳（区医保局）\t-\n"
    work = make_workdir(tmp_path / "w", "yibao-beian", seconds=5)
    assert run("publish", str(work), "--live", "1").exit_code == 0
    assert run("live", "list").output.endswith("\t#1\n")
    listed = run("episodes", "list", "--status", "published").output.split("\t")
    assert listed[:4] == ["1", "published", "episode", "yibao-beian"]


def test_full_width_colons_from_chinese_keyboards_are_accepted(run):
    added = run("live", "add", "--at", "２０９９-12-03　10：00", "--topic", "法律援助",
                "--guest", "王芳：区司法局（法律援助中心）", "--guest", "李明:区医保局")
    assert added.output.startswith("added live broadcast 1 for 2099-12-03 10:00 Asia/Shanghai\n"
                                   "stream key: "), added.output
    assert run("live", "list").output == ("1\t2099-12-03 10:00 Asia/Shanghai\t法律援助\t"
                                          "王芳（区司法局（法律援助中心））、李明（区医保局）\t-\n")
    no_colon = run("live", "add", "--at", "2099-12-03 10:00", "--topic", "x", "--guest", "王芳")
    assert no_colon.exit_code == 2 and "expected 姓名:部门" in no_colon.output


def test_live_bad_inputs_change_nothing(run, tmp_path):
    bad_url = run("live", "add", "--at", "2099-12-03 10:00", "--topic", "x", "--stream-url", "ftp://x")
    assert bad_url.exit_code == 3 and bad_url.stderr == "Error: ftp://x: must be an http(s) address\n"
    bad_time = run("live", "add", "--at", "明天上午", "--topic", "x")
    assert bad_time.exit_code == 3 and "is not a time like 2026-12-01 19:30" in bad_time.stderr
    work = make_workdir(tmp_path / "w", "no-live", seconds=5)
    unknown = run("publish", str(work), "--live", "7")
    assert unknown.exit_code == 3
    assert unknown.stderr == "Error: --live 7: no such live broadcast in the catalog\n"
    assert run("live", "list", "--all").output == "" and run("episodes", "list").output == ""
    assert not list((tmp_path.parent / "media").rglob("*.mp3"))


def test_archive_takes_an_episode_off_the_feed_and_site(run, environ, tmp_path):
    work = make_workdir(tmp_path / "w", "old-news", seconds=5)
    assert run("publish", str(work)).exit_code == 0
    app = web.create_app({"TESTING": True}, environ=environ)
    client = app.test_client()
    assert b"old-news" in client.get("/feed/podcast.xml").data
    [audio] = re.findall(rb'enclosure url="[^"]*/media/([^"]+)"', client.get("/feed/podcast.xml").data)
    assert client.get(f"/media/{audio.decode()}").status_code == 200
    assert run("episodes", "archive", "old-news").output == "archived old-news\n"
    assert b"old-news" not in client.get("/feed/podcast.xml").data
    assert client.get(f"/media/{audio.decode()}").status_code == 404
    again = run("episodes", "archive", "old-news")
    assert again.exit_code == 3 and again.stderr == "Error: old-news: is already archived\n"
