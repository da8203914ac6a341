"""Rebuild interactions.jsonl and labels.json of blind-halls-25 from source.txt.

Every utterance, metadata field and label is hand-written in source.txt; this script only parses it and
derives the timestamps (see the dev README's *Times* section), with jitter from random.Random("blind-halls-25/<id>").

    python build.py            # writes interactions.jsonl and labels.json next to this file
"""
from __future__ import annotations

import json
import random
import re
import sys
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

SET = "blind-halls-25"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
SPEAKERS = {"S": "staff", "C": "citizen"}

_META_KEYS = ("channel", "hall", "window", "staff", "start", "voice", "rings", "ring_seconds", "family")
_MARK = re.compile(r"^\{(\+|ov )([0-9]+(?:\.[0-9]+)?)\}\s*")


@dataclass
class Utt:
    speaker: str          # "staff" | "citizen"
    text: str
    wait: float = 0.0     # explicit extra wait before the utterance ({+N})
    overlap: float = 0.0  # starts this many seconds before the previous talk ended ({ov N})


@dataclass
class Breach:
    article: int
    quote: str
    duty: str
    remark: str = ""


@dataclass
class Block:
    id: str
    meta: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)
    arguable: dict = field(default_factory=dict)   # article -> reason
    note: str = ""
    line: int = 0


def _quote(raw: str) -> str:
    raw = raw.strip()
    return "" if raw == '""' else raw


def parse(text: str) -> list[Block]:
    """Parse source.txt into blocks. Raises ValueError on malformed input."""
    blocks: list[Block] = []
    cur: Block | None = None
    section = None
    for no, line in enumerate(text.splitlines(), 1):
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        if s.startswith("=== "):
            cur = Block(id=s[4:].strip(), line=no)
            blocks.append(cur)
            section = "meta"
            continue
        if cur is None:
            raise ValueError(f"line {no}: text before the first block")
        if s == "---":
            section = {"meta": "talk", "talk": "labels"}.get(section)
            if section is None:
                raise ValueError(f"line {no}: too many '---' in {cur.id}")
            continue
        if section == "meta":
            key, _, val = s.partition(":")
            key = key.strip()
            if key not in _META_KEYS:
                raise ValueError(f"line {no}: unknown header key {key!r}")
            cur.meta[key] = val.strip()
        elif section == "talk":
            who, sep, rest = s.partition(":")
            if not sep or who not in SPEAKERS:
                raise ValueError(f"line {no}: expected 'S:' or 'C:'")
            rest = rest.strip()
            u = Utt(SPEAKERS[who], rest)
            while True:
                m = _MARK.match(u.text)
                if not m:
                    break
                if m.group(1) == "+":
                    u.wait += float(m.group(2))
                else:
                    u.overlap = float(m.group(2))
                u.text = u.text[m.end():]
            if not u.text:
                raise ValueError(f"line {no}: empty utterance")
            cur.utterances.append(u)
        else:
            key, _, val = s.partition(":")
            key = key.strip()
            if key == "breach":
                parts = [p.strip() for p in val.split(" | ")]
                if len(parts) not in (3, 4):
                    raise ValueError(f"line {no}: breach needs 'article | quote | duty [| remark]'")
                cur.breaches.append(Breach(int(parts[0]), _quote(parts[1]), parts[2],
                                           parts[3] if len(parts) == 4 else ""))
            elif key == "arguable":
                art, _, why = val.partition(" | ")
                cur.arguable[int(art.strip())] = why.strip()
            elif key == "note":
                cur.note = val.strip()
            else:
                raise ValueError(f"line {no}: unknown label key {key!r}")
    return blocks


def _spoken_chars(text: str) -> int:
    return sum(1 for ch in text if not ch.isspace() and not unicodedata.category(ch).startswith("P")
               and ch not in "～~")


def _duration(text: str, rate: float, rng: random.Random) -> float:
    ellipses = text.count("……")
    rest = text.replace("……", "")
    d = _spoken_chars(text) / rate
    d += 0.12 * sum(rest.count(p) for p in "，、；：,")
    d += 0.28 * sum(rest.count(p) for p in "。？！?!")
    for _ in range(ellipses):
        d += rng.uniform(1.2, 2.4)
    # a closing mark costs nothing once the speaker has stopped
    if rest and rest[-1] in "。？！?!":
        d -= 0.28
    return max(d, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    """Return (interaction record, label record) for one block."""
    m = block.meta
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if m.get("voice") == "elderly" else rng.uniform(3.9, 4.7)
    started = datetime.strptime(m["start"], "%Y-%m-%d %H:%M:%S")
    rec = {"id": block.id, "channel": m["channel"], "hall": m["hall"], "window": m["window"],
           "staff": m["staff"], "started_at": started.strftime("%Y-%m-%dT%H:%M:%S") + "+08:00"}
    if m["channel"] == "phone":
        if "rings" in m:
            rec["rings"] = int(m["rings"])
            pickup = 5.0 * (int(m["rings"]) - 1) + 1.0
        else:
            rs = float(m["ring_seconds"])
            rec["ring_seconds"] = int(rs) if rs == int(rs) else rs
            pickup = rs
        t = pickup + rng.uniform(0.3, 0.8)
    else:
        t = rng.uniform(0.5, 2.0)
    utts = []
    last_end = 0.0
    for i, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        dur = _duration(u.text, rate, rng)
        gap = rng.uniform(0.25, 0.9)
        if i == 0:
            start = t + u.wait
        elif u.overlap:
            start = max(last_end - u.overlap, utts[-1]["start"] + 0.2)
        else:
            start = last_end + gap + u.wait
        start = round(start, 2)
        end = round(start + dur, 2)
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        last_end = max(last_end, end)
    rec["utterances"] = utts
    breached = {b.article for b in block.breaches}
    lab = {"id": block.id,
           "breaches": [{"article": b.article, "speaker": "staff", "quote": b.quote, "duty": b.duty}
                        for b in block.breaches],
           "clean_articles": [a for a in SCORED if a not in breached and a not in block.arguable],
           "note": block.note}
    return rec, lab


def render(blocks: list[Block]) -> tuple[str, str]:
    """The exact text of interactions.jsonl and labels.json."""
    pairs = [build_one(b) for b in blocks]
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r, _ in pairs)
    labels = json.dumps([lab for _, lab in pairs], ensure_ascii=False, indent=1) + "\n"
    return jsonl, labels


def main() -> int:
    blocks = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, labels = render(blocks)
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"{len(blocks)} interactions written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
