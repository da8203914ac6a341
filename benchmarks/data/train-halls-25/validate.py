"""Check train-halls-25 against the format and labelling rules of the dev README.

check(interactions, labels) -> list of problems (empty when fine); run as a script
it checks the committed files and prints the counts.
"""
from __future__ import annotations

import collections
import datetime as dt
import json
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^t25-\d{4}$")
ABSENCE_PREFIXES = ("missing:", "unanswered question:", "ignored the citizen", "answered after",
                    "call not answered")
FORBIDDEN_ARTICLES = (8, 9, 10)


def _started(s: str):
    try:
        t = dt.datetime.fromisoformat(s)
    except (TypeError, ValueError):
        return None
    if t.utcoffset() != dt.timedelta(hours=8):
        return None
    return t


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    p: list[str] = []
    if len(interactions) != len(labels):
        p.append(f"{len(interactions)} interactions but {len(labels)} labels")
    seen = set()
    for i, rec in enumerate(interactions):
        rid = rec.get("id", f"#{i}")
        if not ID_RE.match(str(rid)):
            p.append(f"{rid}: bad id")
        if rid in seen:
            p.append(f"{rid}: duplicate id")
        seen.add(rid)
        keys = set(rec)
        need = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
        if need - keys:
            p.append(f"{rid}: missing fields {sorted(need - keys)}")
            continue
        extra = keys - need - {"rings", "ring_seconds"}
        if extra:
            p.append(f"{rid}: unexpected fields {sorted(extra)}")
        if rec["channel"] not in ("counter", "phone"):
            p.append(f"{rid}: bad channel {rec['channel']!r}")
        if not re.match(r"^S-\d{4}$", str(rec["staff"])):
            p.append(f"{rid}: bad staff id")
        t = _started(rec["started_at"])
        if t is None:
            p.append(f"{rid}: bad started_at {rec['started_at']!r}")
        elif t.weekday() >= 5:
            p.append(f"{rid}: started_at not a working day")
        utts = rec["utterances"]
        if rec["channel"] == "phone":
            has = [k for k in ("rings", "ring_seconds") if k in rec]
            if len(has) != 1:
                p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
            else:
                if "rings" in rec:
                    if not isinstance(rec["rings"], int) or rec["rings"] < 1:
                        p.append(f"{rid}: bad rings")
                    first_ok = 5 * (rec["rings"] - 1)
                else:
                    first_ok = float(rec["ring_seconds"])
                if utts and utts[0]["start"] < first_ok:
                    p.append(f"{rid}: first words before the pick-up")
        else:
            if "rings" in rec or "ring_seconds" in rec:
                p.append(f"{rid}: rings on a counter visit")
            if not utts:
                p.append(f"{rid}: counter visit without utterances")
        prev = -1.0
        for j, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p.append(f"{rid}: utterance {j} fields {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p.append(f"{rid}: utterance {j} bad speaker")
            if not str(u["text"]).strip():
                p.append(f"{rid}: utterance {j} empty")
            if "{" in u["text"] or "}" in u["text"]:
                p.append(f"{rid}: utterance {j} keeps a timing mark")
            if not (u["end"] > u["start"] >= 0):
                p.append(f"{rid}: utterance {j} bad span")
            if u["start"] < prev:
                p.append(f"{rid}: utterance {j} starts before the previous one")
            prev = u["start"]

    by_id = {r.get("id"): r for r in interactions}
    for i, lab in enumerate(labels):
        lid = lab.get("id")
        if i < len(interactions) and interactions[i].get("id") != lid:
            p.append(f"label {i}: id {lid} out of order")
        rec = by_id.get(lid)
        if rec is None:
            p.append(f"label {lid}: no interaction")
            continue
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            p.append(f"{lid}: label fields {sorted(lab)}")
            continue
        if not str(lab["note"]).strip():
            p.append(f"{lid}: empty note")
        arts = []
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"}:
                p.append(f"{lid}: breach fields {sorted(b)}")
                continue
            a = b["article"]
            arts.append(a)
            if a not in SCORED:
                p.append(f"{lid}: article {a} not scored")
            if b["speaker"] != "staff":
                p.append(f"{lid}: breach speaker {b['speaker']}")
            if not str(b["duty"]).strip():
                p.append(f"{lid}: empty duty")
            q = b["quote"]
            if q == "":
                if not str(b["duty"]).startswith(ABSENCE_PREFIXES):
                    p.append(f"{lid}: absence (art {a}) duty does not name the absence")
            else:
                hits = [u for u in rec["utterances"] if q in u["text"]]
                if len(hits) != 1:
                    p.append(f"{lid}: quote {q!r} in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p.append(f"{lid}: quote {q!r} not in a staff utterance")
            if a in FORBIDDEN_ARTICLES and str(b["duty"]).startswith("forbidden phrase") and q == "":
                p.append(f"{lid}: forbidden phrase without a quote")
        if len(arts) != len(set(arts)):
            p.append(f"{lid}: two breaches of one article")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)):
            p.append(f"{lid}: clean_articles not sorted/unique")
        if set(clean) - set(SCORED):
            p.append(f"{lid}: clean article not scored")
        if set(clean) & set(arts):
            p.append(f"{lid}: article both breached and clean")
        if rec["channel"] == "counter" and 7 not in clean:
            p.append(f"{lid}: Art. 7 must be clean on a counter visit")
        if rec["channel"] == "phone" and 8 not in clean:
            p.append(f"{lid}: Art. 8 must be clean on a call")
        if not rec["utterances"] and arts and any(a != 7 for a in arts):
            p.append(f"{lid}: unanswered call with a breach other than Art. 7")
        unscored = set(SCORED) - set(clean) - set(arts)
        if unscored and "unscored" not in lab["note"]:
            p.append(f"{lid}: unscored articles {sorted(unscored)} without a reason in the note")
    return p


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = collections.Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = collections.Counter(a for lab in labels for a in lab["clean_articles"])
    nbreach = collections.Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlaps": sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
                        if b["start"] < a["end"]),
        "clean_interactions": nbreach[0],
        "one_breach": nbreach[1],
        "two_breaches": nbreach[2],
        "breaches": sum(per_art.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "breaches_per_article": {a: per_art[a] for a in SCORED},
        "clean_per_article": {a: clean_per[a] for a in SCORED},
    }


def main() -> int:
    recs = [json.loads(lab) for lab in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if lab]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    probs = check(recs, labels)
    for x in probs:
        print("PROBLEM", x)
    print(json.dumps(counts(recs, labels), ensure_ascii=False, indent=1))
    return 1 if probs else 0


if __name__ == "__main__":
    sys.exit(main())
