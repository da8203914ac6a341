"""Live latency, real-time factor and concurrent-call capacity of ``conduct stream``.

A generated stereo phone call (ringback, then staff and citizen turns spoken
by espeak-ng, optionally over a telephone line; five of the staff turns say
a forbidden phrase) is streamed in 100 ms chunks through
:class:`analyzer.stream.StreamAnalyzer`, side by side in two modes:

* ``incremental``: the shipped setting, growing staff speech decoded again
  every ``stream.partial_interval`` s and LocalAgreement-committed words
  matched at once;
* ``whole``: ``stream.partial_interval=0``, each utterance recognised only
  once it has ended (what the stream did before, the peer a user would pick).

Time is kept on the call's own clock: chunk ``k`` arrives when its last
sample would have been spoken, its processing starts when it has arrived and
the previous chunk is done, and every event's ``emitted_at`` is read from
that clock when the event comes out. This is what a live line sees on this
machine, without sleeping through the call. ``--realtime`` instead replays
the call with ``conduct stream --realtime`` (the wall clock of the replay, in
a subprocess) and reports the same figures from its ``emitted_at``.

Measured (p50 / p95):

* forbidden phrase end (the finding's ``end``) -> its live ``finding`` event
  (those found only by the end-of-call report are counted apart; a live one
  is ``provisional`` when it came from committed words of a growing utterance);
* utterance end -> its ``utterance`` event (includes the VAD's wait for
  ``asr.vad.min_silence_ms`` of silence, and recognition);
* ring start -> ring event (a ring is counted once its tone has lasted
  ``rings.confirm_seconds``);
* real-time factor of one call (processing / audio seconds);
* capacity: ``N`` calls streamed at once from ``N`` threads through the one
  engine, as fast as they go; they keep up while their wall time is under
  the call's duration (real-time factor of the group < 1).

Usage::

    .venv/bin/python benchmarks/stream_latency.py [--repeat 1] [--line] [--realtime]
        [--capacity 1,2,4] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import audio_factory as af  # noqa: E402

from analyzer.options import AnalyzerOptions  # noqa: E402
from analyzer.stream import StreamAnalyzer  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "stream_latency.json"
CHUNK_SECONDS = 0.1
SCRIPT = (
    *af.PHONE_SCRIPT[:2],
    ("staff", "我不知道，你去问别人"),
    ("citizen", "我上次来的时候材料不全，还要带什么？"),
    ("staff", "下班了，明天再来"),
    ("citizen", "你们的服务态度太差了"),
    ("staff", "你去投诉好了"),
    ("citizen", "我刚才问的是营业执照"),
    ("staff", "你的记性真差"),
    ("citizen", "好的，谢谢你"),
    ("staff", "没看我正忙着吗"),
    af.PHONE_SCRIPT[-1],
)
MODES = {"incremental": {}, "whole": {"stream.partial_interval": 0.0}}


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` percentile (0-100), or None for no values."""
    return round(float(np.percentile(values, q)), 3) if values else None


class CallClock:
    """The call's own clock: chunk arrival, plus the processing time spent since."""

    def __init__(self) -> None:
        self.base = 0.0
        self._t0 = time.perf_counter()

    def start(self, arrive: float) -> None:
        """A chunk that arrives at ``arrive`` is taken when the previous one is done."""
        self.base = max(self(), arrive)
        self._t0 = time.perf_counter()

    def __call__(self) -> float:
        return self.base + time.perf_counter() - self._t0


def stream_call(call: np.ndarray, options: AnalyzerOptions, name: str = "bench"
                ) -> tuple[list[dict[str, Any]], float]:
    """Stream ``call`` on its own clock; its events (``emitted_at`` on that clock) and
    the processing seconds."""
    clock = CallClock()
    analyzer = StreamAnalyzer(options, af.SR, 2, interaction_id=name, clock=clock)
    analyzer.warm()
    step = int(CHUNK_SECONDS * af.SR)
    events: list[dict[str, Any]] = []
    clock.start(0.0)
    for i in range(0, call.shape[1], step):
        clock.start(min(i + step, call.shape[1]) / af.SR)
        events += [e.to_dict() for e in analyzer.feed(call[:, i: i + step])]
    clock.start(call.shape[1] / af.SR)
    events += [e.to_dict() for e in analyzer.close()]
    return events, analyzer.compute_seconds


def replay_call(call: np.ndarray, overrides: dict[str, Any]) -> tuple[list[dict[str, Any]], float]:
    """``conduct stream --realtime`` on the call as a WAV; its events and wall seconds."""
    with tempfile.TemporaryDirectory() as tmp:
        path = af.write_wav(Path(tmp) / "call.wav", call)
        (Path(tmp) / "call.json").write_text('{"channel": "phone"}', encoding="utf-8")
        sets = [x for k, v in overrides.items() for x in ("--set", f"{k}={v}")]
        t = time.perf_counter()
        proc = subprocess.run([sys.executable, "-m", "analyzer", "stream", str(path),
                               "--realtime", *sets], capture_output=True, text=True,
                              check=True, cwd=ROOT)
        wall = time.perf_counter() - t
    return [json.loads(line) for line in proc.stdout.splitlines()], wall


