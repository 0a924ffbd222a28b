"""The public pages as residents use them (issue 16, viewers), in Debian's headless Chromium
against `studio serve`, at a desktop (1366x768) and a phone (390x844) size: axe-core finds
nothing on any public page; the office's identity and card thumbnails; 长辈版; captions on a
phone; the transcript following the video; terms opening in place; the audio page loading
nothing until play. Screenshots in test-output/."""
from __future__ import annotations

import re

import pytest
from PIL import Image
from sqlalchemy import func, select

from episodes.downloads import PodcastDownload
from episodes.models import TranscriptCue
from tests.support import ROOT
from tests.site_data import CLIP_MS, add_episode, clip_files
from tests.browser_support import VIEWPORTS, axe_violations, catalog_settings, chromium, open_page, serving

pytestmark = pytest.mark.browser
IDENTITY = {"WULING_SITE_SPONSOR": "测试区人民政府办公室", "WULING_SITE_CODE": "0000000000",
            "WULING_ICP_RECORD": "测ICP备00000000号", "WULING_POLICE_RECORD": "测公网安备 00000000000000号"}
PUBLIC_PAGES = ("/", "/episodes/", "/guides/", "/e/ep1", "/e/ep1/audio", "/search?q=营业执照",
                "/search?q=没有这个词语", "/subscribe", "/auth/login", "/e/missing")


@pytest.fixture
def site(environ, app, session, media_root, tmp_path):
    """`studio serve` on a catalog with a show episode and a guide, the office's identity
    and logo set; yields (base URL, catalog session)."""
    add_episode(session, "ep1", clip_files(media_root), media_root=media_root)
    add_episode(session, "guide1", clip_files(media_root), kind="guide", title="三分钟学会办居住证",
                media_root=media_root)
    logo = tmp_path / "logo.png"
    Image.new("RGB", (240, 96), (180, 20, 20)).save(logo)
    with serving(catalog_settings(environ, app, media_root, **IDENTITY, WULING_SITE_LOGO=str(logo)), tmp_path,
                 "--no-background") as base:
        yield base, session


@pytest.fixture(params=VIEWPORTS)
def browse(request, site):
    """A fresh browser context at the parametrised size; yields (page, base, session, size).
    CSP is bypassed only so the test can inject axe-core; the site's own pages need none."""
    size = request.param
    with chromium() as browser:
        yield open_page(browser, size, bypass_csp=True), site[0], site[1], size


def screenshot(page, name: str, size: str) -> None:
    shot = ROOT / "test-output" / f"viewers-{name}-{size}.png"
    shot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)


def test_no_axe_violations_on_any_public_page_in_either_mode(browse):
    page, base, _, size = browse
    found = {}
    for mode in ("standard", "large-print"):
        if mode == "large-print":
            page.goto(base + "/large-print?on=1&next=/")
        for path in PUBLIC_PAGES:
            page.goto(base + path)
            problems = axe_violations(page)
            if problems:
                found[f"{mode} {path}"] = problems
            # every machine-readable time names its offset from UTC
            assert all(re.search(r"[+-]\d\d:\d\d$", value) for value in
                       page.locator("time").evaluate_all("ts => ts.map(t => t.dateTime)")), path
    assert found == {}


def test_identity_in_header_and_footer_and_small_lazy_card_pictures(browse):
    page, base, _, size = browse
    page.goto(base + "/")
    footer = page.locator("footer").inner_text()
    assert "主办单位：测试区人民政府办公室" in footer and "网站标识码：0000000000" in footer
    icp = page.get_by_role("link", name="测ICP备00000000号")
    assert icp.get_attribute("href") == "https://beian.miit.gov.cn/"
    police = page.get_by_role("link", name="测公网安备 00000000000000号")
    assert police.get_attribute("href").endswith("code=00000000000000")
    logo = page.locator(".brand img")
    assert logo.evaluate("i => i.complete && [i.naturalWidth, i.width, i.height]") == [240, 120, 48]
    pictures = page.locator(".cards img")
    assert pictures.count() == 2
    for picture in pictures.all():
        assert picture.get_attribute("loading") == "lazy"
        assert (picture.get_attribute("width"), picture.get_attribute("height")) == ("320", "180")
        picture.scroll_into_view_if_needed()
        picture.evaluate("i => i.decode()")
        assert picture.evaluate("i => i.naturalWidth") == 320
        response = page.request.get(base + picture.get_attribute("src"))
        assert response.headers["content-type"] == "image/jpeg" and len(response.body()) <= 40 * 1024
    assert page.evaluate("() => document.documentElement.scrollWidth") <= VIEWPORTS[size]["width"]
    screenshot(page, "home", size)
    assert page.errors == []


