"""Rebuild interactions.jsonl and labels.json of blind-halls-28 from source.txt.

Every utterance, header and label is hand-written in source.txt; only the times are
derived here (see README.md, *Times*).  The jitter is seeded per interaction with
``random.Random("blind-halls-28/<id>")``, so a rebuild is byte-identical.

Source format (one block per interaction)::

    === b28-0001
    channel: counter | phone
    hall: ...
    window: ...
    staff: S-....
    start: 2026-11-16T09:12:00          (local time, +08:00 is added)
    rings: 3 | ring_seconds: 11.5        (calls only)
    elderly: yes                         (optional: citizen speaks 3.2-3.6 chars/s)
    family: plain                        (clean ones: the hard-negative family; not emitted)
    --
    C: text                              (citizen)
    S: {+12} text                        (staff, after an explicit 12 s wait)
    C: {ov 1.5} text                     (starts 1.5 s before the previous one ends)
    --
    breach: 9 | quote | duty [| remark]  (quote may be empty: an absence)
    arguable: 10, 16
    note: one line
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-28"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
SPEAKERS = {"C": "citizen", "S": "staff"}

_WAIT = re.compile(r"^\{\+(\d+(?:\.\d+)?)\}\s*")
_OV = re.compile(r"^\{ov (\d+(?:\.\d+)?)\}\s*")


@dataclass
class Utt:
    speaker: str
    text: str
    wait: float | None = None
    overlap: float | None = None


@dataclass
class Block:
    id: str
    header: dict[str, str]
    utterances: list[Utt] = field(default_factory=list)
    breaches: list[dict] = field(default_factory=list)
    arguable: list[int] = field(default_factory=list)
    note: str = ""


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    section = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip(), header={})
            blocks.append(cur)
            section = 0
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        if line == "--":
            section += 1
            continue
        if section == 0:
            key, _, val = line.partition(":")
            cur.header[key.strip()] = val.strip()
        elif section == 1:
            spk, sep, rest = line.partition(":")
            if not sep or spk not in SPEAKERS:
                raise ValueError(f"line {lineno}: bad utterance {line!r}")
            rest = rest.strip()
            utt = Utt(SPEAKERS[spk], rest)
            m = _WAIT.match(rest)
            if m:
                utt.wait = float(m.group(1))
                utt.text = rest[m.end():]
            m = _OV.match(rest)
            if m:
                utt.overlap = float(m.group(1))
                utt.text = rest[m.end():]
            cur.utterances.append(utt)
        elif section == 2:
            key, _, val = line.partition(":")
            key = key.strip()
            val = val.strip()
            if key == "breach":
                parts = [p.strip() for p in val.split("|")]
                if len(parts) < 3:
                    raise ValueError(f"line {lineno}: breach needs article | quote | duty")
                cur.breaches.append({"article": int(parts[0]), "speaker": "staff",
                                     "quote": parts[1], "duty": parts[2]})
            elif key == "arguable":
                cur.arguable.extend(int(x) for x in re.split(r"[,\s]+", val) if x)
            elif key == "note":
                cur.note = val
            else:
                raise ValueError(f"line {lineno}: unknown label line {line!r}")
        else:
            raise ValueError(f"line {lineno}: too many sections")
    return blocks


_SHORT = set("，、；：,;:")
_LONG = set("。？！?!")


def _duration(text: str, rate: float, rng: random.Random) -> float:
    pause = 0.0
    n_ell = text.count("……")
    body_wo = text.replace("……", "").rstrip("。？！?!…")
    for ch in body_wo:
        if ch in _SHORT:
            pause += 0.2
        elif ch in _LONG:
            pause += 0.35
    pause += body_wo.count("——") * 0.15
    for _ in range(n_ell):
        pause += rng.uniform(1.2, 2.4)
    chars = sum(1 for ch in text if ch.isalnum())
    return max(0.4, chars / rate + pause)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    cit_rate = rng.uniform(3.2, 3.6) if h.get("elderly", "no") == "yes" else rng.uniform(3.9, 4.7)
    rec: dict = {"id": block.id, "channel": h["channel"], "hall": h["hall"],
                 "window": h["window"], "staff": h["staff"],
                 "started_at": h["start"] + "+08:00"}
    if h["channel"] == "phone":
        if "rings" in h:
            rec["rings"] = int(h["rings"])
            t = 5 * (int(h["rings"]) - 1) + rng.uniform(0.4, 2.5)
        else:
            rec["ring_seconds"] = float(h["ring_seconds"])
            t = float(h["ring_seconds"])
        t += rng.uniform(0.3, 0.7)
    else:
        t = rng.uniform(0.4, 1.2)
    utts = []
    prev_start = prev_end = None
    for u in block.utterances:
        if prev_end is None:
            start = t + (u.wait or 0.0)
        elif u.overlap is not None:
            start = prev_end - u.overlap
        elif u.wait is not None:
            start = prev_end + u.wait
        else:
            start = prev_end + rng.uniform(0.25, 0.9)
        rate = staff_rate if u.speaker == "staff" else cit_rate
        end = start + _duration(u.text, rate, rng)
        start, end = round(start, 2), round(end, 2)
        if prev_start is not None and start < prev_start:
            raise ValueError(f"{block.id}: overlap reaches before the previous start")
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start, prev_end = start, end
    rec["utterances"] = utts
    breached = {b["article"] for b in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    lab = {"id": block.id, "breaches": [dict(b) for b in block.breaches],
           "clean_articles": clean, "note": block.note}
    return rec, lab


def build(text: str) -> tuple[list[dict], list[dict]]:
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
    recs, labs = build((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, labels = render(recs, labs)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"{len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
