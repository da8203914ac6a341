"""Check train-halls-13 against the format and labelling rules of the dev README; print the counts."""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
ID = re.compile(r"^t13-\d{4}$")
ABSENCE = ("missing:", "ignored the citizen", "answered after", "call not answered", "unanswered question:")
FIRST, LAST = dt.date(2026, 11, 3), dt.date(2026, 12, 14)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    p: list[str] = []
    if [r.get("id") for r in interactions] != [lab.get("id") for lab in labels]:
        p.append("interaction and label ids differ or are out of order")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        p.append("duplicate ids")
    for r in interactions:
        i = r.get("id", "?")
        if not ID.match(str(i)):
            p.append(f"{i}: bad id")
        keys = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
        if not keys <= set(r):
            p.append(f"{i}: missing keys {keys - set(r)}")
            continue
        extra = set(r) - keys - {"rings", "ring_seconds"}
        if extra:
            p.append(f"{i}: unexpected keys {extra}")
        try:
            when = dt.datetime.fromisoformat(r["started_at"])
            if when.utcoffset() != dt.timedelta(hours=8):
                p.append(f"{i}: started_at not +08:00")
            if when.weekday() >= 5 or not FIRST <= when.date() <= LAST:
                p.append(f"{i}: date not a working day in range")
        except ValueError:
            p.append(f"{i}: bad started_at")
        if r["channel"] == "phone":
            if ("rings" in r) == ("ring_seconds" in r):
                p.append(f"{i}: a call needs exactly one of rings / ring_seconds")
            pick = 5 * (r["rings"] - 1) if "rings" in r else r.get("ring_seconds", 0)
            if r["utterances"] and r["utterances"][0]["start"] < pick:
                p.append(f"{i}: first words before the pick-up")
        elif r["channel"] == "counter":
            if "rings" in r or "ring_seconds" in r or not r["utterances"]:
                p.append(f"{i}: counter visit with rings or without utterances")
        else:
            p.append(f"{i}: bad channel")
        prev = None
        for n, u in enumerate(r["utterances"]):
            if u.get("speaker") not in ("staff", "citizen"):
                p.append(f"{i}#{n}: bad speaker")
            if not u.get("text"):
                p.append(f"{i}#{n}: empty text")
            if not u["end"] > u["start"] >= 0:
                p.append(f"{i}#{n}: bad span")
            if prev and u["start"] < prev["start"]:
                p.append(f"{i}#{n}: start before the previous start")
            prev = u
    by_id = {r.get("id"): r for r in interactions}
    for lab in labels:
        i = lab.get("id", "?")
        r = by_id.get(i)
        if r is None:
            p.append(f"{i}: label without interaction")
            continue
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            p.append(f"{i}: label keys {sorted(lab)}")
        arts = [b.get("article") for b in lab["breaches"]]
        if len(arts) != len(set(arts)):
            p.append(f"{i}: two breaches of one article")
        for b in lab["breaches"]:
            if b.get("article") not in SCORED:
                p.append(f"{i}: article {b.get('article')} out of range")
            if b.get("speaker") != "staff":
                p.append(f"{i}: breach speaker not staff")
            if not b.get("duty"):
                p.append(f"{i}: empty duty")
            q = b.get("quote", None)
            if q is None:
                p.append(f"{i}: breach without quote")
            elif q == "":
                if not b["duty"].startswith(ABSENCE):
                    p.append(f"{i}: absence duty does not name the absence: {b['duty']}")
            else:
                hits = [u for u in r["utterances"] if q in u["text"]]
                if len(hits) != 1 or hits[0]["speaker"] != "staff":
                    p.append(f"{i}: quote {q!r} is not in exactly one staff utterance")
        clean = lab["clean_articles"]
        if not set(clean) <= SCORED or clean != sorted(set(clean)):
            p.append(f"{i}: clean_articles out of range or unsorted")
        if set(clean) & set(arts):
            p.append(f"{i}: clean and breached overlap")
        if not lab.get("note"):
            p.append(f"{i}: empty note")
        if r["channel"] == "counter" and 7 not in clean:
            p.append(f"{i}: Art. 7 does not apply to a counter visit but is not clean")
        if r["channel"] == "phone" and 8 not in clean:
            p.append(f"{i}: Art. 8 does not apply to a call but is not clean")
    return p


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    br = Counter(b["article"] for lab in labels for b in lab["breaches"])
    cl = Counter(a for lab in labels for a in lab["clean_articles"])
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlaps": sum(b["start"] < a["end"] for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)),
        "clean interactions": sum(not lab["breaches"] for lab in labels),
        "with one breach": sum(len(lab["breaches"]) == 1 for lab in labels),
        "with two breaches": sum(len(lab["breaches"]) == 2 for lab in labels),
        "breaches": sum(br.values()),
        "absences": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased": sum("(paraphrase)" in b["duty"] for lab in labels for b in lab["breaches"]),
        "breaches per article": {a: br[a] for a in sorted(SCORED)},
        "clean per article": {a: cl[a] for a in sorted(SCORED)},
    }


def main() -> int:
    inter = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    probs = check(inter, labels)
    for x in probs:
        print("PROBLEM", x)
    for k, v in counts(inter, labels).items():
        print(f"{k}: {v}")
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
