"""Rebuild interactions.jsonl and labels.json of blind-halls-18 from source.txt.

Every utterance and label is hand-written in source.txt; this script only parses it and derives the
times as the dev README's *Times* section describes (seeded per interaction with
random.Random("blind-halls-18/<id>"), so a rebuild is byte-identical).
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-18"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
SHORT_PUNCT = set("，、；：,;:")
LONG_PUNCT = set("。？！?!")
SKIP = set("“”‘’「」《》（）()\"' —-·")


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
    utts: list = field(default_factory=list)
    breaches: list = field(default_factory=list)   # (article, quote, duty)
    arguable: list = field(default_factory=list)   # (article, why)
    note: str = ""


_UTT = re.compile(r"^(S|C):\s*(?:\{\+(\d+(?:\.\d+)?)\}\s*)?(?:\{ov (\d+(?:\.\d+)?)\}\s*)?(.+)$")


def parse(text: str) -> list:
    blocks: list = []
    cur = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        m = _UTT.match(line)
        if m:
            cur.utts.append(Utt("staff" if m.group(1) == "S" else "citizen", m.group(4).strip(),
                                float(m.group(2) or 0), float(m.group(3) or 0)))
            continue
        key, sep, val = line.partition(":")
        if not sep:
            raise ValueError(f"line {lineno}: cannot parse {line!r}")
        key, val = key.strip(), val.strip()
        if key == "breach":
            art, quote, duty = [p.strip() for p in val.split("|")]
            cur.breaches.append((int(art), quote, duty))
        elif key == "arguable":
            art, why = [p.strip() for p in val.split("|", 1)]
            cur.arguable.append((int(art), why))
        elif key == "note":
            cur.note = val
        elif key in ("channel", "hall", "window", "staff", "start", "rings", "ring_seconds", "elderly"):
            cur.header[key] = val
        else:
            raise ValueError(f"line {lineno}: unknown key {key!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = 0
    pause = 0.0
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "…":
            while i < len(text) and text[i] == "…":
                i += 1
            pause += rng.uniform(1.2, 2.4)
            continue
        if ch in SHORT_PUNCT:
            pause += rng.uniform(0.12, 0.25)
        elif ch in LONG_PUNCT:
            pause += rng.uniform(0.25, 0.45)
        elif ch not in SKIP and not ch.isspace():
            chars += 1
        i += 1
    return chars / rate + pause


def build_one(block: Block) -> tuple:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("elderly") == "yes" else rng.uniform(3.9, 4.7)
    rec = {"id": block.id, "channel": h["channel"], "hall": h["hall"], "window": h["window"],
           "staff": h["staff"], "started_at": h["start"].replace(" ", "T") + "+08:00"}
    t = 0.0
    if h["channel"] == "phone":
        if "rings" in h:
            rec["rings"] = int(h["rings"])
            pickup = 5 * (rec["rings"] - 1) + rng.uniform(0.5, 2.5)
        else:
            rec["ring_seconds"] = float(h["ring_seconds"])
            pickup = rec["ring_seconds"]
        t = pickup + rng.uniform(0.3, 0.7)
    utts = []
    prev_start = prev_end = None
    for u in block.utts:
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        dur = _duration(u.text, rate, rng)
        if prev_end is None:
            start = t + u.wait
        elif u.overlap:
            start = max(prev_end - u.overlap, prev_start + 0.3)
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + dur
        utts.append({"speaker": u.speaker, "start": round(start, 2), "end": round(end, 2), "text": u.text})
        prev_start, prev_end = start, max(end, prev_end or 0.0)
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    arguable = {a for a, _ in block.arguable}
    note = block.note
    if block.arguable:
        note += " Arguable: " + "; ".join(f"Art. {a} ({why})" for a, why in block.arguable) + "."
    lab = {"id": block.id,
           "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches],
           "clean_articles": [a for a in SCORED if a not in breached and a not in arguable],
           "note": note}
    return rec, lab


def build(text: str) -> tuple:
    recs, labs = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labs.append(lab)
    return recs, labs


def render(recs: list, labs: list) -> tuple:
    inter = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    labels = json.dumps(labs, ensure_ascii=False, indent=1) + "\n"
    return inter, labels


def main() -> int:
    recs, labs = build((HERE / "source.txt").read_text(encoding="utf-8"))
    inter, labels = render(recs, labs)
    (HERE / "interactions.jsonl").write_text(inter, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"wrote {len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
