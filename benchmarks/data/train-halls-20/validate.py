"""Check train-halls-20 against the format and labelling rules of the dev set's README.

python validate.py       # checks interactions.jsonl and labels.json here, prints the counts
"""

import json
import re
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^t20-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
FIRST_DAY, LAST_DAY = date(2026, 11, 3), date(2026, 12, 14)
HOURS = ((8 * 60 + 30, 12 * 60), (14 * 60 + 30, 18 * 60))  # minutes of the day
ABSENCE_PREFIXES = ("missing:", "ignored the citizen", "answered after", "call not answered")
DUTY_PREFIXES = {
    5: ("unanswered question:",),
    6: ("uncivil language:", "talk unrelated to work in front of the citizen:"),
    7: ("answered after", "call not answered", "missing: 您好，这里是", "forced hang-up"),
    8: ("missing: 您好，请问要办理什么业务？", "ignored the citizen", "forbidden phrase"),
    9: ("forbidden phrase",),
    10: ("missing:", "forbidden phrase"),
    16: ("vague redirect:",),
    17: ("quarrel with the citizen", "made the citizen"),
    18: ("not told at once:",),
    25: ("refused service within service hours",),
}
INTERACTION_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}
UTTERANCE_KEYS = {"speaker", "start", "end", "text"}


def _in_hours(moment: datetime) -> bool:
    minute = moment.hour * 60 + moment.minute + moment.second / 60
    return any(lo <= minute < hi for lo, hi in HOURS)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _check_interaction(rec: dict) -> list:
    where = rec.get("id", "?")
    problems = []
    extra = {"rings", "ring_seconds"} if rec.get("channel") == "phone" else set()
    if not set(rec) >= INTERACTION_KEYS or set(rec) - INTERACTION_KEYS - extra:
        problems.append(f"{where}: interaction keys {sorted(rec)}")
        return problems
    if rec["channel"] not in ("counter", "phone"):
        problems.append(f"{where}: channel {rec['channel']!r}")
    for key in ("hall", "window"):
        if not isinstance(rec[key], str) or not rec[key].strip():
            problems.append(f"{where}: empty {key}")
    if not isinstance(rec["staff"], str) or not STAFF_RE.match(rec["staff"]):
        problems.append(f"{where}: staff {rec['staff']!r}")
    try:
        started = datetime.fromisoformat(rec["started_at"])
    except (TypeError, ValueError):
        problems.append(f"{where}: started_at {rec['started_at']!r}")
        return problems
    if started.utcoffset() != timedelta(hours=8):
        problems.append(f"{where}: started_at is not +08:00")
    if started.weekday() >= 5 or not FIRST_DAY <= started.date() <= LAST_DAY:
        problems.append(f"{where}: {started.date()} is not a working day of the corpus period")

    pickup = 0.0
    if rec["channel"] == "phone":
        has_rings, has_seconds = "rings" in rec, "ring_seconds" in rec
        if has_rings == has_seconds:
            problems.append(f"{where}: a call needs exactly one of rings / ring_seconds")
        elif has_rings:
            if (
                not isinstance(rec["rings"], int)
                or isinstance(rec["rings"], bool)
                or rec["rings"] < 1
            ):
                problems.append(f"{where}: rings {rec['rings']!r}")
            else:
                pickup = 5.0 * (rec["rings"] - 1)
        elif not _number(rec["ring_seconds"]) or rec["ring_seconds"] <= 0:
            problems.append(f"{where}: ring_seconds {rec['ring_seconds']!r}")
        else:
            pickup = float(rec["ring_seconds"])
    elif not rec["utterances"]:
        problems.append(f"{where}: a counter visit without utterances")

    utterances = rec["utterances"]
    if not isinstance(utterances, list):
        problems.append(f"{where}: utterances is not a list")
        return problems
    prev_start = None
    for n, utt in enumerate(utterances):
        if not isinstance(utt, dict) or set(utt) != UTTERANCE_KEYS:
            problems.append(f"{where}: utterance {n} keys")
            continue
        if utt["speaker"] not in ("staff", "citizen"):
            problems.append(f"{where}: utterance {n} speaker {utt['speaker']!r}")
        if not isinstance(utt["text"], str) or not utt["text"].strip() or "{" in utt["text"]:
            problems.append(f"{where}: utterance {n} text {utt['text']!r}")
        if not (_number(utt["start"]) and _number(utt["end"])):
            problems.append(f"{where}: utterance {n} times")
            continue
        if not 0 <= utt["start"] < utt["end"]:
            problems.append(f"{where}: utterance {n} start/end {utt['start']}/{utt['end']}")
        if prev_start is not None and utt["start"] < prev_start:
            problems.append(f"{where}: utterance {n} starts before the previous one")
        if n == 0 and utt["start"] < pickup:
            problems.append(f"{where}: first words at {utt['start']} s, before the pick-up")
        prev_start = utt["start"]
    return problems


