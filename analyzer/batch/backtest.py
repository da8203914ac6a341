"""Backtest before a rule change: the stored interactions analysed again under new rules.

``conduct lexicon backtest --db results.sqlite --lexicon new.toml [--template
new-scoring.toml]`` judges every stored interaction under the new lexicon and
template: those the change can reach (:mod:`analyzer.batch.backtest_scope`)
go through the one analysis core again (:func:`analyzer.pipeline.rescore`:
their own transcript and what only their audio gave, rings and acoustic
findings; no recognition), the rest keep their stored findings (re-scored
when the template changed). The store is streamed in chunks to the worker
processes, so memory does not grow with the store. It reports, against what
is stored:

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
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from analyzer.batch.backtest_scope import (
    Scope,
    StaleCheck,
    options_changed,
    provenance,
    rule_scope,
    touches,
)
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
    #: interactions analysed again (the change could reach them) and kept as stored
    analysed: int = 0
    kept: int = 0
    #: why every interaction was analysed again, or "changed rules"
    scope: str = ""
    #: ids of the rules that differ between the old and the new lexicon
    rules_changed: list[str] = field(default_factory=list)

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
                "analysed": self.analysed, "kept": self.kept, "scope": self.scope,
                "rules_changed": self.rules_changed,
                "ranking": [{"list": w, "group": g, "key": k, "old": a, "new": b}
                            for w, g, k, a, b in self.ranking],
                "errors": [{"pk": pk, "message": m} for pk, m in self.errors],
                "changes": [c.to_dict() for c in self.changes]}


Progress = Callable[[int, int], None]


#: Interactions per chunk read from the store and judged by one worker.
CHUNK = 128
#: Chunks in flight per worker: the store is read as fast as the workers take it, no faster
#: (memory stays bounded whatever the store's size).
AHEAD = 3
#: A worker's answer for one interaction: None (its stored findings and score stand), its
#: new analysis, or the error's text.
Outcome = tuple[int, "AnalysisResult | str | None"]


@dataclass(frozen=True)
class Item:
    """One stored interaction as a worker judges it (the JSON still as text)."""

    pk: int
    input_json: str
    audio_json: str
    content_hash: str
    model: str
    path: str
    score: tuple[int, str]
    #: analyse again whatever the prefilter says (stale provenance, a changed rule's finding)
    must: bool
    #: the stored findings (JSON), when the template changed and they are re-scored
    findings_json: str | None


@dataclass(frozen=True)
class Plan:
    """What each worker needs: the new options (lexicon and template) and the change's scope."""

    options: AnalyzerOptions
    template: ScoringTemplate
    scope: Scope


def judge(items: list[Item], plan: Plan) -> list[Outcome]:
    """Judge stored interactions under the new rules (in this process or a pool's).

    An interaction the change cannot reach keeps its stored findings (and,
    when only the template changed and its score stays, everything); any
    other goes through the analysis core again (:func:`analyzer.pipeline.rescore`).
    """
    from analyzer.pipeline import get_lexicon

    lexicon = get_lexicon(plan.options)  # loaded once per process
    out: list[Outcome] = []
    for item in items:
        try:
            interaction = interaction_from_dict(json.loads(item.input_json))
            if _reached(item, interaction, plan):
                out.append((item.pk, rescore(
                    interaction, AudioResults.from_dict(json.loads(item.audio_json)),
                    plan.options, lexicon=lexicon,
                    key=AnalysisKey(item.content_hash, item.model, lexicon.version),
                    path=item.path)))
            else:
                out.append((item.pk, None))
        except Exception as exc:  # noqa: BLE001 - one bad interaction is reported, not fatal
            out.append((item.pk, f"{type(exc).__name__}: {exc}"))
    return out


def _reached(item: Item, interaction: Any, plan: Plan) -> bool:
    """Whether the change can alter this interaction's findings or score."""
    scope = plan.scope
    if item.must or scope.everything or touches(scope, interaction, plan.options):
        return True
    if item.findings_json is None:
        return False
    from analyzer.rules.score import score
    from analyzer.types import Finding

    found = [Finding(**f) for f in json.loads(item.findings_json)]
    value, grade, _found = score(found, plan.template)
    return (value, grade) != item.score  # only then is the whole result needed


_PLAN: list[Plan] = []


def _start_worker(plan: Plan) -> None:
    """A pool process keeps the plan (its lexicons compile once per process)."""
    _PLAN[:] = [plan]


def _judge_here(items: list[Item]) -> list[Outcome]:
    return judge(items, _PLAN[0])


@dataclass
class _Chunk:
    """A chunk's rows as the driver compares them: stored scores and findings by pk."""

    rows: dict[int, Any]
    old: dict[int, dict[FindingKey, str | None]]


