"""Build interactions.jsonl and labels.json of train-halls-3 from the hand-written source.

The text, metadata and labels of every interaction are hand-written in ``source.txt``;
this script only computes the utterance times (seconds from ``started_at``) as the
dev set's README describes under *Times*: characters divided by a speaking rate drawn
per interaction (staff 4.3-5.0 chars/s, citizens 3.9-4.7, elderly citizens 3.2-3.6),
short pauses for punctuation, 1.2-2.4 s for an ellipsis, gaps of 0.25-0.9 s between
turns, explicit waits written in the source (``~ N``), and overlaps marked ``+``.
The jitter is seeded per interaction (``random.Random("train3:" + id)``).

Source format, one block per interaction::

    ## t3-0001
    channel: counter | phone
    hall: ... / window: ... / staff: ... / started_at: ...
    rings: N  or  ring_seconds: S   (phone calls only)
    ---
    S: staff words          C: citizen words        E: elderly citizen words
    +C: words said over the previous utterance (a backchannel, talking over)
    ~ 25                    (an explicit wait of 25 s before the next utterance)
    ---
    B: article | quote | duty      (one line per breach; quote "" for an absence)
    A: article[, article]          (arguable: in neither list)
    N: note
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = [5, 6, 7, 8, 9, 10, 16, 17, 18, 25]
RATES = {"S": (4.3, 5.0), "C": (3.9, 4.7), "E": (3.2, 3.6)}
SHORT_PAUSE = "，、；：,;:"
LONG_PAUSE = "。？！?!"
SKIP = SHORT_PAUSE + LONG_PAUSE + "…“”‘’（）()《》—-·~ \u3000\"'"


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch not in SKIP)
    secs = chars / rate
    body = text.replace("……", "\u2026")
    for i, ch in enumerate(body):
        last = i == len(body) - 1
        if ch == "\u2026" and not last:
            secs += rng.uniform(1.2, 2.4)
        elif ch in SHORT_PAUSE and not last:
            secs += rng.uniform(0.12, 0.25)
        elif ch in LONG_PAUSE and not last:
            secs += rng.uniform(0.3, 0.5)
    return max(secs, 0.35)


def _first_start(meta: dict, rng: random.Random) -> float:
    if meta["channel"] != "phone":
        return round(rng.uniform(0.4, 1.6), 2)
    if "ring_seconds" in meta:
        return meta["ring_seconds"] + rng.uniform(0.3, 0.7)
    n = meta["rings"]
    return 5 * (n - 1) + rng.uniform(0.6, 2.8) + 0.4


def _times(iid: str, meta: dict, turns: list[tuple[str, str, float, bool]]) -> list[dict]:
    rng = random.Random("train3:" + iid)
    rates = {k: rng.uniform(*v) for k, v in RATES.items()}
    clock = _first_start(meta, rng)
    out: list[dict] = []
    prev_end = 0.0
    for idx, (who, text, wait, over) in enumerate(turns):
        dur = _duration(text, rates[who], rng)
        if over and out:
            last = out[-1]
            start = last["start"] + (last["end"] - last["start"]) * rng.uniform(0.35, 0.75)
        elif idx == 0:
            start = clock
        else:
            start = prev_end + rng.uniform(0.25, 0.9) + wait
        end = start + dur
        speaker = "staff" if who == "S" else "citizen"
        out.append({"speaker": speaker, "start": round(start, 2), "end": round(end, 2),
                    "text": text})
        prev_end = max(prev_end, end)
    return out


def parse(path: Path) -> list[tuple[dict, dict]]:
    """Parse the source into (interaction, label) pairs in file order."""
    blocks = path.read_text(encoding="utf-8").split("\n## ")
    result = []
    for raw in blocks:
        raw = raw.strip()
        if not raw or raw.startswith("#"):
            continue
        raw = raw.removeprefix("## ")
        head, body, tail = raw.split("\n---\n")
        lines = head.splitlines()
        iid = lines[0].strip()
        meta: dict = {"id": iid}
        for line in lines[1:]:
            key, _, value = line.partition(":")
            value = value.strip()
            if key == "rings":
                meta[key] = int(value)
            elif key == "ring_seconds":
                meta[key] = float(value)
            else:
                meta[key] = value
        turns: list[tuple[str, str, float, bool]] = []
        wait = 0.0
        lines_body = [] if body.strip() == "(none)" else body.splitlines()
        for line in lines_body:
            line = line.strip()
            if not line:
                continue
            if line.startswith("~"):
                wait += float(line[1:])
                continue
            over = line.startswith("+")
            who, _, text = line.lstrip("+").partition(":")
            if who not in RATES:
                raise SystemExit(f"{iid}: bad speaker line {line!r}")
            turns.append((who, text.strip(), wait, over))
            wait = 0.0
        label = {"id": iid, "breaches": [], "clean_articles": [], "note": ""}
        arguable: set[int] = set()
        for line in tail.splitlines():
            line = line.strip()
            if line.startswith("B:"):
                art, quote, duty = (p.strip() for p in line[2:].split("|"))
                quote = quote.strip('"')
                label["breaches"].append({"article": int(art), "speaker": "staff",
                                          "quote": quote, "duty": duty})
            elif line.startswith("A:"):
                arguable |= {int(a) for a in line[2:].split(",")}
            elif line.startswith("N:"):
                label["note"] = line[2:].strip()
        breached = {b["article"] for b in label["breaches"]}
        label["clean_articles"] = [a for a in ARTICLES if a not in breached | arguable]
        interaction = {k: meta[k] for k in ("id", "channel", "hall", "window", "staff",
                                            "started_at")}
        for k in ("rings", "ring_seconds"):
            if k in meta:
                interaction[k] = meta[k]
        interaction["utterances"] = _times(iid, meta, turns)
        result.append((interaction, label))
    return result


def main() -> int:
    pairs = parse(HERE / "source.txt")
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as fh:
        for inter, _ in pairs:
            fh.write(json.dumps(inter, ensure_ascii=False) + "\n")
    labels = [lab for _, lab in pairs]
    (HERE / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(pairs)} interactions written")
    return 0


if __name__ == "__main__":
    sys.exit(main())
