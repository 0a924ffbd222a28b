"""What nginx-rtmp asks the site (publish hooks), the /live page and the stream files,
against the real app and a real SQLite catalog; the clock is the app's LIVE_CLOCK."""
from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from sqlalchemy import select

from episodes.jobs import Job
from episodes.live import add_broadcast
from episodes.models import LiveBroadcast
from episodes.record import Guest
from tests.live.live_site import AIR_AT
from web.db import get_session


@pytest.fixture
def show(app) -> LiveBroadcast:
    with app.app_context():
        session = get_session()
        added = add_broadcast(session, AIR_AT, "医保异地就医备案", [Guest("王芳", "区医保局")],
                              "https://live.example.gov.cn/1")
        add_broadcast(session, AIR_AT + timedelta(days=7), "法律援助怎么申请", [])
        session.commit()
        session.expunge(added)
        return added


def publish(client, key: str, client_id: str = "1", call: str = "publish", remote: str = "127.0.0.1"):
    return client.post(f"/live/hooks/{call}", data={"call": call, "name": key, "clientid": client_id,
                                                    "app": "live", "addr": "192.0.2.7"},
                       environ_base={"REMOTE_ADDR": remote})


def test_the_right_key_on_air_goes_live_under_its_public_name(client, show):
    answer = publish(client, show.stream_key)
    assert answer.status_code == 302 and answer.headers["Location"] == f"b{show.id}"
    assert len(show.stream_key) >= 32


@pytest.mark.parametrize("key", ["", "wrong-key", "b1"])
def test_a_wrong_key_is_refused(client, show, key):
    assert publish(client, key).status_code == 403


@pytest.mark.parametrize("offset", [timedelta(minutes=-61), timedelta(minutes=181)])
def test_a_key_outside_its_air_window_is_refused(client, show, clock, offset):
    clock.now = AIR_AT + offset
    answer = publish(client, show.stream_key)
    assert answer.status_code == 403 and "not on air now" in answer.get_data(as_text=True)


def test_a_second_encoder_on_a_live_key_is_refused_and_the_first_keeps_it(client, show):
    assert publish(client, show.stream_key, "1").status_code == 302
    second = publish(client, show.stream_key, "2")
    assert second.status_code == 403 and "already pushing" in second.get_data(as_text=True)
    assert publish(client, show.stream_key, "2", "publish_done").status_code == 200  # the refused one
    assert publish(client, show.stream_key, "3").status_code == 403  # still on air


def test_a_reconnect_within_the_grace_period_continues_and_after_it_the_show_is_over(
        app, client, show, clock):
    assert publish(client, show.stream_key, "1").status_code == 302
    clock.now += timedelta(minutes=30)
    assert publish(client, show.stream_key, "1", "publish_done").status_code == 200
    clock.now += timedelta(seconds=60)
    assert publish(client, show.stream_key, "4").status_code == 302  # back within 120 s
    clock.now += timedelta(minutes=10)
    assert publish(client, show.stream_key, "4", "publish_done").status_code == 200
    with app.app_context():
        session = get_session()
        jobs = session.scalars(select(Job).where(Job.kind == "live.finish")).all()
        stored = session.get(LiveBroadcast, show.id)
        assert stored.started_at.replace(tzinfo=timezone.utc) == AIR_AT  # one broadcast
    assert [job.target for job in jobs] == [str(show.id)] * 2  # one per stop
    clock.now += timedelta(seconds=121)
    answer = publish(client, show.stream_key, "5")
    assert answer.status_code == 403 and "is over" in answer.get_data(as_text=True)


def test_hooks_are_taken_from_this_machine_only(client, show):
    assert publish(client, show.stream_key, remote="203.0.113.9").status_code == 403
    assert publish(client, show.stream_key, call="publish_done", remote="203.0.113.9").status_code == 403


def test_live_page_on_air_plays_the_master_playlist_with_captions(client, show):
    assert client.get(f"/live/{show.id}/master.m3u8").status_code == 404  # not started
    publish(client, show.stream_key)
    html = client.get("/live").get_data(as_text=True)
    assert "正在直播" in html and "医保异地就医备案" in html and "区医保局 王芳" in html
    assert "实时字幕由机器生成，仅供参考" in html and "0736-7712345" in html
    assert "https://live.example.gov.cn/1" in html
    assert f'data-src="/live/{show.id}/master.m3u8"' in html
    master = client.get(f"/live/{show.id}/master.m3u8")
    text = master.get_data(as_text=True)
    assert master.mimetype == "application/vnd.apple.mpegurl"
    assert 'TYPE=SUBTITLES,GROUP-ID="subs"' in text and 'URI="../hls/captions/b1/index.m3u8"' in text
    assert text.count("#EXT-X-STREAM-INF") == 2 and 'CODECS="mp4a.40.2",SUBTITLES="subs"' in text
    assert show.stream_key not in text and show.stream_key not in html


