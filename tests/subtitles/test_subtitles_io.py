"""SRT/WebVTT/ASS through pysubs2: round trips, real files, styles, and bad files."""
from __future__ import annotations

import codecs

import pytest

from subtitles.cue import Cue
from subtitles.errors import SubtitleError
from subtitles.io import AssStyle, Encoding, decode, dumps, format_of, load, loads, read_text
from subtitles.profiles import get_profile

# ASS keeps centiseconds, so the times are whole multiples of 10 ms.
CUES = [Cue(600, 4320, ("大家好 欢迎收看", "政务服务导办视频")),
        Cue(4400, 7010, ("《武陵政务直播间》今天聊什么？",)),
        Cue(3_723_000, 3_725_500, ("App 3.5版 a{b}",))]


@pytest.mark.parametrize("fmt", ["srt", "vtt", "ass"])
def test_round_trip_keeps_times_and_lines(fmt, tmp_path):
    back = loads(dumps(CUES, fmt), fmt)
    assert [(c.start_ms, c.end_ms) for c in back] == [(c.start_ms, c.end_ms) for c in CUES]
    assert [c.lines for c in back][:2] == [c.lines for c in CUES][:2]
    path = tmp_path / f"cues.{fmt}"
    path.write_text(dumps(CUES, fmt), encoding="utf-8")
    assert load(path) == back


def test_braces_cannot_turn_into_ass_override_tags():
    assert loads(dumps(CUES, "ass"), "ass")[2].lines == ("App 3.5版 a｛b｝",)


def test_loads_the_shared_ground_truth(shared_media):
    cues = load(shared_media / "talk_legal_aid.srt")
    assert len(cues) == 6 and cues[0].start_ms < cues[0].end_ms <= cues[1].start_ms
    assert all(cue.text and cue.text[-1] in "。？" for cue in cues)


def test_ass_override_tags_and_comments_are_dropped():
    text = dumps([Cue(0, 1000, ("x",))], "ass").replace(
        "Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,x",
        "Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,{\\an8}第一{\\i1}行\\N第二行\n"
        "Comment: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,备注")
    assert loads(text) == [Cue(0, 1000, ("第一行", "第二行"))]


@pytest.mark.parametrize("encode", [
    lambda text: codecs.BOM_UTF8 + text.encode("utf-8"),
    lambda text: text.encode("utf-16"),
])
def test_byte_order_marks_are_understood(tmp_path, encode):
    path = tmp_path / "bom.srt"
    path.write_bytes(encode(dumps(CUES, "srt")))
    assert load(path)[0].lines == CUES[0].lines


ONE_CUE = "1\n00:00:01,000 --> 00:00:02,500\n{}\n\n"


@pytest.mark.parametrize("text, written_as, expected", [
    # GBK is the commonest encoding in Chinese offices; GB18030 reads it byte for byte.
    (ONE_CUE.format("你好"), "gbk", Encoding("gb18030", detected=True)),
    (ONE_CUE.format("请看《民法典》第一条"), "gbk", Encoding("gb18030", detected=True)),
    (ONE_CUE.format("𠀀䶮"), "gb18030", Encoding("gb18030", detected=True)),  # not in GBK
    (ONE_CUE.format("一你好"), "utf-16-le", Encoding("utf-16-le")),  # 一 is U+4E00: a NUL low byte
    (ONE_CUE.format("一你好"), "utf-16-be", Encoding("utf-16-be")),
    (ONE_CUE.format("你好"), "utf-16", Encoding("utf-16-le", codecs.BOM_UTF16_LE)),
    (ONE_CUE.format("你好"), "utf-8-sig", Encoding("utf-8", codecs.BOM_UTF8)),
    (ONE_CUE.format("你好"), "utf-8", Encoding("utf-8")),
])
def test_the_encoding_is_found_and_round_trips(tmp_path, text, written_as, expected):
    path = tmp_path / "one.srt"
    path.write_bytes(text.encode(written_as))
    assert read_text(path) == (text, expected)
    assert expected.encode(text) == path.read_bytes()  # written back byte for byte
    assert load(path)[0].lines == (text.splitlines()[2],)


def test_a_big_endian_bom_is_kept():
    text, encoding = decode(codecs.BOM_UTF16_BE + ONE_CUE.format("你好").encode("utf-16-be"))
    assert encoding == Encoding("utf-16-be", codecs.BOM_UTF16_BE)


