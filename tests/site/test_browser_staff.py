"""The staff pages and the live page (issue 16: axe-core on every page), in Debian's headless
Chromium against one `studio serve`, at a desktop (1366x768) and a phone (390x844) size:
axe-core finds nothing on the views dashboard, the review workspace list and an episode's
review page (logged in as staff), nor on /live with nothing on air and with a show on air.
Screenshots in test-output/staff-*.png."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from episodes.downloads import count_download
from episodes.live import add_broadcast
from episodes.models import LiveBroadcast
from episodes.record import Guest
from episodes.views import record_view
from tests.browser_support import VIEWPORTS, axe_violations, catalog_settings, chromium, open_page, serving
from tests.support import ROOT
from tests.logins import PASSWORD, add_account
from tests.review_data import SLUG, add_review_episode

pytestmark = pytest.mark.browser
SHANGHAI = ZoneInfo("Asia/Shanghai")
STAFF_PAGES = {"dashboard": "/dashboard/", "review-list": "/review/", "review-page": f"/review/{SLUG}"}


@pytest.fixture
def site(environ, app, session, media_root, tmp_path):
    """`studio serve` on a catalog with an episode in review (viewed on three days and
    downloaded once, so the dashboard draws its chart and tables), a staff account and a live
    show announced for tomorrow; yields (base URL, catalog session)."""
    episode = add_review_episode(session, app, media_root)
    now = datetime.now(timezone.utc)
    for days_ago in range(3):
        record_view(session, episode.id, f"viewer{days_ago}", now - timedelta(days=days_ago), SHANGHAI)
    count_download(session, episode.id, "203.0.113.7", "AppleCoreMedia/1.0", now, SHANGHAI)
    add_account(session, "wang")
    add_broadcast(session, datetime.now(timezone.utc) + timedelta(days=1), "法律援助怎么申请",
                  [Guest("王芳", "区司法局")])
    session.commit()
    with serving(catalog_settings(environ, app, media_root), tmp_path, "--no-background") as base:
        yield base, session


def check(page, name: str, size: str) -> list[str]:
    """axe-core's violations on the loaded page, after a full-page screenshot to look at."""
    shot = ROOT / "test-output" / f"staff-{name}-{size}.png"
    shot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    return axe_violations(page)


def go_on_air(session) -> None:
    """The announced show starts pushing, as the media server's publish hook would record."""
    show = session.query(LiveBroadcast).one()
    show.started_at, show.publisher = datetime.now(timezone.utc), "encoder-1"
    session.commit()


def test_no_axe_violations_on_the_staff_pages_and_the_live_page(site):
    base, session = site
    found = {}
    with chromium() as browser:
        pages = {}
        for size in VIEWPORTS:
            page = pages[size] = open_page(browser, size, bypass_csp=True)  # CSP: for axe-core
            page.goto(base + "/live")
            assert "法律援助怎么申请" in page.locator("main").inner_text()
            found[f"live off air {size}"] = check(page, "live-off-air", size)
            page.goto(base + "/auth/login?next=/dashboard/")
            page.fill("input[name=username]", "wang")
            page.fill("input[name=password]", PASSWORD)
            page.click("main button[type=submit]")
            page.wait_for_url(base + "/dashboard/")
            for name, path in STAFF_PAGES.items():
                page.goto(base + path)
                if name == "review-page":
                    page.wait_for_selector("#cues li.cue")
                found[f"{path} {size}"] = check(page, name, size)
                if name == "dashboard":  # the chart's axis labels legible, the page not widened
                    label = page.locator(".chart text").first.bounding_box()["height"]
                    assert label >= 12, f"chart axis labels {label:.1f} px high at {size}"
                    assert page.evaluate("() => document.documentElement.scrollWidth") \
                        <= VIEWPORTS[size]["width"]
        go_on_air(session)
        for size, page in pages.items():
            page.goto(base + "/live")
            page.wait_for_selector("video")
            found[f"live on air {size}"] = check(page, "live-on-air", size)
    assert {where: problems for where, problems in found.items() if problems} == {}
