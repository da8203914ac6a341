"""The hall server's deployment examples (deploy/) are real: units verify, commands parse, backups restore."""

from __future__ import annotations

import shlex
import shutil
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from analyzer.cli import main

ROOT = Path(__file__).resolve().parent.parent
UNITS = sorted((ROOT / "deploy" / "systemd").glob("conduct-*"))
INSTALLED = "/opt/conduct/venv/bin/conduct"


def exec_starts() -> list[tuple[str, list[str]]]:
    """(unit, conduct arguments) of every ExecStart in the units."""
    out = []
    for unit in UNITS:
        for line in unit.read_text(encoding="utf-8").splitlines():
            if line.startswith("ExecStart="):
                argv = shlex.split(line.removeprefix("ExecStart="))
                assert argv[0] == INSTALLED, unit.name
                out.append((unit.name, argv[1:]))
    return out


@pytest.mark.parametrize("unit,args", exec_starts(), ids=[u for u, _ in exec_starts()])
def test_every_unit_runs_a_command_the_cli_accepts(unit: str, args: list[str]) -> None:
    """Each ExecStart parses against the real click commands (options exist, values valid)."""
    ctx = main.make_context("conduct", list(args), resilient_parsing=False)
    with ctx:
        name, command, rest = main.resolve_command(ctx, ctx.protected_args + ctx.args)
        assert command is not None, unit
        try:  # paths of the hall server need not exist here: only their spelling is checked
            command.make_context(name, rest, parent=ctx)
        except click.BadParameter as exc:
            assert "does not exist" in str(exc), f"{unit}: {exc}"


def test_the_review_app_follows_the_listeners_monitor_door() -> None:
    """The Live page reads the listener's monitor door (its own address), with a token."""
    args = dict(exec_starts())
    listen, review = args["conduct-listen.service"], args["conduct-review.service"]
    monitor = listen[listen.index("--monitor") + 1]
    assert review[review.index("--live") + 1] == f"ws://{monitor}"
    assert "--tokens" in listen and "--live-token-file" in review


def test_units_pair_with_their_timers() -> None:
    names = {u.name for u in UNITS}
    for timer in (u for u in UNITS if u.suffix == ".timer"):
        assert timer.with_suffix(".service").name in names
        assert "OnCalendar=" in timer.read_text(encoding="utf-8")


@pytest.mark.system
@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze absent")
def test_systemd_verifies_the_units(tmp_path: Path) -> None:
    """``systemd-analyze verify``: no error and no warning, with the CLI path of this venv."""
    conduct = Path(sys.executable).with_name("conduct")
    for unit in UNITS:
        text = unit.read_text(encoding="utf-8").replace(INSTALLED, str(conduct))
        (tmp_path / unit.name).write_text(text, encoding="utf-8")
    done = subprocess.run(["systemd-analyze", "verify", "--man=no",
                           *sorted(str(p) for p in tmp_path.iterdir())],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr


@pytest.mark.system
@pytest.mark.skipif(shutil.which("nginx") is None, reason="nginx absent")
def test_nginx_accepts_the_proxy_config(tmp_path: Path) -> None:
    conf = tmp_path / "nginx.conf"
    site = (ROOT / "deploy" / "nginx" / "conduct-review.conf").read_text(encoding="utf-8")
    site = site.replace("listen 443 ssl;", "listen 8443;").replace("ssl_", "# ssl_")
    conf.write_text(f"events {{}}\nhttp {{\n{site}\n}}\n", encoding="utf-8")
    done = subprocess.run(["nginx", "-t", "-c", str(conf), "-p", str(tmp_path)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_backup_copies_a_database_in_use(tmp_path: Path) -> None:
    """The online backup is consistent while another connection writes; pruning keeps N."""
    from analyzer.store import Store

    db = tmp_path / "results.sqlite"
    Store(db).close()
    writer = sqlite3.connect(db, check_same_thread=False)
    writer.execute("CREATE TABLE IF NOT EXISTS scratch (n INTEGER)")
    writer.commit()
    stop = threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            writer.execute("INSERT INTO scratch VALUES (?)", (n,))
            writer.commit()
            n += 1

    thread = threading.Thread(target=write)
    thread.start()
    folder = tmp_path / "backups"
    folder.mkdir()
    runner = CliRunner()
    try:
        made = [runner.invoke(main, ["backup", "--db", str(db), "-o", str(folder / f"c{i}.sqlite")])
                for i in range(3)]
    finally:
        stop.set()
        thread.join()
        writer.close()
    assert all(r.exit_code == 0 for r in made), [r.output for r in made]
    for i in range(3):
        copy = sqlite3.connect(folder / f"c{i}.sqlite")
        assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert copy.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 0
        copy.close()
    for name in ("results-20261101-010000.sqlite", "results-20261102-010000.sqlite"):
        shutil.copy(folder / "c0.sqlite", folder / name)
    dated = runner.invoke(main, ["backup", "--db", str(db), "-o", str(folder), "--keep", "2"])
    assert dated.exit_code == 0, dated.output
    kept = sorted(p.name for p in folder.glob("results-*.sqlite"))
    assert len(kept) == 2 and "results-20261101-010000.sqlite" not in kept
    refused = runner.invoke(main, ["backup", "--db", str(db), "-o", str(db)])
    assert refused.exit_code == 2 and "overwrite" in refused.output


def test_serve_says_what_is_off() -> None:
    from analyzer.cli.serve import startup_notes
    from analyzer.i18n import language

    notes = startup_notes("127.0.0.1", 8000, Path("r.sqlite"), None, "")
    assert any("--recordings-root" in n and "录音" in n for n in notes)
    assert any("--live" in n and "实时" in n for n in notes)
    with language("en"):
        notes = startup_notes("127.0.0.1", 8000, Path("r.sqlite"), Path("/srv/rec"),
                              "ws://127.0.0.1:8765")
    assert "audio is served from /srv/rec" in notes and not any("off" in n for n in notes)
