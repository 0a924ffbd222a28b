"""Contest uploads: stream to disk with a size cap, validate with ffprobe, store blind.

Nothing about an upload is trusted: the file name is kept only as text (never used
as a path), the container is identified by ffprobe from the bytes with a demuxer
allow-list (so an HTML page or an HLS playlist named ``.mp4`` is refused before it
is parsed) and ``-protocol_whitelist file`` on every call (so a crafted playlist
cannot reach other files or the network). Accepted files keep only their picture,
sound and text captions: tags, cover pictures, chapters, data streams and attachments
(any of which can name the author) are dropped, and the file is stored under a random
name outside the web root; rejected ones leave nothing behind. ``sha256`` is that of
the upload as received.
"""
from __future__ import annotations

import secrets
import subprocess
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from episodes.contest import Contest, Submission, add_submission
from episodes.uploads import MIME_TYPES, Entrant, UploadRejected, check_name, receive
from studio.errors import MediaError
from studio.files import atomic_path
from studio.media import MediaInfo, ffmpeg_exe, ffprobe_exe, probe, stderr_tail

# Demuxers ffprobe may use on an upload: MP4/MOV and Matroska/WebM, nothing else.
DEMUXERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm"
VIDEO_CODECS = frozenset({"h264", "hevc", "vp9", "av1"})
AUDIO_CODECS = frozenset({"aac", "mp3", "opus", "vorbis"})
# Caption tracks kept in the stored copy, by the muxer that writes it (MP4 or Matroska).
TEXT_SUBTITLES = {"video/mp4": frozenset({"mov_text"}),
                  "video/webm": frozenset({"subrip", "ass", "ssa", "webvtt"})}


def container_of(path: Path, label: str) -> str:
    """ffprobe's demuxer name for ``path``, trying only the allowed demuxers."""
    args = [ffprobe_exe(), "-v", "error", "-protocol_whitelist", "file",
            "-format_whitelist", DEMUXERS, "-show_entries", "format=format_name",
            "-of", "default=noprint_wrappers=1:nokey=1", str(path)]
    result = subprocess.run(args, capture_output=True, text=True)
    name = result.stdout.strip()
    if result.returncode != 0 or name not in MIME_TYPES:
        raise UploadRejected("not_video", "not an MP4, MOV, MKV or WebM video", label)
    return name


def check_video(path: Path, contest: Contest, label: str) -> MediaInfo:
    """Probe ``path`` and apply the contest's rules; raise UploadRejected on the first break."""
    container_of(path, label)
    try:
        info = probe(path, protocol_whitelist="file")
    except MediaError as exc:
        raise UploadRejected("not_video", exc.problem, label) from exc
    if not info.has_video or info.video_codec not in VIDEO_CODECS:
        raise UploadRejected("codec", f"video codec {info.video_codec or 'none'} is not allowed "
                             f"(use {', '.join(sorted(VIDEO_CODECS))})", label,
                             codec=info.video_codec or "无")
    if not info.has_audio or info.audio_codec not in AUDIO_CODECS:
        raise UploadRejected("no_audio", "needs an audio stream (AAC, MP3, Opus or Vorbis)", label)
    if info.duration_ms > contest.max_duration_ms:
        raise UploadRejected("too_long", f"lasts {info.duration_ms / 1000:.1f} s; the limit is "
                             f"{contest.max_duration_ms / 1000:.0f} s", label,
                             seconds=round(info.duration_ms / 1000, 1),
                             limit=contest.max_duration_ms // 1000)
    if min(info.width, info.height) < contest.min_height:
        raise UploadRejected("too_small", f"is {info.width}x{info.height}; at least "
                             f"{contest.min_height}p is required", label,
                             size=f"{info.width}x{info.height}", limit=contest.min_height)
    return info


def text_subtitle_streams(path: Path, container: str, label: str) -> list[int]:
    """Indexes of the caption tracks the stored copy keeps: text subtitles its muxer can
    carry. Bitmap subtitles (DVD, PGS) are pictures that could show a name, so they go."""
    args = [ffprobe_exe(), "-v", "error", "-protocol_whitelist", "file", "-select_streams", "s",
            "-show_entries", "stream=index,codec_name", "-of", "csv=p=0", str(path)]
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise UploadRejected("not_video", f"ffprobe could not list the subtitle tracks "
                             f"({stderr_tail(result.stderr)})", label)
    kept = TEXT_SUBTITLES[MIME_TYPES[container]]
    rows = (line.split(",")[:2] for line in result.stdout.split())
    return [int(index) for index, codec in rows if codec in kept]


def strip_metadata(path: Path, container: str, label: str) -> None:
    """Remux ``path`` in place keeping only what judges watch: the first real video
    stream (not a cover picture), the first audio stream and the text caption tracks,
    with no tags (global or per stream: titles, languages, handler names), chapters,
    attached pictures, data streams or attachments. Any of those can carry the author's
    name and unblind the judges. Streams are copied, never re-encoded."""
    mp4 = MIME_TYPES.get(container) == "video/mp4"
    muxer = ["-f", "mp4", "-movflags", "+faststart"] if mp4 else ["-f", "matroska"]
    captions = [arg for index in text_subtitle_streams(path, container, label)
                for arg in ("-map", f"0:{index}")]
    with atomic_path(path) as clean:
        # 0:V (capital) is the video streams that are not attached pictures;
        # +bitexact leaves out the encoder tag too.
        args = [ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-protocol_whitelist", "file",
                "-i", str(path), "-map", "0:V:0", "-map", "0:a:0", *captions, "-c", "copy",
                "-map_metadata", "-1", "-map_chapters", "-1", "-fflags", "+bitexact",
                *muxer, str(clean)]
        result = subprocess.run(args, capture_output=True)
        if result.returncode != 0:
            raise UploadRejected("not_video", f"ffmpeg could not copy the streams "
                                 f"({stderr_tail(result.stderr)})", label)


def accept(session: Session, contest: Contest, stream: BinaryIO, original_name: str,
           folder: Path, title: str, entrant: Entrant, description: str = "") -> Submission:
    """Store a valid upload under a random name in ``folder`` and record it.

    >>> with open("clip.mp4", "rb") as f:  # doctest: +SKIP
    ...     accept(session, contest, f, "clip.mp4", uploads, "如何办理营业执照", Entrant("张三"))
    """
    check_name(original_name)
    stored_name = secrets.token_hex(16) + ".video"
    with atomic_path(folder / stored_name) as tmp:
        sha256 = receive(stream, tmp, contest.max_bytes, original_name)
        info = check_video(tmp, contest, original_name)
        strip_metadata(tmp, info.format_name, original_name)
        submission = add_submission(
            session, contest, title=title, description=description, original_name=original_name,
            stored_name=stored_name, container=info.format_name, size_bytes=tmp.stat().st_size,
            duration_ms=info.duration_ms, width=info.width, height=info.height, sha256=sha256,
            entrant_user_id=entrant.user_id, entrant_name=entrant.name, entrant_org=entrant.org,
            entrant_contact=entrant.contact)
    return submission
