"""Rebuild interactions.jsonl and labels.json of train-halls-18 from source.txt.

Every utterance, header field and label is hand-written in source.txt; this script only
parses it and computes the utterance times the way the dev README's *Times* section
describes (characters over a per-interaction speaking rate, punctuation pauses, ellipsis
pauses, gaps between turns, explicit waits and overlaps), with the jitter seeded by
``random.Random("train-halls-18/<id>")`` so that a rebuild gives the same numbers.

Run as a script to write the two files next to this one.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-18"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

SPEAKERS = {"S": "staff", "C": "citizen"}
SHORT_PAUSE = "，、；：,;:"
LONG_PAUSE = "。？！?!"
SILENT = set(SHORT_PAUSE + LONG_PAUSE + "…—“”‘’（）()《》\"' ·.-")
PREFIX = re.compile(r"^\{(\+|ov )\s*([0-9]+(?:\.[0-9]+)?)\}\s*")


@dataclass
class Utterance:
    speaker: str
    text: str
    wait: float = 0.0
    overlap: float = 0.0


@dataclass
class Breach:
    article: int
    quote: str
    duty: str


@dataclass
class Block:
    id: str
    header: dict[str, str]
    utterances: list[Utterance] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)
    arguable: list[int] = field(default_factory=list)
    note: str = ""


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks (header, utterances, labels)."""
    blocks: list[Block] = []
    block: Block | None = None
    section = 0  # 0 header, 1 utterances, 2 labels
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("== "):
            block = Block(id=line[3:].strip(), header={})
            blocks.append(block)
            section = 0
            continue
        if block is None:
            raise ValueError(f"line {lineno}: text outside a block")
        if line == "--":
            section += 1
            if section > 2:
                raise ValueError(f"line {lineno}: too many '--' in {block.id}")
            continue
        if section == 0:
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"line {lineno}: header line without ':'")
            block.header[key.strip()] = value.strip()
        elif section == 1:
            tag, sep, rest = line.partition(":")
            if not sep or tag not in SPEAKERS:
                raise ValueError(f"line {lineno}: utterance must start with S: or C:")
            rest = rest.strip()
            utt = Utterance(SPEAKERS[tag], rest)
            m = PREFIX.match(rest)
            if m:
                if m.group(1) == "+":
                    utt.wait = float(m.group(2))
                else:
                    utt.overlap = float(m.group(2))
                utt.text = rest[m.end() :]
            if not utt.text:
                raise ValueError(f"line {lineno}: empty utterance")
            block.utterances.append(utt)
        else:
            tag, sep, rest = line.partition(":")
            rest = rest.strip()
            if tag == "B":
                parts = [p.strip() for p in rest.split("|")]
                if len(parts) != 3:
                    raise ValueError(f"line {lineno}: breach needs 'article | quote | duty'")
                block.breaches.append(Breach(int(parts[0]), parts[1], parts[2]))
            elif tag == "A":
                block.arguable.extend(int(a) for a in rest.replace(" ", "").split(",") if a)
            elif tag == "N":
                block.note = rest
            else:
                raise ValueError(f"line {lineno}: label line must start with B:, A: or N:")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in SILENT and not ch.isspace())
    seconds = chars / rate
    body = text.rstrip(SHORT_PAUSE + LONG_PAUSE)
    for m in re.finditer(r"…+|—+|[" + re.escape(SHORT_PAUSE + LONG_PAUSE) + "]", body):
        tok = m.group(0)
        if tok[0] == "…":
            seconds += rng.uniform(1.2, 2.4)
        elif tok[0] == "—":
            seconds += rng.uniform(0.2, 0.4)
        elif tok in SHORT_PAUSE:
            seconds += rng.uniform(0.15, 0.3)
        else:
            seconds += rng.uniform(0.3, 0.5)
    return seconds


def build_one(block: Block) -> tuple[dict, dict]:
    """Return the interaction record and the label record of one block."""
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    elderly = h.get("elderly") == "yes"
    citizen_rate = rng.uniform(3.2, 3.6) if elderly else rng.uniform(3.9, 4.7)

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
            rec["rings"] = int(h["rings"])
            pickup = 5 * (rec["rings"] - 1) + rng.uniform(0.3, 0.9)
        else:
            rec["ring_seconds"] = float(h["ring_seconds"])
            pickup = rec["ring_seconds"]
        t = pickup + rng.uniform(0.2, 0.5)
    else:
        t = rng.uniform(0.8, 2.0)

    utterances = []
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
        utterances.append(
            {"speaker": u.speaker, "start": round(start, 2), "end": round(end, 2), "text": u.text}
        )
        prev_end = end
    rec["utterances"] = utterances

    breached = {b.article for b in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    label = {
        "id": block.id,
        "breaches": [
            {"article": b.article, "speaker": "staff", "quote": b.quote, "duty": b.duty}
            for b in block.breaches
        ],
        "clean_articles": clean,
        "note": block.note,
    }
    return rec, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def dump_interactions(interactions: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)


def dump_labels(labels: list[dict]) -> str:
    return json.dumps(labels, ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    interactions, labels = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    (HERE / "interactions.jsonl").write_text(dump_interactions(interactions), encoding="utf-8")
    (HERE / "labels.json").write_text(dump_labels(labels), encoding="utf-8")
    print(
        f"wrote {len(interactions)} interactions, "
        f"{sum(len(r['utterances']) for r in interactions)} utterances"
    )


if __name__ == "__main__":
    main()
