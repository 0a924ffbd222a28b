"""Burned-in subtitles: the track as an ASS script sized for one output picture.

The look (white Noto Sans CJK SC, dark outline, bottom title-safe, about 5 % of the
picture height) is ``subtitles.io.AssStyle``; here we only size it. PlayRes is the
output size itself, so libass never stretches the glyphs on the 9:16 variant, whose
cues are re-cut for its own profile (shorter lines) rather than shrunk to fit.
"""
from __future__ import annotations

import subprocess
from pathlib import Path
from typing import AbstractSet

from studio.errors import StudioError
from studio.stages.geometry import Size
from subtitles import io as subtitle_io
from subtitles.fix import fix
from subtitles.profiles import Profile

FONT_FAMILY = "Noto Sans CJK SC"


def burn_in_script(track: Path, size: Size, profile: Profile,
                   recut: AbstractSet[str] | None = None) -> str:
    """ASS text for ``track`` (SRT/VTT/ASS) drawn on a ``size`` picture.

    The font shrinks below 5 % only if the profile's longest line would not fit. With
    ``recut`` (the words to keep whole: the glossary's units), the track was made for
    another profile and its cues are first re-cut for ``profile`` (lines re-broken, a
    cue too long for its lines split with its time shared by characters).
    """
    style = subtitle_io.AssStyle.fitting(size.width, size.height, profile)
    cues = subtitle_io.load(track)
    if recut is not None:
        cues = fix(cues, profile, keep=recut)
    return subtitle_io.dumps(cues, "ass", style=style)


def cjk_font_file(family: str = FONT_FAMILY, style: str = "Regular") -> tuple[Path, int]:
    """The font file and face index fontconfig picks for ``family``.

    Fails clearly when fontconfig would fall back to a font without Chinese glyphs
    (burned-in text would come out as empty boxes).
    """
    try:
        out = subprocess.run(["fc-match", "--format=%{family}|%{file}|%{index}",
                              f"{family}:style={style}"], capture_output=True, text=True).stdout
    except FileNotFoundError as exc:
        raise StudioError("fc-match not found; install fontconfig and fonts-noto-cjk") from exc
    families, _, rest = out.partition("|")
    file, _, index = rest.partition("|")
    if family not in families.split(","):
        raise StudioError(f"font {family!r} is not installed (fontconfig offers {families!r}); "
                          "run `make system-packages` (Debian package fonts-noto-cjk)")
    return Path(file), int(index or 0)
