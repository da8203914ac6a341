"""The listener's scheduler: a call's speech heard a second time (analyzer.stream.again)
never holds a first hearing up — it waits while first hearings wait or are heard, and
gives way between its stages (analyzer.stream.scheduler.Prioritised)."""

from __future__ import annotations

import threading

import numpy as np
from audio_factory import SR

from analyzer.options import ASROptions
from analyzer.speech.tracks import Track
from analyzer.stream.scheduler import (
    AGAIN_MAX_WAIT,
    LAG_HOLD_MAX,
    STALE_LAG,
    TALK_HOLD_MAX,
    Prioritised,
)
from analyzer.types import Utterance, Word

#: The stages an engine's second hearing is run in (RecognitionEngine.transcribe_steps).
STAGES = ("encoder", "decoder", "align", "verify")


class Staged:
    """An engine whose every first hearing and every stage of a second hearing waits at a
    gate the test opens: what started and ended, in order."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.cond = threading.Condition()
        self.opened: set[str] = set()

    def _through(self, name: str) -> None:
        with self.cond:
            self.log.append(name)
            self.cond.notify_all()
            assert self.cond.wait_for(lambda: name in self.opened, 10)
            self.log.append("end " + name)
            self.cond.notify_all()

    def let(self, name: str) -> None:
        """Open ``name``'s gate."""
        with self.cond:
            self.opened.add(name)
            self.cond.notify_all()

    def until(self, check) -> None:
        with self.cond:
            assert self.cond.wait_for(check, 10), self.log

    @staticmethod
    def _heard(tracks) -> list[list[Utterance]]:
        return [[Utterance(t.speaker, t.offset, t.offset + 1.0, "好的",
                           (Word("好的", t.offset, t.offset + 1.0),), 0.9, True)]
                for t in tracks]

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        self._through(f"{tracks[-1].speaker}@{tracks[-1].offset}")
        return self._heard(tracks)

    def transcribe_steps(self, tracks, options, *, verifier=None, cut=True):
        at = tracks[0].offset
        for stage in STAGES[:-1]:
            self._through(f"again {stage}@{at}")
            yield stage
        self._through(f"again {STAGES[-1]}@{at}")
        return self._heard(tracks)


def _piece(speaker: str, at: float, again: bool = False, peek: bool = False) -> Track:
    return Track(speaker, row=0 if speaker == "staff" else 1, again=again, peek=peek).of(
        np.zeros(SR, np.float32), at)


def _ask(engine: Prioritised, tracks: list[Track], out: list | None = None) -> threading.Thread:
    """A line's request, in its own thread (its utterances appended to ``out``)."""
    def run() -> None:
        got = engine.transcribe_many(tracks, ASROptions(), cut=False)
        if out is not None:
            out.append(got)

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def _state(engine: Prioritised, check) -> None:
    """Wait (on the scheduler's own condition, no sleeping) until ``check()`` holds."""
    with engine._cond:
        assert engine._cond.wait_for(check, 10)


def _again(at: float) -> list[str]:
    """The stages of the second hearing of a bin starting at ``at``, as the engine logs them."""
    return [f"again {s}@{at}" for s in STAGES]


def _let_all(said: Staged, runs: list[threading.Thread], *starts: float) -> None:
    for name in (x for at in starts or (0.0,) for x in _again(at)):
        said.let(name)
    for run in runs:
        run.join(10)
        assert not run.is_alive()


def test_a_first_hearing_asked_while_a_second_hearing_waits_goes_first():
    """A second hearing asked while a citizen's utterance is heard waits; a clerk's clause
    asked after it goes first — however long the second hearing has waited short of
    AGAIN_MAX_WAIT (it does not rank as a first hearing, as another speaker's aged request
    does)."""
    now = [0.0]
    said = Staged()
    engine = Prioritised(said, ["staff"], max_wait=3.0, at_once=1, clock=lambda: now[0])
    runs = [_ask(engine, [_piece("citizen", 1.0)])]
    said.until(lambda: said.log == ["citizen@1.0"])
    runs.append(_ask(engine, [_piece("staff", 0.0, again=True), _piece("citizen", 1.0, True)]))
    _state(engine, lambda: len(engine._again) == 1)
    now[0] = AGAIN_MAX_WAIT - 0.1  # far past max_wait, not yet due
    runs.append(_ask(engine, [_piece("staff", 3.0)]))
    _state(engine, lambda: len(engine._waiting) == 1)
    said.let("citizen@1.0")
    said.until(lambda: "staff@3.0" in said.log)
    said.let("staff@3.0")
    _let_all(said, runs)
    assert said.log[:4] == ["citizen@1.0", "end citizen@1.0", "staff@3.0", "end staff@3.0"]
    assert said.log[4:] == [x for s in _again(0.0) for x in (s, "end " + s)]
    assert engine.counts["again_stages"] == len(STAGES) and not engine.busy()


