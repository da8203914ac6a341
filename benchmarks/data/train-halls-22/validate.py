"""Check train-halls-22 against the format and labelling rules of the dev README; print the counts."""
from __future__ import annotations

import datetime as dt
import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
PREFIX = "t22-"
ABSENCE_DUTY = ("missing", "answered after", "call not answered", "ignored the citizen", "unanswered question")


def _in_hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    bad: list[str] = []
    if len(interactions) != len(labels):
        bad.append(f"{len(interactions)} interactions but {len(labels)} labels")
    for n, (rec, lab) in enumerate(zip(interactions, labels, strict=False), 1):
        iid = f"{PREFIX}{n:04d}"
        if rec.get("id") != iid or lab.get("id") != iid:
            bad.append(f"#{n}: ids {rec.get('id')} / {lab.get('id')}, expected {iid}")
        keys = set(rec)
        need = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
        if not need <= keys:
            bad.append(f"{iid}: missing fields {need - keys}")
            continue
        extra = keys - need - {"rings", "ring_seconds"}
        if extra:
            bad.append(f"{iid}: unexpected fields {extra}")
        ch = rec["channel"]
        if ch not in ("counter", "phone"):
            bad.append(f"{iid}: channel {ch}")
        if ch == "phone" and ("rings" in rec) == ("ring_seconds" in rec):
            bad.append(f"{iid}: a call needs exactly one of rings / ring_seconds")
        if ch == "counter" and ("rings" in rec or "ring_seconds" in rec):
            bad.append(f"{iid}: rings on a counter visit")
        if ch == "counter" and not rec["utterances"]:
            bad.append(f"{iid}: counter visit without utterances")
        try:
            started = dt.datetime.fromisoformat(rec["started_at"])
        except ValueError:
            bad.append(f"{iid}: started_at {rec['started_at']!r}")
            continue
        if started.utcoffset() != dt.timedelta(hours=8):
            bad.append(f"{iid}: started_at not +08:00")
        if started.weekday() >= 5 or not dt.date(2026, 11, 3) <= started.date() <= dt.date(2026, 12, 14):
            bad.append(f"{iid}: date {started.date()} not a working day in 2026-11-03..2026-12-14")
        prev_start = -1.0
        first = None
        for k, u in enumerate(rec["utterances"]):
            if u.get("speaker") not in ("staff", "citizen"):
                bad.append(f"{iid}/{k}: speaker {u.get('speaker')}")
            if not isinstance(u.get("text"), str) or not u["text"].strip():
                bad.append(f"{iid}/{k}: empty text")
            if not (0 <= u["start"] < u["end"]):
                bad.append(f"{iid}/{k}: times {u['start']}..{u['end']}")
            if u["start"] < prev_start:
                bad.append(f"{iid}/{k}: start {u['start']} before previous start {prev_start}")
            prev_start = u["start"]
            first = first if first is not None else u["start"]
        if ch == "phone" and rec["utterances"]:
            rings = rec.get("rings")
            ring_time = 5 * (rings - 1) if rings else rec.get("ring_seconds", 0)
            if first < ring_time:
                bad.append(f"{iid}: first words at {first} s before ring time {ring_time}")
            if rec["utterances"][0]["speaker"] != "staff":
                bad.append(f"{iid}: call not opened by the staff")
        # labels
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            bad.append(f"{iid}: label fields {sorted(lab)}")
        if not lab.get("note", "").strip():
            bad.append(f"{iid}: empty note")
        clean = lab["clean_articles"]
        if any(a not in SCORED for a in clean) or len(set(clean)) != len(clean) or clean != sorted(clean):
            bad.append(f"{iid}: clean_articles {clean}")
        arts = [b["article"] for b in lab["breaches"]]
        if len(set(arts)) != len(arts):
            bad.append(f"{iid}: two breaches of one article {arts}")
        if set(arts) & set(clean):
            bad.append(f"{iid}: articles both breached and clean {set(arts) & set(clean)}")
        if ch == "counter" and 7 not in clean:
            bad.append(f"{iid}: Art. 7 on a counter visit must be clean")
        if ch == "phone" and 8 not in clean:
            bad.append(f"{iid}: Art. 8 on a call must be clean")
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"}:
                bad.append(f"{iid}: breach fields {sorted(b)}")
            if b["article"] not in SCORED:
                bad.append(f"{iid}: article {b['article']}")
            if b["speaker"] != "staff":
                bad.append(f"{iid}: breach speaker {b['speaker']}")
            if not b["duty"].strip():
                bad.append(f"{iid}: empty duty")
            q = b["quote"]
            if q == "":
                if not b["duty"].startswith(ABSENCE_DUTY):
                    bad.append(f"{iid}: absence (art {b['article']}) whose duty names no absence: {b['duty']}")
            else:
                hits = [u for u in rec["utterances"] if q in u["text"]]
                if len(hits) != 1:
                    bad.append(f"{iid}: quote {q!r} in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    bad.append(f"{iid}: quote {q!r} is not a staff utterance")
            if b["article"] == 25 and not _in_hours(started.time()):
                bad.append(f"{iid}: Art. 25 outside service hours")
        if ch == "phone" and not rec["utterances"]:
            arts_set = set(arts)
            if _in_hours(started.time()) and 7 not in arts_set:
                bad.append(f"{iid}: call rang out in hours without an Art. 7 breach")
            if not _in_hours(started.time()) and arts_set:
                bad.append(f"{iid}: call rang out of hours with a breach")
    return bad


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_art = Counter(a for lab in labels for a in lab["clean_articles"])
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "clean interactions": sum(not lab["breaches"] for lab in labels),
        "one breach": sum(len(lab["breaches"]) == 1 for lab in labels),
        "two breaches": sum(len(lab["breaches"]) == 2 for lab in labels),
        "breaches": sum(per_art.values()),
        "absences": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased forbidden phrases": sum("(paraphrase)" in b["duty"] for lab in labels for b in lab["breaches"]),
        "breaches per article": {a: per_art.get(a, 0) for a in SCORED},
        "clean per article": {a: clean_art.get(a, 0) for a in SCORED},
    }


def main() -> int:
    recs = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    labs = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(recs, labs)
    for p in problems:
        print("PROBLEM", p)
    for k, v in counts(recs, labs).items():
        print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
