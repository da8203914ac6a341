"""Live streaming: VAD state, utterance cutting, ring/answer events, `conduct stream`."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from dataclasses import replace

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

#: Utterances recognised only once they have ended (no partial decoding), heard once (these
#: tests read the first hearing's requests; the second is test_stream_again.py's).
WHOLE = AnalyzerOptions(stream=StreamOptions(hear_again=False, partial_interval=0.0,
                                             decode_at_pause=False))


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


def test_the_least_end_of_speech_under_way_is_never_after_where_its_piece_ends():
    """``Segmenter.least_end`` (the second hearing closes a bin on it): however the speech
    under way goes on, its first piece ends at or after it — also when long speech is cut
    at an earlier pause rather than where it has reached."""
    probs = np.r_[np.zeros(3), np.ones(30), np.zeros(5), np.ones(80), np.zeros(20)]
    seg, bounds = Segmenter(0.5, 10, 1, 100), []
    for p in probs:
        done = seg.feed(np.array([p]))
        if done:
            assert all(b >= least for least in bounds for _, b in done[:1])
            break
        if seg.start is not None:
            bounds.append(seg.least_end())
    assert done == [(3, 33)]  # cut at the pause, 30 frames in
    assert max(bounds) == 33 and bounds[0] == 4  # the pause is the bound once it is seen
    assert Segmenter(0.5, 10, 1, 100).least_end() is None


class SegmentLog:
    """A recognizer that records what the stream asks it to recognise (and hears nothing)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, float, float, bool]] = []
        #: per request, the pieces given as context before its piece
        self.context: list[list[tuple[str, float, float]]] = []

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        self.context.append([(t.speaker, t.offset, t.offset + t.samples.size / SR)
                             for t in tracks if t.context])
        for t in tracks:  # the piece proper: its heard context (lead, trail) left out
            if not t.context:
                self.calls.append((t.speaker, t.offset + t.lead,
                                   t.offset + t.samples.size / SR - t.trail, t.known))
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
        # in time order (one chunk holding the whole call takes the clerk's track first)
        heard = [c[0] for c in sorted(log.calls, key=lambda c: c[1])]
        results.append((sum(e["type"] == "ring" for e in events), answered, heard))
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
    """Incremental recognition: partials, a finding from one decoding before the utterance
    ends, and the file path's transcript and report (each piece in a bin of its own on
    both paths)."""
    import analyzer
    from analyzer.options import PackOptions

    script = (*PHONE_SCRIPT[:1], ("citizen", "我上次来的时候材料不全，还要带什么？"),
              ("staff", "我不知道，你去问别人吧，我这里还有很多别的事情要忙呢"),
              ("citizen", "好的，谢谢你"), PHONE_SCRIPT[-1])
    audio, _, _, _ = phone_call(rings=2, script=list(script))
    path = write_wav(tmp_path / "call.wav", audio)
    (tmp_path / "call.json").write_text('{"channel": "phone"}', encoding="utf-8")
    audio, _ = read_wav(path)  # the samples the file path decodes
    # each piece alone in its bin on both paths (no live context, one piece per file bin)
    options = AnalyzerOptions(pack=PackOptions(pieces_per_window=1),
                              stream=StreamOptions(context_seconds=0.0))
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
        filed = [(round(p.start * SR), round((p.start + p.seconds) * SR))
                 for p in vad_pieces(x, 0, 0, options)]  # the pieces proper
        seg = Segmenter.from_vad(options.vad, options.vad.threshold)
        vad = SileroStream()
        done = [s for i in range(0, x.size, 1600) for s in seg.feed(vad.feed(x[i:i + 1600]))]
        done += seg.flush()
        streamed = [(max(0, a * VAD_FRAME - pad), min(x.size, b * VAD_FRAME + pad)) for a, b in done]
        assert filed and streamed == filed


