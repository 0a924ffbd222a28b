"""Read and write SRT, WebVTT and ASS through pysubs2. Times stay integer milliseconds.

Layered as pysubs2 is: :func:`load` (a path) reads and decodes, :func:`loads`
(a string) parses; :func:`dumps` renders cues as a string, and the caller writes
it (atomically, with ``studio.files``). Every failure is a :class:`SubtitleError`
naming the file and the problem.
"""
from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import pysubs2
from pysubs2.exceptions import Pysubs2Error
from pysubs2.formats import autodetect_format

from subtitles.cue import Cue
from subtitles.errors import SubtitleError
from subtitles.profiles import Profile

FORMATS = {".srt": "srt", ".vtt": "vtt", ".ass": "ass", ".ssa": "ass"}
_READABLE = {"srt", "vtt", "ass", "ssa"}
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


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


def load(path: Path | str) -> list[Cue]:
    """Cues of the SRT, WebVTT or ASS file at ``path`` (format from its content)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise SubtitleError("no such file", path) from None
    except IsADirectoryError:
        raise SubtitleError("is a folder, not a subtitle file", path) from None
    except OSError as exc:
        raise SubtitleError(f"cannot read the file ({exc.strerror})", path) from None
    text = _decode(data, path)
    # An empty SRT is valid: it is what a silent recording yields. SRT has no header.
    empty_srt = not text.strip() and path.suffix.lower() == ".srt"
    return loads(text, "srt" if empty_srt else None, path)


def _decode(data: bytes, path: Path) -> str:
    if data.startswith(_UTF16_BOMS):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise SubtitleError(f"not valid UTF-16 text ({exc.reason})", path) from None
    if b"\0" in data:
        raise SubtitleError("binary data, not a subtitle file", path)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SubtitleError(f"not UTF-8 text (bad byte at offset {exc.start}); if it is GBK, "
                            "convert it with: iconv -f GBK -t UTF-8", path) from None


def loads(text: str, fmt: str | None = None, path: object = None) -> list[Cue]:
    """Cues parsed from ``text`` in format ``fmt`` ("srt", "vtt", "ass"; None detects it).

    ``path`` only names the source in error messages. ASS override tags are dropped
    and ``\\N`` becomes a line break; comment events are skipped.
    """
    fmt = fmt or _detect(text, path)
    if fmt not in _READABLE:
        raise SubtitleError(f"cannot read {fmt} subtitles; use SRT, WebVTT or ASS", path)
    try:
        subs = pysubs2.SSAFile.from_string(text, format_=fmt)
    except (Pysubs2Error, ValueError) as exc:
        raise SubtitleError(f"not a valid {fmt.upper()} file ({exc})", path) from None
    if fmt == "srt" and not subs.events and text.strip():
        raise SubtitleError("no cues found; not an SRT file", path)
    return [_cue(event) for event in subs.events if not event.is_comment]


def _detect(text: str, path: object) -> str:
    if not text.strip():
        raise SubtitleError("empty file; not a subtitle file", path)
    try:
        return autodetect_format(text)
    except Pysubs2Error:
        raise SubtitleError("not a subtitle file (SRT, WebVTT or ASS)", path) from None


def _cue(event: pysubs2.SSAEvent) -> Cue:
    lines = (line.strip() for line in event.plaintext.splitlines())
    return Cue(event.start, event.end, tuple(line for line in lines if line))


def dumps(cues: Sequence[Cue], fmt: str, style: AssStyle | None = None) -> str:
    """``cues`` as an SRT, WebVTT or ASS document; ``style`` sets the look of ASS.

    >>> dumps([Cue(0, 1500, ("第一行", "第二行"))], "srt")
    '1\\n00:00:00,000 --> 00:00:01,500\\n第一行\\n第二行\\n\\n'
    """
    if fmt not in ("srt", "vtt", "ass"):
        raise SubtitleError(f"cannot write {fmt!r} subtitles; use srt, vtt or ass")
    subs = pysubs2.SSAFile()
    if fmt == "ass":
        _apply_style(subs, style or AssStyle())
    for cue in cues:
        subs.append(pysubs2.SSAEvent(start=cue.start_ms, end=cue.end_ms,
                                     text=r"\N".join(_ass_safe(line) for line in cue.lines)))
    return subs.to_string(fmt)


def _apply_style(subs: pysubs2.SSAFile, style: AssStyle) -> None:
    # WrapStyle 2: lines break only where we broke them; libass must not re-wrap Chinese.
    subs.info.update({"PlayResX": str(style.width), "PlayResY": str(style.height),
                      "WrapStyle": "2", "ScaledBorderAndShadow": "yes"})
    subs.styles["Default"] = style.ssa_style()


def _ass_safe(line: str) -> str:
    """Braces and backslashes would start ASS override tags; show full-width look-alikes."""
    return line.replace("{", "｛").replace("}", "｝").replace("\\", "＼")