def test_large_print_mode_from_any_page_is_remembered_by_a_preference_cookie(browse):
    page, base, _, size = browse
    page.goto(base + "/e/ep1?t=3")
    normal = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    page.get_by_role("link", name="长辈版（大字）").click()
    page.wait_for_url(base + "/e/ep1?t=3")  # back on the same page
    assert page.locator("html").get_attribute("class") == "large-print"
    large = page.evaluate("() => parseFloat(getComputedStyle(document.body).fontSize)")
    assert large >= normal * 1.3
    cookies = page.context.cookies()
    assert [(c["name"], c["value"]) for c in cookies] == [("wuling_large_print", "1")]
    # bigger controls: every header link and the search button at least 48 px high
    for control in page.locator(".masthead nav a, .mode a, .search button").all():
        assert control.bounding_box()["height"] >= 48
    assert motion(page) == ["0s", "none", "auto"]  # no motion in this mode, whatever the system says
    page.goto(base + "/guides/")
    assert page.locator("html").get_attribute("class") == "large-print"  # remembered
    screenshot(page, "large-print-guides", size)
    page.goto(base + "/e/ep1")
    screenshot(page, "large-print-episode", size)
    page.get_by_role("link", name="返回标准版").click()
    page.wait_for_url(base + "/e/ep1")
    assert page.locator("html").get_attribute("class") is None and page.context.cookies() == []
    assert page.errors == []


def motion(page) -> list[str]:
    """What a transition, an animation and smooth scrolling that a page gives an element
    become: the no-motion rules must overrule any that site.css ever adds."""
    return page.evaluate("""() => { const line = document.querySelector('.transcript li');
        line.style.transition = 'background-color 2s'; line.style.animation = 'spin 2s infinite';
        line.style.scrollBehavior = 'smooth'; const style = getComputedStyle(line);
        return [style.transitionDuration, style.animationName, style.scrollBehavior]; }""")


def test_reduced_motion_is_respected_in_standard_mode(browse):
    page, base, _, _ = browse
    page.goto(base + "/e/ep1")
    assert motion(page) == ["2s", "spin", "smooth"]  # the test's own motion shows by default
    page.emulate_media(reduced_motion="reduce")
    page.reload()
    assert motion(page) == ["0s", "none", "auto"]


def test_captions_are_readable_on_a_phone_and_clear_of_the_controls(browse):
    page, base, _, size = browse
    page.goto(base + "/e/ep1")
    page.wait_for_function("() => { const t = document.getElementById('player').textTracks[0];"
                           " return t.cues && t.cues.length > 0; }")
    lines = page.evaluate("() => Array.from(document.getElementById('player').textTracks[0].cues,"
                          " c => c.line)")
    assert lines == ([-3] * 4 if size == "phone" else ["auto"] * 4)
    page.evaluate("() => { const v = document.getElementById('player'); v.currentTime = 4; }")
    page.wait_for_function("() => document.getElementById('player').textTracks[0].activeCues.length")
    page.locator("#player").scroll_into_view_if_needed()
    page.locator("#player").hover()  # the controls show, as when a resident taps the video
    page.wait_for_timeout(300)
    page.locator("#player").screenshot(path=str(ROOT / "test-output" / f"viewers-captions-{size}.png"))


