"""The trainers' masked search index (issue 26, #4): what it costs, and what it still leaks.

Trainers search ``utterances_masked`` (:mod:`analyzer.store.masked`), the
transcripts with personal data masked, instead of the raw transcripts. This
measures, side by side in one run:

* **cost**: storing interactions with the masked index against without it
  (the same ``Store.save_report``, its masking and index writes switched off
  for the peer), in ms per interaction and bytes of database per
  interaction, on our generated month (the shipped examples under generated
  ids, ``tests/month_fixture.py``) and on ``../shared/data/dialogues-dev``
  (100 hall interactions written independently of us); and the first trainer
  search on a database indexed without it (an upgraded one), which masks
  everything once;
* **leak**: for each labelled personal-data span of our hand-written forms
  (``benchmarks/privacy_handwritten.json``) and of
  ``../shared/data/privacy-dev`` (160 utterances written independently),
  stored one utterance per interaction, whether a trainer's search for the
  span finds its utterance, and whether any prefix of at least four
  characters does (the digit-by-digit oracle). Searching the raw text (the
  old behaviour) finds every span by construction; the masked index finds
  only what the masker missed. **Controls** (no personal data): whether a
  search for the whole utterance still finds it (the masker left it whole).

Usage::

    .venv/bin/python benchmarks/masked_search.py [--n 2000] [--out FILE]

Prints a table and writes JSON (default ``benchmarks/results/masked_search.json``).
Take ``/tmp/bench.lock`` (``flock``) around it, as every benchmark does.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from month_fixture import MonthSpec, example_reports, generate  # noqa: E402

from analyzer import analyze  # noqa: E402
from analyzer.store import (  # noqa: E402
    Store,
    analysis_key,
    content_hash_of_interaction,
    writes,  # noqa: E402
)
from analyzer.text.normalize import normalize  # noqa: E402
from analyzer.text.transcript import parse_interaction  # noqa: E402

SHARED = ROOT.parent / "shared" / "data"


@contextmanager
def without_masked_index() -> Iterator[None]:
    """``save_report`` as it was before issue 26: no masking, no masked index."""
    saved = writes.masked_texts, writes.write_masked
    writes.masked_texts = lambda utterances: []  # type: ignore[assignment]
    writes.write_masked = lambda db, pk, texts: None  # type: ignore[assignment]
    try:
        yield
    finally:
        writes.masked_texts, writes.write_masked = saved


def _timed_store(path: Path, fill: Callable[[Store], int]) -> dict[str, float]:
    t0 = time.perf_counter()
    with Store(path) as store:
        n = fill(store)
    seconds = time.perf_counter() - t0
    return {"interactions": n, "ms_per_interaction": round(1000 * seconds / max(n, 1), 2),
            "bytes_per_interaction": round(path.stat().st_size / max(n, 1))}


def cost(name: str, fill: Callable[[Store], int], tmp: Path) -> dict[str, Any]:
    """Masked index on against off, twice each in turns (A/B/A/B), and the first search."""
    runs: dict[str, list[dict[str, float]]] = {"with": [], "without": []}
    for k in range(2):
        for mode in ("with", "without"):
            path = tmp / f"{name}-{mode}-{k}.sqlite"
            if mode == "with":
                runs[mode].append(_timed_store(path, fill))
            else:
                with without_masked_index():
                    runs[mode].append(_timed_store(path, fill))
    upgraded = tmp / f"{name}-without-0.sqlite"
    with Store(upgraded) as store:
        t0 = time.perf_counter()
        indexed = store.index_masked()
        first = time.perf_counter() - t0
    best = {m: min(r, key=lambda x: x["ms_per_interaction"]) for m, r in runs.items()}
    return {
        "interactions": best["with"]["interactions"],
        "ms_with": best["with"]["ms_per_interaction"],
        "ms_without": best["without"]["ms_per_interaction"],
        "bytes_with": best["with"]["bytes_per_interaction"],
        "bytes_without": best["without"]["bytes_per_interaction"],
        "first_trainer_search_s": round(first, 2), "indexed_then": indexed, "runs": runs,
    }


def _dialogues(store: Store) -> int:
    n = 0
    for line in (SHARED / "dialogues-dev" / "interactions.jsonl").read_text("utf-8").splitlines():
        if not line.strip():
            continue
        interaction = parse_interaction(json.loads(line), "dialogues-dev")
        report = _REPORTS.get(interaction.id) or analyze(interaction)
        _REPORTS[interaction.id] = report
        digest = content_hash_of_interaction(interaction)
        store.save_report(report, run_id=None, content_hash=digest, path=f"{interaction.id}.json",
                          key=analysis_key(digest, "transcript", "bench"), interaction=interaction)
        n += 1
    return n


_REPORTS: dict[str, Any] = {}


def leak(items: list[dict[str, Any]], tmp: Path, name: str) -> dict[str, Any]:
    """Trainers' search against the labelled spans of ``items`` (one utterance each)."""
    path = tmp / f"leak-{name}.sqlite"
    with Store(path) as store:
        for k, item in enumerate(items):
            record = {"id": f"{name}-{k:04d}", "channel": "counter", "utterances": [
                {"speaker": "citizen", "start": 0.0, "end": 5.0, "text": item["text"]}]}
            interaction = parse_interaction(record, name)
            digest = content_hash_of_interaction(interaction)
            store.save_report(analyze(interaction), run_id=None, content_hash=digest,
                              path=f"{record['id']}.json", key=analysis_key(digest, "t", "b"),
                              interaction=interaction)
        store.index_masked()
        out: dict[str, Any] = {"spans": 0, "raw_found": 0, "masked_found": 0,
                               "prefix_found": 0, "controls": 0, "controls_found": 0,
                               "by_type": {}}
        for k, item in enumerate(items):
            ident = f"{name}-{k:04d}"

            def hits(phrase: str, masked: bool, ident: str = ident) -> bool:
                if not normalize(phrase).strip():
                    return False
                return any(h.interaction_pk == pk for h in store.search(
                    phrase, masked=masked, limit=1000)) if (pk := _pk(store, ident)) else False

            if not item["pii"]:
                out["controls"] += 1
                out["controls_found"] += hits(item["text"], True)
                continue
            for span in item["pii"]:
                t = out["by_type"].setdefault(span["type"], {"spans": 0, "masked_found": 0,
                                                             "prefix_found": 0})
                found = hits(span["span"], True)
                prefix = found or any(hits(span["span"][:n], True)
                                      for n in range(4, len(span["span"])))
                out["spans"] += 1
                out["raw_found"] += hits(span["span"], False)
                out["masked_found"] += found
                out["prefix_found"] += prefix
                t["spans"] += 1
                t["masked_found"] += found
                t["prefix_found"] += prefix
    return out


