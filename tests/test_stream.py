"""Live streaming: VAD state, utterance cutting, ring/answer events, `conduct stream`."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import numpy as np
import pytest
from audio_factory import (
    PHONE_SCRIPT,
    SR,
    pcm_bytes,
    phone_call,
    read_wav,
    resample,
    speech,
    to_int16,
    write_wav,
)

from analyzer.errors import AnalyzerError, AudioError
from analyzer.options import AnalyzerOptions, StreamOptions
from analyzer.stream import VAD_FRAME, Segmenter, SileroStream, StreamAnalyzer, StreamEvent
from analyzer.stream.agreement import LocalAgreement
from analyzer.types import Word

#: Utterances recognised only once they have ended (no partial decoding).
WHOLE = AnalyzerOptions(stream=StreamOptions(partial_interval=0.0))


def test_silero_stream_matches_faster_whisper_batch_probabilities():
    from faster_whisper.vad import get_vad_model

    x = np.concatenate([np.zeros(SR // 2, np.float32), speech("请您稍等一下"),
                        np.zeros(SR // 2, np.float32)])
    x = x[: x.size - x.size % VAD_FRAME]
    batch = get_vad_model()(x).reshape(-1)
    stream = SileroStream()
    online = np.concatenate([stream.feed(x[i: i + 1234]) for i in range(0, x.size, 1234)])
    np.testing.assert_allclose(online, batch, atol=1e-5)
    assert batch.max() > 0.5  # it did hear speech


def test_segmenter_cuts_after_the_silence_and_caps_long_speech():
    seg = Segmenter(threshold=0.5, min_silence=10, min_speech=5, max_frames=100)
    probs = np.r_[np.zeros(20), np.ones(30), np.zeros(5), np.ones(10), np.zeros(30)]
    assert seg.feed(probs) == [(20, 65)]  # the 5-frame pause did not end it
    long = np.r_[np.ones(60), np.zeros(5), np.ones(200)]
    done = Segmenter(0.5, 10, 5, 100).feed(long)
    assert done[0] == (0, 60)  # cut at the short pause, not mid-word
    assert all(b - a <= 100 for a, b in done)


class SegmentLog:
    """A recognizer that records what the stream asks it to recognise (and hears nothing)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float, float, bool]] = []

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        for t in tracks:
            self.calls.append((t.speaker, t.offset, t.offset + t.samples.size / SR, t.known))
        return [[] for _ in tracks]


@pytest.fixture(scope="module")
def call():
    return phone_call(rings=4)


def _run(analyzer: StreamAnalyzer, chunks) -> list[dict]:
    events = []
    for chunk in chunks:
        events += list(analyzer.feed(chunk))
    events += list(analyzer.close())
    assert all(isinstance(e, StreamEvent) for e in events)  # typed events
    return [e.to_dict() for e in events]  # the wire form conduct stream prints


def test_rings_answer_and_utterance_cuts_of_a_phone_call(call):
    audio, turns, spans, answer = call
    log = SegmentLog()
    pcm = pcm_bytes(audio)
    sizes = [1000, 3333, 6400, 17]  # odd sizes: partial frames must carry over
    chunks, i, k = [], 0, 0
    while i < len(pcm):
        chunks.append(pcm[i: i + sizes[k % 4]])
        i += sizes[k % 4]
        k += 1
    events = _run(StreamAnalyzer(WHOLE, SR, 2, recognizer=log), chunks)
    types = [e["type"] for e in events]
    rings = [e for e in events if e["type"] == "ring"]
    assert [r["n"] for r in rings] == [1, 2, 3, 4]
    assert [r["t"] for r in rings] == pytest.approx([s for s, _ in spans], abs=0.15)
    (answered,) = [e for e in events if e["type"] == "answered"]
    assert answered["rings"] == 4
    assert answered["t"] == pytest.approx(answer, abs=0.5)
    assert types.index("answered") > types.index("ring")
    # The 4th ring (over the limit of 3) is a finding before the call is even answered.
    ring_finding = types.index("finding")
    assert events[ring_finding]["rule"] == "A7-RING" and ring_finding < types.index("answered")
    # One transcription per turn, on the right channel, around the turn's time.
    assert [c[0] for c in log.calls] == [t.speaker for t in turns]
    for (_, start, end, known), turn in zip(log.calls, turns, strict=True):
        assert known
        assert start == pytest.approx(turn.start, abs=0.6)
        assert end == pytest.approx(turn.end, abs=0.8)
    report = events[-1]["report"]
    assert types[-1] == "report" and report["rings"] == 4 and report["ring_source"] == "audio"


