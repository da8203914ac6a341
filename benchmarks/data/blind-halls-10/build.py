"""Rebuild interactions.jsonl and labels.json of blind-halls-10 from source.txt.

Every utterance, header field and label is hand-written in source.txt; this script only
parses it and derives the times (dev README, *Times*): characters / a speaking rate drawn
per interaction, short pauses for punctuation, 1.2-2.4 s per ellipsis, 0.25-0.9 s between
turns, plus the explicit waits ``{+N}`` and overlaps ``{ov N}`` of the source. The jitter
comes from ``random.Random("blind-halls-10/<id>")``, so a rebuild gives the same numbers.

    python build.py            # writes interactions.jsonl and labels.json next to this file
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-10"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)

HEADER_KEYS = ("channel", "hall", "window", "staff", "start", "rings", "ring_seconds",
               "note", "family", "elderly")
SPEAKERS = {"S": "staff", "C": "citizen", "C2": "citizen"}

SHORT_PAUSE = set("，、；：,;:")
LONG_PAUSE = set("。？！?!")
SILENT = set("“”‘’\"'《》（）()【】-—·…～~ ") | SHORT_PAUSE | LONG_PAUSE


@dataclass
class Utterance:
    speaker: str          # "staff" | "citizen"
    text: str
    wait: float = 0.0     # explicit silence before it ({+N} lines)
    overlap: float = 0.0  # starts this many seconds before the previous one ends ({ov N})


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)   # (article, quote, duty)
    arguable: list = field(default_factory=list)   # (article, why)
    line: int = 0


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    section = None
    pending_wait = 0.0
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("=== "):
            if cur is not None and pending_wait:
                raise ValueError(f"line {n}: wait at the end of {cur.id}")
            cur = Block(id=line[4:].strip(), line=n)
            blocks.append(cur)
            section, pending_wait = "header", 0.0
            continue
        if cur is None:
            raise ValueError(f"line {n}: text before the first block")
        if line == "utterances:":
            section = "utterances"
            continue
        if line == "labels:":
            if pending_wait:
                raise ValueError(f"line {n}: wait at the end of the utterances of {cur.id}")
            section = "labels"
            continue
        if section == "header":
            key, sep, value = line.partition(":")
            key = key.strip()
            if not sep or key not in HEADER_KEYS:
                raise ValueError(f"line {n}: bad header line {line!r}")
            if key in cur.header:
                raise ValueError(f"line {n}: {key} given twice")
            cur.header[key] = value.strip()
        elif section == "utterances":
            m = re.fullmatch(r"\{\+(\d+(?:\.\d+)?)\}", line)
            if m:
                pending_wait += float(m.group(1))
                continue
            m = re.fullmatch(r"(S|C2|C):\s*(?:\{ov (\d+(?:\.\d+)?)\}\s*)?(.+)", line)
            if not m:
                raise ValueError(f"line {n}: bad utterance line {line!r}")
            ov = float(m.group(2)) if m.group(2) else 0.0
            if ov and pending_wait:
                raise ValueError(f"line {n}: a wait before an overlap")
            cur.utterances.append(Utterance(SPEAKERS[m.group(1)], m.group(3).strip(), pending_wait, ov))
            pending_wait = 0.0
        elif section == "labels":
            parts = [p.strip() for p in line.split("|")]
            kind, _, art = parts[0].partition(" ")
            if not art.strip().isdigit():
                raise ValueError(f"line {n}: bad label line {line!r}")
            art_n = int(art)
            if kind == "breach" and len(parts) == 3:
                cur.breaches.append((art_n, parts[1], parts[2]))
            elif kind == "arguable" and len(parts) == 2:
                cur.arguable.append((art_n, parts[1]))
            else:
                raise ValueError(f"line {n}: bad label line {line!r}")
        else:
            raise ValueError(f"line {n}: outside any section")
    return blocks


def _spoken_chars(text: str) -> int:
    return sum(1 for ch in text if ch not in SILENT)


def _duration(text: str, rate: float, rng: random.Random) -> float:
    """Speaking time of one utterance: characters / rate plus pauses, in text order."""
    body = text.rstrip("。？！?!，,")
    dur = _spoken_chars(text) / rate
    i = 0
    while i < len(body):
        ch = body[i]
        if ch == "…":
            dur += rng.uniform(1.2, 2.4)
            while i < len(body) and body[i] == "…":
                i += 1
            continue
        if ch in SHORT_PAUSE:
            dur += rng.uniform(0.12, 0.3)
        elif ch in LONG_PAUSE:
            dur += rng.uniform(0.25, 0.5)
        elif ch == "—":
            while i + 1 < len(body) and body[i + 1] == "—":
                i += 1
            if i + 1 < len(body):
                dur += rng.uniform(0.15, 0.3)
        i += 1
    return max(dur, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("elderly") == "yes" else rng.uniform(3.9, 4.7)

    rec = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": h["start"] + "+08:00",
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(0.4, 1.0)   # picked up during/after ring n
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = int(secs) if secs.is_integer() else secs
            t = secs
        t += rng.uniform(0.2, 0.5)
    else:
        t = rng.uniform(0.6, 1.6)

    utts = []
    prev_start = prev_end = None
    for k, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        if k == 0:
            start = t + u.wait
        elif u.overlap:
            start = prev_end - u.overlap
            if start <= prev_start:
                raise ValueError(f"{block.id}: overlap {u.overlap} reaches before the previous start")
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + _duration(u.text, rate, rng)
        utts.append({"speaker": u.speaker, "start": round(start, 2), "end": round(end, 2), "text": u.text})
        prev_start, prev_end = start, end
    rec["utterances"] = utts

    breached = {a for a, _, _ in block.breaches}
    unscored = {a for a, _ in block.arguable}
    label = {
        "id": block.id,
        "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d}
                     for a, q, d in block.breaches],
        "clean_articles": [a for a in SCORED if a not in breached and a not in unscored],
        "note": h["note"],
    }
    return rec, label


def build_all(text: str) -> tuple[str, str]:
    """The exact text of interactions.jsonl and labels.json for a source text."""
    recs, labels = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labels.append(lab)
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    return jsonl, json.dumps(labels, ensure_ascii=False, indent=2) + "\n"


def main() -> int:
    jsonl, labels = build_all((HERE / "source.txt").read_text(encoding="utf-8"))
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"wrote {jsonl.count(chr(10))} interactions to {HERE}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
