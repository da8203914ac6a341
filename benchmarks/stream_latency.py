"""Live latency of the listener: stereo phone calls fed in real time by the shipped client.

Each configuration runs a real listener (``conduct stream --listen``, its own
process) and feeds it ``N`` calls at once through the line client
(:func:`analyzer.stream.client.send_line`: 8 kHz G.711 mu-law stereo frames of
20 ms, paced at the audio's own rate). Every event is stamped when it
arrives at the client; audio second ``t`` of a line was sent at the line's
start + ``t``. Measured, pooled over the repeats, for ``N`` in ``--concurrency``:

* **phrase end -> finding**: a scripted forbidden phrase's end (exact: the
  calls of ``benchmarks/live_calls.py`` are rendered clause by clause) to the
  arrival of the first live ``finding`` of its rule over it (before the
  report: found while the call ran);
* **first-hearing phrases**: the same, over the phrases the first hearing
  alone finds (those ``once`` found live in the same run; without ``once``,
  those the configuration's second hearing did not tell first) — what the
  second hearing may cost the findings that need no second hearing;
  **told by the second hearing**: the phrases a ``finding`` event marked
  ``again`` told first (the first hearing missed them), with their latency;
* **utterance end -> event**: an utterance's end (its recognised end) to the
  arrival of its ``utterance`` event (includes the VAD's
  ``asr.vad.min_silence_ms`` of silence, and recognition);
* **revisions**: the ``revision`` events told before the report (a second
  hearing changed a piece's words: the live transcript heals), how many came
  before the call's audio had all been sent, and piece end -> revision (the
  end of the piece revised to the event's arrival: how long the transcript
  shows the first hearing's words);
* **found live / the batch's**: the forbidden findings the file path
  (``conduct analyze`` of the same audio, as the listener stores it) finds
  on each call, and how many of them a live finding matched (same rule,
  within a second) before the call ended; **invented**: live forbidden
  findings the file path does not have and no scripted phrase explains;
  **file missed**: live findings of a scripted forbidden phrase (the
  clerk did say it) that the file path does not find (a recognition miss of
  the file path, not an invention of the live path);
* the 1-minute load average before and after each run (the machine is shared).

Configurations (``--configs``), measured in the same run on the same calls,
interleaved (every listener warm from the start; each run's calls go to
each configuration in turn, the order rotating) so that they meet the same
load on a shared machine:
``default`` (the shipped options); ``main`` — the listener of another source
tree (``--baseline-src``, e.g. ``git archive`` of main), the code before this
work; ablations ``no-pause`` (``stream.decode_at_pause=false``), ``every-pause``
(``stream.pause_min_seconds=0``: a clause decoded at its pause however short),
``first-arrival`` / ``first-strict`` / ``first-peeks`` (``stream.first_order``: how the
listener's first hearings queue, :func:`analyzer.stream.scheduler.first_rank`), ``no-context``
(``stream.context_seconds=0``), ``no-periodic`` (``stream.partial_interval=0``);
``shared-bins`` (``pack.share=any``: the lines' waiting speech in one bin,
:class:`analyzer.stream.scheduler.SharedBins`); ``batch1``
(``pack.batch_size=1``: one bin per engine tick — on a CPU a tick's encoder
cost grows with its bins, so a clerk's clause that joins a tick of other
lines' bins waits for all of them); ``no-cap`` (``stream.engine_at_once=256``:
every waiting request into the engine's next batch, as before the cap of one
request at a time on a CPU); ``no-fold`` (``stream.fold_kept=false``: with several
lines a citizen's ended utterance is a request of its own, not decoded on the clerk's next
request's encoder output; ``fold``: true, the default); ``once``
(``stream.hear_again=false``: the call's closed bins are not heard a second time,
:mod:`analyzer.stream.again`; also on the independent sets); ``no-peek``
(``stream.peek_suspects=false``: a clerk's clause the verifier nearly heard as a
forbidden phrase waits for its bin to close); ``peek-late`` (``stream.peek_after=0``:
such a clause's open bin is peeked at only once the next piece has ended, not already
when 1 s of speech follows it); ``peek-bin`` (``stream.peek=bin``: a peek decodes its whole
open bin, as a second hearing, where the default decodes only from the suspect clause's start,
as a first hearing); ``peek-align`` (``stream.peek=align``: a peek decodes nothing, the clause's
first-hearing words re-checked on the bin's encoder output); ``recheck``
(``stream.recheck_suspects=true``: such a clause also re-checked on the encoder output of the
line's next first hearings); ``no-hold``
(``stream.again_hold_lag=0``: closed bins' second hearings do not wait while a line lags);
``no-talk-hold`` (``stream.again_hold_talk=false``: nor while a clerk speaks on a line);
``first-w10`` / ``first-w15`` / ``first-w30`` (``stream.first_window_seconds``: the encoder
window a first hearing is heard in, its context cut to fit; 15, the default since session 12;
30: a full bin, the default before);
``feed100`` / ``feed0`` (``stream.feed_ms``: a listener line analysed in steps of at least
0.1 s of audio / at every frame as it arrives, the default);
``w10`` (``pack.min_window_seconds=10`` for the listener only; ``--set KEY=VALUE`` sets an
option for every configuration and for the file path they are compared with alike).

Independent sets (``--dialogues K``, ``--real``): ``K`` interactions of
``../shared/data/dialogues-dev`` whose labels quote a forbidden phrase,
spoken by the same voices as phone calls (measured only: phrase times are
not known there, so latency is measured to the finding's own end), and a
call whose clerk's side is real read speech from
``../shared/data/customer-service-speech`` (utterance latency; invented
findings); every call of an independent set is fed once, two at a time, to the
configurations ``default``, ``main``, ``once`` and ``first-w*`` named.

GPU: ``--device cuda`` runs the listener on the GPU (``asr.device=cuda``,
``float16``); ``--save-calls DIR`` writes the rendered calls (WAV + JSON) so
a machine without the natural voice can replay them with ``--calls-from DIR``
(``benchmarks/gpu_run.sh stream``).

``--audio-clock`` adds, in the same run, each call fed alone to a line in this
process on the audio clock, every second hearing and peek waited for after each
0.2 s chunk: phrase end -> finding in audio seconds with compute taken as
instant — what the policy's layout alone allows (the audio a finding needs),
whatever the load of a shared machine — with the findings found live and
invented, and the recognitions it asked.

``--budget-cores N`` (with ``--audio-clock``) also replays those calls, each
alone and all at once, on one engine of a simulated N-core budget
(:mod:`stream_budget`: each recognition charged its measured CPU cost over N
cores, served one at a time in the order each ``stream.first_order`` gives):
the scheduling policy judged without a quiet machine. The recording is kept
(``benchmarks/results/stream_budget_feeds.<set>.<config>.pkl``) to replay at
other budgets.

``--profile`` adds, in the same run, where a finding's time goes
(:mod:`stream_profile`: lines in this process fed in real time, each scripted
phrase's latency split along the trace of the recognition that told it —
waiting for the audio of the pause, the line behind, held behind other lines'
clerks, queued in the engine, encoder, decoder, alignment, verification) for
one call and for the most calls, and what one engine tick (a batch of 1, 2, 4
bins) costs.

Usage (the measurement of issue 27, about 10 minutes on a quiet 2-core machine;
the calls need the ``bench`` extra's natural voice, or ``--calls-from`` a folder
an earlier ``--save-calls`` wrote)::

    .venv/bin/python benchmarks/stream_latency.py --concurrency 1,2,4 --repeat 2 --profile
        [--configs default,main --baseline-src DIR] [--dialogues 8] [--real]
        [--device cpu] [--calls-from DIR | --save-calls DIR] [--out FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

OUT = ROOT / "benchmarks" / "results" / "stream_latency.json"
#: what ``--budget-cores`` replays, per configuration (to replay it again without feeding)
BUDGET_FEEDS = ROOT / "benchmarks" / "results" / "stream_budget_feeds"
SHARED = ROOT.parent / "shared" / "data"
CONFIGS: dict[str, dict[str, Any]] = {
    "default": {},
    "no-pause": {"stream.decode_at_pause": "false"},
    "every-pause": {"stream.pause_min_seconds": 0},
    "first-arrival": {"stream.first_order": "arrival"},
    "first-strict": {"stream.first_order": "strict"},
    "first-peeks": {"stream.first_order": "peeks"},
    "no-context": {"stream.context_seconds": 0},
    "no-periodic": {"stream.partial_interval": 0},
    "shared-bins": {"pack.share": "any"},
    "batch1": {"pack.batch_size": 1},
    "no-cap": {"stream.engine_at_once": 256},
    "fold": {"stream.fold_kept": "true"},
    "no-fold": {"stream.fold_kept": "false"},
    "once": {"stream.hear_again": "false"},
    "no-peek": {"stream.peek_suspects": "false"},
    "no-hold": {"stream.again_hold_lag": "0"},
    "no-talk-hold": {"stream.again_hold_talk": "false"},
    "peek-late": {"stream.peek_after": "0"},
    "recheck": {"stream.recheck_suspects": "true"},
    "peek-bin": {"stream.peek": "bin"},
    "peek-align": {"stream.peek": "align"},
    "w10": {"pack.min_window_seconds": 10},
    "first-w10": {"stream.first_window_seconds": 10},
    "first-w15": {"stream.first_window_seconds": 15},
    "first-w30": {"stream.first_window_seconds": 30},
    "feed0": {"stream.feed_ms": 0},
    "feed100": {"stream.feed_ms": 100},
    "main": {},
}


@dataclass
class Prepared:
    """A call ready to send: its name, audio file (8 kHz stereo WAV), phrases, batch findings."""

    name: str
    wav: Path
    phrases: list[dict[str, Any]]
    batch: list[dict[str, Any]]
    seconds: float


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` percentile (0-100), or None for no values."""
    return round(float(np.percentile(values, q)), 3) if values else None


