"""`studio subtitles fix|check` on an ASS file as offices and fansubbers really write them.

``fixtures/styled_bilingual.ass`` has five styles (a Japanese and a Chinese dialogue
style, a top note, signs), override tags, two layered signs with ``\\pos``, a sign
with ``\\move``, Comment lines and dialogue with inline tags.
"""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pysubs2
import pytest

from studio.cli import cli
from subtitles.check import check_file
from subtitles.events import dialogue_tracks, is_dialogue
from subtitles.fix import MAX_EARLY_MS, fix_file
from subtitles.profiles import get_profile
from tests.support import FIXTURES

STYLED = FIXTURES / "styled_bilingual.ass"
BROADCAST = get_profile("broadcast-zh")


@pytest.fixture
def fix(runner):
    """``fix(path, *args)``: `studio subtitles fix`, which must succeed."""
    def run(path: Path, *args: str):
        result = runner.invoke(cli, ["subtitles", "fix", str(path), *args])
        assert result.exit_code == 0, result.output
        return result
    return run


@pytest.fixture
def fixed(fix, tmp_path):
    """(what was read, what fix wrote) for a copy of the styled file."""
    source = tmp_path / "ep42.ass"
    shutil.copy(STYLED, source)
    fix(source)
    return pysubs2.load(str(source)), pysubs2.load(str(tmp_path / "ep42.fixed.ass"))


def _others(subs):
    """The comments, signs (a sign style, or \\move in the bottom Default style) and top
    notes, as written."""
    return [(e.type, e.layer, e.start, e.end, e.style, e.text) for e in subs.events
            if e.is_comment or e.style in ("Sign", "Note-Top") or "\\move(" in e.text]


def _words(text: str) -> str:
    return "".join(char for char in pysubs2.SSAEvent(text=text).plaintext if char.isalnum())


def test_styles_info_signs_and_comments_are_kept(fixed):
    source, out = fixed
    assert out.styles == source.styles and list(out.styles) == list(source.styles)
    assert out.info == source.info and out.aegisub_project == source.aegisub_project
    assert _others(out) == _others(source)
    assert [e.type for e in out.events].count("Comment") == 2
    assert [(e.layer, e.text) for e in out.events if "\\pos(" in e.text] == \
        [(10, source.events[1].text), (9, source.events[2].text)]


def test_override_tags_and_layers_are_kept(fixed):
    source, out = fixed
    tags = re.compile(r"{[^}]*}")
    assert sorted(tags.findall(out.to_string("ass"))) == sorted(tags.findall(source.to_string("ass")))
    assert {(e.style, e.layer) for e in out.events} == {(e.style, e.layer) for e in source.events}
    assert "{\\i1}窗口{\\i0}在二楼东侧" in [e.text for e in out.events]


def test_no_text_moves_and_styles_never_merge(fixed):
    """Each fixed line shows text of its own track, from no later than that text was shown."""
    source, out = fixed
    tracks = dialogue_tracks(source)
    for event in (e for e in out.events if is_dialogue(e, out.styles)):
        words = _words(event.text)
        track = tracks[event.style, event.layer]
        split_from = [cue for cue in track if words in _words(cue.text)]
        merged_from = [cue for cue in track if _words(cue.text) in words]
        assert split_from or merged_from, f"{event.text} is not the text of any {event.style} line"
        assert all(event.start >= cue.start_ms for cue in split_from)
        assert all(event.start <= cue.start_ms <= event.start + MAX_EARLY_MS for cue in merged_from)
    japanese = "".join(e.text for e in out.events if e.style == "Dial-JP")
    chinese = "".join(e.text for e in out.events if e.style == "Dial-CN")
    assert "申し込み" in japanese and not re.search("[请窗谢]", japanese)
    assert not re.search("[\u3040-\u30ff]", chinese)  # no kana in the Chinese track


def test_fix_twice_changes_nothing_and_after_is_what_check_reports(fix, runner, tmp_path):
    source = tmp_path / "ep42.ass"
    shutil.copy(STYLED, source)
    first = fix(source).stdout
    once = tmp_path / "ep42.fixed.ass"
    second = fix(once).stdout
    assert (tmp_path / "ep42.fixed.fixed.ass").read_bytes() == once.read_bytes()
    after = int(re.search(r"(\d+) after", first).group(1))
    assert re.search(r"violations of broadcast-zh: (\d+) before, \1 after", second)
    check = runner.invoke(cli, ["subtitles", "check", str(once)])
    assert f", {after} violation(s) of broadcast-zh" in check.stdout
    assert "at 00:00:12,700: min-duration" not in check.stdout  # ありがとう: 840 ms, not 830
    assert after == len(check_file(pysubs2.load(str(once)), BROADCAST)) > 0


def test_ass_is_fixed_on_its_centisecond_grid(fix, tmp_path):
    """833 ms would be stored as 830 and fail the minimum duration again: fix rounds up."""
    subs = pysubs2.SSAFile()
    subs.append(pysubs2.SSAEvent(start=1000, end=1300, text="好的"))
    path = tmp_path / "short.ass"
    path.write_text(subs.to_string("ass"), encoding="utf-8")
    result = fix(path)
    assert "1 before, 0 after" in result.stdout
    assert pysubs2.load(str(tmp_path / "short.fixed.ass")).events[0].end == 1840
    assert fix_file(subs, BROADCAST, grid_ms=1).events[0].end == 1833  # SRT keeps milliseconds


@pytest.mark.parametrize("style, text, dialogue", [
    ("Dial-CN", "好的", True),
    ("Dial-CN", "{\\i1}好的{\\i0}", True),
    ("Dial-CN", "{\\fad(150,150)\\c&HC8C8FF&\\alpha&H00&}好的", True),
    ("Dial-CN", "{\\an2}好的", True),
    ("Dial-CN", "{\\an8}好的", False),
    ("Dial-CN", "{\\a6}好的", False),
    ("Dial-CN", "{\\pos(960,300)}好的", False),
    ("Dial-CN", "{\\move(1,2,3,4)}好的", False),
    ("Dial-CN", "{\\frz12}好的", False),
    ("Dial-CN", "{\\kf20}好{\\kf30}的", False),
    ("Dial-CN", "{\\p1}m 0 0 l 10 0 10 10{\\p0}", False),
    ("Dial-CN", "{\\clip(0,0,10,10)}好的", False),
    ("Note-Top", "注意", False),
    ("Note-Top", "{\\an2}注意", True),
    ("Sign", "大厅", False),
    ("Missing", "好的", True),  # players fall back to Default, which is bottom-centred
])
def test_what_counts_as_dialogue(style, text, dialogue):
    styles = pysubs2.load(str(STYLED)).styles
    assert is_dialogue(pysubs2.SSAEvent(style=style, text=text), styles) is dialogue


def test_comments_and_effects_are_not_dialogue():
    styles = pysubs2.load(str(STYLED)).styles
    assert not is_dialogue(pysubs2.SSAEvent(style="Dial-CN", text="好", type="Comment"), styles)
    assert not is_dialogue(pysubs2.SSAEvent(style="Dial-CN", text="好", effect="Banner;30"), styles)
