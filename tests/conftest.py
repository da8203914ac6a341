"""Shared test fixtures: paths built from this file, never from the cwd."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return ROOT


@pytest.fixture(scope="session")
def real_speech_dir() -> Path:
    """``../shared/data/real-speech``: real Mandarin clips with reference transcripts."""
    path = SHARED / "data" / "real-speech"
    if not path.is_dir():
        pytest.fail(f"shared real-speech data not found at {path}")
    return path


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The seed code of conduct text."""
    return SHARED / "seed" / "code-of-conduct-2023.txt"


# ``from audio_factory import ...`` works from every test module and benchmark
# whatever the rootdir: put this folder on the import path once.
_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)
