"""Check blind-halls-12 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine).
Run as a script to check the committed files and print the counts.
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
ID_RE = re.compile(r"^b12-(\d{4})$")
STAFF_RE = re.compile(r"^S-\d{4}$")
TIME_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2}):(\d{2})\+08:00$")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "ignored the citizen", "unanswered question:")
DUTY_PREFIXES = ABSENCE_PREFIXES + (
    "uncivil language:",
    "talk unrelated to work in front of the citizen:",
    "forced hang-up",
    "forbidden phrase:",
    "vague redirect:",
    "quarrel with the citizen",
    "made the citizen",
    "not told at once:",
    "refused service within service hours",
)
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}


def _in_hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def _check_record(r: dict, problems: list[str]) -> None:
    rid = r.get("id", "?")
    p = lambda msg: problems.append(f"{rid}: {msg}")  # noqa: E731
    keys = set(r)
    extra = keys - REC_KEYS - {"rings", "ring_seconds"}
    if REC_KEYS - keys:
        p(f"missing fields {sorted(REC_KEYS - keys)}")
    if extra:
        p(f"unknown fields {sorted(extra)}")
    channel = r.get("channel")
    if channel not in ("counter", "phone"):
        p(f"bad channel {channel!r}")
    if channel == "phone":
        if ("rings" in r) == ("ring_seconds" in r):
            p("a call needs exactly one of rings / ring_seconds")
        if "rings" in r and not (isinstance(r["rings"], int) and r["rings"] >= 1):
            p(f"bad rings {r['rings']!r}")
        if "ring_seconds" in r and not (isinstance(r["ring_seconds"], float) and r["ring_seconds"] > 0):
            p(f"bad ring_seconds {r['ring_seconds']!r}")
    elif "rings" in r or "ring_seconds" in r:
        p("a counter visit has no rings")
    if not isinstance(r.get("hall"), str) or not r.get("hall"):
        p("empty hall")
    if not isinstance(r.get("window"), str) or not r.get("window"):
        p("empty window")
    if not STAFF_RE.match(str(r.get("staff", ""))):
        p(f"bad staff id {r.get('staff')!r}")
    m = TIME_RE.match(str(r.get("started_at", "")))
    if not m:
        p(f"bad started_at {r.get('started_at')!r}")
    else:
        day = dt.date.fromisoformat(m.group(1))
        if not FIRST_DAY <= day <= LAST_DAY:
            p(f"date {day} outside {FIRST_DAY}..{LAST_DAY}")
        if day.weekday() >= 5:
            p(f"date {day} is a weekend")
    utts = r.get("utterances")
    if not isinstance(utts, list):
        p("utterances is not a list")
        return
    if not utts and channel != "phone":
        p("a counter visit without utterances")
    prev = -1.0
    for i, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            p(f"utterance {i}: fields {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            p(f"utterance {i}: bad speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            p(f"utterance {i}: empty text")
        elif any(ch in u["text"] for ch in "{}|"):
            p(f"utterance {i}: markup left in the text")
        if not (isinstance(u["start"], (int, float)) and isinstance(u["end"], (int, float))):
            p(f"utterance {i}: times are not numbers")
            continue
        if not 0 <= u["start"] < u["end"]:
            p(f"utterance {i}: bad span {u['start']}..{u['end']}")
        if u["start"] < prev:
            p(f"utterance {i}: start {u['start']} before the previous start {prev}")
        prev = u["start"]
    if channel == "phone" and utts:
        ring_time = 5 * (r["rings"] - 1) if "rings" in r else r.get("ring_seconds", 0.0)
        if utts[0]["start"] < ring_time:
            p(f"first words at {utts[0]['start']} before the pick-up ({ring_time} s)")
        if "rings" in r and utts[0]["start"] >= 5 * r["rings"]:
            p(f"first words at {utts[0]['start']} after ring {r['rings'] + 1} would have started")


def _check_label(r: dict, lab: dict, problems: list[str]) -> None:
    rid = r.get("id", "?")
    p = lambda msg: problems.append(f"{rid}: {msg}")  # noqa: E731
    if set(lab) != LABEL_KEYS:
        p(f"label fields {sorted(lab)}")
        return
    utts = r.get("utterances", [])
    breached: list[int] = []
    for b in lab["breaches"]:
        if set(b) != BREACH_KEYS:
            p(f"breach fields {sorted(b)}")
            continue
        a = b["article"]
        if a not in SCORED:
            p(f"breach of unscored article {a!r}")
        breached.append(a)
        if b["speaker"] != "staff":
            p(f"breach speaker {b['speaker']!r}")
        duty = b["duty"]
        if not isinstance(duty, str) or not duty.startswith(DUTY_PREFIXES):
            p(f"art {a}: duty {duty!r} does not start with a known prefix")
        q = b["quote"]
        if q == "":
            if not duty.startswith(ABSENCE_PREFIXES):
                p(f"art {a}: empty quote but the duty names no absence: {duty!r}")
        else:
            hits = [u for u in utts if q in u["text"]]
            if len(hits) != 1:
                p(f"art {a}: quote {q!r} found in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                p(f"art {a}: quote {q!r} is in a citizen utterance")
        if "forbidden phrase" in duty and "paraphrase" not in duty and q and q not in duty:
            # the seed's own words: the quote must carry the phrase
            phrase = duty.split(":", 1)[1].strip()
            if phrase.split("(")[0].strip() not in q:
                p(f"art {a}: exact forbidden phrase not in the quote")
    if len(breached) != len(set(breached)):
        p("two breaches of the same article")
    if len(breached) > 2:
        p("more than two breaches")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)):
        p("clean_articles not sorted and unique")
    if set(clean) - set(SCORED):
        p(f"clean articles outside the scored ones: {sorted(set(clean) - set(SCORED))}")
    if set(clean) & set(breached):
        p(f"articles both clean and breached: {sorted(set(clean) & set(breached))}")
    note = lab["note"]
    if not isinstance(note, str) or not note.strip() or "\n" in note:
        p("note must be one non-empty line")
    channel = r.get("channel")
    if 7 in breached and channel != "phone":
        p("Art. 7 breached on a counter visit")
    if channel == "counter" and 7 not in clean:
        p("Art. 7 does not apply to a counter visit: list it clean")
    if channel == "phone" and 8 not in clean:
        p("Art. 8 does not apply to a call: list it clean")
    m = TIME_RE.match(str(r.get("started_at", "")))
    if m:
        t = dt.time(int(m.group(2)), int(m.group(3)), int(m.group(4)))
        if channel == "phone" and not utts:
            if _in_hours(t) and 7 not in breached:
                p("call rang out within service hours but Art. 7 is not breached")
            if not _in_hours(t) and breached:
                p("call rang out outside service hours: nothing is breached")
        if 25 in breached:
            for b in lab["breaches"]:
                if b["article"] == 25 and b["quote"]:
                    u = next(u for u in utts if b["quote"] in u["text"])
                    at = dt.datetime.combine(dt.date(2000, 1, 1), t) + dt.timedelta(seconds=u["start"])
                    if not _in_hours(at.time()):
                        p("Art. 25 refusal said outside service hours")


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    ids = [r.get("id") for r in interactions]
    if len(ids) != len(set(ids)):
        problems.append("duplicate interaction ids")
    for k, rid in enumerate(ids, 1):
        m = ID_RE.match(str(rid))
        if not m or int(m.group(1)) != k:
            problems.append(f"id {rid!r} out of sequence (expected b12-{k:04d})")
    if [lab.get("id") for lab in labels] != ids:
        problems.append("labels are not in the order of the interactions")
    for r in interactions:
        _check_record(r, problems)
    by_id = {lab.get("id"): lab for lab in labels}
    for r in interactions:
        lab = by_id.get(r.get("id"))
        if lab is None:
            problems.append(f"{r.get('id')}: no label")
            continue
        _check_label(r, lab, problems)
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_article = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    overlaps = 0
    for r in interactions:
        ends = []
        for u in r["utterances"]:
            if ends and u["start"] < max(ends):
                overlaps += 1
            ends.append(u["end"])
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping utterances": overlaps,
        "clean interactions": nb[0],
        "one breach": nb[1],
        "two breaches": nb[2],
        "breaches": sum(per_article.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "forbidden phrases": sum(1 for lab in labels for b in lab["breaches"] if "forbidden phrase" in b["duty"]),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "breaches per article": {a: per_article[a] for a in SCORED},
        "clean per article": {a: clean_per[a] for a in SCORED},
    }


def main() -> int:
    interactions = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(interactions, labels)
    for prob in problems:
        print("PROBLEM", prob)
    for k, v in counts(interactions, labels).items():
        print(f"{k}: {v}")
    spec = importlib.util.spec_from_file_location("blind_halls_12_build", HERE / "build.py")
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build
    spec.loader.exec_module(build)
    fams = Counter(b.family for b in build.parse((HERE / "source.txt").read_text(encoding="utf-8")) if b.family)
    print("hard-negative families:", dict(sorted(fams.items())))
    print("OK" if not problems else f"{len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
