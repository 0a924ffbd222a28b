"""`studio serve` refuses cleanly; its waitress server over real sockets: login over plain
HTTP, and request bodies refused at each route's limit (more serving: test_browser, bench/views)."""
from __future__ import annotations

import http.client
import http.cookiejar
import json
import re
import select
import socket
import threading
import time
import urllib.request
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
from sqlalchemy import func, select as select_rows

from episodes.contest import Contest, Submission, create_contest
from episodes.views import ViewEvent
from studio.cli import cli
from studio.commands.serve import make_server
from tests.contest_fixtures import session_of
from tests.logins import PASSWORD
from tests.site_data import add_episode



def test_serve_on_a_busy_port_is_a_one_line_error(environ, runner, tmp_path):
    environ["WULING_INSTANCE_PATH"] = str(tmp_path)
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 3
    assert result.output.strip() == f"Error: 127.0.0.1:{port}: cannot listen there: " \
                                    "Address already in use; pick another --port"


# -- the real server: `studio serve`'s waitress, on a free loopback port -----------------

MB = 1024 * 1024
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


@dataclass
class Served:
    app: object
    host: str
    port: int
    episode_id: int

    @property
    def base(self) -> str:
        return f"http://{self.host}:{self.port}"


@pytest.fixture
def served(contest):
    """The contest site as an intranet serves it (plain HTTP on a LAN address), through
    the waitress server `studio serve` makes; a 5 MB contest and one published episode."""
    app = contest.another_app(SITE_URL="http://192.168.10.20:8000",
                    MAX_UPLOAD_BYTES=48 * MB)
    with session_of(app) as db:
        create_contest(db, "small", "小文件大赛", max_bytes=5 * MB)
        episode_id = add_episode(db, "ep1").id
    server = make_server(app, "127.0.0.1", 0, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        yield Served(app, "127.0.0.1", server.effective_port, episode_id)
    finally:
        time.sleep(0.1)  # let waitress see the last close before its trigger is torn down
        server.close()


def _browser():
    """An HTTP client that keeps cookies as a browser does (never sends Secure ones over http)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", BROWSER)]  # the session is bound to it (strong protection)
    return opener, jar


def _log_in(served: Served, username: str):
    opener, jar = _browser()
    page = opener.open(served.base + "/auth/login").read().decode()
    form = {"username": username, "password": PASSWORD, "csrf_token": TOKEN.search(page).group(1)}
    landed = opener.open(served.base + "/auth/login", data=urlencode(form).encode())
    return opener, jar, landed


def test_login_works_over_plain_http_on_a_lan_address(served):
    _opener, jar, landed = _log_in(served, "judge_a")
    assert landed.status == 200 and landed.url == served.base + "/contest/judge"
    assert [cookie.secure for cookie in jar] == [False]


def _post(served: Served, path: str, body: bytes, content_type: str, cookies: str = ""):
    connection = http.client.HTTPConnection(served.host, served.port, timeout=60)
    connection.request("POST", path, body=body, headers={
        "Content-Type": content_type, "Cookie": cookies, "User-Agent": BROWSER})
    response = connection.getresponse()
    result = response.status, response.read()
    connection.close()
    return result


def _counted_views(app) -> int:
    with session_of(app) as db:
        return db.scalar(select_rows(func.count()).select_from(ViewEvent))


def _upload_form(csrf_token: str, video_bytes: int) -> tuple[bytes, str]:
    boundary = "wuling-boundary"
    head = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
                   for name, value in (("csrf_token", csrf_token), ("title", "我的作品")))
    head += (f"--{boundary}\r\nContent-Disposition: form-data; name=\"video\"; filename=\"work.mp4\"\r\n"
             "Content-Type: video/mp4\r\n\r\n")
    body = head.encode() + bytes(video_bytes) + f"\r\n--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def test_uploads_are_limited_by_their_contest_not_by_the_form_limit(served):
    opener, jar, _ = _log_in(served, "alice")
    cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in jar)
    page = opener.open(served.base + "/contest/small/submit").read().decode()
    status, html = _post(served, "/contest/small/submit", *_upload_form(TOKEN.search(page).group(1), 24 * MB),
                         cookies)
    assert status == 413 and "超过大小上限" in html.decode()
    assert _submissions(served.app, "small") == 0
    # 4 MB is far over the 256 KiB of an ordinary form, and within this contest's 5 MB
    status, _ = _post(served, "/contest/small/submit", *_upload_form(TOKEN.search(page).group(1), 4 * MB),
                      cookies)
    assert status == 302 and _submissions(served.app, "small") == 1


def _submissions(app, slug: str) -> int:
    with session_of(app) as db:
        return db.scalar(select_rows(func.count()).select_from(Submission).join(Contest)
                         .where(Contest.slug == slug))


def test_an_oversized_beacon_is_refused_and_not_counted(served):
    padded = {"episode": served.episode_id, "watched": 12}
    for size in (64 * 1024, 40 * MB):
        body = json.dumps({**padded, "pad": "x" * size}).encode()
        status, answer = _post(served, "/views/beacon", body, "application/json")
        assert status == 413 and json.loads(answer) == {"counted": False, "error": "beacon body too large"}
    assert _counted_views(served.app) == 0
    status, answer = _post(served, "/views/beacon", json.dumps(padded).encode(), "application/json")
    assert status == 202 and json.loads(answer)["counted"]  # the same beacon, honest size, counts
    assert _counted_views(served.app) == 1


def _send_chunked(served: Served, path: str, total: int, chunk: int = 64 * 1024) -> tuple[bytes, int]:
    """POST ``total`` bytes with Transfer-Encoding: chunked; stop sending once the server
    answers. Returns the answer's first bytes and how much was sent."""
    with socket.create_connection((served.host, served.port), timeout=60) as sock:
        sock.sendall(f"POST {path} HTTP/1.1\r\nHost: {served.host}\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n".encode())
        sent, piece = 0, f"{chunk:x}\r\n".encode() + b"x" * chunk + b"\r\n"
        try:
            while sent < total and not select.select([sock], [], [], 0)[0]:
                sock.sendall(piece)
                sent += chunk
            if sent >= total:
                sock.sendall(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server stopped reading: its answer is already on its way
        return sock.recv(200), sent


def test_an_undeclared_chunked_body_is_cut_off_at_the_limit(served):
    answer, _sent = _send_chunked(served, "/views/beacon", 64 * 1024)
    assert answer.startswith(b"HTTP/1.1 413")  # the beacon's own limit
    answer, sent = _send_chunked(served, "/contest/small/submit", 200 * MB)
    assert answer.startswith(b"HTTP/1.1 413")
    assert sent < 100 * MB  # waitress stopped reading near its 49 MB cap, not at the end
    assert _counted_views(served.app) == 0


@pytest.mark.parametrize("proxies, recorded", [(0, "127.0.0.1"), (1, "203.0.113.9")])
def test_waitress_hands_forwarded_headers_to_the_app_which_trusts_them_only_behind_a_proxy(
        contest, proxies, recorded):
    """Behind nginx (TRUSTED_PROXIES=1) the login limit must see the resident's address,
    not the proxy's; with no proxy trusted a forged header changes nothing."""
    from episodes.accounts import LoginFailure

    app = contest.another_app(TRUSTED_PROXIES=proxies)
    server = make_server(app, "127.0.0.1", 0, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    try:
        opener, _jar = _browser()
        base = f"http://127.0.0.1:{server.effective_port}"
        page = opener.open(base + "/auth/login").read().decode()
        form = {"username": "judge_a", "password": "wrong", "csrf_token": TOKEN.search(page).group(1)}
        request = urllib.request.Request(base + "/auth/login", data=urlencode(form).encode(),
                                         headers={"X-Forwarded-For": "203.0.113.9"})
        with pytest.raises(urllib.error.HTTPError):
            opener.open(request)
    finally:
        time.sleep(0.1)
        server.close()
    with session_of(app) as db:
        assert db.scalars(select_rows(LoginFailure.remote_addr)).all() == [recorded]
