"""Which local worker gets which recording next: shares evened out, then work stealing.

A worker admits several recordings at once (``inflight``), so handing jobs to
whichever worker asks first lets the worker whose model loaded first take
most of a short day (measured on the hall corpus, 2 workers: 8 recordings to
one, 3 to the other, and one core idle for the last 8 s of a 28 s run).

:class:`Dispatch` instead shares the run's recordings out before any worker
starts, the heaviest first to the worker with the least (longest processing
time first), and then lets a worker that has run out take a recording from
the end of another worker's share (its lightest) only while that evens the
two out: the thief's work in hand plus the recording stays under the
victim's. A worker whose share is empty and may take nothing yet is given
nothing for now (it sends its partly filled bins rather than wait) and is
offered work again as recordings finish. The share of a worker that died
goes to its replacement, or to anyone when none is started.

Only where a recording is analysed changes: with ``pack.share = "recording"``
no recording's words depend on it, and a day-plan group
(:mod:`analyzer.batch.plan`) is one unit, given whole.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence

from analyzer.batch.jobs import Job
from analyzer.batch.plan import units_of


def weight_of(unit: Sequence[Job]) -> float:
    """A unit's work: its recordings' weights (:attr:`Job.weight`) summed."""
    return sum(job.weight for job in unit)


class Dispatch:
    """The run's recordings shared out over ``slots`` workers.

    Args:
        jobs: The recordings in dispatch order (heaviest first; a day-plan
            group's recordings adjacent).
        slots: Workers the share is cut for.
        order: Each share is given in this key's order (stable; the heaviest first
            within a key): a day with lines heard by several models shares all
            its recordings out at once, and each worker takes its share model by
            model (the model's rank in the run), so it loads each at most once
            and a thief takes from the end of the last model's. None: weight only.
    """

    def __init__(self, jobs: Sequence[Job], slots: int,
                 order: Callable[[Job], int] | None = None) -> None:
        self.shares: list[deque[list[Job]]] = [deque() for _ in range(max(1, slots))]
        #: Each share's weight not given yet (kept as units leave it).
        self.left = [0.0] * len(self.shares)
        for unit in sorted(units_of(jobs), key=weight_of, reverse=True):
            k = min(range(len(self.left)), key=lambda i: self.left[i])
            self.shares[k].append(unit)
            self.left[k] += weight_of(unit)
        if order is not None:
            self.shares = [deque(sorted(share, key=lambda unit: order(unit[0])))
                           for share in self.shares]
        #: Shares of workers that died with no replacement: anyone takes from them.
        self.orphans: deque[list[Job]] = deque()
        #: Each slot's work in hand (given, not finished), by job number, and its sum.
        self.held: list[dict[int, float]] = [{} for _ in self.shares]
        self.in_hand = [0.0] * len(self.shares)

    def __bool__(self) -> bool:
        """Some recording is not given to any worker yet."""
        return bool(self.orphans) or any(self.shares)

    def load(self, slot: int) -> float:
        """``slot``'s work in hand plus its share not given yet."""
        return self.in_hand[slot] + self.left[slot]

    def next(self, slot: int, alive: Sequence[int]) -> list[Job] | None:
        """The unit ``slot`` takes now (its own share first, then an orphan, then a
        steal that evens it out with the most loaded of ``alive``), or None."""
        if self.shares[slot]:
            unit = self.shares[slot].popleft()
            self.left[slot] -= weight_of(unit)
        elif self.orphans:
            unit = self.orphans.popleft()
        else:
            stolen = self._steal(slot, alive)
            if stolen is None:
                return None
            unit = stolen
        for job in unit:
            self.held[slot][job.job] = job.weight
        self.in_hand[slot] += weight_of(unit)
        return unit

    def _steal(self, slot: int, alive: Sequence[int]) -> list[Job] | None:
        victims = [v for v in alive if v != slot and self.shares[v]]
        if not victims:
            return None
        victim = max(victims, key=self.load)
        unit = self.shares[victim][-1]  # the lightest of its share
        if self.load(slot) + weight_of(unit) >= self.load(victim):
            return None  # taking it would not even the two out
        self.left[victim] -= weight_of(unit)
        return self.shares[victim].pop()

    def finished(self, job: int) -> None:
        """Job number ``job`` is done (or failed): no longer anyone's work in hand."""
        for slot, held in enumerate(self.held):
            self.in_hand[slot] -= held.pop(job, 0.0)

    def rest(self) -> list[Job]:
        """Every recording not given to any worker yet, taken out (no worker is left)."""
        out = [job for unit in self.orphans for job in unit]
        out += [job for share in self.shares for unit in share for job in unit]
        self.orphans.clear()
        for share in self.shares:
            share.clear()
        self.left = [0.0] * len(self.shares)
        return out

    def lost(self, slot: int, *, replaced: bool) -> None:
        """``slot``'s worker died: what it held is not its work any more (the executor
        analyses it again apart), and its share goes to the worker that replaces it,
        or, when none does, to anyone."""
        self.held[slot].clear()
        self.in_hand[slot] = 0.0
        if not replaced:
            self.orphans.extend(self.shares[slot])
            self.shares[slot].clear()
            self.left[slot] = 0.0
