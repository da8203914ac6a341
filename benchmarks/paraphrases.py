"""The act detector and the Chapter 3 rules on blind-written paraphrase corpora.

``benchmarks/data/paraphrases-1`` (forbidden intents ``f_*``, their near-misses
``near_*`` and ``none`` lines full of risky words) and ``paraphrases-2`` (the
owed functions and their near-misses) were written by colleagues who never saw
the act detector's phrasings, lexicon or rules: a measure of how the detector
carries to wording nobody here wrote. Two readings per line:

* **model**: the act detector as the analyzer reads it (model, thresholds and
  concept gates: :func:`analyzer.rules.acts.heard_acts`), no lexicon. For an
  act's own lines, recall; for its near-misses (``near_<act>``), how often the
  act fires; for ``none``, how often any forbidden intent fires.
* **end-to-end**: the line as a staff turn in a minimal interaction, analysed
  by :func:`analyzer.analyze` with the default options (lexicon, detector,
  rules, the learned judge), as ``benchmarks/articles.py`` scores. A forbidden
  line counts when its forbidden rule (``A8-F-01`` …) is found on that turn (overlapping it); a
  near-miss or ``none`` line is a false alarm when any forbidden finding is on
  it. An owed line counts when its missing-phrase finding (``A8-G-GREETING`` …)
  is not reported; a near-miss of it when it is. An owed line is scored only
  where the frame owes the phrase: the same interaction with the line replaced
  by ``嗯。`` must report it missing (``owed`` column; a praise the cue model does
  not hear owes no thanks, and says nothing about the thanks).

Each corpus is split per label by :func:`analyzer.training.classifiers.acts.corpus_split`
(seeded, 40 % held out by id): the ``held-out`` columns are lines the act detector
never trains on; ``all`` is every line (the first measure, before any was
trained on, is ``all``).

Usage::

    .venv/bin/python benchmarks/paraphrases.py [--out benchmarks/results/paraphrases.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from page import run_with_page  # noqa: E402

import analyzer  # noqa: E402
from analyzer.options import AnalyzerOptions  # noqa: E402
from analyzer.rules.acts import OWED_ACTS, PARAPHRASE_RULES, heard_acts  # noqa: E402
from analyzer.training.classifiers import acts as A  # noqa: E402

#: Owed act -> its missing-phrase rule.
OWED_RULE = {act: group for group, acts in OWED_ACTS.items() for act in acts if group != "A10-G-UPSET"}
OWED_RULE["calm"] = "A10-G-UPSET"
GREET = ("staff", "您好，请问您办什么业务？")
PHONE_GREET = ("staff", "您好，这里是市政务服务大厅综合窗口，请讲。")
EVAL = ("staff", "请您为我的服务做出评价，谢谢。")
BYE = ("staff", "您慢走，再见。")
ASK = ("citizen", "同志，我想问一下这个怎么办。")
#: The filler that replaces an owed line in the control run (it owes, so the phrase is missing).
FILLER = "嗯。"
#: Materials turned away for (the frame of the apology and the list).
TURNED_AWAY = ("staff", "您这缺一份租房合同，今天办不了。")


def visit(turns: Sequence[tuple[str, str]], channel: str, ident: str = "para") -> dict[str, Any]:
    """The smallest typed visit of ``turns`` (speaker, text), timed at 4.5 characters a second."""
    utts, t = [], 0.0
    for speaker, text in turns:
        t += 0.6
        end = t + max(0.8, len(text) / 4.5)
        utts.append({"speaker": speaker, "start": round(t, 2), "end": round(end, 2), "text": text})
        t = end
    return {"id": ident, "channel": channel, "started_at": "2026-11-04T10:00:00+08:00",
            "utterances": utts}


def forbidden_frame(row: dict[str, Any]) -> tuple[list[tuple[str, str]], int]:
    """A visit with the line as the clerk's reply to a question; the line's index."""
    before = ("citizen", row["before"]) if row.get("before") else ASK
    opening = PHONE_GREET if row["channel"] == "phone" else GREET
    return [opening, before, ("staff", row["text"]), ("citizen", "哦。"), EVAL, BYE], 2


def owed_frame(act: str, row: dict[str, Any], text: str) -> tuple[list[tuple[str, str]], int]:
    """A visit where ``act`` is owed and ``text`` is the clerk's turn that should fulfil it."""
    before = [("citizen", row["before"])] if row.get("before") else []
    line = ("staff", text)
    if act == "greeting":
        turns = [*before, line, ("citizen", "我来办居住证。"), ("staff", "好的，材料给我看一下。"), EVAL, BYE]
    elif act == "phone_intro":
        turns = [*before, line, ("citizen", "我问一下居住证怎么办。"), ("staff", "带身份证和租房合同来就行。"),
                 ("staff", "请您对我的服务做个评价，再见。")]
    elif act == "evaluate":
        turns = [GREET, ("citizen", "我来交医保。"), ("staff", "好了，交上了。"), *before, line, BYE]
    elif act == "goodbye":
        turns = [GREET, ("citizen", "我来交医保。"), ("staff", "好了，交上了。"), EVAL, *before, line]
    elif act in ("apology", "material_list"):
        turns = [GREET, ("citizen", "我来办居住证，材料都在这儿。"), TURNED_AWAY,
                 *(before or [("citizen", "啊？那怎么办？")]), line, ("citizen", "好吧。"), EVAL, BYE]
    else:  # thanks for praise or a suggestion, calming: the citizen's turn is before the line
        turns = [GREET, ("citizen", "我来取证。"), ("staff", "好了，证给您。"),
                 *(before or [("citizen", "你们这办事太慢了！")]), line, EVAL, BYE]
    return turns, turns.index(line)