def _pk(store: Store, ident: str) -> int | None:
    rows = store._query("SELECT id FROM interactions WHERE interaction_id = ?", (ident,))
    return int(rows[0][0]) if rows else None


def _load_items(path: Path) -> list[dict[str, Any]]:
    data = json.loads(path.read_text("utf-8"))
    return [{"text": d["text"], "pii": d.get("pii", [])} for d in data]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=2000, help="generated interactions (about)")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" /
                        "masked_search.json")
    args = parser.parse_args()
    per_staff = max(1, args.n // (2 * 12))  # 12 staff, this month and the one before
    spec = MonthSpec(per_staff=per_staff)
    reports = example_reports()
    result: dict[str, Any] = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                                          "load": os.getloadavg()}}
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        result["cost_generated"] = cost("month", lambda s: generate(s, spec, reports), tmp)
        if (SHARED / "dialogues-dev").is_dir():
            result["cost_dialogues_dev"] = cost("dialogues", _dialogues, tmp)
        result["leak_own_handwritten"] = leak(
            _load_items(ROOT / "benchmarks" / "privacy_handwritten.json"), tmp, "own")
        if (SHARED / "privacy-dev").is_dir():
            result["leak_privacy_dev"] = leak(
                _load_items(SHARED / "privacy-dev" / "utterances.json"), tmp, "dev")
    _print(result)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1), "utf-8")


def _print(result: dict[str, Any]) -> None:
    print(f"machine: {result['machine']}")
    print(f"{'cost':22} {'n':>6} {'ms/int with':>12} {'without':>8} {'bytes/int with':>15} "
          f"{'without':>8} {'first search s':>15}")
    for key in ("cost_generated", "cost_dialogues_dev"):
        if key in result:
            c = result[key]
            print(f"{key:22} {c['interactions']:>6} {c['ms_with']:>12} {c['ms_without']:>8} "
                  f"{c['bytes_with']:>15} {c['bytes_without']:>8} "
                  f"{c['first_trainer_search_s']:>15}")
    print(f"{'leak':22} {'spans':>6} {'raw found':>10} {'masked found':>13} {'prefix>=4':>10} "
          f"{'controls kept':>14}")
    for key in ("leak_own_handwritten", "leak_privacy_dev"):
        if key in result:
            v = result[key]
            print(f"{key:22} {v['spans']:>6} {v['raw_found']:>10} {v['masked_found']:>13} "
                  f"{v['prefix_found']:>10} {v['controls_found']:>7}/{v['controls']}")
            for kind, t in sorted(v["by_type"].items()):
                print(f"  {kind:20} {t['spans']:>6} {'':>10} {t['masked_found']:>13} "
                      f"{t['prefix_found']:>10}")


if __name__ == "__main__":
    from page import run_with_page

    sys.exit(run_with_page("masked_search", "Trainers' masked search: cost and leaks", main))
