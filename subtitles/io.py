"""Read and write SRT, WebVTT and ASS through pysubs2. Times stay integer milliseconds.

Layered as pysubs2 is: :func:`read_text` (a path) reads the bytes and finds their
encoding, :func:`parse` (a string) gives pysubs2's :class:`~pysubs2.SSAFile` with
every style, tag and event as written, and :func:`load`/:func:`loads` give plain
cues; :func:`dumps` renders cues and :func:`render` a whole file as a string, and
:meth:`Encoding.encode` turns it back into bytes for the caller to write
(atomically, with ``studio.files``). Every failure is a :class:`SubtitleError`
naming the file and the problem.
"""
from __future__ import annotations

import codecs
import html
import re
import unicodedata
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Sequence

import charset_normalizer
import pysubs2
from pysubs2.exceptions import Pysubs2Error
from pysubs2.formats import autodetect_format

from subtitles.cue import Cue
from subtitles.errors import SubtitleError
from subtitles.files import read_file
from subtitles.events import cue_of
from subtitles.profiles import Profile

FORMATS = {".srt": "srt", ".vtt": "vtt", ".ass": "ass", ".ssa": "ass"}
_READABLE = {"srt", "vtt", "ass", "ssa"}
_HTML_FORMATS = {"srt", "vtt"}  # formatting as HTML tags, positions as ASS tags ({\an8})
_NEGATIVE_TIME = re.compile(r"-\s*(?:\d+:)?\d{1,2}:\d{1,2}[.,]\d+")  # the arrow's "->" never matches
#: Times a format can store: ASS keeps centiseconds, so 833 ms is written as 830.
TIME_GRID_MS = {"srt": 1, "vtt": 1, "ass": 10}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
# A short GBK text is as plausible in Big5 or Shift-JIS to a detector; in a Chinese
# office it is GB, so GB18030 wins a tie. GBK and GB2312 are read as GB18030, their
# superset, which encodes their characters with the same bytes.
_GB = {"gb2312", "gbk", "gb18030"}


@dataclass(frozen=True)
class Encoding:
    """How a file's text is stored: a Python codec, a byte-order mark, and whether the
    codec was guessed by the detector (legacy encodings carry no mark to be sure by).

    >>> Encoding("utf-16-le", codecs.BOM_UTF16_LE).encode("好", "x.srt")
    b'\\xff\\xfe}Y'
    """

    codec: str
    bom: bytes = b""
    detected: bool = False

    def __str__(self) -> str:
        return self.codec + (" with BOM" if self.bom else "") + (" (detected)" if self.detected else "")

    def encode(self, text: str, path: object = None) -> bytes:
        """``text`` in this encoding; a character it cannot hold is a one-line error."""
        try:
            return self.bom + text.encode(self.codec)
        except LookupError:
            raise SubtitleError(f"unknown text encoding {self.codec!r}; "
                                "try utf-8, utf-8-sig, gb18030 or utf-16", path) from None
        except UnicodeEncodeError as exc:
            raise SubtitleError(f"{exc.object[exc.start]!r} cannot be written in {self.codec}; "
                                "use --encoding utf-8 or gb18030", path) from None


@dataclass(frozen=True)
class AssStyle:
    """The look of burned-in subtitles; sizes are fractions of the picture.

    White "Noto Sans CJK SC" with a dark outline and soft shadow, bottom-centred
    inside the title-safe area. ``AssStyle(width=1080, height=1920, size=0.035)`` suits
    a 9:16 picture; :meth:`fitting` picks a size that fits a profile's line width.
    """

    width: int = 1920  # PlayResX
    height: int = 1080  # PlayResY
    font: str = "Noto Sans CJK SC"
    size: float = 0.05  # font size / height
    outline: float = 0.07  # outline thickness / font size
    margin_bottom: float = 0.06  # / height
    margin_side: float = 0.05  # / width

    @classmethod
    def fitting(cls, width: int, height: int, profile: Profile, size: float = 0.05) -> "AssStyle":
        """A style whose longest allowed line (plus one character of slack) fits the width."""
        usable = width * (1 - 2 * cls.margin_side)
        return cls(width=width, height=height,
                   size=min(size, usable / (profile.max_line_width + 1) / height))

    def ssa_style(self) -> pysubs2.SSAStyle:
        fontsize = round(self.size * self.height)
        return pysubs2.SSAStyle(
            fontname=self.font, fontsize=fontsize,
            primarycolor=pysubs2.Color(255, 255, 255, 0),
            outlinecolor=pysubs2.Color(20, 20, 20, 0), backcolor=pysubs2.Color(0, 0, 0, 128),
            outline=max(1.0, round(fontsize * self.outline, 1)), shadow=1.0,
            alignment=pysubs2.Alignment.BOTTOM_CENTER,
            marginl=round(self.margin_side * self.width), marginr=round(self.margin_side * self.width),
            marginv=round(self.margin_bottom * self.height))


