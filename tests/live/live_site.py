"""`studio serve --live` as a real process on free loopback ports, with helpers to announce
a broadcast and push a clip into it as the studio's encoder would: shared by
tests/live/test_live_stream.py and bench/live.py."""
from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
from datetime import datetime, timezone
from pathlib import Path

from click.testing import CliRunner

from studio.cli import cli
from studio.environment import Environment
from tests.browser_support import free_port
from tests.support import ROOT, STUDIO, isolated_environ

AIR_AT = datetime(2026, 12, 3, 2, 0, tzinfo=timezone.utc)  # the tests' broadcast: 10:00 in Asia/Shanghai


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while not (found := condition()):
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.5)
    return found


def with_keyframes_every_second(source: list[str], target: Path) -> Path:
    """The media ffmpeg reads with input arguments ``source``, its picture re-encoded with a
    keyframe every second as the README's encoder settings say (the shared clips have one
    every 2 s), the sound copied: nginx cuts the video at keyframes into the 1-second
    segments the captions are cut in step with."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", *source, "-c:v", "libx264", "-preset", "ultrafast",
                    "-force_key_frames", "expr:gte(t,n_forced)", "-sc_threshold", "0", "-c:a", "copy", "-y", str(target)],
                   check=True)
    return target


class LiveSite:
    """`studio serve --live` on free loopback ports, its instance folder under tmp_path."""

    def __init__(self, tmp_path: Path):
        self.http_port, self.rtmp_port = free_port(), free_port()
        self.instance = tmp_path / "instance"
        self.url = f"http://127.0.0.1:{self.http_port}"
        self.environ = {**isolated_environ(self.instance),
                        "WULING_SITE_URL": self.url, "WULING_LIVE_RTMP_PORT": str(self.rtmp_port),
                        "WULING_LIVE_GRACE_SECONDS": "3", "WULING_JOB_LEASE_SECONDS": "30",
                        "WULING_RENDER_PRESET": "ultrafast", "WULING_REVIEW_REQUIRED": "off"}
        self.log = tmp_path / "serve.log"
        self.process: subprocess.Popen | None = None

    def studio(self, *args: str):
        result = CliRunner().invoke(cli, list(args), obj=Environment(environ=self.environ))
        assert result.exit_code == 0, result.output
        return result.output

    def start(self) -> None:
        self.studio("db", "upgrade")
        self.process = subprocess.Popen([STUDIO, "-v", "serve", "--port", str(self.http_port), "--live"],
                                        cwd=ROOT, env=self.environ, stderr=self.log.open("w"),
                                        start_new_session=True)
        wait_for(lambda: self._listening(self.http_port) and self._listening(self.rtmp_port), 60,
                 "the site and nginx")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()

    @staticmethod
    def _listening(port: int) -> bool:
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    def announce(self) -> str:
        """A broadcast airing now; its stream key."""
        now = time.strftime("%Y-%m-%d %H:%M", time.gmtime(time.time() + 8 * 3600))
        output = self.studio("live", "add", "--at", now, "--topic", "法律援助怎么申请",
                             "--guest", "王芳:区司法局")
        return re.search(r"stream key: (\S+)", output).group(1)

    def push(self, source: list[str], key: str) -> subprocess.Popen:
        """ffmpeg as the encoder: ``source`` are its input arguments, read at real speed."""
        return subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-re", *source, "-c:v", "copy",
                                 "-c:a", "copy", "-f", "flv", f"rtmp://127.0.0.1:{self.rtmp_port}/live/{key}"],
                                stderr=subprocess.PIPE, text=True)

    def captions_folder(self, stream: str) -> Path:
        return self.instance / "live" / "hls" / "captions" / stream