def measure(events: list[dict[str, Any]], duration: float, busy: float) -> dict[str, Any]:
    """The latency figures of one call's events."""
    report_at = next(e["emitted_at"] for e in events if e["type"] == "report")
    found = [e for e in events if e["type"] == "finding" and e["kind"] == "forbidden"
             and e["end"] is not None]
    live = [e for e in found if e["emitted_at"] < report_at]  # the rest came at close()
    forbidden = [e["emitted_at"] - e["end"] for e in live]
    utt = [e["emitted_at"] - e["end"] for e in events if e["type"] == "utterance"]
    rings = [e["emitted_at"] - e["t"] for e in events if e["type"] == "ring"]
    report = events[-1]["report"]
    return {
        "audio_seconds": round(duration, 2),
        "forbidden_findings": len(forbidden),
        "forbidden_at_close": len(found) - len(forbidden),
        "committed_before_end": sum(e["provisional"] for e in live),
        "forbidden_p50": percentile(forbidden, 50), "forbidden_p95": percentile(forbidden, 95),
        "utterance_events": len(utt),
        "utterance_p50": percentile(utt, 50), "utterance_p95": percentile(utt, 95),
        "ring_events": len(rings),
        "ring_p50": percentile(rings, 50), "ring_p95": percentile(rings, 95),
        "partial_events": sum(e["type"] == "partial" for e in events),
        "realtime_factor": round(busy / duration, 3),
        "report_rings": report["rings"],
        "final_forbidden": sorted(f["rule"] for f in report["findings"] if f["kind"] == "forbidden"),
    }


def capacity(call: np.ndarray, options: AnalyzerOptions, counts: list[int]) -> list[dict[str, Any]]:
    """``N`` calls at once from ``N`` threads: wall time against the call's duration."""
    duration = call.shape[1] / af.SR
    rows = []
    for n in counts:
        results: list[tuple[list[dict[str, Any]], float]] = [([], 0.0)] * n

        def one(k: int, out: list[tuple[list[dict[str, Any]], float]]) -> None:
            out[k] = stream_call(call, options, f"call-{k}")

        threads = [threading.Thread(target=one, args=(k, results)) for k in range(n)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        wall = time.perf_counter() - t
        rows.append({"calls": n, "wall_seconds": round(wall, 2),
                     "group_realtime_factor": round(wall / duration, 3),
                     "keeps_up": wall < duration,
                     "forbidden_found": [len([e for e in ev if e["type"] == "finding"
                                              and e["kind"] == "forbidden"]) for ev, _ in results]})
    return rows


def run(repeat: int, line: bool, realtime: bool, counts: list[int]) -> dict[str, Any]:
    """Both modes on one call, then the capacity runs; the results."""
    call, turns, _, _ = af.phone_call(rings=4, script=list(SCRIPT) * repeat, line=line)
    duration = call.shape[1] / af.SR
    base = AnalyzerOptions()
    modes = {}
    for mode, overrides in MODES.items():
        options = base.with_overrides(overrides)
        if realtime:
            events, wall = replay_call(call, overrides)
            modes[mode] = {**measure(events, duration, wall), "realtime_factor": None,
                           "replay_wall_seconds": round(wall, 2)}
        else:
            events, busy = stream_call(call, options)
            modes[mode] = measure(events, duration, busy)
    result: dict[str, Any] = {
        "machine": f"{os.cpu_count()} CPU cores", "load_average_1min": round(os.getloadavg()[0], 2),
        "line": line, "clock": "wall clock of the --realtime replay" if realtime else "call clock",
        "turns": len(turns), "options": {"partial_interval": base.stream.partial_interval,
                                         "partial_speakers": list(base.stream.partial_speakers)},
        "modes": modes,
    }
    if counts:
        result["capacity"] = capacity(call, replace(base), counts)
    return result


ROWS = ("audio_seconds", "forbidden_findings", "forbidden_at_close", "committed_before_end",
        "forbidden_p50", "forbidden_p95",
        "utterance_events", "utterance_p50", "utterance_p95", "ring_events", "ring_p50",
        "ring_p95", "partial_events", "realtime_factor", "report_rings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=1, help="times the 12-turn script is played")
    parser.add_argument("--line", action="store_true", help="telephone band + mu-law on both sides")
    parser.add_argument("--realtime", action="store_true",
                        help="replay with `conduct stream --realtime` (wall clock)")
    parser.add_argument("--capacity", default="1,2,4",
                        help="comma-separated numbers of concurrent calls ('' skips)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    counts = [int(x) for x in args.capacity.split(",") if x.strip()]
    r = run(args.repeat, args.line, args.realtime, counts)
    print(f"{'measure':<22}" + "".join(f"{m:>14}" for m in r["modes"]))
    for key in ROWS:
        print(f"{key:<22}" + "".join(f"{r['modes'][m][key]!s:>14}" for m in r["modes"]))
    for row in r.get("capacity", []):
        print(f"{row['calls']} concurrent calls: wall {row['wall_seconds']} s, group RTF "
              f"{row['group_realtime_factor']}, keeps up: {row['keeps_up']}")
    print(f"machine: {r['machine']}, load {r['load_average_1min']}, clock: {r['clock']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("stream_latency", "Live latency", main))
