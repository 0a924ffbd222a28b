"""What the browser tests share: how Debian's headless Chromium is launched, the two screen
sizes issue 16 checks, and axe-core (vendored, injected into the loaded page). A plain module,
not a test module, so each browser test imports it without pulling in another's fixtures."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Mapping

import pytest

from tests.support import ROOT, STUDIO

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LAUNCH_ARGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--autoplay-policy=no-user-gesture-required"]
# Headless Chromium says "HeadlessChrome", which the view rules rightly treat as a bot;
# the tests play the part of a resident's desktop or phone browser.
DESKTOP = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
           "Chrome/120.0.0.0 Safari/537.36")
PHONE = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
         "Chrome/120.0.0.0 Mobile Safari/537.36")
VIEWPORTS = {"desktop": {"width": 1366, "height": 768}, "phone": {"width": 390, "height": 844}}
AXE = ROOT / "tests" / "vendor" / "axe.min.js"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(base: str, server: subprocess.Popen, limit: float = 30) -> None:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"studio serve exited: {server.stderr.read().decode()}")
        try:
            urllib.request.urlopen(base + "/", timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    pytest.fail("studio serve did not answer within 30 s")


def catalog_settings(environ: Mapping[str, str], app, media_root, **more: str) -> dict[str, str]:
    """The test's ``environ`` with the ``WULING_*`` settings that point `studio serve` at a
    test app's catalog."""
    return {**environ, "WULING_INSTANCE_PATH": app.instance_path,
            "WULING_DATABASE_URL": app.config["DATABASE_URL"], "WULING_MEDIA_ROOT": str(media_root),
            "WULING_GLOSSARY": app.config["GLOSSARY"], **more}


@contextmanager
def serving(environ: Mapping[str, str], cwd: Path, *options: str, port: int = 0) -> Iterator[str]:
    """`studio serve` in a process of its own on loopback ``port`` (default: a free one), in
    ``environ`` (``catalog_settings``); yields its base URL and stops it afterwards."""
    port = port or free_port()
    server = subprocess.Popen([STUDIO, "serve", "--port", str(port), *options], env=environ, cwd=cwd,
                              stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, server)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


@contextmanager
def chromium() -> Iterator:
    """Debian's headless Chromium through Playwright (the test is skipped where Playwright
    is not installed), closed afterwards."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser, size: str = "desktop", console: bool = True, **context):
    """A page in a new context, as a resident's browser at ``size`` (``VIEWPORTS``) opens
    it; its script errors, and unless not ``console`` its console errors (a failed load,
    a CSP refusal), gather in ``page.errors``; every answer of 400 or more, the page's own
    or a resource's, gathers in ``page.failed`` as (status, URL). ``context``: more
    Playwright context options (``bypass_csp=True`` lets ``axe_violations`` inject axe-core)."""
    page = browser.new_context(viewport=VIEWPORTS[size], is_mobile=size == "phone", has_touch=size == "phone",
                               user_agent=PHONE if size == "phone" else DESKTOP, **context).new_page()
    page.errors, page.failed = [], []
    page.on("response", lambda response: page.failed.append((response.status, response.url))
            if response.status >= 400 else None)
    if console:
        page.on("console", lambda message: page.errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: page.errors.append(str(error)))
    return page


def axe_violations(page) -> list[str]:
    """axe-core's violations on the loaded page, one line each (rule, impact, elements).
    The page's context needs ``bypass_csp=True`` so the script may be injected."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']}))"
                          ".violations.map(v => `${v.id} (${v.impact}): ` +"
                          " v.nodes.map(n => n.target.join(' ')).join(', '))")
    return found
