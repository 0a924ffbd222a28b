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

An encoder that drops and comes back within the grace period continues the same
broadcast, but its new push starts its clock at zero again. So that viewers' video,
the captions and the recording keep one timeline, each push is placed after the
pushes before it (:func:`push_start_ms`, from the recordings on disk): the relays and
the captioner shift its timestamps by that much, and the players see an HLS
discontinuity, not a restart.
"""
from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from episodes.settings import SETTINGS
from studio.environment import Environment
from studio.errors import MediaError, StudioError
from studio.files import write_text
from studio.media import ffmpeg_exe, ffprobe_exe, probe

log = logging.getLogger(__name__)

RTMP_MODULE = "/usr/lib/nginx/modules/ngx_rtmp_module.so"  # Debian's libnginx-mod-rtmp
CONF_NAME = "nginx.conf"
# 1 s, as the encoder's keyframe interval (README: OBS settings): nginx cuts the video at
# keyframes, and the captions are cut in step (a caption waits for its segment to close)
HLS_FRAGMENT_S = 1
HLS_PLAYLIST_S = 60  # the live playlists' length, video and captions alike
RECORDING_WAIT_S = 10
STOP_SECONDS = 10
RESTART_MAX_S = 60
QUICK_DEATH_S = 10  # an nginx that dies sooner after starting is restarted less and less often
# How our programs read a stream from nginx: once the push ends nginx sends nothing
# more but keeps the connection, so a read that waits 5 s means the stream is over.
READ_LIVE = ("-rw_timeout", "5000000", "-i")
# A live push carries its streams' description up front: a short look (one keyframe
# interval, not ffmpeg's 5 s) lets the picture reach viewers sooner after a (re)connect.
SHORT_LOOK = ("-analyzeduration", "2000000")
# Whether a push carries sound shows sooner: nginx passes its audio on at once (its video
# only from a keyframe), and every probe of a talk push found it within 0.5 s, where 2 s
# held the sound-only relay back 2.5-3.5 s on a loaded machine (load 17, measured).
SOUND_LOOK = ("-analyzeduration", "500000")


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
    hls = "\n".join((f"      hls on;", f"      hls_nested on;", f"      hls_fragment {HLS_FRAGMENT_S}s;",
                     f"      hls_playlist_length {HLS_PLAYLIST_S}s;"))
    environment = "\n".join(f"env {name}={value};" for name, value in _captioner_environ(env, paths).items())
    return f"""# Written by `studio live nginx-conf`; run by `studio serve --live`.
