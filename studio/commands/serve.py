"""`studio serve`: the site on waitress (a production WSGI server), or with ``--workers N``
on N gunicorn processes (``studio.gunicorn_server``; threads, or greenlets with
``--worker-class gevent`` on a PostgreSQL catalog), plus one background process
running the publish scheduler and the embedded job worker (``studio.background``).

Several ``studio serve`` processes, on one machine or many, are safe side by side: the
scheduler lease in the catalog lets one scheduler publish at a time.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import click

from studio.environment import Environment, pass_environment
from studio.errors import StudioError

if TYPE_CHECKING:
    from flask import Flask
    from waitress.server import BaseWSGIServer, MultiSocketServer


def make_server(app: Flask, host: str, port: int, threads: int) -> BaseWSGIServer | MultiSocketServer:
    """A bound waitress server (port 0 picks a free port: see ``server.effective_port``).

    waitress reads a whole request body before the app runs, so it is capped at the
    largest body any route accepts (``web.limits``) rather than waitress's 1 GiB.
    """
    from waitress.server import create_server

    from web.limits import largest_body

    try:
        # The forwarded headers reach the app, which trusts them only behind as many
        # proxies as TRUSTED_PROXIES says (web.deployment's ProxyFix); waitress would
        # otherwise strip them, and every client would look like the proxy.
        return create_server(app, host=host, port=port, threads=threads, ident="wuling",
                             max_request_body_size=largest_body(app),
                             clear_untrusted_proxy_headers=False)
    except OSError as exc:
        raise StudioError(f"cannot listen there: {exc.strerror}; pick another --port",
                          f"{host}:{port}") from exc


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 for every interface).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--threads", default=32, show_default=True, type=click.IntRange(1, 256),
              help="Worker threads answering requests (in each process); view beacons "
                   "waiting at once share one commit, so more threads make bigger batches.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Web processes: 1 is waitress (any system); more runs gunicorn (Linux, "
                   "macOS), about one per core. Still one scheduler and job worker.")
@click.option("--worker-class", type=click.Choice(["thread", "gevent"]), default="thread", show_default=True,
              help="How a web process answers many requests at once: a thread each, or with gevent "
                   "(gunicorn, PostgreSQL catalog only) a greenlet each, which costs less CPU per request.")
@click.option("--background/--no-background", default=True, show_default=True,
              help="Run the publish scheduler and a job worker in one child process; "
                   "--no-background when they run elsewhere (`studio schedule run`, `studio worker`).")
@click.option("--live/--no-live", default=False, show_default=True,
              help="Also run the media server of live broadcasts (nginx with the RTMP module, "
                   "configured as `studio live nginx-conf` writes) as a child process.")
@pass_environment
def serve_command(env: Environment, host: str, port: int, threads: int, workers: int,
                  worker_class: str, background: bool, live: bool) -> None:
    """Serve the site (and run scheduled publishing) until Ctrl-C."""
    if worker_class == "gevent" and live:
        raise StudioError("--live runs with thread workers only (its nginx watcher was never run under "
                          "gevent): drop --worker-class gevent on the machine the encoder pushes to")
    if worker_class == "gevent":
        # First of all: the app built below is what gunicorn's workers inherit, so its locks,
        # SQLAlchemy's pool and psycopg's way of waiting (chosen when psycopg is imported) must
        # already be gevent's, or one request's query would stop every request of its worker.
        from gevent import monkey

        monkey.patch_all()
    from contextlib import nullcontext

    from episodes.record import SHOW_NAMES
    from studio.background import start_background
    from studio.live_server import running_media_server
    from studio.stages.artwork import ensure_programme_artwork
    from web import create_app

    # a setting the site cannot start with is a SiteConfigError: one line from the CLI
    app = create_app(environ=env.environ)
    if worker_class == "gevent" and app.extensions["catalog_engine"].dialect.name == "sqlite":
        raise StudioError("--worker-class gevent needs a PostgreSQL catalog: each SQLite call "
                          "(a commit's fsync) would stop every request of the process; use threads",
                          app.extensions["catalog_engine"].url.database)
    for kind in SHOW_NAMES:  # a library published before programmes had their own artwork
        ensure_programme_artwork(Path(app.config["MEDIA_ROOT"]), kind)
    server = make_server(app, host, port, threads) if workers == 1 and worker_class == "thread" else None
    url = app.extensions["catalog_engine"].url.render_as_string(hide_password=False)
    background_process = (start_background(env, url, logging.getLogger().getEffectiveLevel())
                          if background else None)
    each = "greenlets" if worker_class == "gevent" else f"{threads} threads"
    click.echo(f"{workers} process(es) x {each}; " + (
        f"scheduler and job worker in process {background_process.process.pid}"
        if background_process else "no scheduler or job worker here (--no-background)"), err=True)
    try:
        with running_media_server(env, lambda: _pushes_lost(app)) if live else nullcontext():
            if server is None:
                from studio.gunicorn_server import serve_with_gunicorn

                serve_with_gunicorn(app, host, port, workers, threads, worker_class, _announce)
            else:
                _announce([f"http://{address}:{bound_port}/" for address, bound_port in
                           getattr(server, "effective_listen", None) or
                           [(server.effective_host, server.effective_port)]])
                server.run()
    finally:
        if background_process:
            background_process.stop()


def _pushes_lost(app: Flask) -> None:
    """nginx died: the pushes it had are over; each broadcast continues if its encoder
    reconnects within the grace period, else its recording becomes an episode."""
    from sqlalchemy.orm import Session

    from episodes.live import enqueue_finish, pushes_lost
    from episodes.models import utcnow

    now = utcnow()
    with Session(app.extensions["catalog_engine"]) as session:
        for show in pushes_lost(session, now):
            logging.getLogger(__name__).warning("live broadcast %d: its push was lost with the media server; "
                                                "it goes on if the encoder reconnects", show.id)
            enqueue_finish(session, app.extensions["jobs"], show, now)
        session.commit()


def _announce(urls: list[str]) -> None:
    for url in urls:
        click.echo(f"Serving on {url}", err=True)
