"""A finished live call, kept as the batch would keep it.

The call's audio is written as a 16-bit WAV with its sidecar (``id``,
``channel``, ``hall``, ``window``, ``staff``, ``started_at``) into the
listener's recordings folder, and its result goes into the results database
through :func:`analyzer.persist.persist`, as the batch stores a recording:
under the analysis key of that WAV file's content hash, the recognizer's
identity (:func:`analyzer.pipeline.model_identity`) and the lexicon version.
The review app shows it like any other interaction, and the nightly batch,
meeting the WAV, finds its key stored and does not analyse it again. A call
in which no speech was recognised is kept as the batch keeps such a
recording: its WAV, and a keyed error row.
"""

from __future__ import annotations

import json
import wave
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from analyzer.errors import AnalyzerError, StoreError
from analyzer.options import AnalyzerOptions
from analyzer.pipeline.result import AnalysisKey, AnalysisResult
from analyzer.stream.line import LineHeader


@dataclass(frozen=True)
class StoredCall:
    """Where a finished call went: its row in the results database and its recording.

    Attributes:
        pk: The interaction's row, or the error row's when it could not be analysed.
        recording: The WAV file.
        failed: True when ``pk`` is an error row.
    """

    pk: int
    recording: Path
    failed: bool = False


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
               options: AnalyzerOptions, outcome: AnalysisResult | AnalyzerError) -> StoredCall:
    """Keep a finished call: its recording, then its result (or failure) under the batch's key.

    Args:
        db: The results database.
        folder: Where the call's recording goes.
        header: The line's header.
        samples: The call's audio as it came (interleaved int16).
        options: The options it was analysed with.
        outcome: What the stream's close gave: the core's result, or why there is none.

    Raises:
        StoreError: The database refused it.
    """
    from analyzer.persist import input_at_fault, persist, persist_failure
    from analyzer.pipeline import get_lexicon, model_identity
    from analyzer.store import Store, content_hash_of_file

    path = write_recording(folder, header, samples)
    lexicon = get_lexicon(options)
    key = AnalysisKey(content_hash_of_file(path), model_identity(options), lexicon.version)
    with Store(db) as store:
        if isinstance(outcome, AnalyzerError):
            if isinstance(outcome, StoreError):
                raise outcome
            pk = persist_failure(store, str(path), str(outcome), type(outcome).__name__,
                                 key=key if input_at_fault(outcome) else None)
            return StoredCall(pk, path, failed=True)
        pk = persist(store, replace(outcome, key=key, path=str(path)), lexicon=lexicon)
    return StoredCall(pk, path)
