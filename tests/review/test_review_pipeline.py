"""Human edits are the source of truth in the work folder: a subtitle file edited in an
editor survives a rerun and reaches every derived track and video; a new machine text
never replaces reviewed text; private spans are silent in every rendered file.

Real ffmpeg on a tiny synthetic clip; the transcript is written as the recogniser would
have (no model), so each test runs in seconds.
"""
from __future__ import annotations

from dataclasses import replace

import pysubs2
import pytest

from studio.errors import StudioError
from studio.pipeline import run_stages
from studio.reviewed import load_log, save_log
from studio.files import write_text
from subtitles.cue import Cue
from subtitles.errors import SubtitleError
from subtitles.review import PrivateSpan
from subtitles.transcript import Transcript
from tests.review.review_pipeline_data import (NO_MODEL, edit_like_aegisub, heard_transcript, known_job,
                                        mean_volume, soft_subtitles)
from tests.render_support import statuses


def ran(job) -> dict[str, str]:
    return statuses(run_stages(job, NO_MODEL))


def replaced(cues, old: str, new: str) -> list[Cue]:
    return [Cue(c.start_ms, c.end_ms, tuple(line.replace(old, new) for line in c.lines)) for c in cues]


def text_of(path) -> str:
    return path.read_text(encoding="utf-8-sig")


@pytest.fixture
def job(tmp_path):
    job = known_job(tmp_path)
    ran(job)
    return job


def test_the_first_run_makes_the_machine_text_revision_1(job):
    log = load_log(job.work)
    assert [(r.number, r.source, r.author) for r in log.revisions] == [(1, "machine", "machine (base)")]
    assert "趋司法局" in text_of(job.work.subtitles("verbatim", "srt"))
    assert ran(job)["verbatim"] == "up to date"


def test_an_edit_in_a_subtitle_editor_survives_the_rerun_and_reaches_every_track_and_video(job):
    edit_like_aegisub(job.work.subtitles("verbatim", "srt"), "趋司法局", "区司法局")
    results = run_stages(job, NO_MODEL)
    status = statuses(results)
    assert status["verbatim"] == status["plain"] == status["video"] == "done"
    assert status["podcast"] == "up to date"  # the sound did not change
    note = next(r.note for r in results if r.name == "verbatim")
    assert "imported your edit of verbatim.srt as revision 2" in note
    log = load_log(job.work)
    assert [(r.number, r.source, r.author) for r in log.revisions][-1] == (2, "editor", "editor (verbatim.srt)")
    for path in (job.work.subtitles("verbatim", fmt) for fmt in ("srt", "vtt", "ass")):
        assert "区司法局" in text_of(path) and "趋司法局" not in text_of(path), path.name
    assert "区司法局" in text_of(job.work.subtitles("plain", "srt"))  # burned into burned.mp4 from here
    assert "区司法局" in soft_subtitles(job.work.web_video, 0)
    assert "区司法局" in soft_subtitles(job.work.web_video, 1)
    assert ran(job)["verbatim"] == "up to date"  # taken in once
    assert len(load_log(job.work).revisions) == 2


@pytest.mark.parametrize("fmt", ["vtt", "ass"])
def test_edits_of_the_vtt_or_ass_track_are_taken_in_too(job, fmt):
    edit_like_aegisub(job.work.subtitles("verbatim", fmt), "趋司法局", "区司法局")
    ran(job)
    assert load_log(job.work).current.author == f"editor (verbatim.{fmt})"
    assert "区司法局" in text_of(job.work.subtitles("verbatim", "srt"))


def test_a_damaged_edited_file_is_one_line_and_nothing_is_overwritten(job):
    srt = job.work.subtitles("verbatim", "srt")
    damaged = "1\n00:00:05,000 --> 00:00:01,000\n倒着的时间\n"
    srt.write_text(damaged, encoding="utf-8")
    before = job.work.review.read_bytes()
    with pytest.raises(SubtitleError) as caught:
        run_stages(job, NO_MODEL)
    assert "verbatim.srt" in str(caught.value) and "\n" not in str(caught.value)
    assert job.work.review.read_bytes() == before and text_of(srt) == damaged


def test_an_editor_edit_and_a_workspace_revision_at_once_are_refused_naming_both(job):
    log = load_log(job.work)
    browser = log.commit(1, replaced(log.current.cues, "趋", "区"), "王芳", "browser",
                         "2026-11-30T04:00:00+00:00")
    save_log(job.work, browser)  # what episode.rederive writes after a browser edit
    edit_like_aegisub(job.work.subtitles("verbatim", "srt"), "趋司法局", "区司法局局")
    before = text_of(job.work.subtitles("verbatim", "srt"))
    with pytest.raises(StudioError) as caught:
        run_stages(job, NO_MODEL)
    message = str(caught.value)
    assert "verbatim.srt" in message and "review.json" in message and "王芳" in message
    assert text_of(job.work.subtitles("verbatim", "srt")) == before  # the edit is still there
    assert len(load_log(job.work).revisions) == 2


