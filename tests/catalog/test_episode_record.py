"""The episode record and the small shared tables: one shape, one parser, one day."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from episodes.contest import parse_rounds
from episodes.db import make_sessionmaker
from episodes.downloads import PodcastDownload, count_download
from episodes.errors import CatalogError
from episodes.models import Episode
from episodes.record import EpisodeRecord, Guest
from episodes.views import ViewSalt, daily_salt, salt_day, viewer_id
from tests.catalog_fixtures import catalog_engine


def test_record_round_trips_through_json(tmp_path):
    record = EpisodeRecord(title="营业执照怎么办", slug="ying-ye-zhi-zhao", kind="guide",
                           air_date=date(2026, 11, 24), guests=(Guest("王敏", "区市场监管局"),),
                           duration_ms=45_000, source="/recordings/a.mp4")
    path = tmp_path / "episode.json"
    path.write_text(record.to_json(), encoding="utf-8")
    assert EpisodeRecord.load(path) == record
    assert record.show_name == "武陵政务服务导办" and record.departments == ["区市场监管局"]


@pytest.mark.parametrize("fields, problem", [
    ({"title": " "}, "missing or empty 'title'"),
    ({"kind": "show"}, "kind must be one of episode, guide"),
    ({"slug": "户籍"}, "must be lowercase ASCII"),
    ({"duration_ms": -1}, "duration_ms must be a whole number"),
    ({"duration_ms": 2**70}, "duration_ms must be a whole number"),
    ({"summary": "a\x00b"}, "summary holds control characters"),
    ({"title": "\ud800"}, "title holds a lone surrogate"),
])
def test_a_record_cannot_be_made_invalid(fields, problem):
    with pytest.raises(CatalogError, match=problem):
        EpisodeRecord(**{"title": "t", "slug": "a", **fields})


@pytest.mark.parametrize("typed", ["初评、复评、终评", "初评,复评,终评", "初评，复评；终评",
                                   " 初评 、、复评\n终评、"])
def test_round_names_are_parsed_one_way(typed):
    assert parse_rounds(typed) == ("初评", "复评", "终评")


def test_views_and_downloads_hash_with_the_salt_of_the_same_local_day(tmp_path):
    """17:30 UTC on 1 December is 01:30 on 2 December in the office: one day for both."""
    shanghai, moment = ZoneInfo("Asia/Shanghai"), datetime(2026, 12, 1, 17, 30, tzinfo=timezone.utc)
    with make_sessionmaker(catalog_engine(tmp_path))() as session:
        episode = Episode(slug="a", title="t")
        session.add(episode)
        session.flush()
        view_salt = daily_salt(session, salt_day(moment, shanghai))
        assert count_download(session, episode.id, "203.0.113.7", "AppleCoreMedia/1.0", moment,
                              shanghai)
        listener = session.scalar(select(PodcastDownload.listener))
        assert listener == viewer_id(view_salt, "203.0.113.7", "AppleCoreMedia/1.0")
        assert set(session.scalars(select(ViewSalt.day))) == {date(2026, 12, 2), date(2026, 12, 1)}


def test_an_episode_json_saved_by_notepad_with_a_bom_is_read(tmp_path):
    record = EpisodeRecord(title="营业执照怎么办", slug="ying-ye-zhi-zhao", kind="guide")
    path = tmp_path / "episode.json"
    path.write_bytes(b"\xef\xbb\xbf" + record.to_json().encode("utf-8"))
    assert EpisodeRecord.load(path) == record
