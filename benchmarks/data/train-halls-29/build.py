"""Rebuild interactions.jsonl and labels.json of train-halls-29 from source.txt.

Every utterance, header field and label is hand-written in source.txt; this script only
parses it and derives the timestamps, as the dev README's *Times* section describes:
characters divided by a speaking rate drawn per interaction (staff 4.3-5.0 chars/s,
citizens 3.9-4.7, elderly citizens 3.2-3.6), short pauses for punctuation, 1.2-2.4 s for
an ellipsis, 0.25-0.9 s between turns, explicit waits ``{+N}`` and overlaps ``{ov N}``.
The jitter is seeded with ``random.Random("train-halls-29/<id>")`` so a rebuild is identical.

Source format (one block per interaction)::

    === t29-0001
    channel: counter | phone
    hall: ...
    window: ...
    staff: S-....
    started_at: 2026-11-04T09:14:00+08:00
    rings: 2            (calls: rings, or ring_seconds)
    elderly: yes        (optional: citizens speak at 3.2-3.6 chars/s)
    family: plain       (optional: hard-negative family of a clean interaction; README only)
    --
    S: staff words
    C: {+4} citizen words after a 4 s wait
    C: {ov 0.8} a backchannel starting 0.8 s before the previous utterance ended
    --
    B 9 | exact quote | duty
    A 16 | why the article is arguable
    N: one-line note
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-29"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HEADER_KEYS = ("channel", "hall", "window", "staff", "started_at", "rings", "ring_seconds",
               "elderly", "family")
PUNCT_SHORT = set("，、；：,;:")
PUNCT_LONG = set("。？！?!")
SKIP = set("，、；：,;:。？！?!…—“”‘’（）()《》「」 .·~～-")


@dataclass
class Utt:
    speaker: str
    text: str
    wait: float = 0.0
    overlap: float = 0.0


@dataclass
class Block:
    id: str
    header: dict
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)   # (article, quote, duty)
    arguable: list = field(default_factory=list)   # (article, reason)
    note: str = ""


_UTT = re.compile(r"^([SC]):\s*(?:\{\+(\d+(?:\.\d+)?)\}\s*)?(?:\{ov (\d+(?:\.\d+)?)\}\s*)?(.+)$")


def parse(text: str) -> list:
    blocks = []
    cur = None
    section = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip(), header={})
            blocks.append(cur)
            section = 0
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        if line == "--":
            section += 1
            continue
        if section == 0:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key not in HEADER_KEYS:
                raise ValueError(f"line {lineno}: unknown header {key!r}")
            cur.header[key] = value
        elif section == 1:
            m = _UTT.match(line)
            if not m:
                raise ValueError(f"line {lineno}: bad utterance {line!r}")
            who, wait, ov, words = m.groups()
            cur.utterances.append(Utt("staff" if who == "S" else "citizen", words.strip(),
                                      float(wait or 0), float(ov or 0)))
        elif section == 2:
            if line.startswith("B "):
                parts = [p.strip() for p in line[2:].split("|")]
                if len(parts) != 3:
                    raise ValueError(f"line {lineno}: breach needs article | quote | duty")
                cur.breaches.append((int(parts[0]), parts[1], parts[2]))
            elif line.startswith("A "):
                art, _, reason = line[2:].partition("|")
                cur.arguable.append((int(art.strip()), reason.strip()))
            elif line.startswith("N:"):
                cur.note = line[2:].strip()
            else:
                raise ValueError(f"line {lineno}: bad label line {line!r}")
        else:
            raise ValueError(f"line {lineno}: too many sections")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in SKIP)
    secs = chars / rate
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "…":
            secs += rng.uniform(1.2, 2.4)
            while i < len(text) and text[i] == "…":
                i += 1
            continue
        if ch == "—":
            secs += rng.uniform(0.1, 0.3)
        elif ch in PUNCT_SHORT and i < len(text) - 1:
            secs += rng.uniform(0.12, 0.3)
        elif ch in PUNCT_LONG and i < len(text) - 1:
            secs += rng.uniform(0.3, 0.6)
        i += 1
    return max(secs, 0.35)


def build_one(block: Block) -> tuple:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("elderly") == "yes" else rng.uniform(3.9, 4.7)
    rec = {"id": block.id, "channel": h["channel"], "hall": h["hall"], "window": h["window"],
           "staff": h["staff"], "started_at": h["started_at"]}
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            pickup = 5 * (rings - 1) + rng.uniform(0.3, 1.0)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            pickup = secs
        t = pickup + rng.uniform(0.2, 0.6)
    else:
        t = rng.uniform(0.5, 2.0)
    utts = []
    prev_end = None
    for u in block.utterances:
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        dur = _duration(u.text, rate, rng)
        if prev_end is None:
            start = t + u.wait
        elif u.overlap:
            start = prev_end - u.overlap
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + dur
        utts.append({"speaker": u.speaker, "start": round(start, 2), "end": round(end, 2),
                     "text": u.text})
        prev_end = max(end, prev_end) if prev_end is not None and u.overlap else end
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    arguable = {a for a, _ in block.arguable}
    note = block.note
    if block.arguable:
        note += " Arguable: " + "; ".join(f"Art. {a} ({r})" for a, r in block.arguable) + "."
    label = {"id": block.id,
             "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d}
                          for a, q, d in block.breaches],
             "clean_articles": [a for a in SCORED if a not in breached and a not in arguable],
             "note": note}
    return rec, label


def build(source: Path = HERE / "source.txt") -> tuple:
    blocks = parse(source.read_text(encoding="utf-8"))
    pairs = [build_one(b) for b in blocks]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def main() -> int:
    interactions, labels = build()
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as f:
        for rec in interactions:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    with open(HERE / "labels.json", "w", encoding="utf-8") as f:
        json.dump(labels, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(interactions)} interactions, "
          f"{sum(len(r['utterances']) for r in interactions)} utterances written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
