"""Rebuild interactions.jsonl and labels.json of blind-halls-20 from source.txt.

The text, the metadata and the labels are all hand-written in source.txt; this script only
parses them and computes the utterance times (see README.md, *Times*), with jitter seeded
per interaction by ``random.Random("blind-halls-20/<id>")``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-20"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

_TURN = re.compile(r"^(S|C)(?:\s*\{(\+|ov\s*)([0-9.]+)\})?\s*:\s*(.+)$")
_PUNCT_SHORT = "，、；：,;:"
_PUNCT_LONG = "。！？!?"
_NOT_SPOKEN = set("，、；：,;:。！？!?…—“”‘’《》（）()「」·.- ")


@dataclass
class Turn:
    speaker: str
    text: str
    wait: float = 0.0
    overlap: float = 0.0


@dataclass
class Block:
    id: str
    meta: dict = field(default_factory=dict)
    turns: list = field(default_factory=list)
    breaches: list = field(default_factory=list)
    arguable: dict = field(default_factory=dict)
    note: str = ""


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("==="):
            cur = Block(id=line[3:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        m = _TURN.match(line)
        if m:
            sp, kind, num, body = m.groups()
            turn = Turn("staff" if sp == "S" else "citizen", body.strip())
            if kind == "+":
                turn.wait = float(num)
            elif kind:
                turn.overlap = float(num)
            cur.turns.append(turn)
            continue
        if line.startswith("!"):
            parts = [p.strip() for p in line[1:].split("|")]
            if len(parts) != 3:
                raise ValueError(f"line {lineno}: breach needs 'article | quote | duty'")
            cur.breaches.append({"article": int(parts[0]), "speaker": "staff",
                                 "quote": parts[1], "duty": parts[2]})
            continue
        if line.startswith("?"):
            art, _, why = line[1:].partition("|")
            cur.arguable[int(art.strip())] = why.strip()
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"line {lineno}: cannot read {line!r}")
        key = key.strip()
        if key == "note":
            cur.note = value.strip()
        else:
            cur.meta[key] = value.strip()
    return blocks


def _spoken_seconds(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in _NOT_SPOKEN)
    secs = chars / rate
    body = text.rstrip("。！？!?…")
    secs += sum(rng.uniform(0.12, 0.25) for ch in body if ch in _PUNCT_SHORT)
    secs += sum(rng.uniform(0.25, 0.45) for ch in body if ch in _PUNCT_LONG)
    secs += sum(rng.uniform(1.2, 2.4) for _ in re.finditer(r"…+", text))
    return secs


def build_one(block: Block) -> tuple[dict, dict]:
    rng = random.Random(f"{SET}/{block.id}")
    meta = block.meta
    staff_rate = rng.uniform(4.3, 5.0)
    if meta.get("citizen") == "elderly":
        citizen_rate = rng.uniform(3.2, 3.6)
    else:
        citizen_rate = rng.uniform(3.9, 4.7)
    channel = meta["channel"]
    rec: dict = {"id": block.id, "channel": channel, "hall": meta["hall"],
                 "window": meta["window"], "staff": meta["staff"],
                 "started_at": meta["start"] + "+08:00"}
    if channel == "phone":
        if "ring_seconds" in meta:
            ring_s = float(meta["ring_seconds"])
            rec["ring_seconds"] = ring_s
            pickup = ring_s
        else:
            rings = int(meta["rings"])
            rec["rings"] = rings
            pickup = 5 * (rings - 1) + rng.uniform(0.4, 1.6)
        t = pickup + rng.uniform(0.3, 0.6)
    else:
        t = rng.uniform(0.5, 1.5)
    utts = []
    prev_start = prev_end = None
    for i, turn in enumerate(block.turns):
        rate = staff_rate if turn.speaker == "staff" else citizen_rate
        dur = _spoken_seconds(turn.text, rate, rng)
        if i == 0:
            start = t + turn.wait
        elif turn.overlap:
            start = prev_end - turn.overlap
            if start <= prev_start:
                raise ValueError(f"{block.id}: overlap {turn.overlap} reaches before the previous start")
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + turn.wait
        end = start + dur
        utts.append({"speaker": turn.speaker, "start": round(start, 2), "end": round(end, 2),
                     "text": turn.text})
        prev_start, prev_end = start, end
    rec["utterances"] = utts
    breached = {b["article"] for b in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    label = {"id": block.id, "breaches": [dict(b) for b in block.breaches],
             "clean_articles": clean, "note": block.note}
    return rec, label


def build(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def render(interactions: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
    labels_text = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jsonl, labels_text


def main() -> int:
    text = (HERE / "source.txt").read_text(encoding="utf-8")
    jsonl, labels_text = render(*build(text))
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels_text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
