"""Build interactions.jsonl and labels.json of train-halls-8 from the hand-written source.txt.

Only the times are computed here (the dev README's "Times" rule): every word, metadata
field and label is written by hand in source.txt.

source.txt, one block per interaction:
    ## t8-0001                      id
    key: value                      channel, hall, window, staff, started_at, rings | ring_seconds
    S: text                         staff utterance
    C: text                         citizen utterance (E: an elderly citizen, slower)
    ~C: text                        starts before the previous utterance ended (overlap)
    + 45 why                        an explicit wait of 45 s before the next utterance
    B: 9 | quote | duty             a labelled breach (quote "" is written as an empty field)
    CLEAN: 5 6 7 ...                clean_articles
    NOTE: text                      note

Run: python build.py   (rewrites the two files next to it; same output on every run)
"""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAUSE_SHORT = "，、；："
PAUSE_LONG = "。？！"
PUNCT = set(PAUSE_SHORT + PAUSE_LONG + "…—“”‘’（）()《》 ,.?!")


def speak_seconds(text: str, rate: float, rng: random.Random) -> float:
    """Seconds to say text at rate characters/s, with pauses for punctuation and ellipses."""
    chars = sum(1 for ch in text if ch not in PUNCT)
    seconds = chars / rate
    seconds += sum(0.12 for ch in text if ch in PAUSE_SHORT)
    seconds += sum(0.25 for ch in text if ch in PAUSE_LONG)
    for _ in range(text.count("……")):
        seconds += rng.uniform(1.2, 2.4)
    return max(seconds, 0.4)


def parse(source: str) -> list[dict]:
    """Split source.txt into raw blocks."""
    blocks: list[dict] = []
    cur: dict | None = None
    for raw in source.splitlines():
        line = raw.rstrip()
        if not line or line.startswith("#!"):
            continue
        if line.startswith("## "):
            cur = {"id": line[3:].strip(), "meta": {}, "turns": [], "breaches": [],
                   "clean": [], "note": ""}
            blocks.append(cur)
            continue
        assert cur is not None, line
        m = re.match(r"^(~?)([SCE]):\s?(.*)$", line)
        if m:
            cur["turns"].append(("utt", m.group(2), m.group(3), bool(m.group(1))))
        elif line.startswith("+"):
            cur["turns"].append(("wait", float(line[1:].split()[0]), "", False))
        elif line.startswith("B:"):
            art, quote, duty = (p.strip() for p in line[2:].split("|"))
            cur["breaches"].append({"article": int(art), "speaker": "staff", "quote": quote,
                                    "duty": duty})
        elif line.startswith("CLEAN:"):
            cur["clean"] = [int(x) for x in line[6:].split()]
        elif line.startswith("NOTE:"):
            cur["note"] = line[5:].strip()
        else:
            key, _, value = line.partition(":")
            cur["meta"][key.strip()] = value.strip()
    return blocks


def timed(block: dict) -> dict:
    """One interaction with computed start/end times."""
    meta = block["meta"]
    rng = random.Random(f"train-halls-8:{block['id']}")
    rates = {"S": rng.uniform(4.3, 5.0), "C": rng.uniform(3.9, 4.7), "E": rng.uniform(3.2, 3.6)}
    out: dict = {"id": block["id"], "channel": meta["channel"], "hall": meta["hall"],
                 "window": meta["window"], "staff": meta["staff"], "started_at": meta["started_at"]}
    clock = rng.uniform(0.3, 1.2)
    if "rings" in meta:
        out["rings"] = int(meta["rings"])
        clock = 5 * (out["rings"] - 1) + rng.uniform(0.4, 3.5) + rng.uniform(0.3, 0.8)
    if "ring_seconds" in meta:
        out["ring_seconds"] = float(meta["ring_seconds"])
        clock = out["ring_seconds"] + rng.uniform(0.3, 0.8)
    utts: list[dict] = []
    wait = 0.0
    for kind, who, text, overlap in block["turns"]:
        if kind == "wait":
            wait += who  # type: ignore[operator]
            continue
        if utts:
            prev = utts[-1]
            if overlap:
                start = max(prev["start"] + 0.5, prev["end"] - rng.uniform(0.5, 1.2))
            else:
                start = prev["end"] + rng.uniform(0.25, 0.9) + wait
        else:
            start = clock + wait
        wait = 0.0
        end = start + speak_seconds(text, rates[who], rng)
        utts.append({"speaker": "staff" if who == "S" else "citizen", "start": round(start, 2),
                     "end": round(end, 2), "text": text})
    out["utterances"] = utts
    return out


def main() -> None:
    blocks = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as fh:
        for block in blocks:
            fh.write(json.dumps(timed(block), ensure_ascii=False) + "\n")
    labels = [{"id": b["id"], "breaches": b["breaches"], "clean_articles": sorted(b["clean"]),
               "note": b["note"]} for b in blocks]
    (HERE / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n",
                                      encoding="utf-8")


if __name__ == "__main__":
    main()
