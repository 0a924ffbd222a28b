"""Bad input found in review: each is a one-line error or a clean page, never a traceback."""
from __future__ import annotations

import json

from click.testing import CliRunner

from studio.cli import cli
from web import create_app


def test_broken_utf16_subtitle_file_is_a_one_line_error(tmp_path):
    broken = tmp_path / "bad.srt"
    broken.write_bytes(b"\xff\xfea")
    result = CliRunner().invoke(cli, ["subtitles", "check", str(broken)])
    assert result.exit_code == 3 and "not valid UTF-16 text" in result.output
    assert "Traceback" not in result.output


def test_unwritable_output_is_a_one_line_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = CliRunner().invoke(cli, ["glossary", "export", "-o", str(blocker / "sub" / "out.csv")])
    assert result.exit_code == 3, result.output
    assert "cannot write here" in result.output and str(blocker / "sub" / "out.csv") in result.output


def test_bad_numeric_setting_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("WULING_BEAM_SIZE", "fast")
    result = CliRunner().invoke(cli, ["run", str(tmp_path / "x.mp4"), "--work", str(tmp_path / "w")])
    assert result.exit_code == 3 and "setting beam_size must be a whole number" in result.output


def test_publish_refuses_episode_json_that_is_not_utf8_or_has_control_characters(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "episode.json").write_bytes("{\"title\": \"居住证\"}".encode("gbk"))
    result = CliRunner().invoke(cli, ["publish", str(work)])
    assert result.exit_code == 3 and "UTF-8" in result.output, result.output
    meta = {"title": "居住证", "kind": "guide", "slug": "jzz", "summary": "粘贴\x0b来的"}
    (work / "episode.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(cli, ["publish", str(work)])
    assert result.exit_code == 3 and "control characters" in result.output, result.output


def test_absurd_search_page_is_not_a_server_error(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t", "DATABASE_URL": "",
                      "WTF_CSRF_ENABLED": False}, instance_path=str(tmp_path / "instance"))
    response = app.test_client().get("/search?q=社保卡&page=1000000000000000000")
    assert response.status_code == 200
