"""Build interactions.jsonl and labels.json from the hand-written source.txt.

Only the times are computed here (the dev README's "Times" rule); every utterance,
metadata field and label is copied as written in source.txt.  Jitter is seeded per
interaction (random.Random(f"blind-halls-8/{id}")), so a rebuild gives the same numbers.

Source format, one interaction per block:
    ### <id>
    key=value | key=value | flag            (channel, hall, window, staff, started_at,
                                             rings / ring_seconds; flag `elderly`)
    S: text      staff utterance           C: text   citizen utterance
    S^: / C^:    starts before the previous utterance ended (talk-over / backchannel)
    +N           an explicit wait of N seconds before the next utterance
    B <art> | <quote> | <duty>             one labelled breach (quote may be empty)
    CLEAN <art> <art> ...                  clean_articles
    NOTE <text>
"""

from __future__ import annotations

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PAUSE_SHORT = set("，、；：,;:")
PAUSE_LONG = set("。？！?!")


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(
        1 for ch in text if not ch.isspace() and ch not in "……，、；：。？！,;:?!“”\"'（）()"
    )
    dur = chars / rate
    body = text.replace("……", "\u2026")
    for i, ch in enumerate(body):
        if ch == "\u2026":
            dur += rng.uniform(1.2, 2.4)
        elif ch in PAUSE_SHORT:
            dur += rng.uniform(0.12, 0.3)
        elif ch in PAUSE_LONG and i < len(body) - 1:
            dur += rng.uniform(0.25, 0.5)
    return max(dur, 0.35)


def parse(path: Path) -> list[dict]:
    blocks: list[dict] = []
    cur: dict | None = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if line.startswith("### "):
            cur = {
                "id": line[4:].strip(),
                "meta": {},
                "flags": set(),
                "turns": [],
                "breaches": [],
                "clean": None,
                "note": "",
            }
            blocks.append(cur)
            continue
        assert cur is not None, line
        if "=" in line and not cur["turns"] and not cur["meta"]:
            for part in line.split("|"):
                part = part.strip()
                if "=" in part:
                    k, v = part.split("=", 1)
                    cur["meta"][k.strip()] = v.strip()
                elif part:
                    cur["flags"].add(part)
        elif line[:2] in ("S:", "C:") or line[:3] in ("S^:", "C^:"):
            head, text = line.split(":", 1)
            cur["turns"].append(
                ("staff" if head[0] == "S" else "citizen", head.endswith("^"), text.strip())
            )
        elif line.startswith("+"):
            cur["turns"].append(("wait", False, float(line[1:])))
        elif line.startswith("B "):
            art, quote, duty = (p.strip() for p in line[2:].split("|", 2))
            cur["breaches"].append(
                {"article": int(art), "speaker": "staff", "quote": quote, "duty": duty}
            )
        elif line.startswith("CLEAN"):
            cur["clean"] = sorted(int(a) for a in line[5:].split())
        elif line.startswith("NOTE "):
            cur["note"] = line[5:].strip()
        else:
            raise SystemExit(f"{cur['id']}: cannot parse line: {raw!r}")
    return blocks


def build(block: dict) -> tuple[dict, dict]:
    rng = random.Random(f"blind-halls-8/{block['id']}")
    meta = block["meta"]
    staff_rate = rng.uniform(4.3, 5.0)
    cit_rate = rng.uniform(3.2, 3.6) if "elderly" in block["flags"] else rng.uniform(3.9, 4.7)
    inter: dict = {
        "id": block["id"],
        "channel": meta["channel"],
        "hall": meta["hall"],
        "window": meta["window"],
        "staff": meta["staff"],
        "started_at": meta["started_at"],
    }
    if "rings" in meta:
        inter["rings"] = int(meta["rings"])
        t = 5 * (inter["rings"] - 1) + 1.0 + rng.uniform(0.2, 0.8)
    elif "ring_seconds" in meta:
        inter["ring_seconds"] = float(meta["ring_seconds"])
        t = inter["ring_seconds"] + rng.uniform(0.2, 0.5)
    else:
        t = rng.uniform(0.4, 1.6)
    utts: list[dict] = []
    wait = 0.0
    for speaker, overlap, text in block["turns"]:
        if speaker == "wait":
            wait += float(text)
            continue
        rate = staff_rate if speaker == "staff" else cit_rate
        dur = _duration(text, rate, rng)
        if not utts:
            start = t + wait
        elif overlap:
            prev = utts[-1]
            start = max(prev["start"] + 0.3, prev["end"] - rng.uniform(0.5, 1.3))
        else:
            start = utts[-1]["end"] + rng.uniform(0.25, 0.9) + wait
        wait = 0.0
        utts.append(
            {
                "speaker": speaker,
                "start": round(start, 2),
                "end": round(start + dur, 2),
                "text": text,
            }
        )
    inter["utterances"] = utts
    label = {
        "id": block["id"],
        "breaches": block["breaches"],
        "clean_articles": block["clean"],
        "note": block["note"],
    }
    return inter, label


def render() -> tuple[str, str, int]:
    """The text of interactions.jsonl and labels.json built from source.txt, and the count."""
    built = [build(b) for b in parse(HERE / "source.txt")]
    jsonl = "".join(json.dumps(it, ensure_ascii=False) + "\n" for it, _ in built)
    labels = json.dumps([lab for _, lab in built], ensure_ascii=False, indent=1) + "\n"
    return jsonl, labels, len(built)


def main() -> int:
    jsonl, labels, count = render()
    (HERE / "interactions.jsonl").write_text(jsonl, encoding="utf-8")
    (HERE / "labels.json").write_text(labels, encoding="utf-8")
    print(f"built {count} interactions")
    return 0


if __name__ == "__main__":
    sys.exit(main())
