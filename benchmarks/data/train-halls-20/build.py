"""Rebuild interactions.jsonl and labels.json of train-halls-20 from source.txt.

Every utterance, metadata field and label is hand-written in source.txt; this script only
parses it, derives the timestamps (as in the dev set's README, section *Times*) and writes
the two files.  The jitter is seeded per interaction with random.Random("train-halls-20/<id>"),
so a rebuild is byte-identical.

    python build.py          # writes interactions.jsonl and labels.json next to this file
"""

import json
import random
import re
from dataclasses import dataclass, field
from pathlib import Path

SET_NAME = "train-halls-20"
HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
SPEAKERS = {"S": "staff", "C": "citizen", "C2": "citizen"}

_UTTERANCE = re.compile(r"^(S|C|C2):\s*(.*)$")
_MARK = re.compile(r"^\{(\+|ov )\s*([0-9]+(?:\.[0-9]+)?)\}\s*")
_META_KEYS = (
    "channel",
    "hall",
    "window",
    "staff",
    "start",
    "rings",
    "ring_seconds",
    "voice",
    "family",
)
_SHORT_PAUSE = set("，、；：,;:")
_STOP = set("。？！?!")
_NOT_SPOKEN = set("，、；：,;:。？！?!…“”\"'‘’（）()《》· \u3000")


@dataclass
class Utterance:
    speaker: str  # "staff" or "citizen"
    text: str
    wait: float | None = None  # {+N}: seconds after the previous utterance ended
    overlap: float | None = None  # {ov N}: seconds before the previous utterance ended


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
    arguable: list = field(default_factory=list)  # (article, reason)
    note: str = ""


def parse(text: str) -> list:
    """Parse source.txt into blocks, in file order."""
    blocks: list = []
    current = None
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line.startswith("#") and not line.startswith("### "):
            continue
        if line.startswith("### "):
            current = Block(id=line[4:].strip())
            blocks.append(current)
            continue
        if current is None:
            raise ValueError(f"line {lineno}: text before the first block")
        match = _UTTERANCE.match(line)
        if match:
            tag, rest = match.groups()
            wait = overlap = None
            mark = _MARK.match(rest)
            if mark:
                value = float(mark.group(2))
                if mark.group(1) == "+":
                    wait = value
                else:
                    overlap = value
                rest = rest[mark.end() :]
            if not rest:
                raise ValueError(f"line {lineno}: empty utterance")
            current.utterances.append(Utterance(SPEAKERS[tag], rest, wait, overlap))
            continue
        key, sep, value = line.partition(":")
        key, value = key.strip(), value.strip()
        if not sep:
            raise ValueError(f"line {lineno}: cannot read {line!r}")
        if key == "breach":
            parts = [p.strip() for p in value.split("|")]
            if len(parts) not in (3, 4):
                raise ValueError(f"line {lineno}: breach needs article | quote | duty [| remark]")
            remark = parts[3] if len(parts) == 4 else ""
            current.breaches.append(Breach(int(parts[0]), parts[1], parts[2], remark))
        elif key == "arguable":
            article, _, reason = value.partition("|")
            current.arguable.append((int(article.strip()), reason.strip()))
        elif key == "note":
            current.note = value
        elif key in _META_KEYS:
            current.meta[key] = value
        else:
            raise ValueError(f"line {lineno}: unknown key {key!r}")
    return blocks


def _spoken_seconds(text: str, rate: float, rng: random.Random) -> float:
    """Characters at the drawn rate plus pauses for punctuation and ellipses."""
    seconds = 0.0
    body = text.rstrip("。？！?!")
    for _ in range(body.count("……")):
        seconds += rng.uniform(1.2, 2.4)
    body = body.replace("……", "")
    for char in body:
        if char in _SHORT_PAUSE:
            seconds += rng.uniform(0.12, 0.3)
        elif char in _STOP:
            seconds += rng.uniform(0.3, 0.55)
    chars = sum(1 for char in text if char not in _NOT_SPOKEN)
    return seconds + chars / rate


def _started_at(value: str) -> str:
    date, _, clock = value.partition(" ")
    if clock.count(":") == 1:
        clock += ":00"
    return f"{date}T{clock}+08:00"


def build_one(block: Block) -> tuple:
    """The interaction record and the label record of one block."""
    meta = block.meta
    rng = random.Random(f"{SET_NAME}/{block.id}")
    staff_rate = rng.uniform(4.3, 5.0)
    if meta.get("voice") == "elderly":
        citizen_rate = rng.uniform(3.2, 3.6)
    else:
        citizen_rate = rng.uniform(3.9, 4.7)

    record: dict = {
        "id": block.id,
        "channel": meta["channel"],
        "hall": meta["hall"],
        "window": meta["window"],
        "staff": meta["staff"],
        "started_at": _started_at(meta["start"]),
    }
    if meta["channel"] == "phone":
        if "rings" in meta:
            record["rings"] = int(meta["rings"])
            clock = 5 * (record["rings"] - 1) + rng.uniform(0.4, 1.2)
        else:
            record["ring_seconds"] = float(meta["ring_seconds"])
            clock = record["ring_seconds"]
        clock += rng.uniform(0.2, 0.5)
    else:
        clock = rng.uniform(0.5, 1.6)

    utterances = []
    prev_start = prev_end = latest_end = None
    for utt in block.utterances:
        rate = staff_rate if utt.speaker == "staff" else citizen_rate
        if prev_end is None:
            start = clock
        elif utt.overlap is not None:
            start = max(prev_end - utt.overlap, prev_start + 0.2)
        elif utt.wait is not None:
            start = latest_end + utt.wait
        else:
            start = latest_end + rng.uniform(0.25, 0.9)
        end = start + _spoken_seconds(utt.text, rate, rng)
        utterances.append(
            {
                "speaker": utt.speaker,
                "start": round(start, 2),
                "end": round(end, 2),
                "text": utt.text,
            }
        )
        prev_start, prev_end = start, end
        latest_end = end if latest_end is None else max(latest_end, end)
    record["utterances"] = utterances

    breached = {b.article for b in block.breaches}
    unscored = {article for article, _ in block.arguable}
    note = block.note
    if block.arguable:
        reasons = "; ".join(f"{article}: {reason}" for article, reason in block.arguable)
        note = f"{note}. Unscored: {reasons}."
    label = {
        "id": block.id,
        "breaches": [
            {"article": b.article, "speaker": "staff", "quote": b.quote, "duty": b.duty}
            for b in block.breaches
        ],
        "clean_articles": [a for a in SCORED if a not in breached and a not in unscored],
        "note": note,
    }
    return record, label


def render(pairs: list) -> tuple:
    """The text of interactions.jsonl and of labels.json."""
    jsonl = "".join(json.dumps(record, ensure_ascii=False) + "\n" for record, _ in pairs)
    labels = json.dumps([label for _, label in pairs], ensure_ascii=False, indent=2) + "\n"
    return jsonl, labels


def main() -> None:
    blocks = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    jsonl, labels = render([build_one(block) for block in blocks])
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"wrote {len(blocks)} interactions to {HERE}")


if __name__ == "__main__":
    main()
