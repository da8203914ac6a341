"""Rebuild interactions.jsonl and labels.json of train-halls-27 from source.txt.

Every utterance, header field and label is hand-written in source.txt; this script only
parses it and derives the utterance times, as the dev README's Times section describes:
characters divided by a speaking rate drawn per interaction (staff 4.3-5.0 characters/s,
citizens 3.9-4.7, elderly citizens 3.2-3.6), short pauses for punctuation, 1.2-2.4 s for an
ellipsis, gaps of 0.25-0.9 s between turns, and the explicit waits ``{+N}`` (N seconds of
silence before the utterance, instead of the gap) and overlaps ``{ov N}`` (the utterance
starts N seconds before the previous one ends) written in the source. The jitter comes
from ``random.Random("train-halls-27/<id>")``, so a rebuild gives the same numbers.

For calls ``started_at`` is when the phone began to ring; ring n starts at 5(n-1) s, the
pick-up falls inside the last ring (``rings``) or at ``ring_seconds``, and the first words
follow it.

Run as a script to write interactions.jsonl and labels.json next to this file.
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-27"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

SPEAKERS = {"S": "staff", "C": "citizen"}
SHORT_PAUSE = set("，、；：,;:")
LONG_PAUSE = set("。？！?!")
NO_CHAR = set("，、；：,;:。？！?!…—-“”‘’\"'（）()《》 \u3000·~～")


@dataclass
class Utterance:
    speaker: str
    text: str
    wait: float | None = None   # {+N}
    overlap: float | None = None  # {ov N}


@dataclass
class Block:
    id: str
    header: dict[str, str]
    utterances: list[Utterance] = field(default_factory=list)
    breaches: list[tuple[int, str, str]] = field(default_factory=list)  # (article, quote, duty)
    arguable: list[int] = field(default_factory=list)
    note: str = ""


_MARK = re.compile(r"^\{(\+|ov )([0-9.]+)\}\s*")


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks, one per interaction, in file order."""
    blocks: list[Block] = []
    cur: Block | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("### "):
            cur = Block(id=line[4:].strip(), header={})
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first ### header")
        m = re.match(r"^([SC]):\s*(.*)$", line)
        if m:
            body = m.group(2)
            utt = Utterance(SPEAKERS[m.group(1)], body)
            mk = _MARK.match(body)
            if mk:
                if mk.group(1) == "+":
                    utt.wait = float(mk.group(2))
                else:
                    utt.overlap = float(mk.group(2))
                utt.text = body[mk.end():]
            if not utt.text:
                raise ValueError(f"line {lineno}: empty utterance")
            cur.utterances.append(utt)
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"line {lineno}: cannot parse {line!r}")
        key, value = key.strip(), value.strip()
        if key == "breach":
            parts = [p.strip() for p in value.split(" | ")]
            if len(parts) != 3:
                raise ValueError(f"line {lineno}: breach needs article | quote | duty")
            quote = "" if parts[1] == '""' else parts[1]
            cur.breaches.append((int(parts[0]), quote, parts[2]))
        elif key == "arguable":
            cur.arguable = [int(a) for a in value.split(",") if a.strip()]
        elif key == "note":
            cur.note = value
        else:
            cur.header[key] = value
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = 0
    pauses = 0.0
    # pauses only inside the utterance: trailing punctuation adds nothing
    body = text.rstrip("".join(NO_CHAR))
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "…":
            while i < len(body) and body[i] == "…":
                i += 1
            pauses += rng.uniform(1.2, 2.4)
            continue
        if ch in SHORT_PAUSE:
            pauses += rng.uniform(0.12, 0.3)
        elif ch in LONG_PAUSE:
            pauses += rng.uniform(0.25, 0.5)
        elif ch not in NO_CHAR:
            chars += 1
        i += 1
    return max(chars, 1) / rate + pauses


def _pickup(block: Block, rng: random.Random) -> float:
    h = block.header
    if "ring_seconds" in h:
        return float(h["ring_seconds"])
    n = int(h["rings"])
    return 5 * (n - 1) + rng.uniform(0.4, 0.9)


def build_one(block: Block) -> tuple[dict, dict]:
    """Interaction record and label record of one block."""
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    if h.get("elderly", "no") == "yes":
        citizen_rate = rng.uniform(3.2, 3.6)
    else:
        citizen_rate = rng.uniform(3.9, 4.7)
    phone = h["channel"] == "phone"
    t = _pickup(block, rng) + rng.uniform(0.3, 0.8) if phone else rng.uniform(0.5, 2.0)
    utts = []
    last_end = 0.0
    prev: dict | None = None
    for k, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        dur = _duration(u.text, rate, rng)
        if k == 0:
            start = t if u.wait is None else t + u.wait
        elif u.overlap is not None:
            start = prev["end"] - u.overlap
            if start <= prev["start"]:
                raise ValueError(f"{block.id}: overlap {u.overlap} longer than the previous utterance")
        elif u.wait is not None:
            start = last_end + u.wait
        else:
            start = last_end + rng.uniform(0.25, 0.9)
        start = round(start, 2)
        end = round(start + dur, 2)
        rec = {"speaker": u.speaker, "start": start, "end": end, "text": u.text}
        utts.append(rec)
        prev = rec
        last_end = max(last_end, end)
    started = h["start"].replace(" ", "T") + "+08:00"
    inter = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": started,
    }
    if phone:
        if "ring_seconds" in h:
            inter["ring_seconds"] = float(h["ring_seconds"])
        else:
            inter["rings"] = int(h["rings"])
    inter["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
        "note": block.note,
    }
    return inter, label


def render(blocks: list[Block]) -> tuple[str, str]:
    """The text of interactions.jsonl and labels.json."""
    inters, labels = zip(*(build_one(b) for b in blocks), strict=False)
    jsonl = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in inters)
    lab = "[\n" + ",\n".join(json.dumps(x, ensure_ascii=False) for x in labels) + "\n]\n"
    return jsonl, lab


def main() -> int:
    blocks = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, lab = render(blocks)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"wrote {len(blocks)} interactions", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
