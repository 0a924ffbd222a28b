"""Text staff type in the workspace (<b>, {\\pos(1,2)}, -->, &) is written as text in
every subtitle format, so no player reads it as markup, and WebVTT reads back as typed."""
from __future__ import annotations

import pysubs2
import pytest

from subtitles.cue import Cue
from subtitles.io import dumps, loads

TYPED = Cue(0, 1500, ("a <b>x</b> & --> {\\pos(1,2)}",))


def test_webvtt_escapes_markup_and_reads_it_back_as_typed_text():
    written = dumps([TYPED, Cue(2000, 3000, ("-->",))], "vtt")
    assert "a &lt;b&gt;x&lt;/b&gt; &amp; --&gt; ｛＼pos(1,2)｝" in written
    assert written.count("-->") == 2  # only the two timing lines
    assert [cue.text for cue in loads(written, "vtt")] == ["a <b>x</b> & --> ｛＼pos(1,2)｝", "-->"]


def test_srt_has_no_escapes_so_tag_brackets_become_full_width():
    written = dumps([TYPED], "srt")
    assert "a ＜b＞x＜/b＞ & --＞ ｛＼pos(1,2)｝" in written
    assert pysubs2.SSAFile.from_string(written, format_="srt")[0].text == "a ＜b＞x＜/b＞ & --＞ ｛＼pos(1,2)｝"


@pytest.mark.parametrize("fmt", ["srt", "vtt", "ass"])
def test_no_override_tag_survives_into_any_format(fmt):
    # pysubs2 turns SRT/VTT tags into ASS override tags on reading; none may appear
    assert "{" not in pysubs2.SSAFile.from_string(dumps([TYPED], fmt), format_=fmt)[0].text
