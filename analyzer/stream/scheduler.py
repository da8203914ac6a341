"""Recognition across the listener's lines: the clerks' speech first, and, where the
hall allows it, the lines' waiting speech in one 30 s bin.

Every line of a listener recognises through one
:class:`~analyzer.speech.engine.RecognitionEngine`. By default
(``pack.share`` ``"recording"`` or ``"channel"``) each line's piece goes in
its own bin with its own context, so a call's words never depend on another
call; requests that wait together go to the encoder together as one batch
of bins (the engine's own batching), and :class:`Prioritised` lets the
clerks' requests go first. On a GPU a batch of several bins costs little
more than one; on a CPU the encoder's work is the same per bin, so what is
recognised *first* decides the latency: there :class:`Prioritised` lets one
request into the engine at a time (``StreamOptions.engine_at_once``), the
most urgent of those waiting, so a clerk's clause waits for one bin at most
and never for a batch of other lines' bins.

With ``pack.share = "any"`` (pieces of any recordings may share a bin, as
in the batch) :class:`SharedBins` puts the pieces that wait together, from
every line, into **one** bin: the first request with the conversation
before it (its context pieces, which the decoder starts after), then the
other lines' pieces, each after the speech before it in the bin. One
encoder pass then serves every line waiting, and capacity grows with the
lines instead of falling with each: on two CPU cores four waiting pieces
took 3.5-4.8 s in one bin against 12-16 s in four bins of one batch (load
~10). The price is the batch's ``any`` price: a piece's words then depend
on the other calls' speech in its bin (Whisper's decoder reads the words
before it), which is why it is not the default.

A call's speech heard a second time (:mod:`analyzer.stream.again`) goes
through :class:`Prioritised` a stage at a time, each stage only while no
first hearing of any line waits or is in the engine (see the class) — until
it has waited :data:`AGAIN_MAX_WAIT` seconds: then its stages go before the
first hearings that wait (a second hearing never starves).

Both order requests the same way: those holding speech of the speakers
whose phrases are judged live (``StreamOptions.partial_speakers``, the
clerk's) first, then the others (the citizens' ended utterances), which
wait at most ``max_wait`` seconds (:class:`Prioritised`: as
``StreamOptions.first_order`` ranks them, :func:`first_rank`). Requests share a bin only when they ask
the same acoustic verifier (the clerk's opening scope differs from the
rest of a call).
"""

from __future__ import annotations

import threading
import time
import weakref
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from analyzer.options import AnalyzerOptions, ASROptions
from analyzer.speech.decode import SAMPLE_RATE
from analyzer.types import Utterance

if TYPE_CHECKING:
    from analyzer.speech.tracks import Recognizer, Track
    from analyzer.speech.verify import Verifier

#: Seconds after which a line's word on its lag is stale (:meth:`Prioritised.lagging`).
STALE_LAG = 2.0
#: Longest wait of a second hearing (s, from when it was asked): once it has waited this
#: long its stages go before the first hearings not yet in the engine, each as soon as the
#: requests in the engine end, and no longer wait for lagging lines — so a bin is heard again
#: at most this long plus the requests in the engine then (and the older second hearings'
#: stages, which are due first) after it closed, however busy the lines are (an overloaded
#: listener's lines never leave the engine free, and a call's report waits for its bins).
#: Two bins of speech: four scripted calls on a simulated 2-core budget keep the engine busy
#: about half the time, and a second hearing finds it free well before; on a saturated shared
#: box (load 13-16) a 30 s bound let the due stages take half the engine from the clerks'
#: clauses (four calls: phrase p95 19 s against main's 4.9 s in the same run).
AGAIN_MAX_WAIT = 60.0
#: Longest wait of a closed bin's second hearing for lagging lines (s): a bin of speech (an
#: overloaded listener's lines never catch up); then it goes whenever the engine is free.
LAG_HOLD_MAX = 30.0
#: Longest wait of a closed bin's second hearing for a speaking clerk (s; ``hold_talk``):
#: then it goes whenever the engine is free (on a saturated box the lines' words come late
#: and some clerk always speaks).
TALK_HOLD_MAX = 10.0
#: Seconds after which any first hearing ranks as a clerk's clause in the ``clauses`` order
#: (:func:`first_rank`: a citizen's words or a peek are later, never starved).
STARVE_WAIT = 12.0
#: The orders of first hearings (``stream.first_order``, :func:`first_rank`).
FIRST_ORDERS = ("clauses", "strict", "peeks", "arrival")


