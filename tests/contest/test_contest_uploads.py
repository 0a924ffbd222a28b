"""Hostile uploads through the real entrant form: each is refused with a clear Chinese
message, on upload (nothing stored) or by the intake job (the file removed, the reason
on the entrant's page); a good one is stored blind, outside the web root, stripped of
tags by the intake job, and served only as video."""
from __future__ import annotations

import io
import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from episodes import jobs
from episodes.contest import Submission
from studio import precheck, tasks
from studio.environment import Environment
from studio.media import ffmpeg_exe, ffprobe_exe
from tests.contest_fixtures import ENTRANT_NAME, SLUG, make_clip, session_of
from tests.support import STUDIO
from tests.logins import token


URL = f"/contest/{SLUG}/submit"
HLS = b"#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:10\n#EXTINF:10.0,\n/etc/passwd\n#EXT-X-ENDLIST\n"


def _upload(client, data: bytes, filename: str = "作品.mp4", title: str = "如何办理社保卡"):
    form = {"title": title, "csrf_token": token(client, URL), "video": (io.BytesIO(data), filename)}
    return client.post(URL, data=form, content_type="multipart/form-data")


def _stored(contest) -> tuple[list[str], int]:
    files = sorted(p.name for p in contest.uploads.iterdir()) if contest.uploads.exists() else []
    with session_of(contest.app) as db:
        return files, db.scalar(select(func.count(Submission.id)))


def _clip(contest, name: str, **kwargs) -> bytes:
    return make_clip(contest.clips, name, **kwargs).read_bytes()


REFUSED_ON_UPLOAD = {
    "zero bytes": (lambda c: b"", "empty.mp4", 422, "0 字节"),
    "path traversal name": (lambda c: _clip(c, "ok.mp4"), "../../static/evil.mp4", 422, "文件名不能包含路径"),
    "over the size cap": (lambda c: os.urandom(2 * 1024 * 1024 + 4096), "big.mp4", 422, "超过 2 MB"),
    "over the request cap": (lambda c: os.urandom(4 * 1024 * 1024), "huge.mp4", 413, "超过大小上限"),
}
REJECTED_BY_INTAKE = {
    "html renamed .mp4": (lambda c: b"<!doctype html><script>alert(1)</script>", "video.mp4", "无法识别为视频"),
    "script renamed .mp4": (lambda c: b"#!/bin/sh\nrm -rf /\n", "run.mp4", "无法识别为视频"),
    "HLS playlist to /etc/passwd": (lambda c: HLS, "playlist.mp4", "无法识别为视频"),
    "longer than the limit": (lambda c: _clip(c, "long.mp4", seconds=4), "long.mp4", "超过 2 秒的上限"),
    "no audio stream": (lambda c: _clip(c, "mute.mp4", audio=False), "mute.mp4", "没有声音轨道"),
    "below 720p": (lambda c: _clip(c, "small.mp4", size="640x360"), "small.mp4", "低于 720p"),
}


def _run_intake(contest) -> None:
    """Do what ``studio worker`` does with the jobs queued now (the intake checks); the
    pre-check jobs they queue stay queued."""
    queue = contest.app.extensions["jobs"]
    tasks.register(queue, Environment(environ=contest.environ), contest.uploads.parent)
    for _ in range(queue.huey.pending_count()):
        queue.huey.execute(queue.huey.dequeue())


@pytest.mark.parametrize("case", REFUSED_ON_UPLOAD, ids=list(REFUSED_ON_UPLOAD))
def test_upload_breaking_a_size_or_name_rule_is_refused_at_once_and_nothing_stored(login, contest, case):
    make, filename, status, message = REFUSED_ON_UPLOAD[case]
    before = _stored(contest)
    response = _upload(login("alice"), make(contest), filename)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)
    assert _stored(contest) == before


@pytest.mark.parametrize("case", REJECTED_BY_INTAKE, ids=list(REJECTED_BY_INTAKE))
def test_upload_that_is_not_an_allowed_video_is_rejected_by_the_intake_job(login, contest, case):
    make, filename, message = REJECTED_BY_INTAKE[case]
    files_before, rows_before = _stored(contest)
    client = login("alice")
    assert _upload(client, make(contest), filename).status_code == 302
    assert "待检查" in client.get("/contest/").get_data(as_text=True)
    _run_intake(contest)
    assert _stored(contest) == (files_before, rows_before + 1)  # the file is gone
    page = client.get("/contest/").get_data(as_text=True)
    assert "未通过" in page and message in page
    with session_of(contest.app) as db:
        assert db.scalar(select(Submission).order_by(Submission.id.desc())).intake == "rejected"


