"""Awkward recordings: odd sizes, rotation, variable frame rate, missing streams, damage.

Tiny synthetic clips made with ffmpeg's lavfi sources; the render stages run for
real on each, with a known SRT standing in for the text stages.
"""
from __future__ import annotations

import subprocess
import time

import pytest

from studio.errors import MediaError
from studio.media import probe
from studio.pipeline import RENDER_STAGES, run_stages
from tests.support import FIXTURES, STUDIO
from tests.render_support import (INGEST, lavfi_clip, prepared_job, statuses, streams,
                                       top_level_boxes)

SRT = FIXTURES / "short_guide.srt"


def render(tmp_path, clip, **options):
    job = prepared_job(tmp_path, clip, SRT, **options)
    return job, statuses(run_stages(job, INGEST + RENDER_STAGES))


def video_size(path) -> tuple[int, int]:
    video, = streams(path, "video")
    return video["width"], video["height"]


def test_odd_dimensions_become_even(tmp_path):
    clip = lavfi_clip(tmp_path / "odd.mkv", video="testsrc2=s=321x241:r=25")
    job, status = render(tmp_path, clip, vertical=True)
    assert status["video"] == "done"
    assert video_size(job.work.web_video) == (320, 240)
    assert video_size(job.work.burned_video) == (320, 240)
    width, height = video_size(job.work.vertical_video)
    assert width % 2 == 0 and height % 2 == 0 and abs(width / height - 9 / 16) < 0.01


def test_rotated_phone_video_is_turned_upright(tmp_path):
    upright = lavfi_clip(tmp_path / "upright.mp4", video="testsrc2=s=320x180:r=25")
    clip = tmp_path / "phone.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-i", str(upright), "-c", "copy",
                    "-metadata:s:v:0", "rotate=90", str(clip)], check=True)
    assert probe(clip).rotation in (90, 270)
    job, _ = render(tmp_path, clip)
    assert video_size(job.work.web_video) == (180, 320)
    assert probe(job.work.web_video).rotation == 0
    assert probe(job.work.burned_video).rotation == 0


def test_variable_frame_rate_becomes_constant(tmp_path):
    clip = lavfi_clip(tmp_path / "vfr.mp4", video="testsrc2=s=320x180:r=30", seconds=3,
                      extra=("-vf", r"select=not(mod(n\,3))+lt(n\,20)", "-fps_mode", "vfr"))
    assert probe(clip).variable_frame_rate
    job, _ = render(tmp_path, clip)
    for path in (job.work.web_video, job.work.burned_video):
        assert not probe(path).variable_frame_rate


def test_large_video_is_scaled_to_1080p(tmp_path):
    clip = lavfi_clip(tmp_path / "uhd.mp4", video="testsrc2=s=2560x1440:r=5", seconds=1)
    job, _ = render(tmp_path, clip)
    assert video_size(job.work.web_video) == (1920, 1080)


def test_audio_only_gets_podcast_and_cover_but_no_video(tmp_path):
    clip = lavfi_clip(tmp_path / "call.m4a", video=None, seconds=3)
    job, status = render(tmp_path, clip)
    assert status["video"] == "skipped" and status["podcast"] == "done"
    assert job.work.podcast_mp3.exists() and job.work.podcast_m4a.exists()
    assert job.work.cover.exists()
    assert not job.work.web_video.exists() and not job.work.poster.exists()


def test_video_without_audio_skips_the_podcast_with_a_reason(tmp_path):
    clip = lavfi_clip(tmp_path / "silent.mp4", audio=None)
    job, status = render(tmp_path, clip)
    assert status["podcast"] == "skipped"
    assert not job.work.podcast_mp3.exists()
    assert not streams(job.work.web_video, "audio") and not streams(job.work.web_video, "subtitle")
    boxes = top_level_boxes(job.work.web_video)
    assert boxes.index("moov") < boxes.index("mdat")


@pytest.mark.parametrize("damage", ["empty", "truncated-index", "truncated-data", "not-media"])
def test_damaged_recordings_fail_with_one_line_and_write_nothing(tmp_path, shared_media, damage):
    clip = tmp_path / "damaged.mp4"
    if damage == "truncated-index":  # moov at the end, cut off
        whole = lavfi_clip(tmp_path / "whole.mp4", seconds=3)
        clip.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    elif damage == "truncated-data":  # faststart: the index survives, the data does not
        source = shared_media / "guide_business_license.mp4"
        clip.write_bytes(source.read_bytes()[:300_000])
    else:
        clip.write_bytes(b"" if damage == "empty" else b"not a video at all\n" * 50)
    job = prepared_job(tmp_path, clip, SRT)
    with pytest.raises(MediaError) as caught:
        run_stages(job, INGEST + RENDER_STAGES)
    message = str(caught.value)
    assert message.startswith(str(clip)) and "\n" not in message
    made = {path.name for path in job.work.root.iterdir()} - {"verbatim.srt", "plain.srt"}
    assert made <= {"manifest.json", ".studio.lock"}


def test_cli_reports_bad_input_in_one_line_without_traceback(environ, tmp_path):
    clip = tmp_path / "broken.mp4"
    clip.write_bytes(b"\x00" * 4096)
    work = tmp_path / "work"
    done = subprocess.run([STUDIO, "run", str(clip),
                           "--work", str(work), "-q"], env=environ, capture_output=True, text=True)
    assert done.returncode == 3
    assert done.stderr.startswith("Error: ") and str(clip) in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert not work.exists()


def test_bumpers_are_short_title_cards_at_the_web_size(tmp_path):
    clip = lavfi_clip(tmp_path / "clip.mp4", video="testsrc2=s=320x180:r=25")
    job, status = render(tmp_path, clip, bumpers=True)
    assert status["bumpers"] == "done"
    for name in ("intro", "outro"):
        path = job.work.bumper(name)
        video, = streams(path, "video")
        assert (video["codec_name"], video["width"], video["height"]) == ("h264", 320, 180)
        assert abs(probe(path).duration_ms - 3000) < 100
    _, again = render(tmp_path, clip, bumpers=True)
    assert again["bumpers"] == "up to date"


@pytest.mark.slow
def test_truncated_recording_stops_studio_run_and_the_model(environ, tmp_path, shared_media):
    """The ingest check fails while the model transcribes beside it; the model stops too."""
    clip = tmp_path / "cut.mp4"
    clip.write_bytes((shared_media / "talk_legal_aid.mp4").read_bytes()[:400_000])
    work = tmp_path / "work"
    started = time.monotonic()
    done = subprocess.run([STUDIO, "run", str(clip),
                           "--work", str(work), "-q"], env=environ, capture_output=True, text=True)
    assert done.returncode == 3 and "truncated" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert not (work / "transcript.json").exists() and not (work / "episode.json").exists()
    assert time.monotonic() - started < 60
