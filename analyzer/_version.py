"""The analyzer's version, from one place: ``pyproject.toml``, via the package metadata.

:func:`code_revision` adds the git commit the code was run from, when the package
sits in a git checkout (an editable install, a source tree): reports and batch
summaries record both, so a figure can be traced to the code that made it.
"""

from __future__ import annotations

import functools
import subprocess
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

try:
    __version__ = version("conduct-analyzer")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"

#: Seconds one ``git`` call may take before the commit is reported unknown.
_GIT_TIMEOUT = 5.0


@dataclass(frozen=True)
class CodeRevision:
    """The code a run used.

    Attributes:
        version: The package version (:data:`__version__`).
        commit: The git commit of the checkout the package was imported from;
            "" when it was not imported from a git checkout (a wheel) or git is missing.
        dirty: Tracked files of that checkout differ from the commit (unknown: False).
    """

    version: str
    commit: str = ""
    dirty: bool = False

    def to_dict(self) -> dict[str, str | bool]:
        """The JSON form: ``version``, ``commit`` and ``dirty``."""
        return {"version": self.version, "commit": self.commit, "dirty": self.dirty}

    def label(self) -> str:
        """One line for people: ``0.9.0 (commit 1a2b3c4d, dirty)``."""
        if not self.commit:
            return self.version
        return f"{self.version} (commit {self.commit[:12]}{', dirty' if self.dirty else ''})"


def _git(folder: Path, *args: str) -> str | None:
    """``git -C folder args`` stdout, stripped; None when git fails or is missing."""
    try:
        out = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True,
                             timeout=_GIT_TIMEOUT, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() if out.returncode == 0 else None


@functools.lru_cache(maxsize=1)
def code_revision() -> CodeRevision:
    """The package version and, when this package's own files are tracked in a git
    checkout, its commit and whether tracked files differ from it (computed once
    per process).

    A wheel installed into a virtual environment that lies inside some checkout
    is not that checkout's code: the package's ``__init__.py`` must be a tracked
    file of the checkout for its commit to be reported.
    """
    package = Path(__file__).resolve().parent
    top = _git(package, "rev-parse", "--show-toplevel")
    if not top or not _git(package, "ls-files", "--error-unmatch", "__init__.py"):
        return CodeRevision(__version__)
    commit = _git(package, "rev-parse", "HEAD") or ""
    status = _git(Path(top), "status", "--porcelain", "--untracked-files=no")
    return CodeRevision(__version__, commit, bool(status))
