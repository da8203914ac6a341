"""Rebuild interactions.jsonl and labels.json of train-halls-12 from source.txt.

Every utterance, header field and label is written by hand in source.txt; this script only
parses it and computes the times (dev README, *Times*), with jitter from
random.Random("train-halls-12/<id>"), so a rebuild is byte-identical.
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-12"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
DEFAULT_HALL = "武威市政务服务中心"
SHORT_PAUSE = set("，、；：,;:")
LONG_PAUSE = set("。？！?!")
NOT_SPOKEN = SHORT_PAUSE | LONG_PAUSE | set("“”\"'（）()《》—-·…")


@dataclass
class Utt:
    speaker: str          # "staff" | "citizen"
    text: str
    wait: float = 0.0     # {+N}: extra seconds before this utterance
    ov: float | None = None  # {ov N}: starts N s before the previous utterance ended


@dataclass
class Breach:
    article: int
    quote: str
    duty: str
    note: str = ""


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utts: list = field(default_factory=list)
    breaches: list = field(default_factory=list)
    arguable: list = field(default_factory=list)
    note: str = ""


_UTT = re.compile(r"^(S|C):\s*(?:\{(\+|ov )\s*([0-9.]+)\}\s*)?(.*)$")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    part = 0
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            part = 0
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text before the first block")
        if line == "---":
            part += 1
            continue
        if part == 0:
            key, _, val = line.partition(":")
            cur.header[key.strip()] = val.strip()
        elif part == 1:
            m = _UTT.match(line)
            if not m:
                raise ValueError(f"line {lineno}: bad utterance {line!r}")
            who, kind, num, body = m.groups()
            u = Utt("staff" if who == "S" else "citizen", body.strip())
            if kind == "+":
                u.wait = float(num)
            elif kind == "ov ":
                u.ov = float(num)
            cur.utts.append(u)
        else:
            key, _, val = line.partition(":")
            key, val = key.strip(), val.strip()
            if key == "breach":
                fields = [f.strip() for f in val.split("|")]
                while len(fields) < 4:
                    fields.append("")
                cur.breaches.append(Breach(int(fields[0]), fields[1], fields[2], fields[3]))
            elif key == "arguable":
                cur.arguable = [int(x) for x in val.replace(",", " ").split()]
            elif key == "note":
                cur.note = val
            else:
                raise ValueError(f"line {lineno}: unknown label key {key!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    n_ell = text.count("……")
    rest = text.replace("……", "")
    chars = sum(1 for ch in rest if not ch.isspace() and ch not in NOT_SPOKEN)
    d = chars / rate
    for ch in rest:
        if ch in SHORT_PAUSE:
            d += rng.uniform(0.12, 0.25)
        elif ch in LONG_PAUSE:
            d += rng.uniform(0.25, 0.45)
    for _ in range(n_ell):
        d += rng.uniform(1.2, 2.4)
    return max(d, 0.4)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    cit_rate = rng.uniform(3.2, 3.6) if h.get("elderly", "no") == "yes" else rng.uniform(3.9, 4.7)
    rec: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h.get("hall", DEFAULT_HALL),
        "window": h["window"],
        "staff": h["staff"],
        "started_at": h["start"].replace(" ", "T") + "+08:00",
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rec["rings"] = int(h["rings"])
            pickup = 5 * (rec["rings"] - 1) + rng.uniform(0.3, 0.9)
        else:
            rec["ring_seconds"] = float(h["ring_seconds"])
            pickup = rec["ring_seconds"]
        t = pickup + rng.uniform(0.3, 0.8)
    else:
        t = rng.uniform(0.5, 1.5)
    utts = []
    last_end = None
    prev = None
    for u in block.utts:
        rate = staff_rate if u.speaker == "staff" else cit_rate
        dur = _duration(u.text, rate, rng)
        if prev is None:
            start = t + u.wait
        elif u.ov is not None:
            start = prev["end"] - u.ov
            if start <= prev["start"]:
                raise ValueError(f"{block.id}: overlap larger than the previous utterance")
        else:
            start = last_end + rng.uniform(0.25, 0.9) + u.wait
        start = round(start, 2)
        end = round(start + dur, 2)
        item = {"speaker": u.speaker, "start": start, "end": end, "text": u.text}
        utts.append(item)
        prev = item
        last_end = end if last_end is None else max(last_end, end)
    rec["utterances"] = utts
    breached = {b.article for b in block.breaches}
    clean = [a for a in SCORED if a not in breached and a not in block.arguable]
    lab = {
        "id": block.id,
        "breaches": [{"article": b.article, "speaker": "staff", "quote": b.quote, "duty": b.duty}
                     for b in block.breaches],
        "clean_articles": clean,
        "note": block.note,
    }
    return rec, lab


def build_all(text: str) -> tuple[str, str]:
    recs, labs = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labs.append(lab)
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    labels = json.dumps(labs, ensure_ascii=False, indent=1) + "\n"
    return jsonl, labels


def main() -> int:
    jsonl, labels = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"wrote {jsonl.count(chr(10))} interactions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
