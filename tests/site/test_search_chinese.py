"""Chinese search: FTS5 trigram substrings (SQLite), pg_trgm-indexed ILIKE (PostgreSQL),
the short-query path, the same hits on both engines, moments, highlighting."""
from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from episodes.db import make_engine
from episodes.models import TranscriptCue
from episodes.schema import migrations
from episodes.search import reindex_episode, search
from tests.site_data import add_episode
from web.search import highlight


def test_substring_of_a_cue_returns_the_moment_it_was_said(session):
    add_episode(session, "ep1")
    hits = search(session, "政务服务")  # a substring inside 政务服务中心
    assert [(h.slug, h.start_ms) for h in hits] == [("ep1", 3_000)]
    assert hits[0].text == "办理营业执照可以到政务服务中心。"


def test_two_character_query_falls_back_to_like(session):
    add_episode(session, "ep1")
    assert [h.start_ms for h in search(session, "挂失")] == [6_500]
    assert [h.start_ms for h in search(session, "社")] == [6_500]


def test_plain_language_text_and_titles_are_searched(session):
    add_episode(session, "ep1", title="不动产登记一次办好")
    assert [h.start_ms for h in search(session, "办事大厅")] == [3_000]  # only in plain_text
    title_hits = search(session, "不动产登记")
    assert [(h.slug, h.start_ms) for h in title_hits] == [("ep1", None)]


def test_every_word_must_match(session):
    add_episode(session, "ep1")
    assert [h.start_ms for h in search(session, "营业执照 政务服务中心")] == [3_000]
    assert search(session, "营业执照 养老金") == []


def test_unpublished_episodes_are_not_found(session):
    add_episode(session, "draft", status="draft")
    assert search(session, "营业执照") == []


def test_query_syntax_is_taken_literally(session):
    add_episode(session, "ep1")
    for query in ['"营业', "OR AND NOT", "营业*", "%", "_", "a' OR 1=1 --", ""]:
        assert search(session, query) == []


def test_index_follows_edits_and_deletes(session):
    episode = add_episode(session, "ep1")
    episode.cues[0].text = "今天讲讲新生儿落户。"
    session.commit()
    assert [h.start_ms for h in search(session, "新生儿落户")] == [0]
    session.delete(episode.cues[3])
    session.commit()
    assert search(session, "当场就能办结") == []
    session.add(TranscriptCue(episode_id=episode.id, position=9, start_ms=20_000, end_ms=21_000,
                              text="最后提醒大家带好身份证。"))
    session.commit()
    assert [h.start_ms for h in search(session, "身份证")] == [20_000]


def test_reindex_episode_repairs_a_damaged_index(session):
    if session.get_bind().dialect.name != "sqlite":
        pytest.skip("only SQLite keeps a separate index (FTS5 tables) that can be damaged")
    episode = add_episode(session, "ep1")
    session.execute(text("DELETE FROM search_cues"))
    session.commit()
    assert search(session, "政务服务中心") == []
    reindex_episode(session, episode.id)
    session.commit()
    assert [h.start_ms for h in search(session, "政务服务中心")] == [3_000]


# Mixed scripts and cases, wildcard characters, one- to six-character words.
CORPUS = [
    ("社保卡怎么补办", "社会保障卡丢了怎么办", [
        ("社保卡丢了先打电话挂失。", "社保卡丢了先挂失。"),
        ("也可以在“武陵政务”APP上办。", "手机上也能办。"),
        ("补卡费用是20元，100%当场拿卡。", "补卡要交钱。")]),
    ("医保报销 FAQ", "异地就医的常见问题", [
        ("异地就医要先备案。", "去外地看病先登记。"),
        ("备案可以用app，也可以打12345。", "可以打电话。"),
        ("报销比例_按规定_执行。", "按规定报。")]),
    ("营业执照办理", "个体户营业执照", [
        ("办理营业执照可以到政务服务中心。", "办营业执照去办事大厅。"),
        ("社保和医保要分开登记。", "社保医保分开办。")]),
]
QUERIES = ["社保", "社", "社保卡", "挂失", "营业执照", "政务服务中心", "app", "APP", "App",
           "Faq", "20元", "100%", "%", "_", "_按规定_", "按规定", "社保 医保", "备案 app",
           "异地就医要先备案", "武陵", "“武陵政务”", "办", "不存在的词", "医保报销 faq"]


def _search_all(url: str, tmp_path) -> dict[str, list]:
    engine = make_engine(url)
    migrations.apply(engine)
    with Session(engine) as db:
        for i, (title, summary, cues) in enumerate(CORPUS):
            episode = add_episode(db, f"ep{i}", title=title)
            episode.summary = summary
            episode.cues = [TranscriptCue(position=j, start_ms=j * 1000, end_ms=j * 1000 + 900,
                                          text=t, plain_text=p) for j, (t, p) in enumerate(cues)]
            db.commit()
        found = {q: [(h.slug, h.start_ms, h.text) for h in search(db, q)] for q in QUERIES}
    engine.dispose()
    return found


def test_postgresql_finds_exactly_what_sqlite_fts5_finds(postgres, tmp_path):
    on_sqlite = _search_all(f"sqlite:///{tmp_path / 'catalog.sqlite3'}", tmp_path)
    on_postgresql = _search_all(postgres.new_database(), tmp_path)
    assert on_postgresql == on_sqlite
    assert on_sqlite["社保"] and on_sqlite["app"] == on_sqlite["APP"] and on_sqlite["100%"]
    # wildcard characters match only themselves
    assert on_sqlite["%"] == on_sqlite["100%"] and on_sqlite["_"] == on_sqlite["_按规定_"]


def test_postgresql_serves_long_words_from_the_trigram_index(postgres):
    engine = make_engine(postgres.new_database())
    with engine.connect() as connection:
        connection.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(connection.scalars(text(
            "EXPLAIN SELECT id FROM transcript_cues WHERE text ILIKE '%营业执照%'")))
    engine.dispose()
    assert "ix_transcript_cues_text_trgm" in plan


def test_search_page_links_to_the_moment_and_marks_the_words(client, session):
    add_episode(session, "ep1")
    html = client.get("/search?q=挂失").get_data(as_text=True)
    assert 'href="/e/ep1?t=6#player">从 0:06 开始播放</a>' in html
    assert "<mark>挂失</mark>&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_search_page_without_results_says_so(client, session):
    add_episode(session, "ep1")
    html = client.get("/search?q=养老金").get_data(as_text=True)
    assert "没有找到包含“养老金”的节目或字幕" in html


def test_control_characters_in_the_query_separate_words_instead_of_failing(client, session):
    add_episode(session, "ep1")
    for query in ("%00%00%00", "a%00bc", "%00"):
        response = client.get(f"/search?q={query}")
        assert response.status_code == 200, query
    html = client.get("/search?q=营业%00执照").get_data(as_text=True)
    assert "搜索“营业 执照”" in html and 'href="/e/ep1?t=3#player"' in html


def test_highlight_escapes_before_marking():
    assert str(highlight("<mark>社保</mark>", ["社保", "mark"])) == \
        "&lt;<mark>mark</mark>&gt;<mark>社保</mark>&lt;/<mark>mark</mark>&gt;"
    assert str(highlight("a&b", [])) == "a&amp;b"
