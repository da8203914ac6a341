"""``conduct stream --listen``: the listener — lines in, events out, finished calls stored.

Three doors, each on its own address (:class:`~analyzer.config.ListenConfig`):

* **lines** (WebSocket): the product's own line protocol
  (:mod:`analyzer.stream.line`: a JSON header, then audio frames; the events
  come back on the same socket, each with the line's ``call_id``), and
  FreeSWITCH ``mod_audio_fork`` on the path ``/audio_fork``
  (:mod:`analyzer.stream.pbx`);
* **the monitor** (WebSocket ``/monitor``), a read-only feed for supervisors
  that the review app's live page relays: first a ``lines`` snapshot of the
  lines in progress with their events so far, then every line's events as
  they happen, ``line`` when one opens and ``ended`` (score, grade, stored
  row) when it ends. Bind it where only the review app reaches;
* **AudioSocket** (TCP, optional): Asterisk's ``AudioSocket()`` application
  and channel (:mod:`analyzer.stream.pbx`).

Who may come in is :mod:`analyzer.stream.access`'s: a token per line source
and per monitor, an ``Origin`` check, AudioSocket peers by address.

Every line is held to its limits: a header within ``header_seconds``, audio
at least every ``idle_seconds``, at most ``max_call_seconds`` and
``max_call_bytes`` of it; a line that breaks one is ended with an ``error``
event and what it sent is analysed and kept. A bad header, a bad frame or a
dropped connection likewise end that line only.

A line's audio goes to disk the moment it arrives (:mod:`analyzer.stream.spool`)
and is read from there for the analysis, so a line that sends faster than it
is analysed costs disk, not memory, and a killed listener loses at most what
the operating system had not yet taken: the next start recovers the calls
left in the spool (:func:`analyzer.stream.record.recover`) before it takes
new lines. Each line's analysis (:class:`~analyzer.stream.live.StreamAnalyzer`,
its 16 kHz audio in a file too) runs in a worker thread; the lines share the
one recognition engine, the clerks' speech first (and, with
``pack.share = "any"``, the lines' waiting speech packed into one bin per
encoder pass: :mod:`analyzer.stream.scheduler`). One call at a time runs the end-of-call
analysis, so memory does not grow with the number of calls ending at once.
A finished call is written to the results database as the batch writes it
(:mod:`analyzer.stream.record`), then a ``stored`` event names its row; each
call is logged (``-v``): who sent it, its metadata, length, findings and
where it was stored.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import tempfile
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from analyzer.config import ListenConfig
from analyzer.errors import AnalyzerError, AudioError, require, shown
from analyzer.options import AnalyzerOptions
from analyzer.pipeline.result import AnalysisResult
from analyzer.speech.meta import CallMeta
from analyzer.stream.access import Access, Grant
from analyzer.stream.events import (
    EndedEvent,
    ErrorEvent,
    LineEvent,
    LineNotice,
    StoredEvent,
    StreamEvent,
)
from analyzer.stream.line import FrameDecoder, LineHeader
from analyzer.stream.link import (
    CLOSE_BAD,
    CLOSE_BUSY,
    CLOSE_ERROR,
    CLOSE_OK,
    End,
    Link,
    WebSocketLink,
    wire,
)
from analyzer.stream.live import StreamAnalyzer
from analyzer.stream.record import StoredCall
from analyzer.stream.spool import CallSpool, Spooled, pending

if TYPE_CHECKING:
    from websockets.asyncio.server import ServerConnection
    from websockets.http11 import Request, Response

    from analyzer.speech.tracks import Recognizer

logger = logging.getLogger("analyzer")

#: The path of the supervisors' feed.
MONITOR_PATH = "/monitor"
#: Events a line keeps for a monitor that connects while it is in progress.
HISTORY = 400
#: Events queued for one slow monitor before the oldest are dropped.
MONITOR_QUEUE = 2000
#: Most audio seconds read back from the spool and analysed in one step.
FEED_SECONDS = 5.0
@dataclass
class Session:
    """One line in progress: who sent it, its analysis, its spooled audio."""

    header: LineHeader
    source: str
    analyzer: StreamAnalyzer
    spool: CallSpool
    opened_at: float
    history: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=HISTORY))
    first_audio: float | None = None  # time.monotonic() of its first audio
    fed: int = 0  # spooled bytes analysed so far
    end: End | None = None
    arrived: asyncio.Event = field(default_factory=asyncio.Event)
    stored: StoredCall | None = None

    def clock(self) -> float:
        """Wall seconds since the line's first audio (the events' ``emitted_at``)."""
        return 0.0 if self.first_audio is None else time.monotonic() - self.first_audio

    def opened(self) -> LineEvent:
        """The ``line`` event of this line."""
        h = self.header
        return LineEvent(h.call_id, h.channel, h.channels, h.hall, h.window, h.staff)

    def summary(self) -> dict[str, Any]:
        """The line as a monitor's snapshot shows it: who it is, and its events so far."""
        line = self.opened().to_dict()
        del line["type"]
        return {**line, "events": list(self.history)}

    @property
    def spooled(self) -> Spooled:
        """Its spool as a finished call's audio."""
        return Spooled(self.header, self.source, self.spool.raw, self.opened_at)


