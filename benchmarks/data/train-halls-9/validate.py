"""Check train-halls-9 against the format and labelling rules of the dev set's README.

``check(interactions, labels)`` returns a list of problems (empty when fine).
Run as a script it checks the committed files and prints the counts.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import date, datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^t9-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
FIRST_DAY, LAST_DAY = date(2026, 11, 2), date(2026, 12, 14)
HOLIDAYS: set[date] = set()  # no public holiday falls in the range
ABSENCE_PREFIXES = (
    "missing:",
    "unanswered question:",
    "answered after",
    "call not answered",
    "ignored the citizen",
)
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}


def _in_hours(t: datetime) -> bool:
    m = t.hour * 60 + t.minute
    return 8 * 60 + 30 <= m < 12 * 60 or 14 * 60 + 30 <= m < 18 * 60


def _check_record(r: dict, out: list[str]) -> None:
    rid = r.get("id", "?")
    extra = set(r) - REC_KEYS - {"rings", "ring_seconds"}
    missing = REC_KEYS - set(r)
    if missing:
        out.append(f"{rid}: missing keys {sorted(missing)}")
    if extra:
        out.append(f"{rid}: unexpected keys {sorted(extra)}")
    if not ID_RE.match(str(rid)):
        out.append(f"{rid}: bad id")
    ch = r.get("channel")
    if ch not in ("counter", "phone"):
        out.append(f"{rid}: bad channel {ch!r}")
    for k in ("hall", "window"):
        if not isinstance(r.get(k), str) or not r.get(k):
            out.append(f"{rid}: empty {k}")
    if not STAFF_RE.match(str(r.get("staff", ""))):
        out.append(f"{rid}: bad staff id {r.get('staff')!r}")
    try:
        t = datetime.fromisoformat(r["started_at"])
    except (KeyError, TypeError, ValueError):
        out.append(f"{rid}: bad started_at")
        t = None
    if t is not None:
        if t.utcoffset() != timedelta(hours=8):
            out.append(f"{rid}: started_at not +08:00")
        d = t.date()
        if d.weekday() >= 5 or d in HOLIDAYS or not FIRST_DAY <= d <= LAST_DAY:
            out.append(f"{rid}: {d} is not a working day in {FIRST_DAY}..{LAST_DAY}")
    utts = r.get("utterances")
    if not isinstance(utts, list):
        out.append(f"{rid}: utterances is not a list")
        return
    pickup = 0.0
    if ch == "phone":
        has_r, has_s = "rings" in r, "ring_seconds" in r
        if has_r == has_s:
            out.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif has_r:
            if not isinstance(r["rings"], int) or r["rings"] < 1:
                out.append(f"{rid}: bad rings")
            else:
                pickup = 5 * (r["rings"] - 1)
                if utts and utts[0]["start"] >= 5 * r["rings"]:
                    out.append(f"{rid}: first words after ring {r['rings'] + 1} started")
        else:
            if not isinstance(r["ring_seconds"], (int, float)) or r["ring_seconds"] <= 0:
                out.append(f"{rid}: bad ring_seconds")
            else:
                pickup = float(r["ring_seconds"])
        if utts and utts[0]["start"] < pickup:
            out.append(f"{rid}: first words before the pick-up")
    else:
        if "rings" in r or "ring_seconds" in r:
            out.append(f"{rid}: a counter visit has rings")
        if not utts:
            out.append(f"{rid}: a counter visit without utterances")
    prev = None
    for i, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            out.append(f"{rid}[{i}]: bad utterance keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            out.append(f"{rid}[{i}]: bad speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            out.append(f"{rid}[{i}]: empty text")
        if not (0 <= u["start"] < u["end"]):
            out.append(f"{rid}[{i}]: bad times {u['start']}..{u['end']}")
        if prev is not None and u["start"] <= prev["start"]:
            out.append(f"{rid}[{i}]: start not after the previous start")
        prev = u


def _check_label(r: dict | None, lab: dict, out: list[str]) -> None:
    lid = lab.get("id", "?")
    if set(lab) != LABEL_KEYS:
        out.append(f"{lid}: label keys {sorted(lab)}")
        return
    note = lab["note"]
    if not isinstance(note, str) or not note.strip() or "\n" in note:
        out.append(f"{lid}: note must be one non-empty line")
    clean = lab["clean_articles"]
    if not isinstance(clean, list) or any(a not in SCORED for a in clean):
        out.append(f"{lid}: clean_articles out of range")
        clean = []
    if clean != sorted(set(clean)):
        out.append(f"{lid}: clean_articles not sorted / unique")
    arts: list[int] = []
    utts = r["utterances"] if r else []
    for j, b in enumerate(lab["breaches"]):
        if set(b) != BREACH_KEYS:
            out.append(f"{lid} breach {j}: keys {sorted(b)}")
            continue
        a = b["article"]
        arts.append(a)
        if a not in SCORED:
            out.append(f"{lid} breach {j}: article {a} not scored")
        if b["speaker"] != "staff":
            out.append(f"{lid} breach {j}: speaker must be staff")
        if not isinstance(b["duty"], str) or not b["duty"].strip():
            out.append(f"{lid} breach {j}: empty duty")
        q = b["quote"]
        if not isinstance(q, str):
            out.append(f"{lid} breach {j}: quote is not a string")
        elif q == "":
            if not b["duty"].startswith(ABSENCE_PREFIXES):
                out.append(f"{lid} breach {j}: empty quote but the duty names no absence")
        else:
            hits = [u for u in utts if q in u["text"]]
            if len(hits) != 1:
                out.append(f"{lid} breach {j}: quote found in {len(hits)} utterances")
            elif hits[0]["speaker"] != "staff":
                out.append(f"{lid} breach {j}: quote is in a citizen utterance")
            if b["duty"].startswith("missing:"):
                out.append(f"{lid} breach {j}: a 'missing:' duty with a quote")
    dup = [a for a, n in Counter(arts).items() if n > 1]
    if dup:
        out.append(f"{lid}: article(s) {dup} breached twice")
    if set(arts) & set(clean):
        out.append(f"{lid}: articles both breached and clean: {sorted(set(arts) & set(clean))}")
    if r is not None:
        if r["channel"] == "phone" and not r["utterances"]:
            t = datetime.fromisoformat(r["started_at"])
            if _in_hours(t) and 7 not in arts:
                out.append(f"{lid}: a call unanswered in hours must breach Art. 7")
            if not _in_hours(t) and arts:
                out.append(f"{lid}: a call unanswered out of hours breaches nothing")
            if any(b["quote"] for b in lab["breaches"]):
                out.append(f"{lid}: an unanswered call has no words to quote")
        if r["channel"] == "counter" and 7 in arts:
            out.append(f"{lid}: Art. 7 on a counter visit")
        if r["channel"] == "phone" and 8 in arts:
            out.append(f"{lid}: Art. 8 on a call")


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    """Problems found in the two files (empty list when fine)."""
    out: list[str] = []
    ids = [r.get("id") for r in interactions]
    lids = [lab.get("id") for lab in labels]
    if len(set(ids)) != len(ids):
        out.append("duplicate interaction ids")
    if ids != lids:
        out.append("labels are not in the same order / with the same ids as the interactions")
    expected = [f"t9-{i:04d}" for i in range(1, len(ids) + 1)]
    if ids != expected:
        out.append("ids are not t9-0001 .. t9-NNNN in order")
    for r in interactions:
        _check_record(r, out)
    by_id = {r.get("id"): r for r in interactions}
    for lab in labels:
        _check_label(by_id.get(lab.get("id")), lab, out)
    return out


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_art = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "unanswered_calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds_calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlaps": sum(
            1
            for r in interactions
            for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
            if b["start"] < a["end"]
        ),
        "no_breach": nb[0],
        "one_breach": nb[1],
        "two_breaches": nb[2],
        "breaches": sum(per_art.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase" in b["duty"]),
        "breaches_per_article": {a: per_art.get(a, 0) for a in SCORED},
        "clean_per_article": {a: clean_art.get(a, 0) for a in SCORED},
    }


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    with open(folder / "interactions.jsonl", encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return recs, labels


def main() -> int:
    recs, labels = load()
    problems = check(recs, labels)
    for p in problems:
        print("PROBLEM:", p)
    c = counts(recs, labels)
    for k, v in c.items():
        print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
