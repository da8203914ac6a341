"""Rebuild interactions.jsonl and labels.json of blind-halls-16 from source.txt.

The text, the metadata and the labels are hand-written in source.txt; this script only parses them and derives
the utterance times the way the dev set's README describes (characters / a speaking rate drawn per interaction,
short pauses for punctuation, 1.2-2.4 s per ellipsis, 0.25-0.9 s between turns, explicit waits ``{+N}`` and
overlaps ``{ov N}``), with the jitter seeded by ``random.Random("blind-halls-16/<id>")`` so a rebuild is identical.

    python build.py            # writes interactions.jsonl and labels.json next to this file
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET_NAME = "blind-halls-16"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

STAFF_RATE = (4.3, 5.0)
CITIZEN_RATE = (3.9, 4.7)
ELDERLY_RATE = (3.2, 3.6)
TURN_GAP = (0.25, 0.9)
ELLIPSIS_PAUSE = (1.2, 2.4)
SHORT_PAUSE = (0.12, 0.3)   # ，、；：
LONG_PAUSE = (0.3, 0.5)     # 。？！ inside an utterance
SHORT_PUNCT = set("，、；：,;:")
LONG_PUNCT = set("。？！?!")
TRAILING = "。？！?!…—～~ "

SPEAKERS = {"S": "staff", "C": "citizen", "O": "citizen"}
HEADER_KEYS = ("channel", "hall", "window", "staff", "start", "rings", "ring_seconds", "family")

_WAIT = re.compile(r"^\{\+(\d+(?:\.\d+)?)\}\s*")
_OVERLAP = re.compile(r"^\{ov (\d+(?:\.\d+)?)\}\s*")


@dataclass
class Utterance:
    marker: str            # S, C or O
    text: str
    wait: float | None = None      # explicit gap after the last words
    overlap: float | None = None   # start this many seconds before the last words end


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
    arguable: dict[int, str] = field(default_factory=dict)
    note: str = ""
    line: int = 0

    @property
    def families(self) -> list[str]:
        raw = self.header.get("family", "")
        return [f.strip() for f in raw.split(",") if f.strip()]


def _parse_quote(raw: str) -> str:
    raw = raw.strip()
    return "" if raw == '""' else raw


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks (header, utterances, labels), in file order."""
    blocks: list[Block] = []
    cur: Block | None = None
    section = 0   # 0 header, 1 utterances, 2 labels
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip(), header={}, line=lineno)
            blocks.append(cur)
            section = 0
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        if line.strip() == "--":
            section += 1
            if section > 2:
                raise ValueError(f"line {lineno}: {cur.id}: more than three sections")
            continue
        if section == 0:
            key, sep, value = line.partition(":")
            key = key.strip()
            if not sep or key not in HEADER_KEYS:
                raise ValueError(f"line {lineno}: {cur.id}: bad header line {line!r}")
            cur.header[key] = value.strip()
        elif section == 1:
            marker, sep, rest = line.partition(":")
            if not sep or marker not in SPEAKERS:
                raise ValueError(f"line {lineno}: {cur.id}: bad utterance line {line!r}")
            rest = rest.strip()
            utt = Utterance(marker=marker, text=rest)
            m = _WAIT.match(rest)
            if m:
                utt.wait = float(m.group(1))
                utt.text = rest[m.end():]
            else:
                m = _OVERLAP.match(rest)
                if m:
                    utt.overlap = float(m.group(1))
                    utt.text = rest[m.end():]
            if not utt.text:
                raise ValueError(f"line {lineno}: {cur.id}: empty utterance")
            cur.utterances.append(utt)
        else:
            key, sep, value = line.partition(":")
            key = key.strip()
            if key == "breach":
                parts = [p.strip() for p in value.split("|")]
                if len(parts) != 3:
                    raise ValueError(f"line {lineno}: {cur.id}: breach needs article | quote | duty")
                cur.breaches.append(Breach(int(parts[0]), _parse_quote(parts[1]), parts[2]))
            elif key == "arguable":
                art, _, why = value.partition("|")
                cur.arguable[int(art.strip())] = why.strip()
            elif key == "note":
                cur.note = value.strip()
            else:
                raise ValueError(f"line {lineno}: {cur.id}: bad label line {line!r}")
    return blocks


def _speech_chars(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def _duration(text: str, rate: float, rng: random.Random) -> float:
    body = text.rstrip(TRAILING)
    seconds = _speech_chars(text) / rate
    seconds += sum(rng.uniform(*ELLIPSIS_PAUSE) for _ in range(body.count("……")))
    for ch in body.replace("……", ""):
        if ch in SHORT_PUNCT:
            seconds += rng.uniform(*SHORT_PAUSE)
        elif ch in LONG_PUNCT:
            seconds += rng.uniform(*LONG_PAUSE)
    return max(seconds, 0.35)


def _started_at(value: str) -> str:
    date, time = value.split()
    return f"{date}T{time}+08:00"


def build_one(block: Block) -> tuple[dict, dict]:
    """Return (interaction record, label record) for one block."""
    h = block.header
    rng = random.Random(f"{SET_NAME}/{block.id}")
    rates = {
        "S": rng.uniform(*STAFF_RATE),
        "C": rng.uniform(*CITIZEN_RATE),
        "O": rng.uniform(*ELDERLY_RATE),
    }
    record: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": _started_at(h["start"]),
    }
    if h["channel"] == "phone":
        if "rings" in h:
            record["rings"] = int(h["rings"])
            pickup = 5 * (record["rings"] - 1) + rng.uniform(1.2, 3.0)
        else:
            record["ring_seconds"] = float(h["ring_seconds"])
            pickup = record["ring_seconds"]
        clock = pickup + rng.uniform(0.3, 0.8)
    else:
        clock = rng.uniform(0.5, 2.0)

    utterances = []
    last_end = None
    last_start = 0.0
    for utt in block.utterances:
        duration = _duration(utt.text, rates[utt.marker], rng)
        if last_end is None:
            start = clock
        elif utt.wait is not None:
            start = last_end + utt.wait
        elif utt.overlap is not None:
            start = last_end - utt.overlap
            if start <= last_start:
                raise ValueError(f"{block.id}: overlap {utt.overlap} reaches before the previous start")
        else:
            start = last_end + rng.uniform(*TURN_GAP)
        end = start + duration
        start_r, end_r = round(start, 2), round(end, 2)
        utterances.append({"speaker": SPEAKERS[utt.marker], "start": start_r, "end": end_r, "text": utt.text})
        last_start = start
        last_end = end if last_end is None else max(last_end, end)
    record["utterances"] = utterances

    breached = {b.article for b in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    label = {
        "id": block.id,
        "breaches": [
            {"article": b.article, "speaker": "staff", "quote": b.quote, "duty": b.duty} for b in block.breaches
        ],
        "clean_articles": clean,
        "note": block.note,
    }
    return record, label


def render(blocks: list[Block]) -> tuple[str, str]:
    """The exact text of interactions.jsonl and labels.json for these blocks."""
    pairs = [build_one(b) for b in blocks]
    jsonl = "".join(json.dumps(rec, ensure_ascii=False) + "\n" for rec, _ in pairs)
    labels = json.dumps([lab for _, lab in pairs], ensure_ascii=False, indent=2) + "\n"
    return jsonl, labels


def main(argv: list[str] | None = None) -> int:
    blocks = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, labels = render(blocks)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    n_utt = sum(len(b.utterances) for b in blocks)
    print(f"{SET_NAME}: {len(blocks)} interactions, {n_utt} utterances written")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
