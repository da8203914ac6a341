"""``conduct stream``: live analysis of a line or a recording, JSON Lines events out.

SOURCE is raw 16-bit PCM (``-`` for standard input, or a ``.raw``/``.pcm``
file, with ``--rate`` and ``--channels``), or any recording ``conduct
analyze`` reads (WAV, FLAC, MP3, OGG/Opus...), decoded by the same decoder
(:func:`analyzer.speech.decode.decode_audio`) and with the same sidecar
metadata (:func:`analyzer.speech.meta.read_sidecar`); a file that
cannot be decoded is refused (exit 2).
"""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

import click
import numpy as np

from analyzer.errors import AudioError
from analyzer.speech.meta import CallMeta


@click.command("stream")
@click.argument("source", default="-", type=click.Path(allow_dash=True))
@click.option("--rate", type=int, default=16000, show_default=True,
              help="Sample rate of the raw s16le PCM (a WAV file's header wins).")
@click.option("--channels", type=click.IntRange(1, 2), default=1, show_default=True,
              help="1 (mono) or 2 (stereo: channel 0 staff, channel 1 citizen by default).")
@click.option("--realtime", is_flag=True,
              help="Pace the input at its real rate (simulates a live line from a file).")
@click.option("--channel", type=click.Choice(["phone", "counter"]), default=None,
              help="Phone calls are checked for rings and hang-ups (default: the sidecar's "
                   "channel, else phone).")
@click.option("--id", "interaction_id", default=None, help="Id of the final report.")
@click.option("--chunk-ms", type=click.IntRange(10, 2000), default=100, show_default=True,
              help="Read size in milliseconds of audio.")
@click.option("--model", default=None, help="Another CTranslate2 Whisper model folder.")
@click.option("--lexicon", "lexicons", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A hall's lexicon file layered over the shipped one (repeatable).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override an option by its dotted name, e.g. stream.partial_interval=0.5.")
@click.option("--listen", metavar="HOST:PORT", default=None,
              help="Be a WebSocket server, one connection per line (SOURCE is not read); "
                   "port 0 takes a free one. /monitor is the supervisors' feed.")
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="With --listen: write each finished call to this results database.")
@click.option("--record-dir", type=click.Path(file_okay=False), default=None,
              help="With --listen --db: folder for the calls' recordings "
                   "(default: live-calls beside the database).")
@click.option("--max-lines", type=click.IntRange(1, 1024), default=32, show_default=True,
              help="With --listen: lines analyzed at once.")
def stream(source: str, rate: int, channels: int, realtime: bool, channel: str | None,
           interaction_id: str | None, chunk_ms: int, model: str | None,
           lexicons: tuple[str, ...], overrides: tuple[str, ...], listen: str | None,
           db: str | None, record_dir: str | None, max_lines: int) -> None:
    """Analyze a live line (raw 16-bit PCM, - for stdin) or a recording as it plays.

    Prints one JSON object per line as events become known: ring, answered,
    partial, utterance, phrase, finding, and the final report at the end of
    input. With --realtime every event's emitted_at is on the wall clock of
    the replay. With --listen it serves lines over WebSocket instead.
    """
    from analyzer.cli.analyze import build_options
    from analyzer.stream import StreamAnalyzer

    if model:
        overrides = (*overrides, f"asr.model={model}")
    options = build_options(lexicons, overrides)
    if listen is not None:
        _listen(options, listen, db, record_dir, max_lines)
        return
    if db or record_dir:
        raise click.UsageError("--db and --record-dir go with --listen")
    line = _open(source, rate, channels, chunk_ms)
    start = time.monotonic()
    analyzer = StreamAnalyzer(options, line.rate, line.channels,
                              channel=channel or line.meta.channel or "phone",
                              interaction_id=interaction_id or line.meta.id or _name(source),
                              clock=(lambda: time.monotonic() - start) if realtime else None,
                              about=line.meta)
    analyzer.warm()
    start = time.monotonic()
    for chunk in _reader(line.chunks, line.seconds_per_chunk if realtime else 0.0):
        _emit(analyzer.feed(chunk))
    _emit(analyzer.close())


