"""The command line's one exit-code policy, as click exceptions.

===== ==========================================================================
code  meaning
===== ==========================================================================
0     everything was done
1     some inputs failed (each one was reported, the others were done), or a
      check found problems (``lexicon check``, ``models check``)
2     nothing was done: bad usage, or a broken configuration (lexicon, scoring
      template, classifier models, speech model, results database)
===== ==========================================================================

Commands raise :class:`InputsFailed` or :class:`ConfigError` (or let click
raise its own usage errors, also 2); none calls ``sys.exit`` itself.
"""

from __future__ import annotations

from typing import IO, Any

import click


class _Error(click.ClickException):
    """A click exception shown as ``error: MESSAGE`` on standard error."""

    def show(self, file: IO[Any] | None = None) -> None:
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class InputsFailed(_Error):
    """Exit 1: some inputs failed (each already reported), or a check found problems."""

    exit_code = 1


class ConfigError(_Error):
    """Exit 2: nothing was done, the configuration or the database is broken."""

    exit_code = 2
