"""The Ray executor against a real local Ray instance (two CPUs, two actors)."""

from __future__ import annotations

import os
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


def test_shipped_recordings_land_with_their_time_and_come_back_under_the_drivers_path(
        tmp_path: Path) -> None:
    """``--ship-audio``: the actor analyses a private copy; outcomes name the driver's path."""
    from dataclasses import replace

    from analyzer.batch.executor import ShippedJob, _at_origin, _landed, _shipped
    from analyzer.batch.jobs import Job, JobFailed, JobResult, WorkerError
    from analyzer.pipeline.result import AnalysisResult
    from analyzer.types import Interaction, InteractionReport

    original = tmp_path / "driver" / "visit.wav"
    original.parent.mkdir()
    original.write_bytes(b"RIFF-bytes-of-a-recording")
    os.utime(original, (1_700_000_000, 1_700_000_000))
    job = Job(7, str(original))
    sent = _shipped(job)
    assert sent.data == original.read_bytes() and sent.mtime == 1_700_000_000
    here = _landed(sent, tmp_path / "actor" / "0")
    assert here.path != job.path and Path(here.path).name == "visit.wav"
    assert Path(here.path).read_bytes() == sent.data
    assert Path(here.path).stat().st_mtime == 1_700_000_000  # a start time may come from it
    assert _landed(job, tmp_path / "unused") is job  # a path job runs where it is
    unreadable = _shipped(Job(8, str(tmp_path / "gone.wav")))
    assert _landed(unreadable, tmp_path / "actor" / "1").path == str(tmp_path / "gone.wav")

    failed = _at_origin(JobFailed(here, WorkerError("AudioError", f"{here.path}: truncated")),
                        [sent])
    assert isinstance(failed, JobFailed)
    assert failed.job == job and failed.error.message == f"{job.path}: truncated"
    report = InteractionReport("visit", "counter", 100, "A", [], source=here.path)
    result = AnalysisResult(report, Interaction("visit", "counter", [], source=here.path),
                            path=here.path)
    back = _at_origin(JobResult(here, result), [sent])
    assert isinstance(back, JobResult)
    assert back.job == job and back.result.path == job.path
    assert back.result.interaction.source == back.result.report.source == job.path
    assert _at_origin(JobResult(job, replace(result, path=job.path)), [job]).job is job
    assert isinstance(sent, ShippedJob)


def test_an_actor_of_a_two_model_day_switches_model_in_process_kind_by_kind(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """Float32 phone lines beside int8 counters on Ray: one set of actors; an actor
    holds one model at a time, the kind it holds first, and lets it go before the next
    loads (as a local worker does); its timings cover every model it held."""
    from analyzer.batch import executor
    from analyzer.batch.jobs import Job, JobFailed, WorkerError

    made: list[tuple[str, int]] = []
    released: list[int] = []

    class Worker:
        def __init__(self, options: AnalyzerOptions, *, threads: int, inflight: int,
                     compute_type: str, arenas: int = 0) -> None:
            self.kind = compute_type
            self.timings = {"decoder": 1.0, "n_models_held": 1.0}
            made.append((compute_type, inflight))

        def run(self, jobs: list[Job]) -> list[JobFailed]:
            return [JobFailed(job, WorkerError("heard", self.kind)) for job in jobs]

    monkeypatch.setattr(executor, "AudioWorker", Worker)
    monkeypatch.setattr(executor, "let_models_go", lambda: released.append(len(made)))
    actor = executor.AudioActor(OPTIONS, 1, 6, "", ("int8_float32", "float32"))
    counter, call = Job(0, "/day/counter.wav"), Job(1, "/day/call.wav", compute_type="float32")
    first = actor.process([counter])
    second = actor.process([call, Job(2, "/day/counter-2.wav")])  # held kind first
    third = actor.process([Job(3, "/day/call-2.wav", compute_type="float32")])
    assert [o.error.message for o in first + second + third] == [
        "int8_float32", "int8_float32", "float32", "float32"]
    assert [o.job.job for o in second] == [2, 1]
    # one switch, the int8 model let go before the float32 one loads (2 recordings at once)
    assert made == [("int8_float32", 6), ("float32", 2)] and released == [1]
    assert actor.timings() == {"decoder": 2.0, "n_models_held": 1.0}  # both models'
