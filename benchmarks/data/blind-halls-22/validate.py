"""Check blind-halls-22 against the format and labelling rules of the dev README.

    python validate.py     # checks interactions.jsonl / labels.json next to this file and prints the counts
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^b22-\d{4}$")
FIRST_DAY, LAST_DAY = date(2026, 11, 3), date(2026, 12, 14)
HOURS = ((time(8, 30), time(12, 0)), (time(14, 30), time(18, 0)))
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LAB_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}


def _in_hours(t: datetime) -> bool:
    return any(a <= t.time() < b for a, b in HOURS)


def _pickup_floor(rec: dict) -> float:
    if "rings" in rec:
        return 5.0 * (rec["rings"] - 1)
    return float(rec["ring_seconds"])


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    """Problems found (empty when fine)."""
    out: list[str] = []
    if len(interactions) != len(labels):
        out.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        out.append("duplicate interaction ids")
    if ids != sorted(ids):
        out.append("interaction ids not in order")
    if [lab.get("id") for lab in labels] != ids:
        out.append("label ids differ from interaction ids (or their order)")
    by_id = {r.get("id"): r for r in interactions}

    for rec in interactions:
        rid = rec.get("id")
        where = f"{rid}:"
        if not isinstance(rid, str) or not ID_RE.match(rid):
            out.append(f"{where} bad id")
        ch = rec.get("channel")
        extra = set(rec) - REC_KEYS
        if ch == "phone":
            if extra not in ({"rings"}, {"ring_seconds"}):
                out.append(f"{where} a call needs exactly one of rings / ring_seconds (has {sorted(extra)})")
            if "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
                out.append(f"{where} rings must be a positive integer")
            if "ring_seconds" in rec and (not isinstance(rec["ring_seconds"], (int, float)) or rec["ring_seconds"] <= 0):
                out.append(f"{where} ring_seconds must be positive")
        elif ch == "counter":
            if extra:
                out.append(f"{where} counter visit with extra keys {sorted(extra)}")
        else:
            out.append(f"{where} bad channel {ch!r}")
        missing = REC_KEYS - set(rec)
        if missing:
            out.append(f"{where} missing keys {sorted(missing)}")
            continue
        for k in ("hall", "window", "staff"):
            if not isinstance(rec[k], str) or not rec[k]:
                out.append(f"{where} empty {k}")
        if not re.match(r"^S-\d{4}$", rec["staff"]):
            out.append(f"{where} bad staff id {rec['staff']!r}")
        try:
            started = datetime.fromisoformat(rec["started_at"])
        except (TypeError, ValueError):
            out.append(f"{where} bad started_at")
            continue
        if not rec["started_at"].endswith("+08:00"):
            out.append(f"{where} started_at not +08:00")
        d = started.date()
        if d.weekday() > 4 or not FIRST_DAY <= d <= LAST_DAY:
            out.append(f"{where} {d} is not a working day in {FIRST_DAY}..{LAST_DAY}")
        utts = rec["utterances"]
        if ch == "counter" and not utts:
            out.append(f"{where} counter visit without utterances")
        prev_start, frontier = -1.0, 0.0
        for i, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                out.append(f"{where} utterance {i} keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                out.append(f"{where} utterance {i} bad speaker {u['speaker']!r}")
            if not isinstance(u["text"], str) or not u["text"].strip():
                out.append(f"{where} utterance {i} empty text")
            s, e = u["start"], u["end"]
            if not (isinstance(s, (int, float)) and isinstance(e, (int, float))) or not 0 <= s < e:
                out.append(f"{where} utterance {i} bad times {s}..{e}")
                continue
            if s < prev_start:
                out.append(f"{where} utterance {i} starts before the previous one")
            if round(s, 2) != s or round(e, 2) != e:
                out.append(f"{where} utterance {i} times not rounded to 0.01 s")
            prev_start, frontier = s, max(frontier, e)
        if ch == "phone" and utts and utts[0]["start"] < _pickup_floor(rec):
            out.append(f"{where} first words before the last ring")
        if ch == "phone" and utts and utts[0]["speaker"] != "staff":
            out.append(f"{where} call whose first words are not the clerk's")

    for lab in labels:
        rid = lab.get("id")
        where = f"{rid}:"
        if set(lab) != LAB_KEYS:
            out.append(f"{where} label keys {sorted(lab)}")
            continue
        rec = by_id.get(rid)
        if rec is None:
            out.append(f"{where} label without interaction")
            continue
        utts = rec.get("utterances", [])
        arts = []
        for b in lab["breaches"]:
            if set(b) != BREACH_KEYS:
                out.append(f"{where} breach keys {sorted(b)}")
                continue
            a = b["article"]
            arts.append(a)
            if a not in SCORED:
                out.append(f"{where} breach of unscored article {a}")
            if b["speaker"] != "staff":
                out.append(f"{where} breach speaker {b['speaker']!r}")
            if not isinstance(b["duty"], str) or not b["duty"].strip():
                out.append(f"{where} Art. {a} breach without duty")
            q = b["quote"]
            if not isinstance(q, str):
                out.append(f"{where} Art. {a} quote not a string")
                continue
            if q:
                hits = [u for u in utts if q in u["text"]]
                if len(hits) != 1:
                    out.append(f"{where} Art. {a} quote {q!r} found in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    out.append(f"{where} Art. {a} quote {q!r} is not in a staff utterance")
                elif a == 25:
                    t = datetime.fromisoformat(rec["started_at"]) + timedelta(seconds=hits[0]["start"])
                    if not _in_hours(t):
                        out.append(f"{where} Art. 25 breach at {t.time()} outside service hours")
            if b["duty"].startswith("forbidden phrase") and (a not in (8, 9, 10) or not q):
                out.append(f"{where} Art. {a}: a forbidden phrase needs Art. 8, 9 or 10 and a quote")
        if len(arts) != len(set(arts)):
            out.append(f"{where} two breaches of the same article")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)):
            out.append(f"{where} clean_articles not sorted and unique")
        if any(a not in SCORED for a in clean):
            out.append(f"{where} clean article outside the scored ten")
        if set(clean) & set(arts):
            out.append(f"{where} article both breached and clean: {sorted(set(clean) & set(arts))}")
        if rec.get("channel") == "counter" and 7 not in clean:
            out.append(f"{where} Art. 7 does not apply to a counter visit and must be clean")
        if rec.get("channel") == "phone" and 8 not in clean:
            out.append(f"{where} Art. 8 does not apply to a call and must be clean")
        if not isinstance(lab["note"], str) or not lab["note"].strip() or "\n" in lab["note"]:
            out.append(f"{where} note must be one non-empty line")
        if rec.get("channel") == "phone" and not utts:
            in_hours = _in_hours(datetime.fromisoformat(rec["started_at"]))
            if in_hours and arts != [7]:
                out.append(f"{where} unanswered call in hours must carry exactly the Art. 7 breach")
            if not in_hours and arts:
                out.append(f"{where} unanswered call outside hours breaches nothing")
        if len(arts) > 2:
            out.append(f"{where} more than two breaches")
    return out


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_art = Counter(a for lab in labels for a in lab["clean_articles"])
    n_b = Counter(len(lab["breaches"]) for lab in labels)
    overlaps = 0
    for r in interactions:
        frontier = None
        for u in r["utterances"]:
            if frontier is not None and u["start"] < frontier:
                overlaps += 1
            frontier = u["end"] if frontier is None else max(frontier, u["end"])
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping utterances": overlaps,
        "clean interactions": n_b[0],
        "one breach": n_b[1],
        "two breaches": n_b[2],
        "breaches": sum(per_art.values()),
        "absences (quote '')": sum(1 for lab in labels for b in lab["breaches"] if not b["quote"]),
        "paraphrased forbidden phrases": sum(
            1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]
        ),
        "breaches per article": {a: per_art.get(a, 0) for a in SCORED},
        "clean per article": {a: clean_art.get(a, 0) for a in SCORED},
    }


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    with open(folder / "interactions.jsonl", encoding="utf-8") as f:
        interactions = [json.loads(line) for line in f if line.strip()]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return interactions, labels


def main() -> int:
    interactions, labels = load()
    problems = check(interactions, labels)
    for p in problems:
        print("PROBLEM", p)
    for k, v in counts(interactions, labels).items():
        print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
