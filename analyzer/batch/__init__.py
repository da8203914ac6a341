"""The nightly batch: a hall's recordings and transcripts into a results database.

* :mod:`analyzer.batch.sources`: what to analyse (folder or manifest, sidecars);
* :mod:`analyzer.batch.runner`: the driver (skip / re-score / analyse, store, progress);
* :mod:`analyzer.batch.engine`: local worker processes or Ray actors;
* :mod:`analyzer.batch.worker`: one worker, the model loaded once, recordings in flight
  (their speech packed into full 30 s windows by :mod:`analyzer.speech.packing`).

Example::

    from analyzer.batch import run_batch
    summary = run_batch("recordings/", "results.sqlite", workers=2)
    print(summary.text())
"""

from __future__ import annotations

from analyzer.batch.runner import BatchSummary, run_batch

__all__ = ["BatchSummary", "run_batch"]
