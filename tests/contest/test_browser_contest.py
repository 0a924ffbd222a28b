"""The contest pages as entrants, judges and organisers use them (issue 16), in Debian's
headless Chromium against `studio serve`, at a desktop (1366x768) and a phone (390x844)
size: axe-core finds nothing on any contest page and no page is wider than the screen;
the judge's player shows the video's own captions; score boxes are sized inputs with the
level descriptors beside them; submitting scores and withdrawing an entry ask in a
dialog first. Screenshots in test-output/contest-*.png."""
from __future__ import annotations


import pytest
from sqlalchemy import select

from episodes.contest import get_contest
from episodes.judging import Assignment, save_review
from tests.support import ROOT
from tests.contest_fixtures import CAPTION, SLUG, SPOKEN, session_of
from tests.browser_support import VIEWPORTS, axe_violations, chromium, open_page, serving
from tests.logins import PASSWORD

pytestmark = pytest.mark.browser  # on SQLite only (tests.contest_plugin skips PostgreSQL)


@pytest.fixture
def served(contest, captioned, tmp_path):
    """`studio serve` on the contest's instance folder (no background worker: the test
    set the pre-check up itself); yields (base URL, captioned code, its judge)."""
    with serving(contest.environ, tmp_path, "--no-background") as base:
        yield base, captioned[0], captioned[1]


@pytest.fixture(params=VIEWPORTS)
def browse(request, served):
    """A browser at the parametrised size; ``login(name)`` opens a fresh context logged in
    as that user. Yields (login, base, code, judge, size). CSP is bypassed only so the
    test can inject axe-core."""
    size = request.param
    with chromium() as browser:
        def login(username: str):
            page = open_page(browser, size, bypass_csp=True)
            page.goto(served[0] + "/auth/login")
            page.get_by_label("用户名").fill(username)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_load_state()
            return page

        yield login, served[0], served[1], served[2], size


def screenshot(page, name: str, size: str) -> None:
    shot = ROOT / "test-output" / f"contest-{name}-{size}.png"
    shot.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)


def answer_dialog(page, button, answer: str, shot: str = "") -> str:
    """Click ``button``, answer the confirmation dialog it opens; return its question."""
    button.click()
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    question = dialog.locator("#confirm-dialog-text").inner_text()
    if shot:
        page.screenshot(path=str(ROOT / "test-output" / f"contest-{shot}.png"))
    dialog.get_by_role("button", name=answer).click()
    return question


def check_page(page, name: str, size: str) -> list[str]:
    """Screenshot the loaded page; return its problems: axe-core violations and content
    wider than the screen."""
    screenshot(page, name, size)
    problems = axe_violations(page)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    if width > VIEWPORTS[size]["width"]:
        problems.append(f"{width} px wide")
    return problems


def test_no_axe_violations_and_nothing_wider_than_the_screen_on_any_contest_page(login, browse, contest):
    login, base, code, judge, size = browse
    with session_of(contest.app) as db:  # scores in, so the results page has rows
        item = get_contest(db, SLUG)
        for review in db.scalars(select(Assignment)):
            if review.judge.username != judge:
                save_review(db, item, review, {c.id: 6 for c in item.criteria}, "清楚", submit=True)
        db.commit()
    pages = {
        "alice": {"entrant-home": "/contest/", "submit": f"/contest/{SLUG}/submit",
                  "entry": f"/contest/{SLUG}/entries/{code}"},
        judge: {"judge-home": "/contest/judge", "review": f"/contest/{SLUG}/r1/{code}",
                "no-such-video": f"/contest/{SLUG}/video/V-NOSUCH"},
        "org": {"admin-home": "/contest/admin/", "manage": f"/contest/admin/{SLUG}",
                "results": f"/contest/admin/{SLUG}/r1/results",
                "submission": f"/contest/admin/{SLUG}/submissions/{code}"},
    }
    found, failed = {}, {}

    def visit(page, name: str, path: str) -> None:
        """Open the page; note its axe and width problems, its console errors and 4xx answers."""
        page.goto(base + path)
        if problems := check_page(page, name, size):
            found[name] = problems
        if page.errors or page.failed:
            failed[name] = (page.errors[:], page.failed[:])
        page.errors.clear(), page.failed.clear()

    for user, paths in pages.items():
        page = login(user)
        for name, path in paths.items():
            visit(page, name, path)
    with session_of(contest.app) as db:
        get_contest(db, SLUG).is_open = False
        db.commit()
    page = login("alice")
    visit(page, "closed", f"/contest/{SLUG}/submit")
    assert "已停止征集作品" in page.locator("main").inner_text()
    visit(page, "entry-closed", f"/contest/{SLUG}/entries/{code}")
    assert found == {}
    # Only the two pages refused on purpose answer 4xx (the console logs each as a failed
    # load: the page itself); no page misses a resource or logs another error.
    refused = "Failed to load resource: the server responded with a status of {} ({})"
    assert failed == {
        "no-such-video": ([refused.format(404, "NOT FOUND")], [(404, base + f"/contest/{SLUG}/video/V-NOSUCH")]),
        "closed": ([refused.format(403, "FORBIDDEN")], [(403, base + f"/contest/{SLUG}/submit")])}


