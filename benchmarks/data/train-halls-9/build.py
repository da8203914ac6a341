"""Rebuild ``interactions.jsonl`` and ``labels.json`` of train-halls-9 from ``source.txt``.

Every utterance, header field and label is written by hand in ``source.txt``;
this script only parses it and derives the timestamps the way the dev set's
README (*Times*) describes: characters divided by a speaking rate drawn per
interaction (staff 4.3-5.0 chars/s, citizens 3.9-4.7, elderly citizens
3.2-3.6), short pauses for punctuation, 1.2-2.4 s per ellipsis, gaps of
0.25-0.9 s between turns, explicit waits ``{+N}`` and overlaps ``{ov N}``.
The jitter comes from ``random.Random("train-halls-9/<id>")``, so a rebuild
gives the same numbers.

Usage: python build.py   (writes the two files next to this script)
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-9"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

SHORT_PAUSE = set("，、；：,;:")
LONG_PAUSE = set("。？！?!")
SILENT = set("“”‘’《》（）()「」—-·\"' ")

_UTT = re.compile(r"^(S|C)\s*(?:\{\s*(\+|ov)\s*([0-9]+(?:\.[0-9]+)?)\s*\})?\s*:\s*(.+)$")
_BREACH = re.compile(r"^breach\s+(\d+)\s*\|(.*)\|(.*)$")
_ARGUABLE = re.compile(r"^arguable\s+(\d+)\s*\|(.*)$")


@dataclass
class Utterance:
    speaker: str  # "staff" | "citizen"
    text: str
    wait: float = 0.0  # extra silence before this utterance
    overlap: float = 0.0  # starts this many seconds before the previous one ends


@dataclass
class Block:
    id: str
    header: dict[str, str]
    utterances: list[Utterance] = field(default_factory=list)
    breaches: list[dict] = field(default_factory=list)
    arguable: dict[int, str] = field(default_factory=dict)
    line: int = 0


def parse(text: str) -> list[Block]:
    """Parse ``source.txt`` into blocks: header, utterances, labels."""
    blocks: list[Block] = []
    cur: Block | None = None
    section = 0  # 0 header, 1 utterances, 2 labels
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip(), header={}, line=n)
            blocks.append(cur)
            section = 0
            continue
        if cur is None:
            raise ValueError(f"line {n}: text before the first block")
        if line == "---":
            section += 1
            if section > 2:
                raise ValueError(f"line {n}: too many sections in {cur.id}")
            continue
        if section == 0:
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"line {n}: header line without ':' in {cur.id}")
            cur.header[key.strip()] = value.strip()
        elif section == 1:
            m = _UTT.match(line)
            if not m:
                raise ValueError(f"line {n}: bad utterance line in {cur.id}: {line!r}")
            who, kind, num, body = m.groups()
            u = Utterance("staff" if who == "S" else "citizen", body.strip())
            if kind == "+":
                u.wait = float(num)
            elif kind == "ov":
                u.overlap = float(num)
            cur.utterances.append(u)
        else:
            m = _BREACH.match(line)
            if m:
                cur.breaches.append(
                    {
                        "article": int(m.group(1)),
                        "speaker": "staff",
                        "quote": m.group(2).strip(),
                        "duty": m.group(3).strip(),
                    }
                )
                continue
            m = _ARGUABLE.match(line)
            if m:
                cur.arguable[int(m.group(1))] = m.group(2).strip()
                continue
            raise ValueError(f"line {n}: bad label line in {cur.id}: {line!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = 0
    pause = 0.0
    i = 0
    last = len(text) - 1
    while i <= last:
        ch = text[i]
        if ch == "…":
            j = i
            while j <= last and text[j] == "…":
                j += 1
            pause += rng.uniform(1.2, 2.4)
            i = j
            continue
        if ch in SHORT_PAUSE:
            if i != last:
                pause += rng.uniform(0.12, 0.25)
        elif ch in LONG_PAUSE:
            if i != last:
                pause += rng.uniform(0.25, 0.45)
        elif ch not in SILENT:
            chars += 1
        i += 1
    return max(0.4, chars / rate + pause)


def build_one(block: Block) -> tuple[dict, dict]:
    """One interaction record and its label record."""
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
            pickup = 5 * (rings - 1) + rng.uniform(0.8, 2.2)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            pickup = secs
        first = pickup + rng.uniform(0.2, 0.5)
    else:
        first = rng.uniform(0.4, 1.2)

    utts = []
    last_end = 0.0
    prev_start = prev_end = None
    for k, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        dur = _duration(u.text, rate, rng)
        if k == 0:
            start = first + u.wait
        elif u.overlap:
            start = prev_end - u.overlap
            if start <= prev_start:
                raise ValueError(f"{block.id}: overlap {u.overlap} longer than the previous utterance")
        else:
            start = last_end + rng.uniform(0.25, 0.9) + u.wait
        start = round(start, 2)
        end = round(start + dur, 2)
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start, prev_end = start, end
        last_end = max(last_end, end)
    rec["utterances"] = utts

    breached = {b["article"] for b in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    label = {
        "id": block.id,
        "breaches": [dict(b) for b in block.breaches],
        "clean_articles": clean,
        "note": h.get("note", ""),
    }
    return rec, label


def build(source: Path = HERE / "source.txt") -> tuple[list[dict], list[dict]]:
    blocks = parse(source.read_text(encoding="utf-8"))
    pairs = [build_one(b) for b in blocks]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def dump_interactions(recs: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)


def dump_labels(labels: list[dict]) -> str:
    return json.dumps(labels, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    recs, labels = build()
    (HERE / "interactions.jsonl").write_text(dump_interactions(recs), encoding="utf-8")
    (HERE / "labels.json").write_text(dump_labels(labels), encoding="utf-8")
    print(f"wrote {len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
