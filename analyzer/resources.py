"""The package's data files, found with :mod:`importlib.resources`.

Everything the analyzer reads at run time ships inside the ``analyzer``
package, so it works from a wheel installed in any folder:

* ``_data/lexicons/``: the Chapter 3 lexicon, the scoring template, examples
  (the repository's top-level ``lexicons/`` folder);
* ``_data/models/``: the Whisper checksum record and the learned classifiers
  (the repository's top-level ``models/`` folder);
* ``web/templates/`` and ``web/static/``: the review app.

Example::

    from analyzer.resources import data_path
    data_path("lexicons", "chapter3.toml").read_text(encoding="utf-8")
"""

from __future__ import annotations

import atexit
import contextlib
from importlib.resources import as_file, files
from pathlib import Path

_EXTRACTED = contextlib.ExitStack()
atexit.register(_EXTRACTED.close)


def package_path(*parts: str) -> Path:
    """A file or folder of the installed ``analyzer`` package as a real path.

    Args:
        *parts: Path components below the package, e.g. ``("web", "static")``.

    Returns:
        The path on disk. For a package imported from a zip archive the
        resource is extracted once, for the life of the process.
    """
    resource = files("analyzer").joinpath(*parts)
    if isinstance(resource, Path):
        return resource
    return Path(_EXTRACTED.enter_context(as_file(resource)))


def data_path(*parts: str) -> Path:
    """A shipped data file (below ``analyzer/_data``), e.g. ``data_path("lexicons", "scoring.toml")``."""
    return package_path("_data", *parts)
