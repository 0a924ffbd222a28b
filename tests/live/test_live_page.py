"""The /live page in Debian's headless Chromium at a phone's and a laptop's size, off air
and on air, with a radio encoder's push (sound only) through the real chain: `studio
serve --live`, nginx-rtmp, the relays and the captioner. Screenshots go to test-output/."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from studio.live_captions import first_shown
from studio.live_recording import live_cues
from tests.browser_support import CHROMIUM, DESKTOP, LAUNCH_ARGS, PHONE
from tests.support import ROOT
from tests.live.live_site import LiveSite, wait_for

CLIP = "talk_legal_aid"
SIZES = {"390x844": ({"width": 390, "height": 844}, PHONE), "1280x800": ({"width": 1280, "height": 800}, DESKTOP)}
pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(),
                                 reason="nginx with the RTMP module is not installed (make system-packages)")]

PAGE_STATE = """() => {
  const video = document.getElementById('live-player');
  const tracks = video ? Array.from(video.textTracks) : [];
  return {time: video ? video.currentTime : null,
          shown: tracks.filter(t => t.mode === 'showing').map(t => t.label),
          labels: tracks.map(t => t.label),
          overflow: document.documentElement.scrollWidth - window.innerWidth,
          text: document.body.innerText};
}"""


def test_the_live_page_on_phones_and_desktops_off_air_and_with_a_radio_encoder(tmp_path, shared_media):
    playwright_api = pytest.importorskip("playwright.sync_api")
    site = LiveSite(tmp_path)
    site.environ["WULING_LIVE_HOTLINE"] = "0736-7712345"
    site.start()
    try:
        clip = tmp_path / "radio.m4a"
        subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-ss", "0.3", "-t", "16", "-i",
                        str(shared_media / f"{CLIP}.mp4"), "-vn", "-c:a", "aac", str(clip)], check=True)
        now = time.strftime("%Y-%m-%d %H:%M", time.gmtime(time.time() + 8 * 3600))
        added = site.studio("live", "add", "--at", now, "--topic", "法律援助怎么申请", "--guest", "王芳:区司法局",
                            "--stream-url", "https://live.example.gov.cn/wuling")
        key = added.split("stream key: ")[1].strip()
        tomorrow = time.strftime("%Y-%m-%d %H:%M", time.gmtime(time.time() + 32 * 3600))
        site.studio("live", "add", "--at", tomorrow, "--topic", "医保异地就医备案")
        screenshots = ROOT / "test-output"
        screenshots.mkdir(exist_ok=True)
        with playwright_api.sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
            try:
                pages = {size: browser.new_page(viewport=viewport, user_agent=agent)
                         for size, (viewport, agent) in SIZES.items()}
                for size, page in pages.items():
                    page.goto(site.url + "/live")
                    off_air = page.evaluate(PAGE_STATE)
                    assert "直播预告" in off_air["text"] and "医保异地就医备案" in off_air["text"]
                    assert off_air["overflow"] <= 0, size
                    page.screenshot(path=str(screenshots / f"live-off-air-{size}.png"), full_page=True)
                encoder = site.push(["-i", str(clip)], key)
                video = site.instance / "live" / "hls" / "video" / "b1" / "index.m3u8"
                wait_for(lambda: video.exists() and video.read_text().count("#EXTINF") >= 3, 60, "the stream")
                for size, page in pages.items():
                    errors = []
                    page.on("pageerror", lambda exc: errors.append(str(exc)))
                    page.goto(site.url + "/live")
                    wait_for(lambda: (page.evaluate(PAGE_STATE)["time"] or 0) > 1, 30, f"playing at {size}")
                    on_air = page.evaluate(PAGE_STATE)
                    assert on_air["labels"] == ["通俗版字幕", "原文字幕"], on_air
                    assert on_air["shown"] == ["通俗版字幕"], on_air  # captions on, one track
                    for must in ("正在直播", "实时字幕由机器生成，仅供参考", "0736-7712345",
                                 "https://live.example.gov.cn/wuling", "区司法局 王芳"):
                        assert must in on_air["text"], (size, must)
                    assert on_air["overflow"] <= 0, size
                    assert errors == []
                    page.screenshot(path=str(screenshots / f"live-on-air-{size}.png"), full_page=True)
            finally:
                browser.close()
        assert encoder.wait(60) == 0, encoder.stderr.read()
        log = site.instance / "live" / "captioner-b1.log"
        wait_for(lambda: "captions of b1 finished" in log.read_text(), 180, "the captioner to finish")
        assert "sound only, no picture" in log.read_text()
        assert first_shown(live_cues(site.captions_folder("b1")))  # the radio encoder is captioned
        assert list((site.instance / "live" / "hls" / "audio" / "b1").glob("*.ts"))  # the audio rendition
    finally:
        site.stop()
