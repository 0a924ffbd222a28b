"""The media server of live broadcasts: nginx with the RTMP module, configured by us.

The studio's encoder pushes RTMP to nginx's ``live`` application. nginx asks the site
(``on_publish``, ``web.live``) whether the key may go on air; the site answers with
the broadcast's public stream name (``b12``), which nginx then uses for everything
it writes. For each accepted push nginx itself runs, and restarts when they die:

- two relays (``ffmpeg -c copy``, no re-encoding) into the ``video`` and ``audio``
  applications, whose HLS output (``hls/video/b12/``, ``hls/audio/b12/``) viewers
  play; both keep the encoder's timestamps (``-copyts``), as the captions do;
- the live captioner (``studio live caption b12``, :mod:`studio.live_captions`),
  which writes ``hls/captions/b12/``. A crash of it never touches the picture.

nginx records every push (``recordings/b12-<time>.flv``, one file per push, written
as it arrives), so nothing is lost if the encoder drops or the site restarts.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from episodes.settings import SETTINGS
from studio.environment import Environment
from studio.errors import StudioError
from studio.files import write_text
from studio.media import ffmpeg_exe

log = logging.getLogger(__name__)

RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"  # Debian's libnginx-mod-rtmp
CONF_NAME = "nginx.conf"
HLS_FRAGMENT_S = 2  # as the encoder's keyframe interval (README: OBS settings)
STOP_SECONDS = 10
# How our programs read a stream from nginx: once the push ends nginx sends nothing
# more but keeps the connection, so a read that waits 5 s means the stream is over.
READ_LIVE = ("-rw_timeout", "5000000", "-i")


@dataclass(frozen=True)
class LivePaths:
    """Where live broadcasts live on disk (setting ``live_path``)."""

    root: Path

    @classmethod
    def from_settings(cls, env: Environment) -> "LivePaths":
        root = env.setting("live_path") or os.path.join(env.setting("instance_path"), "live")
        return cls(Path(root).absolute())

    @property
    def recordings(self) -> Path:
        return self.root / "recordings"

    @property
    def hls(self) -> Path:
        return self.root / "hls"

    def captions(self, name: str) -> Path:
        return self.hls / "captions" / name

    @property
    def conf(self) -> Path:
        return self.root / CONF_NAME


def nginx_conf(env: Environment, paths: LivePaths, studio_exe: str) -> str:
    """The whole nginx configuration: RTMP only (the site serves the HLS files)."""
    port = env.setting_int("live_rtmp_port", 1, 65535)
    site = env.setting("site_url").rstrip("/")
    relay = f"rtmp://127.0.0.1:{port}"
    ffmpeg = f"{ffmpeg_exe()} -nostdin -loglevel error -copyts {' '.join(READ_LIVE)} {relay}/live/$name"
    hls = "\n".join((f"      hls on;", f"      hls_nested on;", f"      hls_fragment {HLS_FRAGMENT_S}s;",
                     "      hls_playlist_length 60s;"))
    environment = "\n".join(f"env {name}={value};" for name, value in _captioner_environ(env, paths).items())
    return f"""# Written by `studio live nginx-conf`; run by `studio serve --live`.
load_module {RTMP_MODULE};
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
pid {paths.root / "nginx.pid"};
error_log {paths.root / "nginx-error.log"} info;
env PATH;
env HOME;
{environment}
events {{ worker_connections 256; }}

rtmp {{
  server {{
    listen {port};
    chunk_size 4096;
    drop_idle_publisher 10s;  # a dead encoder frees its key for a reconnect

    application live {{
      live on;
      allow play 127.0.0.1;
      deny play all;
      on_publish {site}/live/hooks/publish;
      on_publish_done {site}/live/hooks/publish_done;
      record all;
      record_path {paths.recordings};
      record_unique on;
      exec_kill_signal term;  # the captioner captions what it has heard, then stops
      exec_push {ffmpeg} -map 0 -c copy -f flv {relay}/video/$name;
      exec_push {ffmpeg} -map 0:a -c copy -f flv {relay}/audio/$name;
      exec_push {studio_exe} live caption $name;
    }}
    application video {{
      live on;
      allow publish 127.0.0.1;
      deny publish all;
      deny play all;
{hls}
      hls_path {paths.hls / "video"};
    }}
    application audio {{
      live on;
      allow publish 127.0.0.1;
      deny publish all;
      deny play all;
{hls}
      hls_path {paths.hls / "audio"};
    }}
  }}
}}
"""


def _captioner_environ(env: Environment, paths: LivePaths) -> dict[str, str]:
    """The settings the captioner started by nginx needs (nginx passes on no environment
    of its own accord): every one set here, with the folders made absolute."""
    values = {setting.env_var: env.environ[setting.env_var] for setting in SETTINGS
              if setting.env_var in env.environ}
    values["WULING_INSTANCE_PATH"] = str(Path(env.setting("instance_path")).absolute())
    values["WULING_LIVE_PATH"] = str(paths.root)
    values["WULING_MODEL_CACHE"] = str(Path(env.setting("model_cache")).absolute())
    for name, value in values.items():
        if any(c in value for c in " ;'\"{}\n"):
            raise StudioError("cannot be passed to nginx: no spaces, quotes, braces or ';' please",
                              f"{name}={value}")
    return values


def write_nginx_conf(env: Environment) -> Path:
    """Write the configuration into the live folder, make the folders nginx writes."""
    paths = LivePaths.from_settings(env)
    for folder in (paths.recordings, paths.hls / "video", paths.hls / "audio", paths.hls / "captions"):
        folder.mkdir(parents=True, exist_ok=True)
    studio_exe = shutil.which("studio", path=os.path.dirname(sys.executable)) or "studio"
    write_text(paths.conf, nginx_conf(env, paths, studio_exe))
    return paths.conf


def _die_with_parent() -> None:
    """In the child before nginx starts: a `studio serve` killed outright takes its
    nginx along (Linux's parent-death signal) rather than leaving it holding the port."""
    import ctypes

    PR_SET_PDEATHSIG = 1
    ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGQUIT)


def nginx_exe() -> str:
    found = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin")
    if found is None or not Path(RTMP_MODULE).exists():
        raise StudioError("nginx with the RTMP module is not installed "
                          "(apt-get install nginx libnginx-mod-rtmp)", RTMP_MODULE)
    return found


@contextmanager
def running_media_server(env: Environment) -> Iterator[subprocess.Popen]:
    """nginx as our child process (its configuration rewritten first), stopped on the way out."""
    conf = write_nginx_conf(env)
    command = [nginx_exe(), "-c", str(conf), "-p", str(conf.parent), "-e", str(conf.parent / "nginx-error.log")]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise StudioError(f"nginx refuses the configuration: {checked.stderr.strip()}", conf)
    process = subprocess.Popen([*command, "-g", "daemon off;"], preexec_fn=_die_with_parent)
    log.info("media server (nginx %d) takes RTMP on port %s", process.pid, env.setting("live_rtmp_port"))
    try:
        yield process
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: finishes the recordings
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
