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
from pathlib import Path

from web_fixture import stop_process

ROOT = Path(__file__).resolve().parent.parent


@contextlib.contextmanager
def listener(db: Path, folder: Path, *options: str) -> Iterator[tuple[str, subprocess.Popen]]:
    """`conduct stream --listen 127.0.0.1:0 --db DB --record-dir FOLDER [OPTIONS]`; yield
    (url, process).

    The process is ended with SIGTERM (its lines end and are stored) on exit.
    """
    proc = subprocess.Popen(
        [sys.executable, "-m", "analyzer", "stream", "--listen", "127.0.0.1:0", "--db", str(db),
         "--record-dir", str(folder), *options],
        stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        url = None
        for line in proc.stderr:
            if "listening on" in line:
                url = line.split("listening on ")[1].strip()
                break
        assert url and url.startswith("ws://127.0.0.1:"), "the server did not start"
        threading.Thread(target=proc.stderr.read, daemon=True).start()  # keep it drained
        yield url, proc
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
