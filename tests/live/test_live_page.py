"""The /live page in Debian's headless Chromium at a phone's size (also in 长辈版) and a
laptop's, off air and on air, with a radio encoder's push (sound only) through the real
chain: `studio serve --live`, nginx-rtmp, the relays and the captioner. On air, a full
caption line (16 characters) is drawn by the browser's own cue rendering on one line, as
large as the player allows. Screenshots go to test-output/."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from studio.live_captions import first_shown
from studio.live_recording import live_cues
from tests.browser_support import CHROMIUM, DESKTOP, LAUNCH_ARGS, PHONE, VIEWPORTS
from tests.support import ROOT
from tests.live.live_site import LiveSite, wait_for
from web.largeprint import COOKIE as LARGE_PRINT

CLIP = "talk_legal_aid"
# (viewport, browser, 长辈版): a phone in large print has the least room for a caption line
SIZES = {"390x844": (VIEWPORTS["phone"], PHONE, False), "390x844-large-print": (VIEWPORTS["phone"], PHONE, True),
         "1366x768": (VIEWPORTS["desktop"], DESKTOP, False)}
FULL_LINE = "申请法律援助可以拨打区司法局热线"  # 16 characters: a full line of the live-zh profile
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
ADD_CUE = """(text) => {
  const video = document.getElementById('live-player');
  const track = Array.from(video.textTracks).find(t => t.mode === 'showing');
  const cue = new VTTCue(video.currentTime, video.currentTime + 600, text);
  cue.snapToLines = false;
  cue.line = 85;  // where the captioner places its cues ("line:85%")
  track.addCue(cue);
}"""


def rendered_cue_lines(page) -> list[tuple[str, int, float, float, float]]:
    """Each :data:`FULL_LINE` Chromium draws in the player (inside the video's own shadow
    tree, which only the DevTools protocol reaches): its text, how many lines it takes on
    screen (a line box each), where it starts and ends (px from the page's left) and its
    top (px from the page's top)."""
    devtools = page.context.new_cdp_session(page)
    found = []

    def walk(node, in_video=False):
        in_video = in_video or node.get("localName") == "video"
        if in_video and node.get("nodeType") == 3 and node["nodeValue"] == FULL_LINE:
            quads = devtools.send("DOM.getContentQuads", {"backendNodeId": node["backendNodeId"]})["quads"]
            found.append((node["nodeValue"], len({round(quad[1]) for quad in quads}),
                          min(quad[0] for quad in quads), max(quad[2] for quad in quads),
                          min(quad[1] for quad in quads)))
        for child in node.get("children", []) + node.get("shadowRoots", []):
            walk(child, in_video)

    walk(devtools.send("DOM.getDocument", {"depth": -1, "pierce": True})["root"])
    return found


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
                pages = {}
                for size, (viewport, agent, large_print) in SIZES.items():
                    pages[size] = browser.new_page(viewport=viewport, user_agent=agent)
                    if large_print:
                        pages[size].context.add_cookies([{"name": LARGE_PRINT, "value": "1", "url": site.url}])
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
                    page.evaluate(ADD_CUE, FULL_LINE)  # the widest line the captioner writes
                    player = page.locator("#live-player").bounding_box()
                    # a radio encoder's stream has no picture: the browser never hides the
                    # controls over the bottom of the box, so the captions go to its top
                    drawn = wait_for(lambda: [line for line in rendered_cue_lines(page)
                                              if line[4] < player["y"] + player["height"] / 2],
                                     10, f"the caption drawn at the top of the player at {size}")
                    [(_, lines, left, right, _)] = drawn
                    assert lines == 1, (size, drawn)  # never wraps,
                    assert player["x"] <= left and right <= player["x"] + player["width"], (size, drawn, player)
                    assert right - left >= 0.65 * player["width"], (size, drawn, player)  # and is as large as fits
                    page.locator("#live-player").screenshot(path=str(screenshots / f"live-player-{size}.png"))
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
