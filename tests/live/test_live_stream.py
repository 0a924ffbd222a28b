"""Live broadcasts end to end, with real processes: `studio serve --live` (the site, its job
worker and nginx-rtmp as its child), ffmpeg pushing a shared clip at real speed as the
studio's encoder would, nginx asking the site about the key, the live captioner writing
the HLS subtitle rendition, and the recording becoming a draft episode after the grace
period. Each push costs its length in real time, so the good path is one test."""
from __future__ import annotations

import shutil
import statistics
import subprocess
import time
from difflib import SequenceMatcher
from pathlib import Path
from urllib.request import urlopen

import pysubs2
import pytest

from studio.live_captions import first_shown
from studio.live_recording import live_cues
from subtitles.evaluation import character_errors, scoring_chars
from tests.browser_support import CHROMIUM, DESKTOP, LAUNCH_ARGS
from tests.support import ROOT
from tests.live.live_site import LiveSite, wait_for, with_keyframes_every_second

CLIP = "talk_legal_aid"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not shutil.which("nginx") and not Path("/usr/sbin/nginx").exists(),
                                 reason="nginx with the RTMP module is not installed (make system-packages)")]


@pytest.fixture()
def site(tmp_path):
    live = LiveSite(tmp_path)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def clip(shared_media, tmp_path_factory) -> Path:
    """The shared clip as the studio's encoder sends it (a keyframe every second)."""
    return with_keyframes_every_second(["-i", str(shared_media / f"{CLIP}.mp4")],
                                       tmp_path_factory.mktemp("encoder") / f"{CLIP}.mp4")


def get(url: str) -> str:
    with urlopen(url, timeout=10) as response:
        return response.read().decode()


def shown_text(folder: Path) -> list[tuple[int, str]]:
    return first_shown(live_cues(folder))


def test_a_push_becomes_captions_in_step_and_then_a_draft_episode(site, clip, shared_media, shared_transcripts):
    key = site.announce()
    wrong = site.push(["-t", "3", "-i", str(clip)], "not-the-key")
    assert wrong.wait(30) != 0
    encoder = site.push(["-i", str(clip)], key)
    time.sleep(6)
    second = site.push(["-t", "3", "-i", str(clip)], key)
    assert second.wait(30) != 0  # refused while the first encoder is on air
    page = get(f"{site.url}/live")
    assert "正在直播" in page and "实时字幕由机器生成，仅供参考" in page
    master = get(f"{site.url}/live/1/master.m3u8")
    assert 'TYPE=SUBTITLES' in master and "hls/captions/b1/index.m3u8" in master
    assert encoder.wait(120) == 0, encoder.stderr.read()
    log = site.log.read_text()
    assert "unknown stream key" in log and "is already pushing this key" in log

    captioner_log = site.instance / "live" / "captioner-b1.log"
    wait_for(lambda: captioner_log.exists() and "captions of b1 finished" in captioner_log.read_text(), 180,
             "the captioner to finish")
    segments = sorted(site.captions_folder("b1").glob("seg-*.vtt"))
    assert all("X-TIMESTAMP-MAP=MPEGTS:63000,LOCAL:00:00:00.000" in s.read_text() for s in segments)
    # the video rendition's MPEG-TS clock: stream time + 0.7 s, as the captions assume
    first_ts = site.instance / "live" / "hls" / "video" / "b1" / "0.ts"
    start = float(subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=start_time", "-of",
                                  "csv=p=0", str(first_ts)], capture_output=True, text=True).stdout)
    assert 0.7 <= start < 3.7

    shown = shown_text(site.captions_folder("b1"))
    truth = (shared_media / f"{CLIP}.txt").read_text(encoding="utf-8")
    live_text = "".join(text for _, text in shown)
    live = character_errors(live_text, truth).rate
    offline = character_errors(shared_transcripts[CLIP].text, truth).rate
    log = (site.instance / "live" / "captioner-b1.log").read_text()
    # The targets: CER at most 5 points above the offline transcription's of the
    # same clip (measured in this run), and captions in step: never shown before they are
    # said, most characters on screen within 2 s of the end of their line. On a quiet
    # machine +1.1 to +2.7 points in five runs, +4.3 in a CI run (bench/RESULTS.md "Live captions").
    assert live <= offline + 0.05, f"live CER {live:.1%} vs offline {offline:.1%}: {live_text}\n{log}"
    assert_never_before_spoken(shown, shared_media / f"{CLIP}.srt")
    late = lateness_ms(shown, shared_media / f"{CLIP}.srt")
    assert statistics.median(late) <= 2000, f"median {statistics.median(late) / 1000:.1f} s after the line ends"

    with_episode = wait_for(lambda: "is draft episode" in site.log.read_text(), 900,
                            "the draft episode")
    assert with_episode
    listed = site.studio("episodes", "list", "--status", "draft")
    assert "live-1" in listed and "法律援助怎么申请" in listed
    assert site.studio("live", "list", "--all").rstrip().endswith("#1")
    work = site.instance / "live" / "work" / "b1"
    assert (work / "live-captions.vtt").read_text(encoding="utf-8").count("-->") > 5
    assert list((site.instance / "live" / "recordings").glob("b1-*.flv"))


