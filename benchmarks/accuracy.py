"""Lexicon matching accuracy on the labelled phrase set.

Runs :func:`analyzer.text.match.find_phrases` on every case of
``tests/data/labelled_phrases.jsonl`` (verbatim, garbled/homophone,
traditional, unpunctuated, split, slot, role, trap, multi-breach cases, each
with the rule ids a person expects) and reports precision and recall per
rule kind (forbidden, required, cue) and per case category.

Counting is over (case, rule id) pairs: a rule expected and found is a true
positive, found but not expected a false positive, expected but not found a
false negative.

Usage::

    .venv/bin/python benchmarks/accuracy.py [--data FILE] [--out FILE] [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzer.options import MatchOptions  # noqa: E402
from analyzer.text.lexicon import Lexicon, load_lexicon  # noqa: E402
from analyzer.text.match import find_phrases  # noqa: E402
from analyzer.types import Utterance  # noqa: E402

DATA = ROOT / "tests" / "data" / "labelled_phrases.jsonl"
OUT = ROOT / "benchmarks" / "results" / "accuracy.json"
KINDS = ("forbidden", "required", "cue")


def load_cases(path: Path = DATA) -> list[dict[str, Any]]:
    """Read the labelled cases (one JSON object per line)."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def _ratio(a: int, b: int) -> float:
    return round(a / b, 4) if b else 1.0


def evaluate(
    cases: list[dict[str, Any]], lexicon: Lexicon, options: MatchOptions | None = None
) -> dict[str, Any]:
    """Score the matcher on ``cases``.

    Returns:
        ``{"by_kind": {kind: {tp, fp, fn, precision, recall}}, "by_category":
        {...}, "errors": [{id, missing, extra}], "cases": n}``.
    """
    counts: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    by_cat: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    errors = []
    for case in cases:
        utts = [
            Utterance(u["speaker"], u["start"], u["end"], u["text"]) for u in case["utterances"]
        ]
        found = {h.rule.id for h in find_phrases(utts, lexicon, options)}
        expected = set(case["expected"])
        for rid in found | expected:
            kind = lexicon.get(rid).kind
            key = "tp" if rid in found and rid in expected else ("fp" if rid in found else "fn")
            counts[kind][key] += 1
            by_cat[case["category"]][key] += 1
        if found != expected:
            errors.append(
                {
                    "id": case["id"],
                    "text": " / ".join(u.text for u in utts),
                    "missing": sorted(expected - found),
                    "extra": sorted(found - expected),
                }
            )

    def table(src: dict[str, dict[str, int]]) -> dict[str, dict[str, Any]]:
        return {
            k: {
                **v,
                "precision": _ratio(v["tp"], v["tp"] + v["fp"]),
                "recall": _ratio(v["tp"], v["tp"] + v["fn"]),
            }
            for k, v in sorted(src.items())
        }

    return {
        "cases": len(cases),
        "lexicon": lexicon.version,
        "by_kind": table(counts),
        "by_category": table(by_cat),
        "errors": errors,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--errors", action="store_true", help="print every mismatching case")
    args = ap.parse_args(argv)
    result = evaluate(load_cases(args.data), load_lexicon())
    print(f"labelled cases: {result['cases']}  lexicon: {result['lexicon']}")
    for title, key in (("kind", "by_kind"), ("category", "by_category")):
        print(f"\n{title:<12} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
        for name, row in result[key].items():
            print(
                f"{name:<12} {row['tp']:>4} {row['fp']:>4} {row['fn']:>4} "
                f"{row['precision']:>10.3f} {row['recall']:>8.3f}"
            )
    if args.errors:
        for e in result["errors"]:
            print(f"{e['id']}: missing {e['missing']} extra {e['extra']}  {e['text']}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
