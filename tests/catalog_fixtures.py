"""Small real work folders for the catalog, feed, scheduler and download tests:
an MP3 made by ffmpeg, WebVTT/SRT tracks, a JPEG cover drawn by Pillow."""
from __future__ import annotations

import atexit
import functools
import json
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from PIL import Image

from episodes.db import make_engine, database_url
from episodes.schema import migrations
from studio.media import ffmpeg_exe
from studio.publish import publish_workdir

VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
欢迎收听武陵政务直播间

00:00:04.500 --> 00:00:08.000
今天我们聊聊不动产登记
"""
PLAIN_VTT = """WEBVTT

00:00:01.000 --> 00:00:04.000
欢迎收听武陵政务直播间

00:00:04.500 --> 00:00:08.000
今天我们聊聊房产证怎么办
"""
SRT = """1
00:00:01,000 --> 00:00:04,000
欢迎收听武陵政务直播间

2
00:00:04,500 --> 00:00:08,000
今天我们聊聊不动产登记
"""


_MADE = Path(tempfile.mkdtemp(prefix="catalog-fixtures-"))
atexit.register(shutil.rmtree, _MADE, True)


def make_mp3(path: Path, seconds: float, frequency: int = 440) -> Path:
    """A real MP3 sine tone (32 kb/s mono), encoded once per test session and copied."""
    shutil.copyfile(_encoded_mp3(seconds, frequency), path)
    return path


@functools.cache
def _encoded_mp3(seconds: float, frequency: int) -> Path:
    path = _MADE / f"{seconds}-{frequency}.mp3"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency={frequency}:duration={seconds}", "-ac", "1", "-b:a", "32k",
                    str(path)], check=True)
    return path


def make_mp4(path: Path) -> Path:
    """A one-second 160×90 H.264 + AAC clip: a guide video's web.mp4."""
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-f", "lavfi", "-i",
                    "testsrc2=size=160x90:duration=1", "-f", "lavfi", "-i", "sine=duration=1",
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(path)], check=True)
    return path


@functools.cache
def _drawn_cover(px: int) -> Path:
    path = _MADE / f"cover-{px}.jpg"
    Image.new("RGB", (px, px), (20, 90, 160)).save(path, quality=80)
    return path


def make_workdir(root: Path, slug: str, kind: str = "episode", seconds: float = 90,
                 cover_px: int = 1400, frequency: int = 440) -> Path:
    """A work folder as `studio run` leaves it (audio-only: no video deliverables)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "episode.json").write_text(json.dumps({
        "title": f"不动产登记怎么办（{slug}）", "kind": kind, "slug": slug,
        "summary": "房产证、不动产权证书，一次讲清楚。", "air_date": "2026-11-20",
        "service_category": "不动产", "duration_ms": int(seconds * 1000), "source": "x.mp4",
        "guests": [{"name": "李明", "department": "区自然资源局"}]}, ensure_ascii=False),
        encoding="utf-8")
    make_mp3(root / "podcast.mp3", seconds, frequency)
    (root / "verbatim.vtt").write_text(VTT, encoding="utf-8")
    (root / "verbatim.srt").write_text(SRT, encoding="utf-8")
    (root / "plain.vtt").write_text(PLAIN_VTT, encoding="utf-8")
    if cover_px:
        shutil.copyfile(_drawn_cover(cover_px), root / "cover.jpg")
    return root


@functools.cache
def _migrated_catalog() -> Path:
    path = _MADE / "catalog.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrations.apply(engine)
    engine.dispose()  # the last close checkpoints the WAL into the file
    return path


def seed_catalog(instance: Path) -> None:
    """Start ``instance`` from a copy of a freshly migrated catalog: running every
    migration (FTS tables, triggers, contest tables) per test costs ~0.4 s."""
    target = instance / "catalog.sqlite3"
    if not target.exists():
        instance.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(_migrated_catalog(), target)


def catalog_engine(instance: Path, url: str = ""):
    """The catalog at ``url`` (e.g. the ``settings_catalog`` fixture's), else the SQLite
    file in ``instance``."""
    if not url:
        seed_catalog(instance)
    engine = make_engine(database_url(instance, url))
    migrations.apply(engine)
    return engine


def publish(instance: Path, work: Path, url: str = "", **options):
    """Publish ``work`` into ``instance`` (catalog at ``url``, by default the instance's
    SQLite file) now, or ``at=`` a UTC time."""
    now = options.pop("now", None) or datetime.now(timezone.utc)
    engine = catalog_engine(instance, url)
    try:
        return publish_workdir(work, engine, instance / "media", now, **options)
    finally:
        engine.dispose()  # no PostgreSQL connection left open behind the test
