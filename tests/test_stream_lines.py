"""Several live lines on one recognizer: the same words whatever a line's chunks, periodic
decoding only while the engine is free, traces of where a recognition's time went, and
the engine's batches of several lines giving each line its own words."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from audio_factory import SR, phone_call, speech
from test_stream import Scripted, _run

from analyzer.options import AnalyzerOptions, StreamOptions
from analyzer.stream import StreamAnalyzer
from analyzer.stream.scheduler import Prioritised

#: A clerk's clause read right only after the citizen's question (its context).
SCRIPT = [("staff", "您好，请讲"), ("citizen", "我想问一下营业执照怎么办理"),
          ("staff", "你去投诉好了")]
#: No periodic decoding: what is asked depends on the audio only.
AT_PAUSES = AnalyzerOptions(stream=StreamOptions(hear_again=False, partial_interval=0.0))


class HearsAfterTheQuestion(Scripted):
    """Reads the clerk's last clause as the forbidden phrase only when the citizen's
    question is in the piece's bin before it, as Whisper read a garbled phone clause
    right only after the question (and as nonsense alone)."""

    def __init__(self, after: float) -> None:
        super().__init__({"staff": "嗯", "citizen": "好"})
        self.after = after  # the clerk's clause starts after this (stream seconds)

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        out = super().transcribe_many(tracks, options, verifier=verifier, cut=cut)
        asked = tracks[-1]
        heard_question = any(t.context and t.speaker == "citizen" for t in tracks)
        if asked.speaker == "staff" and asked.offset > self.after and heard_question:
            from analyzer.types import Utterance, Word

            u = out[-1][0]
            out[-1] = [Utterance("staff", u.start, u.end, "你去投诉好了",
                                 (Word("你去投诉好了", u.start, u.end),), 0.9, True)]
        return out


def _forbidden(events: list[dict]) -> list[str]:
    return [e["rule"] for e in events if e["type"] == "finding" and e["kind"] == "forbidden"]


def test_two_lines_find_their_phrases_however_far_behind_a_line_is():
    """Issue 27: a phrase found with one line was lost with two. A line that falls behind
    takes its backlog in steps of seconds; the clerk's clause was then recognised before
    the citizen's question that ended in the same step had been kept as its context, and
    read wrong. Now every piece that ended is context before anything is recognised, in
    time order: each line's words do not depend on how its audio was chunked."""
    audio, turns, _, _ = phone_call(rings=1, script=SCRIPT)
    clerk = turns[-1].start - 0.5
    shared = HearsAfterTheQuestion(clerk)
    engine = Prioritised(shared, ["staff"])
    got = {}
    for name, step in (("on time", 320), ("behind", 5 * SR)):  # 20 ms frames; 5 s steps
        line = StreamAnalyzer(AT_PAUSES, SR, 2, interaction_id=name, recognizer=engine)
        got[name] = _run(line, [audio[:, i: i + step] for i in range(0, audio.shape[1], step)])
    assert _forbidden(got["on time"]) == _forbidden(got["behind"]) == ["A9-F-05"]
    # the clause's context: the same pieces for both lines, in time order, the question last
    asked = [c for c, call in zip(shared.context, shared.calls, strict=True)
             if call[0] == "staff" and call[1] > clerk]
    assert len(asked) == 2 and asked[0] == asked[1]
    assert [c[1] for c in asked[0]] == sorted(c[1] for c in asked[0])
    assert asked[0][-1][0] == "citizen"


def test_pieces_are_context_in_time_order_whatever_order_they_ended_in():
    from analyzer.stream.online import OnlinePolicy

    audio, turns, _, _ = phone_call(rings=1, script=SCRIPT)
    log = Scripted({})
    line = StreamAnalyzer(AT_PAUSES, SR, 2, recognizer=log)
    _run(line, [audio])  # the whole call in one chunk: everything ends at once
    policy: OnlinePolicy = line.online
    starts = [s for s, _, _ in policy._recent]
    assert starts == sorted(starts) and len(starts) == len(SCRIPT)


