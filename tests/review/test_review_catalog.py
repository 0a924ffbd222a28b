"""Review in the catalog: revisions saved by two people, the approval gate, the public
transcript kept at the last approved revision, and work-folder imports that never
overwrite a browser edit silently. Real SQLite catalog."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select

from episodes.errors import CatalogError
from episodes.models import Episode, TranscriptCue
from episodes.review import (approve, import_log, require_approved, review_log, review_state,
                             save_revision, submit)
from subtitles.cue import Cue
from subtitles.review import ReviewLog, RevisionConflict

MACHINE = (Cue(0, 1000, ("欢迎来到趋司法局",)), Cue(1200, 2000, ("法律援助",)))
FIXED = (Cue(0, 1000, ("欢迎来到区司法局",)), Cue(1200, 2000, ("法律援助",)))
SECOND = (Cue(0, 1000, ("欢迎来到区司法局！",)), Cue(1200, 2000, ("法律援助",)))


def plain(texts):
    return [text.replace("法律援助", "免费法律帮助") for text in texts]


@pytest.fixture
def episode_id(catalog_sessions):
    with catalog_sessions.begin() as session:
        episode = Episode(kind="episode", slug="legal-aid", title="法律援助", summary="", status="draft")
        session.add(episode)
        session.flush()
        save_revision(session, episode, 0, MACHINE, "studio", "machine")
        return episode.id


def test_the_machine_text_is_revision_1_and_a_fix_is_revision_2(catalog_sessions, episode_id):
    with catalog_sessions.begin() as session:
        save_revision(session, session.get(Episode, episode_id), 1, FIXED, "wang")
    with catalog_sessions() as session:
        log = review_log(session, episode_id)
    assert [(r.number, r.author, r.source) for r in log.revisions] == [
        (1, "studio", "machine"), (2, "wang", "browser")]


def test_two_browsers_saving_at_once_make_one_revision_and_one_conflict(catalog_sessions, episode_id):
    barrier, results = threading.Barrier(2), []

    def save(author, cues):
        try:
            with catalog_sessions.begin() as session:
                episode = session.get(Episode, episode_id)
                barrier.wait()
                save_revision(session, episode, 1, cues, author)
            results.append(("saved", author))
        except RevisionConflict as exc:
            results.append(("conflict", str(exc)))

    threads = [threading.Thread(target=save, args=args) for args in (("wang", FIXED), ("li", SECOND))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in results) == ["conflict", "saved"]
    with catalog_sessions() as session:
        assert review_log(session, episode_id).current.number == 2


def test_publishing_refuses_unapproved_text_unless_told_and_records_it(catalog_sessions, episode_id):
    with catalog_sessions.begin() as session:
        episode = session.get(Episode, episode_id)
        with pytest.raises(CatalogError, match="not approved"):
            require_approved(session, episode, gate_on=True, plain=plain)
        require_approved(session, episode, gate_on=False, plain=plain)  # the office turned the gate off
        require_approved(session, episode, gate_on=True, plain=plain, unreviewed_by="make demo")
    with catalog_sessions() as session:
        log = review_log(session, episode_id)
        assert log.approvals[0].unreviewed and log.approvals[0].by == "make demo"
        assert log.approved is None  # an unreviewed publish is not an approval


def test_approval_makes_the_text_public_and_a_later_edit_waits_for_the_next_one(catalog_sessions, episode_id):
    with catalog_sessions.begin() as session:
        episode = session.get(Episode, episode_id)
        save_revision(session, episode, 1, FIXED, "wang")
        submit(session, episode, "wang")
        assert review_state(session, episode_id).state == "in_review"
        approve(session, episode, "zhao", plain, revision=2)
        assert review_state(session, episode_id).state == "approved"
    with catalog_sessions.begin() as session:
        episode = session.get(Episode, episode_id)
        episode.status = "published"
        save_revision(session, episode, 2, SECOND, "li")
        assert review_state(session, episode_id).state == "in_review"  # back for approval
    with catalog_sessions() as session:
        public = [(c.text, c.plain_text) for c in session.scalars(
            select(TranscriptCue).where(TranscriptCue.episode_id == episode_id).order_by(TranscriptCue.position))]
        episode = session.get(Episode, episode_id)
        # a scheduled publish goes out with the last approved text; a new publish waits
        require_approved(session, episode, gate_on=True, plain=plain, scheduled=True)
        with pytest.raises(CatalogError, match="revision 3 .* not approved"):
            require_approved(session, episode, gate_on=True, plain=plain)
    assert public == [("欢迎来到区司法局", "欢迎来到区司法局"), ("法律援助", "免费法律帮助")]


def test_approving_text_that_changed_since_the_approver_opened_it_is_refused(catalog_sessions, episode_id):
    with catalog_sessions.begin() as session:
        episode = session.get(Episode, episode_id)
        save_revision(session, episode, 1, FIXED, "wang")
        with pytest.raises(RevisionConflict, match="revision 2 was saved by wang"):
            approve(session, episode, "zhao", plain, revision=1)


def test_a_work_folder_log_adds_its_new_revisions(catalog_sessions, episode_id):
    with catalog_sessions() as session:
        folder = review_log(session, episode_id).commit(1, FIXED, "editor", "editor", "2026-11-30T01:00:00+00:00")
    with catalog_sessions.begin() as session:
        assert import_log(session, session.get(Episode, episode_id), folder, "work/review.json") == 1
        assert import_log(session, session.get(Episode, episode_id), folder, "work/review.json") == 0
    with catalog_sessions() as session:
        assert review_log(session, episode_id).current.cues == FIXED


def test_an_external_edit_and_a_browser_edit_since_the_common_revision_are_both_kept(catalog_sessions, episode_id):
    with catalog_sessions() as session:
        folder = review_log(session, episode_id).commit(1, SECOND, "Aegisub", "editor", "2026-11-30T01:00:00+00:00")
    with catalog_sessions.begin() as session:
        save_revision(session, session.get(Episode, episode_id), 1, FIXED, "wang")
    with catalog_sessions.begin() as session, pytest.raises(RevisionConflict) as caught:
        import_log(session, session.get(Episode, episode_id), folder, "work/review.json")
    message = str(caught.value)
    assert "work/review.json has revisions 2" in message and "the catalog has revisions 2 (wang" in message
    with catalog_sessions() as session:
        assert review_log(session, episode_id).current.cues == FIXED  # nothing lost either side
    assert folder.current.cues == SECOND


def test_a_log_from_json_imports_like_one_built_in_memory(catalog_sessions, episode_id):
    with catalog_sessions() as session:
        folder = ReviewLog.from_json(review_log(session, episode_id).to_json())
    with catalog_sessions.begin() as session:
        assert import_log(session, session.get(Episode, episode_id), folder, "review.json") == 0


def test_the_public_transcript_explains_an_official_name_at_its_first_mention_only(catalog_sessions):
    """一网通办 keeps its official name and is explained once per episode, not in every cue."""
    from glossary import load_default
    from glossary.rewrite import rewrite_texts

    cues = (Cue(0, 1000, ("可以一网通办",)), Cue(1200, 2000, ("也可以一网通办",)))
    with catalog_sessions.begin() as session:
        episode = Episode(kind="guide", slug="yiwang", title="一网通办", summary="", status="draft")
        session.add(episode)
        session.flush()
        save_revision(session, episode, 0, cues, "studio", "machine")
        approve(session, episode, "zhao", lambda texts: rewrite_texts(texts, load_default()))
        plain_texts = [c.plain_text for c in session.get(Episode, episode.id).cues]
    assert plain_texts[0].count("（") == 1 and "一网通办（" in plain_texts[0]
    assert "（" not in plain_texts[1]
