"""Check train-halls-34 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine); run as a
script it checks the committed files and prints the counts.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^t34-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
HALLS = {"金昌经济技术开发区企业服务中心", "永昌县水源镇便民服务站"}
FIRST_DAY = dt.date(2026, 11, 2)
LAST_DAY = dt.date(2026, 12, 8)
ABSENCE_PREFIXES = (
    "missing:",
    "answered after",
    "call not answered",
    "ignored the citizen",
    "forced hang-up",
)
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = ["id", "breaches", "clean_articles", "note"]
BREACH_KEYS = ["article", "speaker", "quote", "duty"]
HERE = Path(__file__).resolve().parent


def _check_record(rec: dict) -> list[str]:
    p: list[str] = []
    rid = rec.get("id", "?")
    keys = set(rec)
    extra = keys - REC_KEYS - {"rings", "ring_seconds"}
    if extra or not keys >= REC_KEYS:
        p.append(f"{rid}: keys {sorted(keys)}")
        return p
    if not ID_RE.match(rid):
        p.append(f"{rid}: bad id")
    if rec["channel"] not in ("counter", "phone"):
        p.append(f"{rid}: bad channel {rec['channel']!r}")
    if rec["hall"] not in HALLS:
        p.append(f"{rid}: hall {rec['hall']!r} not one of this set's halls")
    if not rec["window"]:
        p.append(f"{rid}: empty window")
    if not STAFF_RE.match(rec["staff"]):
        p.append(f"{rid}: bad staff id {rec['staff']!r}")
    try:
        when = dt.datetime.fromisoformat(rec["started_at"])
    except ValueError:
        p.append(f"{rid}: bad started_at {rec['started_at']!r}")
        when = None
    if when is not None:
        if not rec["started_at"].endswith("+08:00"):
            p.append(f"{rid}: started_at not +08:00")
        if when.weekday() >= 5:
            p.append(f"{rid}: started_at on a weekend")
        if not FIRST_DAY <= when.date() <= LAST_DAY:
            p.append(f"{rid}: date out of range")
    utts = rec["utterances"]
    pickup = 0.0
    if rec["channel"] == "phone":
        has_r, has_s = "rings" in rec, "ring_seconds" in rec
        if has_r == has_s:
            p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif has_r:
            if not isinstance(rec["rings"], int) or rec["rings"] < 1:
                p.append(f"{rid}: bad rings")
            else:
                pickup = 5 * (rec["rings"] - 1)
        else:
            if not isinstance(rec["ring_seconds"], (int, float)) or rec["ring_seconds"] <= 0:
                p.append(f"{rid}: bad ring_seconds")
            else:
                pickup = float(rec["ring_seconds"])
        if utts and utts[0]["speaker"] != "staff":
            p.append(f"{rid}: a call must be opened by the staff who picks up")
    else:
        if "rings" in rec or "ring_seconds" in rec:
            p.append(f"{rid}: rings on a counter visit")
        if not utts:
            p.append(f"{rid}: counter visit without utterances")
    prev_start = -1.0
    max_end = 0.0
    overlaps = 0
    for i, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            p.append(f"{rid}#{i}: keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p.append(f"{rid}#{i}: bad speaker {u['speaker']!r}")
        if not u["text"].strip():
            p.append(f"{rid}#{i}: empty text")
        if not (isinstance(u["start"], (int, float)) and isinstance(u["end"], (int, float))):
            p.append(f"{rid}#{i}: non-numeric times")
            continue
        if u["end"] <= u["start"]:
            p.append(f"{rid}#{i}: end {u['end']} not after start {u['start']}")
        if u["start"] < prev_start:
            p.append(f"{rid}#{i}: start {u['start']} before the previous start")
        if i == 0 and u["start"] < pickup:
            p.append(f"{rid}#0: first words at {u['start']} before the pick-up at {pickup}")
        if i and u["start"] < max_end:
            overlaps += 1
        prev_start = u["start"]
        max_end = max(max_end, u["end"])
    return p


def _check_label(lab: dict, rec: dict) -> list[str]:
    p: list[str] = []
    rid = lab.get("id", "?")
    if list(lab) != LABEL_KEYS:
        p.append(f"{rid}: label keys {list(lab)}")
        return p
    if not lab["note"].strip():
        p.append(f"{rid}: empty note")
    texts = [(u["speaker"], u["text"]) for u in rec["utterances"]]
    seen: set[int] = set()
    for b in lab["breaches"]:
        if list(b) != BREACH_KEYS:
            p.append(f"{rid}: breach keys {list(b)}")
            continue
        art = b["article"]
        if art not in SCORED:
            p.append(f"{rid}: article {art} not scored")
        if art in seen:
            p.append(f"{rid}: two breaches of article {art}")
        seen.add(art)
        if b["speaker"] != "staff":
            p.append(f"{rid}: breach speaker {b['speaker']!r}")
        if not b["duty"].strip():
            p.append(f"{rid}: empty duty")
        q = b["quote"]
        if q == "":
            if not b["duty"].startswith(ABSENCE_PREFIXES):
                p.append(f"{rid}: empty quote but duty {b['duty']!r} names no absence")
        else:
            hits = [s for s, t in texts if q in t]
            if len(hits) != 1:
                p.append(f"{rid}: quote {q!r} found in {len(hits)} utterances")
            elif hits[0] != "staff":
                p.append(f"{rid}: quote {q!r} is in a {hits[0]} utterance")
        if art == 7 and rec["channel"] != "phone":
            p.append(f"{rid}: Art. 7 breach on a counter visit")
        if art == 8 and rec["channel"] != "counter":
            p.append(f"{rid}: Art. 8 breach on a call")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)):
        p.append(f"{rid}: clean_articles not sorted/unique")
    if any(a not in SCORED for a in clean):
        p.append(f"{rid}: clean_articles outside the scored articles")
    if seen & set(clean):
        p.append(f"{rid}: articles both breached and clean: {sorted(seen & set(clean))}")
    if rec["channel"] == "counter" and 7 not in clean:
        p.append(f"{rid}: Art. 7 must be clean on a counter visit")
    if rec["channel"] == "phone" and 8 not in clean:
        p.append(f"{rid}: Art. 8 must be clean on a call")
    if rec["channel"] == "phone" and not rec["utterances"]:
        if 7 in seen and not _in_hours(rec):
            p.append(f"{rid}: unanswered call outside hours labelled Art. 7")
        if 7 not in seen and 7 in clean and _in_hours(rec):
            p.append(f"{rid}: unanswered call in hours not labelled Art. 7")
    return p


def _in_hours(rec: dict) -> bool:
    t = dt.datetime.fromisoformat(rec["started_at"]).time()
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    if len(interactions) != len(labels):
        problems.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    if ids != [f"t34-{i:04d}" for i in range(1, len(ids) + 1)]:
        problems.append("ids are not t34-0001.. in order")
    for rec, lab in zip(interactions, labels, strict=False):
        if rec.get("id") != lab.get("id"):
            problems.append(f"id mismatch {rec.get('id')} / {lab.get('id')}")
            continue
        problems += _check_record(rec)
        problems += _check_label(lab, rec)
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    n_b = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(
            r["channel"] == "phone" and not r["utterances"] for r in interactions
        ),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping starts": sum(
            1
            for r in interactions
            for i in range(1, len(r["utterances"]))
            if r["utterances"][i]["start"] < max(u["end"] for u in r["utterances"][:i])
        ),
        "no breach / one / two": [n_b[0], n_b[1], n_b[2]],
        "breaches": sum(per_art.values()),
        "absences (quote '')": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased forbidden phrases": sum(
            "(paraphrase)" in b["duty"] for lab in labels for b in lab["breaches"]
        ),
        "breaches per article": {a: per_art[a] for a in SCORED},
        "clean per article": {a: clean_per[a] for a in SCORED},
    }


def main() -> int:
    recs = [
        json.loads(line)
        for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(recs, labels)
    for pr in problems:
        print("PROBLEM", pr)
    for k, v in counts(recs, labels).items():
        print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