class Busy(Scripted):
    """A recognizer shared with other lines, busy with theirs while ``busy_now`` is set."""

    def __init__(self) -> None:
        super().__init__({"staff": "请您稍等一下"})
        self.busy_now = True

    def busy(self) -> bool:
        return self.busy_now


def test_periodic_decoding_waits_while_the_engine_hears_other_lines():
    """A growing clause is decoded again every partial_interval only while no other line
    is being heard: a periodic decoding would be stale before it started, and other
    lines' clauses at their pauses would wait behind it. Decodings at pauses still go."""
    talk = np.concatenate([np.zeros(SR // 2, np.float32), speech("请您稍等一下我帮您查一查这个材料"),
                           np.zeros(SR, np.float32)])
    audio = np.stack([talk, np.zeros_like(talk)])
    options = AnalyzerOptions(stream=StreamOptions(hear_again=False, partial_interval=0.5))
    counts = {}
    for busy in (True, False):
        said = Busy()
        said.busy_now = busy
        line = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=said)
        _run(line, [audio[:, i: i + 1600] for i in range(0, audio.shape[1], 1600)])
        counts[busy] = [t.kind for t in line.online.traces]
    assert "periodic" not in counts[True] and "periodic" in counts[False]
    assert "pause" in counts[True] or "end" in counts[True]  # the clause is still heard


def test_every_recognition_is_traced_on_the_streams_clock():
    audio, turns, _, _ = phone_call(rings=1, script=SCRIPT)
    now = [0.0]
    engine = Prioritised(Scripted({"staff": "嗯", "citizen": "好"}), ["staff"])
    line = StreamAnalyzer(AT_PAUSES, SR, 2, recognizer=engine, clock=lambda: now[0])
    for i in range(0, audio.shape[1], 1600):
        now[0] = (i + 1600) / SR + 0.25  # the analysis a quarter second behind the line
        list(line.feed(audio[:, i: i + 1600]))
    list(line.close())
    traces = list(line.online.traces)
    speakers = [t.speaker for t in traces]  # a clause's pauses may be decoded twice
    assert [s for k, s in enumerate(speakers) if not k or speakers[k - 1] != s] == \
        [t.speaker for t in turns]
    assert {t.kind for t in traces} <= {"pause", "end"}
    for t in traces:
        assert t.asked == t.answered and t.asked >= t.audio_end  # the clock is the line's
        assert t.held == 0.0 and t.stages == {}  # a stand-in says nothing of its batches
    assert traces[-1].context > 0 and traces[0].context == 0


