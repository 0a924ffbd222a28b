"""`studio subtitles check|fix` through click's runner: exit codes, output, bad input."""
from __future__ import annotations

import pytest

from studio.cli import cli
from subtitles.check import check
from subtitles.cue import Cue
from subtitles.errors import ExitCode
from subtitles.io import dumps, load
from subtitles.profiles import get_profile

BROADCAST = get_profile("broadcast-zh")
GOOD = [Cue(1000, 3000, ("如果材料暂时不齐全",)), Cue(3080, 5000, ("窗口可以先容缺受理",))]
BAD = [Cue(0, 400, ("好的，",)), Cue(420, 3000, ("市场准入负面清单以外的行业，各类经营主体都可以依法平等进入。",))]


@pytest.fixture
def run(runner):
    """``run(*args)``: `studio subtitles ARGS` in the test's environment."""
    return lambda *args: runner.invoke(cli, ["subtitles", *map(str, args)])


def _write(path, cues, fmt="srt"):
    path.write_text(dumps(cues, fmt), encoding="utf-8")
    return path


def test_check_passes_a_good_file(run, tmp_path):
    result = run("check", _write(tmp_path / "good.srt", GOOD))
    assert result.exit_code == ExitCode.OK
    assert result.stdout.strip().endswith("2 cue(s), 0 violation(s) of broadcast-zh; read as utf-8")


def test_check_lists_every_violation_and_exits_4(run, tmp_path):
    path = _write(tmp_path / "bad.srt", BAD)
    result = run("check", path)
    assert result.exit_code == ExitCode.CHECK_FAILED == 4
    lines = result.stdout.splitlines()
    assert f"{path}: cue 1 at 00:00:00,000: min-duration: shows for 400 ms; the minimum is 833 ms" in lines
    assert any(": cue 2 at 00:00:00,420: line-width:" in line for line in lines)
    assert lines[-1].endswith(f"2 cue(s), {len(check(BAD, BROADCAST))} violation(s) of broadcast-zh; "
                              "read as utf-8")


def test_profile_comes_from_the_option_or_the_setting(run, environ, tmp_path):
    path = _write(tmp_path / "wide.srt", [Cue(0, 3000, ("市场准入负面清单以外的行业",))])
    assert run("check", path).exit_code == 0
    assert run("check", path, "--profile", "vertical-zh").exit_code == 4
    environ["WULING_PROFILE"] = "vertical-zh"
    assert run("check", path).exit_code == 4


def test_fix_writes_name_fixed_ext_and_leaves_the_file_alone(run, tmp_path):
    path = _write(tmp_path / "bad.srt", BAD)
    before = path.read_bytes()
    result = run("fix", path)
    assert result.exit_code == 0, result.output
    target = tmp_path / "bad.fixed.srt"
    assert result.stdout.strip() == (f"{target}: 2 cue(s) in, 1 out; violations of broadcast-zh: "
                                     "4 before, 0 after; read as utf-8, written as utf-8")
    # The second cue first grew to its reading time (420 + 3112 ms); the merged cue keeps that end.
    assert load(target) == [Cue(0, 3532, ("好的 市场准入负面清单以外的行业", "各类经营主体都可以依法平等进入"))]
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.fixed.srt", "bad.srt"]


def test_fix_in_place_replaces_the_file(run, tmp_path):
    path = _write(tmp_path / "bad.srt", BAD)
    assert run("fix", path, "--in-place").exit_code == 0
    assert len(load(path)) == 1 and sorted(p.name for p in tmp_path.iterdir()) == ["bad.srt"]
    assert run("fix", path, "--in-place", "-o", tmp_path / "x.srt").exit_code == ExitCode.USAGE


def test_fix_writes_another_format_to_output(run, tmp_path):
    source = _write(tmp_path / "in.ass", BAD, "ass")
    before = source.read_text(encoding="utf-8")
    result = run("fix", source, "-o", tmp_path / "out" / "fixed.vtt")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "fixed.vtt").read_text(encoding="utf-8").startswith("WEBVTT")
    assert source.read_text(encoding="utf-8") == before


def test_fix_keeps_ass_as_ass(run, tmp_path):
    path = _write(tmp_path / "in.ass", BAD, "ass")
    assert run("fix", path).exit_code == 0
    assert (tmp_path / "in.fixed.ass").read_text(encoding="utf-8").startswith("[Script Info]")


def test_an_empty_srt_checks_clean(run, tmp_path):
    path = tmp_path / "silence.srt"
    path.write_bytes(b"")
    result = run("check", path)
    assert result.exit_code == 0 and "0 cue(s), 0 violation(s)" in result.stdout


