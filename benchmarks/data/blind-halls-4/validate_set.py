"""Format validator for blind-halls-4 (interactions.jsonl + labels.json).

Checks the dev set's format and labelling rules; prints the counts.

    python validate_set.py      # exit status 1 on any problem
"""

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
ABSENCE_DUTIES = ("missing:", "unanswered question", "call not answered", "answered after",
                  "ignored the citizen")
FIRST, LAST = dt.date(2026, 11, 3), dt.date(2026, 12, 14)


def main():
    problems = []
    items = [json.loads(line) for line in (HERE / "interactions.jsonl").read_text(
        encoding="utf-8").splitlines() if line.strip()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    if len(items) != 40 or len(labels) != 40:
        problems.append(f"expected 40 interactions and labels, got {len(items)}/{len(labels)}")
    per_article, overlaps, calls = Counter(), 0, 0
    clean_count, two = 0, 0
    for n, (item, label) in enumerate(zip(items, labels, strict=False), start=1):
        iid = item["id"]
        want = f"b4-{n:04d}"
        if iid != want or label["id"] != iid:
            problems.append(f"{iid}: id order (want {want}, label {label['id']})")
        keys = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
        extra = set(item) - keys
        if item["channel"] == "phone":
            calls += 1
            if extra not in ({"rings"}, {"ring_seconds"}):
                problems.append(f"{iid}: a call needs rings or ring_seconds, has {extra}")
        elif item["channel"] == "counter":
            if extra:
                problems.append(f"{iid}: unexpected keys {extra}")
        else:
            problems.append(f"{iid}: channel {item['channel']}")
        if not keys <= set(item):
            problems.append(f"{iid}: missing keys {keys - set(item)}")
        when = dt.datetime.fromisoformat(item["started_at"])
        if str(when.utcoffset()) != "8:00:00" or when.weekday() > 4 or not (
                FIRST <= when.date() <= LAST):
            problems.append(f"{iid}: started_at {item['started_at']}")
        utts = item["utterances"]
        if item["channel"] == "phone" and utts:
            pickup = 5 * (item["rings"] - 1) if "rings" in item else item["ring_seconds"]
            if utts[0]["start"] < pickup:
                problems.append(f"{iid}: first words before the pick-up")
        prev_end = 0.0
        for u in utts:
            if u["speaker"] not in ("staff", "citizen") or not u["text"]:
                problems.append(f"{iid}: bad utterance {u}")
            if not 0 <= u["start"] < u["end"]:
                problems.append(f"{iid}: bad times {u}")
            if u["start"] < prev_end:
                overlaps += 1
            prev_end = max(prev_end, u["end"])
        # labels
        if set(label) - {"id", "breaches", "clean_articles", "note"}:
            problems.append(f"{iid}: label keys {set(label)}")
        clean = set(label["clean_articles"])
        seen = set()
        for b in label["breaches"]:
            a = b["article"]
            per_article[a] += 1
            if a not in ARTICLES or a in seen or a in clean or b["speaker"] != "staff":
                problems.append(f"{iid}: breach {b}")
            seen.add(a)
            if b["quote"]:
                hits = [u for u in utts if b["quote"] in u["text"]]
                if len(hits) != 1 or hits[0]["speaker"] != "staff":
                    problems.append(f"{iid}: quote must be in exactly one staff utterance: {b['quote']}")
            elif not b["duty"].startswith(ABSENCE_DUTIES):
                problems.append(f"{iid}: empty quote but duty is not an absence: {b['duty']}")
        if not clean <= ARTICLES:
            problems.append(f"{iid}: clean_articles {clean}")
        if ARTICLES - clean - seen and not label.get("note"):
            problems.append(f"{iid}: unscored articles without a note")
        if item["channel"] == "counter" and 7 not in clean:
            problems.append(f"{iid}: Art. 7 must be clean on a counter visit")
        if item["channel"] == "phone" and 8 not in clean:
            problems.append(f"{iid}: Art. 8 must be clean on a call")
        if not label["breaches"]:
            clean_count += 1
        if len(label["breaches"]) == 2:
            two += 1
    for a in sorted(ARTICLES):
        if per_article[a] < 3:
            problems.append(f"article {a}: only {per_article[a]} breaches")
    print(f"interactions {len(items)}, calls {calls}, clean {clean_count}, "
          f"two-breach {two}, breaches {sum(per_article.values())}, overlaps {overlaps}, "
          f"utterances {sum(len(i['utterances']) for i in items)}")
    print("per article:", dict(sorted(per_article.items())))
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