def _matched_moments(shown: list[tuple[int, str]], srt: Path) -> list[tuple[int, int, int]]:
    """(reference start, reference end, moment shown) of every caption character that
    matches the clip's subtitles (recognition errors aside, so by character)."""
    reference = [(event.start, event.end, event.plaintext.replace("\n", "")) for event in pysubs2.load(str(srt))]
    ref_chars = [(start, end, ch) for start, end, text in reference for ch in text]
    live_chars = [(moment, ch) for moment, text in shown for ch in text]
    matcher = SequenceMatcher(None, [ch for *_, ch in ref_chars], [ch for _, ch in live_chars], autojunk=False)
    return [(*ref_chars[block.a + offset][:2], live_chars[block.b + offset][0])
            for block in matcher.get_matching_blocks() for offset in range(block.size)]


def assert_never_before_spoken(shown: list[tuple[int, str]], srt: Path) -> None:
    """Most of the clip's words are captioned, and none more than a second before it is said."""
    matched = _matched_moments(shown, srt)
    assert len(matched) > 0.5 * sum(len(e.plaintext) for e in pysubs2.load(str(srt)))
    assert [m for start, _end, m in matched if m < start - 1000] == []


def lateness_ms(shown: list[tuple[int, str]], srt: Path) -> list[int]:
    """How long after the end of its reference line each matched character was shown."""
    return [moment - end for _start, end, moment in _matched_moments(shown, srt)]


def test_silence_and_a_tone_are_not_captioned(site):
    """12 s of silence then 6 s of a steady tone (music-like, no speech): no caption text.
    The encoder sends a keyframe every 2 s, not every 1 s as README asks: the captioner
    names the setting (the picture's fragments no longer match the captions')."""
    key = site.announce()
    source = ["-re", "-f", "lavfi", "-i", "color=c=black:s=320x180:r=25",
              "-re", "-f", "lavfi", "-i", "aevalsrc=if(lt(t\\,12)\\,0\\,0.3*sin(2*PI*440*t)):s=48000",
              "-t", "18", "-map", "0:v", "-map", "1:a", "-c:v", "libx264", "-preset", "ultrafast",
              "-g", "50", "-c:a", "aac"]
    encoder = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", *source, "-f", "flv",
                                f"rtmp://127.0.0.1:{site.rtmp_port}/live/{key}"], stderr=subprocess.PIPE, text=True)
    assert encoder.wait(60) == 0, encoder.stderr.read()
    captioner_log = site.instance / "live" / "captioner-b1.log"
    wait_for(lambda: captioner_log.exists() and "captions of b1 finished" in captioner_log.read_text(), 120,
             "the captioner to finish")
    assert len(list(site.captions_folder("b1").glob("seg-*.vtt"))) >= 5
    assert shown_text(site.captions_folder("b1")) == []
    assert "the picture comes in 2.0 s fragments" in captioner_log.read_text()


