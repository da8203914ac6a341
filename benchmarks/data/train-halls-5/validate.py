"""Format validator for train-halls-5 (rules of the dialogues-dev README)."""

import collections
import datetime
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}


def in_hours(dt):
    m = dt.hour * 60 + dt.minute
    return 510 <= m < 720 or 870 <= m < 1080


def main():
    inters = [
        json.loads(line)
        for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    errs = []
    assert [i["id"] for i in inters] == [lab["id"] for lab in labels], "ids/order differ"
    ids = [i["id"] for i in inters]
    if ids != [f"t5-{n:04d}" for n in range(1, len(ids) + 1)]:
        errs.append("ids not consecutive t5-0001…")
    per_art = collections.Counter()
    clean_n = 0
    for it, lab in zip(inters, labels, strict=True):
        iid = it["id"]
        keys = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
        extra = set(it) - keys
        if it["channel"] == "phone":
            if len(extra & {"rings", "ring_seconds"}) != 1 or extra - {"rings", "ring_seconds"}:
                errs.append(f"{iid}: phone needs exactly one of rings/ring_seconds")
        elif extra or it["channel"] != "counter":
            errs.append(f"{iid}: bad keys/channel {extra}")
        dt = datetime.datetime.fromisoformat(it["started_at"])
        if dt.weekday() >= 5 or not (
            datetime.date(2026, 11, 3) <= dt.date() <= datetime.date(2026, 12, 14)
        ):
            errs.append(f"{iid}: date {dt.date()} not a working day in range")
        prev = None
        for u in it["utterances"]:
            if u["speaker"] not in ("staff", "citizen") or not u["text"] or u["end"] <= u["start"]:
                errs.append(f"{iid}: bad utterance {u}")
            if prev is not None and u["start"] < prev["start"]:
                errs.append(f"{iid}: utterances out of order")
            prev = u
        arts = [b["article"] for b in lab["breaches"]]
        if len(arts) != len(set(arts)):
            errs.append(f"{iid}: two breaches of one article")
        for b in lab["breaches"]:
            per_art[b["article"]] += 1
            if b["article"] not in ARTICLES or b["speaker"] != "staff":
                errs.append(f"{iid}: bad breach {b}")
            if b["quote"]:
                hits = [u for u in it["utterances"] if b["quote"] in u["text"]]
                if len(hits) != 1 or hits[0]["speaker"] != "staff":
                    errs.append(
                        f"{iid}: quote {b['quote']!r} matches {len(hits)} utterances / not staff"
                    )
        clean = set(lab["clean_articles"])
        if clean & set(arts) or clean - ARTICLES:
            errs.append(f"{iid}: clean_articles overlap breaches or unknown")
        if ARTICLES - clean - set(arts) and not lab["note"]:
            errs.append(f"{iid}: arguable articles without a note")
        if it["channel"] == "counter" and 7 not in clean:
            errs.append(f"{iid}: Art. 7 should be clean on a counter visit")
        if it["channel"] == "phone" and 8 not in clean:
            errs.append(f"{iid}: Art. 8 should be clean on a call")
        if not lab["breaches"]:
            clean_n += 1
    for e in errs:
        print("ERROR", e)
    phones = sum(1 for i in inters if i["channel"] == "phone")
    print(
        f"{len(inters)} interactions, {phones} calls, {clean_n} clean, "
        f"{sum(per_art.values())} breaches; per article {dict(sorted(per_art.items()))}"
    )
    sys.exit(1 if errs else 0)


if __name__ == "__main__":
    main()
