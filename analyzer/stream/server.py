"""``conduct stream --listen``: a WebSocket server, one connection per line.

A line (any path but ``/monitor``) sends its header, then audio
(:mod:`analyzer.stream.line`); its events come back on the same socket as
JSON text frames, each with the line's ``call_id``. A bad header, a bad
frame or a dropped connection give an ``error`` event (where the socket
still takes one) and end that line only: what had arrived is still
analysed and kept. A finished call is written to the results database as
the batch writes it (:mod:`analyzer.stream.record`), then a ``stored``
event names its row.

``/monitor`` is a read-only feed for supervisors (the review app's live
page relays it): first a ``lines`` snapshot of the lines in progress with
their events so far, then every line's events as they happen, ``line``
when one opens and ``ended`` (score, grade, stored row) when it ends.

Each line's analysis (:class:`~analyzer.stream.live.StreamAnalyzer`) runs in
a worker thread; lines share the one recognition engine, so their bins
are recognised in batches. Audio that arrived while a line was busy is
fed at once, in one piece, so a slow recognition is caught up with.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.config import ListenConfig
from analyzer.errors import AnalyzerError, AudioError, require, shown
from analyzer.options import AnalyzerOptions
from analyzer.pipeline.result import AnalysisResult
from analyzer.speech.meta import CallMeta
from analyzer.stream.events import (
    EndedEvent,
    ErrorEvent,
    LineEvent,
    LineNotice,
    StoredEvent,
    StreamEvent,
)
from analyzer.stream.line import FrameDecoder, LineHeader
from analyzer.stream.live import StreamAnalyzer

if TYPE_CHECKING:
    from websockets.asyncio.server import ServerConnection

logger = logging.getLogger("analyzer")

#: The path of the supervisors' feed.
MONITOR_PATH = "/monitor"
#: Events a line keeps for a monitor that connects while it is in progress.
HISTORY = 400
#: Events queued for one slow monitor before the oldest are dropped.
MONITOR_QUEUE = 2000
#: Close codes: normal, a protocol problem (bad header or frame), server error, too many lines.
CLOSE_OK, CLOSE_BAD, CLOSE_ERROR, CLOSE_BUSY = 1000, 1008, 1011, 1013


@dataclass
class _Call:
    """One line in progress."""

    header: LineHeader
    analyzer: StreamAnalyzer
    decoder: FrameDecoder
    audio: list[np.ndarray] = field(default_factory=list)
    history: deque[dict[str, Any]] = field(default_factory=lambda: deque(maxlen=HISTORY))
    first_audio: float | None = None  # time.monotonic() of its first audio

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


@dataclass
class _End:
    """Why a line's audio stopped: None (the line ended it) or the error to report."""

    error: AnalyzerError | None = None
    dropped: bool = False


