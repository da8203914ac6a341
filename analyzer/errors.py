"""The analyzer's exception hierarchy.

Every error the product raises on bad input derives from :class:`AnalyzerError`
and names the input it concerns, so a batch can record it as an error row and
go on, and a person at a terminal knows which file to fix.
"""

from __future__ import annotations

from collections.abc import Sequence


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


class AudioError(AnalyzerError):
    """Audio is empty, truncated, not audio, or cannot be decoded."""


class ModelError(AnalyzerError):
    """The speech model is missing, corrupt or fails its checksum."""


class ManifestError(AnalyzerError):
    """A batch manifest (CSV/JSONL) row is malformed."""


class StoreError(AnalyzerError):
    """The results database cannot be opened or has an unknown schema."""


class ReviewConflict(StoreError):
    """A review step the record's state does not allow (a verdict on a finding under
    appeal, a second appeal, a ruling on a ruled appeal, ruling on one's own appeal)."""


class MissingDependencyError(AnalyzerError):
    """An optional dependency is not installed; the message says what to install."""


def require(module: str, extra: str) -> object:
    """Import an optional dependency or fail with what to install.

    Args:
        module: The module to import (e.g. ``"av"``).
        extra: The package extra that brings it (e.g. ``"audio"``).

    Returns:
        The imported module.

    Raises:
        MissingDependencyError: When the module is not installed.
    """
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise MissingDependencyError(
            f"the optional dependency {module!r} is missing; "
            f"install it with: pip install 'conduct-analyzer[{extra}]'"
        ) from exc
