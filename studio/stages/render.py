"""Video deliverables in one ffmpeg run: the source is decoded once and split.

web.mp4 (H.264 + AAC, faststart, both subtitle tracks as mov_text), burned.mp4
(the plain-language track burned in with libass) and, on request, the 9:16
burned-vertical.mp4, whose cues are re-cut for the ``vertical-zh`` profile. When the source video is already web-ready (H.264 4:2:0,
constant frame rate, no rotation, at most 1080p, even size) web.mp4 copies it
instead of encoding it a second time.
"""
from __future__ import annotations

import contextlib
import subprocess
import tempfile
from dataclasses import asdict
from fractions import Fraction
from pathlib import Path

from glossary.lines import line_units
from studio.ffmpeg_progress import run_ffmpeg
from studio.files import atomic_path, write_text
from studio.media import MediaInfo, ffprobe_exe
from studio.stages import privacy
from studio.stages.burnin import burn_in_script
from studio.stages.geometry import Size, vertical_size, web_size
from studio.stages.job import Job
from studio.stages.terms import load_terms
from subtitles.profiles import get_profile

RENDER_VERSION = 2  # 2: the vertical video's cues are cut for vertical-zh
VERTICAL_PROFILE = "vertical-zh"
TRACK_TITLES = {"verbatim": "逐字字幕", "plain": "通俗字幕"}


def tracks(job: Job) -> list[Path]:
    """The subtitle files the videos carry (none when the recording has no audio)."""
    if not job.media.has_audio:
        return []
    return [job.work.subtitles(variant, "srt") for variant in TRACK_TITLES]


def consumes(job: Job) -> list[Path]:
    return [job.source, *tracks(job)]


def produces(job: Job) -> list[Path]:
    if not tracks(job):
        return [job.work.web_video]
    extra = [job.work.vertical_video] if job.render.vertical else []
    return [job.work.web_video, job.work.burned_video, *extra]


def params(job: Job) -> dict:
    options = asdict(job.render)
    del options["bumpers"]
    return {"version": RENDER_VERSION, **options, "private": privacy.params(job)}


def skip_reason(job: Job) -> str | None:
    if not job.media.has_video:
        return "audio-only recording: no video deliverables"
    return None


def run(job: Job) -> None:
    web = web_size(job.media)
    outputs = produces(job)
    with tempfile.TemporaryDirectory(dir=job.work.root, prefix=".render-") as scratch, \
            contextlib.ExitStack() as stack:
        temps = [stack.enter_context(atomic_path(path)) for path in outputs]
        burn_sizes = [web, vertical_size(web)][:len(outputs) - 1]  # burned, vertical
        plain = job.work.subtitles("plain", "srt")
        if burn_sizes:
            write_text(Path(scratch) / "burn0.ass",
                       burn_in_script(plain, burn_sizes[0], get_profile(job.text.profile)))
        if len(burn_sizes) > 1:
            write_text(Path(scratch) / "burn1.ass",
                       burn_in_script(plain, burn_sizes[1], get_profile(VERTICAL_PROFILE),
                                      recut=line_units(load_terms(job))))
        args = _arguments(job, web, temps, copy=web_ready(job.media, web))
        run_ffmpeg(args, duration_ms=job.media.duration_ms, desc="render video",
                   path=job.source, progress=job.progress, cwd=Path(scratch), cancel=job.cancel)


def _arguments(job: Job, web: Size, temps: list[Path], copy: bool) -> list[str]:
    """ffmpeg arguments: inputs, one filter graph, then each output's options."""
    subs = tracks(job)
    args = ["-i", str(job.source)]
    for path in subs:
        args += ["-f", "srt", "-i", str(path)]
    graph, labels = _filter_graph(job, web, len(temps), copy)
    audio, sounds = _audio_graph(job, len(temps))
    graph = ";".join(filter(None, (graph, audio)))
    if graph:
        args += ["-filter_complex", graph]
    args += _web_output(job, labels[0], subs, copy, sounds[0]) + [str(temps[0])]
    for label, sound, temp in zip(labels[1:], sounds[1:], temps[1:]):
        args += _video_map(job, label, False, sound) + ["-movflags", "+faststart", str(temp)]
    return args


def _audio_graph(job: Job, count: int) -> tuple[str, list[str]]:
    """The sound of each output: the source's track, or with private spans muted."""
    muted = privacy.spans(job)
    if not muted:
        return "", ["0:a:0"] * count
    labels = [f"[a{index}]" for index in range(count)]
    return f"[0:a:0]{privacy.mute_filter(muted)},asplit={count}{''.join(labels)}", labels


