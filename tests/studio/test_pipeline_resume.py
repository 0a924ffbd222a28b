"""A rerun redoes only what changed; an interrupted or killed run leaves nothing half-made;
what a rerun left is what gets published, on each catalog engine."""
from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from episodes.db import make_sessionmaker
from episodes.models import Episode
from studio.cli import cli
from studio.manifest import Manifest
from studio.pipeline import RENDER_STAGES, run_stages
from studio.stages.job import RenderOptions
from tests.catalog_fixtures import catalog_engine, seed_catalog
from tests.support import FIXTURES, SAMPLES, STUDIO, ctrl_c_works
from tests.render_support import INGEST, lavfi_clip, prepared_job, statuses



def rerun(job, **render):
    job.render = RenderOptions(**render)
    return statuses(run_stages(job, INGEST + RENDER_STAGES))


def test_rerun_skips_what_is_up_to_date_and_redoes_what_changed(tmp_path):
    job = prepared_job(tmp_path, lavfi_clip(tmp_path / "clip.mp4"), FIXTURES / "short_guide.srt")
    assert set(rerun(job).values()) == {"done", "skipped"}
    assert rerun(job) == {"ingest": "up to date", "video": "up to date",
                          "artwork": "up to date", "podcast": "up to date", "bumpers": "skipped"}

    plain = job.work.subtitles("plain", "srt")
    plain.write_text(plain.read_text(encoding="utf-8").replace("挂失", "报告丢失"), encoding="utf-8")
    changed = rerun(job)
    assert changed["video"] == "done" and changed["ingest"] == "up to date"
    assert changed["podcast"] == "up to date"  # same picture, so the same cover

    job.work.burned_video.unlink()
    assert rerun(job)["video"] == "done"
    job.work.web_video.write_bytes(b"edited by hand")
    assert rerun(job)["video"] == "done"
    assert rerun(job, vertical=True)["video"] == "done"
    assert job.work.vertical_video.exists()


def test_rerun_without_vertical_removes_the_old_vertical_video_before_publishing(environ, runner,
                                                                               settings_catalog, tmp_path):
    job = prepared_job(tmp_path, lavfi_clip(tmp_path / "clip.mp4"), FIXTURES / "short_guide.srt")
    rerun(job, vertical=True)
    assert job.work.vertical_video.exists()
    intro = job.work.bumper("intro")  # as if an earlier run had --bumpers
    intro.write_bytes(b"an earlier run's bumper")
    Manifest(job.work.manifest).record("bumpers", "earlier run", [intro])
    assert rerun(job)["video"] == "done"
    assert not job.work.vertical_video.exists()  # the manifest knew the video stage made it
    assert not intro.exists()  # and that bumpers, not in this run's plan, made this
    instance = Path(environ["WULING_INSTANCE_PATH"])
    seed_catalog(instance)
    published = runner.invoke(cli, ["publish", str(job.work.root)])
    assert published.exit_code == 0, published.output
    engine = catalog_engine(instance, settings_catalog)
    with make_sessionmaker(engine)() as session:
        episode = session.scalars(select(Episode)).one()
        assert episode.asset("burned_video") and not episode.asset("vertical_video")
    engine.dispose()


def _wait_for(ready, process: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        assert process.poll() is None, "the render ended before the moment to stop it"
        assert time.monotonic() < deadline, "the render never got there"
        time.sleep(0.02)


def _render(job, **popen) -> subprocess.Popen:
    """`studio render` with the 9:16 variant too, so the video stage runs longest."""
    return subprocess.Popen([STUDIO, "render", str(job.work.root), "--vertical", "-q"], **popen)


def test_ctrl_c_mid_render_removes_partial_outputs(environ, tmp_path, shared_media):
    job = prepared_job(tmp_path, shared_media / "talk_legal_aid.mp4", FIXTURES / "short_guide.srt")
    run_stages(job, INGEST)
    process = _render(job, env=environ, stderr=subprocess.PIPE, text=True, preexec_fn=ctrl_c_works)
    _wait_for(lambda: list(job.work.root.glob(".burned.*.part.mp4")), process)
    time.sleep(0.3)  # let ffmpeg write a little
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130 and "Interrupted" in stderr and "Traceback" not in stderr
    names = {path.name for path in job.work.root.iterdir()}
    assert not {"web.mp4", "burned.mp4", "burned-vertical.mp4"} & names
    assert not [name for name in names if ".part" in name or name.startswith(".render-")]


def _finished(job, stage: str) -> bool:
    manifest = job.work.manifest
    return manifest.exists() and f'"{stage}"' in manifest.read_text(encoding="utf-8")


def test_killed_run_resumes_with_finished_stages_skipped(environ, tmp_path, shared_media):
    job = prepared_job(tmp_path, shared_media / "talk_legal_aid.mp4", FIXTURES / "short_guide.srt")
    run_stages(job, INGEST)
    process = _render(job, env=environ, stderr=subprocess.DEVNULL, start_new_session=True)
    # The podcast is made while the video encodes; kill once it is done, mid-video.
    _wait_for(lambda: _finished(job, "podcast"), process)
    assert list(job.work.root.glob(".burned*.part.mp4"))
    os.killpg(process.pid, signal.SIGKILL)  # python and ffmpeg together, as in a power cut
    process.wait()
    assert job.work.podcast_mp3.exists() and not job.work.burned_video.exists()

    resumed = rerun(job, vertical=True)
    assert resumed == {"ingest": "up to date", "video": "done", "artwork": "up to date",
                       "podcast": "up to date", "bumpers": "skipped"}
    assert job.work.vertical_video.exists()
    assert not [p for p in job.work.root.iterdir() if ".part" in p.name]


@pytest.mark.slow
def test_full_run_then_glossary_edit_redoes_plain_track_not_transcription(environ, runner, tmp_path):
    """The real model on the 25-second sample; then an office glossary is set."""
    work = tmp_path / "work"
    first = runner.invoke(cli, ["run", str(SAMPLES / "demo_guide.mp4"), "--work", str(work),
                                "--title", "居住证怎么办", "--air-date", "2026-11-20",
                                "--guest", "李静:区公安分局", "-q"])
    assert first.exit_code == 0, first.output
    assert "ran ingest, transcribe, verbatim, plain, video, artwork, podcast" in first.output
    assert "居住证" in (work / "verbatim.srt").read_text(encoding="utf-8")

    office = tmp_path / "office.csv"
    office.write_text("term,plain,explanation,category,variants,status,mode\n"
                      "居住证,本地居住卡,在本地长期居住的人领的证件。,户籍,,preferred,replace\n",
                      encoding="utf-8")
    environ["WULING_GLOSSARY"] = str(office)
    second = runner.invoke(cli, ["run", str(SAMPLES / "demo_guide.mp4"), "--work", str(work),
                                 "--title", "居住证怎么办", "--air-date", "2026-11-20",
                                 "--guest", "李静:区公安分局", "-q"])
    assert second.exit_code == 0, second.output
    # The term base drives both glossary correction of the verbatim track and the
    # plain track; the model never runs again.
    assert "ran verbatim, plain, video" in second.output
    assert "up to date: ingest, transcribe" in second.output
    assert "本地居住卡" in (work / "plain.srt").read_text(encoding="utf-8")
