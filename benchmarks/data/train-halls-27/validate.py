"""Check train-halls-27 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine). Run as a
script it checks interactions.jsonl and labels.json next to this file and prints the counts.
"""
from __future__ import annotations

import datetime as dt
import json
import re
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
HALLS = {"金昌市政务服务中心", "金川区宁远堡镇便民服务站"}
ID_RE = re.compile(r"^t27-\d{4}$")
STAFF_RE = re.compile(r"^S-\d{4}$")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
ABSENCE_PREFIXES = ("missing:", "ignored the citizen", "answered after", "call not answered",
                    "unanswered question:")
INTER_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}


def in_hours(t: dt.datetime) -> bool:
    """Inside 08:30-12:00 or 14:30-18:00 (Art. 25)."""
    m = t.hour * 60 + t.minute + t.second / 60
    return 510 <= m < 720 or 870 <= m < 1080


def rings_of(inter: dict) -> int | None:
    if "rings" in inter:
        return inter["rings"]
    if "ring_seconds" in inter:
        return int(inter["ring_seconds"] // 5) + 1
    return None


def _check_interaction(it: dict, out: list[str]) -> None:
    iid = it.get("id")
    keys = set(it)
    extra = {"rings", "ring_seconds"} if it.get("channel") == "phone" else set()
    if not keys >= INTER_KEYS or keys - INTER_KEYS - extra:
        out.append(f"{iid}: keys {sorted(keys)}")
    if it.get("channel") not in ("counter", "phone"):
        out.append(f"{iid}: channel {it.get('channel')!r}")
    if it.get("hall") not in HALLS:
        out.append(f"{iid}: hall {it.get('hall')!r}")
    if not it.get("window"):
        out.append(f"{iid}: no window")
    if not STAFF_RE.match(str(it.get("staff", ""))):
        out.append(f"{iid}: staff {it.get('staff')!r}")
    try:
        start = dt.datetime.fromisoformat(it["started_at"])
    except (KeyError, ValueError):
        out.append(f"{iid}: started_at {it.get('started_at')!r}")
        return
    if not str(it["started_at"]).endswith("+08:00"):
        out.append(f"{iid}: started_at not +08:00")
    if start.weekday() >= 5 or not FIRST_DAY <= start.date() <= LAST_DAY:
        out.append(f"{iid}: {start.date()} is not a working day in range")
    phone = it.get("channel") == "phone"
    if phone:
        has_r, has_s = "rings" in it, "ring_seconds" in it
        if has_r == has_s:
            out.append(f"{iid}: a call needs exactly one of rings / ring_seconds")
        elif has_r and (not isinstance(it["rings"], int) or it["rings"] < 1):
            out.append(f"{iid}: rings {it['rings']!r}")
        elif has_s and (not isinstance(it["ring_seconds"], (int, float)) or it["ring_seconds"] <= 0):
            out.append(f"{iid}: ring_seconds {it['ring_seconds']!r}")
    utts = it.get("utterances")
    if not isinstance(utts, list):
        out.append(f"{iid}: utterances not a list")
        return
    if not utts and not phone:
        out.append(f"{iid}: a counter visit without utterances")
    last = -1.0
    for k, u in enumerate(utts):
        if set(u) != {"speaker", "start", "end", "text"}:
            out.append(f"{iid}#{k}: keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            out.append(f"{iid}#{k}: speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            out.append(f"{iid}#{k}: empty text")
        if not all(isinstance(u[x], (int, float)) for x in ("start", "end")):
            out.append(f"{iid}#{k}: times not numbers")
            continue
        if not 0 <= u["start"] < u["end"]:
            out.append(f"{iid}#{k}: start {u['start']} end {u['end']}")
        if u["start"] < last:
            out.append(f"{iid}#{k}: start {u['start']} before the previous start {last}")
        last = u["start"]
    if phone and utts:
        n = rings_of(it)
        if n is not None and utts[0]["start"] <= 5 * (n - 1):
            out.append(f"{iid}: first words at {utts[0]['start']} s, before ring {n}")


def _check_label(it: dict, lab: dict, out: list[str]) -> None:
    iid = it.get("id")
    if set(lab) != LABEL_KEYS:
        out.append(f"{iid}: label keys {sorted(lab)}")
        return
    utts = it.get("utterances", [])
    start = dt.datetime.fromisoformat(it["started_at"])
    phone = it["channel"] == "phone"
    breached: list[int] = []
    for b in lab["breaches"]:
        if set(b) != BREACH_KEYS:
            out.append(f"{iid}: breach keys {sorted(b)}")
            continue
        a = b["article"]
        breached.append(a)
        if a not in SCORED:
            out.append(f"{iid}: article {a} not scored")
        if b["speaker"] != "staff":
            out.append(f"{iid}: breach speaker {b['speaker']!r}")
        if not isinstance(b["duty"], str) or not b["duty"].strip():
            out.append(f"{iid}: art. {a} without a duty")
        q = b["quote"]
        if not isinstance(q, str):
            out.append(f"{iid}: art. {a} quote not a string")
            continue
        if q == "":
            if not b["duty"].startswith(ABSENCE_PREFIXES):
                out.append(f"{iid}: art. {a} empty quote but the duty names no absence")
            continue
        hits = [u for u in utts if q in u["text"]]
        if len(hits) != 1:
            out.append(f"{iid}: art. {a} quote found in {len(hits)} utterances")
            continue
        if hits[0]["speaker"] != "staff":
            out.append(f"{iid}: art. {a} quote is in a citizen utterance")
        if a == 25:
            when = start + dt.timedelta(seconds=hits[0]["start"])
            if not in_hours(when):
                out.append(f"{iid}: art. 25 quote at {when.time()} outside service hours")
    counts = Counter(breached)
    if any(n > 1 for n in counts.values()):
        out.append(f"{iid}: two breaches of one article")
    clean = lab["clean_articles"]
    if not isinstance(clean, list) or clean != sorted(set(clean)):
        out.append(f"{iid}: clean_articles not a sorted list without repeats")
        clean = list(clean)
    if set(clean) - set(SCORED):
        out.append(f"{iid}: clean article outside the scored ones")
    if set(clean) & set(breached):
        out.append(f"{iid}: clean and breached overlap {sorted(set(clean) & set(breached))}")
    arguable = set(SCORED) - set(clean) - set(breached)
    if not isinstance(lab["note"], str) or not lab["note"].strip():
        out.append(f"{iid}: empty note")
    for a in arguable:
        if str(a) not in lab["note"]:
            out.append(f"{iid}: art. {a} unscored but the note does not say why")
    # channel rules
    if phone:
        if 8 not in clean:
            out.append(f"{iid}: art. 8 must be clean on a call")
    elif 7 not in clean:
        out.append(f"{iid}: art. 7 must be clean on a counter visit")
    if 5 in breached and 16 in clean:
        out.append(f"{iid}: art. 5 breached but 16 listed clean")
    # ring rules
    if phone:
        n = rings_of(it)
        duties7 = [b["duty"] for b in lab["breaches"] if b["article"] == 7]
        if not utts:
            if in_hours(start):
                if not any(d.startswith("call not answered") for d in duties7):
                    out.append(f"{iid}: call rang out in hours without an art. 7 breach")
            elif lab["breaches"]:
                out.append(f"{iid}: call rang out of hours but has breaches")
        else:
            late = any(d.startswith("answered after") for d in duties7)
            if n >= 4 and not late:
                out.append(f"{iid}: answered on ring {n} without an art. 7 breach")
            if n <= 3 and late:
                out.append(f"{iid}: 'answered after' on ring {n}")


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    """Problems found in the set; an empty list when it is fine."""
    out: list[str] = []
    ids = [it.get("id") for it in interactions]
    if [lab.get("id") for lab in labels] != ids:
        out.append("labels and interactions differ in ids or order")
    if len(set(ids)) != len(ids):
        out.append("repeated ids")
    for k, iid in enumerate(ids, 1):
        if not ID_RE.match(str(iid)) or iid != f"t27-{k:04d}":
            out.append(f"id {iid!r} at position {k}")
    for it in interactions:
        _check_interaction(it, out)
    by_id = {lab.get("id"): lab for lab in labels}
    for it in interactions:
        lab = by_id.get(it.get("id"))
        if lab is not None:
            try:
                _check_label(it, lab, out)
            except (KeyError, TypeError, ValueError) as exc:
                out.append(f"{it.get('id')}: label check failed: {exc!r}")
    return out


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_art = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    overlaps = 0
    for it in interactions:
        u = it["utterances"]
        overlaps += sum(1 for x, y in zip(u, u[1:], strict=False) if y["start"] < x["end"])
    return {
        "interactions": len(interactions),
        "counter": sum(it["channel"] == "counter" for it in interactions),
        "calls": sum(it["channel"] == "phone" for it in interactions),
        "calls_unanswered": sum(it["channel"] == "phone" and not it["utterances"] for it in interactions),
        "calls_ring_seconds": sum("ring_seconds" in it for it in interactions),
        "utterances": sum(len(it["utterances"]) for it in interactions),
        "overlaps": overlaps,
        "no_breach": nb[0],
        "one_breach": nb[1],
        "two_breaches": nb[2],
        "breaches": sum(per_art.values()),
        "absences": sum(b["quote"] == "" for lab in labels for b in lab["breaches"]),
        "paraphrased": sum("(paraphrase" in b["duty"] for lab in labels for b in lab["breaches"]),
        "breaches_per_article": {a: per_art[a] for a in SCORED},
        "clean_per_article": {a: clean_art[a] for a in SCORED},
    }


def main() -> int:
    inters = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(inters, labels)
    for p in problems:
        print("PROBLEM", p)
    for k, v in counts(inters, labels).items():
        print(f"{k}: {v}")
    src = HERE / "source.txt"
    if src.exists():
        fam = Counter()
        for line in src.read_text(encoding="utf-8").splitlines():
            if line.startswith("family:") and line.split(":", 1)[1].strip() != "-":
                fam[line.split(":", 1)[1].strip()] += 1
        print("families:", dict(sorted(fam.items())))
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