@pytest.mark.browser
def test_the_live_page_plays_the_stream_with_the_captions_of_the_moment(site, clip, shared_media):
    """Headless Chromium (Debian's) plays /live through hls.js; the caption on screen
    (``activeCues``) is what the clip's subtitles say was spoken just then."""
    playwright_api = pytest.importorskip("playwright.sync_api")
    key = site.announce()
    encoder = site.push(["-i", str(clip)], key)
    video = site.instance / "live" / "hls" / "video" / "b1" / "index.m3u8"
    wait_for(lambda: video.exists() and video.read_text().count("#EXTINF") >= 3, 60, "the video playlist")
    reference = [(e.start, e.end, e.plaintext.replace("\n", "")) for e in pysubs2.load(str(shared_media / f"{CLIP}.srt"))]
    samples = []
    with playwright_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768}, user_agent=DESKTOP)
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.on("response", lambda r: errors.append(r.url) if r.status >= 400 else None)
            page.goto(site.url + "/live")
            while encoder.poll() is None:
                samples.append(page.evaluate(
                    "() => { const v = document.getElementById('live-player');"
                    " const cues = Array.from(v.textTracks).flatMap(t => Array.from(t.activeCues || []));"
                    " return [v.currentTime, Array.from(v.textTracks, t => t.mode), cues.map(c => c.text)]; }"))
                time.sleep(1)
            screenshots = ROOT / "test-output"
            screenshots.mkdir(exist_ok=True)
            page.screenshot(path=str(screenshots / "live-page-1366x768.png"))
            page.set_viewport_size({"width": 390, "height": 844})
            page.screenshot(path=str(screenshots / "live-page-390x844.png"), full_page=True)
            assert errors == []
        finally:
            browser.close()
    assert any(modes[:1] == ["showing"] and modes.count("showing") == 1 for _, modes, _ in samples)  # plain, on
    shown = [(seconds * 1000, scoring_chars(texts[-1].split("\n")[-1])) for seconds, _, texts in samples if texts]
    assert len(shown) >= 5, f"captions on screen {len(shown)} times in {len(samples)} s of play"
    # Said then: most of the newest words on screen are in the reference lines spoken
    # from 8 s before to 1 s after (recognition errors aside, so by character).
    said = [moment for moment, text in shown if sum(ch in scoring_chars(
        "".join(t for start, end, t in reference if start - 1000 <= moment and end >= moment - 8000))
        for ch in text[-6:]) >= len(text[-6:]) / 2]
    assert len(said) >= 0.8 * len(shown), shown


def test_a_picture_without_sound_goes_out_and_the_captioner_and_the_sound_relay_say_why(site):
    """No sound-only rendition is offered, and its relay says why once and stays up until
    the push ends rather than fail and be started again."""
    key = site.announce()
    encoder = subprocess.Popen(["ffmpeg", "-nostdin", "-v", "error", "-re", "-f", "lavfi", "-i",
                                "color=c=black:s=320x180:r=25", "-t", "12", "-c:v", "libx264", "-preset",
                                "ultrafast", "-g", "25", "-f", "flv", f"rtmp://127.0.0.1:{site.rtmp_port}/live/{key}"],
                               stderr=subprocess.PIPE, text=True)
    live = site.instance / "live"
    wait_for(lambda: (live / "hls" / "video" / "b1" / "index.m3u8").exists(), 60, "the picture's playlist")
    master = get(f"{site.url}/live/1/master.m3u8")
    assert master.count("#EXT-X-STREAM-INF") == 1 and "hls/audio/" not in master and "mp4a" not in master
    assert encoder.wait(60) == 0, encoder.stderr.read()
    assert list((live / "hls" / "video" / "b1").glob("*.ts"))  # the picture went out
    log = wait_for(lambda: (live / "captioner-b1.log").exists() and (live / "captioner-b1.log").read_text(),
                   30, "the captioner's log")
    assert "no audio to caption" in log and "captioning" not in log
    relay_log = wait_for(lambda: (live / "relay-b1.log").exists() and (live / "relay-b1.log").read_text(),
                         30, "the relays' log")
    assert relay_log.count("b1: a picture without sound") == 1, relay_log
    # the two relays and the captioner, each started once: none exited to be started again
    assert (live / "nginx-error.log").read_text().count("exec: starting managed child") == 3