def _findings_on(turns: Sequence[tuple[str, str]], at: int, channel: str,
                 options: AnalyzerOptions) -> tuple[set[str], set[str]]:
    """(rules found on turn ``at``, forbidden rules on it) and every rule of the visit."""
    record = visit(turns, channel)
    report = analyzer.analyze(record, options)
    u = record["utterances"][at]
    # on the turn: overlapping it (a lexicon hit covers only its own words, 记性真差 inside
    # 一转眼就忘，你这记性真差 — session 7 counted only findings spanning the whole turn)
    on = {f.rule for f in report.findings if f.kind == "forbidden" and f.start is not None
          and f.start < u["end"] - 1e-6 and (f.end if f.end is not None else f.start) > u["start"] + 1e-6}
    return on, {f.rule for f in report.findings}


def measure(name: str, options: AnalyzerOptions,
            progress: Callable[[str], None] = lambda s: None) -> dict[str, Any]:
    """Per label of one corpus: counts of model and end-to-end outcomes, all and held out."""
    rows = A.corpus(name)
    held = A.corpus_split(rows)
    heard = heard_acts([r["text"] for r in rows], options) or [{} for _ in rows]
    out: dict[str, dict[str, int]] = {}
    for k, (row, acts) in enumerate(zip(rows, heard, strict=True)):
        label = row["act"]
        target = label.removeprefix(A.NEAR)
        stats = out.setdefault(label, {})
        split = ("all", "held") if row["id"] in held else ("all",)
        if label in PARAPHRASE_RULES or label == A.CORPUS_NONE or target_f(target) in PARAPHRASE_RULES:
            model = label.startswith("f_") and label in acts or label == A.CORPUS_NONE and any(
                a in acts for a in PARAPHRASE_RULES) or label.startswith(A.NEAR) and target_f(target) in acts
            turns, at = forbidden_frame(row)
            on, _ = _findings_on(turns, at, row["channel"], options)
            e2e = PARAPHRASE_RULES[label] in on if label.startswith("f_") else bool(on)
            owed = True
        else:
            model = target in acts
            turns, at = owed_frame(target, row, row["text"])
            _, rules = _findings_on(turns, at, row["channel"], options)
            control, _ = owed_frame(target, row, FILLER)
            _, base = _findings_on(control, at, row["channel"], options)
            owed = OWED_RULE[target] in base
            missing = OWED_RULE[target] in rules
            e2e = missing if label.startswith(A.NEAR) else not missing
        for s in split:
            for key, flag in ((f"{s}_n", True), (f"{s}_model", model), (f"{s}_owed", owed),
                              (f"{s}_e2e", e2e and owed)):
                stats[key] = stats.get(key, 0) + int(flag)
        if k % 100 == 0:
            progress(f"{name}: {k}/{len(rows)}")
    return {"labels": out, "n": len(rows), "held_out": len(held)}


