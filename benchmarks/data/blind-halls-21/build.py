"""Rebuild interactions.jsonl and labels.json of blind-halls-21 from source.txt.

source.txt is hand-written; this script only parses it and derives the times
(see README.md, "Times"). Run as a script to write the two files next to it.

Source format (one block per interaction):

    === b21-0001
    channel: counter | phone
    hall: ...
    window: ...
    staff: S-....
    start: 2026-09-28T08:24:40+08:00
    rings: 3            (calls only; or ring_seconds: 23.5)
    elderly: yes | no   (citizen speaking rate 3.2-3.6 instead of 3.9-4.7)
    family: <hard-negative family> | breach
    --
    S: staff words
    C{+240}: citizen words after an explicit 240 s wait
    C{ov 0.8}: citizen words starting 0.8 s before the previous utterance ends
    --
    breach: <article> | <quote or empty> | <duty> [| <note, source only>]
    arguable: <article> | <why>
    note: <one line>

Lines starting with '#' are comments.
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-21"
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HERE = Path(__file__).resolve().parent

_UTT = re.compile(r"^([SC])(?:\{(\+|ov )\s*([0-9.]+)\})?:\s*(.+)$")
_ELLIPSIS = re.compile(r"…+|\.{3,}")
_SHORT_PAUSE = set("，、；：,;:")
_LONG_PAUSE = set("。？！?!")


@dataclass
class Utt:
    speaker: str  # "staff" | "citizen"
    text: str
    wait: float = 0.0  # explicit wait before the utterance ({+N})
    overlap: float | None = None  # starts this many seconds before the previous ends ({ov N})


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utts: list = field(default_factory=list)
    breaches: list = field(default_factory=list)  # (article, quote, duty, note)
    arguable: list = field(default_factory=list)  # (article, why)
    note: str = ""


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
            key, _, value = line.partition(":")
            cur.header[key.strip()] = value.strip()
        elif section == 1:
            m = _UTT.match(line)
            if not m:
                raise ValueError(f"line {lineno}: bad utterance {line!r}")
            who, kind, num, words = m.groups()
            u = Utt("staff" if who == "S" else "citizen", words.strip())
            if kind == "+":
                u.wait = float(num)
            elif kind == "ov ":
                u.overlap = float(num)
            cur.utts.append(u)
        else:
            key, _, value = line.partition(":")
            key = key.strip()
            value = value.strip()
            if key == "breach":
                parts = [p.strip() for p in value.split("|")]
                if len(parts) not in (3, 4):
                    raise ValueError(f"line {lineno}: breach needs 3 or 4 fields")
                cur.breaches.append((int(parts[0]), parts[1], parts[2], parts[3] if len(parts) == 4 else ""))
            elif key == "arguable":
                art, _, why = value.partition("|")
                cur.arguable.append((int(art.strip()), why.strip()))
            elif key == "note":
                cur.note = value
            else:
                raise ValueError(f"line {lineno}: unknown label line {line!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch.isalnum())
    d = chars / rate
    body = _ELLIPSIS.sub("", text)
    d += sum(0.15 for ch in body[:-1] if ch in _SHORT_PAUSE)
    d += sum(0.3 for ch in body[:-1] if ch in _LONG_PAUSE)
    for _ in _ELLIPSIS.findall(text):
        d += rng.uniform(1.2, 2.4)
    return max(d, 0.4)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    if h.get("elderly", "no") == "yes":
        citizen_rate = rng.uniform(3.2, 3.6)
    else:
        citizen_rate = rng.uniform(3.9, 4.7)

    rec: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": h["start"],
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rec["rings"] = int(h["rings"])
            pickup = 5 * (rec["rings"] - 1) + rng.uniform(0.3, 0.9)
        else:
            rec["ring_seconds"] = float(h["ring_seconds"])
            pickup = rec["ring_seconds"]
        cursor = pickup + rng.uniform(0.3, 0.8)
    else:
        cursor = rng.uniform(0.5, 1.5)

    utterances = []
    max_end = None
    for _i, u in enumerate(block.utts):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        if u.overlap is not None and utterances:
            prev = utterances[-1]
            start = max(prev["_end"] - u.overlap, prev["_start"] + 0.3)
        elif max_end is None:
            start = cursor + u.wait
        else:
            start = max_end + rng.uniform(0.25, 0.9) + u.wait
        dur = _duration(u.text, rate, rng)
        end = start + dur
        utterances.append({"speaker": u.speaker, "_start": start, "_end": end, "text": u.text})
        max_end = end if max_end is None else max(max_end, end)
    rec["utterances"] = [
        {"speaker": x["speaker"], "start": round(x["_start"], 2), "end": round(x["_end"], 2), "text": x["text"]}
        for x in utterances
    ]

    breach_arts = {b[0] for b in block.breaches}
    arguable_arts = {a for a, _ in block.arguable}
    note = block.note
    if block.arguable:
        note += " Arguable: " + "; ".join(f"Art. {a} ({why})" for a, why in block.arguable) + "."
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d, _ in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breach_arts and a not in arguable_arts],
        "note": note,
    }
    return rec, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    recs, labels = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labels.append(lab)
    return recs, labels


def render(recs: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    lab = json.dumps(labels, ensure_ascii=False, indent=2) + "\n"
    return jsonl, lab


def main() -> int:
    text = (HERE / "source.txt").read_text(encoding="utf-8")
    recs, labels = build_all(text)
    jsonl, lab = render(recs, labels)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    fams: dict[str, int] = {}
    for b in parse(text):
        fams[b.header.get("family", "?")] = fams.get(b.header.get("family", "?"), 0) + 1
    print(f"{len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    print("families:", json.dumps(fams, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
