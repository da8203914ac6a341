"""Rebuild interactions.jsonl and labels.json of train-halls-26 from source.txt.

Every utterance, header field and label is hand-written in source.txt; only the
times are derived here, as in the dev README's *Times* section: characters over a
per-interaction speaking rate, short pauses for punctuation, 1.2-2.4 s for an
ellipsis, 0.25-0.9 s between turns, explicit waits ``{+N}`` and overlaps
``{ov N}`` (the next utterance starts N s before the previous one ended).
Jitter comes from ``random.Random("train-halls-26/<id>")``, so a rebuild is
byte-identical.
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-26"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HEADER_KEYS = ("channel", "hall", "window", "staff", "started_at", "rings", "ring_seconds", "elderly", "family")
SPEAKERS = {"S": "staff", "C": "citizen"}
SHORT_PAUSE = set("，、；：,;:")
LONG_PAUSE = set("。？！?!")
NOT_SPOKEN = set("，、；：,;:。？！?!…“”\"'‘’（）() 　-—")


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    items: list = field(default_factory=list)  # ("utt", speaker, text) | ("wait", s) | ("ov", s)
    breaches: list = field(default_factory=list)  # (article, quote, duty)
    arguable: list = field(default_factory=list)
    note: str = ""


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    section = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            section = "header"
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        if line == "--":
            section = {"header": "body", "body": "labels"}.get(section, section)
            continue
        if section == "header":
            key, _, value = line.partition(":")
            key = key.strip()
            if key not in HEADER_KEYS:
                raise ValueError(f"line {lineno}: unknown header {key!r}")
            cur.header[key] = value.strip()
        elif section == "body":
            m = re.fullmatch(r"\{\+(\d+(?:\.\d+)?)\}", line)
            if m:
                cur.items.append(("wait", float(m.group(1))))
                continue
            m = re.fullmatch(r"\{ov (\d+(?:\.\d+)?)\}", line)
            if m:
                cur.items.append(("ov", float(m.group(1))))
                continue
            m = re.fullmatch(r"([SC]): (.+)", line)
            if not m:
                raise ValueError(f"line {lineno}: bad utterance {line!r}")
            cur.items.append(("utt", SPEAKERS[m.group(1)], m.group(2).strip()))
        elif section == "labels":
            if line.startswith("breach:"):
                parts = [p.strip() for p in line[len("breach:"):].split("|")]
                if len(parts) != 3:
                    raise ValueError(f"line {lineno}: breach needs article | quote | duty")
                art, quote, duty = parts
                cur.breaches.append((int(art), quote, duty))
            elif line.startswith("arguable:"):
                cur.arguable = [int(x) for x in line[len("arguable:"):].split()]
            elif line.startswith("note:"):
                cur.note = line[len("note:"):].strip()
            else:
                raise ValueError(f"line {lineno}: bad label line {line!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    spoken = sum(1 for ch in text if ch not in NOT_SPOKEN)
    body = text.rstrip("。？！?!，…")
    pauses = 0.0
    for ch in body:
        if ch in SHORT_PAUSE:
            pauses += 0.18
        elif ch in LONG_PAUSE:
            pauses += 0.32
    for _ in range(body.count("……")):
        pauses += rng.uniform(1.2, 2.4)
    return spoken / rate * rng.uniform(0.94, 1.06) + pauses


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    if h.get("elderly", "no") == "yes":
        citizen_rate = rng.uniform(3.2, 3.6)
    else:
        citizen_rate = rng.uniform(3.9, 4.7)
    rec = {"id": block.id, "channel": h["channel"], "hall": h["hall"], "window": h["window"],
           "staff": h["staff"], "started_at": h["started_at"]}
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            t0 = 5 * (rings - 1) + 1.0 + rng.uniform(0.3, 1.5)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            t0 = secs + rng.uniform(0.2, 0.6)
    else:
        t0 = rng.uniform(0.6, 1.8)
    utts = []
    prev_end = None
    prev_start = None
    pending_wait = None
    pending_ov = None
    for item in block.items:
        if item[0] == "wait":
            pending_wait = item[1]
            continue
        if item[0] == "ov":
            pending_ov = item[1]
            continue
        _, speaker, text = item
        rate = staff_rate if speaker == "staff" else citizen_rate
        if prev_end is None:
            start = t0
        elif pending_ov is not None:
            start = max(prev_end - pending_ov, prev_start + 0.3)
        elif pending_wait is not None:
            start = prev_end + pending_wait
        else:
            start = prev_end + rng.uniform(0.25, 0.9)
        dur = _duration(text, rate, rng)
        start = round(start, 2)
        end = round(start + dur, 2)
        utts.append({"speaker": speaker, "start": start, "end": end, "text": text})
        prev_start, prev_end = start, end
        pending_wait = pending_ov = None
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    label = {"id": block.id,
             "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches],
             "clean_articles": clean,
             "note": block.note}
    return rec, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    recs, labels = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labels.append(lab)
    return recs, labels


def render(recs: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    lab = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jsonl, lab


def main() -> int:
    recs, labels = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, lab = render(recs, labels)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"wrote {len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
