"""Check blind-halls-18 against the format and labelling rules of the dev README; print the counts."""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
N = 40
ABSENCE_PREFIXES = ("missing:", "unanswered question:", "ignored the citizen", "answered after",
                    "call not answered")
_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")


def _in_hours(t: dt.datetime) -> bool:
    hm = t.hour * 60 + t.minute
    return 8 * 60 + 30 <= hm < 12 * 60 or 14 * 60 + 30 <= hm < 18 * 60


def check(interactions: list, labels: list) -> list:
    p: list = []
    ids = [f"b18-{i:04d}" for i in range(1, N + 1)]
    if [r.get("id") for r in interactions] != ids:
        p.append("interaction ids are not b18-0001..b18-0040 in order")
    if [lab.get("id") for lab in labels] != [r.get("id") for r in interactions]:
        p.append("label ids differ from interaction ids")
    for rec, lab in zip(interactions, labels, strict=False):
        i = rec.get("id")
        keys = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
        if not keys <= set(rec):
            p.append(f"{i}: missing keys {keys - set(rec)}")
            continue
        ch = rec["channel"]
        extra = set(rec) - keys
        if ch == "counter":
            if extra:
                p.append(f"{i}: counter visit with {extra}")
            if not rec["utterances"]:
                p.append(f"{i}: counter visit without utterances")
        elif ch == "phone":
            if len(extra) != 1 or not extra <= {"rings", "ring_seconds"}:
                p.append(f"{i}: a call needs exactly one of rings / ring_seconds, has {extra}")
        else:
            p.append(f"{i}: bad channel {ch!r}")
        for k in ("hall", "window", "staff"):
            if not isinstance(rec[k], str) or not rec[k]:
                p.append(f"{i}: empty {k}")
        if not re.fullmatch(r"S-\d{4}", rec["staff"]):
            p.append(f"{i}: staff id {rec['staff']!r}")
        if not _TS.match(rec["started_at"]):
            p.append(f"{i}: started_at {rec['started_at']!r}")
            continue
        t0 = dt.datetime.fromisoformat(rec["started_at"])
        if t0.weekday() >= 5:
            p.append(f"{i}: not a working day")
        prev_s = -1.0
        for k, u in enumerate(rec["utterances"]):
            if set(u) != {"speaker", "start", "end", "text"}:
                p.append(f"{i}#{k}: keys {set(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p.append(f"{i}#{k}: speaker {u['speaker']!r}")
            if not u["text"].strip():
                p.append(f"{i}#{k}: empty text")
            if not (0 <= u["start"] < u["end"]):
                p.append(f"{i}#{k}: bad times {u['start']}..{u['end']}")
            if u["start"] < prev_s:
                p.append(f"{i}#{k}: start not monotone")
            prev_s = u["start"]
        if ch == "phone" and rec["utterances"]:
            first = rec["utterances"][0]["start"]
            if "rings" in rec:
                n = rec["rings"]
                if not (isinstance(n, int) and n >= 1 and 5 * (n - 1) <= first < 5 * n + 1):
                    p.append(f"{i}: first words at {first} do not follow ring {n}")
            elif first < rec["ring_seconds"]:
                p.append(f"{i}: first words before ring_seconds")
        # labels
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            p.append(f"{i}: label keys {set(lab)}")
            continue
        if not lab["note"].strip():
            p.append(f"{i}: empty note")
        arts = [b["article"] for b in lab["breaches"]]
        if len(arts) != len(set(arts)):
            p.append(f"{i}: two breaches of one article")
        if len(arts) > 2:
            p.append(f"{i}: more than two breaches")
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"}:
                p.append(f"{i}: breach keys {set(b)}")
                continue
            if b["article"] not in SCORED:
                p.append(f"{i}: article {b['article']} not scored")
            if b["speaker"] != "staff":
                p.append(f"{i}: breach speaker {b['speaker']}")
            if not b["duty"].strip():
                p.append(f"{i}: empty duty")
            q = b["quote"]
            if q:
                hits = [u for u in rec["utterances"] if q in u["text"]]
                if len(hits) != 1:
                    p.append(f"{i}: quote {q!r} in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p.append(f"{i}: quote {q!r} is not the staff's")
            elif not b["duty"].startswith(ABSENCE_PREFIXES):
                p.append(f"{i}: empty quote but duty {b['duty']!r} names no absence")
            if b["article"] == 7 and ch != "phone":
                p.append(f"{i}: Art. 7 breach on a counter visit")
            if b["article"] == 8 and ch != "counter":
                p.append(f"{i}: Art. 8 breach on a call")
            if b["article"] == 25 and q:
                hit = next((u for u in rec["utterances"] if q in u["text"]), None)
                if hit and not _in_hours(t0 + dt.timedelta(seconds=hit["start"])):
                    p.append(f"{i}: Art. 25 breach outside service hours")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)) or not set(clean) <= set(SCORED):
            p.append(f"{i}: clean_articles {clean}")
        if set(clean) & set(arts):
            p.append(f"{i}: clean and breached overlap {set(clean) & set(arts)}")
        if ch == "counter" and 7 not in clean:
            p.append(f"{i}: Art. 7 not clean on a counter visit")
        if ch == "phone" and 8 not in clean:
            p.append(f"{i}: Art. 8 not clean on a call")
        if ch == "phone" and not rec["utterances"]:
            rang_in_hours = _in_hours(t0)
            if rang_in_hours != (7 in arts):
                p.append(f"{i}: unanswered call: Art. 7 labelled {7 in arts}, in hours {rang_in_hours}")
        if 5 in arts and 16 in clean:
            p.append(f"{i}: Art. 5 labelled but 16 listed clean")
        unscored = set(SCORED) - set(clean) - set(arts)
        if unscored and "Arguable" not in lab["note"]:
            p.append(f"{i}: arguable {sorted(unscored)} without a reason in the note")
    return p


def counts(interactions: list, labels: list) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlaps": sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
                        if b["start"] < a["end"]),
        "no breach / one / two": [nb[0], nb[1], nb[2]],
        "breaches": sum(per_art.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if not b["quote"]),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "breaches per article": {a: per_art[a] for a in SCORED},
        "clean per article": {a: clean_per[a] for a in SCORED},
    }


def main() -> int:
    inter = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    probs = check(inter, labels)
    for x in probs:
        print("PROBLEM", x)
    for k, v in counts(inter, labels).items():
        print(f"{k}: {v}")
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
