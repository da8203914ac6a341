"""Rebuild interactions.jsonl and labels.json of blind-halls-14 from source.txt.

Only the times are computed; every text, header field and label comes from source.txt.
Times follow the dev README's *Times* section: characters / a per-interaction speaking rate
(staff 4.3-5.0 chars/s, citizens 3.9-4.7, elderly citizens 3.2-3.6), short pauses for
punctuation, 1.2-2.4 s per ellipsis, 0.25-0.9 s gaps between turns, explicit waits {+N} and
overlaps {ov N}; jitter from random.Random("blind-halls-14/<id>").
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-14"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
SHORT_PAUSE = "，、；：,;:"
LONG_PAUSE = "。？！?!"
SKIP = set("，、；：,;:。？！?!…—“”\"'（）() ·")


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)  # (speaker, text, wait, overlap)
    breaches: list = field(default_factory=list)  # (article, quote, duty)
    arguable: list = field(default_factory=list)


_UTT = re.compile(r"^(S|C): (.*)$")
_MARK = re.compile(r"^\{(\+|ov )([0-9.]+)\}\s*")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("# b14-"):
            cur = Block(id=line[2:].strip())
            blocks.append(cur)
            continue
        if cur is None or not line or line.startswith("#"):
            continue
        m = _UTT.match(line)
        if m:
            speaker = "staff" if m.group(1) == "S" else "citizen"
            body, wait, ov = m.group(2), None, None
            mm = _MARK.match(body)
            if mm:
                if mm.group(1) == "+":
                    wait = float(mm.group(2))
                else:
                    ov = float(mm.group(2))
                body = body[mm.end() :]
            cur.utterances.append((speaker, body.strip(), wait, ov))
            continue
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "breach":
            art, quote, duty = (p.strip() for p in value.split("|", 2))
            cur.breaches.append((int(art), quote, duty))
        elif key == "arguable":
            cur.arguable = [int(a) for a in value.split(",") if a.strip()]
        else:
            cur.header[key] = value
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in SKIP)
    d = chars / rate
    body = text.rstrip("".join(LONG_PAUSE) + "…—")
    d += 0.15 * sum(body.count(p) for p in SHORT_PAUSE)
    d += 0.35 * sum(body.count(p) for p in LONG_PAUSE)
    for _ in range(text.count("……")):
        d += rng.uniform(1.2, 2.4)
    return max(d, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("elderly") == "yes" else rng.uniform(3.9, 4.7)
    rec = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": h["start"],
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(0.4, 0.9)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = int(secs) if secs == int(secs) else secs
            t = secs
        t += rng.uniform(0.2, 0.5)
    else:
        t = rng.uniform(0.5, 2.0)
    utts = []
    prev_start = prev_end = None
    for speaker, text, wait, ov in block.utterances:
        if prev_end is None:
            start = t
        elif ov is not None:
            start = max(prev_end - ov, prev_start + 0.3)
        elif wait is not None:
            start = prev_end + wait
        else:
            start = prev_end + rng.uniform(0.25, 0.9)
        dur = _duration(text, staff_rate if speaker == "staff" else citizen_rate, rng)
        end = start + dur
        utts.append(
            {"speaker": speaker, "start": round(start, 2), "end": round(end, 2), "text": text}
        )
        prev_start, prev_end = start, end
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
        "note": h.get("note", ""),
    }
    return rec, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def render(text: str) -> tuple[str, str]:
    recs, labels = build_all(text)
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    lab = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jsonl, lab


def main() -> None:
    jsonl, lab = render((HERE / "source.txt").read_text(encoding="utf-8"))
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")


if __name__ == "__main__":
    main()
