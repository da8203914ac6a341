"""Keeping an analysis: one :class:`~analyzer.pipeline.result.AnalysisResult` into the store.

The batch driver and the live recorder (``conduct stream --listen --db``)
both keep their results with :func:`persist`, so a live call is stored
exactly as the nightly batch stores its recording: the report, the
interaction analysed (for re-scoring), what only the audio gave, the analysis
key (``analyzer.store.analysis_key`` of content hash, recognizer identity and
lexicon version) and the trainers' example candidates.
:func:`persist_failure` keeps an input that could not be analysed as an
error row, keyed when the input itself is at fault.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from analyzer.errors import (
    AnalyzerError,
    LexiconError,
    MissingDependencyError,
    ModelError,
    OptionError,
    StoreError,
)
from analyzer.pipeline.result import AnalysisKey, AnalysisResult

if TYPE_CHECKING:
    from analyzer.store import Store
    from analyzer.text.lexicon import Lexicon


def persist(store: Store, result: AnalysisResult, *, lexicon: Lexicon, run_id: int | None = None,
            timings: dict[str, float] | None = None) -> int:
    """Write one result in its own transaction; returns the interaction's row id.

    Args:
        store: The results database.
        result: What the core produced; its ``key`` must be set.
        lexicon: The lexicon it was analysed with (the trainers' examples are
            matched once, here).
        run_id: The batch run it belongs to (None: a live call).
        timings: Seconds spent are added under ``examples`` and ``database``
            (wall), and this thread's CPU seconds under ``cpu_examples`` and
            ``cpu_database``.

    Raises:
        StoreError: The result has no key, or the database refused it.
    """
    from analyzer.pipeline.result import identity_of
    from analyzer.store import analysis_key
    from analyzer.training.examples import candidates

    key = result.key
    if key is None:
        raise StoreError("an analysis without its key cannot be stored",
                         source=result.path or result.report.id)
    t0, c0 = time.perf_counter(), time.thread_time()
    examples = candidates(result.report, lexicon)
    t1, c1 = time.perf_counter(), time.thread_time()
    identity = key.identity or identity_of(key.content_hash, result.report.id,
                                           result.interaction.started_at)
    pk = store.save_report(
        result.report, run_id=run_id, content_hash=key.content_hash, path=result.path,
        key=analysis_key(identity, key.model, key.lexicon_version), identity=identity,
        interaction=result.interaction,
        audio=None if result.audio is None else result.audio.to_dict(),
        model=key.model, lexicon_version=key.lexicon_version, examples=examples)
    if timings is not None:
        timings["examples"] = timings.get("examples", 0.0) + t1 - t0
        timings["database"] = timings.get("database", 0.0) + time.perf_counter() - t1
        timings["cpu_examples"] = timings.get("cpu_examples", 0.0) + c1 - c0
        timings["cpu_database"] = timings.get("cpu_database", 0.0) + time.thread_time() - c1
    return pk


def persist_failure(store: Store, path: str, message: str, kind: str, *,
                    key: AnalysisKey | None = None, run_id: int | None = None) -> int:
    """Keep an input that could not be analysed as an error row; returns its id.

    Args:
        store: The results database.
        path: The input (a file, or ``file:line``).
        message: What went wrong, naming the input.
        kind: The error's class name.
        key: Its analysis key when the input itself is at fault (a re-run then
            skips it as known bad); None when the machine or configuration was.
        run_id: The batch run (None: a live call).
    """
    from analyzer.store import analysis_key

    hashed = None if key is None else analysis_key(key.identity or key.content_hash,
                                                   key.model, key.lexicon_version)
    return store.save_error(run_id, path, message, kind, key=hashed)


def input_at_fault(exc: BaseException) -> bool:
    """True when an input's own content made its analysis fail (keyed as known bad).

    Not audio, truncated, no speech, a malformed transcript or sidecar: it
    fails again on every run. A broken lexicon, template or option
    (configuration), the model, a dependency or the store (the machine) are
    not the input's fault, nor is a bug: fixed, the next run tries again.
    """
    not_the_input = (LexiconError | OptionError | ModelError | MissingDependencyError
                     | StoreError)
    return isinstance(exc, AnalyzerError) and not isinstance(exc, not_the_input)
