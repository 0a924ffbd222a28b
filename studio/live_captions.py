"""The live captioner: live audio in, WebVTT caption segments of an HLS subtitle rendition out.

nginx starts ``studio live caption b12`` for each accepted push (and starts it again if
it dies, so a crash never touches the picture). It reads the stream's audio from the
recording nginx is writing (ffmpeg following the growing FLV, 16 kHz mono), so it misses
nothing while the model loads, and after a crash it goes on where its captions stopped.
Passes of the speech model (greedy decoding) run back to back over the recent audio,
each taking in what arrived during the last one, and only the words two consecutive
passes agree on are published (whisper_streaming's LocalAgreement-2, :class:`Agreement`).
Each pass's words become Simplified Chinese, pass the stock-hallucination filter, are
kept only near speech the detector found, and get glossary correction over the whole
pass before they are compared (so a term is corrected whole, whichever passes confirm
its words); published words roll up as cues of the ``live-zh`` profile (two lines, the
newest at the bottom), written as 1-second WebVTT segments in step with nginx's video.

When captions show (chosen by measuring, bench/RESULTS.md "Live captions"): a segment
is written as soon as the audio passes its end, and a word confirmed after its own
moment was written out shows from the first segment still open, as broadcast live
captions trail the speech by the confirmation delay. So a caption is never shown before
it is said, and is available about two passes after. (Holding segments back 5 s so late
words keep their own time made every caption at least 5 s late.) Segments are as long
as nginx's video fragments (:data:`studio.live_server.HLS_FRAGMENT_S`, 1 s: a caption
waits for its segment to close, 2 s segments made that 1 s on average): hls.js lines up
a live subtitle playlist with the video by media sequence number when they share no
discontinuity (``adjustSliding``), so segments of another length would be placed at
the wrong time. Reading the RTMP stream
instead of the recording gains little: ffmpeg following the growing FLV delivers
samples about 0.3 s behind real time.

Times: nginx writes the video with MPEG-TS time = stream time x 90 kHz + 0.7 s (its
``NGX_RTMP_HLS_DELAY``), so every segment maps cue time 0 to MPEG-TS 63000 and cue times
are stream times, as the recording's timestamps are.
"""
from __future__ import annotations

import logging
import queue
import re
import statistics
import subprocess
import threading
import time
from itertools import takewhile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from episodes.record import EpisodeRecord
from studio import media
from studio.environment import Environment
from studio.files import write_text
from studio.live_language import LanguageGate
from studio.live_server import HLS_FRAGMENT_S, HLS_PLAYLIST_S, READ_LIVE, LivePaths, push_recording, push_start_ms
from subtitles.cleanup import clean, model_spelling
from subtitles.cue import Cue
from subtitles.profiles import get_profile
from subtitles.rollup import add_to_line
from subtitles.speech import align_words, ends_clause
from subtitles.transcript import Segment, Transcript, Word

log = logging.getLogger(__name__)

KEYFRAME_CHECK_S = 10  # the picture's playlist has a few fragments by then
SEGMENT_MS = HLS_FRAGMENT_S * 1000  # as the video's: players line the two up by sequence number
MPEGTS_AT_ZERO = 63000  # nginx-rtmp's NGX_RTMP_HLS_DELAY: 0.7 s at 90 kHz
PLAYLIST_SEGMENTS = HLS_PLAYLIST_S * 1000 // SEGMENT_MS  # as much as nginx keeps of the video
FINAL_TAIL_MS = 300  # what the last pass hears after the last speech the detector found
HOLD_MS = 4000  # a caption stays this long after its last word, then clears
MIN_CHANGE_MS = 120  # the shortest a full screen shows before its top line rolls away
MAX_WINDOW_MS = 24000  # the model hears at most 30 s: past this, unconfirmed words go out
MIN_WINDOW_MS = 8000  # the least audio a pass hears when passes get slow (as accurate as 12 s, measured)
SLOW_PASS_MS = 2000  # a word shows two passes after it is said: slower passes make late captions
# Whisper's decoder holds 448 tokens; faster-whisper's prompt takes up to 228 of them
# (223 of previous text, 5 special): a longer answer is refused with a ValueError
MAX_NEW_TOKENS = 220
LIVE_PROFILE = "live-zh"
_PTS = re.compile(rb"pts_time:\s*(-?[0-9.]+)")


