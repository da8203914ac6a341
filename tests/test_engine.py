"""One recognition engine for every path: analyze, batch, stream and the Python API."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import analyzer
from analyzer.batch import run_batch
from analyzer.options import AnalyzerOptions, ASROptions, PackOptions
from analyzer.speech import engine as engine_mod
from analyzer.store import Store

ROOT = Path(__file__).resolve().parent.parent
RECORDING = ROOT / "examples" / "recordings" / "counter-visit.ogg"


def _words(report: dict) -> list[tuple[str, str]]:
    return [(u["speaker"], u["text"]) for u in report["transcript"]]


def _phrases(report: dict) -> set[str]:
    """Lexicon phrases found said (forbidden) or not said (greeting, farewell).

    Replies owed to a citizen cue are left out: the stream decodes each
    utterance as it ends, without the conversation after it, so a garbled
    citizen turn can read as another cue there.
    """
    return {f["rule"] for f in report["findings"]
            if f["kind"] == "forbidden" or (f["kind"] == "missing" and "cue" not in f["detail"])}


@pytest.mark.slow
def test_analyze_batch_and_stream_hear_the_same_recording_alike(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for suffix in (".ogg", ".json"):
        shutil.copy(RECORDING.with_suffix(suffix), folder / RECORDING.with_suffix(suffix).name)
    path = folder / RECORDING.name

    single = analyzer.analyze(str(path)).to_dict()
    db = tmp_path / "r.sqlite"
    run_batch(folder, db)
    with Store(db, readonly=True) as store:
        (row,) = store.interactions()
        batched = store.report(row["id"]).to_dict()
    streamed = subprocess.run([sys.executable, "-m", "analyzer", "stream", str(path)],
                              capture_output=True, text=True, timeout=600, check=True)
    live = [json.loads(line) for line in streamed.stdout.splitlines()][-1]["report"]

    assert _words(single) == _words(batched)  # the file paths: the same words
    assert single["transcript"] and "A10-F-01" in _phrases(single)
    assert _phrases(single) == _phrases(batched) == _phrases(live)
    for report in (single, batched, live):  # what was applied is what is recorded
        options = report["analyzer"]["options"]
        assert options["asr"]["vad"] == single["analyzer"]["options"]["asr"]["vad"]
        assert options["pack"] == single["analyzer"]["options"]["pack"]
        assert options["asr"]["beam_size"] == ASROptions().beam_size


def test_every_path_takes_the_engine_from_one_place(monkeypatch, tmp_path):
    """engine.transcribe, a recording and a live stream (its real path: audio fed, speech cut,
    recognised, the call closed) all take their recognizer from get_engine, with the line's
    VAD and the run's packing options (the stream used to warm one engine and recognise with
    another, built with the default packing)."""
    import numpy as np
    from audio_factory import speech, write_wav

    from analyzer.options import StreamOptions
    from analyzer.speech.recording import analyze_recording
    from analyzer.stream import StreamAnalyzer
    from analyzer.types import Utterance

    asked: list[tuple[ASROptions, PackOptions | None]] = []
    heard: list[tuple[float, bool]] = []

    class Engine:
        def __call__(self, samples, options, *, speaker, offset=0.0, speaker_known=True,
                     verifier=None, cut=True):
            return []

        def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
            heard.append((options.vad.threshold, cut))
            return [[Utterance(t.speaker, t.offset, t.offset + 0.5, "您好，请问办理什么业务",
                               speaker_known=t.known)] for t in tracks]

    def fake_engine(options, pack=None):
        asked.append((options, pack))
        return Engine()

    monkeypatch.setattr(engine_mod, "get_engine", fake_engine)
    engine_mod.transcribe(np.ones(16000, np.float32) * 0.01, ASROptions(), speaker="staff")
    assert len(asked) == 1
    options = AnalyzerOptions(pack=PackOptions(share="channel"),
                              stream=StreamOptions(partial_interval=0.0))
    audio = np.concatenate([np.zeros(8000), speech("您好，请问办理什么业务"), np.zeros(16000)])
    sa = StreamAnalyzer(options, 16000, 1, channel="phone")
    sa.warm()
    events = [e for i in range(0, audio.size, 1600) for e in sa.feed(audio[i:i + 1600])]
    events += list(sa.close())
    assert [e.type for e in events].count("utterance") >= 1 and events[-1].type == "report"
    streamed = asked[1:]
    assert streamed and {pack for _, pack in streamed} == {options.pack}  # the run's packing
    assert {o.vad.threshold for o, _ in streamed} == {options.asr.vad.phone_threshold}
    assert heard and all(cut is False for _, cut in heard)  # the stream cut its own pieces
    assert events[-1].report.analyzer.options["pack"]["share"] == "channel"
    path = write_wav(tmp_path / "visit.wav", audio.astype(np.float32))
    before = len(asked)
    analyze_recording(path, options)
    assert asked[before:] == [(options.asr, options.pack)]  # 16 kHz counter: the file's line


def test_a_clip_recognised_at_an_offset_moves_its_heard_phrases_too():
    """The stream recognises clips at their place in the call: the verifier's heard
    phrases must move with the words, or their findings land at the clip's own 0 s."""
    from analyzer.types import Heard, Utterance, Word

    heard = Heard("A10-F-02", "你的记性真差", 0.1, 2.0, "你的贴心真差", 0.5, 0.9, -3.0, -4.0)
    u = Utterance("staff", 0.0, 2.04, "你的贴心真差", (Word("你的", 0.0, 0.5, 0.9),), 0.9,
                  True, (heard,))
    moved = engine_mod.shifted(u, 48.5)
    assert (moved.start, moved.words[0].start) == (48.5, 48.5)
    assert (moved.heard[0].start, moved.heard[0].end) == (48.6, 50.5)


