"""The deliverables of the render stages, checked with ffprobe, loudness meters and pixels.

One real render of a shared 45-second clip (with the 9:16 variant) feeds most tests;
the subtitle tracks are the clip's true-timing SRT, so no speech model runs here.
"""
from __future__ import annotations

import json
import subprocess

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from studio.pipeline import RENDER_STAGES, run_stages
from studio.stages.burnin import burn_in_script, cjk_font_file
from studio.stages.geometry import Size
from subtitles.profiles import get_profile
from tests.render_support import (INGEST, NON_CJK_FONT, ffprobe, gray_frame, loudness, prepared_job, statuses,
                                  streams, top_level_boxes)

# --- one real render of a shared clip -------------------------------------------------

@pytest.fixture(scope="module")
def rendered(shared_media, tmp_path_factory):
    clip = shared_media / "guide_business_license.mp4"
    job = prepared_job(tmp_path_factory.mktemp("render"), clip,
                       shared_media / "guide_business_license.srt", vertical=True)
    results = run_stages(job, INGEST + RENDER_STAGES)
    return job, statuses(results)


def test_every_deliverable_is_made(rendered):
    job, status = rendered
    assert status == {"ingest": "done", "video": "done", "artwork": "done", "podcast": "done",
                      "bumpers": "skipped"}
    for path in (job.work.web_video, job.work.burned_video, job.work.vertical_video,
                 job.work.poster, job.work.cover, job.work.podcast_mp3, job.work.podcast_m4a):
        assert path.stat().st_size > 1000, path
    assert not list(job.work.root.glob(".*part*")), "temporary files left behind"


def test_web_video_is_h264_aac_faststart_with_two_soft_subtitle_tracks(rendered):
    job, _ = rendered
    video, = streams(job.work.web_video, "video")
    assert (video["codec_name"], video["width"], video["height"]) == ("h264", 640, 360)
    assert [s["codec_name"] for s in streams(job.work.web_video, "audio")] == ["aac"]
    subs = streams(job.work.web_video, "subtitle")
    assert [s["codec_name"] for s in subs] == ["mov_text", "mov_text"]
    assert [s["tags"]["handler_name"] for s in subs] == ["逐字字幕", "通俗字幕"]
    assert {s["tags"]["language"] for s in subs} <= {"chi", "zho"}
    boxes = top_level_boxes(job.work.web_video)
    assert boxes.index("moov") < boxes.index("mdat")


def test_burned_and_vertical_videos(rendered):
    job, _ = rendered
    for path, size in ((job.work.burned_video, (640, 360)), (job.work.vertical_video, (360, 640))):
        video, = streams(path, "video")
        assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
        assert (video["width"], video["height"]) == size
        assert streams(path, "audio") and not streams(path, "subtitle")
        boxes = top_level_boxes(path)
        assert boxes.index("moov") < boxes.index("mdat")
        duration = float(ffprobe(path)["format"]["duration"])
        assert abs(duration - job.media.duration_ms / 1000) < 0.2


def test_burned_text_is_drawn_in_the_bottom_title_safe_area(rendered):
    job, _ = rendered
    web, burned = gray_frame(job.work.web_video, 3.0), gray_frame(job.work.burned_video, 3.0)
    difference = np.abs(web.astype(int) - burned.astype(int))
    height = web.shape[0]
    text_rows = np.nonzero(difference.max(axis=1) > 100)[0]
    assert text_rows.size, "no subtitle drawn"
    assert text_rows.min() > height * 0.6 and text_rows.max() < height * 0.95
    assert difference[: height // 2].mean() < 2  # the rest of the picture is untouched


def _ink(image: np.ndarray) -> np.ndarray:
    """The text's bounding box, scaled to a fixed size: shapes compared, not sizes."""
    rows, cols = np.nonzero(image > 128)
    crop = Image.fromarray(image[rows.min():rows.max() + 1, cols.min():cols.max() + 1])
    return np.asarray(crop.resize((96, 24), Image.BILINEAR), dtype=float)


def _pillow_text(text: str, font: ImageFont.FreeTypeFont) -> np.ndarray:
    image = Image.new("L", (900, 200))
    ImageDraw.Draw(image).text((20, 20), text, font=font, fill=255)
    return np.asarray(image)


def _likeness(a: np.ndarray, b: np.ndarray) -> float:
    return float(np.corrcoef(a.ravel(), b.ravel())[0, 1])


def test_burned_glyphs_are_chinese_not_tofu_boxes(tmp_path):
    """libass output matches the Noto CJK glyphs, and not a font's empty .notdef boxes."""
    text = "营业执照"
    srt = tmp_path / "one.srt"
    srt.write_text(f"1\n00:00:00,000 --> 00:00:02,000\n{text}\n", encoding="utf-8")
    (tmp_path / "one.ass").write_text(burn_in_script(srt, Size(1280, 720),
                                                     get_profile("broadcast-zh")), encoding="utf-8")
    raw = subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i",
                          "color=black:s=1280x720:d=1", "-vf", "subtitles=filename=one.ass",
                          "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"],
                         cwd=tmp_path, capture_output=True, check=True).stdout
    burned = _ink(np.frombuffer(raw, np.uint8).reshape(720, 1280))
    font_file, index = cjk_font_file()
    reference = _ink(_pillow_text(text, ImageFont.truetype(str(font_file), 64, index=index)))
    tofu = _ink(_pillow_text(text, ImageFont.truetype(str(NON_CJK_FONT), 64)))
    assert _likeness(burned, reference) > 0.85
    assert _likeness(burned, tofu) < 0.3


def test_podcast_audio_is_at_minus_16_lufs_and_tagged_with_cover(rendered):
    job, _ = rendered
    for path, codec in ((job.work.podcast_mp3, "mp3"), (job.work.podcast_m4a, "aac")):
        measured = loudness(path)
        assert -17 <= measured["I"] <= -15 and measured["TP"] <= -1.0, (path, measured)
        assert [s["codec_name"] for s in streams(path, "audio")] == [codec]
        cover, = streams(path, "video")
        assert cover["disposition"]["attached_pic"] == 1
        tags = {k.lower(): v for k, v in ffprobe(path)["format"]["tags"].items()}
        assert tags["title"] == "新办企业怎么申领营业执照"
        assert tags["album"] == "武陵政务服务导办" and tags["date"] == "2026-11-24"


def test_poster_and_square_cover(rendered):
    job, _ = rendered
    with Image.open(job.work.poster) as poster:
        assert (poster.format, poster.size) == ("JPEG", (640, 360))
    with Image.open(job.work.cover) as cover:
        assert cover.format == "JPEG" and cover.size == (1400, 1400)
    episode = json.loads(job.work.metadata.read_text(encoding="utf-8"))
    assert episode["duration_ms"] == job.media.duration_ms
    assert episode["guests"] == [{"name": "王敏", "department": "区市场监管局"}]
    assert episode["slug"] == "guide-business-license" and episode["kind"] == "guide"
