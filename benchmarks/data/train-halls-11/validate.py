"""Check train-halls-11 against the format and labelling rules of dialogues-dev/README.md."""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = [5, 6, 7, 8, 9, 10, 16, 17, 18, 25]
ID_RE = re.compile(r"^t11-\d{4}$")
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}


def _in_hours(t: dt.datetime) -> bool:
    m = t.hour * 60 + t.minute
    return 8 * 60 + 30 <= m < 12 * 60 or 14 * 60 + 30 <= m < 18 * 60


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    p: list[str] = []
    if len(interactions) != len(labels):
        p.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        p.append("duplicate interaction ids")
    for i, (r, lab) in enumerate(zip(interactions, labels, strict=False)):
        rid = r.get("id")
        if not isinstance(rid, str) or not ID_RE.match(rid):
            p.append(f"#{i}: bad id {rid!r}")
        if rid != f"t11-{i + 1:04d}":
            p.append(f"{rid}: out of order (expected t11-{i + 1:04d})")
        if lab.get("id") != rid:
            p.append(f"{rid}: label id {lab.get('id')!r} differs")
        extra = set(r) - REC_KEYS - {"rings", "ring_seconds"}
        if extra or REC_KEYS - set(r):
            p.append(f"{rid}: keys {sorted(set(r))}")
        ch = r.get("channel")
        if ch not in ("counter", "phone"):
            p.append(f"{rid}: channel {ch!r}")
        for k in ("hall", "window", "staff"):
            if not isinstance(r.get(k), str) or not r.get(k):
                p.append(f"{rid}: empty {k}")
        try:
            t0 = dt.datetime.fromisoformat(r["started_at"])
            if t0.utcoffset() != dt.timedelta(hours=8):
                p.append(f"{rid}: started_at not +08:00")
            if t0.weekday() >= 5:
                p.append(f"{rid}: not a working day")
            if not (dt.date(2026, 11, 3) <= t0.date() <= dt.date(2026, 12, 14)):
                p.append(f"{rid}: date out of range")
        except Exception as e:  # noqa: BLE001
            p.append(f"{rid}: started_at {r.get('started_at')!r}: {e}")
            t0 = None
        if ch == "phone":
            has_r, has_s = "rings" in r, "ring_seconds" in r
            if has_r == has_s:
                p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
            if has_r and (not isinstance(r["rings"], int) or r["rings"] < 1):
                p.append(f"{rid}: rings {r['rings']!r}")
            pick = None
            if has_r and isinstance(r["rings"], int):
                pick = 5 * (r["rings"] - 1)
            if has_s:
                pick = float(r["ring_seconds"])
            if r.get("utterances") and pick is not None and r["utterances"][0]["start"] < pick:
                p.append(f"{rid}: first words before the pick-up")
        elif "rings" in r or "ring_seconds" in r:
            p.append(f"{rid}: counter visit with rings")
        utts = r.get("utterances", [])
        if ch == "counter" and not utts:
            p.append(f"{rid}: counter visit without utterances")
        prev = None
        for j, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p.append(f"{rid}/{j}: keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p.append(f"{rid}/{j}: speaker {u['speaker']!r}")
            if not u["text"].strip():
                p.append(f"{rid}/{j}: empty text")
            if not (0 <= u["start"] < u["end"]):
                p.append(f"{rid}/{j}: times {u['start']}-{u['end']}")
            if prev is not None and u["start"] < prev["start"]:
                p.append(f"{rid}/{j}: start before previous start")
            prev = u
        # labels
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            p.append(f"{rid}: label keys {sorted(lab)}")
        clean = lab.get("clean_articles", [])
        if sorted(clean) != clean or len(set(clean)) != len(clean):
            p.append(f"{rid}: clean_articles not sorted/unique")
        if any(a not in SCORED for a in clean):
            p.append(f"{rid}: clean article out of range")
        arts = [b.get("article") for b in lab.get("breaches", [])]
        if len(set(arts)) != len(arts):
            p.append(f"{rid}: two breaches of one article")
        if set(arts) & set(clean):
            p.append(f"{rid}: article both breached and clean")
        if not lab.get("note"):
            p.append(f"{rid}: no note")
        for b in lab.get("breaches", []):
            if set(b) != {"article", "speaker", "quote", "duty"}:
                p.append(f"{rid}: breach keys {sorted(b)}")
                continue
            if b["article"] not in SCORED:
                p.append(f"{rid}: breach article {b['article']}")
            if b["speaker"] != "staff":
                p.append(f"{rid}: breach speaker {b['speaker']}")
            if not b["duty"]:
                p.append(f"{rid}: empty duty")
            q = b["quote"]
            if q:
                hits = [u for u in utts if q in u["text"]]
                if len(hits) != 1:
                    p.append(f"{rid}: quote {q!r} in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p.append(f"{rid}: quote {q!r} not in a staff utterance")
            else:
                d = b["duty"]
                if not (d.startswith("missing") or d.startswith("answered after") or d.startswith("call not answered")
                        or d.startswith("unanswered question") or d.startswith("ignored")):
                    p.append(f"{rid}: absence with duty {d!r}")
        # hours sanity
        if t0 is not None:
            if ch == "phone" and not utts and _in_hours(t0) and 7 not in arts:
                p.append(f"{rid}: call rang out in hours but Art. 7 not breached")
            if ch == "phone" and not utts and not _in_hours(t0) and arts:
                p.append(f"{rid}: call rang out of hours but breached")
            if 25 in arts and not _in_hours(t0):
                p.append(f"{rid}: Art. 25 breached outside hours")
        if ch == "counter" and 7 not in clean:
            p.append(f"{rid}: Art. 7 must be clean on a counter visit")
        if ch == "phone" and 8 not in clean:
            p.append(f"{rid}: Art. 8 must be clean on a call")
        if ch == "phone" and "rings" in r and r["rings"] >= 4 and 7 not in arts and utts and _in_hours(t0):
            p.append(f"{rid}: picked up after ring {r['rings']} but Art. 7 not breached")
    return p


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    br = Counter(b["article"] for lab in labels for b in lab["breaches"])
    cl = Counter(a for lab in labels for a in lab["clean_articles"])
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "clean_interactions": sum(not lab["breaches"] for lab in labels),
        "breaches": sum(br.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if not b["quote"]),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "overlaps": sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False) if b["start"] < a["end"]),
        "breaches_per_article": {a: br.get(a, 0) for a in SCORED},
        "clean_per_article": {a: cl.get(a, 0) for a in SCORED},
    }


def main() -> int:
    recs = [json.loads(lab) for lab in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if lab.strip()]
    labs = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    probs = check(recs, labs)
    for x in probs:
        print("PROBLEM:", x)
    print(json.dumps(counts(recs, labs), ensure_ascii=False, indent=1))
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