@pytest.mark.parametrize("name, content, extra, problem", [
    ("missing.srt", None, (), "missing.srt: no such subtitle file"),
    ("garbage.srt", bytes(range(256)) * 4, (), "garbage.srt: binary data, not a subtitle file"),
    ("empty.vtt", b"", (), "empty.vtt: empty file; not a subtitle file"),
    ("good.srt", "GOOD", ("--profile", "cinema"), "unknown subtitle profile 'cinema'"),
])
@pytest.mark.parametrize("command", ["check", "fix"])
def test_bad_input_is_one_line_and_exit_3(run, tmp_path, command, name, content, extra, problem):
    path = tmp_path / name
    if content == "GOOD":
        _write(path, GOOD)
    elif content is not None:
        path.write_bytes(content)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    result = run(command, path, *extra)
    assert result.exit_code == ExitCode.BAD_INPUT == 3
    assert result.stderr.startswith("Error: ") and problem in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before  # nothing half-written


def test_fix_refuses_an_output_name_without_a_subtitle_extension(run, tmp_path):
    path = _write(tmp_path / "good.srt", GOOD)
    result = run("fix", path, "-o", tmp_path / "fixed.txt")
    assert result.exit_code == 3
    assert "fixed.txt: cannot tell the subtitle format from the file name" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.srt"]


ONE_CUE = "1\n00:00:01,000 --> 00:00:01,400\n{}\n\n"


@pytest.mark.parametrize("text, codec, named", [
    (ONE_CUE.format("好的"), "gbk", "gb18030 (detected)"),
    (ONE_CUE.format("𠀀䶮"), "gb18030", "gb18030 (detected)"),
    (ONE_CUE.format("一你好"), "utf-16-le", "utf-16-le"),
    (ONE_CUE.format("一你好"), "utf-16-be", "utf-16-be"),
    (ONE_CUE.format("你好"), "utf-8-sig", "utf-8 with BOM"),
    (ONE_CUE.format("你好"), "utf-8", "utf-8"),
])
def test_fix_writes_in_the_encoding_it_read(run, tmp_path, text, codec, named):
    path = tmp_path / "one.srt"
    path.write_bytes(text.encode(codec))
    check = run("check", path)
    assert check.exit_code == 4 and check.stdout.strip().endswith(f"read as {named}")
    result = run("fix", path)
    assert result.exit_code == 0, result.output
    written = named.replace(" (detected)", "")
    assert result.stdout.strip().endswith(f"read as {named}, written as {written}")
    fixed = (tmp_path / "one.fixed.srt").read_bytes().decode(codec)
    assert fixed == text.replace("01,400", "01,833")


def test_fix_writes_another_encoding_when_asked(run, tmp_path):
    path = tmp_path / "one.srt"
    path.write_bytes(ONE_CUE.format("好的").encode("gbk"))
    result = run("fix", path, "--encoding", "utf-8")
    assert result.exit_code == 0 and result.stdout.strip().endswith("written as utf-8")
    assert "好的" in (tmp_path / "one.fixed.srt").read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding, problem", [
    ("gbk", "'𠀀' cannot be written in gbk"),
    ("klingon", "unknown text encoding 'klingon'"),
])
def test_an_encoding_that_cannot_write_the_text_is_refused(run, tmp_path, encoding, problem):
    path = tmp_path / "one.srt"
    path.write_bytes(ONE_CUE.format("𠀀").encode("utf-8"))
    result = run("fix", path, "--encoding", encoding)
    assert result.exit_code == 3 and f"one.fixed.srt: {problem}" in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.srt"]


def test_fix_keeps_every_character_of_latin_text(run, tmp_path):
    path = tmp_path / "song.srt"
    path.write_text("1\n00:00:01,000 --> 00:00:05,000\nYeah!\nbabibabi...\nOh, yeah.\n\n", encoding="utf-8")
    assert run("fix", path).exit_code == 0
    # Commas and single full stops become spaces (Chinese-TV style); "..." is an ellipsis.
    assert load(tmp_path / "song.fixed.srt")[0].lines == ("Yeah! babibabi... Oh yeah",)


TAGGED_SRT = ("1\n00:00:01,000 --> 00:00:01,300\n{\\an8}顶部说明\n\n"
              "2\n00:00:01,000 --> 00:00:01,300\n<i>好的</i>\n\n"
              "3\n00:00:01,500 --> 00:00:03,000\n<font color=\"#ffff00\">请问</font>怎么办理\n\n")


def test_fix_writes_srt_tags_back_as_they_were(run, tmp_path):
    """{\\an8} makes a sign (left alone); <i> and <font> lines are only retimed."""
    path = tmp_path / "tagged.srt"
    path.write_text(TAGGED_SRT, encoding="utf-8")
    result = run("fix", path)
    assert result.exit_code == 0 and "2 cue(s) in, 2 out" in result.stdout
    assert (tmp_path / "tagged.fixed.srt").read_text(encoding="utf-8") == \
        TAGGED_SRT.replace("01,300\n<i>", "01,420\n<i>")
    assert run("fix", path, "-o", tmp_path / "tagged.ass").exit_code == 0
    assert "{\\i1}好的{\\i0}" in (tmp_path / "tagged.ass").read_text(encoding="utf-8")
