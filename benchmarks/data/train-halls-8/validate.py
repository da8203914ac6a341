"""Check train-halls-8 against the dev set's format and labelling rules; print the counts.

Run: python validate.py   (exit status 1 and a list of problems when anything is wrong)
"""
from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "rings", "ring_seconds",
        "utterances"}
ABSENCE_WORDS = ("missing:", "answered after", "call not answered", "ignored", "unanswered")


def in_hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def check_interaction(it: dict, lab: dict, problems: list[str]) -> None:
    iid = it["id"]
    bad = set(it) - KEYS
    if bad:
        problems.append(f"{iid}: unknown keys {bad}")
    if lab["id"] != iid:
        problems.append(f"{iid}: label id {lab['id']} out of order")
    when = dt.datetime.fromisoformat(it["started_at"])
    if when.utcoffset() != dt.timedelta(hours=8) or when.weekday() > 4:
        problems.append(f"{iid}: started_at not a +08:00 weekday")
    if not dt.date(2026, 11, 3) <= when.date() <= dt.date(2026, 12, 14):
        problems.append(f"{iid}: date out of range")
    if it["channel"] == "phone":
        if ("rings" in it) == ("ring_seconds" in it):
            problems.append(f"{iid}: a call needs exactly one of rings / ring_seconds")
        if 8 not in lab["clean_articles"]:
            problems.append(f"{iid}: Art. 8 does not apply to a call and must be clean")
    elif it["channel"] == "counter":
        if "rings" in it or "ring_seconds" in it:
            problems.append(f"{iid}: a counter visit has rings")
        if 7 not in lab["clean_articles"]:
            problems.append(f"{iid}: Art. 7 does not apply to a counter visit and must be clean")
    else:
        problems.append(f"{iid}: channel {it['channel']}")
    prev_end = -1.0
    for u in it["utterances"]:
        if u["speaker"] not in ("staff", "citizen") or not u["text"]:
            problems.append(f"{iid}: bad utterance {u}")
        if not 0 <= u["start"] < u["end"]:
            problems.append(f"{iid}: bad times {u}")
        prev_end = max(prev_end, u["end"])
    starts = [u["start"] for u in it["utterances"]]
    if starts != sorted(starts):
        problems.append(f"{iid}: utterances not in start order")
    seen: set[int] = set()
    for b in lab["breaches"]:
        art = b["article"]
        if art not in ARTICLES or art in seen or b["speaker"] != "staff":
            problems.append(f"{iid}: bad or repeated breach {b}")
        seen.add(art)
        if b["quote"]:
            hits = [u for u in it["utterances"] if b["quote"] in u["text"]]
            if len(hits) != 1 or hits[0]["speaker"] != "staff":
                problems.append(f"{iid}: quote {b['quote']!r} is in {len(hits)} utterances "
                                f"or not a staff one")
        elif not b["duty"].startswith(ABSENCE_WORDS):
            problems.append(f"{iid}: empty quote but duty does not name an absence: {b['duty']}")
    clean = set(lab["clean_articles"])
    if clean & seen or not clean <= ARTICLES:
        problems.append(f"{iid}: clean_articles overlap breaches or unknown article")
    if ARTICLES - clean - seen and not lab["note"]:
        problems.append(f"{iid}: unscored articles without a note")


def main() -> int:
    lines = (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    items = [json.loads(x) for x in lines]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems: list[str] = []
    if len(items) != len(labels):
        problems.append("interactions and labels differ in length")
    want = [f"t8-{n:04d}" for n in range(1, len(items) + 1)]
    if [it["id"] for it in items] != want:
        problems.append("ids are not t8-0001 … in order")
    for it, lab in zip(items, labels, strict=False):
        check_interaction(it, lab, problems)
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_n = Counter(a for lab in labels for a in lab["clean_articles"])
    for art in sorted(ARTICLES):
        if per_art[art] < 3:
            problems.append(f"Art. {art}: only {per_art[art]} breaches")
    calls = [it for it in items if it["channel"] == "phone"]
    n_breach = Counter(len(lab["breaches"]) for lab in labels)
    overlaps = sum(1 for it in items for a, b in zip(it["utterances"], it["utterances"][1:], strict=False)
                   if b["start"] < a["end"])
    print(f"{len(items)} interactions ({len(items) - len(calls)} counter, {len(calls)} calls, "
          f"{sum(len(it['utterances']) for it in items)} utterances, {overlaps} overlaps)")
    print(f"breaches per interaction: {dict(sorted(n_breach.items()))}; "
          f"{sum(per_art.values())} breaches, "
          f"{sum(1 for lab in labels for b in lab['breaches'] if not b['quote'])} absences")
    print("calls: " + ", ".join(
        f"{it['id']} {'rings=' + str(it['rings']) if 'rings' in it else 'ring_seconds=' + str(it['ring_seconds'])}"
        f"{' unanswered' if not it['utterances'] else ''} "
        f"{'in hours' if in_hours(dt.datetime.fromisoformat(it['started_at']).time()) else 'OUT of hours'}"
        for it in calls))
    print("article  " + " ".join(f"{a:>4}" for a in sorted(ARTICLES)))
    print("breaches " + " ".join(f"{per_art[a]:>4}" for a in sorted(ARTICLES)))
    print("clean    " + " ".join(f"{clean_n[a]:>4}" for a in sorted(ARTICLES)))
    para = sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"])
    forb = sum(1 for lab in labels for b in lab["breaches"] if b["duty"].startswith("forbidden"))
    print(f"forbidden phrases: {forb} ({para} paraphrased)")
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
