"""`studio serve --workers N`: the site in N gunicorn worker processes.

One waitress process (``--workers 1``, the default) runs everywhere, Windows included,
but executes Python on one core at a time; gunicorn's pre-fork workers put every core
to work. The app is built once in the serving process before the workers are forked
(so a bad setting or an unreachable database stops `studio serve` with one line, and
migrations run once), and each worker drops the inherited pooled connections so no
database connection is ever shared between processes. The scheduler and job worker
are not gunicorn's business: `studio serve` starts its one background process beside
the gunicorn master, whatever N is. With ``--worker-class gevent`` each worker answers
requests in greenlets on gevent's WSGI server; `studio serve` has monkey-patched the
whole process before building the app, so what the workers inherit is gevent's already.

Example::

    serve_with_gunicorn(app, "127.0.0.1", 8000, workers=4, threads=8, worker_class="thread",
                        on_ready=print)
"""
from __future__ import annotations

import logging
import os
import sys
from typing import TYPE_CHECKING, Callable

from gunicorn.app.base import BaseApplication

if TYPE_CHECKING:
    from flask import Flask

GRACEFUL_SECONDS = 30  # requests in flight finish on SIGTERM before workers are stopped
# gunicorn's worker class for each --worker-class: for gevent, gevent's own WSGI server,
# which gave 0.68-0.79 x the refused-beacon floor where gunicorn's "gevent" worker gave
# 0.64-0.74 (bench/RESULTS.md)
WORKER_CLASSES = {"thread": "gthread", "gevent": "gevent_pywsgi"}


class _SiteApplication(BaseApplication):
    """gunicorn's embedding interface: our options, our already-built app."""

    def __init__(self, app: Flask, options: dict):
        self.app = app
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self.app


def serve_with_gunicorn(app: Flask, host: str, port: int, workers: int, threads: int,
                        worker_class: str, on_ready: Callable[[list[str]], None]) -> None:
    """Serve ``app`` until gunicorn's master is told to stop (SIGTERM, Ctrl-C); ``on_ready``
    gets the URLs listened on (``http://127.0.0.1:8000/``) as the workers start."""
    engine = app.extensions["catalog_engine"]

    def post_fork(_server, _worker) -> None:
        engine.dispose(close=False)  # the parent's connections stay the parent's

    def when_ready(server) -> None:
        on_ready([f"{listener}/" for listener in server.LISTENERS])

    options = {
        "bind": [f"[{host}]:{port}" if ":" in host else f"{host}:{port}"],
        "workers": workers,
        "worker_class": WORKER_CLASSES[worker_class],
        "threads": threads,
        "preload_app": True,
        "graceful_timeout": GRACEFUL_SECONDS,
        "proc_name": "wuling-web",
        "loglevel": logging.getLevelName(logging.getLogger().getEffectiveLevel()).lower(),
        "post_fork": post_fork,
        "when_ready": when_ready,
        "worker_exit": _end_here,
        # gunicorn's control socket (for `gunicornc`) has one default path per user, so two
        # sites (or a test's servers) on one machine would unlink each other's; systemd and
        # `studio serve` manage the processes instead
        "control_socket_disable": True,
    }
    _SiteApplication(app, options).run()


def _end_here(_server, _worker) -> None:
    """End a worker process here, with gunicorn's exit status.

    A worker is forked deep inside `studio serve`; left to unwind, its exit would run
    the serving process's cleanup (stopping the background process and the media
    server) once per worker.
    """
    error = sys.exc_info()[1]
    code = error.code if isinstance(error, SystemExit) and isinstance(error.code, int) else 0
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
