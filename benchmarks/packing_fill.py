"""How full the 30 s windows are: the product's packing against the best possible.

The encoder costs the same for an empty 30 s window as for a full one, so the
number of windows a folder of recordings needs is what the encoder time
follows. For each folder, with the product's own VAD pieces
(:func:`analyzer.speech.packing.vad_pieces` on every channel, each piece with
its context, as the encoder-bound ceiling in ``throughput.py`` counts them):

* **per recording, time order** - the product's default
  (``pack.share = "recording"``: :class:`~analyzer.speech.packing.Packer`,
  next-fit over the recording's pieces in time order, both channels);
* **per recording, best order** - first-fit decreasing within each
  recording (the conversation's order given up): the fewest windows any
  packing that keeps recordings apart can reach, within one window;
* **per recording, lower bound** - each recording's heard seconds / 30,
  rounded up;
* **day plan** - ``pack.share = "plan"`` (:mod:`analyzer.batch.plan`): the
  recordings sorted by identity and grouped (:data:`~analyzer.batch.plan.GROUP_RECORDINGS`,
  :data:`~analyzer.batch.plan.GROUP_MINUTES`), each group's bins its own;
* **across recordings** - ``pack.share = "any"`` fed recording after
  recording in name order (no group limit);
* **ceiling** - the folder's heard seconds / 30, rounded up.

No model runs: only the VAD. Prints a table and writes JSON (default
``benchmarks/results/packing_fill.json``) and its page.

    .venv/bin/python benchmarks/packing_fill.py benchmarks/results/corpus-hall \
        ../shared/data/customer-service-speech
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT = ROOT / "benchmarks" / "results" / "packing_fill.json"
DEFAULT = [ROOT / "benchmarks" / "results" / "corpus-hall",
           ROOT.parent / "shared" / "data" / "customer-service-speech"]
AUDIO = (".wav", ".flac", ".mp3", ".ogg", ".m4a")


def pieces_of(path: Path, job: int) -> list[Any]:
    """The VAD pieces of every channel of ``path``, in the engine's time order."""
    from analyzer.options import ASROptions
    from analyzer.speech.decode import decode_audio
    from analyzer.speech.packing import vad_pieces

    audio = decode_audio(path)
    out = [p for k, channel in enumerate(audio.samples)
           for p in vad_pieces(channel, job, k, ASROptions())]
    return sorted(out, key=lambda p: (p.start, p.track))


def packed(recordings: list[list[Any]], share: str) -> int:
    """Windows the product's packer fills with these recordings' pieces."""
    from analyzer.speech.packing import Packer

    packer = Packer(batch_size=1 << 20, share=share)
    for job, pieces in enumerate(recordings):
        for piece in pieces:
            assert not packer.add(piece)
        packer.close(job)
    return sum(len(batch) for batch in packer.flush())


def planned(paths: list[Path], recordings: list[list[Any]]) -> int:
    """Windows the day plan fills: the batch's own grouping, each group's bins its own."""
    from analyzer.batch.jobs import Job
    from analyzer.batch.plan import day_plan
    from analyzer.pipeline.result import AnalysisKey
    from analyzer.speech.decode import audio_layout
    from analyzer.speech.packing import Packer
    from analyzer.store import content_hash_of_file

    def minutes(job: Job) -> float | None:
        layout = audio_layout(job.path)
        return None if layout is None else layout[0] * layout[1] / 60

    jobs = [Job(n, str(p), key=AnalysisKey(content_hash_of_file(p), "", "",
                                           content_hash_of_file(p)))
            for n, p in enumerate(paths)]
    packer = Packer(batch_size=1 << 20, share="plan")
    for job in day_plan(jobs, minutes):
        if job.group is not None:
            packer.groups[job.job] = job.group.id
        for piece in recordings[job.job]:
            assert not packer.add(piece)
        packer.close(job.job)
        if job.group is not None and job.group.index + 1 == job.group.size:
            packer.close_group(job.group.id)
    return sum(len(batch) for batch in packer.flush())


def first_fit_decreasing(pieces: list[Any]) -> int:
    """Windows first-fit decreasing needs for ``pieces`` (with the packer's gaps)."""
    from analyzer.speech.packing import Bin

    bins: list[Any] = []
    for piece in sorted(pieces, key=lambda p: -p.heard_seconds):
        for b in bins:
            if b.fits(piece):
                b.add(piece)
                break
        else:
            b = Bin()
            b.add(piece)
            bins.append(b)
    return len(bins)


def measure(folder: Path, limit: int) -> dict[str, Any]:
    """The windows of each way for one folder."""
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in AUDIO)[: limit or None]
    recordings = [pieces_of(p, job) for job, p in enumerate(paths)]
    heard = [sum(p.heard_seconds for p in rec) for rec in recordings]
    ways = {
        "per recording, time order (product)": packed(recordings, "recording"),
        "per recording, best order (FFD)": sum(first_fit_decreasing(r) for r in recordings),
        "per recording, lower bound": sum(math.ceil(h / 30) for h in heard),
        "day plan (share plan)": planned(paths, recordings),
        "across recordings (share any, name order)": packed(recordings, "any"),
        "ceiling (all speech / 30 s)": max(1, math.ceil(sum(heard) / 30)),
    }
    return {"folder": str(folder), "recordings": len(paths),
            "with_speech": sum(1 for r in recordings if r),
            "heard_seconds": sum(heard), "windows": ways}


def table(results: list[dict[str, Any]]) -> None:
    """Print one block per folder."""
    for r in results:
        print(f"\n{Path(r['folder']).name}: {r['recordings']} recordings "
              f"({r['with_speech']} with speech), {r['heard_seconds']:.0f} s heard by the encoder")
        print(f"  {'packing':<44} {'windows':>8} {'full':>7}")
        for name, n in r["windows"].items():
            full = r["heard_seconds"] / (30 * n) if n else 0.0
            print(f"  {name:<44} {n:8d} {full:7.0%}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folders", nargs="*", type=Path, default=DEFAULT)
    parser.add_argument("--limit", type=int, default=0, help="at most this many files per folder")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    results = [measure(f, args.limit) for f in args.folders if f.is_dir()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"folders": results, "load_avg": os.getloadavg()}, indent=1))
    table(results)
    print(f"\nJSON: {args.out}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from page import run_with_page

    sys.exit(run_with_page("packing_fill", "How full the 30 s windows are", main))
