"""Rebuild interactions.jsonl and labels.json of train-halls-16 from source.txt.

Every utterance, header field and label is hand-written in source.txt; this script only
parses it and derives the timestamps (as in the dev README's *Times* section), with the
jitter seeded per interaction by ``random.Random("train-halls-16/<id>")``.

source.txt format (one block per interaction)::

    === t16-0001
    channel: counter | phone
    hall: ...
    window: ...
    staff: S-....
    started_at: 2026-11-04T09:12:00+08:00
    rings: 2                 (phone, or ring_seconds: 21.5)
    citizen: elderly         (optional: elderly speaking rate for the citizen side)
    family: plain            (clean interactions: the hard-negative family; not emitted)
    --
    S: text                  (S = staff, C = citizen)
    C: {+6} text             ({+N}: an explicit extra wait of N s before the utterance)
    S: {ov 0.8} text         ({ov N}: starts N s before the previous utterance ended)
    --
    breach: 9 | quote | duty (quote may be empty for an absence)
    arguable: 6, 17          (optional: articles left unscored)
    note: one line

Lines starting with '#' are comments.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-16"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

_WAIT = re.compile(r"^\{\+(\d+(?:\.\d+)?)\}\s*")
_OV = re.compile(r"^\{ov (\d+(?:\.\d+)?)\}\s*")
_SPOKEN = re.compile(r"[\u3400-\u9fffA-Za-z0-9]")


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
    family: str | None = None


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
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
            raise ValueError(f"line {lineno}: text outside a block")
        if line == "--":
            section += 1
            continue
        if section == 0:
            key, _, val = line.partition(":")
            key, val = key.strip(), val.strip()
            if key == "family":
                cur.family = val
            else:
                cur.header[key] = val
        elif section == 1:
            who, sep, rest = line.partition(":")
            if not sep or who not in ("S", "C"):
                raise ValueError(f"line {lineno}: bad utterance {line!r}")
            rest = rest.strip()
            wait = overlap = 0.0
            m = _WAIT.match(rest)
            if m:
                wait = float(m.group(1))
                rest = rest[m.end():]
            m = _OV.match(rest)
            if m:
                overlap = float(m.group(1))
                rest = rest[m.end():]
            cur.utterances.append(
                Utt("staff" if who == "S" else "citizen", rest.strip(), wait, overlap))
        else:
            key, _, val = line.partition(":")
            key, val = key.strip(), val.strip()
            if key == "breach":
                parts = [p.strip() for p in val.split("|")]
                if len(parts) != 3:
                    raise ValueError(f"line {lineno}: breach needs 'article | quote | duty'")
                cur.breaches.append((int(parts[0]), parts[1], parts[2]))
            elif key == "arguable":
                cur.arguable = [int(x) for x in val.replace(",", " ").split()]
            elif key == "note":
                cur.note = val
            else:
                raise ValueError(f"line {lineno}: unknown label line {line!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    t = len(_SPOKEN.findall(text)) / rate
    rest = text
    for _ in range(rest.count("……")):
        t += rng.uniform(1.2, 2.4)
    rest = rest.replace("……", "")
    body = rest.rstrip("。？！?!~～")
    for ch in body:
        if ch in "，、；：,;:—":
            t += rng.uniform(0.1, 0.22)
        elif ch in "。？！?!":
            t += rng.uniform(0.25, 0.45)
    return max(t, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    rng = random.Random(f"{SET}/{block.id}")
    h = block.header
    staff_rate = rng.uniform(4.3, 5.0)
    elderly = h.get("citizen") == "elderly"
    citizen_rate = rng.uniform(3.2, 3.6) if elderly else rng.uniform(3.9, 4.7)
    rec: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": h["started_at"],
    }
    if "rings" in h:
        rec["rings"] = int(h["rings"])
        pickup = 5 * (rec["rings"] - 1) + rng.uniform(0.3, 1.1)
        t = pickup + rng.uniform(0.2, 0.5)
    elif "ring_seconds" in h:
        rs = float(h["ring_seconds"])
        rec["ring_seconds"] = int(rs) if rs == int(rs) else rs
        t = rs + rng.uniform(0.2, 0.5)
    else:
        t = rng.uniform(0.6, 2.0)
    utts = []
    prev_end = None
    prev_start = None
    for i, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        if i == 0:
            start = t + u.wait
        elif u.overlap:
            start = max(prev_end - u.overlap, prev_start + 0.3)
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + _duration(u.text, rate, rng)
        start, end = round(start, 2), round(end, 2)
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start = start
        prev_end = end if prev_end is None or not u.overlap else max(prev_end, end)
    rec["utterances"] = utts
    arts = {a for a, _, _ in block.breaches}
    clean = [a for a in SCORED if a not in arts and a not in block.arguable]
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d}
            for a, q, d in block.breaches
        ],
        "clean_articles": clean,
        "note": block.note,
    }
    return rec, label


def main() -> int:
    blocks = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    recs, labels = zip(*(build_one(b) for b in blocks), strict=True) if blocks else ((), ())
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as f:
        for r in recs:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(HERE / "labels.json", "w", encoding="utf-8") as f:
        json.dump(list(labels), f, ensure_ascii=False, indent=2)
        f.write("\n")
    fams: dict[str, int] = {}
    for b in blocks:
        if not b.breaches:
            fams[b.family or "?"] = fams.get(b.family or "?", 0) + 1
    print(f"{len(recs)} interactions written; clean families: {dict(sorted(fams.items()))}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
