"""One error root: every package's error carries problem, path, line and exit code, and
the CLI turns any of them into one line and that code in one place."""
from __future__ import annotations

import pickle

import click
import pytest
from click.testing import CliRunner

from episodes.errors import CatalogError, NotFound
from glossary.errors import GlossaryError
from studio.cli import StudioGroup
from studio.errors import MediaError, StudioError
from subtitles.errors import ExitCode, SubtitleError, UnknownProfileError, WulingError


@pytest.mark.parametrize("kind", [SubtitleError, GlossaryError, CatalogError, NotFound,
                                  StudioError, MediaError])
def test_every_package_error_is_a_wuling_error_with_the_same_message(kind):
    exc = kind("no cues", "talk.srt", 12)
    assert isinstance(exc, WulingError)
    assert (exc.problem, exc.path, exc.line, exc.exit_code) == ("no cues", "talk.srt", 12,
                                                                ExitCode.BAD_INPUT)
    assert str(exc) == "talk.srt:12: no cues"
    assert str(kind("no cues", "talk.srt")) == "talk.srt: no cues"
    assert str(kind("no cues")) == "no cues"


def test_errors_survive_pickling_as_a_worker_would_send_them():
    exc = pickle.loads(pickle.dumps(GlossaryError("bad term", "terms.csv", 3)))
    assert (str(exc), exc.line) == ("terms.csv:3: bad term", 3)


def test_subclasses_keep_their_own_data():
    exc = UnknownProfileError("tiny", ["broadcast", "web"])
    assert exc.name == "tiny" and str(exc) == "unknown subtitle profile 'tiny'; known profiles: broadcast, web"


def make_cli(exc: BaseException) -> click.Group:
    @click.group(cls=StudioGroup)
    def cli() -> None:
        """A CLI with one failing command."""

    @cli.command()
    def fail() -> None:
        raise exc

    return cli


@pytest.mark.parametrize("exc, line, code", [
    (GlossaryError("status 'x' is not one of preferred", "terms.csv", 7),
     "Error: terms.csv:7: status 'x' is not one of preferred\n", 3),
    (CatalogError("no episode 'x'"), "Error: no episode 'x'\n", 3),
    (StudioError("checks failed", "talk.srt", exit_code=ExitCode.CHECK_FAILED),
     "Error: talk.srt: checks failed\n", 4),
])
def test_the_cli_maps_any_wuling_error_to_one_line_and_its_exit_code(exc, line, code):
    result = CliRunner().invoke(make_cli(exc), ["fail"])
    assert (result.output, result.exit_code) == (line, code)
