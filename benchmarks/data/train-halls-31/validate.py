"""Check train-halls-31 against the format and labelling rules of the dev README.

check(interactions, labels) -> list of problems (empty when fine); run as a
script it checks the committed files and prints the counts.
"""
from __future__ import annotations

import datetime as dt
import json
import math
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID = re.compile(r"^t31-\d{4}$")
STAFF = re.compile(r"^S-\d{4}$")
HALLS = {"金昌市政务服务中心", "永昌县红山窑镇便民服务站"}
FIRST, LAST = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
ABSENCE = ("missing:", "answered after", "call not answered", "ignored the citizen")
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LAB_KEYS = ["id", "breaches", "clean_articles", "note"]
BR_KEYS = ["article", "speaker", "quote", "duty"]


def _in_hours(t: dt.datetime) -> bool:
    m = t.hour * 60 + t.minute
    return 8 * 60 + 30 <= m < 12 * 60 or 14 * 60 + 30 <= m < 18 * 60


def _rings(rec: dict) -> int:
    if "rings" in rec:
        return rec["rings"]
    return math.floor(rec["ring_seconds"] / 5) + 1


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    out: list[str] = []
    if len(interactions) != len(labels):
        out.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        out.append("duplicate interaction ids")
    for i, want in enumerate(ids):
        if want != f"t31-{i + 1:04d}":
            out.append(f"id {want!r} at position {i}: ids must run t31-0001.. in order")
    for rec, lab in zip(interactions, labels, strict=False):
        rid = rec.get("id")
        p = lambda msg, rid=rid: out.append(f"{rid}: {msg}")  # noqa: E731
        if not isinstance(rid, str) or not ID.match(rid):
            p("bad id")
        if lab.get("id") != rid:
            p(f"label id {lab.get('id')!r} differs")
        ch = rec.get("channel")
        extra = set(rec) - REC_KEYS
        if ch == "phone":
            if extra not in ({"rings"}, {"ring_seconds"}):
                p(f"a call needs exactly one of rings / ring_seconds, has {sorted(extra)}")
        elif ch == "counter":
            if extra:
                p(f"unexpected keys {sorted(extra)}")
        else:
            p(f"bad channel {ch!r}")
        if not set(rec) >= REC_KEYS:
            p(f"missing keys {sorted(REC_KEYS - set(rec))}")
            continue
        if rec["hall"] not in HALLS:
            p(f"hall {rec['hall']!r} is not one of this set's halls")
        if not rec["window"]:
            p("empty window")
        if not STAFF.match(rec["staff"]):
            p(f"bad staff id {rec['staff']!r}")
        try:
            t0 = dt.datetime.fromisoformat(rec["started_at"])
        except ValueError:
            p(f"bad started_at {rec['started_at']!r}")
            continue
        if not rec["started_at"].endswith("+08:00"):
            p("started_at must be +08:00")
        if not (FIRST <= t0.date() <= LAST) or t0.weekday() >= 5:
            p(f"date {t0.date()} is not a working day of the corpus range")
        utts = rec["utterances"]
        if ch == "counter" and not utts:
            p("a counter visit with no utterances")
        if ch == "phone":
            if "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
                p("rings must be a positive integer")
            if "ring_seconds" in rec and not isinstance(rec["ring_seconds"], (int, float)):
                p("ring_seconds must be a number")
            if utts:
                n = _rings(rec)
                first = utts[0]["start"]
                if "rings" in rec and not (5 * (n - 1) <= first < 5 * n):
                    p(f"first words at {first} s do not follow ring {n}")
                if "ring_seconds" in rec and not (rec["ring_seconds"] <= first < rec["ring_seconds"] + 1):
                    p(f"first words at {first} s do not follow {rec['ring_seconds']} s of ringing")
                if utts[0]["speaker"] != "staff":
                    p("a call is answered by the staff")
        prev = None
        texts = []
        for k, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p(f"utterance {k} keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p(f"utterance {k} speaker {u['speaker']!r}")
            if not isinstance(u["text"], str) or not u["text"].strip():
                p(f"utterance {k} empty text")
            if not (0 <= u["start"] < u["end"]):
                p(f"utterance {k} times {u['start']}..{u['end']}")
            if prev is not None and u["start"] <= prev["start"]:
                p(f"utterance {k} starts at {u['start']}, not after the previous start {prev['start']}")
            prev = u
            texts.append((u["speaker"], u["text"]))
        # labels
        if list(lab) != LAB_KEYS:
            p(f"label keys {list(lab)}")
            continue
        arts = []
        for b in lab["breaches"]:
            if list(b) != BR_KEYS:
                p(f"breach keys {list(b)}")
                continue
            a = b["article"]
            arts.append(a)
            if a not in SCORED:
                p(f"article {a} out of range")
            if b["speaker"] != "staff":
                p("breach speaker must be staff")
            if not b["duty"].strip():
                p(f"article {a}: empty duty")
            q = b["quote"]
            if q == "":
                if not b["duty"].startswith(ABSENCE):
                    p(f"article {a}: an empty quote needs an absence duty, got {b['duty']!r}")
            else:
                hits = [s for s, t in texts if q in t]
                if len(hits) != 1:
                    p(f"article {a}: quote {q!r} is in {len(hits)} utterances")
                elif hits[0] != "staff":
                    p(f"article {a}: quote {q!r} is not in a staff utterance")
            if "(paraphrase)" in b["duty"] and not b["duty"].startswith("forbidden phrase"):
                p(f"article {a}: (paraphrase) only on forbidden phrases")
            if a == 7 and ch != "phone":
                p("article 7 breached on a counter visit")
            if a == 25 and not _in_hours(t0 + dt.timedelta(seconds=utts[-1]["end"] if utts else 0)) \
                    and not _in_hours(t0):
                p("article 25 breached outside service hours")
        if len(set(arts)) != len(arts):
            p("two breaches of the same article")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)):
            p("clean_articles not sorted / unique")
        if any(a not in SCORED for a in clean):
            p("clean article out of range")
        if set(clean) & set(arts):
            p(f"articles both clean and breached: {sorted(set(clean) & set(arts))}")
        unscored = set(SCORED) - set(clean) - set(arts)
        if unscored and not lab["note"].strip():
            p("arguable articles need a note")
        if ch == "counter" and 7 not in clean:
            p("article 7 must be clean on a counter visit")
        if ch == "phone" and 8 not in clean:
            p("article 8 must be clean on a call")
        if ch == "phone" and not utts:
            in_hours = _in_hours(t0)
            if in_hours and 7 not in arts:
                p("a call rang out in hours: article 7")
            if not in_hours and arts:
                p("a call rang out of hours breaches nothing")
        if ch == "phone" and utts and _rings(rec) >= 4 and 7 not in arts:
            p("picked up on the 4th ring or later without an article 7 breach")
        if not isinstance(lab["note"], str) or not lab["note"].strip() or "\n" in lab["note"]:
            p("note must be one non-empty line")
    return out


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    br = Counter(b["article"] for lab in labels for b in lab["breaches"])
    cl = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping starts": sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
                                  if b["start"] < a["end"]),
        "clean interactions": nb[0],
        "one breach": nb[1],
        "two breaches": nb[2],
        "breaches": sum(br.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "breaches per article": {a: br[a] for a in SCORED},
        "clean per article": {a: cl[a] for a in SCORED},
    }


def main() -> int:
    recs = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    labs = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(recs, labs)
    for x in problems:
        print("PROBLEM", x)
    for k, v in counts(recs, labs).items():
        print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
