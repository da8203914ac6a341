"""Format validator for blind-halls-7 (written by blind7).

Checks interactions.jsonl and labels.json against the dev set README's format
and labelling rules, and prints the set's counts. Exit status 1 on any error.

Usage: python validate.py
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}


def check_interaction(rec: dict, errors: list[str]) -> None:
    """Check one interaction record."""
    rid = rec.get("id")
    extra = set(rec) - KEYS - {"rings", "ring_seconds"}
    if extra or not set(rec) >= KEYS:
        errors.append(f"{rid}: keys {sorted(rec)}")
    when = datetime.fromisoformat(rec["started_at"])
    if when.utcoffset().total_seconds() != 8 * 3600:
        errors.append(f"{rid}: not +08:00")
    if when.weekday() > 4 or not date(2026, 11, 3) <= when.date() <= date(2026, 12, 14):
        errors.append(f"{rid}: date {when.date()} not a working day in range")
    if rec["channel"] == "phone":
        if ("rings" in rec) == ("ring_seconds" in rec):
            errors.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
    elif rec["channel"] != "counter" or "rings" in rec or "ring_seconds" in rec:
        errors.append(f"{rid}: bad channel or ring field on a counter visit")
    prev_end = 0.0
    for u in rec["utterances"]:
        if u["speaker"] not in ("staff", "citizen") or not u["text"].strip():
            errors.append(f"{rid}: bad utterance {u}")
        if not 0 <= u["start"] < u["end"]:
            errors.append(f"{rid}: bad times {u}")
        if u["start"] < prev_end - 2.0:
            errors.append(f"{rid}: overlap too deep at {u['start']}")
        prev_end = max(prev_end, u["end"])


def check_label(rec: dict, lab: dict, errors: list[str]) -> None:
    """Check one label object against its interaction."""
    rid = rec["id"]
    staff = [u["text"] for u in rec["utterances"] if u["speaker"] == "staff"]
    everyone = [u["text"] for u in rec["utterances"]]
    arts = [b["article"] for b in lab["breaches"]]
    if len(arts) != len(set(arts)) or not set(arts) <= ARTICLES:
        errors.append(f"{rid}: articles {arts}")
    clean = set(lab["clean_articles"])
    if clean & set(arts) or not clean <= ARTICLES:
        errors.append(f"{rid}: clean {sorted(clean)} vs breached {arts}")
    if len(clean) + len(arts) < 10 and not lab.get("note"):
        errors.append(f"{rid}: arguable articles without a note")
    for b in lab["breaches"]:
        if b["speaker"] != "staff":
            errors.append(f"{rid}: breach speaker {b['speaker']}")
        if b["quote"]:
            hits = sum(b["quote"] in t for t in everyone)
            if hits != 1 or sum(b["quote"] in t for t in staff) != 1:
                errors.append(f"{rid}: quote {b['quote']!r} in {hits} utterances")
        elif not (b["duty"].startswith("missing:") or "not answered" in b["duty"]
                  or b["duty"].startswith("answered after")):
            errors.append(f"{rid}: absence without a missing:/absence duty")


def main() -> int:
    recs = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text("utf-8").splitlines()]
    labels = json.loads((HERE / "labels.json").read_text("utf-8"))
    errors: list[str] = []
    if [r["id"] for r in recs] != [lab["id"] for lab in labels]:
        errors.append("ids differ or are out of order")
    if [r["id"] for r in recs] != [f"b7-{i:04d}" for i in range(1, len(recs) + 1)]:
        errors.append("ids are not b7-0001… in order")
    for rec, lab in zip(recs, labels, strict=False):
        check_interaction(rec, errors)
        check_label(rec, lab, errors)
    per = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    for art in sorted(ARTICLES):
        if per[art] < 3:
            errors.append(f"article {art} breached only {per[art]} times")
    n_breach = Counter(len(lab["breaches"]) for lab in labels)
    calls = [r for r in recs if r["channel"] == "phone"]
    print(f"{len(recs)} interactions ({len(calls)} calls, "
          f"{sum(1 for r in calls if not r['utterances'])} never answered, "
          f"{sum(1 for r in calls if 'ring_seconds' in r)} ring_seconds only), "
          f"{sum(len(r['utterances']) for r in recs)} utterances")
    print(f"breaches per interaction: {dict(sorted(n_breach.items()))}; "
          f"{sum(per.values())} breaches, "
          f"{sum(1 for lab in labels for b in lab['breaches'] if not b['quote'])} absences, "
          f"{sum(1 for lab in labels for b in lab['breaches'] if '(paraphrase)' in b['duty'])} paraphrased")
    print("article  " + " ".join(f"{a:>3}" for a in sorted(ARTICLES)))
    print("breached " + " ".join(f"{per[a]:>3}" for a in sorted(ARTICLES)))
    print("clean    " + " ".join(f"{clean_per[a]:>3}" for a in sorted(ARTICLES)))
    for e in errors:
        print("ERROR", e)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
