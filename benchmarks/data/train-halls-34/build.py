"""Rebuild interactions.jsonl and labels.json of train-halls-34 from source.txt.

The text, the metadata and the labels are hand-written in source.txt; this script only
parses them and derives the utterance times (see the dev README's *Times* section):
characters divided by a speaking rate drawn per interaction (staff 4.3-5.0 chars/s,
citizens 3.9-4.7, elderly citizens 3.2-3.6), short pauses for punctuation, 1.2-2.4 s per
ellipsis, 0.25-0.9 s between turns, explicit waits ``{+N}`` and overlaps ``{ov N}``.
The jitter is seeded with ``random.Random("train-halls-34/<id>")``.

source.txt format, one block per interaction::

    === t34-0001
    channel: counter | phone
    hall: ...
    window: ...
    staff: S-3401
    start: 2026-11-17 09:12:40
    rings: 3            (calls: rings or ring_seconds)
    ring_seconds: 11.2
    elderly: yes        (optional: the citizen speaks slowly)
    family: plain       (optional: hard-negative family of a clean interaction)
    ---
    S: text              (staff)
    C: {+6} text         (citizen, 6 s after the previous turn ended)
    C: {ov 0.8} text     (starts 0.8 s before the previous turn ends)
    ---
    B: 8 | quote | duty  (a breach; quote may be empty for an absence)
    arguable: 10 16
    note: one line
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-34"
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HERE = Path(__file__).resolve().parent

_PUNCT_SHORT = set("，、；：,;:")
_PUNCT_LONG = set("。？！?!")
_SKIP = set("“”‘’\"'（）()《》—-·… 　")


@dataclass
class Block:
    id: str
    meta: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)  # (speaker, text, wait, overlap)
    breaches: list = field(default_factory=list)  # (article, quote, duty)
    arguable: list = field(default_factory=list)
    note: str = ""


_UTT = re.compile(r"^([SC]):\s*(?:\{(\+|ov )\s*([0-9.]+)\}\s*)?(.+)$")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    part = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            part = 0
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        if line == "---":
            part += 1
            if part > 2:
                raise ValueError(f"line {lineno}: too many --- in {cur.id}")
            continue
        if part == 0:
            key, _, value = line.partition(":")
            cur.meta[key.strip()] = value.strip()
        elif part == 1:
            m = _UTT.match(line)
            if not m:
                raise ValueError(f"line {lineno}: bad utterance in {cur.id}: {line!r}")
            who, kind, num, body = m.groups()
            wait = float(num) if kind == "+" else 0.0
            over = float(num) if kind == "ov " else 0.0
            cur.utterances.append(("staff" if who == "S" else "citizen", body.strip(), wait, over))
        else:
            if line.startswith("B:"):
                fields = [f.strip() for f in line[2:].split("|")]
                if len(fields) != 3:
                    raise ValueError(f"line {lineno}: breach needs article | quote | duty")
                cur.breaches.append((int(fields[0]), fields[1], fields[2]))
            elif line.startswith("arguable:"):
                cur.arguable = [int(x) for x in line.split(":", 1)[1].split()]
            elif line.startswith("note:"):
                cur.note = line.split(":", 1)[1].strip()
            else:
                raise ValueError(f"line {lineno}: bad label line in {cur.id}: {line!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = 0
    pauses = 0.0
    body = text.replace("……", "\u2026")
    stripped = body.rstrip("。？！?!…")
    for i, ch in enumerate(body):
        if ch == "\u2026":
            pauses += rng.uniform(1.2, 2.4)
        elif ch in _PUNCT_SHORT:
            pauses += rng.uniform(0.12, 0.25)
        elif ch in _PUNCT_LONG:
            if i < len(stripped):
                pauses += rng.uniform(0.25, 0.45)
        elif ch in _SKIP:
            continue
        else:
            chars += 1
    return chars / rate + pauses


def _pickup(meta: dict, rng: random.Random) -> float:
    if "ring_seconds" in meta:
        return float(meta["ring_seconds"])
    rings = int(meta["rings"])
    return 5 * (rings - 1) + rng.uniform(0.4, 1.2)


def build_one(block: Block) -> tuple[dict, dict]:
    meta = block.meta
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    if meta.get("elderly", "no") == "yes":
        citizen_rate = rng.uniform(3.2, 3.6)
    else:
        citizen_rate = rng.uniform(3.9, 4.7)
    date, time = meta["start"].split()
    rec: dict = {
        "id": block.id,
        "channel": meta["channel"],
        "hall": meta["hall"],
        "window": meta["window"],
        "staff": meta["staff"],
        "started_at": f"{date}T{time}+08:00",
    }
    if meta["channel"] == "phone":
        if "ring_seconds" in meta:
            rec["ring_seconds"] = float(meta["ring_seconds"])
        else:
            rec["rings"] = int(meta["rings"])
        t0 = _pickup(meta, rng) + rng.uniform(0.3, 0.7)
    else:
        t0 = rng.uniform(0.5, 2.0)
    utts = []
    last_end = None
    prev_start = prev_end = 0.0
    for speaker, text, wait, over in block.utterances:
        rate = staff_rate if speaker == "staff" else citizen_rate
        if last_end is None:
            start = t0 + wait
        elif over:
            start = max(prev_start + 0.3, prev_end - over)
        else:
            start = last_end + rng.uniform(0.25, 0.9) + wait
        end = start + _duration(text, rate, rng)
        utts.append(
            {"speaker": speaker, "start": round(start, 2), "end": round(end, 2), "text": text}
        )
        prev_start, prev_end = start, end
        last_end = end if last_end is None else max(last_end, end)
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
        "note": block.note,
    }
    return rec, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    recs, labels = [], []
    for block in parse(text):
        rec, label = build_one(block)
        recs.append(rec)
        labels.append(label)
    return recs, labels


def render(recs: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    lab = "[\n" + ",\n".join(json.dumps(x, ensure_ascii=False) for x in labels) + "\n]\n"
    return jsonl, lab


def main() -> int:
    recs, labels = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, lab = render(recs, labels)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"{len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
