"""Streaming latency and real-time factor of :class:`analyzer.stream.StreamAnalyzer`.

A generated stereo phone call (ringback, then staff and citizen turns spoken
by espeak-ng, optionally over a telephone line) is fed in 100 ms chunks.

Time is kept on the call's own clock: chunk ``k`` arrives when its last
sample would have been spoken (``t_k``), its processing starts when it has
arrived and the previous chunk is done, and its events come out when its
processing ends (``done_k``). This is what a live line sees on this machine,
without sleeping through the call (``--realtime`` sleeps instead, and measures
wall-clock times).

Measured:

* latency of each utterance event: ``done_k - utterance end`` (includes the
  VAD's wait for ``vad_min_silence_ms`` of silence, and recognition);
* latency of each live finding heard in speech (forbidden phrase, shouting):
  ``done_k - finding end``; of ring events: ``done_k - ring start``;
* real-time factor: processing time / audio time (must be < 1 to keep up),
  and the largest backlog (``done_k - t_k``); recognition time per segment,
  and the 1-minute load average (other processes on the machine slow it).

Usage::

    .venv/bin/python benchmarks/stream_latency.py [--repeat 2] [--line] [--realtime] [--out FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import audio_factory as af  # noqa: E402

from analyzer.stream import StreamAnalyzer  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "stream_latency.json"
CHUNK_SECONDS = 0.1
SCRIPT = (
    *af.PHONE_SCRIPT[:3],
    ("citizen", "我上次来的时候材料不全，还要带什么？"),
    ("staff", "我不知道，你去问别人"),
    ("citizen", "你们的服务态度太差了"),
    ("staff", "对不起，请您按照要求补全材料再来办理"),
    ("citizen", "好的，谢谢你"),
    af.PHONE_SCRIPT[-1],
)


def percentile(values: list[float], q: float) -> float | None:
    """The ``q`` percentile (0-100), or None for no values."""
    return round(float(np.percentile(values, q)), 3) if values else None


def run(repeat: int, line: bool, realtime: bool) -> dict[str, Any]:
    """Stream the generated call; return latencies, RTF and the events."""
    script = list(SCRIPT) * repeat
    call, turns, _, answer = af.phone_call(rings=4, script=script, line=line)
    duration = call.shape[1] / af.SR
    from analyzer.speech.engine import transcribe

    asr_times: list[tuple[float, float]] = []  # (audio seconds, recognition seconds) per call

    def timed(audio: np.ndarray, options: Any, **kw: Any) -> list[Any]:
        t = time.perf_counter()
        out = transcribe(audio, options, **kw)
        asr_times.append((audio.size / af.SR, time.perf_counter() - t))
        return out

    analyzer = StreamAnalyzer(None, af.SR, 2, interaction_id="bench", transcriber=timed)
    t0 = time.perf_counter()
    from analyzer.speech.asr import get_model

    get_model(analyzer.options.asr)  # what warm() does for the default recogniser
    analyzer.warm()
    warm_seconds = time.perf_counter() - t0
    step = int(CHUNK_SECONDS * af.SR)
    clock, busy, backlog, events = 0.0, 0.0, 0.0, []
    wall0 = time.perf_counter()
    for i in range(0, call.shape[1], step):
        arrive = min(i + step, call.shape[1]) / af.SR
        if realtime:
            delay = wall0 + arrive - time.perf_counter()
            if delay > 0:
                time.sleep(delay)
        t = time.perf_counter()
        out = list(analyzer.feed(call[:, i: i + step]))
        spent = time.perf_counter() - t
        busy += spent
        clock = (time.perf_counter() - wall0) if realtime else max(clock, arrive) + spent
        backlog = max(backlog, clock - arrive)
        events += [{**e.to_dict(), "_out": clock} for e in out]
    t = time.perf_counter()
    final = list(analyzer.close())
    close_seconds = time.perf_counter() - t
    busy += close_seconds
    events += [{**e.to_dict(), "_out": clock + close_seconds} for e in final]
    result = _measure(events, turns, answer, duration, busy, backlog, warm_seconds, close_seconds)
    asr = [t for _, t in asr_times]
    result.update({
        "asr_calls": len(asr), "asr_seconds_median": percentile(asr, 50),
        "asr_seconds_p95": percentile(asr, 95),
        "asr_share_of_processing": round(sum(asr) / busy, 3) if busy else None,
        "segment_seconds_median": percentile([a for a, _ in asr_times], 50),
        "load_average_1min": round(os.getloadavg()[0], 2),
    })
    return result


def _measure(events: list[dict[str, Any]], turns: list[af.Turn], answer: float, duration: float,
             busy: float, backlog: float, warm: float, close: float) -> dict[str, Any]:
    utt = [e["_out"] - e["end"] for e in events if e["type"] == "utterance"]
    # Findings heard in speech (forbidden phrases, shouting); rings and ignoring are timed apart.
    live = [e for e in events if e["type"] == "finding" and e["rule"] not in ("A7-RING", "A8-IGNORE")
            and e["_out"] <= duration and e.get("end") is not None]
    find = [e["_out"] - e["end"] for e in live]
    rings = [e["_out"] - e["t"] for e in events if e["type"] == "ring"]
    report = next(e["report"] for e in events if e["type"] == "report")
    return {
        "machine": f"{os.cpu_count()} CPU cores",
        "audio_seconds": round(duration, 2),
        "turns": len(turns),
        "utterance_events": len(utt),
        "utterance_latency_median": percentile(utt, 50),
        "utterance_latency_p95": percentile(utt, 95),
        "live_findings": len(find),
        "finding_latency_median": percentile(find, 50),
        "finding_latency_p95": percentile(find, 95),
        "ring_event_latency_median": percentile(rings, 50),
        "processing_seconds": round(busy, 2),
        "realtime_factor": round(busy / duration, 3),
        "max_backlog_seconds": round(backlog, 3),
        "model_load_seconds": round(warm, 2),
        "close_seconds": round(close, 2),
        "report_rings": report["rings"], "true_rings": 4,
        "answered_at": next((e["t"] for e in events if e["type"] == "answered"), None),
        "true_answer": round(answer, 3),
        "final_findings": [f["rule"] for f in report["findings"]],
        "transcript": [(u["speaker"], u["start"], u["text"]) for u in report["transcript"]],
        "script": [(t.speaker, round(t.start, 2), round(t.end, 2), t.text) for t in turns],
        "latency_median_all": statistics.median(utt + find) if utt + find else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=2, help="times the 9-turn script is repeated")
    parser.add_argument("--line", action="store_true", help="telephone band + mu-law on both sides")
    parser.add_argument("--realtime", action="store_true", help="sleep to pace the input (wall clock)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    r = run(args.repeat, args.line, args.realtime)
    print(f"{'measure':<34}{'value':>12}")
    for key in ("audio_seconds", "utterance_events", "utterance_latency_median",
                "utterance_latency_p95", "live_findings", "finding_latency_median",
                "finding_latency_p95", "ring_event_latency_median", "realtime_factor",
                "max_backlog_seconds", "asr_calls", "asr_seconds_median", "asr_seconds_p95",
                "asr_share_of_processing", "segment_seconds_median", "model_load_seconds",
                "close_seconds", "report_rings", "answered_at", "true_answer", "load_average_1min"):
        print(f"{key:<34}{r[key]!s:>12}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(r, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
