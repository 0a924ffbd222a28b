"""Poster frame (JPEG) and square podcast cover art (1400 x 1400) with the title; and
each programme's own podcast artwork, drawn once by ``studio publish``.

The poster is one frame of the recording at the web video's size (ffmpeg seeks and
scales; Python never sees the video), so it neither waits for nor changes with the
subtitled videos. The cover is drawn with Pillow in the Noto CJK font over that
frame, blurred and darkened, or over a plain colour for an audio-only recording.
"""
from __future__ import annotations

import functools
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont, ImageOps

from episodes.library import programme_artwork
from episodes.record import SHOW_NAMES, EpisodeRecord
from studio.ffmpeg_progress import run_ffmpeg
from studio.files import atomic_path
from studio.stages.burnin import cjk_font_file
from studio.stages.geometry import Size, web_size
from studio.stages.ingest import read_record
from studio.stages.job import Job
from subtitles.linebreak import atoms

ARTWORK_VERSION = 2
COVER_SIZE = 1400
BACKGROUND = (23, 62, 110)
PROGRAMME_COLOURS = {"episode": BACKGROUND, "guide": (16, 94, 74)}
PROGRAMME_TAGLINES = {"episode": "政务服务热线直播", "guide": "办事指南 一件事一期"}
PUBLISHER = "武陵区政务服务中心"


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


def programme_artwork_image(kind: str) -> Image.Image:
    """A programme's square podcast artwork: its show name large over its own colour.

    It names no episode, so it stays the same from publish to publish (an episode's
    cover, with its title and date, changes every time).
    """
    image = Image.new("RGB", (COVER_SIZE, COVER_SIZE), PROGRAMME_COLOURS[kind])
    draw = ImageDraw.Draw(image)
    _centered(draw, ["播客"], cjk_font(80), top=170)
    name, width = SHOW_NAMES[kind], COVER_SIZE - 240
    # the largest size (down to 110 px) that keeps the name on one line, else wrapped
    size = next((size for size in range(180, 110, -10)
                 if draw.textlength(name, font=cjk_font(size)) <= width), 110)
    lines = wrap(draw, name, cjk_font(size), width)
    block = size * (1.3 * len(lines) - 0.3)  # _centered's line step is 1.3 sizes
    _centered(draw, lines, cjk_font(size), top=round(600 - block / 2))  # midway 播客-rule
    draw.rectangle((300, 960, COVER_SIZE - 300, 968), fill="white")
    _centered(draw, [PROGRAMME_TAGLINES[kind], PUBLISHER], cjk_font(70), top=1040)
    return image


def ensure_programme_artwork(media_root: Path, kind: str) -> bool:
    """Draw programme ``kind``'s podcast artwork into the media library unless it is
    there; True if drawn. Drawn once, then left alone: podcast apps cache artwork by
    its address, and a programme keeps one look whatever its newest cover shows."""
    path = programme_artwork(media_root, kind)
    if path.is_file():
        return False
    with atomic_path(path) as tmp:
        programme_artwork_image(kind).save(tmp, "JPEG", quality=90)
    return True


@functools.lru_cache(maxsize=8)
def cjk_font(size: int) -> ImageFont.FreeTypeFont:
    """The bold Simplified Chinese face (a .ttc holds several; fontconfig knows which)."""
    path, index = cjk_font_file(style="Bold")
    return ImageFont.truetype(str(path), size, index=index)


def wrap(draw: ImageDraw.ImageDraw, text: str, font: ImageFont.FreeTypeFont,
         width: int) -> list[str]:
    """Break ``text`` into lines no wider than ``width`` pixels, between words as the
    subtitles do (申领 / 营业执照, never 申领营 / 业执照); only a word wider than a whole
    line is broken between its characters."""
    lines = [""]
    for word in atoms(text.strip()):
        for piece in [word] if draw.textlength(word, font=font) <= width else list(word):
            if lines[-1].strip() and draw.textlength(lines[-1] + piece, font=font) > width:
                lines.append("")
            lines[-1] += piece
    return [line.strip() for line in lines][:4]


def _centered(draw: ImageDraw.ImageDraw, lines: list[str], font: ImageFont.FreeTypeFont,
              top: int) -> None:
    step = round(font.size * 1.3)
    for number, line in enumerate(lines):
        draw.text((COVER_SIZE / 2, top + number * step), line, font=font, fill="white",
                  anchor="ma", stroke_width=2, stroke_fill=(0, 0, 0))
