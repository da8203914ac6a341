"""The citizen-cue side (Article 10) on the blind-written citizen-turn corpora.

``benchmarks/data/citizen-turns-*`` hold single citizen turns, each with the staff
turn just before it (``before``, may be empty) and the Article 10 cue it carries:
``praise`` (owed thanks), ``suggestion`` (owed thanks and welcome supervision),
``upset`` (owed a patient explanation) or ``none`` (a look-alike, by ``family``).

No product function decides one turn alone, so each turn is put in the smallest real
interaction (:func:`frame`): the staff ``before`` turn (when there is one), the
citizen turn, a neutral staff reply (``嗯。``). The analyzer's own cue side then runs
on it (:func:`owed_kinds`): the lexicon's hits and the act detector's
(:func:`analyzer.text.match.find_phrases`, :func:`analyzer.rules.acts.act_hits`),
:func:`analyzer.rules.context.detect_cues` (lexicon cues, the cue model with its
owing bar, the words that confirm a cue, :data:`~analyzer.rules.context.CONCEPTS`),
then the test ``_replies_missing`` applies before it demands a reply: a kind of
:data:`~analyzer.rules.context.REPLY_CONTEXT`, :func:`~analyzer.rules.context.owing`,
and for ``upset`` not :func:`~analyzer.rules.context._calmed_before`. A turn "owes
kind K" when a cue of kind K on the citizen turn passes all of that.

Scored per cue (praise, suggestion, upset): precision and recall of "owes this
reply"; ``any``: a cue turn that owes some reply; and on ``none`` turns the
false-owe rate (any reply owed), per family. ``heard``: a cue of the kind was
detected at all, owing or not.

Which figures count: a corpus the cue model trains on
(:data:`analyzer.training.classifiers.build_data.TURN_CORPORA`: ``citizen-turns-1``)
is scored on its held-out part only: the turns whose rows
``analyzer.training.classifiers.train`` held out by turn (``test_phrasings`` of the
``cues`` block in the models' metadata, a seeded quarter of each label's turns). Its
wording was read while the cue side was built (a training set), so even that part is
no blind measure. A corpus the model never trained on is scored whole.
``citizen-turns-2`` is a measure written blind: only totals per cue and per-family
rates are printed, never a text.

Usage::

    .venv/bin/python benchmarks/cues.py [--out benchmarks/results/cues.json] [--corpus citizen-turns-2]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from page import run_with_page  # noqa: E402
from paraphrases import visit  # noqa: E402

from analyzer.options import AnalyzerOptions  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
#: The cues scored, and the label of a turn that owes nothing.
CUES: tuple[str, ...] = ("praise", "suggestion", "upset")
NONE = "none"
#: The staff reply after the citizen turn: says nothing, calms nothing.
REPLY = "嗯。"
#: Blind measure corpora: totals and per-family rates only.
BLIND: frozenset[str] = frozenset({"citizen-turns-2"})


def corpora() -> list[str]:
    """Every ``citizen-turns-*`` folder with an ``utterances.jsonl``, by name."""
    return sorted(p.parent.name for p in DATA.glob("citizen-turns-*/utterances.jsonl"))


def held_out(name: str) -> set[str] | None:
    """The ids of corpus ``name`` the shipped cue model held out, or None when it never trained
    on the corpus (every turn unseen)."""
    from analyzer.rules.learned import load_metadata, model_dir
    from analyzer.training.classifiers import build_data

    if name not in getattr(build_data, "TURN_CORPORA", ()):
        return None
    meta = load_metadata(str(model_dir())).get("cues", {})
    return {t.split(":", 1)[1] for t in meta.get("test_phrasings", []) if t.startswith(f"{name}:")}


def load(path: Path) -> list[dict[str, Any]]:
    """The turns of one corpus file (one JSON object a line)."""
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def frame(row: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The smallest interaction around one citizen turn, and the turn's index in it."""
    turns = [*([("staff", row["before"])] if row.get("before") else []),
             ("citizen", row["text"]), ("staff", REPLY)]
    record = visit(turns, row.get("channel", "counter"), str(row.get("id", "turn")))
    return record, len(turns) - 2


def owed_kinds(row: dict[str, Any], options: AnalyzerOptions, lexicon: Any
               ) -> tuple[set[str], set[str]]:
    """(kinds the analyzer holds the citizen turn owes a reply for, kinds heard at all)."""
    from analyzer.rules import context as C
    from analyzer.rules.acts import act_hits
    from analyzer.text.match import find_phrases
    from analyzer.text.transcript import parse_interaction

    record, at = frame(row)
    interaction = parse_interaction(record)
    hits = find_phrases(interaction.utterances, lexicon, options.match)
    hits = [*hits, *act_hits(interaction, hits, lexicon, options)]
    cues = [c for c in C.detect_cues(interaction, hits, options, lexicon) if c.utterance == at]
    calmed_before = getattr(C, "_calmed_before", None)  # absent from older trees
    owed = {c.kind for c in cues if c.kind in C.REPLY_CONTEXT and C.owing(c, options.context)
            and not (c.kind == "upset" and calmed_before is not None
                     and calmed_before(interaction.utterances, c))}
    return owed, {c.kind for c in cues}