def test_a_second_hearing_never_starves_once_due_its_stages_go_before_first_hearings():
    """A second hearing that has waited AGAIN_MAX_WAIT seconds (on the injected clock) for a
    busy engine is due: it waits only for the request in the engine, then its stage goes
    before the clerk's clause that waits, the clause between two of its stages (it waits
    for one stage at most), then its other stages. Before it is due the same clause goes
    first (the test above)."""
    now = [0.0]
    said = Staged()
    engine = Prioritised(said, ["staff"], max_wait=3.0, at_once=1, clock=lambda: now[0])
    runs = [_ask(engine, [_piece("citizen", 1.0)])]
    said.until(lambda: said.log == ["citizen@1.0"])
    runs.append(_ask(engine, [_piece("staff", 0.0, again=True)]))
    _state(engine, lambda: engine._again_held == 1)
    now[0] = AGAIN_MAX_WAIT  # due
    runs.append(_ask(engine, [_piece("staff", 3.0)]))  # a clerk's clause on another line
    _state(engine, lambda: len(engine._waiting) == 1)
    assert engine.busy()  # the line's periodic decoding still waits
    said.let("citizen@1.0")  # the request in the engine ends: the due stage goes
    said.until(lambda: "again encoder@0.0" in said.log)
    assert "staff@3.0" not in said.log
    runs.append(_ask(engine, [_piece("staff", 4.0)]))  # and another line's clause
    _state(engine, lambda: len(engine._waiting) == 2)
    said.let("again encoder@0.0")
    said.until(lambda: "staff@3.0" in said.log)  # one first hearing between two stages
    said.let("staff@3.0")
    said.until(lambda: "again decoder@0.0" in said.log)  # then the due stage again
    assert "staff@4.0" not in said.log
    said.let("again decoder@0.0")
    said.until(lambda: "staff@4.0" in said.log)
    said.let("staff@4.0")
    _let_all(said, runs)
    started = [x for x in said.log if not x.startswith("end")]
    assert started == ["citizen@1.0", "again encoder@0.0", "staff@3.0", "again decoder@0.0",
                       "staff@4.0", *_again(0.0)[2:]]
    for k, x in enumerate(said.log):  # one request or stage in the engine at a time
        assert x.startswith("end") == (k % 2 == 1)
    assert not engine.busy() and not engine._again


def test_due_second_hearings_go_the_oldest_first_before_a_peek():
    """Among second hearings a due one goes first (the oldest due first), even before a
    peek asked later; a peek still goes before the closed bins not yet due."""
    now = [0.0]
    said = Staged()
    engine = Prioritised(said, ["staff"], at_once=1, clock=lambda: now[0])
    runs = [_ask(engine, [_piece("citizen", 1.0)])]
    said.until(lambda: said.log == ["citizen@1.0"])
    runs.append(_ask(engine, [_piece("staff", 0.0, again=True)]))
    _state(engine, lambda: engine._again_held == 1)
    now[0] = 10.0
    runs.append(_ask(engine, [_piece("citizen", 5.0, again=True)]))
    _state(engine, lambda: engine._again_held == 2)
    now[0] = AGAIN_MAX_WAIT  # the first due, the second not
    runs.append(_ask(engine, [_piece("staff", 9.0, again=True, peek=True)]))
    _state(engine, lambda: engine._again_held == 3)
    said.let("citizen@1.0")
    _let_all(said, runs, 0.0, 9.0, 5.0)
    started = [x for x in said.log if not x.startswith("end")]
    assert started == ["citizen@1.0", *_again(0.0), *_again(9.0), *_again(5.0)]


