"""Check train-halls-18 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine). Run as a
script to check the committed files and print the counts.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^t18-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
FIRST_DAY = dt.date(2026, 11, 3)
LAST_DAY = dt.date(2026, 12, 14)
HOURS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 30), dt.time(18, 0)))
ABSENCE_PREFIXES = (
    "missing:",
    "answered after",
    "call not answered",
    "ignored the citizen",
    "unanswered question:",
)
INTERACTION_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}


def in_hours(t: dt.datetime) -> bool:
    return any(a <= t.time() < b for a, b in HOURS)


def rings_of(rec: dict) -> int:
    if "rings" in rec:
        return rec["rings"]
    return math.floor(rec["ring_seconds"] / 5) + 1


def _check_interaction(rec: dict, problems: list[str]) -> dt.datetime | None:
    rid = rec.get("id", "?")
    p = problems.append
    extra = set(rec) - INTERACTION_KEYS - {"rings", "ring_seconds"}
    missing = INTERACTION_KEYS - set(rec)
    if extra or missing:
        p(f"{rid}: keys missing {sorted(missing)} / unexpected {sorted(extra)}")
        return None
    if rec["channel"] not in ("counter", "phone"):
        p(f"{rid}: channel {rec['channel']!r}")
    for key in ("hall", "window"):
        if not isinstance(rec[key], str) or not rec[key].strip():
            p(f"{rid}: empty {key}")
    if not STAFF_RE.match(str(rec["staff"])):
        p(f"{rid}: staff id {rec['staff']!r}")
    started = None
    try:
        started = dt.datetime.fromisoformat(rec["started_at"])
    except (TypeError, ValueError):
        p(f"{rid}: started_at {rec['started_at']!r} is not ISO 8601")
    if started is not None:
        if not rec["started_at"].endswith("+08:00"):
            p(f"{rid}: started_at not in +08:00")
        if started.weekday() >= 5:
            p(f"{rid}: {started.date()} is not a working day")
        if not FIRST_DAY <= started.date() <= LAST_DAY:
            p(f"{rid}: {started.date()} outside 2026-11-03..2026-12-14")

    if rec["channel"] == "phone":
        has_r, has_s = "rings" in rec, "ring_seconds" in rec
        if has_r == has_s:
            p(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif has_r and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
            p(f"{rid}: rings {rec['rings']!r}")
        elif has_s and (
            not isinstance(rec["ring_seconds"], (int, float)) or rec["ring_seconds"] <= 0
        ):
            p(f"{rid}: ring_seconds {rec['ring_seconds']!r}")
    elif "rings" in rec or "ring_seconds" in rec:
        p(f"{rid}: a counter visit has no rings")

    utts = rec["utterances"]
    if not isinstance(utts, list):
        p(f"{rid}: utterances is not a list")
        return started
    if rec["channel"] == "counter" and not utts:
        p(f"{rid}: a counter visit without utterances")
    prev_start = -1.0
    for i, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            p(f"{rid}[{i}]: utterance keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p(f"{rid}[{i}]: speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            p(f"{rid}[{i}]: empty text")
        if not all(isinstance(u[k], (int, float)) for k in ("start", "end")):
            p(f"{rid}[{i}]: start/end not numbers")
            continue
        if not 0 <= u["start"] < u["end"]:
            p(f"{rid}[{i}]: start {u['start']} / end {u['end']}")
        if u["start"] <= prev_start:
            p(f"{rid}[{i}]: start {u['start']} not after the previous start {prev_start}")
        prev_start = u["start"]
    if rec["channel"] == "phone" and utts:
        if utts[0]["speaker"] != "staff":
            p(f"{rid}: a call is opened by the staff")
        if "rings" in rec and isinstance(rec.get("rings"), int):
            if not 5 * (rec["rings"] - 1) <= utts[0]["start"] < 5 * rec["rings"] + 1:
                p(f"{rid}: first words at {utts[0]['start']} do not follow ring {rec['rings']}")
        elif "ring_seconds" in rec and utts[0]["start"] < rec["ring_seconds"]:
            p(f"{rid}: first words before the pick-up at {rec['ring_seconds']} s")
    return started


def _check_label(rec: dict, lab: dict, started: dt.datetime | None, problems: list[str]) -> None:
    rid = lab.get("id", "?")
    p = problems.append
    if set(lab) != LABEL_KEYS:
        p(f"{rid}: label keys {sorted(lab)}")
        return
    if not isinstance(lab["note"], str) or not lab["note"].strip():
        p(f"{rid}: empty note")
    utts = rec.get("utterances", [])
    arts = []
    for j, b in enumerate(lab["breaches"]):
        where = f"{rid} breach {j}"
        if set(b) != BREACH_KEYS:
            p(f"{where}: keys {sorted(b)}")
            continue
        if b["article"] not in SCORED:
            p(f"{where}: article {b['article']!r} not scored")
        arts.append(b["article"])
        if b["speaker"] != "staff":
            p(f"{where}: speaker {b['speaker']!r}")
        if not isinstance(b["duty"], str) or not b["duty"].strip():
            p(f"{where}: empty duty")
        if not isinstance(b["quote"], str):
            p(f"{where}: quote is not a string")
            continue
        if b["quote"]:
            hits = [u for u in utts if b["quote"] in u["text"]]
            if len(hits) != 1:
                p(f"{where}: quote found in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                p(f"{where}: quote is not in a staff utterance")
            elif b["article"] == 25 and started is not None:
                at = started + dt.timedelta(seconds=hits[0]["start"])
                if not in_hours(at):
                    p(f"{where}: Art. 25 breach at {at.time()} outside service hours")
        elif not b["duty"].startswith(ABSENCE_PREFIXES):
            p(f"{where}: empty quote but the duty names no absence")
    dup = [a for a, n in Counter(arts).items() if n > 1]
    if dup:
        p(f"{rid}: article(s) {dup} breached twice")
    clean = lab["clean_articles"]
    if not isinstance(clean, list) or clean != sorted(set(clean)):
        p(f"{rid}: clean_articles not a sorted list without repeats")
        return
    if set(clean) - set(SCORED):
        p(f"{rid}: clean articles {sorted(set(clean) - set(SCORED))} not scored")
    if set(clean) & set(arts):
        p(f"{rid}: articles {sorted(set(clean) & set(arts))} both clean and breached")

    channel = rec.get("channel")
    if channel == "counter":
        if 7 in arts or 7 not in clean:
            p(f"{rid}: Art. 7 does not apply to a counter visit and must be clean")
    elif channel == "phone":
        if 8 in arts or 8 not in clean:
            p(f"{rid}: Art. 8 does not apply to a call and must be clean")
        rings = rings_of(rec)
        late = any(b.get("duty", "").startswith("answered after") for b in lab["breaches"])
        if utts and rings >= 4 and not late:
            p(f"{rid}: picked up on ring {rings} without an 'answered after' breach")
        if late and rings < 4:
            p(f"{rid}: 'answered after' breach but picked up on ring {rings}")
        if not utts and started is not None:
            unanswered = any(
                b.get("duty", "").startswith("call not answered") for b in lab["breaches"]
            )
            if in_hours(started) != unanswered:
                p(
                    f"{rid}: unanswered call at {started.time()}: Art. 7 label does not match the hours"
                )
            if not in_hours(started) and 7 not in clean:
                p(f"{rid}: a call unanswered outside hours breaches nothing")


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    ids = [r.get("id") for r in interactions]
    if ids != [lab.get("id") for lab in labels]:
        problems.append("interactions and labels do not have the same ids in the same order")
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    for i, rid in enumerate(ids, 1):
        if not isinstance(rid, str) or not ID_RE.match(rid):
            problems.append(f"bad id {rid!r}")
        elif rid != f"t18-{i:04d}":
            problems.append(f"id {rid} out of sequence (expected t18-{i:04d})")
    by_id = {lab.get("id"): lab for lab in labels}
    for rec in interactions:
        started = _check_interaction(rec, problems)
        lab = by_id.get(rec.get("id"))
        if lab is None:
            problems.append(f"{rec.get('id')}: no label")
            continue
        _check_label(rec, lab, started, problems)
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_article = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    n_breaches = [len(lab["breaches"]) for lab in labels]
    overlaps = 0
    for r in interactions:
        u = r["utterances"]
        overlaps += sum(1 for a, b in zip(u, u[1:], strict=False) if b["start"] < a["end"])
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(
            r["channel"] == "phone" and not r["utterances"] for r in interactions
        ),
        "ring_seconds calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping starts": overlaps,
        "clean interactions": n_breaches.count(0),
        "with 1 / 2 / 3 breaches": [n_breaches.count(k) for k in (1, 2, 3)],
        "breaches": sum(n_breaches),
        "absences (quote '')": sum(1 for lab in labels for b in lab["breaches"] if not b["quote"]),
        "paraphrased forbidden phrases": sum(
            1 for lab in labels for b in lab["breaches"] if "(paraphrase" in b["duty"]
        ),
        "breaches per article": {a: per_article.get(a, 0) for a in SCORED},
        "clean per article": {a: clean_per.get(a, 0) for a in SCORED},
    }


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    with open(folder / "interactions.jsonl", encoding="utf-8") as fh:
        interactions = [json.loads(line) for line in fh if line.strip()]
    with open(folder / "labels.json", encoding="utf-8") as fh:
        labels = json.load(fh)
    return interactions, labels


def main() -> int:
    interactions, labels = load()
    problems = check(interactions, labels)
    for line in problems:
        print("PROBLEM", line)
    for key, value in counts(interactions, labels).items():
        print(f"{key}: {value}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
