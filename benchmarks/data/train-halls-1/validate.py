"""Format check of train-halls-1 against the dialogues-dev README.

Usage: python validate.py   (run in this folder). Prints the counts and exits
non-zero with one line per problem if the set breaks the format.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from itertools import pairwise
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = [5, 6, 7, 8, 9, 10, 16, 17, 18, 25]
KEYS = ["id", "channel", "hall", "window", "staff", "started_at"]
ABSENCE = ("missing:", "call not answered", "answered after", "ignored the citizen")
FIRST, LAST = dt.date(2026, 11, 3), dt.date(2026, 12, 14)


def _check_interaction(rec: dict, errs: list[str]) -> None:
    iid = rec.get("id")
    extra = {"rings", "ring_seconds"} if rec.get("channel") == "phone" else set()
    keys = list(rec)
    if keys[:6] != KEYS or keys[-1] != "utterances" or not set(keys[6:-1]) <= extra:
        errs.append(f"{iid}: keys {keys}")
    if rec["channel"] not in ("counter", "phone"):
        errs.append(f"{iid}: channel {rec['channel']}")
    if rec["channel"] == "phone" and len(set(keys) & extra) != 1:
        errs.append(f"{iid}: a call needs exactly one of rings / ring_seconds")
    if not re.fullmatch(r"S-\d{4}", rec["staff"]):
        errs.append(f"{iid}: staff {rec['staff']}")
    m = re.fullmatch(r"(\d{4}-\d\d-\d\d)T(\d\d:\d\d:\d\d)\+08:00", rec["started_at"])
    if not m:
        errs.append(f"{iid}: started_at {rec['started_at']}")
    else:
        day = dt.date.fromisoformat(m.group(1))
        if day.weekday() > 4 or not FIRST <= day <= LAST:
            errs.append(f"{iid}: {day} is not a working day in range")
    floor = 0.0
    if "rings" in rec:
        floor = 5 * (rec["rings"] - 1)
    elif "ring_seconds" in rec:
        floor = rec["ring_seconds"]
    for i, u in enumerate(rec["utterances"]):
        if list(u) != ["speaker", "start", "end", "text"]:
            errs.append(f"{iid}[{i}]: keys {list(u)}")
        if u["speaker"] not in ("staff", "citizen") or not u["text"].strip():
            errs.append(f"{iid}[{i}]: speaker/text")
        if not floor <= u["start"] < u["end"]:
            errs.append(f"{iid}[{i}]: times {u['start']}-{u['end']}")


def _check_label(rec: dict, lab: dict, errs: list[str]) -> None:
    iid = rec["id"]
    if list(lab) != ["id", "breaches", "clean_articles", "note"] or lab["id"] != iid:
        errs.append(f"{iid}: label keys/id {list(lab)}")
    arts = [b["article"] for b in lab["breaches"]]
    if len(arts) != len(set(arts)):
        errs.append(f"{iid}: two breaches of one article")
    clean = lab["clean_articles"]
    if clean != sorted(clean) or set(clean) & set(arts) or not set(clean) <= set(ARTICLES):
        errs.append(f"{iid}: clean_articles {clean}")
    unscored = set(ARTICLES) - set(clean) - set(arts)
    for art in unscored:
        if not re.search(rf"(^|; ){art}:", lab["note"]):
            errs.append(f"{iid}: article {art} unscored without a note")
    for b in lab["breaches"]:
        if list(b) != ["article", "speaker", "quote", "duty"] or b["speaker"] != "staff":
            errs.append(f"{iid}: breach keys {b}")
        if b["article"] not in ARTICLES or not b["duty"]:
            errs.append(f"{iid}: breach {b}")
        if b["quote"] == "":
            if not b["duty"].startswith(ABSENCE):
                errs.append(f"{iid}: absence duty {b['duty']!r}")
            continue
        hits = [u for u in rec["utterances"] if b["quote"] in u["text"]]
        if len(hits) != 1 or hits[0]["speaker"] != "staff":
            errs.append(f"{iid}: quote {b['quote']!r} in {len(hits)} utterances")


def main() -> int:
    recs = [json.loads(ln) for ln in (HERE / "interactions.jsonl").read_text(
        encoding="utf-8").splitlines()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    errs: list[str] = []
    if [r["id"] for r in recs] != [f"t1-{i:04d}" for i in range(1, len(recs) + 1)]:
        errs.append("ids are not t1-0001.. in order")
    if len(labels) != len(recs):
        errs.append("labels and interactions differ in length")
    for rec, lab in zip(recs, labels, strict=False):
        _check_interaction(rec, errs)
        _check_label(rec, lab, errs)
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    for art in ARTICLES:
        if per_art[art] < 3:
            errs.append(f"article {art} breached only {per_art[art]} times")
    calls = [r for r in recs if r["channel"] == "phone"]
    n_breaches = Counter(len(lab["breaches"]) for lab in labels)
    overlaps = sum(1 for r in recs for a, b in pairwise(r["utterances"])
                   if b["start"] < a["end"])
    print(f"{len(recs)} interactions ({len(recs) - len(calls)} counter, {len(calls)} calls, "
          f"{sum(not r['utterances'] for r in calls)} never answered, "
          f"{sum('ring_seconds' in r for r in calls)} by ring_seconds), "
          f"{sum(len(r['utterances']) for r in recs)} utterances, {overlaps} overlaps")
    print(f"breaches per interaction: {dict(sorted(n_breaches.items()))}; "
          f"{sum(per_art.values())} breaches, "
          f"{sum(1 for lab in labels for b in lab['breaches'] if not b['quote'])} absences, "
          f"{sum(1 for lab in labels for b in lab['breaches'] if 'paraphrase' in b['duty'])}"
          " paraphrased forbidden phrases")
    print("article  " + " ".join(f"{a:>4}" for a in ARTICLES))
    print("breaches " + " ".join(f"{per_art[a]:>4}" for a in ARTICLES))
    print("clean    " + " ".join(f"{clean_per[a]:>4}" for a in ARTICLES))
    for e in errs:
        print("ERROR", e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
