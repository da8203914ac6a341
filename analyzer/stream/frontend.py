"""The stream's front end: chunks in, 16 kHz tracks and finished speech segments out.

Per chunk: convert to float (:class:`ChunkReader`: interleaved ``s16le``
bytes, or int16 / float32 arrays) -> resample to 16 kHz (:class:`Resampler`,
PyAV's libswresample, state kept across chunks) -> on a stereo line, the
other party's voice leaking into each microphone is silenced as the file
path silences it (:class:`analyzer.speech.crosstalk.CrosstalkGate`, a
fraction of a second behind) -> per track, Silero VAD with its state carried
across chunks (:class:`SileroStream`, the model faster-whisper bundles) ->
speech cut as the file paths cut their speech pieces (:class:`Segmenter`, the
frame arithmetic of faster-whisper's ``get_speech_timestamps`` with the one
:class:`~analyzer.options.VadOptions`). :class:`LiveTrack` holds one track's
state: its role, VAD, segmenter and recent audio.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analyzer.errors import AudioError
from analyzer.options import VadOptions
from analyzer.speech.decode import SAMPLE_RATE
from analyzer.speech.decode import VAD_FRAME as VAD_FRAME  # Silero's frame, one grid
from analyzer.speech.tracks import Track
from analyzer.types import Utterance

VAD_CONTEXT = 64  #: samples of the previous frame Silero sees
#: A pause longer than this (ms) is where over-long speech is cut (faster-whisper's 98 ms).
CUT_PAUSE_MS = 98


class SileroStream:
    """Silero VAD speech probabilities, one per 512-sample frame, state carried across calls."""

    def __init__(self) -> None:
        from faster_whisper.vad import get_vad_model

        self._session = get_vad_model().session
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(VAD_CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)

    def feed(self, samples: np.ndarray) -> np.ndarray:
        """Probabilities of the frames completed by ``samples`` (16 kHz mono)."""
        buf = np.concatenate([self._pending, samples.astype(np.float32, copy=False)])
        count = buf.size // VAD_FRAME
        self._pending = buf[count * VAD_FRAME:]
        if not count:
            return np.zeros(0, dtype=np.float32)
        frames = buf[: count * VAD_FRAME].reshape(count, VAD_FRAME)
        context = np.vstack([self._context[None, :], frames[:-1, -VAD_CONTEXT:]])
        self._context = frames[-1, -VAD_CONTEXT:].copy()
        batch = np.ascontiguousarray(np.concatenate([context, frames], axis=1))
        out, self._h, self._c = self._session.run(None, {"input": batch, "h": self._h, "c": self._c})
        return np.asarray(out, dtype=np.float32).reshape(-1)


class Segmenter:
    """Online speech segments from VAD probabilities (Silero's hysteresis).

    Speech starts at a frame with probability >= ``threshold`` and ends after
    ``min_silence`` frames below ``threshold - 0.15``. Speech longer than
    ``max_frames`` is cut at its last pause of ``pause`` frames or more, else hard.
    Frame numbers are absolute (frame ``i`` covers samples ``512 i ..``).
    :meth:`from_vad` builds it from the one VAD setting of every path.
    """

    def __init__(self, threshold: float, min_silence: int, min_speech: int, max_frames: int,
                 pause: int = 4) -> None:
        self.threshold = threshold
        self.neg = max(threshold - 0.15, 0.01)
        self.min_silence, self.min_speech, self.max_frames = min_silence, min_speech, max_frames
        self.pause = pause
        self.frame = 0
        self.start: int | None = None  # start frame of the speech in progress
        self._silence_from: int | None = None
        self._pause: int | None = None  # end of the last long enough pause inside the speech

    def retune(self, threshold: float) -> None:
        """Use ``threshold`` from the next frame on (a live line found to be telephone
        band: :mod:`analyzer.speech.band`); speech in progress goes on."""
        self.threshold = threshold
        self.neg = max(threshold - 0.15, 0.01)

    @classmethod
    def from_vad(cls, vad: VadOptions, threshold: float) -> Segmenter:
        """The segmenter that cuts speech as ``vad_pieces`` does with ``vad``.

        The frame counts follow faster-whisper's ``get_speech_timestamps``:
        speech ends once ``min_silence_ms`` of silence has passed, is kept
        when longer than ``min_speech_ms``, and is cut when longer than
        ``max_piece_seconds`` less one frame and both paddings.

        Args:
            vad: The VAD options (``analyzer.options.VadOptions``).
            threshold: The speech threshold of the line (``ASROptions.for_line``).
        """
        per_ms = SAMPLE_RATE / 1000 / VAD_FRAME
        longest = (vad.max_piece_seconds * SAMPLE_RATE - VAD_FRAME
                   - 2 * vad.pad_ms * SAMPLE_RATE / 1000)
        return cls(threshold, math.ceil(vad.min_silence_ms * per_ms),
                   math.floor(vad.min_speech_ms * per_ms) + 1,
                   max(2, math.floor(longest / VAD_FRAME) + 1),
                   math.floor(CUT_PAUSE_MS * per_ms) + 1)

    def feed(self, probs: np.ndarray) -> list[tuple[int, int]]:
        """Advance over ``probs``; return the (start, end) frames of finished speech."""
        done: list[tuple[int, int]] = []
        for p in probs:
            i = self.frame
            self.frame += 1
            if self.start is None:
                if p >= self.threshold:
                    self.start, self._silence_from, self._pause = i, None, None
                continue
            if p >= self.threshold:
                self._silence_from = None
            elif p < self.neg:
                if self._silence_from is None:
                    self._silence_from = i
                if i - self._silence_from >= self.pause:
                    self._pause = self._silence_from
                if i - self._silence_from >= self.min_silence:
                    self._close(self._silence_from, done)
                    continue
            if i - self.start >= self.max_frames:
                pause = self._pause
                cut = pause if pause is not None and pause > self.start + self.min_speech else i
                self._close(cut, done)
                self.start = cut  # the speech after the cut goes on
        return done

    def in_pause(self) -> bool:
        """True when speech is in progress but its latest frames are silence."""
        return self.start is not None and self._silence_from is not None

    @property
    def silence_from(self) -> int | None:
        """The frame where the silence at the end of the speech in progress began
        (None: no speech in progress, or its latest frames are speech). If the
        silence lasts ``min_silence`` frames the speech ends there."""
        return self._silence_from if self.start is not None else None

    def least_end(self) -> int | None:
        """The earliest frame the first piece of the speech in progress can end at,
        whatever comes (None: no speech in progress): where its silence began, or the
        current frame — or, since speech longer than ``max_frames`` is cut at its last
        pause, the latest pause so far."""
        if self.start is None:
            return None
        if self._pause is not None:
            return self._pause
        return self._silence_from if self._silence_from is not None else self.frame

    def flush(self) -> list[tuple[int, int]]:
        """Finish the speech in progress at the current frame."""
        done: list[tuple[int, int]] = []
        if self.start is not None:
            end = self._silence_from if self._silence_from is not None else self.frame
            self._close(end, done)
        return done

    def _close(self, end: int, done: list[tuple[int, int]]) -> None:
        if self.start is not None and end - self.start >= self.min_speech:
            done.append((self.start, end))
        self.start, self._silence_from, self._pause = None, None, None


@dataclass
class LiveTrack:
    """One track of a live line: its role, VAD, segmenter and recent audio.

    Attributes:
        track: Its role (from :func:`analyzer.speech.tracks.resolve_tracks`).
        vad: Its Silero state.
        seg: Its segmenter.
        audio: Its latest samples (16 kHz, crosstalk silenced), from ``audio_from``.
        audio_from: Absolute sample index of ``audio[0]``.
        heard: The utterances finally recognised on it, in the order they ended.
    """

    track: Track
    vad: SileroStream
    seg: Segmenter
    audio: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    audio_from: int = 0
    heard: list[Utterance] = field(default_factory=list)

    @property
    def speaker(self) -> str:
        """The role of everything said on it."""
        return self.track.speaker

    def append(self, x: np.ndarray, keep_from: int) -> None:
        """Add samples; forget those before absolute sample ``keep_from``."""
        self.audio = np.concatenate([self.audio, x])
        drop = max(0, keep_from - self.audio_from)
        if drop:
            self.audio = self.audio[drop:]
            self.audio_from += drop

    def clip(self, a: int, b: int) -> np.ndarray:
        """Its samples from absolute index ``a`` to ``b`` (what is still kept)."""
        return self.audio[max(0, a - self.audio_from): max(0, b - self.audio_from)]


class ChunkReader:
    """Chunks of a line -> float32 ``(channels, n)`` at the line's rate.

    Takes interleaved ``s16le`` bytes (a sample split across chunks waits for
    the rest), or int16 / float32 arrays: 1-D (interleaved), ``(channels, n)``
    or ``(n, channels)``.

    Args:
        channels: The line's channels.
        source: The line's name, for errors.
    """

    def __init__(self, channels: int, source: str) -> None:
        self.channels = channels
        self.source = source
        self._leftover = b""

    def read(self, chunk: bytes | bytearray | memoryview | np.ndarray) -> np.ndarray:
        """One chunk as float32 ``(channels, n)``.

        Raises:
            AudioError: An array without the line's channels.
        """
        if isinstance(chunk, (bytes, bytearray, memoryview)):
            data = self._leftover + bytes(chunk)
            frame = 2 * self.channels
            usable = len(data) - len(data) % frame
            self._leftover = data[usable:]
            x = np.frombuffer(data[:usable], dtype="<i2").astype(np.float32) / 32768.0
            return x.reshape(-1, self.channels).T
        x = np.asarray(chunk)
        if x.dtype == np.int16:
            x = x.astype(np.float32) / 32768.0
        x = x.astype(np.float32, copy=False)
        if x.ndim == 1 and x.size % self.channels == 0:
            return x.reshape(-1, self.channels).T
        if x.ndim == 2 and x.shape[0] == self.channels:
            return x
        if x.ndim == 2 and x.shape[1] == self.channels:
            return x.T
        raise AudioError(f"chunk of shape {x.shape} does not have {self.channels} channel(s)",
                         source=self.source)


class Resampler:
    """Streaming resampler to 16 kHz float32 (PyAV / libswresample, state kept)."""

    def __init__(self, rate: int, channels: int) -> None:
        self.rate, self.channels = rate, channels
        self._layout = "mono" if channels == 1 else "stereo"
        self._av: Any = None
        if rate != SAMPLE_RATE:
            import av

            self._av = av.AudioResampler(format="fltp", layout=self._layout, rate=SAMPLE_RATE)
        self._pts = 0

    def feed(self, x: np.ndarray) -> np.ndarray:
        """The 16 kHz samples ``x`` (``(channels, n)`` at the input rate) completes."""
        if self._av is None or x.shape[1] == 0:
            return np.ascontiguousarray(x, dtype=np.float32)
        import av

        frame = av.AudioFrame.from_ndarray(np.ascontiguousarray(x, dtype=np.float32),
                                           format="fltp", layout=self._layout)
        frame.sample_rate = self.rate
        frame.pts = self._pts
        self._pts += x.shape[1]
        return self._collect(self._av.resample(frame))

    def flush(self) -> np.ndarray:
        """What the resampler still holds, at the end of the line."""
        if self._av is None:
            return np.zeros((self.channels, 0), dtype=np.float32)
        return self._collect(self._av.resample(None))

    def _collect(self, frames: list[Any]) -> np.ndarray:
        parts = [f.to_ndarray().reshape(self.channels, -1) for f in frames]
        if not parts:
            return np.zeros((self.channels, 0), dtype=np.float32)
        return np.concatenate(parts, axis=1).astype(np.float32, copy=False)
