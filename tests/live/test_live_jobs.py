"""Heavy background jobs wait while a broadcast is on air (the live captioner needs the
CPU), against a real SQLite catalog; the wait's polling interval is shortened."""
from __future__ import annotations

import threading
from datetime import timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from episodes.jobs import Claim
from episodes.live import add_broadcast, authorize_publish, publish_stopped
from episodes.models import utcnow
from studio import tasks
from studio.environment import Environment
from tests.catalog_fixtures import catalog_engine


class Progress:
    def __init__(self):
        self.messages = []

    def set(self, fraction, message="", force=False):
        self.messages.append(message)


def test_a_heavy_job_waits_until_the_broadcast_is_off_air(tmp_path: Path, monkeypatch):
    monkeypatch.setattr(tasks, "ON_AIR_CHECK_SECONDS", 0.05)
    engine = catalog_engine(tmp_path)
    with Session(engine) as session:
        show = add_broadcast(session, utcnow(), "医保异地就医备案", [])
        authorize_publish(session, show.stream_key, "1", utcnow())
        session.commit()
        key = show.stream_key
    ran = threading.Event()
    progress = Progress()
    heavy = tasks.off_air(Environment(environ={"WULING_LIVE_GRACE_SECONDS": "0"}), engine)
    worker = threading.Thread(target=heavy(lambda claim, progress: ran.set()),
                              args=(Claim(7, "pipeline.run", "w", {}, 1, "me"), progress))
    worker.start()
    assert not ran.wait(0.5)
    assert progress.messages[-1] == "waiting: live broadcast 1 is on air"
    with Session(engine) as session:
        publish_stopped(session, key, "1", utcnow() - timedelta(seconds=1))
        session.commit()
    assert ran.wait(5)
    worker.join()
