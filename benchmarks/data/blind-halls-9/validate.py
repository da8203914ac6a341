"""Check interactions.jsonl and labels.json against the dev set's format.

Usage: python validate.py  (exit 1 and a list of problems if any)
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
KEYS = {
    "id",
    "channel",
    "hall",
    "window",
    "staff",
    "started_at",
    "utterances",
    "rings",
    "ring_seconds",
}


def in_hours(t: dt.time) -> bool:
    return dt.time(8, 30) <= t < dt.time(12, 0) or dt.time(14, 30) <= t < dt.time(18, 0)


def check(inters: list[dict], labels: list[dict]) -> list[str]:
    errs: list[str] = []
    if [i["id"] for i in inters] != [lab["id"] for lab in labels]:
        errs.append("ids differ or are out of order between the two files")
    for n, (it, lab) in enumerate(zip(inters, labels, strict=False), 1):
        iid = it["id"]
        if iid != f"b9-{n:04d}":
            errs.append(f"{iid}: expected id b9-{n:04d}")
        if set(it) - KEYS:
            errs.append(f"{iid}: unknown keys {set(it) - KEYS}")
        for k in ("channel", "hall", "window", "staff", "started_at", "utterances"):
            if k not in it:
                errs.append(f"{iid}: missing {k}")
        when = dt.datetime.fromisoformat(it["started_at"])
        if when.utcoffset() != dt.timedelta(hours=8) or when.weekday() > 4:
            errs.append(f"{iid}: started_at not a +08:00 working day")
        if it["channel"] == "phone":
            if ("rings" in it) == ("ring_seconds" in it):
                errs.append(f"{iid}: a call needs exactly one of rings / ring_seconds")
        elif it["channel"] != "counter" or "rings" in it or "ring_seconds" in it:
            errs.append(f"{iid}: bad channel or ring field on a counter visit")
        prev = None
        for u in it["utterances"]:
            if set(u) != {"speaker", "start", "end", "text"} or u["speaker"] not in (
                "staff",
                "citizen",
            ):
                errs.append(f"{iid}: bad utterance {u}")
            if not u["start"] < u["end"] or not u["text"].strip():
                errs.append(f"{iid}: bad times or empty text {u}")
            if prev is not None and u["start"] < prev["start"]:
                errs.append(f"{iid}: utterances out of order at {u['start']}")
            prev = u
        if it["channel"] == "phone" and it["utterances"]:
            rings = it.get("rings") or int(it["ring_seconds"] // 5) + 1
            if it["utterances"][0]["start"] < 5 * (rings - 1):
                errs.append(f"{iid}: first words before the last ring")
        staff_texts = [u["text"] for u in it["utterances"] if u["speaker"] == "staff"]
        arts = [b["article"] for b in lab["breaches"]]
        if len(arts) != len(set(arts)):
            errs.append(f"{iid}: two breaches of one article")
        for b in lab["breaches"]:
            if b["article"] not in ARTICLES or b["speaker"] != "staff" or not b["duty"]:
                errs.append(f"{iid}: bad breach {b}")
            if b["quote"]:
                hits = [t for t in staff_texts if b["quote"] in t]
                all_hits = [u for u in it["utterances"] if b["quote"] in u["text"]]
                if len(hits) != 1 or len(all_hits) != 1:
                    errs.append(f"{iid}: quote not in exactly one staff utterance: {b['quote']}")
        clean = set(lab["clean_articles"])
        if clean & set(arts) or not clean <= ARTICLES:
            errs.append(f"{iid}: clean_articles overlap breaches or are unknown")
        if ARTICLES - clean - set(arts) and not lab["note"]:
            errs.append(f"{iid}: arguable articles without a note")
        for a in ARTICLES - clean - set(arts):
            if f"Art. {a} unscored" not in lab["note"]:
                errs.append(
                    f"{iid}: Art. {a} neither clean nor breached, and the note does not say why"
                )
        if it["channel"] == "counter" and 7 not in clean:
            errs.append(f"{iid}: Art. 7 must be clean on a counter visit")
        if it["channel"] == "phone" and 8 not in clean:
            errs.append(f"{iid}: Art. 8 must be clean on a call")
        if 25 in arts and not in_hours(when.time()):
            errs.append(f"{iid}: Art. 25 breach outside service hours")
    return errs


def summary(inters: list[dict], labels: list[dict]) -> None:
    per = collections.Counter(b["article"] for lab in labels for b in lab["breaches"])
    nb = [len(lab["breaches"]) for lab in labels]
    calls = [i for i in inters if i["channel"] == "phone"]
    print(
        f"{len(inters)} interactions, {sum(nb)} breaches; clean {nb.count(0)}, one {nb.count(1)}, two {nb.count(2)}"
    )
    print(
        f"calls {len(calls)}, unanswered {sum(not c['utterances'] for c in calls)}, "
        f"ring_seconds {sum('ring_seconds' in c for c in calls)}; "
        f"utterances {sum(len(i['utterances']) for i in inters)}"
    )
    print("breaches per article:", dict(sorted(per.items())))
    print(
        "absences:",
        sum(1 for lab in labels for b in lab["breaches"] if not b["quote"]),
        "| paraphrased phrases:",
        sum(1 for lab in labels for b in lab["breaches"] if "paraphrase" in b["duty"]),
    )
    clean = collections.Counter(a for lab in labels for a in lab["clean_articles"])
    print("clean per article:", dict(sorted(clean.items())))


def main() -> int:
    inters = [
        json.loads(x)
        for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
        if x
    ]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    errs = check(inters, labels)
    for e in errs:
        print("ERROR", e)
    summary(inters, labels)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
