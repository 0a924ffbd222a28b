"""Bad input found in review: each is a one-line error or a clean page, never a traceback."""
from __future__ import annotations

import json

import pytest

from studio.cli import cli
from web import create_app


def test_broken_utf16_subtitle_file_is_a_one_line_error(runner, tmp_path):
    broken = tmp_path / "bad.srt"
    broken.write_bytes(b"\xff\xfea")
    result = runner.invoke(cli, ["subtitles", "check", str(broken)])
    assert result.exit_code == 3 and "not valid UTF-16 text" in result.output
    assert "Traceback" not in result.output


def test_unwritable_output_is_a_one_line_error(runner, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    result = runner.invoke(cli, ["glossary", "export", "-o", str(blocker / "sub" / "out.csv")])
    assert result.exit_code == 3, result.output
    assert "cannot write here" in result.output and str(blocker / "sub" / "out.csv") in result.output


def test_bad_numeric_setting_is_a_one_line_error(environ, runner, tmp_path):
    environ["WULING_BEAM_SIZE"] = "fast"
    result = runner.invoke(cli, ["run", str(tmp_path / "x.mp4"), "--work", str(tmp_path / "w")])
    assert result.exit_code == 3 and "setting beam_size must be a whole number" in result.output


def test_publish_refuses_episode_json_that_is_not_utf8_or_has_control_characters(runner, tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    (work / "episode.json").write_bytes("{\"title\": \"居住证\"}".encode("gbk"))
    result = runner.invoke(cli, ["publish", str(work)])
    assert result.exit_code == 3 and "UTF-8" in result.output, result.output
    meta = {"title": "居住证", "kind": "guide", "slug": "jzz", "summary": "粘贴\x0b来的"}
    (work / "episode.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
    result = runner.invoke(cli, ["publish", str(work)])
    assert result.exit_code == 3 and "control characters" in result.output, result.output


def test_absurd_search_page_is_not_a_server_error(environ, tmp_path):
    app = create_app({"TESTING": True, "DATABASE_URL": "",
                      "WTF_CSRF_ENABLED": False}, instance_path=str(tmp_path / "instance"), environ=environ)
    response = app.test_client().get("/search?q=社保卡&page=1000000000000000000")
    assert response.status_code == 200


ASS_HEADER = ("[Script Info]\nScriptType: v4.00+\n\n[V4+ Styles]\nFormat: Name, Fontname, Fontsize\n"
              "Style: Default,Noto Sans CJK SC,54\n\n[Events]\n"
              "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text\n")


@pytest.mark.parametrize("name, text, where", [
    ("minus.srt", "1\n00:00:01,000 --> 00:00:03,000\n第一句\n\n2\n-00:00:05,000 --> 00:00:07,000\n第二句\n",
     ":6: cue 2: negative time '-00:00:05,000'"),
    ("minus.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:03.000\n第一句\n\n00:00:04.000 --> -00:00:07.000\n第二句\n",
     ":6: cue 2: negative time '-00:00:07.000'"),
    ("minus.ass", ASS_HEADER + "Dialogue: 0,0:00:01.00,0:00:03.00,Default,,0,0,0,,第一句\n"
                               "Dialogue: 0,-0:00:05.00,0:00:07.00,Default,,0,0,0,,第二句\n",
     ": cue 2: negative time (-5000 ms)"),
])
def test_a_negative_subtitle_time_is_refused_naming_the_file_and_cue(runner, tmp_path, name, text, where):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(cli, ["subtitles", "check", str(path)])
    assert result.exit_code == 3, result.output
    assert result.output.startswith(f"Error: {path}{where}; times count from 00:00:00")
    assert len(result.output.strip().splitlines()) == 1
