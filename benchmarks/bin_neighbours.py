"""Does a recording's transcript depend on what else is in flight? (``pack.share``)

The two bundled recordings (``examples/recordings``) are analysed by one
batch worker alone, then inside three batches with real clips of
``../shared/data/real-speech-2`` around them (before, after, in another
order), once with ``--share recording`` (the default: a bin holds one
recording's speech) and once with ``--share any`` (bins filled across
recordings). For each batch it prints whether each recording's text is the
one it got alone, and the character error rate between the two.

    .venv/bin/python benchmarks/bin_neighbours.py [--clips 12]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

TARGETS = [ROOT / "examples" / "recordings" / "counter-visit.ogg",
           ROOT / "examples" / "recordings" / "phone-call.ogg"]
CLIPS = ROOT.parent / "shared" / "data" / "real-speech-2"


def texts(worker: object, paths: list[Path]) -> dict[str, str]:
    """Each recording's transcript text, from ``worker`` given ``paths`` as one batch."""
    from analyzer.batch.jobs import Job, JobResult
    from analyzer.speech.meta import CallMeta

    out = {}
    for o in worker.run([Job(n, str(p), CallMeta()) for n, p in enumerate(paths)]):  # type: ignore[attr-defined]
        if isinstance(o, JobResult):
            out[o.job.path] = "".join(u.text for u in o.result.interaction.utterances)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clips", type=int, default=12, help="real clips around the targets")
    parser.add_argument("--share", action="append", choices=("recording", "any"),
                        help="packing to measure (repeatable; default both)")
    args = parser.parse_args()
    from analyzer.batch.worker import AudioWorker
    from analyzer.options import AnalyzerOptions
    from analyzer.text.evaluation import char_error_rate

    clips = sorted(CLIPS.glob("*.wav"))[: args.clips]
    half = len(clips) // 2
    mixes = [clips[:half] + TARGETS, TARGETS + clips[half:], clips[half // 2 : half + half // 2]
             + TARGETS[::-1]]
    result: dict[str, list[dict[str, object]]] = {}
    for share in args.share or ("recording", "any"):
        options = AnalyzerOptions().with_overrides({"classifier.enabled": False,
                                                    "pack.share": share})
        worker = AudioWorker(options, threads=1, inflight=6)
        alone = {str(t): texts(worker, [t])[str(t)] for t in TARGETS}
        rows = []
        for k, mix in enumerate(mixes):
            got = texts(worker, mix)
            for t in TARGETS:
                rows.append({"batch": k, "recording": t.name,
                             "same": got[str(t)] == alone[str(t)],
                             "cer_vs_alone": char_error_rate([(alone[str(t)], got[str(t)])])})
        result[share] = rows
        same = sum(bool(r["same"]) for r in rows)
        print(f"--share {share}: {same} of {len(rows)} transcripts identical to the "
              f"recording's own; CER vs alone " + ", ".join(
                  f"{r['recording']}#{r['batch']} {r['cer_vs_alone']:.3f}" for r in rows),
              flush=True)
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("bin_neighbours", "Bin neighbours and reproducibility", main))
