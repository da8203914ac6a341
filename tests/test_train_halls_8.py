"""train-halls-8: the committed files are exactly what its hand-written source builds to."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

FOLDER = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-8"


def test_rebuild_from_source_gives_the_committed_files(tmp_path: Path) -> None:
    for name in ("source.txt", "build.py"):
        shutil.copy(FOLDER / name, tmp_path / name)
    subprocess.run([sys.executable, str(tmp_path / "build.py")], check=True)
    for name in ("interactions.jsonl", "labels.json"):
        assert (tmp_path / name).read_bytes() == (FOLDER / name).read_bytes(), name


def test_own_validator_finds_no_problem() -> None:
    done = subprocess.run([sys.executable, str(FOLDER / "validate.py")], capture_output=True,
                          text=True, check=False)
    assert done.returncode == 0, done.stdout
    assert "PROBLEM" not in done.stdout
