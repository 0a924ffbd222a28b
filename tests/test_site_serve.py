"""`studio serve` refuses cleanly; serving for real is exercised by test_browser and bench/views."""
from __future__ import annotations

import socket

from click.testing import CliRunner

from studio.cli import cli


def test_serve_on_a_busy_port_is_a_one_line_error(tmp_path, monkeypatch):
    monkeypatch.setenv("WULING_INSTANCE_PATH", str(tmp_path))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port)])
    assert result.exit_code == 3
    assert result.output.strip() == f"Error: 127.0.0.1:{port}: cannot listen there: " \
                                    "Address already in use; pick another --port"
