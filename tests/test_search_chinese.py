"""Chinese search: FTS5 trigram substrings, the short-query fallback, moments, highlighting."""
from __future__ import annotations

from sqlalchemy import text

from episodes.models import TranscriptCue
from episodes.search import reindex_episode, search
from tests.site_data import add_episode, app, client, media_root, session  # noqa: F401
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
    episode = add_episode(session, "ep1")
    session.execute(text("DELETE FROM search_cues"))
    session.commit()
    assert search(session, "政务服务中心") == []
    reindex_episode(session, episode.id)
    session.commit()
    assert [h.start_ms for h in search(session, "政务服务中心")] == [3_000]


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
