"""Format validator for blind-halls-6 (the dev set's format, dialogues-dev/README.md).

Run: python benchmarks/data/blind-halls-6/validate.py   (exit 1 on any error)
"""

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
KEYS = {
    "id",
    "channel",
    "hall",
    "window",
    "staff",
    "started_at",
    "rings",
    "ring_seconds",
    "utterances",
}


def in_hours(t: dt.datetime) -> bool:
    minutes = t.hour * 60 + t.minute
    return 510 <= minutes < 720 or 870 <= minutes < 1080


def check() -> list[str]:
    errors = []
    interactions = [
        json.loads(line)
        for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    if len(interactions) != 40 or len(labels) != 40:
        errors.append(
            f"expected 40 interactions and labels, got {len(interactions)} / {len(labels)}"
        )
    per_article = Counter()
    overlaps = 0
    for n, (it, lab) in enumerate(zip(interactions, labels, strict=False), 1):
        iid = f"b6-{n:04d}"
        if it["id"] != iid or lab["id"] != iid:
            errors.append(f"{iid}: id mismatch {it['id']} / {lab['id']}")
        if set(it) - KEYS:
            errors.append(f"{iid}: unknown keys {set(it) - KEYS}")
        when = dt.datetime.fromisoformat(it["started_at"])
        if when.utcoffset() != dt.timedelta(hours=8):
            errors.append(f"{iid}: not +08:00")
        if when.weekday() > 4 or not dt.date(2026, 11, 3) <= when.date() <= dt.date(2026, 12, 14):
            errors.append(f"{iid}: date {when.date()} is not a working day in range")
        if it["channel"] not in ("counter", "phone"):
            errors.append(f"{iid}: channel {it['channel']}")
        if it["channel"] == "phone" and ("rings" in it) == ("ring_seconds" in it):
            errors.append(f"{iid}: a call needs exactly one of rings / ring_seconds")
        if it["channel"] == "counter" and ("rings" in it or "ring_seconds" in it):
            errors.append(f"{iid}: a counter visit with rings")
        utts = it["utterances"]
        if it["channel"] == "counter" and not utts:
            errors.append(f"{iid}: empty counter visit")
        if it["channel"] == "phone" and utts:
            rings = it.get("rings") or int(it["ring_seconds"] // 5) + 1
            if int(utts[0]["start"] // 5) + 1 != rings:
                errors.append(
                    f"{iid}: first words at {utts[0]['start']} do not follow ring {rings}"
                )
        for i, u in enumerate(utts):
            if u["speaker"] not in ("staff", "citizen") or not u["text"]:
                errors.append(f"{iid}: bad utterance {i}")
            if not 0 <= u["start"] < u["end"]:
                errors.append(f"{iid}: bad times at utterance {i}")
            if i and u["start"] < utts[i - 1]["end"]:
                overlaps += 1
            if i and u["start"] < utts[i - 1]["start"]:
                errors.append(f"{iid}: utterance {i} starts before the previous one")
        arts = [b["article"] for b in lab["breaches"]]
        if len(arts) != len(set(arts)):
            errors.append(f"{iid}: two breaches of one article")
        if set(arts) & set(lab["clean_articles"]):
            errors.append(f"{iid}: article both breached and clean")
        if not set(arts) | set(lab["clean_articles"]) <= ARTICLES:
            errors.append(f"{iid}: unknown article")
        if set(ARTICLES) - set(arts) - set(lab["clean_articles"]) and not lab["note"]:
            errors.append(f"{iid}: arguable articles without a note")
        if it["channel"] == "counter" and 7 in arts or it["channel"] == "phone" and 8 in arts:
            errors.append(f"{iid}: Art. 7 on a visit or Art. 8 on a call")
        for b in lab["breaches"]:
            per_article[b["article"]] += 1
            if b["speaker"] != "staff" or not b["duty"]:
                errors.append(f"{iid}: breach speaker/duty")
            if b["quote"]:
                hits = [u for u in utts if b["quote"] in u["text"]]
                if len(hits) != 1 or hits[0]["speaker"] != "staff":
                    errors.append(
                        f"{iid}: quote {b['quote']!r} is in {len(hits)} utterances or not staff"
                    )
            if b["article"] == 25 and not in_hours(when):
                errors.append(f"{iid}: Art. 25 outside hours")
    for article in sorted(ARTICLES):
        if per_article[article] < 3:
            errors.append(f"Art. {article}: only {per_article[article]} breaches")
    clean = sum(1 for lab in labels if not lab["breaches"])
    calls = sum(1 for it in interactions if it["channel"] == "phone")
    print(
        f"{len(interactions)} interactions, {calls} calls, {clean} clean, {sum(per_article.values())} breaches, "
        f"{overlaps} overlapping starts; per article {dict(sorted(per_article.items()))}"
    )
    return errors


if __name__ == "__main__":
    problems = check()
    for p in problems:
        print("ERROR", p)
    sys.exit(1 if problems else 0)
