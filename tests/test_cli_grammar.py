"""One command-line grammar: -o/--output and --format everywhere, old spellings warned, no
silent runs, progress as whole lines off a terminal, one spelling of "analyze"."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from analyzer.batch.runner import LineProgress
from analyzer.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "counter-forbidden.json"


def _commands() -> list[tuple[str, click.Command]]:
    ctx = click.Context(main)
    out = []
    for name in main.list_commands(ctx):
        command = main.get_command(ctx, name)
        assert command is not None
        out.append((name, command))
        if isinstance(command, click.Group):
            out += [(f"{name} {sub}", c) for sub, c in command.commands.items()]
    return out


def test_every_command_writes_with_output_and_chooses_with_format() -> None:
    writers = {"analyze", "batch", "report", "errors", "examples export", "backup"}
    for name, command in _commands():
        flags = {f for p in command.params for f in getattr(p, "opts", [])}
        if name in writers:
            assert {"-o", "--output"} <= flags, name
        if any(p.name == "fmt" for p in command.params):
            assert "--format" in flags, name
        assert "--lang" in flags, name  # every command speaks the chosen language
        assert not {"--out", "--json"} & {f for p in command.params
                                          if not getattr(p, "hidden", False)
                                          for f in getattr(p, "opts", [])}, name


def test_help_spells_analyze_one_way() -> None:
    runner = CliRunner()
    for name, _command in _commands():
        text = runner.invoke(main, [*name.split(), "--help", "--lang", "en"]).output
        assert text.startswith("Usage:"), name  # the English source, where the spelling lives
        assert not re.search(r"\b[Aa]nalys(e|ed|es|ing)\b", text), name


def test_old_spellings_work_for_one_release_with_a_warning(tmp_path: Path) -> None:
    runner = CliRunner()
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a.json").write_text(EXAMPLE.read_text(encoding="utf-8"), encoding="utf-8")
    old = runner.invoke(main, ["batch", str(folder), "--db", str(tmp_path / "r.sqlite"),
                               "--json", "--no-progress"])
    assert old.exit_code == 0, old.output
    assert "deprecated" in old.stderr and "--format json" in old.stderr
    assert json.loads(old.stdout.strip().splitlines()[-1])["files"] == 1
    new = runner.invoke(main, ["batch", str(folder), "--db", str(tmp_path / "r.sqlite"),
                               "--format", "json", "--no-progress", "-o",
                               str(tmp_path / "summary.json")])
    assert new.exit_code == 0 and "deprecated" not in new.stderr
    assert json.loads((tmp_path / "summary.json").read_text())["skipped"] == 1


def test_a_batch_that_finds_no_input_says_so_and_fails(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "notes.txt").write_text("no recording here", encoding="utf-8")
    result = CliRunner().invoke(main, ["batch", str(empty), "--db", str(tmp_path / "r.sqlite"),
                                       "--no-progress"])
    assert result.exit_code == 1
    assert "no input found" in result.stderr and str(empty) in result.stderr


def test_progress_off_a_terminal_is_whole_lines() -> None:
    lines: list[str] = []
    now = [0.0]
    bar = LineProgress(40, "batch", clock=lambda: now[0], write=lines.append)
    for _ in range(40):
        now[0] += 1.0
        bar.update()
    bar.set_postfix_str("2 errors")
    bar.close()
    assert len(lines) == 10  # every 10 % of the work
    assert lines[0] == "batch: 4/40 items (10%), 0:00:04"
    assert lines[-1].startswith("batch: 40/40 items (100%)")
    slow = LineProgress(1000, "batch", clock=lambda: now[0], write=lines.append, seconds=60)
    now[0] += 61
    slow.update()
    assert lines[-1] == "batch: 1/1000 items (0%), 0:01:01"  # and at least once a minute
    assert not any("\r" in line for line in lines)


def test_the_red_and_black_list_is_a_table_in_the_terminal(tmp_path: Path) -> None:
    from analyzer.store import Store

    db = tmp_path / "r.sqlite"
    Store(db).close()
    runner = CliRunner()
    text = runner.invoke(main, ["report", "--db", str(db), "--month", "2026-11"])
    assert text.exit_code == 0, text.output
    assert "红榜 · 最佳" in text.output and "<html" not in text.output
    also = runner.invoke(main, ["report", "--db", str(db), "--month", "2026-11",
                                "--format", "text"])
    assert also.output == text.output
    html = runner.invoke(main, ["report", "--db", str(db), "--month", "2026-11", "-o",
                                str(tmp_path / "list.html")])
    assert html.exit_code == 0 and "<html" in (tmp_path / "list.html").read_text("utf-8")


@pytest.mark.parametrize("args", [["examples", "export", "--db", "x.sqlite"]])
def test_a_missing_output_is_a_usage_error(tmp_path: Path, args: list[str]) -> None:
    from analyzer.store import Store

    Store(tmp_path / "x.sqlite").close()
    args = [a if a != "x.sqlite" else str(tmp_path / "x.sqlite") for a in args]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "-o/--output" in result.output