def test_a_new_machine_text_keeps_the_reviewed_text_and_reports_where_it_differs(job):
    edit_like_aegisub(job.work.subtitles("verbatim", "srt"), "趋司法局", "区司法局")
    ran(job)
    other_model = heard_transcript(("欢迎来到去司法局。", "法律援助热线是一二三四八。", "打电话前请准备好身份证。"),
                                   model="small")
    write_text(job.work.transcript, other_model.to_json())
    results = run_stages(job, NO_MODEL)
    note = next(r.note for r in results if r.name == "verbatim")
    assert "kept the reviewed text (revision 2)" in note and "retranscribe-diff.json" in note
    assert "区司法局" in text_of(job.work.subtitles("verbatim", "srt"))
    report = job.work.retranscribe_diff.read_text(encoding="utf-8")
    assert "去司法局" in report and "区司法局" in report and "machine (small)" in report
    assert len(load_log(job.work).revisions) == 2


def test_a_new_machine_text_replaces_a_machine_text_nobody_reviewed(job):
    write_text(job.work.transcript, heard_transcript(("欢迎来到区司法局。", "法律援助热线。", "请带身份证。"),
                                                     model="small").to_json())
    ran(job)
    log = load_log(job.work)
    assert [(r.number, r.source, r.author) for r in log.revisions][-1] == (2, "machine", "machine (small)")
    assert not job.work.retranscribe_diff.exists()


def test_a_private_span_is_silent_in_every_rendered_file_and_the_rest_is_not(job):
    log = load_log(job.work)
    cues = replaced(log.current.cues, "一二三四八", "")  # staff took the number out
    save_log(job.work, log.commit(1, cues, "王芳", "browser", "2026-11-30T04:00:00+00:00",
                                  private=[PrivateSpan(2000, 3500, "caller's phone number")]))
    job.render = replace(job.render, vertical=True)
    status = ran(job)
    assert status["video"] == status["podcast"] == "done"
    for path in (job.work.web_video, job.work.burned_video, job.work.vertical_video, job.work.podcast_mp3,
                 job.work.podcast_m4a):
        assert mean_volume(path, 2.3, 0.9) < -70, path.name
        assert mean_volume(path, 4.2, 1.0) > -40, path.name
    for track in ("verbatim", "plain"):
        for fmt in ("srt", "vtt", "ass"):
            assert "一二三四八" not in text_of(job.work.subtitles(track, fmt))
    assert "一二三四八" not in soft_subtitles(job.work.web_video, 0)
    published = Transcript.load(job.work.public_transcript).words  # the library's transcript.json
    assert published and all(w.end_ms <= 2000 or w.start_ms >= 3500 for w in published)


def test_the_plain_wording_staff_chose_is_the_plain_track_of_that_cue(job):
    log = load_log(job.work)
    first = log.current.cues[0].text
    save_log(job.work, log.commit(1, log.current.cues, "王芳", "browser", "2026-11-30T04:00:00+00:00",
                                  plain_choices=[(first, "欢迎致电区司法局法律援助热线")]))
    assert ran(job)["plain"] == "done"
    plain = pysubs2.load(str(job.work.subtitles("plain", "srt")))
    assert plain[0].plaintext.replace("\n", "") == "欢迎致电区司法局法律援助热线"


def test_a_chosen_wording_keeps_the_aside_the_track_puts_in_its_cue(job):
    """The first cue is too short to explain 行政复议, so the track explains it in front of
    the next; keeping 容缺受理 in that cue (保留规范说法) must not drop the explanation."""
    cues = (Cue(0, 900, ("申请行政复议",)), Cue(960, 5000, ("窗口可以容缺受理",)))
    kept = "窗口可以容缺受理"  # what the workspace stores when staff keep the official term
    save_log(job.work, load_log(job.work).commit(1, cues, "王芳", "browser", "2026-11-30T04:00:00+00:00",
                                                 plain_choices=[(cues[1].text, kept)]))
    assert ran(job)["plain"] == "done"
    plain = pysubs2.load(str(job.work.subtitles("plain", "srt")))
    assert [event.plaintext.split("\n") for event in plain] == [
        ["申请行政复议"], ["（行政复议：对政府决定的复查）", "窗口可以容缺受理"]]
