"""Backups of the results database: SQLite's online backup, checked, written atomically."""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path

from analyzer.errors import StoreError

#: How a copy in a backup folder is named (``time.strftime`` of the local time).
NAME = "results-%Y%m%d-%H%M%S.sqlite"


def backup_database(db: str | Path, output: str | Path, *, pages: int = 1024) -> Path:
    """Copy ``db`` to ``output`` with SQLite's online backup; return the copy's path.

    Writers may keep writing: the copy is a consistent snapshot. The copy is
    written next to its target under a temporary name, checked with
    ``PRAGMA integrity_check`` and then renamed, so a failed backup never
    leaves a half-written file where a good one is expected.

    Args:
        db: The results database.
        output: A file to write, or an existing folder (a dated name inside it).
        pages: Pages copied per step (other connections may write between steps).

    Raises:
        StoreError: The database cannot be read, or the copy fails its check.
    """
    source_path, target = Path(db), Path(output)
    if target.is_dir():
        target = target / time.strftime(NAME)
    if target.resolve() == source_path.resolve():
        raise StoreError("the backup would overwrite the database itself", source=str(target))
    partial = target.with_name(f".{target.name}.partial")
    try:
        source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=30)
        try:
            copy = sqlite3.connect(partial)
            try:
                source.backup(copy, pages=pages)
                verdict = copy.execute("PRAGMA integrity_check").fetchone()[0]
            finally:
                copy.close()
        finally:
            source.close()
    except sqlite3.Error as exc:
        partial.unlink(missing_ok=True)
        raise StoreError(f"backup failed: {exc}", source=str(source_path)) from exc
    if verdict != "ok":
        partial.unlink(missing_ok=True)
        raise StoreError(f"the copy fails its integrity check: {verdict}", source=str(target))
    os.replace(partial, target)
    return target


def prune(folder: str | Path, keep: int) -> list[Path]:
    """Delete all but the newest ``keep`` copies in a backup folder; return those deleted."""
    copies = sorted(Path(folder).glob("results-*.sqlite"), key=lambda p: p.name, reverse=True)
    old = copies[keep:]
    for path in old:
        path.unlink()
    return old