# -- calls -----------------------------------------------------------------------


def render_calls(folder: Path, dialogues: int, real: bool) -> dict[str, list[Prepared]]:
    """The scripted calls (and the independent sets) as WAV + JSON in ``folder``."""
    import live_calls as lc

    out: dict[str, list[Prepared]] = {"scripted": []}
    for call in lc.calls():
        out["scripted"].append(_write(folder, call.name, call.samples, [
            {"rule": p.rule, "text": p.text, "start": p.start, "end": p.end}
            for p in call.phrases]))
    if dialogues:
        out["dialogues"] = [_write(folder, c.name, c.samples, [])
                            for c in _dialogue_calls(dialogues)]
    if real:
        out["real"] = [_write(folder, "real-cs", *_real_call()[:1], [])]
    return out


def _write(folder: Path, name: str, samples: np.ndarray, phrases: list[dict[str, Any]]
           ) -> Prepared:
    """The call as the listener keeps it (its mu-law round trip, 16-bit) and its sidecar."""
    import audio_factory as af
    import live_calls as lc

    from analyzer.stream.line import _TABLES

    codes = np.frombuffer(lc.mulaw_bytes(samples), np.uint8)
    pcm = _TABLES["mulaw"][codes].reshape(-1, samples.shape[0]).T.astype(np.float32) / 32768
    wav = af.write_wav(folder / f"{name}.wav", pcm, lc.LINE_RATE)
    (folder / f"{name}.json").write_text(json.dumps(
        {"id": name, "channel": "phone", "meta": {"phrases": phrases}}, ensure_ascii=False),
        encoding="utf-8")
    return Prepared(name, wav, phrases, [], pcm.shape[1] / lc.LINE_RATE)


