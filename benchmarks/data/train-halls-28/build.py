"""Rebuild interactions.jsonl and labels.json of train-halls-28 from source.txt.

source.txt holds 50 hand-written interactions.  A block:

    === t28-0001
    channel: counter            (counter | phone)
    hall: 永昌县城关镇便民服务中心
    window: 户籍综合窗口
    staff: S-2815
    start: 2026-11-04 09:12:00
    rings: 3                    (phone only; or ring_seconds: 11.5)
    elderly: C                  (citizen tags spoken at an elderly rate)
    family: plain               (hard-negative family / theme, README only)
    S: 您好，请问办什么业务？     (S = the window clerk, C, C2 = citizens)
    C: {+4} ...                 ({+N}: N extra seconds of silence before it)
    C: {ov 0.8} 嗯嗯             ({ov N}: starts N s before the previous speech ended)
    B: 6 | quoted words | uncivil language: ...   (a breach; quote may be empty)
    U: 5, 10                    (arguable articles, not scored)
    N: one-line note

Only the times are computed: characters / a speaking rate drawn per
interaction, pauses for punctuation and ellipses, gaps between turns, the
written waits and overlaps.  The jitter is seeded with
random.Random("train-halls-28/<id>"), so a rebuild gives the same numbers.
"""
from __future__ import annotations

import json
import random
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

SET = "train-halls-28"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HEADER_KEYS = ("channel", "hall", "window", "staff", "start", "rings",
               "ring_seconds", "elderly", "family")
PUNCT_SHORT = "，、,"
PUNCT_LONG = "。！？；：!?;:"
SKIP = set("，、,。！？；：!?;:“”\"'‘’（）()《》…—- \t") | {"\u3000"}


@dataclass
class Utt:
    tag: str
    text: str
    wait: float = 0.0
    ov: float | None = None


@dataclass
class Block:
    id: str
    header: dict = field(default_factory=dict)
    utts: list = field(default_factory=list)
    breaches: list = field(default_factory=list)   # (article, quote, duty)
    unscored: list = field(default_factory=list)
    note: str = ""


_UTT = re.compile(r"^([SC]\d?):\s?(.*)$")
_WAIT = re.compile(r"^\{\+(\d+(?:\.\d+)?)\}\s*")
_OV = re.compile(r"^\{ov (\d+(?:\.\d+)?)\}\s*")


def parse(text: str) -> list[Block]:
    blocks: list[Block] = []
    cur: Block | None = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.rstrip()
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith("=== "):
            cur = Block(id=line[4:].strip())
            blocks.append(cur)
            continue
        if cur is None:
            raise ValueError(f"line {lineno}: text outside a block")
        m = _UTT.match(line)
        if m:
            body = m.group(2).strip()
            u = Utt(tag=m.group(1), text=body)
            mw = _WAIT.match(body)
            if mw:
                u.wait = float(mw.group(1))
                body = body[mw.end():]
            mo = _OV.match(body)
            if mo:
                u.ov = float(mo.group(1))
                body = body[mo.end():]
            u.text = body.strip()
            if not u.text:
                raise ValueError(f"line {lineno}: empty utterance")
            cur.utts.append(u)
            continue
        if line.startswith("B:"):
            parts = [p.strip() for p in line[2:].split("|")]
            if len(parts) != 3:
                raise ValueError(f"line {lineno}: breach needs article | quote | duty")
            cur.breaches.append((int(parts[0]), parts[1], parts[2]))
            continue
        if line.startswith("U:"):
            cur.unscored = [int(x) for x in re.split(r"[,\s]+", line[2:].strip()) if x]
            continue
        if line.startswith("N:"):
            cur.note = line[2:].strip()
            continue
        key, sep, value = line.partition(":")
        if sep and key.strip() in HEADER_KEYS:
            cur.header[key.strip()] = value.strip()
            continue
        raise ValueError(f"line {lineno}: cannot parse {line!r}")
    return blocks


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in SKIP)
    secs = chars / rate
    t = text.replace("……", "…")
    for ch in t:
        if ch == "…":
            secs += rng.uniform(1.2, 2.4)
        elif ch in PUNCT_SHORT:
            secs += rng.uniform(0.08, 0.18)
        elif ch in PUNCT_LONG:
            secs += rng.uniform(0.2, 0.38)
        elif ch == "—":
            secs += 0.1
    # the last punctuation mark is not spoken time
    if t and t[-1] in PUNCT_LONG + PUNCT_SHORT:
        secs -= 0.2
    return max(secs, 0.35)


def build_one(block: Block) -> tuple[dict, dict]:
    h = block.header
    rng = random.Random(f"{SET}/{block.id}")
    elderly = set(re.split(r"[,\s]+", h.get("elderly", "").strip())) - {""}
    tags = sorted({u.tag for u in block.utts if u.tag != "S"})
    rates = {"S": rng.uniform(4.3, 5.0)}
    for tag in tags:
        rates[tag] = rng.uniform(3.2, 3.6) if tag in elderly else rng.uniform(3.9, 4.7)

    date, _, clock = h["start"].partition(" ")
    rec: dict = {
        "id": block.id,
        "channel": h["channel"],
        "hall": h["hall"],
        "window": h["window"],
        "staff": h["staff"],
        "started_at": f"{date}T{clock}+08:00",
    }
    if h["channel"] == "phone":
        if "rings" in h:
            rings = int(h["rings"])
            rec["rings"] = rings
            pickup = 5 * (rings - 1) + rng.uniform(0.8, 3.2)
        else:
            secs = float(h["ring_seconds"])
            rec["ring_seconds"] = secs
            pickup = secs
        t = pickup + rng.uniform(0.2, 0.6)
    else:
        t = rng.uniform(0.6, 2.2)

    utterances = []
    last_end = None
    last_start = None
    for u in block.utts:
        dur = _duration(u.text, rates[u.tag], rng)
        if last_end is None:
            start = t + u.wait
        elif u.ov is not None:
            start = last_end - u.ov
            if start <= last_start:
                raise ValueError(f"{block.id}: overlap {u.ov} reaches before the previous start")
        else:
            start = last_end + rng.uniform(0.25, 0.9) + u.wait
        end = start + dur
        utterances.append({
            "speaker": "staff" if u.tag == "S" else "citizen",
            "start": round(start, 2),
            "end": round(end, 2),
            "text": u.text,
        })
        last_start = start
        last_end = end if last_end is None else max(last_end, end)
    rec["utterances"] = utterances

    breached = {a for a, _, _ in block.breaches}
    label = {
        "id": block.id,
        "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d}
                     for a, q, d in block.breaches],
        "clean_articles": [a for a in SCORED if a not in breached and a not in block.unscored],
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
    jsonl = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs)
    lab = json.dumps(labels, ensure_ascii=False, indent=2) + "\n"
    return jsonl, lab


def main() -> int:
    text = (HERE / "source.txt").read_text(encoding="utf-8")
    jsonl, lab = render(*build_all(text))
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(lab, encoding="utf-8")
    print(f"wrote {jsonl.count(chr(10))} interactions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