def _filter_graph(job: Job, web: Size, count: int, copy: bool) -> tuple[str, list[str]]:
    """Decode once, conform the picture (unless it is web-ready), split it among the outputs."""
    base = "null" if copy else _conform(job.media, web)
    chains, labels = [], ["0:v:0" if copy else "[web]"]
    branches = ([] if copy else ["[web]"]) + [f"[b{i}]" for i in range(count - 1)]
    if not branches:
        return "", labels
    chains.append(f"[0:v:0]{base},split={len(branches)}{''.join(branches)}"
                  if len(branches) > 1 else f"[0:v:0]{base}{branches[0]}")
    if count > 1:
        chains.append("[b0]subtitles=filename=burn0.ass[burned]")
        labels.append("[burned]")
    if count > 2:
        chains.append(_vertical_chain(vertical_size(web), "[b1]") + "[vertical]")
        labels.append("[vertical]")
    return ";".join(chains), labels


def _conform(media: MediaInfo, web: Size) -> str:
    """Rotation is applied by ffmpeg's autorotate; then size, square pixels, 4:2:0, CFR."""
    steps = [f"scale={web.width}:{web.height}", "setsar=1", "format=yuv420p"]
    if media.variable_frame_rate:
        rate = Fraction(media.frame_rate or 25).limit_denominator(1001)
        steps.append(f"fps={rate.numerator}/{rate.denominator}")
    return ",".join(steps)


def _vertical_chain(size: Size, source: str) -> str:
    """9:16: the picture fitted in the middle over a blurred, enlarged copy of itself."""
    small = Size(size.width // 4 // 2 * 2, size.height // 4 // 2 * 2)
    return (f"{source}split[fg][bg];"
            f"[bg]scale={small.width}:{small.height}:force_original_aspect_ratio=increase,"
            f"crop={small.width}:{small.height},boxblur=6,scale={size.width}:{size.height},"
            f"setsar=1[blur];"
            f"[fg]scale={size.width}:{size.height}:force_original_aspect_ratio=decrease:"
            f"force_divisible_by=2[front];"
            f"[blur][front]overlay=(W-w)/2:(H-h)/2,format=yuv420p,"
            f"subtitles=filename=burn1.ass")


def _web_output(job: Job, label: str, subs: list[Path], copy: bool, sound: str) -> list[str]:
    args = _video_map(job, label, copy, sound)
    for index, variant in enumerate(TRACK_TITLES if subs else ()):
        # MP4 keeps a track's name in its handler; players list the track by it.
        args += ["-map", f"{index + 1}:s:0", f"-metadata:s:s:{index}", "language=chi",
                 f"-metadata:s:s:{index}", f"handler_name={TRACK_TITLES[variant]}"]
    if subs:
        args += ["-c:s", "mov_text", "-disposition:s:0", "0"]
    return args + ["-movflags", "+faststart"]


def _video_map(job: Job, label: str, copy: bool, sound: str) -> list[str]:
    """``sound``: the source's audio stream, copied when it is AAC, or a filtered label."""
    args = ["-map", label, "-map_metadata", "-1", "-map_chapters", "-1"]
    args += ["-c:v", "copy"] if copy else ["-c:v", "libx264", "-preset", job.render.preset,
                                            "-crf", str(job.render.crf), "-profile:v", "high"]
    if job.media.has_audio:
        args += ["-map", sound]
        copy_audio = sound == "0:a:0" and job.media.audio_codec == "aac"
        args += ["-c:a", "copy"] if copy_audio else ["-c:a", "aac", "-b:a", "128k"]
    return args


def web_ready(media: MediaInfo, web: Size) -> bool:
    """Whether the source video can go into web.mp4 unchanged."""
    return (media.video_codec == "h264" and media.rotation == 0
            and not media.variable_frame_rate
            and (media.width, media.height) == (web.width, web.height)
            and _pixel_format(media.path) == "yuv420p")


def _pixel_format(path: Path) -> str:
    result = subprocess.run([ffprobe_exe(), "-v", "error", "-select_streams", "v:0",
                             "-show_entries", "stream=pix_fmt", "-of", "csv=p=0", str(path)],
                            capture_output=True, text=True)
    return result.stdout.strip()
