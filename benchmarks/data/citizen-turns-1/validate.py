"""Validate benchmarks/data/citizen-turns-1/utterances.jsonl.

check(rows) -> list of problems (empty when fine); load(path) reads the JSONL
(parse problems are returned by check_file). Run as a script to print counts.
"""
from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "utterances.jsonl"

KEYS = ("id", "text", "before", "channel", "cue", "family", "note")
CHANNELS = {"counter", "phone"}
CUES = {"praise", "suggestion", "upset", "none"}
ID_RE = re.compile(r"^ct1-(\d{4})$")
FAMILY_RE = re.compile(r"^[a-z][a-z_]*[a-z]$")
# upset turns of a citizen who does not understand (confused, or does not see why a rule applies)
CONFUSED_PREFIXES = ("confused", "not_understand")

MINIMUMS = {"total": 520, "praise": 80, "suggestion": 90, "upset": 110, "upset_confused": 30, "none": 240}
MIN_NONE_FAMILIES = 10
TEXT_LEN = (2, 60)
BEFORE_SHARE = (0.40, 0.70)   # "about half" carry the staff turn before
PHONE_SHARE = (0.10, 0.20)    # "about 15 %" are phone callers


def is_confused(row: dict) -> bool:
    return row.get("cue") == "upset" and str(row.get("family", "")).startswith(CONFUSED_PREFIXES)


def load(path: Path | str = DATA) -> tuple[list[dict], list[str]]:
    rows, problems = [], []
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                problems.append(f"line {n}: empty line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                problems.append(f"line {n}: not JSON ({e})")
                continue
            if not isinstance(obj, dict):
                problems.append(f"line {n}: not an object")
                continue
            rows.append(obj)
    return rows, problems


def check(rows: list[dict]) -> list[str]:
    problems: list[str] = []
    texts: Counter = Counter()
    for i, r in enumerate(rows, 1):
        where = r.get("id", f"row {i}") if isinstance(r, dict) else f"row {i}"
        if not isinstance(r, dict):
            problems.append(f"{where}: not an object")
            continue
        if tuple(sorted(r)) != tuple(sorted(KEYS)):
            problems.append(f"{where}: keys {sorted(r)} != {sorted(KEYS)}")
            continue
        bad = [k for k in KEYS if not isinstance(r[k], str)]
        if bad:
            problems.append(f"{where}: non-string fields {bad}")
            continue
        m = ID_RE.match(r["id"])
        if not m:
            problems.append(f"{where}: bad id")
        elif int(m.group(1)) != i:
            problems.append(f"{where}: id out of sequence (expected ct1-{i:04d})")
        if r["channel"] not in CHANNELS:
            problems.append(f"{where}: channel {r['channel']!r}")
        if r["cue"] not in CUES:
            problems.append(f"{where}: cue {r['cue']!r}")
        if not FAMILY_RE.match(r["family"]):
            problems.append(f"{where}: family {r['family']!r} is not snake_case")
        t = r["text"]
        if t != t.strip() or "\n" in t or "|" in t:
            problems.append(f"{where}: text has stray whitespace or separators")
        if not TEXT_LEN[0] <= len(t) <= TEXT_LEN[1]:
            problems.append(f"{where}: text length {len(t)} outside {TEXT_LEN}")
        if r["before"] and (r["before"] != r["before"].strip() or "\n" in r["before"]):
            problems.append(f"{where}: before has stray whitespace")
        if r["before"] == t:
            problems.append(f"{where}: before equals text")
        if r["note"] != r["note"].strip():
            problems.append(f"{where}: note has stray whitespace")
        texts[t] += 1
    for t, n in texts.items():
        if n > 1:
            problems.append(f"duplicate text ({n}x): {t}")

    good = [r for r in rows if isinstance(r, dict) and isinstance(r.get("cue"), str)]
    cues = Counter(r["cue"] for r in good)
    got = {"total": len(rows), **{c: cues.get(c, 0) for c in CUES},
           "upset_confused": sum(is_confused(r) for r in good)}
    for k, need in MINIMUMS.items():
        if got[k] < need:
            problems.append(f"count {k} = {got[k]} < {need}")
    none_fams = {r.get("family") for r in good if r["cue"] == "none"}
    if len(none_fams) < MIN_NONE_FAMILIES:
        problems.append(f"cue none spread over {len(none_fams)} families < {MIN_NONE_FAMILIES}")
    if rows:
        share = sum(1 for r in good if r.get("before")) / len(rows)
        if not BEFORE_SHARE[0] <= share <= BEFORE_SHARE[1]:
            problems.append(f"share with a before = {share:.2f} outside {BEFORE_SHARE}")
        phone = sum(1 for r in good if r.get("channel") == "phone") / len(rows)
        if not PHONE_SHARE[0] <= phone <= PHONE_SHARE[1]:
            problems.append(f"phone share = {phone:.2f} outside {PHONE_SHARE}")
    return problems


def check_file(path: Path | str = DATA) -> list[str]:
    rows, problems = load(path)
    return problems + check(rows)


def counts(rows: list[dict]) -> str:
    out = [f"{len(rows)} turns; {sum(r['channel'] == 'phone' for r in rows)} phone; "
           f"{sum(1 for r in rows if r['before'])} with a before; "
           f"{sum(is_confused(r) for r in rows)} upset turns of not-understanding"]
    for cue in ("praise", "suggestion", "upset", "none"):
        sub = [r for r in rows if r["cue"] == cue]
        fams = Counter(r["family"] for r in sub)
        out.append(f"{cue}: {len(sub)} — " + ", ".join(f"{f} {n}" for f, n in fams.most_common()))
    return "\n".join(out)


if __name__ == "__main__":
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA
    rows, problems = load(path)
    problems += check(rows)
    if not problems:
        print(counts(rows))
    for p in problems:
        print("PROBLEM:", p)
    sys.exit(1 if problems else 0)
