"""The line client: a recording, a pipe or a sound device sent to a listener as one line.

``conduct line send SOURCE ws://HOST:PORT`` (:mod:`analyzer.cli.line`) speaks the
listener's line protocol (:mod:`analyzer.stream.line`) so a hall needs no code
of its own: it sends the header (from the options and the recording's
sidecar), then the audio in frames of ``chunk_ms`` — paced at the audio's own
rate (a live line; the default for files), or as fast as the listener takes
them (``pace="fast"``: the socket's flow control holds the sender back) —
then ``{"type": "end"}``, and hands every event that comes back to a callback
until the listener closes the line. The token goes as
``Authorization: Bearer``.

Sources (:func:`open_source`):

* a recording any path of the analyzer reads (WAV, FLAC, MP3, OGG/Opus...),
  decoded by the one decoder (:func:`analyzer.speech.decode.decode_audio`)
  at the line's rate, with its sidecar's metadata;
* ``-``: raw interleaved s16le PCM on standard input (``rate``, ``channels``);
* a sound device, ``FORMAT:NAME`` as ffmpeg names its input devices
  (``alsa:default``, ``pulse:default``, ``avfoundation::0``,
  ``dshow:audio=Microphone``; ``lavfi:sine=frequency=440:duration=5`` is a
  virtual one), read through PyAV at its own pace until it ends or the
  client is stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from analyzer.errors import AudioError, require
from analyzer.speech.meta import CallMeta
from analyzer.stream.line import LineHeader, encode_samples


@dataclass
class Source:
    """What a line sends: int16 interleaved chunks at a rate, and what is known of it.

    Attributes:
        chunks: The audio, ``chunk`` seconds at a time (1-D int16, interleaved).
        rate: Sample rate (Hz).
        channels: 1 or 2.
        chunk: Seconds per chunk.
        live: The source keeps its own pace (a device): never paced again.
        meta: The recording's sidecar metadata (empty for a pipe or a device).
        name: A name for the call id when none is given.
    """

    chunks: Iterator[np.ndarray]
    rate: int
    channels: int
    chunk: float
    live: bool = False
    meta: CallMeta = field(default_factory=CallMeta)
    name: str = "line"


def open_source(source: str, *, rate: int | None = None, channels: int = 1,
                chunk_ms: int = 20) -> Source:
    """The audio of ``source`` (see the module docstring), at ``rate`` Hz.

    Args:
        source: A recording, ``-`` (raw s16le on standard input) or ``FORMAT:NAME`` of a
            sound device.
        rate: Rate to send (a recording is resampled to it; default 16000, or
            the raw input's and the device's 16000).
        channels: Channels of raw input or of the device (a recording keeps its own).
        chunk_ms: Milliseconds per frame.

    Raises:
        AudioError: No such file, not audio, or a device that cannot be opened.
    """
    seconds = chunk_ms / 1000.0
    out_rate = rate or 16000
    if source == "-":
        return Source(_raw(sys.stdin.buffer, out_rate, channels, seconds), out_rate, channels,
                      seconds, name="stdin")
    path = Path(source)
    if not path.exists() and ":" in source:
        return _device(source, out_rate, channels, seconds)
    from analyzer.speech.decode import decode_audio
    from analyzer.speech.meta import read_sidecar

    audio = decode_audio(path, out_rate)
    if audio.channels not in (1, 2):
        raise AudioError(f"a line has 1 or 2 channels, the recording has {audio.channels}",
                         source=source)
    ints = (np.clip(audio.samples, -1.0, 1.0) * 32767.0).round().astype(np.int16)
    step = max(1, int(out_rate * seconds))
    chunks = (ints[:, i:i + step].T.ravel() for i in range(0, ints.shape[1], step))
    return Source(chunks, out_rate, audio.channels, seconds, meta=read_sidecar(path),
                  name=path.stem)


def _raw(handle: BinaryIO, rate: int, channels: int, seconds: float) -> Iterator[np.ndarray]:
    size = max(2 * channels, int(rate * seconds) * 2 * channels)
    rest = b""
    while data := handle.read(size):
        data = rest + data
        usable = len(data) - len(data) % (2 * channels)
        rest = data[usable:]
        yield np.frombuffer(data[:usable], dtype="<i2").astype(np.int16)


def _device(source: str, rate: int, channels: int, seconds: float) -> Source:
    """A sound device through PyAV (``FORMAT:NAME``)."""
    av = require("av")
    fmt, _, name = source.partition(":")
    try:
        container = av.open(name, format=fmt, mode="r")
    except (av.error.FFmpegError, ValueError) as exc:
        raise AudioError(f"cannot open the sound device ({exc})", source=source) from exc
    if not container.streams.audio:
        container.close()
        raise AudioError("the device gives no audio", source=source)

    def chunks() -> Iterator[np.ndarray]:
        layout = "mono" if channels == 1 else "stereo"
        resampler = av.AudioResampler(format="s16", layout=layout, rate=rate)
        step = max(1, int(rate * seconds)) * channels
        pending = np.zeros(0, dtype=np.int16)
        with container:
            for frame in container.decode(container.streams.audio[0]):
                for out in resampler.resample(frame):
                    pending = np.concatenate([pending, out.to_ndarray().ravel()])
                    while pending.size >= step:
                        yield pending[:step]
                        pending = pending[step:]
        if pending.size:
            yield pending

    live = fmt != "lavfi"  # a real device keeps time; a virtual one is paced like a file
    return Source(chunks(), rate, channels, seconds, live=live, name=fmt)


def header_for(source: Source, *, call_id: str | None = None, encoding: str = "s16le",
               **given: Any) -> LineHeader:
    """The line's header: the options given, else the recording's sidecar.

    Raises:
        AudioError: A field the header refuses (the message names it).
    """
    meta = source.meta
    fields: dict[str, Any] = {
        "call_id": call_id or meta.id or source.name, "sample_rate": source.rate,
        "channels": source.channels, "encoding": encoding,
        "channel": given.get("channel") or meta.channel or "phone"}
    for key in ("hall", "window", "staff", "started_at"):
        value = given.get(key) or getattr(meta, key)
        if value:
            fields[key] = value
    speakers = given.get("stereo_speakers") or meta.stereo_speakers
    if speakers and source.channels == 2:
        fields["stereo_speakers"] = list(speakers)
    return LineHeader.parse(json.dumps(fields, ensure_ascii=False))


@dataclass
class Sent:
    """What became of a line: the events that came back and how the listener closed it.

    Attributes:
        events: Every event, in order.
        close_code: The WebSocket close code (1000: ended normally).
        close_reason: Its reason.
        seconds: Audio seconds sent.
        started: ``time.monotonic()`` when the first frame went (audio second ``t``
            is sent at ``started + t`` when paced in real time).
        arrived: ``time.monotonic()`` of each event's arrival, in order.
    """

    events: list[dict[str, Any]] = field(default_factory=list)
    close_code: int | None = None
    close_reason: str = ""
    seconds: float = 0.0
    started: float = 0.0
    arrived: list[float] = field(default_factory=list)

    @property
    def stored(self) -> int | None:
        """The stored interaction's row (None when the call was not stored)."""
        return next((e["interaction"] for e in self.events if e.get("type") == "stored"), None)

    @property
    def errors(self) -> list[str]:
        """The ``error`` events' messages."""
        return [str(e.get("message", "")) for e in self.events if e.get("type") == "error"]


