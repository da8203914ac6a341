"""Synthesise test audio: speech, ringback tones, noise, phone line effects.

A shared helper for the test suite and the benchmarks (import it as
``from audio_factory import ...``; ``tests/conftest.py`` puts this folder on
``sys.path``, and benchmarks insert it themselves). Everything is generated,
nothing is downloaded:

* speech: hanzi -> tone-numbered pinyin (pypinyin ``Style.TONE3``) ->
  ``espeak-ng -v cmn-latn-pinyin`` (robotic, but Whisper base reads part of it);
* ringback tones with the cadences of :data:`CADENCES` (China 450 Hz 1 s / 4 s,
  North America 440+480 Hz 2 s / 4 s, UK 400+450 Hz double ring);
* white noise at a given SNR, telephone band (300-3400 Hz), a real G.711
  mu-law round trip through ffmpeg, level changes;
* placement of clips on a timeline and stereo assembly (staff on channel 0,
  citizen on channel 1), WAV writing.

Signals are float32 numpy arrays in [-1, 1]: shape ``(n,)`` for mono and
``(channels, n)`` for multi-channel, as :func:`analyzer.speech.decode.decode_audio`
returns them.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
import tempfile
import wave
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

SR = 16000  #: default sample rate of generated audio


@dataclass(frozen=True)
class Cadence:
    """A ringback cadence.

    Attributes:
        name: Short name.
        frequencies: Tone frequencies in Hz, sounded together.
        pattern: Alternating on/off seconds of one ring period, starting with
            "on" (China: ``(1.0, 4.0)``; UK double ring: ``(0.4, 0.2, 0.4, 2.0)``).
    """

    name: str
    frequencies: tuple[float, ...]
    pattern: tuple[float, ...]

    @property
    def period(self) -> float:
        """Seconds from one ring's start to the next."""
        return float(sum(self.pattern))

    def ring_options(self, **overrides: object):
        """Return the :class:`analyzer.options.RingOptions` that detect this cadence."""
        from analyzer.options import RingOptions

        return RingOptions(
            frequencies=self.frequencies,
            cadence_on=self.pattern[0],
            cadence_off=self.pattern[-1],
            pattern=self.pattern,
            **overrides,
        )


#: Ringback cadences used in tests and benchmarks.
CADENCES: dict[str, Cadence] = {
    "cn": Cadence("cn", (450.0,), (1.0, 4.0)),
    "us": Cadence("us", (440.0, 480.0), (2.0, 4.0)),
    "uk": Cadence("uk", (400.0, 450.0), (0.4, 0.2, 0.4, 2.0)),
}


def db_to_amp(db: float) -> float:
    """Convert dB to a linear amplitude factor."""
    return float(10.0 ** (db / 20.0))


def rms_dbfs(x: np.ndarray) -> float:
    """RMS level of ``x`` in dBFS (a full-scale sine is -3 dBFS); -120 for silence."""
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64)))) if x.size else 0.0
    return 20.0 * np.log10(rms) if rms > 1e-6 else -120.0


def set_level(x: np.ndarray, dbfs: float) -> np.ndarray:
    """Scale ``x`` so that its RMS level is ``dbfs`` dBFS."""
    current = rms_dbfs(x)
    if current <= -120.0:
        return x.astype(np.float32)
    return (x * db_to_amp(dbfs - current)).astype(np.float32)


def gain(x: np.ndarray, db: float) -> np.ndarray:
    """Change the level of ``x`` by ``db`` decibels."""
    return (x * db_to_amp(db)).astype(np.float32)


def silence(seconds: float, sr: int = SR) -> np.ndarray:
    """``seconds`` of digital silence."""
    return np.zeros(int(round(seconds * sr)), dtype=np.float32)


