"""Safe to deploy: the secret key, ending sessions, local-only redirects, logging out from
any page, cookie security that follows the site's scheme, and trusted proxies."""
from __future__ import annotations

import io
import logging
import multiprocessing
import re
import stat
from pathlib import Path

import pytest
from sqlalchemy import select

from episodes.accounts import LoginFailure
from studio.cli import cli
from tests.contest_fixtures import SLUG, session_of
from tests.logins import PASSWORD, logged_in, token
from tests.site_data import add_episode
from web import create_app
from web.deployment import KEY_FILE, SiteConfigError, instance_key

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


# -- the secret key ---------------------------------------------------------------------

def test_first_start_generates_a_private_key_that_later_starts_reuse(environ, tmp_path):
    first = create_app({"TESTING": True}, instance_path=str(tmp_path), environ=environ)
    key_file = tmp_path / KEY_FILE
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 32 and first.secret_key == key_file.read_text().strip()
    assert create_app({"TESTING": True}, instance_path=str(tmp_path), environ=environ).secret_key == first.secret_key
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []  # no temp files left
    assert create_app({"TESTING": True}, instance_path=str(tmp_path / "other"), environ=environ).secret_key != first.secret_key


def _start(folder: str, barrier, results) -> None:
    barrier.wait()
    results.put(instance_key(Path(folder)))


def test_processes_starting_at_once_agree_on_one_key(tmp_path):
    context = multiprocessing.get_context("fork")
    for attempt in range(5):
        folder = tmp_path / f"instance{attempt}"
        barrier, results = context.Barrier(6), context.Queue()
        workers = [context.Process(target=_start, args=(str(folder), barrier, results)) for _ in range(6)]
        for worker in workers:
            worker.start()
        keys = {results.get(timeout=30) for _ in workers}
        for worker in workers:
            worker.join(timeout=30)
        assert keys == {(folder / KEY_FILE).read_text().strip()}


def test_a_key_given_by_setting_wins_so_machines_can_share_one(environ, tmp_path):
    shared = "k" * 48
    environ["WULING_SECRET_KEY"] = shared
    assert create_app(instance_path=str(tmp_path), environ=environ).secret_key == shared
    assert not (tmp_path / KEY_FILE).exists()
    del environ["WULING_SECRET_KEY"]
    (tmp_path / "config.py").write_text(f"SECRET_KEY = {shared!r}\n", encoding="utf-8")
    assert create_app(instance_path=str(tmp_path), environ=environ).secret_key == shared


@pytest.mark.parametrize("key, problem", [
    ("dev-only-change-me", "'dev-only-change-me' is a published key anyone can sign logins with"),
    ("short-but-not-published", "secret key is 23 bytes; use 32 or more random bytes"),
    (b"\x01" * 31, "secret key is 31 bytes; use 32 or more random bytes"),
])
def test_a_published_or_short_key_refuses_to_start(environ, tmp_path, key, problem):
    with pytest.raises(SiteConfigError) as refused:
        create_app({"TESTING": True, "SECRET_KEY": key}, instance_path=str(tmp_path), environ=environ)
    assert str(refused.value).startswith(f"SECRET_KEY: {problem}") and "\n" not in str(refused.value)


def test_a_damaged_key_file_is_a_one_line_error_naming_it(environ, tmp_path):
    (tmp_path / KEY_FILE).write_text("abc\n")
    with pytest.raises(SiteConfigError, match=f"^{tmp_path / KEY_FILE}: secret key is 3 bytes"):
        create_app({"TESTING": True}, instance_path=str(tmp_path), environ=environ)


def test_studio_serve_refuses_the_published_key_with_one_line(environ, runner, tmp_path):
    environ["WULING_INSTANCE_PATH"] = str(tmp_path)
    environ["WULING_SECRET_KEY"] = "dev-only-change-me"
    result = runner.invoke(cli, ["serve", "--port", "0"])
    assert result.exit_code == 3
    assert result.output.startswith("Error: SECRET_KEY: 'dev-only-change-me' is a published key")
    assert result.output.count("\n") == 1 and "Traceback" not in result.output


# -- ending sessions ----------------------------------------------------------------------

