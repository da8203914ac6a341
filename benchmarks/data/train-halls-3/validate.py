"""Check train-halls-3 against the dev set's format (dialogues-dev README).

Run: python benchmarks/data/train-halls-3/validate.py  (exit 1 and a list of problems on error)
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
FIRST, LAST = dt.date(2026, 11, 3), dt.date(2026, 12, 14)


def _check_interaction(it: dict, errors: list[str]) -> None:
    iid = it.get("id", "?")
    extra = set(it) - KEYS - {"rings", "ring_seconds"}
    if extra or not set(it) >= KEYS:
        errors.append(f"{iid}: keys {sorted(it)}")
    if it["channel"] not in ("counter", "phone"):
        errors.append(f"{iid}: channel {it['channel']!r}")
    ring_keys = {"rings", "ring_seconds"} & set(it)
    if it["channel"] == "phone" and len(ring_keys) != 1:
        errors.append(f"{iid}: a call needs exactly one of rings / ring_seconds")
    if it["channel"] == "counter" and ring_keys:
        errors.append(f"{iid}: a counter visit has no rings")
    if it["channel"] == "counter" and not it["utterances"]:
        errors.append(f"{iid}: a counter visit without utterances")
    when = dt.datetime.fromisoformat(it["started_at"])
    if when.utcoffset() != dt.timedelta(hours=8):
        errors.append(f"{iid}: started_at not +08:00")
    if when.weekday() > 4 or not FIRST <= when.date() <= LAST:
        errors.append(f"{iid}: {when.date()} is not a working day in the corpus range")
    prev_end = 0.0
    for k, u in enumerate(it["utterances"]):
        if set(u) != {"speaker", "start", "end", "text"}:
            errors.append(f"{iid}[{k}]: keys {sorted(u)}")
        if u["speaker"] not in ("staff", "citizen") or not u["text"].strip():
            errors.append(f"{iid}[{k}]: speaker/text")
        if not 0 <= u["start"] < u["end"]:
            errors.append(f"{iid}[{k}]: times {u['start']}..{u['end']}")
        if u["start"] < prev_end and k and u["speaker"] == it["utterances"][k - 1]["speaker"]:
            errors.append(f"{iid}[{k}]: overlaps the same speaker")
        prev_end = max(prev_end, u["end"])
    if it["channel"] == "phone" and it["utterances"]:
        first = it["utterances"][0]["start"]
        rings = it.get("rings")
        if rings is None:
            rings = int(it["ring_seconds"] // 5) + 1
            if first < it["ring_seconds"]:
                errors.append(f"{iid}: first words before the pick-up")
        elif not 5 * (rings - 1) <= first:
            errors.append(f"{iid}: first words at {first} s before ring {rings}")


def _check_label(it: dict, lab: dict, errors: list[str]) -> None:
    iid = it["id"]
    if set(lab) != {"id", "breaches", "clean_articles", "note"} or lab["id"] != iid:
        errors.append(f"{iid}: label keys/id {sorted(lab)}")
    seen: set[int] = set()
    for b in lab["breaches"]:
        if set(b) != {"article", "speaker", "quote", "duty"} or b["speaker"] != "staff":
            errors.append(f"{iid}: breach fields {b}")
        if b["article"] not in ARTICLES or b["article"] in seen:
            errors.append(f"{iid}: article {b['article']} unknown or twice")
        seen.add(b["article"])
        if not b["duty"].strip():
            errors.append(f"{iid}: empty duty")
        if b["quote"]:
            hits = [u for u in it["utterances"] if b["quote"] in u["text"]]
            if len(hits) != 1 or hits[0]["speaker"] != "staff":
                errors.append(f"{iid}: quote {b['quote']!r} in {len(hits)} utterances")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)) or not set(clean) <= ARTICLES or set(clean) & seen:
        errors.append(f"{iid}: clean_articles {clean}")
    if ARTICLES - set(clean) - seen and not lab["note"].strip():
        errors.append(f"{iid}: arguable articles without a note")
    if it["channel"] == "counter" and 7 in ARTICLES - set(clean):
        errors.append(f"{iid}: Art. 7 must be clean on a counter visit")
    if it["channel"] == "phone" and 8 in ARTICLES - set(clean):
        errors.append(f"{iid}: Art. 8 must be clean on a call")


def main() -> int:
    items = [json.loads(line) for line in
             (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    errors: list[str] = []
    if [i["id"] for i in items] != [f"t3-{n:04d}" for n in range(1, len(items) + 1)]:
        errors.append("ids are not t3-0001.. in order")
    if [lab["id"] for lab in labels] != [i["id"] for i in items]:
        errors.append("labels.json not in the order of interactions.jsonl")
    for it, lab in zip(items, labels, strict=False):
        _check_interaction(it, errors)
        _check_label(it, lab, errors)
    for e in errors:
        print(e)
    n_breach = sum(1 for lab in labels if lab["breaches"])
    per = {a: sum(1 for lab in labels for b in lab["breaches"] if b["article"] == a)
           for a in sorted(ARTICLES)}
    print(f"{len(items)} interactions, {n_breach} with breaches, "
          f"{sum(per.values())} breaches, per article {per}; "
          f"{sum(1 for i in items if i['channel'] == 'phone')} calls; "
          f"{len(errors)} problems")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
