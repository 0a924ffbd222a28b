"""Live broadcasts when things go wrong, with the real chain: `studio serve --live` (site,
job worker, nginx-rtmp), ffmpeg pushing short clips at real speed as the encoder, the
real captioner. The encoder drops and comes back; the captioner or nginx is killed
mid-show; odd inputs. Each push costs its length in real time, so the clips are short
cuts of a shared clip."""
from __future__ import annotations

import os
import signal
import shutil
import subprocess
import time
from pathlib import Path

import pysubs2
import pytest

from studio.live_captions import SEGMENT_MS, first_shown
from studio.live_recording import live_cues
from studio.media import probe
from subtitles.evaluation import scoring_chars
from tests.live.live_site import LiveSite, wait_for

CLIP = "talk_legal_aid"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(),
                                 reason="nginx with the RTMP module is not installed (make system-packages)")]


def cut(shared_media: Path, start_s: float, length_s: float, target: Path) -> Path:
    """A few seconds of the shared clip, re-encoded as an encoder sends it (1 s keyframes)."""
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-ss", str(start_s), "-t", str(length_s),
                    "-i", str(shared_media / f"{CLIP}.mp4"), "-c:v", "libx264", "-preset", "ultrafast",
                    "-g", "25", "-c:a", "aac", "-y", str(target)], check=True)
    return target


def said(shared_media: Path, start_s: float, length_s: float) -> str:
    """What the clip's subtitles say between those moments."""
    return "".join(e.plaintext for e in pysubs2.load(str(shared_media / f"{CLIP}.srt"))
                   if e.start >= start_s * 1000 - 500 and e.end <= (start_s + length_s) * 1000 + 500)


def overlap(heard: str, truth: str) -> float:
    """How much of ``truth``'s characters were heard (recognition errors aside)."""
    truth_chars = scoring_chars(truth)
    return sum(ch in scoring_chars(heard) for ch in truth_chars) / len(truth_chars)


