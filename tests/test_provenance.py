"""Runs record the code: the version, and the git commit (with a dirty flag) of a checkout."""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from analyzer._version import __version__, code_revision
from analyzer.batch.runner import run_batch
from analyzer.options import AnalyzerOptions
from analyzer.pipeline import analyze
from analyzer.store import Filter, Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
OPTIONS = AnalyzerOptions().with_overrides({"classifier.enabled": False})


def _git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True,
                          check=True).stdout.strip()


def _in_checkout() -> bool:
    if shutil.which("git") is None:
        return False
    try:
        _git("ls-files", "--error-unmatch", "analyzer/__init__.py")
    except subprocess.CalledProcessError:
        return False
    import analyzer

    return Path(analyzer.__file__).resolve().is_relative_to(ROOT)


checkout = pytest.mark.skipif(not _in_checkout(), reason="needs the source tree's git checkout")


@checkout
def test_a_checkout_reports_its_commit_and_whether_tracked_files_changed() -> None:
    code = code_revision()
    assert code.version == __version__
    assert code.commit == _git("rev-parse", "HEAD")
    assert code.dirty == bool(_git("status", "--porcelain", "--untracked-files=no"))
    assert code.commit[:12] in code.label()


def test_a_package_not_tracked_by_the_checkout_around_it_reports_no_commit(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A wheel installed in a virtual environment inside some checkout is not its code."""
    if shutil.which("git") is None:
        pytest.skip("needs git")
    _git("init", "-q", str(tmp_path), cwd=tmp_path)
    package = tmp_path / "venv" / "site-packages" / "analyzer"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("")
    shutil.copy(ROOT / "analyzer" / "_version.py", package / "_version.py")
    spec = importlib.util.spec_from_file_location("wheel_version", package / "_version.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, "wheel_version", module)  # (a dataclass needs it)
    spec.loader.exec_module(module)
    assert module.code_revision().commit == ""  # untracked: no commit
    _git("add", "venv/site-packages/analyzer/__init__.py", cwd=tmp_path)
    _git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "x", cwd=tmp_path)
    module.code_revision.cache_clear()
    tracked = module.code_revision()
    assert tracked.commit == _git("rev-parse", "HEAD", cwd=tmp_path)
    assert not tracked.dirty  # untracked files (here _version.py) do not count
    (package / "__init__.py").write_text("# changed\n")
    module.code_revision.cache_clear()
    assert module.code_revision().dirty


def test_the_batch_summary_and_every_report_name_the_code(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    example = sorted(EXAMPLES.glob("*.json"))[0]
    shutil.copy(example, folder / example.name)
    db = tmp_path / "r.sqlite"
    summary = run_batch(folder, db, OPTIONS)
    code = code_revision()
    assert (summary.version, summary.commit, summary.dirty) == (code.version, code.commit,
                                                                 code.dirty)
    assert f"conduct {code.label()}" in summary.text()
    with Store(db) as store:
        stats = store.runs()[0]["stats"]
        assert (stats["version"], stats["commit"], stats["dirty"]) == (
            code.version, code.commit, code.dirty)
        pk = store.interactions(Filter())[0]["id"]
        stored = store.report(pk).to_dict()["analyzer"]
    single = json.loads(json.dumps(analyze(example, OPTIONS).to_dict()))["analyzer"]
    for block in (stored, single):
        assert block["version"] == code.version
        assert block.get("commit", "") == code.commit
        assert block.get("dirty", False) == code.dirty
