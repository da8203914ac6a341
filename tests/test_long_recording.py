"""Long recordings are read, cut into speech and recognised a block at a time (issue 26 #3).

A recording longer than ``recording.block_seconds`` is never decoded whole
(:func:`analyzer.speech.decode.decode_blocks`, :mod:`analyzer.speech.blocks`): its
memory is bounded by one block, and its words come back at recording time.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import asdict, replace
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


# -- a long live call: its end-of-call analysis read back a block at a time ----------------


class Scripted:
    """Hears a fixed text per speaker in every piece it is given (one word spanning it)."""

    def __init__(self, said: dict[str, str]) -> None:
        self.said = said

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        from analyzer.types import Utterance, Word

        out = []
        for t in tracks:
            start = round(t.offset + t.lead, 3)
            end = round(t.offset + t.samples.size / 16000 - t.trail, 3)
            text = self.said.get(t.speaker, "")
            out.append([] if t.context or not text else [Utterance(
                t.speaker, start, end, text, (Word(text, start, end),), 0.9, t.known)])
        return out


SAID = {"staff": "您好，请问您要办理什么业务", "citizen": "我来办理营业执照"}


def _streamed(audio: np.ndarray, options, name: str):
    from analyzer.stream import StreamAnalyzer

    stream = StreamAnalyzer(options, 16000, 2, interaction_id=name, recognizer=Scripted(SAID))
    for i in range(0, audio.shape[1], 3200):
        list(stream.feed(audio[:, i: i + 3200]))
    list(stream.close())
    return stream


def test_a_short_call_ends_exactly_as_its_whole_audio_concluded_at_once() -> None:
    """A call no longer than one block is concluded as one block holding exactly the samples
    that arrived: the report is what the core gives for the whole call's audio at once (the
    end-of-call analysis before it was read back in blocks)."""
    import audio_factory as af

    from analyzer.options import AnalyzerOptions
    from analyzer.pipeline import conclude_call
    from analyzer.speech.decode import DecodedAudio
    from analyzer.speech.recording import Heard

    audio = af.phone_call(rings=4)[0].astype(np.float32)
    options = AnalyzerOptions()
    stream = _streamed(audio, options, "short")
    whole = DecodedAudio(audio, 16000, audio.shape[1] / 16000, "short", 16000, "pcm")
    assert stream._gate is not None
    meta = replace(stream.meta, extra={**stream.meta.extra, "stream": asdict(stream.sopts)})
    heard = Heard(whole, stream.tracks, [list(t.heard) for t in stream._live], meta,
                  None, stream._gate.dropped, at_call_end=stream._at_call_end(stream.tracks, None))
    at_once = conclude_call(iter([whole]), lambda _b, _l: heard, meta, options,
                            lexicon=stream.lexicon, source="short", asr_info=stream._asr_info())
    assert stream.report is not None and stream.interaction is not None
    assert stream.interaction.utterances
    got, expected = stream.report.to_dict(), at_once.report.to_dict()
    expected["analyzer"]["stream"] = got["analyzer"]["stream"]  # the stream's own options
    assert got == expected
    assert "blocks" not in got["analyzer"]["asr"]["attribution"]


def _long_call(seconds: float = 150.0) -> tuple[np.ndarray, list[tuple[str, float]]]:
    """A stereo call of ``seconds`` with turns spread over it (speaker, start)."""
    import audio_factory as af

    turns = [("staff", 5.0), ("citizen", 40.0), ("staff", 75.0), ("citizen", 100.0),
             ("staff", 140.0)]
    staff = af.place([(at, af.speech(SAID["staff"])) for who, at in turns if who == "staff"],
                     seconds, af.SR)
    citizen = af.place([(at, af.speech(SAID["citizen"], pitch=70)) for who, at in turns
                        if who == "citizen"], seconds, af.SR)
    return af.stereo(staff, citizen).astype(np.float32), turns


def test_a_long_call_is_concluded_a_block_at_a_time_at_call_time() -> None:
    """A call longer than a block is read back in the blocks a recording would be cut in:
    its utterances keep their call times, each utterance's level is measured on its own
    stretch of the call, and the report lasts the whole call."""
    from analyzer.options import AnalyzerOptions
    from analyzer.rules.acoustics import utterance_level

    audio, turns = _long_call()
    options = AnalyzerOptions().with_overrides({"recording.block_seconds": 60.0})
    stream = _streamed(audio, options, "long")
    assert stream.result is not None and stream.result.audio is not None
    assert stream.result.audio.asr_info["attribution"]["blocks"] == 3
    heard = stream.result.interaction.utterances
    assert stream.result.interaction.duration == pytest.approx(audio.shape[1] / 16000)
    said = [(u.speaker, round(u.start)) for u in heard]
    assert [s for s, _ in said] == [who for who, _ in turns], said
    for (_, start), (_, expected) in zip(said, turns, strict=True):
        assert abs(start - expected) <= 1.0, said
    assert [(u.speaker, u.start, u.end) for u in heard] == \
        [(u.speaker, u.start, u.end) for u in sorted(stream.utterances, key=lambda u: u.start)]
    rows = {"staff": 0, "citizen": 1}
    for u in heard:
        level = utterance_level(audio[rows[u.speaker]], 16000, u.start, u.end)
        assert u.level_dbfs == pytest.approx(level, abs=0.01), u


@pytest.mark.slow
def test_a_long_call_gives_the_findings_conduct_analyze_gives_its_recording(
        tmp_path: Path) -> None:
    """The bundled counter visit four times over in one 129 s call (three 60 s blocks):
    streamed, it ends with the findings and score that ``analyze`` of its WAV gives."""
    import json

    from audio_factory import write_wav
    from click.testing import CliRunner

    import analyzer
    from analyzer.cli import main
    from analyzer.cli.analyze import build_options
    from analyzer.speech.decode import decode_audio

    visit = decode_audio(ROOT / "examples" / "recordings" / "counter-visit.ogg").samples
    gap = np.zeros((visit.shape[0], 10 * 16000), dtype=np.float32)
    wav = write_wav(tmp_path / "long.wav",
                    np.concatenate([visit, gap, visit, gap, visit, gap, visit], axis=1))
    settings = ("recording.block_seconds=60", "pack.pieces_per_window=1",
                "stream.partial_interval=0", "stream.context_seconds=0")
    filed = analyzer.analyze(wav, build_options((), settings)).to_dict()
    result = CliRunner().invoke(main, ["stream", str(wav), "--channel", "counter",
                                       *[a for s in settings for a in ("--set", s)]],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    streamed = json.loads(result.output.splitlines()[-1])["report"]
    for report in (filed, streamed):
        assert report["analyzer"]["asr"]["attribution"]["blocks"] == 3
        assert report["duration"] == pytest.approx(4 * visit.shape[1] / 16000 + 30)
    found = sorted((f["rule"], f["kind"], f["speaker"]) for f in filed["findings"])
    assert found and sorted((f["rule"], f["kind"], f["speaker"])
                            for f in streamed["findings"]) == found
    assert streamed["score"] == filed["score"]


@pytest.mark.slow
def test_the_memory_of_a_long_live_call_does_not_grow_with_its_length(tmp_path: Path) -> None:
    """A live line of 20 minutes of stereo audio (307 MB of samples at 16 kHz, which the
    stream held whole in memory and concatenated once more when the call ended) peaks no
    higher than a one-minute line, give or take one 60 s block's working memory: the call's
    samples go to a file as they arrive and are read back a block at a time."""
    lines = {}
    for minutes in (1, 20):
        raw = tmp_path / f"line-{minutes}.raw"
        with raw.open("wb") as out:  # s16le stereo at 16 kHz, silent, written sparse
            out.truncate(minutes * 60 * 16000 * 2 * 2)
        lines[minutes] = _measured(["stream", str(raw), "--rate", "16000", "--channels", "2",
                                    "--channel", "counter", "--chunk-ms", "2000",
                                    "--set", "recording.block_seconds=60"])
    (short_peak, short_rc, short_err), (long_peak, long_rc, long_err) = lines[1], lines[20]
    assert short_rc == long_rc == 2, (short_err, long_err)  # silence: no speech, named
    assert "no speech recognised" in long_err and "line-20" in long_err, long_err
    assert "no speech recognised" in short_err, short_err
    assert long_peak - short_peak < 80, (short_peak, long_peak)
