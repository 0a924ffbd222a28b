"""`studio --help` and `studio COMMAND --help` answer without loading the heavy
libraries: each command imports SQLAlchemy, the speech model, pinyin or spreadsheet
code inside the function that needs it. (Timings are in bench/RESULTS.md.)"""
from __future__ import annotations

import json
import subprocess
import sys

import pytest

from studio.cli import COMMANDS, cli

HEAVY = ("faster_whisper", "sqlalchemy", "pypinyin", "openpyxl", "numpy", "flask", "jieba")


def loaded_after(*args: str) -> list[str]:
    """The heavy modules a fresh interpreter has loaded after `studio ARGS`."""
    code = ("import json, sys\nfrom studio.cli import cli\n"
            f"try:\n    cli({list(args)!r}, prog_name='studio')\nexcept SystemExit as exit:\n"
            "    assert not exit.code, exit.code\n"
            f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(result.stdout.splitlines()[-1])


def test_studio_help_loads_no_heavy_library():
    assert loaded_after("--help") == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_command_help_loads_no_heavy_library(command):
    assert loaded_after(command, "--help") == []


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_help_works(runner, command):
    result = runner.invoke(cli, [command, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Usage: cli {command} ")
