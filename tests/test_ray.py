"""The Ray executor against a real local Ray instance (two CPUs, two actors)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from analyzer.batch.runner import run_batch
from analyzer.options import AnalyzerOptions
from analyzer.store import Store

ROOT = Path(__file__).resolve().parent.parent
OPTIONS = AnalyzerOptions().with_overrides({"classifier.enabled": False})


@pytest.mark.ray
@pytest.mark.slow
def test_ray_executor_actors_transcribe_driver_stores(tmp_path: Path) -> None:
    ray = pytest.importorskip("ray")
    af = pytest.importorskip("audio_factory")
    folder = tmp_path / "in"
    folder.mkdir()
    af.write_wav(folder / "visit.wav", af.conversation(
        [af.Turn("staff", 0.3, "您好，请问您要办理什么业务？"),
         af.Turn("citizen", 3.5, "我想补办社保卡。")], seconds=6.0))
    af.write_wav(folder / "quiet.wav", af.silence(3.0))
    (folder / "broken.wav").write_bytes(b"RIFF\x00\x00")
    shutil.copy(ROOT / "examples" / "counter-model.json", folder / "typed.json")
    db = tmp_path / "r.sqlite"
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        summary = run_batch(folder, db, OPTIONS, executor="ray", workers=2, threads=1)
        assert ray.is_initialized()  # the executor leaves a Ray it did not start running
    finally:
        ray.shutdown()
    assert summary.analysed == 2 and summary.errors == 2
    assert summary.audio_seconds == pytest.approx(6.0, abs=0.05)
    assert summary.timings.get("features+encoder", 0) > 0  # reported back by the actors
    with Store(db) as store:
        rows = {r["interaction_id"]: r for r in store.interactions()}
        assert set(rows) == {"visit", "counter-model"}
        assert store.utterances(rows["visit"]["id"])
        assert {e["path"].rsplit("/", 1)[-1] for e in store.errors()} == {"quiet.wav",
                                                                          "broken.wav"}
        run = store.runs()[0]
        assert run["engine"] == "RayExecutor" and run["status"] == "done"
