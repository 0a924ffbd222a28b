"""Headless Chromium (Debian's) against `studio serve`: play, captions, beacon, count once."""
from __future__ import annotations

import re

import pytest

from tests.browser_support import catalog_settings, chromium, open_page, serving
from tests.support import ROOT
from tests.site_data import add_episode, clip_files

pytestmark = pytest.mark.browser
SCREENSHOT = ROOT / "test-output" / "episode-page.png"


@pytest.fixture
def site(environ, app, session, media_root, tmp_path):
    """`studio serve` in its own process, on the test catalog; yields the base URL."""
    add_episode(session, "ep1", clip_files(media_root), media_root=media_root)
    with serving(catalog_settings(environ, app, media_root), tmp_path) as base:
        yield base


def view_count(page) -> int:
    return int(page.locator("#view-count").inner_text())


def play_until_beacon(page) -> dict:
    """Play muted at double speed until the page's script posts its view beacon."""
    with page.expect_response(re.compile(r"/views/beacon$"), timeout=20_000) as beacon:
        page.evaluate("() => { const v = document.getElementById('player');"
                      " v.muted = true; v.playbackRate = 2; return v.play(); }")
    return beacon.value.json()


def test_play_captions_beacon_and_count_once(site):
    with chromium() as browser:
        page = open_page(browser)
        page.on("response", lambda r: page.errors.append(r.url) if r.status >= 400 else None)
        page.goto(site + "/e/ep1")
        assert view_count(page) == 0
        assert play_until_beacon(page) == {"counted": True, "reason": ""}
        modes = page.evaluate("() => Array.from(document.getElementById('player').textTracks,"
                              " t => [t.label, t.mode])")
        assert modes == [["通俗版字幕", "showing"], ["原文字幕", "disabled"]]
        page.reload()
        assert view_count(page) == 1
        assert play_until_beacon(page)["counted"] is False  # same viewer, same hour
        page.reload()
        assert view_count(page) == 1
        page.locator("a.seek").nth(2).click()  # JS seeks in place, no navigation
        assert page.evaluate("() => document.getElementById('player').currentTime") >= 6
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        assert page.errors == []  # no CSP violation, no missing file
