"""Per-article accuracy on labelled hall interactions, beside our own generated visits.

One command scores the whole analyzer (product defaults, typed transcripts)
the way ``../shared/data/dialogues-dev/README.md`` describes, on two sources
side by side:

* **independent**: labelled folders written by someone who never read our
  code (``--data``, repeatable; default ``../shared/data/dialogues-dev``,
  ``benchmarks/data/blind-halls`` and ``blind-halls-2`` to ``blind-halls-28``,
  all ``interactions.jsonl`` + ``labels.json``). The blind sets are ours, each
  written by a colleague blind to the rules, labels frozen before the
  analyzer first ran on them (their READMEs); their individual errors are
  printed only when asked (``--errors blind-halls-2``), so rule work is not
  steered by them;
* **ours**: visits from our own generators, in the same label format, so one
  scorer reads all: :mod:`benchmarks.hall_visits` (``ours-halls``: every staff
  act in a phrasing the act detector never trained on, citizens' words written
  for it alone, hard negatives, a quarter with recognition noise) and
  :mod:`benchmarks.dialogues` (``ours-dev``, ``ours-held-out``: the older
  lexicon-worded visits).

Scoring (per article of 5, 6, 7, 8, 9, 10, 16, 17, 18, 25):

* **recall**: a labelled breach with a ``quote`` is found when a finding of
  its article in that interaction has a time span overlapping the one
  utterance that contains the quote; an absence (``quote`` ``""``) is found
  by any finding of its article in the interaction;
* **precision over** ``clean_articles``: a finding of article *A* in an
  interaction listing *A* as clean is false; findings of articles in neither
  list are ignored; precision = findings that found a breach / (those +
  false ones);
* each finding counts for at most one labelled breach (a maximum matching per
  interaction and article); a finding without a time span can only match an
  absence.

Prints a table (precision / recall per article, both sources), the misses and
the false findings of the independent set (``--quiet`` for the table only),
and writes JSON (``benchmarks/results/articles.json``). The independent set is
a measure, never training data: nothing in the analyzer is fitted to it.

Usage::

    .venv/bin/python benchmarks/articles.py [--data DIR ...] [--halls 400] [--generated 300]
        [--out FILE] [--quiet]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

#: The articles the labels score.
ARTICLES: tuple[int, ...] = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "dialogues-dev"
#: Ours, each written blind to the rules (see their READMEs): errors hidden unless asked for.
BLIND_DATA: tuple[Path, ...] = tuple(ROOT / "benchmarks" / "data" / name for name in
                                     ("blind-halls", "blind-halls-2", "blind-halls-3",
                                      "blind-halls-4", "blind-halls-5", "blind-halls-6",
                                      "blind-halls-7", "blind-halls-8", "blind-halls-9",
                                      "blind-halls-10", "blind-halls-11", "blind-halls-12",
                                      "blind-halls-13", "blind-halls-14", "blind-halls-15",
                                      "blind-halls-16", "blind-halls-17",
                                      "blind-halls-18", "blind-halls-19", "blind-halls-20",
                                      "blind-halls-21", "blind-halls-22", "blind-halls-23",
                                      "blind-halls-24", "blind-halls-25", "blind-halls-26",
                                      "blind-halls-27", "blind-halls-28"))
OUT = ROOT / "benchmarks" / "results" / "articles.json"


@dataclass
class Labelled:
    """One interaction with its labels (the dev set's format)."""

    record: dict[str, Any]
    breaches: list[dict[str, Any]]
    clean: set[int]
    note: str = ""


@dataclass
class Tally:
    """Counts of one article (or all)."""

    labelled: int = 0
    found: int = 0  # labelled breaches found
    true_findings: int = 0  # findings that found a breach
    false_findings: int = 0  # findings in a clean article

    def precision(self) -> float | None:
        n = self.true_findings + self.false_findings
        return round(self.true_findings / n, 4) if n else None

    def recall(self) -> float | None:
        return round(self.found / self.labelled, 4) if self.labelled else None

    def add(self, other: Tally) -> None:
        self.labelled += other.labelled
        self.found += other.found
        self.true_findings += other.true_findings
        self.false_findings += other.false_findings

    def to_dict(self) -> dict[str, Any]:
        return {"labelled": self.labelled, "found": self.found,
                "true_findings": self.true_findings, "false_findings": self.false_findings,
                "precision": self.precision(), "recall": self.recall()}


@dataclass
class Result:
    """Scores of one source: per article, overall, and what went wrong."""

    name: str
    interactions: int
    articles: dict[int, Tally] = field(default_factory=lambda: {a: Tally() for a in ARTICLES})
    misses: list[dict[str, Any]] = field(default_factory=list)
    false: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def overall(self) -> Tally:
        total = Tally()
        for t in self.articles.values():
            total.add(t)
        return total

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "interactions": self.interactions,
                "seconds": round(self.seconds, 2),
                "per_article": {str(a): t.to_dict() for a, t in self.articles.items()},
                "overall": self.overall().to_dict(), "misses": self.misses,
                "false_findings": self.false}


