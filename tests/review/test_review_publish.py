"""Publishing a reviewed work folder: the approval gate (CLI now and --at, the
scheduler), --unreviewed recorded, `studio review`, and a browser edit and an
external edit made at once refused naming both, nothing lost. Real SQLite, real files."""
from __future__ import annotations

import getpass
from datetime import datetime, timedelta, timezone

import pysubs2
import pytest
from sqlalchemy import select

from episodes.db import make_sessionmaker
from episodes.models import Episode
from episodes.review import review_log, review_state, save_revision
from episodes.scheduler import PublishScheduler
from studio.cli import cli
from studio.environment import Environment
from studio.pipeline import run_stages
from studio.reviewed import load_log
from subtitles.cue import Cue
from tests.catalog_fixtures import catalog_engine
from tests.logins import add_account, log_in
from tests.review.review_pipeline_data import NO_MODEL, known_job
from web import create_app
from web.db import get_session

TEXT_ONLY = NO_MODEL[:3]  # ingest, verbatim, plain: enough to publish the text


@pytest.fixture
def work(tmp_path):
    job = known_job(tmp_path)
    run_stages(job, TEXT_ONLY)
    return job


@pytest.fixture
def studio(runner, environ, settings_catalog):
    """``studio(*args, name=value...)``: a `studio` command in the test's environment with
    the settings ``WULING_<NAME>=value`` added, on each catalog engine."""
    def run(*args: str, **settings: str):
        more = {f"WULING_{name.upper()}": value for name, value in settings.items()}
        return runner.invoke(cli, list(args), obj=Environment(environ={**environ, **more}))
    return run


@pytest.fixture
def catalog(instance, settings_catalog):
    """Sessions of the catalog the `studio` commands use."""
    engine = catalog_engine(instance, settings_catalog)
    yield make_sessionmaker(engine)
    engine.dispose()


def test_publishing_unapproved_captions_is_refused_and_changes_nothing(studio, catalog, instance, work):
    refused = studio("publish", str(work.work.root))
    assert refused.exit_code != 0 and "not approved" in refused.output and "--unreviewed" in refused.output
    scheduled = studio("publish", str(work.work.root), "--at", "2099-01-01 10:00")
    assert scheduled.exit_code != 0 and "not approved" in scheduled.output
    with catalog() as session:
        assert session.scalars(select(Episode)).all() == []


def test_unreviewed_publishing_is_recorded_with_who_did_it(studio, catalog, instance, work):
    published = studio("publish", str(work.work.root), "--unreviewed")
    assert published.exit_code == 0, published.output
    with catalog() as session:
        episode = session.scalars(select(Episode)).one()
        log = review_log(session, episode.id)
        assert episode.status == "published" and episode.work_folder == str(work.work.root)
        assert [(a.revision, a.by, a.unreviewed) for a in log.approvals] == [(1, getpass.getuser(), True)]
        assert log.approved is None  # published, but nobody approved it


def test_an_approval_in_the_work_folder_passes_the_gate_and_reaches_the_catalog(studio, catalog, instance,
                                                                                  work):
    approved = studio("review", "approve", str(work.work.root), "--by", "王芳")
    assert approved.exit_code == 0 and "approved revision 1" in approved.output
    assert "approved by 王芳" in studio("review", "status", str(work.work.root)).output
    assert studio("publish", str(work.work.root)).exit_code == 0
    with catalog() as session:
        log = review_log(session, session.scalars(select(Episode)).one().id)
        assert log.is_approved and log.approvals[-1].by == "王芳"
    history = studio("review", "log", "legal-aid").output
    assert "machine (base)" in history and "approved by 王芳" in history


def test_the_gate_can_be_turned_off(studio, instance, work):
    assert studio("publish", str(work.work.root), review_required="off").exit_code == 0
    bad = studio("publish", str(work.work.root), review_required="maybe")
    assert bad.exit_code != 0 and "review_required" in bad.output


def test_a_browser_edit_and_an_external_edit_at_once_are_refused_naming_both(studio, catalog, instance, work):
    assert studio("publish", str(work.work.root), "--unreviewed").exit_code == 0
    with catalog() as session:  # 王芳 fixes it in the workspace
        episode = session.scalars(select(Episode)).one()
        save_revision(session, episode, 1, [Cue(0, 3800, ("欢迎来到区司法局",)), Cue(4000, 5793, ("打电话前请准备好身份证",))],
                      "王芳")
        session.commit()
    srt = work.work.subtitles("verbatim", "srt")
    subs = pysubs2.load(str(srt))  # and someone fixes it in Aegisub
    subs[0].text = subs[0].text.replace("趋司法局", "区司法局")
    subs.save(str(srt))
    run_stages(work, TEXT_ONLY)
    folder = load_log(work.work)
    assert folder.current.source == "editor"
    refused = studio("publish", str(work.work.root), "--replace", "--unreviewed")
    assert refused.exit_code != 0
    assert "review.json has revisions 2" in refused.output and "the catalog has revisions 2" in refused.output
    assert "王芳" in refused.output
    with catalog() as session:  # nothing lost on either side
        log = review_log(session, session.scalars(select(Episode)).one().id)
        assert [r.author for r in log.revisions] == ["machine (base)", "王芳"]
    assert load_log(work.work) == folder


