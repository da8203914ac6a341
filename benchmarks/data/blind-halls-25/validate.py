"""Check blind-halls-25 against the format and labelling rules of the dev README.

    python validate.py     # prints the problems (if any) and the counts
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import date, datetime, time, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^b25-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
FIRST_DAY, LAST_DAY = date(2026, 11, 3), date(2026, 12, 14)
HOURS = ((time(8, 30), time(12, 0)), (time(14, 30), time(18, 0)))

SEED9 = ("下班了，明天再来", "快点，我要下班了", "没看我正忙着吗", "我就是这样的，你能把我怎么样", "你去投诉好了")
DUTY_PREFIXES = {
    5: ("unanswered question:",),
    6: ("uncivil language:", "talk unrelated to work in front of the citizen:"),
    7: ("answered after", "call not answered", "missing: 您好，这里是XXX政务大厅XXX窗口", "forced hang-up"),
    8: ("missing: 您好，请问要办理什么业务？", "ignored the citizen", "forbidden phrase: 我不知道，你去问XX",
        "forbidden phrase: 有牌子，自己看"),
    9: tuple("forbidden phrase: " + p for p in SEED9),
    10: ("missing:", "forbidden phrase: 我刚才已经说过，你怎么还问", "forbidden phrase: 你的记性真差"),
    16: ("vague redirect:",),
    17: ("quarrel with the citizen", "made the citizen"),
    18: ("not told at once:",),
    25: ("refused service within service hours",),
}
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "ignored the citizen", "unanswered question:")


def _in_hours(t: time) -> bool:
    return any(a <= t < b for a, b in HOURS)


def _pickup(rec: dict) -> float | None:
    if "rings" in rec:
        return 5.0 * (rec["rings"] - 1) + 1.0
    if "ring_seconds" in rec:
        return float(rec["ring_seconds"])
    return None


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    """Return the problems found (empty when the set is fine)."""
    out: list[str] = []
    if len(interactions) != len(labels):
        out.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        out.append("duplicate interaction ids")
    if [lab.get("id") for lab in labels] != ids:
        out.append("labels are not in the interactions' order / ids differ")
    if ids != sorted(ids):
        out.append("interaction ids are not in ascending order")
    by_id = {r.get("id"): r for r in interactions}

    for rec in interactions:
        rid = rec.get("id")
        p = f"{rid}:"
        if not isinstance(rid, str) or not ID_RE.match(rid):
            out.append(f"{p} bad id")
        keys = set(rec)
        base = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
        ch = rec.get("channel")
        if ch == "counter":
            if keys != base:
                out.append(f"{p} counter keys {sorted(keys ^ base)} unexpected/missing")
        elif ch == "phone":
            extra = keys - base
            if not base <= keys or extra not in ({"rings"}, {"ring_seconds"}):
                out.append(f"{p} a call needs exactly one of rings / ring_seconds")
            if "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
                out.append(f"{p} rings must be a positive integer")
            if "ring_seconds" in rec and (not isinstance(rec["ring_seconds"], (int, float)) or rec["ring_seconds"] <= 0):
                out.append(f"{p} ring_seconds must be positive")
        else:
            out.append(f"{p} channel {ch!r}")
        for k in ("hall", "window"):
            if not isinstance(rec.get(k), str) or not rec.get(k):
                out.append(f"{p} empty {k}")
        if not isinstance(rec.get("staff"), str) or not STAFF_RE.match(rec["staff"]):
            out.append(f"{p} bad staff id")
        try:
            st = datetime.fromisoformat(rec["started_at"])
            if not rec["started_at"].endswith("+08:00"):
                out.append(f"{p} started_at not +08:00")
            if st.weekday() >= 5 or not FIRST_DAY <= st.date() <= LAST_DAY:
                out.append(f"{p} date {st.date()} is not a working day in the corpus range")
        except (KeyError, TypeError, ValueError):
            out.append(f"{p} bad started_at")
            st = None
        utts = rec.get("utterances")
        if not isinstance(utts, list):
            out.append(f"{p} utterances not a list")
            continue
        if not utts and ch != "phone":
            out.append(f"{p} a counter visit without utterances")
        prev_start, max_end = -1.0, 0.0
        pick = _pickup(rec)
        for i, u in enumerate(utts):
            q = f"{p} utterance {i}:"
            if set(u) != {"speaker", "start", "end", "text"}:
                out.append(f"{q} keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                out.append(f"{q} speaker {u['speaker']!r}")
            if not isinstance(u["text"], str) or not u["text"].strip():
                out.append(f"{q} empty text")
            s, e = u["start"], u["end"]
            if not all(isinstance(x, (int, float)) for x in (s, e)) or s < 0 or e <= s:
                out.append(f"{q} bad times {s}-{e}")
                continue
            if s < prev_start:
                out.append(f"{q} starts before the previous utterance")
            if i == 0 and pick is not None and s < pick:
                out.append(f"{q} first words at {s} s, before the pick-up at {pick} s")
            prev_start, max_end = s, max(max_end, e)

    for lab in labels:
        rid = lab.get("id")
        p = f"{rid}:"
        rec = by_id.get(rid)
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            out.append(f"{p} label keys {sorted(lab)}")
            continue
        if not isinstance(lab["note"], str) or not lab["note"].strip():
            out.append(f"{p} empty note")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)) or any(a not in SCORED for a in clean):
            out.append(f"{p} clean_articles must be sorted, unique scored articles")
        arts = [b.get("article") for b in lab["breaches"]]
        if len(set(arts)) != len(arts):
            out.append(f"{p} two breaches of the same article")
        if set(arts) & set(clean):
            out.append(f"{p} article both breached and clean: {sorted(set(arts) & set(clean))}")
        if rec is None:
            continue
        texts = [u["text"] for u in rec["utterances"]]
        ch = rec["channel"]
        for b in lab["breaches"]:
            q = f"{p} breach {b.get('article')}:"
            if set(b) != {"article", "speaker", "quote", "duty"}:
                out.append(f"{q} keys {sorted(b)}")
                continue
            a = b["article"]
            if a not in SCORED:
                out.append(f"{q} article out of range")
                continue
            if b["speaker"] != "staff":
                out.append(f"{q} speaker must be staff")
            duty = b["duty"]
            if not isinstance(duty, str) or not duty.startswith(DUTY_PREFIXES[a]):
                out.append(f"{q} duty {duty!r} does not name a duty of the article")
            if b["quote"]:
                hits = [i for i, t in enumerate(texts) if b["quote"] in t]
                if len(hits) != 1:
                    out.append(f"{q} quote found in {len(hits)} utterances")
                elif rec["utterances"][hits[0]]["speaker"] != "staff":
                    out.append(f"{q} quote is in a citizen utterance")
            elif not duty.startswith(ABSENCE_PREFIXES):
                out.append(f"{q} empty quote but the duty does not name an absence")
            if a == 7 and ch != "phone":
                out.append(f"{q} Art. 7 on a counter visit")
            if a == 8 and ch != "counter":
                out.append(f"{q} Art. 8 on a call")
            if a == 25 and b["quote"]:
                hit = next(u for u in rec["utterances"] if b["quote"] in u["text"])
                st = datetime.fromisoformat(rec["started_at"])
                when = st.replace(tzinfo=None) + timedelta(seconds=hit["start"])
                if not _in_hours(when.time()):
                    out.append(f"{q} Art. 25 outside service hours")
            if duty.startswith("answered after") and rec.get("rings", 99) < 4 and "ring_seconds" not in rec:
                out.append(f"{q} 'answered after' on the {rec.get('rings')}th ring")
        if ch == "counter" and 7 not in clean:
            out.append(f"{p} Art. 7 does not apply to a counter visit and must be clean")
        if ch == "phone" and 8 not in clean:
            out.append(f"{p} Art. 8 does not apply to a call and must be clean")
        if ch == "phone" and not rec["utterances"]:
            st = datetime.fromisoformat(rec["started_at"]).time()
            if _in_hours(st) and arts != [7]:
                out.append(f"{p} an unanswered call in hours is one Art. 7 breach")
            if not _in_hours(st) and arts:
                out.append(f"{p} an unanswered call outside hours breaches nothing")
        if ch == "phone" and rec["utterances"] and 7 in clean:
            pick = _pickup(rec)
            if pick is not None and pick > 11.0:
                out.append(f"{p} picked up after the third ring but Art. 7 is clean")
    return out


def counts(interactions: list[dict], labels: list[dict]) -> str:
    n_utt = sum(len(r["utterances"]) for r in interactions)
    calls = [r for r in interactions if r["channel"] == "phone"]
    per = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    absn = sum(1 for lab in labels for b in lab["breaches"] if not b["quote"])
    forb = [b for lab in labels for b in lab["breaches"] if b["duty"].startswith("forbidden phrase")]
    para = sum(1 for b in forb if "(paraphrase)" in b["duty"])
    overl = sum(1 for r in interactions for i in range(1, len(r["utterances"]))
                if r["utterances"][i]["start"] < max(u["end"] for u in r["utterances"][:i]))
    lines = [
        f"{len(interactions)} interactions: {len(interactions) - len(calls)} counter visits, {len(calls)} calls "
        f"({sum(1 for r in calls if not r['utterances'])} unanswered, "
        f"{sum(1 for r in calls if 'ring_seconds' in r)} with ring_seconds); {n_utt} utterances, {overl} overlapping",
        f"{nb[0]} without breach, {nb[1]} with one, {nb[2]} with two; {sum(per.values())} breaches, {absn} absences; "
        f"{len(forb)} forbidden phrases, {para} paraphrased",
        "article          " + " ".join(f"{a:>3}" for a in SCORED),
        "breaches         " + " ".join(f"{per[a]:>3}" for a in SCORED),
        "clean_articles   " + " ".join(f"{clean[a]:>3}" for a in SCORED),
    ]
    return "\n".join(lines)


def main() -> int:
    interactions = [json.loads(line) for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
                    if line.strip()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(interactions, labels)
    for pr in problems:
        print("PROBLEM", pr)
    print(counts(interactions, labels))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
