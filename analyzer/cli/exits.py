"""The command line's one exit-code policy, as click exceptions.

===== ==========================================================================
code  meaning
===== ==========================================================================
0     everything was done
1     some inputs failed (each one was reported, the others were done), or a
      check found problems (``lexicon check``, ``models check``)
2     nothing was done: bad usage, or a broken configuration (lexicon, scoring
      template, classifier models, speech model, results database), or a
      request the store refuses (an unknown user role, a short password)
===== ==========================================================================

Commands raise :class:`~analyzer.errors.InputsFailed` when some inputs
failed, and let click raise its usage errors (also 2). Every
:class:`~analyzer.errors.AnalyzerError` that leaves a command becomes exit 2
here, in :func:`exit_codes`, which the ``conduct`` group wraps around every
sub-command; no command catches one only to re-raise it, and none calls
``sys.exit`` itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from analyzer.errors import AnalyzerError, CommandFailed, ConfigError, InputsFailed

__all__ = ["CommandFailed", "ConfigError", "InputsFailed", "exit_codes", "exit_for"]


def exit_for(error: AnalyzerError) -> click.ClickException:
    """The click exception (and so the exit code) of an error that ended a command.

    An error that reaches the command's end stopped it before anything was
    done: the configuration, the database or the request is wrong, so exit 2.
    Inputs that fail one by one are reported by the command itself, which
    raises :class:`InputsFailed` at its end.
    """
    return ConfigError(str(error))


@contextmanager
def exit_codes() -> Iterator[None]:
    """Turn an :class:`~analyzer.errors.AnalyzerError` escaping the block into its exit code."""
    try:
        yield
    except AnalyzerError as exc:
        raise exit_for(exc) from None
