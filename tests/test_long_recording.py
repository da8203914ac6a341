"""Long recordings are read, cut into speech and recognised a block at a time (issue 26 #3).

A recording longer than ``recording.block_seconds`` is never decoded whole
(:func:`analyzer.speech.decode.decode_blocks`, :mod:`analyzer.speech.blocks`): its
memory is bounded by one block, and its words come back at recording time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from itertools import pairwise
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _silent_wav(path: Path, seconds: float) -> Path:
    """A 16 kHz stereo WAV of silence, written sparse."""
    from audio_factory import silent_wav

    return silent_wav(path, seconds, rate=16000, channels=2)


def test_blocks_are_the_recording_cut_at_pauses(tmp_path: Path) -> None:
    """The blocks, end to end, are exactly the samples decoding it whole gives, and each cut
    falls in a pause of the signal, not in the sound around it."""
    import audio_factory as af

    from analyzer.speech.decode import decode_audio, decode_blocks

    rate = 16000
    sound = af.tone([440.0], 200.0, dbfs=-20.0)
    pauses = (65.0, 130.0)  # 0.5 s gaps, within the last 30 s of each 80 s block
    for at in pauses:
        sound[int(at * rate): int((at + 0.5) * rate)] = 0.0
    wav = af.write_wav(tmp_path / "tone.wav", np.stack([sound, sound * 0.5]))
    blocks = list(decode_blocks(wav, block_seconds=80.0))
    whole = decode_audio(wav)
    assert len(blocks) == 3
    assert np.array_equal(np.concatenate([b.samples for b in blocks], axis=1), whole.samples)
    starts = [b.offset for b in blocks]
    assert starts[0] == 0.0
    for start, pause in zip(starts[1:], pauses, strict=True):
        assert pause <= start <= pause + 0.5
    assert blocks[-1].total == pytest.approx(whole.duration) == pytest.approx(200.0)
    for b, nxt in pairwise(blocks):
        assert b.offset + b.duration == pytest.approx(nxt.offset)


@pytest.mark.slow
def test_a_long_recording_is_analysed_in_blocks_with_words_at_recording_time(
        tmp_path: Path) -> None:
    import audio_factory as af

    from analyzer.options import AnalyzerOptions
    from analyzer.speech.recording import analyze_recording

    total = 300.0
    staff = af.place([(5.0, af.speech("您好，请问您要办理什么业务")),
                      (280.0, af.speech("请慢走，再见"))], total, af.SR)
    citizen = af.place([(130.0, af.speech("我来办理营业执照", pitch=70))], total, af.SR)
    wav = af.write_wav(tmp_path / "day.wav", af.stereo(staff, citizen))
    options = AnalyzerOptions().with_overrides({"recording.block_seconds": 100.0})
    analysis = analyze_recording(wav, options)
    said = [(u.speaker, round(u.start)) for u in analysis.interaction.utterances]
    assert [s for s, _ in said] == ["staff", "citizen", "staff"], said
    for (_, start), expected in zip(said, (5, 130, 280), strict=True):
        assert abs(start - expected) <= 1.5, said
    assert analysis.interaction.duration == pytest.approx(total)
    assert analysis.asr_info["attribution"]["blocks"] == 3
    assert analysis.audio.samples.size == 0  # no block's samples are kept


def _measured(args: list[str]) -> tuple[float, int, str]:
    """Run ``conduct`` in a subprocess: its own peak resident memory (MiB, ``ru_maxrss``
    through ``wait4``), exit code and standard error."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    proc = subprocess.Popen([sys.executable, "-m", "analyzer.cli", "--lang", "en", *args],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    assert proc.stderr is not None
    err = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_maxrss / 1024, proc.returncode, err


@pytest.mark.slow
def test_the_memory_of_a_long_recording_is_bounded_by_its_block(tmp_path: Path) -> None:
    """A 20-minute stereo recording (307 MB of samples at 16 kHz, which the whole-file path
    held about four times over; 20 blocks of 7.7 MB) analysed in 60 s blocks peaks no higher than a one-minute
    recording does, give or take one block's working memory."""
    short = _silent_wav(tmp_path / "minute.wav", 60.0)
    long = _silent_wav(tmp_path / "twenty.wav", 20 * 60.0)
    block = ["--set", "recording.block_seconds=60"]
    short_peak, short_rc, short_err = _measured(["analyze", str(short), *block])
    long_peak, long_rc, long_err = _measured(["analyze", str(long), *block])
    assert short_rc == long_rc == 1  # silence: "no speech recognised", named
    assert "no speech recognised" in long_err and "twenty.wav" in long_err, long_err
    assert "no speech recognised" in short_err, short_err
    whole_samples_mib = 20 * 60 * 16000 * 2 * 4 / 2**20
    assert long_peak - short_peak < 80, (short_peak, long_peak, whole_samples_mib)
