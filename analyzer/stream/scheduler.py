"""Recognition across the listener's lines: one engine, the clerks' speech first.

Every line of a listener recognises through one
:class:`~analyzer.speech.engine.RecognitionEngine`: requests that wait
together go to the encoder together, as one batch of bins (each line's piece
with its own context in its own bin, so a call's words never depend on
another call). On a GPU a batch of several bins costs little more than one,
so capacity grows with the batch; on a CPU the encoder's work is the same
per bin, so what is recognised *first* decides the latency.

:class:`Prioritised` orders the requests: a request holding speech of the
speakers whose phrases are judged live (``StreamOptions.partial_speakers``,
the clerk's) goes at once; any other (the citizen's ended utterances) waits
while one of those is waiting or being recognised, at most
``max_wait`` seconds, so a clerk's phrase is never queued behind a citizen's
sentence on another line.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import TYPE_CHECKING

from analyzer.options import ASROptions
from analyzer.types import Utterance

if TYPE_CHECKING:
    from analyzer.speech.tracks import Recognizer, Track
    from analyzer.speech.verify import Verifier


class Prioritised:
    """A :class:`~analyzer.speech.tracks.Recognizer` that lets the clerks' requests go first.

    Args:
        recognizer: The one engine of the listener.
        first: The speakers whose requests go first.
        max_wait: Longest wait of any other request (seconds).
    """

    def __init__(self, recognizer: Recognizer, first: Sequence[str], max_wait: float = 3.0
                 ) -> None:
        self.recognizer = recognizer
        self.first = frozenset(first)
        self.max_wait = max_wait
        self._cond = threading.Condition()
        self._urgent = 0  # first-speaker requests waiting or being recognised
        #: requests that waited (``held``) and the seconds they waited (``held_seconds``)
        self.counts: dict[str, float] = {"urgent": 0, "held": 0, "held_seconds": 0.0}

    def transcribe_many(self, tracks: Sequence[Track], options: ASROptions, *,
                        verifier: Verifier | None = None, cut: bool = True
                        ) -> list[list[Utterance]]:
        """Recognise through the engine, after the urgent requests (see the module docstring)."""
        urgent = any(t.speaker in self.first and not t.context for t in tracks)
        with self._cond:
            if urgent:
                self._urgent += 1
                self.counts["urgent"] += 1
            elif self._urgent:
                t0 = time.monotonic()
                self._cond.wait_for(lambda: not self._urgent, self.max_wait)
                self.counts["held"] += 1
                self.counts["held_seconds"] += time.monotonic() - t0
        try:
            return self.recognizer.transcribe_many(tracks, options, verifier=verifier, cut=cut)
        finally:
            if urgent:
                with self._cond:
                    self._urgent -= 1
                    self._cond.notify_all()
