"""Rebuild interactions.jsonl and labels.json of train-halls-15 from the hand-written source.txt.

Only the timestamps are derived here (dialogues-dev README, section Times); every word, every header field and
every label comes from source.txt.  The jitter is seeded per interaction with random.Random("train-halls-15/<id>"),
so a rebuild gives the same numbers.

    python benchmarks/data/train-halls-15/build.py
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-15"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

SHORT_PAUSE = "，、；：,;:"
LONG_PAUSE = "。？！?!"
ELLIPSIS = "……"

_WAIT = re.compile(r"^\{\+(\d+(?:\.\d+)?)\}\s*")
_OV = re.compile(r"^\{ov\s+(\d+(?:\.\d+)?)\}\s*")


@dataclass
class Utt:
    speaker: str  # "staff" | "citizen"
    text: str
    wait: float = 0.0  # extra silence before the utterance
    ov: float | None = None  # starts this many seconds before the previous utterance ends


@dataclass
class Block:
    id: str
    header: dict[str, str]
    utterances: list[Utt] = field(default_factory=list)
    breaches: list[tuple[int, str, str]] = field(default_factory=list)  # (article, quote, duty)
    arguable: list[tuple[int, str]] = field(default_factory=list)  # (article, why)
    note: str = ""


def _parse_utt(line: str) -> Utt:
    tag, _, rest = line.partition(":")
    speaker = {"S": "staff", "C": "citizen"}[tag.strip()]
    rest = rest.strip()
    wait, ov = 0.0, None
    while True:
        m = _WAIT.match(rest)
        if m:
            wait += float(m.group(1))
            rest = rest[m.end():]
            continue
        m = _OV.match(rest)
        if m:
            ov = float(m.group(1))
            rest = rest[m.end():]
            continue
        break
    if not rest:
        raise ValueError(f"empty utterance: {line!r}")
    return Utt(speaker, rest, wait, ov)


def parse(text: str) -> list[Block]:
    """Split source.txt into blocks; each block has a header, utterances and labels."""
    blocks: list[Block] = []
    cur: Block | None = None
    section = 0  # 0 header, 1 utterances, 2 labels
    for raw in text.splitlines():
        line = raw.rstrip()
        if line.startswith("#") and cur is None:
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip(), header={})
            blocks.append(cur)
            section = 0
            continue
        if cur is None or not line.strip():
            continue
        if line.strip() == "---":
            section += 1
            if section > 2:
                raise ValueError(f"{cur.id}: too many --- separators")
            continue
        if section == 0:
            key, sep, value = line.partition(":")
            if not sep:
                raise ValueError(f"{cur.id}: bad header line {line!r}")
            cur.header[key.strip()] = value.strip()
        elif section == 1:
            cur.utterances.append(_parse_utt(line))
        else:
            if line.startswith("breach "):
                parts = [p.strip() for p in line[len("breach "):].split("|")]
                if len(parts) != 3:
                    raise ValueError(f"{cur.id}: bad breach line {line!r}")
                cur.breaches.append((int(parts[0]), parts[1], parts[2]))
            elif line.startswith("arguable "):
                art, _, why = line[len("arguable "):].partition("|")
                cur.arguable.append((int(art.strip()), why.strip()))
            elif line.startswith("note:"):
                cur.note = line[len("note:"):].strip()
            else:
                raise ValueError(f"{cur.id}: bad label line {line!r}")
    return blocks


def _spoken_chars(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def _duration(text: str, rate: float, rng: random.Random) -> float:
    d = _spoken_chars(text) / rate
    n_ell = text.count(ELLIPSIS)
    rest = text.replace(ELLIPSIS, "")
    body = rest.rstrip(SHORT_PAUSE + LONG_PAUSE)  # no pause counted for the final mark
    for ch in body:
        if ch in SHORT_PAUSE:
            d += rng.uniform(0.12, 0.25)
        elif ch in LONG_PAUSE:
            d += rng.uniform(0.25, 0.45)
    for _ in range(n_ell):
        d += rng.uniform(1.2, 2.4)
    return max(d, 0.4)


def build_one(block: Block) -> tuple[dict, dict]:
    """The interaction record and the label record of one block."""
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    cit_rate = rng.uniform(3.2, 3.6) if h.get("citizen") == "elderly" else rng.uniform(3.9, 4.7)

    if h["channel"] == "phone":
        if "ring_seconds" in h:
            t0 = float(h["ring_seconds"]) + rng.uniform(0.3, 0.8)
        else:
            t0 = 5 * (int(h["rings"]) - 1) + rng.uniform(1.3, 3.2)
    else:
        t0 = rng.uniform(0.4, 1.5)

    utts: list[dict] = []
    prev_start = prev_end = 0.0
    max_end = 0.0
    for i, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else cit_rate
        if i == 0:
            start = t0 + u.wait
        elif u.ov is not None:
            start = max(prev_end - u.ov, prev_start + 0.3)
        else:
            start = max_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + _duration(u.text, rate, rng)
        start, end = round(start, 2), round(end, 2)
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        prev_start, prev_end = start, end
        max_end = max(max_end, end)

    rec: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": h["started_at"],
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rec["rings"] = int(h["rings"])
        else:
            rec["ring_seconds"] = float(h["ring_seconds"])
    rec["utterances"] = utts

    breached = {a for a, _, _ in block.breaches}
    arguable = {a for a, _ in block.arguable}
    note = block.note
    if block.arguable:
        note += " | not scored: " + "; ".join(f"Art. {a}: {why}" for a, why in block.arguable)
    label = {
        "id": block.id,
        "breaches": [
            {"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breached and a not in arguable],
        "note": note,
    }
    return rec, label


def build(text: str) -> tuple[list[dict], list[dict]]:
    pairs = [build_one(b) for b in parse(text)]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def render(interactions: list[dict], labels: list[dict]) -> tuple[str, str]:
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in interactions)
    lab = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return jsonl, lab


def main() -> None:
    inter, labels = build((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, lab = render(inter, labels)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"wrote {len(inter)} interactions, {sum(len(r['utterances']) for r in inter)} utterances")


if __name__ == "__main__":
    main()
