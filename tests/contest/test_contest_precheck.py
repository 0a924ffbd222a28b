"""The automatic pre-check on real files: loudness, caption track, our transcription and
the glossary's plain-language score; a broken submission fails alone."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from sqlalchemy import select

from episodes.contest import PrecheckReport, Submission, create_contest
from studio import precheck
from studio.contest_intake import Entrant, accept
from studio.media import ffmpeg_exe
from tests.support import FIXTURES
from tests.contest_fixtures import build_app, make_clip, session_of


def _spoken_clip(folder):
    """The short spoken guide (社保卡…补办) over a 1280x720 picture."""
    target = folder / "spoken.mp4"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-f", "lavfi",
                    "-i", "color=c=white:s=1280x720:r=10", "-i", str(FIXTURES / "short_guide.wav"),
                    "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
                    "-shortest", str(target)], check=True)
    return target


def _contest_with(app, clips) -> list[Submission]:
    with session_of(app) as db:
        contest = create_contest(db, "pc", "预检测试")
        accepted = []
        for clip in clips:
            with open(clip, "rb") as f:
                accepted.append(accept(db, contest, f, clip.name, _uploads(app) / "pc", clip.stem,
                                       Entrant("x")))
        db.commit()
    return accepted


def _uploads(app) -> Path:
    return Path(app.config["CONTEST_UPLOADS"])


def _reports(app):
    with session_of(app) as db:
        return {r.submission_id: r for r in db.scalars(select(PrecheckReport))}


def test_a_broken_submission_fails_alone_with_its_reason(environ, tmp_path):
    app = build_app(tmp_path / "instance", environ)
    kept, gone = _contest_with(app, [make_clip(tmp_path, "tone.mp4"), make_clip(tmp_path, "gone.mp4")])
    (_uploads(app) / "pc" / gone.stored_name).unlink()  # the file vanished after intake
    assert precheck.run(app.extensions["catalog_sessions"], _uploads(app), [gone.id]) == (0, 1)
    report = _reports(app)[gone.id]
    assert report.status == "failed" and "could not measure loudness" in report.error
    assert str(tmp_path) not in report.error  # judges read it: no server paths
    assert _reports(app)[kept.id].status == "pending"


@pytest.mark.slow
def test_precheck_measures_loudness_transcribes_and_scores_plain_language(environ, tmp_path):
    app = build_app(tmp_path / "instance", environ)
    ids = [s.id for s in _contest_with(app, [_spoken_clip(tmp_path), make_clip(tmp_path, "tone.mp4")])]
    done, failed = precheck.run(app.extensions["catalog_sessions"], _uploads(app), ids)
    assert (done, failed) == (2, 0)
    spoken, tone = (_reports(app)[i] for i in ids)
    assert spoken.status == "done" and spoken.progress == 100
    assert -40 < spoken.loudness_lufs < 0 and spoken.has_caption_stream is False
    assert spoken.speech_chars >= 15 and 0 <= spoken.plain_score <= 100
    assert any("没有字幕轨" in v for v in spoken.violations)
    assert tone.speech_chars == 0 and "未识别出讲解语音" in tone.violations


def test_transcription_progress_reaches_the_report_in_steps():
    seen = []
    bar = precheck.ReportProgress(seen.append).bar(10.0, "transcribe")
    for _ in range(10):
        bar.update(1.0)
    bar.close()
    assert seen == [26, 32, 38, 44, 50, 56, 62, 68, 74, 80]
    assert len(seen) == len(set(seen)) and all(20 < p <= 80 for p in seen)
