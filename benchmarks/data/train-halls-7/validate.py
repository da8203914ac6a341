"""Check interactions.jsonl and labels.json against the dev set's format and labelling rules.

Run: python3 benchmarks/data/train-halls-7/validate.py   (prints counts, exits 1 on any error)
"""
from __future__ import annotations

import collections
import datetime as dt
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
ABSENCE_WORDS = ("missing", "not answered", "answered after", "ignored", "unanswered")


def check() -> list[str]:
    errs: list[str] = []
    inters = [json.loads(line) for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    if [i["id"] for i in inters] != [lab["id"] for lab in labels]:
        return ["ids of interactions and labels differ or are out of order"]
    expected = [f"t7-{n:04d}" for n in range(1, len(inters) + 1)]
    if [i["id"] for i in inters] != expected:
        errs.append("ids are not t7-0001.. in order")
    for it, lab in zip(inters, labels, strict=True):
        iid = it["id"]
        extra = set(it) - KEYS - {"rings", "ring_seconds"}
        if extra or not set(it) >= KEYS:
            errs.append(f"{iid}: keys {sorted(it)}")
        start = dt.datetime.fromisoformat(it["started_at"])
        if it["started_at"][-6:] != "+08:00" or start.weekday() > 4:
            errs.append(f"{iid}: started_at {it['started_at']} not a +08:00 working day")
        if not dt.date(2026, 11, 3) <= start.date() <= dt.date(2026, 12, 14):
            errs.append(f"{iid}: date outside 2026-11-03..2026-12-14")
        phone = it["channel"] == "phone"
        if it["channel"] not in ("counter", "phone"):
            errs.append(f"{iid}: channel {it['channel']}")
        has_ring = ("rings" in it) + ("ring_seconds" in it)
        if phone != (has_ring == 1) or has_ring > 1:
            errs.append(f"{iid}: rings/ring_seconds wrong for {it['channel']}")
        if not phone and not it["utterances"]:
            errs.append(f"{iid}: counter visit without utterances")
        prev_start = -1.0
        for u in it["utterances"]:
            if u["speaker"] not in ("staff", "citizen") or not u["text"]:
                errs.append(f"{iid}: bad utterance {u}")
            if not u["end"] > u["start"] >= 0 or u["start"] < prev_start:
                errs.append(f"{iid}: bad times {u}")
            prev_start = u["start"]
        if phone and it["utterances"]:
            pick = 5 * (it["rings"] - 1) if "rings" in it else it["ring_seconds"]
            if it["utterances"][0]["start"] < pick:
                errs.append(f"{iid}: first words before the pick-up")
        arts = [b["article"] for b in lab["breaches"]]
        clean = lab["clean_articles"]
        if len(set(arts)) != len(arts):
            errs.append(f"{iid}: two breaches of one article")
        if not set(arts) <= ARTICLES or not set(clean) <= ARTICLES or set(arts) & set(clean):
            errs.append(f"{iid}: articles {arts} / clean {clean}")
        if clean != sorted(clean):
            errs.append(f"{iid}: clean_articles not sorted")
        if ARTICLES - set(arts) - set(clean) and not lab.get("note"):
            errs.append(f"{iid}: unscored articles without a note")
        if phone and 8 not in clean:
            errs.append(f"{iid}: Art. 8 must be clean on a call")
        if not phone and 7 not in clean:
            errs.append(f"{iid}: Art. 7 must be clean on a counter visit")
        for b in lab["breaches"]:
            if b["speaker"] != "staff" or not b["duty"]:
                errs.append(f"{iid}: breach {b}")
            if b["quote"] == "":
                if not any(w in b["duty"] for w in ABSENCE_WORDS):
                    errs.append(f"{iid}: absence without a missing:/absence duty: {b['duty']}")
                continue
            hits = [u for u in it["utterances"] if b["quote"] in u["text"]]
            if len(hits) != 1 or hits[0]["speaker"] != "staff":
                errs.append(f"{iid}: quote {b['quote']!r} in {len(hits)} utterances / not staff")
    return errs


def summary() -> None:
    inters = [json.loads(line) for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    per = collections.Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean = collections.Counter(a for lab in labels for a in lab["clean_articles"])
    nb = collections.Counter(len(lab["breaches"]) for lab in labels)
    phones = [i for i in inters if i["channel"] == "phone"]
    utts = sum(len(i["utterances"]) for i in inters)
    overl = sum(1 for i in inters for a, b in zip(i["utterances"], i["utterances"][1:], strict=False) if b["start"] < a["end"])
    print(f"{len(inters)} interactions ({len(inters) - len(phones)} counter, {len(phones)} phone), {utts} utterances, {overl} overlapping starts")
    print(f"breaches per interaction: {dict(sorted(nb.items()))}; total {sum(per.values())}, "
          f"absences {sum(1 for lab in labels for b in lab['breaches'] if not b['quote'])}, "
          f"paraphrased {sum(1 for lab in labels for b in lab['breaches'] if '(paraphrase)' in b['duty'])}")
    print("article  " + " ".join(f"{a:>3}" for a in sorted(ARTICLES)))
    print("breaches " + " ".join(f"{per[a]:>3}" for a in sorted(ARTICLES)))
    print("clean    " + " ".join(f"{clean[a]:>3}" for a in sorted(ARTICLES)))
    low = [a for a in ARTICLES if per[a] < 3]
    if low:
        print(f"articles breached fewer than 3 times: {sorted(low)}")


if __name__ == "__main__":
    errors = check()
    for e in errors:
        print("ERROR", e)
    summary()
    sys.exit(1 if errors else 0)
