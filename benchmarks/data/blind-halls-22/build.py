"""Rebuild interactions.jsonl and labels.json of blind-halls-22 from source.txt.

Only the times are computed here; every text, header and label comes from source.txt as written by hand.
Times follow the dev README (Times): characters over a speaking rate drawn per interaction (staff 4.3-5.0,
citizens 3.9-4.7, elderly citizens 3.2-3.6 characters/s), short pauses for punctuation, 1.2-2.4 s per
ellipsis, 0.25-0.9 s between turns, explicit waits `{+N}` and overlaps `{ov N}`.  The jitter comes from
random.Random("blind-halls-22/<id>"), so a rebuild gives the same numbers.

    python build.py        # writes interactions.jsonl and labels.json next to this file
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-22"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HEADER_KEYS = ("channel", "hall", "window", "staff", "started_at", "rings", "ring_seconds", "elderly")

_UTT = re.compile(r"^([SC]):\s*(?:\{(\+|ov )\s*([0-9.]+)\}\s*)?(.*)$")
_PUNCT_SHORT = "，、；：,;:"
_PUNCT_LONG = "。？！?!"
_NOT_SPOKEN = set(_PUNCT_SHORT + _PUNCT_LONG + "…“”‘’\"'（）()《》 .-—")


@dataclass
class Utt:
    speaker: str  # "staff" | "citizen"
    text: str
    wait: float = 0.0  # explicit silence before it
    overlap: float | None = None  # starts this many seconds before the previous utterance ended


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)  # (article, quote, duty)
    arguable: list = field(default_factory=list)
    note: str = ""


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks (header, utterances, labels)."""
    blocks: list[Block] = []
    cur: Block | None = None
    section = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("== "):
            cur = Block(id=line[3:].strip())
            blocks.append(cur)
            section = 0
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text outside a block")
        if line == "--":
            section += 1
            if section > 2:
                raise ValueError(f"line {lineno}: too many sections in {cur.id}")
            continue
        if section == 0:
            key, sep, value = line.partition(":")
            key = key.strip()
            if not sep or key not in HEADER_KEYS:
                raise ValueError(f"line {lineno}: bad header line in {cur.id}: {line}")
            cur.header[key] = value.strip()
        elif section == 1:
            m = _UTT.match(line)
            if not m:
                raise ValueError(f"line {lineno}: bad utterance in {cur.id}: {line}")
            who, kind, num, body = m.groups()
            u = Utt(speaker="staff" if who == "S" else "citizen", text=body.strip())
            if kind == "+":
                u.wait = float(num)
            elif kind == "ov ":
                u.overlap = float(num)
            if not u.text:
                raise ValueError(f"line {lineno}: empty utterance in {cur.id}")
            cur.utterances.append(u)
        else:
            key, _, value = line.partition(":")
            key, value = key.strip(), value.strip()
            if key == "breach":
                parts = [p.strip() for p in value.split("|")]
                if len(parts) != 3:
                    raise ValueError(f"line {lineno}: breach needs 'article | quote | duty' in {cur.id}")
                cur.breaches.append((int(parts[0]), parts[1], parts[2]))
            elif key == "arguable":
                cur.arguable.extend(int(a) for a in value.split())
            elif key == "note":
                cur.note = value
            else:
                raise ValueError(f"line {lineno}: bad label line in {cur.id}: {line}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    spoken = sum(1 for ch in text if ch not in _NOT_SPOKEN)
    d = spoken / rate
    body = text.rstrip(_PUNCT_LONG + "…")
    for ch in body:
        if ch in _PUNCT_SHORT:
            d += rng.uniform(0.12, 0.3)
        elif ch in _PUNCT_LONG:
            d += rng.uniform(0.25, 0.5)
    ellipses = text.count("……")
    for _ in range(ellipses):
        d += rng.uniform(1.2, 2.4)
    return max(d, 0.4)


def build_one(block: Block) -> tuple[dict, dict]:
    """One interaction record and its label record."""
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("elderly") == "yes" else rng.uniform(3.9, 4.7)

    rec: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": h["started_at"],
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            pickup = 5 * (rings - 1) + rng.uniform(0.8, 3.2)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = int(secs) if secs == int(secs) else secs
            pickup = secs
        t = pickup + rng.uniform(0.3, 0.8)
    else:
        t = rng.uniform(0.6, 2.0)

    utts = []
    prev_start = prev_end = None
    frontier = 0.0
    for i, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        if i == 0:
            start = t + u.wait
        elif u.overlap is not None:
            start = max(prev_end - u.overlap, prev_start + 0.3)
        else:
            start = frontier + rng.uniform(0.25, 0.9) + u.wait
        end = start + _duration(u.text, rate, rng)
        start, end = round(start, 2), round(end, 2)
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start, prev_end = start, end
        frontier = max(frontier, end)
    rec["utterances"] = utts

    breached = [a for a, _, _ in block.breaches]
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches
        ],
        "clean_articles": clean,
        "note": block.note,
    }
    return rec, label


def build(source: Path = HERE / "source.txt") -> tuple[list[dict], list[dict]]:
    blocks = parse(source.read_text(encoding="utf-8"))
    pairs = [build_one(b) for b in blocks]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def render(interactions: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
    lab = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jsonl, lab


def main() -> None:
    interactions, labels = build()
    jsonl, lab = render(interactions, labels)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"wrote {len(interactions)} interactions, {sum(len(r['utterances']) for r in interactions)} utterances")


if __name__ == "__main__":
    main()
