"""What to analyse: recordings and transcripts in folders, manifests and files.

The one discovery of inputs, for ``conduct analyze`` and ``conduct batch``.
A SOURCE is

* a folder, searched recursively (sorted; hidden files and folders skipped):
  recordings (:data:`~analyzer.speech.decode.AUDIO_SUFFIXES`) and transcripts
  (:data:`~analyzer.text.transcript.TRANSCRIPT_SUFFIXES`). A ``.json`` next to a
  recording with the same stem (``call-17.wav`` + ``call-17.json``) is that
  recording's *sidecar* metadata (:mod:`analyzer.speech.meta`), not a
  transcript; a recording whose sidecar cannot be read is an error, not
  analysed without it. A symbolic link that points nowhere and a folder named like a
  recording are reported, not skipped in silence;
* a manifest (:data:`MANIFEST_SUFFIXES`: ``.csv``, or ``.jsonl`` whose first
  record has ``path``), one row per file: ``path`` (relative to the
  manifest's folder, or absolute) and the metadata fields
  (:data:`~analyzer.types.META_KEYS`). A sidecar next to a listed recording is
  read too; the row wins where both say something;
* a recording or a transcript file.

Bad manifest rows, unreadable sidecars and odd folder entries come out as
:class:`~analyzer.errors.AnalyzerError` items (naming file and line) among
the :class:`Task` items, so a run records them and goes on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from analyzer.errors import AnalyzerError, JsonInputError, ManifestError
from analyzer.limits import MAX_RECORD_BYTES, size_text
from analyzer.speech.decode import AUDIO_SUFFIXES
from analyzer.speech.meta import CallMeta, read_sidecar
from analyzer.text.transcript import TRANSCRIPT_SUFFIXES, bounded_lines, read_json

#: Manifest files: CSV, or JSON Lines whose records name a ``path``.
MANIFEST_SUFFIXES: tuple[str, ...] = (".csv", ".jsonl")
#: A row of a manifest: its line and the row, or the error reading it.
Row = tuple[int, "object | AnalyzerError"]


@dataclass(frozen=True)
class Task:
    """One input file.

    Attributes:
        kind: ``audio`` or ``transcript``.
        path: The file.
        meta: Its metadata (the manifest row over the sidecar).
        origin: Where it was listed (``manifest.csv:12``, or the path).
    """

    kind: str
    path: str
    meta: CallMeta = field(default_factory=CallMeta)
    origin: str = ""


def discover(source: str | Path, *, empty_is_error: bool = False
             ) -> Iterator[Task | AnalyzerError]:
    """The tasks of one SOURCE (folder, manifest, recording or transcript), errors inline.

    Paths are as ``source`` gives them (a manifest's relative paths are read
    against its folder); pass an absolute ``source`` for absolute paths.

    Args:
        source: The folder, manifest or file.
        empty_is_error: A folder with no input yields an error (``conduct analyze``).

    Raises:
        AnalyzerError: ``source`` does not exist, or is no input at all.
    """
    src = Path(source)
    suffix = src.suffix.lower()
    if src.is_dir():
        found = False
        for item in _walk(src):
            found = found or isinstance(item, Task)
            yield item
        if empty_is_error and not found:
            yield AnalyzerError("folder holds no transcripts (.json, .jsonl) or recordings",
                                source=str(src))
    elif not src.exists():
        raise AnalyzerError("no such file or folder", source=str(src))
    elif suffix == ".csv" or (suffix == ".jsonl" and _looks_like_manifest(src)):
        yield from _manifest_rows(src, _csv_rows(src) if suffix == ".csv" else _jsonl_rows(src))
    elif suffix in AUDIO_SUFFIXES:
        yield _with_sidecar(src)
    elif suffix in TRANSCRIPT_SUFFIXES:
        yield Task("transcript", str(src), CallMeta(), str(src))
    else:
        raise AnalyzerError(unsupported(src), source=str(src))


def discover_all(sources: Iterable[str | Path]) -> Iterator[Task | AnalyzerError]:
    """The tasks of many sources in order; a missing or unsupported source is an error item."""
    for source in sources:
        try:
            yield from discover(source, empty_is_error=True)
        except AnalyzerError as exc:
            yield exc


def unsupported(path: Path) -> str:
    """Why ``path`` is no input (its suffix), and what would be."""
    return (f"unsupported input {path.suffix or '(no suffix)'!r}; expected a transcript "
            f"(.json, .jsonl), a recording ({', '.join(AUDIO_SUFFIXES)}) or a manifest (.csv)")


def _walk(folder: Path) -> Iterator[Task | AnalyzerError]:
    files: list[Path] = []
    for p in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in p.relative_to(folder).parts):
            continue
        problem = _unreadable(p)
        if problem:
            yield ManifestError(problem, source=str(p))
        elif p.is_file():
            files.append(p)
    audio_stems = {p.with_suffix("") for p in files if p.suffix.lower() in AUDIO_SUFFIXES}
    for p in files:
        suffix = p.suffix.lower()
        if suffix in AUDIO_SUFFIXES:
            yield _with_sidecar(p)
        elif suffix in TRANSCRIPT_SUFFIXES and not (
            suffix == ".json" and p.with_suffix("") in audio_stems
        ):
            yield Task("transcript", str(p), CallMeta(), str(p))


def _unreadable(path: Path) -> str | None:
    """Why a folder entry that looks like an input cannot be one, or None.

    A symbolic link that points nowhere (or into a loop), and a folder named
    like a recording (``x.wav/``), are reported, not silently skipped.
    """
    if path.is_symlink() and not path.exists():
        return "dangling or looping symbolic link"
    if path.is_dir() and path.suffix.lower() in AUDIO_SUFFIXES:
        return "a folder named like a recording"
    return None


def _with_sidecar(recording: Path, row: CallMeta | None = None, origin: str = ""
                  ) -> Task | AnalyzerError:
    """A recording's task with its sidecar under the manifest row, or the sidecar's error.

    A recording whose sidecar cannot be read is not analysed: the sidecar may
    say whose voice is on which channel.
    """
    try:
        side = read_sidecar(recording)
    except AnalyzerError as exc:
        return exc
    meta = row.over(side) if row is not None else side
    return Task("audio", str(recording), meta, origin or str(recording))


def _looks_like_manifest(path: Path) -> bool:
    """A JSONL file whose first record has ``path`` (transcripts have ``utterances``)."""
    try:
        with path.open("rb") as fh:
            for line in bounded_lines(fh):
                if line is None:  # overlong: not a manifest (the transcript reader says why)
                    return False
                if line.strip():
                    first = read_json(line.decode("utf-8"))
                    return isinstance(first, dict) and "path" in first and "utterances" not in first
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return False


def _csv_rows(path: Path) -> Iterator[Row]:
    try:
        with path.open(encoding="utf-8-sig", newline="") as fh:
            reader = csv.DictReader(fh)
            if not reader.fieldnames or "path" not in reader.fieldnames:
                yield 1, ManifestError("manifest header must name a 'path' column",
                                       source=str(path), line=1)
                return
            for row in reader:
                yield reader.line_num, row
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        yield 0, ManifestError(f"unreadable manifest: {exc}", source=str(path))


def _jsonl_rows(path: Path) -> Iterator[Row]:
    try:
        with path.open("rb") as fh:
            lines = list(bounded_lines(fh))
    except OSError as exc:
        yield 0, ManifestError(f"unreadable manifest: {exc}", source=str(path))
        return
    for n, raw in enumerate(lines, 1):
        if raw is None:
            yield n, ManifestError(f"line longer than {size_text(MAX_RECORD_BYTES)}",
                                   source=str(path), line=n)
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield n, ManifestError(f"unreadable manifest: {exc}", source=str(path), line=n)
            continue
        if not line.strip():
            continue
        try:
            yield n, read_json(line)
        except JsonInputError as exc:
            yield n, ManifestError(f"not JSON: {exc.message}", source=str(path), line=n)


def _manifest_rows(manifest: Path, rows: Iterator[Row]) -> Iterator[Task | AnalyzerError]:
    for line, row in rows:
        if isinstance(row, AnalyzerError):
            yield row
            continue
        where = f"{manifest}:{line}"
        if not isinstance(row, dict) or not str(row.get("path") or "").strip():
            yield ManifestError("row has no 'path'", source=str(manifest), line=line, field="path")
            continue
        try:
            meta = CallMeta.parse(row, where=str(manifest), line=line, keep_extra=False)
        except AnalyzerError as exc:
            yield exc
            continue
        path = Path(str(row["path"]).strip())
        if not path.is_absolute():
            path = manifest.parent / path
        suffix = path.suffix.lower()
        if suffix in AUDIO_SUFFIXES:
            yield _with_sidecar(path, meta, where)
        elif suffix in TRANSCRIPT_SUFFIXES:
            yield Task("transcript", str(path), meta, where)
        else:
            yield ManifestError(f"not a recording or transcript: {path.name}",
                                source=str(manifest), line=line, field="path")
