"""Shared test fixtures: paths built from this file, never from the cwd."""

from __future__ import annotations

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