@dataclass(frozen=True)
class Doors:
    """Where the listener took its doors (ports 0 resolved)."""

    lines: str
    monitor: str
    audiosocket: str = ""


class LiveServer:
    """The listener: lines in, events out, finished calls stored.

    Args:
        options: Analyzer options of every line.
        config: Where to listen, the limits, where finished calls go.
        access: Who may come in (default: no tokens, loopback binds only).
        recognizer: Hears every line (default: the engine for the options).
    """

    def __init__(self, options: AnalyzerOptions, config: ListenConfig,
                 access: Access | None = None, recognizer: Recognizer | None = None) -> None:
        require("websockets", "web")
        self.options = options
        self.config = config
        self.access = access or Access()
        self.access.require_safe_binds(config.binds())
        self.lines: dict[str, Session] = {}
        self._monitors: set[asyncio.Queue[dict[str, Any]]] = set()
        self._pool = ThreadPoolExecutor(max_workers=config.max_lines + 2,
                                        thread_name_prefix="conduct-line")
        self._stop: asyncio.Event | None = None
        self._ending: asyncio.Semaphore | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._temp: tempfile.TemporaryDirectory[str] | None = None
        self.spool_dir = config.spool() or self._scratch()
        self._recognizer = recognizer
        from analyzer.pipeline import get_lexicon

        self.lexicon = get_lexicon(options)

    def _scratch(self) -> Path:
        self._temp = tempfile.TemporaryDirectory(prefix="conduct-spool-")
        return Path(self._temp.name)

    def recognizer(self) -> Recognizer:
        """The one recognizer of every line, the clerks' requests first
        (:func:`~analyzer.stream.scheduler.scheduler_of` the engine)."""
        if self._recognizer is None:
            from analyzer.speech.engine import get_engine
            from analyzer.stream.scheduler import scheduler_of

            self._recognizer = scheduler_of(get_engine(self.options.asr, self.options.pack),
                                            self.options)
        return self._recognizer

    def warm(self) -> None:
        """Load the model, the VAD and the matcher before the first line comes."""
        for rate, channel in ((8000, "phone"), (16000, "counter")):
            warming = StreamAnalyzer(self.options, rate, 1, channel=channel,
                                     lexicon=self.lexicon, recognizer=self.recognizer())
            warming.warm()
            warming.release()  # not a line

    def recover(self) -> list[str]:
        """Keep the calls a killed listener left in the spool (before new lines come);
        what became of each, for the log."""
        from analyzer.stream.record import recover

        folder = self.config.recordings()
        done = []
        for call in pending(self.spool_dir):
            where = call.header.call_id
            if folder is None:
                logger.warning("call %s was left in the spool %s; no record folder to keep it "
                               "in (give --db)", where, self.spool_dir)
                continue
            try:
                kept = recover(call, self.config.db, folder, self.options)
            except (AnalyzerError, OSError) as exc:
                logger.error("call %s left in the spool could not be recovered: %s", where, exc)
                continue
            done.append(f"call {where} recovered from the spool: {kept}")
            logger.warning("%s", done[-1])
        return done

    def _make_folders(self) -> None:
        """The spool and the record folder exist before the first line (the review app's
        ``--recordings-root`` may name the record folder at once)."""
        from analyzer.errors import OptionError

        for folder in (self.spool_dir, self.config.recordings()):
            if folder is None:
                continue
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise OptionError(f"cannot make the listener's folder {folder}: {exc}") from None

    async def run(self, ready: Callable[[Doors], None] | None = None) -> None:
        """Serve until :meth:`stop`; ``ready`` gets the doors once they are open."""
        from websockets.asyncio.server import serve

        self._stop = asyncio.Event()
        self._ending = asyncio.Semaphore(1)
        c = self.config
        self._make_folders()
        async with serve(self._line_door, c.host, c.port, max_size=c.max_frame_bytes,
                         compression=None, process_request=self._check_line,
                         select_subprotocol=_subprotocol) as lines, \
                serve(self._monitor, c.monitor_host, c.monitor_port, compression=None,
                      max_size=1 << 16, process_request=self._check_monitor) as monitor:
            audiosocket = await self._audiosocket()
            doors = Doors(_url(lines), _url(monitor) + MONITOR_PATH,
                          "" if audiosocket is None else _address(audiosocket))
            logger.info("lines on %s; monitor feed on %s%s", doors.lines, doors.monitor,
                        f"; AudioSocket on {doors.audiosocket}" if doors.audiosocket else "")
            if ready is not None:
                ready(doors)
            await self._stop.wait()
            if audiosocket is not None:
                audiosocket.close()
            for task in list(self._tasks):  # the lines end and are stored first
                await task
        self._pool.shutdown(wait=True)
        _log_recognition(self._recognizer)
        if self._temp is not None:
            self._temp.cleanup()

    def stop(self) -> None:
        """Stop taking lines; the lines in progress end and are stored."""
        if self._stop is not None:
            self._stop.set()

    @property
    def stopping(self) -> bool:
        """True once :meth:`stop` was called."""
        return self._stop is not None and self._stop.is_set()

    # -- doors --------------------------------------------------------------

    def _check_line(self, ws: ServerConnection, request: Request) -> Response | None:
        if request.path.split("?")[0] == MONITOR_PATH:
            return ws.respond(404, "the monitor feed is on its own address\n")
        return self._check(ws, request, "line")

    def _check_monitor(self, ws: ServerConnection, request: Request) -> Response | None:
        if request.path.split("?")[0] != MONITOR_PATH:
            return ws.respond(404, f"the feed is {MONITOR_PATH}\n")
        return self._check(ws, request, "monitor")

    def _check(self, ws: ServerConnection, request: Request, kind: str) -> Response | None:
        decision = self.access.check(kind, request.headers, request.path)
        if decision.grant is None:
            logger.warning("%s refused from %s: %s", kind, _peer(ws), decision.reason)
            return ws.respond(decision.status, decision.reason + "\n")
        ws.grant = decision.grant  # type: ignore[attr-defined]
        return None

    async def _line_door(self, ws: ServerConnection) -> None:
        from analyzer.stream.pbx import FORK_PATH, fork_line

        grant: Grant = ws.grant  # type: ignore[attr-defined]
        path = ws.request.path if ws.request is not None else "/"
        if path.split("?")[0] == FORK_PATH:
            await fork_line(self, ws, grant, path)
            return
        link = WebSocketLink(ws, self.config.idle_seconds)
        header = await self._header(ws)
        if header is not None:
            await self.take(header, grant, link)

    async def _header(self, ws: ServerConnection) -> LineHeader | None:
        """The line's header, or None after refusing the line (error event, close)."""
        from websockets.exceptions import ConnectionClosed

        try:
            first = await asyncio.wait_for(ws.recv(), self.config.header_seconds)
            return LineHeader.parse(first)
        except TimeoutError:
            await _refuse(ws, None, f"no header within {self.config.header_seconds:g} s")
        except ConnectionClosed:
            pass
        except AudioError as exc:
            await _refuse(ws, None, str(exc))
        return None

    async def _audiosocket(self) -> asyncio.Server | None:
        if not self.config.audiosocket_host:
            return None
        from analyzer.stream.pbx import audiosocket_line

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            await audiosocket_line(self, reader, writer)

        return await asyncio.start_server(handle, self.config.audiosocket_host,
                                          self.config.audiosocket_port)

    # -- a line, whatever its protocol ----------------------------------------

    def refusal(self, header: LineHeader, grant: Grant) -> tuple[str, int] | None:
        """Why a line with this header is not taken now (message, close code), or None."""
        if self.stopping:
            return "the server is shutting down", CLOSE_BUSY
        if grant.halls and header.hall not in grant.halls:
            return (f"line source {grant.name} may not send calls of hall {header.hall!r}",
                    CLOSE_BAD)
        if header.call_id in self.lines:
            return f"call {header.call_id} is already live", CLOSE_BAD
        if len(self.lines) >= self.config.max_lines:
            return f"{self.config.max_lines} lines are live; try again later", CLOSE_BUSY
        return None

    async def take(self, header: LineHeader, grant: Grant, link: Link) -> None:
        """Run one line from its header to its stored report."""
        refused = self.refusal(header, grant)
        if refused is not None:
            await link.send(ErrorEvent(header.call_id, refused[0]).to_dict())
            await link.close(refused[1], refused[0][:120])
            return
        try:
            session = self._open(header, grant.name)
        except AudioError as exc:
            await link.send(ErrorEvent(header.call_id, str(exc)).to_dict())
            await link.close(CLOSE_BAD, shown(str(exc))[:120])
            return
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        self.lines[header.call_id] = session
        self._broadcast(session.opened().to_dict())
        _log_open(session)
        try:
            reader = asyncio.create_task(self._read(link, session))
            try:
                await self._pump(link, session)
            finally:
                reader.cancel()
            await self._finish(link, session)
        finally:
            self.lines.pop(header.call_id, None)
            session.analyzer.release()
            if task is not None:
                self._tasks.discard(task)

    def _open(self, header: LineHeader, source: str) -> Session:
        spool = CallSpool(self.spool_dir, header, source, time.time())
        session: Session
        analyzer = StreamAnalyzer(
            self.options, header.sample_rate, header.channels, channel=header.channel,
            interaction_id=header.call_id, lexicon=self.lexicon, recognizer=self.recognizer(),
            clock=lambda: session.clock(), spill=self.spool_dir,
            about=CallMeta(hall=header.hall, window=header.window, staff=header.staff,
                           started_at=header.started_at,
                           stereo_speakers=header.stereo_speakers))
        session = Session(header, source, analyzer, spool, spool.opened_at)
        return session

    async def _read(self, link: Link, session: Session) -> None:
        """Spool a line's frames as they come, within its limits, until it ends."""
        c, header = self.config, session.header
        width = (2 if header.encoding == "s16le" else 1) * header.channels
        most = min(c.max_call_bytes, int(c.max_call_seconds * header.sample_rate) * width)
        stop = asyncio.create_task(self._stop.wait()) if self._stop is not None else None
        try:
            while session.end is None:
                got = asyncio.create_task(asyncio.wait_for(link.receive(), c.idle_seconds))
                done, _ = await asyncio.wait({got} | ({stop} if stop else set()),
                                             return_when=asyncio.FIRST_COMPLETED)
                if got not in done:
                    got.cancel()
                    session.end = End(AudioError("the server is shutting down",
                                                 source=header.call_id))
                    break
                try:
                    item = got.result()
                except TimeoutError:
                    item = End(AudioError(f"no audio for {c.idle_seconds:g} s",
                                          source=header.call_id))
                if isinstance(item, End):
                    session.end = item
                    break
                if session.first_audio is None:
                    session.first_audio = time.monotonic()
                room = most - session.spool.bytes
                session.spool.write(item[:max(0, room)])
                if len(item) > room:
                    session.end = End(AudioError(
                        f"the call passed its limit of {c.max_call_seconds:g} s or "
                        f"{c.max_call_bytes} bytes of audio", source=header.call_id))
                session.arrived.set()
        except OSError as exc:  # the spool's disk failed: end the line, keep what was written
            session.end = End(AudioError(f"cannot spool the call's audio: {exc}",
                                         source=header.call_id))
        finally:
            if stop is not None:
                stop.cancel()
            session.arrived.set()

    async def _pump(self, link: Link, session: Session) -> None:
        """Analyse the spooled audio as it comes (a backlog in steps of ``FEED_SECONDS``),
        at least ``stream.feed_ms`` of it at a time while the line goes on."""
        header = session.header
        width = (2 if header.encoding == "s16le" else 1) * header.channels
        step = max(width, int(FEED_SECONDS * header.sample_rate) * width)
        least = int(self.options.stream.feed_ms * header.sample_rate / 1000) * width
        decoder = FrameDecoder(header)
        loop = asyncio.get_running_loop()
        with session.spool.raw.open("rb") as source:
            while True:
                await session.arrived.wait()
                session.arrived.clear()
                if not feed_due(session.spool.bytes - session.fed, least, session.end is not None):
                    continue  # the next frames first: one analysis step for several frames
                while session.fed < session.spool.bytes:
                    data = source.read(min(step, session.spool.bytes - session.fed))
                    session.fed += len(data)
                    samples = decoder.decode(data)
                    if not samples.size:
                        continue
                    try:
                        events = await loop.run_in_executor(self._pool, _fed, session.analyzer,
                                                            samples)
                    except AnalyzerError as exc:
                        if session.end is None or session.end.error is None:
                            session.end = End(exc, session.end is not None
                                              and session.end.dropped)
                        return
                    except Exception as exc:  # a fault in one line must not end the others
                        logger.exception("line %s failed", header.call_id)
                        session.end = End(AnalyzerError(f"analysis failed: {exc}",
                                                        source=header.call_id))
                        return
                    await self._send(link, session, events)
                if session.end is not None and session.fed >= session.spool.bytes:
                    return

    async def _finish(self, link: Link, session: Session) -> None:
        """Close the analysis, store the call, tell the line and the monitors."""
        assert self._ending is not None
        loop = asyncio.get_running_loop()
        call_id = session.header.call_id
        end = session.end or End()
        session.spool.close()
        if end.error is not None:
            await self._send(link, session, [ErrorEvent(call_id, str(end.error))])
        outcome: AnalysisResult | AnalyzerError
        async with self._ending:  # one end-of-call analysis at a time: bounded memory
            try:
                await self._send(link, session, await loop.run_in_executor(
                    self._pool, _closed, session.analyzer))
                outcome = session.analyzer.result if session.analyzer.result is not None \
                    else AnalyzerError("the call was not analysed", source=call_id)
            except AnalyzerError as exc:  # no speech, say: the call is kept as an error row
                await self._send(link, session, [ErrorEvent(call_id, str(exc))])
                outcome = exc
        stored = await loop.run_in_executor(self._pool, self._store, session, outcome)
        report = session.analyzer.report
        pk = stored.interaction if isinstance(stored, StoredEvent) else None
        ended = EndedEvent(call_id, end.dropped, None if report is None else report.score,
                           None if report is None else report.grade, pk,
                           None if report is None else report.rings)
        await self._send(link, session, [x for x in (stored, ended) if x is not None])
        _log_end(session, end, outcome, stored)
        if end.error is not None:  # the line broke a rule or dropped: say which
            await link.close(CLOSE_BAD, shown(str(end.error))[:120])
        elif isinstance(outcome, AnalyzerError):
            await link.close(CLOSE_ERROR, "analysis failed")
        else:
            await link.close(CLOSE_OK, "")

    def _store(self, session: Session, outcome: AnalysisResult | AnalyzerError
               ) -> StoredEvent | ErrorEvent | None:
        """Write the finished call to the results database (None when not configured,
        or when it could not be analysed: its recording and error row are kept)."""
        folder = self.config.recordings()
        if self.config.db is None or folder is None or not session.spool.bytes:
            session.spool.remove()
            return None
        from analyzer.stream.record import store_call

        try:
            kept = store_call(self.config.db, folder, session.spooled, self.options, outcome)
        except (AnalyzerError, OSError) as exc:
            logger.error("call %s could not be stored (its audio stays in %s): %s",
                         session.header.call_id, session.spool.raw, exc)
            return ErrorEvent(session.header.call_id, f"the call could not be stored: {exc}")
        session.spool.remove()
        session.stored = kept
        if kept.failed:
            return None
        return StoredEvent(session.header.call_id, kept.pk, str(kept.recording))

    async def _send(self, link: Link, session: Session,
                    events: list[StreamEvent | LineNotice]) -> None:
        """Send events (each with the line's ``call_id``) to the line, if it still
        listens, and to the monitors."""
        for item in events:
            event = {**item.to_dict(), "call_id": session.header.call_id}
            await link.send(event)
            if event["type"] == "report":
                continue  # the monitors get the short ``ended`` event instead
            session.history.append(event)
            self._broadcast(event)

    # -- monitors ---------------------------------------------------------

    async def _monitor(self, ws: ServerConnection) -> None:
        from websockets.exceptions import ConnectionClosed

        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(MONITOR_QUEUE)
        self._monitors.add(queue)

        async def send() -> None:
            with contextlib.suppress(ConnectionClosed):
                await ws.send(wire({"type": "lines", "lines": [
                    s.summary() for s in self.lines.values()]}))
                while True:
                    await ws.send(wire(await queue.get()))

        sender = asyncio.create_task(send())
        try:
            await ws.wait_closed()  # the monitor left, or the server is closing
        finally:
            sender.cancel()
            self._monitors.discard(queue)

    def _broadcast(self, event: dict[str, Any]) -> None:
        for queue in self._monitors:
            if queue.full():
                queue.get_nowait()  # a slow monitor loses the oldest events, not the line
            queue.put_nowait(event)


