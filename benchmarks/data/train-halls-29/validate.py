"""Check train-halls-29 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine); run as a
script it checks the committed files and prints the counts.
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
ID_RE = re.compile(r"^t29-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
COMMON_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
ABSENCE_PREFIXES = ("missing", "answered after", "call not answered", "forced hang-up",
                    "unanswered question", "ignored the citizen")
FORBIDDEN_ARTICLES = (8, 9, 10)


def _in_hours(t: dt.datetime) -> bool:
    m = t.hour * 60 + t.minute + t.second / 60
    return 8 * 60 + 30 <= m < 12 * 60 or 14 * 60 + 30 <= m < 18 * 60


def _rings(rec: dict) -> int:
    if "rings" in rec:
        return rec["rings"]
    return math.floor(rec["ring_seconds"] / 5) + 1


def _check_record(rec: dict, problems: list) -> None:
    rid = rec.get("id", "?")
    p = lambda msg: problems.append(f"{rid}: {msg}")  # noqa: E731
    channel = rec.get("channel")
    if channel not in ("counter", "phone"):
        p(f"bad channel {channel!r}")
        return
    keys = set(rec)
    if channel == "counter":
        if keys != COMMON_KEYS:
            p(f"counter keys {sorted(keys ^ COMMON_KEYS)} wrong")
    else:
        extra = keys - COMMON_KEYS
        if keys - extra != COMMON_KEYS or extra not in ({"rings"}, {"ring_seconds"}):
            p("a call needs the common keys and exactly one of rings / ring_seconds")
        if "rings" in rec and not (isinstance(rec["rings"], int) and rec["rings"] >= 1):
            p("rings must be a positive integer")
        if "ring_seconds" in rec and not (isinstance(rec["ring_seconds"], (int, float))
                                          and rec["ring_seconds"] > 0):
            p("ring_seconds must be positive")
    for k in ("hall", "window"):
        if not isinstance(rec.get(k), str) or not rec.get(k):
            p(f"empty {k}")
    if not STAFF_RE.match(str(rec.get("staff", ""))):
        p("bad staff id")
    try:
        t0 = dt.datetime.fromisoformat(rec["started_at"])
    except (KeyError, ValueError):
        p("bad started_at")
        return
    if t0.utcoffset() != dt.timedelta(hours=8) or not rec["started_at"].endswith("+08:00"):
        p("started_at must be +08:00")
    if t0.weekday() >= 5 or not FIRST_DAY <= t0.date() <= LAST_DAY:
        p(f"started_at {t0.date()} is not a working day in range")
    utts = rec.get("utterances")
    if not isinstance(utts, list):
        p("utterances must be a list")
        return
    prev_start = -1.0
    for i, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            p(f"utterance {i} keys wrong")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p(f"utterance {i} bad speaker")
        if not isinstance(u["text"], str) or not u["text"].strip():
            p(f"utterance {i} empty text")
        if not (isinstance(u["start"], (int, float)) and isinstance(u["end"], (int, float))):
            p(f"utterance {i} times not numbers")
            continue
        if not 0 <= u["start"] < u["end"]:
            p(f"utterance {i} start/end wrong")
        if u["start"] < prev_start:
            p(f"utterance {i} starts before the previous one")
        prev_start = u["start"]
    if channel == "phone" and utts:
        pickup_floor = (5 * (rec["rings"] - 1) if "rings" in rec else rec["ring_seconds"])
        if utts[0]["start"] <= pickup_floor:
            p("first words come before the pick-up")
    if channel == "counter" and not utts:
        p("a counter visit without utterances")


def _check_label(rec: dict, lab: dict, problems: list) -> None:
    rid = rec["id"]
    p = lambda msg: problems.append(f"{rid}: {msg}")  # noqa: E731
    if set(lab) != {"id", "breaches", "clean_articles", "note"}:
        p(f"label keys {sorted(lab)} wrong")
        return
    if not isinstance(lab["note"], str) or not lab["note"].strip() or "\n" in lab["note"]:
        p("note must be one non-empty line")
    utts = rec["utterances"]
    seen = set()
    for b in lab["breaches"]:
        if set(b) != {"article", "speaker", "quote", "duty"}:
            p(f"breach keys {sorted(b)} wrong")
            continue
        a = b["article"]
        if a not in SCORED:
            p(f"article {a} not scored")
        if a in seen:
            p(f"two breaches of article {a}")
        seen.add(a)
        if b["speaker"] != "staff":
            p("breach speaker must be staff")
        if not isinstance(b["duty"], str) or not b["duty"].strip():
            p(f"art {a}: empty duty")
            continue
        q = b["quote"]
        if q == "":
            if not b["duty"].startswith(ABSENCE_PREFIXES):
                p(f"art {a}: empty quote but duty does not name an absence")
        else:
            hits = [u for u in utts if q in u["text"]]
            if len(hits) != 1:
                p(f"art {a}: quote {q!r} found in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                p(f"art {a}: quote {q!r} is not a staff utterance")
        if b["duty"].startswith("forbidden phrase") and a not in FORBIDDEN_ARTICLES:
            p(f"art {a}: forbidden phrase duty on an article without forbidden phrases")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)) or not set(clean) <= set(SCORED):
        p("clean_articles must be sorted, unique, scored")
    if seen & set(clean):
        p(f"articles {sorted(seen & set(clean))} both breached and clean")
    # labelling decisions of the dev README
    t0 = dt.datetime.fromisoformat(rec["started_at"])
    if rec["channel"] == "counter" and 7 not in clean:
        p("Art. 7 does not apply to a counter visit and must be clean")
    if rec["channel"] == "phone":
        in_hours = _in_hours(t0)
        if not utts:
            if in_hours and 7 not in seen:
                p("a call unanswered in hours must breach Art. 7")
            if not in_hours and (seen or len(clean) != len(SCORED)):
                p("a call unanswered out of hours breaches nothing")
            if in_hours and 25 in clean:
                p("Art. 25 is unscored for a call unanswered in hours")
        elif _rings(rec) >= 4 and in_hours and 7 not in seen:
            p("picked up on the 4th ring or later without an Art. 7 breach")
        elif _rings(rec) <= 3 and any(b["duty"].startswith("answered after") for b in lab["breaches"]):
            p("'answered after' on a call picked up by the third ring")
    for b in lab["breaches"]:
        if b["article"] == 25 and b["quote"]:
            u = next(u for u in utts if b["quote"] in u["text"])
            if not _in_hours(t0 + dt.timedelta(seconds=u["start"])):
                p("Art. 25 breach outside service hours")
        if b["duty"].startswith("forbidden phrase") and 6 in clean:
            p("Art. 6 must be left unscored when uncivil words are filed under a forbidden phrase")
        if b["duty"].startswith("quarrel") and 6 in clean:
            p("Art. 6 must be left unscored when uncivil words are filed under a quarrel")
    if 5 in seen and 16 in clean:
        p("with Art. 5 labelled, Art. 16 is labelled too or unscored")


def check(interactions: list, labels: list) -> list:
    problems = []
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    if ids != sorted(ids):
        problems.append("interaction ids not in order")
    for rid in ids:
        if not ID_RE.match(str(rid)):
            problems.append(f"bad id {rid!r}")
    if [lab.get("id") for lab in labels] != ids:
        problems.append("labels are not in the same order with the same ids")
        return problems
    for rec, lab in zip(interactions, labels, strict=False):
        _check_record(rec, problems)
        if isinstance(rec.get("utterances"), list):
            _check_label(rec, lab, problems)
    return problems


def counts(interactions: list, labels: list) -> dict:
    per_article = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    n_breach = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping starts": sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
                                  if b["start"] < a["end"]),
        "clean interactions": n_breach[0],
        "one breach": n_breach[1],
        "two breaches": n_breach[2],
        "breaches": sum(per_article.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "forbidden phrases": sum(1 for lab in labels for b in lab["breaches"] if b["duty"].startswith("forbidden")),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase" in b["duty"]),
        "breaches per article": {a: per_article.get(a, 0) for a in SCORED},
        "clean per article": {a: clean_per.get(a, 0) for a in SCORED},
    }


def main() -> int:
    with open(HERE / "interactions.jsonl", encoding="utf-8") as f:
        interactions = [json.loads(line) for line in f if line.strip()]
    with open(HERE / "labels.json", encoding="utf-8") as f:
        labels = json.load(f)
    problems = check(interactions, labels)
    for k, v in counts(interactions, labels).items():
        print(f"{k}: {v}")
    for prob in problems:
        print("PROBLEM", prob)
    print(f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
