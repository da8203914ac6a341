"""Check blind-halls-19 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine);
run as a script it checks the committed files and prints the counts.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import datetime, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^b19-\d{4}$")
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
ABSENCE_PREFIXES = (
    "missing:",
    "ignored the citizen",
    "unanswered question:",
    "answered after",
    "call not answered",
)
PARAPHRASE_ARTICLES = (8, 9, 10)


def _in_hours(t: time) -> bool:
    return time(8, 30) <= t < time(12, 0) or time(14, 30) <= t < time(18, 0)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        problems.append("duplicate interaction ids")
    if [lab.get("id") for lab in labels] != ids:
        problems.append("labels are not in the same order / with the same ids as interactions")
    for n, rec in enumerate(interactions, 1):
        rid = rec.get("id", f"#{n}")
        if not isinstance(rid, str) or not ID_RE.match(rid) or rid != f"b19-{n:04d}":
            problems.append(f"{rid}: id out of sequence or malformed")
        ch = rec.get("channel")
        extra = set(rec) - REC_KEYS
        if not set(rec) >= REC_KEYS:
            problems.append(f"{rid}: missing keys {sorted(REC_KEYS - set(rec))}")
            continue
        if ch == "counter":
            if extra:
                problems.append(f"{rid}: counter visit with extra keys {sorted(extra)}")
            if not rec["utterances"]:
                problems.append(f"{rid}: counter visit without utterances")
        elif ch == "phone":
            if extra not in ({"rings"}, {"ring_seconds"}):
                problems.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
            if "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
                problems.append(f"{rid}: bad rings")
            if "ring_seconds" in rec and not (
                isinstance(rec["ring_seconds"], (int, float)) and rec["ring_seconds"] > 0
            ):
                problems.append(f"{rid}: bad ring_seconds")
        else:
            problems.append(f"{rid}: bad channel {ch!r}")
            continue
        try:
            started = datetime.fromisoformat(rec["started_at"])
        except (TypeError, ValueError):
            problems.append(f"{rid}: bad started_at")
            continue
        if not rec["started_at"].endswith("+08:00"):
            problems.append(f"{rid}: started_at is not +08:00")
        if started.weekday() >= 5:
            problems.append(f"{rid}: not a working day")
        for key in ("hall", "window", "staff"):
            if not isinstance(rec[key], str) or not rec[key]:
                problems.append(f"{rid}: empty {key}")
        if not re.match(r"^S-\d{4}$", rec["staff"]):
            problems.append(f"{rid}: bad staff id")
        prev_start = None
        first_floor = 0.0
        if ch == "phone" and "rings" in rec:
            first_floor = 5 * (rec["rings"] - 1)
        elif ch == "phone":
            first_floor = rec["ring_seconds"]
        for k, u in enumerate(rec["utterances"]):
            where = f"{rid} utterance {k}"
            if set(u) != {"speaker", "start", "end", "text"}:
                problems.append(f"{where}: keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                problems.append(f"{where}: bad speaker {u['speaker']!r}")
            if not isinstance(u["text"], str) or not u["text"].strip():
                problems.append(f"{where}: empty text")
            s, e = u["start"], u["end"]
            if not (isinstance(s, (int, float)) and isinstance(e, (int, float))) or not 0 <= s < e:
                problems.append(f"{where}: bad times {s}-{e}")
                continue
            if k == 0 and s < first_floor:
                problems.append(f"{where}: first words before the last ring")
            if prev_start is not None and s <= prev_start:
                problems.append(f"{where}: start not after the previous start")
            prev_start = s
    for lab, rec in zip(labels, interactions, strict=False):
        rid = lab.get("id")
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            problems.append(f"{rid}: label keys {sorted(lab)}")
            continue
        if not isinstance(lab["note"], str) or not lab["note"].strip():
            problems.append(f"{rid}: empty note")
        utts = rec.get("utterances", [])
        arts = []
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"}:
                problems.append(f"{rid}: breach keys {sorted(b)}")
                continue
            a = b["article"]
            arts.append(a)
            if a not in SCORED:
                problems.append(f"{rid}: article {a} not scored")
            if b["speaker"] != "staff":
                problems.append(f"{rid}: breach speaker is not staff")
            if not isinstance(b["duty"], str) or not b["duty"].strip():
                problems.append(f"{rid}: empty duty")
            q = b["quote"]
            if q == "":
                if not (b["duty"].startswith(ABSENCE_PREFIXES)):
                    problems.append(
                        f"{rid}: absence (quote '') whose duty does not name the absence"
                    )
            else:
                hits = [u for u in utts if q in u["text"]]
                if len(hits) != 1:
                    problems.append(f"{rid}: quote {q!r} is in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    problems.append(f"{rid}: quote {q!r} is not in a staff utterance")
            if a in PARAPHRASE_ARTICLES and "forbidden phrase" in b["duty"] and q == "":
                problems.append(f"{rid}: a forbidden phrase needs a quote")
            if a == 7 and rec.get("channel") != "phone":
                problems.append(f"{rid}: Art. 7 breach on a counter visit")
            if a == 8 and rec.get("channel") != "counter":
                problems.append(f"{rid}: Art. 8 breach on a call")
        if len(set(arts)) != len(arts):
            problems.append(f"{rid}: two breaches of one article")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)) or any(a not in SCORED for a in clean):
            problems.append(f"{rid}: clean_articles not a sorted subset of the scored articles")
        if set(clean) & set(arts):
            problems.append(f"{rid}: an article both breached and clean")
        if rec.get("channel") == "counter" and 7 not in clean:
            problems.append(f"{rid}: Art. 7 must be clean on a counter visit")
        if rec.get("channel") == "phone" and 8 not in clean:
            problems.append(f"{rid}: Art. 8 must be clean on a call")
        if rec.get("channel") == "phone" and not utts:
            started = datetime.fromisoformat(rec["started_at"])
            in_hours = _in_hours(started.time())
            if in_hours and 7 not in arts:
                problems.append(f"{rid}: call rang out in hours without an Art. 7 breach")
            if not in_hours and arts:
                problems.append(f"{rid}: call rang out outside hours but carries breaches")
        if rec.get("channel") == "phone" and "rings" in rec and utts:
            late = rec["rings"] >= 4
            if late != any(
                b["article"] == 7 and b["duty"].startswith("answered after")
                for b in lab["breaches"]
            ):
                problems.append(f"{rid}: ring count and the late pick-up label disagree")
        if 25 in arts:
            started = datetime.fromisoformat(rec["started_at"])
            if not _in_hours(started.time()):
                problems.append(f"{rid}: Art. 25 breach outside service hours")
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_article = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "clean_interactions": nb[0],
        "one_breach": nb[1],
        "two_breaches": nb[2],
        "breaches": sum(per_article.values()),
        "absences": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased": sum("(paraphrase)" in b["duty"] for lab in labels for b in lab["breaches"]),
        "breaches_per_article": {a: per_article[a] for a in SCORED},
        "clean_per_article": {a: clean_per[a] for a in SCORED},
    }


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    with open(folder / "interactions.jsonl", encoding="utf-8") as fh:
        interactions = [json.loads(line) for line in fh if line.strip()]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return interactions, labels


def main() -> int:
    interactions, labels = load()
    problems = check(interactions, labels)
    for p in problems:
        print("PROBLEM:", p)
    for k, v in counts(interactions, labels).items():
        print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
