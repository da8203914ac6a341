"""Check train-halls-19 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when the set is fine).
Run as a script it checks the committed files and prints the counts.

    python benchmarks/data/train-halls-19/validate.py
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID = re.compile(r"^t19-\d{4}$")
STAFF = re.compile(r"^S-\d{4}$")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 2), dt.date(2026, 12, 14)
HOURS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 30), dt.time(18, 0)))
INTERACTION_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}
UTTERANCE_KEYS = {"speaker", "start", "end", "text"}
# duty prefixes of the dev README's duty table, per article
DUTIES = {
    5: ("unanswered question:",),
    6: ("uncivil language:", "talk unrelated to work in front of the citizen:"),
    7: (
        "answered after",
        "call not answered",
        "missing: 您好，这里是XXX政务大厅XXX窗口",
        "forced hang-up",
    ),
    8: ("missing: 您好，请问要办理什么业务？", "ignored the citizen", "forbidden phrase:"),
    9: ("forbidden phrase:",),
    10: ("missing:", "forbidden phrase:"),
    16: ("vague redirect:",),
    17: ("quarrel with the citizen", "made the citizen"),
    18: ("not told at once:",),
    25: ("refused service within service hours",),
}
ABSENCE = (
    "missing:",
    "answered after",
    "call not answered",
    "unanswered question:",
    "ignored the citizen",
)


def _number(x: object) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def in_hours(t: dt.time) -> bool:
    return any(a <= t < b for a, b in HOURS)


def rings_of(rec: dict) -> int | None:
    if "rings" in rec:
        return rec["rings"]
    if "ring_seconds" in rec:
        return int(rec["ring_seconds"] // 5) + 1
    return None


def _check_interaction(rec: dict) -> list[str]:
    p: list[str] = []
    rid = rec.get("id", "?")
    keys = set(rec)
    extra = keys - INTERACTION_KEYS - {"rings", "ring_seconds"}
    if INTERACTION_KEYS - keys or extra:
        p.append(f"{rid}: keys {sorted(keys)}")
        return p
    if not ID.match(rid):
        p.append(f"{rid}: bad id")
    if rec["channel"] not in ("counter", "phone"):
        p.append(f"{rid}: channel {rec['channel']!r}")
    for k in ("hall", "window"):
        if not isinstance(rec[k], str) or not rec[k].strip():
            p.append(f"{rid}: empty {k}")
    if not STAFF.match(str(rec["staff"])):
        p.append(f"{rid}: staff {rec['staff']!r}")
    try:
        when = dt.datetime.fromisoformat(rec["started_at"])
    except (TypeError, ValueError):
        p.append(f"{rid}: started_at {rec['started_at']!r}")
        return p
    if when.utcoffset() != dt.timedelta(hours=8) or not rec["started_at"].endswith("+08:00"):
        p.append(f"{rid}: started_at not +08:00")
    if when.weekday() >= 5 or not FIRST_DAY <= when.date() <= LAST_DAY:
        p.append(f"{rid}: {when.date()} is not a working day of the corpus period")
    if rec["channel"] == "phone":
        has = [k for k in ("rings", "ring_seconds") if k in rec]
        if len(has) != 1:
            p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
            p.append(f"{rid}: rings {rec['rings']!r}")
        elif "ring_seconds" in rec and (
            not _number(rec["ring_seconds"]) or rec["ring_seconds"] <= 0
        ):
            p.append(f"{rid}: ring_seconds {rec['ring_seconds']!r}")
    elif "rings" in rec or "ring_seconds" in rec:
        p.append(f"{rid}: a counter visit with rings")
    utts = rec["utterances"]
    if not isinstance(utts, list):
        return p + [f"{rid}: utterances is not a list"]
    if rec["channel"] == "counter" and not utts:
        p.append(f"{rid}: a counter visit without utterances")
    prev = None
    for i, u in enumerate(utts):
        if not isinstance(u, dict) or set(u) != UTTERANCE_KEYS:
            p.append(f"{rid}[{i}]: utterance keys")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p.append(f"{rid}[{i}]: speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            p.append(f"{rid}[{i}]: empty text")
        if not (_number(u["start"]) and _number(u["end"])) or not 0 <= u["start"] < u["end"]:
            p.append(f"{rid}[{i}]: times {u['start']!r}-{u['end']!r}")
            continue
        if prev is not None and u["start"] < prev:
            p.append(f"{rid}[{i}]: start {u['start']} before the previous start {prev}")
        prev = u["start"]
    if rec["channel"] == "phone" and utts and _number(utts[0].get("start")):
        pickup = rec.get("ring_seconds", 5 * (rec.get("rings", 1) - 1))
        if utts[0]["start"] < pickup:
            p.append(
                f"{rid}: first words at {utts[0]['start']} s, before the pick-up at {pickup} s"
            )
    return p


def _check_label(rec: dict, lab: dict) -> list[str]:
    p: list[str] = []
    rid = rec["id"]
    if set(lab) != LABEL_KEYS:
        return [f"{rid}: label keys {sorted(lab)}"]
    if not isinstance(lab["note"], str) or not lab["note"].strip() or "\n" in lab["note"]:
        p.append(f"{rid}: the note must be one non-empty line")
    clean = lab["clean_articles"]
    if not isinstance(clean, list) or clean != sorted(set(clean)) or not set(clean) <= set(SCORED):
        p.append(f"{rid}: clean_articles {clean!r}")
        clean = []
    texts = [u["text"] for u in rec["utterances"]]
    seen: set[int] = set()
    for b in lab["breaches"]:
        if not isinstance(b, dict) or set(b) != BREACH_KEYS:
            p.append(f"{rid}: breach keys")
            continue
        a, quote, duty = b["article"], b["quote"], b["duty"]
        if a not in SCORED:
            p.append(f"{rid}: article {a!r} is not scored")
            continue
        if a in seen:
            p.append(f"{rid}: two breaches of Art. {a}")
        seen.add(a)
        if b["speaker"] != "staff":
            p.append(f"{rid}: breach speaker {b['speaker']!r}")
        if not isinstance(duty, str) or not duty.startswith(DUTIES[a]):
            p.append(f"{rid}: Art. {a} duty {duty!r} is none of {DUTIES[a]}")
        if not isinstance(quote, str):
            p.append(f"{rid}: quote is not a string")
        elif quote == "":
            if not duty.startswith(ABSENCE):
                p.append(f"{rid}: Art. {a} has an empty quote but its duty names no absence")
        else:
            hits = [i for i, t in enumerate(texts) if quote in t]
            if len(hits) != 1:
                p.append(f"{rid}: Art. {a} quote {quote!r} is in {len(hits)} utterances")
            elif rec["utterances"][hits[0]]["speaker"] != "staff":
                p.append(f"{rid}: Art. {a} quote {quote!r} is not a staff utterance")
        if a in clean:
            p.append(f"{rid}: Art. {a} is both breached and clean")
    phone = rec["channel"] == "phone"
    if phone and 8 not in clean:
        p.append(f"{rid}: Art. 8 does not apply to a call and must be clean")
    if not phone and 7 not in clean:
        p.append(f"{rid}: Art. 7 does not apply to a counter visit and must be clean")
    when = dt.datetime.fromisoformat(rec["started_at"])
    if 25 in seen and not in_hours(when.time()):
        p.append(f"{rid}: Art. 25 labelled outside service hours")
    if phone:
        rings = rings_of(rec)
        if not rec["utterances"]:
            if in_hours(when.time()) and 7 not in seen:
                p.append(f"{rid}: a call that rang out in service hours must breach Art. 7")
            if not in_hours(when.time()) and 7 not in clean:
                p.append(f"{rid}: a call that rang out outside hours breaches nothing")
        elif rings is not None and rings >= 4 and 7 in clean:
            p.append(f"{rid}: picked up on ring {rings} but Art. 7 is listed clean")
        elif rings is not None and rings <= 3:
            for b in lab["breaches"]:
                if b["article"] == 7 and b["duty"].startswith("answered after"):
                    p.append(f"{rid}: picked up on ring {rings}, not late")
    return p


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    """Problems with the set (format, ids, times, labels); an empty list when it is fine."""
    problems: list[str] = []
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    if [lab.get("id") for lab in labels] != ids:
        problems.append(
            "labels.json is not in the order (or not with the ids) of interactions.jsonl"
        )
        return problems
    for rec, lab in zip(interactions, labels, strict=True):
        found = _check_interaction(rec)
        problems += found
        if not found:
            problems += _check_label(rec, lab)
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_article = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per_article = Counter(a for lab in labels for a in lab["clean_articles"])
    n_overlaps = 0
    for rec in interactions:
        u = rec["utterances"]
        n_overlaps += sum(1 for x, y in zip(u, u[1:], strict=False) if y["start"] < x["end"])
    breaches = [b for lab in labels for b in lab["breaches"]]
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(
            r["channel"] == "phone" and not r["utterances"] for r in interactions
        ),
        "ring_seconds calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping utterances": n_overlaps,
        "clean interactions": sum(not lab["breaches"] for lab in labels),
        "with one breach": sum(len(lab["breaches"]) == 1 for lab in labels),
        "with two breaches": sum(len(lab["breaches"]) == 2 for lab in labels),
        "breaches": len(breaches),
        "absences (quote empty)": sum(b["quote"] == "" for b in breaches),
        "forbidden phrases": sum(b["duty"].startswith("forbidden phrase:") for b in breaches),
        "of them paraphrased": sum("(paraphrase" in b["duty"] for b in breaches),
        "breaches per article": {a: per_article.get(a, 0) for a in SCORED},
        "clean per article": {a: clean_per_article.get(a, 0) for a in SCORED},
    }


def _families() -> Counter:
    """Hard-negative families of the clean interactions, read from source.txt."""
    spec = importlib.util.spec_from_file_location("train_halls_19_build", HERE / "build.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build  # dataclasses look their module up
    spec.loader.exec_module(build)
    blocks = build.parse((HERE / "source.txt").read_text(encoding="utf-8"))
    return Counter(b.header["family"] for b in blocks if "family" in b.header)


def main() -> int:
    interactions = [
        json.loads(x)
        for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(interactions, labels)
    for k, v in counts(interactions, labels).items():
        print(f"{k}: {v}")
    print("hard-negative families:", dict(sorted(_families().items())))
    for line in problems:
        print("PROBLEM", line)
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