def test_live_page_off_air_lists_the_next_shows(client, show, clock):
    clock.now = AIR_AT - timedelta(days=1)
    html = client.get("/live").get_data(as_text=True)
    assert "正在直播" not in html and "直播预告" in html
    assert html.index("医保异地就医备案") < html.index("法律援助怎么申请")


def test_stream_files_are_served_playlists_uncached(app, client):
    folder = app.config["LIVE_PATH"] + "/hls/captions/b1"
    import os

    os.makedirs(folder)
    with open(folder + "/index.m3u8", "w") as playlist:
        playlist.write("#EXTM3U\n")
    answer = client.get("/live/hls/captions/b1/index.m3u8")
    assert answer.status_code == 200 and answer.headers["Cache-Control"] == "no-cache"
    assert client.get("/live/hls/../../catalog.sqlite3").status_code == 404
    assert client.get("/live/hls/captions/b1/seg-9.vtt").status_code == 404


def beacon(client, broadcast: int, watched: float, agent: str = "Mozilla/5.0 (Linux; Android 13) MicroMessenger/8.0"):
    return client.post("/live/beacon", json={"broadcast": broadcast, "watched": watched},
                       headers={"User-Agent": agent})


def test_live_viewers_count_after_10_s_once_per_hour(client, show, clock):
    publish(client, show.stream_key)
    clock.now += timedelta(minutes=5)
    assert beacon(client, show.id, 9.5).get_json() == {"counted": False, "reason": "not watched long enough"}
    assert beacon(client, show.id, 12).get_json() == {"counted": True, "reason": ""}
    assert beacon(client, show.id, 30).get_json()["counted"] is False  # same viewer, same hour
    assert beacon(client, show.id, 12, "Googlebot/2.1").get_json()["reason"] == "bot"
    clock.now += timedelta(hours=1)
    assert beacon(client, show.id, 20).get_json()["counted"] is True  # the next hour
    assert "已有 <span id=\"live-views\">2</span> 人次收看" in client.get("/live").get_data(as_text=True)


@pytest.mark.parametrize("body", [{"broadcast": 1, "watched": 3600}, {"broadcast": 99, "watched": 12},
                                  {"broadcast": "1", "watched": 12}, {"watched": 12}, [1, 2]])
def test_bad_live_beacons_are_400(client, show, clock, body):
    publish(client, show.stream_key)
    clock.now += timedelta(minutes=5)
    assert client.post("/live/beacon", json=body).status_code == 400


def test_the_home_page_leads_to_the_show_on_air(client, show):
    assert "正在直播" not in client.get("/").get_data(as_text=True)
    publish(client, show.stream_key)
    home = client.get("/").get_data(as_text=True)
    assert "正在直播" in home and 'href="/live"' in home and "医保异地就医备案" in home


def test_a_deeply_nested_live_beacon_is_400_not_a_500(client, show, clock):
    publish(client, show.stream_key)
    clock.now += timedelta(minutes=5)
    nested = client.post("/live/beacon", data="[" * 1200, content_type="application/json")
    assert nested.status_code == 400


def test_the_live_captions_have_a_plain_track_shown_first(app, client, show):
    """The captioner writes the words as heard; the plain track is made from them with
    the glossary's plain wordings, segment by segment, under the same names."""
    publish(client, show.stream_key)
    master = client.get(f"/live/{show.id}/master.m3u8").get_data(as_text=True)
    assert master.index('NAME="通俗版字幕",LANGUAGE="zh-Hans",DEFAULT=YES') < master.index('NAME="原文字幕"')
    assert 'URI="../hls/plain/b1/index.m3u8"' in master
    import os

    folder = app.config["LIVE_PATH"] + "/hls/captions/b1"
    os.makedirs(folder)
    heard = ("WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:63000,LOCAL:00:00:00.000\n\n"
             "00:00:00.400 --> 00:00:02.000 line:85%\n材料不全的\n可以容缺受理\n")
    with open(folder + "/seg-0.vtt", "w", encoding="utf-8") as segment:
        segment.write(heard)
    with open(folder + "/index.m3u8", "w") as playlist:
        playlist.write("#EXTM3U\n#EXTINF:2.000,\nseg-0.vtt\n")
    plain = client.get("/live/hls/plain/b1/seg-0.vtt")
    assert plain.mimetype == "text/vtt"
    assert plain.get_data(as_text=True) == heard.replace("容缺受理", "收件后补材料")
    assert client.get("/live/hls/plain/b1/index.m3u8").get_data(as_text=True).endswith("seg-0.vtt\n")
    assert client.get("/live/hls/plain/b1/seg-7.vtt").status_code == 404
    assert client.get("/live/hls/plain/b9/seg-0.vtt").status_code == 404
    assert client.get("/live/hls/plain/b1/other.m3u8").status_code == 404
