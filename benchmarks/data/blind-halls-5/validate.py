"""Format check of blind-halls-5 against the dialogues-dev README's format.

Run: ``python validate.py`` (exits 1 and lists the problems if any).
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}


def _check_interaction(it: dict, errs: list[str]) -> None:
    iid = it["id"]
    extra = set(it) - KEYS - {"rings", "ring_seconds"}
    if extra or not set(it) >= KEYS:
        errs.append(f"{iid}: keys {sorted(it)}")
    when = dt.datetime.fromisoformat(it["started_at"])
    if when.utcoffset() != dt.timedelta(hours=8) or when.weekday() > 4:
        errs.append(f"{iid}: started_at {it['started_at']}")
    if not dt.date(2026, 11, 3) <= when.date() <= dt.date(2026, 12, 14):
        errs.append(f"{iid}: date out of range")
    if it["channel"] not in ("counter", "phone"):
        errs.append(f"{iid}: channel")
    if it["channel"] == "phone" and ("rings" in it) == ("ring_seconds" in it):
        errs.append(f"{iid}: a call needs rings or ring_seconds (one of them)")
    if it["channel"] == "counter" and ("rings" in it or "ring_seconds" in it):
        errs.append(f"{iid}: rings on a counter visit")
    if it["channel"] == "counter" and not it["utterances"]:
        errs.append(f"{iid}: empty counter visit")
    prev = None
    for u in it["utterances"]:
        if set(u) != {"speaker", "start", "end", "text"} or u["speaker"] not in (
            "staff",
            "citizen",
        ):
            errs.append(f"{iid}: utterance {u}")
        if not 0 <= u["start"] < u["end"] or not u["text"].strip():
            errs.append(f"{iid}: times/text {u}")
        if prev is not None and u["start"] < prev["start"]:
            errs.append(f"{iid}: start goes back {u}")
        prev = u


def _check_label(it: dict, lab: dict, errs: list[str]) -> None:
    iid = it["id"]
    if set(lab) != {"id", "breaches", "clean_articles", "note"}:
        errs.append(f"{iid}: label keys {sorted(lab)}")
    staff = [u["text"] for u in it["utterances"] if u["speaker"] == "staff"]
    every = [u["text"] for u in it["utterances"]]
    seen: set[int] = set()
    for b in lab["breaches"]:
        if set(b) != {"article", "speaker", "quote", "duty"} or b["speaker"] != "staff":
            errs.append(f"{iid}: breach keys {b}")
        if b["article"] not in ARTICLES or b["article"] in seen:
            errs.append(f"{iid}: article {b['article']} bad or twice")
        seen.add(b["article"])
        if b["quote"]:
            hits = [t for t in every if b["quote"] in t]
            if len(hits) != 1 or hits[0] not in staff:
                errs.append(f"{iid}: quote {b['quote']!r} in {len(hits)} utterances / not staff")
        elif not b["duty"]:
            errs.append(f"{iid}: absence without duty")
    clean = lab["clean_articles"]
    if sorted(set(clean)) != clean or not set(clean) <= set(ARTICLES) or seen & set(clean):
        errs.append(f"{iid}: clean_articles {clean}")
    if len(seen) + len(clean) < len(ARTICLES) and not lab["note"]:
        errs.append(f"{iid}: unscored articles without note")


def main() -> int:
    """Check both files and print the counts."""
    items = [
        json.loads(x)
        for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    errs: list[str] = []
    if [i["id"] for i in items] != [lab["id"] for lab in labels]:
        errs.append("ids differ or are out of order")
    if [i["id"] for i in items] != [f"b5-{n:04d}" for n in range(1, len(items) + 1)]:
        errs.append("ids are not b5-0001... in order")
    for it, lab in zip(items, labels, strict=False):
        _check_interaction(it, errs)
        _check_label(it, lab, errs)
    per = collections.Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean = collections.Counter(a for lab in labels for a in lab["clean_articles"])
    nb = collections.Counter(len(lab["breaches"]) for lab in labels)
    calls = [i for i in items if i["channel"] == "phone"]
    absences = sum(1 for lab in labels for b in lab["breaches"] if not b["quote"])
    print(
        f"{len(items)} interactions, {len(calls)} calls, "
        f"{sum(len(i['utterances']) for i in items)} utterances; breaches per interaction {dict(nb)}; "
        f"{sum(per.values())} breaches, {absences} absences"
    )
    print("article  " + " ".join(f"{a:>3}" for a in ARTICLES))
    print("breaches " + " ".join(f"{per[a]:>3}" for a in ARTICLES))
    print("clean    " + " ".join(f"{clean[a]:>3}" for a in ARTICLES))
    for e in errs:
        print("ERROR", e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
