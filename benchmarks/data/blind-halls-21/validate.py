"""Check blind-halls-21 against the format and labelling rules of dialogues-dev/README.md.

check(interactions, labels) -> list of problems (empty when fine).
Run as a script to check the committed files and print the counts.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^b21-\d{4}$")
HERE = Path(__file__).resolve().parent

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
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "ignored the citizen")
HOURS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 30), dt.time(18, 0)))
INTERACTION_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}


def _in_hours(t: dt.datetime) -> bool:
    return any(a <= t.time() < b for a, b in HOURS)


def _pickup_floor(rec: dict) -> float:
    if "rings" in rec:
        return 5.0 * (rec["rings"] - 1)
    return float(rec.get("ring_seconds", 0.0))


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    if len(interactions) != len(labels):
        problems.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    if [lab.get("id") for lab in labels] != ids:
        problems.append("labels not in the same order / with the same ids as interactions")
    spans: dict[str, list[tuple[dt.datetime, dt.datetime, str]]] = {}

    for rec in interactions:
        rid = rec.get("id", "?")
        p = lambda msg, rid=rid: problems.append(f"{rid}: {msg}")  # noqa: E731
        if not ID_RE.match(str(rid)):
            p("bad id")
        keys = set(rec)
        ch = rec.get("channel")
        if ch == "counter":
            if keys != INTERACTION_KEYS:
                p(f"counter keys {sorted(keys)}")
        elif ch == "phone":
            extra = keys - INTERACTION_KEYS
            if not keys >= INTERACTION_KEYS or extra not in ({"rings"}, {"ring_seconds"}):
                p(f"phone keys {sorted(keys)}")
            if "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
                p("rings must be a positive integer")
            if "ring_seconds" in rec and (not isinstance(rec["ring_seconds"], float) or rec["ring_seconds"] <= 0):
                p("ring_seconds must be a positive number")
        else:
            p(f"bad channel {ch!r}")
        for k in ("hall", "window", "staff"):
            if not isinstance(rec.get(k), str) or not rec.get(k):
                p(f"empty {k}")
        try:
            started = dt.datetime.fromisoformat(rec["started_at"])
            if started.utcoffset() != dt.timedelta(hours=8):
                p("started_at not +08:00")
            if started.weekday() >= 5:
                p("started_at not a working day")
        except (KeyError, ValueError, TypeError):
            p("bad started_at")
            started = None
        utts = rec.get("utterances", [])
        if ch == "counter" and not utts:
            p("counter visit without utterances")
        prev_start = -1.0
        for i, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p(f"utterance {i} keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p(f"utterance {i} bad speaker")
            if not u["text"].strip():
                p(f"utterance {i} empty text")
            if not (u["end"] > u["start"] >= 0):
                p(f"utterance {i} bad times")
            if u["start"] < prev_start:
                p(f"utterance {i} starts before the previous one")
            prev_start = u["start"]
        if ch == "phone" and utts and utts[0]["start"] < _pickup_floor(rec):
            p("first words before the phone was picked up")
        if started is not None and utts:
            end = started + dt.timedelta(seconds=max(u["end"] for u in utts))
            spans.setdefault(rec.get("staff", "?"), []).append((started, end, rid))

    by_id = {r.get("id"): r for r in interactions}
    for lab in labels:
        rid = lab.get("id", "?")
        p = lambda msg, rid=rid: problems.append(f"{rid}: {msg}")  # noqa: E731
        rec = by_id.get(rid)
        if rec is None:
            p("label without interaction")
            continue
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            p(f"label keys {sorted(lab)}")
            continue
        note = lab["note"]
        if not isinstance(note, str) or not note.strip() or "\n" in note:
            p("note must be one non-empty line")
        utts = rec.get("utterances", [])
        started = dt.datetime.fromisoformat(rec["started_at"])
        arts = []
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"}:
                p(f"breach keys {sorted(b)}")
                continue
            a = b["article"]
            arts.append(a)
            if a not in SCORED:
                p(f"article {a} not scored")
                continue
            if b["speaker"] != "staff":
                p("breach speaker must be staff")
            duty = b["duty"]
            if not duty.startswith(DUTY_PREFIXES[a]):
                p(f"Art. {a} duty {duty!r} has no known prefix")
            q = b["quote"]
            if q == "":
                if not duty.startswith(ABSENCE_PREFIXES):
                    p(f"Art. {a}: empty quote but duty names no absence")
            else:
                hits = [u for u in utts if q in u["text"]]
                if len(hits) != 1:
                    p(f"Art. {a}: quote {q!r} found in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p(f"Art. {a}: quote {q!r} is not a staff utterance")
                elif a == 25:
                    t = started + dt.timedelta(seconds=hits[0]["start"])
                    if not _in_hours(t):
                        p(f"Art. 25 breach at {t.time()} outside service hours")
            if a == 7 and rec["channel"] != "phone":
                p("Art. 7 breach on a counter visit")
            if a == 7 and duty.startswith("answered after"):
                n = rec.get("rings")
                if n is None:
                    n = int(rec["ring_seconds"] // 5) + 1
                if n < 4:
                    p(f"Art. 7 late pick-up but only {n} rings")
            if "(paraphrase)" in duty and not duty.startswith("forbidden phrase:"):
                p("(paraphrase) outside a forbidden-phrase duty")
        if len(set(arts)) != len(arts):
            p("two breaches of the same article")
        clean = lab["clean_articles"]
        if any(a not in SCORED for a in clean):
            p("clean article outside the scored set")
        if clean != sorted(set(clean)):
            p("clean_articles not sorted/unique")
        if set(clean) & set(arts):
            p("an article is both breached and clean")
        if rec["channel"] == "phone" and 8 not in clean:
            p("Art. 8 must be clean on a call")
        if rec["channel"] == "counter" and 7 not in clean:
            p("Art. 7 must be clean on a counter visit")
        if rec["channel"] == "phone" and not utts:
            rang_in_hours = _in_hours(started)
            if rang_in_hours and 7 not in arts:
                p("call rang out in service hours without an Art. 7 breach")
            if not rang_in_hours and arts:
                p("call rang out outside service hours but carries breaches")
        scored_or_arguable = set(SCORED) - set(clean) - set(arts)
        if scored_or_arguable and "Arguable" not in note:
            p(f"articles {sorted(scored_or_arguable)} unscored but the note gives no reason")

    for staff, items in spans.items():
        items.sort()
        for (_s1, e1, i1), (s2, _e2, i2) in zip(items, items[1:], strict=False):
            if s2 < e1:
                problems.append(f"{i1}/{i2}: staff {staff} in two interactions at once")
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_art = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    utts = [u for r in interactions for u in r["utterances"]]
    overlaps = 0
    for r in interactions:
        for a, b in zip(r["utterances"], r["utterances"][1:], strict=False):
            if b["start"] < a["end"]:
                overlaps += 1
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds calls": sum("ring_seconds" in r for r in interactions),
        "utterances": len(utts),
        "overlapping starts": overlaps,
        "interactions by breach count": dict(sorted(nb.items())),
        "breaches": sum(per_art.values()),
        "absences (quote empty)": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased forbidden phrases": sum("(paraphrase)" in b["duty"] for lab in labels for b in lab["breaches"]),
        "forbidden phrases": sum(b["duty"].startswith("forbidden phrase:") for lab in labels for b in lab["breaches"]),
        "breaches per article": {a: per_art.get(a, 0) for a in SCORED},
        "clean per article": {a: clean_art.get(a, 0) for a in SCORED},
    }


def main() -> int:
    interactions = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(interactions, labels)
    for k, v in counts(interactions, labels).items():
        print(f"{k}: {v}")
    for x in problems:
        print("PROBLEM", x)
    print("ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