def load_labelled(folder: Path) -> list[Labelled]:
    """Read ``interactions.jsonl`` and ``labels.json`` of a labelled folder (same order, same ids)."""
    with (folder / "interactions.jsonl").open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    labels = {lab["id"]: lab for lab in json.loads((folder / "labels.json").read_text("utf-8"))}
    out = []
    for rec in records:
        lab = labels[rec["id"]]
        out.append(Labelled(rec, list(lab["breaches"]), set(lab["clean_articles"]),
                            lab.get("note", "")))
    return out


def quote_span(record: dict[str, Any], quote: str) -> tuple[float, float] | None:
    """The time span of the one utterance containing ``quote`` (None for an absence)."""
    if not quote:
        return None
    spans = [(u["start"], u["end"]) for u in record["utterances"] if quote in u["text"]]
    if len(spans) != 1:
        raise ValueError(f"{record['id']}: quote {quote!r} is in {len(spans)} utterances")
    return spans[0]


def _span(record: dict[str, Any], breach: dict[str, Any]) -> tuple[float, float] | None:
    """The span of a breach: its ``utterance`` index when given (generated labels), else its quote."""
    index = breach.get("utterance")
    if index is not None:
        u = record["utterances"][index]
        return (u["start"], u["end"])
    return quote_span(record, breach["quote"])


def _overlaps(f: dict[str, Any], span: tuple[float, float]) -> bool:
    if f.get("start") is None or f.get("end") is None:
        return False
    a, b = span
    # a point finding (start == end) inside the utterance overlaps it too
    return f["start"] <= b and a <= f["end"] and (f["start"] < b or a < f["end"] or a == b)


def _match(breaches: Sequence[tuple[float, float] | None],
           findings: Sequence[dict[str, Any]]) -> tuple[set[int], set[int]]:
    """Maximum matching of breaches to findings (each finding at most one breach).

    Returns:
        Indices of the matched breaches and of the matched findings.
    """
    can = [[j for j, f in enumerate(findings) if span is None or _overlaps(f, span)]
           for span in breaches]
    owner: dict[int, int] = {}

    def augment(i: int, seen: set[int]) -> bool:
        for j in can[i]:
            if j in seen:
                continue
            seen.add(j)
            if j not in owner or augment(owner[j], seen):
                owner[j] = i
                return True
        return False

    # breaches with a quote first: an absence can take any finding left over
    for i in sorted(range(len(breaches)), key=lambda i: breaches[i] is None):
        augment(i, set())
    return set(owner.values()), set(owner)


def score_one(item: Labelled, findings: Sequence[dict[str, Any]], result: Result) -> None:
    """Add one interaction's findings to ``result`` (see the module docstring)."""
    rid = item.record["id"]
    for article in ARTICLES:
        mine = [f for f in findings if f["article"] == article]
        labelled = [b for b in item.breaches if b["article"] == article]
        spans = [_span(item.record, b) for b in labelled]
        got_b, got_f = _match(spans, mine)
        t = result.articles[article]
        t.labelled += len(labelled)
        t.found += len(got_b)
        t.true_findings += len(got_f)
        if article in item.clean:
            t.false_findings += len(mine)
            result.false += [{"id": rid, "article": article, "rule": f["rule"],
                              "evidence": f["evidence"], "start": f.get("start"),
                              "end": f.get("end")} for f in mine]
        result.misses += [{"id": rid, "article": article, "duty": b["duty"], "quote": b["quote"]}
                          for i, b in enumerate(labelled) if i not in got_b]


#: Options every record is analysed with (``--set KEY=VALUE``; default: product defaults).
OPTIONS: list[Any] = [None]


def findings_of(record: dict[str, Any]) -> list[dict[str, Any]]:
    """The analyzer's findings on one record (product defaults or ``--set``), as plain dicts."""
    import analyzer

    report = analyzer.analyze(dict(record), OPTIONS[0])
    return [{"rule": f.rule, "article": f.article, "start": f.start, "end": f.end,
             "evidence": f.evidence, "confidence": f.confidence} for f in report.findings]


def evaluate(name: str, items: Iterable[Labelled]) -> Result:
    """Run the analyzer on every labelled interaction and score it."""
    items = list(items)
    result = Result(name, len(items))
    t0 = time.perf_counter()
    for item in items:
        score_one(item, findings_of(item.record), result)
    result.seconds = time.perf_counter() - t0
    return result


