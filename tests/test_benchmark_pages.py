"""Every benchmark writes its own manual page: commit, date, machine, command, its table."""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from page import run_with_page  # noqa: E402


def test_a_benchmark_run_writes_its_page(tmp_path: Path, monkeypatch, capsys) -> None:
    monkeypatch.setattr(sys, "argv", ["benchmarks/demo.py", "--seconds", "1"])

    def main() -> int:
        print("mode   cpu s\nexact  1.00")
        return 0

    assert run_with_page("demo", "Demo speed", main, folder=tmp_path) == 0
    page = (tmp_path / "demo.md").read_text(encoding="utf-8")
    assert page.startswith("# Demo speed")
    assert "`benchmarks/demo.py --seconds 1`" in page and "exact  1.00" in page
    assert re.search(r"\| commit \| `[0-9a-f]{12}(\+changes)?` \|", page)
    assert re.search(r"\| date \| \d{4}-\d\d-\d\dT", page) and "cores" in page
    assert "exact  1.00" in capsys.readouterr().out  # the terminal still gets the table


def test_a_failing_benchmark_says_so_on_its_page(tmp_path: Path) -> None:
    def main() -> int:
        raise SystemExit(3)

    assert run_with_page("broken", "Broken", main, folder=tmp_path) == 3
    assert "| exit status | 3 |" in (tmp_path / "broken.md").read_text(encoding="utf-8")


def test_every_benchmark_script_writes_a_page() -> None:
    scripts = [p for p in (ROOT / "benchmarks").glob("*.py") if p.name != "page.py"]
    for script in scripts:
        text = script.read_text(encoding="utf-8")
        if '__name__ == "__main__"' in text:
            assert f'run_with_page("{script.stem}"' in text, script.name
