"""The 订阅 page in Debian's headless Chromium against `studio serve`, at a desktop and a
phone size: reachable from the header, nothing wider than the screen, the copy button
puts the feed address on the clipboard; screenshots in test-output/."""
from __future__ import annotations

import re

import pytest

from episodes.library import programme_artwork
from tests.catalog_fixtures import make_workdir, publish
from tests.support import ROOT, isolated_environ
from tests.browser_support import VIEWPORTS, chromium, free_port, open_page, serving

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """`studio serve` on a catalog with one show episode and one guide whose programme
    artwork went missing; yields its URL."""
    root = tmp_path_factory.mktemp("subscribe-browser")
    publish(root / "instance", make_workdir(root / "show", "hukou-qianyi", seconds=10))
    publish(root / "instance", make_workdir(root / "guide", "yingye-zhizhao", kind="guide", seconds=10))
    programme_artwork(root / "instance" / "media", "guide").unlink()  # studio serve draws it again
    port = free_port()
    settings = {**isolated_environ(root / "instance"), "WULING_SITE_URL": f"http://127.0.0.1:{port}"}
    with serving(settings, root, "--no-background", port=port) as base:
        yield base


@pytest.mark.parametrize("size", VIEWPORTS)
def test_subscribe_page_on_desktop_and_phone(site, size):
    playwright_api = pytest.importorskip("playwright.sync_api")
    with chromium() as browser:
        page = open_page(browser, size)
        page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site)
        page.on("response", lambda r: page.errors.append(r.url) if r.status >= 400 else None)
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
        assert page.errors == []
