"""Lexicon matching accuracy on the labelled phrase set, and rule accuracy on whole visits.

Runs :func:`analyzer.text.match.find_phrases` on every case of
``tests/data/labelled_phrases.jsonl`` (verbatim, garbled/homophone,
traditional, unpunctuated, split, slot, role, trap, multi-breach cases, each
with the rule ids a person expects) and reports precision and recall per
rule kind (forbidden, required, cue) and per case category.

Counting is over (case, rule id) pairs: a rule expected and found is a true
positive, found but not expected a false positive, expected but not found a
false negative.

``--dialogues N`` instead runs the whole analyzer (``analyzer.analyze``, the
product's defaults, learned classifiers on) on N generated visits of
:mod:`benchmarks.dialogues` per split and reports precision and recall per
rule, per finding kind and for all owed-phrase (``missing``) findings. The
held-out split uses phrasings and seeds the dev split never saw; nothing is
fitted on either.

``--voice N`` speaks N held-out visits with the natural voice (clerk
jf_alpha on channel 0, citizen jm_kumo on channel 1, stereo WAV, each turn at
its own length, overlaps kept) and scores the audio path the same way
(needs the ``bench`` extra: run it with ``.venv-bench/bin/python``).

Usage::

    .venv/bin/python benchmarks/accuracy.py [--data FILE] [--out FILE] [--errors]
    .venv/bin/python benchmarks/accuracy.py --dialogues 300 [--errors]
    .venv-bench/bin/python benchmarks/accuracy.py --voice 40 [--errors]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks"), str(ROOT / "tests")]

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


#: Findings of rules the generated visits do not model (their truth is unknown): counted, not scored.
UNSCORED = ("A6-UNCIVIL", "A6-RATE", "A6-SHOUT")


def evaluate_dialogues(count: int, split: str, voice_dir: Path | None = None) -> dict[str, Any]:
    """Run the analyzer on ``count`` generated visits of ``split``; P/R per rule and kind.

    With ``voice_dir``, each visit is spoken (:func:`speak_visit`) into that
    folder and the recording is analysed instead of the typed transcript.
    """
    import analyzer
    from benchmarks.dialogues import generate

    lexicon = load_lexicon()
    per_rule: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    unscored: Counter = Counter()
    errors = []
    kind_of: dict[str, str] = {}
    for v in generate(count, split):
        source: Any = v.record if voice_dir is None else speak_visit(v.record, voice_dir)
        report = analyzer.analyze(source)
        found = Counter(f.rule for f in report.findings if f.rule not in UNSCORED)
        unscored.update(f.rule for f in report.findings if f.rule in UNSCORED)
        kind_of.update({f.rule: f.kind for f in report.findings})
        for rid in set(found) | set(v.expected):
            tp = min(found[rid], v.expected[rid])
            per_rule[rid]["tp"] += tp
            per_rule[rid]["fp"] += found[rid] - tp
            per_rule[rid]["fn"] += v.expected[rid] - tp
        if found != v.expected:
            errors.append({"id": v.record["id"], "episodes": v.episodes,
                           "missing": sorted((v.expected - found).elements()),
                           "extra": sorted((found - v.expected).elements()),
                           "text": " / ".join(f"{u['speaker'][0]}:{u['text']}"
                                              for u in v.record["utterances"])})
    for rid in per_rule:
        kind_of.setdefault(rid, _kind_of(lexicon, rid))
    by_kind: dict[str, dict[str, int]] = defaultdict(lambda: {"tp": 0, "fp": 0, "fn": 0})
    for rid, row in per_rule.items():
        for k in row:
            by_kind[kind_of[rid]][k] += row[k]
    return {"split": split, "visits": count, "lexicon": lexicon.version,
            "by_rule": _table(per_rule), "by_kind": _table(by_kind),
            "unscored": dict(unscored), "errors": errors}


def speak_visit(record: dict[str, Any], folder: Path) -> Path:
    """A stereo WAV (clerk channel 0, citizen channel 1) of a generated visit, with its sidecar.

    Turns keep their order and the typed gaps between them; each lasts as long
    as the voice takes to say it. A turn that overlapped the previous one in
    the typed visit (a cut-in) starts as far into it as it did there.
    """
    import audio_factory as af
    import natural_voice as nv

    path = folder / f"{record['id']}.wav"
    if not path.is_file():
        tracks: dict[str, list[tuple[float, Any]]] = {"staff": [], "citizen": []}
        t = prev_typed_start = prev_typed_end = prev_start = 0.0
        for u in record["utterances"]:
            x = af.set_level(nv.speak(u["text"], "jf_alpha" if u["speaker"] == "staff"
                                      else "jm_kumo").copy(), -20.0)
            if u["start"] < prev_typed_end:  # overlapped the previous turn
                start = prev_start + (u["start"] - prev_typed_start)
            else:
                start = t + (u["start"] - prev_typed_end if prev_typed_end else 0.5)
            tracks[u["speaker"]].append((start, x))
            prev_typed_start, prev_typed_end, prev_start = u["start"], u["end"], start
            t = max(t, start + x.size / af.SR)
        seconds = t + 2.0
        af.write_wav(path, af.stereo(af.place(tracks["staff"], seconds),
                                     af.place(tracks["citizen"], seconds)))
        meta = {k: v for k, v in record.items() if k not in ("utterances", "duration", "id")}
        path.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False),
                                             encoding="utf-8")
    return path


def _kind_of(lexicon: Lexicon, rid: str) -> str:
    """The finding kind a rule (or owed group) gives."""
    for rule in lexicon.rules:
        if rule.id == rid or rule.group == rid:
            return "missing" if rule.kind == "required" else rule.kind
    return "other"


def _table(src: dict[str, dict[str, int]]) -> dict[str, dict[str, Any]]:
    return {k: {**v, "precision": _ratio(v["tp"], v["tp"] + v["fp"]),
                "recall": _ratio(v["tp"], v["tp"] + v["fn"])} for k, v in sorted(src.items())}


def _print_table(title: str, rows: dict[str, dict[str, Any]]) -> None:
    print(f"\n{title:<16} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>10} {'recall':>8}")
    for name, row in rows.items():
        print(f"{name:<16} {row['tp']:>4} {row['fp']:>4} {row['fn']:>4} "
              f"{row['precision']:>10.3f} {row['recall']:>8.3f}")


def dialogues_main(count: int, out: Path, show_errors: bool, voice: bool = False) -> int:
    """The ``--dialogues`` run (both splits) or ``--voice`` run (held-out, spoken), JSON to ``out``."""
    results = {}
    folder = None
    if voice:
        folder = ROOT / "benchmarks" / "results" / "dialogue-audio"
        folder.mkdir(parents=True, exist_ok=True)
    for split in ("held-out",) if voice else ("dev", "held-out"):
        r = evaluate_dialogues(count, split, folder)
        results[split] = r
        print(f"\n== {split}: {r['visits']} generated visits  lexicon {r['lexicon']}")
        _print_table("rule", r["by_rule"])
        _print_table("kind", r["by_kind"])
        print(f"not scored (no truth in the generator): {r['unscored']}")
        if show_errors:
            for e in r["errors"]:
                print(f"{e['id']} {e['episodes']}: missing {e['missing']} extra {e['extra']}"
                      f"\n    {e['text']}")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"\nwrote {out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--errors", action="store_true", help="print every mismatching case")
    ap.add_argument("--dialogues", type=int, default=0, metavar="N",
                    help="score the rules on N generated whole visits per split instead")
    ap.add_argument("--voice", type=int, default=0, metavar="N",
                    help="score the audio path on N held-out visits spoken by the natural voice")
    args = ap.parse_args(argv)
    if args.dialogues or args.voice:
        name = "dialogues-voice.json" if args.voice else "dialogues.json"
        return dialogues_main(args.voice or args.dialogues, args.out or OUT.with_name(name),
                              args.errors, voice=bool(args.voice))
    args.out = args.out or OUT
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
    from page import run_with_page

    sys.exit(run_with_page("accuracy", "Matching and rule accuracy", main))
