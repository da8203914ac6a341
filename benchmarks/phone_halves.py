"""Where does int8 lose to float32 on telephone lines: the encoder or the decoder?

On every clip of the real sets as a telephone line (``cer.py``'s 300-3400 Hz,
8 kHz, G.711 mu-law versions), each clip is heard as ``conduct analyze`` hears
it (:func:`analyzer.speech.recording.hear` then
:func:`~analyzer.speech.recording.conclude`: the engine, its VAD, packing,
verification and attribution) four ways, the compute type of each half of
Whisper set apart:

* ``int8``: the product's default (``asr.compute_type=int8_float32`` for both);
* ``f32 encoder``: the encoder float32, the decoder and alignment int8;
* ``f32 decoder``: the encoder int8, the decoder and alignment float32;
* ``float32``: both (``asr.phone_compute_type=float32``, the library's hearing).

The product has no option for a split: the two halves are two loaded models,
the encoder's output (float32 in both) handed from one to the other
(``PackedRecognizer._encode`` given the other model here, as a measurement).
Per set and pooled: CER as written (:func:`analyzer.text.evaluation.char_error_rate`)
and the CPU seconds of hearing (models loaded beforehand, so not counted).

    .venv/bin/python benchmarks/phone_halves.py [--sets real-speech,...] [--limit N]
        [--configs int8,f32-encoder,f32-decoder,float32]

Prints a table and writes ``benchmarks/results/phone-halves.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent), str(HERE)]

import cer  # noqa: E402

#: config -> (encoder compute type, decoder compute type)
CONFIGS = {"int8": ("int8_float32", "int8_float32"),
           "f32-encoder": ("float32", "int8_float32"),
           "f32-decoder": ("int8_float32", "float32"),
           "float32": ("float32", "float32")}


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


@contextmanager
def encoder_of(model: Any) -> Iterator[None]:
    """Bins encoded by ``model`` (decoded and aligned by the engine's own)."""
    from analyzer.speech import packing

    own = packing.PackedRecognizer._encode

    def encode(self: Any, feats: Any) -> Any:
        held, self.model = self.model, model
        try:
            return own(self, feats)
        finally:
            self.model = held

    packing.PackedRecognizer._encode = encode  # type: ignore[method-assign]
    try:
        yield
    finally:
        packing.PackedRecognizer._encode = own  # type: ignore[method-assign]


def hear_all(clips: list[cer.Clip], config: str) -> tuple[dict[str, str], float]:
    """Each clip's analyzed text under ``config``, and the CPU seconds of hearing them."""
    from analyzer.options import AnalyzerOptions
    from analyzer.speech.asr import get_model
    from analyzer.speech.decode import decode_audio
    from analyzer.speech.meta import CallMeta
    from analyzer.speech.recording import conclude, hear

    enc, dec = CONFIGS[config]
    base = AnalyzerOptions()
    opts = replace(base, asr=replace(base.asr, phone_compute_type=dec))
    get_model(replace(opts.asr, compute_type=dec))
    texts, spent = {}, 0.0
    with encoder_of(get_model(replace(opts.asr, compute_type=enc))):
        for clip in clips:
            path = cer.audio_path(clip, "phone")
            audio = decode_audio(path)
            t0 = _cpu()
            heard = hear(path, opts, CallMeta(where=str(path)), audio, None)
            spent += _cpu() - t0
            done = conclude(heard, opts, source=path, asr_info=None)
            texts[clip.path.name] = "".join(u.text for u in done.interaction.utterances)
    return texts, spent


def main() -> None:
    from analyzer.text.evaluation import char_error_rate

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default=",".join(cer.SETS))
    ap.add_argument("--configs", default=",".join(CONFIGS))
    ap.add_argument("--limit", type=int, default=None, help="the first N clips of each set")
    args = ap.parse_args()
    sets = {name: cer.load_set(name, args.limit) for name in args.sets.split(",")}
    configs = args.configs.split(",")
    load0 = os.getloadavg()
    rows: dict[str, dict[str, Any]] = {}
    for config in configs:
        for name, clips in sets.items():
            texts, spent = hear_all(clips, config)
            pairs = [(c.reference, texts[c.path.name]) for c in clips]
            rows.setdefault(config, {})[name] = {
                "cer": round(char_error_rate(pairs), 4), "cpu_s": round(spent, 1),
                "pairs": pairs}
    print(f"{sum(len(c) for c in sets.values())} phone clips; CER as written (CPU s of hearing)\n")
    print("| config | " + " | ".join(sets) + " | pooled |")
    print("|---" * (len(sets) + 2) + "|")
    for config in configs:
        got = rows[config]
        pooled = char_error_rate([p for r in got.values() for p in r["pairs"]])
        cpu = sum(r["cpu_s"] for r in got.values())
        print(f"| {config} | " + " | ".join(f"{got[s]['cer']:.4f} ({got[s]['cpu_s']:.0f})"
                                          for s in sets)
              + f" | **{pooled:.4f}** ({cpu:.0f}) |")
    print(f"\nload average at start {load0}, at end {os.getloadavg()}")
    out = HERE / "results" / "phone-halves.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps({"load": [load0, os.getloadavg()], "configs": CONFIGS,
                               "rows": rows}, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("phone_halves", "Phone lines: int8 or float32, half by half", main))
