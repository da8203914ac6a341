"""Enrolled staff voices: a clerk's voice from their own recordings, to anchor mono roles.

``conduct staff enroll STAFF_ID RECORDINGS...`` (:mod:`analyzer.speech.enroll`) reads a clerk's past
recordings where their speech is on a channel of its own — the staff channel
of a stereo counter or phone recording (crosstalk from the citizen's channel
silenced first, :func:`analyzer.speech.crosstalk.silence_crosstalk`), or a
headset recording (mono, all theirs) — and keeps their voice as the mean and
spread of the features mono speaker turns are told apart by
(:func:`analyzer.speech.diarize.features`: median pitch, pitch spread, 12
cepstral means of Whisper's log-mel), over 2 s stretches of their speech.

The voices live in one JSON file (``attribution.voices``; written whole to a
temporary file and renamed into place, under an exclusive lock, so a reader
never sees half a file and two enrolments do not lose each other's voice)::

    {"format": 1, "voices": {"S-1001": {"staff": "S-1001", "features": [...],
     "spread": [...], "seconds": 42.0, "stretches": 21, "recordings": [...],
     "enrolled_at": "2026-12-06T18:30:00+00:00"}}}

When a mono recording's interaction names a staff id that has a voice here,
:func:`analyzer.speech.diarize.diarize` adds the vote ``enrolled``: the
voice cluster nearer the enrolled voice is the clerk.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import OptionError

#: The file format's version.
FORMAT = 1


@dataclass(frozen=True)
class Voice:
    """One clerk's enrolled voice.

    Attributes:
        staff: The staff id (as interactions name it).
        features: Mean of the voice features over the stretches
            (:func:`analyzer.speech.diarize.features` order).
        spread: Their standard deviation (the voice's own variation).
        seconds: Speech measured.
        stretches: Stretches measured.
        recordings: The recordings it came from (names).
        enrolled_at: When (UTC, ISO 8601).
    """

    staff: str
    features: tuple[float, ...]
    spread: tuple[float, ...]
    seconds: float
    stretches: int
    recordings: tuple[str, ...]
    enrolled_at: str

    def vector(self) -> np.ndarray:
        """The mean features as an array."""
        return np.asarray(self.features, dtype=np.float64)

    @property
    def sha256(self) -> str:
        """A digest of the voice (recorded in reports that used it)."""
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Voice:
        """From its JSON form."""
        return cls(staff=str(d["staff"]), features=tuple(float(v) for v in d["features"]),
                   spread=tuple(float(v) for v in d["spread"]), seconds=float(d["seconds"]),
                   stretches=int(d["stretches"]),
                   recordings=tuple(str(r) for r in d.get("recordings", ())),
                   enrolled_at=str(d.get("enrolled_at", "")))


def load_voices(path: str | Path) -> dict[str, Voice]:
    """The enrolled voices of a voices file (empty when the file does not exist yet).

    Raises:
        OptionError: The file is not a voices file (naming it).
    """
    p = Path(path)
    if not p.exists():
        return {}
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"format {data.get('format')!r}, expected {FORMAT}")
        return {k: Voice.from_dict(v) for k, v in data["voices"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise OptionError(f"{p}: not a voices file ({exc})", field="attribution.voices") from None


def voice_of(path: str, staff: str) -> Voice | None:
    """The enrolled voice of ``staff`` in the voices file ``path`` (None: none, or no file set)."""
    if not path or not staff:
        return None
    return load_voices(path).get(staff)


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    with open(path.with_name(path.name + ".lock"), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def save_voice(path: str | Path, voice: Voice) -> None:
    """Add (or replace) one voice in the voices file: one writer at a time, atomically."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    with _locked(p):
        voices = load_voices(p)
        voices[voice.staff] = voice
        data = {"format": FORMAT, "voices": {k: asdict(v) for k, v in sorted(voices.items())}}
        fd, tmp = tempfile.mkstemp(dir=p.parent, prefix=p.name, suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1)
        os.replace(tmp, p)