@pytest.mark.slow
def test_engines_dropped_from_the_cache_stop_their_threads(monkeypatch):
    """get_engine keeps a few engines; one it drops stops its recognizer thread, and a
    caller still holding it gets a thread for its call only."""
    from collections import OrderedDict

    from audio_factory import speech

    monkeypatch.setattr(engine_mod, "ENGINES_KEPT", 1)
    monkeypatch.setattr(engine_mod, "_ENGINES", OrderedDict())
    first = engine_mod.get_engine(ASROptions(beam_size=2))
    assert first.running and engine_mod.get_engine(ASROptions(beam_size=2)) is first
    second = engine_mod.get_engine(ASROptions(beam_size=3))
    assert second.running and not first.running  # dropped: its thread has stopped
    heard = first(speech("您好，请问办理什么业务"), ASROptions(beam_size=2), speaker="staff")
    assert heard and not first.running  # it still recognises, then stops again
    second.close()
    assert not second.running


@pytest.mark.slow
def test_a_request_heard_a_stage_at_a_time_has_the_words_heard_in_one_go():
    """The listener hears a call's bin a second time a stage at a time, giving way to first
    hearings between stages (analyzer.stream.scheduler.Prioritised): the words, their times
    and what the verifier heard are those of the same request heard in one go, and the
    stages are the encoder's, the decoder's, the alignment's and the verification's."""
    from analyzer.options import AnalyzerOptions
    from analyzer.speech.decode import decode_audio
    from analyzer.speech.packing import run_steps
    from analyzer.speech.tracks import Track
    from analyzer.speech.verify import get_verifier

    options = AnalyzerOptions()
    audio = decode_audio(RECORDING)
    tracks = [Track("staff", row=0).of(audio.samples[0][: 28 * 16000], 1.0),
              Track("citizen", row=1).of(audio.samples[1][: 28 * 16000], 1.0)]
    engine = engine_mod.get_engine(options.asr, options.pack)
    verifier = get_verifier(options)
    whole = engine.transcribe_many(tracks, options.asr, verifier=verifier)
    steps = engine.transcribe_steps(tracks, options.asr, verifier=verifier)
    stages: list[str] = []
    while True:
        try:
            stages.append(next(steps))
        except StopIteration as done:
            staged = done.value
            break
    assert stages[:2] == ["encoder", "decoder"] and stages[-1] == "align"
    assert any(utts for utts in whole) and staged == whole
    assert run_steps(engine.transcribe_steps(tracks, options.asr, verifier=verifier)) == whole
