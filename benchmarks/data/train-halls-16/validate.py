"""Check train-halls-16 against the format and labelling rules of the dev README.

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

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^t16-\d{4}$")
HALLS = {"双湾镇便民服务中心", "金昌市医保服务大厅"}
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}
ABSENCE_PREFIXES = ("missing:", "unanswered question:", "ignored the citizen",
                    "answered after", "call not answered")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)


def _check_record(r: dict) -> list[str]:
    p: list[str] = []
    rid = r.get("id", "?")
    keys = set(r)
    extra = keys - REC_KEYS - {"rings", "ring_seconds"}
    if REC_KEYS - keys or extra:
        p.append(f"{rid}: keys {sorted(keys)}")
        return p
    if not ID_RE.match(rid):
        p.append(f"{rid}: bad id")
    if r["hall"] not in HALLS:
        p.append(f"{rid}: hall {r['hall']!r} not one of this set's halls")
    if not re.match(r"^S-\d{4}$", r["staff"]):
        p.append(f"{rid}: staff id {r['staff']!r}")
    if not r["window"]:
        p.append(f"{rid}: empty window")
    try:
        t = dt.datetime.fromisoformat(r["started_at"])
    except ValueError:
        p.append(f"{rid}: started_at {r['started_at']!r}")
        t = None
    if t is not None:
        if not r["started_at"].endswith("+08:00"):
            p.append(f"{rid}: started_at not +08:00")
        if t.weekday() >= 5 or not FIRST_DAY <= t.date() <= LAST_DAY:
            p.append(f"{rid}: started_at {r['started_at']} not a working day in range")
    utts = r["utterances"]
    if r["channel"] == "counter":
        if "rings" in r or "ring_seconds" in r:
            p.append(f"{rid}: counter visit with rings")
        if not utts:
            p.append(f"{rid}: counter visit without utterances")
    elif r["channel"] == "phone":
        has_r, has_s = "rings" in r, "ring_seconds" in r
        if has_r == has_s:
            p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif has_r:
            if not isinstance(r["rings"], int) or r["rings"] < 1:
                p.append(f"{rid}: rings {r['rings']!r}")
            elif utts and utts[0]["start"] <= 5 * (r["rings"] - 1):
                p.append(f"{rid}: first words before ring {r['rings']}")
        else:
            s = r["ring_seconds"]
            if not isinstance(s, (int, float)) or s <= 0:
                p.append(f"{rid}: ring_seconds {s!r}")
            elif utts and utts[0]["start"] < s:
                p.append(f"{rid}: first words before the pick-up")
    else:
        p.append(f"{rid}: channel {r['channel']!r}")
    prev = None
    for i, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            p.append(f"{rid}#{i}: keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p.append(f"{rid}#{i}: speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip() or "{" in u["text"]:
            p.append(f"{rid}#{i}: empty text")
        if not (isinstance(u["start"], (int, float)) and isinstance(u["end"], (int, float))):
            p.append(f"{rid}#{i}: times not numbers")
            continue
        if not 0 <= u["start"] < u["end"]:
            p.append(f"{rid}#{i}: start {u['start']} end {u['end']}")
        if prev is not None and u["start"] <= prev["start"]:
            p.append(f"{rid}#{i}: start not after the previous start")
        prev = u
    return p


def _check_label(lab: dict, rec: dict) -> list[str]:
    p: list[str] = []
    rid = lab.get("id", "?")
    if set(lab) != LABEL_KEYS:
        return [f"{rid}: label keys {sorted(lab)}"]
    texts = [(u["speaker"], u["text"]) for u in rec["utterances"]]
    seen = set()
    for b in lab["breaches"]:
        if set(b) != BREACH_KEYS:
            p.append(f"{rid}: breach keys {sorted(b)}")
            continue
        a = b["article"]
        if a not in SCORED:
            p.append(f"{rid}: article {a} not scored")
        if a in seen:
            p.append(f"{rid}: two breaches of article {a}")
        seen.add(a)
        if b["speaker"] != "staff":
            p.append(f"{rid}: breach speaker {b['speaker']!r}")
        if not b["duty"].strip():
            p.append(f"{rid}: empty duty")
        q = b["quote"]
        if q == "":
            if not b["duty"].startswith(ABSENCE_PREFIXES):
                p.append(f"{rid}: empty quote but duty does not name an absence: {b['duty']!r}")
        else:
            hits = [s for s, t in texts if q in t]
            if len(hits) != 1:
                p.append(f"{rid}: quote {q!r} found in {len(hits)} utterances")
            elif hits[0] != "staff":
                p.append(f"{rid}: quote {q!r} is not in a staff utterance")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)):
        p.append(f"{rid}: clean_articles not sorted/unique")
    if any(a not in SCORED for a in clean):
        p.append(f"{rid}: clean_articles outside the scored articles")
    if seen & set(clean):
        p.append(f"{rid}: articles both breached and clean: {sorted(seen & set(clean))}")
    if rec["channel"] == "counter" and 7 not in clean:
        p.append(f"{rid}: Art. 7 does not apply to a counter visit and must be clean")
    if rec["channel"] == "phone" and 8 not in clean:
        p.append(f"{rid}: Art. 8 does not apply to a call and must be clean")
    arguable = set(SCORED) - seen - set(clean)
    note = lab["note"]
    if not isinstance(note, str) or not note.strip() or "\n" in note:
        p.append(f"{rid}: note must be one non-empty line")
    if arguable and not note.strip():
        p.append(f"{rid}: arguable articles without a note")
    if (rec["channel"] == "phone" and not rec["utterances"]
            and any(b["quote"] for b in lab["breaches"])):
        p.append(f"{rid}: unanswered call with a quoted breach")
    return p


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    if [lab.get("id") for lab in labels] != ids:
        problems.append("labels are not in the same order / with the same ids as interactions")
    for r in interactions:
        problems += _check_record(r)
    by_id = {r.get("id"): r for r in interactions}
    for lab in labels:
        rec = by_id.get(lab.get("id"))
        if rec is None:
            problems.append(f"{lab.get('id')}: label without interaction")
            continue
        if "utterances" in rec:
            problems += _check_label(lab, rec)
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    calls = [r for r in interactions if r["channel"] == "phone"]
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
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
        "absences (quote empty)": sum(1 for lab in labels for b in lab["breaches"] if not b["quote"]),
        "paraphrased forbidden phrases": sum(
            1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "forbidden phrases": sum(
            1 for lab in labels for b in lab["breaches"] if b["duty"].startswith("forbidden phrase")),
        "breaches per article": {a: per_art.get(a, 0) for a in SCORED},
        "clean per article": {a: clean_per.get(a, 0) for a in SCORED},
    }


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    with open(folder / "interactions.jsonl", encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    with open(folder / "labels.json", encoding="utf-8") as f:
        labels = json.load(f)
    return recs, labels


def main() -> int:
    recs, labels = load()
    problems = check(recs, labels)
    for pr in problems:
        print("PROBLEM", pr)
    for k, v in counts(recs, labels).items():
        print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