def test_a_good_upload_is_stored_under_a_random_name_outside_the_web_root(login, contest):
    before_files, before_rows = _stored(contest)
    response = _upload(login("alice"), _clip(contest, "ok.mp4"), "我的作品.mp4")
    assert response.status_code == 302
    files, rows = _stored(contest)
    new = set(files) - set(before_files)
    assert rows == before_rows + 1 and len(new) == 1
    name = new.pop()
    assert "作品" not in name and len(name) == len("0" * 32 + ".video")
    web_roots = [Path(contest.app.static_folder), Path(contest.app.config["MEDIA_ROOT"])]
    assert not any(contest.uploads.resolve().is_relative_to(root.resolve()) for root in web_roots)


def test_tags_naming_the_author_are_removed_before_judges_get_the_file(login, contest):
    clip = make_clip(contest.clips, "tagged-src.mp4")
    tagged = contest.clips / "tagged.mp4"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-i", str(clip), "-c", "copy",
                    "-metadata", f"artist={ENTRANT_NAME}", "-metadata:s:v:0", f"title={ENTRANT_NAME}",
                    str(tagged)], check=True)
    before = set(_stored(contest)[0])
    assert _upload(login("alice"), tagged.read_bytes()).status_code == 302
    _run_intake(contest)
    (stored,) = set(_stored(contest)[0]) - before
    judge_copy = subprocess.run([ffprobe_exe(), "-v", "error", "-show_format", "-show_streams",
                                 str(contest.uploads / stored)], capture_output=True, text=True).stdout
    assert "codec_name=h264" in judge_copy and ENTRANT_NAME not in judge_copy


def _named_everywhere(folder: Path, container: str) -> Path:
    """A 2 s clip whose every side channel names the entrant: global and stream tags, a
    cover picture, chapters, and a timecode data stream (MP4) or an attachment (MKV),
    beside a caption track that must survive."""
    captions, cover, meta = folder / "cap.srt", folder / "cover.png", folder / "meta.txt"
    captions.write_text("1\n00:00:00,500 --> 00:00:01,500\n社保卡怎么补办\n", encoding="utf-8")
    meta.write_text(f";FFMETADATA1\ntitle={ENTRANT_NAME}\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\n"
                    f"END=1000\ntitle={ENTRANT_NAME}的片头\n", encoding="utf-8")
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=red:s=320x240",
                    "-frames:v", "1", str(cover)], check=True)
    target = folder / f"named.{container}"
    if container == "mp4":
        extra = ["-map", "4:v", "-c:v:1", "png", "-disposition:v:1", "attached_pic",
                 "-c:s", "mov_text", "-timecode", "00:00:00:00"]
    else:  # Matroska keeps a cover as an image attachment, shown as an attached picture
        extra = ["-c:s", "subrip", "-attach", str(cover), "-metadata:s:t:0", "mimetype=image/png",
                 "-attach", str(meta), "-metadata:s:t:1", "mimetype=text/plain",
                 "-metadata:s:t:1", f"filename={ENTRANT_NAME}.txt"]
    subprocess.run([ffmpeg_exe(), "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=steelblue:s=1280x720:r=10:d=2",
                    "-f", "lavfi", "-i", "sine=frequency=440:duration=2", "-i", str(captions), "-i", str(meta),
                    "-i", str(cover), "-map", "0:v", "-map", "1:a", "-map", "2:s", "-map_metadata", "3", "-map_chapters", "3",
                    "-c:v:0", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    *extra, "-metadata", f"artist={ENTRANT_NAME}", "-metadata:s:a:0", f"handler_name={ENTRANT_NAME}",
                    "-metadata:s:s:0", f"title={ENTRANT_NAME}", "-metadata:s:s:0", "language=chi",
                    "-t", "2", str(target)], check=True)
    return target


def _probe(path: Path) -> dict:
    return json.loads(subprocess.run([ffprobe_exe(), "-v", "error", "-of", "json", "-show_format",
                                      "-show_streams", "-show_chapters", str(path)],
                                     capture_output=True, text=True, check=True).stdout)


