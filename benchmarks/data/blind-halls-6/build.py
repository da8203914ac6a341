"""Build interactions.jsonl and labels.json of blind-halls-6 from the hand-written source.txt.

Only the times are computed here (as the dev README's "Times" section says); every
utterance, metadata field and label is copied verbatim from source.txt.
Run: python benchmarks/data/blind-halls-6/build.py
"""

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
HEADER_KEYS = (
    "channel",
    "hall",
    "window",
    "staff",
    "started_at",
    "rings",
    "ring_seconds",
    "elderly",
)


def parse(text: str) -> list[dict]:
    blocks = []
    for raw in text.split("\n=== ")[1:]:
        lines = raw.strip("\n").split("\n")
        item = {
            "id": lines[0].strip(),
            "header": {},
            "turns": [],
            "breaches": [],
            "clean": [],
            "note": "",
        }
        in_labels = False
        for line in lines[1:]:
            if not line.strip() or line.startswith("#"):
                continue
            if line.strip() == "---":
                in_labels = True
                continue
            if in_labels:
                key, _, value = line.partition(":")
                value = value.strip()
                if key == "breach":
                    article, quote, duty = (part.strip() for part in value.split("|"))
                    item["breaches"].append(
                        {"article": int(article), "speaker": "staff", "quote": quote, "duty": duty}
                    )
                elif key == "clean":
                    item["clean"] = sorted(int(a) for a in value.split())
                elif key == "note":
                    item["note"] = value
                else:
                    raise ValueError(f"{item['id']}: unknown label line {line!r}")
            elif line.startswith("[wait "):
                item["turns"].append(("wait", float(line[6:-1])))
            elif line[:3] in ("S: ", "C: ", "S~:", "C~:"):
                who = "staff" if line[0] == "S" else "citizen"
                item["turns"].append((who, line[3:].strip(), line[1] == "~"))
            else:
                key, _, value = line.partition(": ")
                if key not in HEADER_KEYS:
                    raise ValueError(f"{item['id']}: unknown header line {line!r}")
                item["header"][key] = value.strip()
        blocks.append(item)
    return blocks


def duration(text: str, rate: float, rng: random.Random) -> float:
    seconds = 0.0
    body = text.replace("……", "\u0000")
    for ch in body:
        if ch == "\u0000":
            seconds += rng.uniform(1.2, 2.4)
        elif ch in "，、；：,":
            seconds += rng.uniform(0.12, 0.22)
        elif ch in "。？！?!":
            seconds += rng.uniform(0.25, 0.4)
        elif ch in "“”\"'（）()—":
            continue
        else:
            seconds += 1.0 / rate
    return max(seconds, 0.35)


def build(item: dict) -> tuple[dict, dict]:
    rng = random.Random(f"blind-halls-6:{item['id']}")
    head = item["header"]
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if head.get("elderly") == "yes" else rng.uniform(3.9, 4.7)
    out = {
        "id": item["id"],
        "channel": head["channel"],
        "hall": head["hall"],
        "window": head["window"],
        "staff": head["staff"],
        "started_at": head["started_at"],
    }
    clock = rng.uniform(0.3, 1.2)
    if "rings" in head:
        rings = int(head["rings"])
        out["rings"] = rings
        clock = 5 * (rings - 1) + rng.uniform(0.4, 1.8)
    if "ring_seconds" in head:
        ring_seconds = float(head["ring_seconds"])
        out["ring_seconds"] = ring_seconds
        clock = ring_seconds + rng.uniform(0.1, 0.4)
    utterances = []
    pending_wait = 0.0
    for turn in item["turns"]:
        if turn[0] == "wait":
            pending_wait += turn[1]
            continue
        who, text, overlap = turn
        rate = staff_rate if who == "staff" else citizen_rate
        length = duration(text, rate, rng)
        if overlap and utterances:
            prev = utterances[-1]
            start = prev["start"] + rng.uniform(0.55, 0.85) * (prev["end"] - prev["start"])
        elif utterances:
            start = utterances[-1]["end"] + rng.uniform(0.25, 0.9) + pending_wait
        else:
            start = clock + pending_wait
        pending_wait = 0.0
        utterances.append(
            {
                "speaker": who,
                "start": round(start, 2),
                "end": round(start + length, 2),
                "text": text,
            }
        )
    out["utterances"] = utterances
    label = {
        "id": item["id"],
        "breaches": item["breaches"],
        "clean_articles": item["clean"],
        "note": item["note"],
    }
    return out, label


def main() -> None:
    items = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    built = [build(item) for item in items]
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as fh:
        for interaction, _ in built:
            fh.write(json.dumps(interaction, ensure_ascii=False) + "\n")
    labels = [label for _, label in built]
    (HERE / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(built)} interactions")


if __name__ == "__main__":
    main()
