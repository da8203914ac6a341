"""Build interactions.jsonl and labels.json of blind-halls-4 from transcripts.txt.

The text, the metadata and the labels are hand-written in transcripts.txt; this
script only computes the start and end times, as the dev set's README describes
under "Times": characters divided by a speaking rate drawn per interaction
(staff 4.3-5.0 chars/s, citizens 3.9-4.7, elderly citizens 3.2-3.6), short
pauses for punctuation, 1.2-2.4 s per ellipsis, 0.25-0.9 s between turns, the
longer waits written explicitly ("+N"), and overlaps only where marked ("^").
The jitter is seeded per interaction, so a rebuild gives the same numbers.

    python make_times.py          # rewrites interactions.jsonl and labels.json
"""

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHORT_PAUSE = "，、；：—"
LONG_PAUSE = "。？！"
NOT_SPOKEN = re.compile(r"[\s，、；：。？！…—“”\"'（）()《》]")


def parse(text):
    items = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@ "):
            fields = [f.strip() for f in line[2:].split("|")]
            iid, channel, hall, window, staff, started = fields[:6]
            opts = fields[6].split() if len(fields) > 6 else []
            meta = {"id": iid, "channel": channel, "hall": hall, "window": window,
                    "staff": staff, "started_at": started}
            extra = {"elderly": False}
            for opt in opts:
                if opt == "elderly":
                    extra["elderly"] = True
                elif opt.startswith("rings="):
                    meta["rings"] = int(opt.split("=")[1])
                elif opt.startswith("ring_seconds="):
                    meta["ring_seconds"] = float(opt.split("=")[1])
                else:
                    raise ValueError(f"{iid}: unknown option {opt}")
            items.append({"meta": meta, "extra": extra, "turns": [], "label": None})
        elif line.startswith("L "):
            items[-1]["label"] = json.loads(line[2:])
        elif line.startswith("+"):
            items[-1]["turns"].append(("wait", float(line[1:])))
        else:
            m = re.match(r"^([SC])(\^?):\s*(.+)$", line)
            if not m:
                raise ValueError(f"cannot parse line: {line}")
            speaker = "staff" if m.group(1) == "S" else "citizen"
            items[-1]["turns"].append(("say", speaker, bool(m.group(2)), m.group(3)))
    return items


def duration(text, rate, rng):
    spoken = len(NOT_SPOKEN.sub("", text))
    secs = spoken / rate
    secs += text.count("……") * rng.uniform(1.2, 2.4)
    body = text.replace("……", "")
    for ch in body[:-1]:
        if ch in SHORT_PAUSE:
            secs += rng.uniform(0.12, 0.3)
        elif ch in LONG_PAUSE:
            secs += rng.uniform(0.3, 0.55)
    return max(secs, 0.4)


def timed(item):
    meta, extra = item["meta"], item["extra"]
    rng = random.Random("blind-halls-4:" + meta["id"])
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if extra["elderly"] else rng.uniform(3.9, 4.7)
    if "rings" in meta:
        t = 5 * (meta["rings"] - 1) + rng.uniform(0.4, 1.6) + rng.uniform(0.2, 0.6)
    elif "ring_seconds" in meta:
        t = meta["ring_seconds"] + rng.uniform(0.2, 0.6)
    else:
        t = rng.uniform(0.5, 2.0)
    utterances, wait = [], 0.0
    for turn in item["turns"]:
        if turn[0] == "wait":
            wait += turn[1]
            continue
        _, speaker, overlap, text = turn
        rate = staff_rate if speaker == "staff" else citizen_rate
        dur = duration(text, rate, rng)
        if overlap:
            prev = utterances[-1]
            start = prev["start"] + rng.uniform(0.55, 0.85) * (prev["end"] - prev["start"])
        elif utterances:
            start = max(u["end"] for u in utterances) + rng.uniform(0.25, 0.9) + wait
        else:
            start = t + wait
        wait = 0.0
        utterances.append({"speaker": speaker, "start": round(start, 2),
                           "end": round(start + dur, 2), "text": text})
    out = dict(meta)
    out["utterances"] = utterances
    return out


def main():
    items = parse((HERE / "transcripts.txt").read_text(encoding="utf-8"))
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(timed(item), ensure_ascii=False) + "\n")
    labels = []
    for item in items:
        label = {"id": item["meta"]["id"]}
        label.update(item["label"])
        labels.append(label)
    (HERE / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"{len(items)} interactions written")


if __name__ == "__main__":
    main()
