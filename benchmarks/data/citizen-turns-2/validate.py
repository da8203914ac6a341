"""Validate benchmarks/data/citizen-turns-2/utterances.jsonl.

`parse(text)` turns the file's text into (records, problems); `check(records)` returns the list of problems
(empty when fine); run as a script it prints the problems and the counts.
"""
from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "utterances.jsonl"

KEYS = ("id", "text", "before", "channel", "cue", "family", "note")
CHANNELS = {"counter", "phone"}
CUES = ("praise", "suggestion", "upset", "none")
MINIMUM = {"praise": 80, "suggestion": 90, "upset": 110, "none": 240}
MIN_TOTAL = 520
MIN_CONFUSED = 30          # upset turns whose family names a confused / not-understanding citizen
MIN_NONE_FAMILIES = 10
MIN_LEN, MAX_LEN = 2, 60
MIN_BEFORE_SHARE = 0.5     # at least half the turns carry the staff line just before
MIN_PHONE_SHARE = 0.4      # phone callers and counter visits in (about) equal measure
PREFIX = "ct2-"


def parse(text: str) -> tuple[list[dict], list[str]]:
    records, problems = [], []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            problems.append(f"line {n}: empty line")
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            problems.append(f"line {n}: not JSON ({exc})")
            continue
        if not isinstance(obj, dict):
            problems.append(f"line {n}: not an object")
            continue
        records.append(obj)
    return records, problems


def is_confused(rec: dict) -> bool:
    return rec.get("cue") == "upset" and "confused" in str(rec.get("family", ""))


def check(records: list[dict]) -> list[str]:
    problems: list[str] = []
    texts: dict[str, str] = {}
    for i, rec in enumerate(records, 1):
        where = rec.get("id", f"record {i}")
        if tuple(rec.keys()) != KEYS:
            problems.append(f"{where}: keys {list(rec.keys())} != {list(KEYS)}")
            continue
        if any(not isinstance(rec[k], str) for k in KEYS):
            problems.append(f"{where}: every value must be a string")
            continue
        if rec["id"] != f"{PREFIX}{i:04d}":
            problems.append(f"{where}: id should be {PREFIX}{i:04d} (ids unique and consecutive)")
        text = rec["text"]
        if text != text.strip() or not (MIN_LEN <= len(text) <= MAX_LEN):
            problems.append(f"{where}: text length {len(text)} outside {MIN_LEN}-{MAX_LEN} or padded")
        if text in texts:
            problems.append(f"{where}: duplicate text of {texts[text]}")
        texts.setdefault(text, rec["id"])
        if rec["before"] != rec["before"].strip():
            problems.append(f"{where}: before is padded")
        if rec["before"] == text:
            problems.append(f"{where}: before equals text")
        if rec["channel"] not in CHANNELS:
            problems.append(f"{where}: channel {rec['channel']!r}")
        if rec["cue"] not in CUES:
            problems.append(f"{where}: cue {rec['cue']!r}")
        fam = rec["family"]
        if not fam or fam != fam.strip() or not all(c.islower() or c == "_" for c in fam):
            problems.append(f"{where}: family {fam!r} must be a lower_snake_case word")
        if "|" in text or "\n" in text or "\n" in rec["before"] or "\n" in rec["note"]:
            problems.append(f"{where}: stray separator or newline")

    n = len(records)
    cues = Counter(r.get("cue") for r in records)
    if n < MIN_TOTAL:
        problems.append(f"only {n} turns (< {MIN_TOTAL})")
    for cue, least in MINIMUM.items():
        if cues[cue] < least:
            problems.append(f"cue {cue}: {cues[cue]} turns (< {least})")
    confused = sum(is_confused(r) for r in records)
    if confused < MIN_CONFUSED:
        problems.append(f"confused upset turns: {confused} (< {MIN_CONFUSED})")
    none_fams = {r.get("family") for r in records if r.get("cue") == "none"}
    if len(none_fams) < MIN_NONE_FAMILIES:
        problems.append(f"cue none spread over {len(none_fams)} families (< {MIN_NONE_FAMILIES})")
    if n:
        with_before = sum(bool(r.get("before")) for r in records)
        if with_before < MIN_BEFORE_SHARE * n:
            problems.append(f"only {with_before}/{n} turns have a before")
        phone = sum(r.get("channel") == "phone" for r in records)
        if phone < MIN_PHONE_SHARE * n or n - phone < MIN_PHONE_SHARE * n:
            problems.append(f"channels unbalanced: {phone} phone / {n - phone} counter")
    return problems


def load(path: Path = DATA) -> tuple[list[dict], list[str]]:
    return parse(path.read_text(encoding="utf-8"))


def counts(records: list[dict]) -> str:
    lines = [f"turns: {len(records)}"]
    by_channel = Counter(r["channel"] for r in records)
    lines.append("channels: " + ", ".join(f"{k} {v}" for k, v in sorted(by_channel.items())))
    lines.append(f"with before: {sum(bool(r['before']) for r in records)}")
    for cue in CUES:
        sub = [r for r in records if r["cue"] == cue]
        fams = Counter(r["family"] for r in sub)
        ch = Counter(r["channel"] for r in sub)
        lines.append(f"{cue}: {len(sub)} (phone {ch['phone']}, counter {ch['counter']})")
        lines.append("    " + ", ".join(f"{f} {c}" for f, c in sorted(fams.items(), key=lambda x: (-x[1], x[0]))))
    lines.append(f"upset, confused / not understanding: {sum(is_confused(r) for r in records)}")
    return "\n".join(lines)


def main() -> int:
    records, problems = load()
    problems += check(records)
    for p in problems:
        print("PROBLEM:", p)
    print(counts(records))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
