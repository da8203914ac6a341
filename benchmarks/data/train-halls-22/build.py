"""Rebuild interactions.jsonl and labels.json of train-halls-22 from the hand-written source.txt.

Every utterance, header field and label is written by hand in source.txt; this script only parses it
and derives the times (dev README, *Times*) with jitter seeded by random.Random("train-halls-22/<id>").
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-22"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

_UTT = re.compile(r"^([SC]):\s*(.*)$")
_WAIT = re.compile(r"^\{\+(\d+(?:\.\d+)?)\}\s*")
_OV = re.compile(r"^\{ov (\d+(?:\.\d+)?)\}\s*")
_SHORT = "，、；：,;:"
_LONG = "。？！?!"


@dataclass
class Utt:
    speaker: str
    text: str
    wait: float = 0.0
    overlap: float = 0.0


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)
    arguable: list = field(default_factory=list)
    note: str = ""


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#") and not line.startswith("### "):
            continue
        if line.startswith("### "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"text before the first block: {line!r}")
        m = _UTT.match(line)
        if m:
            speaker = "staff" if m.group(1) == "S" else "citizen"
            body = m.group(2)
            wait = ov = 0.0
            w = _WAIT.match(body)
            if w:
                wait = float(w.group(1))
                body = body[w.end():]
            o = _OV.match(body)
            if o:
                ov = float(o.group(1))
                body = body[o.end():]
            cur.utterances.append(Utt(speaker, body.strip(), wait, ov))
        elif line.startswith("! "):
            art, quote, duty = (p.strip() for p in line[2:].split("|"))
            cur.breaches.append({"article": int(art), "speaker": "staff", "quote": quote, "duty": duty})
        elif line.startswith("? "):
            cur.arguable = [int(x) for x in line[2:].split()]
        elif line.startswith("note:"):
            cur.note = line[5:].strip()
        else:
            key, _, value = line.partition(":")
            cur.header[key.strip()] = value.strip()
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = 0
    pause = 0.0
    body = text.replace("……", "\u2026")
    for i, ch in enumerate(body):
        last = i == len(body) - 1
        if ch == "\u2026" or ch == "…":
            pause += rng.uniform(1.2, 2.4)
        elif ch in _SHORT:
            pause += rng.uniform(0.12, 0.25)
        elif ch in _LONG:
            if not last:
                pause += rng.uniform(0.25, 0.45)
        elif ch.strip() and ch not in "“”\"'（）()—~～":
            chars += 1
    return chars / rate + pause


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    cit_rate = rng.uniform(3.2, 3.6) if h.get("pace") == "elderly" else rng.uniform(3.9, 4.7)
    date, clock = h["start"].split()
    rec: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": f"{date}T{clock}+08:00",
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(0.5, 3.5)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            t = secs
        t += rng.uniform(0.25, 0.5)
    else:
        t = rng.uniform(0.4, 1.2)
    utts = []
    prev_end = None
    prev_start = 0.0
    for u in block.utterances:
        rate = staff_rate if u.speaker == "staff" else cit_rate
        if prev_end is not None:
            if u.overlap:
                t = max(prev_start + 0.3, prev_end - u.overlap)
            else:
                t = prev_end + rng.uniform(0.25, 0.9) + u.wait
        else:
            t += u.wait
        start = round(t, 2)
        end = round(t + _duration(u.text, rate, rng), 2)
        if end <= start:
            end = round(start + 0.3, 2)
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start = start
        prev_end = max(end, prev_end or 0.0) if u.overlap else end
    rec["utterances"] = utts
    breached = {b["article"] for b in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    lab = {"id": block.id, "breaches": block.breaches, "clean_articles": clean, "note": block.note}
    return rec, lab


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    recs, labs = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labs.append(lab)
    return recs, labs


def main() -> int:
    recs, labs = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(HERE / "labels.json", "w", encoding="utf-8") as f:
        json.dump(labs, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"wrote {len(recs)} interactions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