def _dialogue_calls(count: int) -> list[Any]:
    """dialogues-dev interactions whose labels quote a forbidden phrase, as phone calls."""
    import live_calls as lc

    folder = SHARED / "dialogues-dev"
    records = [json.loads(x) for x in (folder / "interactions.jsonl").read_text(
        encoding="utf-8").splitlines() if x.strip()]
    labels = {x["id"]: x for x in json.loads((folder / "labels.json").read_text(
        encoding="utf-8"))}
    chosen = [r for r in records if r.get("utterances") and any(
        b.get("duty", "").startswith("forbidden phrase") for b in labels[r["id"]]["breaches"])]
    return [lc.dialogue_call(r, seed=k) for k, r in enumerate(chosen[:count])]


def _real_call() -> tuple[np.ndarray, list[str]]:
    """The clerk's side real read speech (customer-service-speech), 8 kHz phone line."""
    import audio_factory as af
    import live_calls as lc

    from analyzer.speech.decode import decode_audio

    folder = SHARED / "customer-service-speech"
    rows = [line.split("\t") for line in (folder / "manifest.tsv").read_text(
        encoding="utf-8").splitlines()[1:] if line.strip()]
    clips, t, texts = [], 1.0, []
    for row in rows[:8]:
        x = decode_audio(folder / row[0]).samples[0]
        clips.append((t, af.set_level(x.copy(), -20.0)))
        texts.append(row[-1])
        t += x.size / af.SR + 1.5
    staff = af.place(clips, t + 1.0)
    line = np.stack([af.resample(af.phone_line(staff), af.SR, lc.LINE_RATE),
                     np.zeros(int((t + 1.0) * lc.LINE_RATE), np.float32)])
    return np.clip(line, -1, 1), texts


def load_calls(folder: Path) -> dict[str, list[Prepared]]:
    """Calls saved by ``--save-calls`` (no natural voice needed)."""
    import wave

    out: dict[str, list[Prepared]] = {}
    for meta in sorted(folder.glob("*.json")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        wav = meta.with_suffix(".wav")
        with wave.open(str(wav), "rb") as w:
            seconds = w.getnframes() / w.getframerate()
        # the phrase times live under the sidecar's ``meta`` (sidecars refuse other keys)
        phrases = data.get("meta", {}).get("phrases") or data.get("phrases", [])
        kind = "scripted" if phrases else ("real" if data["id"].startswith("real")
                                           else "dialogues")
        out.setdefault(kind, []).append(Prepared(data["id"], wav, phrases, [], seconds))
    return out


def batch_findings(calls: list[Prepared], overrides: dict[str, Any]) -> None:
    """The file path's forbidden findings of each call (``conduct analyze`` of its WAV)."""
    import analyzer
    from analyzer.cli.analyze import build_options

    options = build_options((), tuple(f"{k}={v}" for k, v in overrides.items()))
    for call in calls:
        report = analyzer.analyze(str(call.wav), options)
        call.batch = [{"rule": f.rule, "start": f.start, "end": f.end}
                      for f in report.findings if f.kind == "forbidden"]


# -- the listener and the lines ------------------------------------------------


class Listener:
    """``conduct stream --listen`` in its own process (this tree, or ``src``'s)."""

    def __init__(self, overrides: dict[str, Any], src: Path | None = None) -> None:
        cwd = src or ROOT
        cmd = [sys.executable, "-m", "analyzer", "stream", "--listen", "127.0.0.1:0"]
        if src is None:  # an older tree serves its monitor on the lines' port
            cmd += ["--monitor", "127.0.0.1:0"]
        cmd += [x for k, v in overrides.items() for x in ("--set", f"{k}={v}")]
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(cwd)}
        self.proc = subprocess.Popen(cmd, cwd=cwd, env=env, stderr=subprocess.PIPE, text=True)
        self.url = ""
        for line in self.proc.stderr:  # type: ignore[union-attr]
            found = re.search(r"listening (?:for lines )?on (ws://\S+)", line)
            if found:
                self.url = found.group(1)
                break
        if not self.url:
            raise RuntimeError("the listener did not start")
        threading.Thread(target=self.proc.stderr.read, daemon=True).start()  # type: ignore

    def cpu_seconds(self) -> float:
        """CPU seconds the listener has used (user + system, all its threads)."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(120)
        except subprocess.TimeoutExpired:
            self.proc.kill()


async def feed(url: str, calls: list[Prepared], tag: str) -> list[Any]:
    """The calls sent at once, in real time; what each line got back."""
    from analyzer.stream.client import header_for, open_source, send_line

    async def one(k: int, call: Prepared) -> Any:
        source = open_source(str(call.wav), rate=8000, chunk_ms=20)
        header = header_for(source, call_id=f"{tag}-{k}-{call.name}", encoding="mulaw")
        return await send_line(url, header, source, pace="realtime")

    return list(await asyncio.gather(*(one(k, c) for k, c in enumerate(calls))))


def measure(call: Prepared, sent: Any) -> dict[str, Any]:
    """One line's figures (see the module docstring)."""
    stamps = [t - sent.started for t in sent.arrived]
    report_at = next((s for e, s in zip(sent.events, stamps, strict=True)
                      if e["type"] == "report"), float("inf"))
    live = [(e, s) for e, s in zip(sent.events, stamps, strict=True)
            if e["type"] == "finding" and e.get("kind") == "forbidden" and s < report_at]

    def near(a0: float, a1: float, b0: float | None, b1: float | None, slack: float) -> bool:
        return b0 is not None and min(a1, b1 if b1 is not None else b0) - max(a0, b0) > -slack

    phrase, by_again = [], []
    for p in call.phrases:
        got = sorted((s, bool(e.get("again"))) for e, s in live if e["rule"] == p["rule"]
                     and near(p["start"], p["end"], e["start"], e["end"], 1.5))
        phrase.append(round(got[0][0] - p["end"], 3) if got else None)
        by_again.append(got[0][1] if got else None)  # told first by the second hearing
    own_end = [round(s - (e["end"] or 0.0), 3) for e, s in live]
    found = sum(any(e["rule"] == b["rule"] and near(b["start"], b["end"] or b["start"],
                                                     e["start"], e["end"], 1.0)
                    for e, _ in live) for b in call.batch)
    # told before the call's audio had all been sent (not at its end: the last bin's second
    # hearing, the end-of-call findings)
    during = sum(any(e["rule"] == b["rule"] and near(b["start"], b["end"] or b["start"],
                                                      e["start"], e["end"], 1.0)
                     for e, s in live if s <= call.seconds) for b in call.batch)
    filed = [any(e["rule"] == b["rule"] and near(b["start"], b["end"] or b["start"],
                                                  e["start"], e["end"], 1.0)
                 for b in call.batch) for e, _ in live]
    said = [any(e["rule"] == p["rule"] and near(p["start"], p["end"], e["start"], e["end"], 1.5)
                for p in call.phrases) for e, _ in live]
    invented = sum(not f and not s for f, s in zip(filed, said, strict=True))
    file_missed = sum(not f and s for f, s in zip(filed, said, strict=True))
    utterance = [round(s - e["end"], 3) for e, s in zip(sent.events, stamps, strict=True)
                 if e["type"] == "utterance"]
    # the live transcript healing: each revision (a second hearing that changed a piece's
    # words), from its piece's end to its arrival, those told before the report
    revised = [(round(s - e["end"], 3), s <= call.seconds)
               for e, s in zip(sent.events, stamps, strict=True)
               if e["type"] == "revision" and s < report_at]
    return {"call": call.name, "phrase": phrase, "phrase_again": by_again,
            "finding_after_own_end": own_end,
            "utterance": utterance, "revision": [r for r, _ in revised],
            "revised_during": sum(d for _, d in revised),
            "batch": len(call.batch), "found": found,
            "found_during": during,
            "invented": invented, "file_missed": file_missed, "live_rules": sorted(e["rule"] for e, _ in live),
            "batch_rules": sorted(b["rule"] for b in call.batch),
            "errors": [e.get("message") for e in sent.events if e["type"] == "error"]}


