"""Decode any common recording to float32 samples at 16 kHz, channels kept apart.

The first stage of the audio path. PyAV (the ffmpeg libraries) reads WAV,
FLAC, MP3, M4A/AAC and OGG/Opus at any rate from 8 kHz phone audio to 48 kHz,
and its ``AudioResampler`` converts to 16 kHz planar float without mixing the
channels, because on a stereo call recording each channel is one party.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analyzer.errors import AudioError, require
from analyzer.limits import MAX_CHANNEL_MINUTES

#: The analysis rate (Hz): every path decodes or resamples to it (Whisper's and Silero's rate).
SAMPLE_RATE = 16000
#: Silero's frame at 16 kHz (32 ms). A long recording's blocks start on its grid, so a
#: block's speech is cut on the frames the whole recording's (or the live line's) are.
VAD_FRAME = 512
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
        offset: Where ``samples`` start in the recording, seconds (a block of
            :func:`decode_blocks`; 0 for a whole recording).
        total: The whole recording's length in seconds, when known (the last
            block's; a whole recording's is its ``duration``).
    """

    samples: np.ndarray
    sample_rate: int
    duration: float
    source: str
    native_rate: int = 0
    codec: str = ""
    created: str = ""
    offset: float = 0.0
    total: float = 0.0

    @property
    def channels(self) -> int:
        """Number of channels."""
        return int(self.samples.shape[0])

    def mono(self) -> np.ndarray:
        """The channels averaged into one float32 array."""
        if self.channels == 1:
            return self.samples[0]
        return self.samples.mean(axis=0).astype(np.float32)


def decode_audio(path: str | Path, sample_rate: int = SAMPLE_RATE, *,
                 max_channel_minutes: float = MAX_CHANNEL_MINUTES) -> DecodedAudio:
    """Decode a recording to float32 ``[channels, n]`` at ``sample_rate``.

    Args:
        path: A WAV, FLAC, MP3, M4A/AAC or OGG/Opus file.
        sample_rate: Output rate in Hz (Whisper wants 16000).
        max_channel_minutes: The longest recording accepted, in minutes summed
            over its channels (:data:`analyzer.limits.MAX_CHANNEL_MINUTES`).

    Returns:
        The samples with their rate, duration and source.

    Raises:
        AudioError: The file is missing, empty, not audio, truncated, too long
            or cannot be decoded; the message names the file and the reason.
    """
    blocks = list(decode_blocks(path, sample_rate, block_seconds=None,
                                max_channel_minutes=max_channel_minutes))
    return blocks[0]


