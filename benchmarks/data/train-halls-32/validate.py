"""Check train-halls-32 against the dev README's format and labelling rules.

``check(interactions, labels)`` returns a list of problems (empty when fine);
run as a script it checks the committed files and prints the counts.
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
HALLS = {"金昌市社会保险事业管理局", "金川区北京路街道便民服务中心"}
FIRST_DAY, LAST_DAY = dt.date(2026, 11, 3), dt.date(2026, 12, 14)
ID = re.compile(r"^t32-(\d{4})$")
REC_KEYS = {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
LABEL_KEYS = {"id", "breaches", "clean_articles", "note"}
BREACH_KEYS = {"article", "speaker", "quote", "duty"}

# duty prefixes of the dev README's table, per article
DUTIES: dict[int, tuple[str, ...]] = {
    5: ("unanswered question:",),
    6: ("uncivil language:", "talk unrelated to work in front of the citizen:"),
    7: ("answered after", "call not answered", "missing: 您好，这里是XXX政务大厅XXX窗口", "forced hang-up"),
    8: ("missing: 您好，请问要办理什么业务？", "ignored the citizen", "forbidden phrase:"),
    9: ("forbidden phrase:",),
    10: ("missing: 请您为我的服务做出评价", "missing: 对不起，请您补全手续再来办理", "forbidden phrase:",
         "missing: 谢谢您", "missing: 请您听我详细解释"),
    16: ("vague redirect:",),
    17: ("quarrel with the citizen", "made the citizen"),
    18: ("not told at once:",),
    25: ("refused service within service hours",),
}
ABSENCE = ("missing:", "answered after", "call not answered", "ignored the citizen", "made the citizen")


def _in_hours(t: dt.datetime) -> bool:
    m = t.hour * 60 + t.minute
    return 8 * 60 + 30 <= m < 12 * 60 or 14 * 60 + 30 <= m < 18 * 60


def check(interactions: list[dict], labels: list[dict]) -> list[str]:
    out: list[str] = []
    if len(interactions) != len(labels):
        out.append(f"{len(interactions)} interactions but {len(labels)} labels")
    seen: set[str] = set()
    for i, rec in enumerate(interactions, 1):
        rid = rec.get("id", f"#{i}")
        p = lambda msg, rid=rid: out.append(f"{rid}: {msg}")  # noqa: E731
        m = ID.match(str(rid))
        if not m or int(m.group(1)) != i:
            p(f"id out of sequence (expected t32-{i:04d})")
        if rid in seen:
            p("duplicate id")
        seen.add(rid)
        ch = rec.get("channel")
        want = REC_KEYS | ({"rings"} if "rings" in rec else set()) | ({"ring_seconds"} if "ring_seconds" in rec else set())
        if set(rec) != want:
            p(f"keys {sorted(rec)}")
        if ch not in ("counter", "phone"):
            p(f"channel {ch!r}")
        if rec.get("hall") not in HALLS:
            p(f"hall {rec.get('hall')!r}")
        if not rec.get("window"):
            p("empty window")
        if not re.match(r"^S-\d{4}$", str(rec.get("staff", ""))):
            p(f"staff {rec.get('staff')!r}")
        try:
            t0 = dt.datetime.fromisoformat(rec["started_at"])
            if t0.utcoffset() != dt.timedelta(hours=8):
                p("started_at not +08:00")
            if t0.weekday() >= 5 or not FIRST_DAY <= t0.date() <= LAST_DAY:
                p(f"date {t0.date()} not a working day in range")
        except (KeyError, ValueError, TypeError):
            p(f"bad started_at {rec.get('started_at')!r}")
            t0 = None
        utts = rec.get("utterances", [])
        first_words = 0.0
        if ch == "phone":
            has_r, has_s = "rings" in rec, "ring_seconds" in rec
            if has_r == has_s:
                p("a call needs rings or ring_seconds, not both")
            elif has_r:
                if not isinstance(rec["rings"], int) or rec["rings"] < 1:
                    p("rings must be a positive integer")
                else:
                    first_words = 5 * (rec["rings"] - 1)
            else:
                if not isinstance(rec["ring_seconds"], (int, float)) or rec["ring_seconds"] <= 0:
                    p("ring_seconds must be positive")
                else:
                    first_words = rec["ring_seconds"]
        else:
            if "rings" in rec or "ring_seconds" in rec:
                p("rings on a counter visit")
            if not utts:
                p("counter visit without utterances")
        prev_start = -1.0
        for k, u in enumerate(utts):
            if set(u) != {"speaker", "start", "end", "text"}:
                p(f"utterance {k} keys {sorted(u)}")
                continue
            if u["speaker"] not in ("staff", "citizen"):
                p(f"utterance {k} speaker {u['speaker']!r}")
            if not isinstance(u["text"], str) or not u["text"].strip() or "{" in u["text"]:
                p(f"utterance {k} bad text")
            if not (0 <= u["start"] < u["end"]):
                p(f"utterance {k} times {u['start']}..{u['end']}")
            if u["start"] < prev_start:
                p(f"utterance {k} starts before the previous one")
            if k == 0 and u["start"] < first_words:
                p("first words before the last ring")
            prev_start = u["start"]
        if ch == "phone" and utts and utts[0]["speaker"] != "staff":
            p("a call is opened by the staff")

        if i > len(labels):
            continue
        lab = labels[i - 1]
        q = lambda msg, rid=rid: out.append(f"{rid} label: {msg}")  # noqa: E731
        if lab.get("id") != rid:
            q(f"id {lab.get('id')!r} does not match")
        if set(lab) != LABEL_KEYS:
            q(f"keys {sorted(lab)}")
            continue
        if not isinstance(lab["note"], str) or not lab["note"].strip():
            q("empty note")
        arts: list[int] = []
        for b in lab["breaches"]:
            if set(b) != BREACH_KEYS:
                q(f"breach keys {sorted(b)}")
                continue
            a, quote, duty = b["article"], b["quote"], b["duty"]
            arts.append(a)
            if a not in SCORED:
                q(f"article {a} not scored")
                continue
            if b["speaker"] != "staff":
                q("breach speaker not staff")
            if not any(duty.startswith(pre) for pre in DUTIES[a]):
                q(f"art {a} duty {duty!r} has no known prefix")
            if quote:
                hits = [u for u in utts if quote in u["text"]]
                if len(hits) != 1:
                    q(f"quote {quote!r} in {len(hits)} utterances")
                elif hits[0]["speaker"] != "staff":
                    q(f"quote {quote!r} in a citizen utterance")
            elif not duty.startswith(ABSENCE):
                q(f"art {a}: empty quote but duty {duty!r} names no absence")
            if a == 7 and ch != "phone":
                q("Art. 7 breach on a counter visit")
            if a == 25 and t0 is not None and not _in_hours(t0) and duty.startswith("refused"):
                q("Art. 25 refusal outside service hours")
        if len(arts) != len(set(arts)):
            q("two breaches of one article")
        clean = lab["clean_articles"]
        if clean != sorted(set(clean)) or not set(clean) <= set(SCORED):
            q(f"clean_articles {clean}")
        if set(clean) & set(arts):
            q("an article both clean and breached")
        if ch == "counter" and 7 not in clean:
            q("Art. 7 does not apply to a counter visit: must be clean")
        if ch == "phone" and 8 not in clean:
            q("Art. 8 does not apply to a call: must be clean")
        if ch == "phone" and not utts and t0 is not None and not _in_hours(t0) and arts:
            q("a call unanswered outside hours breaches nothing")
    return out


def counts(interactions: list[dict], labels: list[dict]) -> dict:
    per_art = Counter(b["article"] for lab in labels for b in lab["breaches"])
    clean_per = Counter(a for lab in labels for a in lab["clean_articles"])
    nb = Counter(len(lab["breaches"]) for lab in labels)
    overlaps = 0
    for r in interactions:
        u = r["utterances"]
        overlaps += sum(1 for a, b in zip(u, u[1:], strict=False) if b["start"] < a["end"])
    return {
        "interactions": len(interactions),
        "counter": sum(r["channel"] == "counter" for r in interactions),
        "phone": sum(r["channel"] == "phone" for r in interactions),
        "unanswered calls": sum(r["channel"] == "phone" and not r["utterances"] for r in interactions),
        "ring_seconds calls": sum("ring_seconds" in r for r in interactions),
        "utterances": sum(len(r["utterances"]) for r in interactions),
        "overlapping starts": overlaps,
        "clean interactions": nb[0],
        "one breach": nb[1],
        "two breaches": nb[2],
        "breaches": sum(per_art.values()),
        "absences": sum(1 for lab in labels for b in lab["breaches"] if not b["quote"]),
        "paraphrased forbidden phrases": sum(
            1 for lab in labels for b in lab["breaches"] if "(paraphrase)" in b["duty"]),
        "forbidden phrases": sum(
            1 for lab in labels for b in lab["breaches"] if "forbidden phrase" in b["duty"]),
        "breaches per article": {a: per_art[a] for a in SCORED},
        "clean per article": {a: clean_per[a] for a in SCORED},
    }


def main() -> int:
    interactions = [json.loads(x) for x in (HERE / "interactions.jsonl").read_text(encoding="utf-8").splitlines() if x]
    labels = json.loads((HERE / "labels.json").read_text(encoding="utf-8"))
    problems = check(interactions, labels)
    for pr in problems:
        print("PROBLEM", pr)
    for k, v in counts(interactions, labels).items():
        print(f"{k}: {v}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
