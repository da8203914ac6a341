"""Build train-halls-2 from its hand-written source (source.txt).

The text, the metadata and every label decision are hand-written in
source.txt; this script only parses that file, computes utterance times as
dialogues-dev's README "Times" section describes (seeded per interaction), and
writes interactions.jsonl and labels.json.  Run: python build.py
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = [5, 6, 7, 8, 9, 10, 16, 17, 18, 25]
SHORT_PAUSE = "，、；："
LONG_PAUSE = "。？！?!"


def speak_seconds(text: str, rate: float, rng: random.Random) -> float:
    """Seconds to say text at rate characters/s, with punctuation pauses."""
    n_ell = text.count("……")
    plain = text.replace("……", "")
    chars = sum(1 for ch in plain if ch not in SHORT_PAUSE + LONG_PAUSE + " ")
    secs = chars / rate
    secs += sum(rng.uniform(0.12, 0.25) for ch in plain if ch in SHORT_PAUSE)
    secs += sum(rng.uniform(0.3, 0.5) for ch in plain if ch in LONG_PAUSE)
    secs += sum(rng.uniform(1.2, 2.4) for _ in range(n_ell))
    return secs


def parse(path: Path) -> list[dict]:
    items: list[dict] = []
    cur: dict | None = None
    for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("==="):
            fields = [f.strip() for f in line[3:].split("|")]
            iid, channel, hall, window, staff, started = fields[:6]
            flags = set(fields[6].split()) if len(fields) > 6 else set()
            cur = {"id": iid, "channel": channel, "hall": hall, "window": window,
                   "staff": staff, "started_at": started, "flags": flags,
                   "turns": [], "breaches": [], "arguable": [], "note": ""}
            items.append(cur)
            continue
        assert cur is not None, f"line {lineno}: content before header"
        tag, _, rest = line.partition(":")
        rest = rest.strip()
        if tag in ("S", "C", "S~", "C~"):
            cur["turns"].append(("staff" if tag[0] == "S" else "citizen", rest, tag.endswith("~")))
        elif tag == "WAIT":
            cur["turns"].append(("wait", float(rest), False))
        elif tag == "RINGS":
            cur["rings"] = int(rest)
        elif tag == "RINGSEC":
            cur["ring_seconds"] = float(rest)
        elif tag == "B":
            art, quote, duty = (p.strip() for p in rest.split("|", 2))
            cur["breaches"].append({"article": int(art), "speaker": "staff",
                                    "quote": quote, "duty": duty})
        elif tag == "ARG":
            cur["arguable"] = [int(a) for a in rest.split()]
        elif tag == "NOTE":
            cur["note"] = rest
        else:
            raise ValueError(f"line {lineno}: unknown tag {tag!r}")
    return items


def build(item: dict) -> tuple[dict, dict]:
    rng = random.Random("train-halls-2/" + item["id"])
    staff_rate = rng.uniform(4.3, 5.0)
    elderly = "elderly" in item["flags"]
    cit_rate = rng.uniform(3.2, 3.6) if elderly else rng.uniform(3.9, 4.7)
    if "rings" in item:
        t = 5 * (item["rings"] - 1) + rng.uniform(0.6, 1.4)
    elif "ring_seconds" in item:
        t = item["ring_seconds"]
    else:
        t = rng.uniform(0.5, 3.0)
    utts = []
    prev_end = None
    for speaker, text, overlap in item["turns"]:
        if speaker == "wait":
            t += text
            continue
        dur = speak_seconds(text, staff_rate if speaker == "staff" else cit_rate, rng)
        if prev_end is None:
            start = t
        elif overlap:
            start = max(utts[-1]["start"] + 0.4, prev_end - rng.uniform(0.6, 1.5))
        else:
            start = max(t, prev_end) + rng.uniform(0.25, 0.9)
        end = start + dur
        utts.append({"speaker": speaker, "start": round(start, 2),
                     "end": round(end, 2), "text": text})
        prev_end = max(prev_end or 0.0, end)
        t = prev_end
    inter = {k: item[k] for k in ("id", "channel", "hall", "window", "staff", "started_at")}
    if "rings" in item:
        inter["rings"] = item["rings"]
    if "ring_seconds" in item:
        inter["ring_seconds"] = item["ring_seconds"]
    inter["utterances"] = utts
    breached = {b["article"] for b in item["breaches"]}
    clean = [a for a in ARTICLES if a not in breached and a not in item["arguable"]]
    label = {"id": item["id"], "breaches": item["breaches"],
             "clean_articles": clean, "note": item["note"]}
    return inter, label


def main() -> None:
    items = parse(HERE / "source.txt")
    built = [build(it) for it in items]
    inters = [b[0] for b in built]
    labels = [b[1] for b in built]
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as fh:
        for inter in inters:
            fh.write(json.dumps(inter, ensure_ascii=False) + "\n")
    with open(HERE / "labels.json", "w", encoding="utf-8") as fh:
        json.dump(labels, fh, ensure_ascii=False, indent=1)
        fh.write("\n")
    print(f"{len(inters)} interactions, "
          f"{sum(len(i['utterances']) for i in inters)} utterances")


if __name__ == "__main__":
    main()
