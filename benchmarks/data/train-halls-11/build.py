"""Rebuild interactions.jsonl and labels.json of train-halls-11 from source.txt.

Deterministic: the only randomness is the per-interaction jitter of speaking rates,
pauses and gaps, seeded with random.Random("train-halls-11/<id>").

Source format (see README.md):
    === t11-0001                 block header
    key: value                   channel, hall, window, staff, start, rings, ring_seconds, pace, family
    --                           utterances follow
    S: text | C: text            speaker staff / citizen
    S {+12}: text                explicit wait of 12 s before this utterance (instead of the turn gap)
    C {ov 0.8}: text             starts 0.8 s before the previous utterance ended
    --                           labels follow
    B <article> | <quote> | <duty>   a breach (quote may be empty: an absence)
    A <article> | <why>          arguable (not scored)
    note: one line
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-11"
HERE = Path(__file__).resolve().parent
SCORED = [5, 6, 7, 8, 9, 10, 16, 17, 18, 25]
PUNCT_SHORT = set("，、,")
PUNCT_LONG = set("。？！；：?!;:")
SKIP = set("，、,。？！；：?!;:“”‘’\"'（）()《》—…·— \u3000")


@dataclass
class Utt:
    speaker: str
    text: str
    wait: float | None = None
    overlap: float | None = None


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utts: list = field(default_factory=list)
    breaches: list = field(default_factory=list)
    arguable: list = field(default_factory=list)
    note: str = ""


UTT_RE = re.compile(r"^([SC])(?:\s*\{(\+|ov\s*)([0-9.]+)\})?\s*:\s*(.+)$")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    section = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            section = 0
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        if line == "--":
            section += 1
            if section > 2:
                raise ValueError(f"line {lineno}: too many sections in {cur.id}")
            continue
        if section == 0:
            k, _, v = line.partition(":")
            cur.header[k.strip()] = v.strip()
        elif section == 1:
            m = UTT_RE.match(line)
            if not m:
                raise ValueError(f"line {lineno}: bad utterance {line!r}")
            sp, kind, num, txt = m.groups()
            u = Utt("staff" if sp == "S" else "citizen", txt.strip())
            if kind == "+":
                u.wait = float(num)
            elif kind:
                u.overlap = float(num)
            cur.utts.append(u)
        else:
            if line.startswith("note:"):
                cur.note = line[5:].strip()
            elif line.startswith("B "):
                parts = [p.strip() for p in line[2:].split("|")]
                if len(parts) != 3:
                    raise ValueError(f"line {lineno}: breach needs article | quote | duty")
                cur.breaches.append({"article": int(parts[0]), "speaker": "staff",
                                     "quote": parts[1], "duty": parts[2]})
            elif line.startswith("A "):
                cur.arguable.append(int(line[2:].split("|")[0].strip()))
            else:
                raise ValueError(f"line {lineno}: bad label line {line!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in SKIP)
    d = chars / rate
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "…":
            d += rng.uniform(1.2, 2.4)
            while i < len(text) and text[i] == "…":
                i += 1
            continue
        if ch in PUNCT_SHORT:
            d += rng.uniform(0.12, 0.25)
        elif ch in PUNCT_LONG:
            d += rng.uniform(0.25, 0.45)
        i += 1
    return max(d, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    cit_rate = rng.uniform(3.2, 3.6) if h.get("pace") == "elderly" else rng.uniform(3.9, 4.7)
    rec = {"id": block.id, "channel": h["channel"], "hall": h["hall"], "window": h["window"],
           "staff": h["staff"], "started_at": h["start"] + "+08:00"}
    t = rng.uniform(0.4, 1.6)
    if h["channel"] == "phone":
        if "rings" in h:
            n = int(h["rings"])
            rec["rings"] = n
            t = 5 * (n - 1) + rng.uniform(0.6, 1.8)
        else:
            s = float(h["ring_seconds"])
            rec["ring_seconds"] = s
            t = s + rng.uniform(0.2, 0.5)
    utts = []
    prev_end = None
    prev_start = None
    for u in block.utts:
        rate = staff_rate if u.speaker == "staff" else cit_rate
        dur = _duration(u.text, rate, rng)
        if prev_end is None:
            start = t + (u.wait or 0.0)
        elif u.overlap is not None:
            start = max(prev_end - u.overlap, prev_start + 0.2)
        elif u.wait is not None:
            start = prev_end + u.wait
        else:
            start = prev_end + rng.uniform(0.25, 0.9)
        end = start + dur
        utts.append({"speaker": u.speaker, "start": round(start, 2), "end": round(end, 2), "text": u.text})
        prev_start = start
        # an overlapping utterance (backchannel inside a turn) need not push the floor forward
        prev_end = max(end, prev_end) if prev_end is not None and u.overlap is not None else end
    rec["utterances"] = utts
    breached = {b["article"] for b in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    lab = {"id": block.id, "breaches": block.breaches, "clean_articles": clean, "note": block.note}
    return rec, lab


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    recs, labs = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labs.append(lab)
    return recs, labs


def render(recs: list[dict], labs: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    labels = json.dumps(labs, ensure_ascii=False, indent=1) + "\n"
    return jsonl, labels


def main() -> int:
    recs, labs = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, labels = render(recs, labs)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"wrote {len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
