"""Decode any common recording to float32 samples at 16 kHz, channels kept apart.

The first stage of the audio path. PyAV (the ffmpeg libraries) reads WAV,
FLAC, MP3, M4A/AAC and OGG/Opus at any rate from 8 kHz phone audio to 48 kHz,
and its ``AudioResampler`` converts to 16 kHz planar float without mixing the
channels, because on a stereo call recording each channel is one party.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analyzer.errors import AudioError, require
from analyzer.limits import MAX_CHANNEL_MINUTES

#: The analysis rate (Hz): every path decodes or resamples to it (Whisper's and Silero's rate).
SAMPLE_RATE = 16000
#: File suffixes the audio path accepts (``pipeline.analyze`` routes these here).
AUDIO_SUFFIXES: tuple[str, ...] = (
    ".wav",
    ".flac",
    ".mp3",
    ".m4a",
    ".aac",
    ".ogg",
    ".opus",
    ".webm",
    ".mp4",
    ".amr",
)
#: A recording shorter than the declared length by more than this share and
#: this many seconds is reported as truncated.
_TRUNCATED_SHARE = 0.9
_TRUNCATED_SECONDS = 0.5


@dataclass
class DecodedAudio:
    """A decoded recording.

    Attributes:
        samples: float32 array ``[channels, n]`` in [-1, 1].
        sample_rate: Rate of ``samples`` in Hz (16000 unless asked otherwise).
        duration: Length in seconds.
        source: The path it came from.
        native_rate: The recording's own sample rate in Hz.
        codec: The codec name ffmpeg reported (``pcm_s16le``, ``opus`` ...).
        created: The container's ``creation_time`` tag (ISO-8601, as written), or "".
    """

    samples: np.ndarray
    sample_rate: int
    duration: float
    source: str
    native_rate: int = 0
    codec: str = ""
    created: str = ""

    @property
    def channels(self) -> int:
        """Number of channels."""
        return int(self.samples.shape[0])

    def mono(self) -> np.ndarray:
        """The channels averaged into one float32 array."""
        if self.channels == 1:
            return self.samples[0]
        return self.samples.mean(axis=0).astype(np.float32)


def decode_audio(path: str | Path, sample_rate: int = SAMPLE_RATE) -> DecodedAudio:
    """Decode a recording to float32 ``[channels, n]`` at ``sample_rate``.

    Args:
        path: A WAV, FLAC, MP3, M4A/AAC or OGG/Opus file.
        sample_rate: Output rate in Hz (Whisper wants 16000).

    Returns:
        The samples with their rate, duration and source.

    Raises:
        AudioError: The file is missing, empty, not audio, truncated or
            cannot be decoded; the message names the file and the reason.
    """
    av = require("av")
    source = str(path)
    if not Path(path).is_file():
        raise AudioError("no such file", source=source)
    if Path(path).stat().st_size == 0:
        raise AudioError("file is empty (0 bytes)", source=source)
    try:
        container = av.open(source, mode="r")
    except av.error.FFmpegError as exc:
        raise AudioError(f"not a readable audio file ({_reason(exc)})", source=source) from exc
    with container:
        if not container.streams.audio:
            raise AudioError("the file has no audio stream", source=source)
        stream = container.streams.audio[0]
        _check_header(stream, source)
        native_rate = int(stream.rate or stream.codec_context.sample_rate or 0)
        codec = stream.codec_context.name
        declared = _declared_seconds(container, stream, source)
        _check_length(declared or _estimated_seconds(container), stream, source)
        created = str((container.metadata or {}).get("creation_time", "") or "").strip()
        samples = _decode_stream(av, container, stream, sample_rate, source)
    duration = samples.shape[1] / sample_rate
    if samples.shape[1] == 0:
        raise AudioError("no audio samples could be decoded (empty or truncated)", source=source)
    if (
        declared
        and duration < declared * _TRUNCATED_SHARE
        and declared - duration > _TRUNCATED_SECONDS
    ):
        raise AudioError(
            f"truncated: the header declares {declared:.2f} s but only {duration:.2f} s decode",
            source=source,
        )
    return DecodedAudio(samples, sample_rate, duration, source, native_rate, codec, created)


#: Most channels and the sample rates a recording may declare (a header beyond them is
#: damaged or hostile: a 1 Hz, 65535-channel WAV of a few bytes would resample into
#: billions of samples).
MAX_CHANNELS = 16
RATE_RANGE = (1000, 384000)


def _check_header(stream, source: str) -> None:
    """Refuse a stream whose header no decoder can use, before anything is decoded."""
    context = stream.codec_context
    if context is None:
        raise AudioError("no decoder for this audio format", source=source)
    channels = int(context.channels or 0)
    if channels < 1:
        raise AudioError("the header declares 0 channels; expected 1 or more", source=source)
    if channels > MAX_CHANNELS:
        raise AudioError(f"the header declares {channels} channels; at most {MAX_CHANNELS} "
                         "are read", source=source)
    rate = int(stream.rate or context.sample_rate or 0)
    if not RATE_RANGE[0] <= rate <= RATE_RANGE[1]:
        raise AudioError(f"the header declares a sample rate of {rate} Hz; expected "
                         f"{RATE_RANGE[0]}-{RATE_RANGE[1]} Hz", source=source)


def _decode_stream(av, container, stream, sample_rate: int, source: str) -> np.ndarray:
    """Decode and resample every frame of ``stream`` to planar float32."""
    channels = stream.codec_context.channels or 1
    try:
        layout = stream.codec_context.layout.name
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=sample_rate)
    except (ValueError, av.error.FFmpegError) as exc:  # a header ffmpeg opens but cannot use
        raise AudioError(f"cannot decode this audio's layout ({_reason(exc)})",
                         source=source) from exc
    chunks: list[np.ndarray] = []
    limit, got = MAX_CHANNEL_MINUTES * 60 * sample_rate // channels, 0
    try:
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunks.append(out.to_ndarray())
                got += chunks[-1].shape[1]
            if got > limit:  # the header said less (or nothing): stop here
                _check_length(got / sample_rate, stream, source)
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray())
    except av.error.FFmpegError as exc:
        done = sum(c.shape[1] for c in chunks) / sample_rate
        raise AudioError(
            f"corrupt or truncated audio after {done:.2f} s ({_reason(exc)})", source=source
        ) from exc
    except ValueError as exc:  # a channel layout the resampler cannot keep apart
        raise AudioError(f"cannot resample this audio ({exc})", source=source) from exc
    if not chunks:
        return np.zeros((channels, 0), dtype=np.float32)
    return np.ascontiguousarray(np.concatenate(chunks, axis=1), dtype=np.float32)


def _check_length(seconds: float | None, stream, source: str) -> None:
    """Refuse a recording longer than :data:`analyzer.limits.MAX_CHANNEL_MINUTES` allows."""
    channels = int(stream.codec_context.channels or 1)
    if seconds is not None and seconds * channels > MAX_CHANNEL_MINUTES * 60:
        raise AudioError(
            f"{seconds / 60:.0f} minutes of audio in {channels} channel(s) is longer than one "
            f"recording may be ({MAX_CHANNEL_MINUTES} minutes over all channels: "
            f"{MAX_CHANNEL_MINUTES // channels} minutes of this one); split it into its calls "
            "or visits", source=source)


def audio_extent(path: str | Path) -> float | None:
    """Minutes of audio a recording's header says it holds, summed over its channels
    (None when it cannot say): what analysing it will cost, before it is decoded."""
    av = require("av")
    try:
        with av.open(str(path), mode="r") as container:
            stream = container.streams.audio[0]
            seconds = _declared_seconds(container, stream, str(path)) or \
                _estimated_seconds(container)
            channels = int(stream.codec_context.channels or 1)
    except (av.error.FFmpegError, IndexError, OSError, ValueError):
        return None
    return None if seconds is None else seconds * channels / 60


def _estimated_seconds(container) -> float | None:
    """The container's own estimate of its length (MP3, Ogg, MP4), or None."""
    duration = getattr(container, "duration", None)
    return float(duration) / 1_000_000 if duration else None  # (av.time_base: microseconds)