class LiveServer:
    """The listener: lines in, events out, finished calls stored.

    Args:
        options: Analyzer options of every line.
        config: Where to listen and where finished calls go.
    """

    def __init__(self, options: AnalyzerOptions, config: ListenConfig) -> None:
        require("websockets", "web")
        self.options = options
        self.config = config
        self.lines: dict[str, _Call] = {}
        self._monitors: set[asyncio.Queue[dict[str, Any]]] = set()
        self._pool = ThreadPoolExecutor(max_workers=config.max_lines + 1,
                                        thread_name_prefix="conduct-line")
        self._stop: asyncio.Event | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        from analyzer.pipeline import get_lexicon

        self.lexicon = get_lexicon(options)

    def warm(self) -> None:
        """Load the model, the VAD and the matcher before the first line comes."""
        StreamAnalyzer(self.options, 8000, 1, lexicon=self.lexicon).warm()
        StreamAnalyzer(self.options, 16000, 1, channel="counter", lexicon=self.lexicon).warm()

    async def run(self, ready: Callable[[int], None] | None = None) -> None:
        """Serve until :meth:`stop`; ``ready`` gets the port once listening."""
        from websockets.asyncio.server import serve

        self._stop = asyncio.Event()
        async with serve(self._handle, self.config.host, self.config.port,
                         max_size=self.config.max_frame_bytes, compression=None) as server:
            port = next(iter(server.sockets)).getsockname()[1]
            logger.info("listening on ws://%s:%d", self.config.host, port)
            if ready is not None:
                ready(port)
            await self._stop.wait()
            for call_task in list(self._tasks):  # the lines end and are stored first
                await call_task
        self._pool.shutdown(wait=True)

    def stop(self) -> None:
        """Stop taking lines; the lines in progress end and are stored."""
        if self._stop is not None:
            self._stop.set()

    # -- connections ------------------------------------------------------

    async def _handle(self, ws: ServerConnection) -> None:
        if ws.request is not None and ws.request.path == MONITOR_PATH:
            await self._monitor(ws)
            return
        task = asyncio.current_task()
        if task is not None:
            self._tasks.add(task)
        try:
            await self._line(ws)
        finally:
            if task is not None:
                self._tasks.discard(task)

    async def _line(self, ws: ServerConnection) -> None:
        header = await self._header(ws)
        if header is None:
            return
        call = self._open(header)
        self.lines[header.call_id] = call
        self._broadcast(call.opened().to_dict())
        try:
            end = await self._pump(ws, call)
            await self._finish(ws, call, end)
        finally:
            self.lines.pop(header.call_id, None)

    async def _header(self, ws: ServerConnection) -> LineHeader | None:
        """The line's header, or None after refusing the line (error event, close)."""
        from websockets.exceptions import ConnectionClosed

        try:
            first = await asyncio.wait_for(ws.recv(), self.config.header_seconds)
            header = LineHeader.parse(first)
        except TimeoutError:
            await _refuse(ws, None, f"no header within {self.config.header_seconds:g} s")
            return None
        except ConnectionClosed:
            return None
        except AudioError as exc:
            await _refuse(ws, None, str(exc))
            return None
        if self._stop is not None and self._stop.is_set():
            await _refuse(ws, header.call_id, "the server is shutting down", CLOSE_BUSY)
            return None
        if header.call_id in self.lines:
            await _refuse(ws, header.call_id, f"call {header.call_id} is already live")
            return None
        if len(self.lines) >= self.config.max_lines:
            await _refuse(ws, header.call_id, f"{self.config.max_lines} lines are live; "
                          "try again later", CLOSE_BUSY)
            return None
        return header

    def _open(self, header: LineHeader) -> _Call:
        call: _Call
        analyzer = StreamAnalyzer(
            self.options, header.sample_rate, header.channels, channel=header.channel,
            interaction_id=header.call_id, lexicon=self.lexicon, clock=lambda: call.clock(),
            about=CallMeta(hall=header.hall, window=header.window, staff=header.staff,
                           started_at=header.started_at))
        call = _Call(header, analyzer, FrameDecoder(header))
        return call

    async def _pump(self, ws: ServerConnection, call: _Call) -> _End:
        """Feed the line's audio as it comes, until it ends; why it ended."""
        queue: asyncio.Queue[bytes | _End] = asyncio.Queue()
        reader = asyncio.create_task(_read(ws, queue, self._stop))
        try:
            while True:
                items = [await queue.get()]
                while not queue.empty():
                    items.append(queue.get_nowait())
                frames = [x for x in items if isinstance(x, bytes)]
                end = next((x for x in items if isinstance(x, _End)), None)
                if frames:
                    try:
                        await self._feed(ws, call, b"".join(frames))
                    except AnalyzerError as exc:
                        return _End(exc)
                    except Exception as exc:  # a fault in one line must not end the others
                        logger.exception("line %s failed", call.header.call_id)
                        return _End(AnalyzerError(f"analysis failed: {exc}",
                                                  source=call.header.call_id))
                if end is not None:
                    return end
        finally:
            reader.cancel()

    async def _feed(self, ws: ServerConnection, call: _Call, data: bytes) -> None:
        if call.first_audio is None:
            call.first_audio = time.monotonic()
        samples = call.decoder.decode(data)
        if not samples.size:
            return
        call.audio.append(samples)
        loop = asyncio.get_running_loop()
        events = await loop.run_in_executor(self._pool, _fed, call.analyzer, samples)
        await self._send(ws, call, events)

    async def _finish(self, ws: ServerConnection, call: _Call, end: _End) -> None:
        """Close the analysis, store the call, tell the line and the monitors."""
        loop = asyncio.get_running_loop()
        call_id = call.header.call_id
        if end.error is not None:
            await self._send(ws, call, [ErrorEvent(call_id, str(end.error))])
        outcome: AnalysisResult | AnalyzerError
        try:
            await self._send(ws, call, await loop.run_in_executor(self._pool, _closed,
                                                                  call.analyzer))
            outcome = call.analyzer.result if call.analyzer.result is not None else \
                AnalyzerError("the call was not analysed", source=call_id)
        except AnalyzerError as exc:  # no speech, say: the call is kept as an error row
            await self._send(ws, call, [ErrorEvent(call_id, str(exc))])
            outcome = exc
        stored = await loop.run_in_executor(self._pool, self._store, call, outcome)
        report = call.analyzer.report
        pk = stored.interaction if isinstance(stored, StoredEvent) else None
        ended = EndedEvent(call_id, end.dropped, None if report is None else report.score,
                           None if report is None else report.grade, pk)
        await self._send(ws, call, [x for x in (stored, ended) if x is not None])
        if isinstance(outcome, AnalyzerError):
            await ws.close(CLOSE_ERROR, "analysis failed")
            return
        code = CLOSE_OK if end.error is None else CLOSE_BAD
        await ws.close(code, "" if end.error is None else shown(str(end.error))[:120])

    def _store(self, call: _Call, outcome: AnalysisResult | AnalyzerError
               ) -> StoredEvent | ErrorEvent | None:
        """Write the finished call to the results database (None when not configured,
        or when it could not be analysed: its recording and error row are kept)."""
        folder = self.config.recordings()
        if self.config.db is None or folder is None or not call.audio:
            return None
        from analyzer.stream.record import store_call

        try:
            kept = store_call(self.config.db, folder, call.header, np.concatenate(call.audio),
                              self.options, outcome)
        except (AnalyzerError, OSError) as exc:
            logger.error("call %s could not be stored: %s", call.header.call_id, exc)
            return ErrorEvent(call.header.call_id, f"the call could not be stored: {exc}")
        if kept.failed:
            logger.info("call %s kept as error %d (%s)", call.header.call_id, kept.pk,
                        kept.recording)
            return None
        logger.info("call %s stored as interaction %d (%s)", call.header.call_id, kept.pk,
                    kept.recording)
        return StoredEvent(call.header.call_id, kept.pk, str(kept.recording))

    async def _send(self, ws: ServerConnection, call: _Call, events: list[StreamEvent | LineNotice]) -> None:
        """Send events (each with the line's ``call_id``) to the line, if it still
        listens, and to the monitors."""
        from websockets.exceptions import ConnectionClosed

        for item in events:
            event = {**item.to_dict(), "call_id": call.header.call_id}
            with contextlib.suppress(ConnectionClosed):  # gone: still analysed and stored
                await ws.send(json.dumps(event, ensure_ascii=False))
            if event["type"] == "report":
                continue  # the monitors get the short ``ended`` event instead
            call.history.append(event)
            self._broadcast(event)

    # -- monitors ---------------------------------------------------------

    async def _monitor(self, ws: ServerConnection) -> None:
        from websockets.exceptions import ConnectionClosed

        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(MONITOR_QUEUE)
        self._monitors.add(queue)

        async def send() -> None:
            with contextlib.suppress(ConnectionClosed):
                await ws.send(json.dumps({"type": "lines", "lines": [
                    c.summary() for c in self.lines.values()]}, ensure_ascii=False))
                while True:
                    await ws.send(json.dumps(await queue.get(), ensure_ascii=False))

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


