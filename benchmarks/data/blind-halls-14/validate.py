"""Check blind-halls-14 against the dev README's format and labelling rules; print counts."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import datetime, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
ID = re.compile(r"^b14-\d{4}$")
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
FORBIDDEN_ARTS = {8, 9, 10}


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    p: list[str] = []
    ids = [r.get("id") for r in interactions]
    if ids != [lab.get("id") for lab in labels]:
        p.append("interaction and label ids differ or are in another order")
    if len(set(ids)) != len(ids):
        p.append("duplicate ids")
    for r in interactions:
        rid = r.get("id", "?")
        if not ID.match(str(rid)):
            p.append(f"{rid}: bad id")
        extra = set(r) - REC_KEYS - {"rings", "ring_seconds"}
        if extra or not set(r) >= REC_KEYS:
            p.append(f"{rid}: bad keys {sorted(set(r) ^ REC_KEYS)}")
            continue
        if r["channel"] not in ("counter", "phone"):
            p.append(f"{rid}: bad channel")
        try:
            dt = datetime.fromisoformat(r["started_at"])
        except ValueError:
            p.append(f"{rid}: bad started_at")
            continue
        if dt.utcoffset() is None or dt.utcoffset().total_seconds() != 8 * 3600:
            p.append(f"{rid}: started_at not +08:00")
        if dt.weekday() >= 5 or not ("2026-11-03" <= dt.date().isoformat() <= "2026-12-14"):
            p.append(f"{rid}: date not a working day in range")
        if r["channel"] == "phone":
            if ("rings" in r) == ("ring_seconds" in r):
                p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif "rings" in r or "ring_seconds" in r:
            p.append(f"{rid}: counter visit with rings")
        if r["channel"] == "counter" and not r["utterances"]:
            p.append(f"{rid}: counter visit without utterances")
        prev = None
        for i, u in enumerate(r["utterances"]):
            if set(u) != {"speaker", "start", "end", "text"}:
                p.append(f"{rid}#{i}: bad utterance keys")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p.append(f"{rid}#{i}: bad speaker")
            if not u["text"].strip():
                p.append(f"{rid}#{i}: empty text")
            if not (u["end"] > u["start"] >= 0):
                p.append(f"{rid}#{i}: bad times")
            if prev is not None and u["start"] < prev["start"]:
                p.append(f"{rid}#{i}: start before previous start")
            prev = u
        if r["channel"] == "phone" and r["utterances"]:
            ring_s = r.get("ring_seconds", 5 * (r.get("rings", 1) - 1))
            if r["utterances"][0]["start"] < ring_s:
                p.append(f"{rid}: first words before the pick-up")
    by_id = {r.get("id"): r for r in interactions}
    for lab in labels:
        lid = lab.get("id", "?")
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            p.append(f"{lid}: bad label keys")
            continue
        r = by_id.get(lid)
        if r is None:
            continue
        arts = [b.get("article") for b in lab["breaches"]]
        if len(arts) != len(set(arts)):
            p.append(f"{lid}: two breaches of one article")
        if len(arts) > 2:
            p.append(f"{lid}: more than two breaches")
        clean = lab["clean_articles"]
        if sorted(set(clean)) != clean or not set(clean) <= SCORED:
            p.append(f"{lid}: clean_articles not a sorted subset of the scored articles")
        if set(clean) & set(arts):
            p.append(f"{lid}: clean and breached overlap")
        if not lab["note"].strip():
            p.append(f"{lid}: empty note")
        if r["channel"] == "counter" and 7 not in clean:
            p.append(f"{lid}: Art. 7 must be clean on a counter visit")
        if r["channel"] == "phone" and 8 not in clean:
            p.append(f"{lid}: Art. 8 must be clean on a call")
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"}:
                p.append(f"{lid}: bad breach keys")
                continue
            if b["article"] not in SCORED:
                p.append(f"{lid}: article {b['article']} not scored")
            if b["speaker"] != "staff":
                p.append(f"{lid}: breach speaker not staff")
            if not b["duty"].strip():
                p.append(f"{lid}: empty duty")
            q = b["quote"]
            if q == "":
                continue
            hits = [u for u in r["utterances"] if q in u["text"]]
            if len(hits) != 1:
                p.append(f"{lid}: quote {q!r} in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                p.append(f"{lid}: quote {q!r} not in a staff utterance")
        if r["channel"] == "phone" and not r["utterances"]:
            t = datetime.fromisoformat(r["started_at"]).time()
            in_hours = time(8, 30) <= t < time(12) or time(14, 30) <= t < time(18)
            if in_hours != any(b["article"] == 7 for b in lab["breaches"]):
                p.append(f"{lid}: unanswered call and Art. 7 disagree with the hours")
    return p


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "no_breach": nb[0],
        "one_breach": nb[1],
        "two_breaches": nb[2],
        "breaches": sum(per_art.values()),
        "absences": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased": sum("(paraphrase)" in b["duty"] for lab in labels for b in lab["breaches"]),
        "forbidden_phrase": sum(
            b["duty"].startswith("forbidden phrase") for lab in labels for b in lab["breaches"]
        ),
        "breaches_per_article": {a: per_art[a] for a in sorted(SCORED)},
        "clean_per_article": {a: clean_per[a] for a in sorted(SCORED)},
        "overlaps": sum(
            1
            for r in interactions
            for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
            if b["start"] < a["end"]
        ),
    }


def main() -> None:
    recs = [
        json.loads(x)
        for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(recs, labels)
    for x in problems:
        print("PROBLEM", x)
    print(json.dumps(counts(recs, labels), ensure_ascii=False, indent=1))
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