def fed_on_audio_clock(call: Prepared, options: Any, lines: int = 1
                       ) -> tuple[Any, float, dict[str, int]]:
    """``call`` (its mu-law frames decoded as the listener decodes them) fed to a line in this
    process on the audio clock, 0.2 s at a time, every second hearing and peek waited for
    after each chunk: each event stamped with the audio second it was told at (compute taken
    as instant), the line's CPU seconds, and its recognitions asked by kind."""
    from types import SimpleNamespace

    import audio_factory as af
    import live_calls
    import stream_budget

    from analyzer.stream import StreamAnalyzer
    from analyzer.stream.line import _TABLES

    x, rate = af.read_wav(call.wav)
    codes = np.frombuffer(live_calls.mulaw_bytes(x), np.uint8)  # as a PBX sends it
    pcm = _TABLES["mulaw"][codes].reshape(-1, 2).T.astype(np.float32) / 32768
    line = StreamAnalyzer(options, rate, 2, channel="phone", interaction_id=call.name)
    scheduler, opened = line.recognizer(), lines if lines > 1 else 0
    for _ in range(opened):  # lines on the listener: the policy of several lines
        scheduler.open_line()
    events: list[dict[str, Any]] = []
    stamps: list[float] = []
    feeds: list[stream_budget.Feed] = []  # what each chunk asked (--budget-cores)
    traces = line.online.traces
    seen = 0
    step, cpu0 = rate // 5, time.process_time()
    say = getattr(scheduler, "talking", None)
    for i in range(0, pcm.shape[1], step):
        got = list(line.feed(pcm[:, i: i + step]))
        talking = any(t.seg.start is not None for k, t in enumerate(line._live)  # noqa: SLF001
                      if line._early_track(k))  # noqa: SLF001
        if say is not None:  # compute is instant: no clerk's clause comes meanwhile
            say(line, False)
        for _, pending in [*line._again, *line._peeks]:  # noqa: SLF001 (instant compute)
            pending.result()
        got += list(line.feed(np.zeros((2, 0), np.float32)))
        if say is not None:
            say(line, False)
        events += [e.to_dict() for e in got]
        stamps += [min(i + step, pcm.shape[1]) / rate] * len(got)
        stream_budget.record(feeds, 0, stamps[-1] if got else min(i + step, pcm.shape[1]) / rate,
                             list(traces)[seen:], events[len(events) - len(got):],
                             talking=talking)
        seen = len(traces)
    end = [e.to_dict() for e in line.close()]
    for _ in range(opened):
        scheduler.close_line()
    stream_budget.record(feeds, 0, call.seconds, list(traces)[seen:], end, final=True)
    events += end
    stamps += [call.seconds + 0.001 * (k + 1) for k in range(len(end))]  # in order
    counts: dict[str, Any] = dict(line.online.counts)
    counts["stages"] = stages_by_kind(line.online.traces)
    engine = sum(v for t in traces for v in t.stages.values())
    return SimpleNamespace(started=0.0, events=events, arrived=stamps, feeds=feeds,
                           engine_seconds=engine), time.process_time() - cpu0, counts


def stages_by_kind(traces: Any) -> dict[str, dict[str, float]]:
    """Requests and engine seconds per stage of a line's recognitions, by kind and speaker
    (``pause/staff``, ``end/citizen``, ``again/staff``...: where its CPU goes)."""
    out: dict[str, dict[str, float]] = {}
    for t in traces:
        row = out.setdefault(f"{t.kind}/{t.speaker}", {"n": 0})
        row["n"] += 1
        for stage, seconds in t.stages.items():
            row[stage] = round(row.get(stage, 0.0) + seconds, 3)
    return out


