"""Build interactions.jsonl and labels.json from the hand-written source.txt.

Only the times are computed here (dialogues-dev README, "Times"): characters
divided by a speaking rate drawn per interaction, punctuation pauses, 1.2-2.4 s
per ellipsis, 0.25-0.9 s between turns, explicit waits written as "+N" lines;
"~" starts a turn inside the previous one. Jitter is seeded per interaction.
"""

import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
PUNCT = "，。？！、；：,.?!;:"


def parse(text):
    items = []
    cur = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@ "):
            parts = line[2:].split()
            cur = {"head": parts, "utts": [], "breaches": [], "clean": [], "note": "", "wait": 0.0}
            items.append(cur)
        elif line.startswith("+"):
            cur["wait"] += float(line[1:])
        elif line[:2] in ("S:", "C:") or line[:3] in ("~S:", "~C:"):
            over = line.startswith("~")
            body = line[1:] if over else line
            spk = "staff" if body[0] == "S" else "citizen"
            cur["utts"].append(
                {"speaker": spk, "text": body[2:].strip(), "over": over, "wait": cur["wait"]}
            )
            cur["wait"] = 0.0
        elif line.startswith("B "):
            art, quote, duty = [p.strip() for p in line[2:].split("|", 2)]
            cur["breaches"].append(
                {"article": int(art), "speaker": "staff", "quote": quote, "duty": duty}
            )
        elif line.startswith("K "):
            cur["clean"] = [int(x) for x in line[2:].split()]
        elif line.startswith("N "):
            cur["note"] = line[2:].strip()
        else:
            raise ValueError(f"unparsed line: {raw!r}")
    return items


def duration(text, rate, rng):
    chars = sum(1 for ch in text if ch not in PUNCT and ch not in "…（）")
    t = chars / rate
    t += sum(rng.uniform(0.15, 0.35) for ch in text if ch in PUNCT)
    t += text.count("……") * rng.uniform(1.2, 2.4)
    return t


def build(items):
    inters, labels = [], []
    for it in items:
        head = it["head"]
        iid, channel, hall, window, staff, started = head[:6]
        extra = dict(kv.split("=") for kv in head[6:])
        rng = random.Random(f"train-halls-5:{iid}")
        s_rate = rng.uniform(4.3, 5.0)
        c_rate = (
            rng.uniform(3.2, 3.6)
            if "elderly" in it["note"] or "hard-of-hearing" in it["note"]
            else rng.uniform(3.9, 4.7)
        )
        rec = {
            "id": iid,
            "channel": channel,
            "hall": hall,
            "window": window,
            "staff": staff,
            "started_at": started + "+08:00",
        }
        t = rng.uniform(0.8, 2.0)
        if channel == "phone":
            if "rings" in extra:
                rec["rings"] = int(extra["rings"])
                t = 5 * (rec["rings"] - 1) + rng.uniform(0.6, 1.0)
            else:
                rec["ring_seconds"] = float(extra["ring_seconds"])
                t = rec["ring_seconds"] + rng.uniform(0.3, 0.6)
        utts = []
        prev_end = None
        for u in it["utts"]:
            dur = duration(u["text"], s_rate if u["speaker"] == "staff" else c_rate, rng)
            if prev_end is None:
                start = t + u["wait"]
            elif u["over"]:
                prev = utts[-1]
                start = prev["start"] + 0.6 * (prev["end"] - prev["start"])
            else:
                start = prev_end + rng.uniform(0.25, 0.9) + u["wait"]
            end = start + dur
            utts.append(
                {
                    "speaker": u["speaker"],
                    "start": round(start, 2),
                    "end": round(end, 2),
                    "text": u["text"],
                }
            )
            prev_end = max(prev_end or 0, end)
        rec["utterances"] = utts
        inters.append(rec)
        labels.append(
            {
                "id": iid,
                "breaches": it["breaches"],
                "clean_articles": sorted(it["clean"]),
                "note": it["note"],
            }
        )
    return inters, labels


def main():
    items = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    inters, labels = build(items)
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as f:
        for rec in inters:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    (HERE / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(inters)} interactions", file=sys.stderr)


if __name__ == "__main__":
    main()
