"""Poster frame (JPEG) and square podcast cover art (1400 x 1400) with the title.

The poster is one frame of web.mp4 (ffmpeg seeks, Python never sees the video);
the cover is drawn with Pillow in the Noto CJK font over that frame, blurred and
darkened, or over a plain colour when the recording is audio only.
"""
from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from studio.ffmpeg_progress import run_ffmpeg
from studio.files import atomic_path
from studio.stages.burnin import cjk_font_file
from studio.stages.ingest import read_metadata
from studio.stages.job import Job

ARTWORK_VERSION = 1
COVER_SIZE = 1400
BACKGROUND = (23, 62, 110)
SHOW_NAMES = {"episode": "武陵政务直播间", "guide": "武陵政务服务导办"}


def consumes(job: Job) -> list[Path]:
    video = [job.work.web_video] if job.media.has_video else []
    return [job.work.metadata, *video]


def produces(job: Job) -> list[Path]:
    poster = [job.work.poster] if job.media.has_video else []
    return [*poster, job.work.cover]


def params(job: Job) -> dict:
    return {"version": ARTWORK_VERSION, "size": COVER_SIZE}


def run(job: Job) -> None:
    if job.media.has_video:
        write_poster(job.work.web_video, job.work.poster, job.media.duration_ms)
    metadata = read_metadata(job.work)
    backdrop = Image.open(job.work.poster) if job.media.has_video else None
    with atomic_path(job.work.cover) as tmp:
        cover_image(metadata, backdrop).save(tmp, "JPEG", quality=90)


def write_poster(video: Path, poster: Path, duration_ms: int) -> None:
    """A frame 10 % into the video (past any fade-in), seeking instead of decoding."""
    at = f"{duration_ms * 0.1 / 1000:.3f}"
    with atomic_path(poster) as tmp:
        run_ffmpeg(["-ss", at, "-i", str(video), "-frames:v", "1", "-q:v", "3",
                    "-update", "1", str(tmp)], duration_ms=0, desc="poster", path=video)


def cover_image(metadata: dict, backdrop: Image.Image | None) -> Image.Image:
    """The square cover: show name on top, the title large in the middle, date below."""
    size = (COVER_SIZE, COVER_SIZE)
    if backdrop is None:
        image = Image.new("RGB", size, BACKGROUND)
    else:
        image = ImageOps.fit(backdrop.convert("RGB"), size).filter(ImageFilter.GaussianBlur(12))
        image = Image.blend(image, Image.new("RGB", size, (0, 0, 0)), 0.55)
    draw = ImageDraw.Draw(image)
    show = SHOW_NAMES.get(metadata.get("kind", "guide"), SHOW_NAMES["guide"])
    _centered(draw, [show], cjk_font(70), top=140)
    _centered(draw, wrap(draw, metadata["title"], cjk_font(120), COVER_SIZE - 240), cjk_font(120),
              top=480)
    footer = [metadata.get("air_date") or "", *departments(metadata)]
    _centered(draw, [line for line in footer if line][:3], cjk_font(60), top=1080)
    return image


def departments(metadata: dict) -> list[str]:
    return sorted({guest["department"] for guest in metadata.get("guests", [])
                   if guest.get("department")})


def cjk_font(size: int) -> ImageFont.FreeTypeFont:
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
