"""Batched VAD: many channels in one Silero call, heard exactly as alone, and what it saves.

The batch runs faster-whisper's Silero VAD (``silero_vad_v6.onnx``, the one
``get_speech_timestamps`` loads) once per channel. That model takes a whole
channel per call: every 32 ms frame (512 samples and 64 of context) goes
through a convolutional encoder *as one row of a batch*, and only the LSTM
after it runs in time order, over the call's frames, with state ``h``/``c``
of shape ``(layers, batch, 128)``. So the claim that channels cannot share a
call because the VAD carries state does not hold: with the LSTM's batch
dimension opened (one ``Reshape`` + ``Transpose`` in place of the graph's
first ``Transpose``; same weights), each row keeps its own state, and a
channel padded with silence after its end is heard exactly as alone (the
LSTM is causal: what comes after a frame never reaches it).

This script builds that batched graph from faster-whisper's own file (needs
the ``onnx`` package: ``pip install '.[train]'``), checks on the
hall-shaped corpus that every channel's speech probabilities are
**bit-for-bit** those of the channel alone (both channels of a recording in
one call, and all channels of the corpus in one call), and times three ways
of running the same channels: one call per channel (the product), one call
per recording (its two channels), one call for the whole corpus.

    .venv/bin/python benchmarks/vad_batch.py --corpus benchmarks/results/corpus-hall

Prints a table and writes JSON (default ``benchmarks/results/vad_batch.json``)
and its page ``docs/benchmarks/vad_batch.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "results" / "vad_batch.json"
CORPUS = ROOT / "benchmarks" / "results" / "corpus-hall"
#: Samples per VAD frame and of context before it (faster-whisper's ``SileroVADModel``).
FRAME, CONTEXT = 512, 64
#: Frames per ONNX call, as faster-whisper's ``SileroVADModel`` runs them.
CALL_FRAMES = 10000


def batched_model_bytes() -> bytes:
    """faster-whisper's Silero graph with the LSTM's batch dimension opened.

    The graph's first ``Transpose`` turns the encoder's ``(frames, 128, 1)`` into
    ``(frames, 1, 128)``: one sequence of ``frames`` steps, batch 1. Here the
    frames of ``B`` channels come in channel after channel, ``B`` is read from
    ``h``'s shape, and a ``Reshape`` to ``(B, T, 128)`` + ``Transpose`` to
    ``(T, B, 128)`` gives the LSTM ``B`` sequences; everything after works per
    batch row as it is (the output comes back channel after channel).
    """
    import faster_whisper
    import onnx
    from onnx import helper, numpy_helper

    path = Path(faster_whisper.__file__).parent / "assets" / "silero_vad_v6.onnx"
    model = onnx.load(str(path))
    graph = model.graph
    at = next(i for i, n in enumerate(graph.node) if n.op_type == "Transpose")
    first = graph.node[at]
    nodes = [
        helper.make_node("Shape", ["h"], ["batch_shape"]),
        helper.make_node("Gather", ["batch_shape", "batch_axis"], ["batch_n"], axis=0),
        helper.make_node("Concat", ["batch_n", "batch_rest"], ["batch_target"], axis=0),
        helper.make_node("Reshape", [first.input[0], "batch_target"], ["batch_btc"]),
        helper.make_node("Transpose", ["batch_btc"], [first.output[0]], perm=[1, 0, 2]),
    ]
    graph.initializer.extend([
        numpy_helper.from_array(np.array([1], dtype=np.int64), "batch_axis"),
        numpy_helper.from_array(np.array([-1, 128], dtype=np.int64), "batch_rest")])
    del graph.node[at]
    for k, node in enumerate(nodes):
        graph.node.insert(at + k, node)
    for value in [*graph.input, *graph.output]:
        if value.name in ("h", "c", "hn", "cn"):
            value.type.tensor_type.shape.dim[1].dim_param = "batch"
    onnx.checker.check_model(model)
    return bytes(model.SerializeToString())


def frames(audio: np.ndarray) -> np.ndarray:
    """A channel's VAD frames ``(n, 576)`` exactly as faster-whisper makes them
    (padded to whole frames, each with the previous frame's last 64 samples)."""
    padded = np.pad(audio, (0, FRAME - audio.shape[0] % FRAME))
    x = padded.reshape(-1, FRAME)
    context = x[..., -CONTEXT:].copy()
    context[-1] = 0
    return np.concatenate([np.roll(context, 1, 0), x], 1)


class BatchedVad:
    """Speech probabilities of many channels from one ONNX call per 10,000 frames.

    Args:
        model: The batched graph (:func:`batched_model_bytes`).
    """

    def __init__(self, model: bytes) -> None:
        import onnxruntime

        opts = onnxruntime.SessionOptions()  # faster-whisper's settings
        opts.inter_op_num_threads = 1
        opts.intra_op_num_threads = 1
        opts.enable_cpu_mem_arena = False
        opts.log_severity_level = 4
        self.session = onnxruntime.InferenceSession(model, providers=["CPUExecutionProvider"],
                                                    sess_options=opts)

    def __call__(self, channels: Sequence[np.ndarray]) -> list[np.ndarray]:
        """Each channel's per-frame speech probabilities (as ``SileroVADModel`` gives)."""
        each = [frames(a) for a in channels]
        n, longest = len(each), max(f.shape[0] for f in each)
        x = np.zeros((n, longest, FRAME + CONTEXT), dtype=np.float32)
        for i, f in enumerate(each):
            x[i, : f.shape[0]] = f  # silence after a channel's end: never heard by it
        h = np.zeros((1, n, 128), dtype=np.float32)
        c = np.zeros((1, n, 128), dtype=np.float32)
        out = []
        for s in range(0, longest, CALL_FRAMES):
            probs, h, c = self.session.run(
                None, {"input": x[:, s : s + CALL_FRAMES].reshape(-1, FRAME + CONTEXT),
                       "h": h, "c": c})
            out.append(probs.reshape(n, -1))
        joined = np.concatenate(out, 1)
        return [joined[i, : f.shape[0]] for i, f in enumerate(each)]


def alone(audio: np.ndarray) -> np.ndarray:
    """One channel's speech probabilities the product's way (faster-whisper's model)."""
    from faster_whisper.vad import get_vad_model

    return np.asarray(get_vad_model()(np.pad(audio, (0, FRAME - audio.shape[0] % FRAME))))


def corpus_channels(folder: Path, limit: int) -> list[list[np.ndarray]]:
    """Each recording's channels (16 kHz), as the batch decodes them."""
    from analyzer.speech.decode import decode_audio

    paths = sorted(folder.glob("*.wav"))[: limit or None]
    return [[np.ascontiguousarray(c, dtype=np.float32) for c in decode_audio(str(p)).samples]
            for p in paths]


def _timed(fn: Any, repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def measure(recordings: list[list[np.ndarray]], repeat: int) -> dict[str, Any]:
    """Equality and CPU seconds of the three ways on the same channels."""
    vad = BatchedVad(batched_model_bytes())
    channels = [c for rec in recordings for c in rec]
    ref = [alone(c) for c in channels]
    per_recording = [p for rec in recordings for p in vad(rec)]
    together = vad(channels)
    exact_rec = sum(np.array_equal(r, p) for r, p in zip(ref, per_recording, strict=True))
    exact_all = sum(np.array_equal(r, p) for r, p in zip(ref, together, strict=True))
    seconds = sum(c.size for c in channels) / 16000
    cpu = {
        "one call per channel (product)": _timed(lambda: [alone(c) for c in channels], repeat),
        "one call per recording": _timed(lambda: [vad(rec) for rec in recordings], repeat),
        "one call for the corpus": _timed(lambda: vad(channels), repeat),
    }
    padded = len(channels) * max(c.size for c in channels) / 16000
    return {"recordings": len(recordings), "channels": len(channels),
            "channel_seconds": seconds, "padded_seconds_corpus_call": padded,
            "exact_per_recording": int(exact_rec), "exact_corpus_call": int(exact_all),
            "cpu_seconds": cpu, "repeat": repeat, "load_avg": os.getloadavg()}


def table(r: dict[str, Any]) -> None:
    """Print the result."""
    print(f"{r['recordings']} recordings, {r['channels']} channels, "
          f"{r['channel_seconds']:.0f} channel-seconds (load {r['load_avg'][0]:.1f})")
    print(f"bit-for-bit equal to the channel alone: per-recording call "
          f"{r['exact_per_recording']}/{r['channels']}, corpus call "
          f"{r['exact_corpus_call']}/{r['channels']}")
    base = r["cpu_seconds"]["one call per channel (product)"]
    print(f"\n{'way':<34} {'CPU s':>7} {'ms per ch-s':>12} {'x product':>10}")
    for name, s in r["cpu_seconds"].items():
        print(f"{name:<34} {s:7.2f} {1000 * s / r['channel_seconds']:12.2f} {base / s:10.2f}")
    print(f"(the corpus call pads every channel to the longest: "
          f"{r['padded_seconds_corpus_call']:.0f} channel-seconds heard)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--limit", type=int, default=0, help="at most this many files (0: all)")
    parser.add_argument("--repeat", type=int, default=3, help="timing repeats (best kept)")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    result = measure(corpus_channels(args.corpus, args.limit), args.repeat)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1))
    table(result)
    print(f"\nJSON: {args.out}")
    exact = result["exact_per_recording"] == result["exact_corpus_call"] == result["channels"]
    return 0 if exact else 1


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("vad_batch", "Batched VAD: exact, and its cost on CPU", main))
