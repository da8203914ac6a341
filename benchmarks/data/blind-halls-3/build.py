"""Build interactions.jsonl and labels.json of blind-halls-3 from items.py (seeded, reproducible).

Times follow dialogues-dev's README "Times": characters / a speaking rate drawn per interaction
(staff 4.3-5.0 chars/s, citizens 3.9-4.7, elderly 3.2-3.6), short pauses for punctuation, 1.2-2.4 s per
ellipsis, 0.25-0.9 s gaps, explicit waits. Calls: the first words come after the rings (ring n starts at
5(n-1) s). Dates: a seeded working day (Mon-Fri) between 2026-11-03 and 2026-12-14. Ids: a seeded shuffle.
Run: python3 build.py
"""
import datetime
import json
import random
from collections import Counter
from pathlib import Path

from items import ALL, ITEMS

HERE = Path(__file__).parent
DAYS = [datetime.date(2026, 11, 3) + datetime.timedelta(d) for d in range(42)]
DAYS = [d for d in DAYS if d.weekday() < 5]


def dur(text, rate, rng):
    chars = sum(1 for ch in text if ch.isalnum())
    t = chars / rate
    t += 0.12 * sum(text.count(p) for p in "，、")
    t += 0.3 * sum(text.count(p) for p in "。？！")
    t += sum(rng.uniform(1.2, 2.4) for _ in range(text.count("……")))
    return max(t, 0.4)


def build():
    order = list(range(len(ITEMS)))
    random.Random(2026120703).shuffle(order)
    inters, labels = [], []
    for n, i in enumerate(order, 1):
        it = ITEMS[i]
        iid = f"b3-{n:04d}"
        rng = random.Random(f"blind3:{it['key']}")
        rates = {"S": rng.uniform(4.3, 5.0), "C": rng.uniform(3.9, 4.7), "E": rng.uniform(3.2, 3.6)}
        day = rng.choice(DAYS)
        hh, mm = map(int, it["at"].split(":"))
        started = datetime.datetime(day.year, day.month, day.day, hh, mm, rng.randrange(60))
        t = rng.uniform(0.5, 2.0)
        rec = {"id": iid, "channel": it["ch"], "hall": it["hall"], "window": it["window"], "staff": it["staff"],
               "started_at": started.isoformat() + "+08:00"}
        if "rings" in it:
            rec["rings"] = it["rings"]
            t = 5 * (it["rings"] - 1) + 1.0 + rng.uniform(0.2, 0.8)
        if "ring_seconds" in it:
            rec["ring_seconds"] = it["ring_seconds"]
            t = it["ring_seconds"] + rng.uniform(0.2, 0.6)
        utts, prev_start, prev_end = [], 0.0, 0.0
        for u in it["utts"]:
            if u[0] == "wait":
                t += u[1]
                continue
            spk, text = u
            if spk == "C~":
                s = prev_start + (prev_end - prev_start) * 0.6
                e = s + dur(text, rates["C"], rng)
                utts.append({"speaker": "citizen", "start": round(s, 2), "end": round(e, 2), "text": text})
                continue
            s = t
            e = s + dur(text, rates[spk], rng)
            utts.append({"speaker": "staff" if spk == "S" else "citizen", "start": round(s, 2), "end": round(e, 2), "text": text})
            prev_start, prev_end = s, e
            t = e + rng.uniform(0.25, 0.9)
        rec["utterances"] = utts
        inters.append(rec)
        arg = it.get("arguable", {})
        br = [{"article": a, "speaker": "staff", "quote": q, "duty": d} for a, q, d in it["breaches"]]
        barts = {b["article"] for b in br}
        clean = [a for a in ALL if a not in barts and a not in arg]
        note = it["note"]
        if arg:
            note += "; unscored: " + "; ".join(f"{a}: {w}" for a, w in sorted(arg.items()))
        labels.append({"id": iid, "breaches": br, "clean_articles": clean, "note": note})
    return inters, labels


def validate(inters, labels):
    assert len(inters) == len(labels) == 40
    for rec, lab in zip(inters, labels, strict=True):
        assert rec["id"] == lab["id"]
        arts = [b["article"] for b in lab["breaches"]]
        assert len(arts) == len(set(arts)), rec["id"]
        assert not set(arts) & set(lab["clean_articles"]), rec["id"]
        for b in lab["breaches"]:
            if b["quote"]:
                hits = [u for u in rec["utterances"] if b["quote"] in u["text"]]
                assert len(hits) == 1 and hits[0]["speaker"] == "staff", (rec["id"], b["quote"])
        d = datetime.datetime.fromisoformat(rec["started_at"])
        assert d.weekday() < 5


def main():
    inters, labels = build()
    validate(inters, labels)
    with open(HERE / "interactions.jsonl", "w", encoding="utf-8") as f:
        for rec in inters:
            f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    (HERE / "labels.json").write_text(json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    per = Counter(b["article"] for lab in labels for b in lab["breaches"])
    cleanc = Counter(a for lab in labels for a in lab["clean_articles"])
    print("breaches per article", sorted(per.items()))
    print("clean per article", sorted(cleanc.items()))
    print("clean interactions", sum(1 for lab in labels if not lab["breaches"]),
          "calls", sum(1 for r in inters if r["channel"] == "phone"),
          "utterances", sum(len(r["utterances"]) for r in inters),
          "absences", sum(1 for lab in labels for b in lab["breaches"] if not b["quote"]))


if __name__ == "__main__":
    main()
