"""Check blind-halls-11 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine).
Run as a script to check the committed files and print the counts.
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
ID_RE = re.compile(r"^b11-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
HOURS = ((8 * 60 + 30, 12 * 60), (14 * 60 + 30, 18 * 60))
INTERACTION_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = ["id", "breaches", "clean_articles", "note"]
BREACH_KEYS = ["article", "speaker", "quote", "duty"]

# duty prefixes of the dev README, per article
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
# an absence (quote "") must be one of these
ABSENCE_PREFIXES = ("missing:", "unanswered question:", "answered after", "call not answered",
                    "ignored the citizen")


def in_hours(minutes: float) -> bool:
    return any(a <= minutes < b for a, b in HOURS)


def ring_count(record: dict) -> int | None:
    if "rings" in record:
        return record["rings"]
    if "ring_seconds" in record:
        return int(record["ring_seconds"] // 5) + 1
    return None


def _check_interaction(r: dict) -> list[str]:
    p: list[str] = []
    rid = r.get("id", "?")
    keys = set(r)
    extra = keys - INTERACTION_KEYS - {"rings", "ring_seconds"}
    if INTERACTION_KEYS - keys or extra:
        p.append(f"{rid}: keys {sorted(keys)}")
        return p
    if not ID_RE.match(rid):
        p.append(f"{rid}: bad id")
    if not STAFF_RE.match(r["staff"]):
        p.append(f"{rid}: bad staff id {r['staff']!r}")
    if not r["hall"] or not r["window"]:
        p.append(f"{rid}: empty hall or window")
    try:
        t = dt.datetime.fromisoformat(r["started_at"])
    except ValueError:
        p.append(f"{rid}: bad started_at {r['started_at']!r}")
        return p
    if not r["started_at"].endswith("+08:00"):
        p.append(f"{rid}: started_at not +08:00")
    if t.weekday() >= 5 or not FIRST_DAY <= t.date() <= LAST_DAY:
        p.append(f"{rid}: {t.date()} is not a working day in the corpus range")
    if r["channel"] == "counter":
        if "rings" in r or "ring_seconds" in r:
            p.append(f"{rid}: counter visit with rings")
        if not r["utterances"]:
            p.append(f"{rid}: counter visit without utterances")
    elif r["channel"] == "phone":
        if ("rings" in r) == ("ring_seconds" in r):
            p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif "rings" in r and (not isinstance(r["rings"], int) or r["rings"] < 1):
            p.append(f"{rid}: bad rings {r['rings']!r}")
        elif "ring_seconds" in r and not (isinstance(r["ring_seconds"], (int, float))
                                          and r["ring_seconds"] > 0):
            p.append(f"{rid}: bad ring_seconds")
    else:
        p.append(f"{rid}: bad channel {r['channel']!r}")
    prev_start = -1.0
    for i, u in enumerate(r["utterances"]):
        if set(u) != {"speaker", "start", "end", "text"}:
            p.append(f"{rid}#{i}: utterance keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p.append(f"{rid}#{i}: bad speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            p.append(f"{rid}#{i}: empty text")
        if not (0 <= u["start"] < u["end"]):
            p.append(f"{rid}#{i}: bad times {u['start']}-{u['end']}")
        if u["start"] < prev_start:
            p.append(f"{rid}#{i}: start {u['start']} before previous start {prev_start}")
        prev_start = u["start"]
    rings = ring_count(r)
    if rings is not None and r["utterances"] and r["utterances"][0]["start"] <= 5 * (rings - 1):
        p.append(f"{rid}: first words before the last ring")
    return p


def _check_label(r: dict, lab: dict) -> list[str]:
    p: list[str] = []
    rid = r["id"]
    if list(lab) != LABEL_KEYS:
        return [f"{rid}: label keys {list(lab)}"]
    if not isinstance(lab["note"], str) or not lab["note"].strip():
        p.append(f"{rid}: empty note")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)) or any(a not in SCORED for a in clean):
        p.append(f"{rid}: clean_articles not a sorted subset of the scored articles: {clean}")
    utts = r["utterances"]
    t0 = dt.datetime.fromisoformat(r["started_at"])
    minutes0 = t0.hour * 60 + t0.minute + t0.second / 60
    seen: set[int] = set()
    for b in lab["breaches"]:
        if list(b) != BREACH_KEYS:
            p.append(f"{rid}: breach keys {list(b)}")
            continue
        art, quote, duty = b["article"], b["quote"], b["duty"]
        if art not in SCORED:
            p.append(f"{rid}: article {art} not scored")
            continue
        if art in seen:
            p.append(f"{rid}: two breaches of article {art}")
        seen.add(art)
        if art in clean:
            p.append(f"{rid}: article {art} both breached and clean")
        if b["speaker"] != "staff":
            p.append(f"{rid}: breach speaker {b['speaker']!r}")
        if not any(duty.startswith(x) for x in DUTY_PREFIXES[art]):
            p.append(f"{rid}: art {art} duty {duty!r} has no known prefix")
        if art in (8, 9, 10) and duty.startswith("forbidden phrase:") and quote == "":
            p.append(f"{rid}: forbidden phrase without a quote")
        at_minutes = minutes0
        if quote:
            hits = [u for u in utts if quote in u["text"]]
            if len(hits) != 1:
                p.append(f"{rid}: quote {quote!r} found in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                p.append(f"{rid}: quote {quote!r} is in a {hits[0]['speaker']} utterance")
            else:
                at_minutes = minutes0 + hits[0]["start"] / 60
        elif not duty.startswith(ABSENCE_PREFIXES):
            p.append(f"{rid}: empty quote but duty {duty!r} names no absence")
        if r["channel"] == "counter" and art == 7:
            p.append(f"{rid}: art 7 on a counter visit")
        if r["channel"] == "phone" and art == 8:
            p.append(f"{rid}: art 8 on a call")
        if art == 25 or duty.startswith("call not answered"):
            m = re.search(r"\((\d\d):(\d\d)", duty)
            if not m:
                p.append(f"{rid}: art {art} duty names no time")
            else:
                named = int(m.group(1)) * 60 + int(m.group(2))
                if not in_hours(named):
                    p.append(f"{rid}: art {art} at {m.group(1)}:{m.group(2)} is outside hours")
                if abs(named - at_minutes) > 2:
                    p.append(f"{rid}: art {art} time {m.group(1)}:{m.group(2)} does not match "
                             f"the utterance ({at_minutes / 60:.2f} h)")
        if duty.startswith("answered after"):
            m = re.match(r"answered after (\d+) rings", duty)
            rings = ring_count(r)
            if not m or rings is None or int(m.group(1)) != rings or rings < 4:
                p.append(f"{rid}: 'answered after' does not match rings={rings}")
    if r["channel"] == "counter" and 7 not in clean:
        p.append(f"{rid}: art 7 must be clean on a counter visit")
    if r["channel"] == "phone" and 8 not in clean:
        p.append(f"{rid}: art 8 must be clean on a call")
    if r["channel"] == "phone":
        rings = ring_count(r)
        if not utts:
            hours = in_hours(minutes0)
            arts = [b["article"] for b in lab["breaches"]]
            if hours and arts != [7]:
                p.append(f"{rid}: unanswered call in hours must be exactly one Art. 7 breach")
            if not hours and arts:
                p.append(f"{rid}: unanswered call outside hours breaches nothing")
        elif rings is not None and rings >= 4 and 7 not in seen:
            p.append(f"{rid}: picked up on ring {rings} without an Art. 7 breach")
        elif rings is not None and rings <= 3 and any(
                b["duty"].startswith("answered after") for b in lab["breaches"]):
            p.append(f"{rid}: 'answered after' on ring {rings}")
    return p


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    if [lab.get("id") for lab in labels] != ids:
        problems.append("labels are not in the order of the interactions (or ids differ)")
        return problems
    for r, lab in zip(interactions, labels, strict=False):
        got = _check_interaction(r)
        problems.extend(got)
        if not got:
            problems.extend(_check_label(r, lab))
    return problems


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    lines = (folder / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    interactions = [json.loads(x) for x in lines if x.strip()]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return interactions, labels


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_article = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    n_breach = Counter(len(lab["breaches"]) for lab in labels)
    overlaps = 0
    for r in interactions:
        latest = None
        for u in r["utterances"]:
            if latest is not None and u["start"] < latest:
                overlaps += 1
            latest = u["end"] if latest is None else max(latest, u["end"])
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"]
                                for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping utterances": overlaps,
        "clean interactions": n_breach.get(0, 0),
        "one breach": n_breach.get(1, 0),
        "two breaches": n_breach.get(2, 0),
        "breaches": sum(per_article.values()),
        "absences (quote '')": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased forbidden phrases": sum("(paraphrase)" in b["duty"]
                                             for lab in labels for b in lab["breaches"]),
        "forbidden phrases": sum(b["duty"].startswith("forbidden phrase:")
                                 for lab in labels for b in lab["breaches"]),
        "breaches per article": {a: per_article.get(a, 0) for a in SCORED},
        "clean per article": {a: clean_per.get(a, 0) for a in SCORED},
    }


def main() -> int:
    interactions, labels = load()
    problems = check(interactions, labels)
    for line in problems:
        print("PROBLEM", line)
    for key, value in counts(interactions, labels).items():
        print(f"{key}: {value}")
    try:  # hard-negative families live in source.txt only
        sys.path.insert(0, str(HERE))
        import build  # noqa: E402
        blocks = build.parse((HERE / "source.txt").read_text(encoding="utf-8"))
        fam = Counter(b.header.get("family", "-") for b in blocks)
        fam.pop("-", None)
        print("hard-negative families:", dict(sorted(fam.items())))
    except Exception as exc:  # pragma: no cover - counts only
        print("families not counted:", exc)
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
