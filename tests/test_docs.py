"""The README documents every setting and every command (as datasette's tests do)."""
from __future__ import annotations

import click
import pytest

from studio.cli import cli
from episodes.settings import SETTINGS
from tests.support import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


def _command_paths(group: click.Group, prefix: str = "studio") -> list[str]:
    """Every command path, loading the lazily listed ones as `studio --help` does."""
    ctx = click.Context(group)
    paths = []
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        path = f"{prefix} {name}"
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, path))
        else:
            paths.append(path)
    return paths


def test_readme_opens_with_the_two_setup_commands():
    first_section = README.split("\n## ")[1]
    assert "make demo" in first_section and "make test" in first_section


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_is_documented(setting):
    assert f"| `{setting.name}` |" in README


@pytest.mark.parametrize("path", _command_paths(cli))
def test_every_command_is_documented(path):
    assert f"`{path}" in README, f"{path} is missing from the README's command table"
