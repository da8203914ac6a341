"""Check train-halls-10 against the dev README's format and labelling rules; print the counts.

``check(interactions, labels)`` returns a list of problems (empty when the set is fine).
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
ID_RE = re.compile(r"^t10-\d{4}$")
COUNTER_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}
FIRST_DAY = dt.date(2026, 11, 3)
LAST_DAY = dt.date(2026, 12, 14)
# duty prefixes that name an absence (a breach whose quote is "")
ABSENCE_PREFIXES = (
    "missing:",
    "answered after",
    "call not answered",
    "ignored the citizen",
    "unanswered question:",
)
FORBIDDEN_ARTICLES = (8, 9, 10)


def _in_hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def _rings(rec: dict) -> int | None:
    if "rings" in rec:
        return rec["rings"]
    if "ring_seconds" in rec:
        return int(rec["ring_seconds"] // 5) + 1
    return None


def _check_interaction(rec: dict) -> list[str]:
    p: list[str] = []
    rid = rec.get("id", "?")
    if rec.get("channel") not in ("counter", "phone"):
        return [f"{rid}: channel {rec.get('channel')!r}"]
    keys = set(rec)
    if rec["channel"] == "counter":
        if keys != COUNTER_KEYS:
            p.append(f"{rid}: counter keys {sorted(keys ^ COUNTER_KEYS)}")
    else:
        ring_keys = keys & {"rings", "ring_seconds"}
        if len(ring_keys) != 1 or keys - ring_keys != COUNTER_KEYS:
            p.append(
                f"{rid}: phone needs the counter keys plus exactly one of rings / ring_seconds"
            )
        if "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
            p.append(f"{rid}: rings {rec['rings']!r}")
        if "ring_seconds" in rec and (
            not isinstance(rec["ring_seconds"], int | float) or rec["ring_seconds"] <= 0
        ):
            p.append(f"{rid}: ring_seconds {rec['ring_seconds']!r}")
    for k in ("hall", "window", "staff"):
        if not isinstance(rec.get(k), str) or not rec.get(k):
            p.append(f"{rid}: empty {k}")
    if not re.fullmatch(r"S-\d{4}", str(rec.get("staff", ""))):
        p.append(f"{rid}: staff id {rec.get('staff')!r}")
    try:
        started = dt.datetime.fromisoformat(rec["started_at"])
    except (KeyError, TypeError, ValueError):
        return p + [f"{rid}: started_at {rec.get('started_at')!r}"]
    if not rec["started_at"].endswith("+08:00"):
        p.append(f"{rid}: started_at not +08:00")
    if started.weekday() >= 5 or not FIRST_DAY <= started.date() <= LAST_DAY:
        p.append(f"{rid}: {started.date()} is not a working day in the corpus range")
    utts = rec.get("utterances", [])
    if rec["channel"] == "counter" and not utts:
        p.append(f"{rid}: a counter visit without utterances")
    prev_start = -1.0
    latest_end = 0.0
    for i, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            p.append(f"{rid}[{i}]: utterance keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p.append(f"{rid}[{i}]: speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            p.append(f"{rid}[{i}]: empty text")
        if not 0 <= u["start"] < u["end"]:
            p.append(f"{rid}[{i}]: start {u['start']} end {u['end']}")
        if u["start"] <= prev_start:
            p.append(f"{rid}[{i}]: start {u['start']} not after the previous start {prev_start}")
        if u["end"] > 3600:
            p.append(f"{rid}[{i}]: ends after an hour")
        prev_start = u["start"]
        latest_end = max(latest_end, u["end"])
    if rec["channel"] == "phone" and utts:
        rings = _rings(rec)
        pickup = rec.get("ring_seconds", 5 * (rings - 1) if rings else 0)
        if utts[0]["start"] < pickup:
            p.append(f"{rid}: first words at {utts[0]['start']} before the pick-up ({pickup})")
    return p


def _check_label(rec: dict, lab: dict) -> list[str]:
    p: list[str] = []
    rid = lab.get("id", "?")
    if set(lab) != LABEL_KEYS:
        return [f"{rid}: label keys {sorted(lab)}"]
    if not isinstance(lab["note"], str) or not lab["note"].strip() or "\n" in lab["note"]:
        p.append(f"{rid}: note must be one non-empty line")
    utts = rec["utterances"]
    seen: set[int] = set()
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
        if not isinstance(b["duty"], str) or not b["duty"].strip():
            p.append(f"{rid}: empty duty")
            continue
        if b["quote"] == "":
            if not b["duty"].startswith(ABSENCE_PREFIXES):
                p.append(f"{rid}: empty quote but the duty names no absence: {b['duty']!r}")
        else:
            hits = [u for u in utts if b["quote"] in u["text"]]
            if len(hits) != 1:
                p.append(f"{rid}: quote {b['quote']!r} found in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                p.append(f"{rid}: quote {b['quote']!r} is not in a staff utterance")
        if b["duty"].startswith("forbidden phrase") and a not in FORBIDDEN_ARTICLES:
            p.append(f"{rid}: a forbidden phrase under article {a}")
    clean = lab["clean_articles"]
    if not isinstance(clean, list) or any(a not in SCORED for a in clean):
        p.append(f"{rid}: clean_articles {clean!r}")
        return p
    if clean != sorted(set(clean)):
        p.append(f"{rid}: clean_articles not sorted or repeated")
    if seen & set(clean):
        p.append(f"{rid}: articles {sorted(seen & set(clean))} both breached and clean")
    argued = set(SCORED) - seen - set(clean)
    for a in sorted(argued):
        if f"Art. {a}:" not in lab["note"]:
            p.append(f"{rid}: arguable article {a} without a reason in the note")
    # channel-specific rules of the dev README
    started = dt.datetime.fromisoformat(rec["started_at"])
    if rec["channel"] == "counter":
        if 7 not in clean:
            p.append(f"{rid}: Art. 7 must be clean on a counter visit")
    else:
        if 8 not in clean:
            p.append(f"{rid}: Art. 8 must be clean on a call")
        rings = _rings(rec)
        late = rings is not None and rings >= 4
        if not utts:
            if _in_hours(started.time()):
                if 7 not in seen:
                    p.append(f"{rid}: a call unanswered within hours must breach Art. 7")
                if 25 in seen or 25 in clean:
                    p.append(f"{rid}: Art. 25 is left unscored on an unanswered call")
            elif seen:
                p.append(f"{rid}: a call unanswered outside hours breaches nothing")
        elif late and 7 not in seen:
            p.append(f"{rid}: picked up on ring {rings} without an Art. 7 breach")
        elif not late and any(b["duty"].startswith("answered after") for b in lab["breaches"]):
            p.append(f"{rid}: 'answered after' on ring {rings}")
    if 25 in seen and not _in_hours(started.time()):
        p.append(f"{rid}: Art. 25 breached outside service hours")
    return p


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    if ids != sorted(ids):
        problems.append("interactions not in id order")
    for rid in ids:
        if not ID_RE.match(str(rid)):
            problems.append(f"bad id {rid!r}")
    if [lab.get("id") for lab in labels] != ids:
        problems.append("labels do not follow the interactions id for id")
        return problems
    for rec, lab in zip(interactions, labels, strict=True):
        own = _check_interaction(rec)
        problems += own
        if not own:
            problems += _check_label(rec, lab)
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_article = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per_article = Counter(a for lab in labels for a in lab["clean_articles"])
    n_breaches = [len(lab["breaches"]) for lab in labels]
    overlaps = 0
    for r in interactions:
        latest = 0.0
        for u in r["utterances"]:
            if u["start"] < latest:
                overlaps += 1
            latest = max(latest, u["end"])
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered_calls": sum(
            r["channel"] == "phone" and not r["utterances"] for r in interactions
        ),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping_utterances": overlaps,
        "clean_interactions": n_breaches.count(0),
        "one_breach": n_breaches.count(1),
        "two_breaches": n_breaches.count(2),
        "breaches": sum(n_breaches),
        "absences": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased_forbidden": sum(
            "(paraphrase)" in b["duty"] for lab in labels for b in lab["breaches"]
        ),
        "forbidden": sum(
            b["duty"].startswith("forbidden phrase") for lab in labels for b in lab["breaches"]
        ),
        "breaches_per_article": {a: per_article.get(a, 0) for a in SCORED},
        "clean_per_article": {a: clean_per_article.get(a, 0) for a in SCORED},
    }


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    with (folder / "interactions.jsonl").open(encoding="utf-8") as f:
        interactions = [json.loads(line) for line in f if line.strip()]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return interactions, labels


def main() -> int:
    interactions, labels = load()
    problems = check(interactions, labels)
    for line in problems:
        print("PROBLEM", line)
    print(json.dumps(counts(interactions, labels), ensure_ascii=False, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
