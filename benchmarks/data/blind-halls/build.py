"""Build the blind-halls set from its hand-written source.

Reads ``source.txt`` (the interactions and labels as written by hand) and writes
``interactions.jsonl`` and ``labels.json`` in the format of
``shared/data/dialogues-dev``. Only the mechanical parts are computed here, the
way the dev set's README describes them:

* ids ``bh-0001``..``bh-0040`` in an order shuffled with ``random.Random(20261207)``;
* the date of each interaction, a working day (Mon-Fri) between 2026-11-03 and
  2026-12-14, drawn with a per-interaction seed (the clock time is hand-written);
* start and end times: characters divided by a speaking rate drawn per
  interaction (staff 4.3-5.0 characters/s, citizens 3.9-4.7, elderly citizens
  3.2-3.6), plus short pauses for punctuation and 1.2-2.4 s per ellipsis, with
  gaps of 0.25-0.9 s between turns and explicit ``wait`` lines;
* for calls, the pick-up time from ``rings`` (ring n starts at 5(n-1) s) or
  ``ring_seconds``.

Run: ``python benchmarks/data/blind-halls/build.py`` (rewrites the two files;
the output is the same on every run). ``--check`` validates the written files.
"""

from __future__ import annotations

import datetime as dt
import json
import random
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
ARTICLES = (5, 6, 7, 8, 9, 10, 16, 17, 18, 25)
FIRST_DAY = dt.date(2026, 11, 3)
LAST_DAY = dt.date(2026, 12, 14)
SHORT_PAUSE = "，、：；"
LONG_PAUSE = "。？！"


@dataclass
class Line:
    """One utterance as written: speaker, text, whether it overlaps, wait before."""

    speaker: str
    text: str
    overlap: bool = False
    wait: float = 0.0


@dataclass
class Source:
    """One hand-written interaction with its labels."""

    key: str
    channel: str
    hall: str
    window: str
    staff: str
    clock: str
    extra: str
    lines: list[Line] = field(default_factory=list)
    breaches: list[dict[str, object]] = field(default_factory=list)
    arguable: list[int] = field(default_factory=list)
    note: str = ""


def parse(path: Path) -> list[Source]:
    """Parse ``source.txt`` into interactions."""
    items: list[Source] = []
    wait = 0.0
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("@ "):
            head, *rest = [p.strip() for p in line[2:].split("|")]
            key, channel = head.split()
            hall, window, staff, clock, extra = rest
            items.append(Source(key, channel, hall, window, staff, clock, extra))
            wait = 0.0
            continue
        cur = items[-1]
        if line.startswith("wait "):
            wait = float(line[5:])
        elif line[:3] in ("S: ", "C: ") or line[:4] in ("S~: ", "C~: "):
            who = "staff" if line[0] == "S" else "citizen"
            overlap = line[1] == "~"
            text = line.split(": ", 1)[1]
            cur.lines.append(Line(who, text, overlap, wait))
            wait = 0.0
        elif line.startswith("B "):
            art, quote, duty = [p.strip() for p in line[2:].split("|")]
            quote = "" if quote == '""' else quote
            cur.breaches.append(
                {"article": int(art), "speaker": "staff", "quote": quote, "duty": duty}
            )
        elif line.startswith("A "):
            cur.arguable.append(int(line[2:]))
        elif line.startswith("N "):
            cur.note = line[2:]
        else:
            raise ValueError(f"source.txt: cannot read line {raw!r}")
    return items


def working_days() -> list[dt.date]:
    """Mon-Fri between the first and last day (no public holiday falls in it)."""
    days = []
    d = FIRST_DAY
    while d <= LAST_DAY:
        if d.weekday() < 5:
            days.append(d)
        d += dt.timedelta(days=1)
    return days


def duration(text: str, rate: float, rng: random.Random) -> float:
    """Seconds to say ``text`` at ``rate`` characters/s with pauses."""
    chars = sum(1 for ch in text if ch not in SHORT_PAUSE + LONG_PAUSE + "…")
    secs = chars / rate
    secs += sum(rng.uniform(0.12, 0.3) for ch in text if ch in SHORT_PAUSE)
    secs += sum(rng.uniform(0.3, 0.5) for ch in text if ch in LONG_PAUSE)
    secs += sum(rng.uniform(1.2, 2.4) for _ in range(text.count("……")))
    return max(secs, 0.4)


def pickup(src: Source, rng: random.Random) -> tuple[dict[str, object], float]:
    """The call's ring field and the second the phone was picked up."""
    name, value = src.extra.split("=")
    if name == "rings":
        rings = int(value)
        return {"rings": rings}, 5 * (rings - 1) + rng.uniform(0.4, 3.5)
    secs = float(value)
    return {"ring_seconds": secs}, secs


