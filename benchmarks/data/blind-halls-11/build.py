"""Rebuild interactions.jsonl and labels.json of blind-halls-11 from source.txt.

Every utterance, header and label is hand-written in source.txt; this script only
parses it and derives the timestamps (dev README, "Times"):

* a speaking rate per interaction, drawn from ``random.Random("blind-halls-11/<id>")``:
  staff 4.3-5.0 characters/s, citizens 3.9-4.7 (3.2-3.6 for a block marked ``elderly: yes``);
* an utterance lasts (letters, digits and CJK characters) / rate, plus 0.12-0.25 s for each
  comma-like mark, 0.25-0.45 s for each full stop / question / exclamation mark inside it,
  and 1.2-2.4 s for each ellipsis (……, the clerk checking papers);
* turns are separated by 0.25-0.9 s plus any explicit ``{+N}`` wait; ``{ov N}`` starts the
  utterance N s before the turn in progress ended (the latest end so far: someone talking
  over someone else, or a backchannel inside the other's turn);
* counter visits start 0.4-1.5 s after ``started_at``; calls start ringing at ``started_at``
  (ring n starts at 5(n-1) s), the clerk picks up 1.2-3.2 s into the last ring
  (or at ``ring_seconds``) and speaks 0.3-0.8 s later.

Run as a script to write the two files next to this one.
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-11"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
SPEAKERS = {"S": "staff", "C": "citizen", "C2": "citizen"}
HEADER_KEYS = ("channel", "hall", "window", "staff", "started_at", "rings", "ring_seconds",
               "elderly", "family")

_COMMA = set("，、；：,;:")
_STOP = set("。？！?!")
_MARK = re.compile(r"^\{(\+|ov )\s*([0-9.]+)\}\s*")


@dataclass
class Utterance:
    speaker: str          # "staff" | "citizen"
    text: str
    wait: float = 0.0     # explicit wait before the utterance ({+N})
    overlap: float = 0.0  # starts this many seconds before the latest end so far ({ov N})


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
    line: int = 0


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks (one per interaction), in file order."""
    blocks: list[Block] = []
    block: Block | None = None
    section = 0  # 0 header, 1 utterances, 2 labels
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            block = Block(id=line[4:].strip(), line=lineno)
            blocks.append(block)
            section = 0
            continue
        if block is None:
            raise ValueError(f"line {lineno}: text before the first block")
        if line == "--":
            section += 1
            if section > 2:
                raise ValueError(f"line {lineno}: a third '--' in {block.id}")
            continue
        if section == 0:
            key, sep, value = line.partition(":")
            key = key.strip()
            if not sep or key not in HEADER_KEYS:
                raise ValueError(f"line {lineno}: bad header line in {block.id}: {line!r}")
            block.header[key] = value.strip()
        elif section == 1:
            code, sep, rest = line.partition(":")
            if not sep or code not in SPEAKERS:
                raise ValueError(f"line {lineno}: bad utterance line in {block.id}: {line!r}")
            rest = rest.strip()
            wait = overlap = 0.0
            m = _MARK.match(rest)
            if m:
                if m.group(1) == "+":
                    wait = float(m.group(2))
                else:
                    overlap = float(m.group(2))
                rest = rest[m.end():]
            if not rest:
                raise ValueError(f"line {lineno}: empty utterance in {block.id}")
            block.utterances.append(Utterance(SPEAKERS[code], rest, wait, overlap))
        else:
            if line.startswith("breach "):
                parts = [p.strip() for p in line[len("breach "):].split("|")]
                if len(parts) != 3:
                    raise ValueError(f"line {lineno}: breach needs 'article | quote | duty'")
                block.breaches.append(Breach(int(parts[0]), parts[1], parts[2]))
            elif line.startswith("arguable"):
                block.arguable.extend(int(a) for a in line[len("arguable"):].split())
            elif line.startswith("note:"):
                block.note = line[len("note:"):].strip()
            else:
                raise ValueError(f"line {lineno}: bad label line in {block.id}: {line!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch.isalnum())
    seconds = chars / rate
    body = text.rstrip("。？！?!，,…—～~ ")
    for _ in range(body.count("……")):
        seconds += rng.uniform(1.2, 2.4)
    for ch in body:
        if ch in _COMMA:
            seconds += rng.uniform(0.12, 0.25)
        elif ch in _STOP:
            seconds += rng.uniform(0.25, 0.45)
    return max(seconds, 0.3)


def _number(value: str):
    return float(value) if "." in value else int(value)


def build_one(block: Block) -> tuple[dict, dict]:
    """Build the interaction record and the label record of one block."""
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    elderly = h.get("elderly", "").lower() in ("yes", "true", "1")
    citizen_rate = rng.uniform(3.2, 3.6) if elderly else rng.uniform(3.9, 4.7)

    record = {"id": block.id, "channel": h["channel"], "hall": h["hall"], "window": h["window"],
              "staff": h["staff"], "started_at": h["started_at"]}
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            record["rings"] = rings
            pickup = 5 * (rings - 1) + rng.uniform(1.2, 3.2)
        else:
            record["ring_seconds"] = _number(h["ring_seconds"])
            pickup = float(h["ring_seconds"])
        cursor = pickup + rng.uniform(0.3, 0.8)
    else:
        cursor = rng.uniform(0.4, 1.5)

    utterances = []
    latest_end = None
    for i, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        if i == 0:
            start = cursor + u.wait
        elif u.overlap:
            start = latest_end - u.overlap
        else:
            start = latest_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + _duration(u.text, rate, rng)
        start, end = round(start, 2), round(end, 2)
        utterances.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        latest_end = end if latest_end is None else max(latest_end, end)
    record["utterances"] = utterances

    breached = {b.article for b in block.breaches}
    label = {
        "id": block.id,
        "breaches": [{"article": b.article, "speaker": "staff", "quote": b.quote, "duty": b.duty}
                     for b in block.breaches],
        "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
        "note": block.note,
    }
    return record, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def render(interactions: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
    lab = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in labels) + "\n]\n"
    return jsonl, lab


def main(argv: list[str]) -> int:
    text = (HERE / "source.txt").read_text(encoding="utf-8")
    interactions, labels = build_all(text)
    jsonl, lab = render(interactions, labels)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"wrote {len(interactions)} interactions, "
          f"{sum(len(r['utterances']) for r in interactions)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