def captioner_pids(site: LiveSite, stream: str) -> list[int]:
    """The captioners nginx runs for this site's stream (other tests' sites run their own)."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            command = (entry / "cmdline").read_bytes()
            environ = (entry / "environ").read_bytes()
        except OSError:
            continue
        if command.endswith(f"\0live\0caption\0{stream}\0".encode()) and \
                f"WULING_INSTANCE_PATH={site.instance}".encode() in environ:
            found.append(int(entry.name))
    return found


@pytest.fixture()
def site(tmp_path):
    live = LiveSite(tmp_path)
    # room for a reconnect (3 s later) or an nginx restart (1-2 s), and no more: a test
    # waiting for the draft episode waits the whole grace period after its last push
    live.environ["WULING_LIVE_GRACE_SECONDS"] = "10"
    live.start()
    yield live
    live.stop()


def test_an_encoder_that_reconnects_within_the_grace_period_continues_one_broadcast(site, tmp_path, shared_media):
    """Two pushes 3 s apart: one timeline for the viewers (the second push's video and
    captions go on after the first's), captions for both, one draft episode of both."""
    parts = [(0.3, 9.0), (13.6, 9.0)]  # long enough for the relays to start on a busy machine
    clips = [cut(shared_media, start, length, tmp_path / f"part{n}.mp4") for n, (start, length) in enumerate(parts)]
    key = site.announce()
    for n, clip in enumerate(clips):
        if n:
            time.sleep(3)  # the encoder comes back 3 s later
        encoder = site.push(["-i", str(clip)], key)
        assert encoder.wait(60) == 0, encoder.stderr.read()
    live = site.instance / "live"
    log = wait_for(lambda: (text := (live / "captioner-b1.log").read_text()).count("captions of b1 finished") == 2
                   and text, 180, "both pushes captioned")
    recordings = sorted((live / "recordings").glob("b1-*.flv"))
    assert len(recordings) == 2
    second_start_ms = -(-probe(recordings[0]).duration_ms // SEGMENT_MS) * SEGMENT_MS
    assert f"captioning b1 from {second_start_ms / 1000:.1f} s" in log

    # viewers: the second push's video goes on after the first's, marked as a discontinuity
    video = (live / "hls" / "video" / "b1" / "index.m3u8").read_text()
    assert video.count("#EXT-X-DISCONTINUITY") == 2 and "#EXT-X-ENDLIST" not in video
    starts = [float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=start_time", "-of",
                                    "csv=p=0", str(live / "hls" / "video" / "b1" / name)],
                                   capture_output=True, text=True).stdout)
              for name in video.splitlines() if name.endswith(".ts")]
    assert starts == sorted(starts) and starts[-1] > second_start_ms / 1000
    captions = live / "hls" / "captions" / "b1"
    playlist = (captions / "index.m3u8").read_text()
    assert playlist.count("#EXT-X-DISCONTINUITY") == 2
    assert f"#EXT-X-DISCONTINUITY\n#EXTINF:1.000,\nseg-{second_start_ms // SEGMENT_MS}.vtt" in playlist
    shown = first_shown(live_cues(captions))
    first = "".join(text for moment, text in shown if moment < second_start_ms)
    second = "".join(text for moment, text in shown if moment >= second_start_ms)
    assert overlap(first, said(shared_media, *parts[0])) > 0.5, shown
    assert overlap(second, said(shared_media, *parts[1])) > 0.5, shown

    # after the grace period: the broadcast is over, one draft episode of both pushes
    wait_for(lambda: "is draft episode" in site.log.read_text(), 900, "the draft episode")
    assert (captions / "index.m3u8").read_text().endswith("#EXT-X-ENDLIST\n")
    assert site.studio("episodes", "list", "--status", "draft").count("live-1") == 1
    work = live / "work" / "b1"
    joined = probe(work / "recording.flv").duration_ms
    assert abs(joined - sum(probe(r).duration_ms for r in recordings)) < 500
    transcript = (work / "verbatim.srt").read_text(encoding="utf-8")
    assert overlap(transcript, said(shared_media, *parts[0])) > 0.8
    assert overlap(transcript, said(shared_media, *parts[1])) > 0.8
    assert transcript.index("欢迎") < transcript.index("法律援助")  # in push order


def test_a_killed_captioner_is_restarted_and_goes_on_where_it_stopped(site, tmp_path, shared_media):
    """SIGKILL to the captioner mid-push: nginx starts it again, the picture goes on
    untouched, captions continue after the kill and the playlist stays valid."""
    clip = cut(shared_media, 0, 26, tmp_path / "clip.mp4")
    key = site.announce()
    encoder = site.push(["-i", str(clip)], key)
    captions = site.captions_folder("b1")
    live = site.instance / "live"
    log = live / "captioner-b1.log"
    wait_for(lambda: log.exists() and "captioning b1" in log.read_text(), 60, "the captioner at work")
    pids = captioner_pids(site, "b1")
    assert len(pids) == 1 and encoder.poll() is None  # mid-push
    os.kill(pids[0], signal.SIGKILL)
    killed_at = len(list(captions.glob("seg-*.vtt")))
    assert encoder.wait(60) == 0, encoder.stderr.read()
    wait_for(lambda: "captions of b1 finished" in log.read_text(), 180, "the restarted captioner to finish")
    assert log.read_text().count("captioning b1 from") == 2
    video = (live / "hls" / "video" / "b1" / "index.m3u8").read_text()
    assert video.count("#EXT-X-DISCONTINUITY") == 1  # the picture never noticed
    numbers = sorted(int(p.stem[4:]) for p in captions.glob("seg-*.vtt"))
    assert numbers == list(range(numbers[-1] + 1)) and numbers[-1] >= 24  # every 1 s, to the end
    playlist = (captions / "index.m3u8").read_text().splitlines()
    assert [line for line in playlist if line.endswith(".vtt")] == [f"seg-{n}.vtt" for n in numbers]
    assert playlist.count("#EXT-X-DISCONTINUITY") == 1
    shown = first_shown(live_cues(captions))
    killed_ms = killed_at * SEGMENT_MS
    after = "".join(text for moment, text in shown if moment >= killed_ms + 2000)
    assert overlap(after, said(shared_media, killed_ms / 1000 + 4, 26 - killed_ms / 1000 - 4)) > 0.5, shown


