"""Fixtures of the contest tests (entries, uploads, pre-checks, judging, scoring): ``app`` is
the site of a fresh copy of the contest with an account of every role (``contest``,
tests/contest_plugin.py); ``client``, ``session`` and ``login`` (tests/conftest.py) use it;
``captioned`` is a pre-checked entry with a caption track."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from episodes import accounts
from episodes.contest import get_contest, get_round
from episodes.judging import Assignment, assign_round
from studio import precheck
from studio.contest_intake import Entrant, accept
from tests.contest_fixtures import ENTRANT_NAME, ENTRANT_ORG, SLUG, captioned_clip, recognised, session_of


@pytest.fixture
def app(contest):
    return contest.app


@pytest.fixture
def captioned(contest):
    """A captioned entry by alice, assigned to two judges and pre-checked; yields
    (code, a judge it is assigned to, a judge it is not)."""
    with session_of(contest.app) as db:
        item = get_contest(db, SLUG)
        alice = accounts.get_user(db, "alice")
        with open(captioned_clip(contest.clips), "rb") as f:
            entry = accept(db, item, f, "张三丰-医保局-终稿.mp4", contest.uploads, "社保卡怎么补办",
                           Entrant(ENTRANT_NAME, ENTRANT_ORG, user_id=alice.id))
        assign_round(db, item, get_round(item, 1))
        db.commit()
        code, entry_id = entry.code, entry.id
        judges = {a.judge.username for a in db.scalars(select(Assignment).where(
            Assignment.submission_id == entry_id))}
    assert precheck.run(contest.app.extensions["catalog_sessions"], contest.uploads.parent, [entry_id],
                        transcribe=recognised) == (1, 0)
    outsider = next(j for j in ("judge_a", "judge_b", "judge_c") if j not in judges)
    return code, sorted(judges)[0], outsider