def test_the_scheduler_publishes_the_last_approved_text_and_refuses_a_never_approved_one(studio, catalog, work,
                                                                                        tmp_path):
    at = (datetime.now(timezone.utc) + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")
    studio("review", "approve", str(work.work.root), "--by", "王芳")
    assert studio("publish", str(work.work.root), "--at", at, timezone="UTC").exit_code == 0
    other = known_job(tmp_path / "other", slug="never-approved")
    run_stages(other, TEXT_ONLY)
    assert studio("publish", str(other.work.root), "--at", at, timezone="UTC", review_required="off").exit_code == 0
    with catalog.begin() as session:  # an edit after the approval, not approved yet
        edited = session.scalar(select(Episode).where(Episode.slug == "legal-aid"))
        save_revision(session, edited, 1, [Cue(0, 3800, ("欢迎来到区司法局",))], "王芳")
        for episode in session.scalars(select(Episode)):
            episode.publish_at = datetime.now(timezone.utc) - timedelta(seconds=1)
        ids = {episode.slug: episode.id for episode in session.scalars(select(Episode))}
    scheduler = PublishScheduler(catalog.kw["bind"], review_required=True)
    for episode_id in ids.values():
        scheduler.publish(episode_id)
    with catalog() as session:
        approved = session.get(Episode, ids["legal-aid"])
        assert approved.status == "published"
        assert "趋司法局" in approved.cues[0].text  # the public keeps the approved revision
        assert session.get(Episode, ids["never-approved"]).status == "draft"


def test_publishing_a_catalog_episode_meets_the_same_gate(studio, catalog, instance, work):
    assert studio("publish", str(work.work.root), "--unreviewed").exit_code == 0
    assert studio("episodes", "archive", "legal-aid").exit_code == 0
    with catalog() as session:  # edited in the workspace since, not approved
        save_revision(session, session.scalars(select(Episode)).one(), 1, [Cue(0, 3800, ("欢迎来到区司法局",))], "王芳")
        session.commit()
    refused = studio("publish", "legal-aid")
    assert refused.exit_code != 0 and "revision 2" in refused.output and "not approved" in refused.output
    assert studio("publish", "legal-aid", "--unreviewed").exit_code == 0
    with catalog() as session:
        episode = session.scalars(select(Episode)).one()
        assert episode.status == "published" and review_log(session, episode.id).approvals[-1].revision == 2


def test_a_submitted_folder_waits_for_review_in_the_workspace_and_nothing_is_public(environ, studio, catalog,
                                                                                    instance, work):
    """`studio review submit`: the import `studio publish` does, as a draft 待审, for the browser."""
    refused = studio("publish", str(work.work.root))
    assert refused.exit_code != 0 and f"studio review submit {work.work.root}" in refused.output
    submitted = studio("review", "submit", str(work.work.root), "--by", "李雷", site_url="https://wuling.example/")
    assert submitted.exit_code == 0, submitted.output
    with catalog() as session:
        episode = session.scalars(select(Episode)).one()
        slug = episode.slug
        assert episode.status == "draft" and episode.work_folder == str(work.work.root.resolve())
        assert review_state(session, episode.id).state == "in_review"
        assert review_log(session, episode.id).current.author == load_log(work.work).current.author
    assert f"https://wuling.example/review/{slug}" in submitted.output
    app = create_app({"TESTING": True}, environ=environ)
    client = app.test_client()
    assert client.get(f"/e/{slug}").status_code == 404  # nothing public
    with app.app_context():
        add_account(get_session(), "wang")
        log_in(client, "wang")
        listing = client.get("/review/").get_data(as_text=True)
        assert f"/review/{slug}" in listing and "待审" in listing
        assert client.get(f"/review/{slug}").status_code == 200


def test_submitting_a_folder_that_is_not_one_is_a_one_line_error(studio, catalog, instance, tmp_path):
    for bad in (tmp_path / "missing", tmp_path):
        refused = studio("review", "submit", str(bad))
        assert refused.exit_code == 3 and len(refused.output.strip().splitlines()) == 1, refused.output
        assert str(bad) in refused.output
    with catalog() as session:
        assert session.scalars(select(Episode)).all() == []
