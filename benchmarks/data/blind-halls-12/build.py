"""Rebuild ``interactions.jsonl`` and ``labels.json`` of blind-halls-12 from ``source.txt``.

Every utterance and every label is written by hand in ``source.txt``; this script
only parses it and derives the timestamps (see README, *Times*), deterministically:
the jitter of each interaction comes from ``random.Random("blind-halls-12/<id>")``.

``source.txt`` format, one block per interaction::

    === b12-0001
    channel: counter | phone
    hall: ...                  (optional, default 永昌县政务服务中心)
    window: ...
    staff: S-1203
    start: 2026-11-04 15:12:40 (local time, +08:00)
    rings: 3                   (phone: rings or ring_seconds)
    ring_seconds: 23.5
    elderly: yes | no          (citizens speak at 3.2-3.6 characters/s)
    family: <hard-negative family>   (clean interactions only)
    --- utterances
    S: 您好，请问办理什么业务？        (S staff, C citizen)
    C: {+40} 写好了。                (an explicit wait of 40 s before it)
    C: {ov 0.6} 嗯嗯。               (starts 0.6 s before the previous utterance ends)
    --- labels
    breach: 9 | quote | duty | inspector's remark (optional, kept here only)
    arguable: 6 | why it is not scored
    note: one line

Run as a script to write the two files next to this one.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-12"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
DEFAULT_HALL = "永昌县政务服务中心"

# punctuation that adds a short pause (seconds); "……" is handled apart
PAUSE = {"，": 0.18, "、": 0.15, "；": 0.22, "：": 0.18, "。": 0.32, "！": 0.32, "？": 0.32}
SILENT = set("，、；：。！？…“”‘’（）()《》\"' —-·,.!?:;")

_MARK = re.compile(r"^\{(\+|ov )\s*([0-9]+(?:\.[0-9]+)?)\}\s*")


@dataclass
class Utterance:
    speaker: str  # "staff" | "citizen"
    text: str
    wait: float | None = None  # explicit silence before it (s)
    overlap: float | None = None  # starts this many s before the previous end


@dataclass
class Breach:
    article: int
    quote: str
    duty: str
    remark: str = ""


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


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    section = ""
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            section = "header"
            continue
        if cur is None:
            raise ValueError(f"line {n}: text before the first block")
        if line == "--- utterances":
            section = "utterances"
            continue
        if line == "--- labels":
            section = "labels"
            continue
        if section == "header":
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"line {n}: bad header line {line!r}")
            cur.header[key.strip()] = value.strip()
        elif section == "utterances":
            who, sep, rest = line.partition(":")
            if not sep or who not in ("S", "C"):
                raise ValueError(f"line {n}: bad utterance line {line!r}")
            rest = rest.strip()
            u = Utterance("staff" if who == "S" else "citizen", rest)
            m = _MARK.match(rest)
            if m:
                if m.group(1) == "+":
                    u.wait = float(m.group(2))
                else:
                    u.overlap = float(m.group(2))
                u.text = rest[m.end():].strip()
            cur.utterances.append(u)
        elif section == "labels":
            key, sep, value = line.partition(":")
            key = key.strip()
            if key == "breach":
                parts = [p.strip() for p in value.split("|")]
                if len(parts) not in (3, 4):
                    raise ValueError(f"line {n}: breach needs article | quote | duty [| remark]")
                cur.breaches.append(Breach(int(parts[0]), parts[1], parts[2], parts[3] if len(parts) == 4 else ""))
            elif key == "arguable":
                art, _, why = value.partition("|")
                cur.arguable[int(art.strip())] = why.strip()
            elif key == "note":
                cur.note = value.strip()
            else:
                raise ValueError(f"line {n}: bad label line {line!r}")
        else:
            raise ValueError(f"line {n}: unexpected {line!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    dur = 0.0
    body = text
    while "……" in body:
        dur += rng.uniform(1.2, 2.4)
        body = body.replace("……", "", 1)
    chars = sum(1 for ch in body if ch not in SILENT and not ch.isspace())
    dur += chars / rate
    dur += sum(PAUSE.get(ch, 0.0) for ch in body)
    return dur


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    elderly = h.get("elderly", "no") == "yes"
    citizen_rate = rng.uniform(3.2, 3.6) if elderly else rng.uniform(3.9, 4.7)
    channel = h["channel"]
    date, _, clock = h["start"].partition(" ")
    record: dict = {
        "id": block.id,
        "channel": channel,
        "hall": h.get("hall", DEFAULT_HALL),
        "window": h["window"],
        "staff": h["staff"],
        "started_at": f"{date}T{clock}+08:00",
    }
    if channel == "phone":
        if "rings" in h:
            record["rings"] = int(h["rings"])
            first = 5 * (int(h["rings"]) - 1) + rng.uniform(0.6, 2.2)
        else:
            record["ring_seconds"] = float(h["ring_seconds"])
            first = float(h["ring_seconds"]) + rng.uniform(0.2, 0.6)
    else:
        first = rng.uniform(0.4, 1.6)

    utts = []
    prev_start = prev_end = max_end = 0.0
    for i, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        dur = _duration(u.text, rate, rng)
        gap = rng.uniform(0.25, 0.9)
        if i == 0:
            start = first + (u.wait or 0.0)
        elif u.overlap is not None:
            start = prev_end - u.overlap
            if start <= prev_start:
                raise ValueError(f"{block.id}: overlap {u.overlap} starts before the previous utterance")
        elif u.wait is not None:
            start = max_end + u.wait
        else:
            start = max_end + gap
        end = start + dur
        utts.append({"speaker": u.speaker, "start": round(start, 2), "end": round(end, 2), "text": u.text})
        prev_start, prev_end = start, end
        max_end = max(max_end, end)
    record["utterances"] = utts

    breached = {b.article for b in block.breaches}
    label = {
        "id": block.id,
        "breaches": [
            {"article": b.article, "speaker": "staff", "quote": b.quote, "duty": b.duty} for b in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
        "note": block.note,
    }
    return record, label


def build(text: str) -> tuple[list[dict], list[dict]]:
    recs, labs = [], []
    for block in parse(text):
        r, lab = build_one(block)
        recs.append(r)
        labs.append(lab)
    return recs, labs


def dump(recs: list[dict], labs: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    labels = json.dumps(labs, ensure_ascii=False, indent=1) + "\n"
    return jsonl, labels


def main() -> int:
    recs, labs = build((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, labels = dump(recs, labs)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"wrote {len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
