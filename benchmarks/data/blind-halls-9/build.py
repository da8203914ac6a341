"""Rebuild interactions.jsonl and labels.json from the hand-written source.txt.

Only the timestamps are derived mechanically, as the dev set's README
("Times") describes: characters / a speaking rate drawn per interaction,
short pauses for punctuation, 1.2-2.4 s per ellipsis, 0.25-0.9 s between
turns, explicit waits ({+N}) and overlaps ({ov N}) as written. The jitter is
seeded per interaction id, so a rebuild gives the same numbers.

Usage: python build.py  (writes next to this file)
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
PUNCT_SHORT = "，、；：,;:"
PUNCT_LONG = "。？！?!"
SKIP = set(PUNCT_SHORT + PUNCT_LONG + "…—“”\"'（）() 　")


def parse(text: str) -> list[dict]:
    """Split source.txt into blocks of header, utterances and labels."""
    blocks = []
    for raw in re.split(r"^### ", text, flags=re.M)[1:]:
        lines = raw.rstrip("\n").split("\n")
        iid = lines[0].strip()
        parts, cur = [], []
        for line in lines[1:]:
            if line.strip() == "--":
                parts.append(cur)
                cur = []
            else:
                cur.append(line)
        parts.append(cur)
        header, utts, labels = parts
        blocks.append({"id": iid, "header": header, "utts": utts, "labels": labels})
    return blocks


def duration(text: str, rate: float, rng: random.Random) -> float:
    """Seconds to say text: characters / rate plus pauses for punctuation."""
    spoken = re.sub(r"（[^）]*）", "", text)
    chars = sum(1 for ch in spoken if ch not in SKIP)
    secs = chars / rate
    secs += sum(rng.uniform(0.12, 0.3) for ch in spoken if ch in PUNCT_SHORT)
    secs += sum(rng.uniform(0.25, 0.5) for ch in spoken[:-1] if ch in PUNCT_LONG)
    secs += sum(rng.uniform(1.2, 2.4) for _ in re.findall("……", spoken))
    return max(secs, 0.4)


def build_one(block: dict) -> tuple[dict, dict]:
    """Return (interaction, label) for one source block."""
    rng = random.Random(f"blind-halls-9/{block['id']}")
    inter: dict = {"id": block["id"]}
    for line in block["header"]:
        if not line.strip():
            continue
        key, val = (x.strip() for x in line.split(":", 1))
        if key == "rings":
            inter[key] = int(val)
        elif key == "ring_seconds":
            inter[key] = float(val)
        else:
            inter[key] = val
    rates = {"S": rng.uniform(4.3, 5.0), "C": rng.uniform(3.9, 4.7), "E": rng.uniform(3.2, 3.6)}
    if "rings" in inter:
        t = 5 * (inter["rings"] - 1) + 1 + rng.uniform(0.3, 1.5)
    elif "ring_seconds" in inter:
        t = inter["ring_seconds"]
    else:
        t = rng.uniform(0.5, 2.0)
    t += rng.uniform(0.2, 0.6)
    utts, prev_end = [], None
    for line in block["utts"]:
        if not line.strip():
            continue
        who, text = line.split(": ", 1)
        m = re.match(r"\{(\+|ov )([\d.]+)\}\s*", text)
        start = t if prev_end is None else prev_end + rng.uniform(0.25, 0.9)
        if m:
            text = text[m.end() :]
            if m.group(1) == "+":
                start = prev_end + float(m.group(2))
            else:
                start = prev_end - float(m.group(2))
        end = start + duration(text, rates[who], rng)
        utts.append(
            {
                "speaker": "staff" if who == "S" else "citizen",
                "start": round(start, 2),
                "end": round(end, 2),
                "text": text,
            }
        )
        prev_end = end
    inter["utterances"] = utts
    breaches, arguable, note = [], {}, ""
    for line in block["labels"]:
        if not line.strip():
            continue
        key, val = (x.strip() for x in line.split(":", 1))
        if key == "breach":
            art, quote, duty = (x.strip() for x in val.split("|", 2))
            breaches.append({"article": int(art), "speaker": "staff", "quote": quote, "duty": duty})
        elif key == "arguable":
            art, why = (x.strip() for x in val.split("|", 1))
            arguable[int(art)] = why
        elif key == "note":
            note = val
    used = {b["article"] for b in breaches} | set(arguable)
    clean = [a for a in ARTICLES if a not in used]
    for art, why in sorted(arguable.items()):
        note += f"; Art. {art} unscored: {why}"
    label = {"id": block["id"], "breaches": breaches, "clean_articles": clean, "note": note}
    return inter, label


def main() -> None:
    blocks = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    pairs = [build_one(b) for b in blocks]
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as fh:
        for inter, _ in pairs:
            fh.write(json.dumps(inter, ensure_ascii=False) + "\n")
    with open(HERE / "labels.json", "w", encoding="utf-8") as fh:
        json.dump([lab for _, lab in pairs], fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(f"wrote {len(pairs)} interactions")


if __name__ == "__main__":
    main()
