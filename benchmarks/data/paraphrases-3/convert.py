"""Number the hand-written lines of source.txt into utterances.jsonl (no text is generated here).

source.txt: "## <act>" starts a section; each item line is channel|before|text|note with channel c (counter)
or p (phone); lines starting with "#" are comments. Run: python3 convert.py
"""
import json
import pathlib

HERE = pathlib.Path(__file__).resolve().parent
CHANNELS = {"c": "counter", "p": "phone"}


def parse(text: str) -> list[dict]:
    items, act = [], None
    for number, line in enumerate(text.splitlines(), 1):
        if line.startswith("## "):
            act = line[3:].strip()
            continue
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("|")
        if len(parts) != 4 or parts[0] not in CHANNELS or act is None:
            raise ValueError(f"source.txt line {number}: {line!r}")
        channel, before, utterance, note = parts
        items.append({"id": f"pc-{len(items) + 1:04d}", "act": act, "text": utterance.strip(),
                      "before": before.strip(), "channel": CHANNELS[channel], "note": note.strip()})
    return items


def render(items: list[dict]) -> str:
    return "".join(json.dumps(item, ensure_ascii=False) + "\n" for item in items)


if __name__ == "__main__":
    items = parse((HERE / "source.txt").read_text(encoding="utf-8"))
    (HERE / "utterances.jsonl").write_text(render(items), encoding="utf-8")
    print(f"wrote {len(items)} utterances")
