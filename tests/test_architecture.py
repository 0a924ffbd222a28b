"""The arrows between the packages point inward (see DEVELOPERS.md):

    studio, web  ->  episodes, glossary  ->  subtitles

``subtitles`` imports nothing of ours; ``subtitles``, ``glossary`` and ``episodes``
never import ``studio`` or ``web``; ``web`` never imports ``studio`` (the web process
must never load the speech model); and no package reaches into another's private
(``_underscore``) names. Command modules never import each other or ``studio.cli``
(what several share lives in ``studio.cli_support``). Every import counts, including
those inside functions.
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.support import ROOT

OURS = ("studio", "web", "episodes", "glossary", "subtitles")
FORBIDDEN = {
    "subtitles": {"studio", "web", "episodes", "glossary"},
    "glossary": {"studio", "web", "episodes"},
    "episodes": {"studio", "web"},
    "web": {"studio"},
    "studio": set(),
}
# Modules that still break a rule, each with the change that removes it. The test is
# a strict xfail there, so it fails (XPASS) the day the import goes: then delete the line.
KNOWN: dict[str, str] = {}


def modules() -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for package in OURS
                  for path in (ROOT / package).rglob("*.py"))


def imported(path: Path) -> list[tuple[int, str, str]]:
    """(line, absolute module, name or "") for every import statement in the file."""
    package = path.relative_to(ROOT).with_suffix("").parts[:-1]
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name, "") for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = list(package[:len(package) - node.level + 1]) if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            # `from .. import web` at the top of a package imports the package `web`
            found += [(node.lineno, module or alias.name, alias.name) for alias in node.names]
    return sorted(found)


def broken_rules(relative: str) -> list[str]:
    path = ROOT / relative
    home = relative.split("/")[0]
    problems = []
    for line, module, name in imported(path):
        if relative.startswith("studio/commands/") and (
                module == "studio.cli" or module.split(".")[:2] == ["studio", "commands"]):
            problems.append(f"{relative}:{line}: a command module imports {module}")
        target = module.split(".")[0]
        if target not in OURS or target == home:
            continue
        if target in FORBIDDEN[home]:
            problems.append(f"{relative}:{line}: {home} must not import {module}")
        if name and name.startswith("_"):
            problems.append(f"{relative}:{line}: imports the private {module}.{name}")
    return problems


@pytest.mark.parametrize("relative", [
    pytest.param(m, marks=pytest.mark.xfail(strict=True, reason=KNOWN[m])) if m in KNOWN else m
    for m in modules()])
def test_imports_point_inward(relative):
    assert broken_rules(relative) == []


def test_the_rules_see_imports_inside_functions_and_relative_ones(tmp_path, monkeypatch):
    fake = tmp_path / "glossary" / "fake.py"
    fake.parent.mkdir()
    fake.write_text("def f():\n    from studio import media\n    from .. import web\n"
                    "from subtitles.linebreak import _jieba\n", encoding="utf-8")
    command = tmp_path / "studio" / "commands" / "fake.py"
    command.parent.mkdir(parents=True)
    command.write_text("from studio.cli_support import ready_engine\n"
                       "def f():\n    from .publish import local_time\n", encoding="utf-8")
    monkeypatch.setattr("tests.test_architecture.ROOT", tmp_path)
    assert broken_rules("glossary/fake.py") == [
        "glossary/fake.py:2: glossary must not import studio",
        "glossary/fake.py:3: glossary must not import web",
        "glossary/fake.py:4: imports the private subtitles.linebreak._jieba"]
    assert broken_rules("studio/commands/fake.py") == [
        "studio/commands/fake.py:3: a command module imports studio.commands.publish"]
