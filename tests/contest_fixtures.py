"""Helpers for the auth and contest tests: tiny ffmpeg clips, a real app with CSRF on and
real accounts (logging in: ``tests.logins``). The fixtures built from them are in
``tests.contest_plugin``."""
from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select

from episodes import accounts
from episodes.contest import Submission, add_conflict, add_judge, create_contest, get_round
from episodes.judging import assign_round
from studio.contest_intake import Entrant, accept
from studio.media import ffmpeg_exe
from subtitles.transcript import Segment, Transcript
from tests.logins import PASSWORD
from web import create_app

SLUG = "guide-2026"
ENTRANT_NAME, ENTRANT_ORG = "张三丰", "武陵区医保局"
CAPTION = "社保卡丢了可以在手机上挂失"
SPOKEN = "您好，补办社保卡请带身份证"


def make_clip(folder: Path, name: str, size: str = "1280x720", seconds: float = 2,
              audio: bool = True) -> Path:
    """A tiny H.264/AAC clip drawn by lavfi (a flat colour compresses to a few KB)."""
    target = folder / name
    args = [ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-f", "lavfi",
            "-i", f"color=c=steelblue:s={size}:r=10:d={seconds}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac"]
    args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-shortest", str(target)]
    subprocess.run(args, check=True)
    return target


@dataclass
class Setup:
    app: object
    clips: Path
    uploads: Path
    codes: dict[str, str]  # "S1" -> blind code
    environ: dict[str, str]  # the test's environment, naming this contest's instance and catalog

    def another_app(self, **config):
        """Another app on the same instance folder and catalog, as a second process has."""
        return build_app(Path(self.app.instance_path), self.environ, **config)


def build_app(instance: Path, environ: dict[str, str], **config):
    return create_app({"TESTING": True, **config}, instance_path=str(instance), environ=environ)


def session_of(app):
    return app.extensions["catalog_sessions"]()


def populate(app, clip: Path) -> dict[str, str]:
    """Organiser ``org``; judges ``judge_a``, ``judge_b``, ``judge_c``; entrant ``alice``;
    staff ``staffer``. Round 1, two judges per work: S1 goes to A and C, S2 to B and C
    (declared conflicts keep A off S2 and B off S1)."""
    uploads = Path(app.config["CONTEST_UPLOADS"]) / SLUG
    with session_of(app) as db:
        people = {name: accounts.create_user(db, name, PASSWORD, role)
                  for name, role in (("org", "organiser"), ("judge_a", "judge"), ("judge_b", "judge"),
                                     ("judge_c", "judge"), ("alice", "entrant"), ("staffer", "staff"))}
        item = create_contest(db, SLUG, "政务服务导办小视频创作大赛", max_duration_ms=2500,
                              max_bytes=2 * 1024 * 1024)
        codes = {}
        for key in ("S1", "S2"):
            with open(clip, "rb") as f:
                codes[key] = accept(db, item, f, "我的作品.mp4", uploads, f"作品{key}",
                                    Entrant(ENTRANT_NAME, ENTRANT_ORG, user_id=people["alice"].id)).code
        for name in ("judge_a", "judge_b", "judge_c"):
            add_judge(db, item, people[name])
        subs = {s.code: s for s in db.scalars(select(Submission))}
        add_conflict(db, people["judge_a"], subs[codes["S2"]])
        add_conflict(db, people["judge_b"], subs[codes["S1"]])
        round_ = get_round(item, 1)
        round_.judges_per_submission = 2
        assign_round(db, item, round_)
        db.commit()
    return codes


def recognised(_path, _progress) -> Transcript:
    """Stands in for the speech model (its own tests run it): what it would have heard."""
    return Transcript("zh", 2000, [Segment(0, 1500, SPOKEN, ())])


def captioned_clip(folder):
    """A 720p clip with an MP4 text caption track (mov_text), as editing apps export it."""
    srt = folder / "captions.srt"
    srt.write_text(f"1\n00:00:00,000 --> 00:00:01,500\n{CAPTION}\n", encoding="utf-8")
    plain = make_clip(folder, "plain-for-captions.mp4")
    target = folder / "captioned.mp4"
    subprocess.run([ffmpeg_exe(), "-nostdin", "-v", "error", "-y", "-i", str(plain), "-i", str(srt),
                    "-map", "0", "-map", "1", "-c", "copy", "-c:s", "mov_text", str(target)], check=True)
    return target
