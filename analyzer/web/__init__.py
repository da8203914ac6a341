"""The review web app (FastAPI + Jinja2) over a results database.

Inspectors review flagged interactions and record verdicts; trainers pull
masked examples. Build the app with :func:`create_app`; run it with
``conduct serve``. The web framework is imported only when the app is built.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import FastAPI


def create_app(db: str | Path, recordings_root: str | Path | None = None,
               **settings: Any) -> FastAPI:
    """Build the FastAPI app (see :func:`analyzer.web.app.create_app`)."""
    from analyzer.web.app import create_app as _create_app

    return _create_app(db, recordings_root, **settings)
