"""The inspectors' month: staff pages, the 红黑榜, appeals (申诉) and rectifications (整改).

Routes and who may use them (admins may use every route):

=====================================  =====================================
``GET /staff``                         inspector, supervisor (names: supervisor)
``GET /staff/{id}``                    inspector, supervisor; a staff account: its own
``GET /ranking``, ``/ranking/print``   inspector, supervisor (names: supervisor)
``GET /appeals``                       supervisor
``POST /findings/{id}/appeal``         supervisor (for the staff member); staff: its own
``POST /appeals/{id}/ruling``          supervisor (not the one who filed it)
``POST /rectifications``, ``.../done`` supervisor
``GET /sampling``, ``POST /sampling``  supervisor (抽检: fill the inspectors' queues)
=====================================  =====================================

Everything is read from and written through :class:`analyzer.store.Store`
(results, ranking, appeals, audit trail); the figures are those of ``conduct
report``.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from analyzer.errors import NotFound
from analyzer.i18n import _
from analyzer.reports.ranking import render_html
from analyzer.rules.score import ScoringTemplate, load_template
from analyzer.store import APPEAL_STATES, periods
from analyzer.store.filters import Filter
from analyzer.store.periods import Period
from analyzer.store.ranking import Ranking, build_ranking
from analyzer.store.results import GroupResult
from analyzer.store.sampling import SampleResult
from analyzer.web import staff_view
from analyzer.web.auth import User
from analyzer.web.deps import (
    check_csrf,
    check_own,
    config_of,
    database,
    hall_zones,
    render,
    require_role,
    store_of,
)
from analyzer.web.deps import (
    today as today_in_hall,
)

router = APIRouter()
READERS = require_role("inspector", "supervisor")
#: One staff member's page: also that staff member's own account.
STAFF_READERS = require_role("inspector", "supervisor", "staff")
SUPERVISOR = require_role("supervisor")
#: Filing an appeal: a supervisor for the staff member, or the staff member.
APPELLANTS = require_role("supervisor", "staff")


def template_of(request: Request) -> ScoringTemplate:
    """The scoring template the app was started with (``--template``; default the shipped one)."""
    return load_template(config_of(request).scoring_template or None)


def period_of(request: Request) -> Period:
    """The ``period`` query parameter (``2026-11``, ``2026-Q4``, ``2026``), or ``since`` and
    ``until`` days; default the latest month with interactions."""
    text = str(request.query_params.get("period", "") or "").strip()
    since, until = (str(request.query_params.get(k, "") or "").strip() for k in ("since", "until"))
    if since and until and not text:
        try:
            return periods.days(since, until)
        except ValueError as exc:
            raise HTTPException(status_code=400, detail=_("period: %(error)s") % {"error": exc}) from None
    if not text:
        span = store_of(request).day_span()
        text = span[1][:7] if span else "1970-01"
    try:
        return periods.parse_period(text)
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=_("period: %(error)s") % {"error": exc}) from None


def _named(user: User, results: list[GroupResult], names: dict[str, str]) -> None:
    """Fill in names for users allowed to see them; clear them for everyone else."""
    for r in results:
        r.name = names.get(r.staff, "") if user.sees_names else ""


@router.get("/staff", response_class=HTMLResponse)
def staff_list(request: Request, user: User = READERS) -> Response:
    """Every staff member's results over the period, worst mean score first."""
    store, period = store_of(request), period_of(request)
    hall = str(request.query_params.get("hall", "") or "")
    results = store.results("staff", period, template_of(request).failing_grade,
                            Filter(hall=hall), links=False)
    _named(user, results, store.staff_names())
    results.sort(key=lambda r: (r.figures.mean_score if r.figures.mean_score is not None
                                else 101, r.key))
    return render(request, "staff.html", results=results, period=period, hall=hall,
                  show_names=user.sees_names)


