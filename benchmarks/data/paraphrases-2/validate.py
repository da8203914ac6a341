#!/usr/bin/env python3
"""Check benchmarks/data/paraphrases-2/utterances.jsonl (stdlib only).

Every line parses; ids pb-0001.. unique and consecutive; act in the allowed
list; text non-empty and <= 80 characters; channel counter/phone; no
duplicate texts; each act has at least its minimum count.  Exit status 1 on
any failure.
"""
import json
import sys
from collections import Counter
from pathlib import Path

MINIMUM = {
    "greeting": 50, "phone_intro": 30, "evaluate": 35, "goodbye": 35,
    "apology": 30, "material_list": 30, "thank_praise": 30,
    "thank_suggestion": 30, "calm": 45,
}
for _act in list(MINIMUM):
    MINIMUM["near_" + _act] = 15
KEYS = {"id", "act", "text", "before", "channel", "note"}
REQUIRED = {"id", "act", "text", "before", "channel"}
MAX_CHARS = 80


def main(path):
    errors = []
    counts = Counter()
    seen_text = {}
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    for n, line in enumerate(lines, 1):
        try:
            obj = json.loads(line)
        except ValueError as exc:
            errors.append(f"line {n}: not JSON ({exc})")
            continue
        if not isinstance(obj, dict):
            errors.append(f"line {n}: not an object")
            continue
        missing = REQUIRED - obj.keys()
        extra = obj.keys() - KEYS
        if missing:
            errors.append(f"line {n}: missing {sorted(missing)}")
        if extra:
            errors.append(f"line {n}: unknown keys {sorted(extra)}")
        want = f"pb-{n:04d}"
        if obj.get("id") != want:
            errors.append(f"line {n}: id {obj.get('id')!r}, expected {want!r}")
        act = obj.get("act")
        if act not in MINIMUM:
            errors.append(f"line {n}: act {act!r} not allowed")
        else:
            counts[act] += 1
        text = obj.get("text")
        if not isinstance(text, str) or not text.strip():
            errors.append(f"line {n}: empty text")
        elif len(text) > MAX_CHARS:
            errors.append(f"line {n}: text has {len(text)} characters (> {MAX_CHARS})")
        elif text in seen_text:
            errors.append(f"line {n}: duplicate text of line {seen_text[text]}")
        else:
            seen_text[text] = n
        if not isinstance(obj.get("before"), str):
            errors.append(f"line {n}: before must be a string")
        if obj.get("channel") not in ("counter", "phone"):
            errors.append(f"line {n}: channel {obj.get('channel')!r}")
        if "note" in obj and not isinstance(obj["note"], str):
            errors.append(f"line {n}: note must be a string")
    for act, low in MINIMUM.items():
        if counts[act] < low:
            errors.append(f"act {act}: {counts[act]} items, minimum {low}")
    for e in errors:
        print(e)
    total = sum(counts.values())
    phone = sum(1 for line in lines if '"channel": "phone"' in line)
    before = sum(1 for line in lines if '"before": ""' not in line)
    print(f"{total} utterances, {phone} phone, {before} with before; "
          + ", ".join(f"{a} {counts[a]}" for a in MINIMUM))
    print("OK" if not errors else f"{len(errors)} error(s)")
    return 1 if errors else 0


if __name__ == "__main__":
    here = Path(__file__).resolve().parent
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else here / "utterances.jsonl"))
