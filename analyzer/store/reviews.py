"""Inspectors' verdicts and the scores that follow them"""

from __future__ import annotations

import json
import logging
import sqlite3
from typing import cast

from analyzer.errors import InvalidRequest, NotFound, ReviewConflict
from analyzer.store.base import StoreBase
from analyzer.store.database import inserted_id
from analyzer.store.rows import ReviewRow
from analyzer.store.schema import DISMISS_REASONS, VERDICTS, now
from analyzer.types import Finding, InteractionReport

logger = logging.getLogger("analyzer")


class ReviewsMixin(StoreBase):
    """Inspectors' verdicts and the scores that follow them (mixed into :class:`analyzer.store.Store`)."""

    # -- reviews ----------------------------------------------------------

    def set_verdict(self, finding_id: int, verdict: str, comment: str = "", user: str = "",
                    *, reason: str = "") -> int:
        """Record an inspector's verdict on a finding; returns the review id.

        ``confirm``/``dismiss`` set the finding's current verdict (the latest
        wins) and recompute the interaction's review-adjusted ``score`` and
        ``grade`` (dismissed findings no longer count); ``comment`` only adds
        a note. ``auto_score`` never changes. A finding that was appealed
        takes no new verdict: the ruling decides (:meth:`rule_appeal`).
        ``user`` is required: every verdict names who gave it. ``reason``: why a
        finding was dismissed (one of :data:`~analyzer.store.schema.DISMISS_REASONS`;
        "" when not said).

        Raises:
            InvalidRequest: Unknown verdict, no user, or a reason given with
                another verdict than ``dismiss`` or not one of the reasons.
            NotFound: No such finding.
            ReviewConflict: The finding is under appeal or was ruled on.
        """
        if verdict not in VERDICTS:
            raise InvalidRequest(f"verdict must be one of {VERDICTS}, not {verdict!r}")
        if reason and (verdict != "dismiss" or reason not in DISMISS_REASONS):
            raise InvalidRequest(f"a reason is for dismissals, one of {DISMISS_REASONS}; "
                                 f"not {reason!r} with {verdict!r}")

        def job(db: sqlite3.Connection) -> int:
            if verdict != "comment":
                appeal = db.execute("SELECT id, status FROM appeals WHERE finding_id = ? "
                                    "ORDER BY id DESC LIMIT 1", (finding_id,)).fetchone()
                if appeal is not None:
                    raise ReviewConflict(
                        f"finding {finding_id} is under appeal #{appeal[0]} ({appeal[1]}); its "
                        "verdict follows the ruling", source=self.path)
            return record_verdict(db, finding_id, verdict, comment, user, self.path,
                                  reason=reason)

        return self.db.write(job)

    def reviews(self, *, finding_id: int | None = None, pk: int | None = None
                ) -> list[ReviewRow]:
        """Review rows of one finding or one interaction, oldest first."""
        if finding_id is not None:
            rows = self._query("SELECT * FROM reviews WHERE finding_id = ? ORDER BY id",
                               (finding_id,))
        else:
            rows = self._query("SELECT * FROM reviews WHERE interaction_pk = ? ORDER BY id",
                               (pk,))
        return cast(list[ReviewRow], [dict(r) for r in rows])



