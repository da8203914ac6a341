"""Rebuild interactions.jsonl and labels.json of blind-halls-27 from source.txt.

Every utterance, header field and label is hand-written in source.txt; this script only
parses it and derives the start/end times the way the dev README's *Times* section
describes (characters / speaking rate + punctuation pauses, ellipsis pauses, gaps
between turns, explicit waits and overlaps), with the jitter seeded per interaction by
``random.Random("blind-halls-27/<id>")`` so that a rebuild gives the same numbers.

Source format (one block per interaction)::

    === b27-0001
    channel: counter | phone
    hall: ...
    window: ...
    staff: S-27xx
    started_at: 2026-10-12T09:14:00+08:00
    rings: 3                 (phone calls: rings, or ring_seconds)
    elderly: yes             (optional: citizens speak at 3.2-3.6 characters/s)
    ---
    S: staff utterance
    C: citizen utterance
    C: {+12} a wait of 12 s before this utterance (typing, fetching papers)
    S: {ov 0.8} starts 0.8 s before the previous utterance ends
    ---
    breach: 9 | quoted words | duty text | (optional source-only comment)
    breach: 10 | | missing: ...
    arguable: 6
    note: one line
    family: hard-negative family (clean interactions; README bookkeeping only)

Run as a script to write the two files next to this one.
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-27"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

# pauses in seconds added for punctuation (short), sentence ends a little longer
SHORT_PUNCT = "，、；：,;:"
LONG_PUNCT = "。！？!?"
SKIP = set("，、；：,;:。！？!?…“”‘’\"'（）()《》—- ～~·")

_WAIT = re.compile(r"^\{\+(\d+(?:\.\d+)?)\}\s*")
_OV = re.compile(r"^\{ov\s+(\d+(?:\.\d+)?)\}\s*")


@dataclass
class Utt:
    speaker: str
    text: str
    wait: float | None = None
    overlap: float | None = None


@dataclass
class Breach:
    article: int
    quote: str
    duty: str
    comment: str = ""


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utts: list = field(default_factory=list)
    breaches: list = field(default_factory=list)
    arguable: list = field(default_factory=list)
    note: str = ""
    family: str = ""


def parse(text: str) -> list:
    blocks: list = []
    cur = None
    section = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            section = 0
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        if line == "---":
            section += 1
            continue
        if section == 0:
            key, _, val = line.partition(":")
            cur.header[key.strip()] = val.strip()
        elif section == 1:
            who, sep, rest = line.partition(":")
            if not sep or who not in ("S", "C"):
                raise ValueError(f"line {lineno}: utterance must start with S: or C:")
            rest = rest.strip()
            u = Utt(speaker="staff" if who == "S" else "citizen", text="")
            m = _WAIT.match(rest)
            if m:
                u.wait = float(m.group(1))
                rest = rest[m.end():]
            m = _OV.match(rest)
            if m:
                u.overlap = float(m.group(1))
                rest = rest[m.end():]
            u.text = rest.strip()
            cur.utts.append(u)
        else:
            key, _, val = line.partition(":")
            key = key.strip()
            val = val.strip()
            if key == "breach":
                parts = [p.strip() for p in val.split("|")]
                if len(parts) < 3:
                    raise ValueError(f"line {lineno}: breach needs article | quote | duty")
                cur.breaches.append(Breach(int(parts[0]), parts[1], parts[2],
                                           parts[3] if len(parts) > 3 else ""))
            elif key == "arguable":
                cur.arguable.extend(int(a) for a in re.split(r"[,\s]+", val) if a)
            elif key == "note":
                cur.note = val
            elif key == "family":
                cur.family = val
            else:
                raise ValueError(f"line {lineno}: unknown label key {key!r}")
    return blocks


def _speech_seconds(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in SKIP and not ch.isspace())
    secs = chars / rate
    body = text.rstrip("。！？!?…”\"")
    for ch in body:
        if ch in SHORT_PUNCT:
            secs += rng.uniform(0.12, 0.25)
        elif ch in LONG_PUNCT:
            secs += rng.uniform(0.25, 0.45)
    secs += body.count("……") * rng.uniform(1.2, 2.4)
    return max(secs, 0.35)


def build_one(block: Block) -> tuple:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    if h.get("elderly", "").lower() in ("yes", "true", "1"):
        cit_rate = rng.uniform(3.2, 3.6)
    else:
        cit_rate = rng.uniform(3.9, 4.7)

    rec = {"id": block.id, "channel": h["channel"], "hall": h["hall"],
           "window": h["window"], "staff": h["staff"], "started_at": h["started_at"]}
    if h["channel"] == "phone":
        if "rings" in h:
            n = int(h["rings"])
            rec["rings"] = n
            pickup = 5.0 * (n - 1) + rng.uniform(0.4, 1.6)
        else:
            s = float(h["ring_seconds"])
            rec["ring_seconds"] = s
            pickup = s
        t = pickup + rng.uniform(0.3, 0.7)
    else:
        t = rng.uniform(0.6, 2.0)

    utts = []
    prev_start = prev_end = None
    for i, u in enumerate(block.utts):
        if i == 0:
            start = t + (u.wait or 0.0)
        elif u.overlap is not None:
            start = max(prev_end - u.overlap, prev_start + 0.3)
        elif u.wait is not None:
            start = prev_end + u.wait
        else:
            start = prev_end + rng.uniform(0.25, 0.9)
        rate = staff_rate if u.speaker == "staff" else cit_rate
        end = start + _speech_seconds(u.text, rate, rng)
        start, end = round(start, 2), round(end, 2)
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start, prev_end = start, end
    rec["utterances"] = utts

    breached = {b.article for b in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    lab = {"id": block.id,
           "breaches": [{"article": b.article, "speaker": "staff", "quote": b.quote,
                         "duty": b.duty} for b in block.breaches],
           "clean_articles": clean,
           "note": block.note}
    return rec, lab


def build_all(text: str) -> tuple:
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
    text = (HERE / "source.txt").read_text(encoding="utf-8")
    recs, labs = build_all(text)
    inter, labels = render(recs, labs)
    (HERE / "interactions.jsonl").write_text(inter, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"{len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
