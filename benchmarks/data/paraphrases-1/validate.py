#!/usr/bin/env python3
"""Validate utterances.jsonl of paraphrases-1 (stdlib only).

Checks: every line parses as a JSON object with exactly the expected keys;
ids are pa-0001, pa-0002, ... unique and consecutive; act is one of the
allowed acts; channel is counter or phone; text is non-empty and at most 80
characters; no two items share a text; every act reaches its minimum count.
Exit status 0 when all checks pass, 1 otherwise.
"""
import collections
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
FORBIDDEN = ["f_dont_know", "f_read_sign", "f_off_work", "f_hurry", "f_busy",
             "f_defiant", "f_complain", "f_said_already", "f_memory"]
NEAR = ["near_" + a[2:] for a in FORBIDDEN]
MINIMUM = {**{a: 40 for a in FORBIDDEN}, **{a: 25 for a in NEAR}, "none": 80}
KEYS = {"id", "act", "text", "before", "channel", "note"}
MIN_TOTAL = 650


def validate(path):
    errors = []
    counts = collections.Counter()
    channels = collections.Counter()
    texts = {}
    n = 0
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                errors.append(f"line {lineno}: empty line")
                continue
            try:
                obj = json.loads(line)
            except json.JSONDecodeError as e:
                errors.append(f"line {lineno}: not JSON ({e})")
                continue
            if not isinstance(obj, dict):
                errors.append(f"line {lineno}: not an object")
                continue
            n += 1
            if set(obj) != KEYS:
                errors.append(f"line {lineno}: keys {sorted(obj)} != {sorted(KEYS)}")
            want = f"pa-{n:04d}"
            if obj.get("id") != want:
                errors.append(f"line {lineno}: id {obj.get('id')!r}, expected {want!r}")
            act = obj.get("act")
            if act not in MINIMUM:
                errors.append(f"line {lineno}: unknown act {act!r}")
            counts[act] += 1
            ch = obj.get("channel")
            if ch not in ("counter", "phone"):
                errors.append(f"line {lineno}: channel {ch!r}")
            channels[ch] += 1
            text = obj.get("text")
            if not isinstance(text, str) or not text.strip():
                errors.append(f"line {lineno}: empty text")
            elif len(text) > 80:
                errors.append(f"line {lineno}: text has {len(text)} characters (> 80)")
            elif text != text.strip():
                errors.append(f"line {lineno}: text has surrounding whitespace")
            else:
                if text in texts:
                    errors.append(f"line {lineno}: duplicate text of {texts[text]}")
                texts[text] = obj.get("id")
            for k in ("before", "note"):
                if not isinstance(obj.get(k), str):
                    errors.append(f"line {lineno}: {k} is not a string")
    for act, m in MINIMUM.items():
        if counts[act] < m:
            errors.append(f"act {act}: {counts[act]} items, minimum {m}")
    if n < MIN_TOTAL:
        errors.append(f"{n} items, minimum {MIN_TOTAL}")
    return n, counts, channels, errors


def main():
    path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "utterances.jsonl")
    n, counts, channels, errors = validate(path)
    for act in list(MINIMUM):
        print(f"{act:18s} {counts[act]:4d}")
    print(f"{'total':18s} {n:4d}  (counter {channels['counter']}, phone {channels['phone']})")
    if errors:
        for e in errors:
            print("ERROR", e, file=sys.stderr)
        return 1
    print("OK")
    return 0


if __name__ == "__main__":
    sys.exit(main())