def test_a_first_hearing_asked_between_the_stages_of_a_second_hearing_goes_first():
    """A clerk's clause asked while a second hearing's encoder runs goes into the engine at
    once (a second hearing takes no room of ``at_once``); the second hearing's next stage
    waits until the clause is heard, then it resumes where it stopped, with its words."""
    said = Staged()
    engine = Prioritised(said, ["staff"], at_once=1, clock=lambda: 0.0)
    again: list = []
    runs = [_ask(engine, [_piece("staff", 0.0, again=True)], again)]
    said.until(lambda: said.log == ["again encoder@0.0"])
    assert not engine.busy()  # a line's periodic decoding is not held back by it
    runs.append(_ask(engine, [_piece("staff", 3.0)]))
    said.until(lambda: said.log[-1] == "staff@3.0")
    assert engine.busy()
    said.let("again encoder@0.0")
    _state(engine, lambda: engine.counts["again_stages"] == 1 and engine._again_held == 1)
    assert "again decoder@0.0" not in said.log  # waits while the clause is in the engine
    said.let("staff@3.0")
    said.until(lambda: "again decoder@0.0" in said.log)
    _let_all(said, runs)
    assert said.log[:5] == ["again encoder@0.0", "staff@3.0", "end again encoder@0.0",
                            "end staff@3.0", "again decoder@0.0"]
    assert engine.counts["again_yields"] == 1
    assert [[u.text for u in utts] for utts in again[0]] == [["好的"]]


def test_second_hearings_go_one_stage_at_a_time_the_oldest_first():
    """Two lines' second hearings: never two stages at once, and the older one's stages all
    go before the younger one's first."""
    said = Staged()
    engine = Prioritised(said, ["staff"], at_once=1, clock=lambda: 0.0)
    runs = [_ask(engine, [_piece("staff", 0.0, again=True)])]
    said.until(lambda: said.log == ["again encoder@0.0"])
    runs.append(_ask(engine, [_piece("citizen", 5.0, again=True)]))
    _state(engine, lambda: len(engine._again) == 2)
    _let_all(said, runs, 5.0, 0.0)  # the younger one's gates open first
    assert [x for x in said.log if not x.startswith("end")] == _again(0.0) + _again(5.0)
    for k, x in enumerate(said.log):  # each stage ends before the next starts
        assert x.startswith("end") == (k % 2 == 1)


def test_a_peek_goes_before_the_closed_bins_second_hearings_that_wait():
    """A peek at an open bin (a clerk's clause nearly heard as a forbidden phrase) asked
    while an older closed bin's second hearing waits goes first: the screen waits for its
    finding, the report for the closed bin's words."""
    said = Staged()
    engine = Prioritised(said, ["staff"], at_once=1, clock=lambda: 0.0)
    runs = [_ask(engine, [_piece("staff", 0.0, again=True)])]
    said.until(lambda: said.log == ["again encoder@0.0"])
    runs.append(_ask(engine, [_piece("citizen", 5.0, again=True)]))
    runs.append(_ask(engine, [_piece("staff", 9.0, again=True, peek=True)]))
    _state(engine, lambda: len(engine._again) == 3)
    _let_all(said, runs, 0.0, 9.0, 5.0)
    started = [x for x in said.log if not x.startswith("end")]
    # the stage under way ends; then the peek's stages, then the older closed bin's
    assert started == ["again encoder@0.0", *_again(9.0), *_again(0.0)[1:], *_again(5.0)]
    assert engine.counts["peeks"] == 1