def first_rank(urgent: bool, peek: bool, waited: float, max_wait: float,
               order: str = "clauses") -> int:
    """Where a waiting first hearing ranks (lower first; equal ranks in the order they came).

    ``urgent``: a clerk's speech of its own (not context only); ``peek``: only context
    pieces (a peek at a suspect clause's open bin, ``stream.peek`` ``clause`` or
    ``align``: :meth:`analyzer.stream.online.OnlinePolicy.hear_again`); ``waited``: seconds
    it has waited.

    * ``arrival`` (sessions 7-9): a clerk's clause 0, every other request 1 until it has
      waited ``max_wait`` seconds, then 0 (an aged citizen's utterance went before the
      clerks' clauses that came after it);
    * ``clauses``: a clerk's clause 0; a peek 1, and 0 once it has waited ``max_wait`` (it
      can tell a phrase the clause's first hearing nearly told, which a supervisor waits
      for); the others 2 (the citizens' words tell no forbidden phrase), 0 after
      :data:`STARVE_WAIT` seconds;
    * ``strict``: a clerk's clause 0, a peek 1, the others 2; anything 0 after
      :data:`STARVE_WAIT` seconds (the first hearings' tail before the peeks');
    * ``peeks``: a clerk's clause and a peek 0, the others 2, 0 after
      :data:`STARVE_WAIT` seconds (the peeks' findings before the clauses' tail).
    """
    if urgent or (peek and order == "peeks"):
        return 0
    if order == "arrival":
        return 0 if waited >= max_wait else 1
    if waited >= STARVE_WAIT or (peek and order == "clauses" and waited >= max_wait):
        return 0
    return 1 if peek else 2


class _Ordered:
    """What both schedulers hold: the engine, the speakers whose requests go first, the
    longest wait of any other request, and the lock their requests wait on."""

    def __init__(self, recognizer: Recognizer, first: Sequence[str], max_wait: float) -> None:
        self.recognizer = recognizer
        self.first = frozenset(first)
        self.max_wait = max_wait
        self._cond = threading.Condition()
        self._lines = 0

    def open_line(self) -> None:
        """A line starts recognising through this recognizer (its analyzer calls this)."""
        with self._cond:
            self._lines += 1

    def close_line(self) -> None:
        """A line has ended (or was abandoned)."""
        with self._cond:
            self._lines = max(0, self._lines - 1)

    def lines(self) -> int:
        """Lines recognising through this recognizer now (the live policy decodes growing
        speech periodically only while there are few: ``StreamOptions.partial_lines``)."""
        return self._lines


@dataclass
class _Ticket:
    """One line's request waiting for its turn in the engine (:class:`Prioritised`)."""

    urgent: bool
    arrived: float
    seq: int
    peek: bool = False


