"""Benchmark: how long `studio --help` and `studio COMMAND --help` take, beside the
floor of starting Python at all. Target: under 0.3 s each.

Run: .venv/bin/python bench/cli_startup.py [--repeat 7]   (or -m bench.cli_startup)

Each line is timed ``--repeat`` times, interleaved, in a fresh process (as a person
typing it would see); the median wall-clock time is reported.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

if not __package__:  # run as `python bench/X.py`: import the project, never bench's own files
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from studio.cli import COMMANDS  # noqa: E402

STUDIO = Path(sys.executable).parent / "studio"
TARGET_S = 0.3


def timed(argv: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    lines = {"python -c pass (floor)": [sys.executable, "-c", "pass"],
             "studio --help": [str(STUDIO), "--help"],
             **{f"studio {name} --help": [str(STUDIO), name, "--help"] for name in sorted(COMMANDS)}}
    times: dict[str, list[float]] = {label: [] for label in lines}
    for _ in range(args.repeat):
        for label, argv in lines.items():
            times[label].append(timed(argv))
    for label, runs in times.items():
        median = statistics.median(runs)
        verdict = "" if label.startswith("python") else ("  ok" if median < TARGET_S else "  SLOW")
        print(f"{label:32} {median:6.3f} s{verdict}")


if __name__ == "__main__":
    main()