def test_closed_bins_wait_while_a_line_lags_and_a_peek_does_not():
    """While a line says it lags its audio by more than ``hold_lag``, a closed bin's second
    hearing does not start (its stages held the lagging line's next clause up), a peek
    does; once the line has caught up (or its word is stale) the closed bin goes."""
    now = [0.0]
    said = Staged()
    engine = Prioritised(said, ["staff"], at_once=1, clock=lambda: now[0], hold_lag=1.0)
    engine.lagging("line-1", 0.5)  # behind, but within the bar: holds nothing
    assert not engine._lags_behind()
    engine.lagging("line-1", 2.5)
    runs = [_ask(engine, [_piece("citizen", 0.0, again=True)])]
    _state(engine, lambda: engine._again_held == 1 and engine.counts["lag_holds"] == 1)
    runs.append(_ask(engine, [_piece("staff", 4.0, again=True, peek=True)]))
    said.until(lambda: said.log == ["again encoder@4.0"])
    _let_all(said, [runs.pop()], 4.0)
    assert not any("@0.0" in x for x in said.log)  # the closed bin still waits
    engine.lagging("line-1", 0.0)  # caught up
    said.until(lambda: "again encoder@0.0" in said.log)
    _let_all(said, runs, 0.0)
    # a closed bin waits for lagging lines LAG_HOLD_MAX seconds at most
    engine.lagging("line-1", 2.5)
    runs = [_ask(engine, [_piece("citizen", 8.0, again=True)])]
    _state(engine, lambda: engine._again_held == 1 and engine.counts["lag_holds"] == 2)
    now[0] += LAG_HOLD_MAX
    engine.lagging("line-1", 2.5)  # still behind (and said again: not stale)
    said.until(lambda: "again encoder@8.0" in said.log)
    _let_all(said, runs, 8.0)
    engine.lagging("line-1", 0.0)
    # a word not said again for STALE_LAG seconds holds nothing up (a line no longer fed)
    engine.lagging("line-2", 9.0)
    assert engine._lags_behind()
    now[0] += STALE_LAG + 0.1
    assert not engine._lags_behind() and not engine._lags


def test_closed_bins_wait_while_a_clerk_speaks_on_any_line_peeks_and_due_ones_do_not():
    """With ``hold_talk``, while a line says its clerk speaks a closed bin's second hearing
    does not start (that clerk's clause is about to come), a peek does; once the clerk is
    silent (or the word is stale) it goes; and one that has waited TALK_HOLD_MAX goes
    anyway, whenever the engine is free."""
    now = [0.0]
    said = Staged()
    engine = Prioritised(said, ["staff"], at_once=1, clock=lambda: now[0], hold_talk=True)
    engine.talking("line-1", True)
    runs = [_ask(engine, [_piece("citizen", 0.0, again=True)])]
    _state(engine, lambda: engine._again_held == 1 and engine.counts["talk_holds"] == 1)
    runs.append(_ask(engine, [_piece("staff", 4.0, again=True, peek=True)]))
    said.until(lambda: said.log == ["again encoder@4.0"])
    _let_all(said, [runs.pop()], 4.0)
    assert not any("@0.0" in x for x in said.log)  # the closed bin still waits
    engine.talking("line-1", False)  # the clerk fell silent
    said.until(lambda: "again encoder@0.0" in said.log)
    _let_all(said, runs, 0.0)
    engine.talking("line-2", True)
    runs = [_ask(engine, [_piece("citizen", 8.0, again=True)])]
    _state(engine, lambda: engine._again_held == 1 and engine.counts["talk_holds"] == 2)
    now[0] += TALK_HOLD_MAX  # it waits for no clerk now
    engine.talking("line-2", True)  # still speaking (said again: not stale)
    said.until(lambda: "again encoder@8.0" in said.log)
    _let_all(said, runs, 8.0)
    assert engine._talks  # a word not said again for STALE_LAG seconds holds nothing up
    now[0] += STALE_LAG + 0.1
    assert not engine._clerk_talks() and not engine._talks


def test_closed_bins_never_wait_for_a_clerk_with_hold_talk_off():
    said = OneGo()
    engine = Prioritised(said, ["staff"], at_once=1)
    engine.talking("line-1", True)
    engine.transcribe_many([_piece("staff", 2.0, again=True)], ASROptions(), cut=False)
    assert said.asked == [True] and engine.counts["talk_holds"] == 0


def test_closed_bins_never_wait_for_a_lag_with_hold_lag_off():
    said = OneGo()
    engine = Prioritised(said, ["staff"], at_once=1, hold_lag=0.0)
    engine.lagging("line-1", 30.0)
    engine.transcribe_many([_piece("staff", 2.0, again=True)], ASROptions(), cut=False)
    assert said.asked == [True] and engine.counts["lag_holds"] == 0


class OneGo:
    """An engine that cannot give its stages: a second hearing is one stage."""

    def __init__(self) -> None:
        self.asked: list[bool] = []

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        self.asked.append(all(t.again for t in tracks))
        return Staged._heard(tracks)


