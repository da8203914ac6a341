"""Build train-halls-4 from its hand-written source (source.txt).

Every utterance, metadata field and label is written by hand in source.txt;
this script only parses it and derives the start/end times mechanically, as
the dev set's README ("Times") describes, with jitter seeded per interaction:

- speaking rate drawn per interaction: staff 4.3-5.0 chars/s, citizens
  3.9-4.7, elderly citizens (``elderly`` line) 3.2-3.6;
- short pauses for punctuation, 1.2-2.4 s per ellipsis (……);
- 0.25-0.9 s between turns; ``W <s>`` adds an explicit wait (typing, fetching);
- ``C^`` / ``S^`` starts an utterance inside the previous one (overlap,
  backchannel);
- calls: ring n starts at 5(n-1) s; pick-up ~1 s after the last ring begins,
  or at ``ring_seconds``.

Usage: python build.py   (writes interactions.jsonl and labels.json here)
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
PUNCT_SHORT = set("，、；：,;:")
PUNCT_LONG = set("。？！?!")
SKIP = set("，、；：,;:。？！?!…“”‘’（）()《》—- \"'")


def parse(text: str) -> list[dict]:
    items: list[dict] = []
    cur: dict | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("# "):
            cur = {
                "id": line[2:].strip(),
                "meta": {},
                "lines": [],
                "breaches": [],
                "clean": [],
                "note": "",
                "elderly": False,
            }
            items.append(cur)
            continue
        assert cur is not None, line
        tag, _, rest = line.partition(" ")
        if tag == "meta":
            for kv in rest.split():
                k, _, v = kv.partition("=")
                cur["meta"][k] = v
        elif tag == "elderly":
            cur["elderly"] = True
        elif tag in ("S", "C", "S^", "C^"):
            cur["lines"].append((tag, rest.strip()))
        elif tag == "W":
            cur["lines"].append(("W", float(rest)))
        elif tag == "B":
            art, quote, duty = [p.strip() for p in rest.split("|")]
            cur["breaches"].append(
                {"article": int(art), "speaker": "staff", "quote": quote, "duty": duty}
            )
        elif tag == "K":
            cur["clean"] = [int(x) for x in rest.split()]
        elif tag == "N":
            cur["note"] = rest.strip()
        else:
            raise ValueError(f"{cur['id']}: bad line {raw!r}")
    return items


def duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in SKIP)
    d = chars / rate
    d += sum(0.12 for ch in text if ch in PUNCT_SHORT)
    d += sum(0.25 for ch in text if ch in PUNCT_LONG)
    d += sum(rng.uniform(1.2, 2.4) for _ in range(text.count("……")))
    return max(d, 0.35)


def build(item: dict) -> tuple[dict, dict]:
    rng = random.Random("train-halls-4:" + item["id"])
    m = item["meta"]
    staff_rate = rng.uniform(4.3, 5.0)
    cit_rate = rng.uniform(3.2, 3.6) if item["elderly"] else rng.uniform(3.9, 4.7)
    inter = {
        "id": item["id"],
        "channel": m["channel"],
        "hall": m["hall"],
        "window": m["window"],
        "staff": m["staff"],
        "started_at": m["at"] + "+08:00",
    }
    if "rings" in m:
        inter["rings"] = int(m["rings"])
        t = 5 * (int(m["rings"]) - 1) + rng.uniform(0.6, 1.2)
    elif "ring_seconds" in m:
        inter["ring_seconds"] = float(m["ring_seconds"])
        t = float(m["ring_seconds"])
    else:
        t = rng.uniform(0.3, 1.5)
    utts = []
    prev_start, prev_end = None, t
    wait = 0.0
    for tag, val in item["lines"]:
        if tag == "W":
            wait += val
            continue
        speaker = "staff" if tag[0] == "S" else "citizen"
        rate = staff_rate if speaker == "staff" else cit_rate
        d = duration(val, rate, rng)
        if tag.endswith("^") and prev_start is not None:
            start = prev_start + (prev_end - prev_start) * rng.uniform(0.45, 0.8)
        elif not utts:
            start = prev_end + wait
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + wait
        wait = 0.0
        end = start + d
        utts.append(
            {"speaker": speaker, "start": round(start, 2), "end": round(end, 2), "text": val}
        )
        prev_start, prev_end = start, max(end, prev_end)
    inter["utterances"] = utts
    label = {
        "id": item["id"],
        "breaches": item["breaches"],
        "clean_articles": item["clean"],
        "note": item["note"],
    }
    return inter, label


def main() -> None:
    items = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    pairs = [build(it) for it in items]
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as fh:
        for inter, _ in pairs:
            fh.write(json.dumps(inter, ensure_ascii=False) + "\n")
    labels = [lab for _, lab in pairs]
    (HERE / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(pairs)} interactions written")


if __name__ == "__main__":
    main()