def feed_due(unfed: int, least: int, ended: bool) -> bool:
    """Whether a line's ``unfed`` spooled bytes go to its analysis now: once they hold
    ``least`` bytes (``stream.feed_ms``; 0: any), or the line has ended (its rest goes at
    once, and the line is finished).

    Each analysis step runs the line's front end (resampling, ring tones, the crosstalk
    gate, the VAD) and a hop to the line's thread; the shipped client sends 20 ms frames,
    and a step per frame cost a line's front end alone twice the CPU of 0.1 s steps
    (0.024 against 0.012 CPU s per call-second, scripted call-a)."""
    return ended or unfed >= max(least, 1)


def _fed(analyzer: StreamAnalyzer, samples: Any) -> list[StreamEvent | LineNotice]:
    """The events of one chunk (run on a worker thread)."""
    return list(analyzer.feed(samples))


def _closed(analyzer: StreamAnalyzer) -> list[StreamEvent | LineNotice]:
    """The events of a line's end (run on a worker thread)."""
    return list(analyzer.close())


def _subprotocol(ws: ServerConnection, offered: Any) -> Any:
    """Accept mod_audio_fork's sub-protocol when offered (none otherwise)."""
    from analyzer.stream.pbx import FORK_SUBPROTOCOLS

    return next((p for p in offered if p in FORK_SUBPROTOCOLS), None)


