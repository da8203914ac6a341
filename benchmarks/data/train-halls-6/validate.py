"""Format validator for train-halls-6 (the dev set's README format and labelling rules)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}


def in_hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def validate(folder: Path = HERE) -> list[str]:
    errs: list[str] = []
    items = [
        json.loads(x)
        for x in (folder / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    if [i["id"] for i in items] != [lab["id"] for lab in labels]:
        errs.append("ids of interactions and labels differ")
    ids = [i["id"] for i in items]
    if ids != [f"t6-{n:04d}" for n in range(1, len(ids) + 1)]:
        errs.append("ids not consecutive t6-0001...")
    for it, lab in zip(items, labels, strict=False):
        iid = it["id"]
        extra = set(it) - KEYS - {"rings", "ring_seconds"}
        if extra or not set(it) >= KEYS:
            errs.append(f"{iid}: keys {sorted(it)}")
        if it["channel"] not in ("counter", "phone"):
            errs.append(f"{iid}: channel")
        if it["channel"] == "phone" and ("rings" in it) == ("ring_seconds" in it):
            errs.append(f"{iid}: a call needs exactly one of rings / ring_seconds")
        if it["channel"] == "counter" and ("rings" in it or "ring_seconds" in it):
            errs.append(f"{iid}: rings on a counter visit")
        when = dt.datetime.fromisoformat(it["started_at"])
        if when.utcoffset() != dt.timedelta(hours=8) or when.weekday() > 4:
            errs.append(f"{iid}: started_at not a weekday +08:00")
        if not (dt.date(2026, 11, 3) <= when.date() <= dt.date(2026, 12, 14)):
            errs.append(f"{iid}: date out of range")
        prev = None
        for u in it["utterances"]:
            if u["speaker"] not in ("staff", "citizen") or not u["text"] or u["end"] <= u["start"]:
                errs.append(f"{iid}: bad utterance {u}")
            if prev is not None and u["start"] < prev["start"]:
                errs.append(f"{iid}: utterances out of order")
            prev = u
        if it["channel"] == "counter" and not it["utterances"]:
            errs.append(f"{iid}: empty counter visit")
        if set(lab) - {"id", "breaches", "clean_articles", "note"}:
            errs.append(f"{iid}: label keys {sorted(lab)}")
        clean = lab["clean_articles"]
        if not set(clean) <= ARTICLES or len(set(clean)) != len(clean):
            errs.append(f"{iid}: clean_articles {clean}")
        arts = [b["article"] for b in lab["breaches"]]
        if len(set(arts)) != len(arts):
            errs.append(f"{iid}: two breaches of one article")
        if set(arts) & set(clean) or not set(arts) <= ARTICLES:
            errs.append(f"{iid}: breach article also clean / unknown")
        scored = set(arts) | set(clean)
        if scored != ARTICLES and not lab.get("note"):
            errs.append(f"{iid}: arguable articles without a note")
        for b in lab["breaches"]:
            if b["speaker"] != "staff" or not b.get("duty"):
                errs.append(f"{iid}: breach speaker/duty")
            q = b["quote"]
            if q:
                hits = [u for u in it["utterances"] if q in u["text"]]
                if len(hits) != 1 or hits[0]["speaker"] != "staff":
                    errs.append(f"{iid}: quote {q!r} matches {len(hits)} utterances / not staff")
        if it["channel"] == "counter" and 7 not in clean:
            errs.append(f"{iid}: Art. 7 must be clean on a counter visit")
        if it["channel"] == "phone" and 8 not in clean:
            errs.append(f"{iid}: Art. 8 must be clean on a call")
        if it["channel"] == "phone" and not it["utterances"]:
            rung_in_hours = in_hours(when.time())
            if rung_in_hours != (7 in arts):
                errs.append(f"{iid}: unanswered call vs Art. 7 label")
    return errs


def summary(folder: Path = HERE) -> str:
    items = [
        json.loads(x)
        for x in (folder / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    per = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean = sum(1 for lab in labels if not lab["breaches"])
    calls = sum(1 for i in items if i["channel"] == "phone")
    nutt = sum(len(i["utterances"]) for i in items)
    absences = sum(1 for lab in labels for b in lab["breaches"] if not b["quote"])
    return (
        f"{len(items)} interactions, {calls} calls, {nutt} utterances, {clean} clean, "
        f"{sum(per.values())} breaches ({absences} absences); per article "
        + ", ".join(f"{a}:{per[a]}" for a in sorted(ARTICLES))
    )


if __name__ == "__main__":
    problems = validate()
    print("\n".join(problems) or "valid")
    print(summary())
    sys.exit(1 if problems else 0)
