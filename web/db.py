"""One catalog session per request, on ``g``, closed at teardown (as in flaskr); the job
queue the pages enqueue background work on (by job name: ``studio worker`` runs it)."""
from __future__ import annotations

from flask import Flask, current_app, g
from sqlalchemy.orm import Session

from episodes import settings
from episodes.db import database_url, make_engine, make_sessionmaker
from episodes.queue import JobQueue
from episodes.schema import migrations


def init_app(app: Flask) -> None:
    engine = make_engine(database_url(app.instance_path, app.config["DATABASE_URL"]))
    app.extensions["catalog_engine"] = engine
    app.extensions["catalog_sessions"] = make_sessionmaker(engine)
    if app.config["AUTO_MIGRATE"]:
        migrations.apply(engine)
    # Jobs the site enqueues carry the retry settings: the same rows `studio worker` reads.
    app.extensions["jobs"] = JobQueue.create(
        engine, app.instance_path, app.config["QUEUE_URL"],
        retries=settings.get_int("job_retries", 0, 100),
        retry_delay=settings.get_int("job_retry_delay", 0, 86_400))
    app.teardown_appcontext(close_session)


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
