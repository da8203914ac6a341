"""Inspectors' verdicts and the scores that follow them"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from analyzer.errors import StoreError
from analyzer.store.schema import VERDICTS, now
from analyzer.types import Finding, InteractionReport


class ReviewsMixin:
    """Inspectors' verdicts and the scores that follow them (mixed into :class:`analyzer.store.Store`)."""

    # -- reviews ----------------------------------------------------------

    def set_verdict(self, finding_id: int, verdict: str, comment: str = "", user: str = ""
                    ) -> int:
        """Record an inspector's verdict on a finding; returns the review id.

        ``confirm``/``dismiss`` set the finding's current verdict (the latest
        wins) and recompute the interaction's review-adjusted ``score`` and
        ``grade`` (dismissed findings no longer count); ``comment`` only adds
        a note. ``auto_score`` never changes.

        Raises:
            ValueError: Unknown verdict.
            StoreError: No such finding.
        """
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
        with self.transaction() as db:
            row = db.execute("SELECT interaction_pk, rule, start FROM findings WHERE id = ?",
                             (finding_id,)).fetchone()
            if row is None:
                raise StoreError(f"no finding with id {finding_id}", source=self.path)
            cur = db.execute(
                "INSERT INTO reviews (finding_id, interaction_pk, rule, start, verdict, comment, "
                "user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (finding_id, row[0], row[1], row[2], verdict, comment, user, now()),
            )
            if verdict != "comment":
                db.execute("UPDATE findings SET verdict = ? WHERE id = ?", (verdict, finding_id))
                self._apply_reviews(db, row[0])
            return int(cur.lastrowid)

    def reviews(self, *, finding_id: int | None = None, pk: int | None = None
                ) -> list[dict[str, Any]]:
        """Review rows of one finding or one interaction, oldest first."""
        if finding_id is not None:
            rows = self._query("SELECT * FROM reviews WHERE finding_id = ? ORDER BY id",
                               (finding_id,))
        else:
            rows = self._query("SELECT * FROM reviews WHERE interaction_pk = ? ORDER BY id",
                               (pk,))
        return [dict(r) for r in rows]

    def _apply_reviews(self, db: sqlite3.Connection, pk: int) -> None:
        """Recompute the review-adjusted score of ``pk`` from its verdicts."""
        for fid, verdict in db.execute(
            "SELECT finding_id, verdict FROM reviews WHERE interaction_pk = ? "
            "AND verdict != 'comment' AND finding_id IS NOT NULL ORDER BY id", (pk,)
        ).fetchall():
            db.execute("UPDATE findings SET verdict = ? WHERE id = ?", (verdict, fid))
        report_json, auto_score, auto_grade = db.execute(
            "SELECT report_json, auto_score, auto_grade FROM interactions WHERE id = ?", (pk,)
        ).fetchone()
        dismissed = {r[0] for r in db.execute(
            "SELECT idx FROM findings WHERE interaction_pk = ? AND verdict = 'dismiss'", (pk,))}
        score, grade = auto_score, auto_grade
        if dismissed:
            report = InteractionReport.from_dict(json.loads(report_json))
            kept = [f for i, f in enumerate(report.findings) if i not in dismissed]
            score, grade = rescore_findings(kept, report)
        db.execute("UPDATE interactions SET score = ?, grade = ? WHERE id = ?", (score, grade, pk))


def rescore_findings(findings: list[Finding], report: InteractionReport) -> tuple[int, str]:
    """Score and grade of ``findings`` under the report's scoring template.

    Uses the scoring stage (``analyzer.rules.score``) with the template recorded in
    the report's options, so dismissing a veto finding lifts the veto too.
    """
    from analyzer.rules.score import load_template, score

    template_path = (report.analyzer.get("options", {}).get("score", {}) or {}).get("template")
    result = score(list(findings), load_template(template_path or None))
    return int(result[0]), str(result[1])