class Prioritised(_Ordered):
    """A :class:`~analyzer.speech.tracks.Recognizer` that lets the clerks' requests go first,
    lets at most ``at_once`` requests into the engine at a time, and hears a call's speech
    a second time only while no first hearing waits.

    **First hearings** (every request but a second hearing) wait here, not in
    the engine: one goes when fewer than ``at_once`` are in the engine and no
    waiting request ranks before it (:func:`first_rank`, by ``order``): the
    clerks' clauses first (in the order they came), then — in ``clauses`` —
    peeks (as a clause once they have waited ``max_wait``), then the others in
    the order they came, each ranking as a clerk's once it has waited
    :data:`STARVE_WAIT` (never starved); in ``arrival`` any request that has
    waited ``max_wait`` ranks as a clerk's. While a clerk's request waits or is heard, the others are held
    (up to ``max_wait``) even where room is left.

    On a CPU a batch of several bins costs about as much per bin as one bin
    alone, so a clerk's clause that joined a batch of four other bins waited
    for all of them, and one that came while such a batch ran waited for it
    to end: with ``at_once=1`` it waits at most for the one bin in the engine,
    then goes before everything else that waits. ``at_once=0``: no cap (the
    engine batches whatever waits; a GPU's choice, where a batch of several
    bins costs little more than one).

    **Second hearings** (every track ``again``: a closed bin of a call heard
    again, :mod:`analyzer.stream.again`) never hold a first hearing up: one
    runs a stage at a time (the recognizer's ``transcribe_steps``: encoder,
    decoder, alignment, verification; a recognizer without it is one stage),
    and each stage starts only when no first hearing waits or is in the
    engine and no other stage of a second hearing runs — the oldest second
    hearing first. A first hearing that comes meanwhile goes into the engine
    at once (it is not counted against ``at_once`` by a second hearing) and
    waits at most for the stage under way (CTranslate2 runs one call of the
    model at a time); the second hearing then waits with its encoder output
    kept and resumes where it stopped, so its words are those it would have
    had alone. Measured with four calls on two cores (issue 27): heard in one
    go, a 30 s bin held the clauses behind it for its whole encoder and
    beam search.

    **No second hearing starves.** One that has waited :data:`AGAIN_MAX_WAIT`
    seconds since it was asked is *due*: each of its stages then goes as soon
    as the requests in the engine end, before the first hearings that wait
    (and for no lagging line or speaking clerk); between two of its stages one
    first hearing that waits goes (the most urgent), so a clerk's clause waits
    for one stage at most, as when it comes while a stage runs. Its delay is
    thus bounded: at most ``AGAIN_MAX_WAIT``, plus per stage the request in the
    engine and one first hearing, plus the stages of the older due second
    hearings (the oldest due first). On a listener that keeps up this never
    happens (the engine is idle between clauses); on a shared box (load 7,
    four calls, main) no closed bin was heard again before its call ended.

    Among second hearings, a **peek** (tracks ``peek``: a call's open bin heard
    early because a clerk's clause in it was nearly heard as a forbidden phrase,
    :meth:`analyzer.stream.again.FileBins.peek`) goes before the closed bins
    (whose words the report waits for, not the screen), the oldest first.

    **While a line lags** its audio by more than ``hold_lag`` seconds (each line
    says so as it is fed: :meth:`lagging`), the closed bins' second hearings
    wait too (peeks do not): that line's clauses come in quick succession, and
    a stage that slipped in between two of them held the next one up for as
    long as the stage ran (the decoder cannot be interrupted). A line's word
    goes stale after ``STALE_LAG`` seconds (a line that stopped being fed holds
    nothing up), and a closed bin waits for lagging lines :data:`LAG_HOLD_MAX`
    seconds at most (an overloaded listener's lines never catch up, and a
    call's report waits for its bins).

    **While a clerk speaks** on any line (each line says so as it is fed:
    :meth:`talking`; with ``hold_talk``), the closed bins' second hearings wait
    too (peeks and due ones do not): that clerk's clause comes at its pause or
    end, within a second or two, and a stage begun just before it held it up
    for the whole stage. A line's word goes stale after ``STALE_LAG`` seconds.
    On a simulated 2-core budget (four scripted calls at once) the clauses'
    p95 went 0.86 -> 0.78 s with it (one call alone: 0.67 s), and the
    revisions came as before (the engine is free while every clerk is silent
    often enough). A closed bin waits for speaking clerks
    :data:`TALK_HOLD_MAX` seconds at most, then goes whenever the engine is
    free (on a saturated box some clerk always speaks, and a line's word comes
    late).

    Args:
        recognizer: The one engine of the listener.
        first: The speakers whose requests go first.
        max_wait: Longest wait of any other request before it ranks as a clerk's
            (seconds).
        at_once: Requests in the engine at once (0: no cap).
        clock: Seconds, monotonic (injected by tests).
        hold_lag: Seconds a line may lag before closed bins' second hearings wait
            (0: they never wait for a line's lag).
        order: How first hearings rank (``stream.first_order``: :func:`first_rank`).
        hold_talk: Closed bins' second hearings wait while a clerk speaks on any line.
    """

    def __init__(self, recognizer: Recognizer, first: Sequence[str], max_wait: float = 3.0,
                 at_once: int = 0, clock: Callable[[], float] = time.monotonic,
                 hold_lag: float = 0.0, order: str = "arrival", hold_talk: bool = False
                 ) -> None:
        super().__init__(recognizer, first, max_wait)
        self.at_once = at_once
        self.order = order
        self.clock = clock
        self.hold_lag = hold_lag
        self.hold_talk = hold_talk
        #: each line's latest lag (seconds) and when it said so (``clock``)
        self._lags: dict[object, tuple[float, float]] = {}
        #: the lines whose clerk speaks, and when each said so (``clock``)
        self._talks: dict[object, float] = {}
        self._waiting: list[_Ticket] = []
        self._urgent = 0  # first-speaker requests waiting or being recognised
        self._inflight = 0  # first hearings in the engine
        self._seq = 0
        self._local = threading.local()
        #: second hearings not done, oldest first, and whether one's stage runs now
        self._again: list[_Ticket] = []
        self._again_running = False
        self._again_held = 0  # second hearings waiting for their next stage's turn
        #: a due second hearing's stage ran last (no first hearing has gone in since)
        self._due_ran = False
        #: requests of the first speakers (``urgent``), requests that waited here
        #: (``held``) and the seconds they waited (``held_seconds``); second hearings'
        #: stages (``again_stages``) and the times one waited between two of its stages
        #: for first hearings (``again_yields``)
        #: (``again_yields``); peeks asked (``peeks``) and the times a stage waited for a
        #: lagging line (``lag_holds``)
        self.counts: dict[str, float] = {"urgent": 0, "held": 0, "held_seconds": 0.0,
                                         "again_stages": 0, "again_yields": 0, "peeks": 0,
                                         "lag_holds": 0, "talk_holds": 0}

    def lagging(self, line: object, seconds: float) -> None:
        """Line ``line`` lags its audio by ``seconds`` now (0: caught up, or gone)."""
        with self._cond:
            if seconds > 0:
                self._lags[line] = (seconds, self.clock())
            elif self._lags.pop(line, None) is None:
                return
            self._cond.notify_all()

    def talking(self, line: object, talks: bool) -> None:
        """Line ``line``'s clerk is speaking now (True), or not (False: silent, or gone)."""
        with self._cond:
            if talks:
                self._talks[line] = self.clock()
            elif self._talks.pop(line, None) is not None:
                self._cond.notify_all()

    def _clerk_talks(self) -> bool:
        """A line's clerk speaks (the lock held; with ``hold_talk``; a word older than
        :data:`STALE_LAG` seconds is dropped)."""
        if not self.hold_talk:
            return False
        now = self.clock()
        for line, said in list(self._talks.items()):
            if now - said > STALE_LAG:
                del self._talks[line]
        return bool(self._talks)

    def _lags_behind(self) -> bool:
        """A line lags more than ``hold_lag`` (the lock held; a word older than
        :data:`STALE_LAG` seconds is dropped)."""
        if not self.hold_lag:
            return False
        now = self.clock()
        for line, (_, said) in list(self._lags.items()):
            if now - said > STALE_LAG:
                del self._lags[line]
        return any(lag > self.hold_lag for lag, _ in self._lags.values())

    def busy(self) -> bool:
        """True while a first hearing of any line waits or is being recognised: a line's
        periodic partial decoding is then skipped (it is stale by the time the engine is
        free, and it would hold a clause's decoding at its pause behind it). A second
        hearing does not count: it gives way to any first hearing."""
        return self._inflight > 0 or bool(self._waiting)

    def last_held(self) -> float:
        """Seconds the calling thread's latest request waited here for its turn (a second
        hearing: all its waits before and between its stages)."""
        return getattr(self._local, "held", 0.0)

    def last_served(self) -> Any:
        """How the engine served the calling thread's latest request (its
        :meth:`~analyzer.speech.engine.RecognitionEngine.last_served`; None: not said)."""
        return getattr(self.recognizer, "last_served", lambda: None)()

    def transcribe_many(self, tracks: Sequence[Track], options: ASROptions, *,
                        verifier: Verifier | None = None, cut: bool = True
                        ) -> list[list[Utterance]]:
        """Recognise through the engine when this request's turn comes (see the class
        docstring)."""
        if tracks and all(t.again for t in tracks):
            return self._hear_again(tracks, options, verifier, cut)
        urgent = any(t.speaker in self.first and not t.context for t in tracks)
        peek = bool(tracks) and all(t.context for t in tracks)  # a peek heard as a first
        with self._cond:
            ticket = _Ticket(urgent, self.clock(), self._seq, peek)
            self._seq += 1
            self._waiting.append(ticket)
            if urgent:
                self._urgent += 1
                self.counts["urgent"] += 1
            waited = self._wait_turn(ticket)
            self._waiting.remove(ticket)
            self._inflight += 1
            self._due_ran = False
            self._local.held = self.clock() - ticket.arrived
            if waited:
                self.counts["held"] += 1
                self.counts["held_seconds"] += self._local.held
            self._cond.notify_all()  # the next in order may go too, where room is left
        try:
            return self.recognizer.transcribe_many(tracks, options, verifier=verifier, cut=cut)
        finally:
            with self._cond:
                self._inflight -= 1
                if urgent:
                    self._urgent -= 1
                self._cond.notify_all()

    def _wait_turn(self, ticket: _Ticket) -> bool:
        """Wait (the lock held) until ``ticket`` may go into the engine; True if it had to."""
        waited = False
        while True:
            now = self.clock()
            aged = now - ticket.arrived >= self.max_wait
            head = min(self._waiting, key=lambda t: (
                first_rank(t.urgent, t.peek, now - t.arrived, self.max_wait, self.order), t.seq))
            room = not self.at_once or self._inflight < self.at_once
            if head is ticket and room and (ticket.urgent or aged or not self._urgent) \
                    and (self._due_ran or not self._again_due(now)):
                return waited
            waited = True
            # woken when a request goes or ends; a waiting request also when it ages (its
            # rank may change then)
            ages = [a for a in (self.max_wait, STARVE_WAIT) if now - ticket.arrived < a]
            self._cond.wait(None if ticket.urgent or not ages else
                            ticket.arrived + min(ages) - now)

    def _again_due(self, now: float) -> bool:
        """A second hearing has waited :data:`AGAIN_MAX_WAIT` seconds (the lock held): the
        first hearings not yet in the engine wait for its stages."""
        return any(now - t.arrived >= AGAIN_MAX_WAIT for t in self._again)

    def _hear_again(self, tracks: Sequence[Track], options: ASROptions,
                    verifier: Verifier | None, cut: bool) -> list[list[Utterance]]:
        """A second hearing, a stage at a time, each when no first hearing waits (see the
        class docstring)."""
        staged = getattr(self.recognizer, "transcribe_steps", None)
        steps = (staged(tracks, options, verifier=verifier, cut=cut) if staged is not None
                 else _one_step(self.recognizer, tracks, options, verifier, cut))
        peek = any(t.peek for t in tracks)
        with self._cond:
            ticket = _Ticket(peek, self.clock(), self._seq)
            self._seq += 1
            self._again.append(ticket)
            self.counts["peeks"] += peek
        held, stages = 0.0, 0
        try:
            while True:
                with self._cond:
                    asked, waited, lagged, talked = self.clock(), False, False, False
                    while not self._again_turn(ticket):
                        self._again_held += not waited
                        waited = True
                        free = self._free_for(ticket)
                        held_by_lag = free and self._lags_behind()
                        held_by_talk = free and not held_by_lag and self._clerk_talks()
                        self.counts["lag_holds"] += held_by_lag and not lagged
                        self.counts["talk_holds"] += held_by_talk and not talked
                        lagged, talked = lagged or held_by_lag, talked or held_by_talk
                        held_by_lag = held_by_lag or held_by_talk
                        # a line's lag is said as it is fed: looked at again within a second;
                        # and woken when it falls due (if nothing else has woken it by then)
                        left = ticket.arrived + AGAIN_MAX_WAIT - self.clock()
                        self._cond.wait(min(STALE_LAG / 2, left) if held_by_lag
                                        else left if left > 0 else None)
                    self._again_held -= waited
                    held += self.clock() - asked
                    self.counts["again_yields"] += bool(stages and waited)
                    self._again_running = True
                    due = self.clock() - ticket.arrived >= AGAIN_MAX_WAIT
                try:
                    next(steps)
                except StopIteration as done:
                    result: list[list[Utterance]] = done.value
                    return result
                finally:
                    with self._cond:
                        self._again_running = False
                        self._due_ran = due
                        self.counts["again_stages"] += 1
                        self._cond.notify_all()
                stages += 1
        finally:
            steps.close()
            with self._cond:
                self._again.remove(ticket)
                self._cond.notify_all()
            self._local.held = held

    def _free_for(self, ticket: _Ticket) -> bool:
        """No first hearing is in the engine, none waits (unless ``ticket`` is due and no
        due stage ran last), no other stage runs, and ``ticket`` is the next second hearing
        (the due ones first, then peeks, then the oldest; the lock held)."""
        now = self.clock()
        due = now - ticket.arrived >= AGAIN_MAX_WAIT
        return ((not self._waiting or due and not self._due_ran) and not self._inflight
                and not self._again_running
                and min(self._again, key=lambda t: (now - t.arrived < AGAIN_MAX_WAIT,
                                                    not t.urgent, t.seq)) is ticket)

    def _again_turn(self, ticket: _Ticket) -> bool:
        """A second hearing's next stage may start (the lock held): :meth:`_free_for`, and
        a closed bin's only while no line lags (up to :data:`LAG_HOLD_MAX`) and no clerk
        speaks (up to :data:`TALK_HOLD_MAX`), unless it is due (see the class docstring)."""
        waited = self.clock() - ticket.arrived
        return self._free_for(ticket) and (
            ticket.urgent or waited >= AGAIN_MAX_WAIT
            or ((waited >= LAG_HOLD_MAX or not self._lags_behind())
                and (waited >= TALK_HOLD_MAX or not self._clerk_talks())))


