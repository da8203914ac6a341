"""Greedy first, beam where a window's own signal says so: what would it save, what would it cost?

Issue 28 item 2. ``asr.decoding=greedy_first`` decodes every 30 s window
greedily and again with the beam where the greedy text is unsure (mean token
log-probability under ``asr.beam_below_logprob``). Whether that pays depends
on two figures this script measures on one folder (default: the hall corpus
of ``benchmarks/hall_corpus.py``, our own data):

* how the greedy log-probability of a window relates to whether the beam
  would have heard it differently (characters of the greedy text that differ
  from the beam's, per window), and
* what a greedy decoding costs against the beam's (CPU seconds of the
  process around each ``generate`` call, every window decoded both ways in the
  same batch).

A batch worker (the one ``conduct batch`` runs, defaults otherwise) analyses
the folder; every window is decoded greedily and with the beam, and the
beam's result goes on (the run's words are the default's). The table gives
each window's greedy and beam log-probabilities and the share of its
characters greedy decoding changes; the sweep gives, per threshold, the share
of windows decoded again with the beam, the characters greedy changes in the
windows kept greedy (share of all the beam's characters), and the decoder's
cost against beam-only, ``(greedy + f * beam) / beam``.

Usage::

    .venv/bin/python benchmarks/greedy_bins.py [--folder benchmarks/results/corpus-hall]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
OUT = ROOT / "benchmarks" / "results" / "greedy_bins.json"
THRESHOLDS = (-1.0, -0.6, -0.5, -0.45, -0.4, -0.35, -0.3)


def measure(folder: Path) -> dict[str, Any]:
    """Analyse ``folder``'s recordings, every window decoded both ways; the windows' figures."""
    import analyzer.speech.packing as packing
    from analyzer.batch.jobs import Job
    from analyzer.batch.worker import AudioWorker
    from analyzer.options import AnalyzerOptions
    from analyzer.speech.meta import read_meta
    from analyzer.text.evaluation import char_error_rate

    windows: list[dict[str, Any]] = []
    cost = {"beam": 0.0, "greedy": 0.0}

    def both(self: Any, encoded: Any, skips: Any) -> list[Any]:
        c0 = time.process_time()
        beam = self._generate(encoded, skips, 1.0)
        c1 = time.process_time()
        greedy = self._generate(encoded, skips, 1.0, beam_size=1)
        cost["beam"] += c1 - c0
        cost["greedy"] += time.process_time() - c1
        tok = self.tokenizer
        for g, b in zip(greedy, beam, strict=True):
            gt = tok.decode([t for t in g.sequences_ids[0] if t < tok.eot])
            bt = tok.decode([t for t in b.sequences_ids[0] if t < tok.eot])
            windows.append({"greedy_logprob": g.scores[0] if g.scores else 0.0,
                            "beam_logprob": b.scores[0] if b.scores else 0.0,
                            "no_speech": g.no_speech_prob, "chars": len(bt),
                            "changed": (char_error_rate([(bt, gt)]) * len(bt)) if bt
                            else float(len(gt))})
        return beam

    packing.PackedRecognizer._first_decoding = both  # type: ignore[method-assign]
    files = sorted(str(p) for p in folder.glob("*.wav"))
    worker = AudioWorker(AnalyzerOptions(), threads=1, inflight=1)
    list(worker.run([Job(i, p, read_meta(p, None)) for i, p in enumerate(files)]))
    return {"folder": str(folder), "files": len(files), "windows": windows,
            "cpu_beam": cost["beam"], "cpu_greedy": cost["greedy"],
            "load_avg": os.getloadavg()}


def sweep(result: dict[str, Any]) -> list[dict[str, float]]:
    """Per threshold: windows sent to the beam, characters greedy changes, decoder cost."""
    w = result["windows"]
    chars = sum(x["chars"] for x in w) or 1
    ratio = result["cpu_greedy"] / (result["cpu_beam"] or 1.0)
    out = []
    for t in THRESHOLDS:
        beam = [x for x in w if x["greedy_logprob"] < t]
        kept = [x for x in w if x["greedy_logprob"] >= t]
        f = len(beam) / (len(w) or 1)
        out.append({"threshold": t, "beam_share": f,
                    "changed_share": sum(x["changed"] for x in kept) / chars,
                    "decoder_cost": ratio + f})
    return out


def table(result: dict[str, Any]) -> None:
    """Print the windows and the sweep."""
    w = sorted(result["windows"], key=lambda x: x["greedy_logprob"])
    print(f"{result['files']} recordings of {result['folder']}: {len(w)} windows; decoder CPU "
          f"(process, every window both ways) beam {result['cpu_beam']:.1f} s, greedy "
          f"{result['cpu_greedy']:.1f} s = {result['cpu_greedy'] / (result['cpu_beam'] or 1):.2f}"
          " of the beam's")
    print(f"{'greedy logp':>11} {'beam logp':>10} {'no-speech':>9} {'chars':>6} {'changed':>8}")
    for x in w:
        print(f"{x['greedy_logprob']:11.3f} {x['beam_logprob']:10.3f} {x['no_speech']:9.2f} "
              f"{x['chars']:6d} {x['changed'] / (x['chars'] or 1):8.3f}")
    print("\nbeam where the greedy mean log-probability is under the threshold:")
    print(f"{'threshold':>9} {'beam windows':>13} {'chars changed':>14} {'decoder cost':>13}")
    for s in sweep(result):
        print(f"{s['threshold']:9.2f} {100 * s['beam_share']:12.0f}% "
              f"{100 * s['changed_share']:13.1f}% {s['decoder_cost']:12.2f}x")
    print("(chars changed: greedy characters that differ from the beam's in the windows kept "
          "greedy, share of all the beam's characters; decoder cost: greedy + re-decoded share, "
          "against beam on every window)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folder", type=Path,
                        default=ROOT / "benchmarks" / "results" / "corpus-hall")
    parser.add_argument("--minutes", type=float, default=8.0, help="hall corpus length")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    if not (args.folder / ".corpus.json").exists() and not list(args.folder.glob("*.wav")):
        from hall_corpus import generate

        generate(args.folder, args.minutes, shape="hall")
    result = measure(args.folder)
    result["sweep"] = sweep(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1), encoding="utf-8")
    table(result)
    print(f"\nload at end {os.getloadavg()[0]:.1f}; JSON: {args.out}")
    return 0


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("greedy_bins", "Greedy first: what each window's signal buys", main))
