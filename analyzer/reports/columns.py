"""What each report column is called, in the reader's language, and how a cell is written.

Reports, their CSV exports and the review app's tables name columns with the
keys below (stable, as JSON writes them); people read the labels, translated
through the message catalogues (:mod:`analyzer.i18n`).
"""

from __future__ import annotations

from collections.abc import Sequence

from analyzer.i18n import N_, gettext

#: Column key -> English label (the source text the catalogues translate).
LABELS: dict[str, str] = {
    "period": N_("Period"), "group": N_("Group"), "list": N_("List"), "rank": N_("Rank"),
    "key": N_("Staff or window"), "staff": N_("Staff"), "name": N_("Name"),
    "hall": N_("Hall"), "window": N_("Window"), "day": N_("Day"), "article": N_("Article"),
    "rule": N_("Rule"), "kind": N_("Kind"), "section": N_("Section"),
    "interactions": N_("Interactions"), "flagged": N_("Flagged"), "findings": N_("Findings"),
    "mean_score": N_("Mean score"), "min_score": N_("Lowest score"),
    "hours": N_("Hours of audio"), "points": N_("Points deducted"),
    "confirmed": N_("Confirmed"), "dismissed": N_("Dismissed"), "unreviewed": N_("Unreviewed"),
    "failing": N_("Failing"), "fail_share": N_("Failing share"), "breaches": N_("Breaches"),
    "previous_interactions": N_("Interactions, previous period"),
    "previous_mean": N_("Mean score, previous period"), "trend": N_("Trend"),
    "by_article": N_("Breaches per article"), "by_rule": N_("Breaches per rule"),
    "best": N_("Best"), "worst": N_("Worst"),
    "rectification": N_("Rectification"), "follow_up": N_("Follow-up day"),
    "earlier_rectification": N_("Last period's rectification"),
    "earlier_state": N_("Its state"), "path": N_("Input"), "message": N_("Reason"),
    "run_id": N_("Run"),
    "reviewed": N_("Reviewed"), "reviewed_share": N_("Reviewed share"),
    "precision": N_("Confirmed precision"), "precision_low": N_("Precision, lower bound"),
    "precision_high": N_("Precision, upper bound"), "interval": N_("Confidence interval"),
    "status": N_("Status"), "reasons": N_("Dismissal reasons"),
}


def label(key: str) -> str:
    """The column ``key`` as the reader's language names it."""
    return gettext(LABELS[key]) if key in LABELS else key


def labels(keys: Sequence[str]) -> list[str]:
    """The labels of ``keys``, in order."""
    return [label(k) for k in keys]