def _one_step(recognizer: Recognizer, tracks: Sequence[Track], options: ASROptions,
              verifier: Verifier | None, cut: bool
              ) -> Generator[str, None, list[list[Utterance]]]:
    """A recognizer's whole recognition as one stage (one that cannot give its stages): the
    first ``next`` runs it and stops with its utterances."""
    yield from ()
    return recognizer.transcribe_many(tracks, options, verifier=verifier, cut=cut)


#: Seconds of speech one bin holds (Whisper's window), and the silence between two pieces.
BIN_SECONDS, GAP_SECONDS = 30.0, 1.0


@dataclass
class _Request:
    """One line's request, waiting for its words."""

    tracks: Sequence[Track]
    options: ASROptions
    verifier: Verifier | None
    cut: bool
    urgent: bool
    arrived: float
    done: threading.Event = field(default_factory=threading.Event)
    result: list[list[Utterance]] = field(default_factory=list)
    error: BaseException | None = None

    def seconds(self, *, context: bool) -> float:
        """Bin seconds its tracks take (with or without its context), gaps included."""
        return sum(t.samples.size / SAMPLE_RATE + GAP_SECONDS for t in self.tracks
                   if context or not t.context)

    def key(self) -> Any:
        """What requests sharing a bin must agree on (the verifier and how tracks are cut)."""
        v = self.verifier
        return (self.cut, None if v is None else (id(v.lexicon), v.options, v.match, v.scope))


