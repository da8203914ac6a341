"""blind-halls-5 beyond the shared format checks (tests/test_hall_sets.py): its times rebuild."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_hall_sets import DATA

SET = DATA / "blind-halls-5"


def test_times_rebuild_from_the_hand_written_source(tmp_path: Path) -> None:
    for name in ("source.txt", "build_times.py"):
        (tmp_path / name).write_bytes((SET / name).read_bytes())
    subprocess.run([sys.executable, str(tmp_path / "build_times.py")], check=True)
    rebuilt = (tmp_path / "interactions.jsonl").read_text(encoding="utf-8")
    assert rebuilt == (SET / "interactions.jsonl").read_text(encoding="utf-8")