async def _read(ws: ServerConnection, queue: asyncio.Queue[bytes | _End], stop: asyncio.Event | None) -> None:
    """Put a line's audio frames on ``queue``, then why it ended."""
    from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK

    stopping = asyncio.create_task(stop.wait()) if stop is not None else None
    try:
        while True:
            receiving = asyncio.create_task(ws.recv())
            waiting = {receiving} if stopping is None else {receiving, stopping}
            done, _ = await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
            if receiving not in done:
                receiving.cancel()
                queue.put_nowait(_End(AudioError("the server is shutting down",
                                                 source="line")))
                return
            msg = receiving.result()
            if isinstance(msg, bytes):
                queue.put_nowait(msg)
                continue
            end = _control(msg)
            if end is not None:
                queue.put_nowait(end)
                return
    except ConnectionClosedOK:
        queue.put_nowait(_End())
    except ConnectionClosedError as exc:
        queue.put_nowait(_End(AudioError(f"the connection dropped ({exc})", source="line"),
                              dropped=True))
    finally:
        if stopping is not None:
            stopping.cancel()


def _control(text: str) -> _End | None:
    """A text frame after the header: ``{"type": "end"}`` ends the call; anything else is bad."""
    try:
        data = json.loads(text)
    except ValueError:
        data = None
    if isinstance(data, dict) and data.get("type") == "end":
        return _End()
    return _End(AudioError(f'a text frame after the header must be {{"type": "end"}}, '
                           f"got {shown(text)[:80]!r}", source="line"))


def _fed(analyzer: StreamAnalyzer, samples: np.ndarray) -> list[StreamEvent | LineNotice]:
    """The events of one chunk (run on a line's worker thread)."""
    return list(analyzer.feed(samples))


def _closed(analyzer: StreamAnalyzer) -> list[StreamEvent | LineNotice]:
    """The events of a line's end (run on a line's worker thread)."""
    return list(analyzer.close())


async def _refuse(ws: ServerConnection, call_id: str | None, message: str, code: int = CLOSE_BAD) -> None:
    """Tell a line why it is refused and close it."""
    from websockets.exceptions import ConnectionClosed

    try:
        await ws.send(json.dumps(ErrorEvent(call_id, message).to_dict(), ensure_ascii=False))
        await ws.close(code, message[:120])
    except ConnectionClosed:
        pass
