"""Rebuild interactions.jsonl and labels.json of blind-halls-24 from source.txt.

Every utterance, metadata field and label is hand-written in source.txt; this script only
parses it and derives the timestamps (dialogues-dev README, section *Times*), with the jitter
seeded per interaction by random.Random("blind-halls-24/<id>"). Run as a script to write the
two files next to it.
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-24"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

UTT_RE = re.compile(r"^(S|C)\s*(?:\{(\+|ov )\s*([0-9.]+)\})?\s*[:：]\s*(.+)$")
BREACH_RE = re.compile(r"^B\s+(\d+)\s*\|(.*?)\|\s*(.+)$")
ARGUABLE_RE = re.compile(r"^A\s+(\d+)\s*$")

SHORT_PAUSE = set("，、；：,;:")
LONG_PAUSE = set("。？！?!")
SILENT = set("“”‘’\"'（）()《》—-·… 　")


@dataclass
class Utterance:
    speaker: str          # "staff" | "citizen"
    text: str
    wait: float = 0.0     # explicit extra silence before the turn ({+N})
    overlap: float = 0.0  # starts N seconds before the previous turn ends ({ov N})


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)   # (article, quote, duty)
    arguable: list = field(default_factory=list)   # articles left unscored
    note: str = ""


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks, one per interaction, in file order."""
    blocks: list[Block] = []
    cur: Block | None = None
    section = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("==="):
            cur = Block(id=line[3:].strip())
            blocks.append(cur)
            section = 0
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        if line == "---":
            section += 1
            continue
        if section == 0:
            key, _, value = line.partition(":")
            cur.header[key.strip()] = value.strip()
        elif section == 1:
            m = UTT_RE.match(line)
            if not m:
                raise ValueError(f"line {lineno}: not an utterance: {line!r}")
            who, kind, num, body = m.groups()
            u = Utterance("staff" if who == "S" else "citizen", body.strip())
            if kind == "+":
                u.wait = float(num)
            elif kind == "ov ":
                u.overlap = float(num)
            cur.utterances.append(u)
        else:
            m = BREACH_RE.match(line)
            if m:
                cur.breaches.append((int(m.group(1)), m.group(2).strip(), m.group(3).strip()))
                continue
            m = ARGUABLE_RE.match(line)
            if m:
                cur.arguable.append(int(m.group(1)))
                continue
            if line.startswith("N:"):
                cur.note = line[2:].strip()
                continue
            raise ValueError(f"line {lineno}: not a label line: {line!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    seconds = 0.0
    chars = 0
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "…":
            j = i
            while j < n and text[j] == "…":
                j += 1
            seconds += rng.uniform(1.2, 2.4)
            i = j
            continue
        if ch in SHORT_PAUSE:
            if i < n - 1:
                seconds += rng.uniform(0.12, 0.25)
        elif ch in LONG_PAUSE:
            if i < n - 1:
                seconds += rng.uniform(0.25, 0.45)
        elif ch not in SILENT:
            chars += 1
        i += 1
    return seconds + chars / rate


def build_one(block: Block) -> tuple[dict, dict]:
    """Return the interaction record and the label record of one block."""
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("pace") == "elderly" else rng.uniform(3.9, 4.7)

    channel = h["channel"]
    rec: dict = {
        "id": block.id,
        "channel": channel,
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": h["start"] + "+08:00",
    }
    if channel == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(1.3, 3.8)
        else:
            ring_seconds = float(h["ring_seconds"])
            rec["ring_seconds"] = ring_seconds
            t = ring_seconds
        t += rng.uniform(0.2, 0.6)
    else:
        t = rng.uniform(0.4, 1.6)

    utterances = []
    prev_start = None
    max_end = 0.0
    prev_end = 0.0
    for k, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        dur = _duration(u.text, rate, rng)
        if k == 0:
            start = t + u.wait
        elif u.overlap:
            start = max(prev_end - u.overlap, prev_start + 0.3)
        else:
            start = max_end + rng.uniform(0.25, 0.9) + u.wait
        start = round(start, 2)
        end = round(start + dur, 2)
        utterances.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start, prev_end = start, end
        max_end = max(max_end, end)
    rec["utterances"] = utterances

    breached = {a for a, _, _ in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches
        ],
        "clean_articles": clean,
        "note": block.note,
    }
    return rec, label


def build(source: Path = HERE / "source.txt") -> tuple[list[dict], list[dict]]:
    blocks = parse(source.read_text(encoding="utf-8"))
    pairs = [build_one(b) for b in blocks]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def render(interactions: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
    lab = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jsonl, lab


def main() -> int:
    interactions, labels = build()
    jsonl, lab = render(interactions, labels)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"wrote {len(interactions)} interactions, "
          f"{sum(len(r['utterances']) for r in interactions)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
