"""What several `studio` commands share: the catalog engine, local times, and the
options and argument parsers more than one command takes.

Command modules import this, never each other. Every helper that needs a setting
takes the command's :class:`~studio.environment.Environment`. It stays light to
import (click, the environment and the typed-input parsers): SQLAlchemy, the glossary and the
catalog load inside the functions, when a command runs, so `studio --help` and
`studio COMMAND --help` answer at once.
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Iterator, Sequence

import click

from episodes.record import Guest
from episodes.typed import name_and_department
from studio.environment import Environment

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session

    from glossary.termbase import Glossary


def current_environment() -> Environment:
    """The environment ``cli()`` put in the running command's context (for option
    defaults, which click computes before the command gets its arguments)."""
    return click.get_current_context().ensure_object(Environment)


def setting_default(name: str) -> Callable[[], str]:
    """An option's default: setting ``name`` in the running command's environment."""
    return lambda: current_environment().setting(name)


def catalog_engine(env: Environment) -> Engine:
    """The catalog named by the `instance_path` and `database_url` settings."""
    from episodes.db import database_url, make_engine

    return make_engine(database_url(env.setting("instance_path"), env.setting("database_url")))


def ready_engine(env: Environment) -> Engine:
    """The catalog engine with every migration applied (commands need the tables)."""
    from episodes.schema import migrations

    engine = catalog_engine(env)
    migrations.apply(engine)
    return engine


@contextmanager
def catalog_session(env: Environment) -> Iterator[Session]:
    """One transaction on the ready catalog: committed on success, rolled back on error."""
    from episodes.db import make_sessionmaker, transaction

    with transaction(make_sessionmaker(ready_engine(env))) as session:
        yield session


def media_root(env: Environment) -> Path:
    return Path(env.setting("instance_path")) / "media"


def local_time(env: Environment, moment: datetime) -> str:
    """``moment`` as people here read it: "2026-12-01 19:30 Asia/Shanghai"."""
    from episodes.publishing import zone

    name = env.setting("timezone")
    return f"{moment.astimezone(zone(name)):%Y-%m-%d %H:%M} {name}"


def parse_guest(text: str) -> Guest:
    """``姓名:部门`` as typed, with a half- or full-width colon (Chinese keyboards)."""
    pair = name_and_department(text)
    if pair is None or not pair[0]:
        raise click.BadParameter(f"{text!r}: expected 姓名:部门, e.g. 张伟:区政务服务中心")
    return Guest(*pair)


password_stdin_option = click.option(
    "--password-stdin", is_flag=True,
    help="Read the password from the first line of stdin instead of prompting.")


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def script_option(command):
    return click.option("--script", type=click.Path(dir_okay=False, path_type=Path),
                        help="The episode's script (UTF-8 text or Word .docx): aligned to the audio, "
                             "its words become the captions, timed from the speech; the glossary "
                             "terms it names bias recognition.")(command)


def read_script(path: Path | None) -> str:
    """The spoken text of the script at ``path`` ('' for none): read now, so an empty,
    binary or non-Word file is a one-line error before any work starts."""
    if path is None:
        return ""
    from subtitles.script import load_script

    return "".join(token.display for token in load_script(path))


def departure_lines(path: Path) -> list[str]:
    """One line per place the speaker left the script, from a ``departures.json``."""
    import json

    if not path.is_file():
        return []
    return [departure_line(d) for d in json.loads(path.read_text(encoding="utf-8"))["departures"]]


def departure_line(departure: dict) -> str:
    """``departure at 00:00:12,300: added 特别是老年人`` (a changed one says what was heard)."""
    from subtitles.check import timestamp

    said = f" (heard: {departure['heard_text']})" if departure["kind"] == "changed" else ""
    return (f"departure at {timestamp(departure['start_ms'])}: {departure['kind']} "
            f"{departure['script_text'] or departure['heard_text']}{said}")


def glossary_option(command):
    return click.option("--glossary", "source", type=click.Path(path_type=Path),
                        default=lambda: setting_default("glossary")() or None,
                        show_default="setting `glossary`, else the shipped default",
                        help="Term base: a CSV file or a folder of CSV files.")(command)


def plain_wording(env: Environment) -> Callable[[Sequence[str]], list[str]]:
    """The cues' plain-language wording with the office's term base (setting ``glossary``),
    for the public transcript an approval makes (see episodes.review.PlainWording)."""
    from glossary.rewrite import rewrite_texts

    terms = open_glossary(Path(env.setting("glossary")) if env.setting("glossary") else None)
    return lambda texts: rewrite_texts(texts, terms)


def publishing_gate(env: Environment, unreviewed: bool):
    """The approval gate of a publish from the command line: setting ``review_required``;
    ``--unreviewed`` passes it, recorded under the OS user's name (or "cli")."""
    from studio.publish import Gate

    return Gate(env.setting_flag("review_required"), plain_wording(env),
                unreviewed_by=os_user() if unreviewed else None)


def os_user() -> str:
    """Who runs the command, for approvals and unreviewed publishes ("cli" if unknown)."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return "cli"


def open_glossary(source: Path | None) -> Glossary:
    from glossary import load_default
    from glossary.io import load

    return load(source) if source else load_default()
