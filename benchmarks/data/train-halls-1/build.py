"""Build interactions.jsonl and labels.json of train-halls-1 from source.txt.

source.txt is written by hand: every utterance, every metadata field and every
label.  This script only parses it and derives the start/end times, seeded per
interaction (see README.md, "Times"), so a rebuild gives the same numbers.

Usage: python build.py   (run in this folder; writes the two files next to it)
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = [5, 6, 7, 8, 9, 10, 16, 17, 18, 25]
SHORT = "，、；：,;:"
LONG = "。？！?!"


def _duration(text: str, rate: float, rng: random.Random) -> float:
    """Seconds to say ``text`` at ``rate`` characters a second, with pauses."""
    body = text.replace("……", "…")
    chars = sum(1 for ch in body if ch not in SHORT + LONG + "…“”\"'（）() ")
    secs = chars / rate
    secs += sum(rng.uniform(0.10, 0.20) for ch in body[:-1] if ch in SHORT)
    secs += sum(rng.uniform(0.22, 0.40) for ch in body[:-1] if ch in LONG)
    secs += sum(rng.uniform(1.2, 2.4) for ch in body if ch == "…")
    return secs


def _times(rec: dict, lines: list[tuple[str, str, bool, float]]) -> list[dict]:
    rng = random.Random(f"train-halls-1:{rec['id']}")
    rates = {
        "staff": rng.uniform(4.3, 5.0),
        "citizen": rng.uniform(3.9, 4.7),
    }
    rates.update(rec.pop("_rates", {}))
    if rec["channel"] == "phone":
        pickup = rec.get("ring_seconds")
        if pickup is None:
            pickup = 5 * (rec["rings"] - 1) + rng.uniform(0.4, 3.2)
        clock = pickup + rng.uniform(0.2, 0.6)
    else:
        clock = rng.uniform(0.4, 1.6)
    out: list[dict] = []
    prev_start = prev_end = 0.0
    for i, (speaker, text, overlap, wait) in enumerate(lines):
        dur = _duration(text, rates[speaker], rng)
        if i and overlap:
            start = max(prev_start + 0.3, prev_end - rng.uniform(0.3, 1.4))
        elif i:
            start = clock + rng.uniform(0.25, 0.9) + wait
        else:
            start = clock + wait
        end = start + dur
        out.append({"speaker": speaker, "start": round(start, 2),
                    "end": round(end, 2), "text": text})
        prev_start, prev_end = start, end
        clock = max(clock, end)
    return out


def _parse(text: str) -> list[tuple[dict, dict]]:
    items = []
    for block in re.split(r"^=== ", text, flags=re.M)[1:]:
        head, body, labels = (re.split(r"^---[ \t]*$", block, flags=re.M) + ["", ""])[:3]
        hlines = head.strip().splitlines()
        rec: dict = {"id": hlines[0].strip()}
        meta = dict(ln.split(":", 1) for ln in hlines[1:])
        meta = {k.strip(): v.strip() for k, v in meta.items()}
        rec["channel"] = meta["channel"]
        rec["hall"] = meta["hall"]
        rec["window"] = meta["window"]
        rec["staff"] = meta["staff"]
        rec["started_at"] = meta["at"].replace(" ", "T") + "+08:00"
        if "rings" in meta:
            rec["rings"] = int(meta["rings"])
        if "ring_seconds" in meta:
            rec["ring_seconds"] = float(meta["ring_seconds"])
        if "rates" in meta:
            rec["_rates"] = {k: float(v) for k, v in
                             (kv.split("=") for kv in meta["rates"].split())}
        lines = []
        wait = 0.0
        for ln in body.strip().splitlines():
            ln = ln.strip()
            if not ln or ln.startswith("#"):
                continue
            if ln.startswith("wait "):
                wait += float(ln.split()[1])
                continue
            tag, utt = ln.split(":", 1)
            speaker = {"S": "staff", "C": "citizen"}[tag.rstrip("+")]
            lines.append((speaker, utt.strip(), tag.endswith("+"), wait))
            wait = 0.0
        rec["utterances"] = _times(rec, lines)
        lab = _labels(rec["id"], labels)
        items.append((rec, lab))
    return items


def _labels(iid: str, text: str) -> dict:
    breaches, arguable, notes = [], [], []
    for ln in text.strip().splitlines():
        ln = ln.strip()
        if ln.startswith("#"):
            continue
        if ln.startswith("B "):
            art, quote, duty = (p.strip() for p in ln[2:].split("|"))
            breaches.append({"article": int(art), "speaker": "staff",
                             "quote": quote, "duty": duty})
        elif ln.startswith("ARG "):
            art, why = (p.strip() for p in ln[4:].split("|"))
            arguable.append(int(art))
            notes.append(f"{art}: {why}")
        elif ln.startswith("NOTE "):
            notes.append(ln[5:].strip())
        elif ln:
            raise ValueError(f"{iid}: bad label line {ln!r}")
    taken = {b["article"] for b in breaches} | set(arguable)
    return {"id": iid, "breaches": breaches,
            "clean_articles": [a for a in ARTICLES if a not in taken],
            "note": "; ".join(notes)}


def main() -> None:
    items = _parse((HERE / "source.txt").read_text(encoding="utf-8"))
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as fh:
        for rec, _ in items:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    labels = [lab for _, lab in items]
    (HERE / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(items)} interactions written")


if __name__ == "__main__":
    main()
