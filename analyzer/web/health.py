"""Supervisors' rule health page (``GET /rules``): each rule's precision from the verdicts.

The figures are those of ``conduct report --rules``
(:func:`analyzer.store.health.build_rule_health`) over the period asked for
(``period=2026-11``, or ``since``/``until``; default the latest month), one
hall or all, against the scoring template's ``[rule_health]`` bar. A rule
below the bar, or with too few reviews to say, is flagged here and its
findings are marked *under review* on the 红黑榜.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from analyzer.reports.health import REASON_LABELS, STATUS_LABELS
from analyzer.store.health import build_rule_health
from analyzer.web.auth import User
from analyzer.web.deps import config_of, render, require_role, store_of
from analyzer.web.inspect import rule_titles
from analyzer.web.month import period_of, template_of

router = APIRouter()
SUPERVISOR = require_role("supervisor")


@router.get("/rules", response_class=HTMLResponse)
def rule_health(request: Request, user: User = SUPERVISOR) -> Response:
    """Every rule's findings, reviewed share, precision, interval, reasons, trend and state."""
    period = period_of(request)
    hall = str(request.query_params.get("hall", "") or "").strip()
    by_hall = str(request.query_params.get("by_hall", "") or "") in ("1", "on", "true")
    health = build_rule_health(store_of(request), period, template_of(request), hall=hall,
                               by_hall=by_hall)
    flagged = health.under_review()
    return render(request, "rules.html", health=health, period=period, hall=hall,
                  by_hall=by_hall, titles=rule_titles(config_of(request).lexicon),
                  statuses=STATUS_LABELS, reasons=REASON_LABELS,
                  below=[r for r in flagged.values() if r.status == "below_bar"],
                  too_few=[r for r in flagged.values() if r.status == "too_few"])
