"""Rebuild interactions.jsonl and labels.json of train-halls-10 from source.txt.

Every utterance, header and label is hand-written in source.txt; this script only parses it and derives the
times as the dev README's *Times* section describes: characters divided by a speaking rate drawn per interaction
(staff 4.3-5.0 characters/s, citizens 3.9-4.7, slow elderly speakers 3.2-3.6), short pauses for punctuation,
1.2-2.4 s for each ellipsis, 0.25-0.9 s between turns, plus the explicit waits ``{+N}`` and overlaps ``{ov N}``
written in the source.  The jitter comes from ``random.Random("train-halls-10/<id>")``, so a rebuild gives the
same numbers.  Run as a script to write the two files next to this one.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-10"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

SHORT_PAUSE = "，、"
LONG_PAUSE = "。？！；："
ELLIPSIS = "……"

_UTTERANCE = re.compile(
    r"^(?:\{(?P<kind>\+|ov )(?P<secs>\d+(?:\.\d+)?)\}\s*)?(?P<tag>S|C|C2):\s*(?P<text>.+)$"
)


@dataclass
class Utterance:
    tag: str
    text: str
    wait: float = 0.0
    overlap: float = 0.0


@dataclass
class Block:
    id: str
    header: dict[str, str] = field(default_factory=dict)
    utterances: list[Utterance] = field(default_factory=list)
    breaches: list[tuple[int, str, str]] = field(default_factory=list)
    arguable: list[tuple[int, str]] = field(default_factory=list)
    note: str = ""


def parse(text: str) -> list[Block]:
    """Split source.txt into blocks: header, utterances, labels."""
    blocks: list[Block] = []
    block: Block | None = None
    part = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if line.startswith("### "):
            block = Block(id=line[4:].strip())
            blocks.append(block)
            part = 0
            continue
        if not line or line.startswith("#"):
            continue
        if block is None:
            raise ValueError(f"line {lineno}: text outside a block")
        if line == "--":
            part += 1
            if part > 2:
                raise ValueError(f"line {lineno}: a third '--' in {block.id}")
            continue
        if part == 0:
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"line {lineno}: header line without ':' in {block.id}")
            block.header[key.strip()] = value.strip()
        elif part == 1:
            m = _UTTERANCE.match(line)
            if not m:
                raise ValueError(f"line {lineno}: not an utterance in {block.id}: {line!r}")
            u = Utterance(tag=m["tag"], text=m["text"].strip())
            if m["kind"] == "+":
                u.wait = float(m["secs"])
            elif m["kind"] == "ov ":
                u.overlap = float(m["secs"])
            block.utterances.append(u)
        else:
            key, sep, value = line.partition(":")
            key = key.strip()
            value = value.strip()
            if key == "breach":
                fields = [f.strip() for f in value.split("|")]
                if len(fields) != 3:
                    raise ValueError(f"line {lineno}: breach needs article | quote | duty")
                quote = "" if fields[1] == '""' else fields[1]
                block.breaches.append((int(fields[0]), quote, fields[2]))
            elif key == "arguable":
                art, eq, why = value.partition("=")
                if not eq:
                    raise ValueError(f"line {lineno}: arguable needs '<article> = <why>'")
                block.arguable.append((int(art.strip()), why.strip()))
            elif key == "note":
                block.note = value
            else:
                raise ValueError(f"line {lineno}: unknown label line {key!r} in {block.id}")
    return blocks


def _spoken_length(text: str) -> float:
    """Characters as spoken: CJK characters and digits count 1, Latin letters 0.4 (a short syllable)."""
    n = 0.0
    for ch in text:
        if "\u4e00" <= ch <= "\u9fff" or ch.isdigit():
            n += 1.0
        elif ch.isascii() and ch.isalpha():
            n += 0.4
    return n


def _duration(text: str, rate: float, rng: random.Random) -> float:
    plain = text.replace(ELLIPSIS, "")
    d = _spoken_length(plain) / rate
    d += 0.12 * sum(plain.count(p) for p in SHORT_PAUSE)
    d += 0.22 * sum(plain.count(p) for p in LONG_PAUSE)
    for _ in range(text.count(ELLIPSIS)):
        d += rng.uniform(1.2, 2.4)
    return max(d, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    """The interaction record and the label record of one block."""
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.9, 4.7)
    elderly_rate = rng.uniform(3.2, 3.6)
    slow = {t.strip() for t in h.get("elderly", "").split(",") if t.strip()}

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
            first = 5 * (rec["rings"] - 1) + rng.uniform(0.4, 1.0)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = int(secs) if secs == int(secs) else secs
            first = secs
        first += rng.uniform(0.3, 0.8)
    else:
        first = rng.uniform(0.4, 1.6)

    utterances = []
    latest_end = 0.0
    for i, u in enumerate(block.utterances):
        rate = staff_rate if u.tag == "S" else elderly_rate if u.tag in slow else citizen_rate
        gap = rng.uniform(0.25, 0.9)
        dur = _duration(u.text, rate, rng)
        if i == 0:
            start = first + u.wait
        elif u.overlap:
            start = utterances[-1]["end"] - u.overlap
        else:
            start = latest_end + gap + u.wait
        start = round(start, 2)
        end = round(start + dur, 2)
        latest_end = max(latest_end, end)
        utterances.append(
            {
                "speaker": "staff" if u.tag == "S" else "citizen",
                "start": start,
                "end": end,
                "text": u.text,
            }
        )
    rec["utterances"] = utterances

    breached = {a for a, _, _ in block.breaches}
    argued = {a for a, _ in block.arguable}
    note = block.note
    if block.arguable:
        note += "; arguable: " + "; ".join(f"Art. {a}: {why}" for a, why in block.arguable)
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breached and a not in argued],
        "note": note,
    }
    return rec, label


def build(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def dump_interactions(interactions: list[dict]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)


def dump_labels(labels: list[dict]) -> str:
    return json.dumps(labels, ensure_ascii=False, indent=1) + "\n"


def main() -> None:
    interactions, labels = build((HERE / "source.txt").read_text(encoding="utf-8"))
    (HERE / "interactions.jsonl").write_text(dump_interactions(interactions), encoding="utf-8")
    (HERE / "labels.json").write_text(dump_labels(labels), encoding="utf-8")
    print(
        f"wrote {len(interactions)} interactions, {sum(len(r['utterances']) for r in interactions)} utterances"
    )


if __name__ == "__main__":
    main()
