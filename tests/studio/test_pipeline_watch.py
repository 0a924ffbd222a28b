"""`studio watch`: settled files only, one at a time, failures logged, restart-safe.

The recordings are silent test pictures, so the speech model is not needed: the
text stages and the podcast are skipped for want of audio, the rest runs for real.
"""
from __future__ import annotations

import json


from studio.cli import cli
from studio.commands.run import summary
from studio.stages.job import Job
from studio.watch import STATE_NAME, watch_folder
from studio.workdir import WorkDir
from subtitles.errors import WulingError
from tests.render_support import lavfi_clip


def silent_clip(path, seconds=1.0):
    return lavfi_clip(path, video="testsrc2=s=160x90:r=10", audio=None, seconds=seconds)


def watch_once(inbox, work_root, sleep=lambda seconds: None):
    def make_job(source):
        return Job(WorkDir(work_root / source.stem), source)
    return list(watch_folder(inbox, make_job, summary, (WulingError,), settle=0, once=True,
                             sleep=sleep))


def test_processes_each_settled_file_once_and_logs_failures(tmp_path):
    inbox, work_root = tmp_path / "inbox", tmp_path / "work"
    inbox.mkdir()
    silent_clip(inbox / "guide.mp4")
    (inbox / "broken.mp4").write_bytes(b"not a video\n" * 100)
    (inbox / ".copying.mp4").write_bytes(b"hidden: still being copied")
    (inbox / "notes.txt").write_text("not a recording")

    lines = watch_once(inbox, work_root)
    assert len(lines) == 2
    assert lines[0].startswith("FAILED ") and "broken.mp4" in lines[0]
    assert "ran ingest, video, artwork" in lines[1] and "podcast" in lines[1]
    assert (work_root / "guide" / "web.mp4").exists()
    state = json.loads((inbox / STATE_NAME).read_text(encoding="utf-8"))
    assert {name: entry["ok"] for name, entry in state.items()} == {"broken.mp4": False,
                                                                    "guide.mp4": True}

    assert watch_once(inbox, work_root) == []  # a restart remembers both
    silent_clip(inbox / "guide.mp4", seconds=2.0)  # a new version of the same file
    again = watch_once(inbox, work_root)
    assert len(again) == 1 and "ran ingest, video" in again[0]


def test_a_file_still_growing_waits_for_the_next_pass(tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    growing = silent_clip(inbox / "live.mp4")

    def copy_continues(seconds):
        with growing.open("ab") as stream:
            stream.write(b"\0" * 1024)

    assert watch_once(inbox, tmp_path / "work", sleep=copy_continues) == []
    assert not (inbox / STATE_NAME).exists()


def test_watch_command_once(runner, tmp_path):
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    silent_clip(inbox / "clip.mp4")
    result = runner.invoke(cli, ["watch", str(inbox), "--work-root", str(tmp_path / "w"),
                                      "--once", "--settle", "0", "-q"])
    assert result.exit_code == 0, result.output
    assert "ran ingest, video, artwork" in result.output
    assert (tmp_path / "w" / "clip.mp4" / "poster.jpg").exists()  # named after the whole file name