class Scripted(SegmentLog):
    """A recognizer that "hears" a fixed text per speaker in every piece it is given (one
    word spanning the piece), and records the pieces and their context as SegmentLog does."""

    def __init__(self, said: dict[str, str], lead: float = 0.0) -> None:
        super().__init__()
        self.said = said
        self.lead = lead  # seconds from a piece's start to its first word (its VAD padding)

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        from analyzer.types import Utterance, Word

        super().transcribe_many(tracks, options, verifier=verifier, cut=cut)
        out = []
        for t in tracks:
            # the engine times no word in a piece's heard context (lead, trail)
            start = round(t.offset + t.lead + self.lead, 3)
            end = round(t.offset + t.samples.size / SR - t.trail, 3)
            text = self.said.get(t.speaker, "")
            out.append([] if (t.context and not t.hear) or not text else [Utterance(
                t.speaker, start, end, text, (Word(text, start, end),), 0.9, t.known)])
        return out


def _clauses_call(*clauses: tuple[str, float]) -> np.ndarray:
    """Stereo 16 kHz: staff speech clauses on channel 0, each followed by its pause (s)."""
    parts = [np.zeros(SR // 2, np.float32)]
    for text, pause in clauses:
        parts += [speech(text), np.zeros(int(pause * SR), np.float32)]
    staff = np.concatenate(parts)
    return np.stack([staff, np.zeros_like(staff)])


def test_a_pause_decoding_is_the_final_recognition_and_tells_a_phrase_at_once():
    """Decoded once the clerk has paused for the VAD's padding: the forbidden phrase is a
    finding then, before the utterance has ended; when the pause ends the utterance, that
    decoding is its recognition (no second one)."""
    audio = _clauses_call(("你去投诉好了", 1.5))
    said = Scripted({"staff": "你去投诉好了"})
    options = AnalyzerOptions(stream=StreamOptions(hear_again=False, partial_interval=0.0))
    stream = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=said)
    events = _run(stream, [audio[:, i: i + 320] for i in range(0, audio.shape[1], 320)])
    types = [(e["type"], e.get("rule")) for e in events]
    finding = types.index(("finding", "A9-F-05"))
    said_at = next(i for i, e in enumerate(events) if e["type"] == "utterance")
    assert finding < said_at and events[finding]["provisional"]
    assert events[finding]["emitted_at"] < events[said_at]["emitted_at"]
    pad, silence = options.asr.vad.pad_ms / 1000, options.asr.vad.min_silence_ms / 1000
    # told after the padding of silence was heard, before the silence that ends the utterance
    end = events[said_at]["end"]
    assert end + pad - 0.1 <= events[finding]["emitted_at"] < end + silence
    assert len(said.calls) == 1 and stream.online.counts == {"decodes": 1, "reused": 1,
                                                             "early": 1, "again": 0, "peek": 0,
                                                             "short": 0}
    assert [e["rule"] for e in events if e["type"] == "finding"
            and e["kind"] == "forbidden"] == ["A9-F-05"]  # told once, not again at its end


def test_speech_that_goes_on_after_a_pause_is_recognised_again_whole():
    audio = _clauses_call(("我不知道", 0.3), ("你去问别人吧", 1.5))
    said = Scripted({"staff": "我不知道"})
    # a pause is decoded once it has lasted the VAD padding and the context heard after a
    # piece (asr.vad.context_ms); without that context a 0.3 s pause is one
    options = AnalyzerOptions(stream=StreamOptions(hear_again=False, partial_interval=0.0))
    options = replace(options, asr=replace(options.asr, vad=replace(options.asr.vad,
                                                                    context_ms=0)))
    stream = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=said)
    events = _run(stream, [audio[:, i: i + 800] for i in range(0, audio.shape[1], 800)])
    (utterance,) = [e for e in events if e["type"] == "utterance"]
    partials = [e for e in events if e["type"] == "partial"]
    assert len(partials) == 2 and partials[0]["end"] < partials[1]["end"]  # one at each pause
    # the first pause did not end it; the whole utterance was decoded at the second pause
    assert said.calls[-1][1] == pytest.approx(utterance["start"], abs=0.01)
    assert stream.online.counts["reused"] == 1 and len(said.calls) == 2


