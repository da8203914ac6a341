"""Backtest before a rule change: the stored interactions analysed again under new rules.

``conduct lexicon backtest --db results.sqlite --lexicon new.toml [--template
new-scoring.toml]`` takes every stored interaction's own transcript (and what
only its audio gave: rings, acoustic findings; no recognition) through the
one analysis core (:func:`analyzer.pipeline.rescore`) with the new lexicon and
template, and compares with what is stored:

* findings that appear and disappear (a finding is its rule and start time,
  the identity the store re-attaches verdicts by);
* against the inspectors' verdicts: confirmed findings that would vanish
  (the change loses true breaches) and dismissed ones that would stay (it
  keeps false alarms), and dismissed ones it removes;
* score and grade changes;
* 红黑榜 places that change: the new results are written to a private copy of
  the store (the batch's own write path, :func:`analyzer.persist.persist`,
  verdicts re-attached) and the month's lists of both are compared.

Nothing is written to the store unless ``apply``: then each changed
interaction is re-scored in place and its old findings, score and grade are
kept in the audit trail (entity ``interaction``, action ``backtest``).
"""

from __future__ import annotations

import json
import multiprocessing
import sqlite3
import sys
import tempfile
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analyzer.options import AnalyzerOptions
from analyzer.persist import persist
from analyzer.pipeline import rescore
from analyzer.pipeline.result import AnalysisKey, AnalysisResult, AudioResults
from analyzer.rules.score import ScoringTemplate
from analyzer.store import Store, interaction_from_dict, now
from analyzer.store.periods import Period
from analyzer.store.ranking import build_ranking
from analyzer.text.lexicon import Lexicon

#: A finding's identity across analyses: (rule, start rounded to 10 ms).
FindingKey = tuple[str, float | None]


def finding_key(rule: str, start: float | None) -> FindingKey:
    """The identity the store re-attaches verdicts by: the rule and the start time."""
    return rule, None if start is None else round(float(start), 2)


@dataclass
class Change:
    """One interaction whose findings, score or grade the new rules change."""

    pk: int
    interaction_id: str
    appeared: list[FindingKey]
    disappeared: list[FindingKey]
    score: tuple[int, int]
    grade: tuple[str, str]
    confirmed_lost: list[FindingKey] = field(default_factory=list)
    dismissed_kept: list[FindingKey] = field(default_factory=list)
    dismissed_removed: list[FindingKey] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.__dict__.items()}


@dataclass
class Backtest:
    """What the new rules would change (see the module docstring)."""

    db: str
    lexicon_version: tuple[str, str]
    interactions: int = 0
    changes: list[Change] = field(default_factory=list)
    dismissed_kept: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)
    #: per list and group: (key, old rank or None, new rank or None) for places that moved
    ranking: list[tuple[str, str, str, int | None, int | None]] = field(default_factory=list)
    period: str = ""
    applied: bool = False

    @property
    def appeared(self) -> int:
        """Findings the new rules add."""
        return sum(len(c.appeared) for c in self.changes)

    @property
    def disappeared(self) -> int:
        """Findings the new rules drop."""
        return sum(len(c.disappeared) for c in self.changes)

    @property
    def confirmed_lost(self) -> int:
        """Confirmed findings that would vanish."""
        return sum(len(c.confirmed_lost) for c in self.changes)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"db": self.db, "lexicon_version": {"old": self.lexicon_version[0],
                                                   "new": self.lexicon_version[1]},
                "interactions": self.interactions, "appeared": self.appeared,
                "disappeared": self.disappeared, "confirmed_lost": self.confirmed_lost,
                "dismissed_kept": self.dismissed_kept,
                "grade_changes": sum(c.grade[0] != c.grade[1] for c in self.changes),
                "period": self.period, "applied": self.applied,
                "ranking": [{"list": w, "group": g, "key": k, "old": a, "new": b}
                            for w, g, k, a, b in self.ranking],
                "errors": [{"pk": pk, "message": m} for pk, m in self.errors],
                "changes": [c.to_dict() for c in self.changes]}


Progress = Callable[[int, int], None]


