"""The public pages against the real app and a real SQLite catalog."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest

from episodes.models import LiveBroadcast
from tests.site_data import add_episode, clip_files


def page(client, url: str, status: int = 200) -> str:
    response = client.get(url)
    assert response.status_code == status, url
    return response.get_data(as_text=True)


def test_home_shows_latest_episodes_guides_and_next_live_show(client, session):
    add_episode(session, "show-1", title="养老保险怎么交")
    add_episode(session, "guide-1", kind="guide", title="三分钟学会办居住证")
    add_episode(session, "draft-1", status="draft", title="还没发布的节目")
    session.add(LiveBroadcast(air_at=datetime.now(timezone.utc) + timedelta(days=2),
                              topic="不动产登记答疑", guests=[{"name": "赵刚", "department": "区自然资源局"}]))
    session.commit()
    html = page(client, "/")
    assert '<html lang="zh-CN">' in html
    assert "养老保险怎么交" in html and "三分钟学会办居住证" in html
    assert "还没发布的节目" not in html
    assert "不动产登记答疑" in html and "区自然资源局 赵刚" in html


def test_times_are_local_and_machine_readable_times_carry_the_offset(client, session):
    # 20:30 UTC on 1 Dec is 04:30 on 2 Dec in Asia/Shanghai (the default `timezone`).
    add_episode(session, "late-1", published_at=datetime(2026, 12, 1, 20, 30, tzinfo=timezone.utc))
    session.add(LiveBroadcast(air_at=datetime(2099, 12, 1, 11, 30, tzinfo=timezone.utc), topic="社保答疑"))
    session.commit()
    home, episode = page(client, "/"), page(client, "/e/late-1")
    assert '<time datetime="2099-12-01T19:30:00+08:00">2099年12月01日 19:30</time>' in home
    assert '<time datetime="2026-12-02T04:30:00+08:00">2026年12月02日</time>' in episode
    for html in (home, episode, page(client, "/episodes/")):
        assert re.findall(r'<time datetime="([^"]+)"', html)
        assert all(value.endswith("+08:00") for value in re.findall(r'<time datetime="([^"]+)"', html))


def test_list_pages_filter_by_kind_and_category_and_paginate(client, session):
    for number in range(14):
        add_episode(session, f"guide-{number}", kind="guide", title=f"导办第{number}期",
                    category="社会保障" if number % 2 else "市场监管",
                    published_at=datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(days=number))
    add_episode(session, "show-x", title="直播间节目甲")
    first = page(client, "/guides/")
    assert "共 14 个，第 1 / 2 页" in first and "导办第13期" in first
    assert "直播间节目甲" not in first and 'rel="next"' in first
    second = page(client, "/guides/?page=2")
    assert "导办第1期" in second and "导办第0期" in second and "导办第13期" not in second
    social = page(client, "/guides/?category=社会保障")
    assert "共 7 个" in social
    assert set(re.findall(r"导办第(\d+)期", social)) == {"1", "3", "5", "7", "9", "11", "13"}
    assert "直播间节目甲" in page(client, "/episodes/")
    assert "没有这一页" in page(client, "/guides/?page=3", 404)


def test_episode_page_has_player_tracks_transcript_terms_guests_downloads(client, session, media_root):
    add_episode(session, "ep1", clip_files(media_root), media_root=media_root)
    html = page(client, "/e/ep1")
    video = re.search(r"<video[^>]*>", html).group()
    assert 'preload="metadata"' in video and 'poster="/media/ep/poster.jpg"' in video
    tracks = re.findall(r"<track [^>]*>", html)
    assert len(tracks) == 2
    assert 'label="通俗版字幕"' in tracks[0] and "plain.vtt" in tracks[0] and "default" in tracks[0]
    assert 'label="原文字幕"' in tracks[1] and "default" not in tracks[1]
    assert all('kind="captions" srclang="zh-CN"' in track for track in tracks)
    assert 'href="/e/ep1?t=3#player" data-t="3">0:03</a>' in html
    assert ('<details class="term"><summary>政务服务中心</summary><span class="note">'
            '通俗说法：区里的办事大厅。各部门集中办事的地方</span></details>') in html
    assert '<div id="term-0">' in html and 'title="区里的办事大厅"' not in html  # no tooltip
    assert "李明（区市场监督管理局）" in html
    for label in ("视频（MP4）", "音频（MP3）", "通俗版字幕（VTT）", "原文字幕（VTT）"):
        assert label in html
    assert '播放 <strong id="view-count">0</strong> 次' in html


def test_timestamp_link_starts_the_video_there_without_javascript(client, session, media_root):
    add_episode(session, "ep1", clip_files(media_root), media_root=media_root)
    assert 'src="/media/ep/clip.mp4#t=6"' in page(client, "/e/ep1?t=6")


def test_subtitle_text_is_escaped(client, session, media_root):
    add_episode(session, "ep1", title="<img src=x onerror=alert(1)>标题")
    html = page(client, "/e/ep1")
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img src=x" not in html


def test_tracks_are_served_as_webvtt(client, session, media_root):
    add_episode(session, "ep1", clip_files(media_root), media_root=media_root)
    for src in re.findall(r'<track [^>]*src="([^"]+)"', page(client, "/e/ep1")):
        response = client.get(src)
        assert response.status_code == 200
        assert response.mimetype == "text/vtt"
        assert response.get_data(as_text=True).startswith("WEBVTT")


def test_audio_page_plays_the_podcast_file(client, session, media_root):
    add_episode(session, "ep1", clip_files(media_root), media_root=media_root)
    html = page(client, "/e/ep1/audio")
    # preload="none": opening the page downloads nothing (nor counts a podcast download)
    assert re.search(r'<audio id="player" controls preload="none" src="/media/ep/clip.mp3"', html)
    assert 'href="/e/ep1/audio?t=9#player"' in html


@pytest.mark.parametrize("slug", ["missing", "draft"])
def test_unknown_and_unpublished_episodes_are_not_found(client, session, slug):
    add_episode(session, "draft", status="draft")
    assert "没有找到这期节目" in page(client, f"/e/{slug}", 404)


def test_unknown_page_is_a_chinese_404(client):
    assert "没有找到这个页面" in page(client, "/no/such/page", 404)


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "<script>" not in response.get_data(as_text=True)  # no inline scripts: CSP forbids them


def test_form_post_without_csrf_token_is_rejected(client):
    response = client.post("/auth/login", data={"username": "staff", "password": "x"})
    assert response.status_code == 400
    assert "表单已过期" in response.get_data(as_text=True)
