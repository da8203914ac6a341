"""Check train-halls-21 against the format and labelling rules of the dev README; print the counts."""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID = re.compile(r"^t21-\d{4}$")
STAFF = re.compile(r"^S-\d{4}$")
ABSENCE_PREFIXES = ("missing:", "unanswered question:", "answered after", "call not answered", "ignored the citizen")
HALLS = ("金川区滨河路街道便民服务站", "金昌市公安局出入境接待大厅")


def _rings(rec: dict) -> int | None:
    if "rings" in rec:
        return rec["rings"]
    if "ring_seconds" in rec:
        return int(rec["ring_seconds"] // 5) + 1
    return None


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    if len(interactions) != len(labels):
        problems.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    for rec, lab in zip(interactions, labels, strict=False):
        rid = rec.get("id")
        p = lambda msg, rid=rid: problems.append(f"{rid}: {msg}")  # noqa: E731
        if not isinstance(rid, str) or not ID.match(rid):
            p("bad id")
        if lab.get("id") != rid:
            p(f"label id {lab.get('id')} does not match")
        keys = set(rec)
        base = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
        if not base <= keys:
            p(f"missing keys {sorted(base - keys)}")
            continue
        ch = rec["channel"]
        if ch not in ("counter", "phone"):
            p(f"bad channel {ch}")
        if rec["hall"] not in HALLS:
            p(f"unexpected hall {rec['hall']}")
        if not rec["window"]:
            p("empty window")
        if not STAFF.match(rec["staff"]):
            p("bad staff id")
        extra = keys - base
        if ch == "counter" and extra:
            p(f"counter visit with {sorted(extra)}")
        if ch == "phone":
            if len(extra & {"rings", "ring_seconds"}) != 1 or extra - {"rings", "ring_seconds"}:
                p("a call needs exactly one of rings / ring_seconds")
            elif "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
                p("bad rings")
            elif "ring_seconds" in rec and not rec["ring_seconds"] > 0:
                p("bad ring_seconds")
        try:
            t0 = dt.datetime.fromisoformat(rec["started_at"])
            if not rec["started_at"].endswith("+08:00"):
                p("started_at not +08:00")
            if t0.weekday() >= 5:
                p("started_at on a weekend")
        except ValueError:
            p("bad started_at")
            t0 = None
        utts = rec["utterances"]
        if ch == "counter" and not utts:
            p("counter visit without utterances")
        prev = None
        for i, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p(f"utterance {i}: keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p(f"utterance {i}: bad speaker")
            if not u["text"].strip():
                p(f"utterance {i}: empty text")
            if not (0 <= u["start"] < u["end"]):
                p(f"utterance {i}: bad times")
            if prev is not None and u["start"] < prev["start"]:
                p(f"utterance {i}: starts before the previous one")
            prev = u
        if ch == "phone" and utts:
            n = _rings(rec)
            if utts[0]["start"] < 5 * (n - 1):
                p("first words before the last ring")
            if utts[0]["speaker"] != "staff":
                p("a call should be opened by the staff")
        # labels
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            p(f"label keys {sorted(lab)}")
            continue
        arts = []
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"}:
                p(f"breach keys {sorted(b)}")
                continue
            a = b["article"]
            arts.append(a)
            if a not in SCORED:
                p(f"article {a} out of range")
            if b["speaker"] != "staff":
                p("breach speaker not staff")
            if not b["duty"].strip():
                p(f"art {a}: empty duty")
            q = b["quote"]
            if q == "":
                if not b["duty"].startswith(ABSENCE_PREFIXES):
                    p(f"art {a}: empty quote but duty does not name an absence")
            else:
                hits = [u for u in utts if q in u["text"]]
                if len(hits) != 1:
                    p(f"art {a}: quote found in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p(f"art {a}: quote in a citizen utterance")
            if "paraphrase" in b["duty"] and not b["duty"].startswith("forbidden phrase:"):
                p(f"art {a}: paraphrase outside a forbidden phrase")
        if len(arts) != len(set(arts)):
            p("two breaches of one article")
        clean = lab["clean_articles"]
        if clean != sorted(clean) or any(a not in SCORED for a in clean) or len(set(clean)) != len(clean):
            p("clean_articles not a sorted subset of the scored articles")
        if set(clean) & set(arts):
            p("an article both breached and clean")
        if not lab["note"].strip():
            p("empty note")
        if ch == "phone" and 8 in arts:
            p("Art. 8 on a call")
        if ch == "counter" and 7 in arts:
            p("Art. 7 on a counter visit")
        if ch == "phone" and not utts:
            start = t0.hour * 60 + t0.minute if t0 else 0
            in_hours = 510 <= start < 720 or 870 <= start < 1080
            if in_hours and arts != [7]:
                p("a call unanswered in hours must breach Art. 7 only")
            if not in_hours and arts:
                p("a call unanswered out of hours breaches nothing")
        if ch == "phone" and utts and _rings(rec) >= 4 and 7 not in arts:
            p("picked up on the 4th ring or later without an Art. 7 breach")
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per_art = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlaps": sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False) if b["start"] < a["end"]),
        "interactions by number of breaches": dict(sorted(nb.items())),
        "breaches": sum(per_art.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "paraphrased forbidden phrases": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase" in b["duty"]),
        "breaches per article": {a: per_art.get(a, 0) for a in SCORED},
        "clean per article": {a: clean_per_art.get(a, 0) for a in SCORED},
    }


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    inters = [json.loads(lab) for lab in (folder / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if lab.strip()]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return inters, labels


if __name__ == "__main__":
    inters, labels = load()
    probs = check(inters, labels)
    for line in probs:
        print("PROBLEM", line)
    for k, v in counts(inters, labels).items():
        print(f"{k}: {v}")
    sys.exit(1 if probs else 0)
