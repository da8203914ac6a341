"""The analyzer's version, from one place: ``pyproject.toml``, via the package metadata."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("conduct-analyzer")
except PackageNotFoundError:  # pragma: no cover - a source tree that was never installed
    __version__ = "0+unknown"