_ROWS = ("SELECT id, interaction_id, input_json, audio_json, content_hash, model, source_path, "
         "auto_score, auto_grade, score, grade, lexicon_version, day, "
         "json_extract(report_json, '$.analyzer.version') AS made_by, "
         "json_extract(report_json, '$.analyzer.scoring_template.sha256') AS template_sha, "
         "json_extract(report_json, '$.analyzer.options') AS options_json, "
         "CASE WHEN ? THEN json_extract(report_json, '$.findings') END AS findings_json "
         "FROM interactions WHERE id > ? ORDER BY id LIMIT ?")


def _chunks(store: Store, scope: Scope, stale: StaleCheck, size: int
            ) -> Iterator[tuple[_Chunk, list[Item]]]:
    """The store's interactions in id order, ``size`` at a time, with their stored findings."""
    last = 0
    while True:
        rows = store.db.query(_ROWS, (int(scope.template_changed), last, size))
        if not rows:
            return
        lo, last = int(rows[0]["id"]), int(rows[-1]["id"])
        old: dict[int, dict[FindingKey, str | None]] = {int(r["id"]): {} for r in rows}
        for f in store.db.query("SELECT interaction_pk, rule, start, verdict FROM findings "
                                "WHERE interaction_pk BETWEEN ? AND ? ORDER BY interaction_pk, idx",
                                (lo, last)):
            old[int(f[0])][finding_key(str(f[1]), f[2])] = f[3]
        items = []
        for r in rows:
            pk = int(r["id"])
            must = stale(r["made_by"], r["lexicon_version"], r["template_sha"],
                         r["options_json"]) or any(k[0] in scope.finding_rules for k in old[pk])
            items.append(Item(pk, str(r["input_json"]), str(r["audio_json"]),
                              str(r["content_hash"]), str(r["model"]), str(r["source_path"]),
                              (int(r["auto_score"]), str(r["auto_grade"])), must,
                              r["findings_json"]))
        yield _Chunk({int(r["id"]): _meta(r) for r in rows}, old), items


def _meta(row: Any) -> dict[str, Any]:
    """What the driver keeps of a row (no JSON)."""
    return {k: row[k] for k in ("interaction_id", "auto_score", "auto_grade", "score", "grade",
                                "lexicon_version", "day")}


def _outcomes(chunks: Iterator[tuple[_Chunk, list[Item]]], plan: Plan, workers: int
              ) -> Iterator[tuple[_Chunk, list[Outcome]]]:
    """Each chunk with its outcomes, in store order, judged here or on ``workers`` processes."""
    if workers <= 1:
        for chunk, items in chunks:
            yield chunk, judge(items, plan)
        return
    context = multiprocessing.get_context("spawn")  # no forked model sessions
    pending: deque[tuple[_Chunk, Future[list[Outcome]]]] = deque()
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_start_worker,
                             initargs=(plan,)) as pool:
        for chunk, items in chunks:
            pending.append((chunk, pool.submit(_judge_here, items)))
            if len(pending) >= workers * AHEAD:
                head, future = pending.popleft()
                yield head, future.result()
        while pending:
            head, future = pending.popleft()
            yield head, future.result()


def run_backtest(store: Store, options: AnalyzerOptions, lexicon: Lexicon,
                 template: ScoringTemplate, *, period: Period | None = None,
                 apply: bool = False, progress: Progress | None = None,
                 workers: int = 1, old_options: AnalyzerOptions | None = None) -> Backtest:
    """Judge every stored interaction under ``options``/``lexicon`` and compare.

    Args:
        store: The results database (opened writable only when ``apply``).
        options: The analysis options with the new lexicon and template.
        lexicon: The new lexicon (``analyzer.pipeline.get_lexicon(options)``).
        template: The new scoring template (for the scores and the 红黑榜 comparison).
        period: The 红黑榜's period to compare (None: no comparison).
        apply: Re-score the changed interactions in the store itself.
        progress: Called with (done, total) as interactions are judged.
        workers: Processes judging (1: in this process).
        old_options: What the store's results were analysed with (default:
            ``options`` with the shipped lexicon and template).
    """
    from analyzer.pipeline import get_lexicon
    from analyzer.pipeline.scoring import get_template

    old_options = old_options or replace(options, lexicon=(),
                                         score=replace(options.score, template=""))
    old_lexicon = get_lexicon(old_options)
    old_template = get_template(old_options, old_lexicon)
    scope = rule_scope(old_lexicon, lexicon, old_template, template)
    moved = options_changed(old_options, options)
    if moved:
        scope = replace(scope, everything="; ".join(x for x in (moved, scope.everything) if x))
    stale = StaleCheck(provenance(old_options, old_lexicon, old_template))
    total = store.count()
    newest = store.db.query("SELECT lexicon_version FROM interactions ORDER BY id DESC LIMIT 1")
    out = Backtest(store.path, (str(newest[0][0]) if newest else "", lexicon.version),
                   interactions=total, scope=scope.everything or "changed rules",
                   rules_changed=list(scope.changed))
    with _Shadow(store, template, period) as shadow:
        done = 0
        for chunk, outcomes in _outcomes(_chunks(store, scope, stale, CHUNK),
                                         Plan(options, template, scope), workers):
            for pk, outcome in outcomes:
                done += 1
                if progress:
                    progress(done, total)
                _take(out, chunk, pk, outcome, shadow, store if apply else None, lexicon)
        out.ranking = shadow.moves(lexicon)
    out.period = period.label if period is not None else ""
    out.applied = apply
    out.changes.sort(key=lambda c: c.pk)
    out.errors.sort()
    return out


