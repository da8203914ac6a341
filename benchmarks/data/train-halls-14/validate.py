"""Check train-halls-14 against the format and labelling rules of the dev README; print the counts."""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HERE = Path(__file__).resolve().parent
_ID = re.compile(r"^t14-\d{4}$")
_TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00$")
_ABSENCE = ("missing:", "ignored the citizen", "answered after", "call not answered", "unanswered question:")
_KEYS_COUNTER = ["id", "channel", "hall", "window", "staff", "started_at", "utterances"]


def _in_hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    p: list[str] = []
    if len(interactions) != len(labels):
        p.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        p.append("duplicate ids")
    if ids != sorted(ids):
        p.append("ids not in order")
    for rec, lab in zip(interactions, labels, strict=False):
        i = rec.get("id")
        if not isinstance(i, str) or not _ID.match(i):
            p.append(f"bad id {i!r}")
        if lab.get("id") != i:
            p.append(f"{i}: label id {lab.get('id')!r} differs")
        ch = rec.get("channel")
        if ch not in ("counter", "phone"):
            p.append(f"{i}: channel {ch!r}")
        keys = list(rec)
        want = _KEYS_COUNTER[:]
        if ch == "phone":
            ring_keys = [k for k in ("rings", "ring_seconds") if k in rec]
            if len(ring_keys) != 1:
                p.append(f"{i}: a call needs exactly one of rings / ring_seconds")
            want = want[:6] + ring_keys + want[6:]
            if "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
                p.append(f"{i}: rings {rec['rings']!r}")
            if "ring_seconds" in rec and not (isinstance(rec["ring_seconds"], (int, float)) and rec["ring_seconds"] >= 0):
                p.append(f"{i}: ring_seconds {rec['ring_seconds']!r}")
        if keys != want:
            p.append(f"{i}: keys {keys} != {want}")
        for k in ("hall", "window", "staff"):
            if not isinstance(rec.get(k), str) or not rec.get(k):
                p.append(f"{i}: empty {k}")
        ts = rec.get("started_at", "")
        when = None
        if not _TS.match(ts or ""):
            p.append(f"{i}: started_at {ts!r}")
        else:
            when = dt.datetime.fromisoformat(ts)
            if when.weekday() >= 5:
                p.append(f"{i}: {ts} is not a working day")
            if not dt.date(2026, 11, 3) <= when.date() <= dt.date(2026, 12, 14):
                p.append(f"{i}: {ts} outside 2026-11-03..2026-12-14")
        utts = rec.get("utterances", [])
        if ch == "counter" and not utts:
            p.append(f"{i}: counter visit without utterances")
        prev_start = None
        if ch == "phone" and utts:
            rings = rec.get("rings")
            if rings is not None and utts[0]["start"] < 5 * (rings - 1):
                p.append(f"{i}: first words before ring {rings}")
            if rings is not None and utts[0]["start"] > 5 * rings + 1:
                p.append(f"{i}: first words later than ring {rings} allows")
            if "ring_seconds" in rec and utts[0]["start"] < rec["ring_seconds"]:
                p.append(f"{i}: first words before the pick-up")
        for n, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p.append(f"{i}#{n}: keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p.append(f"{i}#{n}: speaker {u['speaker']!r}")
            if not u["text"].strip() or "{" in u["text"]:
                p.append(f"{i}#{n}: bad text {u['text']!r}")
            if not (0 <= u["start"] < u["end"]):
                p.append(f"{i}#{n}: times {u['start']}..{u['end']}")
            if prev_start is not None and u["start"] <= prev_start:
                p.append(f"{i}#{n}: start not after the previous start")
            prev_start = u["start"]
        # labels
        br = lab.get("breaches", [])
        clean = lab.get("clean_articles", [])
        if not isinstance(lab.get("note"), str) or not lab["note"].strip():
            p.append(f"{i}: empty note")
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            p.append(f"{i}: label keys {sorted(lab)}")
        if clean != sorted(set(clean)) or any(a not in SCORED for a in clean):
            p.append(f"{i}: clean_articles {clean}")
        arts = [b.get("article") for b in br]
        if len(set(arts)) != len(arts):
            p.append(f"{i}: two breaches of one article")
        if set(arts) & set(clean):
            p.append(f"{i}: article both breached and clean")
        for b in br:
            a, q, d = b.get("article"), b.get("quote"), b.get("duty", "")
            if set(b) != {"article", "speaker", "quote", "duty"}:
                p.append(f"{i}: breach keys {sorted(b)}")
            if a not in SCORED:
                p.append(f"{i}: article {a!r} not scored")
            if b.get("speaker") != "staff":
                p.append(f"{i}: breach speaker {b.get('speaker')!r}")
            if not d:
                p.append(f"{i}: empty duty")
            if q == "":
                if not d.startswith(_ABSENCE):
                    p.append(f"{i}: absence of art {a} with duty {d!r}")
            else:
                hits = [u for u in utts if q in u["text"]]
                if len(hits) != 1:
                    p.append(f"{i}: quote {q!r} in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p.append(f"{i}: quote {q!r} not in a staff utterance")
            if a == 7 and ch != "phone":
                p.append(f"{i}: Art. 7 breach on a counter visit")
            if a == 8 and ch != "counter":
                p.append(f"{i}: Art. 8 breach on a call")
            if a == 25 and when is not None:
                at = when
                if q:
                    hit = next((u for u in utts if q in u["text"]), None)
                    if hit:
                        at = when + dt.timedelta(seconds=hit["start"])
                if not _in_hours(at.time()):
                    p.append(f"{i}: Art. 25 breach outside service hours")
        if ch == "counter" and 7 not in clean:
            p.append(f"{i}: Art. 7 must be clean on a counter visit")
        if ch == "phone" and 8 not in clean:
            p.append(f"{i}: Art. 8 must be clean on a call")
        if ch == "phone" and not utts and when is not None and not _in_hours(when.time()) and br:
            p.append(f"{i}: a call unanswered outside hours breaches nothing")
    return p


def load(folder: Path = HERE) -> tuple[list[dict], list[dict]]:
    with open(folder / "interactions.jsonl", encoding="utf-8") as f:
        inter = [json.loads(line) for line in f if line.strip()]
    labs = json.loads((folder / "labels.json").read_text(encoding="utf-8"))
    return inter, labs


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    br = Counter(b["article"] for lab in labels for b in lab["breaches"])
    cl = Counter(a for lab in labels for a in lab["clean_articles"])
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlaps": sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False) if b["start"] < a["end"]),
        "clean interactions": sum(not lab["breaches"] for lab in labels),
        "one breach": sum(len(lab["breaches"]) == 1 for lab in labels),
        "two breaches": sum(len(lab["breaches"]) == 2 for lab in labels),
        "breaches": sum(br.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "breaches per article": {a: br[a] for a in SCORED},
        "clean per article": {a: cl[a] for a in SCORED},
    }


if __name__ == "__main__":
    inter, labs = load()
    problems = check(inter, labs)
    for pr in problems:
        print("PROBLEM", pr)
    for k, v in counts(inter, labs).items():
        print(f"{k}: {v}")
    raise SystemExit(1 if problems else 0)