load_module {RTMP_MODULE};
{"user root;" if os.geteuid() == 0 else ""}
worker_processes 1;
worker_shutdown_timeout {STOP_SECONDS // 2}s;  # a graceful stop closes the pushes rather than wait for them
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
      exec_push {studio_exe} live relay $name video;
      exec_push {studio_exe} live relay $name audio;
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


def relay_command(env: Environment, stream: str, rendition: str) -> list[str]:
    """The ffmpeg that copies push ``stream`` (no re-encoding) into the ``video``
    application (picture and sound) or the ``audio`` one (sound only), its timestamps
    moved to where this push starts on the broadcast's timeline."""
    paths = LivePaths.from_settings(env)
    relay = _rtmp_url(env)
    offset_ms = push_start_ms(paths, push_recording(paths, stream))
    streams = ["-map", "0:v?", "-map", "0:a?"] if rendition == "video" else ["-map", "0:a"]
    return [ffmpeg_exe(), "-nostdin", "-loglevel", "error", "-copyts", *SHORT_LOOK,
            *READ_LIVE, f"{relay}/live/{stream}",
            *streams, "-c", "copy", "-output_ts_offset", f"{offset_ms / 1000:.3f}", "-f", "flv",
            f"{relay}/{rendition}/{stream}"]


def relay(env: Environment, stream: str, rendition: str) -> None:
    """Become the relay of push ``stream`` into ``rendition`` (the ffmpeg of
    :func:`relay_command`). For the sound-only rendition of a push without sound there is
    nothing to relay: say so once in the log and wait for nginx to stop us with the push,
    rather than fail at once (and be started again, and fail again); the site offers no
    sound-only rendition then (``web.live.master_playlist``)."""
    if rendition == "audio" and not push_has_sound(env, stream):
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
        log.warning("%s: a picture without sound: no sound-only rendition for this push", stream)
        signal.sigwait({signal.SIGTERM})  # nginx's stop (exec_kill_signal term)
        return
    arguments = relay_command(env, stream, rendition)
    os.execv(arguments[0], arguments)  # nginx stops the relay with a signal: ffmpeg must get it


def push_has_sound(env: Environment, stream: str) -> bool:
    """Whether push ``stream`` carries sound, as ffprobe reads it from nginx (a push it
    cannot read counts as having sound: the relay then runs, and fails, as before)."""
    found = subprocess.run([ffprobe_exe(), "-v", "error", *SOUND_LOOK, *READ_LIVE, f"{_rtmp_url(env)}/live/{stream}",
                            "-show_entries", "stream=codec_type", "-of", "csv=p=0"], capture_output=True, text=True)
    return found.returncode != 0 or "audio" in found.stdout.split()


def _rtmp_url(env: Environment) -> str:
    return f"rtmp://127.0.0.1:{env.setting_int('live_rtmp_port', 1, 65535)}"


def recordings_of(paths: LivePaths, stream: str) -> list[Path]:
    """The stream's recordings in push order (nginx names them ``b12-<unix time>.flv``)."""
    return sorted(paths.recordings.glob(f"{stream}-*.flv"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def push_recording(paths: LivePaths, stream: str) -> Path:
    """The recording of the push this process was started for: the stream's newest,
    once it is from this push (stamped when this process started, or later) or was
    written to after this process started (nginx restarted it after a crash mid-push;
    on a busy machine the push may be over by the time it gets here)."""
    started = _process_started_at()
    deadline = time.monotonic() + RECORDING_WAIT_S
    while True:
        if (found := recordings_of(paths, stream)) and (
                int(found[-1].stem.rsplit("-", 1)[1]) >= started - 3 or found[-1].stat().st_mtime >= started):
            return found[-1]
        if time.monotonic() > deadline:
            raise StudioError(f"no recording of stream {stream} after {RECORDING_WAIT_S} s", paths.recordings)
        time.sleep(0.2)


def push_start_ms(paths: LivePaths, recording: Path) -> int:
    """Where the push recorded in ``recording`` starts on its broadcast's timeline: after
    every earlier push of the stream, each rounded up to a whole HLS segment (so the
    captions of one push never fall in a segment of the one before)."""
    start_ms = 0
    for earlier in recordings_of(paths, recording.stem.rsplit("-", 1)[0]):
        if earlier == recording:
            return start_ms
        segment_ms = HLS_FRAGMENT_S * 1000
        start_ms = -(-(start_ms + (recording_ms(earlier) or 0)) // segment_ms) * segment_ms
    raise StudioError("not a recording of this stream's pushes", recording)


def recording_ms(recording: Path) -> int | None:
    """How long a finished push's recording is; None (and a log line) for one with
    nothing in it: an encoder that connected and dropped before sending a frame."""
    try:
        return probe(recording).duration_ms
    except MediaError as exc:
        log.warning("%s: an empty push, left out (%s)", recording.name, exc)
        return None


def _process_started_at() -> float:
    """When this process started (Unix time), from /proc: Python itself may take
    seconds to start on a busy machine, and the recording is stamped when nginx
    started us."""
    fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
    boot = next(int(line.split()[1]) for line in Path("/proc/stat").read_text().splitlines()
                if line.startswith("btime"))
    return boot + int(fields[19]) / os.sysconf("SC_CLK_TCK")


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


class MediaServer:
    """nginx as our child process, started again when it dies.

    nginx killed outright (``kill -9``, the OOM killer) leaves its worker running: it
    keeps the pushes, the recordings and the RTMP port, with nobody to run it. So the
    watch notes the workers while nginx is alive; when nginx dies they are stopped
    gracefully (the recordings are closed, nothing written so far is lost), every
    push that was on air is ended (``on_restart``: its broadcast continues if the
    encoder reconnects within the grace period, as encoders do), and nginx starts
    again."""

    def __init__(self, command: list[str], on_restart: Callable[[], None]):
        self.command, self.on_restart = command, on_restart
        self.stopping = threading.Event()
        self.process = self._start()
        self.watch = threading.Thread(target=self._watch, name="media-server-watch", daemon=True)
        self.watch.start()

    def _start(self) -> subprocess.Popen:
        # started from the watch thread after a death: the parent-death signal follows the
        # thread that started the child, and the watch lasts as long as we do
        process = subprocess.Popen([*self.command, "-g", "daemon off;"], preexec_fn=_die_with_parent)
        self.started_at = time.monotonic()
        log.info("media server (nginx %d) started", process.pid)
        return process

    def _watch(self) -> None:
        workers: list[int] = []
        delay = 1.0
        while not self.stopping.is_set():
            try:
                code = self.process.wait(1)
            except subprocess.TimeoutExpired:
                workers = _children(self.process.pid) or workers
                continue
            if self.stopping.is_set():
                return
            # one that dies as it starts (its port taken, say) is tried less and less often
            delay = min(delay * 2, RESTART_MAX_S) if time.monotonic() - self.started_at < QUICK_DEATH_S else 1.0
            how = f"signal {-code}" if code < 0 else f"exit status {code}"
            log.error("media server (nginx %d) died (%s); stopping its orphaned workers and starting it "
                      "again in %.0f s (see %s): encoders reconnect, their broadcasts go on",
                      self.process.pid, how, delay, self.command[-1])
            _stop_processes(workers)
            self.on_restart()
            if self.stopping.wait(delay):
                return
            self.process = self._start()

    def stop(self) -> None:
        self.stopping.set()
        _stop_processes([self.process.pid])
        self.process.wait()
        self.watch.join()


def _children(pid: int) -> list[int]:
    try:
        return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:  # it just died
        return []


def _stop_processes(pids: list[int]) -> None:
    """SIGQUIT (nginx's graceful stop: the recordings are finished), then SIGKILL after
    ``STOP_SECONDS``."""
    for pid in pids:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGQUIT)
    deadline = time.monotonic() + STOP_SECONDS
    while (alive := [pid for pid in pids if Path(f"/proc/{pid}").exists()
                     and "zombie" not in _state(pid)]) and time.monotonic() < deadline:
        time.sleep(0.2)
    for pid in alive:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/status").read_text().split("State:", 1)[1].split("\n", 1)[0]
    except (OSError, IndexError):
        return "zombie"


@contextmanager
def running_media_server(env: Environment, on_restart: Callable[[], None] = lambda: None) -> Iterator[MediaServer]:
    """nginx as our child process (its configuration rewritten first), watched
    (:class:`MediaServer`), stopped gracefully on the way out."""
    conf = write_nginx_conf(env)
    command = [nginx_exe(), "-c", str(conf), "-p", str(conf.parent), "-e", str(conf.parent / "nginx-error.log")]
    checked = subprocess.run([*command, "-t", "-q"], capture_output=True, text=True)
    if checked.returncode != 0:
        raise StudioError(f"nginx refuses the configuration: {checked.stderr.strip()}", conf)
    server = MediaServer(command, on_restart)
    log.info("media server takes RTMP on port %s", env.setting("live_rtmp_port"))
    try:
        yield server
    finally:
        server.stop()
