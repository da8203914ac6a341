"""Seconds spent in each stage of one recording's audio path, for whoever asks.

The audio path (:mod:`analyzer.speech.recording`) marks its stages with
:func:`stage`; a caller that wants the figures wraps the analysis in
:func:`collecting` (the batch worker does, so ``conduct batch --json``
reports where the time of a recording went besides recognition:
decoding, the same-mix check, crosstalk, attribution, levels, rings,
loudness). Nothing is measured for a caller that does not ask: the figures
go to the calling thread's dictionary only.

Wall seconds wait for a core whenever the box is busy (two workers on two
cores, the recognizer beside them); a caller that also passes ``cpu`` gets
each stage's CPU seconds of the calling thread (:func:`time.thread_time`),
the firm figure of what a stage costs. The model never runs in a recording's
thread (CTranslate2 computes in its own threads), so those seconds are the
recording's own work.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


@contextmanager
def collecting(into: dict[str, float], cpu: dict[str, float] | None = None
               ) -> Iterator[dict[str, float]]:
    """Add the wall seconds of every :func:`stage` this thread runs to ``into`` (by name),
    and its CPU seconds in this thread to ``cpu`` (when given)."""
    previous = getattr(_local, "sink", None), getattr(_local, "cpu", None)
    _local.sink, _local.cpu = into, cpu
    try:
        yield into
    finally:
        _local.sink, _local.cpu = previous


@contextmanager
def stage(name: str) -> Iterator[None]:
    """Time the block as stage ``name`` when this thread is :func:`collecting`."""
    sink: dict[str, float] | None = getattr(_local, "sink", None)
    if sink is None:
        yield
        return
    cpu: dict[str, float] | None = getattr(_local, "cpu", None)
    t0, c0 = time.perf_counter(), time.thread_time()
    try:
        yield
    finally:
        sink[name] = sink.get(name, 0.0) + time.perf_counter() - t0
        if cpu is not None:
            cpu[name] = cpu.get(name, 0.0) + time.thread_time() - c0
