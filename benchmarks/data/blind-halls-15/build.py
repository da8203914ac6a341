"""Rebuild interactions.jsonl and labels.json of blind-halls-15 from source.txt.

Every utterance, header field and label is hand-written in source.txt; this script only
parses it and computes the utterance times the way the dev README's *Times* section
describes (characters / a speaking rate drawn per interaction, pauses for punctuation and
ellipses, short gaps between turns, explicit waits and overlaps).  The jitter comes from
``random.Random("blind-halls-15/<id>")`` so a rebuild gives the same numbers.

Usage:  python build.py          (writes the two files next to this script)
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-15"
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HERE = Path(__file__).resolve().parent

HEADER_KEYS = ("channel", "hall", "window", "staff", "started_at", "rings", "ring_seconds", "elderly", "family")
SPEAKERS = {"S": "staff", "C": "citizen"}

# pauses (seconds) added to the speaking time of an utterance
COMMA_PAUSE = 0.18  # ， 、
STOP_PAUSE = 0.32  # 。？！；：  (not at the very end)
DASH_PAUSE = 0.35  # —— drawn-out words
ELLIPSIS = (1.2, 2.4)  # …… the clerk checking papers, hesitation
GAP = (0.25, 0.9)  # between turns
PUNCT = set("，、。？！；：…—“”‘’（）《》,.?!;:\"'()- ")


@dataclass
class Utterance:
    speaker: str
    text: str
    wait: float | None = None  # {+N}
    overlap: float | None = None  # {ov N}


@dataclass
class Breach:
    article: int
    quote: str
    duty: str


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)
    arguable: list = field(default_factory=list)
    note: str = ""


_UTT = re.compile(r"^([SC]):\s*(?:\{(\+|ov )\s*([0-9.]+)\}\s*)?(.+?)\s*$")


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks, in file order."""
    blocks: list[Block] = []
    cur: Block | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#") and not line.startswith("### "):
            continue
        if line.startswith("### "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: content before the first block")
        m = _UTT.match(line)
        if m:
            sp, kind, num, body = m.groups()
            u = Utterance(SPEAKERS[sp], body)
            if kind == "+":
                u.wait = float(num)
            elif kind:
                u.overlap = float(num)
            cur.utterances.append(u)
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"line {lineno}: cannot read {line!r}")
        key, value = key.strip(), value.strip()
        if key == "breach":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 3:
                raise ValueError(f"line {lineno}: breach needs article | quote | duty")
            cur.breaches.append(Breach(int(parts[0]), parts[1], parts[2]))
        elif key == "arguable":
            cur.arguable = [int(a) for a in value.replace(" ", "").split(",") if a]
        elif key == "note":
            cur.note = value
        elif key in HEADER_KEYS:
            if cur.utterances or cur.breaches:
                raise ValueError(f"line {lineno}: header key {key} after utterances")
            cur.header[key] = value
        else:
            raise ValueError(f"line {lineno}: unknown key {key!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in PUNCT)
    dur = chars / rate
    body = text.rstrip("。？！…—”")
    dur += COMMA_PAUSE * sum(body.count(p) for p in "，、")
    dur += STOP_PAUSE * sum(body.count(p) for p in "。？！；：")
    dur += DASH_PAUSE * body.count("——")
    for _ in range(text.count("……")):
        dur += rng.uniform(*ELLIPSIS)
    return max(dur, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    """Return (interaction record, label record) for one block."""
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
        "started_at": h["started_at"],
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            first = 5 * (rings - 1) + rng.uniform(0.6, 1.8)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            first = secs + rng.uniform(0.3, 0.8)
    else:
        first = rng.uniform(0.4, 1.5)

    utts = []
    prev_start = None
    prev_end = None
    for u in block.utterances:
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        dur = _duration(u.text, rate, rng)
        if prev_end is None:
            start = first + (u.wait or 0.0)
        elif u.overlap is not None:
            start = max(prev_end - u.overlap, prev_start + 0.2)
        elif u.wait is not None:
            start = prev_end + u.wait
        else:
            start = prev_end + rng.uniform(*GAP)
        end = start + dur
        utts.append({"speaker": u.speaker, "start": round(start, 2), "end": round(end, 2), "text": u.text})
        prev_start = start
        prev_end = end if prev_end is None else max(prev_end, end)
    rec["utterances"] = utts

    breached = {b.article for b in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in set(block.arguable)]
    label = {
        "id": block.id,
        "breaches": [
            {"article": b.article, "speaker": "staff", "quote": b.quote, "duty": b.duty} for b in block.breaches
        ],
        "clean_articles": clean,
        "note": block.note,
    }
    return rec, label


def render(blocks: list[Block]) -> tuple[str, str]:
    """The exact text of interactions.jsonl and labels.json."""
    recs, labels = zip(*(build_one(b) for b in blocks), strict=False)
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    lab = json.dumps(list(labels), ensure_ascii=False, indent=1) + "\n"
    return jsonl, lab


def main(argv: list[str] | None = None) -> int:
    blocks = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, lab = render(blocks)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"wrote {len(blocks)} interactions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
