"""The episode.rederive job through the real queue: after a browser edit is approved, the
work folder, its tracks and videos and the library files follow the approved text on the
same episode; a folder edited meanwhile is refused naming both; a rerun finds nothing to do.
On each catalog engine (``settings_catalog``)."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from episodes import jobs
from episodes.db import make_sessionmaker
from episodes.models import Episode
from episodes.review import save_revision
from studio import tasks
from studio.cli import cli
from studio.environment import Environment
from studio.pipeline import run_stages
from studio.reviewed import load_log
from studio.stages.job import RenderOptions
from subtitles.cue import Cue
from subtitles.review import PrivateSpan
from subtitles.transcript import Transcript
from web import create_app
from web.db import get_session
from tests.catalog_fixtures import catalog_engine
from tests.logins import add_account, log_in
from tests.review.review_pipeline_data import NO_MODEL, known_job
from tests.render_support import statuses
from tests.review.review_pipeline_data import edit_like_aegisub, mean_volume, soft_subtitles

FIXED = (Cue(0, 3800, ("欢迎来到区司法局", "法律援助热线是")), Cue(4000, 5793, ("打电话前请准备好身份证",)))


@pytest.fixture
def published(runner, instance, settings_catalog, tmp_path):
    """A rendered work folder published without review, then fixed in the workspace."""
    job = known_job(tmp_path)
    run_stages(job, NO_MODEL)
    assert runner.invoke(cli, ["publish", str(job.work.root), "--unreviewed"]).exit_code == 0
    engine = catalog_engine(instance, settings_catalog)
    with make_sessionmaker(engine).begin() as session:
        episode = session.scalars(select(Episode)).one()
        save_revision(session, episode, 1, FIXED, "王芳", private=[PrivateSpan(2000, 3500, "热线号码")])
    yield job, engine
    engine.dispose()


def approve_and_work(runner, engine, retries: str = "0") -> jobs.Job:
    """`studio review approve` enqueues the job; a worker built from the settings runs it
    once; the job row comes back, and nothing else may wait on the queue."""
    runner.environ["WULING_JOB_RETRIES"] = retries
    approved = runner.invoke(cli, ["review", "approve", "legal-aid", "--by", "王芳"])
    assert approved.exit_code == 0, approved.output
    queue = tasks.build_queue(Environment(environ=runner.environ), engine)
    message = queue.huey.dequeue()
    assert message is not None, "approving queued no job"
    try:
        queue.huey.execute(message)
    except Exception:  # noqa: BLE001 -- the job row records it; the test reads the row
        pass
    assert queue.huey.pending_count() == 0 and queue.huey.scheduled_count() == 0, "a retry is waiting"
    with make_sessionmaker(engine)() as session:
        return session.scalars(select(jobs.Job).where(jobs.Job.kind == "episode.rederive")
                               .order_by(jobs.Job.id.desc())).first()


def test_an_approved_browser_edit_reaches_the_folder_the_videos_and_the_library(environ, runner, published, instance):
    job, engine = published
    with make_sessionmaker(engine)() as session:
        before = session.scalars(select(Episode)).one()
        episode_id, old_video = before.id, before.asset("web_video").path
    done = approve_and_work(runner, engine)
    assert done.state == "done", done.error
    assert load_log(job.work).current.author == "王芳"
    assert "区司法局" in job.work.subtitles("verbatim", "srt").read_text(encoding="utf-8")
    assert "区司法局" in soft_subtitles(job.work.web_video, 0)
    assert mean_volume(job.work.podcast_mp3, 2.3, 0.9) < -70
    with make_sessionmaker(engine)() as session:
        episode = session.scalars(select(Episode)).one()
        assert episode.id == episode_id and episode.status == "published"  # same row: same GUID
        new_video = episode.asset("web_video").path
        assert new_video != old_video and (instance / "media" / new_video).is_file()
        assert (instance / "media" / old_video).is_file()  # a viewer mid-stream keeps the old one
        library_podcast = instance / "media" / episode.asset("podcast_mp3").path
        library_words = Transcript.load(instance / "media" / episode.asset("transcript_json").path).words
    assert mean_volume(library_podcast, 2.3, 0.9) < -70
    assert all(w.end_ms <= 2000 or w.start_ms >= 3500 for w in library_words)
    job.render = RenderOptions.from_settings(Environment(environ=environ))  # as the worker rendered
    rerun = statuses(run_stages(job, NO_MODEL))
    assert set(rerun.values()) <= {"up to date", "skipped"}, rerun  # no edit seen where there is none


def test_a_folder_edited_since_publishing_is_refused_naming_both(runner, environ, published, instance):
    job, engine = published
    edit_like_aegisub(job.work.subtitles("verbatim", "srt"), "趋司法局", "曲司法局")
    run_stages(job, NO_MODEL[:3])
    folder = load_log(job.work)
    failed = approve_and_work(runner, engine, retries="3")  # a conflict is never retried
    assert failed.state == "failed" and failed.attempts == 1
    assert "review.json: has revision 2 (editor (verbatim.srt)" in failed.error and "王芳" in failed.error
    assert load_log(job.work) == folder  # nothing overwritten
    app = create_app({"TESTING": True}, environ=environ)
    client = app.test_client()
    with app.app_context():
        add_account(get_session(), "wang")
        log_in(client, "wang")
        label = client.get("/review/legal-aid/job").get_json()["job"]["label"]
    assert "与网页上的第 2 版（王芳）冲突" in label and "review.json 移到别处保存" in label
    assert "catalog" not in label  # the English detail stays in the log and the job row


def test_the_advice_for_a_diverged_folder_works(runner, published, instance):
    """Move review.json aside, save the text to keep in the workspace, approve again."""
    job, engine = published
    edit_like_aegisub(job.work.subtitles("verbatim", "srt"), "趋司法局", "曲司法局")
    run_stages(job, NO_MODEL[:3])
    assert approve_and_work(runner, engine).state == "failed"
    job.work.review.rename(job.work.root / "review.kept.json")
    kept = (Cue(0, 3800, ("欢迎来到曲司法局", "法律援助热线是")), Cue(4000, 5793, ("打电话前请准备好身份证",)))
    with make_sessionmaker(engine).begin() as session:
        save_revision(session, session.scalars(select(Episode)).one(), 2, kept, "王芳")
    done = approve_and_work(runner, engine)
    assert done.state == "done", done.error
    assert load_log(job.work).current.cues == kept
    assert "曲司法局" in job.work.subtitles("verbatim", "srt").read_text(encoding="utf-8")
