"""Check train-halls-24 against the format and labelling rules of the dev README; print counts."""

from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID = re.compile(r"^t24-\d{4}$")
ABSENCE = ("missing", "unanswered", "ignored", "answered after", "call not answered", "made the citizen", "not told at once")


def _in_hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    if len(interactions) != len(labels):
        problems.append(f"{len(interactions)} interactions but {len(labels)} labels")
    seen: set[str] = set()
    for n, (rec, lab) in enumerate(zip(interactions, labels, strict=False), 1):
        iid = rec.get("id", "?")
        p = lambda msg, iid=iid: problems.append(f"{iid}: {msg}")  # noqa: E731
        if not ID.match(iid) or iid != f"t24-{n:04d}":
            p("bad or out-of-order id")
        if iid in seen:
            p("duplicate id")
        seen.add(iid)
        if lab.get("id") != iid:
            p(f"label id {lab.get('id')} does not match")
        keys = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
        if not keys <= set(rec):
            p(f"missing fields {sorted(keys - set(rec))}")
            continue
        if rec["channel"] not in ("counter", "phone"):
            p("bad channel")
        if not re.match(r"^S-\d{4}$", rec["staff"]):
            p("bad staff id")
        try:
            started = dt.datetime.fromisoformat(rec["started_at"])
        except ValueError:
            p("bad started_at")
            continue
        if not rec["started_at"].endswith("+08:00"):
            p("started_at not +08:00")
        if started.weekday() >= 5 or not (dt.date(2026, 11, 3) <= started.date() <= dt.date(2026, 12, 14)):
            p("date not a working day in 2026-11-03..2026-12-14")
        ring_keys = {"rings", "ring_seconds"} & set(rec)
        if rec["channel"] == "phone":
            if len(ring_keys) != 1:
                p("a call needs exactly one of rings / ring_seconds")
            elif "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
                p("bad rings")
        elif ring_keys:
            p("ring fields on a counter visit")
        utts = rec["utterances"]
        if rec["channel"] == "counter" and not utts:
            p("counter visit without utterances")
        prev_start = -1.0
        first_after = None
        if rec["channel"] == "phone" and utts:
            first_after = 5 * (rec["rings"] - 1) if "rings" in rec else rec["ring_seconds"]
            if utts[0]["start"] < first_after:
                p("first words before the pick-up")
        for u in utts:
            if set(u) != {"speaker", "start", "end", "text"}:
                p(f"bad utterance fields {sorted(u)}")
            if u["speaker"] not in ("staff", "citizen"):
                p(f"bad speaker {u['speaker']}")
            if not u["text"].strip():
                p("empty utterance")
            if not (u["end"] > u["start"] >= 0):
                p(f"bad times {u['start']}-{u['end']}")
            if u["start"] < prev_start:
                p(f"start times not monotone at {u['start']}")
            prev_start = u["start"]
        # labels
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            p(f"bad label fields {sorted(lab)}")
        if not str(lab.get("note", "")).strip():
            p("empty note")
        arts = [b["article"] for b in lab.get("breaches", [])]
        if len(arts) != len(set(arts)):
            p("two breaches of one article")
        for b in lab.get("breaches", []):
            if b.get("article") not in SCORED:
                p(f"article {b.get('article')} out of range")
            if b.get("speaker") != "staff":
                p("breach speaker not staff")
            if not str(b.get("duty", "")).strip():
                p("empty duty")
            q = b.get("quote", "")
            if q == "":
                if not any(k in b["duty"] for k in ABSENCE):
                    p(f"absence without missing:/absence duty ({b['duty']})")
            else:
                hits = [u for u in utts if q in u["text"]]
                if len(hits) != 1:
                    p(f"quote {q!r} in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p(f"quote {q!r} not in a staff utterance")
        clean = lab.get("clean_articles", [])
        if any(a not in SCORED for a in clean):
            p("clean article out of range")
        if clean != sorted(set(clean)):
            p("clean_articles not sorted/unique")
        if set(clean) & set(arts):
            p("clean and breached overlap")
        # consistency rules of the dev README
        if rec["channel"] == "counter" and 7 in arts:
            p("Art. 7 on a counter visit")
        if rec["channel"] == "phone" and 8 in arts:
            p("Art. 8 on a call")
        if rec["channel"] == "phone" and not utts:
            in_hours = _in_hours(started.time())
            if in_hours and 7 not in arts:
                p("call unanswered in hours without Art. 7")
            if not in_hours and arts:
                p("call unanswered out of hours with a breach")
        if 25 in arts and not _in_hours(started.time()):
            p("Art. 25 outside service hours")
        if 5 in arts and 16 in clean:
            p("Art. 5 labelled but 16 listed clean")
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "clean interactions": sum(not lab["breaches"] for lab in labels),
        "breaches": sum(per_art.values()),
        "absences": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased": sum("(paraphrase)" in b["duty"] for lab in labels for b in lab["breaches"]),
        "breaches per article": {a: per_art[a] for a in SCORED},
        "clean per article": {a: clean_per[a] for a in SCORED},
        "overlaps": sum(
            1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False) if b["start"] < a["end"]
        ),
    }


def main() -> int:
    interactions = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(interactions, labels)
    for line in problems:
        print("PROBLEM", line)
    for k, v in counts(interactions, labels).items():
        print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
