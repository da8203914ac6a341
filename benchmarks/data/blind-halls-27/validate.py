"""Check blind-halls-27 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine).
Run as a script to check the committed files and print the counts.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import datetime, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^b27-\d{4}$")
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
UTT_KEYS = {"speaker", "start", "end", "text"}
LAB_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}
ABSENCE_PREFIXES = ("missing:", "ignored the citizen", "answered after", "call not answered", "unanswered question")
HOURS = ((time(8, 30), time(12, 0)), (time(14, 30), time(18, 0)))


def _in_hours(t: time) -> bool:
    return any(a <= t < b for a, b in HOURS)


def _check_record(r: dict) -> list:
    p = []
    rid = r.get("id", "?")
    extra = set(r) - REC_KEYS - {"rings", "ring_seconds"}
    if extra or not set(r) >= REC_KEYS:
        p.append(f"{rid}: keys {sorted(r)}")
        return p
    if not ID_RE.match(rid):
        p.append(f"{rid}: bad id")
    if r["channel"] not in ("counter", "phone"):
        p.append(f"{rid}: bad channel {r['channel']!r}")
    if not re.match(r"^S-\d{4}$", r["staff"]):
        p.append(f"{rid}: bad staff id")
    if "便民服务中心" not in r["hall"] or not r["window"]:
        p.append(f"{rid}: hall/window")
    try:
        ts = datetime.fromisoformat(r["started_at"])
    except ValueError:
        p.append(f"{rid}: bad started_at")
        return p
    if not r["started_at"].endswith("+08:00"):
        p.append(f"{rid}: started_at not +08:00")
    if ts.weekday() >= 5:
        p.append(f"{rid}: weekend date")
    if not (datetime(2026, 10, 12).date() <= ts.date() <= datetime(2026, 11, 13).date()):
        p.append(f"{rid}: date outside 2026-10-12..2026-11-13")
    pickup = 0.0
    if r["channel"] == "phone":
        has_r, has_s = "rings" in r, "ring_seconds" in r
        if has_r == has_s:
            p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif has_r:
            if not isinstance(r["rings"], int) or r["rings"] < 1:
                p.append(f"{rid}: bad rings")
            else:
                pickup = 5.0 * (r["rings"] - 1)
        else:
            if not isinstance(r["ring_seconds"], (int, float)) or r["ring_seconds"] <= 0:
                p.append(f"{rid}: bad ring_seconds")
            else:
                pickup = float(r["ring_seconds"])
    elif "rings" in r or "ring_seconds" in r:
        p.append(f"{rid}: rings on a counter visit")
    utts = r["utterances"]
    if r["channel"] == "counter" and not utts:
        p.append(f"{rid}: counter visit without utterances")
    prev = None
    for i, u in enumerate(utts):
        if set(u) != UTT_KEYS:
            p.append(f"{rid}#{i}: utterance keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p.append(f"{rid}#{i}: bad speaker")
        if not isinstance(u["text"], str) or not u["text"].strip():
            p.append(f"{rid}#{i}: empty text")
        elif "{" in u["text"] or "}" in u["text"]:
            p.append(f"{rid}#{i}: a timing mark left in the text")
        if not (0 <= u["start"] < u["end"]):
            p.append(f"{rid}#{i}: bad times {u['start']}..{u['end']}")
        if round(u["start"], 2) != u["start"] or round(u["end"], 2) != u["end"]:
            p.append(f"{rid}#{i}: times not rounded to 0.01")
        if i == 0 and u["start"] < pickup:
            p.append(f"{rid}: first words before the pick-up")
        if prev is not None and u["start"] <= prev["start"]:
            p.append(f"{rid}#{i}: start not after the previous start")
        prev = u
    return p


def _check_label(r: dict, lab: dict) -> list:
    p = []
    rid = r["id"]
    if set(lab) != LAB_KEYS:
        p.append(f"{rid}: label keys {sorted(lab)}")
        return p
    if not isinstance(lab["note"], str) or not lab["note"].strip():
        p.append(f"{rid}: empty note")
    arts = [b.get("article") for b in lab["breaches"]]
    if len(arts) != len(set(arts)):
        p.append(f"{rid}: two breaches of the same article")
    if len(lab["breaches"]) > 2:
        p.append(f"{rid}: more than two breaches")
    staff_texts = [u["text"] for u in r["utterances"] if u["speaker"] == "staff"]
    all_texts = [u["text"] for u in r["utterances"]]
    ts = datetime.fromisoformat(r["started_at"])
    for b in lab["breaches"]:
        if set(b) != BREACH_KEYS:
            p.append(f"{rid}: breach keys {sorted(b)}")
            continue
        a = b["article"]
        if a not in SCORED:
            p.append(f"{rid}: article {a} out of range")
        if b["speaker"] != "staff":
            p.append(f"{rid}: breach speaker {b['speaker']!r}")
        if not b["duty"].strip():
            p.append(f"{rid}: empty duty")
        if b["quote"] == "":
            if not b["duty"].startswith(ABSENCE_PREFIXES):
                p.append(f"{rid}: absence (empty quote) whose duty names no absence: {b['duty']!r}")
        else:
            hits = [t for t in all_texts if b["quote"] in t]
            if len(hits) != 1:
                p.append(f"{rid}: quote {b['quote']!r} in {len(hits)} utterances")
            elif sum(1 for t in staff_texts if b["quote"] in t) != 1:
                p.append(f"{rid}: quote {b['quote']!r} not in a staff utterance")
        if a == 7 and r["channel"] != "phone":
            p.append(f"{rid}: Art. 7 breach on a counter visit")
        if a == 8 and r["channel"] != "counter":
            p.append(f"{rid}: Art. 8 breach on a call")
        if a == 7 and r["channel"] == "phone":
            n = r["rings"] if "rings" in r else int(r.get("ring_seconds", 0) // 5) + 1
            if not r["utterances"]:
                if not _in_hours(ts.time()):
                    p.append(f"{rid}: unanswered call outside hours labelled Art. 7")
            elif n <= 3 and b["duty"].startswith("answered after"):
                p.append(f"{rid}: 'answered after' with only {n} rings")
        if a == 25 and b["quote"]:
            u = next(u for u in r["utterances"] if b["quote"] in u["text"])
            when = (ts.hour * 3600 + ts.minute * 60 + ts.second + u["start"])
            t = time(int(when // 3600) % 24, int(when % 3600 // 60))
            if not _in_hours(t):
                p.append(f"{rid}: Art. 25 breach outside service hours ({t})")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)):
        p.append(f"{rid}: clean_articles not sorted/unique")
    if any(a not in SCORED for a in clean):
        p.append(f"{rid}: clean article out of range")
    if set(clean) & set(arts):
        p.append(f"{rid}: clean and breached overlap {sorted(set(clean) & set(arts))}")
    if r["channel"] == "counter" and 7 not in clean:
        p.append(f"{rid}: Art. 7 not clean on a counter visit")
    if r["channel"] == "phone" and 8 not in clean:
        p.append(f"{rid}: Art. 8 not clean on a call")
    if r["channel"] == "phone" and not r["utterances"]:
        ok_arts = {7} if _in_hours(ts.time()) else set()
        if set(arts) - ok_arts:
            p.append(f"{rid}: unanswered call with breaches {arts}")
    return p


def check(interactions: list, labels: list) -> list:
    problems = []
    ids = [r.get("id") for r in interactions]
    if len(ids) != len(set(ids)):
        problems.append("duplicate interaction ids")
    if [lab.get("id") for lab in labels] != ids:
        problems.append("labels not in the same order / ids as interactions")
    expected = [f"b27-{i:04d}" for i in range(1, len(ids) + 1)]
    if ids != expected:
        problems.append("ids are not b27-0001.. in order")
    for r in interactions:
        problems.extend(_check_record(r))
    for r, lab in zip(interactions, labels, strict=False):
        if r.get("id") == lab.get("id") and "utterances" in r:
            problems.extend(_check_label(r, lab))
    return problems


def counts(interactions: list, labels: list) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_art = Counter(a for lab in labels for a in lab["clean_articles"])
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "no_breach": sum(not lab["breaches"] for lab in labels),
        "one_breach": sum(len(lab["breaches"]) == 1 for lab in labels),
        "two_breaches": sum(len(lab["breaches"]) == 2 for lab in labels),
        "breaches": sum(per_art.values()),
        "absences": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased": sum("(paraphrase)" in b["duty"] for lab in labels for b in lab["breaches"]),
        "breaches_per_article": {a: per_art.get(a, 0) for a in SCORED},
        "clean_per_article": {a: clean_art.get(a, 0) for a in SCORED},
        "overlaps": sum(1 for r in interactions for x, y in zip(r["utterances"], r["utterances"][1:], strict=False)
                        if y["start"] < x["end"]),
    }


def main() -> int:
    recs = [json.loads(lab) for lab in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if lab.strip()]
    labs = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(recs, labs)
    for pr in problems:
        print("PROBLEM:", pr)
    print(json.dumps(counts(recs, labs), ensure_ascii=False, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
