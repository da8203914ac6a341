"""The analyzer's exceptions: one tree, all defined here.

Every error the product raises on purpose derives from :class:`AnalyzerError`
and names the input it concerns (``source``, and ``line`` / ``field`` where
they apply), so a batch can record it as an error row and go on, and a
person at a terminal knows which file to fix. The command line turns them
into exit codes in one place (:mod:`analyzer.cli.exits`) with the two click
exceptions at the bottom of this tree::

    Exception
    ├── AnalyzerError                 raised on purpose; names its input
    │   ├── LexiconError              a lexicon or scoring template is malformed
    │   │   └── LexiconErrors         several of them, one per file and line
    │   ├── OptionError               an option has the wrong type or value
    │   ├── TranscriptError           a transcript breaks the input contract
    │   ├── JsonInputError            JSON beyond the reader's limits (also a ValueError)
    │   ├── AudioError                audio empty, truncated or not decodable
    │   ├── PathRefused               a recording path outside the recordings root
    │   ├── ModelError                the speech model is missing or corrupt
    │   ├── ManifestError             a batch manifest row is malformed
    │   ├── MissingDependencyError    an optional package is not installed
    │   ├── InvalidRequest            a value a store or account operation refuses
    │   │                             (an empty reason, a short password; also a ValueError)
    │   └── StoreError                the results database cannot be opened or read
    │       ├── NotFound              no such interaction, finding, appeal... (web: 404)
    │       └── ReviewConflict        the record's state forbids the step (web: 409)
    └── click.ClickException
        └── CommandFailed             a command's exit code, shown as ``error: ...``
            ├── InputsFailed          exit 1: some inputs failed, the rest were done
            └── ConfigError           exit 2: nothing was done

``except AnalyzerError`` catches every error of the product;
``except StoreError`` every problem with the results database, ``NotFound``
and ``ReviewConflict`` included. No other module of the package defines an
exception class (``tests/test_errors.py`` checks).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any

import click


def shown(value: object) -> str:
    """``value`` as text that can always be written: the one rule for names that are not UTF-8.

    A file name that is not valid UTF-8 reaches Python with lone surrogates
    (``caf\udce9.json``); those bytes are shown escaped (``caf\\xe9.json``),
    losslessly, and any other lone surrogate (a ``\\ud800`` JSON escape) as
    its code point. Reports, error rows and terminals then take it.
    """
    text = str(value)
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


class AnalyzerError(Exception):
    """Base class of every error the analyzer raises on purpose.

    Args:
        message: What went wrong and what was expected.
        source: The input it concerns (a path, a manifest row, a stream).
        line: 1-based line number in ``source``, when it applies.
        field: The field (e.g. ``utterances[3].start``), when it applies.
    """

    def __init__(
        self,
        message: str,
        *,
        source: str | None = None,
        line: int | None = None,
        field: str | None = None,
    ) -> None:
        self.message = shown(message)
        self.source = shown(source) if source is not None else None
        self.line = line
        self.field = field
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.source:
            where = str(self.source)
            if self.line is not None:
                where += f":{self.line}"
            where += ": "
        fld = f"{self.field}: " if self.field else ""
        return f"{where}{fld}{self.message}"


class LexiconError(AnalyzerError):
    """A lexicon or scoring template file is malformed (names file and line)."""


class LexiconErrors(LexiconError):
    """Several problems in lexicon files, each a :class:`LexiconError`, one per line.

    Args:
        errors: The problems, in file and line order.
    """

    def __init__(self, errors: Sequence[LexiconError]) -> None:
        self.errors = tuple(errors)
        first = self.errors[0]
        super().__init__(f"{len(self.errors)} problems", source=first.source, line=first.line)

    def __str__(self) -> str:
        return "\n".join(str(e) for e in self.errors)


class OptionError(AnalyzerError):
    """An option has the wrong type or value (names the option, e.g. ``rings.max_rings``)."""


class TranscriptError(AnalyzerError):
    """A transcript file or record does not follow the input contract."""


class JsonInputError(AnalyzerError, ValueError):
    """JSON text the analyzer will not read: a syntax error or beyond its limits.

    Raised by :func:`analyzer.text.transcript.read_json`; its callers re-raise
    it as the error of the input it was (a transcript, a manifest, a sidecar).

    Args:
        message: What is wrong.
        line: The line in the text (None when not known).
    """

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message, line=line)


class AudioError(AnalyzerError):
    """Audio is empty, truncated, not audio, or cannot be decoded."""


class PathRefused(AnalyzerError):
    """A requested path lies outside the recordings root, or is not a recording."""


class ModelError(AnalyzerError):
    """The speech model is missing, corrupt or fails its checksum."""


class ManifestError(AnalyzerError):
    """A batch manifest (CSV/JSONL) row is malformed."""


class InvalidRequest(AnalyzerError, ValueError):
    """A value a store or account operation refuses: an unknown verdict, an empty
    reason, a short password, a period that is no period. Also a ``ValueError``."""


class StoreError(AnalyzerError):
    """The results database cannot be opened, is not one, has an unknown schema, or
    cannot be read (a damaged file)."""


class NotFound(StoreError):
    """No such record: an interaction, finding, appeal, assignment or rectification id
    that the results database does not hold."""


class ReviewConflict(StoreError):
    """A review step the record's state does not allow (a verdict on a finding under
    appeal, a second appeal, a ruling on a ruled appeal, ruling on one's own appeal)."""


class MissingDependencyError(AnalyzerError):
    """An optional dependency is not installed; the message says what to install."""


#: Distributions of the modules :func:`require` is asked for, where the names differ.
DISTRIBUTIONS: dict[str, str] = {"faster_whisper": "faster-whisper", "argon2": "argon2-cffi"}


def require(module: str, extra: str | None = None) -> Any:
    """Import a dependency or fail with what to install.

    Args:
        module: The module to import (e.g. ``"av"``).
        extra: The package extra that brings it (``"web"``, ``"ray"``,
            ``"train"``: those of ``pyproject.toml``); None for a dependency
            of the package itself (then only a broken install lacks it).

    Returns:
        The imported module.

    Raises:
        MissingDependencyError: When the module is not installed.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the install
        what = (f"pip install 'conduct-analyzer[{extra}]'" if extra else
                f"pip install '{DISTRIBUTIONS.get(module, module)}' (a dependency of "
                "conduct-analyzer: the install is incomplete)")
        raise MissingDependencyError(
            f"the dependency {module!r} is missing; install it with: {what}") from exc


class CommandFailed(click.ClickException):
    """A command ends with its exit code, shown as ``error: MESSAGE`` on standard error.

    Raised only by the command line (:mod:`analyzer.cli.exits` maps the
    analyzer's errors to these); never by the library.
    """

    def show(self, file: IO[Any] | None = None) -> None:
        """Write ``error: MESSAGE`` to standard error (or ``file``)."""
        click.echo(f"error: {self.format_message()}", err=True, file=file)


class InputsFailed(CommandFailed):
    """Exit 1: some inputs failed (each already reported), or a check found problems."""

    exit_code = 1


class ConfigError(CommandFailed):
    """Exit 2: nothing was done; the configuration or the database is broken."""

    exit_code = 2
