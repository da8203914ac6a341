"""One manual page per benchmark, written by the benchmark script itself.

Every script in ``benchmarks/`` ends with::

    if __name__ == "__main__":
        sys.exit(run_with_page("match_speed", "Matching speed", main))

:func:`run_with_page` runs ``main`` with its standard output copied, then
writes ``docs/benchmarks/<name>.md``: the commit, the date, the machine (CPU,
cores, memory, load), the exact command, the table the script printed and
its exit status. The manual's benchmark section lists these pages, so a
figure is never separated from where it was measured; nothing is hand-copied.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import platform
import shlex
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ROOT / "docs" / "benchmarks"


class _Tee(io.TextIOBase):
    """Write to the real stream and keep a copy."""

    def __init__(self, stream: io.TextIOBase) -> None:
        self.stream, self.copy = stream, io.StringIO()

    def write(self, text: str) -> int:
        self.copy.write(text)
        return self.stream.write(text)

    def flush(self) -> None:
        self.stream.flush()


def commit() -> str:
    """The checkout's commit (with ``+changes`` when the tree is not clean), or "unknown"
    (:func:`analyzer._version.code_revision`, the rule reports and batch summaries use)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from analyzer._version import code_revision

    code = code_revision()
    return code.commit[:12] + ("+changes" if code.dirty else "") if code.commit else "unknown"


def machine() -> str:
    """CPU model, cores, memory and load: what a timing depends on."""
    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError, ValueError, IndexError):
        kib = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB"
    load = ""
    with contextlib.suppress(OSError):
        load = ", load {:.1f} {:.1f} {:.1f}".format(*os.getloadavg())
    return f"{cpu}, {os.cpu_count()} cores{memory}{load}; {platform.system()} {platform.release()}"


def page_text(name: str, title: str, command: str, output: str, status: int,
              when: dt.datetime, rev: str, host: str) -> str:
    """The Markdown of one benchmark's page."""
    return "\n".join([
        f"# {title}", "",
        f"Written by `benchmarks/{name}.py` itself; run it again to replace this page.", "",
        "| | |", "| --- | --- |",
        f"| commit | `{rev}` |",
        f"| date | {when.isoformat(timespec='seconds')} |",
        f"| machine | {host} |",
        f"| command | `{command}` |",
        f"| exit status | {status} |", "",
        "```text", output.rstrip() or "(no output)", "```", ""])


def run_with_page(name: str, title: str, main: Callable[[], int | None],
                  folder: Path = PAGES) -> int:
    """Run a benchmark's ``main`` and write its page; return its exit status."""
    tee = _Tee(sys.stdout)  # type: ignore[arg-type]
    status: int = 0
    try:
        with contextlib.redirect_stdout(tee):
            result = main()
        status = int(result or 0)
    except SystemExit as exc:
        status = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    if {"-h", "--help"} & set(sys.argv[1:]):
        return status  # the usage is no measurement: keep the page
    command = " ".join(shlex.quote(a) for a in [f"benchmarks/{name}.py", *sys.argv[1:]])
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.md"
    path.write_text(page_text(name, title, command, tee.copy.getvalue(), status,
                              dt.datetime.now(dt.UTC).astimezone(), commit(), machine()),
                    encoding="utf-8")
    print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}",
          file=sys.stderr)
    return status
