"""Rebuild interactions.jsonl and labels.json of train-halls-24 from source.txt.

source.txt holds every interaction written by hand, one block each::

    ### t24-0001
    channel: counter | phone
    hall: ...            window: ...          staff: S-....
    start: 2026-11-04 09:12:30
    rings: 3 | ring_seconds: 11.5          (calls only)
    citizen: elderly                        (optional: slower citizen rate)
    family: plain                           (clean ones: hard-negative family)
    S: staff words
    C: {+12} citizen words after a 12 s wait
    S: {ov 0.8} staff words starting 0.8 s before the previous utterance ended
    breach: 18 | exact quote (or empty for an absence) | duty
    arguable: 17 | why it is not scored
    note: one line

Only the times are derived mechanically (the dev README's Times section); the
jitter is seeded per interaction with random.Random("train-halls-24/<id>").
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SET = "train-halls-24"
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
SHORT = set("，、；：,;:")
LONG = set("。？！?!")
PUNCT = SHORT | LONG | set("…“”‘’\"'（）()—《》· ")


@dataclass
class Block:
    id: str
    header: dict[str, str] = field(default_factory=dict)
    utterances: list[tuple[str, str, str]] = field(default_factory=list)  # (speaker, mark, text)
    breaches: list[tuple[int, str, str]] = field(default_factory=list)
    arguable: list[tuple[int, str]] = field(default_factory=list)
    note: str = ""


_UTT = re.compile(r"^(S|C):\s*(\{(?:\+|ov )[0-9.]+\})?\s*(.*)$")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#!"):
            continue
        if line.startswith("### "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            continue
        m = _UTT.match(line)
        if m:
            cur.utterances.append((m.group(1), (m.group(2) or "").strip("{}"), m.group(3).strip()))
            continue
        key, _, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if key == "breach":
            art, quote, duty = (p.strip() for p in value.split("|", 2))
            cur.breaches.append((int(art), quote, duty))
        elif key == "arguable":
            art, why = (p.strip() for p in value.split("|", 1))
            cur.arguable.append((int(art), why))
        elif key == "note":
            cur.note = value
        else:
            cur.header[key] = value
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in PUNCT)
    d = chars / rate
    body = text.rstrip("。？！?!")
    d += sum(rng.uniform(0.12, 0.22) for ch in body if ch in SHORT)
    d += sum(rng.uniform(0.25, 0.4) for ch in body if ch in LONG)
    d += sum(rng.uniform(1.2, 2.4) for _ in re.findall("……", text))
    return max(d, 0.4)


def build_one(block: Block) -> tuple[dict, dict]:
    rng = random.Random(f"{SET}/{block.id}")
    h = block.header
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("citizen") == "elderly" else rng.uniform(3.9, 4.7)
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
            rings = int(h["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(0.3, 0.9)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            t = secs
        t += rng.uniform(0.2, 0.5)
    else:
        t = rng.uniform(0.5, 1.6)
    utts = []
    prev_start = prev_end = None
    for speaker, mark, text in block.utterances:
        rate = staff_rate if speaker == "S" else citizen_rate
        if prev_end is None:
            start = t
        elif mark.startswith("ov "):
            start = max(prev_end - float(mark[3:]), prev_start + 0.3)
        else:
            start = prev_end + rng.uniform(0.25, 0.9)
            if mark.startswith("+"):
                start += float(mark[1:])
        end = start + _duration(text, rate, rng)
        utts.append({"speaker": "staff" if speaker == "S" else "citizen",
                     "start": round(start, 2), "end": round(end, 2), "text": text})
        prev_start, prev_end = start, end
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    arguable = {a for a, _ in block.arguable}
    label = {
        "id": block.id,
        "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches],
        "clean_articles": [a for a in SCORED if a not in breached and a not in arguable],
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
    interactions, labels = build((HERE / "source.txt").read_text(encoding="utf-8"))
    jl, lj = render(interactions, labels)
    (HERE / "interactions.jsonl").write_text(jl, encoding="utf-8")
    (HERE / "labels.json").write_text(lj, encoding="utf-8")
    print(f"wrote {len(interactions)} interactions")


if __name__ == "__main__":
    main()
