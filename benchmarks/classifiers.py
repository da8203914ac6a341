"""Learned classifiers: precision/recall and per-utterance cost.

Scores the shipped ONNX models (through :func:`analyzer.rules.learned.classify`, the
run-time path, at the :class:`~analyzer.options.ClassifierOptions` thresholds)
on:

* ``held-out``: the variants of the phrasings the training held out;
* ``paraphrases``: the separately written paraphrase sets;
* ``paraphrases+asr``: the same paraphrases with seeded recognition errors
  (homophones, traditional characters, dropped punctuation/particles);
* ``lexicon-cases`` (uncivil only): the single staff utterances of the
  matcher's labelled cases, written by another engineer (uncivil vs civil
  only).

and times one utterance through scikit-learn (the same pipeline refitted from
the training split) and through onnxruntime: model only, end to end (normalize
+ model, as the analyzer calls it), and cold start (fresh interpreter: import,
load, first prediction).

Usage::

    .venv/bin/python benchmarks/classifiers.py [--out FILE] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzer.options import ClassifierOptions  # noqa: E402
from analyzer.rules import learned  # noqa: E402
from analyzer.text.normalize import normalize  # noqa: E402
from analyzer.training.classifiers import build_data, train  # noqa: E402

OUT = ROOT / "benchmarks" / "results" / "classifiers.json"
LEXICON_CASES = ROOT / "tests" / "data" / "labelled_phrases.jsonl"


def _sets(task: str, meta: dict[str, Any]) -> dict[str, tuple[list[str], list[str]]]:
    held = set(meta["test_phrasings"])
    rows = [r for r in train.load_rows(train.DATA_DIR / f"{task}.jsonl") if r["template"] in held]
    para = train.load_rows(train.DATA_DIR / f"{task}_paraphrases.jsonl")
    noisy = [build_data.recognition_noise(r["text"], random.Random(f"bench:{r['id']}"))[0] for r in para]
    sets = {
        "held-out": ([r["text"] for r in rows], [r["label"] for r in rows]),
        "paraphrases": ([r["text"] for r in para], [r["label"] for r in para]),
        "paraphrases+asr": (noisy, [r["label"] for r in para]),
    }
    if task == "uncivil" and LEXICON_CASES.is_file():
        sets["lexicon-cases"] = lexicon_cases()
    return sets


def lexicon_cases() -> tuple[list[str], list[str]]:
    """Single staff utterances of the matcher's labelled cases, as civil/uncivil.

    ``tests/data/labelled_phrases.jsonl`` was written by the lexicon's owner
    for the matcher, not for this model: verbatim, garbled, traditional and
    unpunctuated forbidden sentences, and "trap" sentences that reuse their
    words innocently. A case expecting a forbidden rule is uncivil (labelled
    ``inflaming`` here: only uncivil-vs-civil is meaningful); one expecting
    nothing or only required phrases is civil.
    """
    texts, labels = [], []
    for case in train.load_rows(LEXICON_CASES):
        if len(case["utterances"]) != 1 or case["utterances"][0]["speaker"] != "staff":
            continue
        expected = case["expected"]
        if any("-F-" in e for e in expected):
            labels.append("inflaming")
        elif all("-R-" in e for e in expected):
            labels.append("civil")
        else:
            continue
        texts.append(case["utterances"][0]["text"])
    return texts, labels


def accuracy(task: str, meta: dict[str, Any], threshold: float) -> dict[str, Any]:
    """Per-class and uncivil-vs-civil P/R/F1 of the shipped model on each set."""
    import numpy as np

    out = {}
    for name, (texts, truth) in _sets(task, meta).items():
        preds = learned.classify(texts, task)
        probs = np.array([[p.probabilities[lab] for lab in meta["labels"]] for p in preds])
        out[name] = train.evaluate(task, meta["labels"], probs, truth, threshold)
    return out


def _cold_start(code: str) -> float:
    t0 = time.perf_counter()
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT, capture_output=True)
    return round(time.perf_counter() - t0, 3)


def cost(task: str, meta: dict[str, Any], repeat: int) -> dict[str, Any]:
    """Median microseconds per utterance, scikit-learn vs onnxruntime."""
    rows = train.load_rows(train.DATA_DIR / f"{task}.jsonl")
    held = set(meta["test_phrasings"])
    tr = [r for r in rows if r["template"] not in held]
    pipe = train.make_pipeline(meta["C"]).fit([normalize(r["text"]) for r in tr], [r["label"] for r in tr])
    raw = [r["text"] for r in rows if r["template"] in held][:300]
    prepared = [normalize(t) for t in raw]
    session = learned._session(str(learned.model_dir() / meta["file"]))
    with tempfile.TemporaryDirectory() as tmp:
        pkl = Path(tmp) / "pipe.pkl"
        pkl.write_bytes(pickle.dumps(pipe))
        sk_cold = _cold_start(
            "import pickle; from analyzer.text.normalize import normalize; "
            f"p = pickle.loads(open({str(pkl)!r}, 'rb').read()); p.predict_proba([normalize('你好')])")
    ox_cold = _cold_start(f"from analyzer.rules import learned; learned.classify(['你好'], {task!r})")
    t0 = time.perf_counter()
    learned.classify(raw, task)
    batch = (time.perf_counter() - t0) / len(raw)
    return {
        "sklearn_model_us": train.median_us(lambda t: pipe.predict_proba([t]), prepared, repeat),
        "onnx_model_us": train.median_us(lambda t: train.onnx_probs(session, [t]), prepared, repeat),
        "sklearn_end_to_end_us": train.median_us(lambda t: pipe.predict_proba([normalize(t)]), raw, repeat),
        "onnx_end_to_end_us": train.median_us(lambda t: learned.classify([t], task), raw, repeat),
        "onnx_batch_us_per_utterance": round(batch * 1e6, 1),
        "sklearn_cold_start_s": sk_cold,
        "onnx_cold_start_s": ox_cold,
        "utterances": len(raw),
        "repeat": repeat,
    }


def table(results: dict[str, Any]) -> str:
    """The results as a plain-text table."""
    lines = []
    for task, res in results["tasks"].items():
        lines.append(f"== {task} (threshold {res['threshold']}, model {res['model']})")
        lines.append(f"{'set':<16} {'class':<22} {'P':>6} {'R':>6} {'F1':>6} {'n':>5}")
        for name, m in res["accuracy"].items():
            if "uncivil" in m:
                u = m["uncivil"]
                lines.append(f"{name:<16} {'UNCIVIL (any)':<22} {u['precision']:>6.3f} "
                             f"{u['recall']:>6.3f} {u['f1']:>6.3f} {u['support']:>5}")
            for lab, pc in m["per_class"].items():
                if name == "lexicon-cases":
                    break
                lines.append(f"{name:<16} {lab:<22} {pc['precision']:>6.3f} {pc['recall']:>6.3f} "
                             f"{pc['f1']:>6.3f} {pc['support']:>5}")
        c = res["cost"]
        lines.append(f"cost/utterance  model: sklearn {c['sklearn_model_us']} us | onnxruntime {c['onnx_model_us']} us")
        lines.append(f"         end to end: sklearn {c['sklearn_end_to_end_us']} us | onnxruntime "
                     f"{c['onnx_end_to_end_us']} us (batched {c['onnx_batch_us_per_utterance']} us)")
        lines.append(f"        cold start: sklearn {c['sklearn_cold_start_s']} s | onnxruntime {c['onnx_cold_start_s']} s")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark, print the table, write the JSON."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--repeat", type=int, default=3, help="timing passes over the utterances")
    args = ap.parse_args(argv)
    from threadpoolctl import threadpool_limits

    meta = learned.load_metadata(str(learned.model_dir()))
    opts = ClassifierOptions()
    results: dict[str, Any] = {
        "machine": {"cpus": os.cpu_count(), "loadavg_before": [round(x, 2) for x in os.getloadavg()]},
        "tasks": {},
    }
    with threadpool_limits(limits=1):
        for task in train.TASKS:
            thr = opts.uncivil_threshold if task == "uncivil" else opts.cue_threshold
            results["tasks"][task] = {
                "threshold": thr, "model": meta[task]["model_id"],
                "accuracy": accuracy(task, meta[task], thr),
                "cost": cost(task, meta[task], args.repeat),
            }
    results["machine"]["loadavg_after"] = [round(x, 2) for x in os.getloadavg()]
    print(table(results))
    print(f"machine: {results['machine']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("classifiers", "Learned detectors", main))