#: Interactions per chunk a worker process re-analyses.
CHUNK = 64
#: One stored interaction as a worker needs it: (pk, input, audio results, content hash,
#: model, source path).
Item = tuple[int, Any, Any, str, str, str]
#: A worker's answer for one interaction: its result, or the error's text.
Outcome = tuple[int, AnalysisResult | str]


def rescore_items(items: list[Item], options: AnalyzerOptions) -> list[Outcome]:
    """Re-analyse stored interactions with ``options`` (in this process or a pool's)."""
    from analyzer.pipeline import get_lexicon

    lexicon = get_lexicon(options)  # loaded once per process
    out: list[Outcome] = []
    for pk, data, audio, content_hash, model, path in items:
        try:
            out.append((pk, rescore(interaction_from_dict(data), AudioResults.from_dict(audio),
                                    options, lexicon=lexicon,
                                    key=AnalysisKey(content_hash, model, lexicon.version),
                                    path=path)))
        except Exception as exc:  # noqa: BLE001 - one bad interaction is reported, not fatal
            out.append((pk, f"{type(exc).__name__}: {exc}"))
    return out


def _outcomes(items: list[Item], options: AnalyzerOptions, workers: int) -> Iterator[Outcome]:
    """Each item's outcome, in the driver or on ``workers`` processes (chunks, as they finish)."""
    if workers <= 1 or len(items) < 2 * CHUNK:
        for k in range(0, len(items), CHUNK):
            yield from rescore_items(items[k:k + CHUNK], options)
        return
    context = multiprocessing.get_context("spawn")  # no forked model sessions
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        futures = [pool.submit(rescore_items, items[k:k + CHUNK], options)
                   for k in range(0, len(items), CHUNK)]
        for future in as_completed(futures):
            yield from future.result()


def run_backtest(store: Store, options: AnalyzerOptions, lexicon: Lexicon,
                 template: ScoringTemplate, *, period: Period | None = None,
                 apply: bool = False, progress: Progress | None = None,
                 workers: int = 1) -> Backtest:
    """Analyse every stored interaction again under ``options``/``lexicon`` and compare.

    Args:
        store: The results database (opened writable only when ``apply``).
        options: The analysis options with the new lexicon and template.
        lexicon: The new lexicon (``analyzer.pipeline.get_lexicon(options)``).
        template: The new scoring template (for the 红黑榜 comparison).
        period: The 红黑榜's period to compare (None: no comparison).
        apply: Re-score the changed interactions in the store itself.
        progress: Called with (done, total) after each interaction.
        workers: Processes re-analysing (1: in this process).
    """
    rows = {int(r[0]): r for r in store.db.query(
        "SELECT id, interaction_id, input_json, audio_json, content_hash, model, source_path, "
        "auto_score, auto_grade, score, grade, lexicon_version FROM interactions ORDER BY id")}
    old: dict[int, dict[FindingKey, str | None]] = {pk: {} for pk in rows}
    for f in store.db.query("SELECT interaction_pk, rule, start, verdict FROM findings "
                            "ORDER BY interaction_pk, idx"):
        old[int(f[0])][finding_key(str(f[1]), f[2])] = f[3]
    last = max(rows) if rows else None
    out = Backtest(store.path, (str(rows[last]["lexicon_version"]) if last else "",
                                lexicon.version), interactions=len(rows))
    items: list[Item] = [(pk, json.loads(r["input_json"]), json.loads(r["audio_json"]),
                          str(r["content_hash"]), str(r["model"]), str(r["source_path"]))
                         for pk, r in rows.items()]
    results = []
    for n, (pk, outcome) in enumerate(_outcomes(items, options, workers), 1):
        if progress:
            progress(n, len(items))
        if isinstance(outcome, str):
            out.errors.append((pk, outcome))
            continue
        change = _compare(pk, rows[pk], old[pk], outcome)
        if change is not None:
            out.dismissed_kept += len(change.dismissed_kept)
            out.changes.append(change)
            results.append((pk, rows[pk], outcome))
        else:
            out.dismissed_kept += sum(old[pk].get(finding_key(f.rule, f.start)) == "dismiss"
                                      for f in outcome.report.findings)
    out.changes.sort(key=lambda c: c.pk)
    out.errors.sort()
    if period is not None:
        out.period = period.label
        out.ranking = _ranking_moves(store, results, lexicon, template, period)
    if apply:
        for pk, row, result in sorted(results, key=lambda t: t[0]):
            _apply(store, pk, row, result, lexicon)
        out.applied = True
    return out