def times(src: Source, seed: int) -> tuple[list[dict[str, object]], dict[str, object]]:
    """Utterances with start/end, and the call's ring field (if any)."""
    rng = random.Random(seed)
    staff_rate = rng.uniform(4.3, 5.0)
    citizen_rate = rng.uniform(3.2, 3.6) if src.extra == "elderly" else rng.uniform(3.9, 4.7)
    ring: dict[str, object] = {}
    cursor = rng.uniform(0.3, 1.5)
    if src.channel == "phone":
        ring, picked = pickup(src, rng)
        cursor = picked + rng.uniform(0.3, 0.8)
    out: list[dict[str, object]] = []
    for line in src.lines:
        rate = staff_rate if line.speaker == "staff" else citizen_rate
        dur = duration(line.text, rate, rng)
        if line.overlap and out:
            prev_start, prev_end = float(out[-1]["start"]), float(out[-1]["end"])  # type: ignore[arg-type]
            start = prev_end - min(0.8, 0.3 * (prev_end - prev_start))
        else:
            start = cursor + line.wait + (rng.uniform(0.25, 0.9) if out else 0.0)
        end = start + dur
        cursor = max(cursor, end)
        out.append(
            {
                "speaker": line.speaker,
                "start": round(start, 2),
                "end": round(end, 2),
                "text": line.text,
            }
        )
    return out, ring


def build() -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Interactions and labels, in id order."""
    items = parse(HERE / "source.txt")
    order = list(range(len(items)))
    random.Random(20261207).shuffle(order)
    days = working_days()
    inter: list[dict[str, object]] = []
    labels: list[dict[str, object]] = []
    for n, idx in enumerate(order, start=1):
        src = items[idx]
        ident = f"bh-{n:04d}"
        seed = 20261207 * 100 + idx
        day = random.Random(seed).choice(days)
        utts, ring = times(src, seed)
        rec: dict[str, object] = {
            "id": ident,
            "channel": src.channel,
            "hall": src.hall,
            "window": src.window,
            "staff": src.staff,
            "started_at": f"{day.isoformat()}T{src.clock}:00+08:00",
        }
        rec.update(ring)
        rec["utterances"] = utts
        inter.append(rec)
        breached = {int(b["article"]) for b in src.breaches}  # type: ignore[call-overload]
        clean = [a for a in ARTICLES if a not in breached and a not in src.arguable]
        labels.append(
            {"id": ident, "breaches": src.breaches, "clean_articles": clean, "note": src.note}
        )
    return inter, labels


def check(inter: list[dict[str, object]], labels: list[dict[str, object]]) -> list[str]:
    """Format problems of the set (empty when it is valid)."""
    errors: list[str] = []
    days = set(working_days())
    if [i["id"] for i in inter] != [lab["id"] for lab in labels]:
        errors.append("ids of interactions and labels differ")
    if [i["id"] for i in inter] != [f"bh-{n:04d}" for n in range(1, len(inter) + 1)]:
        errors.append("ids are not bh-0001.. in order")
    for rec, lab in zip(inter, labels, strict=True):
        ident = rec["id"]
        started = dt.datetime.fromisoformat(str(rec["started_at"]))
        if started.date() not in days:
            errors.append(f"{ident}: {started.date()} is not a working day in range")
        utts = rec["utterances"]
        assert isinstance(utts, list)
        if rec["channel"] == "phone" and ("rings" in rec) == ("ring_seconds" in rec):
            errors.append(f"{ident}: a call needs exactly one of rings / ring_seconds")
        if rec["channel"] == "counter" and ("rings" in rec or "ring_seconds" in rec):
            errors.append(f"{ident}: a counter visit has a ring field")
        staff_texts = [u["text"] for u in utts if u["speaker"] == "staff"]
        seen: set[int] = set()
        for b in lab["breaches"]:  # type: ignore[attr-defined]
            art, quote = b["article"], b["quote"]
            if art in seen:
                errors.append(f"{ident}: two breaches of article {art}")
            seen.add(art)
            if art in lab["clean_articles"]:  # type: ignore[operator]
                errors.append(f"{ident}: article {art} both breached and clean")
            if quote and sum(quote in t for t in staff_texts) != 1:
                errors.append(f"{ident}: quote {quote!r} is not in exactly one staff utterance")
            if quote and any(quote in u["text"] for u in utts if u["speaker"] != "staff"):
                errors.append(f"{ident}: quote {quote!r} also in a citizen utterance")
            if not quote and not str(b["duty"]).startswith(
                ("missing:", "call not", "answered after", "unanswered", "ignored")
            ):
                errors.append(f"{ident}: absence without a missing:/absence duty")
        starts = [float(u["start"]) for u in utts]
        if any(u["end"] <= u["start"] for u in utts):
            errors.append(f"{ident}: an utterance ends before it starts")
        if starts != sorted(starts):
            errors.append(f"{ident}: utterances out of order")
    return errors


def main() -> int:
    """Write (or with --check, validate) the set."""
    inter, labels = build()
    if "--check" in sys.argv:
        written = [
            json.loads(x)
            for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        written_labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
        errors = check(written, written_labels)
        if written != inter or written_labels != labels:
            errors.append("written files differ from a rebuild of source.txt")
        for e in errors:
            sys.stderr.write(e + "\n")
        return 1 if errors else 0
    errors = check(inter, labels)
    for e in errors:
        sys.stderr.write(e + "\n")
    with (HERE / "interactions.jsonl").open("w", encoding="utf-8") as fh:
        for rec in inter:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    (HERE / "labels.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    raise SystemExit(main())
