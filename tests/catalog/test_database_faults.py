"""The catalog database down at start (one line, non-zero exit) and lost mid-request (503,
no accepted view lost), on a PostgreSQL server of the test's own that it crashes; the
site starting and serving while the job queue's Redis is down (jobs wait in the catalog:
tests/catalog/test_jobs.py)."""
from __future__ import annotations

import socket

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from episodes.db import make_engine
from episodes.views import ViewEvent
from studio.cli import cli
from tests.postgres_server import PostgresServer
from tests.site_data import GLOSSARY_CSV, add_episode
from web import create_app

BROWSER = "Mozilla/5.0 (Linux; Android 13) AppleWebKit/537.36 Chrome/120 Mobile Safari/537.36"
NOWHERE = "postgresql+psycopg://wuling:secret@127.0.0.1:9/catalog"  # the discard port: refused


@pytest.mark.parametrize("args", [["db", "upgrade"], ["serve", "--port", "0"], ["worker"]])
def test_database_down_at_start_is_one_line_and_a_failure_exit(environ, runner, args):
    environ["WULING_DATABASE_URL"] = NOWHERE
    result = runner.invoke(cli, args)
    assert result.exit_code == 1, result.output
    assert result.output.startswith("Error: postgresql+psycopg://wuling:***@127.0.0.1:9/catalog: "
                                    "cannot reach the catalog database: connection failed")
    assert len(result.output.strip().splitlines()) == 1 and "secret" not in result.output


@pytest.fixture
def own_server():
    """A server of this test's own, since the test crashes it."""
    server = PostgresServer.start(durable=True)
    yield server
    server.stop()


def test_database_lost_mid_request_is_a_503_and_loses_no_accepted_view(environ, own_server, tmp_path,
                                                                       media_root):
    url = own_server.new_database()
    (tmp_path / "glossary.csv").write_text(GLOSSARY_CSV, encoding="utf-8")
    app = create_app({"TESTING": True, "MEDIA_ROOT": str(media_root), "DATABASE_URL": url,
                      "GLOSSARY": str(tmp_path / "glossary.csv")}, str(tmp_path / "instance"), environ)
    with app.app_context(), Session(app.extensions["catalog_engine"]) as session:
        episode_id = add_episode(session, "ep1").id
    client = app.test_client()

    def beacon(ip: str):
        return client.post("/views/beacon", json={"episode": episode_id, "watched": 11},
                           headers={"User-Agent": BROWSER}, environ_base={"REMOTE_ADDR": ip})

    assert client.get("/e/ep1").status_code == 200
    first = beacon("203.0.113.1")
    assert first.get_json()["counted"] is True, first.get_json()
    own_server.crash()
    page = client.get("/e/ep1")
    assert page.status_code == 503 and page.headers["Retry-After"] == "30"
    assert "网站暂时无法访问数据库" in page.get_data(as_text=True)
    assert beacon("203.0.113.2").status_code == 503  # not accepted: the player sends it again
    own_server.run()
    assert client.get("/e/ep1").status_code == 200  # pooled connections are replaced
    assert beacon("203.0.113.2").get_json()["counted"] is True
    app.extensions["catalog_engine"].dispose()
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(ViewEvent)) == 2
    engine.dispose()


def test_the_site_serves_while_redis_is_down(environ, tmp_path, media_root):
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))  # a port nothing listens on (bound, never listening)
    (tmp_path / "glossary.csv").write_text(GLOSSARY_CSV, encoding="utf-8")
    app = create_app({"TESTING": True, "MEDIA_ROOT": str(media_root),
                      "QUEUE_URL": f"redis://127.0.0.1:{dead.getsockname()[1]}/0",
                      "GLOSSARY": str(tmp_path / "glossary.csv"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'catalog.sqlite3'}"},
                     str(tmp_path / "instance"), environ)
    with app.app_context(), Session(app.extensions["catalog_engine"]) as session:
        add_episode(session, "ep1")
    client = app.test_client()
    assert client.get("/").status_code == 200 and client.get("/e/ep1").status_code == 200
    assert client.get("/search?q=社保").status_code == 200
    dead.close()