def test_a_live_piece_is_recognised_after_the_conversation_before_it():
    """The call's previous pieces (both parties, in time order, up to context_seconds) go
    before a live piece in its bin, as the file path's bin holds the conversation."""
    script = [("staff", "您好，请问有什么可以帮您？"), ("citizen", "我想问一下营业执照怎么办理"),
              ("staff", "请您稍等"), ("citizen", "好的谢谢"), ("staff", "我不知道，你去问别人")]
    audio, turns, _, _ = phone_call(rings=1, script=script)
    said = Scripted({"staff": "好", "citizen": "好"})
    options = AnalyzerOptions(stream=StreamOptions(hear_again=False, partial_interval=0.0, context_seconds=6.0))
    _run(StreamAnalyzer(options, SR, 2, recognizer=said),
         [audio[:, i: i + 1600] for i in range(0, audio.shape[1], 1600)])
    assert said.context[0] == []  # the first words of the call: nothing before them
    last, given = said.calls[-1], said.context[-1]
    # the context of the last piece: the turns just before it, in time order, <= 6 s
    assert given and given[-1][0] == "citizen" and given[-1][2] <= last[1] + 0.01
    assert sum(c[2] - c[1] for c in given) <= 6.0
    assert [c[1] for c in given] == sorted(c[1] for c in given)
    assert given[-1][1] == pytest.approx(turns[3].start, abs=0.5)  # 好的谢谢


@pytest.mark.slow
def test_the_engine_decodes_a_piece_after_its_context_without_writing_the_context(tmp_path):
    """A bin with context pieces: the decoder starts after them (their words are not
    returned, or decoded), the piece's words keep its times."""
    from analyzer.options import ASROptions
    from analyzer.speech.engine import get_engine
    from analyzer.speech.tracks import Track

    first, second = speech("我想问一下营业执照怎么办理"), speech("请您稍等")
    engine = get_engine(ASROptions())
    engine.timings.clear()
    context = Track("citizen", row=1, context=True).of(first, offset=1.0)
    piece = Track("staff", row=0).of(second, offset=5.0 + first.size / SR)
    got = engine.transcribe_many([context, piece], ASROptions(), cut=False)
    assert got[0] == []  # the context: heard, not returned
    (utt,) = got[1]
    assert utt.start >= piece.offset - 0.05 and utt.end <= piece.offset + second.size / SR + 0.05
    assert engine.timings["n_bins"] == 1  # one bin, one encoder pass, for both


def test_the_answer_counts_the_rings_as_the_report_does():
    """Issue 27: a live card said "answered after 4 rings" while the call's report said 5.
    A ring the answer cuts short is not yet confirmed live; it is one in the report."""
    audio, _, spans, _ = phone_call(rings=4, answer_into_ring=0.22,
                                    script=[("staff", "您好，请讲"), ("citizen", "你好")])
    said = Scripted({"staff": "您好请讲", "citizen": "你好"}, lead=0.2)
    events = _run(StreamAnalyzer(WHOLE, SR, 2, recognizer=said),
                  [audio[:, i: i + 1600] for i in range(0, audio.shape[1], 1600)])
    (answered,) = [e for e in events if e["type"] == "answered"]
    rings = [e["n"] for e in events if e["type"] == "ring"]
    assert answered["rings"] == rings[-1] == events[-1]["report"]["rings"] == len(spans) == 4
    assert rings == [1, 2, 3, 4]


