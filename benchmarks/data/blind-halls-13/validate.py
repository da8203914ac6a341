"""Check blind-halls-13 against the format and labelling rules of the dev README."""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID = re.compile(r"^b13-\d{4}$")
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "ignored the citizen")


def _in_hours(t: dt.datetime) -> bool:
    m = t.hour * 60 + t.minute
    return 8 * 60 + 30 <= m < 12 * 60 or 14 * 60 + 30 <= m < 18 * 60


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    probs: list[str] = []
    ids = [r.get("id") for r in interactions]
    if ids != [lab.get("id") for lab in labels]:
        probs.append("interactions and labels differ in ids or order")
    if len(set(ids)) != len(ids):
        probs.append("duplicate ids")
    if ids != [f"b13-{i:04d}" for i in range(1, len(ids) + 1)]:
        probs.append("ids are not b13-0001.. in order")
    by_id = {r.get("id"): r for r in interactions}
    for r in interactions:
        i = r.get("id")
        if not isinstance(i, str) or not ID.match(i):
            probs.append(f"{i}: bad id")
        for k in ("hall", "window", "staff"):
            if not isinstance(r.get(k), str) or not r[k]:
                probs.append(f"{i}: missing {k}")
        ch = r.get("channel")
        if ch not in ("counter", "phone"):
            probs.append(f"{i}: bad channel {ch!r}")
        try:
            t = dt.datetime.fromisoformat(r["started_at"])
            if not r["started_at"].endswith("+08:00"):
                probs.append(f"{i}: started_at not +08:00")
            if t.weekday() >= 5:
                probs.append(f"{i}: weekend date")
            if not dt.date(2026, 11, 3) <= t.date() <= dt.date(2026, 12, 14):
                probs.append(f"{i}: date out of range")
        except (KeyError, ValueError, TypeError):
            probs.append(f"{i}: bad started_at")
        first_words = 0.0
        if ch == "phone":
            has_r, has_s = "rings" in r, "ring_seconds" in r
            if has_r == has_s:
                probs.append(f"{i}: a call needs exactly one of rings / ring_seconds")
            elif has_r:
                if not isinstance(r["rings"], int) or r["rings"] < 1:
                    probs.append(f"{i}: bad rings")
                else:
                    first_words = 5 * (r["rings"] - 1)
            else:
                first_words = float(r["ring_seconds"])
        else:
            if "rings" in r or "ring_seconds" in r:
                probs.append(f"{i}: rings on a counter visit")
        utts = r.get("utterances")
        if not isinstance(utts, list):
            probs.append(f"{i}: utterances not a list")
            continue
        if not utts and ch != "phone":
            probs.append(f"{i}: empty counter visit")
        prev = None
        for k, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                probs.append(f"{i}#{k}: bad utterance keys")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                probs.append(f"{i}#{k}: bad speaker")
            if not u["text"].strip():
                probs.append(f"{i}#{k}: empty text")
            if not u["start"] < u["end"]:
                probs.append(f"{i}#{k}: start not before end")
            if prev is not None and u["start"] < prev:
                probs.append(f"{i}#{k}: start goes back")
            if k == 0 and u["start"] < first_words:
                probs.append(f"{i}: first words before the pick-up")
            prev = u["start"]
    for lab in labels:
        i = lab.get("id")
        r = by_id.get(i)
        if r is None:
            continue
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            probs.append(f"{i}: bad label keys")
            continue
        if not lab["note"].strip():
            probs.append(f"{i}: empty note")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)) or any(a not in SCORED for a in clean):
            probs.append(f"{i}: clean_articles not a sorted subset of the scored articles")
        arts = [b.get("article") for b in lab["breaches"]]
        if len(arts) != len(set(arts)):
            probs.append(f"{i}: two breaches of one article")
        if set(arts) & set(clean):
            probs.append(f"{i}: an article both breached and clean")
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"}:
                probs.append(f"{i}: bad breach keys")
                continue
            if b["article"] not in SCORED:
                probs.append(f"{i}: article {b['article']} not scored")
            if b["speaker"] != "staff":
                probs.append(f"{i}: breach speaker not staff")
            if not b["duty"].strip():
                probs.append(f"{i}: empty duty")
            if b["article"] == 7 and r["channel"] != "phone":
                probs.append(f"{i}: Art. 7 on a counter visit")
            q = b["quote"]
            if q == "":
                if not b["duty"].startswith(ABSENCE_PREFIXES):
                    probs.append(f"{i}: empty quote but duty names no absence")
                continue
            hits = [u for u in r["utterances"] if q in u["text"]]
            if len(hits) != 1:
                probs.append(f"{i}: quote {q!r} in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                probs.append(f"{i}: quote {q!r} not in a staff utterance")
        if r["channel"] == "counter" and 7 not in clean:
            probs.append(f"{i}: Art. 7 not clean on a counter visit")
        if r["channel"] == "phone" and 8 not in clean:
            probs.append(f"{i}: Art. 8 not clean on a call")
        if r["channel"] == "phone" and not r["utterances"]:
            t = dt.datetime.fromisoformat(r["started_at"])
            if _in_hours(t) != (7 in arts):
                probs.append(f"{i}: unanswered call: Art. 7 should be breached iff within hours")
    return probs


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean = Counter(a for lab in labels for a in lab["clean_articles"])
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "clean_interactions": sum(not lab["breaches"] for lab in labels),
        "breaches": sum(per.values()),
        "absences": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased": sum("(paraphrase)" in b["duty"] for lab in labels for b in lab["breaches"]),
        "breaches_per_article": {a: per[a] for a in SCORED},
        "clean_per_article": {a: clean[a] for a in SCORED},
        "overlaps": sum(
            1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False) if b["start"] < a["end"]
        ),
    }


def main() -> int:
    inter = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    probs = check(inter, labels)
    for p in probs:
        print("PROBLEM", p)
    print(json.dumps(counts(inter, labels), ensure_ascii=False, indent=1))
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