class SharedBins(_Ordered):
    """A :class:`~analyzer.speech.tracks.Recognizer` packing every line's waiting speech into
    one bin per encoder pass (see the module docstring).

    Args:
        recognizer: The one engine of the listener.
        first: The speakers whose requests go first.
        max_wait: Longest wait of any other request before it goes first (seconds).
    """

    def __init__(self, recognizer: Recognizer, first: Sequence[str], max_wait: float = 3.0
                 ) -> None:
        super().__init__(recognizer, first, max_wait)
        self._queue: list[_Request] = []
        self._thread: threading.Thread | None = None
        #: bins recognised, requests served, and requests that shared a bin with others
        self.counts: dict[str, int] = {"bins": 0, "requests": 0, "shared": 0}

    def transcribe_many(self, tracks: Sequence[Track], options: ASROptions, *,
                        verifier: Verifier | None = None, cut: bool = True
                        ) -> list[list[Utterance]]:
        """Recognise these tracks in the next bin (see the module docstring)."""
        urgent = any(t.speaker in self.first and not t.context and not t.again for t in tracks)
        request = _Request(tracks, options, verifier, cut, urgent, time.monotonic())
        with self._cond:
            self._queue.append(request)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._serve, daemon=True,
                                                name="conduct-shared-bins")
                self._thread.start()
            self._cond.notify_all()
        request.done.wait()
        if request.error is not None:
            raise request.error
        return request.result

    def _serve(self) -> None:
        while True:
            with self._cond:
                if not self._cond.wait_for(lambda: bool(self._queue), timeout=60.0):
                    self._thread = None
                    return  # idle: a new request starts another thread
                group = self._take()
            self._recognise(group)

    def _take(self) -> list[_Request]:
        """The requests of the next bin (called with the lock held): the first in order with
        its context, then whatever else fits and agrees with it."""
        now = time.monotonic()
        ordered = sorted(self._queue, key=lambda r: (
            not (r.urgent or now - r.arrived > self.max_wait), r.arrived))
        first = ordered[0]
        group, room = [first], BIN_SECONDS - first.seconds(context=True)
        for other in ordered[1:]:
            need = other.seconds(context=False)
            if other.key() == first.key() and need <= room:
                group.append(other)
                room -= need
        self._queue = [r for r in self._queue if all(r is not g for g in group)]
        return group

    def _recognise(self, group: list[_Request]) -> None:
        """One engine call for the group; each request gets its own tracks' utterances."""
        first = group[0]
        tracks = list(first.tracks) + [t for r in group[1:] for t in r.tracks if not t.context]
        try:
            heard = self.recognizer.transcribe_many(tracks, first.options,
                                                    verifier=first.verifier, cut=first.cut)
        except BaseException as exc:  # every request of the bin learns why
            for r in group:
                r.error = exc
                r.done.set()
            return
        first.result, at = heard[: len(first.tracks)], len(first.tracks)
        for r in group[1:]:
            mine: list[list[Utterance]] = []
            for t in r.tracks:
                if t.context:
                    mine.append([])
                else:
                    mine.append(heard[at])
                    at += 1
            r.result = mine
        self.counts["bins"] += 1
        self.counts["requests"] += len(group)
        self.counts["shared"] += len(group) - 1 if len(group) > 1 else 0
        for r in group:
            r.done.set()


