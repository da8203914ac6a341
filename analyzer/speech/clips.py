"""Recordings on disk: paths confined to the recordings root, clips cut with PyAV.

Every path that comes from a request or from the database goes through
:func:`resolve_recording`, which resolves symbolic links and ``..`` and
refuses anything that does not end up inside the recordings root (or is not
an audio file). The web app serves nothing else from disk.
"""

from __future__ import annotations

import io
import wave
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.errors import AudioError, PathRefused, require
from analyzer.speech.decode import AUDIO_SUFFIXES

#: Content types of the suffixes a browser plays.
MEDIA_TYPES: dict[str, str] = {
    ".wav": "audio/wav", ".flac": "audio/flac", ".mp3": "audio/mpeg", ".ogg": "audio/ogg",
    ".opus": "audio/ogg", ".m4a": "audio/mp4", ".aac": "audio/aac", ".webm": "audio/webm",
}  # fmt: skip


def resolve_recording(root: str | Path | None, path: str | Path) -> Path:
    """Resolve ``path`` strictly inside ``root``.

    Args:
        root: The recordings root; None means no recordings are served.
        path: Relative to ``root`` (or to the working folder), or absolute;
            wherever it points, the resolved file must lie inside ``root``.

    Returns:
        The resolved, existing file.

    Raises:
        PathRefused: No root, a NUL byte, a path escaping the root (``..``,
            absolute elsewhere, a symbolic link pointing out), a missing
            file, or a suffix that is not audio.
    """
    text = str(path)
    if root is None:
        raise PathRefused("no recordings root is configured", source=text)
    if not text or "\x00" in text:
        raise PathRefused("empty or invalid path", source=repr(text))
    base = Path(root).resolve(strict=True)
    given = Path(text)
    # A relative path is read against the root, then (as a batch run stored
    # it) against the working folder; either way it must end up inside.
    candidates = [given] if given.is_absolute() else [base / given, Path.cwd() / given]
    problem = "no such recording"
    for candidate in candidates:
        try:
            resolved = candidate.resolve(strict=True)
        except (OSError, RuntimeError):
            continue
        if not resolved.is_relative_to(base):
            problem = "path is outside the recordings root"
        elif not resolved.is_file() or resolved.suffix.lower() not in AUDIO_SUFFIXES:
            problem = "not an audio recording"
        else:
            return resolved
    raise PathRefused(problem, source=text)


#: Where a stored input names its recording, after the row's ``source_path``, in
#: order: paths into the stored input (:meth:`analyzer.store.Store.recording_refs`
#: reads just these).
INPUT_RECORDING_KEYS: tuple[tuple[str, ...], ...] = (("source",), ("meta", "audio"),
                                                     ("meta", "recording"))


def recording_of(root: str | Path | None, row: Mapping[str, Any]) -> Path | None:
    """The recording of a stored interaction, or None when it has none (or refused).

    Looks at the stored input path (the batch's ``source_path``), then the
    input's :data:`INPUT_RECORDING_KEYS` (its ``source``, an ``audio`` or
    ``recording`` entry of its ``meta``), in that order, and returns the first
    that resolves inside the root.
    """
    def at(keys: tuple[str, ...]) -> object:
        value: object = row.get("input") or {}
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        return value

    for candidate in (row.get("source_path"), *(at(k) for k in INPUT_RECORDING_KEYS)):
        if candidate:
            try:
                return resolve_recording(root, candidate)
            except PathRefused:
                continue
    return None


def read_segment(path: str | Path, start: float, end: float, sample_rate: int = 16000
                 ) -> np.ndarray:
    """Decode ``[start, end)`` seconds of a recording with PyAV.

    Returns:
        float32 ``[channels, n]`` at ``sample_rate`` (channels as recorded,
        at most two).

    Raises:
        AudioError: The file cannot be decoded.
    """
    av = require("av")
    try:
        with av.open(str(path)) as container:
            stream = container.streams.audio[0]
            layout = "stereo" if stream.codec_context.channels >= 2 else "mono"
            resampler = av.AudioResampler(format="fltp", layout=layout, rate=sample_rate)
            chunks = []
            for frame in container.decode(stream):
                if frame.time is not None and frame.time > end + 0.5:
                    break
                for out in resampler.resample(frame):
                    chunks.append(out.to_ndarray())
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray())
    except (av.error.FFmpegError, OSError, IndexError) as exc:
        raise AudioError(f"cannot decode recording: {exc}", source=str(path)) from None
    if not chunks:
        raise AudioError("recording has no audio", source=str(path))
    samples = np.concatenate(chunks, axis=1).astype(np.float32)
    a = max(int(start * sample_rate), 0)
    b = min(int(end * sample_rate), samples.shape[1])
    return samples[:, a:b]


def wav_bytes(samples: np.ndarray, sample_rate: int) -> bytes:
    """16-bit PCM WAV of float32 ``[channels, n]`` samples."""
    view = samples.reshape(1, -1) if samples.ndim == 1 else samples
    pcm = (np.clip(view.T, -1.0, 1.0) * 32767.0).astype("<i2")
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(view.shape[0])
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(pcm.tobytes())
    return buf.getvalue()
