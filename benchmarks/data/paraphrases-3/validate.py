"""Check paraphrases-3/utterances.jsonl (stdlib only) and print the counts.

Checks: every line parses; keys are exactly id, act, text, before, channel, note; ids pc-0001… unique and
consecutive; act allowed; channel counter/phone; text non-empty, at most 80 characters, never twice; before and
note are strings; minimums: 60 per forbidden act, 35 per near miss, 120 none, 1,000 in all.
Run: python3 benchmarks/data/paraphrases-3/validate.py
"""
import collections
import json
import pathlib
import sys

HERE = pathlib.Path(__file__).resolve().parent
THEMES = ("dont_know", "read_sign", "off_work", "hurry", "busy", "defiant", "complain", "said_already", "memory")
FORBIDDEN = tuple(f"f_{t}" for t in THEMES)
NEAR = tuple(f"near_{t}" for t in THEMES)
ACTS = FORBIDDEN + NEAR + ("none",)
KEYS = {"id", "act", "text", "before", "channel", "note"}
MINIMUM = {**{a: 60 for a in FORBIDDEN}, **{a: 35 for a in NEAR}, "none": 120}
MINIMUM_TOTAL = 1000
MAX_CHARS = 80


def load(path: pathlib.Path = HERE / "utterances.jsonl") -> list:
    return path.read_text(encoding="utf-8").splitlines()


def check(lines: list) -> list[str]:
    """Problems found in the raw lines of utterances.jsonl; empty when fine."""
    problems, items, seen_text = [], [], {}
    for number, line in enumerate(lines, 1):
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            problems.append(f"line {number}: not JSON ({error})")
            continue
        if not isinstance(item, dict) or set(item) != KEYS:
            problems.append(f"line {number}: keys {sorted(item) if isinstance(item, dict) else item!r}")
            continue
        items.append(item)
        where = f"line {number} ({item['id']})"
        if item["id"] != f"pc-{len(items):04d}":
            problems.append(f"{where}: id should be pc-{len(items):04d}")
        if item["act"] not in ACTS:
            problems.append(f"{where}: unknown act {item['act']!r}")
        if item["channel"] not in ("counter", "phone"):
            problems.append(f"{where}: channel {item['channel']!r}")
        for key in ("text", "before", "note"):
            if not isinstance(item[key], str):
                problems.append(f"{where}: {key} is not a string")
        text = item["text"] if isinstance(item["text"], str) else ""
        if not text.strip():
            problems.append(f"{where}: empty text")
        if len(text) > MAX_CHARS:
            problems.append(f"{where}: text has {len(text)} characters (> {MAX_CHARS})")
        if text in seen_text:
            problems.append(f"{where}: text repeats line {seen_text[text]}")
        seen_text.setdefault(text, number)
    counts = collections.Counter(item["act"] for item in items)
    for act, least in MINIMUM.items():
        if counts[act] < least:
            problems.append(f"{act}: {counts[act]} items (< {least})")
    if len(items) < MINIMUM_TOTAL:
        problems.append(f"{len(items)} items in all (< {MINIMUM_TOTAL})")
    return problems


def counts(lines: list) -> dict:
    table = collections.defaultdict(lambda: [0, 0, 0])
    for line in lines:
        item = json.loads(line)
        row = table[item["act"]]
        row[0] += 1
        row[1] += item["channel"] == "phone"
        row[2] += bool(item["before"])
    return {act: tuple(table[act]) for act in ACTS}


if __name__ == "__main__":
    lines = load()
    problems = check(lines)
    for problem in problems:
        print(problem)
    if not problems:
        total = [0, 0, 0]
        print(f"{'act':<18} items phone before")
        for act, row in counts(lines).items():
            print(f"{act:<18} {row[0]:>5} {row[1]:>5} {row[2]:>6}")
            total = [a + b for a, b in zip(total, row, strict=True)]
        print(f"{'total':<18} {total[0]:>5} {total[1]:>5} {total[2]:>6}")
    sys.exit(1 if problems else 0)
