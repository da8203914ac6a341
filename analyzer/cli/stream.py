"""``conduct stream``: live analysis of raw PCM, JSON Lines events out."""

from __future__ import annotations

import json
import queue
import sys
import threading
import time
import wave
from pathlib import Path
from typing import Any, BinaryIO

import click

from analyzer.cli.exits import ConfigError
from analyzer.errors import AnalyzerError, AudioError


@click.command("stream")
@click.argument("source", default="-", type=click.Path(allow_dash=True))
@click.option("--rate", type=int, default=16000, show_default=True,
              help="Sample rate of the raw s16le PCM (a WAV file's header wins).")
@click.option("--channels", type=click.IntRange(1, 2), default=1, show_default=True,
              help="1 (mono) or 2 (stereo: channel 0 staff, channel 1 citizen by default).")
@click.option("--realtime", is_flag=True,
              help="Pace the input at its real rate (simulates a live line from a file).")
@click.option("--channel", type=click.Choice(["phone", "counter"]), default="phone",
              show_default=True, help="Phone calls are checked for rings and hang-ups.")
@click.option("--id", "interaction_id", default=None, help="Id of the final report.")
@click.option("--chunk-ms", type=click.IntRange(10, 2000), default=100, show_default=True,
              help="Read size in milliseconds of audio.")
@click.option("--model", default=None, help="Another CTranslate2 Whisper model folder.")
@click.option("--lexicon", "lexicons", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A hall's lexicon file layered over the shipped one (repeatable).")
@click.option("--set", "overrides", multiple=True, metavar="KEY=VALUE",
              help="Override an option by its dotted name, e.g. rings.max_rings=4.")
def stream(source: str, rate: int, channels: int, realtime: bool, channel: str,
           interaction_id: str | None, chunk_ms: int, model: str | None,
           lexicons: tuple[str, ...], overrides: tuple[str, ...]) -> None:
    """Analyze a live line: raw 16-bit PCM from SOURCE (a file, or - for stdin).

    Prints one JSON object per line as events become known: ring, answered,
    utterance, phrase, finding, and the final report at the end of input.
    """
    from analyzer.cli.analyze import build_options
    from analyzer.stream import StreamAnalyzer

    if model:
        overrides = (*overrides, f"asr.model={model}")
    options = build_options(lexicons, overrides)
    try:
        handle, rate, channels = _open(source, rate, channels)
        analyzer = StreamAnalyzer(options, rate, channels, channel=channel,
                                  interaction_id=interaction_id or _name(source))
        analyzer.warm()
        bytes_per_chunk = max(2 * channels, int(rate * chunk_ms / 1000) * 2 * channels)
        chunks = _reader(handle, bytes_per_chunk, rate * 2 * channels if realtime else 0)
        for chunk in chunks:
            _emit(analyzer.feed(chunk))
        _emit(analyzer.close())
    except AnalyzerError as exc:
        raise ConfigError(str(exc)) from None


def _name(source: str) -> str:
    return "stdin" if source == "-" else Path(source).stem


def _emit(events: Any) -> None:
    for event in events:
        sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
    sys.stdout.flush()


def _open(source: str, rate: int, channels: int) -> tuple[BinaryIO, int, int]:
    """The byte stream to read, and its rate and channels (from a WAV header if any)."""
    if source == "-":
        return sys.stdin.buffer, rate, channels
    path = Path(source)
    if not path.is_file():
        raise AudioError("no such file", source=source)
    with path.open("rb") as f:
        is_wav = f.read(4) == b"RIFF"
    if not is_wav:
        return path.open("rb"), rate, channels
    try:
        w = wave.open(str(path), "rb")  # noqa: SIM115 - read until the stream ends
    except (wave.Error, EOFError) as exc:
        raise AudioError(f"not a readable WAV file: {exc}", source=source) from exc
    if w.getsampwidth() != 2 or w.getnchannels() not in (1, 2):
        raise AudioError("WAV input must be 16-bit mono or stereo", source=source)
    return _WavBytes(w), w.getframerate(), w.getnchannels()


class _WavBytes:
    """The PCM frames of an open WAV file, read like a byte stream."""

    def __init__(self, w: wave.Wave_read) -> None:
        self._w = w
        self._frame = w.getsampwidth() * w.getnchannels()

    def read(self, n: int) -> bytes:
        return self._w.readframes(max(1, n // self._frame))


def _reader(handle: BinaryIO, size: int, pace_bytes_per_s: int) -> Any:
    """Read chunks on a thread (so a live pipe is always drained), yield them in order."""
    q: queue.Queue[bytes | BaseException | None] = queue.Queue(maxsize=0)

    def run() -> None:
        start, total = time.monotonic(), 0
        try:
            while True:
                data = handle.read(size)
                if not data:
                    break
                total += len(data)
                if pace_bytes_per_s:
                    delay = start + total / pace_bytes_per_s - time.monotonic()
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