def test_chunk_format_and_rate_do_not_change_the_result(call):
    audio, turns, _, _ = call
    results = []
    for rate, chunks in [
        (SR, [audio[:, i: i + 1600] for i in range(0, audio.shape[1], 1600)]),  # float (ch, n)
        (SR, [to_int16(audio[:, i: i + 999]) for i in range(0, audio.shape[1], 999)]),  # int16 (n, ch)
        (8000, [pcm_bytes(np.stack([resample(c, SR, 8000) for c in audio]))]),  # 8 kHz bytes
    ]:
        log = SegmentLog()
        events = _run(StreamAnalyzer(WHOLE, rate, 2, recognizer=log), chunks)
        answered = [round(e["t"]) for e in events if e["type"] == "answered"]
        results.append((sum(e["type"] == "ring" for e in events), answered, [c[0] for c in log.calls]))
    assert results[0] == results[1] == results[2] == (4, [16], [t.speaker for t in turns])


def test_counter_stream_has_no_rings_and_mono_speaker_is_not_known():
    audio = np.concatenate([np.zeros(SR), speech("请您出示身份证"), np.zeros(SR)])
    log = SegmentLog()
    analyzer = StreamAnalyzer(WHOLE, SR, 1, channel="counter", recognizer=log)
    assert list(analyzer.feed(audio)) == []  # a counter: no ring, no answer
    assert log.calls and log.calls[0][0] == "staff" and log.calls[0][3] is False
    with pytest.raises(AnalyzerError, match="no speech recognised"):  # as its recording would
        analyzer.close()


def test_bad_stream_settings_and_chunks_name_the_stream():
    with pytest.raises(AudioError, match="channels"):
        StreamAnalyzer(None, SR, 3, interaction_id="line-7")
    analyzer = StreamAnalyzer(None, SR, 2, interaction_id="line-7", recognizer=SegmentLog())
    with pytest.raises(AudioError, match="line-7"):
        analyzer.feed(np.zeros((3, 100), np.float32))


@pytest.mark.slow
def test_conduct_stream_on_a_generated_call(tmp_path, call):
    audio, _, _, _ = call
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer.cli", "stream", "-", "--rate", str(SR), "--channels", "2",
         "--id", "call-1"],
        input=pcm_bytes(audio), capture_output=True, timeout=600, check=True,
    )
    events = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    types = [e["type"] for e in events]
    assert types[:4] == ["ring"] * 4
    assert types.index("answered") < types.index("utterance") < types.index("report")
    assert types[-1] == "report"
    utterances = [e for e in events if e["type"] == "utterance"]
    assert {u["speaker"] for u in utterances} == {"staff", "citizen"}
    assert all(u["text"] and u["emitted_at"] >= u["end"] for u in utterances)
    report = events[-1]["report"]
    assert (report["id"], report["rings"], report["ring_source"]) == ("call-1", 4, "audio")
    assert "A7-RING" in {f["rule"] for f in report["findings"]}
    assert len(report["transcript"]) == len(utterances)


