"""Rebuild interactions.jsonl and labels.json of train-halls-21 from source.txt.

The text, metadata and labels are hand-written in source.txt; only the times are derived here
(dev README, section Times), with jitter from random.Random("train-halls-21/<id>").
Run as a script to write the two files next to this one.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-21"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HEADER_KEYS = ("channel", "hall", "window", "staff", "started_at", "rings", "ring_seconds", "elderly")
PAUSE_SHORT = "，、；：,;:"
PAUSE_LONG = "。？！?!"
NOT_SPOKEN = set(PAUSE_SHORT + PAUSE_LONG + "…“”\"'‘’（）()《》 —-·.")


@dataclass
class Utterance:
    speaker: str            # "staff" | "citizen"
    text: str
    wait: float | None = None     # {+N}
    overlap: float | None = None  # {ov N}


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)   # (article, quote, duty)
    arguable: list = field(default_factory=list)
    families: list = field(default_factory=list)
    note: str = ""


_UTT = re.compile(r"^([SC])(?:\([^)]*\))?:\s*(.*)$")
_MARK = re.compile(r"^\{(\+|ov )\s*([0-9.]+)\}\s*")


def _articles(value: str) -> list[int]:
    return [int(x) for x in re.split(r"[,\s]+", value.strip()) if x]


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#") and not line.startswith("### "):
            continue
        if line.startswith("### "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        m = _UTT.match(line)
        if m:
            speaker = "staff" if m.group(1) == "S" else "citizen"
            body = m.group(2).strip()
            wait = overlap = None
            mm = _MARK.match(body)
            if mm:
                if mm.group(1) == "+":
                    wait = float(mm.group(2))
                else:
                    overlap = float(mm.group(2))
                body = body[mm.end():].strip()
            cur.utterances.append(Utterance(speaker, body, wait, overlap))
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep:
            raise ValueError(f"line {lineno}: cannot read {line!r}")
        if key == "breach":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 3:
                raise ValueError(f"line {lineno}: breach needs article | quote | duty")
            cur.breaches.append((int(parts[0]), parts[1], parts[2]))
        elif key == "arguable":
            cur.arguable.extend(_articles(value))
        elif key == "family":
            cur.families.extend(f.strip() for f in value.split(",") if f.strip())
        elif key == "note":
            cur.note = value
        elif key in HEADER_KEYS:
            cur.header[key] = value
        else:
            raise ValueError(f"line {lineno}: unknown key {key!r}")
    return blocks


def _spoken_chars(text: str) -> int:
    return sum(1 for ch in text if ch not in NOT_SPOKEN and not ch.isspace())


def _duration(text: str, rate: float, rng: random.Random) -> float:
    body = text.rstrip(PAUSE_LONG + PAUSE_SHORT)
    d = _spoken_chars(text) / rate
    d += 0.15 * sum(body.count(c) for c in PAUSE_SHORT)
    d += 0.35 * sum(body.count(c) for c in PAUSE_LONG)
    for _ in range(text.count("……")):
        d += rng.uniform(1.2, 2.4)
    return d


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("elderly") == "yes" else rng.uniform(3.9, 4.7)
    rec: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": h["started_at"],
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            pickup = 5 * (rings - 1) + rng.uniform(0.4, 1.2)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            pickup = secs
        t = pickup + rng.uniform(0.2, 0.6)
    else:
        t = rng.uniform(0.3, 1.5)
    utts = []
    prev_start = prev_end = None
    max_end = 0.0  # waits and gaps count from the end of everything said so far
    for i, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        if i == 0:
            start = t + (u.wait or 0.0)
        elif u.overlap is not None:
            start = max(prev_start + 0.3, prev_end - u.overlap)
        elif u.wait is not None:
            start = max_end + u.wait
        else:
            start = max_end + rng.uniform(0.25, 0.9)
        end = start + _duration(u.text, rate, rng)
        start, end = round(start, 2), round(end, 2)
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start, prev_end = start, end
        max_end = max(max_end, end)
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    label = {
        "id": block.id,
        "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches],
        "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
        "note": block.note,
    }
    return rec, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    inters, labels = [], []
    for b in parse(text):
        r, lab = build_one(b)
        inters.append(r)
        labels.append(lab)
    return inters, labels


def render(inters: list[dict], labels: list[dict]) -> tuple[str, str]:
    jl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in inters)
    lj = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jl, lj


def main() -> None:
    inters, labels = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    jl, lj = render(inters, labels)
    (HERE / "interactions.jsonl").write_text(jl, encoding="utf-8")
    (HERE / "labels.json").write_text(lj, encoding="utf-8")
    print(f"wrote {len(inters)} interactions, {sum(len(r['utterances']) for r in inters)} utterances")


if __name__ == "__main__":
    main()
