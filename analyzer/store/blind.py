"""Blind calibration reviews: what an inspector may see of the others' verdicts.

A calibration item (an assignment with a second inspector,
:mod:`analyzer.store.sampling`) is judged by two inspectors independently.
While one of the two has not yet given a verdict (confirm or dismiss) of
their own on every finding of it
(:meth:`~analyzer.store.sampling.SamplingMixin.blind_to_others`), they see
only their own reviews: :func:`own_reviews` drops everyone else's verdicts,
comments and dismissal reasons, and gives each finding the viewer's own
latest verdict (or none). Once they have judged, and for supervisors and
admins, everything is shown.
"""

from __future__ import annotations

from typing import TypeVar

from analyzer.store.rows import FindingRow, ReviewRow

F = TypeVar("F", bound=FindingRow)


def own_reviews(findings: list[F], reviews: list[ReviewRow], user: str
                ) -> tuple[list[F], list[ReviewRow]]:
    """``findings`` and ``reviews`` as ``user`` sees them in a blind review.

    Args:
        findings: The interaction's findings (their ``verdict`` is anyone's latest).
        reviews: The interaction's reviews, oldest first.
        user: The viewing inspector.

    Returns:
        The findings, each with ``user``'s own latest confirm/dismiss as its
        verdict (None when they gave none), and only ``user``'s reviews.
    """
    mine = [r for r in reviews if r["user"] == user]
    verdicts = {r["finding_id"]: r["verdict"] for r in mine if r["verdict"] != "comment"}
    shown = [with_verdict(f, verdicts.get(f["id"])) for f in findings]
    return shown, mine


def with_verdict(finding: F, verdict: str | None) -> F:
    """A copy of ``finding`` with ``verdict`` as its verdict."""
    copy = finding.copy()
    copy["verdict"] = verdict
    return copy


def in_review_state(findings: list[F], state: str) -> bool:
    """Whether ``findings`` (as :func:`own_reviews` shows them) are in review ``state``.

    The states of :class:`~analyzer.store.filters.Filter`'s ``review`` filter,
    judged on the verdicts given: ``unreviewed`` (a finding has none),
    ``reviewed`` (every finding has one), ``confirmed`` / ``dismissed`` (some
    finding has that verdict). So a blind inspector's queue filter reads only
    their own verdicts.
    """
    verdicts = [f["verdict"] for f in findings]
    return {"unreviewed": None in verdicts,
            "reviewed": bool(verdicts) and None not in verdicts,
            "confirmed": "confirm" in verdicts,
            "dismissed": "dismiss" in verdicts}[state]
