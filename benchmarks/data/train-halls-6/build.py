"""Build interactions.jsonl and labels.json of train-halls-6 from the hand-written source.txt.

Only the times are computed here (as the dev set's README "Times" section describes): characters
divided by a speaking rate drawn per interaction, pauses for punctuation and ellipses, gaps between
turns, explicit waits (+N lines) and overlaps (C^/S^ lines). The jitter is seeded per interaction,
so a rebuild gives the same numbers. Text, metadata and labels are copied as written.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
SPEAKERS = {"S": "staff", "C": "citizen", "O": "citizen"}


def parse(text: str) -> list[dict]:
    blocks: list[dict] = []
    cur: dict | None = None
    for raw in text.splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            parts = [p.strip() for p in line[4:].split("|")]
            cur = {"head": parts, "lines": [], "label": None}
            blocks.append(cur)
        elif line.startswith("L: "):
            cur["label"] = json.loads(line[3:])
        elif line.startswith("+"):
            cur["lines"].append(("wait", float(line[1:])))
        else:
            tag, _, body = line.partition(": ")
            cur["lines"].append((tag, body))
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in '，。？！、…；：,.?!"“”')
    d = chars / rate
    d += 0.18 * sum(text.count(p) for p in "，、；：")
    d += 0.3 * sum(text.count(p) for p in "。？！")
    d += sum(rng.uniform(1.2, 2.4) for _ in range(text.count("……")))
    return d


def build_one(block: dict) -> dict:
    head = block["head"]
    iid, channel, hall, window, staff, started = head[:6]
    rng = random.Random(int(iid.split("-")[1]) + 6_000_000)
    rates = {
        "S": rng.uniform(4.3, 5.0),
        "C": rng.uniform(3.9, 4.7),
        "O": rng.uniform(3.2, 3.6),
    }
    item = {
        "id": iid,
        "channel": channel,
        "hall": hall,
        "window": window,
        "staff": staff,
        "started_at": started,
    }
    t = rng.uniform(0.3, 1.5)
    if channel == "phone":
        key, _, value = head[6].partition("=")
        if key == "rings":
            rings = int(value)
            item["rings"] = rings
            t = 5 * (rings - 1) + 1.0 + rng.uniform(0.2, 0.7)
        else:
            secs = float(value)
            item["ring_seconds"] = secs
            t = secs + rng.uniform(0.1, 0.4)
    utts = []
    prev_start = prev_end = None
    wait = 0.0
    for tag, body in block["lines"]:
        if tag == "wait":
            wait += body
            continue
        overlap = tag.endswith("^")
        base = tag.rstrip("^")
        dur = _duration(body, rates[base], rng)
        if prev_end is None:
            start = t + wait
        elif overlap:
            start = max(prev_start + 0.5, prev_end - rng.uniform(0.6, 1.2))
        else:
            start = prev_end + wait + rng.uniform(0.25, 0.9)
        wait = 0.0
        end = start + dur
        utts.append(
            {
                "speaker": SPEAKERS[base],
                "start": round(start, 2),
                "end": round(end, 2),
                "text": body,
            }
        )
        prev_start, prev_end = start, end
    item["utterances"] = utts
    return item


def main() -> None:
    blocks = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    items = [build_one(b) for b in blocks]
    labels = [{"id": b["head"][0], **b["label"]} for b in blocks]
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as fh:
        for it in items:
            fh.write(json.dumps(it, ensure_ascii=False) + "\n")
    (HERE / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(items)} interactions written")


if __name__ == "__main__":
    main()