def _take(out: Backtest, chunk: _Chunk, pk: int, outcome: AnalysisResult | str | None,
          shadow: _Shadow, apply_to: Store | None, lexicon: Lexicon) -> None:
    """Add one interaction's outcome to the backtest (and to the shadow and the store)."""
    old = chunk.old[pk]
    if outcome is None:
        out.kept += 1
        out.dismissed_kept += sum(v == "dismiss" for v in old.values())
        return
    if isinstance(outcome, str):
        out.errors.append((pk, outcome))
        return
    out.analysed += 1
    row = chunk.rows[pk]
    change = _compare(pk, row, old, outcome)
    if change is None:
        out.dismissed_kept += sum(old.get(finding_key(f.rule, f.start)) == "dismiss"
                                  for f in outcome.report.findings)
        return
    out.dismissed_kept += len(change.dismissed_kept)
    out.changes.append(change)
    shadow.add(row, outcome, lexicon)
    if apply_to is not None:
        _apply(apply_to, pk, row, outcome, lexicon)


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


class _Shadow:
    """A private copy of the store that takes the new results of the period's changed interactions.

    The 红黑榜 of the period is built from the store before anything is judged
    (``--apply`` writes as it goes); the copy is made when the first changed
    interaction of the period comes (none: no place can move, and no copy of
    a large store is made), and only interactions of the period are written
    to it. A copy made after ``--apply`` wrote some new results holds them
    already: writing the rest gives the same store.
    """

    def __init__(self, store: Store, template: ScoringTemplate, period: Period | None) -> None:
        self.store, self.template, self.period = store, template, period
        self.copy: Store | None = None
        self.before: Any = None
        self._folder: tempfile.TemporaryDirectory[str] | None = None

    def __enter__(self) -> _Shadow:
        if self.period is not None:
            self.before = build_ranking(self.store, self.period, self.template, names=False)
        return self

    def __exit__(self, *exc: object) -> None:
        if self.copy is not None:
            self.copy.close()
        if self._folder is not None:
            self._folder.cleanup()

    def add(self, row: Any, result: AnalysisResult, lexicon: Lexicon) -> None:
        """Write one changed interaction's new result to the copy (if it is in the period)."""
        if self.period is None or not self.period.since <= str(row["day"]) <= self.period.until:
            return
        if self.copy is None:
            self._folder = tempfile.TemporaryDirectory(prefix="conduct-backtest-")
            path = Path(self._folder.name) / "results.sqlite"
            src, dst = sqlite3.connect(self.store.path), sqlite3.connect(path)
            src.backup(dst)
            src.close()
            dst.close()
            self.copy = Store(path)
        persist(self.copy, result, lexicon=lexicon)

    def moves(self, lexicon: Lexicon) -> list[tuple[str, str, str, int | None, int | None]]:
        """The 红黑榜 places that differ between the store and the copy."""
        if self.copy is None or self.period is None:
            return []
        after = build_ranking(self.copy, self.period, self.template, names=False)
        moves = []
        for which, groups in after.lists.items():
            for group, entries in groups.items():
                old = {e.result.key: e.rank for e in self.before.lists[which][group]}
                new = {e.result.key: e.rank for e in entries}
                for key in sorted(old.keys() | new.keys()):
                    if old.get(key) != new.get(key):
                        moves.append((which, group, key, old.get(key), new.get(key)))
        return moves


@dataclass
class Gate:
    """Whether a retrained model may go live: its backtest loses no confirmed finding."""

    model: str
    backtest: Backtest

    @property
    def passed(self) -> bool:
        """No confirmed finding would vanish and every interaction was analysed."""
        return self.backtest.confirmed_lost == 0 and not self.backtest.errors


def model_gate(store: Store, options: AnalyzerOptions, candidate: str | Path, *,
               progress: Progress | None = None, workers: int = 1) -> Gate:
    """Backtest a retrained classifier folder against the store's verdicts (issue 30).

    Every stored interaction is analysed again with ``candidate`` as
    ``classifier.model_dir`` (the options changed: nothing is kept) and
    compared with what ``options`` gave; the model may go live only when no
    finding an inspector confirmed would vanish (:attr:`Gate.passed`).

    Raises:
        AnalyzerError: ModelError when the folder holds no usable models.
    """
    from analyzer.pipeline import get_lexicon
    from analyzer.pipeline.scoring import get_template, preflight

    new = replace(options, classifier=replace(options.classifier, model_dir=str(candidate)))
    preflight(new)  # a broken folder fails here, naming its file
    lexicon = get_lexicon(new)
    result = run_backtest(store, new, lexicon, get_template(new, lexicon), progress=progress,
                          workers=workers, old_options=options)
    return Gate(str(candidate), result)


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