def decode_blocks(path: str | Path, sample_rate: int = SAMPLE_RATE, *,
                  block_seconds: float | None = 600.0,
                  max_channel_minutes: float = MAX_CHANNEL_MINUTES
                  ) -> Generator[DecodedAudio, None, None]:
    """Decode a recording a block at a time: memory bounded by the block, not the recording.

    Frames are read and resampled as they come; once ``block_seconds`` are
    held, the block is cut at its quietest tenth of a second (all channels)
    in the last :data:`CUT_SEARCH_SECONDS` (a pause, so a word is seldom cut
    in two) and given out; the rest starts the next block. A recording no
    longer than one block is one block, the samples :func:`decode_audio` gives.

    Args:
        path: The recording.
        sample_rate: Output rate in Hz.
        block_seconds: Seconds per block (per channel); None: the whole recording.
        max_channel_minutes: The longest recording accepted (minutes over all channels).

    Yields:
        Each block as a :class:`DecodedAudio` whose ``offset`` says where it
        starts in the recording and ``duration`` its own length; the last
        one's ``total`` is the recording's length.

    Raises:
        AudioError: As :func:`decode_audio` (a truncated file or one over the
            limit is found when decoding reaches it, after the blocks before).
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
        _check_length(declared or _estimated_seconds(container), stream, source,
                      max_channel_minutes)
        created = str((container.metadata or {}).get("creation_time", "") or "").strip()

        def block(samples: np.ndarray, offset: int, total: float = 0.0) -> DecodedAudio:
            return DecodedAudio(np.ascontiguousarray(samples, dtype=np.float32), sample_rate,
                                samples.shape[1] / sample_rate, source, native_rate, codec,
                                created, offset / sample_rate, total)

        cutter = BlockCutter(sample_rate, block_seconds)
        for chunk in _frames(av, container, stream, sample_rate, source, max_channel_minutes):
            full = cutter.add(chunk)
            if full is not None:
                out = block(full, cutter.done - full.shape[1])
                del full
                yield out
                del out  # the next block's samples only: held memory stays one block
    rest = cutter.rest(stream.codec_context.channels or 1)
    duration = (cutter.done + rest.shape[1]) / sample_rate
    if duration == 0:
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
    if rest.shape[1] or not cutter.done:
        yield block(rest, cutter.done, duration)


class BlockCutter:
    """Samples as they come, given out in blocks of ``block_seconds`` cut at a pause.

    The one rule of where a long recording's blocks end, for a recording
    decoded from its file (:func:`decode_blocks`) and a live call read back
    from its spooled samples (:class:`analyzer.stream.spool.SampleFile`): once
    a block and one second more are held, the block ends at
    :func:`quiet_cut` and the rest starts the next one.

    Args:
        sample_rate: The samples' rate (Hz).
        block_seconds: Seconds per block (per channel); None: one block, the whole.
    """

    def __init__(self, sample_rate: int, block_seconds: float | None) -> None:
        self.sample_rate = sample_rate
        self.size = None if block_seconds is None else int(block_seconds * sample_rate)
        self._held: list[np.ndarray] = []
        self._count = 0
        #: Samples given out in blocks so far (where the next block starts).
        self.done = 0

    def add(self, chunk: np.ndarray) -> np.ndarray | None:
        """Hold ``(channels, n)`` more samples; a full block when one is ready."""
        self._held.append(chunk)
        self._count += chunk.shape[1]
        if self.size is None or self._count < self.size + self.sample_rate:
            return None
        samples = np.concatenate(self._held, axis=1)
        cut = quiet_cut(samples, self.sample_rate, self.size)
        out = np.ascontiguousarray(samples[:, :cut], dtype=np.float32)
        rest = samples[:, cut:].copy()
        del samples  # the block and its rest only
        self._held, self.done, self._count = [rest], self.done + cut, self._count - cut
        return out

    def rest(self, channels: int) -> np.ndarray:
        """What is held after the last full block (the last block), ``(channels, n)``."""
        held, self._held, self._count = self._held, [], 0
        return np.concatenate(held, axis=1) if held else np.zeros((channels, 0), np.float32)


#: A block is cut at the quietest tenth of a second in its last this many seconds.
CUT_SEARCH_SECONDS = 30.0


def quiet_cut(samples: np.ndarray, sample_rate: int, size: int) -> int:
    """Where to end a block of ``size`` samples: the middle of its quietest 0.1 s frame
    (loudest channel's power; the latest of equals) in the last
    :data:`CUT_SEARCH_SECONDS` before ``size``, on the VAD's frame grid
    (:data:`VAD_FRAME`)."""
    frame = sample_rate // 10
    lo = max(frame, size - int(CUT_SEARCH_SECONDS * sample_rate))
    n = (size - lo) // frame
    if n < 1:
        return size
    span = samples[:, lo: lo + n * frame].reshape(samples.shape[0], n, frame)
    power = (span.astype(np.float64) ** 2).mean(axis=2).max(axis=0)
    last = n - 1 - int(np.argmin(power[::-1]))  # of equally quiet frames, the latest
    cut = lo + last * frame + frame // 2
    return cut - cut % max(1, VAD_FRAME * sample_rate // SAMPLE_RATE)


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


def _frames(av, container, stream, sample_rate: int, source: str,
            max_channel_minutes: float) -> Iterator[np.ndarray]:
    """Decode and resample ``stream`` frame by frame: planar float32 ``[channels, n]`` arrays."""
    channels = stream.codec_context.channels or 1
    try:
        layout = stream.codec_context.layout.name
        resampler = av.AudioResampler(format="fltp", layout=layout, rate=sample_rate)
    except (ValueError, av.error.FFmpegError) as exc:  # a header ffmpeg opens but cannot use
        raise AudioError(f"cannot decode this audio's layout ({_reason(exc)})",
                         source=source) from exc
    limit, got = max_channel_minutes * 60 * sample_rate / channels, 0
    try:
        for frame in container.decode(stream):
            for out in resampler.resample(frame):
                chunk = out.to_ndarray()
                got += chunk.shape[1]
                yield chunk
            if got > limit:  # the header said less (or nothing): stop here
                _check_length(got / sample_rate, stream, source, max_channel_minutes)
        for out in resampler.resample(None):
            yield out.to_ndarray()
    except av.error.FFmpegError as exc:
        raise AudioError(
            f"corrupt or truncated audio after {got / sample_rate:.2f} s ({_reason(exc)})",
            source=source) from exc
    except ValueError as exc:  # a channel layout the resampler cannot keep apart
        raise AudioError(f"cannot resample this audio ({exc})", source=source) from exc


def _check_length(seconds: float | None, stream, source: str, limit: float) -> None:
    """Refuse a recording longer than ``limit`` minutes over its channels allows
    (``recording.max_channel_minutes``, :data:`analyzer.limits.MAX_CHANNEL_MINUTES`)."""
    channels = int(stream.codec_context.channels or 1)
    if seconds is not None and seconds * channels > limit * 60:
        raise AudioError(
            f"{seconds / 60:.0f} minutes of audio in {channels} channel(s) is longer than one "
            f"recording may be ({limit:g} minutes over all channels: "
            f"{limit / channels:g} minutes of this one; recording.max_channel_minutes); split "
            "it into its calls or visits", source=source)


def audio_extent(path: str | Path) -> float | None:
    """Minutes of audio a recording's header says it holds, summed over its channels
    (None when it cannot say): what analysing it will cost, before it is decoded."""
    layout = audio_layout(path)
    return None if layout is None else layout[0] * layout[1] / 60


def audio_layout(path: str | Path) -> tuple[float, int] | None:
    """(seconds, channels) a recording's header declares, or None when it cannot say."""
    av = require("av")
    try:
        with av.open(str(path), mode="r") as container:
            stream = container.streams.audio[0]
            seconds = _declared_seconds(container, stream, str(path)) or \
                _estimated_seconds(container)
            channels = int(stream.codec_context.channels or 1)
    except (av.error.FFmpegError, IndexError, OSError, ValueError):
        return None
    return None if seconds is None else (seconds, channels)


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
