"""The embedded model is assembled once from its two PyPI parts, verified, and reused."""
from __future__ import annotations

import subprocess

import pytest

from studio.errors import StudioError
from studio.model import EMBEDDED_SHA256, embedded_model_dir, resolve
from tests.support import FIXTURES, STUDIO


def test_assembles_once_then_reuses(tmp_path):
    folder = embedded_model_dir(tmp_path)
    model_bin = folder / "model.bin"
    assert model_bin.stat().st_size == 145_217_532
    assert {p.name for p in folder.iterdir()} >= {"model.bin", "config.json", "tokenizer.json",
                                                  "vocabulary.txt"}
    first_mtime = model_bin.stat().st_mtime_ns
    assert embedded_model_dir(tmp_path) == folder
    assert model_bin.stat().st_mtime_ns == first_mtime
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".assembling")]


def test_a_damaged_cache_is_assembled_again(tmp_path):
    folder = embedded_model_dir(tmp_path)
    (folder / "model.bin").write_bytes(b"not a model")
    assert embedded_model_dir(tmp_path) == folder
    assert (folder / "model.bin").stat().st_size == 145_217_532


def test_resolve_accepts_folders_and_names(tmp_path):
    assert resolve("base", tmp_path)[0].endswith(EMBEDDED_SHA256[:12])
    assert resolve("large-v3", tmp_path) == ("large-v3", False)
    with pytest.raises(StudioError, match="no model.bin"):
        resolve(str(tmp_path), tmp_path)


@pytest.mark.slow
def test_named_model_not_cached_offline_is_a_clear_error(environ, tmp_path):
    # Hugging Face reads its cache and offline switch from the process environment when
    # imported: a `studio` process of its own gets them, with an empty cache.
    result = subprocess.run([STUDIO, "transcribe", str(FIXTURES / "short_guide.wav"), "--model", "large-v3",
                             "-q"], env={**environ, "HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")},
                            capture_output=True, text=True)
    assert result.returncode == 3
    assert "cannot load the speech model" in result.stderr and "'large-v3'" in result.stderr
