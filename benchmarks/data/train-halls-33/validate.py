"""Check train-halls-33 against the format and labelling rules of the dialogues-dev README.

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
ID_RE = re.compile(r"^t33-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
TS_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+08:00$")
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}
ABSENCE_PREFIXES = ("missing:", "ignored the citizen", "answered after", "call not answered",
                    "unanswered question:", "forced hang-up")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)


def _check_interaction(r: dict, i: int) -> list[str]:
    p: list[str] = []
    rid = r.get("id", f"#{i}")
    keys = set(r)
    extra = keys - REC_KEYS - {"rings", "ring_seconds"}
    if REC_KEYS - keys:
        p.append(f"{rid}: missing keys {sorted(REC_KEYS - keys)}")
        return p
    if extra:
        p.append(f"{rid}: unexpected keys {sorted(extra)}")
    if not ID_RE.match(r["id"]):
        p.append(f"{rid}: bad id")
    if r["channel"] not in ("counter", "phone"):
        p.append(f"{rid}: bad channel {r['channel']!r}")
    if not STAFF_RE.match(r["staff"]):
        p.append(f"{rid}: bad staff id {r['staff']!r}")
    for k in ("hall", "window"):
        if not isinstance(r[k], str) or not r[k]:
            p.append(f"{rid}: empty {k}")
    if not TS_RE.match(r["started_at"]):
        p.append(f"{rid}: bad started_at {r['started_at']!r}")
    else:
        day = dt.date.fromisoformat(r["started_at"][:10])
        if day.weekday() >= 5 or not FIRST_DAY <= day <= LAST_DAY:
            p.append(f"{rid}: {day} is not a working day in the corpus range")
    pickup = 0.0
    if r["channel"] == "phone":
        has_r, has_s = "rings" in r, "ring_seconds" in r
        if has_r == has_s:
            p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif has_r:
            if not isinstance(r["rings"], int) or r["rings"] < 1:
                p.append(f"{rid}: bad rings")
            else:
                pickup = 5 * (r["rings"] - 1)
        else:
            if not isinstance(r["ring_seconds"], (int, float)) or r["ring_seconds"] <= 0:
                p.append(f"{rid}: bad ring_seconds")
            else:
                pickup = float(r["ring_seconds"])
    elif "rings" in r or "ring_seconds" in r:
        p.append(f"{rid}: a counter visit has rings")
    utts = r["utterances"]
    if not isinstance(utts, list):
        return p + [f"{rid}: utterances is not a list"]
    if r["channel"] == "counter" and not utts:
        p.append(f"{rid}: counter visit without utterances")
    prev = None
    for j, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            p.append(f"{rid}[{j}]: utterance keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p.append(f"{rid}[{j}]: bad speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            p.append(f"{rid}[{j}]: empty text")
        if not (isinstance(u["start"], (int, float)) and isinstance(u["end"], (int, float))):
            p.append(f"{rid}[{j}]: non-numeric times")
            continue
        if u["start"] < 0 or u["end"] <= u["start"]:
            p.append(f"{rid}[{j}]: bad times {u['start']}-{u['end']}")
        if j == 0 and u["start"] < pickup:
            p.append(f"{rid}[0]: speech starts before the pick-up ({pickup} s)")
        if prev is not None and u["start"] <= prev["start"]:
            p.append(f"{rid}[{j}]: start not after the previous start")
        prev = u
    return p


def _check_label(r: dict | None, lab: dict) -> list[str]:
    p: list[str] = []
    lid = lab.get("id", "?")
    if set(lab) != LABEL_KEYS:
        return [f"{lid}: label keys {sorted(lab)}"]
    if not isinstance(lab["note"], str) or not lab["note"].strip():
        p.append(f"{lid}: empty note")
    clean = lab["clean_articles"]
    if not isinstance(clean, list) or any(a not in SCORED for a in clean):
        p.append(f"{lid}: clean_articles out of range: {clean}")
        clean = []
    if clean != sorted(set(clean)):
        p.append(f"{lid}: clean_articles not sorted/unique")
    seen: set[int] = set()
    utts = r["utterances"] if r else []
    for b in lab["breaches"]:
        if set(b) != BREACH_KEYS:
            p.append(f"{lid}: breach keys {sorted(b)}")
            continue
        a = b["article"]
        if a not in SCORED:
            p.append(f"{lid}: article {a} not scored")
        if a in seen:
            p.append(f"{lid}: two breaches of article {a}")
        seen.add(a)
        if a in clean:
            p.append(f"{lid}: article {a} both breached and clean")
        if b["speaker"] != "staff":
            p.append(f"{lid}: breach speaker {b['speaker']!r}")
        if not isinstance(b["duty"], str) or not b["duty"].strip():
            p.append(f"{lid}: empty duty")
        q = b["quote"]
        if q == "":
            if not b["duty"].startswith(ABSENCE_PREFIXES):
                p.append(f"{lid}: absence (empty quote) whose duty names no absence: {b['duty'][:40]}")
        else:
            hits = [u for u in utts if u["speaker"] == "staff" and q in u["text"]]
            if len(hits) != 1:
                p.append(f"{lid}: quote {q!r} found in {len(hits)} staff utterances")
        if b["duty"].startswith("forbidden phrase") is False and "(paraphrase)" in b["duty"]:
            p.append(f"{lid}: (paraphrase) outside a forbidden phrase")
    if r is not None:
        if r["channel"] == "counter" and 7 not in clean and 7 not in seen:
            p.append(f"{lid}: Art. 7 does not apply to a counter visit and must be clean")
        if r["channel"] == "phone" and 8 not in clean:
            p.append(f"{lid}: Art. 8 does not apply to a call and must be clean")
        if r["channel"] == "phone" and not r["utterances"]:
            hour = r["started_at"][11:16]
            in_hours = "08:30" <= hour < "12:00" or "14:30" <= hour < "18:00"
            if in_hours and 7 not in seen:
                p.append(f"{lid}: unanswered call in service hours without an Art. 7 breach")
            if not in_hours and seen:
                p.append(f"{lid}: unanswered call outside hours labelled as a breach")
    return p


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    if [lab.get("id") for lab in labels] != ids:
        problems.append("labels are not in the same order / with the same ids as the interactions")
    by_id = {r.get("id"): r for r in interactions}
    for i, r in enumerate(interactions):
        problems += _check_interaction(r, i)
    for lab in labels:
        problems += _check_label(by_id.get(lab.get("id")), lab)
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_art = Counter(a for lab in labels for a in lab["clean_articles"])
    fam = Counter()
    for lab in labels:
        m = re.match(r"hard negative \(([^)]+)\)", lab["note"])
        if m:
            fam[m.group(1)] += 1
    nb = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlaps": sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
                        if b["start"] < a["end"]),
        "breach_count_per_interaction": dict(sorted(nb.items())),
        "breaches": sum(per_art.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "forbidden": sum(1 for lab in labels for b in lab["breaches"] if b["duty"].startswith("forbidden phrase")),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "breaches_per_article": {a: per_art.get(a, 0) for a in SCORED},
        "clean_per_article": {a: clean_art.get(a, 0) for a in SCORED},
        "families": dict(sorted(fam.items())),
    }


def main() -> int:
    inter = [json.loads(line) for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(inter, labels)
    for pr in problems:
        print("PROBLEM", pr)
    print(json.dumps(counts(inter, labels), ensure_ascii=False, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
