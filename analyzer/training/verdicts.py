"""The inspectors' verdicts as labelled examples for the learned detectors (issue 30).

A finding an inspector confirmed or dismissed is a label on the halls' own
words, which no hand-written phrasing can match. Two learned detectors raise
findings of their own:

* the ``uncivil`` classifier (``A6-UNCIVIL``, kind ``uncivil``): a confirmed
  finding is an example of its sub-type (``detail.subtype``), a dismissed one
  an example of ``civil``;
* the ``acts`` detector's forbidden intents (a forbidden finding whose
  ``detail.method`` is ``paraphrase``): a confirmed finding is an example of
  the act its rule stands for (:data:`analyzer.rules.acts.PARAPHRASE_RULES`), a
  dismissed one an example without it.

:func:`verdict_examples` reads them (text only, masked with
:func:`analyzer.training.privacy.mask_text`: no names, numbers or places leave
the store), :func:`merge_data` writes a training data folder holding the
hand-written rows plus these, and :func:`record_share` writes into the
retrained model's card (``metadata.json``) how much of each task's data came
from verdicts. Each verdict is its own phrasing group, so the grouped
cross-validation never splits one verdict across folds, and all of them train
(the held-out test phrasings stay the hand-written ones, comparable across
models). ``conduct train verdicts`` runs the whole, ``conduct train gate``
(:func:`analyzer.batch.backtest.model_gate`) decides whether the result may go
live.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from analyzer.store import Store

#: Tasks verdicts can teach, and the training data file of each.
TASK_FILES: dict[str, str] = {"uncivil": "uncivil.jsonl", "acts": "acts.jsonl"}
#: The label of an utterance the uncivil classifier should have left alone.
CIVIL = "civil"


@dataclass(frozen=True)
class VerdictExample:
    """One verdict as a training row.

    Attributes:
        task: ``uncivil`` or ``acts``.
        text: The finding's words, masked.
        labels: The uncivil sub-type (or ``civil``); for ``acts``, the act
            performed (empty: a dismissed one, no act).
        finding_id: The finding the verdict is on.
        verdict: ``confirm`` or ``dismiss``.
    """

    task: str
    text: str
    labels: tuple[str, ...]
    finding_id: int
    verdict: str

    def row(self) -> dict[str, Any]:
        """The row in the task's training data format (one phrasing group per verdict)."""
        group = f"verdict-{self.finding_id}"
        base = {"id": f"{group}-01", "text": self.text, "template": group, "source": "verdict",
                "verdict": self.verdict}
        if self.task == "acts":
            return {**base, "acts": list(self.labels), "parts": [group], "noise": [],
                    "split": "train"}
        return {**base, "label": self.labels[0], "noise": [], "uncivil": self.labels[0] != CIVIL}


def verdict_examples(store: Store, *, since: str = "", until: str = "") -> list[VerdictExample]:
    """The learned detectors' findings with a verdict, as labelled examples (masked).

    Args:
        store: The results database.
        since: First day (``YYYY-MM-DD``) of the interactions read ("" : from the first).
        until: Last day ("" : to the last).
    """
    from analyzer.rules.acts import PARAPHRASE_RULES
    from analyzer.training.privacy import mask_text

    act_of = {rule: act for act, rule in PARAPHRASE_RULES.items()}
    rows = store.db.query(
        "SELECT f.id, f.kind, f.rule, f.evidence, f.detail_json, f.verdict FROM findings f "
        "JOIN interactions i ON i.id = f.interaction_pk "
        "WHERE f.verdict IN ('confirm', 'dismiss') AND i.day BETWEEN ? AND ? "
        "AND (f.kind = 'uncivil' OR (f.kind = 'forbidden' "
        "AND json_extract(f.detail_json, '$.method') = 'paraphrase')) ORDER BY f.id",
        (since or "0000-00-00", until or "9999-99-99"))
    out = []
    for fid, kind, rule, evidence, detail_json, verdict in rows:
        detail = json.loads(detail_json or "{}")
        text = mask_text(str(evidence))
        if kind == "uncivil":
            label = str(detail.get("subtype") or "") if verdict == "confirm" else CIVIL
            if label:
                out.append(VerdictExample("uncivil", text, (label,), int(fid), str(verdict)))
        elif rule in act_of:
            acts = (act_of[rule],) if verdict == "confirm" else ()
            out.append(VerdictExample("acts", text, acts, int(fid), str(verdict)))
    return out


def merge_data(data_dir: Path, out_dir: Path, examples: Sequence[VerdictExample]
               ) -> dict[str, dict[str, Any]]:
    """A training data folder: ``data_dir``'s files, the verdicts' rows appended.

    Returns, per task that got rows, the counts :func:`record_share` records.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    for path in data_dir.iterdir():
        if path.is_file():
            shutil.copyfile(path, out_dir / path.name)
    shares: dict[str, dict[str, Any]] = {}
    for task, name in TASK_FILES.items():
        mine = [e for e in examples if e.task == task]
        if not mine:
            continue
        target = out_dir / name
        before = sum(1 for line in target.read_text("utf-8").splitlines() if line.strip())
        with target.open("a", encoding="utf-8") as fh:
            for e in mine:
                fh.write(json.dumps(e.row(), ensure_ascii=False) + "\n")
        shares[task] = {"rows": len(mine), "of_rows": before + len(mine),
                        "share": round(len(mine) / (before + len(mine)), 4),
                        "confirmed": sum(e.verdict == "confirm" for e in mine),
                        "dismissed": sum(e.verdict == "dismiss" for e in mine)}
    return shares


def record_share(model_dir: Path, shares: dict[str, dict[str, Any]], source: str) -> None:
    """Write each retrained task's share of verdict data into the model card (``metadata.json``)."""
    path = model_dir / "metadata.json"
    meta = json.loads(path.read_text("utf-8"))
    for task, share in shares.items():
        if task in meta:
            meta[task]["verdicts"] = {**share, "source": source}
    path.write_text(json.dumps(meta, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def tasks_of(examples: Iterable[VerdictExample]) -> list[str]:
    """The tasks that have verdict rows, in training order."""
    have = {e.task for e in examples}
    return [t for t in TASK_FILES if t in have]
