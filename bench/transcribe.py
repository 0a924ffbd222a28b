"""Raw faster-whisper vs the whole `studio transcribe` pipeline, side by side.

    .venv/bin/python bench/transcribe.py [--repeat N]

For each shared clip (WAV), in alternating order: the raw model call (what the
shared clips' README measured: transcribe + iterate segments, VAD on, word times)
and our whole per-file pipeline (probe, decode, speech regions, transcribe,
cleanup, alignment, glossary correction, cue cutting, writing JSON/SRT/VTT/ASS).
Prints per-clip times, the overhead ratio (target <= 1.10), the real-time factor
(target <= 0.17) and the peak memory of a fresh process for each mode; then the
peak memory of transcribing one clip vs a recording of about --long-minutes made by
repeating the clips, to show memory does not grow with length.
"""
from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

if not __package__:  # run as `python bench/X.py`: import the project, never bench's own files
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from tests.support import SHARED_CLIPS as CLIPS, SHARED_MEDIA as MEDIA  # noqa: E402


BEAM_SIZE = 5


def run_raw(model, path: Path) -> None:
    segments, _ = model.transcribe(str(path), language="zh", vad_filter=True, word_timestamps=True,
                                   beam_size=BEAM_SIZE)
    list(segments)


def run_pipeline(model, path: Path, out: Path) -> None:
    from glossary import load_default
    from studio.captions import correct_transcript, verbatim_cues, write_subtitles
    from studio.files import write_text
    from studio.transcribe import transcribe_file
    from subtitles.profiles import get_profile

    from studio.transcribe import TranscribeOptions

    options = TranscribeOptions(beam_size=BEAM_SIZE)
    transcript = correct_transcript(transcribe_file(path, options, model=model), load_default())
    cues = verbatim_cues(transcript, get_profile("broadcast-zh"))
    write_text(out / f"{path.stem}.transcript.json", transcript.to_json())
    write_subtitles(cues, out / path.stem)


def timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return time.perf_counter() - started


def child(mode: str, paths: list[Path]) -> None:
    """Run one mode over ``paths`` in this fresh process; print its peak RSS."""
    from studio.transcribe import load_model

    model = load_model()
    with tempfile.TemporaryDirectory() as out:
        for path in paths:
            run_raw(model, path) if mode == "raw" else run_pipeline(model, path, Path(out))
    print(json.dumps({"peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def peak_rss(mode: str, paths: list[Path]) -> float:
    result = subprocess.run([sys.executable, __file__, "--child", mode, "--beam-size", str(BEAM_SIZE),
                             *map(str, paths)],
                            capture_output=True, text=True, check=True)
    return json.loads(result.stdout.strip().splitlines()[-1])["peak_rss_mb"]


def long_recording(minutes: float, folder: Path) -> Path:
    """The shared clips repeated to about ``minutes`` of speech, as one WAV."""
    from studio.media import ffmpeg_exe

    clips = [MEDIA / f"{name}.wav" for name in CLIPS]
    repeats = max(1, round(minutes * 60 / 43 / len(clips)))
    listing = folder / "clips.txt"
    listing.write_text("".join(f"file '{c}'\n" for c in clips * repeats), encoding="utf-8")
    target = folder / "long.wav"
    subprocess.run([ffmpeg_exe(), "-v", "error", "-f", "concat", "-safe", "0", "-i", str(listing),
                    "-c", "copy", str(target)], check=True)
    return target


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--long-minutes", type=float, default=10)
    parser.add_argument("--beam-size", type=int, default=5)
    parser.add_argument("--memory-only", action="store_true",
                        help="Only the peak-memory figures for a clip and long recordings.")
    parser.add_argument("--child", choices=("raw", "pipeline"))
    parser.add_argument("paths", nargs="*", type=Path)
    args = parser.parse_args()
    global BEAM_SIZE
    BEAM_SIZE = args.beam_size
    if args.child:
        return child(args.child, args.paths)
    if args.memory_only:
        return memory(args.long_minutes)

    from studio.media import probe
    from studio.transcribe import load_model

    model = load_model()
    run_pipeline(model, MEDIA / f"{CLIPS[0]}.wav", Path(tempfile.mkdtemp()))  # warm-up: jieba, OpenCC
    totals = {"raw": 0.0, "pipeline": 0.0}
    audio_s = 0.0
    print(f"beam size {BEAM_SIZE}")
    print(f"{'clip':32} {'audio s':>8} {'raw s':>8} {'ours s':>8} {'ratio':>6} {'RTF':>6}")
    with tempfile.TemporaryDirectory() as out:
        for round_ in range(args.repeat):
            for index, name in enumerate(CLIPS):
                path = MEDIA / f"{name}.wav"
                seconds = probe(path).duration_ms / 1000
                order = ("raw", "pipeline") if (index + round_) % 2 == 0 else ("pipeline", "raw")
                took = {}
                for mode in order:
                    took[mode] = (timed(run_raw, model, path) if mode == "raw"
                                  else timed(run_pipeline, model, path, Path(out)))
                    totals[mode] += took[mode]
                audio_s += seconds
                print(f"{name:32} {seconds:8.2f} {took['raw']:8.2f} {took['pipeline']:8.2f} "
                      f"{took['pipeline'] / took['raw']:6.3f} {took['pipeline'] / seconds:6.3f}")
    print(f"{'all clips':32} {audio_s:8.2f} {totals['raw']:8.2f} {totals['pipeline']:8.2f} "
          f"{totals['pipeline'] / totals['raw']:6.3f} {totals['pipeline'] / audio_s:6.3f}")
    print(f"overhead ratio (ours / raw): {totals['pipeline'] / totals['raw']:.3f}  (target <= 1.10)")
    print(f"real-time factor, raw: {totals['raw'] / audio_s:.3f}, ours: {totals['pipeline'] / audio_s:.3f}"
          "  (target <= 0.17)")
    clips = [MEDIA / f"{name}.wav" for name in CLIPS]
    print(f"peak RSS of a fresh process over the five clips, raw: {peak_rss('raw', clips):.0f} MB, "
          f"ours: {peak_rss('pipeline', clips):.0f} MB")
    if args.long_minutes:
        memory(args.long_minutes)


def memory(long_minutes: float) -> None:
    """Peak RSS of fresh processes: one clip, then recordings of half and full length."""
    from studio.media import probe

    clips = [MEDIA / f"{name}.wav" for name in CLIPS]
    print(f"peak RSS of ours, one {probe(clips[0]).duration_ms / 1000:.0f} s clip: "
          f"{peak_rss('pipeline', clips[:1]):.0f} MB")
    for minutes in (long_minutes / 2, long_minutes):
        with tempfile.TemporaryDirectory() as folder:
            long = long_recording(minutes, Path(folder))
            started = time.perf_counter()
            long_rss = peak_rss("pipeline", [long])
            print(f"peak RSS of ours, a {probe(long).duration_ms / 60_000:.1f} min recording: "
                  f"{long_rss:.0f} MB ({time.perf_counter() - started:.0f} s including model load)")


if __name__ == "__main__":
    main()