def test_the_encoding_is_named_for_people():
    assert str(decode("你好".encode("gbk") * 20)[1]) == "gb18030 (detected)"
    assert str(decode(codecs.BOM_UTF16_LE + "x".encode("utf-16-le"))[1]) == "utf-16-le with BOM"


def test_text_an_encoding_cannot_hold_is_a_one_line_error():
    with pytest.raises(SubtitleError, match="^out.srt: '𠀀' cannot be written in gbk; use --encoding"):
        Encoding("gbk").encode("好𠀀", "out.srt")
    with pytest.raises(SubtitleError, match="^out.srt: unknown text encoding 'klingon'"):
        Encoding("klingon").encode("好", "out.srt")


def test_an_empty_srt_is_a_valid_file_without_cues(tmp_path):
    (tmp_path / "silence.srt").write_text(dumps([], "srt"), encoding="utf-8")
    (tmp_path / "silence.vtt").write_text(dumps([], "vtt"), encoding="utf-8")
    assert load(tmp_path / "silence.srt") == [] and load(tmp_path / "silence.vtt") == []


def test_ass_style_sets_the_burn_in_look():
    text = dumps(CUES, "ass", AssStyle(width=1280, height=720))
    assert "PlayResX: 1280" in text and "PlayResY: 720" in text and "WrapStyle: 2" in text
    style = next(line for line in text.splitlines() if line.startswith("Style: Default"))
    fields = style.split(",")
    assert fields[1] == "Noto Sans CJK SC" and fields[2] == "36"  # 5 % of 720
    assert fields[3] == "&H00FFFFFF" and fields[18] == "2"  # white, bottom centre


def test_fitting_style_keeps_the_longest_line_inside_the_picture():
    profile = get_profile("vertical-zh")
    style = AssStyle.fitting(1080, 1920, profile)
    fontsize = style.ssa_style().fontsize
    assert fontsize * profile.max_line_width <= 1080 * (1 - 2 * style.margin_side)
    assert AssStyle.fitting(1920, 1080, get_profile("broadcast-zh")).size == 0.05


@pytest.mark.parametrize("name, fmt", [("a.srt", "srt"), ("b.VTT", "vtt"), ("c.ass", "ass"),
                                       ("d.ssa", "ass")])
def test_format_of_reads_the_extension(name, fmt):
    assert format_of(name) == fmt


@pytest.mark.parametrize("content, problem", [
    (None, "no such subtitle file"),
    (b"", "empty file"),
    (b"\x00\x01\x02garbage\xff", "binary data"),
    ("大家好".encode("gbk"), "not a subtitle file"),  # read as GB18030, then found no cues
    ("这只是一段普通文字，不是字幕。".encode(), "not a subtitle file"),
    (b"{1}{25}MicroDVD line", "cannot read microdvd subtitles"),
    (b"WEBVTT\n\n00:00:01.000 --> nonsense\n", None),
])
def test_bad_files_raise_one_line_errors_naming_the_file(tmp_path, content, problem):
    path = tmp_path / "bad.vtt"
    if content is not None:
        path.write_bytes(content)
    if problem is None:  # pysubs2 skips what it cannot parse: a header alone is a valid file
        assert load(path) == []
        return
    with pytest.raises(SubtitleError) as caught:
        load(path)
    message = str(caught.value)
    assert message.startswith(f"{path}: ") and problem in message and "\n" not in message


def test_a_folder_or_an_unknown_extension_is_refused(tmp_path):
    with pytest.raises(SubtitleError, match="is a folder"):
        load(tmp_path)
    with pytest.raises(SubtitleError, match="cannot tell the subtitle format"):
        format_of(tmp_path / "notes.txt")
    with pytest.raises(SubtitleError, match="cannot write 'txt'"):
        dumps(CUES, "txt")


def test_text_without_cues_is_refused(tmp_path):
    path = tmp_path / "notes.srt"
    path.write_text("1\nnot a time line\nhello\n", encoding="utf-8")
    with pytest.raises(SubtitleError, match="not a subtitle file"):
        load(path)
    with pytest.raises(SubtitleError, match="x.srt: no cues found; not an SRT file"):
        loads("hello there", "srt", "x.srt")