def test_transcript_follows_the_video_without_stealing_the_residents_scroll(browse, media_root):
    page, base, session, size = browse
    episode = add_episode(session, "long", clip_files(media_root), title="长文字稿", media_root=media_root)
    episode.cues = [TranscriptCue(position=i, start_ms=i * 300, end_ms=i * 300 + 300,
                                  text=f"第{i}句 办理营业执照可以到政务服务中心。", plain_text=f"第{i}句")
                    for i in range(CLIP_MS // 300)]
    session.commit()
    page.goto(base + "/e/long")
    box = page.locator(".transcript ol")
    assert box.evaluate("b => b.scrollHeight > b.clientHeight")  # it scrolls on its own
    page.locator("#player").scroll_into_view_if_needed()
    window_y = page.evaluate("() => window.scrollY")
    page.evaluate("() => { const v = document.getElementById('player'); v.currentTime = 10.5; }")
    current = page.locator(".transcript li.current")
    current.wait_for()
    assert current.get_attribute("data-start") == "10500" and current.get_attribute("aria-current") == "true"
    page.wait_for_function("() => { const b = document.querySelector('.transcript ol'),"
                           " l = b.querySelector('li.current'); return l.offsetTop >= b.scrollTop &&"
                           " l.offsetTop + l.offsetHeight <= b.scrollTop + b.clientHeight; }")
    assert page.evaluate("() => window.scrollY") == window_y  # the player stays where it was
    screenshot(page, "transcript-follows", size)
    # the resident scrolls the transcript back to the top: the next line is marked, not scrolled to
    box.hover()
    page.mouse.wheel(0, -5000)
    page.wait_for_function("() => document.querySelector('.transcript ol').scrollTop === 0")
    page.evaluate("() => { const v = document.getElementById('player'); v.currentTime = 9; }")
    page.wait_for_function("() => document.querySelector('.transcript li.current').dataset.start === '9000'")
    page.wait_for_timeout(500)
    assert box.evaluate("b => b.scrollTop") == 0
    assert page.errors == []


def test_a_terms_explanation_opens_in_place_on_tap_and_on_keyboard_focus(browse):
    page, base, _, size = browse
    page.goto(base + "/e/ep1")
    term = page.locator("details.term").first
    summary, note = term.locator("summary"), term.locator(".note")
    assert not note.is_visible()
    summary.scroll_into_view_if_needed()
    window_y = page.evaluate("() => window.scrollY")
    summary.tap() if size == "phone" else summary.click()
    assert note.is_visible() and note.inner_text() == "通俗说法：区里的办事大厅。各部门集中办事的地方"
    assert abs(page.evaluate("() => window.scrollY") - window_y) < 50  # no jump away from the video
    assert summary.evaluate("s => s.parentNode.open") is True
    screenshot(page, "term-open", size)
    summary.tap() if size == "phone" else summary.click()
    assert not note.is_visible()
    # keyboard: focus opens it, moving on closes it; Enter keeps it open
    page.locator("a.seek").nth(1).focus()
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "政务服务中心"
    assert note.is_visible()
    page.keyboard.press("Tab")
    assert not note.is_visible()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert note.is_visible()
    assert page.errors == []


def test_audio_page_downloads_nothing_until_play_and_only_listening_counts(browse):
    page, base, session, size = browse
    audio_requests = []
    page.on("request", lambda r: audio_requests.append(r.url) if ".mp3" in r.url else None)
    page.goto(base + "/e/ep1/audio")
    page.wait_for_load_state("networkidle")
    assert page.locator("#player").get_attribute("preload") == "none"
    assert audio_requests == []

    def downloads() -> int:
        session.rollback()  # read what the server committed
        return session.scalar(select(func.count()).select_from(PodcastDownload))

    assert downloads() == 0
    page.evaluate("() => { const a = document.getElementById('player'); a.muted = true; return a.play(); }")
    page.wait_for_function("() => document.getElementById('player').currentTime > 0.5")
    assert audio_requests and downloads() == 1  # pressing play is listening
    screenshot(page, "audio", size)
    assert page.errors == []
