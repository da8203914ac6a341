"""A line's connection, whatever its protocol: what the listener reads from it and sends to it.

:class:`Link` is what :meth:`analyzer.stream.server.LiveServer.take` runs a
line over: :class:`WebSocketLink` for the product's own protocol, and the
PBX protocols' links in :mod:`analyzer.stream.pbx`. :func:`wire` writes an
event as a text frame that can always be sent.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from analyzer.errors import AnalyzerError, AudioError, shown

if TYPE_CHECKING:
    from websockets.asyncio.server import ServerConnection

    from analyzer.config import ListenConfig
    from analyzer.stream.access import Access, Grant
    from analyzer.stream.line import LineHeader

#: Close codes: normal, a protocol problem (bad header or frame), server error, too many lines.
CLOSE_OK, CLOSE_BAD, CLOSE_ERROR, CLOSE_BUSY = 1000, 1008, 1011, 1013


async def next_message(ws: ServerConnection, source: str) -> bytes | str | End:
    """A WebSocket's next frame, or the :class:`End` its closing means (``source`` names
    the door in the error of a dropped connection)."""
    from websockets.exceptions import ConnectionClosedError, ConnectionClosedOK

    try:
        return await ws.recv()
    except ConnectionClosedOK:
        return End()
    except ConnectionClosedError as exc:
        return End(AudioError(f"the connection dropped ({exc})", source=source), dropped=True)


def wire(event: dict[str, Any]) -> str:
    """An event as one JSON text frame; text that cannot be UTF-8 (an unpaired
    surrogate) is escaped, so one bad string never stops a feed."""
    text = json.dumps(event, ensure_ascii=False)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return json.dumps(event, ensure_ascii=True)
    return text


@dataclass
class End:
    """Why a line's audio stopped: no error (the line ended it), or the error to report."""

    error: AnalyzerError | None = None
    dropped: bool = False


class Link(Protocol):
    """One line's connection, whatever its protocol."""

    async def receive(self) -> bytes | End:
        """The next audio frame, or why the audio ended (never raises)."""
        ...

    async def send(self, event: dict[str, Any]) -> None:
        """Send an event back, where the protocol takes one (never raises)."""
        ...

    async def close(self, code: int, reason: str) -> None:
        """Close the connection (never raises)."""
        ...


class Taker(Protocol):
    """What takes a line once its protocol has given its header: the listener."""

    access: Access
    config: ListenConfig

    async def take(self, header: LineHeader, grant: Grant, link: Link) -> None:
        """Run the line from its header to its stored report."""
        ...


class WebSocketLink:
    """A line over the product's WebSocket protocol (after its header).

    A text frame ``{"type": "end"}`` ends the call; any other text frame is
    a protocol error; binary frames are audio.
    """

    def __init__(self, ws: ServerConnection, idle: float) -> None:
        self.ws = ws
        self.idle = idle

    async def receive(self) -> bytes | End:
        """The next audio frame, or why the line ended."""
        msg = await next_message(self.ws, "line")
        return control(msg) if isinstance(msg, str) else msg

    async def send(self, event: dict[str, Any]) -> None:
        """One event back, as a JSON text frame."""
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):  # gone: still analysed and stored
            await self.ws.send(wire(event))

    async def close(self, code: int, reason: str) -> None:
        """Close the socket."""
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            await self.ws.close(code, reason)


def control(text: str) -> End:
    """A text frame after the header: ``{"type": "end"}`` ends the call; anything else is bad."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        data = None
    if isinstance(data, dict) and data.get("type") == "end":
        return End()
    return End(AudioError(f'a text frame after the header must be {{"type": "end"}}, '
                          f"got {shown(text)[:80]!r}", source="line"))
