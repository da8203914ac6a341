"""Rebuild interactions.jsonl and labels.json of train-halls-33 from source.txt.

Everything but the times is copied from the hand-written source.txt.  Times follow the
dialogues-dev README (section *Times*): characters divided by a speaking rate drawn per
interaction, short pauses for punctuation, 1.2-2.4 s per ellipsis, 0.25-0.9 s between turns,
explicit waits ``{+N}`` and overlaps ``{ov N}`` as written.  The jitter comes from
``random.Random("train-halls-33/<id>")`` so a rebuild gives the same numbers.

Usage: python build.py        (writes interactions.jsonl and labels.json next to this file)
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-33"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

_PUNCT_SHORT = "，、；：,;:"
_PUNCT_LONG = "。？！?!"
_SKIP = set(_PUNCT_SHORT + _PUNCT_LONG + "…—“”‘’\"'（）()《》 \t~～·")
_MARK = re.compile(r"^\{(\+|ov )\s*([0-9]+(?:\.[0-9]+)?)\}\s*")


@dataclass
class Utterance:
    speaker: str            # "staff" | "citizen"
    text: str
    wait: float | None = None     # explicit pause before this utterance, seconds
    overlap: float | None = None  # starts this many seconds before the previous one ends


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)   # (article, quote, duty)
    arguable: list = field(default_factory=list)   # (article, reason)
    note: str = ""


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks (one per interaction)."""
    blocks: list[Block] = []
    cur: Block | None = None
    part = 0  # 0 header, 1 utterances, 2 labels
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line:
            continue
        if raw.startswith("### "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            part = 0
            continue
        if cur is None:
            continue  # preamble
        if raw.rstrip() == "---":
            part += 1
            if part > 2:
                raise ValueError(f"line {lineno}: too many '---' in {cur.id}")
            continue
        if part == 0:
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"line {lineno}: header line without ':' in {cur.id}")
            cur.header[key.strip()] = value.strip()
        elif part == 1:
            who, sep, rest = line.partition(":")
            if not sep or who not in ("S", "C"):
                raise ValueError(f"line {lineno}: utterance must start with 'S:' or 'C:' in {cur.id}")
            rest = rest.strip()
            wait = overlap = None
            m = _MARK.match(rest)
            if m:
                if m.group(1) == "+":
                    wait = float(m.group(2))
                else:
                    overlap = float(m.group(2))
                rest = rest[m.end():]
            if not rest:
                raise ValueError(f"line {lineno}: empty utterance in {cur.id}")
            cur.utterances.append(Utterance("staff" if who == "S" else "citizen", rest, wait, overlap))
        else:
            key, sep, value = line.partition(":")
            key = key.strip()
            value = value.strip()
            if key == "breach":
                fields = [f.strip() for f in value.split("|")]
                if len(fields) != 3:
                    raise ValueError(f"line {lineno}: breach needs 'article | quote | duty' in {cur.id}")
                cur.breaches.append((int(fields[0]), fields[1], fields[2]))
            elif key == "arguable":
                art, _, reason = value.partition("|")
                cur.arguable.append((int(art.strip()), reason.strip()))
            elif key == "note":
                cur.note = value
            else:
                raise ValueError(f"line {lineno}: unknown label line {key!r} in {cur.id}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in _SKIP)
    d = chars / rate
    body = text.rstrip("。？！?!")
    for run in re.finditer(rf"…+|—+|[{_PUNCT_SHORT}]|[{_PUNCT_LONG}]", body):
        tok = run.group(0)
        if tok[0] == "…":
            d += rng.uniform(1.2, 2.4)
        elif tok[0] == "—":
            d += rng.uniform(0.2, 0.4)
        elif tok in _PUNCT_SHORT:
            d += rng.uniform(0.12, 0.3)
        else:
            d += rng.uniform(0.25, 0.5)
    return max(d, 0.3)


def build_one(block: Block) -> tuple[dict, dict]:
    """Return (interaction record, label record) for one parsed block."""
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    if h.get("elderly", "no") == "yes":
        citizen_rate = rng.uniform(3.2, 3.6)
    else:
        citizen_rate = rng.uniform(3.9, 4.7)

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
        if "ring_seconds" in h:
            rs = float(h["ring_seconds"])
            rec["ring_seconds"] = rs
            pickup = rs
        else:
            rings = int(h["rings"])
            rec["rings"] = rings
            pickup = 5 * (rings - 1) + rng.uniform(0.3, 0.9)
        t = pickup + rng.uniform(0.2, 0.5)
    else:
        t = rng.uniform(0.4, 1.5)

    utts = []
    prev_start = prev_end = None
    for i, u in enumerate(block.utterances):
        if i == 0:
            start = t + (u.wait or 0.0)
        elif u.overlap is not None:
            start = prev_end - u.overlap
            if start <= prev_start:
                raise ValueError(f"{block.id}: overlap {u.overlap} reaches before the previous start")
        elif u.wait is not None:
            start = prev_end + u.wait
        else:
            start = prev_end + rng.uniform(0.25, 0.9)
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        dur = _duration(u.text, rate, rng)
        start = round(start, 2)
        end = round(start + dur, 2)
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start, prev_end = start, end
    rec["utterances"] = utts

    breached = {a for a, _, _ in block.breaches}
    arguable = {a for a, _ in block.arguable}
    note = block.note
    if h.get("family"):
        note = f"hard negative ({h['family']}): {note}"
    for a, reason in block.arguable:
        if reason:
            note += f" [Art. {a} arguable: {reason}]"
    label = {
        "id": block.id,
        "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches],
        "clean_articles": [a for a in SCORED if a not in breached and a not in arguable],
        "note": note,
    }
    return rec, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    inter, labels = [], []
    for b in parse(text):
        r, lab = build_one(b)
        inter.append(r)
        labels.append(lab)
    return inter, labels


def render(inter: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in inter)
    lab = json.dumps(labels, ensure_ascii=False, indent=2) + "\n"
    return jsonl, lab


def main(argv: list[str]) -> int:
    text = (HERE / "source.txt").read_text(encoding="utf-8")
    inter, labels = build_all(text)
    jsonl, lab = render(inter, labels)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"wrote {len(inter)} interactions, {sum(len(r['utterances']) for r in inter)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
