"""A telephone line stored at a wideband rate is still heard as a phone line (issue 25, item 3).

A recorder or gateway often stores an 8 kHz call at 16 kHz or more; the
container then says "wideband" although the speech went through the phone
band, where Silero scores speech lower. :func:`analyzer.speech.band.line_rate`
tells the line by its content (no energy above 4 kHz), so the recording gets
``asr.vad.phone_threshold`` like any 8 kHz file.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from audio_factory import SR, noise, phone_line, place, set_level, speech

from analyzer.options import AnalyzerOptions, ASROptions, StreamOptions
from analyzer.speech.band import (
    LIVE_CHECKS,
    NARROW_DB,
    PHONE_RATE,
    band_drop_db,
    line_rate,
    telephone_band,
)
from analyzer.speech.decode import DecodedAudio, decode_audio
from analyzer.stream import StreamAnalyzer

CALL = Path(__file__).resolve().parent.parent / "examples" / "recordings" / "phone-call.ogg"


def _bursts(seed: int = 0) -> np.ndarray:
    """Broadband bursts with pauses: what speech looks like to a spectrum."""
    parts = [(0.5 + 1.5 * k, set_level(noise(1.0, seed=seed + k), -20.0)) for k in range(6)]
    return place(parts, 10.0)


def _audio(channels: list[np.ndarray], native_rate: int = SR) -> DecodedAudio:
    x = np.stack(channels).astype(np.float32)
    return DecodedAudio(x, SR, x.shape[1] / SR, "test", native_rate)


def test_a_phone_line_resampled_to_16_khz_is_heard_as_a_phone_line():
    wide, narrow = _bursts(), phone_line(_bursts()).astype(np.float32)
    assert band_drop_db(wide, SR) > -3.0
    assert band_drop_db(narrow, SR) < NARROW_DB - 10.0
    assert line_rate(_audio([wide, wide])) == SR
    assert line_rate(_audio([narrow, narrow])) == PHONE_RATE
    assert telephone_band(_audio([narrow]))


def test_one_wideband_channel_keeps_the_recording_wideband():
    wide, narrow = _bursts(), phone_line(_bursts(3)).astype(np.float32)
    assert line_rate(_audio([wide, narrow])) == SR


def test_a_silent_channel_says_nothing():
    narrow = phone_line(_bursts()).astype(np.float32)
    assert band_drop_db(np.zeros(SR * 5, dtype=np.float32), SR) is None
    assert line_rate(_audio([narrow, np.zeros_like(narrow)])) == PHONE_RATE
    assert line_rate(_audio([np.zeros_like(narrow)])) == SR


def test_the_native_rate_still_decides_first():
    assert line_rate(_audio([_bursts()], native_rate=8000)) == 8000


def test_the_phone_vad_threshold_follows_the_line_rate():
    asr = ASROptions()
    narrow = phone_line(_bursts()).astype(np.float32)
    line = asr.for_line(line_rate(_audio([narrow])), "counter")
    assert line.vad.threshold == asr.vad.phone_threshold != asr.vad.threshold


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_the_example_call_through_an_8_khz_line_and_back_to_16_khz(tmp_path):
    out = tmp_path / "call.wav"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(CALL), "-ar", "8000",
                    "-acodec", "pcm_mulaw", str(tmp_path / "line.wav")], check=True)
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(tmp_path / "line.wav"),
                    "-ar", "16000", str(out)], check=True)
    assert line_rate(decode_audio(CALL)) == decode_audio(CALL).native_rate
    resampled = decode_audio(out)
    assert resampled.native_rate == 16000 and line_rate(resampled) == PHONE_RATE


class _Requests:
    """Records the VAD threshold of the line options each live request carries (hears nothing)."""

    def __init__(self) -> None:
        self.thresholds: list[float] = []

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        self.thresholds.append(options.vad.threshold)
        return [[] for _ in tracks]


def _live_line(narrow: bool, asr: ASROptions | None = None) -> tuple[StreamAnalyzer, _Requests]:
    """A 16 kHz counter stream of three spoken clauses, through a phone line or not, fed in
    0.5 s chunks."""
    clauses = [(1.0 + 4.0 * k, speech(text)) for k, text in
               enumerate(("您好请问办理什么业务", "请您出示身份证", "请您稍等一下"))]
    x = place(clauses, 14.0)
    if narrow:
        x = phone_line(x).astype(np.float32)
    requests = _Requests()
    options = AnalyzerOptions(asr=asr or ASROptions(),
                              stream=StreamOptions(partial_interval=0.0, decode_at_pause=False))
    stream = StreamAnalyzer(options, SR, 1, channel="counter", recognizer=requests)
    for i in range(0, x.size, SR // 2):
        list(stream.feed(x[i: i + SR // 2]))
    return stream, requests


def test_a_live_counter_stream_carrying_a_phone_line_is_heard_as_one():
    """The live line judges its sound with the file path's rule (``band.narrow_channels``)
    from :data:`LIVE_CHECKS` ``[0]`` seconds on: a 16 kHz stream whose speech went through
    an 8 kHz line gets the phone VAD threshold, as a recording of it would."""
    vad = ASROptions().vad
    stream, requests = _live_line(narrow=True)
    assert stream.now > LIVE_CHECKS[0]
    assert stream.line.vad.threshold == vad.phone_threshold != vad.threshold
    assert all(t.seg.threshold == vad.phone_threshold for t in stream._live)
    assert requests.thresholds and requests.thresholds[-1] == vad.phone_threshold
    assert stream.channel == "counter"  # the interaction's channel is not changed


def test_a_live_wideband_counter_stream_keeps_the_wideband_threshold():
    vad = ASROptions().vad
    stream, requests = _live_line(narrow=False)
    assert stream.line.vad.threshold == vad.threshold
    assert requests.thresholds and set(requests.thresholds) == {vad.threshold}


def test_the_batch_driver_tells_the_line_by_the_file_paths_own_rule(tmp_path):
    from dataclasses import replace

    from audio_factory import write_wav
    from scipy.signal import resample_poly

    from analyzer.speech.band import line_compute_type

    asr = replace(ASROptions(), phone_compute_type="float32")
    wide, narrow = _bursts(), phone_line(_bursts(5)).astype(np.float32)
    files = {"wide": write_wav(tmp_path / "wide.wav", np.stack([wide, wide])),
             "narrow-16k": write_wav(tmp_path / "narrow.wav", narrow),
             "8k": write_wav(tmp_path / "eight.wav", resample_poly(wide, 1, 2), PHONE_RATE)}
    told = {name: line_compute_type(path, "", asr) for name, path in files.items()}
    assert told == {"wide": asr.compute_type, "narrow-16k": "float32", "8k": "float32"}
    for name, path in files.items():  # what the file path then hears each line with
        heard = asr.for_line(line_rate(decode_audio(path)), "").compute_type
        assert heard == told[name], name
    assert line_compute_type(files["wide"], "phone", asr) == "float32"  # the metadata says so
    # no other model for phone lines: nothing to judge, nothing decoded (even a bad file)
    plain = replace(asr, phone_compute_type="")
    assert line_compute_type(tmp_path / "missing.wav", "", plain) == plain.compute_type
    assert line_compute_type(tmp_path / "missing.wav", "", asr) == asr.compute_type


def test_every_path_hears_a_phone_line_with_the_phone_compute_type(tmp_path):
    """Issue 25: int8 weights lose narrow-band speech (plain faster-whisper too), so
    ``asr.phone_compute_type="float32"`` hears a telephone line float32 on every path, by
    the one rule (``ASROptions.for_line``): the file path (a phone line stored at 16 kHz,
    told by its sound, and an 8 kHz file), the batch driver's judgement of which worker
    hears it, and a live line, from its first band check on; a wideband line keeps int8.
    The default ("") keeps int8 everywhere (the batch's CPU)."""
    from audio_factory import write_wav
    from scipy.signal import resample_poly

    from analyzer.speech.band import line_compute_type

    asr = ASROptions(phone_compute_type="float32")
    assert asr.compute_type.startswith("int8")
    wide, narrow = _bursts(), phone_line(_bursts(5)).astype(np.float32)
    files = {"wide": write_wav(tmp_path / "wide.wav", wide),
             "narrow-16k": write_wav(tmp_path / "narrow.wav", narrow),
             "8k": write_wav(tmp_path / "eight.wav",
                             resample_poly(phone_line(_bursts(7)), 1, 2), PHONE_RATE)}
    heard = {name: asr.for_line(line_rate(decode_audio(path)), "").compute_type
             for name, path in files.items()}
    assert heard == {"wide": asr.compute_type, "narrow-16k": "float32", "8k": "float32"}
    assert {name: line_compute_type(path, "", asr) for name, path in files.items()} == heard
    stream, _ = _live_line(narrow=True, asr=asr)
    assert stream.line.compute_type == "float32"
    assert _live_line(narrow=False, asr=asr)[0].line.compute_type == asr.compute_type
    eight_khz = StreamAnalyzer(AnalyzerOptions(asr=asr), PHONE_RATE, 1, channel="phone",
                               recognizer=_Requests())
    assert eight_khz.line.compute_type == "float32"
    default = ASROptions()
    assert {name: line_compute_type(path, "", default) for name, path in files.items()} == {
        name: default.compute_type for name in files}
    assert _live_line(narrow=True)[0].line.compute_type == default.compute_type
