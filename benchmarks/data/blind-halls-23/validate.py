"""Check blind-halls-23 against the format and labelling rules of dialogues-dev/README.md.

check(interactions, labels) returns a list of problems (empty when fine); run as a script
it checks the committed files and prints the counts.
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
ID_RE = re.compile(r"^b23-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = ["id", "breaches", "clean_articles", "note"]
BREACH_KEYS = ["article", "speaker", "quote", "duty"]
HOURS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 30), dt.time(18, 0)))

# duty prefixes per article (dev README, "Breaches per duty")
DUTY_PREFIXES = {
    5: ("unanswered question:",),
    6: ("uncivil language:", "talk unrelated to work in front of the citizen:"),
    7: ("answered after", "call not answered", "missing: 您好，这里是XXX政务大厅XXX窗口", "forced hang-up"),
    8: ("missing: 您好，请问要办理什么业务？", "ignored the citizen", "forbidden phrase:"),
    9: ("forbidden phrase:",),
    10: ("missing:", "forbidden phrase:"),
    16: ("vague redirect:",),
    17: ("quarrel with the citizen", "made the citizen"),
    18: ("not told at once:",),
    25: ("refused service within service hours",),
}
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "ignored the citizen",
                    "unanswered question:")


def _in_hours(t: dt.time) -> bool:
    return any(a <= t < b for a, b in HOURS)


def _check_record(r: dict) -> list[str]:
    p: list[str] = []
    rid = r.get("id", "?")
    keys = set(r)
    extra = keys - REC_KEYS - {"rings", "ring_seconds"}
    if extra:
        p.append(f"{rid}: unknown keys {sorted(extra)}")
    for k in REC_KEYS:
        if k not in r:
            p.append(f"{rid}: missing key {k}")
    if p:
        return p
    if not ID_RE.match(rid):
        p.append(f"{rid}: bad id")
    if r["channel"] not in ("counter", "phone"):
        p.append(f"{rid}: bad channel {r['channel']!r}")
    if not STAFF_RE.match(r["staff"]):
        p.append(f"{rid}: bad staff id {r['staff']!r}")
    for k in ("hall", "window"):
        if not isinstance(r[k], str) or not r[k]:
            p.append(f"{rid}: empty {k}")
    try:
        t0 = dt.datetime.fromisoformat(r["started_at"])
        if t0.utcoffset() != dt.timedelta(hours=8) or not r["started_at"].endswith("+08:00"):
            p.append(f"{rid}: started_at not +08:00")
        if t0.weekday() >= 5:
            p.append(f"{rid}: started_at on a weekend")
    except (TypeError, ValueError):
        p.append(f"{rid}: bad started_at {r['started_at']!r}")
    has_rings, has_rs = "rings" in r, "ring_seconds" in r
    if r["channel"] == "phone":
        if has_rings == has_rs:
            p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        if has_rings and (not isinstance(r["rings"], int) or r["rings"] < 1):
            p.append(f"{rid}: bad rings")
        if has_rs and (not isinstance(r["ring_seconds"], (int, float)) or r["ring_seconds"] <= 0):
            p.append(f"{rid}: bad ring_seconds")
    elif has_rings or has_rs:
        p.append(f"{rid}: rings on a counter visit")
    utts = r["utterances"]
    if not isinstance(utts, list):
        return p + [f"{rid}: utterances not a list"]
    if r["channel"] == "counter" and not utts:
        p.append(f"{rid}: counter visit without utterances")
    prev_start = -1.0
    for i, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            p.append(f"{rid}[{i}]: utterance keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p.append(f"{rid}[{i}]: bad speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            p.append(f"{rid}[{i}]: empty text")
        if not (isinstance(u["start"], (int, float)) and isinstance(u["end"], (int, float))):
            p.append(f"{rid}[{i}]: non-numeric times")
            continue
        if u["start"] < 0 or u["end"] <= u["start"]:
            p.append(f"{rid}[{i}]: bad span {u['start']}-{u['end']}")
        if u["start"] < prev_start:
            p.append(f"{rid}[{i}]: start goes back in time")
        prev_start = u["start"]
    if r["channel"] == "phone" and utts:
        first = utts[0]["start"]
        if has_rings:
            n = r["rings"]
            if not (5 * (n - 1) + 1 <= first < 5 * n):
                p.append(f"{rid}: first words at {first}s do not follow ring {n}")
        elif has_rs and first < r["ring_seconds"]:
            p.append(f"{rid}: first words before the ringing stopped")
    return p


def _check_label(r: dict, lab: dict) -> list[str]:
    p: list[str] = []
    rid = r.get("id", "?")
    if list(lab) != LABEL_KEYS:
        return [f"{rid}: label keys {list(lab)}"]
    if lab["id"] != rid:
        p.append(f"{rid}: label id {lab['id']} out of order")
    if not isinstance(lab["note"], str) or not lab["note"].strip():
        p.append(f"{rid}: empty note")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)) or any(a not in SCORED for a in clean):
        p.append(f"{rid}: clean_articles not a sorted subset of the scored articles")
    seen: set[int] = set()
    utts = r.get("utterances", [])
    try:
        t0 = dt.datetime.fromisoformat(r["started_at"]).time()
    except (KeyError, TypeError, ValueError):
        t0 = None
    for b in lab["breaches"]:
        if list(b) != BREACH_KEYS:
            p.append(f"{rid}: breach keys {list(b)}")
            continue
        a = b["article"]
        if a not in SCORED:
            p.append(f"{rid}: article {a} not scored")
            continue
        if a in seen:
            p.append(f"{rid}: two breaches of article {a}")
        seen.add(a)
        if b["speaker"] != "staff":
            p.append(f"{rid}: breach speaker {b['speaker']!r}")
        if not b["duty"].startswith(DUTY_PREFIXES[a]):
            p.append(f"{rid}: art {a} duty {b['duty']!r} has no known prefix")
        q = b["quote"]
        if q == "":
            if not b["duty"].startswith(ABSENCE_PREFIXES):
                p.append(f"{rid}: art {a} empty quote but duty names no absence")
        else:
            hits = [u for u in utts if q in u["text"]]
            if len(hits) != 1:
                p.append(f"{rid}: art {a} quote found in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                p.append(f"{rid}: art {a} quote is in a citizen utterance")
        if a == 7 and r.get("channel") != "phone":
            p.append(f"{rid}: Art. 7 breach on a counter visit")
        if a == 8 and r.get("channel") == "phone":
            p.append(f"{rid}: Art. 8 breach on a call")
        if a == 25 and t0 is not None and not _in_hours(t0):
            p.append(f"{rid}: Art. 25 breach outside service hours")
        if a == 7 and b["duty"].startswith("answered after"):
            rings = r.get("rings") or (int(r.get("ring_seconds", 0) // 5) + 1)
            if rings < 4:
                p.append(f"{rid}: 'answered after' with only {rings} rings")
        if a == 7 and b["duty"].startswith("call not answered"):
            if utts:
                p.append(f"{rid}: 'call not answered' but the call has utterances")
            if t0 is not None and not _in_hours(t0):
                p.append(f"{rid}: unanswered call outside hours labelled")
    if seen & set(clean):
        p.append(f"{rid}: articles both breached and clean: {sorted(seen & set(clean))}")
    if r.get("channel") == "counter" and 7 not in clean:
        p.append(f"{rid}: Art. 7 not clean on a counter visit")
    if r.get("channel") == "phone" and 8 not in clean:
        p.append(f"{rid}: Art. 8 not clean on a call")
    if r.get("channel") == "phone" and not utts and seen - {7}:
        p.append(f"{rid}: an unanswered call can only breach Art. 7")
    return p


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    ids = [r.get("id") for r in interactions]
    if len(ids) != len(set(ids)):
        problems.append("duplicate interaction ids")
    if ids != sorted(ids):
        problems.append("interaction ids not in order")
    if len(labels) != len(interactions):
        problems.append(f"{len(interactions)} interactions but {len(labels)} labels")
    for r in interactions:
        problems.extend(_check_record(r))
    for r, lab in zip(interactions, labels, strict=False):
        problems.extend(_check_label(r, lab))
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    breaches = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean = Counter(a for lab in labels for a in lab["clean_articles"])
    n_b = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "unanswered_calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds_calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlaps": sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
                        if b["start"] < a["end"]),
        "clean_interactions": n_b[0],
        "one_breach": n_b[1],
        "two_breaches": n_b[2],
        "breaches": sum(breaches.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "forbidden_phrases": sum(1 for lab in labels for b in lab["breaches"] if b["duty"].startswith("forbidden phrase")),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "breaches_per_article": {a: breaches[a] for a in SCORED},
        "clean_per_article": {a: clean[a] for a in SCORED},
    }


def main() -> int:
    inter = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(inter, labels)
    for pr in problems:
        print("PROBLEM", pr)
    print(json.dumps(counts(inter, labels), ensure_ascii=False, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
