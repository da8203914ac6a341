"""Rebuild interactions.jsonl and labels.json of blind-halls-19 from source.txt.

The text, the metadata and the labels are hand-written in source.txt; only the
utterance times are computed here, as the dev README's Times section describes:
characters over a speaking rate drawn per interaction (staff 4.3-5.0 chars/s,
citizens 3.9-4.7, elderly citizens 3.2-3.6), short pauses for punctuation,
1.2-2.4 s per ellipsis, 0.25-0.9 s between turns, explicit waits ``{+N}`` and
overlaps ``{ov N}``.  The jitter is seeded with ``random.Random("blind-halls-19/<id>")``.
"""

from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-19"
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HERE = Path(__file__).resolve().parent
SPEAKERS = {"S": "staff", "C": "citizen", "E": "citizen"}
UTT_RE = re.compile(r"^([SCE]): (?:\{\+(\d+(?:\.\d+)?)\} |\{ov (\d+(?:\.\d+)?)\} )?(.+)$")
PUNCT_SHORT = set("，、；：")
PUNCT_LONG = set("。？！")
NOT_SPOKEN = set("，、；：。？！…“”‘’（）《》—,.;:?!()\"' ")


@dataclass
class Utt:
    code: str
    wait: float
    overlap: float
    text: str


@dataclass
class Block:
    id: str
    meta: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)  # (article, quote, duty)
    arguable: list = field(default_factory=list)


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    section = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if line.startswith("### "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            section = 0
            continue
        if cur is None or not line or (line.startswith("#") and section != 1):
            continue
        if line == "--":
            section += 1
            if section > 2:
                raise ValueError(f"line {lineno}: a third '--' in {cur.id}")
            continue
        if section == 0:
            key, sep, value = line.partition(": ")
            if not sep:
                raise ValueError(f"line {lineno}: header line without 'key: value'")
            cur.meta[key.strip()] = value.strip()
        elif section == 1:
            m = UTT_RE.match(line)
            if not m:
                raise ValueError(f"line {lineno}: bad utterance line")
            code, wait, ov, body = m.groups()
            cur.utterances.append(Utt(code, float(wait or 0), float(ov or 0), body.strip()))
        else:
            key, sep, value = line.partition(": ")
            if key == "breach":
                art, quote, duty = (p.strip() for p in value.split("|", 2))
                cur.breaches.append((int(art), quote, duty))
            elif key == "arguable":
                cur.arguable.append(int(value.strip()))
            else:
                raise ValueError(f"line {lineno}: bad label line")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    spoken = sum(1 for ch in text.replace("……", "") if ch not in NOT_SPOKEN)
    dur = spoken / rate
    for ch in text:
        if ch in PUNCT_SHORT:
            dur += 0.15
        elif ch in PUNCT_LONG:
            dur += 0.3
    for _ in range(text.count("……")):
        dur += rng.uniform(1.2, 2.4)
    return max(dur, 0.4)


def build_one(block: Block) -> tuple[dict, dict]:
    m = block.meta
    rng = random.Random(f"{SET}/{block.id}")
    rates = {
        "S": rng.uniform(4.3, 5.0),
        "C": rng.uniform(3.9, 4.7),
        "E": rng.uniform(3.2, 3.6),
    }
    rec: dict = {
        "id": block.id,
        "channel": m["channel"],
        "hall": m["hall"],
        "window": m["window"],
        "staff": m["staff"],
        "started_at": m["start"],
    }
    if m["channel"] == "phone":
        if "rings" in m:
            rec["rings"] = int(m["rings"])
            pickup = 5 * (rec["rings"] - 1) + 1.0
        else:
            rec["ring_seconds"] = float(m["ring_seconds"])
            pickup = rec["ring_seconds"]
        t = pickup + rng.uniform(0.3, 0.9)
    else:
        t = rng.uniform(0.5, 2.0)
    utts = []
    last_end = None
    prev_end = None
    for u in block.utterances:
        if last_end is None:
            start = t
        elif u.overlap:
            start = prev_end - u.overlap
        else:
            start = last_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + _duration(u.text, rates[u.code], rng)
        start, end = round(start, 2), round(end, 2)
        utts.append({"speaker": SPEAKERS[u.code], "start": start, "end": end, "text": u.text})
        prev_end = end
        last_end = end if last_end is None else max(last_end, end)
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
        "note": m.get("note", ""),
    }
    return rec, label


def build_all(source: Path | None = None) -> tuple[list[dict], list[dict]]:
    source = source or HERE / "source.txt"
    pairs = [build_one(b) for b in parse(source.read_text(encoding="utf-8"))]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def render(interactions: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
    lab = json.dumps(labels, ensure_ascii=False, indent=2) + "\n"
    return jsonl, lab


def main() -> int:
    interactions, labels = build_all()
    jsonl, lab = render(interactions, labels)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(
        f"wrote {len(interactions)} interactions, {sum(len(r['utterances']) for r in interactions)} utterances"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