def test_the_judge_sees_the_videos_own_captions_and_scores_with_sized_inputs(login, browse):
    login, base, code, judge, size = browse
    page = login(judge)
    page.goto(base + f"/contest/{SLUG}/r1/{code}")
    video_box = page.locator("video").bounding_box()
    page.wait_for_function("() => document.querySelector('video').readyState >= 1")
    assert page.locator("video").bounding_box() == video_box  # its shape was known before it loaded
    page.wait_for_function("() => { const t = document.querySelector('video').textTracks[0];"
                           " return t && t.mode === 'showing' && t.cues && t.cues.length > 0; }")
    assert page.evaluate("() => document.querySelector('video').textTracks[0].cues[0].text") == CAPTION
    assert page.evaluate("() => Array.from(document.querySelector('video').textTracks, t => t.label)") == [
        "作品自带字幕", "自动识别文字（参考）"]
    assert SPOKEN in page.locator(".recognised").inner_text()
    page.evaluate("() => { const v = document.querySelector('video'); v.currentTime = 0.5; }")
    page.wait_for_function("() => document.querySelector('video').textTracks[0].activeCues.length")
    page.locator("video").screenshot(path=str(ROOT / "test-output" / f"contest-judge-captions-{size}.png"))
    score = page.get_by_label("政策准确得分（0–10 分）")
    box = score.bounding_box()
    assert box["width"] >= 80 and box["height"] >= 44  # a number box, not a checkbox-sized square
    assert score.get_attribute("type") == "number"
    levels = page.locator("#levels-1")
    assert "0–3 分有明显错误或过时的政策说法" in levels.inner_text()
    if size == "desktop":  # beside the box when there is room; below it on a phone
        assert levels.bounding_box()["x"] > box["x"] + box["width"]
    # (a full-page screenshot resizes the page for a moment: take it before the clicks)
    screenshot(page, "judge-form", size)
    for criterion in ("政策准确", "通俗易懂", "创意与制作", "字幕与无障碍"):
        page.get_by_label(f"{criterion}得分（0–10 分）").fill("7")
    submit = page.get_by_role("button", name="提交评分（提交后不能修改）")
    assert answer_dialog(page, submit, "取消") == "提交后评分不能再修改。确定提交评分吗？"
    assert submit.is_visible() and page.locator(".error").count() == 0  # nothing was sent
    with page.expect_navigation():
        answer_dialog(page, submit, "确定")
    assert "评分已提交" in page.locator("main").inner_text()
    assert "政策准确：7 分" in page.locator("main").inner_text()
    assert check_page(page, "judge-submitted", size) == []
    assert page.errors == [] and page.failed == []


def test_the_entrant_withdraws_an_entry_after_a_dialog(login, browse):
    login, base, code, _, size = browse
    page = login("alice")
    page.goto(base + "/contest/")
    page.get_by_role("link", name=code, exact=True).click()
    assert page.get_by_role("heading", level=1).inner_text().endswith(f"作品 {code}")
    withdraw = page.get_by_role("button", name="撤回作品")
    question = answer_dialog(page, withdraw, "取消", shot=f"entrant-dialog-{size}")
    assert question == f"撤回后作品和预检结果将被删除，不能恢复。确定撤回作品 {code} 吗？"
    assert page.url.endswith(f"/entries/{code}")  # cancelled: still there
    with page.expect_navigation():
        answer_dialog(page, withdraw, "确定")
    assert page.url == base + "/contest/"
    assert f"作品 {code} 已撤回" in page.locator("main").inner_text()
    assert page.get_by_role("link", name=code, exact=True).count() == 0
    assert check_page(page, "entrant-withdrawn", size) == []
    assert page.errors == [] and page.failed == []
