"""Live lines on a simulated CPU budget: the audio clock's recognitions queued on one engine.

``benchmarks/stream_latency.py --audio-clock --budget-cores N`` feeds each call alone
on the audio clock (compute taken as instant) and records, chunk by chunk, the
recognitions each line asked (:class:`Feed`): the first hearings its thread
waits for in turn, the second hearings and peeks it hands to its threads, and
the events that came out. :func:`simulate` then replays the calls together,
all starting at once, on one engine that serves one request at a time — the
listener's on a CPU (``stream.engine_at_once`` 1; CTranslate2 runs one call of
the model at a time) — each request charged at its measured CPU cost spread
over ``N`` cores (its engine seconds times the run's CPU seconds per engine
second, divided by ``N``), in the order the scheduler's policy gives
(:func:`analyzer.stream.scheduler.first_rank`; second hearings a stage at a
time, only while no first hearing waits — and a closed bin's, with
``stream.again_hold_talk``, while no line's clerk speaks — or once due). An
event is told when the recognitions it waited for are done: phrase end ->
finding on the budget's clock, whatever the load of the machine the calls
were recognised on.

What it does not model: a line that lags asks fewer, larger requests (its
citizens' utterances kept back together, periodic decodes skipped), so a
saturated budget is judged pessimistically; ``stream.again_hold_lag`` (a
lagging line's next request is queued the moment its last one ends); the
line's own work besides the engine is charged to its requests (in the CPU
seconds per engine second).
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

#: Trace kinds a line's thread does not wait for (its threads of second hearings).
ASYNC = ("again", "peek")


@dataclass
class Request:
    """One recognition of a line, as the simulated engine serves it.

    Attributes:
        line: The line's index.
        kind: The trace's kind (``pause``, ``end``, ``again``, ``peek``...).
        speaker: Whose speech.
        stages: Engine seconds of each stage (uncharged, as measured).
        audio_end: Where its samples end (stream seconds).
    """

    line: int
    kind: str
    speaker: str
    stages: list[float]
    audio_end: float
    seq: int = 0
    arrived: float = 0.0
    finished: float | None = None
    step: int = 0
    feed: Feed | None = None


@dataclass
class Feed:
    """One chunk fed to a line on the audio clock.

    Attributes:
        at: Audio seconds of the line when the chunk had all arrived.
        requests: The first hearings the line's thread asked, in order.
        spawned: The second hearings and peeks it handed to its threads.
        events: The events that came out, each with the request of ``spawned`` (of this
            feed or an earlier one) that told it, or None (told when the feed is done).
        final: The call's end: its events wait for every request of the line.
        talking: The line's clerk was speaking once the chunk was fed (the closed bins'
            second hearings wait meanwhile: ``stream.again_hold_talk``).
    """

    at: float
    requests: list[Request] = field(default_factory=list)
    spawned: list[Request] = field(default_factory=list)
    events: list[tuple[dict[str, Any], Request | None]] = field(default_factory=list)
    final: bool = False
    done: float | None = None
    talking: bool = False


def record(feeds: list[Feed], line: int, at: float, traces: Sequence[Any],
           events: list[dict[str, Any]], final: bool = False, talking: bool = False) -> None:
    """Add a chunk's feed to ``feeds``: its new ``traces``
    (:class:`~analyzer.stream.online.DecodeTrace`, in the order they were appended) and
    ``events``. An event marked ``again`` is told by a second hearing or peek: the one of
    this chunk whose speech ends first at or after the event's end, else the line's
    latest."""
    feed = Feed(at, final=final, talking=talking)
    for t in traces:
        r = Request(line, t.kind, t.speaker, [float(v) for v in t.stages.values()],
                    float(t.audio_end), feed=feed)
        (feed.spawned if t.kind in ASYNC else feed.requests).append(r)
    earlier = [r for f in feeds for r in f.spawned]
    for e in events:
        by: Request | None = None
        if e.get("again"):
            end = e.get("end") or e.get("start") or 0.0
            fit = sorted((r for r in feed.spawned if r.audio_end >= end - 0.05),
                         key=lambda r: r.audio_end)
            told_by = fit or feed.spawned or earlier
            by = told_by[0] if fit else (told_by[-1] if told_by else None)
        feed.events.append((e, by))
    feeds.append(feed)


def simulate(lines: list[list[Feed]], charge: float, order: str, max_wait: float = 3.0,
             peek_first: bool = True, first: Sequence[str] = ("staff",),
             hold_talk: bool = False) -> list[list[tuple[dict[str, Any], float]]]:
    """Every line's feeds replayed together on one engine (see the module docstring).

    Args:
        lines: Each line's feeds (:func:`record`), all starting at second 0.
        charge: Budget seconds per engine second measured (the run's CPU seconds per
            engine second divided by the budget's cores).
        order: The scheduler's order of first hearings (``stream.first_order``).
        max_wait: The scheduler's ``max_wait``.
        peek_first: Peeks are first hearings (``stream.peek`` ``clause`` or ``align``);
            False: second hearings, before the closed bins (``bin``).
        first: The speakers whose own speech makes a request urgent.
        hold_talk: A closed bin's second hearing (not due) waits while a line's clerk
            speaks (its latest feed so far says so: ``stream.again_hold_talk``).

    Returns:
        Each line's events with the second they were told at on the budget's clock.
    """
    replay = _Replay(lines, charge, order, max_wait, peek_first, frozenset(first), hold_talk)
    replay.run()
    return replay.told()


class _Replay:
    """One replay of :func:`simulate` (its arguments; the engine's queue and clock)."""

    def __init__(self, lines: list[list[Feed]], charge: float, order: str, max_wait: float,
                 peek_first: bool, first: frozenset[str], hold_talk: bool = False) -> None:
        self.lines, self.charge, self.order, self.max_wait = lines, charge, order, max_wait
        self.peek_first, self.first, self.hold_talk = peek_first, first, hold_talk
        self.arrivals: list[tuple[float, int, Request]] = []
        self.waiting: list[Request] = []
        self.seq = 0
        self.position = [0] * len(lines)  # each line's next feed
        self.due_ran = False  # a due second hearing's stage went last
        self.now = 0.0
        for k, feeds in enumerate(lines):  # each replay from the start (the same feeds,
            for feed in feeds:  # another order or other lines beside it)
                feed.done = None
                for r in [*feed.requests, *feed.spawned]:
                    r.line, r.step, r.finished = k, 0, None

    def second(self, r: Request) -> bool:
        """A second hearing: a closed bin, or a peek where peeks are not first hearings."""
        return r.kind == "again" or (r.kind == "peek" and not self.peek_first)

    def arrive(self, r: Request, t: float) -> None:
        r.arrived, r.seq = t, self.seq
        self.seq += 1
        heapq.heappush(self.arrivals, (t, r.seq, r))

    def start_feeds(self, k: int, t: float) -> None:
        """Line ``k`` goes on from second ``t`` (its thread free): its next feeds, each
        when its audio has come, up to the first that asks a first hearing."""
        while self.position[k] < len(self.lines[k]):
            feed = self.lines[k][self.position[k]]
            begin = max(feed.at, t)
            if feed.requests:
                self.arrive(feed.requests[0], begin)
                return
            self.finish_feed(k, feed, begin)
            t = begin

    def finish_feed(self, k: int, feed: Feed, t: float) -> None:
        feed.done = t
        self.position[k] += 1
        for r in feed.spawned:
            self.arrive(r, t)

    def pick(self) -> Request | None:
        """The next request to serve now: the first hearing that ranks first (by
        :func:`~analyzer.stream.scheduler.first_rank`, then arrival), else a second
        hearing (peeks first, then the oldest; with ``hold_talk`` a closed bin waits while
        a clerk speaks, up to ``TALK_HOLD_MAX``: None) — but a second hearing that has waited
        :data:`~analyzer.stream.scheduler.AGAIN_MAX_WAIT` goes first, one stage, then one
        first hearing, in turn (the scheduler's bound); it is served one stage (a second
        hearing) or whole (a first hearing) and the clock moves on."""
        from analyzer.stream.scheduler import AGAIN_MAX_WAIT, TALK_HOLD_MAX, first_rank

        firsts = [r for r in self.waiting if not self.second(r)]
        due = [r for r in self.waiting if self.second(r)
               and self.now - r.arrived >= AGAIN_MAX_WAIT - 1e-9]
        if firsts and due and not self.due_ran:
            r = min(due, key=lambda r: (r.arrived, r.seq))
            if r.stages:
                self.now += r.stages[r.step] * self.charge
            r.step += 1
            self.due_ran = True
            return r
        self.due_ran = False
        if firsts:
            r = min(firsts, key=lambda r: (first_rank(
                r.kind not in ASYNC and r.speaker in self.first, r.kind == "peek",
                self.now - r.arrived, self.max_wait, self.order), r.arrived, r.seq))
            self.now += sum(r.stages) * self.charge
            r.step = len(r.stages)
        else:
            r = min(self.waiting, key=lambda r: (r not in due, r.kind != "peek", r.arrived,
                                                 r.seq))
            if r.kind == "again" and r not in due and self.talks() \
                    and self.now - r.arrived < TALK_HOLD_MAX - 1e-9:
                return None  # held while a clerk speaks
            if r.stages:
                self.now += r.stages[r.step] * self.charge
            r.step += 1
        return r

    def talks(self) -> bool:
        """A line's clerk speaks now (its latest feed so far says so; with ``hold_talk``)."""
        if not self.hold_talk:
            return False
        for feeds in self.lines:
            latest = [f for f in feeds if f.at <= self.now + 1e-9]
            if latest and getattr(latest[-1], "talking", False) and not latest[-1].final:
                return True
        return False

    def wake(self) -> float:
        """When a held second hearing is looked at again: the next arrival, feed (a clerk
        may fall silent) or second hearing falling due."""
        from analyzer.stream.scheduler import AGAIN_MAX_WAIT, TALK_HOLD_MAX

        times = [f.at for feeds in self.lines for f in feeds if f.at > self.now + 1e-9]
        times += [r.arrived + w for r in self.waiting for w in (AGAIN_MAX_WAIT, TALK_HOLD_MAX)]
        if self.arrivals:
            times.append(self.arrivals[0][0])
        return min((t for t in times if t > self.now + 1e-9), default=self.now + 0.1)

    def run(self) -> None:
        for k in range(len(self.lines)):
            self.start_feeds(k, 0.0)
        while self.arrivals or self.waiting:
            while self.arrivals and self.arrivals[0][0] <= self.now + 1e-9:
                self.waiting.append(heapq.heappop(self.arrivals)[2])
            if not self.waiting:
                self.now = self.arrivals[0][0]
                continue
            r = self.pick()
            if r is None:  # nothing may go now
                self.now = self.wake()
                continue
            if r.step < len(r.stages):
                continue  # its next stage waits for its turn again
            self.waiting.remove(r)
            r.finished = self.now
            feed = r.feed
            if feed is None or r.kind in ASYNC:
                continue
            at = feed.requests.index(r)
            if at + 1 < len(feed.requests):
                self.arrive(feed.requests[at + 1], self.now)  # the line's thread asks on
            else:
                self.finish_feed(r.line, feed, self.now)
                self.start_feeds(r.line, self.now)
        for k in range(len(self.lines)):  # feeds left with nothing to wait for
            self.start_feeds(k, self.now)

    def told(self) -> list[list[tuple[dict[str, Any], float]]]:
        """Each line's events with when they were told (after :meth:`run`)."""
        out: list[list[tuple[dict[str, Any], float]]] = []
        for feeds in self.lines:
            mine = [r for f in feeds for r in f.spawned]
            out.append([])
            for feed in feeds:
                if feed.done is None:
                    continue
                for e, by in feed.events:
                    if by is not None:
                        at = max(by.finished or feed.done, feed.done if feed.final else 0.0)
                    elif feed.final:
                        at = max([feed.done] + [r.finished or feed.done for r in mine])
                    else:
                        at = feed.done
                    out[-1].append((e, at))
        return out
