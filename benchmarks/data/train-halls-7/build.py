"""Rebuild interactions.jsonl and labels.json from the hand-written source.txt.

Only the times are computed here (the dev README's "Times" rule); every text,
metadata field and label is written by hand in source.txt.

source.txt, one interaction per block:
  # <id> <counter|phone> | <hall> | <window> | <staff> | <YYYY-MM-DD HH:MM> [| key=value ...]
      keys: rings=N, ring_seconds=S, elderly (citizens speak 3.2-3.6 chars/s)
  S: text / C: text              an utterance of the staff / a citizen
  [wait N] S: text               an explicit extra wait of N s before the turn
  [over N] C: text               starts N s before the previous turn ends
  B <article> | <quote> | <duty> a labelled breach ("" quote for an absence)
  CLEAN 5 6 ...                  clean_articles
  NOTE text                      the label's note
Seeded per interaction: a rebuild gives the same numbers.
"""
from __future__ import annotations

import json
import random
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PUNCT = {"，": 0.18, "、": 0.12, "。": 0.35, "？": 0.35, "！": 0.35, "；": 0.25, "：": 0.2, "—": 0.2}


def duration(text: str, rate: float, rng: random.Random) -> float:
    t = 0.0
    chars = 0
    for part in re.split(r"(……)", text):
        if part == "……":
            t += rng.uniform(1.2, 2.4)
            continue
        for ch in part:
            if ch in PUNCT:
                t += PUNCT[ch] * rng.uniform(0.8, 1.2)
            elif not ch.isspace():
                chars += 1
    return t + chars / rate


def parse(text: str) -> list[dict]:
    items: list[dict] = []
    cur: dict | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("# "):
            head = [p.strip() for p in line[2:].split("|")]
            ident, channel = head[0].split()
            date, clock = head[4].split()
            cur = {"id": ident, "channel": channel, "hall": head[1], "window": head[2],
                   "staff": head[3], "started_at": f"{date}T{clock}:00+08:00",
                   "opts": head[5:], "turns": [], "breaches": [], "clean": [], "note": ""}
            items.append(cur)
            continue
        assert cur is not None, line
        m = re.match(r"^(?:\[(wait|over) ([\d.]+)\] )?([SC]): (.+)$", line)
        if m:
            cur["turns"].append((m.group(1), float(m.group(2) or 0), m.group(3), m.group(4)))
        elif line.startswith("B "):
            art, quote, duty = [p.strip() for p in line[2:].split("|", 2)]
            cur["breaches"].append({"article": int(art), "speaker": "staff",
                                    "quote": "" if quote == '""' else quote, "duty": duty})
        elif line.startswith("CLEAN"):
            cur["clean"] = [int(x) for x in line.split()[1:]]
        elif line.startswith("NOTE "):
            cur["note"] = line[5:].strip()
        else:
            raise ValueError(f"{cur['id']}: cannot read {line!r}")
    return items


def build(item: dict) -> tuple[dict, dict]:
    rng = random.Random(7000 + int(item["id"].split("-")[1]))
    opts = dict((o.split("=") + [""])[:2] for o in item["opts"])
    staff_rate = rng.uniform(4.3, 5.0)
    cit_rate = rng.uniform(3.2, 3.6) if "elderly" in opts else rng.uniform(3.9, 4.7)
    out = {k: item[k] for k in ("id", "channel", "hall", "window", "staff", "started_at")}
    if "rings" in opts:
        out["rings"] = int(opts["rings"])
        t = 5 * (out["rings"] - 1) + rng.uniform(0.3, 0.9)
    elif "ring_seconds" in opts:
        out["ring_seconds"] = float(opts["ring_seconds"])
        t = out["ring_seconds"]
    else:
        t = rng.uniform(0.3, 1.5)
    utts = []
    prev_end = t
    for i, (mod, val, who, text) in enumerate(item["turns"]):
        if i == 0:
            start = t
        elif mod == "over":
            start = prev_end - val
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + (val if mod == "wait" else 0.0)
        rate = staff_rate if who == "S" else cit_rate
        end = start + duration(text, rate, rng)
        utts.append({"speaker": "staff" if who == "S" else "citizen",
                     "start": round(start, 2), "end": round(end, 2), "text": text})
        prev_end = max(prev_end, end) if mod == "over" else end
    out["utterances"] = utts
    label = {"id": item["id"], "breaches": item["breaches"],
             "clean_articles": sorted(item["clean"]), "note": item["note"]}
    return out, label


def main() -> int:
    items = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    built = [build(i) for i in items]
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as f:
        for inter, _ in built:
            f.write(json.dumps(inter, ensure_ascii=False) + "\n")
    (HERE / "labels.json").write_text(
        json.dumps([lab for _, lab in built], ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(built)} interactions written", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
