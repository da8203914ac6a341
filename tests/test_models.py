"""Model assembly: joining PyPI parts, checksum verification, model selection."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.errors import ModelError
from analyzer.speech import model as whisper

SMALL = {"config.json": b'{"fake": true}', "tokenizer.json": b"{}", "vocabulary.txt": b"a\nb\n"}


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _make_part_set(root: Path, prefix: str, blob: bytes, *, corrupt: bool = False) -> list[str]:
    """Write a two-package fake part set (importable from ``root``) holding ``blob``."""
    half = len(blob) // 2
    pieces = [blob[:half], blob[half:]]
    if corrupt:
        pieces[1] = bytes([pieces[1][0] ^ 0xFF]) + pieces[1][1:]
    names = [f"{prefix}_part1", f"{prefix}_part2"]
    for i, (name, piece) in enumerate(zip(names, pieces, strict=True), start=1):
        data = root / name / "data"
        data.mkdir(parents=True)
        (root / name / "__init__.py").write_text("")
        (data / f"model.bin.part{i}").write_bytes(piece)
        if i == 1:
            for fname, content in SMALL.items():
                (data / fname).write_bytes(content)
    return names


def _record(path: Path, blob: bytes, sources: list[list[str]]) -> Path:
    files = {"model.bin": {"sha256": _sha(blob), "size": len(blob)}}
    files.update({k: {"sha256": _sha(v), "size": len(v)} for k, v in SMALL.items()})
    record = {"name": "fake", "files": files, "sources": [{"packages": s} for s in sources]}
    path.write_text(json.dumps(record))
    return path


@pytest.fixture()
def blob() -> bytes:
    return bytes(range(256)) * 4099  # ~1 MiB, not a multiple of the read chunk


@pytest.fixture()
def pkg_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "site"
    root.mkdir()
    monkeypatch.syspath_prepend(str(root))
    return root


def test_join_verifies_and_is_reused(tmp_path: Path, pkg_root: Path, blob: bytes) -> None:
    names = _make_part_set(pkg_root, "goodset", blob)
    record = _record(tmp_path / "rec.json", blob, [names])
    folder = whisper.ensure_model(tmp_path / "cache", record_path=record)
    assert (folder / "model.bin").read_bytes() == blob
    assert (folder / "config.json").read_bytes() == SMALL["config.json"]
    status = whisper.verify_model(folder, record_path=record)
    assert status.ok and status.bundled and status.sha256 == _sha(blob)
    mtime = (folder / "model.bin").stat().st_mtime_ns
    assert whisper.ensure_model(tmp_path / "cache", record_path=record) == folder
    assert (folder / "model.bin").stat().st_mtime_ns == mtime  # not joined again
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]  # no temp folder left


def test_corrupt_part_fails_with_clear_error(tmp_path: Path, pkg_root: Path, blob: bytes) -> None:
    names = _make_part_set(pkg_root, "badset", blob, corrupt=True)
    record = _record(tmp_path / "rec.json", blob, [names])
    cache = tmp_path / "cache"
    with pytest.raises(ModelError) as err:
        whisper.ensure_model(cache, record_path=record)
    text = str(err.value)
    assert "SHA-256" in text and "model.bin.part1" in text and "model.bin.part2" in text
    assert not any(cache.iterdir())  # nothing half-written left behind


def test_second_source_used_when_first_is_corrupt(
    tmp_path: Path, pkg_root: Path, blob: bytes
) -> None:
    bad = _make_part_set(pkg_root, "firstset", blob, corrupt=True)
    good = _make_part_set(pkg_root, "secondset", blob)
    record = _record(tmp_path / "rec.json", blob, [bad, good])
    folder = whisper.ensure_model(tmp_path / "cache", record_path=record)
    assert (folder / "model.bin").read_bytes() == blob


def test_missing_parts_and_damaged_cache(tmp_path: Path, pkg_root: Path, blob: bytes) -> None:
    record = _record(tmp_path / "rec.json", blob, [["no_such_part_a", "no_such_part_b"]])
    with pytest.raises(ModelError, match="not installed"):
        whisper.ensure_model(tmp_path / "cache", record_path=record)
    names = _make_part_set(pkg_root, "healset", blob)
    record = _record(tmp_path / "rec.json", blob, [names])
    folder = whisper.ensure_model(tmp_path / "cache", record_path=record)
    with open(folder / "model.bin", "r+b") as fh:  # damage the assembled copy
        fh.truncate(1000)
    assert not whisper.verify_model(folder, record_path=record).ok
    assert whisper.ensure_model(tmp_path / "cache", record_path=record) == folder
    assert (folder / "model.bin").read_bytes() == blob  # re-joined from the parts


def test_resolve_model_user_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    with pytest.raises(ModelError) as err:
        whisper.resolve_model(str(empty))
    assert str(empty) in str(err.value) and "model.bin" in str(err.value)
    with pytest.raises(ModelError, match="does not exist"):
        whisper.resolve_model(str(tmp_path / "missing"))
    other = tmp_path / "other-model"
    other.mkdir()
    (other / "model.bin").write_bytes(b"x")
    (other / "config.json").write_text("{}")
    monkeypatch.setenv("CONDUCT_MODEL", str(other))
    assert whisper.resolve_model("") == other
    status = whisper.verify_model(other)
    assert status.ok and not status.bundled


def test_bundled_model_assembles_from_installed_parts(tmp_path: Path) -> None:
    folder = whisper.ensure_model(tmp_path / "cache")
    status = whisper.verify_model(folder)
    assert status.ok and status.bundled, status.problems
    assert status.sha256 == whisper.load_record()["files"]["model.bin"]["sha256"]


def test_cli_models_check(tmp_path: Path) -> None:
    from analyzer.cli import main

    runner = CliRunner()
    ok = runner.invoke(main, ["models", "check", "--cache-dir", str(tmp_path / "c"), "--format", "json"])
    assert ok.exit_code == 0, ok.output
    result = json.loads(ok.output)
    assert result["ok"] and result["bundled"] and result["path"].startswith(str(tmp_path))
    bad = runner.invoke(main, ["models", "check", "--model", str(tmp_path)])
    assert bad.exit_code == 1
    assert "verifies: NO" in bad.output and str(tmp_path) in bad.output
