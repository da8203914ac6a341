"""The protocols a hall's PBX already speaks, taken as lines of the listener.

**Asterisk AudioSocket** (``AudioSocket(uuid,host:port)`` in the dialplan,
or ``Dial(AudioSocket/host:port/uuid)``), as docs.asterisk.org
(*Channel Drivers / AudioSocket*) describes it: a TCP stream of messages,
each a one-byte type, a two-byte big-endian payload length and the payload.
``0x01`` carries the call's UUID (16 bytes, first); ``0x10`` signed linear
16-bit little-endian mono audio at 8 kHz (``0x11``-``0x16``: 12, 16, 24,
32, 44.1 and 48 kHz, in Asterisk versions that send them); ``0x03`` a DTMF
digit (ignored); ``0x00`` the hangup; ``0xff`` an error (its optional code
is reported). Closing the socket also ends the call. The protocol carries
no metadata: the call's id is its UUID, its hall and window the listener's
(``--audiosocket-hall``, ``--audiosocket-window``), its channel ``phone``, and
its one track the mix of both parties (``asr.mono_roles``: the speaker
turns are told apart when it ends). Peers are allowed by address
(:mod:`analyzer.stream.access`). Nothing is sent back (audio sent back would
be played to the caller).

**FreeSWITCH mod_audio_fork** (``uuid_audio_fork <uuid> start <url> <mix>
<rate> <metadata>``, drachtio's module): a WebSocket to ``url``; the first
text frame is the ``metadata`` given to the command, then binary frames of
L16 (signed 16-bit little-endian) audio, interleaved for ``stereo``;
``uuid_audio_fork <uuid> send_text`` adds text frames (ignored here) and
``stop`` may send one before the socket closes, which ends the call. The
module does not say its mix or rate in-band, so the URL does::

    ws://listener:8765/audio_fork?rate=8000&mix=stereo&staff=1&token=...

(``rate`` 8000/8k, 16000/16k...; ``mix`` ``mono``, ``mixed`` or ``stereo``;
``staff``: the channel the clerk is on, 1 by default — on an incoming
call's leg channel 0 is what the caller says, 1 what the caller hears).
The metadata, a JSON object (the single-quoted form dialplans write is read
too), gives ``call_id`` (or ``callid``, ``uuid``, ``call_uuid``), ``hall``,
``window``, ``staff``, ``started_at`` (or ``timestamp``) and ``channel``;
other keys are ignored. Events go back as ``{"type": "transcription",
"data": EVENT}`` text frames, which the module turns into
``mod_audio_fork::transcription`` events for the dialplan.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import struct
import uuid
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from analyzer.errors import AudioError, shown
from analyzer.stream.events import ErrorEvent
from analyzer.stream.line import LineHeader
from analyzer.stream.link import CLOSE_BAD, End, Taker, next_message, wire

if TYPE_CHECKING:
    from websockets.asyncio.server import ServerConnection

    from analyzer.stream.access import Grant

logger = logging.getLogger("analyzer")

#: The lines door's path for mod_audio_fork.
FORK_PATH = "/audio_fork"
#: Sub-protocols mod_audio_fork offers (its default name, and drachtio's older one).
FORK_SUBPROTOCOLS: tuple[str, ...] = ("audio.drachtio.org", "audiostream.drachtio.org")
#: AudioSocket message types.
HANGUP, UUID, DTMF, ERROR = 0x00, 0x01, 0x03, 0xFF
#: AudioSocket audio types and their sample rates (docs.asterisk.org's table).
SLIN_RATES: dict[int, int] = {0x10: 8000, 0x11: 12000, 0x12: 16000, 0x13: 24000, 0x14: 32000,
                              0x15: 44100, 0x16: 48000}
_FORK_ID_KEYS = ("call_id", "callid", "callId", "uuid", "call_uuid")


# -- AudioSocket ------------------------------------------------------------------


class AudioSocketLink:
    """A call over AudioSocket, after its UUID and first audio frame."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                 kind: int, first: bytes) -> None:
        self.reader, self.writer, self.kind = reader, writer, kind
        self._first: bytes | None = first

    async def receive(self) -> bytes | End:
        """The next audio payload, or why the call ended."""
        if self._first is not None:
            first, self._first = self._first, None
            return first
        while True:
            try:
                kind, payload = await read_message(self.reader)
            except asyncio.IncompleteReadError:
                return End()  # the socket closed: the call is over
            except OSError as exc:
                return End(AudioError(f"the connection dropped ({exc})", source="audiosocket"),
                           dropped=True)
            if kind == self.kind:
                return payload
            if kind == DTMF:
                continue
            if kind == HANGUP:
                return End()
            if kind == ERROR:
                code = payload.hex() or "none"
                return End(AudioError(f"the PBX reported an AudioSocket error (code {code})",
                                      source="audiosocket"), dropped=True)
            return End(AudioError(f"unexpected AudioSocket message type 0x{kind:02x} "
                                  f"(audio was 0x{self.kind:02x})", source="audiosocket"))

    async def send(self, event: dict[str, Any]) -> None:
        """Nothing goes back over AudioSocket (it would be played to the caller)."""

    async def close(self, code: int, reason: str) -> None:
        """Close the socket."""
        with contextlib.suppress(OSError):
            self.writer.close()
            await self.writer.wait_closed()


