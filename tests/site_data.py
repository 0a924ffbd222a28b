"""Real media and catalog rows for the site, search, view and browser tests.

The clip is made with ffmpeg's lavfi sources (12 s, tiny frame) so it is real
H.264/AAC a browser can play; catalog rows go in through SQLAlchemy.
"""
from __future__ import annotations

import hashlib
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

from episodes.models import Episode, Guest, MediaAsset, TranscriptCue
from studio.media import ffmpeg_exe
from web import create_app

CLIP_MS = 12_000
GLOSSARY_CSV = ("term,plain,explanation\n"
                "政务服务中心,区里的办事大厅,各部门集中办事的地方\n"
                "社保卡,社会保障卡,看病买药、领养老金都用这张卡\n")
CUES = [
    (0, 3_000, "大家好，欢迎收看武陵政务直播间。", "大家好，欢迎收看。"),
    (3_000, 6_500, "办理营业执照可以到政务服务中心。", "办营业执照可以去办事大厅。"),
    (6_500, 9_000, "社保卡丢了要先挂失<script>alert(1)</script>。", "社保卡丢了先挂失。"),
    (9_000, 12_000, "材料齐全当场就能办结。", "材料带齐当场办好。"),
]
VTT_HEADER = "WEBVTT\n\n"
NOON = datetime(2026, 11, 24, 4, 0, tzinfo=timezone.utc)  # 12:00 in Shanghai: the clocks' start


def make_media(folder: Path) -> dict[str, Path]:
    """The files one episode publishes: MP4, MP3, poster, VTT and SRT tracks."""
    folder.mkdir(parents=True, exist_ok=True)
    video, mp3, poster = folder / "clip.mp4", folder / "clip.mp3", folder / "poster.jpg"
    _ffmpeg("-f", "lavfi", "-i", f"testsrc2=size=160x90:rate=10:duration={CLIP_MS / 1000}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={CLIP_MS / 1000}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
            "-movflags", "+faststart", "-shortest", str(video))
    _ffmpeg("-i", str(video), "-vn", "-c:a", "libmp3lame", "-b:a", "32k", str(mp3))
    _ffmpeg("-i", str(video), "-frames:v", "1", str(poster))
    files = {"video": video, "mp3": mp3, "poster": poster}
    for index, variant in ((2, "verbatim"), (3, "plain")):
        files[f"vtt_{variant}"] = folder / f"{variant}.vtt"
        files[f"vtt_{variant}"].write_text(_vtt(index), encoding="utf-8")
    return files


def add_episode(session, slug: str, media: dict[str, Path] | None = None, *, kind="episode",
                status="published", title="如何办理营业执照", category="市场监管",
                published_at: datetime | None = None, media_root: Path | None = None) -> Episode:
    """One catalog episode with guests, cues and (optionally) its media as assets."""
    episode = Episode(slug=slug, kind=kind, status=status, title=title, service_category=category,
                      summary="营业执照办理流程讲解", duration_ms=CLIP_MS,
                      published_at=published_at or datetime.now(timezone.utc) - timedelta(days=1))
    episode.guests = [Guest(position=0, name="李明", department="区市场监督管理局"),
                      Guest(position=1, name="王芳", department="区政务服务中心")]
    episode.cues = [TranscriptCue(position=i, start_ms=s, end_ms=e, text=t, plain_text=p)
                    for i, (s, e, t, p) in enumerate(CUES)]
    if media:
        episode.assets = [_asset(role, path, media_root) for role, path in media.items()]
    session.add(episode)
    session.commit()
    return episode


_ROLES = {"video": ("web_video", "", "video/mp4"), "mp3": ("podcast_mp3", "", "audio/mpeg"),
          "poster": ("poster", "", "image/jpeg"),
          "vtt_verbatim": ("subtitles", "verbatim", "text/vtt"),
          "vtt_plain": ("subtitles", "plain", "text/vtt")}


def _asset(role: str, path: Path, media_root: Path | None) -> MediaAsset:
    kind, variant, mime = _ROLES[role]
    data = path.read_bytes()
    relative = path.relative_to(media_root) if media_root else Path(path.name)
    return MediaAsset(kind=kind, variant=variant, mime_type=mime, path=relative.as_posix(),
                      bytes=len(data), duration_ms=CLIP_MS, checksum=hashlib.sha256(data).hexdigest())


def _vtt(column: int) -> str:
    blocks = [f"{_stamp(c[0])} --> {_stamp(c[1])}\n{c[column]}\n" for c in CUES]
    return VTT_HEADER + "\n".join(blocks)


def _stamp(ms: int) -> str:
    return f"00:{ms // 60000:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args], check=True)


class Clock:
    """An injected clock (``VIEWS_CLOCK``, ``LIVE_CLOCK``, ...) the test moves by hand."""

    def __init__(self, now: datetime):
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def site_app(tmp_path: Path, media_root: Path, database_url: str, environ: dict[str, str]):
    """The real app on a fresh catalog (SQLite and PostgreSQL), the test clip's folder as
    media root, a small term base, settings from the injected ``environ``."""
    glossary_csv = tmp_path / "glossary.csv"
    glossary_csv.write_text(GLOSSARY_CSV, encoding="utf-8")
    return create_app({"TESTING": True, "MEDIA_ROOT": str(media_root), "GLOSSARY": str(glossary_csv),
                       "DATABASE_URL": database_url},
                      instance_path=str(tmp_path / "instance"), environ=environ)


def clip_files(media_root: Path) -> dict[str, Path]:
    folder = media_root / "ep"
    return {"video": folder / "clip.mp4", "mp3": folder / "clip.mp3", "poster": folder / "poster.jpg",
            "vtt_verbatim": folder / "verbatim.vtt", "vtt_plain": folder / "plain.vtt"}
