"""Every benchmark starts both as `python bench/X.py` and as `python -m bench.X` (run as
a script, bench/ heads sys.path, and a bench module named like a package would shadow
it: `bench/glossary.py` once broke `python bench/render.py`). Only `--help` runs here."""
from __future__ import annotations

import subprocess
import sys

import pytest

from tests.support import ROOT

SCRIPTS = sorted(path.stem for path in (ROOT / "bench").glob("*.py"))


@pytest.mark.parametrize("name", SCRIPTS)
@pytest.mark.parametrize("how", ["script", "module"])
def test_bench_script_starts(name, how):
    target = [f"bench/{name}.py"] if how == "script" else ["-m", f"bench.{name}"]
    result = subprocess.run([sys.executable, *target, "--help"], cwd=ROOT, capture_output=True,
                            text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage:")
