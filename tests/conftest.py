"""Shared test fixtures: paths built from this file, never from the cwd."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    """The repository root."""
    return ROOT


def shared_path(*parts: str) -> Path:
    """A path under ``../shared``; skips the test (with the reason) when it is absent.

    CI always has ``../shared``: there (``CI`` set) an absent path fails the
    test instead, so a broken checkout cannot pass by skipping.
    """
    path = SHARED.joinpath(*parts)
    if not path.exists():
        reason = (f"needs {path} (the project's shared data, beside the checkout), "
                  "which is absent here")
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    return path


@pytest.fixture(scope="session")
def real_speech_dir() -> Path:
    """``../shared/data/real-speech``: real Mandarin clips with reference transcripts."""
    return shared_path("data", "real-speech")


@pytest.fixture(scope="session")
def seed_path() -> Path:
    """The seed code of conduct text."""
    return shared_path("seed", "code-of-conduct-2023.txt")


# ``from audio_factory import ...`` works from every test module and benchmark
# whatever the rootdir: put this folder on the import path once.
_TESTS = str(Path(__file__).resolve().parent)
if _TESTS not in sys.path:
    sys.path.insert(0, _TESTS)


#: Test helpers that make audio with espeak-ng, sox or ffmpeg (the Debian packages of
#: ``.ci/deps``): a test module that uses one needs those packages.
SYSTEM_HELPERS: frozenset[str] = frozenset({"audio_factory", "web_fixture", "live_fixture"})
_SYSTEM_MODULES: dict[str, bool] = {}


def _needs_system_packages(module: object) -> bool:
    """True when a test module uses one of :data:`SYSTEM_HELPERS` (imported names included)."""
    name = getattr(module, "__name__", "")
    if name not in _SYSTEM_MODULES:
        found = False
        for value in vars(module).values() if module is not None else ():
            origin = getattr(value, "__module__", None) or getattr(value, "__name__", None)
            if origin in SYSTEM_HELPERS:
                found = True
                break
        _SYSTEM_MODULES[name] = found
    return _SYSTEM_MODULES[name]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark ``system`` every test that needs Debian packages (browser tests, synthesised audio).

    ``pytest -m "not system"`` is the test command that needs no root (README).
    """
    for item in items:
        if item.get_closest_marker("browser") or \
                _needs_system_packages(getattr(item, "module", None)):
            item.add_marker(pytest.mark.system)


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (简体中文) and leaves it so."""
    from analyzer import i18n

    with i18n.language(i18n.DEFAULT):
        yield
