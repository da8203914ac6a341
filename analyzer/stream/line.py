"""The wire format of a network line (``conduct stream --listen``).

One WebSocket connection is one line. Its first frame is a text frame with a
JSON object, the :class:`LineHeader`::

    {"call_id": "c-1", "sample_rate": 8000, "channels": 1, "encoding": "mulaw",
     "channel": "phone", "hall": "...", "window": "3", "staff": "S042"}

``started_at`` (ISO-8601) may come too. Binary frames then carry audio,
interleaved when stereo, in the header's encoding: ``s16le`` (16-bit
little-endian PCM), ``mulaw`` or ``alaw`` (G.711, one byte a sample). This is
what a PBX media fork or a browser microphone sends. A text frame
``{"type": "end"}`` (or closing the connection) ends the call; JSON events
come back on the same socket.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np

from analyzer.errors import AudioError
from analyzer.types import CHANNELS

#: Audio encodings a line may use.
ENCODINGS: tuple[str, ...] = ("s16le", "mulaw", "alaw")
#: Largest header frame taken (bytes).
MAX_HEADER_BYTES = 4096
_ID = re.compile(r"^[\w.:@+-]{1,128}$")


@dataclass(frozen=True)
class LineHeader:
    """What a line says about itself in its first frame.

    Attributes:
        call_id: The call's id (letters, digits, ``_.:@+-``; the stored interaction's id).
        sample_rate: Hz of the audio (8000 to 48000).
        channels: 1, or 2 (channel 0 staff, channel 1 citizen).
        encoding: One of :data:`ENCODINGS`.
        channel: ``phone`` or ``counter``.
        hall: Service hall.
        window: Window (counter) name or number.
        staff: Staff member id.
        started_at: ISO-8601 start of the call ("" when not given).
    """

    FIELDS: ClassVar[tuple[str, ...]] = ("call_id", "sample_rate", "channels", "encoding",
                                         "channel", "hall", "window", "staff", "started_at")
    call_id: str
    sample_rate: int
    channels: int
    encoding: str
    channel: str
    hall: str = ""
    window: str = ""
    staff: str = ""
    started_at: str = ""

    @classmethod
    def parse(cls, frame: str | bytes) -> LineHeader:
        """The header in a line's first frame.

        Raises:
            AudioError: Not a text frame, not a JSON object, a missing or
                unknown field, or a value out of range (the message names it).
        """
        if isinstance(frame, bytes):
            raise AudioError("the first frame must be a text frame with the JSON header, "
                             "got binary data", source="line header")
        if len(frame.encode("utf-8", "replace")) > MAX_HEADER_BYTES:
            raise AudioError(f"header longer than {MAX_HEADER_BYTES} bytes", source="line header")
        try:
            data = json.loads(frame)
        except ValueError as exc:
            raise AudioError(f"header is not JSON: {exc}", source="line header") from None
        if not isinstance(data, dict):
            raise AudioError("header must be a JSON object", source="line header")
        unknown = sorted(set(data) - set(cls.FIELDS))
        if unknown:
            raise AudioError(f"unknown header field(s) {', '.join(unknown)}; expected "
                             f"{', '.join(cls.FIELDS)}", source="line header")
        return cls(**{k: _field(k, data) for k in cls.FIELDS if k in data or k in _REQUIRED})


_REQUIRED = ("call_id", "sample_rate", "channels", "encoding", "channel")


def _field(name: str, data: dict[str, Any]) -> Any:
    """One header field, checked (raises :class:`AudioError` naming it)."""
    if name not in data:
        raise AudioError(f"header field {name!r} is missing", source="line header")
    value = data[name]
    where = f"header field {name!r}"
    if name in ("sample_rate", "channels"):
        if not isinstance(value, int) or isinstance(value, bool):
            raise AudioError(f"{where} must be an integer, got {value!r}", source="line header")
        low, high = (8000, 48000) if name == "sample_rate" else (1, 2)
        if not low <= value <= high:
            raise AudioError(f"{where} must be {low} to {high}, got {value}",
                             source="line header")
        return value
    if not isinstance(value, str):
        raise AudioError(f"{where} must be a string, got {value!r}", source="line header")
    choices = {"encoding": ENCODINGS, "channel": CHANNELS}.get(name)
    if choices is not None and value not in choices:
        raise AudioError(f"{where} must be one of {', '.join(choices)}, got {value!r}",
                         source="line header")
    if name == "call_id" and not _ID.match(value):
        raise AudioError(f"{where} must be 1-128 letters, digits or _.:@+-, got {value!r}",
                         source="line header")
    return value


def _mulaw_table() -> np.ndarray:
    """G.711 mu-law byte -> 16-bit sample."""
    u = ~np.arange(256, dtype=np.int32) & 0xFF
    sign, exponent, mantissa = u & 0x80, (u >> 4) & 0x07, u & 0x0F
    magnitude = (((mantissa << 3) + 0x84) << exponent) - 0x84
    return np.where(sign, -magnitude, magnitude).astype(np.int16)


def _alaw_table() -> np.ndarray:
    """G.711 A-law byte -> 16-bit sample."""
    a = np.arange(256, dtype=np.int32) ^ 0x55
    sign, exponent, mantissa = a & 0x80, (a >> 4) & 0x07, a & 0x0F
    magnitude = np.where(exponent == 0, (mantissa << 4) + 8,
                         ((mantissa << 4) + 0x108) << np.maximum(exponent - 1, 0))
    return np.where(sign, magnitude, -magnitude).astype(np.int16)


_TABLES = {"mulaw": _mulaw_table(), "alaw": _alaw_table()}


class FrameDecoder:
    """Binary frames of one line -> int16 samples, interleaved (partial samples carried over)."""

    def __init__(self, header: LineHeader) -> None:
        self.encoding = header.encoding
        self.width = (2 if header.encoding == "s16le" else 1) * header.channels
        self._rest = b""

    def decode(self, frame: bytes) -> np.ndarray:
        """The whole interleaved samples ``frame`` completes (1-D int16)."""
        data = self._rest + frame
        usable = len(data) - len(data) % self.width
        self._rest = data[usable:]
        if self.encoding == "s16le":
            return np.frombuffer(data[:usable], dtype="<i2").astype(np.int16)
        return _TABLES[self.encoding][np.frombuffer(data[:usable], dtype=np.uint8)]
