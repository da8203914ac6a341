"""Turn the hand-written ``source.txt`` into ``interactions.jsonl`` (times only).

Written by blind5 for the blind-halls-5 set. Only the start and end times are
computed; every text, header field and label was written by hand. The rule is
the one of ``dialogues-dev``'s README ("Times"):

* characters divided by a speaking rate drawn per interaction (staff 4.3-5.0
  characters/s, citizens 3.9-4.7, elderly citizens 3.2-3.6), plus short pauses
  for punctuation and 1.2-2.4 s for each ellipsis (the clerk checking papers);
* gaps of 0.25-0.9 s between turns; explicit waits written as ``~ N`` lines;
* ``S>``/``C>`` lines start inside the previous utterance (talking over it);
* calls: utterance times count from the first ring (1 s on, 4 s off, ring n
  starts at 5(n-1) s); the first words come after the pick-up.

The jitter is seeded per interaction (``random.Random("blind5:" + id)``), so a
rebuild gives the same numbers.

Usage: ``python build_times.py`` (writes ``interactions.jsonl`` next to it).
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
LONG_PUNCT = "。！？!?"
SHORT_PUNCT = "，、；：,;:"
ELLIPSIS = "……"


def _duration(text: str, rate: float, rng: random.Random) -> float:
    """Seconds needed to say ``text`` at ``rate`` characters per second."""
    n_ell = text.count(ELLIPSIS)
    plain = text.replace(ELLIPSIS, "")
    chars = sum(1 for ch in plain if ch not in LONG_PUNCT + SHORT_PUNCT + "—")
    secs = chars / rate
    secs += sum(rng.uniform(0.25, 0.45) for ch in plain if ch in LONG_PUNCT)
    secs += sum(rng.uniform(0.1, 0.2) for ch in plain if ch in SHORT_PUNCT)
    secs += sum(rng.uniform(1.2, 2.4) for _ in range(n_ell))
    return secs


def _parse(path: Path) -> list[dict]:
    """Read the blocks of ``source.txt``."""
    blocks: list[dict] = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@"):
            fields = [f.strip() for f in line[1:].split("|")]
            iid, channel, hall, window, staff, started, flags = fields
            blocks.append(
                {
                    "id": iid,
                    "channel": channel,
                    "hall": hall,
                    "window": window,
                    "staff": staff,
                    "started_at": started,
                    "flags": flags,
                    "lines": [],
                }
            )
        else:
            blocks[-1]["lines"].append(line)
    return blocks


def _flags(flags: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in flags.split():
        if item == "-":
            continue
        key, _, value = item.partition("=")
        out[key] = value or "1"
    return out


def build(block: dict) -> dict:
    """One interaction with computed times."""
    rng = random.Random("blind5:" + block["id"])
    flags = _flags(block["flags"])
    rate = {
        "staff": rng.uniform(4.3, 5.0),
        "citizen": rng.uniform(3.2, 3.6) if "elderly" in flags else rng.uniform(3.9, 4.7),
    }
    out = {k: block[k] for k in ("id", "channel", "hall", "window", "staff", "started_at")}
    clock = rng.uniform(0.4, 1.6)
    if "rings" in flags:
        out["rings"] = int(flags["rings"])
        clock = 5 * (out["rings"] - 1) + rng.uniform(0.5, 1.8)
    if "ring_seconds" in flags:
        out["ring_seconds"] = float(flags["ring_seconds"])
        clock = out["ring_seconds"] + rng.uniform(0.2, 0.5)
    utterances: list[dict] = []
    wait = 0.0
    for line in block["lines"]:
        if line.startswith("~"):
            wait += float(line[1:])
            continue
        tag, text = line[:2], line[2:].strip()
        speaker = "staff" if tag[0] == "S" else "citizen"
        dur = _duration(text, rate[speaker], rng)
        if tag[1] == ">" and utterances:
            prev = utterances[-1]
            start = prev["start"] + (prev["end"] - prev["start"]) * rng.uniform(0.6, 0.9)
        elif utterances:
            start = max(utterances[-1]["end"], clock) + rng.uniform(0.25, 0.9) + wait
        else:
            start = clock + wait
        wait = 0.0
        end = start + dur
        clock = max(clock, end)
        utterances.append(
            {"speaker": speaker, "start": round(start, 2), "end": round(end, 2), "text": text}
        )
    out["utterances"] = utterances
    return out


def main() -> None:
    """Write interactions.jsonl."""
    blocks = _parse(HERE / "source.txt")
    with (HERE / "interactions.jsonl").open("w", encoding="utf-8") as fh:
        for block in blocks:
            fh.write(json.dumps(build(block), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