@dataclass
class Pace:
    """How much work each pass does; :meth:`slower` trades accuracy for speed."""

    step_ms: int = 1000  # the least new audio a pass waits for
    window_ms: int = 12000  # audio kept for re-transcription

    def slower(self) -> bool:
        if self.window_ms <= MIN_WINDOW_MS:
            return False
        self.window_ms -= 2000
        return True


class Agreement:
    """LocalAgreement-2 (Macháček et al., whisper_streaming's ``HypothesisBuffer``): a word
    is committed once two consecutive passes over the growing audio agree on it.

    One word the passes keep hearing differently would hold back every word after it
    (measured on the shared clips: 一律 heard three ways held a line back 6 s), so a word
    that a pass heard with ``SETTLED_MS`` of audio after it is committed, agreed or not
    (with passes about a second apart, by the third pass to hear it), as the surer of
    the last two hearings: the newer one is not always better (measured: 调解不收取任何费用
    heard right, then as 议，调节不收取任)."""

    SEAM_WORDS = 5  # how many of the last committed words a new pass may hear again
    SETTLED_MS = 2000

    def __init__(self) -> None:
        self.committed: list[Word] = []  # still inside the audio window
        self.last_committed: list[Word] = []  # the newest, even when the window was cut after them
        self.pending: list[Word] = []  # the previous pass's unconfirmed words
        self.committed_until = 0

    def confirm(self, words: list[Word], heard_until_ms: int) -> list[Word]:
        """Words of this pass (stream times; its audio ends at ``heard_until_ms``) that
        the previous pass also heard, then any it heard long enough ago to be settled.
        Words compare by their decoded characters (never by tokens: a character can span
        tokens) without punctuation: the model ends whatever it heard last with "。",
        and the next pass, hearing more, makes it "，"."""
        new = [w for w in words if w.start_ms > self.committed_until - 100]
        if new and self.last_committed and abs(new[0].start_ms - self.committed_until) < 1000:
            for n in range(min(len(self.last_committed), len(new)), 0, -1):
                if list(map(_said, self.last_committed[-n:])) == list(map(_said, new[:n])):
                    new = new[n:]  # heard again at the seam: already committed
                    break
        agreed = []
        for mine, before in zip(new, self.pending):
            if _said(mine) != _said(before):
                break
            agreed.append(mine)
        settled = list(takewhile(lambda w: w.end_ms <= heard_until_ms - self.SETTLED_MS, new[len(agreed):]))
        self.pending, before = new[len(agreed) + len(settled):], self.pending[len(agreed):]
        if settled:  # the two hearings of the stretch they disagree on: the surer one
            earlier = [w for w in before if w.start_ms < settled[-1].end_ms]
            agreed += earlier if earlier and _sureness(earlier) > _sureness(settled) else settled
        self._commit(agreed)
        return agreed

    def commit_pending(self) -> list[Word]:
        """The last pass's words, committed unconfirmed (the window cannot grow more)."""
        words, self.pending = self.pending, []
        self._commit(words)
        return words

    def _commit(self, words: list[Word]) -> None:
        if words:
            self.committed += words
            self.last_committed = (self.last_committed + words)[-self.SEAM_WORDS:]
            self.committed_until = words[-1].end_ms

    def forget_before(self, moment_ms: int) -> None:
        self.committed = [w for w in self.committed if w.end_ms > moment_ms]


def _sureness(words: list[Word]) -> float:
    """How sure the model was of a stretch it heard: its words' mean probability."""
    return sum(w.probability for w in words) / len(words)


def _said(word: Word) -> str:
    """The word's characters without punctuation (a lone mark stays itself)."""
    return "".join(ch for ch in word.text if ch.isalnum()) or word.text


