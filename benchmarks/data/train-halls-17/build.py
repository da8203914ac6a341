"""Rebuild interactions.jsonl and labels.json of train-halls-17 from source.txt.

Every utterance, header field and label is hand-written in source.txt; this script only
parses it and derives the utterance times as the dev README's *Times* section describes:
characters divided by a speaking rate drawn per interaction (staff 4.3-5.0 characters/s,
citizens 3.9-4.7, elderly citizens 3.2-3.6), short pauses for punctuation, 1.2-2.4 s per
ellipsis, 0.25-0.9 s between turns, plus the explicit waits ``{+N}`` and overlaps ``{ov N}``
written in the source.  Calls start when the phone begins to ring (ring n starts at 5(n-1) s
and lasts 1 s), so the first words come after the pick-up.  The jitter comes from
``random.Random("train-halls-17/<id>")``, so a rebuild gives the same numbers.

Run as a script to write the two files next to this one.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-17"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

_WAIT = re.compile(r"^\{\+(\d+(?:\.\d+)?)\}\s*")
_OVERLAP = re.compile(r"^\{ov (\d+(?:\.\d+)?)\}\s*")
_ELLIPSIS = re.compile(r"…+")
_SHORT_PAUSE = set("，、；：")
_LONG_PAUSE = set("。？！")
_TRAILING = "。？！，、；：…”“ "


@dataclass
class Utterance:
    speaker: str  # "staff" or "citizen"
    text: str
    wait: float = 0.0  # extra seconds before the utterance ({+N})
    overlap: float = 0.0  # seconds before the previous end ({ov N})


@dataclass
class Breach:
    article: int
    quote: str
    duty: str
    why: str = ""


@dataclass
class Block:
    id: str
    header: dict[str, str] = field(default_factory=dict)
    utterances: list[Utterance] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)
    arguable: dict[int, str] = field(default_factory=dict)
    note: str = ""

    @property
    def family(self) -> str:
        return self.header.get("family", "")

    @property
    def elderly(self) -> bool:
        return self.header.get("citizen", "") == "elderly"


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks, in file order."""
    blocks: list[Block] = []
    cur: Block | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: content before the first block")
        if line.startswith(("S:", "C:")):
            speaker = "staff" if line[0] == "S" else "citizen"
            body = line[2:].strip()
            wait = overlap = 0.0
            m = _WAIT.match(body)
            if m:
                wait = float(m.group(1))
                body = body[m.end() :]
            m = _OVERLAP.match(body)
            if m:
                overlap = float(m.group(1))
                body = body[m.end() :]
            if not body or "{" in body:
                raise ValueError(f"line {lineno}: bad utterance {raw!r}")
            cur.utterances.append(Utterance(speaker, body, wait, overlap))
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"line {lineno}: cannot read {raw!r}")
        key, value = key.strip(), value.strip()
        if key == "breach":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) < 3:
                raise ValueError(f"line {lineno}: breach needs article | quote | duty")
            cur.breaches.append(
                Breach(int(parts[0]), parts[1], parts[2], " | ".join(parts[3:]).strip(" |"))
            )
        elif key == "arguable":
            art, _, why = value.partition("|")
            cur.arguable[int(art.strip())] = why.strip()
        elif key == "note":
            cur.note = value
        else:
            if key in cur.header:
                raise ValueError(f"line {lineno}: repeated header {key!r}")
            cur.header[key] = value
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch.isalnum())
    seconds = chars / rate
    body = text.rstrip(_TRAILING)
    for _ in _ELLIPSIS.finditer(text):
        seconds += rng.uniform(1.2, 2.4)
    no_ellipsis = _ELLIPSIS.sub("", body)
    for ch in no_ellipsis:
        if ch in _SHORT_PAUSE:
            seconds += rng.uniform(0.12, 0.3)
        elif ch in _LONG_PAUSE:
            seconds += rng.uniform(0.25, 0.45)
    return max(seconds, 0.35)


def _started_at(value: str) -> str:
    date, time = value.split()
    return f"{date}T{time}+08:00"


def build_one(block: Block) -> tuple[dict, dict]:
    """Return (interaction record, label record) for one block."""
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if block.elderly else rng.uniform(3.9, 4.7)

    rec: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": _started_at(h["start"]),
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            pickup = 5 * (rings - 1) + 1 + rng.uniform(0.3, 2.5)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            pickup = secs
        clock = pickup + rng.uniform(0.2, 0.6)
    else:
        clock = rng.uniform(0.4, 1.5)

    utterances = []
    last_end = 0.0
    prev_start = prev_end = None
    for i, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        if i == 0:
            start = clock + u.wait
        elif u.overlap:
            start = max(prev_end - u.overlap, prev_start + 0.2)
        else:
            start = last_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + _duration(u.text, rate, rng)
        start, end = round(start, 2), round(end, 2)
        utterances.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start, prev_end = start, end
        last_end = max(last_end, end)
    rec["utterances"] = utterances

    breached = {b.article for b in block.breaches}
    label = {
        "id": block.id,
        "breaches": [
            {"article": b.article, "speaker": "staff", "quote": b.quote, "duty": b.duty}
            for b in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
        "note": block.note,
    }
    return rec, label


def build(source: Path = HERE / "source.txt") -> tuple[list[dict], list[dict]]:
    interactions, labels = [], []
    for block in parse(source.read_text(encoding="utf-8")):
        rec, label = build_one(block)
        interactions.append(rec)
        labels.append(label)
    return interactions, labels


def render(interactions: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
    lab = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jsonl, lab


def main() -> int:
    interactions, labels = build()
    jsonl, lab = render(interactions, labels)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    n_utt = sum(len(r["utterances"]) for r in interactions)
    print(f"wrote {len(interactions)} interactions ({n_utt} utterances) and {len(labels)} labels")
    return 0


if __name__ == "__main__":
    sys.exit(main())
