"""The README's front door: its set-up commands are what CI runs, its output is real."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
#: What fits a first screen (a laptop terminal or browser window, in lines).
FIRST_SCREEN = 45


def setup_section() -> str:
    return README.split("## Set-up (fresh machine)", 1)[1].split("\n## ", 1)[0]


def setup_commands() -> list[str]:
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", setup_section(), re.S)]


def shown_output() -> list[str]:
    (block,) = re.findall(r"```text\n(.*?)```", setup_section(), re.S)
    return block.rstrip("\n").split("\n")


def test_readme_has_the_install_and_both_test_commands_and_ci_runs_the_full_one():
    install_and_run, no_root, full = setup_commands()
    assert "conduct analyze examples/" in install_and_run
    assert "[all" not in install_and_run  # the main job needs the core only
    assert "sudo" not in no_root and ".ci/deps" not in no_root
    assert no_root.endswith('-m pytest -m "not system"')
    assert full.startswith("bash .ci/deps && ")  # system packages come with it
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert full in ci, "the README's test command is not the one .ci/run runs"
    assert any(line.startswith(".venv/bin/ruff check") for line in ci)
    assert any(line.startswith(".venv/bin/sphinx-build -W") for line in ci)
    assert "bash .ci/wheel" in ci


def test_the_first_screen_holds_what_it_is_and_both_commands():
    lines = README.split("\n")
    first = "\n".join(lines[:FIRST_SCREEN])
    for command in setup_commands():
        assert command in first, command
    assert "```text" in first and "inspectors" in first
    assert len(lines) <= 170, "the README is the front door; the manual is in docs/"


def test_readme_links_resolve():
    for target in re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", README):
        if not target.startswith("http"):
            assert (ROOT / target).exists(), target


@pytest.mark.slow
def test_the_output_shown_is_what_the_command_prints(monkeypatch):
    """The README's excerpt: its first lines and last line, as `conduct analyze` prints them."""
    from click.testing import CliRunner

    from analyzer.cli import main

    monkeypatch.chdir(ROOT)
    monkeypatch.delenv("CONDUCT_LANG", raising=False)
    command = setup_commands()[0].split(".venv/bin/conduct ", 1)[1].split()
    result = CliRunner().invoke(main, command)
    assert result.exit_code == 0, result.output
    printed = result.stdout.rstrip("\n").split("\n")
    shown = shown_output()
    cut = shown.index("…")
    assert printed[:cut] == shown[:cut]
    assert printed[len(printed) - (len(shown) - cut - 1):] == shown[cut + 1:]


def test_tests_that_need_shared_data_skip_with_a_reason_or_fail_in_ci(monkeypatch):
    from conftest import shared_path

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="absent here"):
        shared_path("no-such-folder")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-such-folder"):
        shared_path("no-such-folder")