def line_recognizer(recognizer: Recognizer, first: Sequence[str], share: str,
                    at_once: int = 0, hold_lag: float = 0.0, order: str = "arrival",
                    hold_talk: bool = False) -> Prioritised | SharedBins:
    """A new scheduler of lines over ``recognizer`` for the packing option ``share``,
    ``at_once`` requests in the engine at a time (0: no cap), second hearings held while
    a line lags more than ``hold_lag`` seconds (0: never) or, with ``hold_talk``, while a
    clerk speaks, and first hearings ranked by ``order`` (:func:`first_rank`; see the
    module docstring)."""
    if share == "any":
        return SharedBins(recognizer, first)
    return Prioritised(recognizer, first, at_once=at_once, hold_lag=hold_lag, order=order,
                       hold_talk=hold_talk)


_SCHEDULERS: weakref.WeakKeyDictionary[Any, dict[tuple[Any, ...], Prioritised | SharedBins]] = \
    weakref.WeakKeyDictionary()
_SCHEDULERS_LOCK = threading.Lock()


def scheduler_of(engine: Recognizer, options: AnalyzerOptions) -> Prioritised | SharedBins:
    """The one scheduler of every line of this process on ``engine`` (the listener's and
    lines a program runs itself, :class:`~analyzer.stream.StreamAnalyzer` without a
    recognizer): made once per engine and these options' ``stream.partial_speakers``,
    ``pack.share``, engine cap, ``stream.again_hold_lag``, ``stream.first_order`` and
    ``stream.again_hold_talk``
    (:func:`line_recognizer`), so a line's second hearing gives way to every line's first
    hearings on that engine."""
    key = (tuple(options.stream.partial_speakers), options.pack.share,
           options.stream.at_once(options.asr.device), options.stream.again_hold_lag,
           options.stream.first_order, options.stream.again_hold_talk)
    with _SCHEDULERS_LOCK:
        mine = _SCHEDULERS.setdefault(engine, {})
        if key not in mine:
            mine[key] = line_recognizer(engine, *key)
        return mine[key]
