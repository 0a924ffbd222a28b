"""`--script`: the script's words become the verbatim text (revision 1, source script),
timed from the recognised words; departures are reported and kept for the workspace; a
script that is empty, binary, not a Word file or not this recording's is a clear message."""
from __future__ import annotations

import json
from dataclasses import replace

import pytest

from studio.cli import cli
from studio.pipeline import run_stages
from studio.reviewed import load_log
from tests.review.review_pipeline_data import NO_MODEL, known_job
from tests.render_support import lavfi_clip

TEXT_ONLY = NO_MODEL[:3]  # ingest, verbatim, plain
SCRIPT = "主持人：欢迎来到区司法局。\n【画面：热线号码】\n主持人：法律援助热线是12348。\n打电话前请准备好身份证。\n"


def run_with_script(tmp_path, text: str):
    script = tmp_path / "script.txt"
    script.write_text(text, encoding="utf-8")
    job = known_job(tmp_path, script=str(script))
    results = run_stages(job, TEXT_ONLY)
    return job, next(r.note for r in results if r.name == "verbatim")


def test_the_scripts_words_become_revision_1_timed_from_the_speech(tmp_path):
    job, note = run_with_script(tmp_path, SCRIPT)
    first = load_log(job.work).revisions[0]
    assert (first.source, first.author) == ("script", "script (script.txt)")
    verbatim = job.work.subtitles("verbatim", "srt").read_text(encoding="utf-8")
    assert "区司法局" in verbatim and "12348" in verbatim
    assert "主持人" not in verbatim and "画面" not in verbatim
    assert "0 departures" in note
    assert json.loads(job.work.departures.read_text(encoding="utf-8"))["departures"] == []


def test_a_departure_from_the_script_is_reported_and_stored(tmp_path):
    job, note = run_with_script(tmp_path, SCRIPT.replace("打电话前请准备好身份证。", "请大家带好户口本和结婚证。"))
    assert "1 departures" in note and "departures.json" in note
    stored = json.loads(job.work.departures.read_text(encoding="utf-8"))["departures"]
    assert len(stored) == 1 and stored[0]["kind"] == "changed"
    assert "户口本" in stored[0]["script_text"] and "准备好" in stored[0]["heard_text"]


def test_a_rerun_without_the_script_keeps_the_scripts_text(tmp_path):
    job, _ = run_with_script(tmp_path, SCRIPT)
    job.text = replace(job.text, script="")
    note = next(r.note for r in run_stages(job, TEXT_ONLY) if r.name == "verbatim")
    assert "kept the reviewed text (revision 1)" in note
    assert "区司法局" in job.work.subtitles("verbatim", "srt").read_text(encoding="utf-8")
    assert [r.source for r in load_log(job.work).revisions] == ["script"]


@pytest.mark.parametrize("script", ["不动产登记需要带房产证和购房合同，到大厅三号窗口排队。\n",
                                    "Welcome to the legal aid hotline of the district.\n"])
def test_another_recordings_or_languages_script_keeps_the_machine_text_and_says_why(tmp_path, script):
    job, note = run_with_script(tmp_path, script)
    assert "script not used, the machine text is kept" in note and "script.txt" in note
    assert load_log(job.work).revisions[0].source == "machine"
    assert "趋司法局" in job.work.subtitles("verbatim", "srt").read_text(encoding="utf-8")


@pytest.mark.parametrize("name, content, problem", [
    ("empty.txt", b"", "no spoken Chinese text"),
    ("binary.txt", b"\x00\x01\x02PK", "binary, not text"),
    ("gbk.txt", "欢迎来到区司法局".encode("gbk"), "not UTF-8 text"),
    ("fake.docx", b"this is plain text, not a Word file", "not a Word .docx file"),
])
@pytest.mark.parametrize("command", ["run", "transcribe"])
def test_a_bad_script_is_one_line_before_any_work(runner, tmp_path, name, content, problem, command):
    clip = lavfi_clip(tmp_path / "clip.mp4")
    script = tmp_path / name
    script.write_bytes(content)
    args = [command, str(clip), "--script", str(script), "-q"]
    args += ["--work", str(tmp_path / "work")] if command == "run" else []
    result = runner.invoke(cli, args)
    assert result.exit_code != 0
    assert name in result.output and problem in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "work").exists() and not (tmp_path / "clip.srt").exists()
