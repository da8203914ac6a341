"""Find the work of a batch: recordings and transcripts in a folder or a manifest.

A batch SOURCE is either

* a folder, searched recursively: audio files (``analyzer.speech.decode.AUDIO_SUFFIXES``; hidden files are skipped) and
  transcripts (``.json`` / ``.jsonl``). A ``.json`` file next to a recording
  with the same stem (``call-17.wav`` + ``call-17.json``) is that recording's
  *sidecar* metadata, not a transcript; or
* a manifest, ``.csv`` or ``.jsonl``, one row per file: ``path`` (relative to
  the manifest's folder or absolute), ``hall``, ``window``, ``staff``,
  ``started_at``, and for calls the phone system's ``rings`` /
  ``ring_seconds``; optional ``channel`` and ``id``. A sidecar next to a
  listed recording is read too; the manifest row wins where both say
  something.

Bad manifest rows and unreadable sidecars come out as
:class:`~analyzer.errors.ManifestError` items (naming file and line) so the
batch records them and goes on.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import AnalyzerError, ManifestError
from analyzer.speech.decode import AUDIO_SUFFIXES
from analyzer.speech.recording import read_sidecar
from analyzer.text.transcript import JsonInputError, read_json

TRANSCRIPT_SUFFIXES: tuple[str, ...] = (".json", ".jsonl")
MANIFEST_SUFFIXES: tuple[str, ...] = (".csv", ".jsonl")
#: Metadata fields a manifest row or sidecar may carry.
META_FIELDS: tuple[str, ...] = (
    "hall", "window", "staff", "started_at", "rings", "ring_seconds", "channel", "id",
)


@dataclass(frozen=True)
class Task:
    """One input file of a batch.

    Attributes:
        kind: ``audio`` or ``transcript``.
        path: The file.
        meta: Metadata from the manifest row and/or sidecar (``META_FIELDS``).
        origin: Where the task was listed (``manifest.csv:12`` or the path).
    """

    kind: str
    path: str
    meta: dict[str, Any] = field(default_factory=dict)
    origin: str = ""


def discover(source: str | Path) -> Iterator[Task | AnalyzerError]:
    """Yield the tasks of a batch SOURCE (folder or manifest), errors inline.

    Every task's path is absolute (a relative SOURCE is read against the
    working folder; a manifest's relative paths against its folder).

    Raises:
        ManifestError: SOURCE does not exist or is neither a folder nor a
            manifest (nothing to do at all).
    """
    # Absolute paths: the store keeps them, so the review app finds a recording
    # whatever folder it is started from.
    src = Path(source).absolute()
    if src.is_dir():
        yield from _walk(src)
    elif src.is_file() and src.suffix.lower() == ".csv":
        yield from _manifest_rows(src, _csv_rows(src))
    elif src.is_file() and src.suffix.lower() == ".jsonl" and _looks_like_manifest(src):
        yield from _manifest_rows(src, _jsonl_rows(src))
    elif src.is_file() and src.suffix.lower() in AUDIO_SUFFIXES:
        yield Task("audio", str(src), _sidecar(src), str(src))
    elif src.is_file() and src.suffix.lower() in TRANSCRIPT_SUFFIXES:
        yield Task("transcript", str(src), {}, str(src))
    else:
        raise ManifestError(
            "batch source must be a folder, a manifest (.csv/.jsonl), a recording or a "
            "transcript", source=str(src))


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
            meta = _sidecar(p)
            if isinstance(meta, AnalyzerError):
                yield meta
                meta = {}
            yield Task("audio", str(p), meta, str(p))
        elif suffix in TRANSCRIPT_SUFFIXES and not (
            suffix == ".json" and p.with_suffix("") in audio_stems
        ):
            yield Task("transcript", str(p), {}, str(p))


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


def _sidecar(recording: Path) -> dict[str, Any] | AnalyzerError:
    """A recording's sidecar metadata, cleaned ({} when there is none), or the error."""
    try:
        data = read_sidecar(recording)
    except AnalyzerError as exc:
        return exc
    return _clean_meta(data, data.get("_sidecar", str(recording)), None) if data else {}


def _looks_like_manifest(path: Path) -> bool:
    """A JSONL file whose first record has ``path`` (transcripts have ``utterances``)."""
    try:
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    first = read_json(line)
                    return isinstance(first, dict) and "path" in first and "utterances" not in first
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return False


def _csv_rows(path: Path) -> Iterator[tuple[int, Any]]:
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


def _jsonl_rows(path: Path) -> Iterator[tuple[int, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        yield 0, ManifestError(f"unreadable manifest: {exc}", source=str(path))
        return
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            yield n, read_json(line)
        except JsonInputError as exc:
            yield n, ManifestError(f"not JSON: {exc.message}", source=str(path), line=n)


def _manifest_rows(manifest: Path, rows: Iterator[tuple[int, Any]]
                   ) -> Iterator[Task | AnalyzerError]:
    for line, row in rows:
        if isinstance(row, AnalyzerError):
            yield row
            continue
        where = f"{manifest}:{line}"
        if not isinstance(row, dict) or not str(row.get("path") or "").strip():
            yield ManifestError("row has no 'path'", source=str(manifest), line=line, field="path")
            continue
        meta = _clean_meta(row, str(manifest), line)
        if isinstance(meta, AnalyzerError):
            yield meta
            continue
        path = Path(str(row["path"]).strip())
        if not path.is_absolute():
            path = manifest.parent / path
        suffix = path.suffix.lower()
        if suffix in AUDIO_SUFFIXES:
            side = _sidecar(path)
            merged = {**(side if isinstance(side, dict) else {}), **meta}
            yield Task("audio", str(path), merged, where)
        elif suffix in TRANSCRIPT_SUFFIXES:
            yield Task("transcript", str(path), meta, where)
        else:
            yield ManifestError(f"not a recording or transcript: {path.name}",
                                source=str(manifest), line=line, field="path")


def _clean_meta(row: dict[str, Any], source: str, line: int | None
                ) -> dict[str, Any] | AnalyzerError:
    """Keep the known metadata fields, typed; empty cells are dropped."""
    meta: dict[str, Any] = {}
    for key in META_FIELDS:
        value = row.get(key)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        if key in ("rings", "ring_seconds"):
            try:
                number = float(value)
            except (TypeError, ValueError):
                return ManifestError(f"{key} must be a number, not {value!r}",
                                     source=source, line=line, field=key)
            if number < 0:
                return ManifestError(f"{key} must not be negative", source=source,
                                     line=line, field=key)
            meta[key] = int(number) if key == "rings" else number
        elif key == "channel" and str(value) not in ("counter", "phone"):
            return ManifestError(f"channel must be counter or phone, not {value!r}",
                                 source=source, line=line, field=key)
        else:
            meta[key] = str(value).strip()
    return meta
