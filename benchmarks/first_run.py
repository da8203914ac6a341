"""Record each training set's FIRST-RUN findings: what the rules filed before anyone fixed them on it.

Once the rules are fixed on a set, its false findings are gone; the false findings that
matter are the ones rules make on wording they were not fixed from. Each training set's
README names the commit of ``main`` its writer first ran the analyzer on
(:data:`FIRST_RUNS`). For each, this script extracts that commit with ``git archive``
into a scratch folder (no worktree is touched), runs ``benchmarks/helpers/first_run_dump.py``
there with this interpreter and the old tree first on ``PYTHONPATH`` (rules only: the
judge off where the commit has one), and labels every finding against the set's
``labels.json`` exactly as :mod:`benchmarks.articles` scores (:func:`label_findings`):
``true`` when the maximum matching of that interaction and article pairs it with a
labelled breach, ``false`` when its article is listed clean, ``null`` otherwise (an
article neither breached nor clean, an article outside the ten scored, or a surplus
finding in a breached article). The result is
``benchmarks/data/<set>/first-run.json``, with the commit and the command in it.

Usage (from the repository root)::

    .venv/bin/python benchmarks/first_run.py [--sets train-halls-15,...] [--work /tmp/first-run]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from articles import ARTICLES, _match, _span  # noqa: E402

DATA = ROOT / "benchmarks" / "data"
#: Set -> (commit of its first run as its README states it, the ids that run scored or None: all).
#: train-halls-2 and -5 … -8 record no first-run commit and are not done.
FIRST_RUNS: dict[str, tuple[str, tuple[str, ...] | None]] = {
    "train-halls-1": ("ab2db38", tuple(f"t1-{k:04d}" for k in range(1, 51))),
    "train-halls-3": ("ab2db38", tuple(f"t3-{k:04d}" for k in range(1, 51))),
    "train-halls-4": ("ab2db38", tuple(f"t4-{k:04d}" for k in range(1, 51))),
    "train-halls-9": ("5f8d697", None),
    "train-halls-10": ("1d288ba", None),
    "train-halls-11": ("cc5e452", None),
    "train-halls-12": ("cc5e452", None),
    "train-halls-13": ("f687b62", None),
    "train-halls-14": ("f687b62", None),
    "train-halls-15": ("1166690", None),
    "train-halls-16": ("fdc7eb2", None),
    "train-halls-17": ("fdc7eb2", None),
    "train-halls-18": ("1a474b1", None),
    "train-halls-19": ("020023d", None),
    "train-halls-20": ("020023d", None),
    "train-halls-21": ("605c76b", None),
    "train-halls-22": ("605c76b", None),
    "train-halls-23": ("605c76b", None),
    "train-halls-24": ("605c76b", None),
    "train-halls-25": ("f4bb50a", None),
    "train-halls-26": ("f4bb50a", None),
    "train-halls-27": ("925b5a7", None),
    "train-halls-28": ("925b5a7", None),
    "train-halls-29": ("925b5a7", None),
    "train-halls-30": ("925b5a7", None),
    "train-halls-31": ("805298f", None),
    "train-halls-32": ("805298f", None),
    "train-halls-33": ("805298f", None),
    "train-halls-34": ("805298f", None),
}
NAME = "first-run.json"


def read_set(folder: Path) -> tuple[dict[str, dict[str, Any]], dict[str, dict[str, Any]]]:
    """A set's records and labels by id."""
    with (folder / "interactions.jsonl").open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    labels = {lab["id"]: lab for lab in json.loads((folder / "labels.json").read_text("utf-8"))}
    return {r["id"]: r for r in records}, labels


def label_findings(record: dict[str, Any], label: dict[str, Any],
                   findings: Sequence[dict[str, Any]]) -> list[bool | None]:
    """Each finding's label as ``benchmarks/articles.py`` scores it (see the module docstring)."""
    out: list[bool | None] = [None] * len(findings)
    clean = set(label["clean_articles"])
    for article in ARTICLES:
        mine = [k for k, f in enumerate(findings) if f["article"] == article]
        spans = [_span(record, b) for b in label["breaches"] if b["article"] == article]
        _, got = _match(spans, [findings[k] for k in mine])
        for j, k in enumerate(mine):
            if j in got:
                out[k] = True
            elif article in clean:
                out[k] = False
    return out


