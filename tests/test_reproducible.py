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


@pytest.mark.slow
def test_a_bins_decoding_is_bit_identical_alone_and_beside_other_bins() -> None:
    """The recognizer itself, without the worker's scheduling: each 30 s bin of
    both bundled recordings is encoded and decoded alone, then inside batches of
    other bins (sizes 2-4, other orders, another recording's bins), and again
    in the same batch. Its tokens and beam scores must be bit for bit the same:
    CTranslate2's batched encoder and beam search must not let a row's result
    depend on the other rows (their lengths, padding, GEMM shapes)."""
    import numpy as np

    from analyzer.speech.asr import get_model
    from analyzer.speech.decode import decode_audio
    from analyzer.speech.packing import Bin, PackedRecognizer, Packer, bin_features, vad_pieces

    asr = replace(OPTIONS.asr, cpu_threads=1)
    recognizer = PackedRecognizer(get_model(asr), asr, {})
    recognizer.nbest = 3  # as with the verifier on (the default): beam, three hypotheses
    bins: list[Bin] = []
    for job, path in enumerate((VISIT, CALL)):
        audio = decode_audio(path)
        packer = Packer(4, pieces_per_window=3, share="recording")  # more, shorter bins
        pieces = sorted((p for track, channel in enumerate(audio.samples)
                         for p in vad_pieces(np.ascontiguousarray(channel), job, track, asr)),
                        key=lambda p: p.start)
        for piece in pieces:
            bins += packer.add(piece)
        bins += packer.close(job)
        bins += [b for batch in packer.flush() for b in batch]
    bins = bins[:3] + bins[-2:]  # five bins of both recordings: encoder time stays short
    assert len(bins) >= 4, "the two recordings must give bins to mix"

    def decode(rows: list[int]) -> list[tuple[list[list[int]], list[float]]]:
        encoded = recognizer._encode(bin_features(recognizer.model.feature_extractor,
                                                  [bins[i] for i in rows]))
        return [(r.sequences_ids, r.scores) for r in
                recognizer._first_decoding(encoded, [bins[i].skip for i in rows])]

    alone = [decode([i])[0] for i in range(len(bins))]
    assert any(seq[0] for seq, _ in alone), "the bins must have words to compare"
    n = len(bins)
    mixes = [list(range(n))[:4], list(range(n))[::-1][:4], [n - 1, 0], [1, n - 1, 0]]
    for rows in mixes + [mixes[0]]:
        for i, got in zip(rows, decode(rows), strict=True):
            assert got == alone[i], (i, rows)


def test_a_short_windows_length_is_its_own() -> None:
    """``pack.min_window_seconds`` under 30: a window is encoded at its own audio's length
    (plus silence, in 5 s steps, at least the minimum), whatever else is in its batch."""
    import numpy as np

    from analyzer.speech.packing import Bin, Piece, by_window, window_seconds

    def bin_of(seconds: float) -> Bin:
        b = Bin()
        b.add(Piece(0, 0, 0.0, np.zeros(int(seconds * 16000), dtype=np.float32)))
        return b

    short, middle, full = bin_of(4.2), bin_of(13.5), bin_of(28.0)
    assert [window_seconds(b, 30.0) for b in (short, middle, full)] == [30.0] * 3  # default
    assert [window_seconds(b, 10.0) for b in (short, middle, full)] == [10.0, 15.0, 30.0]
    assert window_seconds(short, 15.0) == 15.0
    assert window_seconds(bin_of(9.5), 5.0) == 15.0  # at least 1 s of silence after it
    # batches of one length each, every bin once, each length's bins in their order
    other = bin_of(3.0)
    assert by_window([short, full, other, middle], 10.0) == [[short, other], [full], [middle]]
    assert by_window([short, full], 30.0) == [[short, full]]
    # other words: transcribed again; full windows keep the identity they always had
    from analyzer.pipeline.result import model_identity

    shortened = OPTIONS.with_overrides({"pack.min_window_seconds": 10})
    assert model_identity(shortened) != model_identity(OPTIONS)


@pytest.mark.slow
def test_words_heard_in_short_windows_are_the_same_alone_and_in_any_batch(
        tmp_path: Path) -> None:
    others = _others(tmp_path)
    short = OPTIONS.with_overrides({"pack.min_window_seconds": 10})
    alone = _words(AudioWorker(short, threads=1, inflight=6), [VISIT])[str(VISIT)]
    assert any(text for _, _, _, text in alone)
    narrow = replace(short, pack=replace(short.pack, batch_size=2))
    mixed = _words(AudioWorker(narrow, threads=1, inflight=3), [CALL, others[0], VISIT])
    assert mixed[str(VISIT)] == alone