def run_audio_clock(names: list[str], calls: list[Prepared], overrides: dict[str, Any],
                    lines: int = 1, cores: float = 0.0, kind: str = "scripted") -> dict[str, Any]:
    """Every call fed once per configuration on the audio clock (:func:`fed_on_audio_clock`):
    where the policy alone lets a finding come (the audio it needs, no queue, no load); with
    ``cores``, also the calls replayed on a simulated budget of that many cores
    (:func:`budget_rows`)."""
    from analyzer.cli.analyze import build_options

    table: dict[str, Any] = {}
    for name in [n for n in names if n != "main"]:
        options = build_options((), tuple(f"{k}={v}" for k, v in
                                          {**CONFIGS[name], **overrides}.items()))
        rows, cpu, kinds = [], 0.0, {"again": 0, "peek": 0}
        stages: dict[str, dict[str, float]] = {}
        sents = []
        for call in calls:
            sent, seconds, counts = fed_on_audio_clock(call, options, lines)
            sents.append(sent)
            rows.append(measure(call, sent))
            cpu += seconds
            kinds = {k: kinds[k] + counts.get(k, 0) for k in kinds}
            for key, row in counts.pop("stages", {}).items():
                mine = stages.setdefault(key, {})
                for stage, value in row.items():
                    mine[stage] = round(mine.get(stage, 0.0) + value, 3)
            print(f"  audio clock {name:10s} {call.name}: phrase {rows[-1]['phrase']} "
                  f"again {rows[-1]['phrase_again']}, found {rows[-1]['found']}/"
                  f"{rows[-1]['batch']}, invented {rows[-1]['invented']}, {counts}",
                  flush=True)
        phrase = [v for x in rows for v in x["phrase"] if v is not None]
        table[name] = {"phrases": sum(len(x["phrase"]) for x in rows),
                       "found": len(phrase), "p50": percentile(phrase, 50),
                       "p95": percentile(phrase, 95), "max": max(phrase, default=None),
                       "batch": sum(x["batch"] for x in rows),
                       "found_live": sum(x["found"] for x in rows),
                       "found_during": sum(x["found_during"] for x in rows),
                       "invented": sum(x["invented"] for x in rows), **kinds,
                       "revisions": sum(len(x["revision"]) for x in rows),
                       "revision_p50": percentile([v for x in rows for v in x["revision"]], 50),
                       "revision_p95": percentile([v for x in rows for v in x["revision"]], 95),
                       "stages": stages,
                       "cpu_per_audio_second": round(cpu / sum(c.seconds for c in calls), 3),
                       "lines": rows}
        if cores:
            import pickle

            engine = sum(x.engine_seconds for x in sents)
            BUDGET_FEEDS.parent.mkdir(parents=True, exist_ok=True)
            with open(BUDGET_FEEDS.with_suffix(f".{kind}.{name}.pkl"), "wb") as f:
                pickle.dump({"calls": calls, "sents": sents, "cpu": cpu}, f)
            table[name]["cpu_per_engine_second"] = round(cpu / engine, 3) if engine else None
            table[name]["budget"] = budget_rows(calls, sents, options,
                                                cpu / engine / cores if engine else 0.0)
            for row in table[name]["budget"]:
                print(f"  budget {cores} cores {name:10s} {row['order']:8s} x{row['calls']}: "
                      f"phrase {row['p50']}/{row['p95']}, first hearings {row['first_p50']}/"
                      f"{row['first_p95']}, again {row['again_p50']}/{row['again_p95']}, "
                      f"found {row['found_live']}/{row['batch']} ({row['found_during']}), "
                      f"invented {row['invented']}, revisions {row['revisions']} "
                      f"({row['revised_during']}) {row['revision_p50']}/{row['revision_p95']}, "
                      f"busy {row['busy']}", flush=True)
    return {"configs": table, "load": round(os.getloadavg()[0], 2), "calls_on_line": lines,
            "budget_cores": cores}


def budget_rows(calls: list[Prepared], sents: list[Any], options: Any, charge: float
                ) -> list[dict[str, Any]]:
    """The audio clock's calls replayed on the simulated budget
    (:func:`stream_budget.simulate`, ``charge`` budget seconds per engine second): each call
    alone, and all of them at once, under each order of first hearings
    (``stream.first_order``) — the policy judged without a quiet machine."""
    from types import SimpleNamespace

    import stream_budget

    from analyzer.stream.scheduler import FIRST_ORDERS

    out = []
    for order in FIRST_ORDERS:
        for group in ([[k] for k in range(len(calls))], [list(range(len(calls)))]):
            rows, busy = [], 0.0
            for ks in group:
                told = stream_budget.simulate(
                    [sents[k].feeds for k in ks], charge, order,
                    peek_first=options.stream.peek != "bin",
                    first=options.stream.partial_speakers,
                    hold_talk=options.stream.again_hold_talk)
                busy += charge * sum(sents[k].engine_seconds for k in ks) / max(
                    calls[k].seconds for k in ks)
                for k, line in zip(ks, told, strict=True):
                    rows.append(measure(calls[k], SimpleNamespace(
                        started=0.0, events=[e for e, _ in line], arrived=[t for _, t in line])))
            phrase = [v for x in rows for v in x["phrase"] if v is not None]
            first = [v for x in rows for v, a in zip(x["phrase"], x["phrase_again"], strict=True)
                     if v is not None and not a]
            again = [v for x in rows for v, a in zip(x["phrase"], x["phrase_again"], strict=True)
                     if v is not None and a]
            utterance = [v for x in rows for v in x["utterance"]]
            own = [v for x in rows for v in x["finding_after_own_end"]]
            out.append({"order": order, "calls": len(group[0]),
                        "phrases": sum(len(x["phrase"]) for x in rows), "found": len(phrase),
                        "p50": percentile(phrase, 50), "p95": percentile(phrase, 95),
                        "first_p50": percentile(first, 50), "first_p95": percentile(first, 95),
                        "again_p50": percentile(again, 50), "again_p95": percentile(again, 95),
                        "again_n": len(again), "utterance_p50": percentile(utterance, 50),
                        "utterance_p95": percentile(utterance, 95),
                        "own_end_p50": percentile(own, 50), "own_end_p95": percentile(own, 95),
                        "batch": sum(x["batch"] for x in rows),
                        "found_live": sum(x["found"] for x in rows),
                        "found_during": sum(x["found_during"] for x in rows),
                        "invented": sum(x["invented"] for x in rows),
                        "revisions": sum(len(x["revision"]) for x in rows),
                        "revised_during": sum(x["revised_during"] for x in rows),
                        "revision_p50": percentile([v for x in rows for v in x["revision"]], 50),
                        "revision_p95": percentile([v for x in rows for v in x["revision"]], 95),
                        "busy": round(busy / len(group), 3)})
    return out


