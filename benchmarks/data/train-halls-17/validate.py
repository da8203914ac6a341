"""Check train-halls-17 against the format and labelling rules of the dialogues-dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine).  Run as a
script it checks the committed files and prints the counts.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import date, datetime, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HALLS = {"永昌县朱王堡镇便民服务中心", "永昌县市场监管局窗口"}
ID = re.compile(r"^t17-\d{4}$")
STAFF = re.compile(r"^S-\d{4}$")
FIRST_DAY, LAST_DAY = date(2026, 11, 2), date(2026, 12, 7)
HOURS = ((time(8, 30), time(12, 0)), (time(14, 30), time(18, 0)))
# duties of a breach with quote "" (an absence)
ABSENCE = (
    "missing:",
    "unanswered question:",
    "answered after",
    "call not answered",
    "ignored the citizen",
)
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
UTT_KEYS = {"speaker", "start", "end", "text"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}


def _in_hours(t: time) -> bool:
    return any(a <= t < b for a, b in HOURS)


def _check_interaction(rec: dict) -> list[str]:
    out: list[str] = []
    rid = rec.get("id", "?")
    extra = set(rec) - REC_KEYS - {"rings", "ring_seconds"}
    missing = REC_KEYS - set(rec)
    if extra or missing:
        out.append(f"{rid}: keys extra={sorted(extra)} missing={sorted(missing)}")
        return out
    if not isinstance(rid, str) or not ID.match(rid):
        out.append(f"{rid}: bad id")
    if rec["channel"] not in ("counter", "phone"):
        out.append(f"{rid}: bad channel {rec['channel']!r}")
    if rec["hall"] not in HALLS:
        out.append(f"{rid}: unknown hall {rec['hall']!r}")
    if not isinstance(rec["window"], str) or not rec["window"]:
        out.append(f"{rid}: empty window")
    if not isinstance(rec["staff"], str) or not STAFF.match(rec["staff"]):
        out.append(f"{rid}: bad staff id {rec['staff']!r}")
    try:
        when = datetime.fromisoformat(rec["started_at"])
        if not rec["started_at"].endswith("+08:00"):
            out.append(f"{rid}: started_at not +08:00")
        if when.weekday() >= 5:
            out.append(f"{rid}: started_at on a weekend")
        if not FIRST_DAY <= when.date() <= LAST_DAY:
            out.append(f"{rid}: started_at outside {FIRST_DAY}..{LAST_DAY}")
    except (TypeError, ValueError):
        out.append(f"{rid}: unreadable started_at {rec['started_at']!r}")
    utts = rec["utterances"]
    if not isinstance(utts, list):
        return out + [f"{rid}: utterances is not a list"]
    has_rings, has_secs = "rings" in rec, "ring_seconds" in rec
    if rec["channel"] == "counter":
        if has_rings or has_secs:
            out.append(f"{rid}: a counter visit with rings")
        if not utts:
            out.append(f"{rid}: a counter visit without utterances")
    else:
        if has_rings == has_secs:
            out.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif has_rings:
            if (
                not isinstance(rec["rings"], int)
                or isinstance(rec["rings"], bool)
                or rec["rings"] < 1
            ):
                out.append(f"{rid}: bad rings {rec['rings']!r}")
            elif utts and utts[0]["start"] < 5 * (rec["rings"] - 1) + 1:
                out.append(f"{rid}: first words before the last ring ended")
        else:
            secs = rec["ring_seconds"]
            if not isinstance(secs, (int, float)) or isinstance(secs, bool) or secs <= 0:
                out.append(f"{rid}: bad ring_seconds {secs!r}")
            elif utts and utts[0]["start"] < secs:
                out.append(f"{rid}: first words before the ringing stopped")
    prev_start = -1.0
    for i, u in enumerate(utts):
        where = f"{rid} utterance {i}"
        if not isinstance(u, dict) or set(u) != UTT_KEYS:
            out.append(f"{where}: keys {sorted(u) if isinstance(u, dict) else u!r}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            out.append(f"{where}: bad speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            out.append(f"{where}: empty text")
        if not all(
            isinstance(u[k], (int, float)) and not isinstance(u[k], bool) for k in ("start", "end")
        ):
            out.append(f"{where}: non-numeric time")
            continue
        if not 0 <= u["start"] < u["end"]:
            out.append(f"{where}: start {u['start']} / end {u['end']}")
        if u["start"] < prev_start:
            out.append(f"{where}: starts before the previous utterance")
        prev_start = u["start"]
    return out


def _check_label(lab: dict, rec: dict | None) -> list[str]:
    out: list[str] = []
    lid = lab.get("id", "?")
    if set(lab) != LABEL_KEYS:
        return [f"{lid}: label keys {sorted(lab)}"]
    if not isinstance(lab["note"], str) or not lab["note"].strip():
        out.append(f"{lid}: empty note")
    clean = lab["clean_articles"]
    if not isinstance(clean, list) or any(a not in SCORED for a in clean):
        out.append(f"{lid}: clean_articles outside the scored articles: {clean!r}")
        clean = []
    if clean != sorted(set(clean)):
        out.append(f"{lid}: clean_articles not sorted / repeated")
    texts = [u["text"] for u in rec["utterances"]] if rec else []
    speakers = [u["speaker"] for u in rec["utterances"]] if rec else []
    seen: set[int] = set()
    for b in lab["breaches"]:
        if not isinstance(b, dict) or set(b) != BREACH_KEYS:
            out.append(f"{lid}: breach keys {b!r}")
            continue
        art = b["article"]
        if art not in SCORED:
            out.append(f"{lid}: article {art!r} not scored")
        if art in seen:
            out.append(f"{lid}: two breaches of article {art}")
        seen.add(art)
        if art in clean:
            out.append(f"{lid}: article {art} both breached and clean")
        if b["speaker"] != "staff":
            out.append(f"{lid}: breach speaker {b['speaker']!r}")
        if not isinstance(b["duty"], str) or not b["duty"].strip():
            out.append(f"{lid}: empty duty")
        quote = b["quote"]
        if not isinstance(quote, str):
            out.append(f"{lid}: quote is not a string")
        elif quote == "":
            if not b["duty"].startswith(ABSENCE):
                out.append(f"{lid}: empty quote but duty does not name an absence: {b['duty']!r}")
        else:
            hits = [i for i, t in enumerate(texts) if quote in t]
            if len(hits) != 1:
                out.append(f"{lid}: quote {quote!r} found in {len(hits)} utterances")
            elif speakers[hits[0]] != "staff":
                out.append(f"{lid}: quote {quote!r} is not a staff utterance")
        if rec:
            if art == 7 and rec["channel"] != "phone":
                out.append(f"{lid}: Art. 7 breached on a counter visit")
            if art == 8 and rec["channel"] != "counter":
                out.append(f"{lid}: Art. 8 breached on a call")
    if rec:
        if rec["channel"] == "counter" and 7 not in clean:
            out.append(f"{lid}: Art. 7 does not apply to a counter visit and must be clean")
        if rec["channel"] == "phone" and 8 not in clean:
            out.append(f"{lid}: Art. 8 does not apply to a call and must be clean")
        if not rec["utterances"]:
            arts = {b["article"] for b in lab["breaches"]}
            if arts - {7}:
                out.append(f"{lid}: an unanswered call can only breach Art. 7")
            try:
                t = datetime.fromisoformat(rec["started_at"]).time()
                if (7 in arts) != _in_hours(t):
                    out.append(
                        f"{lid}: unanswered call is a breach exactly when it rang in service hours"
                    )
            except (TypeError, ValueError):
                pass
    return out


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    """Problems with the two files (empty list when everything is fine)."""
    out: list[str] = []
    if len(interactions) != len(labels):
        out.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        out.append("repeated interaction ids")
    if ids != sorted(ids):
        out.append("interaction ids not in order")
    if [lab.get("id") for lab in labels] != ids:
        out.append("label ids differ from interaction ids (or their order)")
    by_id = {r.get("id"): r for r in interactions}
    for rec in interactions:
        out += _check_interaction(rec)
    if out:
        return out
    for lab in labels:
        out += _check_label(lab, by_id.get(lab.get("id")))
    return out


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    breaches = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean = Counter(a for lab in labels for a in lab["clean_articles"])
    per = Counter(len(lab["breaches"]) for lab in labels)
    calls = [r for r in interactions if r["channel"] == "phone"]
    return {
        "interactions": len(interactions),
        "counter": len(interactions) - len(calls),
        "calls": len(calls),
        "unanswered_calls": sum(1 for r in calls if not r["utterances"]),
        "ring_seconds_calls": sum(1 for r in calls if "ring_seconds" in r),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlaps": sum(
            1
            for r in interactions
            for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
            if b["start"] < a["end"]
        ),
        "interactions_by_breach_count": dict(sorted(per.items())),
        "breaches": sum(breaches.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "paraphrased": sum(
            1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]
        ),
        "breaches_per_article": {a: breaches.get(a, 0) for a in SCORED},
        "clean_per_article": {a: clean.get(a, 0) for a in SCORED},
    }


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    with open(folder / "interactions.jsonl", encoding="utf-8") as fh:
        interactions = [json.loads(line) for line in fh if line.strip()]
    with open(folder / "labels.json", encoding="utf-8") as fh:
        labels = json.load(fh)
    return interactions, labels


def main() -> int:
    interactions, labels = load()
    problems = check(interactions, labels)
    for p in problems:
        print("PROBLEM", p)
    for key, value in counts(interactions, labels).items():
        print(f"{key}: {value}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
