"""A finished live call, kept as the batch would keep it.

The call's audio is written as a 16-bit WAV with its sidecar (``id``,
``channel``, ``hall``, ``window``, ``staff``, ``started_at``) into the
listener's recordings folder, and its report goes into the results
database under the batch's key rules: the content hash of that WAV file,
and :func:`analyzer.store.analysis_key` of (hash, the recognizer's
:func:`analyzer.batch.runner.model_identity`, lexicon version). The review
app shows it like any other interaction, and the nightly batch, meeting the
WAV, finds its key stored and does not analyse it again.
"""

from __future__ import annotations

import json
import wave
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analyzer.errors import StoreError
from analyzer.stream.line import LineHeader
from analyzer.stream.live import StreamAnalyzer


@dataclass(frozen=True)
class StoredCall:
    """Where a finished call went: its row in the results database and its recording."""

    pk: int
    recording: Path


def write_recording(folder: Path, header: LineHeader, samples: np.ndarray) -> Path:
    """Write the call's interleaved int16 ``samples`` and its sidecar; return the WAV's path.

    A call id met before gets ``-2``, ``-3``... so no recording is overwritten.
    """
    folder.mkdir(parents=True, exist_ok=True)
    path, n = folder / f"{header.call_id}.wav", 1
    while path.exists():
        n += 1
        path = folder / f"{header.call_id}-{n}.wav"
    with wave.open(str(path), "wb") as w:
        w.setnchannels(header.channels)
        w.setsampwidth(2)
        w.setframerate(header.sample_rate)
        w.writeframes(np.asarray(samples, dtype="<i2").tobytes())
    sidecar = {"id": header.call_id, "channel": header.channel, "hall": header.hall,
               "window": header.window, "staff": header.staff}
    if header.started_at:
        sidecar["started_at"] = header.started_at
    path.with_suffix(".json").write_text(json.dumps(sidecar, ensure_ascii=False),
                                         encoding="utf-8")
    return path


def store_call(db: Path, folder: Path, header: LineHeader, samples: np.ndarray,
               analyzer: StreamAnalyzer) -> StoredCall:
    """Keep a closed stream's call: its recording, then its report under the batch's key.

    Raises:
        StoreError: The stream was not closed, or the database refused the report.
    """
    from analyzer.batch.jobs import AudioResults
    from analyzer.batch.runner import model_identity
    from analyzer.store import Store, analysis_key, content_hash_of_file
    from analyzer.training.examples import candidates

    if analyzer.report is None or analyzer.interaction is None:
        raise StoreError("the call's stream is not closed", source=header.call_id)
    path = write_recording(folder, header, samples)
    digest = content_hash_of_file(path)
    model = model_identity(analyzer.options)
    version = analyzer.lexicon.version
    audio = AudioResults(ring=analyzer.ring, findings=analyzer.audio_findings,
                         asr_info=analyzer.asr_info)
    with Store(db) as store:
        pk = store.save_report(analyzer.report, run_id=None, content_hash=digest,
                               path=str(path), key=analysis_key(digest, model, version),
                               interaction=analyzer.interaction, audio=audio.to_dict(),
                               model=model, lexicon_version=version,
                               examples=candidates(analyzer.report, analyzer.lexicon))
    return StoredCall(pk, path)