def format_of(path: Path | str) -> str:
    """The format a file name asks for: ``format_of("a.vtt") == "vtt"``."""
    try:
        return FORMATS[Path(path).suffix.lower()]
    except KeyError:
        raise SubtitleError("cannot tell the subtitle format from the file name; "
                            "use .srt, .vtt or .ass", path) from None


def read_text(path: Path | str) -> tuple[str, Encoding]:
    """The text of the file at ``path`` and the encoding it was stored in.

    The one place subtitle bytes become text: see :func:`decode` for how.
    """
    path = Path(path)
    return decode(read_file(path, "subtitle file"), path)


def decode(data: bytes, path: object = None) -> tuple[str, Encoding]:
    """``data`` as text, and its encoding: a byte-order mark first, then UTF-16 without
    a mark (told by its NUL bytes), then strict UTF-8 (which legacy text almost never
    passes by chance), and only then charset-normalizer for GB18030, Big5 and the
    like, since a detector alone misreads the few bytes of a one-cue file.
    """
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), Encoding(codec, bom)
            except UnicodeDecodeError as exc:
                unicode = "UTF-8" if codec == "utf-8" else "UTF-16"
                raise SubtitleError(f"not valid {unicode} text ({exc.reason})", path) from None
    if b"\0" in data:  # no text but UTF-16 (or UTF-32) holds NUL bytes
        for codec in _utf16_byte_orders(data):
            text = _clean_decode(data, codec)
            if text is not None:
                return text, Encoding(codec)
        raise SubtitleError("binary data, not a subtitle file", path)
    try:
        return data.decode("utf-8"), Encoding("utf-8")
    except UnicodeDecodeError:
        return _detected(data, path)


def _utf16_byte_orders(data: bytes) -> list[str]:
    """UTF-16 byte orders ``data`` looks like: the digits, time codes and line ends of
    a subtitle file are ASCII, whose high byte is NUL. A CJK character's low byte may
    be NUL too (一 is U+4E00), so the other side need only have far fewer."""
    if len(data) < 2 or len(data) % 2:
        return []
    even, odd = data[0::2].count(0), data[1::2].count(0)
    half = len(data) // 2
    return [codec for codec, high, low in (("utf-16-le", odd, even), ("utf-16-be", even, odd))
            if high * 4 >= half and low * 4 <= high]


def _clean_decode(data: bytes, codec: str) -> str | None:
    """``data`` in ``codec`` if that gives text without control characters, else None."""
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return None
    controls = (char for char in text if char not in "\t\r\n")
    return None if any(unicodedata.category(char) in ("Cc", "Cs") for char in controls) else text


def _detected(data: bytes, path: object) -> tuple[str, Encoding]:
    matches = charset_normalizer.from_bytes(data)
    best = matches.best()
    if best is None:
        raise SubtitleError("not text in any encoding known (tried UTF-8, UTF-16, GB18030, "
                            "Big5 and others)", path)
    ties = [match for match in matches if (match.chaos, match.coherence) == (best.chaos, best.coherence)]
    codec = next((match.encoding for match in ties if match.encoding in _GB), best.encoding)
    codec = "gb18030" if codec in _GB else codec
    return data.decode(codec), Encoding(codec, detected=True)


def load(path: Path | str) -> list[Cue]:
    """Cues of the SRT, WebVTT or ASS file at ``path`` (format from its content)."""
    return _shown(read(path)[0])


def read(path: Path | str) -> tuple[pysubs2.SSAFile, Encoding]:
    """The whole file at ``path`` (every style, tag and event as written) and its encoding."""
    path = Path(path)
    text, encoding = read_text(path)
    # An empty SRT is valid: it is what a silent recording yields. SRT has no header.
    empty_srt = not text.strip() and path.suffix.lower() == ".srt"
    return parse(text, "srt" if empty_srt else None, path), encoding


def loads(text: str, fmt: str | None = None, path: object = None) -> list[Cue]:
    """Cues parsed from ``text`` in format ``fmt`` ("srt", "vtt", "ass"; None detects it).

    ``path`` only names the source in error messages. ASS override tags are dropped
    and ``\\N`` becomes a line break; comment events are skipped.
    """
    return _shown(parse(text, fmt, path))


def _shown(subs: pysubs2.SSAFile) -> list[Cue]:
    cues = [cue_of(event) for event in subs.events if not event.is_comment]
    if subs.format == "vtt":  # character references (&lt; &amp;) are text, read back as such
        cues = [replace(cue, lines=tuple(html.unescape(line) for line in cue.lines)) for cue in cues]
    return cues


