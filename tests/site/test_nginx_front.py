"""docs/nginx-wuling.conf for real: Debian's nginx on loopback (a throwaway prefix, a
self-signed certificate) in front of the site on waitress. A page, a static file, a
ranged media request handed to nginx with X-Accel-Redirect, a view beacon, the
redirect to HTTPS and a 413 for an oversized upload all go through it."""
from __future__ import annotations

import http.client
import json
import os
import shutil
import socket
import ssl
import subprocess
import threading
import time
from pathlib import Path

import pytest

import web
from studio.commands.serve import make_server
from tests.support import ROOT
from tests.site_data import GLOSSARY_CSV, add_episode, clip_files
from web.db import get_session

pytestmark = pytest.mark.skipif(shutil.which("nginx") is None,
                                reason="nginx is not installed (make installs it)")
BROWSER = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"
HOST = "ting.example.gov.cn"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def front_config(folder: Path, site_port: int, http_port: int, https_port: int,
                 media: Path) -> Path:
    """The documented site config with its CHANGE lines pointed at this test's files,
    inside a main config whose every path is in ``folder``."""
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", f"/CN={HOST}", "-keyout", str(folder / "key.pem"),
                    "-out", str(folder / "cert.pem")], check=True, capture_output=True)
    site = (ROOT / "docs" / "nginx-wuling.conf").read_text(encoding="utf-8")
    for old, new in (("127.0.0.1:8000", f"127.0.0.1:{site_port}"),
                     ("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"),
                     ("/etc/ssl/wuling/fullchain.pem", str(folder / "cert.pem")),
                     ("/etc/ssl/wuling/privkey.pem", str(folder / "key.pem")),
                     ("/srv/wuling/venv/lib/python3.11/site-packages/web/static/",
                      f"{Path(web.__file__).parent / 'static'}/"),
                     ("/srv/wuling/instance/media/", f"{media}/")):
        assert old in site, old
        site = site.replace(old, new)
    (folder / "wuling.conf").write_text(site, encoding="utf-8")
    temp = {name: folder / name for name in ("body", "proxy", "fastcgi", "uwsgi", "scgi")}
    main = folder / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"worker_processes 1;\npid {folder}/nginx.pid;\nerror_log {folder}/error.log;\n"
        "events {}\nhttp {\n  include /etc/nginx/mime.types;\n  access_log off;\n"
        + "".join(f"  {name}_temp_path {path};\n" if name != "body"
                  else f"  client_body_temp_path {path};\n" for name, path in temp.items())
        + f"  include {folder}/wuling.conf;\n}}\n", encoding="utf-8")
    return main


@pytest.fixture
def front(environ, tmp_path, media_root):
    """(https port, http port, episode id) with nginx in front of the site."""
    (tmp_path / "glossary.csv").write_text(GLOSSARY_CSV, encoding="utf-8")
    app = web.create_app({"TESTING": True, "MEDIA_ROOT": str(media_root), "TRUSTED_PROXIES": 1,
                          "MEDIA_ACCEL_REDIRECT": "/_media/", "GLOSSARY": str(tmp_path / "glossary.csv"),
                          "DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.sqlite3'}"},
                         str(tmp_path / "instance"), environ)
    with app.app_context():
        episode_id = add_episode(get_session(), "ep1", clip_files(media_root), media_root=media_root).id
    server = make_server(app, "127.0.0.1", 0, 4)
    threading.Thread(target=server.run, daemon=True).start()
    folder = tmp_path / "nginx"
    folder.mkdir()
    http_port, https_port = free_port(), free_port()
    config = front_config(folder, server.effective_port, http_port, https_port, media_root)
    nginx = subprocess.Popen(["nginx", "-p", str(folder), "-c", str(config), "-g", "daemon off;"],
                             stderr=subprocess.PIPE)
    deadline = time.monotonic() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", https_port), timeout=0.2).close()
            break
        except OSError:
            assert nginx.poll() is None, nginx.stderr.read().decode()
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
    yield https_port, http_port, episode_id
    nginx.terminate()
    nginx.wait(10)
    server.close()


def request(port: int, method: str, path: str, body: bytes | None = None, **headers):
    context = ssl.create_default_context(cafile=None)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    connection = http.client.HTTPSConnection("127.0.0.1", port, timeout=10, context=context)
    connection.request(method, path, body, {"Host": HOST, "User-Agent": BROWSER, **headers})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def test_page_static_ranged_media_and_beacon_pass_through_nginx(front, media_root):
    port, http_port, episode_id = front
    page, html = request(port, "GET", "/e/ep1")
    assert page.status == 200 and page.getheader("Server").startswith("nginx")
    assert "如何办理营业执照" in html.decode()

    css, data = request(port, "GET", "/static/site.css")
    assert css.status == 200 and data == (Path(web.__file__).parent / "static" / "site.css").read_bytes()

    video = clip_files(media_root)["video"]
    ranged, part = request(port, "GET", "/media/ep/clip.mp4", Range="bytes=100-1099")
    assert ranged.status == 206 and part == video.read_bytes()[100:1100]
    assert ranged.getheader("Content-Range") == f"bytes 100-1099/{video.stat().st_size}"
    assert ranged.getheader("Content-Type") == "video/mp4"
    assert ranged.getheader("X-Content-Type-Options") == "nosniff"
    assert ranged.getheader("X-Accel-Redirect") is None  # used inside nginx, never shown
    stat = video.stat()  # nginx's own validator: the bytes came from nginx, not Python
    assert ranged.getheader("ETag") == f'"{int(stat.st_mtime):x}-{stat.st_size:x}"'
    unpublished, _ = request(port, "GET", "/_media/ep/clip.mp4")
    assert unpublished.status == 404  # the internal location is not reachable from outside

    beacon, answer = request(port, "POST", "/views/beacon",
                             json.dumps({"episode": episode_id, "watched": 11}).encode(),
                             **{"Content-Type": "application/json"})
    assert beacon.status == 202 and json.loads(answer)["counted"] is True

    plain = http.client.HTTPConnection("127.0.0.1", http_port, timeout=10)
    plain.request("GET", "/e/ep1", headers={"Host": HOST})
    moved = plain.getresponse()
    assert moved.status == 301 and moved.getheader("Location") == f"https://{HOST}/e/ep1"
    plain.close()


def test_oversized_upload_is_refused_by_nginx_with_413(front):
    port, _, _ = front
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    raw = context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10))
    # Declared 600 MB: nginx answers from the header alone, before any of the body.
    raw.sendall(f"POST /contest/guide-2026/submit HTTP/1.1\r\nHost: {HOST}\r\n"
                f"Content-Type: multipart/form-data; boundary=x\r\n"
                f"Content-Length: {600 * 1024 * 1024}\r\n\r\n".encode())
    answer = raw.recv(4096).decode(errors="replace")
    raw.close()
    assert answer.startswith("HTTP/1.1 413")
    assert "nginx" in answer
