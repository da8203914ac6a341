"""Rebuild interactions.jsonl and labels.json of train-halls-23 from source.txt.

The text of every interaction and every label is hand-written in source.txt; this script only
parses it and derives the times (dev README, *Times*), with jitter seeded per interaction by
random.Random("train-halls-23/<id>"). Run as a script to write the two files.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SET = "train-halls-23"
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HEADER_KEYS = ("channel", "hall", "window", "staff", "start", "rings", "ring_seconds", "elderly", "family")
SHORT_PAUSE = "，、；：,;:"
LONG_PAUSE = "。！？!?"
PUNCT = set("，、；：。！？…“”‘’（）《》—·,.;:!?\"'()- ")
PREFIX = re.compile(r"^\{(\+|ov )([0-9.]+)\}\s*")


@dataclass
class Utterance:
    speaker: str
    text: str
    wait: float = 0.0
    overlap: float = 0.0


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)  # (article, quote, duty)
    arguable: list = field(default_factory=list)
    note: str = ""


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("# "):
            continue
        if line.startswith("## "):
            cur = Block(id=line[3:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line outside a block: {line}")
        if line.startswith(("S:", "C:")):
            speaker = "staff" if line[0] == "S" else "citizen"
            body = line[2:].strip()
            u = Utterance(speaker, body)
            m = PREFIX.match(body)
            if m:
                if m.group(1) == "+":
                    u.wait = float(m.group(2))
                else:
                    u.overlap = float(m.group(2))
                u.text = body[m.end():]
            cur.utterances.append(u)
            continue
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key in HEADER_KEYS:
            cur.header[key] = value
        elif key == "breach":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 3:
                raise ValueError(f"{cur.id}: bad breach line: {line}")
            cur.breaches.append((int(parts[0]), parts[1], parts[2]))
        elif key == "arguable":
            cur.arguable = sorted(int(a) for a in value.split())
        elif key == "note":
            cur.note = value
        else:
            raise ValueError(f"{cur.id}: unknown line: {line}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in PUNCT)
    d = chars / rate
    body = text.replace("……", "\u0000")
    for i, ch in enumerate(body):
        last = i == len(body) - 1
        if ch == "\u0000":
            d += rng.uniform(1.2, 2.4)
        elif last:
            continue
        elif ch in SHORT_PAUSE:
            d += rng.uniform(0.1, 0.2)
        elif ch in LONG_PAUSE:
            d += rng.uniform(0.2, 0.4)
    return max(d, 0.4)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("elderly") == "yes" else rng.uniform(3.9, 4.7)
    date, clock = h["start"].split()
    rec = {"id": block.id, "channel": h["channel"], "hall": h["hall"], "window": h["window"],
           "staff": h["staff"], "started_at": f"{date}T{clock}+08:00"}
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(0.9, 2.6)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            t = secs + rng.uniform(0.3, 0.8)
    else:
        t = rng.uniform(0.4, 1.6)
    utts = []
    prev_start = prev_end = max_end = None
    for i, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        if i == 0:
            start = t + u.wait
        elif u.overlap:
            start = max(prev_end - u.overlap, prev_start + 0.2)
        else:
            start = max_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + _duration(u.text, rate, rng)
        utts.append({"speaker": u.speaker, "start": round(start, 2), "end": round(end, 2), "text": u.text})
        prev_start, prev_end = start, end
        max_end = end if max_end is None else max(max_end, end)
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    label = {"id": block.id,
             "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches],
             "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
             "note": block.note}
    return rec, label


def build(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def main() -> None:
    inter, labels = build((HERE / "source.txt").read_text(encoding="utf-8"))
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as f:
        for rec in inter:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    (HERE / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {len(inter)} interactions, {sum(len(r['utterances']) for r in inter)} utterances")


if __name__ == "__main__":
    main()