@pytest.mark.slow
def test_conduct_stream_realtime_from_a_wav_file(tmp_path):
    clip = np.concatenate([np.zeros(SR // 2), speech("请您对我的服务做出评价，谢谢，再见"), np.zeros(SR)])
    path = write_wav(tmp_path / "counter.wav", clip.astype(np.float32))
    began = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer.cli", "stream", str(path), "--realtime", "--channel", "counter"],
        capture_output=True, timeout=600, check=True,
    )
    assert time.monotonic() - began >= clip.size / SR  # paced at the real rate
    events = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    types = [e["type"] for e in events]
    assert "utterance" in types and types[-1] == "report"
    assert events[-1]["report"]["rings"] is None


def test_conduct_stream_bad_input_is_a_clear_error(tmp_path):
    from click.testing import CliRunner

    from analyzer.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["stream", str(tmp_path / "missing.raw")])
    assert result.exit_code == 2 and "missing.raw" in result.output and "no such file" in result.output
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    result = runner.invoke(main, ["stream", str(bad)])
    assert result.exit_code == 2 and "broken.wav" in result.output


def test_conduct_stream_refuses_a_file_that_is_not_audio(tmp_path):
    from click.testing import CliRunner

    from analyzer.cli import main

    fake = tmp_path / "call.ogg"
    fake.write_bytes(b"this is not an ogg file at all" * 100)
    result = CliRunner().invoke(main, ["stream", str(fake)])
    assert result.exit_code == 2 and "call.ogg" in result.output
    assert '"type": "report"' not in result.output  # nothing analysed as raw PCM


@pytest.mark.slow
def test_conduct_stream_decodes_a_compressed_recording_and_reads_its_sidecar(repo_root, tmp_path):
    """The bundled OGG call (5 rings) read as `conduct analyze` reads it, not as raw PCM."""
    import shutil

    for name in ("phone-call.ogg", "phone-call.json"):
        shutil.copy(repo_root / "examples" / "recordings" / name, tmp_path / name)
    proc = subprocess.run(
        [sys.executable, "-m", "analyzer", "stream", str(tmp_path / "phone-call.ogg")],
        capture_output=True, timeout=600, check=True)
    events = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    report = events[-1]["report"]
    sidecar = json.loads((tmp_path / "phone-call.json").read_text(encoding="utf-8"))
    assert report["id"] == sidecar["id"] and report["channel"] == "phone"
    assert report["rings"] == 5 and report["ring_source"] == "audio"
    assert "A7-RING" in {f["rule"] for f in report["findings"]}
    assert report["score"] < 100
    assert any(e["type"] == "utterance" for e in events)


def _w(text: str, start: float) -> Word:
    return Word(text, start, start + 0.2, 0.9)


def test_local_agreement_commits_what_two_hypotheses_in_a_row_agree_on():
    agree = LocalAgreement()
    assert agree.update([_w("我", 0.0), _w("不", 0.2)]) == []  # one hypothesis commits nothing
    assert [w.text for w in agree.tentative()] == ["我", "不"]
    got = agree.update([_w("我", 0.0), _w("不", 0.2), _w("知", 0.4)])
    assert [w.text for w in got] == ["我", "不"]
    # the decoder changed its mind about the last word: only the agreed prefix moves on
    got = agree.update([_w("我", 0.0), _w("不", 0.2), _w("只", 0.4), _w("道", 0.6)])
    assert got == [] and [w.text for w in agree.committed] == ["我", "不"]
    got = agree.update([_w("我", 0.0), _w("不，", 0.2), _w("只", 0.4), _w("道", 0.6)])
    assert [w.text for w in got] == ["只", "道"]  # punctuation does not make words differ
    # committed words are never taken back, and a repeated committed tail is not new
    got = agree.update([_w("你", 0.0), _w("道", 0.75), _w("你", 0.9)])
    assert got == [] and [w.text for w in agree.committed] == ["我", "不", "只", "道"]
    assert [w.text for w in agree.tentative()] == ["你"]


@pytest.mark.slow
def test_stream_commits_a_forbidden_phrase_before_the_utterance_ends_and_ends_as_the_file(
        tmp_path):
    """Incremental recognition: partials, a finding from committed words, and the file
    path's transcript and report (each piece in a window of its own on both paths)."""
    import analyzer
    from analyzer.options import PackOptions

    script = (*PHONE_SCRIPT[:1], ("citizen", "我上次来的时候材料不全，还要带什么？"),
              ("staff", "我不知道，你去问别人吧，我这里还有很多别的事情要忙呢"),
              ("citizen", "好的，谢谢你"), PHONE_SCRIPT[-1])
    audio, _, _, _ = phone_call(rings=2, script=list(script))
    path = write_wav(tmp_path / "call.wav", audio)
    (tmp_path / "call.json").write_text('{"channel": "phone"}', encoding="utf-8")
    audio, _ = read_wav(path)  # the samples the file path decodes
    options = AnalyzerOptions(pack=PackOptions(pieces_per_window=1))
    stream = StreamAnalyzer(options, SR, 2, interaction_id="call")
    events = _run(stream, [audio[:, i: i + 1600] for i in range(0, audio.shape[1], 1600)])
    filed = analyzer.analyze(str(path), options).to_dict()
    live = events[-1]["report"]

    partials = [e for e in events if e["type"] == "partial"]
    assert partials and {p["speaker"] for p in partials} == {"staff"}
    assert any(p["committed"] and p["tentative"] for p in partials)
    kinds = [(e["type"], e.get("rule") or e.get("text")) for e in events]
    found = kinds.index(("finding", "A8-F-01"))
    hit = events[found]
    said = next(i for i, e in enumerate(events) if e["type"] == "utterance"  # the turn holding it
                and e["start"] - 0.5 <= hit["start"] and hit["end"] <= e["end"] + 0.5)
    assert found < said  # committed, and a finding, before the utterance had ended
    assert events[found]["emitted_at"] < events[said]["emitted_at"]
    # on the audio clock: in the order they came out, never before the audio they tell of
    stamps = [e["emitted_at"] for e in events]
    assert stamps == sorted(stamps) and stamps[-1] == round(audio.shape[1] / SR, 3)
    assert all(e["emitted_at"] >= e["end"] for e in events if e["type"] in ("utterance",
                                                                           "partial"))
    assert all(e["emitted_at"] >= e["t"] for e in events if e["type"] in ("ring", "answered"))

    def words(report):
        return [(u["speaker"], u["start"], u["end"], u["text"]) for u in report["transcript"]]

    assert words(live) == words(filed)
    assert sorted(f["rule"] for f in live["findings"]) == sorted(f["rule"] for f in filed["findings"])
    assert live["score"] == filed["score"]


@pytest.mark.parametrize("threshold", ["threshold", "phone_threshold"])
def test_the_stream_cuts_speech_where_the_file_paths_vad_does(call, threshold):
    """One VAD rule: the segmenter built from asr.vad gives vad_pieces' pieces, padded alike."""
    from dataclasses import replace

    from analyzer.options import ASROptions
    from analyzer.speech.packing import vad_pieces

    audio, _, _, _ = call
    base = ASROptions()
    options = replace(base, vad=replace(base.vad, threshold=getattr(base.vad, threshold)))
    pad = options.vad.pad_ms * SR // 1000
    for track in audio:
        x = track.astype(np.float32)
        filed = [(round(p.start * SR), round(p.start * SR) + p.samples.size)
                 for p in vad_pieces(x, 0, 0, options)]
        seg = Segmenter.from_vad(options.vad, options.vad.threshold)
        vad = SileroStream()
        done = [s for i in range(0, x.size, 1600) for s in seg.feed(vad.feed(x[i:i + 1600]))]
        done += seg.flush()
        streamed = [(max(0, a * VAD_FRAME - pad), min(x.size, b * VAD_FRAME + pad)) for a, b in done]
        assert filed and streamed == filed
