"""Many channels in one Silero VAD call are heard exactly as each alone.

The claim once made against batched VAD ("the VAD carries state from window
to window, so channels joined in one call would no longer be heard alone")
is checked against the model the product runs (faster-whisper's
``silero_vad_v6.onnx``): with the LSTM's batch dimension opened
(``benchmarks/vad_batch.py``), each channel of a call keeps its own state,
and its speech probabilities are bit-for-bit those of the channel alone,
whatever else shares the call and however long the others are.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _bench():
    pytest.importorskip("onnx")
    sys.path[:0] = [str(ROOT / "benchmarks")]
    spec = importlib.util.spec_from_file_location("vad_batch", ROOT / "benchmarks" / "vad_batch.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _channels() -> list[np.ndarray]:
    """The bundled recordings' channels (real speech, unequal lengths) and one longer
    than a call's 10,000 frames (so state is carried from call to call)."""
    from analyzer.speech.decode import decode_audio

    out = []
    for name in ("counter-visit.ogg", "phone-call.ogg"):
        out += [np.ascontiguousarray(c, dtype=np.float32)
                for c in decode_audio(ROOT / "examples" / "recordings" / name).samples]
    out.append(np.tile(out[0], int(np.ceil(330 * 16000 / out[0].size)))[: 330 * 16000])
    return out


def test_channels_in_one_call_are_heard_exactly_as_alone() -> None:
    bench = _bench()
    vad = bench.BatchedVad(bench.batched_model_bytes())
    # unequal lengths; one longer than a call's 10,000 frames (state carried across calls)
    channels = _channels()
    ref = [bench.alone(c) for c in channels]
    assert any(float(r.max()) > 0.5 for r in ref), "the test audio must hold speech-like frames"
    for group in (channels, channels[:2], channels[::-1], [channels[1]]):
        got = vad(group)
        for c, probs in zip(group, got, strict=True):
            k = next(i for i, x in enumerate(channels) if x is c)
            assert np.array_equal(probs, ref[k]), f"channel {k} heard otherwise in a batch"


def test_the_batched_graph_is_the_same_model() -> None:
    bench = _bench()
    import faster_whisper
    import onnx
    from onnx import numpy_helper

    original = onnx.load(str(Path(faster_whisper.__file__).parent / "assets"
                             / "silero_vad_v6.onnx"))
    batched = onnx.load_from_string(bench.batched_model_bytes())
    weights = {i.name: numpy_helper.to_array(i) for i in batched.graph.initializer}
    for init in original.graph.initializer:
        assert np.array_equal(weights[init.name], numpy_helper.to_array(init)), init.name
