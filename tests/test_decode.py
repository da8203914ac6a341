"""Decoding: every format and rate to 16 kHz float32, channels kept apart; clear errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from audio_factory import stereo, tone, write_wav

from analyzer.errors import AudioError
from analyzer.speech.decode import decode_audio

CH0_HZ, CH1_HZ = 440.0, 1000.0
SECONDS = 2.0

#: name -> ffmpeg output arguments (format made from the 44.1 kHz stereo WAV)
FORMATS = {
    "s.flac": ["-c:a", "flac"],
    "s.mp3": ["-c:a", "libmp3lame", "-b:a", "64k"],
    "s.m4a": ["-c:a", "aac", "-b:a", "64k"],
    "s.ogg": ["-c:a", "libopus", "-b:a", "48k"],
    "s48.wav": ["-ar", "48000", "-c:a", "pcm_s16le"],
    "phone8k.wav": ["-ar", "8000", "-c:a", "pcm_mulaw"],
}


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args], check=True)


@pytest.fixture(scope="module")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("ffmpeg") is None:
        pytest.fail("ffmpeg is needed (bash .ci/deps)")
    root = tmp_path_factory.mktemp("decode")
    sr = 44100
    x = stereo(tone([CH0_HZ], SECONDS, sr, -12.0), tone([CH1_HZ], SECONDS, sr, -12.0))
    write_wav(root / "s.wav", x, sr)
    for name, args in FORMATS.items():
        _ffmpeg("-i", str(root / "s.wav"), *args, str(root / name))
    mono = tone([CH0_HZ], SECONDS, 22050, -12.0)
    write_wav(root / "mono22k.wav", mono, 22050)
    if shutil.which("sox"):
        subprocess.run(["sox", str(root / "mono22k.wav"), str(root / "sox.flac")], check=True)
    return root


def _peak_hz(x: np.ndarray, sr: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(x.size)))
    return float(np.fft.rfftfreq(x.size, 1 / sr)[np.argmax(spectrum)])


@pytest.mark.parametrize("name", ["s.wav", *FORMATS])
def test_formats_decode_to_16k_with_channels_apart(audio_dir: Path, name: str) -> None:
    audio = decode_audio(audio_dir / name)
    assert audio.sample_rate == 16000 and audio.samples.dtype == np.float32
    assert audio.samples.shape[0] == 2
    assert abs(audio.duration - SECONDS) < 0.1, audio.duration
    assert audio.samples.shape[1] == round(audio.duration * 16000)
    mid = audio.samples[:, 4000:28000]
    assert abs(_peak_hz(mid[0], 16000) - CH0_HZ) < 5
    assert abs(_peak_hz(mid[1], 16000) - CH1_HZ) < 5  # not mixed together
    assert 0.1 < float(np.abs(mid).max()) < 1.2


def test_native_rate_and_codec_reported(audio_dir: Path) -> None:
    phone = decode_audio(audio_dir / "phone8k.wav")
    assert phone.native_rate == 8000 and phone.codec == "pcm_mulaw"
    mono = decode_audio(audio_dir / "mono22k.wav")
    assert mono.channels == 1 and mono.native_rate == 22050
    assert mono.mono().shape == (mono.samples.shape[1],)


def test_sox_made_flac(audio_dir: Path) -> None:
    if not (audio_dir / "sox.flac").exists():
        pytest.fail("sox is needed (bash .ci/deps)")
    audio = decode_audio(audio_dir / "sox.flac")
    assert audio.channels == 1 and abs(_peak_hz(audio.samples[0], 16000) - CH0_HZ) < 5


def test_bad_inputs_name_file_and_reason(audio_dir: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    garbage = tmp_path / "garbage.mp3"
    garbage.write_bytes(np.random.default_rng(0).integers(0, 256, 5000, dtype=np.uint8).tobytes())
    text = tmp_path / "notes.wav"
    text.write_text("this is not audio\n")
    whole = (audio_dir / "s.wav").read_bytes()
    truncated = tmp_path / "truncated.wav"
    truncated.write_bytes(whole[: len(whole) // 10])
    header_only = tmp_path / "header.wav"
    header_only.write_bytes(whole[:44])
    cases = {
        empty: "empty",
        garbage: "not a readable audio file",
        text: "not a readable audio file",
        truncated: "truncated",
        header_only: "",
        tmp_path / "missing.wav": "no such file",
    }
    for path, reason in cases.items():
        with pytest.raises(AudioError) as err:
            decode_audio(path)
        assert str(path) in str(err.value) and reason in str(err.value)
        assert err.value.source == str(path)
