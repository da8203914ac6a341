"""Check blind-halls-15 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine).
Run as a script it checks the committed files and prints the counts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^b15-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
HOURS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 30), dt.time(18, 0)))
INTERACTION_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}
# duty prefixes that name an absence (quote "")
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "unanswered question:", "ignored the citizen")


def _in_hours(t: dt.time) -> bool:
    return any(a <= t < b for a, b in HOURS)


def _rings_of(rec: dict) -> int | None:
    if "rings" in rec:
        return rec["rings"]
    if "ring_seconds" in rec:
        return int(rec["ring_seconds"] // 5) + 1
    return None


def check_interaction(rec: dict) -> list[str]:
    p: list[str] = []
    rid = rec.get("id", "?")
    keys = set(rec)
    extra = keys - INTERACTION_KEYS
    if rec.get("channel") == "phone":
        ring_keys = extra & {"rings", "ring_seconds"}
        if len(ring_keys) != 1:
            p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        extra -= {"rings", "ring_seconds"}
    elif rec.get("channel") != "counter":
        p.append(f"{rid}: channel {rec.get('channel')!r}")
    if extra:
        p.append(f"{rid}: unexpected keys {sorted(extra)}")
    if INTERACTION_KEYS - keys:
        p.append(f"{rid}: missing keys {sorted(INTERACTION_KEYS - keys)}")
        return p
    if not ID_RE.match(rid):
        p.append(f"{rid}: bad id")
    if not STAFF_RE.match(rec["staff"]):
        p.append(f"{rid}: bad staff id {rec['staff']!r}")
    for k in ("hall", "window"):
        if not isinstance(rec[k], str) or not rec[k]:
            p.append(f"{rid}: empty {k}")
    if not TIME_RE.match(rec["started_at"]):
        p.append(f"{rid}: bad started_at {rec['started_at']!r}")
    else:
        t = dt.datetime.fromisoformat(rec["started_at"])
        if t.weekday() >= 5 or not FIRST_DAY <= t.date() <= LAST_DAY:
            p.append(f"{rid}: started_at not a working day in range")
    if "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
        p.append(f"{rid}: bad rings")
    if "ring_seconds" in rec and (not isinstance(rec["ring_seconds"], (int, float)) or rec["ring_seconds"] <= 0):
        p.append(f"{rid}: bad ring_seconds")

    utts = rec["utterances"]
    if not isinstance(utts, list):
        return p + [f"{rid}: utterances not a list"]
    if not utts and rec["channel"] != "phone":
        p.append(f"{rid}: a counter visit without utterances")
    prev = None
    for i, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            p.append(f"{rid}#{i}: keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p.append(f"{rid}#{i}: speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            p.append(f"{rid}#{i}: empty text")
        if not all(isinstance(u[k], (int, float)) for k in ("start", "end")):
            p.append(f"{rid}#{i}: times not numbers")
            continue
        if u["start"] < 0 or u["end"] <= u["start"]:
            p.append(f"{rid}#{i}: bad span {u['start']}-{u['end']}")
        if prev is not None and u["start"] < prev:
            p.append(f"{rid}#{i}: start {u['start']} before previous start {prev}")
        prev = u["start"]
    rings = _rings_of(rec)
    if utts and rings is not None:
        first = utts[0]["start"]
        if "ring_seconds" in rec and first < rec["ring_seconds"]:
            p.append(f"{rid}: first words before the ringing stopped")
        if "rings" in rec and not 5 * (rings - 1) <= first < 5 * rings:
            p.append(f"{rid}: first words not during/after ring {rings}")
        if utts[0]["speaker"] != "staff":
            p.append(f"{rid}: a call must open with the staff pick-up")
    return p


def check_label(rec: dict, lab: dict) -> list[str]:
    p: list[str] = []
    rid = lab.get("id", "?")
    if set(lab) != LABEL_KEYS:
        return [f"{rid}: label keys {sorted(lab)}"]
    if not isinstance(lab["note"], str) or not lab["note"].strip():
        p.append(f"{rid}: empty note")
    seen: set[int] = set()
    utts = rec.get("utterances", [])
    for j, b in enumerate(lab["breaches"]):
        if set(b) != BREACH_KEYS:
            p.append(f"{rid} breach {j}: keys {sorted(b)}")
            continue
        a = b["article"]
        if a not in SCORED:
            p.append(f"{rid} breach {j}: article {a} not scored")
        if a in seen:
            p.append(f"{rid}: two breaches of Art. {a}")
        seen.add(a)
        if b["speaker"] != "staff":
            p.append(f"{rid} breach {j}: speaker {b['speaker']!r}")
        if not isinstance(b["duty"], str) or not b["duty"].strip():
            p.append(f"{rid} breach {j}: empty duty")
        q = b["quote"]
        if q:
            hits = [u for u in utts if q in u["text"]]
            if len(hits) != 1:
                p.append(f"{rid} breach {j}: quote {q!r} found in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                p.append(f"{rid} breach {j}: quote {q!r} is not in a staff utterance")
        elif not b["duty"].startswith(ABSENCE_PREFIXES):
            p.append(f"{rid} breach {j}: empty quote but duty does not name an absence")
        if a in (8, 9, 10) and "forbidden phrase" in b["duty"] and not q:
            p.append(f"{rid} breach {j}: a forbidden phrase needs a quote")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)):
        p.append(f"{rid}: clean_articles not sorted/unique")
    if set(clean) - set(SCORED):
        p.append(f"{rid}: clean_articles outside the scored articles")
    if set(clean) & seen:
        p.append(f"{rid}: articles both breached and clean: {sorted(set(clean) & seen)}")
    # structural consequences of the labelling rules
    if rec.get("channel") == "counter" and 7 not in clean:
        p.append(f"{rid}: Art. 7 must be clean on a counter visit")
    if rec.get("channel") == "phone" and 8 not in clean:
        p.append(f"{rid}: Art. 8 must be clean on a call")
    if rec.get("channel") == "phone" and not utts:
        t = dt.datetime.fromisoformat(rec["started_at"]).time()
        if _in_hours(t) and 7 not in seen:
            p.append(f"{rid}: a call unanswered in hours must breach Art. 7")
        if not _in_hours(t) and seen:
            p.append(f"{rid}: a call unanswered out of hours breaches nothing")
        if seen - {7}:
            p.append(f"{rid}: an unanswered call can only breach Art. 7")
    return p


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    if len(interactions) != len(labels):
        problems.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    if [lab.get("id") for lab in labels] != ids:
        problems.append("label ids are not the interaction ids in the same order")
    by_id = {r.get("id"): r for r in interactions}
    for rec in interactions:
        problems += check_interaction(rec)
    for lab in labels:
        rec = by_id.get(lab.get("id"))
        if rec is None:
            problems.append(f"{lab.get('id')}: label without interaction")
            continue
        problems += check_label(rec, lab)
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_article = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    overlaps = 0
    for r in interactions:
        ends = []
        for u in r["utterances"]:
            if ends and u["start"] < max(ends):
                overlaps += 1
            ends.append(u["end"])
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "calls_unanswered": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "calls_ring_seconds": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping_utterances": overlaps,
        "clean_interactions": nb[0],
        "one_breach": nb[1],
        "two_breaches": nb[2],
        "breaches": sum(per_article.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if not b["quote"]),
        "forbidden_phrases": sum(1 for lab in labels for b in lab["breaches"] if "forbidden phrase" in b["duty"]),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "breaches_per_article": {a: per_article[a] for a in SCORED},
        "clean_per_article": {a: clean_per[a] for a in SCORED},
    }


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    with open(folder / "interactions.jsonl", encoding="utf-8") as f:
        inter = [json.loads(line) for line in f if line.strip()]
    with open(folder / "labels.json", encoding="utf-8") as f:
        labels = json.load(f)
    return inter, labels


def main() -> int:
    inter, labels = load()
    problems = check(inter, labels)
    for pr in problems:
        print("PROBLEM", pr)
    print(json.dumps(counts(inter, labels), ensure_ascii=False, indent=1))
    print("ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
