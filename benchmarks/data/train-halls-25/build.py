"""Rebuild interactions.jsonl and labels.json of train-halls-25 from source.txt.

The words, metadata and labels are hand-written in source.txt; this script only
parses them and derives the timestamps (see README, "Times"). Deterministic:
the jitter of each interaction comes from random.Random("train-halls-25/<id>").
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-25"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

SHORT_PAUSE = "，、；：,;:"
LONG_PAUSE = "。？！?!"
SILENT = "“”‘’\"'（）()《》 —…"


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    # (speaker, text, extra wait before in s, overlap with previous end in s)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)   # (article, quote, duty)
    arguable: list = field(default_factory=list)   # (article, reason)


_MARK = re.compile(r"^\{(\+|ov )([0-9.]+)\}\s*")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        if line[:2] in ("S:", "C:"):
            speaker = "staff" if line[0] == "S" else "citizen"
            body = line[2:].strip()
            wait = ov = 0.0
            m = _MARK.match(body)
            if m:
                if m.group(1) == "+":
                    wait = float(m.group(2))
                else:
                    ov = float(m.group(2))
                body = body[m.end():]
            if not body:
                raise ValueError(f"line {lineno}: empty utterance")
            cur.utterances.append((speaker, body, wait, ov))
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise ValueError(f"line {lineno}: cannot parse {line!r}")
        key, value = key.strip(), value.strip()
        if key == "breach":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) != 3:
                raise ValueError(f"line {lineno}: breach needs article | quote | duty")
            cur.breaches.append((int(parts[0]), parts[1], parts[2]))
        elif key == "arguable":
            art, _, reason = value.partition("|")
            cur.arguable.append((int(art), reason.strip()))
        else:
            cur.header[key] = value
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    d = 0.0
    i = 0
    while i < len(text):
        ch = text[i]
        if text.startswith("……", i):
            d += rng.uniform(1.2, 2.4)
            i += 2
            continue
        if ch in SHORT_PAUSE:
            d += 0.18
        elif ch in LONG_PAUSE:
            d += 0.32
        elif ch in SILENT:
            d += 0.05
        else:
            d += 1.0 / rate
        i += 1
    return max(d, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(5.5, 6.1) if h.get("staff_rate") == "fast" else rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("elderly") == "yes" else rng.uniform(3.9, 4.7)

    rec: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": h["start"].replace(" ", "T") + "+08:00",
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rec["rings"] = int(h["rings"])
            t = 5.0 * (rec["rings"] - 1) + rng.uniform(0.4, 0.9) + 0.3
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = int(secs) if secs == int(secs) else secs
            t = secs + 0.3
    else:
        t = rng.uniform(0.5, 1.5)

    utts = []
    prev_end = None
    for speaker, text, wait, ov in block.utterances:
        if prev_end is not None:
            t = prev_end - ov if ov else prev_end + rng.uniform(0.25, 0.9) + wait
        else:
            t += wait
        rate = staff_rate if speaker == "staff" else citizen_rate
        end = t + _duration(text, rate, rng)
        start_r, end_r = round(t, 2), round(end, 2)
        utts.append({"speaker": speaker, "start": start_r, "end": end_r, "text": text})
        prev_end = end if prev_end is None or not ov else max(prev_end, end)
        t = end
    rec["utterances"] = utts

    breached = {a for a, _, _ in block.breaches}
    unscored = {a for a, _ in block.arguable}
    note = h.get("note", "")
    if block.arguable:
        note += " — unscored: " + "; ".join(f"Art. {a} ({r})" for a, r in block.arguable)
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d}
            for a, q, d in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breached and a not in unscored],
        "note": note,
    }
    return rec, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    recs, labels = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labels.append(lab)
    return recs, labels


def render(recs: list[dict], labels: list[dict]) -> tuple[str, str]:
    jl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    lj = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jl, lj


def main() -> int:
    recs, labels = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    jl, lj = render(recs, labels)
    (HERE / "interactions.jsonl").write_text(jl, encoding="utf-8")
    (HERE / "labels.json").write_text(lj, encoding="utf-8")
    print(f"{len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
