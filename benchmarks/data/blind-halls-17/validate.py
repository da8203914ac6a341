"""Check blind-halls-17 against the format and labelling rules of the dev README."""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from datetime import datetime, time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID = re.compile(r"^b17-\d{4}$")
ABSENCE_HINTS = ("missing", "answered after", "call not answered", "ignored", "unanswered question")


def _in_hours(t: time) -> bool:
    return time(8, 30) <= t < time(12, 0) or time(14, 30) <= t < time(18, 0)


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    p: list[str] = []
    if len(interactions) != len(labels):
        p.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        p.append("duplicate interaction ids")
    for r, lab in zip(interactions, labels, strict=False):
        i = r.get("id")
        if not isinstance(i, str) or not ID.match(i):
            p.append(f"bad id {i!r}")
        if lab.get("id") != i:
            p.append(f"{i}: label id {lab.get('id')!r} out of order")
        need = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
        if not need <= set(r):
            p.append(f"{i}: missing fields {sorted(need - set(r))}")
            continue
        if r["channel"] not in ("counter", "phone"):
            p.append(f"{i}: channel {r['channel']!r}")
        if not re.match(r"^S-\d{4}$", r["staff"]):
            p.append(f"{i}: staff {r['staff']!r}")
        try:
            st = datetime.fromisoformat(r["started_at"])
            if not r["started_at"].endswith("+08:00"):
                p.append(f"{i}: started_at not +08:00")
            if st.weekday() > 4 or not (datetime(2026, 11, 3).date() <= st.date() <= datetime(2026, 12, 14).date()):
                p.append(f"{i}: date {st.date()} not a corpus working day")
        except ValueError:
            p.append(f"{i}: started_at {r['started_at']!r}")
            continue
        utts = r["utterances"]
        if r["channel"] == "phone":
            has_r, has_s = "rings" in r, "ring_seconds" in r
            if has_r == has_s:
                p.append(f"{i}: a call needs exactly one of rings / ring_seconds")
            if has_r and (not isinstance(r["rings"], int) or r["rings"] < 1):
                p.append(f"{i}: rings {r['rings']!r}")
            ring_start = 5 * (r["rings"] - 1) if has_r else float(r.get("ring_seconds", 0))
            if utts and utts[0]["start"] < ring_start:
                p.append(f"{i}: first words before the pick-up ring")
        else:
            if "rings" in r or "ring_seconds" in r:
                p.append(f"{i}: counter visit with rings")
            if not utts:
                p.append(f"{i}: counter visit without utterances")
        prev = -1.0
        for k, u in enumerate(utts):
            if u.get("speaker") not in ("staff", "citizen"):
                p.append(f"{i}#{k}: speaker {u.get('speaker')!r}")
            if not u.get("text", "").strip():
                p.append(f"{i}#{k}: empty text")
            if not (u["start"] >= 0 and u["end"] > u["start"]):
                p.append(f"{i}#{k}: bad span {u['start']}-{u['end']}")
            if u["start"] <= prev:
                p.append(f"{i}#{k}: start not after the previous start")
            prev = u["start"]
        # labels
        arts = [b["article"] for b in lab.get("breaches", [])]
        if len(arts) != len(set(arts)):
            p.append(f"{i}: two breaches of one article")
        clean = lab.get("clean_articles", [])
        if len(clean) != len(set(clean)) or any(a not in SCORED for a in clean):
            p.append(f"{i}: clean_articles {clean}")
        if set(clean) & set(arts):
            p.append(f"{i}: articles both clean and breached {sorted(set(clean) & set(arts))}")
        if not isinstance(lab.get("note"), str) or not lab["note"].strip():
            p.append(f"{i}: no note")
        if len(set(SCORED) - set(clean) - set(arts)) and "arguable" not in lab["note"] and "unscored" not in lab["note"] and "left out" not in lab["note"]:
            p.append(f"{i}: unscored articles without a reason in the note")
        for b in lab.get("breaches", []):
            a = b.get("article")
            if a not in SCORED:
                p.append(f"{i}: article {a} not scored")
            if b.get("speaker") != "staff":
                p.append(f"{i}: breach speaker {b.get('speaker')!r}")
            q, duty = b.get("quote"), b.get("duty", "")
            if not duty:
                p.append(f"{i}: art {a} without duty")
            if q == "":
                if not any(h in duty for h in ABSENCE_HINTS):
                    p.append(f"{i}: art {a} absence whose duty names no absence")
            else:
                hits = [u for u in utts if q in u["text"]]
                if len(hits) != 1:
                    p.append(f"{i}: art {a} quote {q!r} in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p.append(f"{i}: art {a} quote in a citizen utterance")
            if a == 7 and r["channel"] != "phone":
                p.append(f"{i}: Art. 7 breach on a counter visit")
            if a == 25:
                at = st.time()
                if not _in_hours(at) and r["channel"] == "counter" and at < time(18, 0):
                    pass
        if r["channel"] == "counter" and 7 not in clean:
            p.append(f"{i}: Art. 7 must be clean on a counter visit")
        if r["channel"] == "phone" and 8 not in clean:
            p.append(f"{i}: Art. 8 must be clean on a call")
    return p


def main() -> int:
    recs = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(recs, labels)
    for x in problems:
        print("PROBLEM", x)
    calls = [r for r in recs if r["channel"] == "phone"]
    per = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    print(f"{len(recs)} interactions ({len(recs) - len(calls)} counter, {len(calls)} calls), "
          f"{sum(len(r['utterances']) for r in recs)} utterances")
    print(f"no breach {nb[0]}, one {nb[1]}, two {nb[2]}; breaches {sum(per.values())}, "
          f"absences {sum(1 for lab in labels for b in lab['breaches'] if b['quote'] == '')}, "
          f"paraphrased {sum(1 for lab in labels for b in lab['breaches'] if '(paraphrase)' in b['duty'])}")
    print("article  " + " ".join(f"{a:>3}" for a in SCORED))
    print("breaches " + " ".join(f"{per[a]:>3}" for a in SCORED))
    print("clean    " + " ".join(f"{clean[a]:>3}" for a in SCORED))
    overl = sum(1 for r in recs for k in range(1, len(r["utterances"]))
                if r["utterances"][k]["start"] < max(u["end"] for u in r["utterances"][:k]))
    print(f"overlapping utterances {overl}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