async def send_line(url: str, header: LineHeader, source: Source, *, token: str = "",
                    pace: str = "realtime", on_event: Callable[[dict[str, Any]], None]
                    | None = None, open_timeout: float = 10.0) -> Sent:
    """Send one line and collect its events until the listener closes it.

    Args:
        url: The listener's lines address (``ws://HOST:PORT``).
        header: The line's header.
        source: Its audio.
        token: The line source's token (``Authorization: Bearer``).
        pace: ``realtime`` (the audio's own rate) or ``fast`` (as fast as taken).
        on_event: Called with each event as it arrives.
        open_timeout: Seconds to wait for the connection.

    Raises:
        AudioError: The listener refused the connection (no or a wrong token, an
            origin, a bad address) or cannot be reached.
    """
    websockets = require("websockets", "web")
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed, InvalidStatus, WebSocketException

    headers = {"Authorization": f"Bearer {token}"} if token else None
    sent = Sent()
    try:
        ws = await connect(url, additional_headers=headers, max_size=None,
                           open_timeout=open_timeout, compression=None)
    except InvalidStatus as exc:
        status = exc.response.status_code
        body = exc.response.body.decode("utf-8", "replace").strip() if exc.response.body else ""
        raise AudioError(f"the listener refused the line: HTTP {status} {body}".strip(),
                         source=url) from None
    except (OSError, TimeoutError, WebSocketException) as exc:
        raise AudioError(f"cannot reach the listener: {exc}", source=url) from None
    del websockets
    async with ws:
        async def receive() -> None:
            with contextlib.suppress(ConnectionClosed):
                async for message in ws:
                    event = json.loads(message)
                    sent.arrived.append(time.monotonic())
                    sent.events.append(event)
                    if on_event is not None:
                        on_event(event)

        receiving = asyncio.create_task(receive())
        with contextlib.suppress(ConnectionClosed):  # the listener may end the line first
            await ws.send(json.dumps(header.to_dict(), ensure_ascii=False))
            await _frames(ws, header, source, pace, sent, receiving)
            await ws.send(json.dumps({"type": "end"}))
        await receiving
        sent.close_code, sent.close_reason = ws.close_code, ws.close_reason or ""
    return sent


async def _frames(ws: Any, header: LineHeader, source: Source, pace: str, sent: Sent,
                  receiving: asyncio.Task[None]) -> None:
    """Send the audio frames, paced as asked; stop early when the listener ends the line.

    A chunk is sent when its last sample would have been spoken (``realtime``);
    a pipe or a device is read on a thread (it blocks), a file in place.
    """
    import threading

    loop = asyncio.get_running_loop()
    start = sent.started = time.monotonic()
    queue: asyncio.Queue[np.ndarray | None] = asyncio.Queue(maxsize=64)
    stop = threading.Event()

    def produce() -> None:
        try:
            for chunk in source.chunks:
                if stop.is_set():
                    return
                asyncio.run_coroutine_threadsafe(queue.put(chunk), loop).result()
        except BaseException as exc:  # handed to the sender: a pipe or device failed
            failed.append(exc)
        finally:
            if not stop.is_set():
                asyncio.run_coroutine_threadsafe(queue.put(None), loop).result()

    failed: list[BaseException] = []
    # a daemon thread: a device that never ends must not keep the process alive
    threading.Thread(target=produce, name="conduct-line-source", daemon=True).start()
    samples = 0
    try:
        while (chunk := await queue.get()) is not None:
            if receiving.done():
                break  # the listener closed the line
            count = chunk.size // header.channels
            if pace == "realtime" and not source.live:
                due = start + (samples + count) / header.sample_rate
                await asyncio.sleep(max(0.0, due - time.monotonic()))
            await ws.send(encode_samples(chunk, header.encoding))
            samples += count
            sent.seconds = samples / header.sample_rate
    finally:
        stop.set()
        while not queue.empty():  # let a producer blocked on a full queue see the stop
            queue.get_nowait()
    if failed:
        raise AudioError(f"reading the source failed: {failed[0]}", source="line")
