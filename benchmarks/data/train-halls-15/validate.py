"""Check interactions.jsonl / labels.json of train-halls-15 against the format and labelling rules of the
dialogues-dev README; print the counts when run as a script.

    python benchmarks/data/train-halls-15/validate.py
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
ID_RE = re.compile(r"^t15-\d{4}$")
FIRST_DAY, LAST_DAY = date(2026, 11, 3), date(2026, 12, 14)
HALLS = {"金昌市公积金管理中心", "宁远堡镇便民服务中心"}
ABSENCE_DUTIES = ("missing:", "answered after", "call not answered", "ignored the citizen", "unanswered question:")
INTER_KEYS = ("id", "channel", "hall", "window", "staff", "started_at")


def _rings_of(rec: dict) -> int | None:
    if "rings" in rec:
        return rec["rings"]
    if "ring_seconds" in rec:
        return int(rec["ring_seconds"] // 5) + 1
    return None


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    problems: list[str] = []
    p = problems.append
    if len(interactions) != len(labels):
        p(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        p("duplicate interaction ids")
    if [lab.get("id") for lab in labels] != ids:
        p("labels are not in the same order / with the same ids as the interactions")
    expected = [f"t15-{i:04d}" for i in range(1, len(interactions) + 1)]
    if ids != expected:
        p("ids are not t15-0001.. in order")

    by_id = {r.get("id"): r for r in interactions}
    for r in interactions:
        rid = r.get("id", "?")
        for k in INTER_KEYS:
            if not isinstance(r.get(k), str) or not r.get(k):
                p(f"{rid}: missing or empty {k}")
        if not ID_RE.match(str(rid)):
            p(f"{rid}: bad id")
        ch = r.get("channel")
        if ch not in ("counter", "phone"):
            p(f"{rid}: bad channel {ch!r}")
        if r.get("hall") not in HALLS:
            p(f"{rid}: hall {r.get('hall')!r} is not one of this set's halls")
        if not re.match(r"^S-\d{4}$", str(r.get("staff"))):
            p(f"{rid}: bad staff id {r.get('staff')!r}")
        try:
            ts = datetime.fromisoformat(r["started_at"])
        except (KeyError, ValueError):
            p(f"{rid}: bad started_at")
            ts = None
        if ts is not None:
            if not r["started_at"].endswith("+08:00"):
                p(f"{rid}: started_at not in +08:00")
            if ts.weekday() >= 5:
                p(f"{rid}: started_at is not a working day")
            if not FIRST_DAY <= ts.date() <= LAST_DAY:
                p(f"{rid}: date outside {FIRST_DAY}..{LAST_DAY}")
            if not time(7, 30) <= ts.time() <= time(19, 0):
                p(f"{rid}: implausible start time {ts.time()}")
        utts = r.get("utterances")
        if not isinstance(utts, list):
            p(f"{rid}: utterances is not a list")
            continue
        if ch == "phone":
            if ("rings" in r) == ("ring_seconds" in r):
                p(f"{rid}: a call needs exactly one of rings / ring_seconds")
            if "rings" in r and (not isinstance(r["rings"], int) or r["rings"] < 1):
                p(f"{rid}: bad rings")
            if "ring_seconds" in r and (not isinstance(r["ring_seconds"], (int, float)) or r["ring_seconds"] <= 0):
                p(f"{rid}: bad ring_seconds")
            n = _rings_of(r)
            if utts and n is not None:
                first = utts[0]["start"]
                if "rings" in r and not (5 * (n - 1) + 1.0 <= first <= 5 * n):
                    p(f"{rid}: first words at {first} s do not fit a pick-up on ring {n}")
                if "ring_seconds" in r and not (r["ring_seconds"] <= first <= r["ring_seconds"] + 2):
                    p(f"{rid}: first words at {first} s do not follow {r['ring_seconds']} s of ringing")
        else:
            if "rings" in r or "ring_seconds" in r:
                p(f"{rid}: a counter visit carries rings")
            if not utts:
                p(f"{rid}: a counter visit without utterances")
        prev_start = -1.0
        for i, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p(f"{rid}#{i}: keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p(f"{rid}#{i}: bad speaker {u['speaker']!r}")
            if not isinstance(u["text"], str) or not u["text"].strip():
                p(f"{rid}#{i}: empty text")
            if not (0 <= u["start"] < u["end"]):
                p(f"{rid}#{i}: bad span {u['start']}-{u['end']}")
            if u["start"] < prev_start:
                p(f"{rid}#{i}: start times not monotone")
            prev_start = u["start"]

    for lab in labels:
        lid = lab.get("id", "?")
        r = by_id.get(lid)
        if r is None:
            p(f"{lid}: label without interaction")
            continue
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            p(f"{lid}: label keys {sorted(lab)}")
        if not isinstance(lab.get("note"), str) or not lab["note"].strip():
            p(f"{lid}: empty note")
        arts = []
        for b in lab.get("breaches", []):
            a = b.get("article")
            arts.append(a)
            if a not in SCORED:
                p(f"{lid}: article {a} not scored")
            if b.get("speaker") != "staff":
                p(f"{lid}: breach speaker {b.get('speaker')!r}")
            duty = b.get("duty", "")
            if not isinstance(duty, str) or not duty.strip():
                p(f"{lid}: empty duty")
            q = b.get("quote")
            if not isinstance(q, str):
                p(f"{lid}: quote is not a string")
                continue
            if q == "":
                if not duty.startswith(ABSENCE_DUTIES):
                    p(f"{lid}: absence (quote '') with a duty that names no absence: {duty!r}")
                continue
            hits = [u for u in r["utterances"] if q in u["text"]]
            if len(hits) != 1:
                p(f"{lid}: quote {q!r} is in {len(hits)} utterances (must be exactly one)")
            elif hits[0]["speaker"] != "staff":
                p(f"{lid}: quote {q!r} is not in a staff utterance")
            if a == 7 and r.get("channel") != "phone":
                p(f"{lid}: Art. 7 breach on a counter visit")
            if a == 8 and r.get("channel") == "phone":
                p(f"{lid}: Art. 8 breach on a phone call")
        if len(arts) != len(set(arts)):
            p(f"{lid}: two breaches of the same article")
        clean = lab.get("clean_articles", [])
        if clean != sorted(set(clean)):
            p(f"{lid}: clean_articles not sorted / unique")
        if any(a not in SCORED for a in clean):
            p(f"{lid}: clean article outside the scored set")
        if set(clean) & set(arts):
            p(f"{lid}: an article is both breached and clean")
        ch = r.get("channel")
        if ch == "counter" and 7 not in clean:
            p(f"{lid}: Art. 7 does not apply to a counter visit and must be clean")
        if ch == "phone" and 8 not in clean:
            p(f"{lid}: Art. 8 does not apply to a call and must be clean")
        missing = set(SCORED) - set(clean) - set(arts)
        if missing and "not scored" not in lab.get("note", ""):
            p(f"{lid}: arguable articles {sorted(missing)} without a reason in the note")
        if ch == "phone" and not r.get("utterances"):
            n = _rings_of(r)
            if arts and arts != [7]:
                p(f"{lid}: an unanswered call can only breach Art. 7")
            if n is not None and n < 4 and arts:
                p(f"{lid}: unanswered after {n} rings labelled as a breach")
    return problems


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    n_breach = [len(lab["breaches"]) for lab in labels]
    ov = 0
    for r in interactions:
        us = r["utterances"]
        ov += sum(1 for a, b in zip(us, us[1:], strict=False) if b["start"] < a["end"])
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "phone_unanswered": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "phone_ring_seconds": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping_starts": ov,
        "clean_interactions": sum(n == 0 for n in n_breach),
        "one_breach": sum(n == 1 for n in n_breach),
        "two_breaches": sum(n == 2 for n in n_breach),
        "three_breaches": sum(n == 3 for n in n_breach),
        "breaches": sum(n_breach),
        "absences": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased": sum("(paraphrase" in b["duty"] for lab in labels for b in lab["breaches"]),
        "forbidden_phrases": sum(b["duty"].startswith("forbidden phrase") for lab in labels for b in lab["breaches"]),
        "breaches_per_article": {a: per_art.get(a, 0) for a in SCORED},
        "clean_per_article": {a: clean_per.get(a, 0) for a in SCORED},
    }


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    inter = [json.loads(x) for x in (folder / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return inter, labels


def main() -> int:
    inter, labels = load()
    problems = check(inter, labels)
    for pr in problems:
        print("PROBLEM", pr)
    print(json.dumps(counts(inter, labels), ensure_ascii=False, indent=1))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