def _copy_of_cookie(app, client):
    """A second browser holding a copy of ``client``'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def test_logout_ends_every_copy_of_the_session_cookie(contest):
    phone, laptop = logged_in(contest.app, "judge_a"), logged_in(contest.app, "judge_a")
    copied = _copy_of_cookie(contest.app, phone)
    assert copied.get("/contest/judge").status_code == 200  # the copy works while logged in
    assert phone.post("/auth/logout", data={"csrf_token": token(phone, "/contest/judge")}).status_code == 302
    assert copied.get("/contest/judge").status_code == 302
    assert laptop.get("/contest/judge").status_code == 302  # logging out ends every device
    assert logged_in(contest.app, "judge_a").get("/contest/judge").status_code == 200  # logging in again works


@pytest.mark.parametrize("command, stdin", [(["users", "passwd", "judge_a", "--password-stdin"],
                                             "a brand new password\n"),
                                            (["users", "disable", "judge_a"], "")])
def test_a_new_password_or_disabling_ends_existing_sessions(environ, runner, contest, command, stdin):
    client = logged_in(contest.app, "judge_a")
    copied = _copy_of_cookie(contest.app, client)
    other_judge = logged_in(contest.app, "judge_b")
    result = runner.invoke(cli, command, input=stdin)  # the contest's instance: see its fixture
    assert result.exit_code == 0, result.output
    assert client.get("/contest/judge").status_code == 302
    assert copied.get("/contest/judge").status_code == 302
    assert other_judge.get("/contest/judge").status_code == 200  # nobody else is logged out


# -- where a login may send the browser ----------------------------------------------------

HOSTILE_NEXT = ["//evil.example", "/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example",
                "%09//evil.example", "/\\evil.example", "/%5Cevil.example", "\\\\evil.example",
                "https://evil.example/", "http:evil.example", "javascript:alert(1)", " //evil.example",
                "/%00/evil.example", "//%09evil.example", "/%0b/evil.example"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_login_never_redirects_off_site_or_fails(contest, target):
    client = contest.app.test_client()
    response = client.post(f"/auth/login?next={target}", data={
        "username": "judge_a", "password": PASSWORD, "csrf_token": token(client)})
    assert response.status_code == 302
    assert response.headers["Location"] == "/contest/judge"  # the role's home, nowhere else


def test_newlines_in_next_cannot_add_headers_or_fail(contest):
    client = contest.app.test_client()
    response = client.post("/auth/login?next=/x%0d%0aSet-Cookie:%20stolen=1", data={
        "username": "judge_a", "password": PASSWORD, "csrf_token": token(client)})
    assert response.status_code == 302 and response.headers["Location"] == "/xSet-Cookie:%20stolen=1"
    assert "stolen" not in str(response.headers.getlist("Set-Cookie"))


@pytest.mark.parametrize("target, location", [("/contest/judge?x=1", "/contest/judge?x=1"),
                                              ("/e/%E8%8A%82%E7%9B%AE", "/e/%E8%8A%82%E7%9B%AE")])
def test_login_follows_local_next(contest, target, location):
    client = contest.app.test_client()
    response = client.post(f"/auth/login?next={target}", data={
        "username": "judge_a", "password": PASSWORD, "csrf_token": token(client)})
    assert response.headers["Location"] == location


# -- logging out from any page -----------------------------------------------------------

_LOGOUT_FORM = re.compile(r'<form method="post" action="/auth/logout"[^>]*>\s*'
                          r'<input type="hidden" name="csrf_token" value="[^"]+">')


@pytest.mark.parametrize("page", ["/", "/episodes/", "/search?q=社保卡", "/dashboard/"])
def test_staff_can_log_out_from_every_site_page(contest, page):
    staff = logged_in(contest.app, "staffer")
    html = staff.get(page).get_data(as_text=True)
    assert len(_LOGOUT_FORM.findall(html)) == 1, page
    assert staff.post("/auth/logout", data={"csrf_token": token(staff, page)}).status_code == 302
    assert staff.get("/dashboard/").status_code == 302
    assert "/auth/logout" not in contest.app.test_client().get(page).get_data(as_text=True)


# -- cookie security follows the site's address ------------------------------------------

def _session_cookie(app) -> str:
    client = app.test_client()
    return client.post("/auth/login", data={"username": "judge_a", "password": PASSWORD,
                                            "csrf_token": token(client)}).headers["Set-Cookie"]


def test_cookies_are_secure_exactly_when_the_site_is_https(contest, caplog):
    assert "; Secure" in _session_cookie(contest.another_app(SITE_URL="https://ting.wuling.gov.cn"))
    with caplog.at_level(logging.WARNING, logger="web.deployment"):
        lan = contest.another_app(SITE_URL="http://192.168.10.20:8000")
    assert "Secure" not in _session_cookie(lan)
    assert "not Secure (site_url 'http://192.168.10.20:8000' is not https)" in caplog.text
    overridden = contest.another_app(SITE_URL="http://192.168.10.20:8000", SESSION_COOKIE_SECURE=True)
    assert "; Secure" in _session_cookie(overridden)


def test_cookie_security_can_be_set_from_the_environment(environ, tmp_path):
    environ["WULING_SITE_URL"] = "https://ting.wuling.gov.cn"
    assert create_app(instance_path=str(tmp_path), environ=environ).config["SESSION_COOKIE_SECURE"] is True
    environ["WULING_SESSION_COOKIE_SECURE"] = "false"
    assert create_app(instance_path=str(tmp_path), environ=environ).config["SESSION_COOKIE_SECURE"] is False


@pytest.mark.parametrize("word, secure", [("no", False), ("OFF", False), ("0", False),
                                          ("yes", True), ("on", True)])
def test_cookie_security_takes_the_words_people_write(environ, tmp_path, word, secure):
    """'no' is text to Flask's environment reader, and any text is true to Python."""
    environ["WULING_SITE_URL"] = "https://ting.wuling.gov.cn" if not secure else "http://10.1.1.1"
    environ["WULING_SESSION_COOKIE_SECURE"] = word
    assert create_app(instance_path=str(tmp_path), environ=environ).config["SESSION_COOKIE_SECURE"] is secure


