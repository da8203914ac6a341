"""Check blind-halls-24 against the format and labelling rules of the dialogues-dev README.

check(interactions, labels) returns a list of problems (empty when fine); run as a script it
checks the committed files and prints the counts.
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
ID_RE = re.compile(r"^b24-(\d{4})$")
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
INTERACTION_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}
ABSENCE_PREFIXES = ("missing", "answered after", "call not answered", "ignored", "unanswered question")
HALLS = {"河西堡镇便民服务中心", "金昌市交警支队车管所车驾管服务和违法处理大厅"}


def _in_hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    p = problems.append
    if len(interactions) != len(labels):
        p(f"{len(interactions)} interactions but {len(labels)} labels")
    for n, rec in enumerate(interactions, 1):
        iid = rec.get("id", f"#{n}")
        m = ID_RE.match(str(iid))
        if not m or int(m.group(1)) != n:
            p(f"{iid}: id out of sequence (expected b24-{n:04d})")
        keys = set(rec)
        extra = keys - INTERACTION_KEYS - {"rings", "ring_seconds"}
        if INTERACTION_KEYS - keys or extra:
            p(f"{iid}: keys {sorted(keys)}")
            continue
        if rec["channel"] not in ("counter", "phone"):
            p(f"{iid}: channel {rec['channel']!r}")
        if rec["hall"] not in HALLS:
            p(f"{iid}: hall {rec['hall']!r}")
        if not re.match(r"^S-\d{4}$", rec["staff"]):
            p(f"{iid}: staff {rec['staff']!r}")
        if not TIME_RE.match(rec["started_at"]):
            p(f"{iid}: started_at {rec['started_at']!r}")
            continue
        start = dt.datetime.fromisoformat(rec["started_at"])
        if start.weekday() >= 5:
            p(f"{iid}: {start.date()} is not a working day")
        utts = rec["utterances"]
        first_after = 0.0
        if rec["channel"] == "phone":
            has_r, has_s = "rings" in rec, "ring_seconds" in rec
            if has_r == has_s:
                p(f"{iid}: a call needs exactly one of rings / ring_seconds")
            elif has_r:
                r = rec["rings"]
                if not isinstance(r, int) or r < 1:
                    p(f"{iid}: rings {r!r}")
                elif utts and not (5 * (r - 1) < utts[0]["start"] < 5 * r + 1):
                    p(f"{iid}: first words at {utts[0]['start']} do not follow ring {r}")
                first_after = 5 * (r - 1) if isinstance(r, int) else 0
            else:
                s = rec["ring_seconds"]
                if not isinstance(s, (int, float)) or s <= 0:
                    p(f"{iid}: ring_seconds {s!r}")
                elif utts and utts[0]["start"] < s:
                    p(f"{iid}: first words before the ringing ended")
        elif "rings" in rec or "ring_seconds" in rec:
            p(f"{iid}: a counter visit has rings")
        if rec["channel"] == "counter" and not utts:
            p(f"{iid}: counter visit without utterances")
        prev_start = -1.0
        for k, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p(f"{iid}: utterance {k} keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p(f"{iid}: utterance {k} speaker {u['speaker']!r}")
            if not u["text"].strip():
                p(f"{iid}: utterance {k} empty")
            if not (u["end"] > u["start"] >= first_after):
                p(f"{iid}: utterance {k} times {u['start']}-{u['end']}")
            if u["start"] <= prev_start:
                p(f"{iid}: utterance {k} starts before or with the previous one")
            prev_start = u["start"]

    for n, (rec, lab) in enumerate(zip(interactions, labels, strict=False), 1):
        iid = rec.get("id")
        if set(lab) != LABEL_KEYS:
            p(f"{lab.get('id')}: label keys {sorted(lab)}")
            continue
        if lab["id"] != iid:
            p(f"label {n}: id {lab['id']!r} != {iid!r}")
        if not isinstance(lab["note"], str) or not lab["note"].strip():
            p(f"{iid}: empty note")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)) or any(a not in SCORED for a in clean):
            p(f"{iid}: clean_articles {clean}")
        breached = []
        for b in lab["breaches"]:
            if set(b) != BREACH_KEYS:
                p(f"{iid}: breach keys {sorted(b)}")
                continue
            a = b["article"]
            breached.append(a)
            if a not in SCORED:
                p(f"{iid}: article {a} out of range")
            if b["speaker"] != "staff":
                p(f"{iid}: breach speaker {b['speaker']!r}")
            if not b["duty"].strip():
                p(f"{iid}: empty duty")
            q = b["quote"]
            if q == "":
                if not b["duty"].startswith(ABSENCE_PREFIXES):
                    p(f"{iid}: article {a}: empty quote but duty does not name an absence")
            else:
                hits = [u for u in rec.get("utterances", []) if q in u["text"]]
                if len(hits) != 1:
                    p(f"{iid}: article {a}: quote {q!r} in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p(f"{iid}: article {a}: quote {q!r} is not a staff utterance")
        if len(breached) != len(set(breached)):
            p(f"{iid}: an article breached twice")
        if set(breached) & set(clean):
            p(f"{iid}: articles both breached and clean: {sorted(set(breached) & set(clean))}")
        if rec.get("channel") == "counter" and 7 not in clean:
            p(f"{iid}: Art. 7 does not apply to a counter visit and must be clean")
        if rec.get("channel") == "phone" and 8 not in clean:
            p(f"{iid}: Art. 8 does not apply to a call and must be clean")
        if rec.get("channel") == "phone" and not rec.get("utterances"):
            t = dt.datetime.fromisoformat(rec["started_at"]).time()
            if _in_hours(t) and 7 not in breached:
                p(f"{iid}: call unanswered in service hours without an Art. 7 breach")
            if not _in_hours(t) and breached:
                p(f"{iid}: call unanswered out of hours carries a breach")
        if 5 in breached and 16 in clean:
            p(f"{iid}: Art. 5 labelled but Art. 16 listed clean")
        if 25 in breached:
            t = dt.datetime.fromisoformat(rec["started_at"]).time()
            if not _in_hours(t):
                p(f"{iid}: Art. 25 breach outside service hours")
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_article = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping starts": sum(
            1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False) if b["start"] < a["end"]
        ),
        "no breach / one / two": [nb[0], nb[1], nb[2]],
        "breaches": sum(per_article.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "breaches per article": {a: per_article[a] for a in SCORED},
        "clean per article": {a: clean_per[a] for a in SCORED},
    }


def main() -> int:
    interactions = [json.loads(lab) for lab in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if lab.strip()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(interactions, labels)
    for line in problems:
        print("PROBLEM", line)
    for k, v in counts(interactions, labels).items():
        print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
