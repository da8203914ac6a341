"""A batch's transcripts: scored in the driver, or spread over worker processes.

Recordings go to the batch's executor (:mod:`analyzer.batch.executor`), whose
workers hold the speech model. Typed transcripts need no model: a file's
records are scored by the analysis core (:func:`analyzer.pipeline.analyze_transcript`)
in the driver, or, when the batch has several workers and a file holds at
least :data:`POOL_MIN` records to score, in chunks of :data:`POOL_CHUNK` on a
pool of as many processes (each loads the lexicon and classifiers once, as
:func:`analyzer.pipeline.get_lexicon` caches them). Either way the driver
stores each result as it comes back, in the file's order of completion.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass

from analyzer.errors import AnalyzerError
from analyzer.options import AnalyzerOptions
from analyzer.pipeline.result import AnalysisKey, AnalysisResult
from analyzer.types import Interaction

#: Records to score in one transcript file before they are spread over workers.
POOL_MIN = 64
#: Records per chunk sent to a worker.
POOL_CHUNK = 32


@dataclass(frozen=True)
class Planned:
    """A transcript record to score.

    Attributes:
        record: The interaction (the manifest's metadata applied).
        key: What identifies its analysis.
        rescoring: Stored before under another lexicon (counted as re-scored).
        path: The transcript file.
    """

    record: Interaction
    key: AnalysisKey
    rescoring: bool
    path: str


@dataclass(frozen=True)
class RecordFailed:
    """A record that could not be scored.

    Attributes:
        kind: The error's class name.
        message: What went wrong.
        ours: One of the analyzer's errors (it names its input; else the
            driver names the record).
    """

    kind: str
    message: str
    ours: bool


#: What scoring one record gives.
Scored = AnalysisResult | RecordFailed


def score(planned: Sequence[Planned], options: AnalyzerOptions, workers: int
          ) -> Iterator[tuple[Planned, Scored, float]]:
    """Each record's result or failure, and the seconds its chunk took (0 after the first).

    In the driver, or on ``workers`` processes when there are enough records
    (see the module docstring).
    """
    if workers > 1 and len(planned) >= POOL_MIN:
        yield from pooled(planned, options, workers)
        return
    for item in planned:
        outcomes, seconds = score_records([item.record], options, [item.path])
        yield item, outcomes[0], seconds


def pooled(planned: Sequence[Planned], options: AnalyzerOptions, workers: int
           ) -> Iterator[tuple[Planned, Scored, float]]:
    """Score records in chunks on ``workers`` processes, yielding them as chunks finish."""
    chunks = [list(planned[k:k + POOL_CHUNK]) for k in range(0, len(planned), POOL_CHUNK)]
    context = multiprocessing.get_context("spawn")  # no forked model sessions
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = {pool.submit(score_records, [p.record for p in chunk], options,
                               [p.path for p in chunk]): chunk for chunk in chunks}
        for future in as_completed(futures):
            outcomes, seconds = future.result()
            for n, (item, outcome) in enumerate(zip(futures[future], outcomes, strict=True)):
                yield item, outcome, seconds if n == 0 else 0.0


def score_records(records: list[Interaction], options: AnalyzerOptions, paths: list[str]
                  ) -> tuple[list[Scored], float]:
    """Score records (in this process or a pool's): each a result or its failure."""
    import time

    from analyzer.pipeline import analyze_transcript, get_lexicon

    t0 = time.perf_counter()
    lexicon = get_lexicon(options)  # loaded once per process
    out: list[Scored] = []
    for rec, path in zip(records, paths, strict=True):
        try:
            out.append(analyze_transcript(rec, options, lexicon=lexicon, path=path))
        except AnalyzerError as exc:
            out.append(RecordFailed(type(exc).__name__, str(exc), True))
        except Exception as exc:  # noqa: BLE001 - reported as the record's error row
            out.append(RecordFailed(type(exc).__name__, str(exc), False))
    return out, time.perf_counter() - t0