@router.get("/staff/{staff_id}", response_class=HTMLResponse)
def staff_one(request: Request, staff_id: str, user: User = STAFF_READERS) -> Response:
    """One staff member: figures, trend, breaches by article and rule, best and worst, appeals."""
    check_own(user, staff_id)
    store, period = store_of(request), period_of(request)
    results = store.results("staff", period, template_of(request).failing_grade,
                            Filter(staff=staff_id))
    if not results:
        raise HTTPException(status_code=404,
                            detail=_("no interactions of staff %(staff)s in %(period)s") % {
                                "staff": staff_id, "period": period.label})
    _named(user, results, store.staff_names())
    appeals, rectifications = store.appeals(staff=staff_id), store.rectifications(staff=staff_id)
    if user.role == "staff":  # no names of who filed, ruled or set; personal data masked
        appeals = [staff_view.appeal(a, user.name) for a in appeals]
        rectifications = [staff_view.rectification(r) for r in rectifications]
    return render(request, "staff_one.html", r=results[0], period=period,
                  show_names=user.sees_names, appeals=appeals, rectifications=rectifications)


def _ranking(request: Request, user: User) -> Ranking:
    filters = Filter(hall=str(request.query_params.get("hall", "") or ""))
    return build_ranking(store_of(request), period_of(request), template_of(request),
                         filters, names=user.sees_names)


@router.get("/ranking", response_class=HTMLResponse)
def ranking(request: Request, user: User = READERS) -> Response:
    """The period's red and black lists, with rectifications for supervisors to set."""
    data = _ranking(request, user)
    query = request.url.query
    return render(request, "ranking.html", ranking=data, period=data.period,
                  print_url="/ranking/print" + (f"?{query}" if query else ""),
                  show_names=user.sees_names, may_rectify=user.may("supervisor"))


@router.get("/ranking/print", response_class=HTMLResponse)
def ranking_print(request: Request, user: User = READERS) -> Response:
    """The self-contained, printable list: the page ``conduct report --month`` writes."""
    return HTMLResponse(render_html(_ranking(request, user), hall_zones(request)))


@router.get("/appeals", response_class=HTMLResponse)
def appeals(request: Request, user: User = SUPERVISOR) -> Response:
    """Open appeals to rule on, and the ruled ones with their audit trail."""
    store = store_of(request)
    status = str(request.query_params.get("status", "") or "")
    if status and status not in APPEAL_STATES:
        raise HTTPException(status_code=400,
                            detail=_("status must be one of %(values)s") % {
                                "values": ", ".join(APPEAL_STATES)})
    rows = store.appeals(status=status or None)
    trail = {a.id: store.audit("appeal", a.id) for a in rows}
    names = store.staff_names()
    return render(request, "appeals.html", appeals=rows, trail=trail, status=status,
                  states=APPEAL_STATES,
                  names=names if user.sees_names else {})


async def _form(request: Request, *keys: str) -> dict[str, str]:
    form = await request.form()
    return {k: str(form.get(k, "") or "").strip()[:2000] for k in keys}


@router.post("/findings/{finding_id}/appeal", dependencies=[Depends(check_csrf)])
async def file_appeal(request: Request, finding_id: int, user: User = APPELLANTS) -> Response:
    """File an appeal against a confirmed finding, with a reason: a supervisor for the
    staff member, or the staff member for themself."""
    form = await _form(request, "reason")
    store = store_of(request)
    if user.role == "staff":
        try:
            _pk, staff = store.finding_owner(finding_id)
        except NotFound:
            staff = ""  # a staff account learns nothing of other findings, not even that
        check_own(user, staff)
    if not form["reason"]:
        raise HTTPException(status_code=400, detail=_("an appeal needs a reason"))
    appeal_id = await run_in_threadpool(store.file_appeal, finding_id, form["reason"], user.name)
    if user.role == "staff":
        return RedirectResponse(f"/staff/{quote(user.staff_id, safe='')}#appeals", status_code=303)
    return RedirectResponse(f"/appeals#appeal-{appeal_id}", status_code=303)


@router.post("/appeals/{appeal_id}/ruling", dependencies=[Depends(check_csrf)])
async def rule_appeal(request: Request, appeal_id: int, user: User = SUPERVISOR) -> Response:
    """Rule an appeal upheld or overturned, with a comment; the score follows."""
    form = await _form(request, "outcome", "comment")
    if form["outcome"] not in ("upheld", "overturned"):
        raise HTTPException(status_code=400, detail=_("outcome must be upheld or overturned"))
    if not form["comment"]:
        raise HTTPException(status_code=400, detail=_("a ruling needs a comment"))
    store = store_of(request)
    await run_in_threadpool(store.rule_appeal, appeal_id, form["outcome"], form["comment"],
                            user.name)
    return RedirectResponse(f"/appeals#appeal-{appeal_id}", status_code=303)


