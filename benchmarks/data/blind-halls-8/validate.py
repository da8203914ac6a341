"""Format validator for blind-halls-8 (the dev README's format and labelling rules)."""

from __future__ import annotations

import collections
import datetime as dt
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}


def check() -> list[str]:
    errs: list[str] = []
    inters = [
        json.loads(line)
        for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    if [i["id"] for i in inters] != [lab["id"] for lab in labels]:
        errs.append("ids of interactions and labels differ or are out of order")
    if [i["id"] for i in inters] != [f"b8-{n:04d}" for n in range(1, len(inters) + 1)]:
        errs.append("ids are not b8-0001.. in order")
    per_art: collections.Counter[int] = collections.Counter()
    overlaps = 0
    for it, lab in zip(inters, labels, strict=False):  # a length mismatch is reported above
        iid = it["id"]
        extra = set(it) - KEYS - {"rings", "ring_seconds"}
        if extra or KEYS - set(it):
            errs.append(f"{iid}: keys {sorted(it)}")
        when = dt.datetime.fromisoformat(it["started_at"])
        if when.utcoffset() != dt.timedelta(hours=8) or when.weekday() > 4:
            errs.append(f"{iid}: started_at not a +08:00 working day")
        if it["channel"] == "phone":
            if ("rings" in it) == ("ring_seconds" in it):
                errs.append(f"{iid}: a call needs exactly one of rings / ring_seconds")
        elif it["channel"] == "counter":
            if "rings" in it or "ring_seconds" in it:
                errs.append(f"{iid}: counter visit with rings")
        else:
            errs.append(f"{iid}: channel {it['channel']}")
        prev = None
        for u in it["utterances"]:
            if (
                u["speaker"] not in ("staff", "citizen")
                or not u["text"]
                or not u["end"] > u["start"] >= 0
            ):
                errs.append(f"{iid}: bad utterance {u}")
            if prev and u["start"] < prev["end"]:
                overlaps += 1
            if prev and u["start"] <= prev["start"]:
                errs.append(f"{iid}: utterance starts not increasing at {u['text'][:10]}")
            prev = u
        if it["channel"] == "phone" and it["utterances"]:
            rings = it.get("rings") or int(it["ring_seconds"] // 5) + 1
            if it["utterances"][0]["start"] < 5 * (rings - 1) + 1:
                errs.append(f"{iid}: first words before the last ring")
        seen: set[int] = set()
        for b in lab["breaches"]:
            a = b["article"]
            per_art[a] += 1
            if a not in ARTICLES or a in seen or b["speaker"] != "staff" or not b["duty"]:
                errs.append(f"{iid}: bad breach {b}")
            seen.add(a)
            if b["quote"]:
                hits = [u for u in it["utterances"] if b["quote"] in u["text"]]
                if len(hits) != 1 or hits[0]["speaker"] != "staff":
                    errs.append(
                        f"{iid}: quote {b['quote']!r} in {len(hits)} utterances / not staff"
                    )
        clean = set(lab["clean_articles"])
        if clean - ARTICLES or clean & seen or lab["clean_articles"] != sorted(clean):
            errs.append(f"{iid}: clean_articles {lab['clean_articles']}")
        if it["channel"] == "counter" and 7 not in clean:
            errs.append(f"{iid}: counter visit without 7 clean")
        if it["channel"] == "phone" and 8 not in clean:
            errs.append(f"{iid}: call without 8 clean")
        unscored = ARTICLES - clean - seen
        if unscored and not lab["note"]:
            errs.append(f"{iid}: unscored {sorted(unscored)} without a note")
        if not isinstance(lab["note"], str):
            errs.append(f"{iid}: note not a string")
    short = {a: per_art[a] for a in ARTICLES if per_art[a] < 3}
    if short:
        errs.append(f"articles breached fewer than 3 times: {short}")
    n_b = sum(per_art.values())
    n_bi = sum(1 for lab in labels if lab["breaches"])
    print(
        f"{len(inters)} interactions ({sum(i['channel'] == 'phone' for i in inters)} calls), "
        f"{sum(len(i['utterances']) for i in inters)} utterances, {overlaps} overlaps; "
        f"{len(inters) - n_bi} clean, {n_bi} with breaches, {n_b} breaches "
        f"({sum(1 for lab in labels for b in lab['breaches'] if not b['quote'])} absences)"
    )
    print("per article:", dict(sorted(per_art.items())))
    print(
        "clean per article:",
        {a: sum(a in lab["clean_articles"] for lab in labels) for a in sorted(ARTICLES)},
    )
    return errs


if __name__ == "__main__":
    problems = check()
    for p in problems:
        print("ERROR", p)
    sys.exit(1 if problems else 0)
