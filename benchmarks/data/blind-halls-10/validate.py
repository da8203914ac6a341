"""Check blind-halls-10 against the format and labelling rules of the dev README.

    python validate.py         # checks interactions.jsonl + labels.json, prints the counts

``check(interactions, labels)`` returns a list of problems (empty when fine).
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^b10-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
HOURS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 30), dt.time(18, 0)))
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "ignored the citizen",
                    "unanswered question:")
FORBIDDEN_ARTICLES = {8, 9, 10}


def _in_hours(t: dt.time) -> bool:
    return any(a <= t < b for a, b in HOURS)


def ring_count(rec: dict) -> int | None:
    if "rings" in rec:
        return rec["rings"]
    if "ring_seconds" in rec:
        return math.floor(rec["ring_seconds"] / 5) + 1
    return None


def _check_interaction(rec: dict) -> list[str]:
    p: list[str] = []
    rid = rec.get("id", "?")
    base = ["id", "channel", "hall", "window", "staff", "started_at"]
    channel = rec.get("channel")
    if channel == "counter":
        keys = base + ["utterances"]
    elif channel == "phone":
        extra = [k for k in ("rings", "ring_seconds") if k in rec]
        if len(extra) != 1:
            p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        keys = base + extra + ["utterances"]
    else:
        return [f"{rid}: channel {channel!r}"]
    if list(rec) != keys:
        p.append(f"{rid}: keys {list(rec)} != {keys}")
    if not ID_RE.match(str(rid)):
        p.append(f"{rid}: bad id")
    for k in ("hall", "window"):
        if not isinstance(rec.get(k), str) or not rec.get(k):
            p.append(f"{rid}: empty {k}")
    if not STAFF_RE.match(str(rec.get("staff"))):
        p.append(f"{rid}: bad staff {rec.get('staff')!r}")
    try:
        started = dt.datetime.fromisoformat(rec["started_at"])
    except (KeyError, TypeError, ValueError):
        return p + [f"{rid}: bad started_at {rec.get('started_at')!r}"]
    if not rec["started_at"].endswith("+08:00"):
        p.append(f"{rid}: started_at not +08:00")
    if started.weekday() >= 5 or not FIRST_DAY <= started.date() <= LAST_DAY:
        p.append(f"{rid}: {started.date()} is not a working day of the corpus window")
    if "rings" in rec and (not isinstance(rec["rings"], int) or isinstance(rec["rings"], bool)
                           or rec["rings"] < 1):
        p.append(f"{rid}: rings must be a positive integer")
    if "ring_seconds" in rec and (not isinstance(rec["ring_seconds"], (int, float))
                                  or rec["ring_seconds"] <= 0):
        p.append(f"{rid}: ring_seconds must be a positive number")
    utts = rec.get("utterances")
    if not isinstance(utts, list):
        return p + [f"{rid}: utterances is not a list"]
    if not utts and channel != "phone":
        p.append(f"{rid}: a counter visit without utterances")
    prev = None
    for i, u in enumerate(utts):
        where = f"{rid} utterance {i}"
        if list(u) != ["speaker", "start", "end", "text"]:
            p.append(f"{where}: keys {list(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p.append(f"{where}: speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip() or u["text"] != u["text"].strip():
            p.append(f"{where}: empty or unstripped text")
        if not all(isinstance(u[k], (int, float)) for k in ("start", "end")):
            p.append(f"{where}: times not numbers")
            continue
        if u["start"] < 0 or u["end"] <= u["start"]:
            p.append(f"{where}: bad times {u['start']}-{u['end']}")
        if prev is not None and u["start"] < prev["start"]:
            p.append(f"{where}: starts before the previous utterance")
        prev = u
    if channel == "phone" and utts:
        n = ring_count(rec)
        if n is not None and utts[0]["start"] <= 5 * (n - 1):
            p.append(f"{rid}: first words before ring {n}")
    return p


def _check_label(lab: dict, rec: dict) -> list[str]:
    p: list[str] = []
    rid = rec["id"]
    if list(lab) != ["id", "breaches", "clean_articles", "note"]:
        p.append(f"{rid}: label keys {list(lab)}")
        return p
    if not isinstance(lab["note"], str) or not lab["note"].strip() or "\n" in lab["note"]:
        p.append(f"{rid}: note must be one non-empty line")
    utts = rec["utterances"]
    arts = []
    for b in lab["breaches"]:
        if list(b) != ["article", "speaker", "quote", "duty"]:
            p.append(f"{rid}: breach keys {list(b)}")
            continue
        a = b["article"]
        arts.append(a)
        if a not in SCORED:
            p.append(f"{rid}: article {a} not scored")
        if b["speaker"] != "staff":
            p.append(f"{rid}: breach speaker {b['speaker']!r}")
        if not isinstance(b["duty"], str) or not b["duty"].strip():
            p.append(f"{rid}: empty duty")
            continue
        q = b["quote"]
        if q == "":
            if not b["duty"].startswith(ABSENCE_PREFIXES):
                p.append(f"{rid}: absence (art {a}) whose duty does not name the absence")
        else:
            hits = [u for u in utts if q in u["text"]]
            if len(hits) != 1:
                p.append(f"{rid}: quote {q!r} is in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                p.append(f"{rid}: quote {q!r} is not a staff utterance")
        if b["duty"].startswith("forbidden phrase") and a not in FORBIDDEN_ARTICLES:
            p.append(f"{rid}: forbidden phrase under article {a}")
    if len(arts) != len(set(arts)):
        p.append(f"{rid}: two breaches of the same article")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)) or any(a not in SCORED for a in clean):
        p.append(f"{rid}: clean_articles must be sorted, unique, scored")
    if set(clean) & set(arts):
        p.append(f"{rid}: articles both breached and clean: {sorted(set(clean) & set(arts))}")
    # applicability
    if rec["channel"] == "counter":
        if 7 in arts or 7 not in clean:
            p.append(f"{rid}: Art. 7 must be clean on a counter visit")
    else:
        if 8 in arts or 8 not in clean:
            p.append(f"{rid}: Art. 8 must be clean on a call")
    started = dt.datetime.fromisoformat(rec["started_at"])
    if 25 in arts and not _in_hours(started.time()):
        p.append(f"{rid}: Art. 25 breach outside service hours")
    if rec["channel"] == "phone":
        n = ring_count(rec)
        ring_end = started + dt.timedelta(seconds=5 * (n - 1) + 1)
        hours = _in_hours(started.time()) and _in_hours(ring_end.time())
        if not utts:
            if hours and 7 not in arts:
                p.append(f"{rid}: call unanswered in hours without an Art. 7 breach")
            if not hours and arts:
                p.append(f"{rid}: call unanswered outside hours must breach nothing")
            if set(arts) - {7}:
                p.append(f"{rid}: an unanswered call can only breach Art. 7")
        elif n >= 4 and hours and 7 not in arts:
            p.append(f"{rid}: answered on ring {n} without an Art. 7 breach")
        elif n <= 3 and any(b["duty"].startswith("answered after") for b in lab["breaches"]):
            p.append(f"{rid}: 'answered after' on ring {n}")
    return p


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    p: list[str] = []
    if len(interactions) != len(labels):
        p.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(ids) != len(set(ids)):
        p.append("duplicate interaction ids")
    if ids != sorted(ids):
        p.append("interaction ids not in order")
    for rec in interactions:
        p.extend(_check_interaction(rec))
    for rec, lab in zip(interactions, labels, strict=False):
        if lab.get("id") != rec.get("id"):
            p.append(f"label {lab.get('id')} does not match interaction {rec.get('id')}")
            continue
        if not any(x.startswith(f"{rec.get('id')}:") for x in p):
            p.extend(_check_label(lab, rec))
    return p


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    calls = [r for r in interactions if r["channel"] == "phone"]
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per_art = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    overlaps = 0
    for r in interactions:
        u = r["utterances"]
        overlaps += sum(1 for a, b in zip(u, u[1:], strict=False) if b["start"] < a["end"])
    return {
        "interactions": len(interactions),
        "counter": len(interactions) - len(calls),
        "calls": len(calls),
        "unanswered calls": sum(1 for r in calls if not r["utterances"]),
        "ring_seconds calls": sum(1 for r in calls if "ring_seconds" in r),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping starts": overlaps,
        "interactions by number of breaches": dict(sorted(nb.items())),
        "breaches": sum(per_art.values()),
        "absences (quote '')": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "forbidden phrases": sum(1 for lab in labels for b in lab["breaches"]
                                 if b["duty"].startswith("forbidden phrase")),
        "of them paraphrased": sum(1 for lab in labels for b in lab["breaches"]
                                   if b["duty"].startswith("forbidden phrase") and "(paraphrase" in b["duty"]),
        "breaches per article": {a: per_art.get(a, 0) for a in SCORED},
        "clean per article": {a: clean_per_art.get(a, 0) for a in SCORED},
    }


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    with open(folder / "interactions.jsonl", encoding="utf-8") as f:
        interactions = [json.loads(line) for line in f if line.strip()]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return interactions, labels


def main() -> int:
    interactions, labels = load()
    problems = check(interactions, labels)
    for k, v in counts(interactions, labels).items():
        print(f"{k}: {v}")
    for x in problems:
        print("PROBLEM:", x)
    print("ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
