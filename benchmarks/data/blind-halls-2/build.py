"""Build interactions.jsonl and labels.json of blind-halls-2 from the hand-written items.py.

Only the times are mechanical: characters divided by a speaking rate drawn per interaction
(staff 4.3-5.0 chars/s, citizens 3.9-4.7, elderly citizens 3.2-3.6), short pauses for
punctuation, 1.2-2.4 s per ellipsis, 0.25-0.9 s between turns, explicit waits written in
items.py, and calls starting after their rings. Jitter is seeded per interaction.

Run: python3 build.py  (writes the two files next to this script and validates them).
"""

from __future__ import annotations

import json
import math
import random
from datetime import datetime
from pathlib import Path

from items import ITEMS

HERE = Path(__file__).resolve().parent
ARTICLES = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
SEED = 20261207


def _duration(text: str, rate: float, rng: random.Random) -> float:
    chars = sum(1 for ch in text if ch.isalnum())
    pause = 0.0
    pause += 0.18 * sum(text.count(p) for p in "，、；：")
    pause += 0.35 * sum(text.count(p) for p in "。？！")
    pause += sum(rng.uniform(1.2, 2.4) for _ in range(text.count("……")))
    return max(0.4, chars / rate + pause)


def _first_start(item: dict, rng: random.Random) -> float:
    if "rings" in item:
        return 5 * (item["rings"] - 1) + rng.uniform(0.4, 0.9)
    if "ring_seconds" in item:
        return item["ring_seconds"] + rng.uniform(0.2, 0.4)
    return rng.uniform(0.3, 1.2)


def _utterances(item: dict, rng: random.Random) -> list[dict]:
    rates = {"S": rng.uniform(4.3, 5.0), "C": rng.uniform(3.9, 4.7), "E": rng.uniform(3.2, 3.6)}
    out: list[dict] = []
    t = _first_start(item, rng)
    for n, line in enumerate(item["u"]):
        wait = 0.0
        overlap = line.startswith("~")
        line = line.lstrip("~")
        if line.startswith("+"):
            head, line = line.split(" ", 1)
            wait = float(head[1:])
        role, text = line.split(":", 1)
        if n and overlap:
            prev = out[-1]
            start = max(prev["start"] + 0.3, prev["end"] - rng.uniform(0.4, 1.0))
        elif n:
            start = t + rng.uniform(0.25, 0.9) + wait
        else:
            start = t + wait
        end = start + _duration(text, rates[role], rng)
        out.append({"speaker": "staff" if role == "S" else "citizen",
                    "start": round(start, 2), "end": round(end, 2), "text": text})
        t = max(t, end)
    return out


def build() -> tuple[list[dict], list[dict]]:
    """Return (interactions, labels) in id order."""
    inters, labels = [], []
    for i, item in enumerate(ITEMS, start=1):
        rng = random.Random(SEED + i)
        iid = f"b2-{i:04d}"
        rec = {"id": iid, "channel": item["ch"], "hall": item["hall"], "window": item["win"],
               "staff": item["staff"], "started_at": item["t"] + "+08:00"}
        for key in ("rings", "ring_seconds"):
            if key in item:
                rec[key] = item[key]
        rec["utterances"] = _utterances(item, rng)
        inters.append(rec)
        breached = {b[0] for b in item["b"]}
        clean = [a for a in ARTICLES if a not in breached and a not in item["unscored"]]
        note = item["note"]
        if item["unscored"]:
            note += "; unscored: " + "; ".join(f"{a}: {r}" for a, r in sorted(item["unscored"].items()))
        labels.append({"id": iid,
                       "breaches": [{"article": a, "speaker": "staff", "quote": q, "duty": d}
                                    for a, q, d in item["b"]],
                       "clean_articles": clean, "note": note})
    return inters, labels


def validate(inters: list[dict], labels: list[dict]) -> None:
    """Check the README's invariants; raise AssertionError on the first violation."""
    assert [r["id"] for r in inters] == [lab["id"] for lab in labels]
    for rec, lab in zip(inters, labels, strict=True):
        when = datetime.fromisoformat(rec["started_at"])
        assert when.weekday() < 5, rec["id"]
        assert "2026-11-03" <= when.date().isoformat() <= "2026-12-14", rec["id"]
        if rec["channel"] == "phone":
            assert ("rings" in rec) != ("ring_seconds" in rec), rec["id"]
            rings = rec.get("rings") or math.floor(rec["ring_seconds"] / 5) + 1
            if rec["utterances"]:
                assert rec["utterances"][0]["start"] > 5 * (rings - 1), rec["id"]
        arts = [b["article"] for b in lab["breaches"]]
        assert len(arts) == len(set(arts)), rec["id"]
        assert not set(arts) & set(lab["clean_articles"]), rec["id"]
        for b in lab["breaches"]:
            assert b["speaker"] == "staff"
            if b["quote"]:
                hits = [u for u in rec["utterances"] if b["quote"] in u["text"]]
                assert len(hits) == 1 and hits[0]["speaker"] == "staff", (rec["id"], b["quote"])
            else:
                assert b["duty"].startswith(("missing:", "ignored", "unanswered", "answered after",
                                             "call not answered")), (rec["id"], b["duty"])
        for u in rec["utterances"]:
            assert u["end"] > u["start"] >= 0, rec["id"]


def main() -> None:
    inters, labels = build()
    validate(inters, labels)
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as fh:
        for rec in inters:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    with open(HERE / "labels.json", "w", encoding="utf-8") as fh:
        json.dump(labels, fh, ensure_ascii=False, indent=1)
        fh.write("\n")


if __name__ == "__main__":
    main()
