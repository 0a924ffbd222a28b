"""One timeline for a broadcast's pushes (``studio.live_server.push_start_ms``), from real
FLV recordings named as nginx names them; an encoder that dropped before its first frame
leaves an empty recording, which is left out rather than stopping the broadcast."""
from __future__ import annotations

import logging
import subprocess

from studio.live_recording import joined_recording
from studio.live_server import LivePaths, push_start_ms, recording_ms, recordings_of
from studio.media import probe


def push(path, seconds: float):
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-f", "lavfi", "-i", f"sine=f=440:d={seconds}",
                    "-c:a", "aac", "-f", "flv", str(path)], check=True)
    return path


def test_each_push_starts_after_the_earlier_ones_and_an_empty_push_is_left_out(tmp_path, caplog):
    paths = LivePaths(tmp_path / "live")
    paths.recordings.mkdir(parents=True)
    push(paths.recordings / "b1-1796000100.flv", 3.0)
    (paths.recordings / "b1-1796000200.flv").write_bytes(b"FLV\x01\x05\x00\x00\x00\x09\x00\x00\x00\x00")
    push(paths.recordings / "b1-1796000300.flv", 2.5)
    push(paths.recordings / "b1-1796001000.flv", 1.0)
    push(paths.recordings / "b2-1796000150.flv", 9.0)  # another broadcast's
    pushes = recordings_of(paths, "b1")
    assert [p.name for p in pushes] == ["b1-1796000100.flv", "b1-1796000200.flv", "b1-1796000300.flv",
                                        "b1-1796001000.flv"]
    caplog.set_level(logging.WARNING, "studio.live_server")
    # each rounded up to a whole 1-second segment: 3.0 s (a few ms more as recorded) -> 4 s,
    # empty -> 0, 2.5 s -> 7 s
    assert [push_start_ms(paths, p) for p in pushes] == [0, 4000, 4000, 7000]
    assert "b1-1796000200.flv: an empty push, left out" in caplog.text
    recorded = [p for p in pushes if recording_ms(p) is not None]
    joined = joined_recording(recorded, tmp_path / "work" / "recording.flv")
    assert abs(probe(joined).duration_ms - 6500) < 200