@pytest.mark.slow
def test_one_batch_of_several_lines_gives_each_line_its_own_words():
    """The lines' pieces waiting together go to the encoder as one batch (one engine
    tick); each line gets the words it gets alone, and the trace says how it was served."""
    from analyzer.options import ASROptions
    from analyzer.speech.engine import get_engine
    from analyzer.speech.tracks import Track

    engine = get_engine(ASROptions())
    said = ["我想问一下营业执照怎么办理", "请您稍等", "您的材料已经齐全了"]
    pieces = [Track("staff", row=0).of(
        np.concatenate([speech(text), np.zeros(SR // 4, np.float32)]), offset=10.0 * k)
        for k, text in enumerate(said)]

    def hear(track):
        return [u.text for u in engine.transcribe_many([track], ASROptions(), cut=False)[0]]

    alone = [hear(p) for p in pieces]
    bins_before = engine.timings.get("n_bins", 0)
    gate, together, served = threading.Barrier(len(pieces)), {}, {}

    def line(k: int) -> None:
        gate.wait()
        together[k] = hear(pieces[k])
        served[k] = engine.last_served()

    threads = [threading.Thread(target=line, args=(k,)) for k in range(len(pieces))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert [together[k] for k in range(len(pieces))] == alone
    assert sum(bool(a) for a in alone) >= 2  # words to compare
    # fewer batches than requests: the lines shared ticks
    assert max(s.bins for s in served.values()) >= 2
    assert engine.timings["n_bins"] - bins_before == len(pieces)
    assert all(s.stages["encoder"] > 0 and s.queued >= 0 for s in served.values())


class Requests(Scripted):
    """Scripted, and how many pieces each request held, by speaker."""

    def __init__(self) -> None:
        super().__init__({"staff": "请您稍等", "citizen": "好的谢谢"}, lead=0.2)
        self.requests: list[list[str]] = []
        #: each request's bin: (speaker, offset, context) of every track
        self.bins: list[list[tuple[str, float, bool]]] = []

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        self.requests.append([t.speaker for t in tracks if not t.context or t.hear])
        self.bins.append([(t.speaker, round(t.offset, 3), t.context) for t in tracks])
        return super().transcribe_many(tracks, options, verifier=verifier, cut=cut)


def test_a_line_behind_keeps_the_citizens_utterances_back_and_hears_them_together():
    """Graceful degradation (stream.defer_behind): while a line is more than 2 s behind,
    the citizen's ended utterances wait and are recognised together — one request, one
    bin, one encoder pass — once it has caught up; the clerk's are heard at once. The
    call's transcript still holds every utterance, in time order."""
    script = [("staff", "您好，请讲"), ("citizen", "我想问一下营业执照怎么办理"),
              ("staff", "请您稍等"), ("citizen", "好的谢谢"), ("staff", "我帮您查一下")]
    audio, turns, _, _ = phone_call(rings=1, script=script)
    caught_up = turns[-1].start + 1.0  # behind by 3 s until into the clerk's last turn
    now = [0.0]
    said = Requests()
    line = StreamAnalyzer(AT_PAUSES, SR, 2, recognizer=said, clock=lambda: now[0])
    events: list = []
    for i in range(0, audio.shape[1], 1600):
        t = (i + 1600) / SR
        now[0] = t + (3.0 if t < caught_up else 0.0)
        events += [e.to_dict() for e in line.feed(audio[:, i: i + 1600])]
    events += [e.to_dict() for e in line.close()]
    citizen = [r for r in said.requests if "citizen" in r]
    assert citizen == [["citizen", "citizen"]]  # both of the citizen's turns in one request
    assert all(r == ["staff"] for r in said.requests if "citizen" not in r)
    told = [e for e in events if e["type"] == "utterance"]
    first_citizen = next(i for i, e in enumerate(told) if e["speaker"] == "citizen")
    assert told[first_citizen - 1]["speaker"] == "staff"  # the clerk's second turn went first
    assert told[first_citizen - 1]["start"] > told[first_citizen]["start"]
    assert "deferred" in [t.kind for t in line.online.traces]
    transcript = events[-1]["report"]["transcript"]
    assert [u["speaker"] for u in transcript] == [t.speaker for t in turns]
    # not behind: every utterance heard as it ends
    plain = Requests()
    _run(StreamAnalyzer(AT_PAUSES, SR, 2, recognizer=plain),
         [audio[:, i: i + 1600] for i in range(0, audio.shape[1], 1600)])
    assert all(len(r) == 1 for r in plain.requests)


def test_a_forbidden_phrase_said_in_other_words_is_found_live_as_the_file_path_finds_it():
    """The file path adds the act detector's paraphrases to the lexicon's hits
    (``method="paraphrase"``); the live rules read each ended utterance the same way, so a
    brush-off in other words is a finding while the call goes on, not only in the report."""
    from analyzer.pipeline.scoring import analyze_interaction
    from analyzer.types import Interaction

    said = "哎呀说了三遍了头才还记不住呢"  # dialogues-dev hd-0053, as Whisper heard it
    talk = np.concatenate([np.zeros(SR // 2, np.float32), speech(said), np.zeros(SR, np.float32)])
    audio = np.stack([talk, np.zeros_like(talk)])
    line = StreamAnalyzer(AT_PAUSES, SR, 2, channel="counter",
                          recognizer=Scripted({"staff": said}))
    fed = [e.to_dict() for i in range(0, audio.shape[1], 1600)
           for e in line.feed(audio[:, i: i + 1600])]
    list(line.close())
    live = [e for e in fed if e["type"] == "finding" and e["kind"] == "forbidden"]  # not at close
    filed = [f for f in analyze_interaction(Interaction("same", "counter", list(line.utterances)),
                                            AT_PAUSES).findings if f.kind == "forbidden"]
    assert filed and {e["rule"] for e in live} == {f.rule for f in filed}
    assert {f.detail["method"] for f in filed} == {"paraphrase"}  # no lexicon wording


class Gated:
    """An engine whose every request waits at a gate: what went in, in order, and how many
    were in it at once."""

    def __init__(self) -> None:
        self.order: list[str] = []
        self.inside = self.most = 0
        self.lock = threading.Lock()
        self.gates: dict[str, threading.Event] = {}

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        name = tracks[-1].speaker + "@" + str(tracks[-1].offset)
        with self.lock:
            self.order.append(name)
            self.inside += 1
            self.most = max(self.most, self.inside)
        self.gates.setdefault(name, threading.Event()).wait(10)
        with self.lock:
            self.inside -= 1
        return [[] for _ in tracks]


def _ask(engine, speaker: str, at: float) -> threading.Thread:
    """A line's request for one piece of ``speaker`` at stream second ``at``, in its thread."""
    from analyzer.options import ASROptions
    from analyzer.speech.tracks import Track

    piece = Track(speaker, row=0 if speaker == "staff" else 1).of(np.zeros(SR, np.float32), at)
    run = threading.Thread(target=engine.transcribe_many, args=([piece], ASROptions()),
                           kwargs={"cut": False})
    run.start()
    return run


def _let_through(said: Gated, names: tuple[str, ...], runs: list[threading.Thread]) -> None:
    """Let each request out of the engine once it is the latest in, in this order."""
    for name in names:
        _until(lambda name=name: said.order[-1] == name)
        said.gates.setdefault(name, threading.Event()).set()
    for run in runs:
        run.join(10)


def _until(check, seconds: float = 10.0) -> None:
    import time

    end = time.monotonic() + seconds
    while not check() and time.monotonic() < end:
        time.sleep(0.005)
    assert check()


def test_a_clerks_clause_waits_for_one_bin_at_most_then_goes_before_the_others():
    """Issue 27's 4-call tail: on a CPU a batch of bins costs as much per bin as each alone,
    and every waiting request went into the engine's next batch, so a clerk's clause that
    came while other lines' citizens' utterances were recognised waited for all of them.
    With one request in the engine at a time (``stream.engine_at_once``, 1 on a CPU), it
    waits for the one bin in the engine, then goes before the requests that came first."""
    said = Gated()
    engine = Prioritised(said, ["staff"], at_once=1)
    runs = [_ask(engine, "citizen", 1.0)]  # line 1: a citizen's utterance, in the engine
    _until(lambda: said.order == ["citizen@1.0"])
    runs.append(_ask(engine, "citizen", 2.0))  # line 2: another citizen's, waits
    _until(lambda: len(engine._waiting) == 1)
    runs.append(_ask(engine, "staff", 3.0))  # line 3: a clerk's clause at its pause
    _until(lambda: len(engine._waiting) == 2)
    assert engine.busy()
    _let_through(said, ("citizen@1.0", "staff@3.0", "citizen@2.0"), runs)
    assert said.order == ["citizen@1.0", "staff@3.0", "citizen@2.0"]
    assert said.most == 1  # never a batch of several lines' bins on a CPU
    assert engine.counts["held"] == 2 and not engine.busy()


def test_no_request_waits_for_ever_behind_the_clerks():
    """A citizen's request that has waited ``max_wait`` seconds ranks as a clerk's: it goes
    before the clerks' requests that came after it."""
    said = Gated()
    engine = Prioritised(said, ["staff"], max_wait=0.2, at_once=1)
    runs = [_ask(engine, "staff", 1.0)]
    _until(lambda: said.order == ["staff@1.0"])
    runs.append(_ask(engine, "citizen", 2.0))
    _until(lambda: len(engine._waiting) == 1)
    import time

    time.sleep(0.3)  # the citizen's request has waited longer than max_wait
    runs.append(_ask(engine, "staff", 4.0))
    _until(lambda: len(engine._waiting) == 2)
    _let_through(said, ("staff@1.0", "citizen@2.0", "staff@4.0"), runs)
    assert said.order == ["staff@1.0", "citizen@2.0", "staff@4.0"]


def test_without_a_cap_the_clerks_go_at_once_and_the_others_are_held():
    """``at_once=0`` (a GPU: the engine batches whatever waits): a clerk's request goes
    into the engine at once, beside what is there; another speaker's waits while a clerk's
    is heard."""
    said = Gated()
    engine = Prioritised(said, ["staff"], at_once=0)
    runs = [_ask(engine, "staff", 1.0)]
    _until(lambda: said.order == ["staff@1.0"])
    runs.append(_ask(engine, "citizen", 2.0))
    _until(lambda: len(engine._waiting) == 1)
    runs.append(_ask(engine, "staff", 3.0))
    _until(lambda: said.order == ["staff@1.0", "staff@3.0"])  # beside the first
    said.gates.setdefault("staff@1.0", threading.Event()).set()
    said.gates.setdefault("staff@3.0", threading.Event()).set()
    _until(lambda: said.order[-1] == "citizen@2.0")
    said.gates["citizen@2.0"].set()
    for run in runs:
        run.join(10)
    assert said.most == 2


class BusyRequests(Requests):
    """Requests, on an engine busy with other lines' requests until stream second
    ``free_from`` (the test sets ``now`` as it feeds)."""

    def __init__(self, free_from: float) -> None:
        super().__init__()
        self.free_from, self.now = free_from, 0.0

    def busy(self) -> bool:
        return self.now < self.free_from


def test_a_citizens_utterance_waits_while_other_lines_are_heard_and_keeps_its_context():
    """Issue 27's 4-call tail: a line's thread waits for each recognition it asks, so a
    citizen's utterance asked while the engine heard other lines held the line, and its
    clerk's next clause waited behind it ("line behind"). Now it is kept back while the
    engine is busy and recognised once it is free (at most ``KEPT_WAIT`` s later), after
    the same context a piece recognised at once gets (it had none); the clerk's clause
    goes first."""
    from analyzer.stream.live import KEPT_WAIT

    script = [("staff", "您好，请讲"), ("citizen", "我想问一下营业执照怎么办理"),
              ("staff", "请您稍等"), ("citizen", "好的谢谢"), ("staff", "我帮您查一下")]
    audio, turns, _, _ = phone_call(rings=1, script=script)

    def run(free_from: float, audio: np.ndarray = audio
            ) -> tuple[BusyRequests, StreamAnalyzer, list]:
        said = BusyRequests(free_from)
        line = StreamAnalyzer(AT_PAUSES, SR, 2, recognizer=said)  # on time: never behind
        events: list = []
        for i in range(0, audio.shape[1], 1600):
            said.now = (i + 1600) / SR
            events += [e.to_dict() for e in line.feed(audio[:, i: i + 1600])]
        events += [e.to_dict() for e in line.close()]
        return said, line, events

    said, line, events = run(turns[2].end + 1.0)  # busy until after the clerk's 2nd clause
    first_citizen = said.requests.index(["citizen"])
    assert said.requests[:first_citizen] == [["staff"], ["staff"]]  # the clerk's went first
    asked = said.context[[k for k, r in enumerate(said.requests) if r][first_citizen]]
    assert asked and asked[-1][0] == "staff" and asked[-1][2] <= turns[1].start + 0.5
    deferred = [t for t in line.online.traces if t.kind == "deferred"]
    assert len(deferred) == 1 and deferred[0].context > 0
    assert deferred[0].asked >= turns[2].end  # not before the engine was free
    assert said.requests.count(["citizen"]) == 2  # the 2nd, once free, at once
    transcript = events[-1]["report"]["transcript"]
    assert [u["speaker"] for u in transcript] == [t.speaker for t in turns]
    # an engine never free: the kept utterance waits KEPT_WAIT seconds of the call, then for
    # the clerk to be silent (not in the middle of a clause), and never twice that
    longer = np.concatenate([audio, np.zeros((2, 15 * SR), np.float32)], axis=1)
    said, line, _ = run(float("inf"), longer)
    deferred = [t for t in line.online.traces if t.kind == "deferred"]
    assert deferred and KEPT_WAIT <= deferred[0].asked - turns[1].end < 2 * KEPT_WAIT + 1
    assert turns[-1].start < turns[1].end + KEPT_WAIT < turns[-1].end  # the clerk talked then
    asked = [(t.kind, t.speaker) for t in line.online.traces]
    assert asked[-2:] == [("pause", "staff"), ("deferred", "citizen")]  # the clause first


def test_growing_speech_is_decoded_periodically_only_while_one_line_is_on_the_engine():
    """Issue 27's 4-call tail: periodic decodings of growing speech (each a full encoder
    pass) took a fifth of the engine's ticks with four calls, and another line's clause
    that ended during one waited for it. With more than ``stream.partial_lines`` lines
    (1) on the listener's engine a line is decoded at its pauses and ends only; the
    engine counts its lines as their analyzers open and release them."""
    talk = np.concatenate([np.zeros(SR // 2, np.float32), speech("请您稍等一下我帮您查一查这个材料"),
                           np.zeros(SR, np.float32)])
    audio = np.stack([talk, np.zeros_like(talk)])
    chunks = [audio[:, i: i + 1600] for i in range(0, audio.shape[1], 1600)]

    def kinds(options: AnalyzerOptions, engine: Prioritised) -> list[str]:
        line = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=engine)
        _run(line, chunks)
        return [t.kind for t in line.online.traces]

    periodic = AnalyzerOptions(stream=StreamOptions(partial_interval=0.5))
    engine = Prioritised(Scripted({"staff": "请您稍等一下"}), ["staff"])
    other = StreamAnalyzer(periodic, SR, 2, channel="counter", recognizer=engine)  # a call on
    assert engine.lines() == 1
    two = kinds(periodic, engine)
    assert "periodic" not in two and ("pause" in two or "end" in two)
    assert engine.lines() == 1  # the line released itself when it closed
    anyhow = kinds(AnalyzerOptions(stream=StreamOptions(partial_interval=0.5, partial_lines=0)),
                   engine)
    assert "periodic" in anyhow  # 0: whatever the lines
    other.release()
    other.release()  # once only
    assert engine.lines() == 0
    assert "periodic" in kinds(periodic, engine)  # alone again


def test_with_several_lines_a_citizens_utterance_can_ride_in_the_clerks_next_bin():
    """``stream.fold_kept``: with several lines on the engine a citizen's ended utterance
    waits for the clerk's next request and is decoded there from its own start, on that
    request's encoder output (it is in the clerk's bin already, as context: one encoder
    pass for both); the clerk's bin is the one it has without folding, so the clerk's words
    are decoded as without it; every utterance is still told, in the order said. Off it is
    a request of its own."""
    script = [("staff", "您好，请讲"), ("citizen", "我想问一下营业执照怎么办理"),
              ("staff", "请您稍等"), ("citizen", "好的谢谢"), ("staff", "我帮您查一下")]
    audio, turns, _, _ = phone_call(rings=1, script=script)
    chunks = [audio[:, i: i + 1600] for i in range(0, audio.shape[1], 1600)]

    def asked(fold: bool) -> tuple[list[list[str]], list[dict], Requests]:
        said = Requests()
        engine = Prioritised(said, ["staff"])
        other = StreamAnalyzer(AT_PAUSES, SR, 2, recognizer=engine)  # another call on
        options = AnalyzerOptions(stream=StreamOptions(hear_again=False, partial_interval=0.0, fold_kept=fold))
        events = _run(StreamAnalyzer(options, SR, 2, recognizer=engine), chunks)
        other.release()
        return said.requests, events, said

    folded, events, said = asked(True)
    assert folded == [["staff"], ["citizen", "staff"], ["citizen", "staff"]]
    _, _, apart = asked(False)
    clerks = [b for b in apart.bins if b[-1][0] == "staff"]
    assert said.bins == clerks  # the clerk's bins as without folding (the citizen as context)
    told = [(e["speaker"], e["text"]) for e in events if e["type"] == "utterance"]
    assert sorted(told) == sorted((s, {"staff": "请您稍等", "citizen": "好的谢谢"}[s])
                                  for s, _ in script)
    transcript = events[-1]["report"]["transcript"]
    assert [u["speaker"] for u in transcript] == [t.speaker for t in turns]
    assert ["citizen"] in apart.requests and all(len(r) == 1 for r in apart.requests)


def _ask_at(engine, speaker: str, at: float, peek: bool = False) -> threading.Thread:
    """A line's request (a peek: its piece as context only), in its thread."""
    from dataclasses import replace

    from analyzer.options import ASROptions
    from analyzer.speech.tracks import Track

    piece = Track(speaker, row=0 if speaker == "staff" else 1).of(np.zeros(SR, np.float32), at)
    if peek:
        piece = replace(piece, context=True)
    run = threading.Thread(target=engine.transcribe_many, args=([piece], ASROptions()),
                           kwargs={"cut": False})
    run.start()
    return run


@pytest.mark.parametrize(("order", "expected"), [
    ("clauses", ("staff@1.0", "staff@3.0", "staff@4.0", "citizen@2.0")),
    ("strict", ("staff@1.0", "staff@4.0", "staff@3.0", "citizen@2.0")),
    ("peeks", ("staff@1.0", "staff@3.0", "staff@4.0", "citizen@2.0")),
    ("arrival", ("staff@1.0", "citizen@2.0", "staff@3.0", "staff@4.0"))])
def test_the_clerks_clauses_go_before_peeks_and_aged_citizens(order, expected):
    """Issue 27's first-hearing tail under four calls: a citizen's utterance and a peek that
    had waited ``max_wait`` ranked as clerks' clauses and went before the clauses that came
    after them (``stream.first_order=arrival``). In ``clauses`` (the default) a clerk's
    clause goes first, then peeks (as a clause once aged), then the rest; in ``strict``
    the peek waits for the later clause too (injected clock: 5 s pass while the first
    clause is heard)."""
    now = [0.0]
    said = Gated()
    engine = Prioritised(said, ["staff"], max_wait=3.0, at_once=1, clock=lambda: now[0],
                         order=order)
    runs = [_ask_at(engine, "staff", 1.0)]
    _until(lambda: said.order == ["staff@1.0"])
    runs.append(_ask_at(engine, "citizen", 2.0))
    _until(lambda: len(engine._waiting) == 1)
    runs.append(_ask_at(engine, "staff", 3.0, peek=True))
    _until(lambda: len(engine._waiting) == 2)
    now[0] = 5.0  # both have waited longer than max_wait
    runs.append(_ask_at(engine, "staff", 4.0))
    _until(lambda: len(engine._waiting) == 3)
    _let_through(said, expected, runs)
    assert said.order == list(expected)


def test_in_the_clauses_order_nothing_waits_for_ever():
    """``clauses``: a citizen's utterance that has waited ``STARVE_WAIT`` seconds ranks as a
    clerk's clause (injected clock)."""
    from analyzer.stream.scheduler import STARVE_WAIT, first_rank

    assert first_rank(False, False, STARVE_WAIT, 3.0, "clauses") == 0
    assert first_rank(False, True, 2.0, 3.0, "clauses") == 1
    assert first_rank(False, True, 5.0, 3.0, "clauses") == 0
    assert first_rank(False, True, 5.0, 3.0, "strict") == 1
    assert first_rank(False, True, 0.0, 3.0, "peeks") == 0
    assert first_rank(False, False, 5.0, 3.0, "clauses") == 2
    now = [0.0]
    said = Gated()
    engine = Prioritised(said, ["staff"], at_once=1, clock=lambda: now[0], order="clauses")
    runs = [_ask_at(engine, "staff", 1.0)]
    _until(lambda: said.order == ["staff@1.0"])
    runs.append(_ask_at(engine, "citizen", 2.0))
    _until(lambda: len(engine._waiting) == 1)
    now[0] = STARVE_WAIT + 1.0
    runs.append(_ask_at(engine, "staff", 4.0))
    _until(lambda: len(engine._waiting) == 2)
    _let_through(said, ("staff@1.0", "citizen@2.0", "staff@4.0"), runs)
    assert said.order == ["staff@1.0", "citizen@2.0", "staff@4.0"]