def audio_clock_text(data: dict[str, Any], kind: str) -> str:
    """The audio-clock table (Markdown)."""
    out = [f"\n{kind} calls on the audio clock (each fed alone in this process, every second "
           "hearing waited for after each 0.2 s chunk: compute taken as instant; phrase end -> "
           f"finding in audio seconds; load {data['load']} at the end):\n",
           "| config | phrase end -> finding p50 / p95 / max s (found) | file path's findings "
           "found live (before the call ended) | invented | closed bins heard again | "
           "revisions: piece end -> revision p50 / p95 s | peeks "
           "| CPU s per call-s |", "|---|---|---|---|---|---|---|---|"]
    for name, t in data["configs"].items():
        out.append(f"| {name} | {t['p50']} / {t['p95']} / {t['max']} ({t['found']}/"
                   f"{t['phrases']}) | {t['found_live']}/{t['batch']} ({t['found_during']}) | "
                   f"{t['invented']} | {t['again']} | {t.get('revisions')}: "
                   f"{t.get('revision_p50')} / {t.get('revision_p95')} | {t['peek']} | "
                   f"{t['cpu_per_audio_second']} |")
    cores = data.get("budget_cores")
    if cores:
        out += [f"\nThe same calls replayed on a simulated budget of {cores} cores (one engine, "
                "one request at a time, each charged its measured CPU seconds / cores: "
                "benchmarks/stream_budget.py; phrase end -> finding in budget seconds; busy: "
                "the budget's share the engine used):\n",
                "| config | first order | calls | phrase end -> finding p50 / p95 (found) | "
                "first hearings p50 / p95 | told by a second hearing or peek p50 / p95 (n) | "
                "utterance end -> event p50 / p95 | file findings live (before the end) | "
                "invented | revisions (during the call): piece end -> revision p50 / p95 | "
                "busy |", "|---|---|---|---|---|---|---|---|---|---|---|"]
        for name, t in data["configs"].items():
            for b in t.get("budget", []):
                out.append(f"| {name} | {b['order']} | {b['calls']} | {b['p50']} / {b['p95']} "
                           f"({b['found']}/{b['phrases']}) | {b['first_p50']} / "
                           f"{b['first_p95']} | {b['again_p50']} / {b['again_p95']} "
                           f"({b['again_n']}) | {b['utterance_p50']} / {b['utterance_p95']} | "
                           f"{b['found_live']}/{b['batch']} ({b['found_during']}) | "
                           f"{b['invented']} | {b.get('revisions')} ({b.get('revised_during')}): "
                           f"{b.get('revision_p50')} / {b.get('revision_p95')} | {b['busy']} |")
    out += ["\nWhere the engine's time went (requests; seconds of encoder / decoder / "
            "alignment / verification, summed over the calls):\n",
            "| config | kind | requests | encoder | decoder | align | verify |",
            "|---|---|---|---|---|---|---|"]
    for name, t in data["configs"].items():
        for key, row in sorted(t.get("stages", {}).items()):
            out.append(f"| {name} | {key} | {int(row['n'])} | "
                       + " | ".join(f"{row.get(s, 0.0):.1f}"
                                    for s in ("encoder", "decoder", "align", "verify")) + " |")
    return "\n".join(out) + "\n"


def run_configs(names: list[str], calls: list[Prepared], counts: list[int], repeat: int,
                overrides: dict[str, Any], src: Path | None) -> list[dict[str, Any]]:
    """Every concurrency and repeat of the configurations, interleaved: one warm listener
    each, all started first, then each run of the same calls goes to every configuration in
    turn (the order rotating), so a baseline and the code it is compared with meet the
    same load on a shared machine."""
    listeners: dict[str, Listener] = {}
    rows = []
    try:
        for name in names:
            listeners[name] = Listener({**CONFIGS[name], **overrides},
                                       src if name == "main" else None)
        for n in counts:
            for r in range(repeat):
                chosen = [calls[(r * n + k) % len(calls)] for k in range(n)]  # each in turn
                turn = r % len(names)
                for name in names[turn:] + names[:turn]:
                    rows.append(_run(name, listeners[name], chosen, n, r))
                    print(_line_summary(rows[-1]), flush=True)
                _mark_first(rows[-len(names):])
    finally:
        for listener in listeners.values():
            listener.close()
    return rows


def _run(name: str, listener: Listener, chosen: list[Prepared], n: int, r: int
         ) -> dict[str, Any]:
    """One run: the chosen calls sent at once to one listener, measured."""
    load0, cpu0 = os.getloadavg()[0], listener.cpu_seconds()
    t0 = time.monotonic()
    got = asyncio.run(feed(listener.url, chosen, f"{name}-{n}-{r}"))
    audio = sum(c.seconds for c in chosen)
    return {"config": name, "calls": n, "repeat": r, "wall": round(time.monotonic() - t0, 1),
            "audio_seconds": round(audio, 1),
            "cpu_per_audio_second": round((listener.cpu_seconds() - cpu0) / audio, 3),
            "load_before": round(load0, 2), "load_after": round(os.getloadavg()[0], 2),
            "lines": [measure(c, s) for c, s in zip(chosen, got, strict=True)]}


