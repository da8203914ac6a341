"""A real `conduct stream --listen` server for tests, and a paced line client."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from web_fixture import stop_process

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Listener:
    """A running listener: its lines' URL, its monitor's (the base the review app's
    ``--live`` takes, and the feed itself), its process and what it printed."""

    url: str
    live: str
    proc: subprocess.Popen
    stderr: list[str] = field(default_factory=list)

    @property
    def monitor(self) -> str:
        """The feed's URL."""
        return self.live + "/monitor"


@contextlib.contextmanager
def listener(db: Path, folder: Path, *options: str, env: dict | None = None
             ) -> Iterator[Listener]:
    """`conduct -v stream --listen 127.0.0.1:0 --monitor 127.0.0.1:0 --db DB --record-dir
    FOLDER [OPTIONS]`; yield the running :class:`Listener`.

    The process is ended with SIGTERM (its lines end and are stored) on exit.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "analyzer", "-v", "stream", "--listen", "127.0.0.1:0",
         "--monitor", "127.0.0.1:0", "--db", str(db), "--record-dir", str(folder), *options],
        stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})})
    try:
        url = live = None
        seen: list[str] = []
        for line in proc.stderr:
            seen.append(line)
            if line.startswith("conduct stream: listening for lines on "):
                url = line.split("lines on ")[1].strip()
            if line.startswith("conduct stream: monitor feed on "):
                live = line.split("feed on ")[1].strip().removesuffix("/monitor")
                break
        assert url and url.startswith("ws://127.0.0.1:") and live, \
            "the server did not start:\n" + "".join(seen)
        served = Listener(url, live, proc, seen)

        def drain() -> None:  # keep it drained, and keep what it logged
            for line in proc.stderr:
                seen.append(line)

        threading.Thread(target=drain, daemon=True).start()
        yield served
    finally:
        stop_process(proc, 120)


async def paced_line(url: str, header: dict, audio: bytes, bytes_per_second: int,
                     chunk_seconds: float = 0.1) -> list[dict]:
    """Send ``audio`` at its real rate as one line; the events that came back."""
    import websockets

    loop = asyncio.get_running_loop()
    step = max(1, int(bytes_per_second * chunk_seconds))
    events: list[dict] = []
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps(header))

        async def receive() -> None:
            with contextlib.suppress(websockets.exceptions.ConnectionClosed):
                async for message in ws:
                    events.append(json.loads(message))

        receiving = asyncio.create_task(receive())
        start = loop.time()
        for k, i in enumerate(range(0, len(audio), step)):
            await asyncio.sleep(max(0.0, start + k * chunk_seconds - loop.time()))
            await ws.send(audio[i:i + step])
        await ws.send(json.dumps({"type": "end"}))
        await receiving
    return events


class Running:
    """A :class:`~analyzer.stream.server.LiveServer` served on its own thread and loop
    (in-process: tests give it a stand-in recognizer, so no model is loaded)."""

    def __init__(self, server) -> None:
        import asyncio

        self.server = server
        self.doors = None
        self._ready = threading.Event()
        self._error: list[BaseException] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self._serve, daemon=True)

    def _serve(self) -> None:
        import asyncio

        asyncio.set_event_loop(self.loop)

        def ready(doors) -> None:
            self.doors = doors
            self._ready.set()

        try:
            self.loop.run_until_complete(self.server.run(ready))
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            self._error.append(exc)
            self._ready.set()

    def __enter__(self) -> Running:
        self.thread.start()
        self._ready.wait(60)
        if self._error:
            raise self._error[0]
        return self

    def __exit__(self, *exc) -> None:
        self.loop.call_soon_threadsafe(self.server.stop)
        self.thread.join(120)


def healed(events: list[dict]) -> list[dict]:
    """The transcript a line's events tell before its report, as the Live page keeps it: each
    ``utterance`` at its place in the call, each ``revision`` (the second hearing changed a
    piece's words) taking the turns of its speaker it replaces away and putting its
    utterances in, marked ``revised``."""
    shown: list[dict] = []
    for e in events:
        if e["type"] == "report":
            break
        if e["type"] == "utterance":
            shown.append(e)
        elif e["type"] == "revision":
            shown = [u for u in shown if u["speaker"] != e["speaker"]
                     or round(u["start"], 3) not in e["replaced"]]
            shown += [{**u, "revised": True} for u in e["utterances"]]
    return sorted(shown, key=lambda u: u["start"])
