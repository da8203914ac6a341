"""Rebuild interactions.jsonl and labels.json of blind-halls-13 from source.txt.

Only the times are mechanical (dev README, *Times*); every utterance, metadata field and
label is copied as written in source.txt. Jitter is seeded per interaction with
random.Random("blind-halls-13/<id>"), so a rebuild gives the same numbers.
"""
from __future__ import annotations

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-13"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

SHORT_PUNCT = "，、；：,;:"
LONG_PUNCT = "。？！?!"
SKIP = set(SHORT_PUNCT + LONG_PUNCT + "…“”\"'‘’（）()《》—- ")


@dataclass
class Block:
    id: str
    meta: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)  # (speaker, text, wait, overlap)
    breaches: list = field(default_factory=list)    # (article, quote, duty)
    arguable: list = field(default_factory=list)
    note: str = ""


_UTT = re.compile(r"^(S|C):\s*(?:\{\+([\d.]+)\}\s*)?(?:\{ov ([\d.]+)\}\s*)?(.+)$")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    section = None
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            section = "meta"
            continue
        if cur is None:
            raise ValueError(f"line {n}: text before the first block")
        if line == "--- utterances":
            section = "utt"
            continue
        if line == "--- labels":
            section = "labels"
            continue
        if section == "meta":
            key, _, val = line.partition(":")
            cur.meta[key.strip()] = val.strip()
        elif section == "utt":
            m = _UTT.match(line)
            if not m:
                raise ValueError(f"line {n}: bad utterance {line!r}")
            spk = "staff" if m.group(1) == "S" else "citizen"
            wait = float(m.group(2)) if m.group(2) else 0.0
            ov = float(m.group(3)) if m.group(3) else None
            cur.utterances.append((spk, m.group(4).strip(), wait, ov))
        elif section == "labels":
            key, _, val = line.partition(":")
            key = key.strip()
            val = val.strip()
            if key == "breach":
                parts = [p.strip() for p in val.split("|")]
                if len(parts) != 3:
                    raise ValueError(f"line {n}: breach needs 'article | quote | duty'")
                cur.breaches.append((int(parts[0]), parts[1], parts[2]))
            elif key == "arguable":
                cur.arguable.extend(int(a) for a in val.replace(",", " ").split())
            elif key == "note":
                cur.note = val
            else:
                raise ValueError(f"line {n}: unknown label key {key!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in SKIP)
    d = chars / rate
    body = text.rstrip("。？！?!…")
    for ch in body:
        if ch in SHORT_PUNCT:
            d += rng.uniform(0.1, 0.25)
        elif ch in LONG_PUNCT:
            d += rng.uniform(0.25, 0.45)
    d += text.count("……") * rng.uniform(1.2, 2.4)
    return max(d, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    rng = random.Random(f"{SET}/{block.id}")
    meta = block.meta
    staff_rate = rng.uniform(4.3, 5.0)
    cit_rate = rng.uniform(3.2, 3.6) if meta.get("elderly") == "yes" else rng.uniform(3.9, 4.7)
    rec = {
        "id": block.id,
        "channel": meta["channel"],
        "hall": meta["hall"],
        "window": meta["window"],
        "staff": meta["staff"],
        "started_at": meta["started_at"],
    }
    if meta["channel"] == "phone":
        if "rings" in meta:
            rings = int(meta["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(0.6, 2.4)
        else:
            rs = float(meta["ring_seconds"])
            rec["ring_seconds"] = rs
            t = rs
        t += rng.uniform(0.3, 0.8)
    else:
        t = rng.uniform(0.4, 1.8)
    utts = []
    prev_start = prev_end = None
    for spk, text, wait, ov in block.utterances:
        rate = staff_rate if spk == "staff" else cit_rate
        dur = _duration(text, rate, rng)
        if prev_end is None:
            start = t + wait
        elif ov is not None:
            start = max(prev_end - ov, prev_start + 0.3)
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + wait
        end = start + dur
        utts.append({"speaker": spk, "start": round(start, 2), "end": round(end, 2), "text": text})
        prev_start, prev_end = start, max(end, prev_end or 0.0) if ov is not None else end
    rec["utterances"] = utts
    breached = {a for a, _, _ in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    lab = {
        "id": block.id,
        "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in block.breaches],
        "clean_articles": clean,
        "note": block.note,
    }
    return rec, lab


def render(blocks: list[Block]) -> tuple[str, str]:
    recs, labs = zip(*(build_one(b) for b in blocks), strict=True)
    inter = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    labels = json.dumps(list(labs), ensure_ascii=False, indent=1) + "\n"
    return inter, labels


def main() -> None:
    blocks = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    inter, labels = render(blocks)
    (HERE / "interactions.jsonl").write_text(inter, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"wrote {len(blocks)} interactions")


if __name__ == "__main__":
    main()