def record_verdict(db: sqlite3.Connection, finding_id: int, verdict: str, comment: str,
                   user: str, path: str, *, reason: str = "") -> int:
    """Insert a review row and apply it, inside the caller's write transaction.

    Raises:
        NotFound: No such finding (``path`` names the database).
    """
    row = db.execute("SELECT interaction_pk, rule, start FROM findings WHERE id = ?",
                     (finding_id,)).fetchone()
    if row is None:
        raise NotFound(f"no finding with id {finding_id}", source=path)
    if not user.strip():
        raise InvalidRequest("a verdict needs the user who gives it")
    review_id = inserted_id(db.execute(
        "INSERT INTO reviews (finding_id, interaction_pk, rule, start, verdict, comment, "
        "user, at, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (finding_id, row[0], row[1], row[2], verdict, comment, user, now(), reason)))
    if verdict != "comment":
        db.execute("UPDATE findings SET verdict = ? WHERE id = ?", (verdict, finding_id))
        apply_reviews(db, row[0], user)
    return review_id


def apply_reviews(db: sqlite3.Connection, pk: int, user: str) -> None:
    """Recompute the review-adjusted score of ``pk`` from its verdicts (in the caller's
    write transaction).

    Each finding takes its latest verdict (the schema allows no other); a
    changed score is audited under ``user``.
    """
    db.execute(
        "UPDATE findings SET verdict = (SELECT r.verdict FROM reviews r WHERE r.finding_id = "
        "findings.id AND r.verdict != 'comment' ORDER BY r.id DESC LIMIT 1) "
        "WHERE interaction_pk = ?", (pk,))
    report_json, auto_score, auto_grade = db.execute(
        "SELECT report_json, auto_score, auto_grade FROM interactions WHERE id = ?", (pk,)
    ).fetchone()
    verdicts = dict(db.execute(
        "SELECT idx, verdict FROM findings WHERE interaction_pk = ? AND verdict IS NOT NULL",
        (pk,)).fetchall())
    report = InteractionReport.from_dict(json.loads(report_json))
    score, grade = score_after(report, verdicts, (auto_score, auto_grade))
    db.execute("UPDATE interactions SET score = ?, grade = ?, changed_by = ? WHERE id = ?",
               (score, grade, user, pk))


def score_after(report: InteractionReport, verdicts: dict[int, str],
                auto: tuple[int, str]) -> tuple[int, str]:
    """The review-adjusted score and grade of ``report`` under ``verdicts`` (by finding index).

    ``auto`` (the automatic score and grade) stands unless a finding was
    dismissed or a held one was judged: then the findings that count are scored again.
    """
    held = {i for i, f in enumerate(report.findings) if f.review}
    if "dismiss" in verdicts.values() or held & set(verdicts):
        return rescore_findings(reviewed(report.findings, verdicts), report)
    return auto


def reviewed(findings: list[Finding], verdicts: dict[int, str]) -> list[Finding]:
    """The findings that count after the inspectors' verdicts (by finding index).

    A dismissed finding is gone; a finding held for review (``Finding.review``)
    that was confirmed is released and deducts; one not yet confirmed stays
    held (deducting nothing).
    """
    from analyzer.rules.score import release

    return [release(f) if verdicts.get(i) == "confirm" else f
            for i, f in enumerate(findings) if verdicts.get(i) != "dismiss"]


def rescore_findings(findings: list[Finding], report: InteractionReport) -> tuple[int, str]:
    """Score and grade of ``findings`` under the report's scoring template.

    Uses the scoring stage (``analyzer.rules.score``) with the template the
    report was scored with: the copy kept in its audit block, so a moved,
    edited or relative template file changes nothing; dismissing a veto
    finding lifts the veto too. Older reports name only the template's path;
    when that cannot be read, the stored score and grade stand (logged), so a
    verdict is never lost to a missing file.
    """
    from analyzer.errors import LexiconError
    from analyzer.rules.score import load_template, score, template_from_text

    kept = report.analyzer.scoring_template
    try:
        if kept is not None and kept.text:
            template = template_from_text(kept.text, kept.source or "<report>")
        else:
            score_options = report.analyzer.options.get("score") or {}
            path = (kept.source if kept else "") or score_options.get("template")
            template = load_template(path or None)
    except LexiconError as exc:
        logger.warning("interaction %s: its scoring template is unavailable (%s); "
                       "keeping the stored score", report.id, exc)
        return int(report.score), str(report.grade)
    result = score(list(findings), template)
    return int(result[0]), str(result[1])
