"""Format validator for train-halls-2 (the dialogues-dev format).

Run: python validate.py   (exit status 1 and a list of problems if any)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
CALL_KEYS = {"rings", "ring_seconds"}
FIRST, LAST = dt.date(2026, 11, 3), dt.date(2026, 12, 14)


def check() -> list[str]:
    errs: list[str] = []
    inters = [json.loads(line) for line in
              (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    if [i["id"] for i in inters] != [lab["id"] for lab in labels]:
        errs.append("ids of interactions and labels differ or are out of order")
    expected = [f"t2-{n:04d}" for n in range(1, len(inters) + 1)]
    if [i["id"] for i in inters] != expected:
        errs.append("ids are not t2-0001.. in order")
    for inter, lab in zip(inters, labels, strict=False):
        iid = inter["id"]
        extra = set(inter) - KEYS - CALL_KEYS
        missing = KEYS - set(inter)
        if extra or missing:
            errs.append(f"{iid}: keys extra {sorted(extra)} missing {sorted(missing)}")
        when = dt.datetime.fromisoformat(inter["started_at"])
        if when.utcoffset() != dt.timedelta(hours=8):
            errs.append(f"{iid}: started_at not +08:00")
        if when.weekday() >= 5 or not FIRST <= when.date() <= LAST:
            errs.append(f"{iid}: {when.date()} is not a working day in range")
        if inter["channel"] == "phone":
            if len(set(inter) & CALL_KEYS) != 1:
                errs.append(f"{iid}: a call needs exactly one of rings / ring_seconds")
        elif inter["channel"] == "counter":
            if set(inter) & CALL_KEYS:
                errs.append(f"{iid}: counter visit with ring fields")
        else:
            errs.append(f"{iid}: channel {inter['channel']!r}")
        prev_start = -1.0
        for k, u in enumerate(inter["utterances"]):
            if set(u) != {"speaker", "start", "end", "text"}:
                errs.append(f"{iid}[{k}]: utterance keys {sorted(u)}")
            if u["speaker"] not in ("staff", "citizen"):
                errs.append(f"{iid}[{k}]: speaker {u['speaker']!r}")
            if not (u["start"] < u["end"]) or u["start"] < prev_start:
                errs.append(f"{iid}[{k}]: times {u['start']}-{u['end']}")
            if not u["text"].strip():
                errs.append(f"{iid}[{k}]: empty text")
            prev_start = u["start"]
        if inter["channel"] == "phone" and inter["utterances"]:
            first = inter["utterances"][0]["start"]
            rings_s = 5 * (inter.get("rings", 1) - 1)
            if first < min(rings_s, inter.get("ring_seconds", rings_s)):
                errs.append(f"{iid}: first words before the rings")
        if set(lab) != {"id", "breaches", "clean_articles", "note"}:
            errs.append(f"{iid}: label keys {sorted(lab)}")
        arts = [b["article"] for b in lab["breaches"]]
        if len(arts) != len(set(arts)):
            errs.append(f"{iid}: two breaches of one article")
        if not set(arts) <= ARTICLES or not set(lab["clean_articles"]) <= ARTICLES:
            errs.append(f"{iid}: unknown article")
        if set(arts) & set(lab["clean_articles"]):
            errs.append(f"{iid}: article both breached and clean")
        if sorted(lab["clean_articles"]) != lab["clean_articles"]:
            errs.append(f"{iid}: clean_articles not sorted")
        unscored = ARTICLES - set(arts) - set(lab["clean_articles"])
        if unscored and not lab["note"]:
            errs.append(f"{iid}: arguable articles {sorted(unscored)} without a note")
        for b in lab["breaches"]:
            if set(b) != {"article", "speaker", "quote", "duty"} or b["speaker"] != "staff":
                errs.append(f"{iid}: breach fields {b}")
            if not b["duty"]:
                errs.append(f"{iid}: empty duty")
            if b["quote"] == "":
                continue
            hits = [u for u in inter["utterances"] if b["quote"] in u["text"]]
            if len(hits) != 1 or hits[0]["speaker"] != "staff":
                errs.append(f"{iid}: quote {b['quote']!r} is in {len(hits)} utterances "
                            "(must be exactly one staff utterance)")
        if inter["channel"] == "counter" and 7 not in lab["clean_articles"]:
            errs.append(f"{iid}: Art. 7 on a counter visit must be clean")
        if inter["channel"] == "phone" and 8 not in lab["clean_articles"]:
            errs.append(f"{iid}: Art. 8 on a call must be clean")
    return errs


def main() -> int:
    errs = check()
    for e in errs:
        print(e)
    print("OK" if not errs else f"{len(errs)} problems")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
