"""Check blind-halls-20 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine); run as a
script it checks the committed files and prints the counts.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^b20-\d{4}$")
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}
ABSENCE_PREFIXES = ("missing:", "unanswered question:", "ignored the citizen", "answered after",
                    "call not answered")
HOLIDAYS = {date(2026, 10, d) for d in range(1, 9)}
HOURS = ((time(8, 30), time(12, 0)), (time(14, 30), time(18, 0)))


def _in_hours(t: time) -> bool:
    return any(a <= t < b for a, b in HOURS)


def _check_record(rec: dict, problems: list[str]) -> None:
    rid = rec.get("id", "?")
    extra = set(rec) - REC_KEYS - {"rings", "ring_seconds"}
    missing = REC_KEYS - set(rec)
    if extra or missing:
        problems.append(f"{rid}: keys extra={sorted(extra)} missing={sorted(missing)}")
        return
    if not ID_RE.match(rid):
        problems.append(f"{rid}: bad id")
    for key in ("hall", "window", "staff"):
        if not isinstance(rec[key], str) or not rec[key]:
            problems.append(f"{rid}: empty {key}")
    if not re.match(r"^S-\d{4}$", rec["staff"]):
        problems.append(f"{rid}: bad staff id {rec['staff']}")
    try:
        when = datetime.fromisoformat(rec["started_at"])
    except ValueError:
        problems.append(f"{rid}: bad started_at {rec['started_at']}")
        return
    if not rec["started_at"].endswith("+08:00"):
        problems.append(f"{rid}: started_at not +08:00")
    if when.weekday() >= 5 or when.date() in HOLIDAYS:
        problems.append(f"{rid}: {when.date()} is not a working day")
    utts = rec["utterances"]
    if rec["channel"] == "phone":
        has_r, has_s = "rings" in rec, "ring_seconds" in rec
        if has_r == has_s:
            problems.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif has_r and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
            problems.append(f"{rid}: bad rings")
        elif has_s and not (isinstance(rec["ring_seconds"], (int, float)) and rec["ring_seconds"] > 0):
            problems.append(f"{rid}: bad ring_seconds")
        if utts and has_r != has_s:
            rings = rec["rings"] if has_r else int(rec["ring_seconds"] // 5) + 1
            first = utts[0]["start"]
            if has_r and not (5 * (rings - 1) < first < 5 * rings + 1):
                problems.append(f"{rid}: first words at {first} do not follow ring {rings}")
            if has_s and first < rec["ring_seconds"]:
                problems.append(f"{rid}: first words before the pick-up")
    elif rec["channel"] == "counter":
        if "rings" in rec or "ring_seconds" in rec:
            problems.append(f"{rid}: counter visit with rings")
        if not utts:
            problems.append(f"{rid}: counter visit without utterances")
    else:
        problems.append(f"{rid}: bad channel {rec['channel']}")
    prev_start = -1.0
    for i, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            problems.append(f"{rid}#{i}: utterance keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            problems.append(f"{rid}#{i}: bad speaker {u['speaker']}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            problems.append(f"{rid}#{i}: empty text")
        if not (0 <= u["start"] < u["end"]):
            problems.append(f"{rid}#{i}: bad times {u['start']}-{u['end']}")
        if u["start"] < prev_start:
            problems.append(f"{rid}#{i}: start goes backwards")
        prev_start = u["start"]


def _check_label(rec: dict, lab: dict, problems: list[str]) -> None:
    rid = lab.get("id", "?")
    if set(lab) != LABEL_KEYS:
        problems.append(f"{rid}: label keys {sorted(lab)}")
        return
    if not isinstance(lab["note"], str) or not lab["note"].strip():
        problems.append(f"{rid}: empty note")
    utts = rec.get("utterances", [])
    seen: set[int] = set()
    for b in lab["breaches"]:
        if set(b) != BREACH_KEYS:
            problems.append(f"{rid}: breach keys {sorted(b)}")
            continue
        art = b["article"]
        if art not in SCORED:
            problems.append(f"{rid}: article {art} not scored")
        if art in seen:
            problems.append(f"{rid}: two breaches of article {art}")
        seen.add(art)
        if b["speaker"] != "staff":
            problems.append(f"{rid}: breach speaker {b['speaker']}")
        if not isinstance(b["duty"], str) or not b["duty"].strip():
            problems.append(f"{rid}: art {art} without duty")
        quote = b["quote"]
        if quote:
            hits = [u for u in utts if quote in u["text"]]
            if len(hits) != 1:
                problems.append(f"{rid}: art {art} quote {quote!r} found in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                problems.append(f"{rid}: art {art} quote {quote!r} is not a staff utterance")
        elif not b["duty"].startswith(ABSENCE_PREFIXES):
            problems.append(f"{rid}: art {art} absence whose duty names no absence")
        if art == 7 and rec.get("channel") != "phone":
            problems.append(f"{rid}: art 7 breached on a counter visit")
        if art == 8 and rec.get("channel") != "counter":
            problems.append(f"{rid}: art 8 breached on a call")
        if art == 25 and "started_at" in rec and not _in_hours(
                datetime.fromisoformat(rec["started_at"]).time()):
            problems.append(f"{rid}: art 25 breached outside service hours")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)) or any(a not in SCORED for a in clean):
        problems.append(f"{rid}: clean_articles not a sorted subset of the scored articles")
    if seen & set(clean):
        problems.append(f"{rid}: articles both breached and clean: {sorted(seen & set(clean))}")
    if rec.get("channel") == "counter" and 7 not in clean:
        problems.append(f"{rid}: art 7 not clean on a counter visit")
    if rec.get("channel") == "phone" and 8 not in clean:
        problems.append(f"{rid}: art 8 not clean on a call")
    if rec.get("channel") == "phone" and not utts:
        when = datetime.fromisoformat(rec["started_at"]).time()
        if _in_hours(when) and 7 not in seen:
            problems.append(f"{rid}: call unanswered in hours without an art 7 breach")
        if not _in_hours(when) and seen:
            problems.append(f"{rid}: call unanswered out of hours with a breach")


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    if ids != [f"b20-{i:04d}" for i in range(1, len(ids) + 1)]:
        problems.append("ids are not b20-0001.. in order")
    if [lab.get("id") for lab in labels] != ids:
        problems.append("labels are not in the order of the interactions")
    for rec in interactions:
        _check_record(rec, problems)
    by_id = {r.get("id"): r for r in interactions}
    for lab in labels:
        _check_label(by_id.get(lab.get("id"), {}), lab, problems)
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_art = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping starts": sum(1 for r in interactions
                                  for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
                                  if b["start"] < a["end"]),
        "no breach / one / two": (nb[0], nb[1], nb[2]),
        "breaches": sum(per_art.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if not b["quote"]),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase" in b["duty"]),
        "breaches per article": {a: per_art[a] for a in SCORED},
        "clean per article": {a: clean_art[a] for a in SCORED},
    }


def main() -> int:
    interactions = [json.loads(line) for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(interactions, labels)
    for p in problems:
        print("PROBLEM", p)
    for key, value in counts(interactions, labels).items():
        print(f"{key}: {value}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