def score(rows: Sequence[dict[str, Any]], owed: Sequence[set[str]],
          heard: Sequence[set[str]] | None = None) -> dict[str, Any]:
    """Counts per cue and per ``none`` family from each row's owed (and heard) kinds.

    Per cue K: ``n`` turns labelled K, ``tp`` of them owing K, ``fp`` turns of another label
    owing K, ``other`` of them owing some other cue but not K, ``heard`` of them with K
    detected; ``any``: cue turns owing any reply. Per ``none`` family: ``n`` and ``owed``
    (owing any reply of :data:`CUES`) and per cue how many owe it.
    """
    heard = heard if heard is not None else [set() for _ in rows]
    per: dict[str, dict[str, Any]] = {k: {"n": 0, "tp": 0, "fp": 0, "other": 0, "heard": 0}
                                      for k in CUES}
    anyc = {"n": 0, "owed": 0}
    fams: dict[str, dict[str, int]] = {}
    for row, kinds, seen in zip(rows, owed, heard, strict=True):
        label = row["cue"]
        kinds = kinds & set(CUES)
        for k in CUES:
            if k in kinds and label != k:
                per[k]["fp"] += 1
        if label in per:
            st = per[label]
            st["n"] += 1
            st["tp"] += int(label in kinds)
            st["other"] += int(bool(kinds) and label not in kinds)
            st["heard"] += int(label in seen)
            anyc["n"] += 1
            anyc["owed"] += int(bool(kinds))
        elif label == NONE:
            fam = fams.setdefault(row.get("family") or "?", {"n": 0, "owed": 0, **dict.fromkeys(CUES, 0)})
            fam["n"] += 1
            fam["owed"] += int(bool(kinds))
            for k in kinds:
                fam[k] += 1
    for st in per.values():
        st["precision"] = _ratio(st["tp"], st["tp"] + st["fp"])
        st["recall"] = _ratio(st["tp"], st["n"])
    none_n = sum(f["n"] for f in fams.values())
    none_owed = sum(f["owed"] for f in fams.values())
    return {"n": len(rows), "cues": per, "any": {**anyc, "recall": _ratio(anyc["owed"], anyc["n"])},
            "none": {"n": none_n, "owed": none_owed, "false_owe_rate": _ratio(none_owed, none_n),
                     "families": dict(sorted(fams.items()))}}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def measure(name: str, options: AnalyzerOptions, rows: Sequence[dict[str, Any]] | None = None,
            progress: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    """Run every turn of corpus ``name`` (or ``rows``) through the analyzer's cue side and score it."""
    from analyzer.pipeline.scoring import get_lexicon

    if rows is None:
        rows = load(DATA / name / "utterances.jsonl")
        held = held_out(name)
        if held is not None:
            rows = [r for r in rows if r["id"] in held]
    rows = list(rows)
    lexicon = get_lexicon(options)
    owed, heard = [], []
    for k, row in enumerate(rows):
        o, h = owed_kinds(row, options, lexicon)
        owed.append(o)
        heard.append(h)
        if k % 100 == 0:
            progress(f"{name}: {k}/{len(rows)}")
    return score(rows, owed, heard)


def _f(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def table(name: str, result: dict[str, Any]) -> list[str]:
    """The printed table of one corpus: per cue, ``any``, and the ``none`` families' rates."""
    if result.get("trained_on"):
        kind = (f"training set: its {result['n']} turns the cue model held out, of {result['total']}; "
                "the rest trained on")
    else:
        kind = f"{result['n']} turns, none trained on by this cue model"
    if name in BLIND:
        kind += "; blind measure: totals only"
    lines = [f"{name} ({kind})",
             f"{'cue':<12} {'n':>4} {'owes':>5} {'P':>5} {'R':>5} {'heard':>6} {'other':>6} {'FP':>4}"]
    for k in CUES:
        st = result["cues"][k]
        lines.append(f"{k:<12} {st['n']:>4} {st['tp']:>5} {_f(st['precision']):>5} {_f(st['recall']):>5} "
                     f"{_f(_ratio(st['heard'], st['n'])):>6} {st['other']:>6} {st['fp']:>4}")
    a = result["any"]
    lines.append(f"{'any cue':<12} {a['n']:>4} {a['owed']:>5} {'':>5} {_f(a['recall']):>5}")
    none = result["none"]
    lines.append(f"none: {none['owed']}/{none['n']} owe a reply (false-owe rate {_f(none['false_owe_rate'])})")
    lines.append(f"  {'family':<24} {'n':>4} {'owed':>5} {'rate':>5}  " + " ".join(f"{k:>10}" for k in CUES))
    for fam, st in sorted(none["families"].items(), key=lambda kv: (-kv[1]["owed"] / kv[1]["n"], kv[0])):
        lines.append(f"  {fam:<24} {st['n']:>4} {st['owed']:>5} {_f(_ratio(st['owed'], st['n'])):>5}  "
                     + " ".join(f"{st[k]:>10}" for k in CUES))
    return lines


def main(argv: Iterable[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "cues.json")
    ap.add_argument("--corpus", action="append", help="corpus name (default: every citizen-turns-*)")
    args = ap.parse_args(None if argv is None else list(argv))
    options = AnalyzerOptions()
    print("owes = turns of the cue that owe its reply; P/R of owing it; heard = the cue detected at all;\n"
          "other = turns of the cue owing only another cue's reply; FP = turns of other labels owing it\n")
    results = {}
    for name in args.corpus or corpora():
        result = measure(name, options, progress=lambda s: print(s, file=sys.stderr))
        result["total"] = len(load(DATA / name / "utterances.jsonl"))
        result["trained_on"] = held_out(name) is not None
        results[name] = result
        print("\n".join(table(name, result)))
        print()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out.relative_to(ROOT) if args.out.is_relative_to(ROOT) else args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(run_with_page("cues", "Citizen cues (Article 10) on the citizen-turn corpora", main))
