"""Check blind-halls-16 against the format and labelling rules of the dev set's README.

    python validate.py        # checks interactions.jsonl + labels.json next to this file, prints the counts

``check(interactions, labels)`` returns a list of problems (empty when everything is fine).
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^b16-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
TZ = timezone(timedelta(hours=8))
FIRST_DAY, LAST_DAY = date(2026, 11, 3), date(2026, 12, 14)
SERVICE_HOURS = ((time(8, 30), time(12, 0)), (time(14, 30), time(18, 0)))

COUNTER_KEYS = ["id", "channel", "hall", "window", "staff", "started_at", "utterances"]
LABEL_KEYS = ["id", "breaches", "clean_articles", "note"]
BREACH_KEYS = ["article", "speaker", "quote", "duty"]
UTTERANCE_KEYS = ["speaker", "start", "end", "text"]

# the duty prefixes of the dev README's table, per article
DUTY_PREFIXES = {
    5: ("unanswered question:",),
    6: ("uncivil language:", "talk unrelated to work in front of the citizen:"),
    7: ("answered after", "call not answered", "missing: 您好，这里是", "forced hang-up"),
    8: ("missing: 您好，请问要办理什么业务？", "ignored the citizen", "forbidden phrase:"),
    9: ("forbidden phrase:",),
    10: ("missing:", "forbidden phrase:"),
    16: ("vague redirect:",),
    17: ("quarrel with the citizen", "made the citizen"),
    18: ("not told at once:",),
    25: ("refused service within service hours",),
}
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "ignored the citizen", "unanswered question:")


def _in_hours(moment: datetime) -> bool:
    t = moment.timetz().replace(tzinfo=None)
    return any(a <= t < b for a, b in SERVICE_HOURS)


def _check_interaction(rec: dict, problems: list[str]) -> datetime | None:
    iid = rec.get("id", "?")
    p = problems.append
    channel = rec.get("channel")
    if channel not in ("counter", "phone"):
        p(f"{iid}: channel {channel!r}")
        return None
    expected = list(COUNTER_KEYS)
    if channel == "phone":
        ring_key = "rings" if "rings" in rec else "ring_seconds"
        expected.insert(6, ring_key)
        if "rings" in rec and "ring_seconds" in rec:
            p(f"{iid}: both rings and ring_seconds")
    if list(rec) != expected:
        p(f"{iid}: keys {list(rec)} != {expected}")
    if not ID_RE.match(str(iid)):
        p(f"{iid}: bad id")
    if not STAFF_RE.match(str(rec.get("staff", ""))):
        p(f"{iid}: bad staff id {rec.get('staff')!r}")
    for key in ("hall", "window"):
        if not isinstance(rec.get(key), str) or not rec.get(key):
            p(f"{iid}: empty {key}")
    started = None
    try:
        started = datetime.fromisoformat(rec["started_at"])
        if started.utcoffset() != timedelta(hours=8) or not rec["started_at"].endswith("+08:00"):
            p(f"{iid}: started_at not +08:00")
        if started.weekday() >= 5:
            p(f"{iid}: {started.date()} is not a working day")
        if not FIRST_DAY <= started.date() <= LAST_DAY:
            p(f"{iid}: {started.date()} outside {FIRST_DAY}..{LAST_DAY}")
    except (KeyError, TypeError, ValueError):
        p(f"{iid}: bad started_at {rec.get('started_at')!r}")

    first_allowed = 0.0
    if channel == "phone":
        if "rings" in rec:
            if not isinstance(rec["rings"], int) or rec["rings"] < 1:
                p(f"{iid}: bad rings {rec['rings']!r}")
            else:
                first_allowed = 5.0 * (rec["rings"] - 1)
        elif "ring_seconds" in rec:
            if not isinstance(rec["ring_seconds"], (int, float)) or rec["ring_seconds"] <= 0:
                p(f"{iid}: bad ring_seconds {rec['ring_seconds']!r}")
            else:
                first_allowed = float(rec["ring_seconds"])
        else:
            p(f"{iid}: call without rings or ring_seconds")

    utts = rec.get("utterances")
    if not isinstance(utts, list):
        p(f"{iid}: utterances not a list")
        return started
    if channel == "counter" and not utts:
        p(f"{iid}: counter visit without utterances")
    prev_start = None
    for i, u in enumerate(utts):
        where = f"{iid}#{i}"
        if list(u) != UTTERANCE_KEYS:
            p(f"{where}: keys {list(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p(f"{where}: speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            p(f"{where}: empty text")
        s, e = u["start"], u["end"]
        if not all(isinstance(x, (int, float)) for x in (s, e)):
            p(f"{where}: non-numeric times")
            continue
        if round(s, 2) != s or round(e, 2) != e:
            p(f"{where}: times not rounded to 0.01 s")
        if s < 0 or e <= s:
            p(f"{where}: start {s} end {e}")
        if i == 0 and s < first_allowed:
            p(f"{where}: first words at {s} s, before the pick-up ({first_allowed} s)")
        if prev_start is not None and s < prev_start:
            p(f"{where}: start {s} before the previous start {prev_start}")
        prev_start = s
    return started


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    """Problems with the records and labels (empty list when all is fine)."""
    problems: list[str] = []
    p = problems.append
    if len(interactions) != len(labels):
        p(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        p("duplicate interaction ids")
    if [lab.get("id") for lab in labels] != ids:
        p("label ids differ from interaction ids or their order")
    expected_ids = [f"b16-{n:04d}" for n in range(1, len(ids) + 1)]
    if ids != expected_ids:
        p("ids are not b16-0001.. in order")

    for rec, lab in zip(interactions, labels, strict=False):
        iid = rec.get("id", "?")
        started = _check_interaction(rec, problems)
        if list(lab) != LABEL_KEYS:
            p(f"{iid}: label keys {list(lab)}")
            continue
        if not isinstance(lab["note"], str) or not lab["note"].strip():
            p(f"{iid}: empty note")
        utts = rec.get("utterances") or []
        channel = rec.get("channel")
        breached: list[int] = []
        for b in lab["breaches"]:
            if list(b) != BREACH_KEYS:
                p(f"{iid}: breach keys {list(b)}")
                continue
            art, quote, duty = b["article"], b["quote"], b["duty"]
            if art not in SCORED:
                p(f"{iid}: article {art!r} not scored")
                continue
            breached.append(art)
            if b["speaker"] != "staff":
                p(f"{iid}: breach speaker {b['speaker']!r}")
            if not isinstance(duty, str) or not duty.startswith(DUTY_PREFIXES[art]):
                p(f"{iid}: Art. {art} duty {duty!r} has none of the prefixes {DUTY_PREFIXES[art]}")
            if not isinstance(quote, str):
                p(f"{iid}: quote not a string")
            elif quote == "":
                if not duty.startswith(ABSENCE_PREFIXES):
                    p(f"{iid}: Art. {art}: empty quote but duty {duty!r} names no absence")
            else:
                holders = [u for u in utts if quote in u["text"]]
                if len(holders) != 1:
                    p(f"{iid}: Art. {art} quote {quote!r} is in {len(holders)} utterances")
                elif holders[0]["speaker"] != "staff":
                    p(f"{iid}: Art. {art} quote {quote!r} is in a citizen utterance")
            if art == 7 and channel != "phone":
                p(f"{iid}: Art. 7 breach on a counter visit")
            if art == 25 and started is not None and not _in_hours(started):
                p(f"{iid}: Art. 25 breach outside service hours ({started.time()})")
            if duty.startswith("call not answered") and utts:
                p(f"{iid}: 'call not answered' but the call has utterances")
        if len(set(breached)) != len(breached):
            p(f"{iid}: two breaches of the same article")
        if not 0 <= len(breached) <= 2:
            p(f"{iid}: {len(breached)} breaches (the brief allows one or two)")
        clean = lab["clean_articles"]
        if not isinstance(clean, list) or any(a not in SCORED for a in clean):
            p(f"{iid}: clean_articles {clean!r} outside the scored articles")
            continue
        if clean != sorted(set(clean)):
            p(f"{iid}: clean_articles not sorted/unique")
        if set(clean) & set(breached):
            p(f"{iid}: clean and breached overlap: {sorted(set(clean) & set(breached))}")
        if channel == "counter" and 7 not in clean:
            p(f"{iid}: Art. 7 does not apply to a counter visit and must be clean")
        if channel == "phone" and 8 not in clean:
            p(f"{iid}: Art. 8 does not apply to a call and must be clean")
        if channel == "phone" and not utts and started is not None:
            in_hours = _in_hours(started)
            if in_hours and 7 not in breached:
                p(f"{iid}: call unanswered in service hours without an Art. 7 breach")
            if not in_hours and breached:
                p(f"{iid}: call unanswered outside service hours carries a breach")
    return problems


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    interactions = [
        json.loads(line) for line in (folder / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line
    ]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return interactions, labels


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_article = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per_article = Counter(a for lab in labels for a in lab["clean_articles"])
    n_breach = Counter(len(lab["breaches"]) for lab in labels)
    calls = [r for r in interactions if r["channel"] == "phone"]
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
        "no breach": n_breach[0],
        "one breach": n_breach[1],
        "two breaches": n_breach[2],
        "breaches": sum(per_article.values()),
        "absences (quote '')": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "paraphrased forbidden phrases": sum(
            1 for lab in labels for b in lab["breaches"] if "(paraphrase" in b["duty"]
        ),
        "forbidden phrases": sum(
            1 for lab in labels for b in lab["breaches"] if b["duty"].startswith("forbidden phrase:")
        ),
        "breaches per article": {a: per_article[a] for a in SCORED},
        "clean per article": {a: clean_per_article[a] for a in SCORED},
    }


def main() -> int:
    interactions, labels = load()
    problems = check(interactions, labels)
    for line in problems:
        print("PROBLEM", line)
    for key, value in counts(interactions, labels).items():
        print(f"{key}: {value}")
    print("ok" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
