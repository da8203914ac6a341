"""Format validator for train-halls-4 (the dev set's README format).

Usage: python validate.py   (exit 1 and a list of problems when invalid)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
TOP = {
    "id",
    "channel",
    "hall",
    "window",
    "staff",
    "started_at",
    "utterances",
    "rings",
    "ring_seconds",
}


def check() -> list[str]:
    errs: list[str] = []
    inters = [
        json.loads(x)
        for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    if [i["id"] for i in inters] != [lab["id"] for lab in labels]:
        errs.append("ids or order differ between interactions and labels")
    ids = [i["id"] for i in inters]
    if ids != [f"t4-{n:04d}" for n in range(1, len(ids) + 1)]:
        errs.append("ids are not t4-0001.. in order")
    for it, lab in zip(inters, labels, strict=True):
        iid = it["id"]
        extra = set(it) - TOP
        if extra:
            errs.append(f"{iid}: unknown keys {sorted(extra)}")
        if it["channel"] not in ("counter", "phone"):
            errs.append(f"{iid}: bad channel")
        for k in ("hall", "window", "staff"):
            if not isinstance(it.get(k), str) or not it[k]:
                errs.append(f"{iid}: empty {k}")
        t = dt.datetime.fromisoformat(it["started_at"])
        if t.utcoffset() != dt.timedelta(hours=8):
            errs.append(f"{iid}: not +08:00")
        if t.weekday() > 4 or not dt.date(2026, 11, 3) <= t.date() <= dt.date(2026, 12, 14):
            errs.append(f"{iid}: date {t.date()} not a working day in range")
        if it["channel"] == "phone":
            if ("rings" in it) == ("ring_seconds" in it):
                errs.append(f"{iid}: phone needs exactly one of rings / ring_seconds")
        elif "rings" in it or "ring_seconds" in it:
            errs.append(f"{iid}: counter visit with rings")
        if it["channel"] == "counter" and not it["utterances"]:
            errs.append(f"{iid}: counter visit without utterances")
        prev_start = -1.0
        for u in it["utterances"]:
            if set(u) != {"speaker", "start", "end", "text"}:
                errs.append(f"{iid}: utterance keys {sorted(u)}")
            if u["speaker"] not in ("staff", "citizen"):
                errs.append(f"{iid}: speaker {u['speaker']}")
            if not (u["end"] > u["start"] >= 0) or u["start"] < prev_start:
                errs.append(f"{iid}: bad times at {u['text'][:10]}")
            if not u["text"].strip():
                errs.append(f"{iid}: empty text")
            prev_start = u["start"]
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            errs.append(f"{iid}: label keys {sorted(lab)}")
        arts = [b["article"] for b in lab["breaches"]]
        if len(arts) != len(set(arts)):
            errs.append(f"{iid}: two breaches of one article")
        clean = set(lab["clean_articles"])
        if not clean <= ARTICLES or not set(arts) <= ARTICLES:
            errs.append(f"{iid}: article outside Chapter 3 list")
        if clean & set(arts):
            errs.append(f"{iid}: article both breached and clean")
        if len(clean) + len(set(arts)) < 10 and not lab["note"].strip():
            errs.append(f"{iid}: arguable article without a note")
        if it["channel"] == "counter" and 7 not in clean:
            errs.append(f"{iid}: 7 should be clean on a counter visit")
        if it["channel"] == "phone" and 8 not in clean:
            errs.append(f"{iid}: 8 should be clean on a call")
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"} or b["speaker"] != "staff":
                errs.append(f"{iid}: bad breach {b}")
            if not b["duty"]:
                errs.append(f"{iid}: empty duty")
            q = b["quote"]
            if q:
                hits = [u for u in it["utterances"] if q in u["text"]]
                if len(hits) != 1 or hits[0]["speaker"] != "staff":
                    errs.append(f"{iid}: quote {q!r} in {len(hits)} utterances")
    return errs


def summary() -> None:
    inters = [
        json.loads(x)
        for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    per = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_n = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    phones = [i for i in inters if i["channel"] == "phone"]
    print(
        f"{len(inters)} interactions, {len(phones)} calls, "
        f"{sum(len(i['utterances']) for i in inters)} utterances"
    )
    print(
        f"breaches per interaction: {dict(sorted(nb.items()))}; "
        f"{sum(per.values())} breaches, "
        f"{sum(1 for lab in labels for b in lab['breaches'] if not b['quote'])} absences"
    )
    for a in sorted(ARTICLES):
        print(f"  art {a:>2}: breaches {per[a]:>2}  clean {clean_n[a]:>2}")


if __name__ == "__main__":
    problems = check()
    for p in problems:
        print("ERROR", p)
    summary()
    sys.exit(1 if problems else 0)
