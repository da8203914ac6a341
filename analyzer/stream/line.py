"""The wire format of a network line (``conduct stream --listen``).

One WebSocket connection is one line. Its first frame is a text frame with a
JSON object, the :class:`LineHeader`::

    {"call_id": "c-1", "sample_rate": 8000, "channels": 1, "encoding": "mulaw",
     "channel": "phone", "hall": "...", "window": "3", "staff": "S042"}

``started_at`` (ISO-8601) and ``stereo_speakers`` (who speaks on channels 0
and 1, e.g. ``["citizen", "staff"]``) may come too. Every field is checked before the
line is taken (:meth:`LineHeader.parse`): known fields only, each once;
``call_id`` 1-128 of ``[A-Za-z0-9_.:@+-]`` and nothing after them;
``hall``, ``window`` and ``staff`` at most :data:`MAX_TEXT` characters, with
no control, format (bidirectional override) or unpaired surrogate
characters; ``started_at`` an ISO-8601 time. Binary frames then carry audio,
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
from analyzer.options import ROLES
from analyzer.types import CHANNELS

#: Audio encodings a line may use.
ENCODINGS: tuple[str, ...] = ("s16le", "mulaw", "alaw")
#: Largest header frame taken (bytes).
MAX_HEADER_BYTES = 4096
#: Longest ``hall``, ``window`` and ``staff`` (characters).
MAX_TEXT = 200
#: Longest ``started_at`` (characters).
MAX_TIME = 64
_ID = re.compile(r"[A-Za-z0-9_.:@+-]{1,128}")


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
        stereo_speakers: Who speaks on channels 0 and 1 of a stereo line
            (``["citizen", "staff"]``; None: the hall's mapping or the
            options', as for a recording).
    """

    FIELDS: ClassVar[tuple[str, ...]] = ("call_id", "sample_rate", "channels", "encoding",
                                         "channel", "hall", "window", "staff", "started_at",
                                         "stereo_speakers")
    call_id: str
    sample_rate: int
    channels: int
    encoding: str
    channel: str
    hall: str = ""
    window: str = ""
    staff: str = ""
    started_at: str = ""
    stereo_speakers: tuple[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The header as its JSON object (what :meth:`parse` reads back)."""
        out = {name: getattr(self, name) for name in self.FIELDS}
        if self.stereo_speakers is None:
            del out["stereo_speakers"]
        else:
            out["stereo_speakers"] = list(self.stereo_speakers)
        return out

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
            data = json.loads(frame, object_pairs_hook=_unique)
        except RecursionError:
            raise AudioError("header is nested too deeply", source="line header") from None
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


def _unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """A JSON object whose keys are each given once (a repeated key is an error, not the last
    one silently winning)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"field {key!r} is given twice")
        out[key] = value
    return out


def text_problem(value: str) -> str | None:
    """Why ``value`` cannot be a header text field (None: it can): an unpaired surrogate
    (it cannot be written as UTF-8, to a file, a database or a monitor), or a control or
    format character (NUL, line breaks, bidirectional overrides that make ``S-\u202e1000``
    show as another id)."""
    import unicodedata

    for ch in value:
        category = unicodedata.category(ch)
        if category == "Cs":
            return f"an unpaired surrogate U+{ord(ch):04X}"
        if category == "Cc":
            return f"the control character U+{ord(ch):04X}"
        if category == "Cf":
            return f"the format character U+{ord(ch):04X}"
    return None


def _field(name: str, data: dict[str, Any]) -> Any:
    """One header field, checked (raises :class:`AudioError` naming it)."""
    if name not in data:
        raise AudioError(f"header field {name!r} is missing", source="line header")
    value = data[name]
    where = f"header field {name!r}"
    if name == "stereo_speakers":
        if (not isinstance(value, list) or len(value) != 2
                or not all(isinstance(v, str) and v in ROLES for v in value)):
            raise AudioError(f"{where} must list two of {', '.join(ROLES)}, got {value!r}",
                             source="line header")
        return (value[0], value[1])
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
    if name == "call_id" and not _ID.fullmatch(value):
        raise AudioError(f"{where} must be 1-128 letters, digits or _.:@+-, got {value!r}",
                         source="line header")
    problem = text_problem(value)
    if problem is not None:
        raise AudioError(f"{where} holds {problem}", source="line header")
    longest = MAX_TIME if name == "started_at" else MAX_TEXT
    if len(value) > longest:
        raise AudioError(f"{where} is longer than {longest} characters", source="line header")
    if name == "started_at" and value and not _iso_time(value):
        raise AudioError(f"{where} must be an ISO-8601 time such as 2023-05-04T09:30:00+08:00, "
                         f"got {value!r}", source="line header")
    return value


def _iso_time(value: str) -> bool:
    """True for an ISO-8601 time (as a transcript's ``started_at`` is read)."""
    from datetime import datetime

    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


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


def encode_samples(samples: np.ndarray, encoding: str) -> bytes:
    """Interleaved int16 samples as a line's frame bytes in ``encoding`` (G.711: the code
    whose decoded value is nearest, so :class:`FrameDecoder` gives back the nearest sample)."""
    ints = np.asarray(samples, dtype=np.int16).ravel()
    if encoding == "s16le":
        return ints.astype("<i2").tobytes()
    table = _TABLES[encoding].astype(np.int32)
    order = np.argsort(table, kind="stable")
    values = table[order]
    x = ints.astype(np.int32)
    pos = np.clip(np.searchsorted(values, x), 1, 255)
    lower, upper = order[pos - 1], order[pos]
    pick = np.where(np.abs(table[lower] - x) <= np.abs(table[upper] - x), lower, upper)
    return pick.astype(np.uint8).tobytes()


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
