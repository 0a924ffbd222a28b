"""The review loop in headless Chromium (Debian's) against `studio serve`: staff log in,
fix a misheard word with the keyboard, accept a glossary suggestion with one key and
approve; the public page then shows the fix in both caption tracks, the transcript and
search; a second session's stale save is refused with a message and keeps its text.
Screenshots of the workspace at 1366x768 and 390x844 go to test-output/."""
from __future__ import annotations

import urllib.parse

import pytest

from tests.support import ROOT
from tests.browser_support import catalog_settings, chromium, open_page, serving
from tests.logins import PASSWORD, add_account
from tests.review_data import SLUG, add_review_episode

pytestmark = pytest.mark.browser
OUTPUT = ROOT / "test-output"


@pytest.fixture
def site(environ, app, session, media_root, tmp_path):
    """`studio serve` on the test catalog with an episode in review and two staff."""
    add_review_episode(session, app, media_root)
    add_account(session, "wang")
    add_account(session, "li")
    with serving(catalog_settings(environ, app, media_root), tmp_path) as base:
        yield base


def open_workspace(browser, site, username, size="desktop"):
    """``username``'s page on the review workspace of the episode; (page, its errors)."""
    page = open_page(browser, size)
    page.goto(f"{site}/auth/login?next=/review/{SLUG}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_selector("#cues li.cue")
    return page, page.errors


def cue_text(page, index):
    return page.locator("#cues li.cue textarea").nth(index).input_value()


def caption_texts(page, label):
    """The cue texts of the player's caption track labelled ``label``, as Chromium parsed them."""
    return page.evaluate("""async (label) => {
        const video = document.getElementById('player');
        const track = Array.from(video.textTracks).find(t => t.label === label);
        track.mode = 'hidden';
        for (let i = 0; i < 100 && !(track.cues && track.cues.length); i++) {
            await new Promise(r => setTimeout(r, 50));
        }
        return Array.from(track.cues, c => c.text);
    }""", label)


def test_the_review_loop_from_keyboard_fix_to_public_page(site):
    playwright_api = pytest.importorskip("playwright.sync_api")
    expect = playwright_api.expect
    OUTPUT.mkdir(exist_ok=True)
    with chromium() as browser:
        late, late_errors = open_workspace(browser, site, "li")  # opens revision 1, edits later
        page, errors = open_workspace(browser, site, "wang")
        expect(page.locator("#cues li.cue").nth(2).locator("mark.unsure")).to_have_text("挂史")

        # Shortcuts stay quiet while an input method composes Chinese.
        page.locator("h1").click()
        page.evaluate("() => document.dispatchEvent(new CompositionEvent('compositionstart'))")
        page.keyboard.press("ArrowDown")
        assert page.evaluate("() => document.activeElement.tagName") == "BODY"
        page.evaluate("() => document.dispatchEvent(new CompositionEvent('compositionend'))")

        # Down twice to the third cue, fix 挂史 -> 挂失 with the keyboard.
        page.keyboard.press("ArrowDown")  # to cue 2, its text field focused
        page.keyboard.press("Alt+ArrowDown")  # inside a field only Alt shortcuts work
        page.keyboard.press("End")
        page.keyboard.press("ArrowLeft")
        page.keyboard.press("Backspace")
        page.keyboard.type("失")
        assert cue_text(page, 2) == "社保卡丢了要先挂失。"
        # Space inside a text field is text, never play/pause.
        assert page.evaluate("() => document.getElementById('review-video').paused")

        # Up to cue 2 and accept the glossary suggestion with one key.
        page.keyboard.press("Alt+ArrowUp")
        expect(page.locator("#cues li.cue").nth(1).locator(".suggestion")).to_contain_text("政务服务中新")
        page.keyboard.press("Alt+Enter")
        assert cue_text(page, 1) == "办理营业执照可以到政务服务中心。"
        expect(page.locator("#status")).to_contain_text("已自动保存：第 2 版", timeout=10_000)
        expect(page.locator("#cues li.cue").nth(2).locator("mark.unsure")).to_have_count(0)
        # The fixed misheard term is learned for later transcripts (以后自动改), with undo.
        expect(page.locator("#corrections li").first).to_contain_text("政务服务中新 → 政务服务中心")
        assert page.locator("#history time").first.get_attribute("datetime").endswith("+08:00")
        page.screenshot(path=str(OUTPUT / "review-workspace-1366x768.png"))

        page.click("#approve")
        expect(page.locator("#status")).to_contain_text("审核通过：第 2 版，wang")
        expect(page.locator("#job")).to_contain_text("新视频")

        # The second session still holds revision 1: its save is refused, its text kept.
        late.locator("#cues li.cue textarea").nth(3).fill("材料齐全当场就能办好。")
        expect(late.locator("#conflict")).to_be_visible(timeout=10_000)
        expect(late.locator("#conflict-text")).to_contain_text("第 2 版已由 wang")
        assert cue_text(late, 3) == "材料齐全当场就能办好。"
        late.screenshot(path=str(OUTPUT / "review-conflict-1366x768.png"))
        # Re-applying applies only late's own change: wang's fixes of cues 2 and 3 stay.
        late.click("#reapply")
        expect(late.locator("#status")).to_contain_text("第 3 版", timeout=10_000)
        assert [cue_text(late, i) for i in (1, 2, 3)] == [
            "办理营业执照可以到政务服务中心。", "社保卡丢了要先挂失。", "材料齐全当场就能办好。"]
        expect(late.locator("#status")).to_contain_text("已在最新版本上重新应用您的修改")
        expect(late.locator("#conflict")).to_be_hidden()

        public = browser.new_page()
        public.goto(f"{site}/e/{SLUG}")
        assert "社保卡丢了要先挂失。" in caption_texts(public, "原文字幕")
        assert "社会保障卡丢了要先挂失。" in caption_texts(public, "通俗版字幕")
        transcript = public.locator(".transcript").inner_text()
        assert "挂失" in transcript and "挂史" not in transcript and "政务服务中心" in transcript
        public.goto(f"{site}/search?q=" + urllib.parse.quote("先挂失"))
        assert "先挂失" in public.locator("main").inner_text()

        page.goto(f"{site}/review/")
        expect(page.locator("#stage-5 + ul")).to_contain_text("如何办理社保卡")
        page.screenshot(path=str(OUTPUT / "review-list-1366x768.png"))
        phone, phone_errors = open_workspace(browser, site, "wang", "phone")
        phone.screenshot(path=str(OUTPUT / "review-workspace-390x844.png"), full_page=True)
        assert errors == [] and phone_errors == []
        assert [e for e in late_errors if "409" not in e] == []  # the refused save is a 409


def test_workspace_tools_split_merge_nudge_find_private_and_hostile_text(site):
    playwright_api = pytest.importorskip("playwright.sync_api")
    expect = playwright_api.expect
    with chromium() as browser:
        page, errors = open_workspace(browser, site, "wang")
        cues = page.locator("#cues li.cue")
        first = cues.nth(0).locator("textarea")

        def saved(number):
            expect(page.locator("#status")).to_contain_text(f"已自动保存：第 {number} 版", timeout=10_000)

        # Pinyin being composed is not saved; the characters are once composition ends.
        first.evaluate("""t => { t.focus(); t.value = 'da jia hao';
            t.dispatchEvent(new InputEvent('input', {bubbles: true, isComposing: true})); }""")
        page.wait_for_timeout(2500)  # longer than the autosave delay
        expect(page.locator("#status")).not_to_contain_text("已自动保存")
        first.evaluate("""t => { t.value = '大家好';
            t.dispatchEvent(new CompositionEvent('compositionend', {bubbles: true, data: '大家好'})); }""")
        saved(2)

        # Typed markup stays text, on the page and in the saved revision.
        first.fill("<b>大家好</b>{\\pos(1,2)}")
        saved(3)
        assert page.locator("#cues b").count() == 0
        expect(page.locator("#now-cue")).to_contain_text("<b>大家好</b>{\\pos(1,2)}")

        # Nudge the start of cue 1 by +100 ms, split it at the caret, merge it back.
        first.click()
        page.keyboard.press("Alt+Digit2")
        expect(cues.nth(0).locator(".cue-time")).to_contain_text("0:00.1 – 0:02.9")
        first.fill("大家好，欢迎收看")
        first.press("End")
        for _ in range(4):
            first.press("ArrowLeft")
        page.keyboard.press("Alt+Slash")
        expect(cues).to_have_count(5)
        assert cue_text(page, 0) == "大家好，" and cue_text(page, 1) == "欢迎收看"
        page.keyboard.press("Alt+KeyM")
        expect(cues).to_have_count(4)
        assert cue_text(page, 0) == "大家好，欢迎收看"

        # Mark a caller's name private: it leaves the text.
        last = cues.nth(3).locator("textarea")
        last.fill("来电的张三说材料齐全")
        last.evaluate("t => { t.focus(); t.setSelectionRange(3, 5); }")
        page.keyboard.press("Alt+KeyP")
        assert cue_text(page, 3) == "来电的说材料齐全"
        expect(page.locator("#status")).to_contain_text("已把 2 个字标为隐私")
        expect(page.locator("#status")).to_contain_text("已自动保存", timeout=10_000)
        private = page.evaluate(f"async () => (await (await fetch('/review/{SLUG}/state')).json()).private")
        # characters 3-5 of 10 in a cue of 9.0-12.0 s, widened by 300 ms each side
        assert private == [{"start_ms": 9600, "end_ms": 10800, "note": "隐私"}]

        # Find and replace: a preview of every change first.
        page.fill("#find", "社保卡")
        page.fill("#replace", "社会保障卡")
        page.click("#find-form button[type=submit]")
        expect(page.locator("#find-preview")).to_contain_text("共 1 句要改")
        expect(page.locator("#find-preview ins")).to_have_text("社会保障卡")
        page.click("#replace-all")
        assert cue_text(page, 2).startswith("社会保障卡丢了")

        # Keep the official wording in one place of the plain track.
        page.fill("#find", "社会保障卡")
        page.fill("#replace", "社保卡")
        page.click("#find-form button[type=submit]")
        page.click("#replace-all")
        keep = cues.nth(2).locator("input[data-act=keep]")
        expect(keep).to_have_count(1, timeout=10_000)
        keep.check()
        expect(cues.nth(2).locator("mark.replaced")).to_have_text("社保卡")
        page.keyboard.press("Control+KeyS")
        expect(page.locator("#status")).to_contain_text("已自动保存", timeout=10_000)

        # A 10,000-character paste is refused with a message; the text stays.
        long_text = "长" * 10_000
        cues.nth(1).locator("textarea").fill(long_text)
        expect(page.locator("#problem")).to_contain_text("第 2 句太长", timeout=10_000)
        assert cue_text(page, 1) == long_text

        # Overlapping times are named at once.
        cues.nth(1).locator("textarea").fill("办理营业执照可以到政务服务中心。")
        cues.nth(1).locator("textarea").click()
        for _ in range(3):
            page.keyboard.press("Alt+Digit1")  # start 300 ms earlier: before cue 1 ends
        expect(page.locator("#problem")).to_contain_text("第 2 句的开始时间早于上一句", timeout=10_000)
        for _ in range(3):
            page.keyboard.press("Alt+Digit2")
        expect(page.locator("#problem")).to_be_hidden(timeout=10_000)

        # History: revert to the machine text as a new revision.
        expect(page.locator("#status")).to_contain_text("已自动保存", timeout=10_000)
        page.locator("#history li").last.locator("button", has_text="恢复此版本").click()
        expect(page.locator("#status")).to_contain_text("已恢复为第 1 版的内容", timeout=10_000)
        assert cue_text(page, 2) == "社保卡丢了要先挂史。"

        # Metadata.
        page.fill("#meta-form input[name=title]", "社保卡挂失<b>指南</b>")
        page.click("#meta-form button[type=submit]")
        expect(page.locator("#status")).to_contain_text("节目信息已保存")

        # Logged out meanwhile (another tab): the edit stays and the page says why.
        page.evaluate("""() => fetch('/auth/logout', {method: 'POST', body: new URLSearchParams(
            {csrf_token: document.getElementById('workspace').dataset.csrf})})""")
        first.fill("登出之后的修改")
        expect(page.locator("#problem")).to_contain_text("登录已过期", timeout=10_000)
        assert cue_text(page, 0) == "登出之后的修改"
        page.evaluate("""async (password) => {  // log in again (as another tab would)
            const form = await (await fetch('/auth/login')).text();
            const token = form.match(/name="csrf_token" type="hidden" value="([^"]+)"/)[1];
            await fetch('/auth/login', {method: 'POST', body: new URLSearchParams(
                {csrf_token: token, username: 'wang', password: password})});
        }""", PASSWORD)
        page.keyboard.press("Control+KeyS")  # the page fetches a fresh CSRF token and saves
        expect(page.locator("#status")).to_contain_text("已自动保存", timeout=10_000)
        assert [e for e in errors if "400 (BAD REQUEST)" not in e] == []  # the two refused saves


def test_an_episode_without_captions_opens_without_script_errors(site, session, app, media_root):
    from tests.site_data import add_episode, clip_files

    add_episode(session, "no-captions", clip_files(media_root), media_root=media_root, status="draft")
    playwright_api = pytest.importorskip("playwright.sync_api")
    with chromium() as browser:
        page = browser.new_page()
        errors = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(f"{site}/auth/login?next=/review/no-captions")
        page.fill("input[name=username]", "wang")
        page.fill("input[name=password]", PASSWORD)
        page.click("main button[type=submit]")
        playwright_api.expect(page.locator("#status")).to_have_text("还没有字幕")
        page.locator("h1").click()
        for key in ("ArrowDown", "Space", "Alt+KeyM", "Alt+Slash", "Alt+Enter"):
            page.keyboard.press(key)
        page.click("[data-act=split]")
        assert errors == []
