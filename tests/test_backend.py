"""The faster-whisper / CTranslate2 interfaces the recognizer relies on."""

from __future__ import annotations

import faster_whisper
import pytest

from analyzer.errors import ModelError
from analyzer.speech import backend


def test_installed_libraries_have_everything_the_analyzer_uses():
    backend.check_backend.cache_clear()
    backend.check_backend()  # raises on an incompatible version
    assert all(v != "missing" for v in backend.versions().values())


def test_a_missing_interface_fails_loudly_with_the_versions(monkeypatch):
    monkeypatch.delattr(faster_whisper.WhisperModel, "find_alignment")
    backend.check_backend.cache_clear()
    try:
        with pytest.raises(ModelError) as err:
            backend.check_backend()
    finally:
        backend.check_backend.cache_clear()
    message = str(err.value)
    assert "WhisperModel.find_alignment" in message
    assert f"faster-whisper {faster_whisper.__version__}" in message