def test_the_lines_waiting_speech_shares_one_bin_the_clerks_first():
    """The listener's lines: what waits together goes in one engine call (one bin), the
    first request with its context, the others' pieces after it; the clerk's first; only
    requests with the same verifier share a bin; each gets its own tracks' words back."""
    import threading

    from analyzer.speech.tracks import Track
    from analyzer.speech.verify import get_verifier
    from analyzer.stream.scheduler import SharedBins

    gate = threading.Event()

    class Engine(SegmentLog):
        def __init__(self) -> None:
            super().__init__()
            self.requests: list[list[tuple[str, float, bool]]] = []

        def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
            self.requests.append([(t.speaker, t.offset, t.context) for t in tracks])
            if len(self.requests) == 1:
                gate.wait(10)  # the first bin is being recognised while the others queue
            return [[] if t.context else  # as the engine: context is heard, not returned
                    [Utterance(t.speaker, t.offset, t.offset + 1, f"{t.speaker}@{t.offset}")]
                    for t in tracks]

    from analyzer.types import Utterance

    engine = Engine()
    shared = SharedBins(engine, ["staff"])
    options = AnalyzerOptions()
    base = get_verifier(options)
    opening, later = base.scoped(first=True, last=False), base.scoped(first=False, last=False)
    second = get_verifier(options).scoped(first=False, last=False)  # another line's copy
    one = np.zeros(SR, np.float32)

    def piece(speaker: str, at: float, context: bool = False) -> Track:
        return Track(speaker, row=0 if speaker == "staff" else 1, context=context).of(one, at)

    got: dict[str, list] = {}

    def ask(name: str, tracks, verifier) -> None:
        got[name] = shared.transcribe_many(tracks, options.asr, verifier=verifier, cut=False)

    runs = [threading.Thread(target=ask, args=("a", [piece("staff", 1.0)], later))]
    runs[0].start()
    while not engine.requests:
        time.sleep(0.01)
    for name, tracks, verifier in [
            ("b", [piece("citizen", 20.0)], later),                        # a citizen's end
            ("c", [piece("citizen", 2.0, True), piece("staff", 30.0)], second),  # a clerk's
            ("d", [piece("staff", 40.0)], opening)]:                       # another scope
        runs.append(threading.Thread(target=ask, args=(name, tracks, verifier)))
        runs[-1].start()
        time.sleep(0.05)
    gate.set()
    for run in runs:
        run.join(10)
    assert engine.requests[1] == [("citizen", 2.0, True), ("staff", 30.0, False),
                                  ("citizen", 20.0, False)]  # the clerk's first, one bin
    assert engine.requests[2] == [("staff", 40.0, False)]  # the opening scope: a bin apart
    assert [u.text for u in got["c"][1]] == ["staff@30.0"] and got["c"][0] == []
    assert [u.text for u in got["b"][0]] == ["citizen@20.0"]
    assert shared.counts == {"bins": 3, "requests": 4, "shared": 1}
    # lines share a bin only where the packing lets any recordings share one
    from analyzer.stream.scheduler import Prioritised, line_recognizer

    assert isinstance(line_recognizer(engine, ["staff"], "any"), SharedBins)
    assert isinstance(line_recognizer(engine, ["staff"], "recording"), Prioritised)


@pytest.mark.parametrize(("least", "early", "short"), [(0.6, 1, 1), (0.0, 2, 0)])
def test_a_clause_too_short_to_hold_a_phrase_is_not_decoded_at_its_pause(least, early, short):
    """Issue 27 (CPU per call-second): a clerk's "好" followed by a pause is too short to
    hold any forbidden phrase (``stream.pause_min_seconds``, 0.6 s: the lexicon's shortest
    is 5 characters), so it is not decoded at its pause — an encoder pass saved — and the
    phrase after it is still told at its own pause; 0 decodes at every pause."""
    audio = _clauses_call(("好", 0.45), ("你去投诉好了", 1.5))
    said = Scripted({"staff": "你去投诉好了"})
    options = AnalyzerOptions(stream=StreamOptions(hear_again=False, partial_interval=0.0,
                                                   pause_min_seconds=least))
    stream = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=said)
    events = _run(stream, [audio[:, i: i + 320] for i in range(0, audio.shape[1], 320)])
    assert (stream.online.counts["early"], stream.online.counts["short"]) == (early, short)
    utterances = [e for e in events if e["type"] == "utterance"]
    assert len(utterances) == 1  # one utterance: the pause did not end it
    finding = next(e for e in events if e["type"] == "finding" and e["rule"] == "A9-F-05")
    assert finding["emitted_at"] < utterances[0]["emitted_at"]  # told at its pause