def generated(count: int, split: str) -> list[Labelled]:
    """Our generator's visits as labelled interactions (see :func:`benchmarks.dialogues.labels_of`)."""
    from benchmarks.dialogues import generate, labels_of

    out = []
    for v in generate(count, split):
        lab = labels_of(v)
        out.append(Labelled(v.record, lab["breaches"], set(lab["clean_articles"])))
    return out


def halls(count: int, seed: int = 5) -> list[Labelled]:
    """Visits of :mod:`benchmarks.hall_visits` as labelled interactions."""
    from benchmarks.hall_visits import generate as generate_halls

    out = []
    for v in generate_halls(count, seed):
        lab = v.labels()
        out.append(Labelled(v.record, lab["breaches"], set(lab["clean_articles"])))
    return out


def _fmt(x: float | None) -> str:
    return "   -" if x is None else f"{x:.2f}"


def print_table(results: Sequence[Result]) -> None:
    """Precision / recall per article, one column pair per source."""
    head = f"{'article':<8}" + "".join(f" | {r.name[:22]:>22}" for r in results)
    print(head)
    print(f"{'':<8}" + "".join(f" | {'n':>4} {'P':>5} {'R':>5} {'fp':>4}" for _ in results))
    rows: list[tuple[str, list[Tally]]] = [(str(a), [r.articles[a] for r in results])
                                           for a in ARTICLES]
    rows.append(("all", [r.overall() for r in results]))
    for label, tallies in rows:
        print(f"{label:<8}" + "".join(
            f" | {t.labelled:>4} {_fmt(t.precision()):>5} {_fmt(t.recall()):>5} "
            f"{t.false_findings:>4}" for t in tallies))


def print_errors(result: Result) -> None:
    """The misses and false findings of one source, by article."""
    print(f"\n-- {result.name}: {len(result.misses)} missed breaches")
    for m in sorted(result.misses, key=lambda m: (m["article"], m["id"])):
        print(f"  miss  A{m['article']:<3} {m['id']}  {m['duty'][:70]}"
              + (f"  «{m['quote']}»" if m["quote"] else ""))
    print(f"-- {result.name}: {len(result.false)} false findings")
    for f in sorted(result.false, key=lambda f: (f["article"], f["id"])):
        print(f"  false A{f['article']:<3} {f['id']}  {f['rule']}: {str(f['evidence'])[:90]}")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, action="append", default=None,
                    help="labelled folder (interactions.jsonl + labels.json); repeatable "
                         "(default: dialogues-dev and the twelve blind-halls sets)")
    ap.add_argument("--generated", type=int, default=300, metavar="N",
                    help="generated visits per split of benchmarks/dialogues.py (0: none)")
    ap.add_argument("--halls", type=int, default=400, metavar="N",
                    help="generated interactions of benchmarks/hall_visits.py (0: none)")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--quiet", action="store_true", help="the table only")
    ap.add_argument("--errors", metavar="NAMES", default=None,
                    help="comma-separated sources whose misses and false findings to print "
                         "(default: all but the blind sets; e.g. ours-halls to keep the independent set's "
                         "individual errors out of sight while working on the rules)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="an analyzer option, as the command line's --set (e.g. judge.enabled=true)")
    args = ap.parse_args(argv)
    if args.set:
        from analyzer.cli.overrides import parse_override
        from analyzer.options import AnalyzerOptions

        opts = AnalyzerOptions()
        OPTIONS[0] = opts.with_overrides(dict(parse_override(opts, item) for item in args.set))
    results = []
    for data in args.data or [DEFAULT_DATA, *BLIND_DATA]:
        if (data / "labels.json").is_file():
            results.append(evaluate(data.name, load_labelled(data)))
        else:
            print(f"no labelled data at {data}: that set skipped", file=sys.stderr)
    if args.halls:
        results.append(evaluate("ours-halls", halls(args.halls)))
    if args.generated:
        for split in ("dev", "held-out"):
            results.append(evaluate(f"ours-{split}", generated(args.generated, split)))
    if not results:
        return 1
    print_table(results)
    if not args.quiet:
        shown = ({r.name for r in results} - {d.name for d in BLIND_DATA} if args.errors is None
                 else set(args.errors.split(",")))
        for r in results:
            if r.name in shown:
                print_errors(r)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"sources": [r.to_dict() for r in results],
                                    "counts": dict(Counter(r.name for r in results))},
                                   ensure_ascii=False, indent=1), encoding="utf-8")
    print(f"\nwrote {args.out}")
    return 0


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("articles", "Per-article accuracy on hall conversations", main))