async def read_message(reader: asyncio.StreamReader) -> tuple[int, bytes]:
    """One AudioSocket message: (type, payload)."""
    head = await reader.readexactly(3)
    kind, length = struct.unpack(">BH", head)
    return kind, (await reader.readexactly(length) if length else b"")


def message(kind: int, payload: bytes = b"") -> bytes:
    """One AudioSocket message on the wire."""
    return struct.pack(">BH", kind, len(payload)) + payload


async def audiosocket_line(server: Taker, reader: asyncio.StreamReader,
                           writer: asyncio.StreamWriter) -> None:
    """Take one AudioSocket connection as a line (see the module docstring)."""
    from analyzer.stream.access import Grant

    peer = writer.get_extra_info("peername") or ("?",)
    if not server.access.peer_allowed(str(peer[0])):
        logger.warning("AudioSocket connection from %s refused: not an allowed peer", peer[0])
        writer.close()
        return
    try:
        header, kind, first = await asyncio.wait_for(
            _audiosocket_start(reader, server), server.config.header_seconds)
    except (TimeoutError, asyncio.IncompleteReadError, OSError, AudioError) as exc:
        reason = (f"no UUID and audio within {server.config.header_seconds:g} s"
                  if isinstance(exc, TimeoutError) else str(exc) or type(exc).__name__)
        logger.warning("AudioSocket connection from %s refused: %s", peer[0], shown(reason))
        with contextlib.suppress(OSError):
            writer.write(message(ERROR, b"\x00"))
            writer.close()
        return
    link = AudioSocketLink(reader, writer, kind, first)
    await server.take(header, Grant(f"audiosocket {peer[0]}", "line", b""), link)


async def _audiosocket_start(reader: asyncio.StreamReader, server: Taker
                             ) -> tuple[LineHeader, int, bytes]:
    """The call's UUID, then its first audio frame (which says the rate): its header."""
    kind, payload = await read_message(reader)
    if kind != UUID or len(payload) != 16:
        raise AudioError(f"an AudioSocket call must start with its UUID (type 0x01, 16 bytes), "
                         f"got type 0x{kind:02x} of {len(payload)} bytes", source="audiosocket")
    call = str(uuid.UUID(bytes=payload))
    while True:
        kind, first = await read_message(reader)
        if kind in SLIN_RATES:
            break
        if kind == DTMF:
            continue
        raise AudioError(f"call {call} ended before its audio (type 0x{kind:02x})",
                         source="audiosocket")
    config = server.config
    header = LineHeader.parse(json.dumps({
        "call_id": call, "sample_rate": SLIN_RATES[kind], "channels": 1, "encoding": "s16le",
        "channel": "phone", "hall": config.audiosocket_hall,
        "window": config.audiosocket_window}))
    return header, kind, first


# -- mod_audio_fork ---------------------------------------------------------------