@dataclass
class RollUp:
    """Roll-up captions: words fill the bottom line; a full line, or a pause, moves it up.
    A full line breaks between words (:func:`subtitles.rollup.add_to_line`): the end of
    it that starts the word being said moves down with the word."""

    max_width: float
    max_lines: int
    pause_ms: int
    lines: list[str] = field(default_factory=list)
    changes: list[tuple[int, tuple[str, ...]]] = field(default_factory=list)  # (ms, shown)
    last_end_ms: int = -10**9
    keep: frozenset[str] = frozenset()  # words a line must not split besides jieba's (glossary terms)

    def add(self, word: Word, not_before_ms: int) -> None:
        """Show ``word`` at its own start, or at ``not_before_ms`` when that moment is
        already written out (a word confirmed late shows when it was confirmed, as
        broadcast live captions trail the speech). Words arriving at the same moment
        show together; a line leaves the top only after the screen showed it."""
        text = word.text.strip()
        if not text:
            return
        last = self.changes[-1][0] if self.changes else not_before_ms
        start = max(word.start_ms, not_before_ms, last)
        if self.last_end_ms + HOLD_MS <= start:
            self.lines = []  # the screen cleared in the pause
        if not self.lines or word.start_ms - self.last_end_ms >= self.pause_ms:
            above, below = self.lines, (text,)
        else:
            above, below = self.lines[:-1], add_to_line(self.lines[-1], text, self.max_width, self.keep)
        if len(above) + len(below) > len(self.lines) == self.max_lines and start == last:
            start += MIN_CHANGE_MS  # the full screen shows a moment before the top line leaves
        self.lines = [*above, *below][-self.max_lines:]
        self.last_end_ms = max(word.end_ms, start)
        if self.changes and self.changes[-1][0] == start:
            self.changes[-1] = (start, tuple(self.lines))
        else:
            self.changes.append((start, tuple(self.lines)))

    def cues(self, start_ms: int, end_ms: int) -> list[Cue]:
        """What is on screen between ``start_ms`` and ``end_ms``, as cues cut at both ends."""
        shown: list[Cue] = []
        for index, (moment, lines) in enumerate(self.changes):
            until = self.changes[index + 1][0] if index + 1 < len(self.changes) else None
            last_end = moment if until is not None else self.last_end_ms
            until = min(until if until is not None else last_end + HOLD_MS, last_end + HOLD_MS)
            begin, end = max(moment, start_ms), min(until, end_ms)
            if begin < end:
                shown.append(Cue(begin, end, lines))
        return shown

    def forget_before(self, moment_ms: int) -> None:
        while len(self.changes) > 1 and self.changes[1][0] <= moment_ms:
            self.changes.pop(0)


def vtt_time(ms: int) -> str:
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"


def vtt_segment(cues: list[Cue]) -> str:
    """One WebVTT segment; its times are stream times (see the module docstring)."""
    parts = [f"WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:{MPEGTS_AT_ZERO},LOCAL:00:00:00.000\n"]
    parts += [f"{vtt_time(c.start_ms)} --> {vtt_time(c.end_ms)} line:85%\n" + "\n".join(c.lines) + "\n"
              for c in cues]
    return "\n".join(parts)


class SegmentWriter:
    """The subtitle rendition on disk: ``seg-N.vtt`` (N = start / segment) and ``index.m3u8``.

    Segments already written by an earlier run of the captioner (before a crash, or for
    an earlier push of the broadcast) stay in the playlist; the gap while it was down
    is filled with empty segments. Each push starts with a discontinuity, as nginx
    marks the video's, so players align the two renditions push by push. The playlist
    ends (``#EXT-X-ENDLIST``) only with the broadcast (:func:`end_playlist`): the
    encoder may come back."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        playlist = folder / "index.m3u8"
        lines = playlist.read_text().splitlines() if playlist.exists() else []
        self.push_starts = {int(after[4:-4]) for before, after in zip(lines, lines[2:])
                            if before == "#EXT-X-DISCONTINUITY"}
        if not self.numbers():
            self._playlist()  # players find the rendition before its first caption

    @property
    def written_until_ms(self) -> int | None:
        return (numbers[-1] + 1) * SEGMENT_MS if (numbers := self.numbers()) else None

    def write(self, number: int, cues: list[Cue]) -> None:
        write_text(self.folder / f"seg-{number}.vtt", vtt_segment(cues))
        self._playlist()

    def numbers(self) -> list[int]:
        """The segments on disk, whoever wrote them: the captioner of the push before
        may still be writing its last ones when this push's starts."""
        return sorted(int(p.stem[4:]) for p in self.folder.glob("seg-*.vtt"))

    def start_push(self, number: int) -> None:
        """A new push of the broadcast starts with segment ``number``."""
        self.push_starts.add(number)

    def _playlist(self) -> None:
        numbers = self.numbers()
        listed = numbers[-PLAYLIST_SEGMENTS:]
        lines = ["#EXTM3U", "#EXT-X-VERSION:3", f"#EXT-X-TARGETDURATION:{SEGMENT_MS // 1000}",
                 f"#EXT-X-MEDIA-SEQUENCE:{listed[0] if listed else 0}"]
        for number in listed:
            if number == numbers[0] or number in self.push_starts:  # as nginx marks the
                lines.append("#EXT-X-DISCONTINUITY")  # video's pushes: players align renditions by it
            lines += [f"#EXTINF:{SEGMENT_MS / 1000:.3f},", f"seg-{number}.vtt"]
        if _ended(self.folder):  # the broadcast ended while this last push was captioned
            lines.append("#EXT-X-ENDLIST")
        write_text(self.folder / "index.m3u8", "\n".join(lines) + "\n")


