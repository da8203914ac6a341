"""Check interactions.jsonl and labels.json of train-halls-28 against the
format and labelling rules of the dialogues-dev README.

check(interactions, labels) returns a list of problems (empty when fine);
run as a script it checks the committed files and prints the counts.
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
HALLS = {"金昌市公安局户政大厅", "永昌县城关镇便民服务中心"}
FIRST_DAY, LAST_DAY = date(2026, 11, 3), date(2026, 12, 14)
HOURS = ((time(8, 30), time(12, 0)), (time(14, 30), time(18, 0)))
ID_RE = re.compile(r"^t28-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
STARTED_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
ABSENCE_PREFIXES = ("missing:", "ignored the citizen", "answered after",
                    "call not answered", "unanswered question")
COUNTER_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}


def _in_hours(t: time) -> bool:
    return any(a <= t < b for a, b in HOURS)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    p = problems.append
    if len(interactions) != len(labels):
        p(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        p("duplicate interaction ids")
    if ids != sorted(ids):
        p("interaction ids not in order")
    for rec, lab in zip(interactions, labels, strict=False):
        rid = rec.get("id", "?")
        if not isinstance(rid, str) or not ID_RE.match(rid):
            p(f"{rid}: bad id")
        if lab.get("id") != rid:
            p(f"{rid}: label id {lab.get('id')} out of step")
        ch = rec.get("channel")
        keys = set(rec)
        if ch == "counter":
            if keys != COUNTER_KEYS:
                p(f"{rid}: counter keys {sorted(keys)}")
        elif ch == "phone":
            extra = keys - COUNTER_KEYS
            if extra not in ({"rings"}, {"ring_seconds"}) or not keys >= COUNTER_KEYS:
                p(f"{rid}: phone keys {sorted(keys)}")
            if "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
                p(f"{rid}: bad rings")
            if "ring_seconds" in rec and (not isinstance(rec["ring_seconds"], (int, float))
                                          or rec["ring_seconds"] <= 0):
                p(f"{rid}: bad ring_seconds")
        else:
            p(f"{rid}: bad channel {ch!r}")
        if rec.get("hall") not in HALLS:
            p(f"{rid}: unknown hall {rec.get('hall')!r}")
        if not rec.get("window"):
            p(f"{rid}: empty window")
        if not STAFF_RE.match(str(rec.get("staff", ""))):
            p(f"{rid}: bad staff id")
        sa = str(rec.get("started_at", ""))
        if not STARTED_RE.match(sa):
            p(f"{rid}: bad started_at {sa!r}")
        else:
            dt = datetime.fromisoformat(sa)
            if not (FIRST_DAY <= dt.date() <= LAST_DAY) or dt.weekday() >= 5:
                p(f"{rid}: {dt.date()} is not a working day in range")
        utts = rec.get("utterances")
        if not isinstance(utts, list):
            p(f"{rid}: utterances not a list")
            utts = []
        if ch == "counter" and not utts:
            p(f"{rid}: counter visit without utterances")
        prev_start = None
        first_pickup = None
        if ch == "phone":
            if "rings" in rec:
                first_pickup = 5 * (rec["rings"] - 1)
            elif "ring_seconds" in rec:
                first_pickup = rec["ring_seconds"]
        for i, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p(f"{rid}[{i}]: keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p(f"{rid}[{i}]: bad speaker {u['speaker']!r}")
            if not isinstance(u["text"], str) or not u["text"].strip():
                p(f"{rid}[{i}]: empty text")
            s, e = u["start"], u["end"]
            if not (isinstance(s, (int, float)) and isinstance(e, (int, float))):
                p(f"{rid}[{i}]: times not numbers")
                continue
            if s < 0 or e <= s:
                p(f"{rid}[{i}]: bad span {s}-{e}")
            if prev_start is not None and s < prev_start:
                p(f"{rid}[{i}]: start {s} before previous start {prev_start}")
            if i == 0 and first_pickup is not None and s < first_pickup:
                p(f"{rid}: first words at {s} s before the last ring at {first_pickup} s")
            prev_start = s
        if ch == "phone" and utts and utts[0]["speaker"] != "staff":
            p(f"{rid}: a call must be opened by the staff")

        # labels
        if set(lab) != LABEL_KEYS:
            p(f"{rid}: label keys {sorted(lab)}")
            continue
        breached = []
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"}:
                p(f"{rid}: breach keys {sorted(b)}")
                continue
            a = b["article"]
            if a not in SCORED:
                p(f"{rid}: breach article {a} not scored")
            breached.append(a)
            if b["speaker"] != "staff":
                p(f"{rid}: breach speaker {b['speaker']!r}")
            if not b["duty"].strip():
                p(f"{rid}: empty duty")
            q = b["quote"]
            if q == "":
                if not b["duty"].startswith(ABSENCE_PREFIXES):
                    p(f"{rid}: absence of article {a} with duty {b['duty'][:30]!r}")
            else:
                hits = [u for u in utts if q in u["text"]]
                if len(hits) != 1:
                    p(f"{rid}: quote {q!r} found in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p(f"{rid}: quote {q!r} is in a citizen utterance")
            if a == 7 and ch != "phone":
                p(f"{rid}: Art. 7 breach on a counter visit")
        dup = [a for a, n in Counter(breached).items() if n > 1]
        if dup:
            p(f"{rid}: two breaches of article(s) {dup}")
        clean = lab["clean_articles"]
        if sorted(set(clean)) != clean:
            p(f"{rid}: clean_articles not sorted/unique")
        if any(a not in SCORED for a in clean):
            p(f"{rid}: clean article out of range")
        if set(clean) & set(breached):
            p(f"{rid}: clean and breached overlap {sorted(set(clean) & set(breached))}")
        if ch == "counter" and 7 not in clean:
            p(f"{rid}: Art. 7 must be clean on a counter visit")
        if ch == "phone" and 8 not in clean:
            p(f"{rid}: Art. 8 must be clean on a call")
        if not isinstance(lab["note"], str) or not lab["note"].strip():
            p(f"{rid}: empty note")
        # hours
        if STARTED_RE.match(sa):
            t = datetime.fromisoformat(sa).time()
            if 25 in breached and not _in_hours(t):
                p(f"{rid}: Art. 25 breached outside service hours")
            if ch == "phone" and not utts and _in_hours(t) and 7 not in breached:
                p(f"{rid}: call rang out in hours without an Art. 7 breach")
            if ch == "phone" and not utts and not _in_hours(t) and breached:
                p(f"{rid}: call rang out outside hours but has breaches")
            if ch == "phone" and utts and "rings" in rec and rec["rings"] >= 4 and 7 not in breached:
                p(f"{rid}: picked up on ring {rec['rings']} without an Art. 7 breach")
    return problems


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    recs = [json.loads(line) for line in
            (folder / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return recs, labels


def counts(recs: list[dict], labels: list[dict]) -> str:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_art = Counter(a for lab in labels for a in lab["clean_articles"])
    n_breach = Counter(len(lab["breaches"]) for lab in labels)
    lines = [
        f"interactions {len(recs)}: counter {sum(r['channel'] == 'counter' for r in recs)}, "
        f"phone {sum(r['channel'] == 'phone' for r in recs)}, "
        f"utterances {sum(len(r['utterances']) for r in recs)}",
        f"no breach {n_breach[0]}, one breach {n_breach[1]}, two breaches {n_breach[2]}; "
        f"breaches {sum(per_art.values())}, absences "
        f"{sum(1 for lab in labels for b in lab['breaches'] if b['quote'] == '')}, "
        f"paraphrased {sum(1 for lab in labels for b in lab['breaches'] if '(paraphrase' in b['duty'])}",
        "article   " + " ".join(f"{a:>4}" for a in SCORED),
        "breaches  " + " ".join(f"{per_art[a]:>4}" for a in SCORED),
        "clean     " + " ".join(f"{clean_art[a]:>4}" for a in SCORED),
    ]
    return "\n".join(lines)


def main() -> int:
    recs, labels = load()
    problems = check(recs, labels)
    for prob in problems:
        print("PROBLEM", prob)
    print(counts(recs, labels))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