def test_an_engine_without_stages_hears_a_second_hearing_in_one_go():
    said = OneGo()
    engine = Prioritised(said, ["staff"], at_once=1)
    got = engine.transcribe_many([_piece("staff", 2.0, again=True)], ASROptions(), cut=False)
    assert said.asked == [True] and [u.start for u in got[0]] == [2.0]
    assert engine.counts["again_stages"] == 1


def test_every_line_of_a_process_on_one_engine_shares_one_scheduler(monkeypatch):
    """Lines a program runs itself (no listener) take their engine through the process's
    one scheduler of it, as the listener's lines do: a line's second hearing gives way to
    every line's first hearings on that engine, not only to its own."""
    from analyzer.options import AnalyzerOptions
    from analyzer.speech import engine as engine_mod
    from analyzer.stream import StreamAnalyzer
    from analyzer.stream.scheduler import scheduler_of

    shared = OneGo()
    monkeypatch.setattr(engine_mod, "get_engine", lambda *args, **kwargs: shared)
    options = AnalyzerOptions()
    one = StreamAnalyzer(options, SR, 2, channel="counter")
    two = StreamAnalyzer(options, SR, 2, channel="counter")
    assert one.recognizer() is two.recognizer() is scheduler_of(shared, options)
    assert isinstance(one.recognizer(), Prioritised)
    assert scheduler_of(OneGo(), options) is not one.recognizer()


class Told(OneGo):
    """:class:`OneGo` that records what each line says of its lag."""

    def __init__(self) -> None:
        super().__init__()
        self.lags: list[tuple[object, float]] = []
        self.talks: list[bool] = []

    def lagging(self, line, seconds):
        self.lags.append((line, seconds))

    def talking(self, line, talks):
        self.talks.append(talks)


def test_a_line_tells_the_scheduler_its_lag_as_it_is_fed_and_nothing_once_it_ends():
    """A line on the stream's clock says how far it is behind its audio at every chunk, and
    0 when its call ends (so its own closed bins, heard at the end, never wait for it)."""
    from analyzer.options import AnalyzerOptions
    from analyzer.stream import StreamAnalyzer

    now = [0.0]
    said = Told()
    line = StreamAnalyzer(AnalyzerOptions(), SR, 2, channel="counter", recognizer=said,
                          clock=lambda: now[0])
    quiet = np.zeros((2, SR // 2), np.float32)
    list(line.feed(quiet))
    now[0] = 3.0  # the analysis is 2.5 s behind the line
    list(line.feed(quiet))
    assert said.lags[-1] == (line, 2.5)
    now[0] = 1.0
    list(line.feed(quiet))
    assert said.lags[-1] == (line, 0.0)  # caught up
    line.release()
    assert said.lags[-1] == (line, 0.0)


def test_a_line_says_its_clerk_talks_while_the_clerks_speech_is_under_way():
    """As it is fed, a line tells the scheduler its clerk speaks while the clerk's (staff)
    speech is under way — not the citizen's — and that it does not once that speech has
    ended and when the line is released (its word then holds no closed bin up)."""
    from audio_factory import speech

    from analyzer.options import AnalyzerOptions
    from analyzer.stream import StreamAnalyzer

    voice = speech("你好，请问办理什么业务")
    gap = np.zeros(int(1.5 * SR), np.float32)
    staff = np.concatenate([gap, voice, gap, np.zeros_like(voice), gap])
    citizen = np.concatenate([gap, np.zeros_like(voice), gap, voice, gap])
    said = Told()
    line = StreamAnalyzer(AnalyzerOptions(), SR, 2, channel="counter", recognizer=said)
    step = SR // 10
    at: list[float] = []
    for i in range(0, staff.size, step):
        list(line.feed(np.stack([staff[i: i + step], citizen[i: i + step]])))
        at.append(min(i + step, staff.size) / SR)
    talked = [t for t, x in zip(at, said.talks, strict=True) if x]
    assert talked and 1.5 < talked[0] < 1.5 + voice.size / SR  # while the clerk speaks
    assert talked[-1] < 3.0 + voice.size / SR + 1.0  # not the citizen's speech after it
    assert not said.talks[-1]
    line.release()
    assert said.talks[-1] is False
