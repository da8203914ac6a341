"""Rebuild interactions.jsonl and labels.json of blind-halls-23 from source.txt.

Every utterance, header field and label is hand-written in source.txt; this script only
parses it and derives the utterance times (see README.md, "Times").  It is deterministic:
the jitter of interaction X comes from random.Random("blind-halls-23/X").

source.txt grammar (one block per interaction):

    === b23-0001                      block start
    channel: counter|phone
    hall: ... / window: ... / staff: ... / started_at: ISO time with +08:00
    rings: N  or  ring_seconds: S     (phone calls only)
    voice: elderly                    (optional: citizen speaking rate 3.2-3.6 chars/s)
    ---
    S: text                           staff utterance
    C {+12}: text                     citizen utterance after an explicit 12 s wait
    S {ov 0.8}: text                  starts 0.8 s before the previous utterance ends
    ---
    breach: 8 | quote | duty          quote "" for an absence
    arguable: 16 | why it is left unscored
    note: one line

Lines starting with '#' are comments.
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "blind-halls-23"
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HERE = Path(__file__).resolve().parent

HEADER_ORDER = ("channel", "hall", "window", "staff", "started_at")
UTT_RE = re.compile(r"^(S|C)(?:\s*\{(\+|ov\s*)(\d+(?:\.\d+)?)\})?\s*:\s*(.+)$")
SHORT_PAUSE = set("，、；：,;:")
LONG_PAUSE = set("。？！?!")


@dataclass
class Utterance:
    speaker: str          # "staff" | "citizen"
    text: str
    wait: float | None = None      # explicit gap before this utterance
    overlap: float | None = None   # starts this many seconds before the previous end


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utterances: list = field(default_factory=list)
    breaches: list = field(default_factory=list)   # dicts: article, quote, duty
    arguable: list = field(default_factory=list)   # (article, reason)
    note: str = ""


def _unquote(s: str) -> str:
    s = s.strip()
    if s == '""':
        return ""
    return s


def parse(text: str) -> list[Block]:
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
            if section > 2:
                raise ValueError(f"line {lineno}: too many sections in {cur.id}")
            continue
        if section == 0:
            key, sep, val = line.partition(":")
            if not sep:
                raise ValueError(f"line {lineno}: bad header line {line!r}")
            cur.header[key.strip()] = val.strip()
        elif section == 1:
            m = UTT_RE.match(line)
            if not m:
                raise ValueError(f"line {lineno}: bad utterance line {line!r}")
            who, kind, num, body = m.groups()
            u = Utterance("staff" if who == "S" else "citizen", body.strip())
            if kind is not None:
                if kind.startswith("+"):
                    u.wait = float(num)
                else:
                    u.overlap = float(num)
            cur.utterances.append(u)
        else:
            key, sep, val = line.partition(":")
            key = key.strip()
            if key == "breach":
                parts = [p.strip() for p in val.split("|")]
                if len(parts) != 3:
                    raise ValueError(f"line {lineno}: breach needs article | quote | duty")
                cur.breaches.append({"article": int(parts[0]), "speaker": "staff",
                                     "quote": _unquote(parts[1]), "duty": parts[2]})
            elif key == "arguable":
                art, _, why = val.partition("|")
                cur.arguable.append((int(art.strip()), why.strip()))
            elif key == "note":
                cur.note = val.strip()
            else:
                raise ValueError(f"line {lineno}: unknown label line {line!r}")
    return blocks


def _spoken_chars(text: str) -> int:
    return sum(1 for ch in text if ch.isalnum())


def _duration(text: str, rate: float, rng: random.Random) -> float:
    d = _spoken_chars(text) / rate
    body = text.rstrip("。？！?!…，,~～ ")
    # ellipses (……) inside the utterance: the clerk checking papers, a hesitation
    n_ell = body.count("……")
    body_wo = body.replace("……", "")
    for _ in range(n_ell):
        d += rng.uniform(1.2, 2.4)
    for ch in body_wo:
        if ch in SHORT_PAUSE:
            d += rng.uniform(0.12, 0.3)
        elif ch in LONG_PAUSE:
            d += rng.uniform(0.25, 0.5)
    return max(d, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if h.get("voice") == "elderly" else rng.uniform(3.9, 4.7)

    rec: dict = {"id": block.id}
    for k in HEADER_ORDER:
        rec[k] = h[k]
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            t = 5 * (rings - 1) + rng.uniform(1.6, 3.4)
        elif "ring_seconds" in h:
            s = float(h["ring_seconds"])
            rec["ring_seconds"] = s
            t = s + rng.uniform(0.3, 0.8)
        else:
            raise ValueError(f"{block.id}: a call needs rings or ring_seconds")
    else:
        t = rng.uniform(0.4, 1.6)

    utts = []
    last_end = 0.0
    for i, u in enumerate(block.utterances):
        rate = staff_rate if u.speaker == "staff" else citizen_rate
        if i == 0:
            start = t + (u.wait or 0.0)
        elif u.overlap is not None:
            prev = utts[-1]
            start = max(prev["start"] + 0.3, prev["end"] - u.overlap)
        elif u.wait is not None:
            start = last_end + u.wait
        else:
            start = last_end + rng.uniform(0.25, 0.9)
        end = start + _duration(u.text, rate, rng)
        start, end = round(start, 2), round(end, 2)
        utts.append({"speaker": u.speaker, "start": start, "end": end, "text": u.text})
        last_end = max(last_end, end)
    rec["utterances"] = utts

    breached = {b["article"] for b in block.breaches}
    arguable = {a for a, _ in block.arguable}
    label = {
        "id": block.id,
        "breaches": [dict(b) for b in block.breaches],
        "clean_articles": [a for a in SCORED if a not in breached and a not in arguable],
        "note": block.note,
    }
    return rec, label


def build_all(text: str) -> tuple[list[dict], list[dict]]:
    recs, labels = [], []
    for b in parse(text):
        r, lab = build_one(b)
        recs.append(r)
        labels.append(lab)
    return recs, labels


def render(recs: list[dict], labels: list[dict]) -> tuple[str, str]:
    inter = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    lab = json.dumps(labels, ensure_ascii=False, indent=1) + "\n"
    return inter, lab


def main() -> int:
    text = (HERE / "source.txt").read_text(encoding="utf-8")
    recs, labels = build_all(text)
    inter, lab = render(recs, labels)
    (HERE / "interactions.jsonl").write_text(inter, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"{len(recs)} interactions, {sum(len(r['utterances']) for r in recs)} utterances")
    return 0


if __name__ == "__main__":
    sys.exit(main())
