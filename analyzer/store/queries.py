"""Reads: reports, interactions, findings, summaries."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any, cast

from analyzer.errors import InvalidRequest, NotFound
from analyzer.store.base import StoreBase
from analyzer.store.filters import Filter, where_clause
from analyzer.store.records import interaction_from_dict
from analyzer.store.rows import (
    FindingRow,
    InteractionRecord,
    InteractionRow,
    JsonObject,
    RecordingRef,
    SummaryRow,
    UtteranceRow,
)
from analyzer.store.schema import GROUPS
from analyzer.types import Interaction, InteractionReport


def parsed_rows(rows: Iterable[sqlite3.Row], column: str, name: str) -> list[dict[str, Any]]:
    """Rows as dicts, the JSON text of ``column`` parsed into the key ``name``."""
    out = []
    for r in rows:
        d = dict(r)
        d[name] = json.loads(d.pop(column))
        out.append(d)
    return out


def finding_rows(rows: Iterable[sqlite3.Row]) -> list[FindingRow]:
    """Finding rows as dicts, ``detail_json`` parsed into ``detail``."""
    return cast(list[FindingRow], parsed_rows(rows, "detail_json", "detail"))


@dataclass(frozen=True)
class Tally:
    """A count of matches: exact, or a lower bound (more than ``n`` match)."""

    n: int
    exact: bool = True

    def __str__(self) -> str:
        return f"{self.n}" if self.exact else f"{self.n}+"


class QueriesMixin(StoreBase):
    """Reads: reports, interactions, findings, summaries (mixed into :class:`analyzer.store.Store`)."""

    def report(self, pk: int, *, reviewed: bool = False) -> InteractionReport:
        """The stored report of interaction ``pk``.

        Args:
            pk: Interaction primary key.
            reviewed: Drop findings an inspector dismissed, release held
                findings an inspector confirmed, and use the review-adjusted
                score and grade.

        Raises:
            NotFound: No such interaction.
        """
        rows = self._query("SELECT report_json, score, grade FROM interactions WHERE id = ?",
                           (pk,))
        if not rows:
            raise NotFound(f"no interaction with id {pk}", source=self.path)
        report = InteractionReport.from_dict(json.loads(rows[0]["report_json"]))
        if reviewed:
            from analyzer.store.reviews import reviewed as after_review

            verdicts = {r["idx"]: r["verdict"] for r in self.findings(pk) if r["verdict"]}
            report.findings = after_review(report.findings, verdicts)
            report.score, report.grade = rows[0]["score"], rows[0]["grade"]
        return report

    def interaction(self, pk: int) -> InteractionRecord:
        """One interaction row (without the JSON blobs) plus decoded ``input``/``audio``.

        Raises:
            NotFound: No such interaction.
        """
        rows = self._query("SELECT * FROM interactions WHERE id = ?", (pk,))
        if not rows:
            raise NotFound(f"no interaction with id {pk}", source=self.path)
        d = dict(rows[0])
        d.pop("report_json")
        d["input"] = json.loads(d.pop("input_json"))
        d["audio"] = json.loads(d.pop("audio_json"))
        return cast(InteractionRecord, d)

    def finding_owner(self, finding_id: int) -> tuple[int, str]:
        """The interaction (its pk) and the staff member a finding belongs to.

        Raises:
            NotFound: No such finding.
        """
        rows = self._query("SELECT f.interaction_pk, i.staff FROM findings f JOIN interactions i "
                           "ON i.id = f.interaction_pk WHERE f.id = ?", (finding_id,))
        if not rows:
            raise NotFound(f"no finding with id {finding_id}", source=self.path)
        return int(rows[0][0]), str(rows[0][1])

    def recording_refs(self, pks: list[int]) -> dict[int, RecordingRef]:
        """What :func:`analyzer.speech.clips.recording_of` reads, for each of ``pks``.

        The stored input path and the input's
        :data:`~analyzer.speech.clips.INPUT_RECORDING_KEYS`, read in SQL (not
        the whole stored input).
        """
        from analyzer.speech.clips import INPUT_RECORDING_KEYS

        if not pks:
            return {}
        paths = ["$." + ".".join(keys) for keys in INPUT_RECORDING_KEYS]
        rows = self._query(
            "SELECT id, source_path, " + ", ".join("json_extract(input_json, ?)" for _ in paths)
            + f" FROM interactions WHERE id IN ({', '.join('?' * len(pks))})",
            [*paths, *pks])
        out: dict[int, RecordingRef] = {}
        for r in rows:
            stored: JsonObject = {}
            for keys, value in zip(INPUT_RECORDING_KEYS, list(r)[2:], strict=True):
                node = stored
                for key in keys[:-1]:
                    node = node.setdefault(key, {})
                node[keys[-1]] = value
            out[int(r[0])] = {"source_path": r[1], "input": stored}
        return out

    def recording_claims(self, name: str) -> dict[int, tuple[str, RecordingRef]]:
        """The interactions that name a recording file called ``name``: pk -> (staff, refs).

        From ``recording_names`` (schema version 7); the web app resolves the
        refs inside its recordings root to tell whose the recording is.
        """
        pks = [int(r[0]) for r in self._query(
            "SELECT interaction_pk FROM recording_names WHERE name = ? LIMIT 1000", (name,))]
        if not pks:
            return {}
        refs = self.recording_refs(pks)
        staff = {int(r[0]): str(r[1]) for r in self._query(
            f"SELECT id, staff FROM interactions WHERE id IN ({', '.join('?' * len(pks))})", pks)}
        return {pk: (staff[pk], ref) for pk, ref in refs.items() if pk in staff}

    def stored_input(self, pk: int) -> tuple[Interaction, JsonObject]:
        """The stored input of ``pk`` and its audio-only results, for re-scoring."""
        d = self.interaction(pk)
        return interaction_from_dict(d["input"]), d["audio"]

    # -- queries ----------------------------------------------------------

    def interactions(
        self,
        filters: Filter | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
        order: str = "started_at",
    ) -> list[InteractionRow]:
        """Interaction rows matching ``filters`` (no JSON blobs).

        Args:
            filters: The conditions (:class:`~analyzer.store.filters.Filter`);
                None: every interaction.
            limit: At most this many rows.
            offset: Skip this many rows first.
            order: ``started_at`` (default), ``score`` (worst first) or ``id``.

        Returns:
            Dicts with the interactions columns (``id`` is the pk,
            ``interaction_id`` the input's id) plus ``n_unreviewed``.
        """
        probe = limit is not None and self._common(filters, limit + offset)
        where, params = where_clause(filters, probe=probe)
        order_sql = {"started_at": "i.day, i.started_at, i.id", "score": "i.score, i.id",
                     "id": "i.id"}.get(order)
        if order_sql is None:
            raise InvalidRequest(f"unknown order {order!r}")
        if limit is not None:
            # the page's ids first, from the indexes alone where they cover the filters,
            # then only those rows: sorting whole rows read every match from disk
            where = (f" WHERE i.id IN (SELECT i.id FROM interactions i{where} "
                     f"ORDER BY {order_sql} LIMIT ? OFFSET ?)")
            params += [limit, offset]
        sql = (
            "SELECT i.id, i.key, i.content_hash, i.model, i.lexicon_version, i.run_id, "
            "i.interaction_id, i.source_path, i.channel, i.hall, i.window, i.staff, "
            "i.started_at, i.day, i.duration, i.auto_score, i.auto_grade, i.score, i.grade, "
            "i.rings, i.ring_source, i.answer_time, i.n_findings, i.analyzed_at, "
            "i.rescored_at, (SELECT COUNT(*) FROM findings x WHERE x.interaction_pk = i.id "
            "AND x.verdict IS NULL) AS n_unreviewed "
            f"FROM interactions i{where} ORDER BY {order_sql}"
        )
        return cast(list[InteractionRow], [dict(r) for r in self._query(sql, params)])

    def _common(self, filters: Filter | None, rows: int) -> bool:
        """True when an article / rule filter matches so much that probing is cheaper.

        Reading every match (and sorting them) costs about ``m`` for ``m``
        matches; walking the order's index and probing each interaction
        costs about ``rows * N / m`` of ``N`` interactions. Probing wins when
        ``m * m > rows * N``; ``m`` is bounded by the finding counts the
        ``facets`` keep.
        """
        f = filters or Filter()
        wanted = [(facet, str(value)) for facet, value in (("article", f.article),
                                                           ("rule", f.rule)) if value]
        if not wanted or f.kind:
            return False
        counts = [int(r[0]) for facet, value in wanted for r in self._query(
            "SELECT n FROM facets WHERE facet = ? AND value = ?", (facet, value))]
        if len(counts) < len(wanted):
            return False  # a value nothing has: the IN list is empty
        total = int(self._query("SELECT COALESCE(SUM(n), 0) FROM facets WHERE facet = 'hall'"
                                )[0][0])
        return min(counts) ** 2 > rows * total

    def count(self, filters: Filter | None = None) -> int:
        """Number of interactions matching ``filters`` (see :meth:`interactions`)."""
        where, params = where_clause(filters)
        return int(self._query(f"SELECT COUNT(*) FROM interactions i{where}", params)[0][0])

    def tally(self, filters: Filter | None = None, *, cap: int = 1000) -> Tally:
        """How many interactions match ``filters``, for a pager: exact, or "more than ``cap``".

        Filters on hall, window, staff, channel, days and ``flagged`` are
        summed from the rollups, exactly. Others (article, rule, review...)
        count matches only up to ``cap``: past it the answer is
        ``Tally(cap, exact=False)``, so a page never walks every match.
        """
        f = filters or Filter()
        if replace(f, flagged=None).rolled_up:
            table, _ = f.rollup_tables()
            measure = {True: "r.flagged", False: "r.n - r.flagged", None: "r.n"}[f.flagged]
            where, params = where_clause(replace(f, flagged=None), "r")
            sql = f"SELECT COALESCE(SUM({measure}), 0) FROM {table} r{where}"
            return Tally(int(self._query(sql, params)[0][0]), exact=True)
        where, params = where_clause(f)
        n = int(self._query(f"SELECT COUNT(*) FROM (SELECT 1 FROM interactions i{where} "
                            "LIMIT ?)", [*params, cap + 1])[0][0])
        return Tally(min(n, cap), exact=n <= cap)

    def findings(self, pk: int | None = None, filters: Filter | None = None
                 ) -> list[FindingRow]:
        """Finding rows (``id`` is the finding id used by :meth:`set_verdict`).

        Args:
            pk: Only this interaction's findings.
            filters: Interaction filters (see :meth:`interactions`).
        """
        where, params = where_clause(filters)
        if pk is not None:
            where += (" AND " if where else " WHERE ") + "i.id = ?"
            params.append(pk)
        rows = self._query(
            "SELECT f.*, i.hall, i.window, i.staff, i.day, i.interaction_id FROM findings f "
            f"JOIN interactions i ON i.id = f.interaction_pk{where} ORDER BY f.interaction_pk, "
            "f.idx",
            params,
        )
        return finding_rows(rows)

    def utterances(self, pk: int) -> list[UtteranceRow]:
        """The transcript of interaction ``pk``, in order."""
        rows = self._query("SELECT * FROM utterances WHERE interaction_pk = ? ORDER BY idx",
                           (pk,))
        return cast(list[UtteranceRow], parsed_rows(rows, "words_json", "words"))

    def summary(self, by: str, filters: Filter | None = None) -> list[SummaryRow]:
        """Aggregates per group, for the report and the web app's dashboards.

        Args:
            by: ``hall``, ``window`` (per hall and window), ``staff``,
                ``channel``, ``day``, ``article`` or ``rule``.
            filters: Interaction filters (see :meth:`interactions`).

        Returns:
            For interaction groups: dicts with the group columns and
            ``interactions``, ``flagged``, ``findings``, ``mean_score``,
            ``min_score``, ``hours``. For ``article``/``rule``: the group
            columns (``article``, ``rule``, ``kind`` for rules) and
            ``findings``, ``interactions``, ``points``, ``confirmed``,
            ``dismissed``, ``unreviewed``.
        """
        if by not in GROUPS:
            raise InvalidRequest(f"unknown group {by!r}; choose from {', '.join(GROUPS)}")
        where, params = where_clause(filters)
        if by in ("article", "rule"):
            cols = "f.article" if by == "article" else "f.article, f.rule, f.kind"
            sql = (
                f"SELECT {cols}, COUNT(*) AS findings, COUNT(DISTINCT f.interaction_pk) AS "
                "interactions, SUM(f.points) AS points, "
                "TOTAL(f.verdict = 'confirm') AS confirmed, TOTAL(f.verdict = 'dismiss') AS "
                "dismissed, TOTAL(f.verdict IS NULL) AS unreviewed FROM findings f JOIN "
                f"interactions i ON i.id = f.interaction_pk{where} GROUP BY {cols} "
                f"ORDER BY {cols}"
            )
        else:
            cols = {"window": "i.hall, i.window"}.get(by, f"i.{by}")
            sql = (
                f"SELECT {cols}, COUNT(*) AS interactions, SUM(i.n_findings > 0) AS flagged, "
                "SUM(i.n_findings) AS findings, ROUND(AVG(i.score), 1) AS mean_score, "
                "MIN(i.score) AS min_score, ROUND(COALESCE(SUM(i.duration), 0) / 3600.0, 3) "
                f"AS hours FROM interactions i{where} GROUP BY {cols} ORDER BY {cols}"
            )
        return [dict(r) for r in self._query(sql, params)]

