"""Rebuild blind-halls-7 from its hand-written source (written by blind7).

Every word, metadata field and label is hand-written in ``source.txt``; this
script only parses it and derives the utterance times as the dev set's README
("Times") describes, with jitter seeded per interaction so a rebuild gives the
same numbers.

Usage: python build.py  (writes interactions.jsonl and labels.json next to it)
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
SHORT_PAUSE = "，、；：,;:"
LONG_PAUSE = "。？！?!"
NOT_SPOKEN = SHORT_PAUSE + LONG_PAUSE + "…—“”‘’（）()《》 "


def parse(text: str) -> list[dict]:
    """Parse the source into interaction blocks (header, turns, labels)."""
    blocks: list[dict] = []
    for line in text.splitlines():
        line = line.rstrip()
        if line.startswith("# b7-"):
            head = [p.strip() for p in line[2:].split("|")]
            block = {"id": head[0], "channel": head[1], "hall": head[2],
                     "window": head[3], "staff": head[4], "started_at": head[5],
                     "extra": head[6:], "turns": [], "breaches": [],
                     "unscored": [], "note": ""}
            blocks.append(block)
        elif not line or line.startswith("#"):
            continue
        elif line.startswith("B: "):
            art, quote, duty = (p.strip() for p in line[3:].split("|"))
            block["breaches"].append({"article": int(art), "speaker": "staff",
                                      "quote": quote, "duty": duty})
        elif line.startswith("U: "):
            block["unscored"] = [int(a) for a in line[3:].split()]
        elif line.startswith("N: "):
            block["note"] = line[3:].strip()
        else:
            m = re.match(r"^(?:\+(\d+) )?(~?)([SC]): (.+)$", line)
            if not m:
                raise ValueError(f"unparsed line: {line!r}")
            block["turns"].append({"wait": float(m.group(1) or 0),
                                   "overlap": bool(m.group(2)),
                                   "speaker": "staff" if m.group(3) == "S" else "citizen",
                                   "text": m.group(4)})
    return blocks


def duration(text: str, rate: float, rng: random.Random) -> float:
    """Seconds to say ``text`` at ``rate`` characters/s, with pauses."""
    chars = sum(1 for ch in text if ch not in NOT_SPOKEN)
    secs = chars / rate
    secs += sum(rng.uniform(0.12, 0.25) for ch in text if ch in SHORT_PAUSE)
    secs += sum(rng.uniform(0.25, 0.45) for ch in text[:-1] if ch in LONG_PAUSE)
    secs += sum(rng.uniform(1.2, 2.4) for _ in range(text.count("……")))
    return secs


def timed(block: dict) -> dict:
    """Build one interaction record with derived times."""
    rng = random.Random(f"blind-halls-7/{block['id']}")
    staff_rate = rng.uniform(4.3, 5.0)
    flags = dict(e.split("=") if "=" in e else (e, "1") for e in block["extra"])
    citizen_rate = rng.uniform(3.2, 3.6) if "elderly" in flags else rng.uniform(3.9, 4.7)
    record = {"id": block["id"], "channel": block["channel"], "hall": block["hall"],
              "window": block["window"], "staff": block["staff"],
              "started_at": block["started_at"]}
    if "rings" in flags:
        record["rings"] = int(flags["rings"])
        clock = 5 * (record["rings"] - 1) + rng.uniform(0.6, 1.5)
    elif "ring_seconds" in flags:
        record["ring_seconds"] = float(flags["ring_seconds"])
        clock = record["ring_seconds"] + rng.uniform(0.3, 0.8)
    else:
        clock = rng.uniform(0.5, 2.0)
    utterances = []
    prev_start = prev_end = None
    for i, turn in enumerate(block["turns"]):
        rate = staff_rate if turn["speaker"] == "staff" else citizen_rate
        length = duration(turn["text"], rate, rng)
        if turn["overlap"] and prev_end is not None:
            start = max(prev_start + 0.4, prev_end - rng.uniform(0.5, 1.4))
        elif i == 0:
            start = clock + turn["wait"]
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + turn["wait"]
        end = start + length
        utterances.append({"speaker": turn["speaker"], "start": round(start, 2),
                           "end": round(end, 2), "text": turn["text"]})
        prev_start, prev_end = start, end
    record["utterances"] = utterances
    return record


def label(block: dict) -> dict:
    """The label object: breaches, clean articles, note."""
    breached = {b["article"] for b in block["breaches"]}
    clean = [a for a in ARTICLES if a not in breached and a not in block["unscored"]]
    return {"id": block["id"], "breaches": block["breaches"],
            "clean_articles": clean, "note": block["note"]}


def main() -> None:
    blocks = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    with (HERE / "interactions.jsonl").open("w", encoding="utf-8") as out:
        for block in blocks:
            out.write(json.dumps(timed(block), ensure_ascii=False) + "\n")
    labels = [label(b) for b in blocks]
    (HERE / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