def tone(
    frequencies: Sequence[float], seconds: float, sr: int = SR, dbfs: float = -10.0
) -> np.ndarray:
    """A steady tone of summed sines, RMS ``dbfs``, with 5 ms fades against clicks."""
    t = np.arange(int(round(seconds * sr))) / sr
    x = sum(np.sin(2 * np.pi * f * t) for f in frequencies)
    x = set_level(np.asarray(x, dtype=np.float32), dbfs)
    fade = min(int(0.005 * sr), x.size // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, dtype=np.float32)
        x[:fade] *= ramp
        x[-fade:] *= ramp[::-1]
    return x


def ringback(
    cadence: str | Cadence = "cn",
    rings: int = 3,
    sr: int = SR,
    dbfs: float = -15.0,
    cut: float | None = None,
) -> tuple[np.ndarray, list[tuple[float, float]]]:
    """Ringback tone: ``rings`` full ring periods of ``cadence``.

    Args:
        cadence: A name in :data:`CADENCES` or a :class:`Cadence`.
        rings: Number of rings (each a full on/off period).
        sr: Sample rate.
        dbfs: RMS level of the tone while it sounds.
        cut: If given, the signal is cut at this many seconds (a call
            answered mid-ring or mid-pause).

    Returns:
        The samples and the (start, end) seconds of each ring's tone (from the
        first burst's start to the last burst's end of each period).
    """
    cad = CADENCES[cadence] if isinstance(cadence, str) else cadence
    parts: list[np.ndarray] = []
    spans: list[tuple[float, float]] = []
    t = 0.0
    for _ in range(rings):
        start = t
        for i, seconds in enumerate(cad.pattern):
            on = i % 2 == 0
            parts.append(tone(cad.frequencies, seconds, sr, dbfs) if on else silence(seconds, sr))
            t += seconds
        spans.append((start, start + cad.period - cad.pattern[-1]))
    x = np.concatenate(parts) if parts else silence(0.0, sr)
    if cut is not None:
        x = x[: int(round(cut * sr))]
        spans = [(s, min(e, cut)) for s, e in spans if s < cut]
    return x, spans


def noise(seconds: float, sr: int = SR, dbfs: float = -40.0, seed: int = 0) -> np.ndarray:
    """White Gaussian noise at RMS ``dbfs``."""
    rng = np.random.default_rng(seed)
    return set_level(rng.standard_normal(int(round(seconds * sr))).astype(np.float32), dbfs)


def add_noise(x: np.ndarray, snr_db: float, seed: int = 0, ref_dbfs: float | None = None) -> np.ndarray:
    """Add white noise ``snr_db`` below the signal.

    Args:
        x: Mono signal.
        snr_db: Signal-to-noise ratio in dB.
        seed: Noise seed.
        ref_dbfs: Signal level the SNR refers to; default: the RMS level of
            the non-silent part of ``x`` (so pauses do not lower the noise).
    """
    if ref_dbfs is None:
        active = x[np.abs(x) > 1e-4]
        ref_dbfs = rms_dbfs(active) if active.size else -120.0
    rng = np.random.default_rng(seed)
    n = rng.standard_normal(x.size) * db_to_amp(ref_dbfs - snr_db)
    return np.clip(x + n, -1.0, 1.0).astype(np.float32)


def telephone_band(x: np.ndarray, sr: int = SR, low: float = 300.0, high: float = 3400.0) -> np.ndarray:
    """Band-limit ``x`` to the telephone band with a 4th-order Butterworth band-pass."""
    from scipy.signal import butter, sosfiltfilt

    sos = butter(4, [low, min(high, 0.45 * sr)], btype="bandpass", fs=sr, output="sos")
    return sosfiltfilt(sos, x).astype(np.float32)


def mulaw_roundtrip(x: np.ndarray, sr: int = SR) -> np.ndarray:
    """Encode ``x`` as 8 kHz G.711 mu-law with ffmpeg and decode it back to ``sr``.

    Raises:
        RuntimeError: When ffmpeg is not installed.
    """
    if shutil.which("ffmpeg") is None:
        raise RuntimeError("ffmpeg is needed for the mu-law round trip (apt-get install ffmpeg)")
    with tempfile.TemporaryDirectory() as tmp:
        src, law, back = (Path(tmp) / n for n in ("in.wav", "law.wav", "out.wav"))
        write_wav(src, x, sr)
        common = ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i"]
        subprocess.run([*common, str(src), "-ar", "8000", "-ac", "1", "-c:a", "pcm_mulaw", str(law)], check=True)
        subprocess.run([*common, str(law), "-ar", str(sr), "-c:a", "pcm_s16le", str(back)], check=True)
        y, _ = read_wav(back)
    y = y[0] if y.ndim == 2 else y
    out = np.zeros_like(x, dtype=np.float32)
    out[: min(x.size, y.size)] = y[: x.size]
    return out


def phone_line(x: np.ndarray, sr: int = SR) -> np.ndarray:
    """Telephone band followed by a mu-law round trip: what a phone recording sounds like."""
    return mulaw_roundtrip(telephone_band(x, sr), sr)


def to_pinyin(hanzi: str) -> str:
    """Hanzi -> tone-numbered pinyin for espeak-ng (punctuation -> pauses).

    >>> to_pinyin("您好？")
    'nin2 hao3 ?'
    """
    from pypinyin import Style, lazy_pinyin

    marks = {"，": ",", "、": ",", "。": ".", "？": "?", "！": "!", "；": ",", "：": ","}
    out = []
    for token in lazy_pinyin(hanzi, style=Style.TONE3, neutral_tone_with_five=True):
        token = token.strip()
        if not token:
            continue
        if all(ch in marks or not ch.isalnum() for ch in token):
            mark = next((marks[ch] for ch in token if ch in marks), ",")
            out.append(mark)
        else:
            out.append(token)
    return " ".join(out)


@functools.lru_cache(maxsize=256)
def _espeak(pinyin: str, speed: int, pitch: int, sr: int) -> np.ndarray:
    if shutil.which("espeak-ng") is None:
        raise RuntimeError("espeak-ng is needed to synthesise speech (apt-get install espeak-ng)")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "speech.wav"
        subprocess.run(
            ["espeak-ng", "-v", "cmn-latn-pinyin", "-s", str(speed), "-p", str(pitch), "-w", str(out), pinyin],
            check=True,
            capture_output=True,
        )
        x, rate = read_wav(out)
    x = x[0] if x.ndim == 2 else x
    x = resample(x, rate, sr)
    nz = np.flatnonzero(np.abs(x) > 1e-3)  # trim espeak's leading/trailing silence
    if nz.size:
        x = x[nz[0] : nz[-1] + 1]
    x.setflags(write=False)
    return x


def speech(
    hanzi: str, sr: int = SR, dbfs: float = -20.0, speed: int = 150, pitch: int = 50
) -> np.ndarray:
    """Synthesise Mandarin speech from hanzi with espeak-ng (cached).

    Args:
        hanzi: The text, e.g. ``"您好，请问有什么可以帮您？"``.
        sr: Sample rate of the result.
        dbfs: RMS level of the result.
        speed: espeak-ng words per minute (``-s``).
        pitch: espeak-ng pitch 0..99 (``-p``); use another pitch for another voice.
    """
    return set_level(_espeak(to_pinyin(hanzi), speed, pitch, sr).copy(), dbfs)


def music(seconds: float, sr: int = SR, dbfs: float = -20.0, seed: int = 0) -> np.ndarray:
    """Hold music: random equal-tempered notes (A4 = 440 Hz) with harmonics, 0.25-1.5 s each."""
    rng = np.random.default_rng(seed)
    parts, total = [], 0
    n = int(round(seconds * sr))
    while total < n:
        dur = float(rng.uniform(0.25, 1.5))
        t = np.arange(int(dur * sr)) / sr
        note = 440.0 * 2.0 ** (int(rng.integers(-12, 13)) / 12.0)
        x = sum((0.6**k) * np.sin(2 * np.pi * note * (k + 1) * t) for k in range(4))
        chord = 0.5 * np.sin(2 * np.pi * note * 1.25 * t)
        env = np.minimum(1.0, np.minimum(t / 0.02, (dur - t) / 0.05).clip(0))
        parts.append(((x + chord) * env).astype(np.float32))
        total += parts[-1].size
    return set_level(np.concatenate(parts)[:n], dbfs)


def resample(x: np.ndarray, sr_in: int, sr_out: int) -> np.ndarray:
    """Polyphase resampling of a mono signal."""
    if sr_in == sr_out:
        return x.astype(np.float32)
    from math import gcd

    from scipy.signal import resample_poly

    g = gcd(int(sr_in), int(sr_out))
    return resample_poly(x, sr_out // g, sr_in // g).astype(np.float32)


def place(
    clips: Sequence[tuple[float, np.ndarray]], seconds: float | None = None, sr: int = SR
) -> np.ndarray:
    """Mix mono clips onto one track, each starting at its given second.

    Args:
        clips: ``(start_seconds, samples)`` pairs; overlapping clips add.
        seconds: Track length; default: up to the end of the last clip.
        sr: Sample rate.
    """
    end = max((int(round(t * sr)) + c.size for t, c in clips), default=0)
    n = end if seconds is None else int(round(seconds * sr))
    track = np.zeros(max(n, 0), dtype=np.float32)
    for t, clip in clips:
        i = int(round(t * sr))
        if i >= n:
            continue
        j = min(n, i + clip.size)
        track[i:j] += clip[: j - i]
    return np.clip(track, -1.0, 1.0)


def stereo(staff: np.ndarray, citizen: np.ndarray) -> np.ndarray:
    """Stack staff (channel 0) and citizen (channel 1) tracks, padding the shorter."""
    n = max(staff.size, citizen.size)
    out = np.zeros((2, n), dtype=np.float32)
    out[0, : staff.size] = staff
    out[1, : citizen.size] = citizen
    return out


@dataclass
class Turn:
    """One scripted utterance of a generated conversation."""

    speaker: str  # "staff" or "citizen"
    start: float | None  # seconds; None: ``gap`` after the previous turn ends
    text: str  # hanzi
    dbfs: float = -20.0
    end: float = 0.0  # filled in by :func:`conversation`


def conversation(
    turns: Sequence[Turn], sr: int = SR, seconds: float | None = None, tail: float = 0.5,
    gap: float = 0.6,
) -> np.ndarray:
    """Render scripted turns to a stereo (staff ch0, citizen ch1) signal.

    A turn whose ``start`` is None starts ``gap`` seconds after the previous
    one ends; ``start`` and ``end`` are filled in from the synthesised length.
    Citizens get a higher espeak pitch so the two voices differ.
    """
    staff, citizen = [], []
    previous = 0.0
    for turn in turns:
        clip = speech(turn.text, sr, turn.dbfs, pitch=35 if turn.speaker == "staff" else 70)
        if turn.start is None:
            turn.start = previous + gap
        turn.end = previous = turn.start + clip.size / sr
        (staff if turn.speaker == "staff" else citizen).append((turn.start, clip))
    total = seconds if seconds is not None else max((t.end for t in turns), default=0.0) + tail
    return stereo(place(staff, total, sr), place(citizen, total, sr))


def to_int16(x: np.ndarray) -> np.ndarray:
    """Float [-1, 1] -> int16, interleaved (n, channels) for multi-channel input."""
    y = np.clip(x, -1.0, 1.0)
    y = (y * 32767.0).round().astype(np.int16)
    return y.T.copy() if y.ndim == 2 else y


def pcm_bytes(x: np.ndarray) -> bytes:
    """Raw s16le PCM (interleaved for ``(channels, n)``), as ``conduct stream`` reads it."""
    return to_int16(x).tobytes()


def write_wav(path: str | Path, x: np.ndarray, sr: int = SR) -> Path:
    """Write a 16-bit PCM WAV (mono ``(n,)`` or ``(channels, n)``)."""
    path = Path(path)
    channels = 1 if x.ndim == 1 else x.shape[0]
    with wave.open(str(path), "wb") as w:
        w.setnchannels(channels)
        w.setsampwidth(2)
        w.setframerate(int(sr))
        w.writeframes(pcm_bytes(x))
    return path


def read_wav(path: str | Path) -> tuple[np.ndarray, int]:
    """Read a 16-bit PCM WAV as float32 ``(channels, n)`` and its rate."""
    with wave.open(str(path), "rb") as w:
        channels, rate = w.getnchannels(), w.getframerate()
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit WAV is supported here")
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
    return (data.reshape(-1, channels).T.astype(np.float32) / 32768.0), rate


#: A short phone call script: greeting, question, answer, thanks, farewell.
PHONE_SCRIPT: tuple[tuple[str, str], ...] = (
    ("staff", "您好，这里是市政务服务中心，请问有什么可以帮您？"),
    ("citizen", "我想问一下营业执照怎么办理"),
    ("staff", "请您带上身份证和申请材料到三号窗口办理"),
    ("citizen", "好的，谢谢你"),
    ("staff", "请您对我的服务做出评价，谢谢，再见"),
)


def phone_call(
    rings: int = 4,
    cadence: str = "cn",
    script: Sequence[tuple[str, str]] = PHONE_SCRIPT,
    sr: int = SR,
    answer_into_ring: float = 0.6,
    line: bool = False,
    tail: float = 1.5,
) -> tuple[np.ndarray, list[Turn], list[tuple[float, float]], float]:
    """A stereo phone call: ringback on the citizen side, then the scripted turns.

    Args:
        rings: Rings before the answer (the last one cut ``answer_into_ring`` s in).
        cadence: Ringback cadence name.
        script: ``(speaker, hanzi)`` turns, played one after the other.
        sr: Sample rate.
        answer_into_ring: Seconds into the last ring when staff starts speaking.
        line: Pass both channels through the telephone band and mu-law.
        tail: Seconds of silence after the last turn.

    Returns:
        ``(stereo samples, turns with times, ring spans, answer time)``.
    """
    ring, spans = ringback(cadence, rings, sr=sr)
    answer = spans[-1][0] + answer_into_ring if rings else 0.5
    ring = ring[: int(round(answer * sr))]
    turns = [Turn(speaker, answer if i == 0 else None, text) for i, (speaker, text) in enumerate(script)]
    call = conversation(turns, sr, tail=tail)
    call[1, : ring.size] += ring
    if line:
        call = np.stack([phone_line(ch, sr) for ch in call])
    return call, turns, [(s, min(e, answer)) for s, e in spans if s < answer], answer


def silent_wav(path: str | Path, seconds: float, rate: int = 8000, channels: int = 1) -> Path:
    """A real 16-bit WAV of silence of any length, written sparse (no disk for its zeros)."""
    import struct

    path = Path(path)
    data = int(seconds * rate) * 2 * channels
    header = (b"RIFF" + struct.pack("<I", 36 + data) + b"WAVEfmt "
              + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * 2 * channels,
                            2 * channels, 16) + b"data" + struct.pack("<I", data))
    with path.open("wb") as fh:
        fh.write(header)
        fh.truncate(len(header) + data)
    return path


def other_recordings(folder: Path) -> list[Path]:
    """Two short stereo recordings of other speech, written into ``folder``: what a
    recording shares a batch (or a day plan's group) with in the reproducibility tests."""
    made = []
    for i, (staff, citizen) in enumerate([("请出示您的身份证。", "好的，给您。"),
                                          ("您好，请坐，有什么可以帮您？", "我来交医保。")]):
        path = folder / f"other-{i}.wav"
        write_wav(path, conversation([Turn("staff", 0.3, staff), Turn("citizen", 3.0, citizen)],
                                     seconds=6.0))
        made.append(path)
    return made
