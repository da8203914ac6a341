"""A finished live call, kept as the batch would keep it.

The call's audio, spooled to disk as it arrived (:mod:`analyzer.stream.spool`),
becomes a 16-bit WAV with its sidecar (``id``, ``channel``, ``hall``,
``window``, ``staff``, ``started_at``, ``meta.line_source``) in the listener's
recordings folder — converted a block at a time, never held whole in memory
— and its result goes into the results database through
:func:`analyzer.persist.persist`, as the batch stores a recording: under the
interaction of that WAV's content with the call's id and start time
(:func:`analyzer.pipeline.identity_of`; another call with identical audio is
another interaction), under the analysis key of that identity, the
recognizer's identity (:func:`analyzer.pipeline.model_identity`) and the
lexicon version. The review app shows it like any other interaction, and the
nightly batch, meeting the WAV, finds its key stored and does not analyse it
again. A call in which no speech was recognised is kept as the batch keeps such a
recording: its WAV, and a keyed error row.

A recording never replaces a file: the first stem (``<call_id>``,
``<call_id>-2``...) for which neither the ``.wav`` nor the ``.json`` exists
is taken, both created exclusively.

:func:`recover` keeps the calls a killed listener left in its spool: each is
written out the same way and analysed as the recording it now is (the file
path, :func:`analyzer.pipeline.analyze_recording_file`), then stored.
"""

from __future__ import annotations

import json
import logging
import os
import wave
from dataclasses import dataclass, replace
from pathlib import Path

from analyzer.errors import AnalyzerError, StoreError
from analyzer.options import AnalyzerOptions
from analyzer.pipeline.result import AnalysisKey, AnalysisResult
from analyzer.stream.line import FrameDecoder, LineHeader
from analyzer.stream.spool import Spooled

logger = logging.getLogger("analyzer")

#: Bytes of spooled audio converted at a time.
BLOCK_BYTES = 1 << 20


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


def _claim(folder: Path, call_id: str) -> tuple[Path, int]:
    """A recording path whose ``.wav`` and ``.json`` are both new, and the open WAV's fd."""
    n = 1
    while True:
        stem = call_id if n == 1 else f"{call_id}-{n}"
        wav, sidecar = folder / f"{stem}.wav", folder / f"{stem}.json"
        n += 1
        if sidecar.exists():
            continue  # another recording's sidecar, or a typed transcript: never replaced
        try:
            fd = os.open(wav, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            continue
        return wav, fd


def write_recording(folder: Path, header: LineHeader, raw: Path, source: str = "") -> Path:
    """Write a spooled call as a 16-bit WAV with its sidecar; return the WAV's path.

    Args:
        folder: The recordings folder.
        header: The line's header.
        raw: The spooled audio, in the header's encoding.
        source: Who sent the line (kept in the sidecar as ``meta.line_source``).
    """
    folder.mkdir(parents=True, exist_ok=True)
    path, fd = _claim(folder, header.call_id)
    decoder = FrameDecoder(header)
    try:
        with os.fdopen(fd, "wb") as out, wave.open(out, "wb") as w, raw.open("rb") as src:
            w.setnchannels(header.channels)
            w.setsampwidth(2)
            w.setframerate(header.sample_rate)
            while block := src.read(BLOCK_BYTES):
                w.writeframes(decoder.decode(block).astype("<i2").tobytes())
        sidecar: dict[str, object] = {"id": header.call_id, "channel": header.channel, "hall": header.hall,
                   "window": header.window, "staff": header.staff}
        if header.started_at:
            sidecar["started_at"] = header.started_at
        if header.stereo_speakers:
            sidecar["stereo_speakers"] = list(header.stereo_speakers)
        if source:
            sidecar["meta"] = {"line_source": source}  # the hall's own fields: under meta
        with path.with_suffix(".json").open("x", encoding="utf-8") as meta:
            json.dump(sidecar, meta, ensure_ascii=False)
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    return path


def store_call(db: Path, folder: Path, spooled: Spooled, options: AnalyzerOptions,
               outcome: AnalysisResult | AnalyzerError) -> StoredCall:
    """Keep a finished call: its recording, then its result (or failure) under the batch's key.

    Args:
        db: The results database.
        folder: Where the call's recording goes.
        spooled: The call's spooled header and audio.
        options: The options it was analysed with.
        outcome: What the stream's close gave: the core's result, or why there is none.

    Raises:
        StoreError: The database refused it.
        OSError: The recording could not be written.
    """
    path = write_recording(folder, spooled.header, spooled.raw, spooled.source)
    return _keep(db, path, spooled.header, options, outcome)


def _keep(db: Path, path: Path, header: LineHeader, options: AnalyzerOptions,
          outcome: AnalysisResult | AnalyzerError) -> StoredCall:
    from analyzer.persist import input_at_fault, persist, persist_failure
    from analyzer.pipeline import get_lexicon, identity_of, model_identity
    from analyzer.store import Store, content_hash_of_file

    lexicon = get_lexicon(options)
    digest = content_hash_of_file(path)
    # the call's own identity: its id and start time (as the WAV's sidecar says them, so
    # the nightly batch meeting the WAV finds it stored); identical audio is another call
    key = AnalysisKey(digest, model_identity(options), lexicon.version,
                      identity_of(digest, header.call_id, header.started_at))
    with Store(db) as store:
        if isinstance(outcome, AnalyzerError):
            if isinstance(outcome, StoreError):
                raise outcome
            pk = persist_failure(store, str(path), str(outcome), type(outcome).__name__,
                                 key=key if input_at_fault(outcome) else None)
            return StoredCall(pk, path, failed=True)
        pk = persist(store, replace(outcome, key=key, path=str(path)), lexicon=lexicon)
    return StoredCall(pk, path)


def recover(spooled: Spooled, db: Path | None, folder: Path, options: AnalyzerOptions
            ) -> StoredCall | Path:
    """Keep a call a killed listener left in its spool: its recording, then (with a
    database) its analysis as that recording, stored; the spool files go.

    Returns:
        Where it was stored, or the recording alone when there is no database.

    Raises:
        StoreError: The database refused it (the recording stays in ``folder``,
            where the nightly batch meets it).
        OSError: The recording could not be written (the spool files stay for
            the next start).
    """
    from analyzer.pipeline import analyze_recording_file, get_lexicon

    path = write_recording(folder, spooled.header, spooled.raw, spooled.source)
    for part in spooled.files:
        part.unlink(missing_ok=True)
    if db is None:
        return path
    outcome: AnalysisResult | AnalyzerError
    try:
        outcome = analyze_recording_file(path, options, lexicon=get_lexicon(options))
    except AnalyzerError as exc:
        outcome = exc
    return _keep(db, path, spooled.header, options, outcome)