def _mark_first(round_rows: list[dict[str, Any]]) -> None:
    """Mark the first-hearing phrases of one run's rows (every configuration, the same
    calls): those the first hearing alone (``once``) found live in that run; without
    ``once`` in the run, those a configuration's own second hearing did not tell first."""
    once = next((r for r in round_rows if r["config"] == "once"), None)
    for row in round_rows:
        for k, line in enumerate(row["lines"]):
            if once is not None:
                line["phrase_first"] = [v is not None for v in once["lines"][k]["phrase"]]
            else:
                line["phrase_first"] = [not a for a in line.get("phrase_again",
                                                                 [False] * len(line["phrase"]))]


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Pooled figures of rows of one configuration and concurrency."""
    lines = [x for r in rows for x in r["lines"]]
    phrase = [v for x in lines for v in x["phrase"] if v is not None]
    asked = sum(len(x["phrase"]) for x in lines)
    first = [v for x in lines for v, f in zip(x["phrase"], x.get("phrase_first", []),
                                              strict=False) if f and v is not None]
    again = [v for x in lines for v, a in zip(x["phrase"], x.get("phrase_again", []),
                                              strict=False) if a and v is not None]
    return {
        "runs": len(rows), "phrases": asked, "phrases_found_live": len(phrase),
        "phrase_p50": percentile(phrase, 50), "phrase_p95": percentile(phrase, 95),
        # the phrases the first hearing alone finds (``once`` in the same run), and those this
        # configuration's second hearing told first (the first hearing had missed them)
        "first_phrases": sum(sum(bool(f) for f in x.get("phrase_first", [])) for x in lines),
        "first_found": len(first),
        "first_p50": percentile(first, 50), "first_p95": percentile(first, 95),
        "again_found": len(again), "again_p50": percentile(again, 50),
        "again_p95": percentile(again, 95),
        "per_run_phrase_p95": [percentile([v for x in r["lines"] for v in x["phrase"]
                                           if v is not None], 95) for r in rows],
        "own_end_p50": percentile([v for x in lines for v in x["finding_after_own_end"]], 50),
        "own_end_p95": percentile([v for x in lines for v in x["finding_after_own_end"]], 95),
        "utterance_p50": percentile([v for x in lines for v in x["utterance"]], 50),
        "utterance_p95": percentile([v for x in lines for v in x["utterance"]], 95),
        "revisions": sum(len(x.get("revision", [])) for x in lines),
        "revised_during": sum(x.get("revised_during", 0) for x in lines),
        "revision_p50": percentile([v for x in lines for v in x.get("revision", [])], 50),
        "revision_p95": percentile([v for x in lines for v in x.get("revision", [])], 95),
        "batch_findings": sum(x["batch"] for x in lines),
        "found_live": sum(x["found"] for x in lines),
        "found_during": sum(x.get("found_during", x["found"]) for x in lines),
        "per_run_found": [f"{sum(x['found'] for x in r['lines'])}/"
                          f"{sum(x['batch'] for x in r['lines'])}" for r in rows],
        "invented": sum(x["invented"] for x in lines),
        "file_missed": sum(x.get("file_missed", 0) for x in lines),
        "load": [r["load_before"] for r in rows] + [rows[-1]["load_after"]],
        # the listener's CPU seconds per second of call audio: what the call costs whatever the
        # load (two idle cores carry about 2 / this many calls in real time)
        "cpu_per_audio_second": round(float(np.mean([r["cpu_per_audio_second"]
                                                      for r in rows])), 3),
    }


def _line_summary(row: dict[str, Any]) -> str:
    s = summarise([row])
    return (f"  {row['config']:<11} N={row['calls']} run {row['repeat']}: phrase p50/p95 "
            f"{s['phrase_p50']}/{s['phrase_p95']} ({s['phrases_found_live']}/{s['phrases']}; "
            f"{s['again_found']} told by the second hearing, p50/p95 "
            f"{s['again_p50']}/{s['again_p95']}), "
            f"utterance p50/p95 {s['utterance_p50']}/{s['utterance_p95']}, revisions "
            f"{s['revisions']} ({s['revised_during']} during the call) piece end -> revision "
            f"p50/p95 {s['revision_p50']}/{s['revision_p95']}, batch found live "
            f"{s['found_live']}/{s['batch_findings']} ({s['found_during']} before the "
            f"call ended), invented {s['invented']} (+"
            f"{s['file_missed']} said, the file path missed), CPU s per "
            f"call-second {s['cpu_per_audio_second']}, load {row['load_before']}->"
            f"{row['load_after']}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", default="1,2,4")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--configs", default="default")
    parser.add_argument("--baseline-src", type=Path, default=None,
                        help="source tree of the 'main' configuration's listener")
    parser.add_argument("--dialogues", type=int, default=0,
                        help="dialogues-dev calls to measure (independent set)")
    parser.add_argument("--real", action="store_true",
                        help="a call of real read speech (customer-service-speech)")
    parser.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    parser.add_argument("--calls-from", type=Path, default=None)
    parser.add_argument("--save-calls", type=Path, default=None)
    parser.add_argument("--profile", action="store_true",
                        help="also split each finding's latency along its recognition's trace "
                             "(in-process lines) and time one engine tick of 1, 2, 4 bins")
    parser.add_argument("--schedule", type=float, default=0.0, metavar="BIN_SECONDS",
                        help="also feed the most calls to lines over an engine costing "
                             "BIN_SECONDS per bin, sleeping (the schedule alone, whatever the "
                             "load), one request at a time and uncapped")
    parser.add_argument("--audio-clock", action="store_true",
                        help="also feed every call to in-process lines on the audio clock, "
                             "every second hearing waited for (compute taken as instant): "
                             "what the policy alone allows, whatever the load")
    parser.add_argument("--audio-clock-lines", type=int, default=1, metavar="N",
                        help="with --audio-clock: the listener's scheduler counts N lines (the "
                             "policy of N calls at once: no periodic decoding past "
                             "stream.partial_lines, kept-back citizens folded with "
                             "stream.fold_kept), each call still fed alone")
    parser.add_argument("--budget-cores", type=float, default=0.0, metavar="N",
                        help="with --audio-clock: also replay its calls, each alone and all "
                             "at once, on one engine of a simulated N-core budget (each "
                             "request charged its measured CPU cost / N; stream_budget.py), "
                             "under each stream.first_order")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="an analyzer option for every configuration and the file path "
                             "they are compared with (e.g. pack.min_window_seconds=10)")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--render", type=Path, default=None,
                        help="only print (and write the page of) a results file of an earlier run")
    args = parser.parse_args()
    if args.render is not None:
        print_table(json.loads(args.render.read_text(encoding="utf-8")))
        return
    counts = [int(x) for x in args.concurrency.split(",") if x.strip()]
    device = ({"asr.device": "cuda", "asr.compute_type": "float16"}
              if args.device == "cuda" else {})
    for kv in args.set:  # for the listeners, the audio clock and the file path alike
        key, _, value = kv.partition("=")
        device[key] = value
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.save_calls or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        sets = (load_calls(args.calls_from) if args.calls_from
                else render_calls(folder, args.dialogues, args.real))
        for kind, calls in sets.items():
            if any(c for c in args.configs.split(",")):  # the listener runs compare with it
                batch_findings(calls, device)
            print(f"{kind}: " + ", ".join(f"{c.name} {c.seconds:.0f} s batch "
                                         f"{[b['rule'] for b in c.batch]}" for c in calls))
        result: dict[str, Any] = {
            "command": " ".join(["benchmarks/stream_latency.py", *sys.argv[1:]]),
            "machine": f"{os.cpu_count()} CPU cores" + (", GPU" if device else ""),
            "device": args.device, "concurrency": counts, "repeat": args.repeat, "sets": {}}
        for kind, calls in sets.items():
            if not counts:
                break  # only the calls were wanted (--save-calls)
            named = [c for c in args.configs.split(",") if c]  # none: the profile only
            configs = named if kind == "scripted" else [
                c for c in named if c in ("default", "main", "once") or c.startswith("first-w")]
            if not configs:
                continue
            kind_counts = counts if kind == "scripted" else [min(2, len(calls))]
            # an independent set: every call of it fed once, two at a time
            repeat = args.repeat if kind == "scripted" else -(-len(calls) // kind_counts[0])
            rows = run_configs(configs, calls, kind_counts, repeat, device, args.baseline_src)
            table = {f"{c} x{n}": summarise([r for r in rows if r["config"] == c
                                             and r["calls"] == n])
                     for c in configs for n in kind_counts}
            result["sets"][kind] = {"table": table, "runs": rows}
        if args.audio_clock:
            result["audio_clock"] = {}
            for kind, calls in sets.items():
                named = [c for c in args.configs.split(",") if c]
                result["audio_clock"][kind] = run_audio_clock(named, calls, device,
                                                              args.audio_clock_lines,
                                                              args.budget_cores, kind)
        if args.profile and counts:
            result["profile"] = run_profile(sets["scripted"], counts, device)
        if args.schedule and counts:
            import stream_profile

            from analyzer.cli.analyze import build_options

            result["schedule"] = stream_profile.schedule(
                sets["scripted"], max(counts), args.schedule,
                build_options((), tuple(f"{k}={v}" for k, v in device.items())))
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")


def run_profile(calls: list[Prepared], counts: list[int], overrides: dict[str, Any]
                ) -> dict[str, Any]:
    """The latency split of ``--profile`` (:mod:`stream_profile`), one call and the most
    calls at once, and the tick costs."""
    import stream_profile

    from analyzer.cli.analyze import build_options

    options = build_options((), tuple(f"{k}={v}" for k, v in overrides.items()))
    ticks = stream_profile.tick_cost(calls[0], [1, 2, 4], 3, options)
    prof = stream_profile.profile(calls, sorted({1, max(counts)}), options)
    return {"ticks": ticks, "lines": prof}


def tables(result: dict[str, Any]) -> str:
    """The markdown tables of every set."""
    out = [f"machine: {result['machine']}, device {result.get('device', 'cpu')}; command: "
           f"`{result.get('command', 'benchmarks/stream_latency.py')}`"]
    for kind, data in result["sets"].items():
        out += [f"\n{kind}:\n", "| config x calls | phrase end -> finding p50 / p95 (found) | "
                "first-hearing phrases p50 / p95 (found) | told by the second hearing "
                "p50 / p95 (n) | "
                "finding after its own end p50 / p95 | utterance end -> event p50 / p95 | "
                "revisions (during the call): piece end -> revision p50 / p95 | "
                "batch findings found live (before the call ended) | "
                "invented (+ said, the file path missed) | "
                "listener CPU s per call-second | load 1-min |",
                "|---|---|---|---|---|---|---|---|---|---|---|"]
        for key, s in data["table"].items():
            out.append(f"| {key} | {s['phrase_p50']} / {s['phrase_p95']} "
                       f"({s['phrases_found_live']}/{s['phrases']}) | "
                       f"{s.get('first_p50')} / {s.get('first_p95')} "
                       f"({s.get('first_found', '')}/{s.get('first_phrases', '')}) | "
                       f"{s.get('again_p50')} / {s.get('again_p95')} "
                       f"({s.get('again_found', '')}) | {s['own_end_p50']} / "
                       f"{s['own_end_p95']} | {s['utterance_p50']} / {s['utterance_p95']} | "
                       f"{s.get('revisions')} ({s.get('revised_during')}): "
                       f"{s.get('revision_p50')} / {s.get('revision_p95')} | "
                       f"{s['found_live']}/{s['batch_findings']} "
                       f"({s.get('found_during', s['found_live'])}) | {s['invented']} "
                       f"(+{s.get('file_missed', 0)}) | "
                       f"{s.get('cpu_per_audio_second', '')} | "
                       f"{', '.join(str(x) for x in s['load'])} |")
    if "profile" in result:
        import stream_profile

        out.append(stream_profile.profile_text(result["profile"]["lines"],
                                               result["profile"]["ticks"]))
    if "schedule" in result:
        import stream_profile

        out.append(stream_profile.schedule_text(result["schedule"]))
    for kind, data in result.get("audio_clock", {}).items():
        out.append(audio_clock_text(data, kind))
    return "\n".join(out) + "\n"


def print_table(result: dict[str, Any]) -> None:
    """Print the tables (:func:`page.run_with_page` copies them into the docs page)."""
    print("\n" + tables(result))


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("stream_latency", "Live latency", main))
