"""``conduct backup``: a consistent copy of the results database while it is in use.

SQLite's online backup API (:meth:`sqlite3.Connection.backup`) copies the
database page by page under its own locks, so the nightly batch, the review
app and the live listener may keep writing while it runs; the copy is
checked (``PRAGMA integrity_check``) before it is kept.
"""

from __future__ import annotations

from pathlib import Path

import click

from analyzer.cli.helptext import Command


@click.command(cls=Command)
@click.option("--db", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="The results database to copy.")
@click.option("-o", "--output", required=True, type=click.Path(path_type=Path),
              help="The copy to write: a file, or a folder (the copy is named "
                   "results-YYYYmmdd-HHMMSS.sqlite inside it).")
@click.option("--keep", type=click.IntRange(0), default=0, show_default=True,
              help="With a folder: keep only the newest N copies (0: keep all).")
def backup(db: Path, output: Path, keep: int) -> None:
    """Copy the results database safely while it is in use (SQLite online backup)."""
    from analyzer.store.backup import backup_database, prune

    target = backup_database(db, output)
    click.echo(str(target))
    if keep and output.is_dir():
        for old in prune(output, keep):
            click.echo(f"removed {old}", err=True)