def _declared_seconds(container, stream, path: str) -> float | None:
    """The length the header declares, when it declares one exactly (WAV, FLAC)."""
    if "wav" in container.format.name.split(","):
        return _wav_declared_seconds(path, stream)
    if stream.codec_context.name == "flac" and stream.duration and stream.time_base:
        return float(stream.duration * stream.time_base)
    return None


def _wav_declared_seconds(path: str, stream) -> float | None:
    """Seconds the RIFF ``data`` chunk declares (ffmpeg clamps its length to the file)."""
    rate = stream.codec_context.sample_rate
    block_align = 0
    with open(path, "rb") as fh:
        if fh.read(12)[8:12] != b"WAVE":
            return None
        while len(header := fh.read(8)) == 8:
            size = int.from_bytes(header[4:8], "little")
            if header[:4] == b"fmt ":
                fmt = fh.read(size + (size & 1))
                block_align = int.from_bytes(fmt[12:14], "little")
                continue
            if header[:4] == b"data":
                if not (rate and block_align) or size == 0 or size >= 0xFFFFFFF0:
                    return None  # streamed WAV: length unknown
                return size / block_align / rate
            fh.seek(size + (size & 1), 1)
    return None


def _reason(exc: Exception) -> str:
    """ffmpeg's own words for a failure, without the file name it repeats."""
    text = getattr(exc, "strerror", None) or str(exc)
    return str(text).strip()