def nginx_master(site: LiveSite) -> int:
    return int((site.instance / "live" / "nginx.pid").read_text())


def test_nginx_killed_mid_show_is_started_again_and_nothing_recorded_is_lost(site, tmp_path, shared_media):
    """kill -9 of nginx while the encoder pushes: `serve --live` says so and starts it
    again; the encoder reconnects and the broadcast goes on; the recording made before
    the kill is in the draft episode."""
    parts = [(0.3, 12.0), (13.6, 7.0)]
    clips = [cut(shared_media, start, length, tmp_path / f"part{n}.mp4") for n, (start, length) in enumerate(parts)]
    key = site.announce()
    encoder = site.push(["-i", str(clips[0])], key)
    recordings = site.instance / "live" / "recordings"
    wait_for(lambda: any(p.stat().st_size > 100_000 for p in recordings.glob("b1-*.flv")), 30, "a recording")
    time.sleep(4)
    killed = nginx_master(site)
    os.kill(killed, signal.SIGKILL)
    encoder.wait(30)  # cut off with the server, as OBS would be (it reconnects)
    wait_for(lambda: nginx_master(site) != killed and site._listening(site.rtmp_port), 30, "nginx again")
    log = site.log.read_text()
    assert f"media server (nginx {killed}) died (signal 9)" in log and "Traceback" not in log
    assert ("live broadcast 1: its push was lost with the media server" in log  # nginx said nothing
            or "live broadcast 1: the encoder stopped" in log)  # its worker, stopped gracefully, did

    encoder = site.push(["-i", str(clips[1])], key)  # the encoder reconnects
    assert encoder.wait(60) == 0, encoder.stderr.read()
    wait_for(lambda: "is draft episode" in site.log.read_text(), 900, "the draft episode")
    pushed = sorted(recordings.glob("b1-*.flv"))
    assert len(pushed) == 2 and probe(pushed[0]).duration_ms > 6000  # what came before the kill
    work = site.instance / "live" / "work" / "b1"
    assert abs(probe(work / "recording.flv").duration_ms - sum(probe(p).duration_ms for p in pushed)) < 500
    transcript = (work / "verbatim.srt").read_text(encoding="utf-8")
    assert "欢迎" in transcript and overlap(transcript, said(shared_media, *parts[1])) > 0.8
    assert "Traceback" not in site.log.read_text()



@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed (make system-packages)")
def test_speech_that_is_not_chinese_pauses_the_captions_instead_of_inventing_chinese(site, tmp_path):
    """English (espeak-ng) over a picture: the model told to write Chinese would invent
    it; the captioner hears the language, says so and captions nothing."""
    english = tmp_path / "english.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(english),
                    "Good morning everyone, welcome to the programme. Today we talk about how to apply "
                    "for legal aid, and whom to call if your employer has not paid your wages."], check=True)
    key = site.announce()
    encoder = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
                                "color=c=black:s=320x180:r=25", "-re", "-i", str(english), "-shortest",
                                "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-c:a", "aac",
                                "-f", "flv", f"rtmp://127.0.0.1:{site.rtmp_port}/live/{key}"],
                               stderr=subprocess.PIPE, text=True)
    assert encoder.wait(60) == 0, encoder.stderr.read()
    log = site.instance / "live" / "captioner-b1.log"
    wait_for(lambda: "captions of b1 finished" in log.read_text(), 180, "the captioner to finish")
    assert "b1: the sound is not Chinese speech (heard as en" in log.read_text()
    assert first_shown(live_cues(site.captions_folder("b1"))) == []
