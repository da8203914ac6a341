"""Expand the hand-written phrasings into the labelled data sets.

Systematic variation, all seeded (the output is byte-for-byte reproducible):

* slots: ``{ni}``, ``{biz}``, ``{mat}``... filled from ``phrasings.SLOTS``;
* politeness markers: polite lead-ins on any class, impatient lead-ins on
  uncivil staff phrasings only, sentence-final particles added;
* recognition errors of the kind Whisper makes: homophone swaps (same pinyin
  with tone, via pypinyin, among the characters the phrasings use),
  traditional characters (OpenCC ``s2t``), dropped punctuation, dropped
  particles.

Run ``python -m analyzer.training.classifiers.build_data`` to rewrite
``data/uncivil.jsonl``, ``data/cues.jsonl``, ``data/roles.jsonl`` and
``data/acts.jsonl`` (the multi-label staff acts of
:mod:`analyzer.training.classifiers.acts`: the training phrasings' rows, then
the held-out phrasings' rows, each marked by ``split``).
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from analyzer.resources import data_path
from analyzer.training.classifiers import phrasings as P
from analyzer.training.classifiers.noise import recognition_noise

DATA_DIR = data_path("models", "classifiers", "data")
#: Variants generated per phrasing (fewer when the slots allow fewer).
VARIANTS_PER_PHRASING = 14
SEED = 20231
_SLOT = re.compile(r"\{(\w+)\}")


def _fill(template: str, rng: random.Random) -> str:
    return _SLOT.sub(lambda m: rng.choice(P.SLOTS[m.group(1)]), template)


def _mark(text: str, side: str, uncivil: bool, rng: random.Random) -> str:
    """Add politeness markers: lead-ins and particles."""
    r = rng.random()
    if r < 0.25:
        text = rng.choice(P.POLITE_LEADS[side]) + text
    elif uncivil and r < 0.5:
        text = rng.choice(P.IMPATIENT_LEADS) + text
    if rng.random() < 0.2 and text[-1] not in P.PARTICLES:
        text += rng.choice(P.PARTICLES)
    return text


def expand(task: str, variants: int = VARIANTS_PER_PHRASING) -> list[dict[str, Any]]:
    """Generate the rows of one task (``uncivil`` or ``cues``).

    Args:
        task: A key of :data:`analyzer.training.classifiers.phrasings.TASKS`.
        variants: Distinct variants wanted per phrasing.

    Returns:
        Rows ``{"id", "text", "label", "template", "source", "noise"}`` (and
        ``"uncivil"`` for the staff task), in a fixed order.
    """
    side = P.SIDES[task]
    rows: list[dict[str, Any]] = []
    for label, phrs in P.TASKS[task].items():
        uncivil = task == "uncivil" and label != "civil"
        for tid, template in phrs.items():
            rng = random.Random(f"{SEED}:{task}:{tid}")
            for n, (text, noise) in enumerate(_variants(template, side, uncivil, rng, variants), 1):
                row: dict[str, Any] = {
                    "id": f"{tid}-{n:02d}",
                    "text": text,
                    "label": label,
                    "template": tid,
                    "source": "seed" if tid in P.SEED_IDS else "hall",
                    "noise": noise,
                }
                if task == "uncivil":
                    row["uncivil"] = uncivil
                rows.append(row)
    return rows


def _variants(template: str, side: str, uncivil: bool, rng: random.Random, variants: int
              ) -> Iterator[tuple[str, list[str]]]:
    """Up to ``variants`` distinct variants of one phrasing: slots, markers, recognition noise."""
    seen: set[str] = set()
    for _ in itertools.repeat(None, variants * 6):
        if len(seen) >= variants:
            break
        text, noise = recognition_noise(_mark(_fill(template, rng), side, uncivil, rng), rng)
        if text in seen:
            continue
        seen.add(text)
        yield text, noise


def roles(rows_by_task: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """The rows of the ``roles`` task: every staff and citizen row, labelled by side.

    The staff side is every ``uncivil`` row (civil or not: clerks say both), the
    citizen side every ``cues`` row; a phrasing keeps its id, prefixed by its
    task, so the held-out split stays by phrasing.
    """
    out = []
    for task, rows in rows_by_task.items():
        for row in rows:
            out.append({"id": f"{task}:{row['id']}", "text": row["text"],
                        "label": P.SIDES[task], "template": f"{task}:{row['template']}",
                        "source": row["source"], "noise": row["noise"]})
    return out


def _write_rows(path: Path, rows: list[dict[str, Any]]) -> None:
    with path.open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write(out_dir: Path = DATA_DIR) -> dict[str, Path]:
    """Write ``uncivil.jsonl``, ``cues.jsonl`` and ``roles.jsonl`` (with the roles'
    paraphrases, relabelled from the other two's); return their paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {}
    expanded = {task: expand(task) for task in P.TASKS}
    for task, rows in expanded.items():
        paths[task] = out_dir / f"{task}.jsonl"
        _write_rows(paths[task], [*rows, *more_rows(task)])
    paths["roles"] = out_dir / "roles.jsonl"
    _write_rows(paths["roles"], roles(expanded))
    paraphrases = {task: _read_rows(out_dir / f"{task}_paraphrases.jsonl") for task in P.TASKS}
    _write_rows(out_dir / "roles_paraphrases.jsonl", roles(paraphrases))
    paths["acts"] = out_dir / "acts.jsonl"
    _write_rows(paths["acts"], acts_rows())
    return paths


def more_rows(task: str) -> list[dict[str, Any]]:
    """Rows added to a task beyond its own phrasings (not to the roles rows).

    ``uncivil``: civil staff speech and forbidden intents from the act
    phrasings' training side (:func:`analyzer.training.classifiers.acts.uncivil_rows`);
    ``cues``: the citizen phrasings of ``phrasings/cues-more.toml``.
    """
    if task == "uncivil":
        from analyzer.training.classifiers import acts

        return acts.uncivil_rows()
    if task != "cues":
        return []
    rows = []
    for label, phrs in P.read("cues-more.toml").items():
        for tid, template in phrs.items():
            rng = random.Random(f"{SEED}:more:{tid}")
            for n, (text, noise) in enumerate(
                    _variants(template, "citizen", False, rng, VARIANTS_PER_PHRASING), 1):
                rows.append({"id": f"more:{tid}-{n:02d}", "text": text, "label": label,
                             "template": f"more:{tid}", "source": "more", "noise": noise})
    return rows + [row for turn in citizen_turns() for row in _turn_rows(*turn)]


#: Variants generated per hand-written citizen turn (:func:`citizen_turns`): recognition noise
#: and lead-ins only, the words stay the writer's.
TURN_VARIANTS = 6
#: The blind-written training corpora of citizen turns (``benchmarks/data/<name>/utterances.jsonl``,
#: lines ``{"id", "text", "before", "channel", "cue", "family", "note"}``; ``cue`` ``none`` is
#: ``other``). Training material: read and trained on whole.
TURN_CORPORA: tuple[str, ...] = ("citizen-turns-1",)
#: The paraphrase corpus whose owed replies' ``before`` lines are citizen cues, and the cue each
#: act answers: the training part only (:func:`analyzer.training.classifiers.acts.corpus_split`'s
#: held-out 40 % is ``benchmarks/paraphrases.py``'s measure).
REPLY_CUES: dict[str, str] = {"thank_praise": "praise", "thank_suggestion": "suggestion",
                              "calm": "upset"}
REPLY_CORPUS = "paraphrases-2"


def citizen_turns() -> list[tuple[str, str, str, str, str]]:
    """Hand-written citizen turns with their staff turn before: ``(id, text, before, label, source)``.

    Our own (``phrasings/cues-turns.toml``: one table per label, each entry ``[text, before]``;
    ``other_short`` is ``other``),
    the blind-written :data:`TURN_CORPORA`, and the cue lines before the owed replies of
    :data:`REPLY_CORPUS`'s training part (:data:`REPLY_CUES`).
    """
    from analyzer.training.classifiers import acts

    out = [(f"turn:{tid}", *entry, label.removesuffix("_short"), "turns")
           for label, entries in P.read("cues-turns.toml").items() for tid, entry in entries.items()]
    for name in TURN_CORPORA:
        path = acts.CORPUS_DIR / name / "utterances.jsonl"
        with path.open(encoding="utf-8") as fh:
            for line in fh:
                if line.strip():
                    r = json.loads(line)
                    label = "other" if r["cue"] == "none" else r["cue"]
                    out.append((f"{name}:{r['id']}", r["text"], r["before"], label, name))
    rows = acts.corpus(REPLY_CORPUS)
    held = acts.corpus_split(rows)
    for r in rows:
        if r["act"] in REPLY_CUES and r["id"] not in held and r.get("before"):
            out.append((f"{REPLY_CORPUS}:{r['id']}", r["before"], "", REPLY_CUES[r["act"]],
                        REPLY_CORPUS))
    return out


def _turn_rows(tid: str, text: str, before: str, label: str, source: str) -> list[dict[str, Any]]:
    """The rows of one hand-written citizen turn: itself, then noisy variants, each with ``before``."""
    rng = random.Random(f"{SEED}:{tid}")
    rows = [{"id": f"{tid}-00", "text": text, "before": before, "label": label, "template": tid,
             "source": source, "noise": []}]
    for n, (variant, noise) in enumerate(_variants(text, "citizen", False, rng, TURN_VARIANTS), 1):
        if variant != text:
            rows.append({"id": f"{tid}-{n:02d}", "text": variant, "before": before, "label": label,
                         "template": tid, "source": source, "noise": noise})
    return rows


def acts_rows() -> list[dict[str, Any]]:
    """The ``acts`` rows: training phrasings (``split`` ``train``), then held-out ones (``test``)."""
    from analyzer.training.classifiers import acts

    return [{**row, "split": name} for name, held in (("train", False), ("test", True))
            for row in acts.expand(held)]


def _read_rows(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh if line.strip()]
    for i, row in enumerate(rows):  # hand-written paraphrases carry no phrasing or noise
        row.setdefault("id", f"para-{i:03d}")
        row.setdefault("template", row["id"])
        row.setdefault("source", "paraphrase")
        row.setdefault("noise", [])
    return rows


if __name__ == "__main__":
    for task, path in write().items():
        n = sum(1 for _ in path.open(encoding="utf-8"))
        print(f"{task}: {n} rows -> {path}")