def _compare(pk: int, row: Any, old: dict[FindingKey, str | None], result: AnalysisResult
             ) -> Change | None:
    """What changed for one interaction (None: nothing)."""
    new = {finding_key(f.rule, f.start) for f in result.report.findings}
    appeared = sorted(new - old.keys(), key=str)
    gone = sorted(old.keys() - new, key=str)
    score = (int(row["auto_score"]), int(result.report.score))
    grade = (str(row["auto_grade"]), str(result.report.grade))
    if not (appeared or gone or score[0] != score[1] or grade[0] != grade[1]):
        return None
    return Change(pk, str(row["interaction_id"]), appeared, gone, score, grade,
                  [k for k in gone if old[k] == "confirm"],
                  sorted((k for k in new if old.get(k) == "dismiss"), key=str),
                  [k for k in gone if old[k] == "dismiss"])


def _apply(store: Store, pk: int, row: Any, result: Any, lexicon: Lexicon) -> None:
    """Re-score one interaction in place, its old results kept in the audit trail."""
    before = {"score": row["score"], "grade": row["grade"], "auto_score": row["auto_score"],
              "lexicon_version": row["lexicon_version"],
              "findings": [[f["rule"], f["start"], f["verdict"]] for f in store.findings(pk)]}
    persist(store, result, lexicon=lexicon)
    after = store.interaction(pk)
    entry = (now(), "backtest", pk, json.dumps(before, ensure_ascii=False),
             json.dumps({"score": after["score"], "grade": after["grade"],
                         "auto_score": after["auto_score"],
                         "lexicon_version": after["lexicon_version"]}, ensure_ascii=False))
    store.db.write(lambda db: db.execute(
        "INSERT INTO audit (at, user, entity, entity_id, action, before_json, after_json) "
        "VALUES (?, ?, 'interaction', ?, 'backtest', ?, ?)", entry))


def _ranking_moves(store: Store, results: list[Any], lexicon: Lexicon,
                   template: ScoringTemplate, period: Period
                   ) -> list[tuple[str, str, str, int | None, int | None]]:
    """The 红黑榜 places that differ between the store and a copy holding the new results."""
    with tempfile.TemporaryDirectory(prefix="conduct-backtest-") as folder:
        copy = Path(folder) / "results.sqlite"
        src, dst = sqlite3.connect(store.path), sqlite3.connect(copy)
        src.backup(dst)
        src.close()
        dst.close()
        before = build_ranking(store, period, template, names=False)
        with Store(copy) as shadow:
            for _pk, _row, result in results:
                persist(shadow, result, lexicon=lexicon)
            after = build_ranking(shadow, period, template, names=False)
    moves = []
    for which, groups in after.lists.items():
        for group, entries in groups.items():
            old = {e.result.key: e.rank for e in before.lists[which][group]}
            new = {e.result.key: e.rank for e in entries}
            for key in sorted(old.keys() | new.keys()):
                if old.get(key) != new.get(key):
                    moves.append((which, group, key, old.get(key), new.get(key)))
    return moves


def line_progress(desc: str = "backtest") -> Progress:
    """A progress bar on a terminal, whole lines otherwise (the batch's)."""
    from analyzer.batch.runner import LineProgress

    state: dict[str, Any] = {}

    def update(done: int, total: int) -> None:
        if "bar" not in state:
            if sys.stderr.isatty():
                from tqdm import tqdm

                state["bar"] = tqdm(total=total, unit="item", file=sys.stderr, desc=desc)
            else:
                state["bar"] = LineProgress(total, desc)
        state["bar"].update(1)
        if done == total:
            state["bar"].close()

    return update