def _check_label(rec: dict, lab: dict) -> list:
    where = lab.get("id", "?")
    problems = []
    if set(lab) != LABEL_KEYS:
        return [f"{where}: label keys {sorted(lab)}"]
    if not isinstance(lab["note"], str) or not lab["note"].strip() or "\n" in lab["note"]:
        problems.append(f"{where}: note must be one non-empty line")
    clean = lab["clean_articles"]
    if not isinstance(clean, list) or clean != sorted(set(clean)) or not set(clean) <= set(SCORED):
        problems.append(f"{where}: clean_articles {clean!r}")
        clean = []
    if not isinstance(lab["breaches"], list):
        return problems + [f"{where}: breaches is not a list"]
    texts = [(u.get("speaker"), u.get("text", "")) for u in rec.get("utterances", [])]
    seen = set()
    for breach in lab["breaches"]:
        if not isinstance(breach, dict) or set(breach) != BREACH_KEYS:
            problems.append(f"{where}: breach keys {breach!r}")
            continue
        article, quote, duty = breach["article"], breach["quote"], breach["duty"]
        if article not in SCORED:
            problems.append(f"{where}: article {article!r} is not scored")
            continue
        if article in seen:
            problems.append(f"{where}: two breaches of article {article}")
        seen.add(article)
        if breach["speaker"] != "staff":
            problems.append(f"{where}: breach speaker {breach['speaker']!r}")
        if not isinstance(duty, str) or not duty.strip():
            problems.append(f"{where}: empty duty")
            continue
        if not duty.startswith(DUTY_PREFIXES[article]):
            problems.append(f"{where}: duty {duty!r} is not an Art. {article} duty")
        if not isinstance(quote, str):
            problems.append(f"{where}: quote {quote!r}")
        elif quote:
            holders = [speaker for speaker, text in texts if quote in text]
            if len(holders) != 1:
                problems.append(f"{where}: quote {quote!r} is in {len(holders)} utterances")
            elif holders[0] != "staff":
                problems.append(f"{where}: quote {quote!r} is not a staff utterance")
        elif not duty.startswith(ABSENCE_PREFIXES):
            problems.append(f"{where}: empty quote but duty {duty!r} names no absence")
    if seen & set(clean):
        problems.append(f"{where}: articles {sorted(seen & set(clean))} both breached and clean")

    channel = rec.get("channel")
    if channel == "counter" and 7 not in clean:
        problems.append(f"{where}: Art. 7 does not apply to a counter visit and must be clean")
    if channel == "phone" and 8 not in clean:
        problems.append(f"{where}: Art. 8 does not apply to a call and must be clean")
    try:
        started = datetime.fromisoformat(rec["started_at"])
    except (KeyError, TypeError, ValueError):
        return problems
    if channel == "phone" and not rec.get("utterances"):
        if _in_hours(started) and 7 not in seen:
            problems.append(f"{where}: a call unanswered in service hours needs an Art. 7 breach")
        if not _in_hours(started) and seen:
            problems.append(f"{where}: a call unanswered out of hours breaches nothing")
    if channel == "phone" and rec.get("utterances") and _in_hours(started):
        rings = rec.get("rings")
        if rings is None:
            rings = int(rec.get("ring_seconds", 0) // 5) + 1
        late = any(b.get("duty", "").startswith("answered after") for b in lab["breaches"])
        if rings >= 4 and not late:
            problems.append(f"{where}: picked up on ring {rings} but no 'answered after' breach")
        if rings < 4 and late:
            problems.append(f"{where}: 'answered after' breach on ring {rings}")
    for breach in lab["breaches"]:
        if breach.get("article") != 25 or not breach.get("quote"):
            continue
        for utt in rec.get("utterances", []):
            if breach["quote"] in utt.get("text", ""):
                moment = started + timedelta(seconds=utt["start"])
                if not _in_hours(moment):
                    problems.append(f"{where}: Art. 25 breach at {moment:%H:%M}, outside hours")
    return problems


def check(interactions: list, labels: list) -> list:
    """Problems found in the set (an empty list when it is fine)."""
    problems = []
    if len(interactions) != len(labels):
        problems.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [rec.get("id") for rec in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    for n, rec in enumerate(interactions):
        if not isinstance(rec.get("id"), str) or not ID_RE.match(rec["id"]):
            problems.append(f"interaction {n}: id {rec.get('id')!r}")
        problems.extend(_check_interaction(rec))
    for rec, lab in zip(interactions, labels, strict=False):
        if rec.get("id") != lab.get("id"):
            problems.append(f"label {lab.get('id')!r} is not in the order of the interactions")
            continue
        problems.extend(_check_label(rec, lab))
    return problems


def counts(interactions: list, labels: list) -> dict:
    """The figures quoted in the README."""
    breaches = [b for lab in labels for b in lab["breaches"]]
    per_interaction = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "counter": sum(rec["channel"] == "counter" for rec in interactions),
        "phone": sum(rec["channel"] == "phone" for rec in interactions),
        "unanswered calls": sum(
            rec["channel"] == "phone" and not rec["utterances"] for rec in interactions
        ),
        "ring_seconds calls": sum("ring_seconds" in rec for rec in interactions),
        "utterances": sum(len(rec["utterances"]) for rec in interactions),
        "overlapping starts": sum(
            1
            for rec in interactions
            for a, b in zip(rec["utterances"], rec["utterances"][1:], strict=False)
            if b["start"] < a["end"]
        ),
        "interactions without breach": per_interaction[0],
        "with one breach": per_interaction[1],
        "with two breaches": per_interaction[2],
        "breaches": len(breaches),
        "absences (quote '')": sum(not b["quote"] for b in breaches),
        "forbidden phrases": sum(b["duty"].startswith("forbidden phrase") for b in breaches),
        "of them paraphrased": sum("(paraphrase)" in b["duty"] for b in breaches),
        "breaches per article": {a: sum(b["article"] == a for b in breaches) for a in SCORED},
        "clean per article": {a: sum(a in lab["clean_articles"] for lab in labels) for a in SCORED},
        "unscored per article": {
            a: sum(
                a not in lab["clean_articles"] and all(b["article"] != a for b in lab["breaches"])
                for lab in labels
            )
            for a in SCORED
        },
    }


def main() -> int:
    interactions = [
        json.loads(line)
        for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(interactions, labels)
    for problem in problems:
        print("PROBLEM", problem)
    for key, value in counts(interactions, labels).items():
        print(f"{key}: {value}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
