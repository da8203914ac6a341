"""Supervisors' trust pages: rule health (``GET /rules``) and calibration (``GET /calibration``).

The figures are those of ``conduct report --rules``
(:func:`analyzer.store.health.build_rule_health`) over the period asked for
(``period=2026-11``, or ``since``/``until``; default the latest month), one
hall or all, against the scoring template's ``[rule_health]`` bar. A rule
below the bar, or with too few reviews to say, is flagged here and its
findings are marked *under review* on the 红黑榜.

``/calibration`` shows how often inspectors who judged the same findings agree
(:func:`analyzer.store.calibration.build_calibration`: raw counts and Cohen's
kappa per pair, overall and per rule), lists their disagreements, and takes a
supervisor's ruling on each (``POST /calibration/{finding_id}/ruling``): the
finding's verdict, and the reference the inspectors and the analyzer are
measured against.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from analyzer.i18n import _
from analyzer.reports.health import REASON_LABELS, STATUS_LABELS
from analyzer.store.calibration import build_calibration
from analyzer.store.health import build_rule_health
from analyzer.web.auth import User
from analyzer.web.deps import check_csrf, config_of, database, render, require_role, store_of
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


def _referees(request: Request) -> list[str]:
    """The supervisors (and admins): their verdicts are rulings, not an inspector's."""
    from analyzer.web.auth import list_users

    return [u.name for u in list_users(database(request)) if u.role in ("supervisor", "admin")]


@router.get("/calibration", response_class=HTMLResponse)
def calibration(request: Request, user: User = SUPERVISOR) -> Response:
    """Agreement between inspectors on the same findings, their disagreements, the rulings."""
    period = period_of(request)
    hall = str(request.query_params.get("hall", "") or "").strip()
    data = build_calibration(store_of(request), period, hall=hall,
                             referees=_referees(request))
    return render(request, "calibration.html", calibration=data, period=period, hall=hall)


@router.post("/calibration/{finding_id}/ruling", dependencies=[Depends(check_csrf)])
async def ruling(request: Request, finding_id: int, user: User = SUPERVISOR) -> Response:
    """A supervisor's ruling on a disagreement: the finding's verdict and the reference."""
    form = await request.form()
    verdict = str(form.get("verdict", ""))
    if verdict not in ("confirm", "dismiss"):
        raise HTTPException(status_code=400, detail=_("a ruling confirms or dismisses"))
    comment = str(form.get("comment", "") or "").strip()[:2000]
    period = str(form.get("period", "") or "")
    store = store_of(request)
    await run_in_threadpool(store.set_verdict, finding_id, verdict, comment, user.name)
    return RedirectResponse(f"/calibration?period={quote(period)}#finding-{finding_id}",
                            status_code=303)
