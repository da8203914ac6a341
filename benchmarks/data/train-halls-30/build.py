"""Rebuild interactions.jsonl and labels.json of train-halls-30 from source.txt.

Every utterance and label was written by hand in source.txt; this script only
parses it and derives the timestamps, as the Times section of the
dialogues-dev README describes (characters / a per-interaction speaking rate,
pauses for punctuation and ellipses, gaps between turns, explicit waits and
overlaps).  The jitter is seeded per interaction with
random.Random("train-halls-30/<id>"), so a rebuild gives the same numbers.

Source format (one block per interaction):

    === t30-0001
    channel: counter | phone
    hall: ...
    window: ...
    staff: S-....
    start: 2026-11-05 09:12[:ss]
    rings: N            (phone; or ring_seconds: S)
    family: <hard-negative family>   (clean interactions only)
    S: staff utterance
    C: citizen utterance
    E: citizen utterance, an elderly speaker (slower rate)
       an utterance may begin with {+N} (a wait of N s before it) or
       {ov N} (it starts N s before the previous speech ended)
    ! <article> | <quote or empty> | <duty> [| <inspector's note>]
    ? <article> | <why it is arguable>
    note: one line

Lines starting with '#' are comments.
"""
from __future__ import annotations

import datetime as _dt
import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-30"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

PAUSE_SHORT = set("，、；：—")
PAUSE_LONG = set("。！？")
PUNCT = PAUSE_SHORT | PAUSE_LONG | set("…“”‘’《》（）()「」,.!?;:~～ \t")


@dataclass
class Utt:
    speaker: str          # staff | citizen
    elderly: bool
    wait: float
    overlap: float
    text: str


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utts: list = field(default_factory=list)
    breaches: list = field(default_factory=list)   # dicts: article, quote, duty, remark
    arguable: list = field(default_factory=list)   # (article, reason)
    note: str = ""


_PREFIX = re.compile(r"^\{(\+|ov )\s*([0-9.]+)\}\s*")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text outside a block")
        if line[:2] in ("S:", "C:", "E:"):
            spk = line[0]
            body = line[2:].strip()
            wait = ov = 0.0
            while True:
                m = _PREFIX.match(body)
                if not m:
                    break
                if m.group(1) == "+":
                    wait += float(m.group(2))
                else:
                    ov = float(m.group(2))
                body = body[m.end():]
            if not body:
                raise ValueError(f"line {lineno}: empty utterance")
            cur.utts.append(Utt("staff" if spk == "S" else "citizen", spk == "E", wait, ov, body))
        elif line.startswith("! "):
            parts = [p.strip() for p in line[2:].split("|")]
            if len(parts) not in (3, 4):
                raise ValueError(f"line {lineno}: breach needs 3 or 4 fields")
            cur.breaches.append({"article": int(parts[0]), "quote": parts[1], "duty": parts[2],
                                 "remark": parts[3] if len(parts) == 4 else ""})
        elif line.startswith("? "):
            art, _, why = line[2:].partition("|")
            cur.arguable.append((int(art.strip()), why.strip()))
        elif line.startswith("note:"):
            cur.note = line[5:].strip()
        else:
            key, sep, val = line.partition(":")
            if not sep or key.strip() not in ("channel", "hall", "window", "staff", "start",
                                               "rings", "ring_seconds", "family"):
                raise ValueError(f"line {lineno}: cannot parse {line!r}")
            cur.header[key.strip()] = val.strip()
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in PUNCT and not ch.isspace())
    d = chars / rate
    body = text.rstrip("。！？…")
    d += sum(rng.uniform(0.12, 0.22) for ch in body if ch in PAUSE_SHORT)
    d += sum(rng.uniform(0.25, 0.4) for ch in body if ch in PAUSE_LONG)
    d += sum(rng.uniform(1.2, 2.4) for _ in re.findall(r"…+", text))
    return max(d, 0.35)


def _started_at(value: str) -> str:
    fmt = "%Y-%m-%d %H:%M:%S" if value.count(":") == 2 else "%Y-%m-%d %H:%M"
    t = _dt.datetime.strptime(value, fmt)
    return t.strftime("%Y-%m-%dT%H:%M:%S+08:00")


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.9, 4.7)
    elderly_rate = rng.uniform(3.2, 3.6)
    rec = {"id": block.id, "channel": h["channel"], "hall": h["hall"], "window": h["window"],
           "staff": h["staff"], "started_at": _started_at(h["start"])}
    if h["channel"] == "phone":
        if "ring_seconds" in h:
            rs = float(h["ring_seconds"])
            rec["ring_seconds"] = rs
            pickup = rs
        else:
            n = int(h["rings"])
            rec["rings"] = n
            pickup = 5 * (n - 1) + rng.uniform(0.5, 1.6)
        t = pickup + rng.uniform(0.2, 0.6)
    else:
        t = rng.uniform(0.4, 1.6)
    utts = []
    last_end = None
    for u in block.utts:
        rate = staff_rate if u.speaker == "staff" else (elderly_rate if u.elderly else citizen_rate)
        dur = _duration(u.text, rate, rng)
        if last_end is None:
            start = t + u.wait
        elif u.overlap:
            start = last_end - u.overlap
        else:
            start = last_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + dur
        utts.append({"speaker": u.speaker, "start": round(start, 2), "end": round(end, 2), "text": u.text})
        last_end = end if last_end is None else max(last_end, end)
    rec["utterances"] = utts

    breached = {b["article"] for b in block.breaches}
    arguable = {a for a, _ in block.arguable}
    clean = [a for a in SCORED if a not in breached and a not in arguable]
    note = block.note
    fam = h.get("family")
    if fam:
        note = f"hard negative ({fam}): {note}"
    if block.arguable:
        note += "; unscored: " + "; ".join(f"{a} ({why})" for a, why in block.arguable)
    lab = {"id": block.id,
           "breaches": [{"article": b["article"], "speaker": "staff", "quote": b["quote"], "duty": b["duty"]}
                        for b in block.breaches],
           "clean_articles": clean,
           "note": note}
    return rec, lab


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def main() -> None:
    inter, labels = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as f:
        for r in inter:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    with open(HERE / "labels.json", "w", encoding="utf-8") as f:
        json.dump(labels, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{len(inter)} interactions, {sum(len(r['utterances']) for r in inter)} utterances")


if __name__ == "__main__":
    main()
