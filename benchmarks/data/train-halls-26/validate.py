"""Check train-halls-26 against the dev README's format and labelling rules.

``check(interactions, labels)`` returns a list of problems (empty when fine);
run as a script it checks the committed files and prints the counts.
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
ID_RE = re.compile(r"t26-\d{4}")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "ignored the citizen")
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
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}


def _in_hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    p: list[str] = []
    if len(interactions) != len(labels):
        p.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        p.append("duplicate interaction ids")
    for n, rid in enumerate(ids, 1):
        if rid != f"t26-{n:04d}":
            p.append(f"id #{n} is {rid!r}, expected t26-{n:04d}")
    for rec, lab in zip(interactions, labels, strict=False):
        rid = rec.get("id")
        if lab.get("id") != rid:
            p.append(f"{rid}: label id {lab.get('id')!r} out of order")
        extra = set(rec) - REC_KEYS - {"rings", "ring_seconds"}
        if REC_KEYS - set(rec) or extra:
            p.append(f"{rid}: keys {sorted(rec)}")
            continue
        ch = rec["channel"]
        if ch not in ("counter", "phone"):
            p.append(f"{rid}: channel {ch!r}")
        has_r, has_s = "rings" in rec, "ring_seconds" in rec
        if ch == "phone" and has_r == has_s:
            p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        if ch == "counter" and (has_r or has_s):
            p.append(f"{rid}: a counter visit has rings")
        if has_r and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
            p.append(f"{rid}: rings {rec['rings']!r}")
        if not re.fullmatch(r"S-\d{4}", str(rec["staff"])):
            p.append(f"{rid}: staff {rec['staff']!r}")
        if not rec["hall"] or not rec["window"]:
            p.append(f"{rid}: empty hall or window")
        try:
            when = dt.datetime.fromisoformat(rec["started_at"])
        except (TypeError, ValueError):
            p.append(f"{rid}: started_at {rec['started_at']!r}")
            when = None
        if when is not None:
            if when.utcoffset() != dt.timedelta(hours=8):
                p.append(f"{rid}: started_at not +08:00")
            if not (FIRST_DAY <= when.date() <= LAST_DAY) or when.weekday() >= 5:
                p.append(f"{rid}: {when.date()} is not a working day of the corpus")
        utts = rec["utterances"]
        if ch == "counter" and not utts:
            p.append(f"{rid}: counter visit without utterances")
        ring_end = 0.0
        if has_r:
            ring_end = 5 * (rec["rings"] - 1) + 1.0
        elif has_s:
            ring_end = float(rec["ring_seconds"])
        prev_start = -1.0
        for i, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p.append(f"{rid}#{i}: keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p.append(f"{rid}#{i}: speaker {u['speaker']!r}")
            if not (isinstance(u["start"], (int, float)) and isinstance(u["end"], (int, float))):
                p.append(f"{rid}#{i}: times not numbers")
                continue
            if not u["start"] < u["end"]:
                p.append(f"{rid}#{i}: start {u['start']} not before end {u['end']}")
            if u["start"] < prev_start or (i == 0 and u["start"] < 0):
                p.append(f"{rid}#{i}: start {u['start']} goes back in time")
            if i == 0 and ch == "phone" and u["start"] < ring_end:
                p.append(f"{rid}: first words at {u['start']} s, before the last ring ({ring_end} s)")
            if not u["text"].strip():
                p.append(f"{rid}#{i}: empty text")
            prev_start = u["start"]
        if ch == "phone" and utts and utts[0]["speaker"] != "staff":
            p.append(f"{rid}: a call is opened by the staff")
        # labels
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            p.append(f"{rid}: label keys {sorted(lab)}")
            continue
        if not lab["note"].strip():
            p.append(f"{rid}: empty note")
        breached = [b.get("article") for b in lab["breaches"]]
        if len(set(breached)) != len(breached):
            p.append(f"{rid}: two breaches of one article")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)):
            p.append(f"{rid}: clean_articles not sorted/unique")
        for a in list(breached) + list(clean):
            if a not in SCORED:
                p.append(f"{rid}: article {a!r} not scored")
        if set(clean) & set(breached):
            p.append(f"{rid}: articles both clean and breached: {sorted(set(clean) & set(breached))}")
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"}:
                p.append(f"{rid}: breach keys {sorted(b)}")
                continue
            a, q, d = b["article"], b["quote"], b["duty"]
            if b["speaker"] != "staff":
                p.append(f"{rid}: breach speaker {b['speaker']!r}")
            if not d.startswith(DUTY_PREFIXES.get(a, ("?",))):
                p.append(f"{rid}: Art. {a} duty {d!r} has no known prefix")
            if q == "":
                if not d.startswith(ABSENCE_PREFIXES):
                    p.append(f"{rid}: absence (quote '') but duty {d!r} names none")
            else:
                hits = [u for u in utts if q in u["text"]]
                if len(hits) != 1:
                    p.append(f"{rid}: quote {q!r} found in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p.append(f"{rid}: quote {q!r} is not a staff utterance")
            if a == 7 and ch != "phone":
                p.append(f"{rid}: Art. 7 breach on a counter visit")
            if a == 8 and ch != "counter":
                p.append(f"{rid}: Art. 8 breach on a call")
            if a == 25 and when is not None and not _in_hours(when.time()):
                p.append(f"{rid}: Art. 25 breach outside service hours")
        if ch == "counter" and 7 not in clean:
            p.append(f"{rid}: Art. 7 must be clean on a counter visit")
        if ch == "phone" and 8 not in clean:
            p.append(f"{rid}: Art. 8 must be clean on a call")
        if ch == "phone" and not utts:
            in_hours = when is not None and _in_hours(when.time())
            if in_hours and 7 not in breached:
                p.append(f"{rid}: call rang out in hours without an Art. 7 breach")
            if not in_hours and breached:
                p.append(f"{rid}: call rang out of hours but has breaches")
        if has_r and rec["rings"] >= 4 and utts and 7 not in breached:
            p.append(f"{rid}: picked up on ring {rec['rings']} without Art. 7")
        if has_s and int(rec["ring_seconds"] // 5) + 1 >= 4 and utts and 7 not in breached:
            p.append(f"{rid}: ring_seconds {rec['ring_seconds']} (4+ rings) without Art. 7")
    return p


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "clean_interactions": nb[0],
        "one_breach": nb[1],
        "two_breaches": nb[2],
        "breaches": sum(per_art.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "breaches_per_article": {a: per_art[a] for a in SCORED},
        "clean_per_article": {a: clean_per[a] for a in SCORED},
        "overlaps": sum(1 for r in interactions for x, y in zip(r["utterances"], r["utterances"][1:], strict=False) if y["start"] < x["end"]),
    }


def main() -> int:
    recs = [json.loads(lab) for lab in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if lab.strip()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(recs, labels)
    for pr in problems:
        print("PROBLEM:", pr)
    print(json.dumps(counts(recs, labels), ensure_ascii=False, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
