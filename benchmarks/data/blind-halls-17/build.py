"""Rebuild interactions.jsonl and labels.json of blind-halls-17 from source.txt.

Only the times are computed here (dev README, *Times*); every word, every metadata
field and every label is written by hand in source.txt.

Source format, one block per interaction:

    ## b17-0001
    channel: counter | phone
    hall: ...            window: ...          staff: S-....
    start: 2026-12-09 09:05:00
    rings: N | ring_seconds: S      (phone only)
    citizen: elderly                (optional: citizen speaking rate 3.2-3.6 chars/s)
    family: ...                     (hard-negative family of a clean interaction; README only)
    > S: text          staff utterance      > C: text   citizen utterance
      a leading {+N} adds an explicit wait of N s before the utterance,
      a leading {ov N} starts it N s before the previous utterance ends.
    breach: ARTICLE | quote | duty
    arguable: ARTICLE[, ARTICLE]
    note: one line
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-17"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
PUNCT_SHORT = set("，、")
PUNCT_LONG = set("。？！；：")
NOT_SPOKEN = set("，、。？！；：“”‘’（）《》…—,.?!;:()\"' ")


@dataclass
class Block:
    id: str
    meta: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)  # (speaker, text, wait, overlap)
    breaches: list = field(default_factory=list)  # (article, quote, duty)
    arguable: list = field(default_factory=list)
    note: str = ""


_PREFIX = re.compile(r"^\{(\+|ov )([0-9.]+)\}\s*")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#!"):
            continue
        if line.startswith("## "):
            cur = Block(id=line[3:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {n}: text before the first block")
        if line.startswith(">"):
            sp, _, body = line[1:].strip().partition(":")
            speaker = {"S": "staff", "C": "citizen"}[sp.strip()]
            body = body.strip()
            wait = overlap = 0.0
            m = _PREFIX.match(body)
            if m:
                if m.group(1) == "+":
                    wait = float(m.group(2))
                else:
                    overlap = float(m.group(2))
                body = body[m.end():]
            cur.utterances.append((speaker, body, wait, overlap))
            continue
        key, _, val = line.partition(":")
        key, val = key.strip(), val.strip()
        if key == "breach":
            art, quote, duty = [p.strip() for p in val.split("|", 2)]
            cur.breaches.append((int(art), quote, duty))
        elif key == "arguable":
            cur.arguable = [int(a) for a in val.replace("，", ",").split(",") if a.strip()]
        elif key == "note":
            cur.note = val
        else:
            cur.meta[key] = val
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in NOT_SPOKEN)
    d = chars / rate
    d += sum(0.15 for ch in text if ch in PUNCT_SHORT)
    d += sum(0.3 for ch in text if ch in PUNCT_LONG)
    for _ in range(text.count("……")):
        d += rng.uniform(1.2, 2.4)
    return max(d, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    m = block.meta
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    cit_rate = rng.uniform(3.2, 3.6) if m.get("citizen") == "elderly" else rng.uniform(3.9, 4.7)
    date, _, clock = m["start"].partition(" ")
    rec = {"id": block.id, "channel": m["channel"], "hall": m["hall"], "window": m["window"],
           "staff": m["staff"], "started_at": f"{date}T{clock}+08:00"}
    if m["channel"] == "phone":
        if "rings" in m:
            rings = int(m["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(0.3, 0.9)
        else:
            s = float(m["ring_seconds"])
            rec["ring_seconds"] = s
            t = s
    else:
        t = rng.uniform(0.4, 1.6)
    utts = []
    last_end = None
    for speaker, text, wait, overlap in block.utterances:
        rate = staff_rate if speaker == "staff" else cit_rate
        dur = _duration(text, rate, rng)
        if last_end is None:
            start = t + wait
        elif overlap:
            start = last_end - overlap
        else:
            start = last_end + rng.uniform(0.25, 0.9) + wait
        end = start + dur
        utts.append({"speaker": speaker, "start": round(start, 2), "end": round(end, 2), "text": text})
        last_end = end if last_end is None else max(last_end, end)
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    label = {"id": block.id,
             "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches],
             "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
             "note": block.note}
    return rec, label


def build(text: str) -> tuple[list[dict], list[dict]]:
    recs, labels = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labels.append(lab)
    return recs, labels


def main() -> int:
    recs, labels = build((HERE / "source.txt").read_text(encoding="utf-8"))
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    (HERE / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
