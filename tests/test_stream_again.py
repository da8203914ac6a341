"""The live line's second hearing: each closed bin of the call heard again as the file path
bins it (analyzer.stream.again)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from audio_factory import SR, speech

from analyzer.options import AnalyzerOptions, StreamOptions
from analyzer.speech.packing import Packer, vad_pieces
from analyzer.stream import StreamAnalyzer
from analyzer.types import Heard, Utterance, Word

#: A counter visit long enough for two bins: the clerk's clauses (one a forbidden phrase)
#: and the citizen's, in turn, each followed by its pause (s).
VISIT = [("staff", "你好，请问办理什么业务", 1.0), ("citizen", "我来交社保的补缴材料", 1.0),
         ("staff", "你去投诉好了", 1.2), ("citizen", "我只是问问怎么交", 1.0),
         ("staff", "材料放在这里就可以", 1.0), ("citizen", "要不要复印件呢", 1.0),
         ("staff", "复印件也要带一份", 1.0), ("citizen", "那我明天再来一趟", 1.0),
         ("staff", "好的，明天上午都可以", 1.0), ("citizen", "谢谢你，再见了", 1.0),
         ("staff", "请慢走，欢迎下次再来", 1.5)]
FORBIDDEN = "你去投诉好了"


@pytest.fixture(scope="module")
def visit() -> tuple[np.ndarray, tuple[float, float]]:
    """Stereo 16 kHz (the clerk on row 0, the citizen on row 1) and where the forbidden
    clause was said (s)."""
    rows: dict[str, list[np.ndarray]] = {"staff": [np.zeros(SR // 2, np.float32)],
                                         "citizen": [np.zeros(SR // 2, np.float32)]}
    t, said = 0.5, (0.0, 0.0)
    for speaker, text, pause in VISIT:
        voice = speech(text)
        if text == FORBIDDEN:
            said = (t, t + voice.size / SR)
        clip = np.concatenate([voice, np.zeros(int(pause * SR), np.float32)])
        rows[speaker].append(clip)
        rows["citizen" if speaker == "staff" else "staff"].append(np.zeros_like(clip))
        t += clip.size / SR
    return np.stack([np.concatenate(rows["staff"]), np.concatenate(rows["citizen"])]), said


class Hindsight:
    """A recognizer that reads the clerk's clause right only in a bin holding speech after
    it (as Whisper read call-d's clause only with the conversation after it), and records
    the pieces of every second hearing (``again`` requests)."""

    def __init__(self, said: tuple[float, float]) -> None:
        self.said = said  # where the clerk said the forbidden clause
        self.again: list[list[tuple[str, float, float, float, float]]] = []

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        proper = [(t.offset + t.lead, t.offset + t.samples.size / SR - t.trail) for t in tracks]
        if any(t.again for t in tracks):
            self.again.append([(t.speaker, round(a, 2), round(b, 2), round(t.lead, 2),
                                round(t.trail, 2))
                               for t, (a, b) in zip(tracks, proper, strict=True)])
        out = []
        for t, (a, b) in zip(tracks, proper, strict=True):
            later = any(a2 > b for (a2, _), t2 in zip(proper, tracks, strict=True)
                        if not t2.context)
            clause = t.speaker == "staff" and a < self.said[1] and self.said[0] < b
            text = (FORBIDDEN if clause and later else "请您稍等" if t.speaker == "staff"
                    else "好的")
            out.append([] if t.context else [Utterance(
                t.speaker, round(a, 3), round(b, 3), text, (Word(text, round(a, 3), round(b, 3)),),
                0.9, t.known)])
        return out


def _fed(visit: tuple[np.ndarray, tuple[float, float]], options: AnalyzerOptions
         ) -> tuple[list, list, StreamAnalyzer]:
    """The visit fed in 0.1 s chunks: the events of the call while it ran, those of its end."""
    audio, said = visit
    heard = Hindsight(said)
    stream = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=heard)
    step = SR // 10
    during = [e for i in range(0, audio.shape[1], step) for e in stream.feed(audio[:, i: i + step])]
    return during, list(stream.close()), stream


def _forbidden(events: list) -> list[str]:
    return [e.finding.rule for e in events if e.type == "finding"
            and e.finding.kind == "forbidden"]


def test_the_second_hearing_asks_for_the_file_paths_own_bins(visit):
    """Each again-request holds exactly one bin of the file path (the engine's VAD pieces of
    both tracks in time order, packed next-fit by its packer): the same pieces, the same
    context either side of each."""
    options = AnalyzerOptions(stream=StreamOptions(partial_interval=0.0))
    _, _, stream = _fed(visit, options)
    heard = stream.recognizer()
    assert isinstance(heard, Hindsight)
    line, audio = stream.line, visit[0]
    pieces = sorted([p for k in range(2) for p in vad_pieces(audio[k], 0, k, line)],
                    key=lambda p: (p.start, p.track))
    packer = Packer(1, options.pack.pieces_per_window, options.pack.share)
    bins = [b for p in pieces for batch in [packer.add(p)] for b in batch or []]
    bins += packer.close(0)
    speakers = ("staff", "citizen")
    filed = [[(speakers[p.track], round(p.start, 2), round(p.start + p.seconds, 2),
               round(p.lead, 2), round(p.trail, 2)) for _, p in b.pieces] for b in bins]
    assert len(filed) == 2  # the visit fills more than one bin
    assert len(heard.again) == len(filed)
    for got, want in zip(heard.again, filed, strict=True):
        assert [g[0] for g in got] == [w[0] for w in want]
        assert np.allclose([g[1:] for g in got], [w[1:] for w in want], atol=0.03)


def _file_bins(audio: np.ndarray, options: AnalyzerOptions) -> list:
    """The file path's bins of the visit (its VAD pieces of both tracks, packed next-fit)."""
    line = options.asr.for_line(SR, 2)
    pieces = sorted([p for k in range(2) for p in vad_pieces(audio[k], 0, k, line)],
                    key=lambda p: (p.start, p.track))
    packer = Packer(1, options.pack.pieces_per_window, options.pack.share)
    return [b for p in pieces for batch in [packer.add(p)] for b in batch or []] + \
        packer.close(0)


def test_a_bin_the_speech_under_way_cannot_join_is_heard_again_before_that_speech_ends(visit):
    """The file path closes a bin at the first piece that does not fit: once the speech
    under way after the bin is longer than the bin's room, the bin is complete, and the line
    hears it again then — not when that speech ends — with the same pieces."""
    audio, said = visit
    options = AnalyzerOptions(stream=StreamOptions(partial_interval=0.0))
    first, second = _file_bins(audio, options)[:2]
    closing = second.pieces[0][1]  # the piece that does not fit in the first bin
    room = first.room()
    speech_end = closing.start + closing.seconds - options.asr.vad.pad_ms / 1000
    assert 0 < room < closing.seconds - 1.0  # the bin is complete a second before it ends
    heard = Hindsight(said)
    stream = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=heard)
    upto = int((speech_end - 0.5) * SR)
    for i in range(0, upto, SR // 10):
        stream.feed(audio[:, i: min(i + SR // 10, upto)])
    assert stream._again or heard.again  # the first bin went to be heard again
    for i in range(upto, audio.shape[1], SR // 10):
        stream.feed(audio[:, i: i + SR // 10])
    stream.close()
    assert len(heard.again) >= 2
    assert [round(a[1], 1) for a in heard.again[0]] == \
        [round(p.start, 1) for _, p in first.pieces]


def test_a_clause_read_right_only_with_the_speech_after_it_is_found_while_the_call_runs(visit):
    """The first hearing reads the clerk's forbidden clause wrong (no speech after it in its
    bin); once the file path's first bin has closed, the second hearing reads it right: the
    finding comes while the call runs, once, and the call's report has it. Heard once, as
    before the second hearing, the clause is never found."""
    during, end, stream = _fed(visit, AnalyzerOptions(stream=StreamOptions(
        partial_interval=0.0)))
    assert _forbidden(during) == ["A9-F-05"] and "A9-F-05" not in _forbidden(end)
    told = [e for e in during if e.type == "finding"]
    assert [e.again for e in told] == [True] and told[0].to_dict()["again"] is True
    # the screen is told the clause's new words (only where the words changed)
    (revised,) = [e for e in during + end if e.type == "revision"]
    (first,) = [e.utterance for e in during if e.type == "utterance"
                and e.utterance.speaker == "staff" and e.utterance.start < revised.end
                and e.utterance.end > revised.start]
    assert revised.speaker == "staff" and revised.replaced == (first.start,)
    assert [u.text for u in revised.utterances] == [FORBIDDEN] != [first.text]
    wire = revised.to_dict()
    assert wire["type"] == "revision" and wire["utterances"][0]["text"] == FORBIDDEN
    assert wire["replaced"] == [first.to_dict()["start"]]
    assert stream.report is not None
    assert [f.rule for f in stream.report.findings if f.kind == "forbidden"] == ["A9-F-05"]
    (clause,) = [u for u in stream.report.utterances if u.text == FORBIDDEN]
    assert clause.start == pytest.approx(visit[1][0], abs=0.3)

    during, end, stream = _fed(visit, AnalyzerOptions(stream=StreamOptions(
        partial_interval=0.0, hear_again=False)))
    assert _forbidden(during) == [] and _forbidden(end) == []


class NearMiss(Hindsight):
    """:class:`Hindsight` whose first hearing of the clause tried the forbidden phrase and
    rejected it (the verifier's near miss, as call-d's clause scored 0.76 against a bar of
    0.8); it records whether each request was a peek."""

    def __init__(self, said: tuple[float, float]) -> None:
        super().__init__(said)
        self.asked: list[str] = []

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        out = super().transcribe_many(tracks, options, verifier=verifier, cut=cut)
        self.asked.append("peek" if any(t.peek for t in tracks) else
                          "again" if any(t.again for t in tracks) else "first")
        for utts in out:
            for k, u in enumerate(utts):
                if u.speaker == "staff" and u.text != FORBIDDEN and \
                        u.start < self.said[1] and self.said[0] < u.end:
                    utts[k] = replace(u, heard=(Heard(
                        "A9-F-05", FORBIDDEN, u.start, u.end, u.text, -0.4, 0.76, -9.0, -8.6,
                        accepted=False, reason="probability"),))
        return out


@pytest.mark.parametrize("peek", [True, False], ids=["peek", "no-peek"])
def test_a_near_missed_clause_is_told_once_the_speech_after_it_ends_not_its_bin(visit, peek):
    """A clerk's clause whose first hearing nearly heard a forbidden phrase: once the next
    piece has joined the open bin (the citizen's reply ended), the bin so far is heard early
    and the phrase the speech after it decides is told then (``again``), long before the
    bin closes; the transcript keeps the first hearing's words until the closed bin's
    hearing gives the report its words. Without peeks it waits for the bin to close."""
    audio, said = visit
    options = AnalyzerOptions(stream=StreamOptions(partial_interval=0.0, peek_suspects=peek,
                                                   peek="bin", recheck_suspects=False))
    heard = NearMiss(said)
    stream = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=heard)
    first_bin_end = _file_bins(audio, options)[0].pieces[-1][1]
    told_at, step, i = None, SR // 10, 0
    while i < audio.shape[1]:
        events = list(stream.feed(audio[:, i: i + step]))
        i += step
        if stream._peeks:  # let the peek's thread end before the next chunk (no timing)
            stream._peeks[0][1].result(10)
        if told_at is None and _forbidden(events):
            told_at = i / SR
            (event,) = [e for e in events if e.type == "finding"]
            assert event.again
            words_then = [u.text for u in stream.utterances]
    end = list(stream.close())
    if peek:
        assert told_at is not None and told_at < first_bin_end.start
        # the words were still the first hearing's: the peek told, it did not rewrite
        assert FORBIDDEN not in words_then
        assert heard.asked.count("peek") == 1  # once per near miss
        assert heard.asked.index("peek") < heard.asked.index("again")
        assert not _forbidden(end)  # told once
    else:
        assert "peek" not in heard.asked
        assert told_at is None or told_at > first_bin_end.start + first_bin_end.seconds
    assert stream.report is not None
    assert [f.rule for f in stream.report.findings if f.kind == "forbidden"] == ["A9-F-05"]
    assert FORBIDDEN in [u.text for u in stream.report.utterances]


def test_with_peek_after_a_near_missed_clause_is_told_while_the_reply_is_still_spoken(visit):
    """``stream.peek_after``: once that much of the speech after a suspect clause has been
    heard, its open bin is peeked at with that speech so far — the phrase is told before
    the reply has ended — and when the reply has ended it is peeked at no more (one early
    peek, one once a piece followed, at most)."""
    audio, said = visit
    options = AnalyzerOptions(stream=StreamOptions(partial_interval=0.0, peek_after=0.5,
                                                   peek="bin", recheck_suspects=False))
    heard = NearMiss(said)
    stream = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=heard)
    pieces = sorted((p for b in _file_bins(audio, options) for _, p in b.pieces),
                    key=lambda p: p.start)
    reply = next(p for p in pieces if p.start > said[1])
    told_at, step, i = None, SR // 10, 0
    while i < audio.shape[1]:
        events = list(stream.feed(audio[:, i: i + step]))
        i += step
        for _, pending in stream._peeks:  # let each peek's thread end (no timing)
            pending.result(10)
        if told_at is None and _forbidden(events):
            told_at = i / SR
    stream.close()
    assert told_at is not None and said[1] < told_at < reply.start + reply.seconds
    assert heard.asked.count("peek") == 1  # heard right at once: no second peek


class Aligned(NearMiss):
    """:class:`NearMiss` whose verifier, given a context piece's words to re-check
    (``Track.recheck``: a suspect clause, no decoding), accepts the forbidden phrase there
    when speech follows the clause in the request's bin (as the peek's bin heard it); it
    records the re-checks asked."""

    def __init__(self, said: tuple[float, float]) -> None:
        super().__init__(said)
        self.rechecks: list[tuple[float, float]] = []  # (the clause's start, the bin's end)

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        out = super().transcribe_many(tracks, options, verifier=verifier, cut=cut)
        end = max(t.offset + t.samples.size / SR for t in tracks)
        for i, t in enumerate(tracks):
            if t.hear and t.speaker == "staff":  # decoded from its start: read right
                a, b = t.offset + t.lead, t.offset + t.samples.size / SR - t.trail
                heard = (Heard("A9-F-05", FORBIDDEN, a, b, FORBIDDEN, 0.3, 0.97, -7.0, -7.3,
                               accepted=True),)
                out[i] = [Utterance("staff", a, b, FORBIDDEN, (Word(FORBIDDEN, a, b),), 0.9,
                                    t.known, heard=heard)]
            if not t.recheck:
                continue
            assert t.context and t.speaker == "staff"
            a, b = t.recheck[0].start, t.recheck[-1].end
            self.rechecks.append((a, end))
            text = "".join(w.text for w in t.recheck)
            out[i] = [Utterance("staff", a, b, text, t.recheck, 0.9, t.known, heard=(Heard(
                "A9-F-05", FORBIDDEN, a, b, text, 0.1, 0.93, -8.0, -8.1, accepted=True),))]
        return out


@pytest.mark.parametrize("recheck", [True, False], ids=["recheck", "no-recheck"])
def test_a_near_missed_clause_is_re_checked_on_the_next_first_hearings_encoder_output(
        visit, recheck):
    """``stream.recheck_suspects``: a clerk's clause whose first hearing nearly heard a
    forbidden phrase goes, with its words, into the next first hearing whose bin holds
    ``peek_after`` s of speech after it (the citizen's reply, as context: no request of its
    own); the verifier's acceptance there is told at once (``again``), with no peek and no
    second hearing asked, and the report keeps the file path's finding. Off (peeks off too),
    the phrase waits for its bin to close."""
    audio, said = visit
    options = AnalyzerOptions(stream=StreamOptions(partial_interval=0.0, peek_suspects=False,
                                                   recheck_suspects=recheck))
    heard = Aligned(said)
    stream = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=heard)
    first_bin_end = _file_bins(audio, options)[0].pieces[-1][1]
    told_at, asked_then, step, i = None, [], SR // 10, 0
    while i < audio.shape[1]:
        events = list(stream.feed(audio[:, i: i + step]))
        i += step
        if told_at is None and _forbidden(events):
            told_at, asked_then = i / SR, list(heard.asked)
            (event,) = [e for e in events if e.type == "finding"]
            assert event.again and event.finding.start < said[1]
    end = list(stream.close())
    if recheck:
        assert told_at is not None and said[1] < told_at < first_bin_end.start
        assert set(asked_then) == {"first"}  # no peek, no second hearing: a first hearing's
        (clause, bin_end) = heard.rechecks[0]
        assert clause < said[1] and bin_end - said[1] >= options.stream.peek_after
        assert len(heard.rechecks) == 1  # told: re-checked no more
        assert not _forbidden(end)  # told once
    else:
        assert not heard.rechecks
        assert told_at is None or told_at > first_bin_end.start + first_bin_end.seconds
    assert stream.report is not None
    assert [f.rule for f in stream.report.findings if f.kind == "forbidden"] == ["A9-F-05"]


@pytest.mark.parametrize("mode", ["clause", "align"])
def test_a_peek_decodes_only_from_the_suspect_clause_or_nothing_as_a_first_hearing(visit, mode):
    """``stream.peek`` ``clause`` (the default) or ``align``: a peek asks for the open bin as
    the file path lays it out, every piece as context (encoded, not decoded as the bin's
    speech), the suspect clause decoded from its own start (``clause``) or its first-hearing
    words re-checked (``align``) on that encoder output, as a first hearing (not a second
    hearing that waits for an idle engine); the verifier's acceptance is told then
    (``again``), before the bin closes, and once."""
    audio, said = visit
    options = AnalyzerOptions(stream=StreamOptions(partial_interval=0.0, peek_after=0.5,
                                                   recheck_suspects=False, peek=mode))
    heard = Aligned(said)
    stream = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=heard)
    layouts: list[list[tuple[bool, bool, bool]]] = []
    ask = heard.transcribe_many

    def recorded(tracks, options, *, verifier=None, cut=True):
        layouts.append([(t.context, bool(t.recheck or t.hear), t.again) for t in tracks])
        return ask(tracks, options, verifier=verifier, cut=cut)

    heard.transcribe_many = recorded
    first_bin_end = _file_bins(audio, options)[0].pieces[-1][1]
    told_at, step, i = None, SR // 10, 0
    while i < audio.shape[1]:
        events = list(stream.feed(audio[:, i: i + step]))
        i += step
        for _, pending in stream._peeks:  # let each peek's thread end (no timing)
            pending.result(10)
        if told_at is None and _forbidden(events):
            told_at = i / SR
            assert [e.again for e in events if e.type == "finding"] == [True]
    end = list(stream.close())
    assert told_at is not None and said[1] < told_at < first_bin_end.start
    (peek,) = [x for x in layouts if all(c for c, _, _ in x)]  # one request, nothing decoded
    assert sum(r for _, r, _ in peek) == 1 and not any(a for _, _, a in peek)
    assert len(peek) > 1  # the bin as laid out so far, the speech after the clause too
    assert not _forbidden(end)
    assert stream.report is not None
    assert [f.rule for f in stream.report.findings if f.kind == "forbidden"] == ["A9-F-05"]


#: A phone call in the natural voice (Kokoro, the bench extra), long enough for two bins;
#: two forbidden phrases among the clerk's turns.
NATURAL = [
    ("staff", ["您好，这里是不动产登记窗口，请问您办什么？"]),
    ("citizen", ["我来问房产证，上周说这周能拿到"]),
    ("staff", ["A9-F-04|我就是这样的，你能拿我怎么样"]),
    ("citizen", ["你怎么这么说话，我只是问一下"]),
    ("staff", ["证还没有印好，下个礼拜再打电话问"]),
    ("citizen", ["那能不能先帮我查一下进度？"]),
    ("staff", ["A9-F-03|没看我正忙着吗"]),
    ("citizen", ["好吧，那我过两天再打"]),
    ("staff", ["印好了会发短信通知您"]),
    ("citizen", ["行，谢谢"]),
    ("staff", ["不客气，再见"]),
]


@pytest.mark.slow
@pytest.mark.parametrize("scheduled", [False, True], ids=["engine", "scheduled"])
def test_a_calls_report_has_the_file_paths_words_and_its_forbidden_findings_live(
        tmp_path, scheduled):
    """With the model, on a call of natural speech: the line's report has exactly the words
    ``conduct analyze`` hears in the same audio, and every forbidden finding of the file
    path was told while the call ran or at its end — a line on the bare engine (its second
    hearings in the engine's recognizer thread), and a line through the scheduler every
    line is given (it hears each bin again a stage at a time, giving way to first hearings
    between stages)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "benchmarks"))
    import natural_voice

    if not natural_voice.available():
        pytest.skip("the natural voice (bench extra) is not installed")
    import audio_factory as af
    import live_calls

    import analyzer
    from analyzer.stream.line import _TABLES

    call = live_calls.render("again", NATURAL, rings=1, seed=3)
    codes = np.frombuffer(live_calls.mulaw_bytes(call.samples), np.uint8)  # as a PBX sends it
    pcm = _TABLES["mulaw"][codes].reshape(-1, 2).T.astype(np.float32) / 32768
    wav = af.write_wav(tmp_path / "again.wav", pcm, live_calls.LINE_RATE)
    (tmp_path / "again.json").write_text('{"id": "again", "channel": "phone"}', encoding="utf-8")
    options = AnalyzerOptions()
    filed = analyzer.analyze(str(wav), options)
    from analyzer.speech.engine import get_engine
    from analyzer.stream.scheduler import line_recognizer

    engine = get_engine(options.asr.for_line(live_calls.LINE_RATE, "phone"), options.pack)
    # as every line is given the engine (the process's scheduler of it), or the bare engine
    recognizer = line_recognizer(engine, options.stream.partial_speakers, options.pack.share,
                                 options.stream.at_once(options.asr.device)) \
        if scheduled else engine
    stream = StreamAnalyzer(options, live_calls.LINE_RATE, 2, channel="phone",
                            recognizer=recognizer)
    x, _ = af.read_wav(wav)
    step = live_calls.LINE_RATE // 2
    events = [e for i in range(0, x.shape[1], step) for e in stream.feed(x[:, i: i + step])]
    events += list(stream.close())
    assert stream.report is not None
    assert [(u.speaker, u.text) for u in stream.report.utterances] == \
        [(u.speaker, u.text) for u in filed.utterances]
    told = {e.finding.rule for e in events
            if e.type == "finding" and e.finding.kind == "forbidden"}
    assert {f.rule for f in filed.findings if f.kind == "forbidden"} <= told
    if scheduled:
        assert recognizer.counts["again_stages"] >= 4  # a stage at a time


def test_closed_bins_are_taken_in_order_up_to_one_holding_a_piece_not_told_yet():
    """A closed bin goes to be heard again as soon as every piece of it is told (not kept
    back): those before it go, it and the bins after it wait for the next call, in order."""
    from analyzer.options import PackOptions
    from analyzer.stream.again import FileBins

    bins = FileBins(PackOptions(), 200)
    a, b, c, d = (object() for _ in range(4))  # stand-ins for the pieces
    bins._closed = [[a], [b, c], [d]]  # closed in this order
    kept = {c}
    assert bins.take(lambda p: p not in kept) == [[a]]
    assert bins.take(lambda p: p not in kept) == []
    kept.clear()
    assert bins.take(lambda p: p not in kept) == [[b, c], [d]]
    assert bins.take() == []