def totals(record_set: dict[str, Any], records: dict[str, dict[str, Any]],
           labels: dict[str, dict[str, Any]]) -> dict[str, list[int]]:
    """Per article ``[true findings, false findings, breaches found, labelled]`` of a record."""
    out = {str(a): [0, 0, 0, 0] for a in ARTICLES}
    for inter in record_set["interactions"]:
        rec, lab = records[inter["id"]], labels[inter["id"]]
        for article in ARTICLES:
            mine = [f for f in inter["findings"] if f["article"] == article]
            spans = [_span(rec, b) for b in lab["breaches"] if b["article"] == article]
            got_b, got_f = _match(spans, mine)
            row = out[str(article)]
            row[0] += len(got_f)
            row[1] += len(mine) if article in lab["clean_articles"] else 0
            row[2] += len(got_b)
            row[3] += len(spans)
    return out


def old_tree(commit: str, work: Path) -> Path:
    """``git archive`` of ``commit`` unpacked under ``work`` (once)."""
    tree = work / commit
    if not (tree / "analyzer" / "__init__.py").is_file():
        tree.mkdir(parents=True, exist_ok=True)
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit],
                                 check=True, capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def run_old(commit: str, folder: Path, ids: Sequence[str] | None, work: Path
            ) -> list[dict[str, Any]]:
    """The old commit's rule findings on the folder's interactions (``ids`` only, if given)."""
    tree = old_tree(commit, work)
    env = {**os.environ, "PYTHONPATH": str(tree)}
    cmd = [sys.executable, str(ROOT / "benchmarks" / "helpers" / "first_run_dump.py"),
           str(folder / "interactions.jsonl"), *(ids or ())]
    done = subprocess.run(cmd, cwd=tree, env=env, check=True, capture_output=True, text=True)
    where = json.loads(done.stderr.strip().splitlines()[-1])["analyzer"]
    if not where.startswith(str(tree)):
        raise RuntimeError(f"{commit}: ran {where}, not the old tree")
    return [json.loads(line) for line in done.stdout.splitlines() if line.strip()]


def record_set(name: str, work: Path) -> dict[str, Any]:
    """The first-run record of one set (see the module docstring)."""
    commit, ids = FIRST_RUNS[name]
    folder = DATA / name
    records, labels = read_set(folder)
    dumped = run_old(commit, folder, ids, work)
    inters = []
    for row in dumped:
        rec, lab = records[row["id"]], labels[row["id"]]
        marks = label_findings(rec, lab, row["findings"])
        inters.append({"id": row["id"], "findings": [{**f, "label": m} for f, m
                                                     in zip(row["findings"], marks, strict=True)]})
    out: dict[str, Any] = {
        "set": name, "commit": commit, "code": "rules only (judge off where the commit has one)",
        "command": f".venv/bin/python benchmarks/first_run.py --sets {name}",
        "interactions_sha256": hashlib.sha256((folder / "interactions.jsonl").read_bytes()
                                              ).hexdigest(),
        "labels_sha256": hashlib.sha256((folder / "labels.json").read_bytes()).hexdigest(),
        "ids": [i["id"] for i in inters],
        "interactions": inters,
    }
    out["totals"] = totals(out, records, labels)
    return out


def summary(rec: dict[str, Any]) -> str:
    tp = sum(r[0] for r in rec["totals"].values())
    fp = sum(r[1] for r in rec["totals"].values())
    found = sum(r[2] for r in rec["totals"].values())
    n = sum(r[3] for r in rec["totals"].values())
    p = tp / (tp + fp) if tp + fp else 0.0
    return (f"{rec['set']:<15} {rec['commit']}  {len(rec['ids']):>3} ids  "
            f"P {p:.2f} R {found / n if n else 0.0:.2f}  ({fp} false, {found}/{n} found)")


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="", help="comma-separated sets (default: every one present)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/first-run"),
                    help="scratch folder for the old commits' trees")
    args = ap.parse_args(argv)
    names = [s for s in args.sets.split(",") if s] or [
        s for s in FIRST_RUNS if (DATA / s / "labels.json").is_file()]
    for name in names:
        rec = record_set(name, args.work)
        (DATA / name / NAME).write_text(json.dumps(rec, ensure_ascii=False, indent=None,
                                                   separators=(",", ":")) + "\n", "utf-8")
        print(summary(rec), flush=True)
    return 0


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("first_run", "First-run records of the training sets", main))
