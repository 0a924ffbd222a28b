"""Workspace support in the core: unsure-word marks that follow staff edits, and the
plain wording staff chose per cue (保留规范说法) saved with the revision and used when
it is approved. Real catalog, on each engine."""
from __future__ import annotations

from sqlalchemy import select

from episodes.models import Episode, TranscriptCue
from episodes.review import approve, review_log, save_revision, store_uncertain_words, uncertain_words
from subtitles.cue import Cue
from subtitles.review import ReviewLog
from subtitles.transcript import Word
from subtitles.uncertain import Mark, marks, unsure_words

HEARD = [Word(0, 300, "欢迎", 0.95), Word(300, 600, "来到", 0.9), Word(600, 800, "趋", 0.31),
         Word(800, 1000, "司法局", 0.88), Word(1200, 2000, "法律援助", 0.45)]
MACHINE = (Cue(0, 1000, ("欢迎来到趋司法局",)), Cue(1200, 2000, ("法律援助",)))


def machine_draft(session, slug: str, title: str) -> Episode:
    """A draft episode whose revision 1 is the machine transcript (``MACHINE``)."""
    episode = Episode(kind="episode", slug=slug, title=title, status="draft")
    session.add(episode)
    session.flush()
    save_revision(session, episode, 0, MACHINE, "studio", "machine")
    return episode


def test_unsure_words_are_marked_where_they_still_stand():
    unsure = unsure_words(HEARD)
    assert [w.text for w in unsure] == ["趋", "法律援助"]
    assert marks(MACHINE[0], unsure) == [Mark(4, 5, "趋", 0.31)]
    assert marks(Cue(0, 1000, ("欢迎来到区司法局",)), unsure) == []  # corrected: mark gone
    assert marks(MACHINE[1], unsure) == [Mark(0, 4, "法律援助", 0.45)]
    assert marks(Cue(5000, 6000, ("趋",)), unsure) == []  # another time: not this word


def test_the_plain_wording_staff_chose_is_kept_with_the_revision_and_shown_on_approval(catalog_sessions):
    with catalog_sessions.begin() as session:
        episode = machine_draft(session, "legal-aid", "法律援助")
        assert store_uncertain_words(session, episode, HEARD) == 2
        save_revision(session, episode, 1, MACHINE, "wang", plain_choices=[("法律援助", "法律援助")])
        approve(session, episode, "zhao", lambda texts: [t.replace("法律援助", "免费法律帮助") for t in texts])
        episode_id = episode.id
    with catalog_sessions() as session:
        log = review_log(session, episode_id)
        assert log.current.number == 2 and log.current.plain_choices == (("法律援助", "法律援助"),)
        assert ReviewLog.from_json(log.to_json()) == log
        plain = session.scalars(select(TranscriptCue.plain_text).where(TranscriptCue.episode_id == episode_id)
                                .order_by(TranscriptCue.position)).all()
        assert plain == ["欢迎来到趋司法局", "法律援助"]
        assert [w.text for w in uncertain_words(session, episode_id)] == ["趋", "法律援助"]


def test_the_threshold_measured_on_the_bench_marks_a_word_heard_at_0_7():
    """bench/review_marks.py: below 0.8 catches ~60 % of errors for ~20 % of words."""
    heard = [Word(0, 500, "行政", 0.7), Word(500, 1000, "复议", 0.85)]
    assert [w.text for w in unsure_words(heard)] == ["行政"]


def test_marks_in_empty_long_and_hostile_cues():
    unsure = [Word(0, 500, "趋", 0.3), Word(500, 900, "<b>", 0.2), Word(900, 1000, " ", 0.1)]
    assert marks(Cue(0, 1000, ("",)), unsure) == []
    long = Cue(0, 1000, ("区" * 9_999 + "趋",))
    assert marks(long, unsure) == [Mark(9_999, 10_000, "趋", 0.3)]
    assert marks(Cue(0, 1000, ("<b>趋</b>",)), unsure) == [Mark(0, 3, "<b>", 0.2), Mark(3, 4, "趋", 0.3)]


def test_a_work_folder_log_brings_its_plain_wording_choices_along(catalog_sessions):
    from episodes.review import import_log

    with catalog_sessions.begin() as session:
        episode = machine_draft(session, "legal-aid", "法律援助")
        folder = review_log(session, episode.id).commit(1, MACHINE, "Aegisub", "editor", "2026-11-30T01:00:00+00:00",
                                                        plain_choices=[("法律援助", "法律援助")])
        assert import_log(session, episode, folder, "review.json") == 1
        assert review_log(session, episode.id).current.plain_choices == (("法律援助", "法律援助"),)
        assert import_log(session, episode, folder, "review.json") == 0  # same history: nothing new


def test_unsure_words_heard_in_a_private_span_leave_the_catalog(catalog_sessions):
    from subtitles.review import PrivateSpan

    with catalog_sessions.begin() as session:
        episode = machine_draft(session, "call-in", "来电")
        store_uncertain_words(session, episode, HEARD)
        save_revision(session, episode, 1, (Cue(0, 1000, ("欢迎来到司法局",)), MACHINE[1]), "wang",
                      private=[PrivateSpan(600, 800, "来电者姓名")])
        assert [w.text for w in uncertain_words(session, episode.id)] == ["法律援助"]
