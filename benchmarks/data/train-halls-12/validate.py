"""Check train-halls-12 against the format and labelling rules of the dev README.

check(interactions, labels) -> list of problems (empty when fine). Run as a script it checks the
committed files and prints the counts.
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
ID_RE = re.compile(r"^t12-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LAB_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}
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
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "ignored the citizen", "unanswered question:")


def _in_hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    p: list[str] = []
    if len(interactions) != len(labels):
        p.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        p.append("duplicate interaction ids")
    expected = [f"t12-{i:04d}" for i in range(1, len(interactions) + 1)]
    if ids != expected:
        p.append("ids are not t12-0001.. in order")
    for rec, lab in zip(interactions, labels, strict=False):
        rid = rec.get("id")
        keys = set(rec)
        extra = keys - REC_KEYS - {"rings", "ring_seconds"}
        if not keys >= REC_KEYS or extra:
            p.append(f"{rid}: bad keys {sorted(keys)}")
            continue
        if not ID_RE.match(rid or ""):
            p.append(f"{rid}: bad id")
        if lab.get("id") != rid:
            p.append(f"{rid}: label id {lab.get('id')} out of order")
        ch = rec["channel"]
        if ch not in ("counter", "phone"):
            p.append(f"{rid}: channel {ch!r}")
        if not STAFF_RE.match(rec["staff"]):
            p.append(f"{rid}: staff id {rec['staff']!r}")
        if not rec["hall"] or not rec["window"]:
            p.append(f"{rid}: empty hall or window")
        try:
            started = dt.datetime.fromisoformat(rec["started_at"])
        except ValueError:
            p.append(f"{rid}: started_at {rec['started_at']!r}")
            continue
        if not rec["started_at"].endswith("+08:00"):
            p.append(f"{rid}: started_at not +08:00")
        if started.weekday() >= 5 or not FIRST_DAY <= started.date() <= LAST_DAY:
            p.append(f"{rid}: {started.date()} not a working day in the corpus range")
        utts = rec["utterances"]
        pickup_min = 0.0
        if ch == "phone":
            has_r, has_s = "rings" in rec, "ring_seconds" in rec
            if has_r == has_s:
                p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
            elif has_r:
                if not isinstance(rec["rings"], int) or rec["rings"] < 1:
                    p.append(f"{rid}: rings {rec['rings']!r}")
                else:
                    pickup_min = 5.0 * (rec["rings"] - 1)
            else:
                if not isinstance(rec["ring_seconds"], (int, float)) or rec["ring_seconds"] <= 0:
                    p.append(f"{rid}: ring_seconds {rec['ring_seconds']!r}")
                else:
                    pickup_min = float(rec["ring_seconds"])
        else:
            if "rings" in rec or "ring_seconds" in rec:
                p.append(f"{rid}: counter visit with ring fields")
            if not utts:
                p.append(f"{rid}: counter visit without utterances")
        prev_start = -1.0
        for i, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p.append(f"{rid}#{i}: bad utterance keys")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p.append(f"{rid}#{i}: speaker {u['speaker']!r}")
            if not u["text"].strip():
                p.append(f"{rid}#{i}: empty text")
            if not (u["end"] > u["start"] >= 0):
                p.append(f"{rid}#{i}: bad times {u['start']}-{u['end']}")
            if u["start"] < prev_start:
                p.append(f"{rid}#{i}: start not monotone")
            prev_start = u["start"]
        if utts and utts[0]["start"] < pickup_min:
            p.append(f"{rid}: first words before the pick-up")
        # labels
        if set(lab) != LAB_KEYS:
            p.append(f"{rid}: bad label keys {sorted(lab)}")
            continue
        if not isinstance(lab["note"], str) or not lab["note"].strip():
            p.append(f"{rid}: empty note")
        arts = []
        for b in lab["breaches"]:
            if set(b) != BREACH_KEYS:
                p.append(f"{rid}: bad breach keys {sorted(b)}")
                continue
            a = b["article"]
            arts.append(a)
            if a not in SCORED:
                p.append(f"{rid}: article {a} out of range")
                continue
            if b["speaker"] != "staff":
                p.append(f"{rid}: breach speaker {b['speaker']!r}")
            if not b["duty"].startswith(DUTY_PREFIXES[a]):
                p.append(f"{rid}: art. {a} duty {b['duty']!r} has no known prefix")
            q = b["quote"]
            if q == "":
                if not b["duty"].startswith(ABSENCE_PREFIXES):
                    p.append(f"{rid}: empty quote but duty does not name an absence")
            else:
                hits = [u for u in utts if q in u["text"]]
                if len(hits) != 1:
                    p.append(f"{rid}: quote {q!r} in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p.append(f"{rid}: quote {q!r} not in a staff utterance")
            if a == 7 and ch != "phone":
                p.append(f"{rid}: art. 7 breach on a counter visit")
            if a == 8 and ch != "counter":
                p.append(f"{rid}: art. 8 breach on a call")
        if len(arts) != len(set(arts)):
            p.append(f"{rid}: two breaches of one article")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)) or any(a not in SCORED for a in clean):
            p.append(f"{rid}: clean_articles not a sorted subset of the scored articles")
        if set(clean) & set(arts):
            p.append(f"{rid}: clean and breached overlap")
        if ch == "counter" and 7 not in clean:
            p.append(f"{rid}: art. 7 not clean on a counter visit")
        if ch == "phone" and 8 not in clean:
            p.append(f"{rid}: art. 8 not clean on a call")
        if ch == "phone" and not utts:
            in_h = _in_hours(started.time())
            if in_h and 7 not in arts:
                p.append(f"{rid}: call unanswered in hours without an art. 7 breach")
            if not in_h and arts:
                p.append(f"{rid}: call unanswered out of hours carries a breach")
        if ch == "phone" and 7 in arts and "rings" in rec:
            late = [b for b in lab["breaches"] if b["article"] == 7 and b["duty"].startswith("answered after")]
            if late and rec["rings"] < 4:
                p.append(f"{rid}: 'answered after' with only {rec['rings']} rings")
    return p


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    n_utt = sum(len(r["utterances"]) for r in interactions)
    calls = [r for r in interactions if r["channel"] == "phone"]
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    n_b = [len(lab["breaches"]) for lab in labels]
    overlaps = 0
    for r in interactions:
        u = r["utterances"]
        overlaps += sum(1 for i in range(1, len(u)) if u[i]["start"] < u[i - 1]["end"])
    return {
        "interactions": len(interactions),
        "counter": len(interactions) - len(calls),
        "calls": len(calls),
        "unanswered_calls": sum(1 for r in calls if not r["utterances"]),
        "ring_seconds_calls": sum(1 for r in calls if "ring_seconds" in r),
        "utterances": n_utt,
        "overlaps": overlaps,
        "clean_interactions": n_b.count(0),
        "one_breach": n_b.count(1),
        "two_breaches": n_b.count(2),
        "breaches": sum(n_b),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "breaches_per_article": {a: per_art.get(a, 0) for a in SCORED},
        "clean_per_article": {a: clean_per.get(a, 0) for a in SCORED},
    }


def main() -> int:
    recs = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    labs = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    probs = check(recs, labs)
    for x in probs:
        print("PROBLEM", x)
    print(json.dumps(counts(recs, labs), ensure_ascii=False, indent=1))
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