def test_cookie_security_that_is_neither_true_nor_false_refuses_to_start(environ, tmp_path):
    environ["WULING_SESSION_COOKIE_SECURE"] = "maybe"
    with pytest.raises(SiteConfigError, match="^SESSION_COOKIE_SECURE: must be true or false"):
        create_app(instance_path=str(tmp_path), environ=environ)


# -- reverse proxies ---------------------------------------------------------------------

def _fail_then_try(app, forwarded_for: str, attempts: int, password: str):
    client = app.test_client()
    for _ in range(attempts):
        last = client.post("/auth/login", headers={"X-Forwarded-For": forwarded_for}, data={
            "username": "judge_a", "password": password, "csrf_token": token(client)})
    return last


def test_forwarded_for_is_ignored_when_no_proxy_is_trusted(contest):
    _fail_then_try(contest.app, "10.0.0.1", 5, "wrong password!")
    assert _fail_then_try(contest.app, "10.0.0.2", 1, PASSWORD).status_code == 429  # same real client
    with session_of(contest.app) as db:
        assert set(db.scalars(select(LoginFailure.remote_addr))) == {"127.0.0.1"}


def test_forwarded_for_names_the_client_behind_one_trusted_proxy(contest):
    app = contest.another_app(TRUSTED_PROXIES=1)
    _fail_then_try(app, "10.0.0.1", 5, "wrong password!")
    assert _fail_then_try(app, "10.0.0.1", 1, PASSWORD).status_code == 429
    assert _fail_then_try(app, "10.0.0.2", 1, PASSWORD).status_code == 302  # someone else
    # a client cannot hide behind an address it puts in front of the proxy's own entry
    assert _fail_then_try(app, "10.0.0.3, 10.0.0.1", 1, PASSWORD).status_code == 429
    with session_of(app) as db:
        assert set(db.scalars(select(LoginFailure.remote_addr))) == {"10.0.0.1"}


@pytest.mark.parametrize("proxies, counted", [(0, [True, False]), (1, [True, True])])
def test_views_tell_clients_apart_only_behind_a_trusted_proxy(contest, proxies, counted):
    app = contest.another_app(TRUSTED_PROXIES=proxies)
    with session_of(app) as db:
        episode_id = add_episode(db, "ep1").id
    answers = [app.test_client().post("/views/beacon", json={"episode": episode_id, "watched": 12},
                                      headers={"X-Forwarded-For": client, "User-Agent": BROWSER}).json
               for client in ("10.0.0.1", "10.0.0.2")]
    assert [answer["counted"] for answer in answers] == counted


@pytest.mark.parametrize("count", [-1, 6, "1", True])
def test_a_bad_proxy_count_refuses_to_start(environ, tmp_path, count):
    with pytest.raises(SiteConfigError, match="^TRUSTED_PROXIES: must be a whole number from 0 to 5"):
        create_app({"TESTING": True, "TRUSTED_PROXIES": count}, instance_path=str(tmp_path), environ=environ)


# -- request bodies ----------------------------------------------------------------------

class _Unreadable(io.BytesIO):
    """A request body that fails the test if anyone reads it."""

    def read(self, *_args) -> bytes:
        raise AssertionError("the body was read")

    readline = readinto = read1 = read


@pytest.mark.parametrize("path, declared", [("/views/beacon", 4097), ("/auth/login", 256 * 1024 + 1),
                                            (f"/contest/{SLUG}/submit", 3 * 1024 * 1024 + 1)])
def test_a_declared_length_over_the_routes_limit_is_refused_without_reading(contest, path, declared):
    response = logged_in(contest.app, "alice").post(path, input_stream=_Unreadable(), content_type="application/json",
                                                environ_overrides={"CONTENT_LENGTH": str(declared)})
    assert response.status_code == 413
