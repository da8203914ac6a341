"""Rebuild interactions.jsonl and labels.json of train-halls-19 from source.txt.

The text, the metadata and the labels are written by hand in source.txt; this script only
parses them and derives the utterance times (as the dev README's *Times* section
describes), with the jitter seeded per interaction by ``random.Random("train-halls-19/<id>")``,
so a rebuild gives the same bytes.

    python benchmarks/data/train-halls-19/build.py
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-19"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HEADER_KEYS = (
    "channel",
    "hall",
    "window",
    "staff",
    "start",
    "rings",
    "ring_seconds",
    "voice",
    "family",
)

# speaking rates in characters per second (dev README, Times)
STAFF_RATE = (4.3, 5.0)
CITIZEN_RATE = (3.9, 4.7)
ELDERLY_RATE = (3.2, 3.6)
GAP = (0.25, 0.9)  # between turns
COMMA_PAUSE = (0.12, 0.25)
STOP_PAUSE = (0.25, 0.45)
ELLIPSIS_PAUSE = (1.2, 2.4)

_UTT = re.compile(
    r"^(?P<who>[SC]):\s*(?:\{(?P<op>\+|ov)\s*(?P<num>\d+(?:\.\d+)?)\}\s*)?(?P<text>.+)$"
)


@dataclass
class Utterance:
    speaker: str  # "staff" | "citizen"
    text: str
    wait: float | None = None  # explicit gap before this utterance ({+N})
    overlap: float | None = None  # starts this many seconds before the previous end ({ov N})


@dataclass
class Breach:
    article: int
    quote: str
    duty: str


@dataclass
class Block:
    id: str
    header: dict[str, str] = field(default_factory=dict)
    utterances: list[Utterance] = field(default_factory=list)
    breaches: list[Breach] = field(default_factory=list)
    arguable: list[int] = field(default_factory=list)
    note: str = ""
    line: int = 0  # line of the === marker in source.txt


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks; raises ValueError on a malformed line."""
    blocks: list[Block] = []
    cur: Block | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("# ") or line == "#":
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip(), line=n)
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {n}: content before the first block")
        m = _UTT.match(line)
        if m:
            op, num = m.group("op"), m.group("num")
            cur.utterances.append(
                Utterance(
                    speaker="staff" if m.group("who") == "S" else "citizen",
                    text=m.group("text").strip(),
                    wait=float(num) if op == "+" else None,
                    overlap=float(num) if op == "ov" else None,
                )
            )
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep:
            raise ValueError(f"line {n}: cannot read {line!r}")
        if key in HEADER_KEYS:
            if cur.utterances:
                raise ValueError(f"line {n}: header {key!r} after the utterances")
            cur.header[key] = value
        elif key == "breach":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 3:
                raise ValueError(f"line {n}: a breach needs 'article | quote | duty'")
            cur.breaches.append(Breach(int(parts[0]), parts[1], parts[2]))
        elif key == "arguable":
            cur.arguable = [int(a) for a in value.split()]
        elif key == "note":
            cur.note = value
        else:
            raise ValueError(f"line {n}: unknown key {key!r}")
    return blocks


def _number(value: str) -> int | float:
    f = float(value)
    return int(f) if f.is_integer() else f


def _spoken_chars(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def _duration(text: str, rate: float, rng: random.Random) -> float:
    """Seconds to say ``text``: characters / rate plus pauses for punctuation and ellipses."""
    seconds = _spoken_chars(text) / rate
    body = text.rstrip("。？！?!…，, ")  # no pause counted after the last word
    seconds += sum(rng.uniform(*ELLIPSIS_PAUSE) for _ in re.finditer("……|…", body))
    for ch in body:
        if ch in "，、；：,;:—":
            seconds += rng.uniform(*COMMA_PAUSE)
        elif ch in "。？！?!":
            seconds += rng.uniform(*STOP_PAUSE)
    return seconds


def pickup_time(header: dict[str, str]) -> float | None:
    """Seconds from the first ring to the pick-up that the header implies (calls only)."""
    if "ring_seconds" in header:
        return float(header["ring_seconds"])
    if "rings" in header:
        return 5.0 * (int(header["rings"]) - 1)
    return None


def build_one(block: Block) -> tuple[dict, dict]:
    """The interaction record and the label record of one block."""
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(*STAFF_RATE)
    citizen_rate = rng.uniform(*(ELDERLY_RATE if h.get("voice") == "elderly" else CITIZEN_RATE))

    date, _, clock = h["start"].partition(" ")
    record: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": f"{date}T{clock}+08:00",
    }
    if h["channel"] == "phone":
        if "rings" in h:
            record["rings"] = int(h["rings"])
        if "ring_seconds" in h:
            record["ring_seconds"] = _number(h["ring_seconds"])

    if h["channel"] == "phone":
        pickup = pickup_time(h) or 0.0
        if "rings" in h:
            pickup += rng.uniform(0.3, 0.9)  # lifted during the ring
        t = pickup + rng.uniform(0.2, 0.5)
    else:
        t = rng.uniform(0.4, 1.5)

    utterances = []
    prev_start = prev_end = None
    for i, u in enumerate(block.utterances):
        if i > 0:
            if u.overlap is not None:
                t = prev_end - u.overlap
                if t <= prev_start:
                    raise ValueError(
                        f"{block.id}: overlap of utterance {i} reaches before the previous start"
                    )
            elif u.wait is not None:
                t = prev_end + u.wait
            else:
                t = prev_end + rng.uniform(*GAP)
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        end = t + _duration(u.text, rate, rng)
        start_r, end_r = round(t, 2), round(end, 2)
        utterances.append({"speaker": u.speaker, "start": start_r, "end": end_r, "text": u.text})
        prev_start, prev_end = start_r, end_r
    record["utterances"] = utterances

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
    return record, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def render(text: str) -> tuple[str, str]:
    """The exact contents of interactions.jsonl and labels.json for a source text."""
    interactions, labels = build_all(text)
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
    return jsonl, json.dumps(labels, ensure_ascii=False, indent=2) + "\n"


def main() -> None:
    jsonl, labels = render((HERE / "source.txt").read_text(encoding="utf-8"))
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    n = jsonl.count("\n")
    print(
        f"wrote {n} interactions to {HERE / 'interactions.jsonl'} and their labels to {HERE / 'labels.json'}"
    )


if __name__ == "__main__":
    main()