@router.post("/rectifications", dependencies=[Depends(check_csrf)])
async def set_rectification(request: Request, user: User = SUPERVISOR) -> Response:
    """Set the corrective action and follow-up date of a black-listed staff member."""
    form = await _form(request, "staff", "period", "action", "follow_up")
    try:
        period = periods.parse_period(form["period"])
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=_("period: %(error)s") % {"error": exc}) from None
    if not form["staff"] or not form["action"]:
        raise HTTPException(status_code=400, detail=_("a rectification needs a staff id and an action"))
    store = store_of(request)
    try:
        await run_in_threadpool(store.set_rectification, form["staff"], period.label,
                                form["action"], form["follow_up"], user.name)
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return RedirectResponse(f"/ranking?period={quote(period.label)}", status_code=303)


@router.post("/rectifications/{rect_id}/done", dependencies=[Depends(check_csrf)])
async def rectification_done(request: Request, rect_id: int, user: User = SUPERVISOR) -> Response:
    """Mark a rectification done, saying what was done."""
    form = await _form(request, "note")
    if not form["note"]:
        raise HTTPException(status_code=400, detail=_("say what was done"))
    store = store_of(request)
    rect = await run_in_threadpool(store.complete_rectification, rect_id, form["note"], user.name)
    return RedirectResponse(f"/staff/{quote(rect.staff, safe='')}", status_code=303)


def _inspectors(request: Request) -> list[str]:
    """The enabled inspector accounts: whom sampling may assign to."""
    from analyzer.web.auth import list_users

    return [u.name for u in list_users(database(request))
            if u.role == "inspector" and not u.disabled]


def _sampling_page(request: Request, period: Period, result: SampleResult | None = None
                   ) -> Response:
    from analyzer.store.sampling import ASSIGNMENT_STATES, DEFAULT_SEED

    today = today_in_hall(request)
    tally = store_of(request).assignment_tally(period.label, today)
    return render(request, "sampling.html", period=period, rules=template_of(request).sampling,
                  inspectors=_inspectors(request), tally=tally, states=ASSIGNMENT_STATES,
                  result=result, today=today, default_seed=DEFAULT_SEED)


@router.get("/sampling", response_class=HTMLResponse)
def sampling(request: Request, user: User = SUPERVISOR) -> Response:
    """The period's sample: each inspector's open, overdue and done assignments, and the form."""
    return _sampling_page(request, period_of(request))


@router.post("/sampling", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
async def run_sampling(request: Request, user: User = SUPERVISOR) -> Response:
    """Draw the period's sample by the template's ``[sampling]`` rules and assign it.

    Seeded: the same database, template, period and seed draw the same
    sample; what was assigned before keeps its inspector. A calibration
    share (0 to 1) of the new assignments also goes to a second inspector.
    """
    form = await request.form()
    try:
        period = periods.parse_period(str(form.get("period", "") or "").strip())
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=_("period: %(error)s") % {"error": exc}) from None
    allowed = set(_inspectors(request))
    chosen = [str(v) for v in form.getlist("inspector")]
    if not chosen or not set(chosen) <= allowed:
        raise HTTPException(status_code=400,
                            detail=_("choose one or more of the enabled inspectors"))
    from datetime import date

    from analyzer.store.sampling import DEFAULT_SEED

    seed = str(form.get("seed", "") or "").strip()[:100] or DEFAULT_SEED
    try:
        calibration = float(str(form.get("calibration", "") or "0"))
    except ValueError:
        calibration = -1.0
    if not 0.0 <= calibration <= 1.0:
        raise HTTPException(status_code=400,
                            detail=_("calibration share: a number from 0 to 1"))
    store = store_of(request)
    today = date.fromisoformat(today_in_hall(request))
    result = await run_in_threadpool(lambda: store.sample(
        period, template_of(request).sampling, chosen, seed=seed, user=user.name, today=today,
        calibration=calibration))
    return _sampling_page(request, period, result)