async def _refuse(ws: ServerConnection, call_id: str | None, message: str,
                  code: int = CLOSE_BAD) -> None:
    """Tell a line why it is refused and close it."""
    from websockets.exceptions import ConnectionClosed

    with contextlib.suppress(ConnectionClosed):
        await ws.send(wire(ErrorEvent(call_id, message).to_dict()))
        await ws.close(code, shown(message)[:120])


def _url(server: Any) -> str:
    host, port = next(iter(server.sockets)).getsockname()[:2]
    return f"ws://{_host(host)}:{port}"


def _address(server: asyncio.Server) -> str:
    host, port = server.sockets[0].getsockname()[:2]
    return f"tcp://{_host(host)}:{port}"


def _host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def _peer(ws: ServerConnection) -> str:
    try:
        return str(ws.remote_address[0])
    except (TypeError, IndexError):
        return "?"


def _log_open(session: Session) -> None:
    h = session.header
    logger.info("line %s opened by %s: %s, %d ch, %d Hz %s, hall %r, window %r, staff %r%s",
                h.call_id, session.source, h.channel, h.channels, h.sample_rate, h.encoding,
                h.hall, h.window, h.staff, f", started {h.started_at}" if h.started_at else "")


def _log_end(session: Session, end: End, outcome: AnalysisResult | AnalyzerError,
             stored: StoredEvent | ErrorEvent | None) -> None:
    h = session.header
    seconds = session.analyzer.now
    how = "dropped" if end.dropped else ("ended" if end.error is None else
                                         f"ended ({shown(str(end.error))})")
    if isinstance(outcome, AnalyzerError):
        what = f"not analysed: {shown(str(outcome))}"
    else:
        rules = sorted({f.rule for f in outcome.report.findings})
        what = (f"score {outcome.report.score:g} ({outcome.report.grade}), "
                f"{len(outcome.report.findings)} finding(s) {', '.join(rules) or '-'}")
    kept = session.stored
    where = ("not stored (no --db)" if stored is None and kept is None
             else f"stored as interaction {kept.pk} ({kept.recording})" if kept is not None
             and not kept.failed else f"kept as error row {kept.pk} ({kept.recording})"
             if kept is not None else "NOT stored")
    logger.info("call %s from %s %s after %.1f s: %s; %s", h.call_id, session.source, how,
                seconds, what, where)


def _log_recognition(recognizer: Any) -> None:
    """What recognition cost while the listener ran (with ``-v``)."""
    shared = getattr(recognizer, "counts", None)
    engine = getattr(recognizer, "recognizer", None)
    timings = getattr(engine, "timings", None)
    if shared is None or timings is None:
        return
    logger.info("recognition: %s; %s", ", ".join(f"{k} {v:g}" for k, v in shared.items()),
                ", ".join(f"{k} {v:.1f}" for k, v in sorted(timings.items())))
