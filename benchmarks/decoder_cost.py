"""What one window costs the encoder and the decoder on a CPU, by beam and windows per call.

Issue 28 asks for half the encoder-bound ceiling (``benchmarks/throughput.py``:
the corpus's speech in full 30 s windows through the encoder alone). This
script measures the part of the batch the ceiling leaves out, on one worker
thread (a batch worker's setting, ``--threads``): the process CPU seconds of

* the encoder on one window of ``--seconds`` (the product encodes one window
  per call on a CPU, ``analyzer.speech.packing.CPU_ENCODER_WINDOWS``), and
* the decoder (CTranslate2 ``generate``, the product's prompt and options,
  ``num_hypotheses`` 3 as the verifier asks) on that window's encoder output,
  repeated ``n`` times in one call, for each beam width and ``n``.

Whisper's decoder reads all its weights (about 48 MB int8, the 51,865-token
output projection half of it) at every step of every call: a step costs
nearly the same for one window as for several, so the decoder's cost per
window falls with the windows decoded together and hardly with the beam.

The clip is the first of ``../shared/data/real-speech`` (a measure set: its
words are not used, only its sound), cut to ``--seconds`` minus 1.

    .venv/bin/python benchmarks/decoder_cost.py [--seconds 10] [--windows 1,2,4,8]

Prints a table and writes JSON (default ``benchmarks/results/decoder_cost.json``)
and its page ``docs/benchmarks/decoder_cost.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CLIP = ROOT.parent / "shared" / "data" / "real-speech" / "BAC009S0764W0121.wav"


def measure(seconds: float, beams: list[int], windows: list[int], threads: int,
            clip: Path = CLIP, reps: int = 2) -> dict[str, Any]:
    """CPU seconds of the encoder per window and of the decoder per call and window."""
    import ctranslate2
    from faster_whisper.audio import pad_or_trim

    from analyzer.options import ASROptions
    from analyzer.speech.asr import get_model
    from analyzer.speech.decode import decode_audio
    from analyzer.speech.packing import PackedRecognizer

    options = ASROptions(cpu_threads=threads)
    model = get_model(options)
    recognizer = PackedRecognizer(model, options, {}, min(seconds, 30.0))
    recognizer.nbest = 3
    audio = decode_audio(str(clip)).samples[0]
    audio = np.tile(audio, int(np.ceil(seconds * 16000 / audio.size)))[
        : int((seconds - 1) * 16000)]
    feats = pad_or_trim(model.feature_extractor(audio)[..., :-1],
                        length=int(seconds * 100))[None]
    model.encode(feats)  # warm
    c0 = time.process_time()
    for _ in range(reps):
        encoded = np.asarray(model.encode(feats))
    encoder = (time.process_time() - c0) / reps
    rows = []
    for beam in beams:
        for n in windows:
            batch = ctranslate2.StorageView.from_array(np.repeat(encoded, n, axis=0))
            recognizer._generate(batch, [0.0] * n, 1.0, beam_size=beam)  # warm
            c0 = time.process_time()
            for _ in range(reps):
                result = recognizer._generate(batch, [0.0] * n, 1.0, beam_size=beam)
            call = (time.process_time() - c0) / reps
            rows.append({"beam": beam, "windows": n, "cpu_call": call, "cpu_window": call / n,
                         "tokens": len(result[0].sequences_ids[0])})
    return {"seconds": seconds, "threads": threads, "encoder_cpu_window": encoder,
            "rows": rows, "load_avg": os.getloadavg()}


def table(result: dict[str, Any]) -> None:
    """Print the measurements."""
    enc = result["encoder_cpu_window"]
    print(f"{result['seconds']:.0f} s window, {result['threads']} thread(s); load "
          + " ".join(f"{x:.1f}" for x in result["load_avg"]))
    print(f"encoder: {enc:.3f} CPU-s per window")
    print(f"{'beam':>4} {'windows':>7} {'CPU-s call':>10} {'per window':>10} "
          f"{'x encoder':>9} {'tokens':>6}")
    for r in result["rows"]:
        print(f"{r['beam']:4d} {r['windows']:7d} {r['cpu_call']:10.3f} {r['cpu_window']:10.3f} "
              f"{r['cpu_window'] / enc:9.2f} {r['tokens']:6d}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="encoder input length")
    parser.add_argument("--beams", default="5,3,1")
    parser.add_argument("--windows", default="1,2,4,8", help="windows per decoder call")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path,
                        default=ROOT / "benchmarks" / "results" / "decoder_cost.json")
    args = parser.parse_args()
    result = measure(args.seconds, [int(b) for b in args.beams.split(",")],
                     [int(n) for n in args.windows.split(",")], args.threads)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    table(result)
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from page import run_with_page

    sys.exit(run_with_page("decoder_cost", "What a window costs the encoder and the decoder",
                           main))
