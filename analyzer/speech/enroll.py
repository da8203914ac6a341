"""Measuring a clerk's voice for enrolment (``conduct staff enroll``; :mod:`analyzer.speech.voices`).

The clerk's own speech — the staff channel of a stereo recording with the
citizen's leak silenced (:func:`analyzer.speech.crosstalk.silence_crosstalk`),
or the whole of a headset (mono) recording — cut into stretches of about
:data:`STRETCH_SECONDS`, each measured with the features mono speaker turns
are told apart by (:func:`analyzer.speech.diarize.features`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

from analyzer.errors import AudioError
from analyzer.options import AnalyzerOptions
from analyzer.speech.voices import Voice

#: Stretches of speech the voice is measured over (s): about a phrase each.
STRETCH_SECONDS = 2.0
#: Frames this far (dB) below the track's loudest are not the clerk speaking.
_SPEECH_DB = 30.0
#: Frames quieter than this (dBFS) are silence, whatever the track's level.
_SILENT_DB = -70.0
#: Less speech than this (s) over all recordings is not a voice to rely on.
MIN_SECONDS = 6.0


def stretches(x: np.ndarray, sr: int) -> list[np.ndarray]:
    """The track's speech in stretches of about :data:`STRETCH_SECONDS`.

    Speech is the 50 ms frames within :data:`_SPEECH_DB` of the track's
    loudest (a lone quiet frame inside speech joins it); each run of speech
    is cut into stretches.
    """
    hop = int(0.05 * sr)
    n = x.size // hop
    if not n:
        return []
    frames = np.asarray(x[: n * hop], dtype=np.float64).reshape(n, hop)
    levels = 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-12)
    loud = levels > max(_SILENT_DB, float(levels.max()) - _SPEECH_DB)
    loud[1:-1] |= loud[:-2] & loud[2:]  # a lone quiet frame inside speech is speech
    edges = np.flatnonzero(np.diff(np.concatenate([[0], loud.astype(int), [0]])))
    out = []
    step = int(STRETCH_SECONDS * sr)
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        start, end = int(a * hop), int(b * hop)
        for s in range(start, end, step):
            piece = x[s: min(end, s + step)]
            if piece.size >= 0.8 * sr:
                out.append(piece)
    return out


def clerk_track(path: str | Path, options: AnalyzerOptions) -> tuple[np.ndarray, int]:
    """The clerk's own speech in a recording: the staff channel (crosstalk silenced),
    or the whole of a mono (headset) recording.

    Raises:
        AudioError: The recording does not decode, or has no staff channel.
    """
    from analyzer.speech.crosstalk import silence_crosstalk
    from analyzer.speech.decode import decode_audio
    from analyzer.speech.meta import read_meta
    from analyzer.speech.tracks import resolve_tracks

    audio = decode_audio(path)
    if audio.channels == 1:
        return audio.samples[0], audio.sample_rate
    tracks = resolve_tracks(audio.channels, options.asr, read_meta(path))
    roles = [t.speaker for t in tracks]
    if "staff" not in roles:
        raise AudioError("no staff channel in this recording (stereo_speakers)", source=str(path))
    samples, _ = silence_crosstalk(audio.samples, audio.sample_rate, roles, options.attribution)
    return samples[roles.index("staff")], audio.sample_rate


def measure(staff: str, recordings: Sequence[str | Path], options: AnalyzerOptions) -> Voice:
    """A clerk's voice from their recordings (see the module docstring).

    Raises:
        AudioError: A recording does not decode or lacks a staff channel, or
            all of them together hold under :data:`MIN_SECONDS` of speech.
    """
    from analyzer.speech.diarize import features

    rows, seconds = [], 0.0
    for path in recordings:
        x, sr = clerk_track(path, options)
        for piece in stretches(x, sr):
            f = features(piece, sr)
            if f is not None:
                rows.append(f)
                seconds += piece.size / sr
    if seconds < MIN_SECONDS:
        raise AudioError(f"only {seconds:.1f} s of the clerk's speech found; at least "
                         f"{MIN_SECONDS:.0f} s are needed to enrol a voice",
                         source=", ".join(str(p) for p in recordings))
    x = np.stack(rows)
    return Voice(staff=staff, features=tuple(round(float(v), 5) for v in x.mean(axis=0)),
                 spread=tuple(round(float(v), 5) for v in x.std(axis=0)),
                 seconds=round(seconds, 2), stretches=len(rows),
                 recordings=tuple(Path(p).name for p in recordings),
                 enrolled_at=datetime.now(UTC).isoformat(timespec="seconds"))