def _listen(options: Any, address: str, db: str | None, record_dir: str | None,
            max_lines: int) -> None:
    """Serve lines over WebSocket until interrupted (SIGINT/SIGTERM end the lines first)."""
    import asyncio
    import signal

    from analyzer.config import ListenConfig
    from analyzer.stream.server import LiveServer

    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise click.BadParameter(f"expected HOST:PORT, got {address!r}", param_hint="--listen")
    config = ListenConfig(host=host.strip("[]"), port=int(port), db=Path(db) if db else None,
                          record_dir=Path(record_dir) if record_dir else None,
                          max_lines=max_lines)
    if config.db is not None:
        from analyzer.store import Store

        Store(config.db).close()  # refuse a bad database now, not at the first call's end
    server = LiveServer(options, config)
    server.warm()

    def ready(port: int) -> None:
        click.echo(f"conduct stream: listening on ws://{config.host}:{port}", err=True)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, server.stop)
        await server.run(ready)

    asyncio.run(main())


def _name(source: str) -> str:
    return "stdin" if source == "-" else Path(source).stem


def _emit(events: Any) -> None:
    for event in events:
        sys.stdout.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
    sys.stdout.flush()


#: Suffixes read as raw s16le PCM (everything else is decoded as a recording).
RAW_SUFFIXES: tuple[str, ...] = (".raw", ".pcm", ".s16", ".s16le")


@dataclass
class _Line:
    """An input line: its chunks, their rate and channels, and its sidecar metadata."""

    chunks: Iterator[bytes | np.ndarray]
    rate: int
    channels: int
    seconds_per_chunk: float
    meta: CallMeta = field(default_factory=CallMeta)


def _open(source: str, rate: int, channels: int, chunk_ms: int) -> _Line:
    """Raw PCM from stdin or a ``.raw`` file, or a recording decoded like ``conduct analyze``.

    Raises:
        AudioError: No such file, or a recording that cannot be decoded.
    """
    seconds = chunk_ms / 1000.0
    if source == "-":
        return _Line(_raw_chunks(sys.stdin.buffer, rate, channels, seconds), rate, channels,
                     seconds)
    path = Path(source)
    if not path.is_file():
        raise AudioError("no such file", source=source)
    if path.suffix.lower() in RAW_SUFFIXES:
        return _Line(_raw_chunks(path.open("rb"), rate, channels, seconds), rate, channels,
                     seconds)
    from analyzer.speech.decode import decode_audio
    from analyzer.speech.meta import read_sidecar

    meta = read_sidecar(path)
    audio = decode_audio(path)  # the decoder `conduct analyze` uses; refuses non-audio
    step = max(1, int(audio.sample_rate * seconds))
    chunks = (audio.samples[:, i:i + step] for i in range(0, audio.samples.shape[1], step))
    return _Line(chunks, audio.sample_rate, audio.channels, seconds, meta)


def _raw_chunks(handle: BinaryIO, rate: int, channels: int, seconds: float) -> Iterator[bytes]:
    size = max(2 * channels, int(rate * seconds) * 2 * channels)
    while data := handle.read(size):
        yield data


def _reader(chunks: Iterator[bytes | np.ndarray], pace_seconds: float
            ) -> Iterator[bytes | np.ndarray]:
    """Read chunks on a thread (so a live pipe is always drained), yield them in order.

    Args:
        chunks: The input's chunks.
        pace_seconds: Audio seconds per chunk to pace the input at its real
            rate (``--realtime``); 0 reads as fast as possible.
    """
    q: queue.Queue[bytes | np.ndarray | BaseException | None] = queue.Queue(maxsize=0)

    def run() -> None:
        start, count = time.monotonic(), 0
        try:
            for data in chunks:
                count += 1
                if pace_seconds:
                    delay = start + count * pace_seconds - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                q.put(data)
        except BaseException as exc:  # handed to the main thread
            q.put(exc)
        q.put(None)

    threading.Thread(target=run, name="conduct-stream-reader", daemon=True).start()
    while True:
        item = q.get()
        if item is None:
            return
        if isinstance(item, BaseException):
            raise AudioError(f"reading the input failed: {item}", source="stream") from item
        yield item
