"""Rebuild interactions.jsonl and labels.json of train-halls-31 from source.txt.

source.txt holds every interaction as written by hand:

    ### t31-0001
    channel: counter            (counter | phone)
    hall: ...
    window: ...
    staff: S-3101
    started_at: 2026-11-04 09:17:20
    rings: 3                    (phone: rings, or ring_seconds: 17.5)
    voice: elderly              (optional: the citizen speaks slowly)
    family: plain               (optional: hard-negative family of a clean one)
    --
    S: 您好……                   (S = staff, the window clerk; C = citizen)
    C: {+6} ...                 ({+N}: N seconds of silence before the turn)
    C: {ov 0.8} 嗯嗯。          ({ov N}: starts N seconds before the previous turn ends)
    --
    breach: 5 | quote | duty    (quote "" for an absence: write nothing between the bars)
    arguable: 16 | why it is left unscored
    note: one line

Only the times are computed (dev README, Times): characters / a rate drawn per
interaction (staff 4.3-5.0 chars/s, citizen 3.9-4.7, elderly 3.2-3.6), short
pauses for punctuation, 1.2-2.4 s per ellipsis, 0.25-0.9 s between turns, the
written waits and overlaps; the jitter comes from random.Random("train-halls-31/<id>").
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-31"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
SPEAKERS = {"S": "staff", "C": "citizen"}
PUNCT_SHORT = "，、；：,;:"
PUNCT_LONG = "。？！?!"
SKIP = set("，、；：,;:。？！?!“”‘’《》（）()…—- \"'·")


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    lines: list = field(default_factory=list)      # (speaker, wait, overlap, text)
    breaches: list = field(default_factory=list)   # (article, quote, duty)
    arguable: list = field(default_factory=list)   # (article, why)
    note: str = ""


_TURN = re.compile(r"^([SC]):\s*(?:\{\+([\d.]+)\}\s*)?(?:\{ov ([\d.]+)\}\s*)?(.+)$")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur = None
    part = 0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#!"):
            continue
        if line.startswith("### "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            part = 0
            continue
        if cur is None:
            raise ValueError(f"line {n}: text before the first ###")
        if line == "--":
            part += 1
            continue
        if part == 0:
            key, _, val = line.partition(":")
            cur.header[key.strip()] = val.strip()
        elif part == 1:
            m = _TURN.match(line)
            if not m:
                raise ValueError(f"line {n}: bad turn {line!r}")
            sp, wait, ov, body = m.groups()
            cur.lines.append((SPEAKERS[sp], float(wait) if wait else None,
                              float(ov) if ov else None, body.strip()))
        else:
            key, _, val = line.partition(":")
            key = key.strip()
            val = val.strip()
            if key == "breach":
                art, quote, duty = [x.strip() for x in val.split("|", 2)]
                cur.breaches.append((int(art), quote, duty))
            elif key == "arguable":
                art, why = [x.strip() for x in val.split("|", 1)]
                cur.arguable.append((int(art), why))
            elif key == "note":
                cur.note = val
            else:
                raise ValueError(f"line {n}: unknown label line {line!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in SKIP)
    d = chars / rate
    t = text.replace("……", "\u2026")
    for ch in t:
        if ch == "\u2026":
            d += rng.uniform(1.2, 2.4)
        elif ch in PUNCT_SHORT:
            d += rng.uniform(0.12, 0.25)
        elif ch in PUNCT_LONG:
            d += rng.uniform(0.2, 0.4)
    return max(d, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    rng = random.Random(f"{SET}/{block.id}")
    h = block.header
    staff_rate = rng.uniform(4.3, 5.0)
    cit_rate = rng.uniform(3.2, 3.6) if h.get("voice") == "elderly" else rng.uniform(3.9, 4.7)
    date, _, clock = h["started_at"].partition(" ")
    if clock.count(":") == 1:
        clock += ":00"
    rec = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": f"{date}T{clock}+08:00",
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(0.5, 1.6)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            t = secs + rng.uniform(0.15, 0.5)
    else:
        t = rng.uniform(0.4, 1.8)
    utts = []
    prev_start = prev_end = None
    for i, (speaker, wait, ov, text) in enumerate(block.lines):
        rate = staff_rate if speaker == "staff" else cit_rate
        if i == 0:
            start = t + (wait or 0.0)
        elif ov is not None:
            start = max(prev_end - ov, prev_start + 0.3)
        elif wait is not None:
            start = prev_end + wait
        else:
            start = prev_end + rng.uniform(0.25, 0.9)
        end = start + _duration(text, rate, rng)
        if ov is not None:
            # a backchannel or a cut-in ends no earlier than it could
            end = max(end, start + 0.35)
        utts.append({"speaker": speaker, "start": round(start, 2),
                     "end": round(end, 2), "text": text})
        prev_start, prev_end = start, end
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    arguable = {a for a, _ in block.arguable}
    lab = {
        "id": block.id,
        "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d}
                     for a, q, d in block.breaches],
        "clean_articles": [a for a in SCORED if a not in breached and a not in arguable],
        "note": block.note,
    }
    return rec, lab


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    recs, labs = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labs.append(lab)
    return recs, labs


def dump(recs: list[dict], labs: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    labels = json.dumps(labs, ensure_ascii=False, indent=1) + "\n"
    return jsonl, labels


def main() -> int:
    recs, labs = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, labels = dump(recs, labs)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"{len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
