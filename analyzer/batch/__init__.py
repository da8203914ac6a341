"""The nightly batch: a hall's recordings and transcripts into a results database.

* :mod:`analyzer.batch.runner`: the driver (skip / re-score / analyse, store, progress);
* :mod:`analyzer.batch.transcripts`: typed transcripts, in the driver or on a pool;
* :mod:`analyzer.batch.executor`: local worker processes or Ray actors;
* :mod:`analyzer.batch.worker`: one worker, the model loaded once, recordings in flight.

What to analyse (a folder or a manifest, with sidecars) is found by
:func:`analyzer.pipeline.inputs.discover`; a worker's recordings are packed
into full 30 s bins by :mod:`analyzer.speech.packing`.

Example::

    from analyzer.batch import run_batch
    summary = run_batch("recordings/", "results.sqlite", workers=2)
    print(summary.text())
"""

from __future__ import annotations

from analyzer.batch.runner import BatchSummary, run_batch

__all__ = ["BatchSummary", "run_batch"]
