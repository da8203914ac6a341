"""Check train-halls-23 against the format and labelling rules of the dev README; print counts."""
from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
IDS = [f"t23-{i:04d}" for i in range(1, 51)]
FIRST, LAST = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "ignored the citizen", "unanswered question:")


def _hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    if [r.get("id") for r in interactions] != IDS:
        problems.append("interaction ids are not t23-0001..t23-0050 in order")
    if [lab.get("id") for lab in labels] != [r.get("id") for r in interactions]:
        problems.append("label ids differ from interaction ids")
    for rec, lab in zip(interactions, labels, strict=False):
        i = rec.get("id")
        keys = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
        if not keys <= set(rec):
            problems.append(f"{i}: missing keys {keys - set(rec)}")
            continue
        if rec["channel"] not in ("counter", "phone"):
            problems.append(f"{i}: bad channel")
        try:
            when = dt.datetime.fromisoformat(rec["started_at"])
            if when.utcoffset() != dt.timedelta(hours=8):
                problems.append(f"{i}: started_at not +08:00")
            if not (FIRST <= when.date() <= LAST) or when.weekday() >= 5:
                problems.append(f"{i}: date not a working day in range")
        except ValueError:
            problems.append(f"{i}: bad started_at")
            continue
        if rec["channel"] == "phone":
            if ("rings" in rec) == ("ring_seconds" in rec):
                problems.append(f"{i}: phone needs exactly one of rings / ring_seconds")
            rings = rec["rings"] if "rings" in rec else int(rec["ring_seconds"] // 5) + 1
            if rings < 1:
                problems.append(f"{i}: rings < 1")
            if rec["utterances"] and rec["utterances"][0]["start"] < 5 * (rings - 1):
                problems.append(f"{i}: first words before the last ring")
        elif "rings" in rec or "ring_seconds" in rec:
            problems.append(f"{i}: counter visit with rings")
        elif not rec["utterances"]:
            problems.append(f"{i}: counter visit without utterances")
        prev = None
        for n, u in enumerate(rec["utterances"]):
            if u.get("speaker") not in ("staff", "citizen"):
                problems.append(f"{i}: utterance {n} bad speaker")
            if not u.get("text"):
                problems.append(f"{i}: utterance {n} empty text")
            if not (0 <= u["start"] < u["end"]):
                problems.append(f"{i}: utterance {n} bad times")
            if prev is not None and u["start"] < prev["start"]:
                problems.append(f"{i}: utterance {n} starts before the previous one")
            prev = u
        # labels
        seen = set()
        for b in lab.get("breaches", []):
            a = b.get("article")
            if a not in SCORED:
                problems.append(f"{i}: article {a} not scored")
            if a in seen:
                problems.append(f"{i}: two breaches of article {a}")
            seen.add(a)
            if b.get("speaker") != "staff":
                problems.append(f"{i}: breach speaker not staff")
            q, duty = b.get("quote"), b.get("duty", "")
            if not duty:
                problems.append(f"{i}: breach without duty")
            if q:
                hits = [u for u in rec["utterances"] if q in u["text"]]
                staff_hits = [u for u in hits if u["speaker"] == "staff"]
                if len(staff_hits) != 1 or len(hits) != 1:
                    problems.append(f"{i}: quote {q!r} in {len(staff_hits)} staff / {len(hits)} utterances")
            elif not duty.startswith(ABSENCE_PREFIXES):
                problems.append(f"{i}: empty quote but duty names no absence: {duty}")
            if "forbidden phrase" in duty and a not in (8, 9, 10):
                problems.append(f"{i}: forbidden phrase under article {a}")
        clean = lab.get("clean_articles", [])
        if clean != sorted(set(clean)) or not set(clean) <= set(SCORED):
            problems.append(f"{i}: clean_articles not a sorted subset of the scored articles")
        if seen & set(clean):
            problems.append(f"{i}: clean and breached overlap {seen & set(clean)}")
        if len(seen) + len(clean) < len(SCORED) and not lab.get("note"):
            problems.append(f"{i}: arguable articles without a note")
        if not lab.get("note"):
            problems.append(f"{i}: no note")
        # consistency checks of the labelling rules
        if rec["channel"] == "counter" and 7 not in clean:
            problems.append(f"{i}: Art. 7 must be clean on a counter visit")
        if rec["channel"] == "phone" and not rec["utterances"]:
            in_hours = _hours(when.time())
            if in_hours != (7 in seen):
                problems.append(f"{i}: unanswered call: Art. 7 breach iff inside service hours")
        if rec["channel"] == "phone" and rec["utterances"]:
            rings = rec["rings"] if "rings" in rec else int(rec["ring_seconds"] // 5) + 1
            late = any(b["duty"].startswith("answered after") for b in lab["breaches"])
            if (rings >= 4) != late:
                problems.append(f"{i}: ring count {rings} and late-answer label disagree")
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_article = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "clean interactions": sum(not lab["breaches"] for lab in labels),
        "breaches": sum(per_article.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if not b["quote"]),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase" in b["duty"]),
        "breaches per article": {a: per_article[a] for a in SCORED},
        "clean per article": {a: clean_per[a] for a in SCORED},
        "overlaps": sum(1 for r in interactions for p, u in zip(r["utterances"], r["utterances"][1:], strict=False) if u["start"] < p["end"]),
    }


def main() -> None:
    inter = [json.loads(lab) for lab in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if lab.strip()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    for p in check(inter, labels):
        print("PROBLEM:", p)
    for k, v in counts(inter, labels).items():
        print(f"{k}: {v}")


if __name__ == "__main__":
    main()
