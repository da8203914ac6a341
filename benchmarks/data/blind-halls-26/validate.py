"""Check blind-halls-26 against the format and labelling rules of the dev README.

``check(interactions, labels)`` returns a list of problems (empty when fine); run as a
script it checks the committed files and prints the counts.
"""
from __future__ import annotations

import datetime as dt
import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCORED = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
ID_RE = re.compile(r"^b26-(\d{4})$")
STAFF_RE = re.compile(r"^S-\d{4}$")
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
ABSENCE_PREFIXES = ("missing:", "answered after", "call not answered", "ignored the citizen")
HOURS = ((dt.time(8, 30), dt.time(12, 0)), (dt.time(14, 30), dt.time(18, 0)))
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = ["id", "breaches", "clean_articles", "note"]
BREACH_KEYS = ["article", "speaker", "quote", "duty"]


def _in_hours(t: dt.datetime) -> bool:
    return any(a <= t.time() < b for a, b in HOURS)


def _rings(rec: dict) -> int | None:
    if "rings" in rec:
        return rec["rings"]
    if "ring_seconds" in rec:
        return int(rec["ring_seconds"] // 5) + 1
    return None


def _check_record(rec: dict, n: int, out: list[str]) -> dt.datetime | None:
    rid = rec.get("id")
    m = ID_RE.match(str(rid))
    if not m or int(m.group(1)) != n:
        out.append(f"#{n}: id {rid!r} is not b26-{n:04d}")
    extra = set(rec) - REC_KEYS - {"rings", "ring_seconds"}
    if extra or not set(rec) >= REC_KEYS:
        out.append(f"{rid}: keys {sorted(rec)}")
        return None
    for k in ("hall", "window"):
        if not isinstance(rec[k], str) or not rec[k].strip():
            out.append(f"{rid}: empty {k}")
    if not STAFF_RE.match(str(rec["staff"])):
        out.append(f"{rid}: staff {rec['staff']!r}")
    ch = rec["channel"]
    if ch == "phone":
        has = [k for k in ("rings", "ring_seconds") if k in rec]
        if len(has) != 1:
            out.append(f"{rid}: a call needs exactly one of rings / ring_seconds")
        elif "rings" in rec and (not isinstance(rec["rings"], int) or rec["rings"] < 1):
            out.append(f"{rid}: rings {rec['rings']!r}")
        elif "ring_seconds" in rec and (not isinstance(rec["ring_seconds"], (int, float))
                                        or rec["ring_seconds"] <= 0):
            out.append(f"{rid}: ring_seconds {rec['ring_seconds']!r}")
    elif ch == "counter":
        if "rings" in rec or "ring_seconds" in rec:
            out.append(f"{rid}: a counter visit has rings")
        if not rec["utterances"]:
            out.append(f"{rid}: a counter visit without utterances")
    else:
        out.append(f"{rid}: channel {ch!r}")
    try:
        start = dt.datetime.fromisoformat(rec["started_at"])
    except (TypeError, ValueError):
        out.append(f"{rid}: started_at {rec['started_at']!r}")
        return None
    if not rec["started_at"].endswith("+08:00"):
        out.append(f"{rid}: started_at not +08:00")
    if start.weekday() >= 5 or not FIRST_DAY <= start.date() <= LAST_DAY:
        out.append(f"{rid}: {start.date()} is not a working day in the corpus range")
    prev = -1.0
    for i, u in enumerate(rec["utterances"]):
        if set(u) != {"speaker", "start", "end", "text"}:
            out.append(f"{rid}[{i}]: keys {sorted(u)}")
            continue
        if u["speaker"] not in ("staff", "citizen"):
            out.append(f"{rid}[{i}]: speaker {u['speaker']!r}")
        if not isinstance(u["text"], str) or not u["text"].strip():
            out.append(f"{rid}[{i}]: empty text")
        if not (isinstance(u["start"], (int, float)) and isinstance(u["end"], (int, float))):
            out.append(f"{rid}[{i}]: times not numbers")
            continue
        if not 0 <= u["start"] < u["end"]:
            out.append(f"{rid}[{i}]: start {u['start']} / end {u['end']}")
        if u["start"] < prev:
            out.append(f"{rid}[{i}]: start {u['start']} before the previous start {prev}")
        prev = u["start"]
    if ch == "phone" and rec["utterances"] and _rings(rec) is not None:
        first = rec["utterances"][0]["start"]
        if "rings" in rec:
            lo, hi = 5 * (rec["rings"] - 1), 5 * rec["rings"]
        else:
            lo, hi = rec["ring_seconds"], 5 * _rings(rec)
        if not lo <= first < hi:
            out.append(f"{rid}: first words at {first}s do not follow the rings ({lo}-{hi}s)")
        if rec["utterances"][0]["speaker"] != "staff":
            out.append(f"{rid}: a call is opened by the staff")
    return start


def _check_label(rec: dict, lab: dict, start: dt.datetime | None, out: list[str]) -> None:
    rid = rec["id"]
    if list(lab) != LABEL_KEYS:
        out.append(f"{rid}: label keys {list(lab)}")
        return
    if lab["id"] != rid:
        out.append(f"{rid}: label id {lab['id']!r}")
    if not isinstance(lab["note"], str) or not lab["note"].strip() or "\n" in lab["note"]:
        out.append(f"{rid}: note must be one non-empty line")
    utts = rec["utterances"]
    arts = []
    for b in lab["breaches"]:
        if list(b) != BREACH_KEYS:
            out.append(f"{rid}: breach keys {list(b)}")
            continue
        a, q, duty = b["article"], b["quote"], b["duty"]
        arts.append(a)
        if a not in SCORED:
            out.append(f"{rid}: article {a} not scored")
        if b["speaker"] != "staff":
            out.append(f"{rid}: breach speaker {b['speaker']!r}")
        if not isinstance(duty, str) or not duty.strip():
            out.append(f"{rid}: art {a} without duty")
            continue
        if "(paraphrase)" in duty and not duty.startswith("forbidden phrase:"):
            out.append(f"{rid}: art {a}: (paraphrase) outside a forbidden phrase")
        if q == "":
            if not duty.startswith(ABSENCE_PREFIXES):
                out.append(f"{rid}: art {a}: empty quote but duty does not name an absence")
            continue
        hits = [u for u in utts if q in u["text"]]
        if len(hits) != 1:
            out.append(f"{rid}: art {a}: quote found in {len(hits)} utterances")
            continue
        if hits[0]["speaker"] != "staff":
            out.append(f"{rid}: art {a}: quote is not a staff utterance")
        if a == 25 and start is not None:
            at = start + dt.timedelta(seconds=hits[0]["start"])
            if not _in_hours(at):
                out.append(f"{rid}: art 25 at {at.time()} outside service hours")
    if len(set(arts)) != len(arts):
        out.append(f"{rid}: two breaches of one article")
    clean = lab["clean_articles"]
    if clean != sorted(set(clean)) or not set(clean) <= set(SCORED):
        out.append(f"{rid}: clean_articles {clean}")
    if set(clean) & set(arts):
        out.append(f"{rid}: articles both breached and clean: {sorted(set(clean) & set(arts))}")
    if len(arts) > 2:
        out.append(f"{rid}: more than two breaches")
    # articles that do not apply are clean
    if rec["channel"] == "counter" and 7 not in clean:
        out.append(f"{rid}: Art. 7 on a counter visit must be clean")
    if rec["channel"] == "phone":
        if 8 not in clean:
            out.append(f"{rid}: Art. 8 on a call must be clean")
        rings = _rings(rec)
        answered = bool(utts)
        if start is not None and not answered:
            if _in_hours(start) and 7 not in arts:
                out.append(f"{rid}: a call unanswered in hours is an Art. 7 breach")
            if not _in_hours(start) and (arts or set(clean) != set(SCORED)):
                out.append(f"{rid}: a call unanswered out of hours breaches nothing")
        if answered and rings is not None and rings >= 4 and 7 not in arts:
            out.append(f"{rid}: answered on ring {rings} without an Art. 7 breach")
        if answered and rings is not None and rings <= 3 and any(
                b["article"] == 7 and b["duty"].startswith("answered after")
                for b in lab["breaches"]):
            out.append(f"{rid}: answered on ring {rings} labelled late")


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    out: list[str] = []
    if len(interactions) != len(labels):
        out.append(f"{len(interactions)} interactions but {len(labels)} labels")
    ids = [r.get("id") for r in interactions]
    if len(set(ids)) != len(ids):
        out.append("duplicate ids")
    for n, (rec, lab) in enumerate(zip(interactions, labels, strict=False), 1):
        start = _check_record(rec, n, out)
        if isinstance(rec.get("utterances"), list) and "id" in rec:
            _check_label(rec, lab, start, out)
    return out


def counts(interactions: list[dict], labels: list[dict]) -> str:
    lines = []
    calls = [r for r in interactions if r["channel"] == "phone"]
    n_utt = sum(len(r["utterances"]) for r in interactions)
    ov = sum(1 for r in interactions for a, b in zip(r["utterances"], r["utterances"][1:], strict=False)
             if b["start"] < a["end"])
    lines.append(f"{len(interactions)} interactions ({len(interactions) - len(calls)} counter, "
                 f"{len(calls)} calls: {sum(1 for r in calls if not r['utterances'])} unanswered, "
                 f"{sum(1 for r in calls if 'ring_seconds' in r)} ring_seconds), "
                 f"{n_utt} utterances, {ov} overlaps")
    nb = Counter(len(lab["breaches"]) for lab in labels)
    allb = [b for lab in labels for b in lab["breaches"]]
    lines.append(f"no breach {nb[0]}, one {nb[1]}, two {nb[2]}; {len(allb)} breaches, "
                 f"{sum(1 for b in allb if b['quote'] == '')} absences, "
                 f"{sum(1 for b in allb if b['duty'].startswith('forbidden phrase:'))} forbidden phrases "
                 f"({sum(1 for b in allb if '(paraphrase)' in b['duty'])} paraphrased)")
    per = Counter(b["article"] for b in allb)
    clean = Counter(a for lab in labels for a in lab["clean_articles"])
    lines.append("article  " + " ".join(f"{a:>3}" for a in SCORED))
    lines.append("breaches " + " ".join(f"{per[a]:>3}" for a in SCORED))
    lines.append("clean    " + " ".join(f"{clean[a]:>3}" for a in SCORED))
    src = HERE / "source.txt"
    if src.exists():
        sys.path.insert(0, str(HERE))
        try:
            import build  # noqa: PLC0415
            fam = Counter(b.header.get("family", "-") for b in build.parse(src.read_text("utf-8")))
            lines.append("families: " + ", ".join(f"{k} {v}" for k, v in sorted(fam.items())))
        finally:
            sys.path.pop(0)
    return "\n".join(lines)


def main() -> int:
    recs = [json.loads(lab) for lab in (HERE / "interactions.jsonl").read_text("utf-8").splitlines()]
    labels = json.loads((HERE / "labels.json").read_text("utf-8"))
    problems = check(recs, labels)
    for p in problems:
        print("PROBLEM", p)
    print(counts(recs, labels))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
