"""The README's two set-up commands are what CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def setup_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Set-up (fresh machine)", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_readme_has_two_setup_commands_and_ci_runs_the_test_one():
    install_and_run, run_tests = setup_commands()
    assert "conduct analyze examples/" in install_and_run
    assert "[all" not in install_and_run  # the main job needs the core only
    assert run_tests.startswith("bash .ci/deps && ")  # system packages come with it
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert run_tests in ci, "the README's test command is not the one .ci/run runs"
    assert any(line.startswith(".venv/bin/ruff check") for line in ci)
    assert "bash .ci/wheel" in ci


def test_tests_that_need_shared_data_skip_with_a_reason_or_fail_in_ci(monkeypatch):
    import pytest
    from conftest import shared_path

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="absent here"):
        shared_path("no-such-folder")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-such-folder"):
        shared_path("no-such-folder")
