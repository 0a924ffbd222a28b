"""Poster frame (JPEG) and square podcast cover art (1400 x 1400) with the title.

The poster is one frame of the recording at the web video's size (ffmpeg seeks and
scales; Python never sees the video), so it neither waits for nor changes with the
subtitled videos. The cover is drawn with Pillow in the Noto CJK font over that
frame, blurred and darkened, or over a plain colour for an audio-only recording.
"""
from __future__ import annotations

import functools
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from episodes.record import EpisodeRecord
from studio.ffmpeg_progress import run_ffmpeg
from studio.files import atomic_path
from studio.stages.burnin import cjk_font_file
from studio.stages.geometry import Size, web_size
from studio.stages.ingest import read_record
from studio.stages.job import Job

ARTWORK_VERSION = 2
COVER_SIZE = 1400
BACKGROUND = (23, 62, 110)


def consumes(job: Job) -> list[Path]:
    return [job.work.metadata, job.source]


def produces(job: Job) -> list[Path]:
    poster = [job.work.poster] if job.media.has_video else []
    return [*poster, job.work.cover]


def params(job: Job) -> dict:
    return {"version": ARTWORK_VERSION, "size": COVER_SIZE}


def run(job: Job) -> None:
    if job.media.has_video:
        write_poster(job, web_size(job.media))
    record = read_record(job.work)
    backdrop = Image.open(job.work.poster) if job.media.has_video else None
    with atomic_path(job.work.cover) as tmp:
        cover_image(record, backdrop).save(tmp, "JPEG", quality=90)


def write_poster(job: Job, size: Size) -> None:
    """A frame 10 % into the video (past any fade-in), seeking instead of decoding."""
    at = f"{job.media.duration_ms * 0.1 / 1000:.3f}"
    with atomic_path(job.work.poster) as tmp:
        run_ffmpeg(["-ss", at, "-i", str(job.source), "-frames:v", "1", "-q:v", "3",
                    "-vf", f"scale={size.width}:{size.height},setsar=1", "-update", "1",
                    str(tmp)], duration_ms=0, desc="poster", path=job.source, cancel=job.cancel)


def cover_image(record: EpisodeRecord, backdrop: Image.Image | None) -> Image.Image:
    """The square cover: show name on top, the title large in the middle, date below."""
    size = (COVER_SIZE, COVER_SIZE)
    if backdrop is None:
        image = Image.new("RGB", size, BACKGROUND)
    else:
        # Blur a quarter-size copy: the same soft look at a sixteenth of the work.
        small = ImageOps.fit(backdrop.convert("RGB"), (COVER_SIZE // 4,) * 2)
        image = small.filter(ImageFilter.GaussianBlur(3)).resize(size, Image.BILINEAR)
        image = Image.blend(image, Image.new("RGB", size, (0, 0, 0)), 0.55)
    draw = ImageDraw.Draw(image)
    _centered(draw, [record.show_name], cjk_font(70), top=140)
    _centered(draw, wrap(draw, record.title, cjk_font(120), COVER_SIZE - 240), cjk_font(120),
              top=480)
    footer = [record.air_date_text, *record.departments]
    _centered(draw, [line for line in footer if line][:3], cjk_font(60), top=1080)
    return image


@functools.lru_cache(maxsize=8)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The bold Simplified Chinese face (a .ttc holds several; fontconfig knows which)."""
    path, index = cjk_font_file(style="Bold")
    return ImageFont.truetype(str(path), size, index=index)


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont,
         width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels (Chinese needs no spaces)."""
    lines = [""]
    for char in text:
        if lines[-1] and draw.textlength(lines[-1] + char, font=font) > width:
            lines.append("")
        lines[-1] += char
    return lines[:4]


def _centered(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont,
              top: int) -> None:
    step = round(font.size * 1.3)
    for number, line in enumerate(lines):
        draw.text((COVER_SIZE / 2, top + number * step), line, font=font, fill="white",
                  anchor="ma", stroke_width=2, stroke_fill=(0, 0, 0))
