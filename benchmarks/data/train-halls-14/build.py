"""Rebuild interactions.jsonl and labels.json of train-halls-14 from the hand-written source.txt.

Only the times are computed (see README, Times); every word, header field and label comes from source.txt.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-14"
HALL = "永昌县政务服务中心"
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HERE = Path(__file__).resolve().parent

_PAUSE_SHORT = set("，、；：")
_PAUSE_LONG = set("。？！")
_NOT_SPOKEN = set("，、；：。？！…“”‘’（）《》—·,.?!:;\"'() ")


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)  # (speaker, text, wait, overlap)
    breaches: list = field(default_factory=list)    # (article, quote, duty)
    arguable: list = field(default_factory=list)    # (article, why)
    note: str = ""


_UTT = re.compile(r"^(S|C):\s*(.*)$")
_MARK = re.compile(r"^\{(\+|ov )([0-9.]+)\}\s*")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line outside a block: {line!r}")
        m = _UTT.match(line)
        if m:
            speaker = "staff" if m.group(1) == "S" else "citizen"
            rest = m.group(2)
            wait = overlap = 0.0
            mm = _MARK.match(rest)
            if mm:
                if mm.group(1) == "+":
                    wait = float(mm.group(2))
                else:
                    overlap = float(mm.group(2))
                rest = rest[mm.end():]
            cur.utterances.append((speaker, rest.strip(), wait, overlap))
            continue
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "breach":
            art, quote, duty = (p.strip() for p in value.split("|", 2))
            cur.breaches.append((int(art), quote, duty))
        elif key == "arguable":
            art, why = (p.strip() for p in value.split("|", 1))
            cur.arguable.append((int(art), why))
        elif key == "note":
            cur.note = value
        else:
            cur.header[key] = value
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    spoken = sum(1 for ch in text if ch not in _NOT_SPOKEN)
    d = spoken / rate
    d += 0.15 * sum(1 for ch in text if ch in _PAUSE_SHORT)
    d += 0.3 * sum(1 for ch in text.rstrip("。？！") if ch in _PAUSE_LONG)
    for _ in range(text.count("……")):
        d += rng.uniform(1.2, 2.4)
    return max(d, 0.4)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("elderly") == "yes" else rng.uniform(3.9, 4.7)
    date, clock = h["start"].split()
    rec: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h.get("hall", HALL),
        "window": h["window"],
        "staff": h["staff"],
        "started_at": f"{date}T{clock}+08:00",
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(1.0, 2.2)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            t = secs + rng.uniform(0.3, 0.8)
    else:
        t = rng.uniform(0.5, 1.5)
    utts = []
    prev_start = prev_end = None
    for speaker, text, wait, overlap in block.utterances:
        rate = staff_rate if speaker == "staff" else citizen_rate
        if prev_end is None:
            start = t + wait
        elif overlap:
            start = max(prev_end - overlap, prev_start + 0.3)
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + wait
        end = start + _duration(text, rate, rng)
        start, end = round(start, 2), round(end, 2)
        utts.append({"speaker": speaker, "start": start, "end": end, "text": text})
        prev_start, prev_end = start, end
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    arguable = {a for a, _ in block.arguable}
    label = {
        "id": block.id,
        "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches],
        "clean_articles": [a for a in SCORED if a not in breached and a not in arguable],
        "note": block.note,
    }
    return rec, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def render(interactions: list[dict], labels: list[dict]) -> tuple[str, str]:
    jl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
    lj = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jl, lj


def main() -> None:
    interactions, labels = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    jl, lj = render(interactions, labels)
    (HERE / "interactions.jsonl").write_text(jl, encoding="utf-8")
    (HERE / "labels.json").write_text(lj, encoding="utf-8")
    print(f"{len(interactions)} interactions, {sum(len(r['utterances']) for r in interactions)} utterances")


if __name__ == "__main__":
    main()
