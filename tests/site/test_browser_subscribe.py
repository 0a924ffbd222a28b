"""The 订阅 page in Debian's headless Chromium against `studio serve`, at a desktop and a
phone size: reachable from the header, nothing wider than the screen, the copy button
puts the feed address on the clipboard; screenshots in test-output/."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from episodes.library import programme_artwork
from tests.catalog_fixtures import make_workdir, publish
from tests.conftest import ROOT
from tests.browser_support import CHROMIUM, LAUNCH_ARGS, free_port, wait_until_up

pytestmark = pytest.mark.browser
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`studio serve` on a catalog with one show episode and one guide whose programme
    artwork went missing; yields its URL."""
    root = tmp_path_factory.mktemp("subscribe-browser")
    publish(root / "instance", make_workdir(root / "show", "hukou-qianyi", seconds=10))
    publish(root / "instance", make_workdir(root / "guide", "yingye-zhizhao", kind="guide", seconds=10))
    programme_artwork(root / "instance" / "media", "guide").unlink()  # studio serve draws it again
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "WULING_INSTANCE_PATH": str(root / "instance"), "WULING_SITE_URL": base}
    server = subprocess.Popen([str(Path(sys.executable).parent / "studio"), "serve", "--port", str(port),
                               "--no-background"], env=env, cwd=root, stderr=subprocess.PIPE)
    try:
        wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.mark.parametrize("size", VIEWPORTS)
def test_subscribe_page_on_desktop_and_phone(site, size):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(viewport=VIEWPORTS[size], is_mobile=size == "phone",
                                          has_touch=size == "phone")
            context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
            page = context.new_page()
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
            page.goto(site + "/")
            page.get_by_role("navigation", name="主导航").get_by_role("link", name="订阅").click()
            page.wait_for_url(site + "/subscribe")
            assert page.get_by_role("heading", level=1).inner_text() == "用手机订阅节目"
            # nothing scrolls sideways: long addresses wrap or stay inside their box
            assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"]
            for field in page.locator(".copy textarea").all():  # the whole address in view
                assert field.evaluate("f => f.scrollHeight <= f.clientHeight && f.scrollWidth <= f.clientWidth")
            assert page.locator(".programme img").count() == 2  # both drawn, one by studio serve
            for image in page.locator(".programme img").all():
                assert image.evaluate("i => i.complete && i.naturalWidth") == 1400
            button = page.get_by_role("button", name="复制地址").first
            assert button.is_visible() and button.bounding_box()["height"] >= 44  # a finger's size
            button.click()
            # the clipboard answers asynchronously: wait for the status line
            playwright_api.expect(page.locator(".copied").first).to_have_text(re.compile("^已复制"))
            assert page.evaluate("() => navigator.clipboard.readText()") == site + "/feed/podcast.xml"
            shot = ROOT / "test-output" / f"subscribe-{size}.png"
            shot.parent.mkdir(exist_ok=True)
            page.screenshot(path=str(shot), full_page=True)
            assert errors == []
        finally:
            browser.close()
