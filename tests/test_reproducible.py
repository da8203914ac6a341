"""A recording's words do not depend on what else the batch holds.

The bundled counter visit is analysed alone, then inside two different
batches (other recordings before and after it, in another order, by the
same worker's next call and by a worker with another encoder batch size): its utterances (who, when, what) must be the same
every time. This is the promise ``pack.share = "recording"`` (the default)
makes to auditors: one recording's speech shares a 30 s bin only with its
own, and nothing about its neighbours (their bins in the same encoder and
decoder batch, the scheduling of the worker's threads) reaches its words.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.batch.jobs import Job, JobResult
from analyzer.batch.worker import AudioWorker
from analyzer.options import AnalyzerOptions
from analyzer.speech.meta import CallMeta

ROOT = Path(__file__).resolve().parent.parent
VISIT = ROOT / "examples" / "recordings" / "counter-visit.ogg"
CALL = ROOT / "examples" / "recordings" / "phone-call.ogg"
OPTIONS = AnalyzerOptions().with_overrides({"classifier.enabled": False})

Said = list[tuple[str, float, float, str]]


def _words(worker: AudioWorker, paths: list[Path]) -> dict[str, Said]:
    """Each recording's utterances, from ``worker`` given ``paths`` as one batch."""
    jobs = [Job(n, str(p), CallMeta()) for n, p in enumerate(paths)]
    out: dict[str, Said] = {}
    for outcome in worker.run(jobs):
        assert isinstance(outcome, JobResult), outcome
        out[outcome.job.path] = [(u.speaker, round(u.start, 2), round(u.end, 2), u.text)
                                 for u in outcome.result.interaction.utterances]
    return out


def _others(tmp_path: Path) -> list[Path]:
    """Two more recordings of other speech to share the batch with."""
    return pytest.importorskip("audio_factory").other_recordings(tmp_path)


@pytest.mark.slow
def test_a_recordings_words_are_the_same_alone_and_in_any_batch(tmp_path: Path) -> None:
    others = _others(tmp_path)
    worker = AudioWorker(OPTIONS, threads=1, inflight=6)
    alone = _words(worker, [VISIT])[str(VISIT)]
    assert any(text for _, _, _, text in alone), "the visit must have words to compare"
    # the same worker again (a Ray actor's next chunk): its recognizer must serve again
    first = _words(worker, [others[0], VISIT, CALL])
    narrow = replace(OPTIONS, pack=replace(OPTIONS.pack, batch_size=2))
    second = _words(AudioWorker(narrow, threads=1, inflight=3),
                    [CALL, others[1], others[0], VISIT])
    assert first[str(VISIT)] == alone
    assert second[str(VISIT)] == alone
    assert first[str(CALL)] == second[str(CALL)]