def parse(text: str, fmt: str | None = None, path: object = None) -> pysubs2.SSAFile:
    """``text`` as pysubs2 reads it, in format ``fmt`` (None detects it).

    The tags of SRT and WebVTT (``<i>``, ``<font color>``, ``{\\an8}``) stay in the
    text as written, so :func:`render` can write them back unchanged.
    """
    fmt = fmt or _detect(text, path)
    if fmt not in _READABLE:
        raise SubtitleError(f"cannot read {fmt} subtitles; use SRT, WebVTT or ASS", path)
    try:
        subs = pysubs2.SSAFile.from_string(text, format_=fmt, keep_html_tags=fmt in _HTML_FORMATS)
    except (Pysubs2Error, ValueError) as exc:
        raise SubtitleError(f"not a valid {fmt.upper()} file ({exc})", path) from None
    if fmt == "srt" and not subs.events and text.strip():
        raise SubtitleError("no cues found; not an SRT file", path)
    _refuse_negative_times(text, subs, path)
    return subs


def _refuse_negative_times(text: str, subs: pysubs2.SSAFile, path: object) -> None:
    """A cue timed before 00:00:00 is an error naming the file, its line and the cue
    number. pysubs2 drops the sign of SRT and WebVTT times (``-00:00:05,000`` would read
    as +5 s, moving the cue), so their timing lines are read here; ASS keeps the sign."""
    timing = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
              if "-->" in line]
    for cue, (line_number, line) in enumerate(timing, start=1):
        if found := _NEGATIVE_TIME.search(line):
            raise SubtitleError(f"cue {cue}: negative time {found.group()!r}; times count "
                                "from 00:00:00", path, line_number)
    for cue, event in enumerate(subs.events, start=1):
        if min(event.start, event.end) < 0:
            raise SubtitleError(f"cue {cue}: negative time "
                                f"({min(event.start, event.end)} ms); times count from 00:00:00", path)


def _detect(text: str, path: object) -> str:
    if not text.strip():
        raise SubtitleError("empty file; not a subtitle file", path)
    try:
        return autodetect_format(text)
    except Pysubs2Error:
        raise SubtitleError("not a subtitle file (SRT, WebVTT or ASS)", path) from None


def dumps(cues: Sequence[Cue], fmt: str, style: AssStyle | None = None) -> str:
    """``cues`` as an SRT, WebVTT or ASS document; ``style`` sets the look of ASS.

    >>> dumps([Cue(0, 1500, ("第一行", "第二行"))], "srt")
    '1\\n00:00:00,000 --> 00:00:01,500\\n第一行\\n第二行\\n\\n'
    """
    subs = pysubs2.SSAFile()
    if fmt == "ass":
        _apply_style(subs, style or AssStyle())
    for cue in cues:
        subs.append(pysubs2.SSAEvent(start=cue.start_ms, end=cue.end_ms,
                                     text=r"\N".join(_as_text(line, fmt) for line in cue.lines)))
    return render(subs, fmt)


def render(subs: pysubs2.SSAFile, fmt: str) -> str:
    """A whole file as an SRT, WebVTT or ASS document, every style and tag kept.

    An SRT or WebVTT file read by :func:`parse` holds its tags as written: in its own
    format they are written back verbatim; for another format they are first read
    the standard way (``<i>`` becomes ``{\\i1}``) so that pysubs2 can convert them.
    """
    if fmt not in ("srt", "vtt", "ass"):
        raise SubtitleError(f"cannot write {fmt!r} subtitles; use srt, vtt or ass")
    if subs.format in _HTML_FORMATS:
        as_written = subs.to_string(subs.format, keep_ssa_tags=True)
        if fmt == subs.format:
            return as_written
        subs = pysubs2.SSAFile.from_string(as_written, format_=subs.format)
    return subs.to_string(fmt)


def _apply_style(subs: pysubs2.SSAFile, style: AssStyle) -> None:
    # WrapStyle 2: lines break only where we broke them; libass must not re-wrap Chinese.
    subs.info.update({"PlayResX": str(style.width), "PlayResY": str(style.height),
                      "WrapStyle": "2", "ScaledBorderAndShadow": "yes"})
    subs.styles["Default"] = style.ssa_style()


def _as_text(line: str, fmt: str) -> str:
    """``line`` as text that no player reads as markup (staff type ``<b>``, ``{\\pos(1,2)}``
    or ``-->`` in the workspace, and it must show as typed).

    Braces and backslashes would start ASS override tags, which players honour in every
    format: they become full-width look-alikes (libass has no escape for ``{``).
    WebVTT has character references, so ``& < >`` are escaped (which also keeps
    ``-->`` out of cue text, as the spec requires) and :func:`loads` reads them back.
    SRT has no escapes and players take ``<b>``/``<font>`` as tags, so ``< >`` become
    full-width ＜ ＞ as well.
    """
    line = line.replace("{", "｛").replace("}", "｝").replace("\\", "＼")
    if fmt == "vtt":
        return html.escape(line, quote=False)
    if fmt == "srt":
        return line.replace("<", "＜").replace(">", "＞")
    return line
