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

from analyzer.cli.helptext import Command
from analyzer.errors import AudioError
from analyzer.speech.meta import CallMeta


@click.command("stream", cls=Command)
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
                   "port 0 takes a free one. /audio_fork takes FreeSWITCH mod_audio_fork.")
@click.option("--monitor", "monitor", metavar="HOST:PORT", default=None,
              help="With --listen: the supervisors' feed (/monitor), on its own address "
                   "(default: 127.0.0.1, the lines' port + 1).")
@click.option("--tokens", type=click.Path(dir_okay=False), default=None,
              help="With --listen: TOML file of a token per line source and per monitor "
                   "(required when any address is not loopback).")
@click.option("--allow-origin", "origins", multiple=True, metavar="ORIGIN",
              help="With --listen: a web page origin (https://host:port) allowed to connect "
                   "(repeatable; default none: requests with an Origin header are refused).")
@click.option("--audiosocket", metavar="HOST:PORT", default=None,
              help="With --listen: also take Asterisk AudioSocket calls (TCP) here.")
@click.option("--audiosocket-allow", "audiosocket_allow", multiple=True, metavar="CIDR",
              help="Networks AudioSocket peers may connect from (repeatable; default loopback).")
@click.option("--audiosocket-hall", default="", help="Hall of the AudioSocket calls.")
@click.option("--audiosocket-window", default="", help="Window of the AudioSocket calls.")
@click.option("--spool-dir", type=click.Path(file_okay=False), default=None,
              help="With --listen: where calls are written as they arrive and recovered "
                   "from after a crash (default: .spool in the record folder).")
@click.option("--idle-seconds", type=click.FloatRange(0.1), default=30.0, show_default=True,
              help="With --listen: end a line that sends no audio for this long.")
@click.option("--max-call-seconds", type=click.FloatRange(1.0), default=4 * 3600.0,
              show_default=True, help="With --listen: end a line whose audio passes this length.")
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
           db: str | None, record_dir: str | None, max_lines: int, **door: Any) -> None:
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
        _listen(options, listen, db, record_dir, max_lines, door)
        return
    if db or record_dir or door["monitor"] or door["tokens"] or door["audiosocket"]:
        raise click.UsageError("--db, --record-dir, --monitor, --tokens and --audiosocket go "
                               "with --listen")
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


def _address(value: str, option: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    if not host or not port.isdigit() or int(port) > 65535:
        raise click.BadParameter(f"expected HOST:PORT, got {value!r}", param_hint=option)
    return host.strip("[]"), int(port)


def _listen(options: Any, address: str, db: str | None, record_dir: str | None,
            max_lines: int, door: dict[str, Any]) -> None:
    """Serve lines until interrupted (SIGINT/SIGTERM end the lines first)."""
    import asyncio
    import signal

    from analyzer.config import ListenConfig
    from analyzer.stream.access import load_access
    from analyzer.stream.server import Doors, LiveServer

    host, port = _address(address, "--listen")
    if door["monitor"]:
        monitor_host, monitor_port = _address(door["monitor"], "--monitor")
    else:
        monitor_host, monitor_port = "127.0.0.1", port + 1 if port else 0
    socket_host, socket_port = (_address(door["audiosocket"], "--audiosocket")
                                if door["audiosocket"] else ("", 0))
    config = ListenConfig(
        host=host, port=port, monitor_host=monitor_host, monitor_port=monitor_port,
        audiosocket_host=socket_host, audiosocket_port=socket_port,
        audiosocket_hall=door["audiosocket_hall"], audiosocket_window=door["audiosocket_window"],
        db=Path(db) if db else None, record_dir=Path(record_dir) if record_dir else None,
        spool_dir=Path(door["spool_dir"]) if door["spool_dir"] else None, max_lines=max_lines,
        idle_seconds=door["idle_seconds"], max_call_seconds=door["max_call_seconds"])
    access = load_access(Path(door["tokens"]) if door["tokens"] else None, door["origins"],
                         door["audiosocket_allow"])
    if config.db is not None:
        from analyzer.store import Store

        Store(config.db).close()  # refuse a bad database now, not at the first call's end
    server = LiveServer(options, config, access)
    for line in server.recover():
        click.echo(f"conduct stream: {line}", err=True)
    server.warm()

    def ready(doors: Doors) -> None:
        click.echo(f"conduct stream: listening for lines on {doors.lines}", err=True)
        click.echo(f"conduct stream: monitor feed on {doors.monitor}", err=True)
        if doors.audiosocket:
            click.echo(f"conduct stream: AudioSocket on {doors.audiosocket}", err=True)

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
