"""One environment per command and one settings table for the CLI and the site."""
from __future__ import annotations

import os

from click.testing import CliRunner

import web
from studio.cli import cli
from studio.environment import Environment


def run(environ: dict[str, str], *args: str):
    return CliRunner().invoke(cli, list(args), obj=Environment(environ=environ))


def test_commands_read_settings_from_the_injected_environment(environ, tmp_path):
    instance = tmp_path / "office"
    result = run({"WULING_INSTANCE_PATH": str(instance)}, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert (instance / "catalog.sqlite3").is_file()
    assert not os.path.exists(os.path.join(environ["WULING_INSTANCE_PATH"], "catalog.sqlite3"))


def test_option_defaults_come_from_the_injected_environment(tmp_path):
    result = run({"WULING_BEAM_SIZE": "99"}, "transcribe", str(tmp_path / "talk.wav"))
    assert result.exit_code == 3
    assert result.stderr.strip() == ("Error: setting beam_size must be a whole number from 1 "
                                     "to 20, not '99'")


def test_the_site_reads_the_same_settings_table(environ, tmp_path):
    """The web process has no CLI context: create_app reads WULING_<NAME> via the table."""
    environ["WULING_GLOSSARY"] = str(tmp_path / "terms.csv")
    environ["WULING_TIMEZONE"] = "Asia/Urumqi"
    app = web.create_app({"TESTING": True, "SECRET_KEY": "k" * 32}, str(tmp_path / "instance"), environ)
    assert app.config["GLOSSARY"] == str(tmp_path / "terms.csv")
    assert app.config["TIMEZONE"] == "Asia/Urumqi"
    assert app.config["SITE_URL"] == "http://127.0.0.1:8000"  # the table's default


def test_the_speech_model_settings_come_from_the_injected_environment(shared_media, tmp_path):
    result = run({"WULING_CPU_THREADS": "many"}, "transcribe", "--out", str(tmp_path),
                 str(shared_media / "talk_legal_aid.wav"))
    assert result.exit_code == 3
    assert result.stderr.strip() == ("Error: setting cpu_threads must be a whole number from 0 "
                                     "to 1024, not 'many'")
