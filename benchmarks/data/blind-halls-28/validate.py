"""Check blind-halls-28 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine).
Run as a script it checks the committed files and prints the counts.
"""
from __future__ import annotations

import collections
import datetime as dt
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PREFIX = "b28-"
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
INTERACTION_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}
ABSENCE_DUTIES = ("missing:", "answered after", "call not answered", "unanswered question",
                  "ignored the citizen")


def _check_interaction(i: int, rec: dict) -> list[str]:
    out: list[str] = []
    rid = rec.get("id", f"#{i}")
    want = f"{PREFIX}{i + 1:04d}"
    if rid != want:
        out.append(f"{rid}: expected id {want}")
    keys = set(rec)
    extra = keys - INTERACTION_KEYS - {"rings", "ring_seconds"}
    if INTERACTION_KEYS - keys or extra:
        out.append(f"{rid}: keys {sorted(keys)}")
        return out
    for k in ("hall", "window", "staff"):
        if not isinstance(rec[k], str) or not rec[k].strip():
            out.append(f"{rid}: empty {k}")
    if not re.fullmatch(r"S-\d{4}", rec["staff"]):
        out.append(f"{rid}: staff id {rec['staff']!r}")
    try:
        started = dt.datetime.fromisoformat(rec["started_at"])
    except ValueError:
        out.append(f"{rid}: started_at {rec['started_at']!r}")
        started = None
    if started is not None:
        if not rec["started_at"].endswith("+08:00"):
            out.append(f"{rid}: started_at not +08:00")
        if started.weekday() >= 5:
            out.append(f"{rid}: started_at on a weekend")
    utts = rec["utterances"]
    ch = rec["channel"]
    if ch == "counter":
        if "rings" in rec or "ring_seconds" in rec:
            out.append(f"{rid}: counter visit with rings")
        if not utts:
            out.append(f"{rid}: counter visit without utterances")
    elif ch == "phone":
        has_r, has_s = "rings" in rec, "ring_seconds" in rec
        if has_r == has_s:
            out.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        pickup = None
        if has_r:
            if not isinstance(rec["rings"], int) or rec["rings"] < 1:
                out.append(f"{rid}: rings {rec['rings']!r}")
            else:
                pickup = 5 * (rec["rings"] - 1)
        if has_s:
            if not isinstance(rec["ring_seconds"], (int, float)) or rec["ring_seconds"] < 0:
                out.append(f"{rid}: ring_seconds {rec['ring_seconds']!r}")
            else:
                pickup = rec["ring_seconds"]
        if utts and pickup is not None and utts[0]["start"] < pickup:
            out.append(f"{rid}: first words at {utts[0]['start']} before the pick-up ({pickup})")
    else:
        out.append(f"{rid}: channel {ch!r}")
    prev = None
    for j, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            out.append(f"{rid}[{j}]: keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            out.append(f"{rid}[{j}]: speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            out.append(f"{rid}[{j}]: empty text")
        if not all(isinstance(u[k], (int, float)) for k in ("start", "end")):
            out.append(f"{rid}[{j}]: times not numbers")
            continue
        if u["start"] < 0 or u["end"] <= u["start"]:
            out.append(f"{rid}[{j}]: times {u['start']}..{u['end']}")
        if prev is not None and u["start"] < prev:
            out.append(f"{rid}[{j}]: start {u['start']} before the previous start {prev}")
        prev = u["start"]
    return out


def _check_label(rec: dict, lab: dict) -> list[str]:
    out: list[str] = []
    rid = lab.get("id")
    if set(lab) != LABEL_KEYS:
        return [f"{rid}: label keys {sorted(lab)}"]
    if not isinstance(lab["note"], str) or not lab["note"].strip() or "\n" in lab["note"]:
        out.append(f"{rid}: note must be one non-empty line")
    utts = rec.get("utterances", [])
    seen: set[int] = set()
    for b in lab["breaches"]:
        if set(b) != BREACH_KEYS:
            out.append(f"{rid}: breach keys {sorted(b)}")
            continue
        art = b["article"]
        if art not in SCORED:
            out.append(f"{rid}: breach article {art!r} not scored")
        if art in seen:
            out.append(f"{rid}: two breaches of Art. {art}")
        seen.add(art)
        if b["speaker"] != "staff":
            out.append(f"{rid}: breach speaker {b['speaker']!r}")
        if not isinstance(b["duty"], str) or not b["duty"].strip():
            out.append(f"{rid}: empty duty")
        q = b["quote"]
        if not isinstance(q, str):
            out.append(f"{rid}: quote not a string")
        elif q == "":
            if not b["duty"].startswith(ABSENCE_DUTIES):
                out.append(f"{rid}: empty quote but duty {b['duty']!r} names no absence")
        else:
            hits = [u for u in utts if q in u["text"]]
            if len(hits) != 1:
                out.append(f"{rid}: quote {q!r} in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                out.append(f"{rid}: quote {q!r} in a citizen utterance")
        if art == 7 and rec.get("channel") != "phone":
            out.append(f"{rid}: Art. 7 breach on a counter visit")
        if art == 8 and rec.get("channel") == "phone":
            out.append(f"{rid}: Art. 8 breach on a call")
    clean = lab["clean_articles"]
    if not isinstance(clean, list) or clean != sorted(set(clean)):
        out.append(f"{rid}: clean_articles not a sorted list without repeats")
    elif any(a not in SCORED for a in clean):
        out.append(f"{rid}: clean_articles outside the scored articles")
    if isinstance(clean, list) and seen & set(clean):
        out.append(f"{rid}: articles both breached and clean: {sorted(seen & set(clean))}")
    if rec.get("channel") == "counter" and isinstance(clean, list) and 7 not in clean:
        out.append(f"{rid}: Art. 7 must be clean on a counter visit")
    if rec.get("channel") == "phone" and isinstance(clean, list) and 8 not in clean:
        out.append(f"{rid}: Art. 8 must be clean on a call")
    return out


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    if len(interactions) != len(labels):
        problems.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    for i, rec in enumerate(interactions):
        problems.extend(_check_interaction(i, rec))
    for rec, lab in zip(interactions, labels, strict=False):
        if lab.get("id") != rec.get("id"):
            problems.append(f"label {lab.get('id')} out of order (interaction {rec.get('id')})")
            continue
        problems.extend(_check_label(rec, lab))
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = collections.Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = collections.Counter(a for lab in labels for a in lab["clean_articles"])
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping starts": sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
                                  if b["start"] < a["end"]),
        "clean interactions": sum(not lab["breaches"] for lab in labels),
        "with one breach": sum(len(lab["breaches"]) == 1 for lab in labels),
        "with two breaches": sum(len(lab["breaches"]) == 2 for lab in labels),
        "breaches": sum(per_art.values()),
        "absences": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased forbidden phrases": sum("(paraphrase)" in b["duty"] for lab in labels for b in lab["breaches"]),
        "breaches per article": {a: per_art[a] for a in SCORED},
        "clean per article": {a: clean_per[a] for a in SCORED},
    }


def main() -> int:
    interactions = [json.loads(line) for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
                    if line.strip()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(interactions, labels)
    for p in problems:
        print("PROBLEM", p)
    for k, v in counts(interactions, labels).items():
        print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
