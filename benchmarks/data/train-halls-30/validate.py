"""Check train-halls-30 against the format and labelling rules of the dialogues-dev README."""
from __future__ import annotations

import collections
import datetime as _dt
import json
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HALLS = {"金昌市政务服务中心", "金川区双湾镇便民服务站"}
IDS = [f"t30-{i:04d}" for i in range(1, 51)]
FIRST_DAY, LAST_DAY = _dt.date(2026, 11, 3), _dt.date(2026, 12, 14)
DUTY_PREFIXES = {
    5: ("unanswered question:",),
    6: ("uncivil language:", "talk unrelated to work in front of the citizen:"),
    7: ("answered after", "call not answered", "missing: 您好，这里是", "forced hang-up"),
    8: ("missing: 您好，请问要办理什么业务？", "ignored the citizen", "forbidden phrase:"),
    9: ("forbidden phrase:",),
    10: ("missing:", "forbidden phrase:"),
    16: ("vague redirect:",),
    17: ("quarrel with the citizen", "made the citizen"),
    18: ("not told at once:",),
    25: ("refused service within service hours",),
}
ABSENCE_PREFIXES = ("missing", "answered after", "call not answered", "ignored the citizen", "unanswered question")
INTER_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}


def _in_hours(t: _dt.datetime, seconds: float = 0.0) -> bool:
    m = t.hour * 60 + t.minute + (t.second + seconds) / 60
    return 510 <= m < 720 or 870 <= m < 1080


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    p: list[str] = []
    ids = [r.get("id") for r in interactions]
    if ids != IDS:
        p.append("interaction ids are not t30-0001..t30-0050 in order")
    if [lab.get("id") for lab in labels] != ids:
        p.append("labels are not in the same order with the same ids")
    by_id = {r.get("id"): r for r in interactions}
    for r in interactions:
        rid = r.get("id")
        keys = set(r)
        extra = keys - INTER_KEYS - {"rings", "ring_seconds"}
        if not keys >= INTER_KEYS or extra:
            p.append(f"{rid}: keys {sorted(keys)}")
            continue
        if r["channel"] not in ("counter", "phone"):
            p.append(f"{rid}: channel {r['channel']!r}")
        if r["hall"] not in HALLS:
            p.append(f"{rid}: hall {r['hall']!r}")
        if not r["window"] or not re.fullmatch(r"S-\d{4}", r["staff"]):
            p.append(f"{rid}: window or staff")
        try:
            t = _dt.datetime.fromisoformat(r["started_at"])
        except ValueError:
            p.append(f"{rid}: started_at {r['started_at']!r}")
            continue
        if not r["started_at"].endswith("+08:00"):
            p.append(f"{rid}: started_at not +08:00")
        if t.weekday() > 4 or not FIRST_DAY <= t.date() <= LAST_DAY:
            p.append(f"{rid}: started_at not a working day in range")
        ring_keys = keys & {"rings", "ring_seconds"}
        pickup = 0.0
        if r["channel"] == "phone":
            if len(ring_keys) != 1:
                p.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
            elif "rings" in r:
                if not isinstance(r["rings"], int) or r["rings"] < 1:
                    p.append(f"{rid}: rings {r['rings']!r}")
                else:
                    pickup = 5 * (r["rings"] - 1)
            else:
                pickup = float(r["ring_seconds"])
        else:
            if ring_keys:
                p.append(f"{rid}: a counter visit with rings")
            if not r["utterances"]:
                p.append(f"{rid}: a counter visit without utterances")
        prev_start = -1.0
        for i, u in enumerate(r["utterances"]):
            if set(u) != {"speaker", "start", "end", "text"}:
                p.append(f"{rid}#{i}: utterance keys")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p.append(f"{rid}#{i}: speaker {u['speaker']!r}")
            if not u["text"].strip():
                p.append(f"{rid}#{i}: empty text")
            if not (0 <= u["start"] < u["end"]):
                p.append(f"{rid}#{i}: times {u['start']}-{u['end']}")
            if u["start"] < prev_start:
                p.append(f"{rid}#{i}: starts before the previous utterance")
            if i == 0 and r["channel"] == "phone" and u["start"] <= pickup:
                p.append(f"{rid}: first words before the pick-up")
            prev_start = u["start"]
    for lab in labels:
        lid = lab.get("id")
        if set(lab) != LABEL_KEYS:
            p.append(f"{lid}: label keys {sorted(lab)}")
            continue
        r = by_id.get(lid)
        if r is None:
            p.append(f"{lid}: no interaction")
            continue
        if not isinstance(lab["note"], str) or not lab["note"].strip() or "\n" in lab["note"]:
            p.append(f"{lid}: note must be one non-empty line")
        seen: set[int] = set()
        for b in lab["breaches"]:
            if set(b) != BREACH_KEYS:
                p.append(f"{lid}: breach keys {sorted(b)}")
                continue
            a = b["article"]
            if a not in SCORED:
                p.append(f"{lid}: article {a} out of range")
                continue
            if a in seen:
                p.append(f"{lid}: two breaches of article {a}")
            seen.add(a)
            if b["speaker"] != "staff":
                p.append(f"{lid}: breach speaker {b['speaker']!r}")
            if not b["duty"].startswith(DUTY_PREFIXES[a]):
                p.append(f"{lid}: art {a} duty {b['duty']!r} has no known prefix")
            q = b["quote"]
            if q == "":
                if not b["duty"].startswith(ABSENCE_PREFIXES):
                    p.append(f"{lid}: empty quote but duty {b['duty']!r} names no absence")
            else:
                hits = [u for u in r["utterances"] if q in u["text"]]
                if len(hits) != 1:
                    p.append(f"{lid}: quote {q!r} in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    p.append(f"{lid}: quote {q!r} not in a staff utterance")
            if a == 7 and r["channel"] != "phone":
                p.append(f"{lid}: Art. 7 on a counter visit")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)) or not set(clean) <= set(SCORED):
            p.append(f"{lid}: clean_articles {clean}")
        if set(clean) & seen:
            p.append(f"{lid}: clean and breached overlap {sorted(set(clean) & seen)}")
        if 5 in seen and 16 in clean:
            p.append(f"{lid}: Art. 5 labelled but 16 listed clean")
        if r["channel"] == "counter" and 7 not in clean:
            p.append(f"{lid}: Art. 7 must be clean on a counter visit")
        if r["channel"] == "phone" and 8 not in clean:
            p.append(f"{lid}: Art. 8 must be clean on a call")
        if r["channel"] == "phone" and not r["utterances"]:
            t = _dt.datetime.fromisoformat(r["started_at"])
            if _in_hours(t) and 7 not in seen:
                p.append(f"{lid}: a call unanswered in hours without an Art. 7 breach")
            if not _in_hours(t) and seen:
                p.append(f"{lid}: a call unanswered out of hours with a breach")
    return p


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = collections.Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_art = collections.Counter(a for lab in labels for a in lab["clean_articles"])
    fam = collections.Counter()
    for lab in labels:
        m = re.match(r"hard negative \(([^)]+)\)", lab["note"])
        if m:
            fam[m.group(1)] += 1
    nb = collections.Counter(len(lab["breaches"]) for lab in labels)
    return {
        "interactions": len(interactions),
        "calls": sum(r["channel"] == "phone" for r in interactions),
        "unanswered_calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds_calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlaps": sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
                        if b["start"] < a["end"]),
        "interactions_by_breach_count": dict(sorted(nb.items())),
        "breaches": sum(per_art.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if b["quote"] == ""),
        "paraphrased": sum(1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "forbidden_phrase": sum(1 for lab in labels for b in lab["breaches"]
                                if b["duty"].startswith("forbidden phrase")),
        "breaches_per_article": {a: per_art.get(a, 0) for a in SCORED},
        "clean_per_article": {a: clean_art.get(a, 0) for a in SCORED},
        "families": dict(sorted(fam.items())),
    }


def main() -> None:
    inter = [json.loads(line) for line in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
             if line.strip()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(inter, labels)
    for line in problems:
        print("PROBLEM", line)
    print(json.dumps(counts(inter, labels), ensure_ascii=False, indent=1))
    raise SystemExit(1 if problems else 0)


if __name__ == "__main__":
    main()
