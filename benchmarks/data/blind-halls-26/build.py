"""Rebuild interactions.jsonl and labels.json of blind-halls-26 from source.txt.

The text of every interaction is hand-written in source.txt; only the times are computed
here, as in the dev README's *Times* section: characters / a speaking rate drawn per
interaction (staff 4.3-5.0 chars/s, citizens 3.9-4.7, elderly citizens 3.2-3.6), short
pauses for punctuation, 1.2-2.4 s per ellipsis, 0.25-0.9 s between turns, the explicit
waits ``{+N}`` and overlaps ``{ov N}`` written in the source.  Jitter comes from
``random.Random("blind-halls-26/<id>")`` so a rebuild gives the same numbers.

Source format (one block per interaction)::

    ### b26-0001
    channel: counter | phone
    hall: ...
    window: ...
    staff: S-2614
    started_at: 2026-11-04T09:05:00+08:00
    rings: 3            (calls: rings or ring_seconds)
    pace: elderly       (optional: the citizen speaks slowly)
    family: plain       (clean interactions: the hard-negative family; "-" otherwise)
    S: text             (staff)      C: text   (citizen)
    C: {+12} text       (an explicit wait of 12 s before this utterance)
    C: {ov 0.8} text    (starts 0.8 s before the previous utterance ended)
    breach: 9 | quote | duty       (quote empty for an absence)
    arguable: 6 | why
    note: one line
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-26"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HEADER_KEYS = ("channel", "hall", "window", "staff", "started_at", "rings", "ring_seconds",
               "pace", "family")

COMMA = set("，、；：,;:")
STOP = set("。？！?!")
NOT_SPOKEN = COMMA | STOP | set("……“”‘’（）()《》「」—… \u3000\"'")


@dataclass
class Utt:
    speaker: str
    text: str
    wait: float = 0.0
    overlap: float = 0.0


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)   # (article, quote, duty)
    arguable: list = field(default_factory=list)   # (article, why)
    note: str = ""
    line: int = 0


_UTT = re.compile(r"^([SC]):\s?(.*)$")
_WAIT = re.compile(r"^\{\+(\d+(?:\.\d+)?)\}\s*")
_OV = re.compile(r"^\{ov (\d+(?:\.\d+)?)\}\s*")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#!"):
            continue
        if line.startswith("### "):
            cur = Block(id=line[4:].strip(), line=n)
            blocks.append(cur)
            continue
        if cur is None:
            continue  # preamble
        m = _UTT.match(line)
        if m:
            speaker = "staff" if m.group(1) == "S" else "citizen"
            body = m.group(2).strip()
            wait = overlap = 0.0
            w = _WAIT.match(body)
            if w:
                wait = float(w.group(1))
                body = body[w.end():]
            o = _OV.match(body)
            if o:
                overlap = float(o.group(1))
                body = body[o.end():]
            cur.utterances.append(Utt(speaker, body.strip(), wait, overlap))
            continue
        key, sep, value = line.partition(":")
        key = key.strip()
        value = value.strip()
        if not sep:
            raise ValueError(f"line {n}: cannot parse {line!r}")
        if key == "breach":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 3:
                raise ValueError(f"line {n}: breach needs 'article | quote | duty'")
            cur.breaches.append((int(parts[0]), parts[1], parts[2]))
        elif key == "arguable":
            art, _, why = value.partition("|")
            cur.arguable.append((int(art.strip()), why.strip()))
        elif key == "note":
            cur.note = value
        elif key in HEADER_KEYS:
            cur.header[key] = value
        else:
            raise ValueError(f"line {n}: unknown key {key!r}")
    return blocks


def _spoken_chars(text: str) -> int:
    return sum(1 for ch in text if ch not in NOT_SPOKEN)


def _duration(text: str, rate: float, rng: random.Random) -> float:
    d = _spoken_chars(text) / rate
    body = text.rstrip("。？！?!")
    d += rng.uniform(1.2, 2.4) * body.count("……")
    for ch in body.replace("……", ""):
        if ch in COMMA:
            d += rng.uniform(0.1, 0.25)
        elif ch in STOP:
            d += rng.uniform(0.2, 0.4)
    return max(d, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("pace") == "elderly" else rng.uniform(3.9, 4.7)
    rec: dict = {"id": block.id, "channel": h["channel"], "hall": h["hall"],
                 "window": h["window"], "staff": h["staff"], "started_at": h["started_at"]}
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(0.4, 1.6) + rng.uniform(0.2, 0.5)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            t = secs + rng.uniform(0.2, 0.5)
    else:
        t = rng.uniform(0.3, 1.2)
    utts = []
    prev_start = prev_end = None
    max_end = 0.0
    for u in block.utterances:
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        if prev_end is None:
            start = t + u.wait
        elif u.overlap:
            start = max(prev_end - u.overlap, prev_start + 0.3)
        else:
            start = max_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + _duration(u.text, rate, rng)
        start, end = round(start, 2), round(end, 2)
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start, prev_end = start, end
        max_end = max(max_end, end)
    rec["utterances"] = utts
    arguable = {a for a, _ in block.arguable}
    breached = {a for a, _, _ in block.breaches}
    label = {
        "id": block.id,
        "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d}
                     for a, q, d in block.breaches],
        "clean_articles": [a for a in SCORED if a not in breached and a not in arguable],
        "note": block.note,
    }
    return rec, label


def build(text: str) -> tuple[list[dict], list[dict]]:
    recs, labels = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labels.append(lab)
    return recs, labels


def dumps(recs: list[dict], labels: list[dict]) -> tuple[str, str]:
    jl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    lj = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jl, lj


def main() -> int:
    recs, labels = build((HERE / "source.txt").read_text(encoding="utf-8"))
    jl, lj = dumps(recs, labels)
    (HERE / "interactions.jsonl").write_text(jl, encoding="utf-8")
    (HERE / "labels.json").write_text(lj, encoding="utf-8")
    print(f"{len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
