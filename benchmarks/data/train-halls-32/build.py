"""Rebuild interactions.jsonl and labels.json of train-halls-32 from source.txt.

source.txt holds every interaction as written by hand; this script only parses
it and computes the utterance times (the dev README's *Times* section), with
the jitter seeded per interaction by ``random.Random("train-halls-32/<id>")``,
so a rebuild gives the same files byte for byte.

Block syntax (one block per interaction, blocks start with ``=== <id>``)::

    === t32-0001
    channel: counter | phone
    hall: ...
    window: ...
    staff: S-....
    start: 2026-11-04 09:12:30          (local time, +08:00)
    rings: 3 | ring_seconds: 11.5       (phone calls only)
    citizen_rate: elderly               (optional: citizen speaks 3.2-3.6 chars/s)
    family: <hard-negative family>      (clean interactions; README counts only)
    S: staff words
    C: {+4} citizen words after an explicit 4 s wait
    C: {ov 0.8} words that start 0.8 s before the previous utterance ends
    breach: <article> | <quote or empty> | <duty>
    arguable: 6, 16
    note: one line

Lines starting with ``#`` are comments.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SET = "train-halls-32"
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

SHORT_PAUSE = set("，、；：,;:")
LONG_PAUSE = set("。？！?!")
NOT_SPOKEN = set("，、；：,;:。？！?!…—“”‘’\"'（）()《》 \u3000~～·")


@dataclass
class Utterance:
    speaker: str  # "staff" | "citizen"
    text: str
    wait: float = 0.0  # explicit extra wait before it, seconds
    overlap: float | None = None  # starts this many seconds before the previous end


@dataclass
class Block:
    id: str
    header: dict[str, str] = field(default_factory=dict)
    utterances: list[Utterance] = field(default_factory=list)
    breaches: list[tuple[int, str, str]] = field(default_factory=list)
    arguable: list[int] = field(default_factory=list)
    note: str = ""
    line: int = 0


_MARK = re.compile(r"^\{(\+|ov )\s*([0-9.]+)\}\s*")
HEADER_KEYS = {"channel", "hall", "window", "staff", "start", "rings", "ring_seconds", "citizen_rate", "family"}


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks (raises ValueError on a malformed line)."""
    blocks: list[Block] = []
    cur: Block | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip(), line=n)
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {n}: text before the first block")
        if line[:2] in ("S:", "C:"):
            speaker = "staff" if line[0] == "S" else "citizen"
            body = line[2:].strip()
            u = Utterance(speaker, "")
            while True:
                m = _MARK.match(body)
                if not m:
                    break
                if m.group(1) == "+":
                    u.wait += float(m.group(2))
                else:
                    u.overlap = float(m.group(2))
                body = body[m.end():]
            if not body or "{" in body or "}" in body:
                raise ValueError(f"line {n}: bad utterance {raw!r}")
            u.text = body
            cur.utterances.append(u)
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"line {n}: no key in {raw!r}")
        key, value = key.strip(), value.strip()
        if key == "breach":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 3:
                raise ValueError(f"line {n}: breach needs article | quote | duty")
            cur.breaches.append((int(parts[0]), parts[1], parts[2]))
        elif key == "arguable":
            cur.arguable = [int(a) for a in re.split(r"[,\s]+", value) if a]
        elif key == "note":
            cur.note = value
        elif key in HEADER_KEYS:
            if cur.utterances:
                raise ValueError(f"line {n}: header key after the utterances")
            cur.header[key] = value
        else:
            raise ValueError(f"line {n}: unknown key {key!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in NOT_SPOKEN)
    d = chars / rate
    body = text.rstrip("，。？！?!")
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "…":
            d += rng.uniform(1.2, 2.4)
            while i < len(body) and body[i] == "…":
                i += 1
            continue
        if ch == "—":
            d += 0.3
            while i < len(body) and body[i] == "—":
                i += 1
            continue
        if ch in SHORT_PAUSE:
            d += rng.uniform(0.1, 0.2)
        elif ch in LONG_PAUSE:
            d += rng.uniform(0.2, 0.35)
        i += 1
    return max(d, 0.3)


def build_one(block: Block) -> tuple[dict, dict]:
    """One interaction record and its label record."""
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    if h.get("citizen_rate") == "elderly":
        citizen_rate = rng.uniform(3.2, 3.6)
    else:
        citizen_rate = rng.uniform(3.9, 4.7)
    date, _, clock = h["start"].partition(" ")
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
            pickup = 5 * (rings - 1) + rng.uniform(0.4, 2.2)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            pickup = secs
        t = pickup + rng.uniform(0.2, 0.5)
    else:
        t = rng.uniform(0.4, 1.5)
    utts = []
    last_end = None
    prev = None
    for u in block.utterances:
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        dur = _duration(u.text, rate, rng)
        if prev is None:
            start = t + u.wait
        elif u.overlap is not None:
            start = prev["end"] - u.overlap
            if start <= prev["start"]:
                raise ValueError(f"{block.id}: overlap {u.overlap} longer than the previous utterance")
        else:
            start = last_end + rng.uniform(0.25, 0.9) + u.wait
        start = round(start, 2)
        end = round(start + dur, 2)
        item = {"speaker": u.speaker, "start": start, "end": end, "text": u.text}
        utts.append(item)
        prev = item
        last_end = end if last_end is None else max(last_end, end)
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
        "note": block.note,
    }
    return rec, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def render(interactions: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
    lab = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jsonl, lab


def main() -> int:
    text = (HERE / "source.txt").read_text(encoding="utf-8")
    interactions, labels = build_all(text)
    jsonl, lab = render(interactions, labels)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"{len(interactions)} interactions, {sum(len(r['utterances']) for r in interactions)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
