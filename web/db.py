"""One catalog session per request, on ``g``, closed at teardown (as in flaskr); the job
queue the pages enqueue background work on (by job name: ``studio worker`` runs it); the
process's cache of the daily salts visitors are hashed with."""
from __future__ import annotations

import logging
from typing import Mapping

from flask import Flask, current_app, g, render_template
from sqlalchemy.orm import Session

from episodes import settings
from episodes.db import database_url, make_engine, make_sessionmaker
from episodes.errors import DatabaseUnavailable
from episodes.queue import JobQueue
from episodes.schema import migrations
from episodes.views import DailySalts


def init_app(app: Flask, environ: Mapping[str, str]) -> None:
    engine = make_engine(database_url(app.instance_path, app.config["DATABASE_URL"]))
    app.extensions["catalog_engine"] = engine
    app.extensions["catalog_sessions"] = make_sessionmaker(engine)
    # One per process: view beacons and podcast downloads hash visitors with these.
    app.extensions["daily_salts"] = DailySalts(app.extensions["catalog_sessions"])
    if app.config["AUTO_MIGRATE"]:
        migrations.apply(engine)
    # Jobs the site enqueues carry the retry settings: the same rows `studio worker` reads.
    app.extensions["jobs"] = JobQueue.create(
        engine, app.instance_path, app.config["QUEUE_URL"],
        retries=settings.get_int("job_retries", 0, 100, environ),
        retry_delay=settings.get_int("job_retry_delay", 0, 86_400, environ))
    app.teardown_appcontext(close_session)
    app.register_error_handler(DatabaseUnavailable, database_unavailable)


def database_unavailable(error: DatabaseUnavailable):
    """503 while the catalog is unreachable: nothing was saved, so a beacon or form sent
    again later is not lost, and load balancers and players know to retry."""
    logging.getLogger(__name__).error("%s", error)
    html = render_template("site/error.html", code=503, message="网站暂时无法访问数据库，请稍后再试。")
    return html, 503, {"Retry-After": "30"}


def get_jobs() -> JobQueue:
    return current_app.extensions["jobs"]


def get_session() -> Session:
    if "catalog_session" not in g:
        g.catalog_session = current_app.extensions["catalog_sessions"]()
    return g.catalog_session


def close_session(_exc: BaseException | None = None) -> None:
    session = g.pop("catalog_session", None)
    if session is not None:
        session.close()
