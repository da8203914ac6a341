"""Rebuild interactions.jsonl and labels.json of train-halls-13 from the hand-written source.txt.

Only the times are computed (see the dev README's *Times*); every text, header field and label comes from
source.txt as written. Jitter is seeded per interaction with random.Random("train-halls-13/<id>").
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-13"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
_MARK = re.compile(r"^\{(\+|ov )\s*([0-9.]+)\}\s*")
_SHORT = "，、；：,;:"
_LONG = "。？！?!"


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)  # (speaker, text, wait, overlap)
    breaches: list = field(default_factory=list)  # (article, quote, duty)
    arguable: list = field(default_factory=list)
    note: str = ""


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line.startswith("# "):
            continue
        if line.startswith("### "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line outside a block: {line!r}")
        if line[:3] in ("S: ", "C: "):
            speaker = "staff" if line[0] == "S" else "citizen"
            body = line[3:].strip()
            wait = ov = 0.0
            m = _MARK.match(body)
            if m:
                if m.group(1) == "+":
                    wait = float(m.group(2))
                else:
                    ov = float(m.group(2))
                body = body[m.end():]
            cur.utterances.append((speaker, body, wait, ov))
            continue
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "breach":
            art, quote, duty = (p.strip() for p in value.split("|", 2))
            cur.breaches.append((int(art), quote, duty))
        elif key == "arguable":
            cur.arguable = [int(x) for x in value.replace(" ", "").split(",") if x]
        elif key == "note":
            cur.note = value
        else:
            cur.header[key] = value
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    body = text.replace("……", "").replace("——", "")
    chars = sum(1 for ch in body if ch not in _SHORT + _LONG + "“”\"'（）() ")
    d = chars / rate
    d += sum(rng.uniform(1.2, 2.4) for _ in range(text.count("……")))
    d += 0.3 * text.count("——")
    inner = text.rstrip(_LONG + "…")
    for ch in inner:
        if ch in _SHORT:
            d += rng.uniform(0.15, 0.3)
        elif ch in _LONG:
            d += rng.uniform(0.3, 0.5)
    return max(d, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("elderly") == "yes" else rng.uniform(3.9, 4.7)
    rec: dict = {"id": block.id, "channel": h["channel"], "hall": h["hall"], "window": h["window"],
                 "staff": h["staff"], "started_at": h["started_at"]}
    if h["channel"] == "phone":
        if "rings" in h:
            rec["rings"] = int(h["rings"])
            t = 5 * (rec["rings"] - 1) + 1.0 + rng.uniform(0.3, 0.9)
        else:
            rec["ring_seconds"] = float(h["ring_seconds"])
            t = rec["ring_seconds"] + rng.uniform(0.2, 0.6)
    else:
        t = rng.uniform(0.5, 2.0)
    utts = []
    prev_start = prev_end = None
    for speaker, text, wait, ov in block.utterances:
        rate = staff_rate if speaker == "staff" else citizen_rate
        if prev_end is None:
            start = t + wait
        elif ov:
            start = max(prev_start + 0.2, prev_end - ov)
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + wait
        end = start + _duration(text, rate, rng)
        utts.append({"speaker": speaker, "start": round(start, 2), "end": round(end, 2), "text": text})
        prev_start, prev_end = start, end
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    label = {
        "id": block.id,
        "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches],
        "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
        "note": block.note,
    }
    return rec, label


def build(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def render(interactions: list[dict], labels: list[dict]) -> tuple[str, str]:
    jl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
    lj = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jl, lj


def main() -> None:
    inter, labels = build((HERE / "source.txt").read_text(encoding="utf-8"))
    jl, lj = render(inter, labels)
    (HERE / "interactions.jsonl").write_text(jl, encoding="utf-8")
    (HERE / "labels.json").write_text(lj, encoding="utf-8")
    print(f"wrote {len(inter)} interactions, {sum(len(r['utterances']) for r in inter)} utterances")


if __name__ == "__main__":
    main()