class ForkLink:
    """A call over mod_audio_fork's WebSocket, after its metadata frame."""

    def __init__(self, ws: ServerConnection) -> None:
        self.ws = ws

    async def receive(self) -> bytes | End:
        """The next audio frame; text frames (``send_text``, ``stop``'s) are passed over."""
        while True:
            msg = await next_message(self.ws, "audio_fork")
            if not isinstance(msg, str):
                return msg
            logger.debug("audio_fork text frame passed over: %s", shown(msg)[:200])

    async def send(self, event: dict[str, Any]) -> None:
        """An event back, as the module's ``transcription`` message."""
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            await self.ws.send(wire({"type": "transcription", "data": event}))

    async def close(self, code: int, reason: str) -> None:
        """Close the socket."""
        from websockets.exceptions import ConnectionClosed

        with contextlib.suppress(ConnectionClosed):
            await self.ws.close(code, reason)


def fork_header(path: str, metadata: str | bytes) -> LineHeader:
    """A mod_audio_fork call's header: the URL's ``rate``/``mix``/``staff`` and the metadata.

    Raises:
        AudioError: A bad URL parameter or metadata (the message names it).
    """
    query = {k: v[-1] for k, v in parse_qs(urlsplit(path).query).items()}
    rate_text = query.get("rate", "8000").lower().removesuffix("hz")
    try:
        rate = int(float(rate_text[:-1]) * 1000) if rate_text.endswith("k") else int(rate_text)
    except ValueError:
        raise AudioError(f"audio_fork URL: rate must be like 8000 or 8k, got {rate_text!r}",
                         source="audio_fork") from None
    mix = query.get("mix", "mono")
    if mix not in ("mono", "mixed", "stereo"):
        raise AudioError(f"audio_fork URL: mix must be mono, mixed or stereo, got {mix!r}",
                         source="audio_fork")
    staff = query.get("staff", "1")
    if staff not in ("0", "1"):
        raise AudioError(f"audio_fork URL: staff must be channel 0 or 1, got {staff!r}",
                         source="audio_fork")
    data = _metadata(metadata)
    call = next((str(data[k]) for k in _FORK_ID_KEYS if data.get(k)), "")
    fields: dict[str, Any] = {
        "call_id": call or f"fork-{uuid.uuid4()}", "sample_rate": rate,
        "channels": 2 if mix == "stereo" else 1, "encoding": "s16le",
        "channel": str(data.get("channel") or "phone")}
    for key in ("hall", "window", "staff"):
        if data.get(key) is not None:
            fields[key] = str(data[key])
    when = data.get("started_at") or data.get("timestamp")
    if when:
        fields["started_at"] = str(when)
    if mix == "stereo":
        fields["stereo_speakers"] = ["staff", "citizen"] if staff == "0" else ["citizen", "staff"]
    return LineHeader.parse(json.dumps(fields))


def _metadata(text: str | bytes) -> dict[str, Any]:
    """mod_audio_fork's metadata frame as an object (JSON, or a dialplan's single quotes)."""
    if isinstance(text, bytes):
        raise AudioError("the first frame must be the metadata text frame, got binary data",
                         source="audio_fork")
    if len(text) > 4096:
        raise AudioError("metadata longer than 4096 characters", source="audio_fork")
    if not text.strip():
        return {}
    for attempt in (text, text.replace("'", '"')):
        try:
            data = json.loads(attempt)
        except (ValueError, RecursionError):
            continue
        if isinstance(data, dict):
            return data
    raise AudioError(f"metadata must be a JSON object, got {shown(text)[:80]!r}",
                     source="audio_fork")


async def fork_line(server: Taker, ws: ServerConnection, grant: Grant, path: str) -> None:
    """Take one mod_audio_fork connection as a line (see the module docstring)."""
    from websockets.exceptions import ConnectionClosed

    try:
        first = await asyncio.wait_for(ws.recv(), server.config.header_seconds)
        header = fork_header(path, first)
    except ConnectionClosed:
        return
    except (TimeoutError, AudioError) as exc:
        reason = (f"no metadata within {server.config.header_seconds:g} s"
                  if isinstance(exc, TimeoutError) else str(exc))
        with contextlib.suppress(ConnectionClosed):
            await ws.send(wire({"type": "error", "data": ErrorEvent(None, reason).to_dict()}))
            await ws.close(CLOSE_BAD, shown(reason)[:120])
        return
    await server.take(header, grant, ForkLink(ws))