@pytest.mark.parametrize("container", ["mp4", "mkv"])
def test_cover_art_chapters_data_and_attachments_are_dropped_but_captions_kept(login, contest, container):
    named = _named_everywhere(contest.clips, container)
    source = _probe(named)
    assert ENTRANT_NAME in json.dumps(source, ensure_ascii=False) and source["chapters"]
    assert any(s.get("disposition", {}).get("attached_pic") for s in source["streams"])
    assert {"data", "attachment"} & {s["codec_type"] for s in source["streams"]}
    before = set(_stored(contest)[0])
    assert _upload(login("alice"), named.read_bytes(), f"作品.{container}").status_code == 302
    _run_intake(contest)
    (stored,) = set(_stored(contest)[0]) - before
    judge_copy = _probe(contest.uploads / stored)
    assert [s["codec_type"] for s in judge_copy["streams"]] == ["video", "audio", "subtitle"]
    assert not any(s["disposition"].get("attached_pic") for s in judge_copy["streams"])
    assert judge_copy["chapters"] == []
    assert ENTRANT_NAME not in json.dumps(judge_copy, ensure_ascii=False)
    assert judge_copy["streams"][2].get("tags", {}).get("language", "und") == "und"
    assert precheck.has_caption_stream(contest.uploads / stored)


def test_uploaded_video_is_served_only_as_video_never_inline_html(login, contest):
    video = login("org").get(f"/contest/{SLUG}/video/{contest.codes['S1']}")
    assert video.status_code == 200 and video.mimetype == "video/mp4"
    assert video.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in video.headers["Content-Security-Policy"]


def test_upload_form_needs_a_csrf_token(login, contest):
    client = login("alice")
    response = client.post(URL, data={"title": "x", "video": (io.BytesIO(b"x"), "a.mp4")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert _stored(contest)[1] == 2


def test_studio_worker_accepts_a_good_upload_and_the_entrant_sees_it(login, contest):
    client = login("alice")
    assert _upload(client, _clip(contest, "ok.mp4"), "我的作品.mp4").status_code == 302
    with session_of(contest.app) as db:
        submission_id = db.scalar(select(func.max(Submission.id)))
    worker = subprocess.Popen([STUDIO, "worker"], env=contest.environ,
                              stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while _intake(contest, submission_id) == "checking":
            assert time.monotonic() < deadline and worker.poll() is None, "intake never finished"
            time.sleep(0.2)
    finally:
        worker.terminate()  # SIGTERM stops at once: the pre-check it moved on to is not needed
        worker.wait(20)
    with session_of(contest.app) as db:
        submission = db.get(Submission, submission_id)
        assert (submission.intake, submission.width, submission.height) == ("accepted", 1280, 720)
        assert submission.container.startswith("mov,mp4")
    row = f">{submission.code}</a></td>"
    page = client.get("/contest/").get_data(as_text=True)
    assert "已受理" in page.split(row)[1].split("</tr>")[0]


def _intake(contest, submission_id: int) -> str:
    with session_of(contest.app) as db:
        return db.get(Submission, submission_id).intake


def test_the_entrant_sees_how_far_the_intake_check_has_got(login, contest):
    client = login("alice")
    assert _upload(client, _clip(contest, "ok.mp4"), "我的作品.mp4").status_code == 302
    engine = contest.app.extensions["catalog_engine"]
    with session_of(contest.app) as db:
        job_id = db.scalar(select(jobs.Job.id).where(jobs.Job.kind == "contest.intake"))
    claim = jobs.claim(engine, job_id, lease_seconds=60, worker="test")
    jobs.JobProgress(engine, claim).set(0.4, "checking the video", force=True)
    assert "待检查（40%）" in client.get("/contest/").get_data(as_text=True)


def test_the_organiser_sees_uploads_waiting_for_the_check_and_those_it_rejected(login, contest):
    client = login("alice")
    assert _upload(client, _clip(contest, "ok.mp4"), "我的作品.mp4").status_code == 302
    page = login("org").get(f"/contest/admin/{SLUG}").get_data(as_text=True)
    assert "待检查（格式）" in page
    assert _upload(client, _clip(contest, "mute.mp4", audio=False), "mute.mp4").status_code == 302
    _run_intake(contest)
    page = login("org").get(f"/contest/admin/{SLUG}").get_data(as_text=True)
    assert "未通过：视频没有声音轨道" in page
