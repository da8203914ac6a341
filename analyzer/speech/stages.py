"""Seconds spent in each stage of one recording's audio path, for whoever asks.

The audio path (:mod:`analyzer.speech.recording`) marks its stages with
:func:`stage`; a caller that wants the figures wraps the analysis in
:func:`collecting` (the batch worker does, so ``conduct batch --json``
reports where the time of a recording went besides recognition:
decoding, the same-mix check, crosstalk, attribution, levels, rings,
loudness). Nothing is measured for a caller that does not ask: the figures
go to the calling thread's dictionary only.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


@contextmanager
def collecting(into: dict[str, float]) -> Iterator[dict[str, float]]:
    """Add the seconds of every :func:`stage` this thread runs to ``into`` (by name)."""
    previous = getattr(_local, "sink", None)
    _local.sink = into
    try:
        yield into
    finally:
        _local.sink = previous


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as stage ``name`` when this thread is :func:`collecting`."""
    sink: dict[str, float] | None = getattr(_local, "sink", None)
    if sink is None:
        yield
        return
    t0 = time.perf_counter()
    try:
        yield
    finally:
        sink[name] = sink.get(name, 0.0) + time.perf_counter() - t0