def target_f(target: str) -> str:
    """The forbidden intent a near-miss label is near (``near_busy`` -> ``f_busy``)."""
    return f"f_{target}"


def _rate(stats: dict[str, int], split: str, key: str, over: str = "n") -> str:
    n = stats.get(f"{split}_{over}", 0)
    return f"{stats.get(f'{split}_{key}', 0) / n:.2f}" if n else "-"


def table(name: str, result: dict[str, Any]) -> list[str]:
    """The printed table of one corpus.

    ``model``: share of the lines where the act (a near-miss: its act; ``none``: any forbidden
    intent) is heard. ``owed``: lines whose frame owes the phrase (forbidden: all). ``e2e``, of
    those: a forbidden line found as its rule, a forbidden near-miss or ``none`` line flagged as
    any forbidden rule (a false alarm), an owed line not reported missing, an owed near-miss
    reported missing (right).
    """
    lines = [f"{name} ({result['n']} lines, {result['held_out']} held out)",
             f"{'label':<22} {'n':>4} {'model':>6} {'owed':>5} {'e2e':>6} | {'n':>4} {'model':>6} "
             f"{'owed':>5} {'e2e':>6}   (all | held-out)"]
    for label in sorted(result["labels"], key=lambda x: (x.startswith(A.NEAR), x == A.CORPUS_NONE, x)):
        st = result["labels"][label]
        cells = []
        for s in ("all", "held"):
            cells.append(f"{st.get(f'{s}_n', 0):>4} {_rate(st, s, 'model'):>6} {st.get(f'{s}_owed', 0):>5} "
                         f"{_rate(st, s, 'e2e', 'owed'):>6}")
        lines.append(f"{label:<22} " + " | ".join(cells))
    return lines


def summary(result: dict[str, Any], forbidden: bool) -> dict[str, Any]:
    """Pooled figures: recall of the acts, false-alarm rate on near-misses, precision on this mix."""
    out: dict[str, Any] = {}
    for s in ("all", "held"):
        pos = [st for lab, st in result["labels"].items() if not lab.startswith(A.NEAR) and lab != A.CORPUS_NONE]
        neg = [st for lab, st in result["labels"].items() if lab.startswith(A.NEAR) or lab == A.CORPUS_NONE]
        for how in ("model", "e2e"):
            over = "n" if how == "model" else "owed"
            tp = sum(st.get(f"{s}_{how}", 0) for st in pos)
            n_pos = sum(st.get(f"{s}_{over}", 0) for st in pos)
            fp = sum(st.get(f"{s}_{how}", 0) for st in neg)
            n_neg = sum(st.get(f"{s}_{over}", 0) for st in neg)
            if not forbidden and how == "e2e":
                # an owed near-miss "fires" when its phrase is reported missing: the detector's
                # false alarm is the near-miss NOT reported missing
                fp = n_neg - fp
            out[f"{s}_{how}"] = {"recall": round(tp / n_pos, 3) if n_pos else None,
                                 "false_alarm_rate": round(fp / n_neg, 3) if n_neg else None,
                                 "precision_on_mix": round(tp / (tp + fp), 3) if tp + fp else None,
                                 "positives": n_pos, "negatives": n_neg}
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "paraphrases.json")
    ap.add_argument("--corpus", action="append", help="corpus name (default: both)")
    args = ap.parse_args()
    options = AnalyzerOptions()
    results = {}
    for name in args.corpus or A.CORPORA:
        result = measure(name, options, progress=lambda s: print(s, file=sys.stderr))
        result["summary"] = summary(result, forbidden=name == "paraphrases-1")
        results[name] = result
        print("\n".join(table(name, result)))
        for key, val in result["summary"].items():
            print(f"  {key:<11} recall {val['recall']}  false alarms {val['false_alarm_rate']} "
                  f"(of {val['negatives']})  precision on this mix {val['precision_on_mix']}")
        print()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(run_with_page("paraphrases", "Paraphrase corpora (blind-written)", main))
