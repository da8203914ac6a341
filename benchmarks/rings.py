"""Ring-count accuracy of :func:`analyzer.speech.rings.detect_rings` over a generated grid.

Grid: cadences (China 450 Hz 1 s/4 s, North America 440+480 Hz 2 s/4 s, UK
400+450 Hz double ring) x rings before the answer (1..7) x where in the last
ring the staff answered (0.3 s in, 0.8 s in, just after it) x line
conditions:

* ``clean``; ``telephone_band`` (300-3400 Hz); ``mulaw`` (band + G.711 mu-law
  through ffmpeg); ``noise_10db`` (white noise 10 dB below the tone);
  ``level_-30dbfs`` / ``level_0dbfs`` (tone peaks at -30 / 0 dBFS);
  ``level_ramp`` (the level changes by 24 dB across the call);
  ``all`` (quiet, noisy, band + mu-law); and stress conditions beyond the
  specification: ``noise_5db``, ``noise_0db`` (white, full band),
  ``inband_noise_3db``, ``inband_noise_0db`` (noise inside 300-3400 Hz, then
  mu-law: the hard case), ``off_freq_+6hz`` (the whole
  call played 1.3 % fast: tones 6 Hz high, cadence 1.3 % short).

Each case is scored twice: with the answer time given (what the audio path
passes: the first staff speech) and without it (the answer taken as the end
of the ringback, staff speech following). Speech and music without any
ringback are also run and must give 0 rings (false rings are counted).

Usage::

    .venv/bin/python benchmarks/rings.py [--out FILE] [--quick]

Prints a table (accuracy per cadence x condition) and writes JSON.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import audio_factory as af  # noqa: E402

from analyzer.speech.rings import detect_rings  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "rings.json"
GREETING = "您好，这里是政务服务中心，请问有什么可以帮您？"


def _inband_noise(x: np.ndarray, snr_db: float) -> np.ndarray:
    """Noise inside the telephone band, ``snr_db`` below the tone, then band + mu-law."""
    noise = af.telephone_band(np.random.default_rng(15).standard_normal(x.size).astype(np.float32))
    return af.phone_line(x + af.set_level(noise, -15.0 - snr_db))


def _ramp(x: np.ndarray) -> np.ndarray:
    return (x * np.logspace(-24 / 20, 0, x.size)).astype(np.float32)


SPEEDUP = 1.013  #: "off_freq" plays the audio 1.3 % fast: 450 Hz -> 456 Hz, times x 1/1.013

CONDITIONS = {
    "clean": lambda x: x,
    "telephone_band": af.telephone_band,
    "mulaw": af.phone_line,
    "noise_10db": lambda x: af.add_noise(x, 10.0, seed=11),
    "level_-30dbfs": lambda x: af.gain(x, -30.0 + 15.0 - 3.0),  # tone RMS -15 -> peak -30 dBFS
    "level_0dbfs": lambda x: af.gain(x, 15.0 - 3.0),  # peak 0 dBFS
    "level_ramp": _ramp,
    "all": lambda x: af.phone_line(af.add_noise(af.gain(x, -15.0), 10.0, seed=12)),
    # Stress conditions, beyond the specification, to show where it breaks:
    "noise_5db": lambda x: af.add_noise(x, 5.0, seed=13),
    "noise_0db": lambda x: af.add_noise(x, 0.0, seed=14),
    "inband_noise_3db": lambda x: _inband_noise(x, 3.0),
    "inband_noise_0db": lambda x: _inband_noise(x, 0.0),
    "off_freq_+6hz": lambda x: af.resample(x, af.SR, int(af.SR / SPEEDUP)),  # also 1.3 % faster
}


def make_case(cadence: str, rings: int, into: float) -> tuple[np.ndarray, float]:
    """Ringback with ``rings`` rings answered ``into`` s after the last ring starts, then speech."""
    tone, spans = af.ringback(cadence, rings)
    answer = spans[-1][0] + into
    staff = af.speech(GREETING, pitch=35)
    return af.place([(0.0, tone[: int(answer * af.SR)]), (answer, staff)], answer + 4.0), answer


def run_grid(quick: bool = False) -> dict[str, Any]:
    """Score every case of the grid; returns per-case rows and summaries."""
    rows = []
    ring_counts = (1, 3, 4, 6) if quick else (1, 2, 3, 4, 5, 6, 7)
    for cadence, cad in af.CADENCES.items():
        options = cad.ring_options()
        on_span = cad.period - cad.pattern[-1]
        for rings in ring_counts:
            for into in (0.3, 0.8 * on_span, on_span + 0.2):
                signal, answer = make_case(cadence, rings, into)
                for cond, fn in CONDITIONS.items():
                    x = fn(signal)
                    at = answer / SPEEDUP if cond.startswith("off_freq") else answer
                    t0 = time.perf_counter()
                    given = detect_rings(x, af.SR, options, answer_time=at)
                    seconds = time.perf_counter() - t0
                    blind = detect_rings(x, af.SR, options)
                    rows.append({"cadence": cadence, "condition": cond, "rings": rings,
                                 "answer_into_ring": round(into, 2), "given": given.rings,
                                 "blind": blind.rings, "confidence": given.confidence,
                                 "seconds": round(seconds, 4), "audio_seconds": round(answer, 2)})
    return {"rows": rows, "false_rings": _false_rings(), "summary": _summary(rows)}


def _false_rings() -> list[dict[str, Any]]:
    """Speech and music with no ringback: every ring found is a false ring."""
    lines = ["您好，请问您办理什么业务", "我想问一下营业执照怎么办理", "请您带上身份证和申请材料到三号窗口",
             "好的谢谢你", "不客气，请您对我的服务进行评价，再见"]
    clips, t = [], 0.0
    for i in range(20):
        clip = af.speech(lines[i % len(lines)], pitch=(20, 45, 70, 95)[i % 4])
        clips.append((t, clip))
        t += clip.size / af.SR + 0.3
    sources = {"speech": af.place(clips), "music": af.music(120.0, seed=21),
               "noise": af.noise(60.0, dbfs=-30.0, seed=22)}
    out = []
    for name, x in sources.items():
        for cond in ("clean", "mulaw", "noise_10db"):
            y = CONDITIONS[cond](x)
            for cadence, cad in af.CADENCES.items():
                r = detect_rings(y, af.SR, cad.ring_options())
                out.append({"source": name, "condition": cond, "cadence": cadence,
                            "seconds_of_audio": round(y.size / af.SR, 1), "false_rings": r.rings})
    return out


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    def acc(sel: list[dict[str, Any]], key: str) -> float:
        return round(sum(r[key] == r["rings"] for r in sel) / len(sel), 4) if sel else 0.0

    by: dict[str, Any] = {}
    for cond in CONDITIONS:
        for cadence in af.CADENCES:
            sel = [r for r in rows if r["condition"] == cond and r["cadence"] == cadence]
            by[f"{cadence}/{cond}"] = {"cases": len(sel), "accuracy_given_answer": acc(sel, "given"),
                                       "accuracy_blind": acc(sel, "blind")}
    total_audio = sum(r["audio_seconds"] for r in rows)
    total_time = sum(r["seconds"] for r in rows)
    return {"cases": len(rows), "accuracy_given_answer": acc(rows, "given"),
            "accuracy_blind": acc(rows, "blind"), "by_cadence_condition": by,
            "realtime_factor": round(total_time / total_audio, 5)}


def print_table(result: dict[str, Any]) -> None:
    """Accuracy (answer given / blind) per condition and cadence."""
    by = result["summary"]["by_cadence_condition"]
    cadences = list(af.CADENCES)
    print(f"{'condition':<16}" + "".join(f"{c + ' given/blind':>22}" for c in cadences))
    for cond in CONDITIONS:
        cells = [by[f"{c}/{cond}"] for c in cadences]
        print(f"{cond:<16}" + "".join(
            f"{c['accuracy_given_answer']:>13.1%} / {c['accuracy_blind']:>5.1%}" for c in cells))
    s = result["summary"]
    false = sum(r["false_rings"] for r in result["false_rings"])
    print(f"\n{s['cases']} cases: accuracy {s['accuracy_given_answer']:.1%} with the answer time, "
          f"{s['accuracy_blind']:.1%} without; false rings on speech/music: {false} "
          f"({len(result['false_rings'])} runs); detection RTF {s['realtime_factor']:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help="JSON output path")
    parser.add_argument("--quick", action="store_true", help="fewer ring counts")
    args = parser.parse_args()
    result = run_grid(args.quick)
    print_table(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("rings", "Ring counting", main))
