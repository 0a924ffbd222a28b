"""Script alignment time vs transcription time on the shared clips, side by side.

    .venv/bin/python bench/align.py [--repeat N]
    .venv/bin/python -m bench.align [--repeat N]

For each shared clip (WAV): transcribe it once with the embedded model (timed), then
align the clip's own ``.txt`` as the script to the recognised words and cut the cues
(timed, best of --repeat, since it is milliseconds), as ``studio run --script`` does.
Prints per-clip seconds, the ratio align/transcribe, the script's agreement and the
departures found (0 expected: the clips were read exactly as scripted).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

if not __package__:  # run as `python bench/X.py`: import the project, never bench's own files
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from tests.support import SHARED_CLIPS as CLIPS, SHARED_MEDIA as MEDIA  # noqa: E402


def best_of(repeat: int, fn, *args) -> tuple[float, object]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - started)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="alignment runs per clip (best kept)")
    args = parser.parse_args()

    from studio.captions import script_cues
    from studio.transcribe import load_model, transcribe_file
    from subtitles.profiles import get_profile

    profile = get_profile("broadcast-zh")
    model = load_model("base")
    transcribe_file(MEDIA / f"{CLIPS[0]}.wav", model=model)  # warm-up: first call loads kernels
    print(f"{'clip':30} {'audio s':>8} {'transcribe s':>13} {'align s':>8} {'ratio':>7} "
          f"{'agreement':>9} {'departures':>10}")
    total_transcribe = total_align = 0.0
    for name in CLIPS:
        transcribe_s, transcript = best_of(1, lambda: transcribe_file(MEDIA / f"{name}.wav", model=model))
        align_s, (cues, aligned) = best_of(args.repeat, script_cues, MEDIA / f"{name}.txt", transcript, profile)
        total_transcribe += transcribe_s
        total_align += align_s
        print(f"{name:30} {transcript.duration_ms / 1000:8.1f} {transcribe_s:13.2f} {align_s:8.3f} "
              f"{align_s / transcribe_s:7.1%} {aligned.agreement:9.1%} {len(aligned.departures):10d}")
    print(f"{'all clips':30} {'':8} {total_transcribe:13.2f} {total_align:8.3f} "
          f"{total_align / total_transcribe:7.1%}")


if __name__ == "__main__":
    main()