def _ended(folder: Path) -> bool:
    playlist = folder / "index.m3u8"
    return playlist.exists() and "#EXT-X-ENDLIST" in playlist.read_text()


def end_playlist(folder: Path) -> None:
    """The broadcast is over (its grace period passed): players stop asking for more."""
    playlist = folder / "index.m3u8"
    if playlist.exists() and not _ended(folder):
        write_text(playlist, playlist.read_text() + "#EXT-X-ENDLIST\n")


class LiveAudio:
    """The audio of a recording being written, as 16 kHz mono float32, read on a thread
    of its own, with the stream time of its first sample (from ffmpeg's ``ashowinfo``).
    It ends 5 s after the recording stops growing."""

    def __init__(self, recording: Path):
        self.blocks: queue.Queue[np.ndarray | None] = queue.Queue()
        self.first_ms: int | None = None
        self.has_picture = False  # ffmpeg lists the recording's streams before the first sample
        self.started = threading.Event()
        self.process = subprocess.Popen(
            [media.ffmpeg_exe(), "-nostdin", "-loglevel", "info", "-copyts", "-follow", "1",
             *READ_LIVE, str(recording), "-map", "0:a:0",
             "-af", "ashowinfo", "-ac", "1", "-ar", str(media.SAMPLE_RATE), "-f", "f32le", "-"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        threading.Thread(target=self._read_times, daemon=True).start()
        threading.Thread(target=self._read_samples, daemon=True).start()

    def _read_times(self) -> None:
        tail: list[bytes] = []
        for line in self.process.stderr:
            self.has_picture = self.has_picture or (self.first_ms is None and b": Video: " in line)
            if self.first_ms is None and (found := _PTS.search(line)):
                self.first_ms = round(float(found.group(1)) * 1000)
                self.started.set()
            elif b"ashowinfo" not in line:
                tail = [*tail, line][-3:]
        self.error = b"".join(tail).decode(errors="replace").strip()
        self.started.set()

    def _read_samples(self) -> None:
        while block := self.process.stdout.read(media.SAMPLE_RATE * 4 // 5):  # 200 ms
            self.blocks.put(np.frombuffer(block[:len(block) // 4 * 4], dtype=np.float32))
        self.blocks.put(None)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


@dataclass
class Captioner:
    """Turns the stream's audio into committed words, cues and segments."""

    model: object
    writer: SegmentWriter
    profile_name: str = LIVE_PROFILE
    correct: object = None  # Transcript -> Transcript (glossary correction), or None
    prompt: str | None = None
    pace: Pace = field(default_factory=Pace)
    language: LanguageGate | None = None  # pauses the captions over speech that is not Chinese
    keep: frozenset[str] = frozenset()  # glossary terms a caption line must not split

    def __post_init__(self) -> None:
        profile = get_profile(self.profile_name)
        self.rollup = RollUp(profile.max_line_width, profile.max_lines, profile.pause_break_ms, keep=self.keep)
        self.agreement = Agreement()
        self.audio = np.empty(0, dtype=np.float32)
        self.audio_start_ms = 0
        self.text_before = ""  # committed text that left the window: the decoder's prompt

    @property
    def audio_end_ms(self) -> int:
        return self.audio_start_ms + self.audio.size * 1000 // media.SAMPLE_RATE

    def start_at(self, first_ms: int) -> None:
        """The audio starts at stream time ``first_ms``; what an earlier run (before a
        crash) captioned already is skipped. An earlier push's captions end before this
        push starts (:func:`studio.live_server.push_start_ms`)."""
        self.audio_start_ms = first_ms
        self.skip_until_ms = self.writer.written_until_ms or first_ms
        self.next_segment = max(first_ms, self.skip_until_ms) // SEGMENT_MS
        if self.skip_until_ms <= first_ms:
            self.writer.start_push(self.next_segment)

    def feed(self, samples: np.ndarray) -> None:
        if self.audio_end_ms < self.skip_until_ms:  # heard by the run before a crash
            self.audio_start_ms += samples.size * 1000 // media.SAMPLE_RATE
            return
        self.audio = np.concatenate([self.audio, samples])

    def transcribe_pass(self) -> None:
        """Re-transcribe the window, then :meth:`take` what the model heard."""
        self.take(self._hypothesis())

    def take(self, words: list[Word]) -> None:
        """Commit what this pass and the last agree on, and write every segment the
        audio has passed: a word confirmed after its moment was written out shows from
        the first segment still open, so captions trail the speech by the confirmation
        delay (two passes) and at most one segment, and never come before it."""
        for word in self.agreement.confirm(self._corrected(words), self.audio_end_ms):
            self.rollup.add(word, self.next_segment * SEGMENT_MS)
        self._trim()
        self.write_due(self.audio_end_ms)

    def finish(self) -> None:
        """The stream ended: a last pass over what is left, published whole. That pass
        hears the audio up to the end of the last speech only: over the silence after
        it, with no later pass to disagree, the model adds a closing line nobody said
        (请注意, 请问您的订阅 and 请您先进来 were published so)."""
        from studio.transcribe import speech_regions

        pushed_until_ms = self.audio_end_ms
        if speech := speech_regions(self.audio):
            self.audio = self.audio[:(speech[-1][1] + FINAL_TAIL_MS) * media.SAMPLE_RATE // 1000]
        confirmed = self.agreement.confirm(self._corrected(self._hypothesis()), self.audio_end_ms) \
            if speech else []
        for word in confirmed + self.agreement.pending:
            self.rollup.add(word, self.next_segment * SEGMENT_MS)
        # up to the push's end, where the picture ends too: a reconnect goes on from there
        self.write_due(pushed_until_ms + SEGMENT_MS - 1)

    def write_due(self, until_ms: int) -> None:
        while (self.next_segment + 1) * SEGMENT_MS <= until_ms:
            start = self.next_segment * SEGMENT_MS
            self.writer.write(self.next_segment, self.rollup.cues(start, start + SEGMENT_MS))
            self.next_segment += 1
            self.rollup.forget_before(start)

    def _hypothesis(self) -> list[Word]:
        from studio.transcribe import _to_simplified_segment, speech_regions

        speech = speech_regions(self.audio)
        if not speech:
            return []  # silence or music: nothing to hear, nothing to invent
        if self.language is not None and not self.language.allows(self.audio, self.audio_end_ms):
            return []  # another language: the model told to write Chinese would invent it
        # Greedy, no temperature fallback (a re-decode costs a whole pass) and a token cap
        # (a repetition loop cannot run on): each pass must take less time than it covers.
        segments, _ = self.model.transcribe(
            self.audio, language="zh", beam_size=1, temperature=0.0, word_timestamps=True,
            vad_filter=False, condition_on_previous_text=False,
            max_new_tokens=min(MAX_NEW_TOKENS, 20 + (self.audio_end_ms - self.audio_start_ms) * 8 // 1000),
            initial_prompt=model_spelling((self.prompt or "") + self.text_before[-100:]) or None)
        kept = clean(Transcript("zh", self.audio_end_ms - self.audio_start_ms,
                                [_to_simplified_segment(raw) for raw in segments])).segments
        # words far from the speech the detector found are invented (the model's "请注意" after
        # the last sentence); the others are moved inside it, as the offline transcript's are
        words = align_words([w for segment in kept for w in segment.words], speech)
        return [replace(w, start_ms=w.start_ms + self.audio_start_ms, end_ms=w.end_ms + self.audio_start_ms)
                for w in words]

    def _corrected(self, words: list[Word]) -> list[Word]:
        """The pass's words with misheard glossary terms put back, over all it heard at
        once: a term is corrected whole before any of its words is confirmed (corrected
        after confirmation, a term whose words two passes confirmed apart never was)."""
        if not words or self.correct is None:
            return words
        text = "".join(w.text for w in words)
        corrected = self.correct(Transcript("zh", 0, [Segment(words[0].start_ms, words[-1].end_ms, text,
                                                               tuple(words))]))
        return [w for segment in corrected.segments for w in segment.words]

    def _cut_point(self) -> int:
        """Where the window may start again: after the last committed word that ends a
        clause (the model punctuates where the speaker paused), so no word is cut in two;
        after the last committed word when no clause ended recently enough. (Cut after
        工 of 工资, the next window began inside 资 and no pass heard it again.)"""
        committed = self.agreement.committed
        clause_ends = [w.end_ms for w in committed if ends_clause(w.text)]
        if clause_ends and self.audio_end_ms - clause_ends[-1] <= self.pace.window_ms:
            return clause_ends[-1]
        return self.agreement.committed_until if committed else 0

    def _trim(self) -> None:
        """Keep the window short: cut it at the end of the last committed word. When
        the last pass heard nothing (silence, music) only the newest half stays. Audio
        with unconfirmed words stays, up to what the model can hear at once; then the
        last pass's words are published unconfirmed rather than lost."""
        length = self.audio_end_ms - self.audio_start_ms
        if length <= self.pace.window_ms:
            return
        cut_ms = self._cut_point()
        if cut_ms <= self.audio_start_ms:
            if self.agreement.pending and length <= MAX_WINDOW_MS:
                return
            unconfirmed = self.agreement.commit_pending()
            for word in unconfirmed:
                self.rollup.add(word, self.next_segment * SEGMENT_MS)
            cut_ms = max([w.end_ms for w in unconfirmed] + [self.audio_end_ms - self.pace.window_ms // 2])
            self.agreement.committed_until = cut_ms
        self.text_before += "".join(w.text for w in self.agreement.committed if w.end_ms <= cut_ms)
        self.agreement.forget_before(cut_ms)
        self.audio = self.audio[(cut_ms - self.audio_start_ms) * media.SAMPLE_RATE // 1000:]
        self.audio_start_ms = cut_ms


def caption_stream(env: Environment, stream: str, ended: threading.Event) -> None:
    """Caption stream ``stream`` from nginx until it ends. ``ended`` is set when nginx
    stops us (SIGTERM: the push ended, the recording is complete: caption all of it);
    the caller catches that signal first thing, as a short push may end while we start."""
    from glossary.correct import correct
    from glossary.learned import attach
    from glossary.lines import line_units
    from studio.captions import decoding_prompt
    from studio.cli_support import open_glossary
    from studio.transcribe import load_model

    paths = LivePaths.from_settings(env)
    recording = push_recording(paths, stream)
    audio = LiveAudio(recording)  # before the model loads: the recording keeps every second
    writer = SegmentWriter(paths.captions(stream))
    audio.started.wait()
    if audio.first_ms is None:  # a picture without sound: nothing to caption this push
        log.error("%s: no audio to caption (%s)", recording, getattr(audio, "error", ""))
        ended.wait()  # until the push ends: exiting now would only have nginx start us again
        return
    if not audio.has_picture:
        log.info("%s: sound only, no picture (a radio encoder?): captions and the audio rendition", recording)
    episode = _episode_of(env, stream)
    glossary = attach(open_glossary(Path(env.setting("glossary")) if env.setting("glossary") else None),
                      env.setting("instance_path")).recognising(episode.own_names if episode else ())
    model = load_model(env.setting("model"), env.setting("model_cache"), env.setting("compute_type"),
                       env.setting_int("cpu_threads", 0, 1024))
    captioner = Captioner(model, writer,
                          correct=lambda t: correct(t, glossary).transcript,  # quietly: every pass hears a term again
                          prompt=decoding_prompt(glossary, episode.about if episode else ""),
                          language=LanguageGate(model, stream), keep=line_units(glossary))
    captioner.start_at(audio.first_ms + push_start_ms(paths, recording))
    log.info("captioning %s from %.1f s", stream, captioner.audio_start_ms / 1000)
    if audio.has_picture:
        check = threading.Timer(KEYFRAME_CHECK_S, warn_if_fragments_longer, (paths.hls / "video" / stream / "index.m3u8",))
        check.daemon = True
        check.start()
    passes_ms = _run(captioner, audio)
    audio.stop()
    captioner.finish()
    log.info("captions of %s finished at %.1f s (%d passes, median %.0f ms, slowest %.0f ms)", stream,
             captioner.audio_end_ms / 1000, len(passes_ms), statistics.median(passes_ms or [0]), max(passes_ms or [0]))


def warn_if_fragments_longer(video_playlist: Path) -> None:
    """Say in the log when the picture's fragments are longer than the captions'
    segments: nginx can cut the picture only at a keyframe, so an encoder sending them
    further apart than ``HLS_FRAGMENT_S`` (OBS's default is several seconds) makes
    longer fragments, and players, which line the captions up with the picture by
    sequence number, would show the captions at the wrong time."""
    text = video_playlist.read_text() if video_playlist.exists() else ""
    durations = [float(seconds) for seconds in re.findall(r"#EXTINF:([0-9.]+)", text)]
    if durations and statistics.median(durations) > 1.5 * HLS_FRAGMENT_S:
        log.warning("%s: the picture comes in %.1f s fragments, the captions in %d s segments: set the "
                    "encoder's keyframe interval to %d s (README, live) or players show the captions "
                    "out of step", video_playlist, statistics.median(durations), HLS_FRAGMENT_S, HLS_FRAGMENT_S)


def _episode_of(env: Environment, stream: str) -> EpisodeRecord | None:
    """The episode the broadcast becomes: its topic, its guests' departments."""
    from episodes.live import episode_record
    from episodes.models import LiveBroadcast
    from studio.cli_support import catalog_session

    with catalog_session(env) as session:
        show = session.get(LiveBroadcast, int(stream.removeprefix("b")))
        return episode_record(show) if show is not None else None


def _run(captioner: Captioner, audio: LiveAudio) -> list[float]:
    """Pass after pass until the audio ends, each over all the audio that arrived while
    the last one ran (at least a step): the captions never queue up behind the speech.
    When passes get slow (the machine is busy), shorten the window, and say so.
    Returns how long each pass took (ms)."""
    slow_passes, passes_ms = 0, []
    while (block := audio.blocks.get()) is not None:
        new_ms = _feed(captioner, block)
        while new_ms < captioner.pace.step_ms or not audio.blocks.empty():
            if (block := audio.blocks.get()) is None:
                return passes_ms
            new_ms += _feed(captioner, block)
        started = time.monotonic()
        captioner.transcribe_pass()
        took_ms = (time.monotonic() - started) * 1000
        passes_ms.append(took_ms)
        slow_passes = slow_passes + 1 if took_ms > SLOW_PASS_MS else 0
        if slow_passes >= 3 and captioner.pace.slower():
            log.warning("captions falling behind (pass %.0f ms): the model now hears %d ms at a time",
                        took_ms, captioner.pace.window_ms)
            slow_passes = 0
    return passes_ms


def _feed(captioner: Captioner, block: np.ndarray) -> int:
    captioner.feed(block)
    return block.size * 1000 // media.SAMPLE_RATE


def first_shown(cues: list[Cue]) -> list[tuple[int, str]]:
    """Undo the roll-up: each stretch of text with the moment it first appeared, in
    order (a caption's bottom line grows, then moves up; the screen may clear)."""
    shown: list[tuple[int, str]] = []
    before: tuple[str, ...] = ()
    for cue in cues:
        added = _added_text(before, tuple(cue.lines))
        if added:
            shown.append((cue.start_ms, added))
        before = tuple(cue.lines)
    return shown


def _added_text(before: tuple[str, ...], now: tuple[str, ...]) -> str:
    """What ``now`` shows that ``before`` did not: the screen keeps its last k lines
    (the top ones rolled away), the newest of them maybe grown, plus new lines below."""
    for kept in range(min(len(before), len(now)), 0, -1):
        rest = "".join(now[kept - 1:])  # the end of the bottom line may have moved down with a word
        if before[len(before) - kept:-1] == now[:kept - 1] and rest.startswith(before[-1]):
            return rest[len(before[-1]):]
    return "".join(now)  # the screen cleared
