"""Inspectors' pages: the queue, an interaction, verdicts, dismissals, dashboard."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, TypeVar, cast
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from analyzer.errors import AnalyzerError
from analyzer.i18n import N_, _
from analyzer.reports.health import REASON_LABELS
from analyzer.rules.score import release
from analyzer.speech.clips import MEDIA_TYPES
from analyzer.store import REVIEW_STATES, Store, rescore_findings
from analyzer.store.appeals import Appeal
from analyzer.store.blind import in_review_state, own_reviews
from analyzer.store.filters import Filter
from analyzer.store.reviews import score_after
from analyzer.store.rows import FindingRow, InteractionColumns, InteractionRow, ReviewRow
from analyzer.store.sampling import Assignment
from analyzer.store.schema import DISMISS_REASONS
from analyzer.types import InteractionReport, Utterance
from analyzer.web import charts, queries, recordings, staff_view
from analyzer.web.auth import User
from analyzer.web.deps import (
    check_csrf,
    check_own,
    config_of,
    database,
    query_values,
    render,
    require_role,
    store_of,
)
from analyzer.web.deps import (
    today as today_in_hall,
)

if TYPE_CHECKING:
    from analyzer.speech.attribution import Attribution

R = TypeVar("R", bound=InteractionColumns)
router = APIRouter()
logger = logging.getLogger("analyzer")
INSPECTOR = require_role("inspector")
#: The interaction page and its recording: inspectors review, supervisors rule on
#: appeals, a staff account sees its own interactions (and appeals their findings).
READERS = require_role("inspector", "supervisor", "staff")
PAGE_SIZE = 50
#: The queue counts matches of finding filters up to this many ("1000+" past it).
QUEUE_COUNT_CAP = 1000
#: Query parameters the queue and the API accept, as the store names them.
FILTERS: tuple[str, ...] = ("hall", "window", "staff", "since", "until", "article", "rule",
                            "review", "channel")


def shown_filters(request: Request) -> dict[str, str | int]:
    """The filters given in the query string (empty values dropped), as the page shows them."""
    return query_values(request.query_params, FILTERS, {"review": REVIEW_STATES})


def filters_of(request: Request) -> Filter:
    """The filters given in the query string, for the store."""
    return Filter.of(shown_filters(request))


@router.get("/queue", response_class=HTMLResponse)
def queue(request: Request, page: int = 1, user: User = INSPECTOR) -> Response:
    """Flagged interactions, worst (review-adjusted) score first."""
    store = store_of(request)
    filters = replace(filters_of(request), flagged=True)
    page = max(page, 1)
    rows = store.interactions(filters, order="score", limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    mine = store.assignments(inspector=user.name, limit=200)
    blind = blind_items(store, mine, user)
    if blind:  # the viewer's calibration items, as their own verdicts alone give them
        rows = as_seen(store, rows, blind, user, filters, first_page=page == 1)
        mine = [replace(a, score=own_score(store, a.interaction_pk, user))
                if a.interaction_pk in blind else a for a in mine]
    # exact from the rollups, or "1000+": a pager never walks every match of a month
    total = store.tally(filters, cap=max(QUEUE_COUNT_CAP, page * PAGE_SIZE))
    choices = queries.distinct_values(database(request))
    pages = max(1, -(-total.n // PAGE_SIZE))
    if not total.exact and len(rows) == PAGE_SIZE:
        pages = max(pages, page + 1)
    shown = shown_filters(request)
    today = today_in_hall(request)
    states = [(a, a.state(today)) for a in mine]

    def link(n: int) -> str:
        return "/queue?" + urlencode({**shown, "page": n})

    return render(request, "queue.html", rows=rows, total=total, page=page, pages=pages,
                  filters=shown, choices=choices, assigned=states,
                  counts={s: sum(1 for _, x in states if x == s)
                          for s in ("open", "overdue", "done")},
                  prev_url=link(page - 1) if page > 1 else "",
                  next_url=link(page + 1) if page < pages else "")


def blind_items(store: Store, mine: list[Assignment], user: User) -> set[int]:
    """The interactions of ``mine`` that ``user`` must still review blind
    (:meth:`~analyzer.store.Store.blind_to_others`); none for supervisors and admins."""
    if user.role != "inspector":
        return set()
    return {a.interaction_pk for a in mine
            if a.second is not None and store.blind_to_others(a.interaction_pk, user.name)}


def own_row(store: Store, row: InteractionRow, user: User
            ) -> tuple[InteractionRow, list[FindingRow]]:
    """``row`` with the score, grade and unreviewed count of ``user``'s own verdicts when
    ``user`` must review it blind (:func:`seen_by`), and its findings as they see them."""
    found, _reviews, blind = seen_by(store, row["id"], user)
    if not blind:
        return row, found
    shown = _own_score(row, store.report(row["id"]), found)
    shown["n_unreviewed"] = sum(1 for f in found if f["verdict"] is None)
    return shown, found


def own_score(store: Store, pk: int, user: User) -> int:
    """The score of ``pk`` that ``user`` sees (their own verdicts' while blind, :func:`seen_by`)."""
    row = store.interaction(pk)
    found, _reviews, blind = seen_by(store, pk, user)
    return _own_score(row, store.report(pk), found)["score"] if blind else row["score"]


def _matches_but_review(store: Store, pk: int, filters: Filter) -> InteractionRow | None:
    """Interaction ``pk``'s row when it matches ``filters`` but for the review state."""
    row = store.interaction(pk)
    day, staff = row["day"], row["staff"]
    if ((filters.staff and filters.staff != staff) or (filters.since and day < filters.since)
            or (filters.until and day > filters.until)):
        return None
    near = replace(filters, review="", staff=staff, since=day, until=day)
    return next((r for r in store.interactions(near) if r["id"] == pk), None)


def as_seen(store: Store, rows: list[InteractionRow], blind: set[int], user: User,
            filters: Filter, *, first_page: bool) -> list[InteractionRow]:
    """A queue page as ``user`` sees it: the rows of ``blind`` items with their own score,
    and, under a review filter, those items kept or added by their own verdicts alone
    (added on the first page), worst score first."""
    if filters.review:
        rows = [r for r in rows if r["id"] not in blind]
        if first_page:
            rows += [r for r in (_matches_but_review(store, pk, filters) for pk in sorted(blind))
                     if r is not None]
    shown = []
    for row in rows:
        if row["id"] not in blind:
            shown.append(row)
            continue
        own, found = own_row(store, row, user)
        if not filters.review or in_review_state(found, filters.review):
            shown.append(own)
    return sorted(shown, key=lambda r: r["score"])


#: Rule titles per set of extra lexicon files, once they loaded (a failure is not kept).
_TITLES: dict[tuple[str, ...], dict[str, dict[str, str]]] = {}


def rule_titles(extra: tuple[str, ...]) -> dict[str, dict[str, str]]:
    """Rule id -> title and seed wording from the lexicon (empty if it cannot load).

    Loaded titles are kept; a lexicon that failed to load is tried again on
    the next page, so a fixed file shows its titles without a restart.
    """
    if extra in _TITLES:
        return _TITLES[extra]
    try:
        from analyzer.text.lexicon import load_lexicon

        lexicon = load_lexicon(extra)
    except AnalyzerError:  # the page still works without titles
        logger.warning("rule titles unavailable: the lexicon %s does not load", extra,
                       exc_info=True)
        return {}
    titles = {r.id: {"title": r.shown_title(), "cite": r.cite, "source": r.source}
              for r in lexicon.rules}
    _TITLES[extra] = titles
    return titles


#: Why the phrase detector rejected a candidate (``Heard.reason``), as the page says it.
REJECT_LABELS: dict[str, str] = {
    "margin": N_("scored far below what the recognizer wrote"),
    "rival": N_("another phrase there was more probable"),
    "probability": N_("below the acceptance probability")}

class FindingView(FindingRow):
    """A finding as the interaction page shows it: its rule's title and seed sentence,
    its review history and its appeal."""

    title: str
    cite: str
    history: list[ReviewRow]
    appeal: Appeal | None
    review: str


@dataclass(frozen=True)
class Turn:
    """One utterance as the page shows it, with the findings it carries."""

    index: int
    speaker: str
    label: str
    start: float
    end: float
    segments: list[tuple[str, bool]]
    findings: list[FindingView]
    known: bool
    attributed: float | None


def _transcript(utterances: list[Utterance], findings: list[FindingView]) -> list[Turn]:
    """Utterances with the findings they carry and their evidence marked.

    A finding of the whole visit (:func:`of_the_visit`) is not painted on
    each line it spans: the page shows it once, above the transcript.
    """
    out = []
    for i, u in enumerate(utterances):
        hits = [f for f in findings if _overlaps(f, u) and not of_the_visit(f, utterances)]
        out.append(Turn(i, u.speaker, u.speaker, u.start, u.end,
                        _mark(u.text, [f["evidence"] for f in hits]), hits, u.speaker_known,
                        u.speaker_confidence if u.speaker_confidence < 1.0 else None))
    return out


def of_the_visit(f: FindingRow, utterances: list[Utterance]) -> bool:
    """True for a missing owed phrase whose span covers more than one utterance.

    Such a finding (no greeting, no farewell) is about the visit, not about
    one thing said, so it is shown once for the whole interaction.
    """
    if f["kind"] != "missing":
        return False
    return sum(1 for u in utterances if _overlaps(f, u)) > 1


def attribution_of(report: InteractionReport) -> Attribution | None:
    """Who said it: the recording's attribution (what was dropped, the voices), or None."""
    from analyzer.speech.attribution import Attribution

    return Attribution.from_dict((report.analyzer.asr or {}).get("attribution"))


def _overlaps(f: FindingRow, u: Utterance) -> bool:
    start = f["start"]
    if start is None:
        return False
    end = f["end"] if f["end"] is not None else start
    same = f["speaker"] not in ("staff", "citizen") or f["speaker"] == u.speaker
    return same and start <= u.end + 0.05 and end >= u.start - 0.05


def _mark(text: str, evidence: list[str]) -> list[tuple[str, bool]]:
    """Split text into (piece, is_evidence) pieces."""
    marks = [False] * len(text)
    for ev in evidence:
        ev = (ev or "").strip()
        pos = text.find(ev) if ev else -1
        if pos >= 0:
            for k in range(pos, pos + len(ev)):
                marks[k] = True
    pieces: list[tuple[str, bool]] = []
    for ch, m in zip(text, marks, strict=True):
        if pieces and pieces[-1][1] == m:
            pieces[-1] = (pieces[-1][0] + ch, m)
        else:
            pieces.append((ch, m))
    return pieces


def seen_by(store: Store, pk: int, user: User
            ) -> tuple[list[FindingRow], list[ReviewRow], bool]:
    """The findings and reviews of ``pk`` that ``user`` may see, and whether the view is blind.

    An inspector of a calibration item who has not judged it yet sees only
    their own verdicts (:meth:`~analyzer.store.Store.blind_to_others`,
    :func:`~analyzer.store.blind.own_reviews`); supervisors and admins see all.
    """
    findings, reviews = store.findings(pk), store.reviews(pk=pk)
    blind = user.role == "inspector" and store.blind_to_others(pk, user.name)
    if blind:
        findings, reviews = own_reviews(findings, reviews, user.name)
    return findings, reviews, blind


def _own_score(row: R, report: InteractionReport, findings: list[FindingRow]) -> R:
    """``row`` with the score and grade that only the viewer's own verdicts give."""
    verdicts = {f["idx"]: f["verdict"] for f in findings if f["verdict"]}
    score, grade = score_after(report, verdicts, (row["auto_score"], row["auto_grade"]))
    shown = row.copy()
    shown["score"], shown["grade"] = score, grade
    return shown


@router.get("/interactions/{pk}", response_class=HTMLResponse)
def interaction(request: Request, pk: int, user: User = READERS) -> Response:
    """One interaction: transcript, findings with verdicts, audio player."""
    store = store_of(request)
    config = config_of(request)
    row = store.interaction(pk)
    check_own(user, row["staff"])
    report = store.report(pk)
    titles = rule_titles(config.lexicon)
    found, reviews, blind = seen_by(store, pk, user)
    if blind:
        row = _own_score(row, report, found)
    appeals = {a.finding_id: a for a in store.appeals(pk=pk)}
    findings: list[FindingView] = [
        {**f, "title": titles.get(f["rule"], {}).get("title", ""),
         "cite": titles.get(f["rule"], {}).get("cite", ""),
         "history": [r for r in reviews if r["finding_id"] == f["id"]],
         "appeal": appeals.get(f["id"]), "review": report.findings[f["idx"]].review}
        for f in found]
    has_audio = recordings.recording_for(request, user, row) is not None
    confirmed = [release(report.findings[r["idx"]]) for r in findings
                 if r["verdict"] == "confirm"]
    confirmed_score = rescore_findings(confirmed, report) if confirmed or not findings else None
    orphans = [r for r in reviews if r["finding_id"] is None]
    said, attribution = report.utterances, attribution_of(report)
    if user.role == "staff":  # citizens' data masked, no reviewers' names
        said, attribution = staff_view.utterances(said), None
        findings = [cast(FindingView, staff_view.finding(dict(f), user.name)) for f in findings]
        orphans = [staff_view.review(r) for r in orphans]
    return render(request, "interaction.html", row=row, report=report, findings=findings,
                  may_review=user.may("inspector"), blind=blind,
                  may_appeal=user.may("supervisor") or user.role == "staff",
                  confirmed_score=confirmed_score,
                  transcript=_transcript(said, findings), has_audio=has_audio,
                  visit_findings=[f for f in findings if of_the_visit(f, said)],
                  audio_off=config.recordings_root is None,
                  attribution=attribution, orphan_reviews=orphans,
                  dismiss_reasons=DISMISS_REASONS, reason_labels=REASON_LABELS,
                  tried=[h for u in said for h in u.heard if not h.accepted],
                  reject_labels=REJECT_LABELS)


@router.post("/findings/{finding_id}/verdict", dependencies=[Depends(check_csrf)])
async def verdict(request: Request, finding_id: int, user: User = INSPECTOR) -> Response:
    """Record confirm / dismiss / comment on a finding, with who and when (and why a dismissal)."""
    form = await request.form()
    choice = str(form.get("verdict", ""))
    comment = str(form.get("comment", "")).strip()[:2000]
    reason = str(form.get("reason", "") or "").strip() if choice == "dismiss" else ""
    if choice not in ("confirm", "dismiss", "comment"):
        raise HTTPException(status_code=400, detail=_("verdict must be confirm, dismiss or comment"))
    if choice == "comment" and not comment:
        raise HTTPException(status_code=400, detail=_("a comment needs text"))
    store = store_of(request)

    def save() -> int:
        pk, _staff = store.finding_owner(finding_id)  # NotFound: a 404
        store.set_verdict(finding_id, choice, comment, user.name, reason=reason)
        return pk

    pk = await run_in_threadpool(save)
    if "application/json" in request.headers.get("accept", ""):
        row = store.interaction(pk)
        found, _reviews, blind = seen_by(store, pk, user)
        if blind:  # the score the inspector's own verdicts give, not the pair's
            row = _own_score(row, store.report(pk), found)
        return JSONResponse(row | {"input": None, "audio": None})
    return RedirectResponse(f"/interactions/{pk}#finding-{finding_id}", status_code=303)


@router.post("/assignments/{assignment_id}/done", dependencies=[Depends(check_csrf)])
def assignment_done(request: Request, assignment_id: int, user: User = INSPECTOR) -> Response:
    """Mark one of one's assignments done (an interaction without findings, say)."""
    store = store_of(request)
    if store.assignment(assignment_id).inspector != user.name and user.role != "admin":
        raise HTTPException(status_code=403, detail=_("this assignment is another inspector's"))
    store.complete_assignment(assignment_id, user.name)
    return RedirectResponse("/queue#assigned", status_code=303)


@router.get("/audio/{pk}")
def audio(request: Request, pk: int, user: User = READERS) -> Response:
    """The interaction's recording (range requests supported, for seeking).

    A staff account hears only a recording that is its own (every interaction
    it belongs to is of its staff id), with personal data masked by a tone
    (:mod:`analyzer.web.recordings`).
    """
    row = store_of(request).interaction(pk)
    check_own(user, row["staff"])
    path = recordings.recording_for(request, user, row)
    if path is None:
        raise HTTPException(status_code=404, detail=_("no recording for this interaction"))
    if user.role == "staff":
        path = recordings.masked_copy(request, pk, path)
    media = MEDIA_TYPES.get(path.suffix.lower(), "application/octet-stream")
    return FileResponse(path, media_type=media, headers={"Cache-Control": "private, no-store"})


@router.get("/dismissals.csv")
def dismissals_csv(request: Request, user: User = INSPECTOR) -> Response:
    """Dismissed findings (false alarms) as CSV, for lexicon owners."""
    rows = queries.dismissals(database(request), filters_of(request))
    if user.role == "inspector":  # none of the others' on items the viewer reviews blind
        rows = own_dismissals(store_of(request), rows, user)
    return Response(queries.dismissals_csv(rows), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="dismissals.csv"'})


def own_dismissals(store: Store, rows: list[queries.DismissalRow], user: User
                   ) -> list[queries.DismissalRow]:
    """``rows`` without other inspectors' dismissals on interactions ``user`` must still
    review blind (:func:`seen_by`); on those, only the viewer's own comment is given."""
    seen: dict[int, list[ReviewRow] | None] = {}
    out = []
    for row in rows:
        pk, _staff = store.finding_owner(row["id"])
        if pk not in seen:
            _found, reviews, blind = seen_by(store, pk, user)
            seen[pk] = reviews if blind else None
        mine = seen[pk]
        if mine is None:
            out.append(row)
        elif row["dismissed_by"] == user.name:
            said = [r["comment"] for r in mine if r["finding_id"] == row["id"] and r["comment"]]
            out.append(row | {"comment": said[-1] if said else ""})
    return out


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard(request: Request, user: User = INSPECTOR) -> Response:
    """Scores and breaches per window and per article over time."""
    filters = filters_of(request)
    shown = shown_filters(request)
    db = database(request)
    days, series = queries.score_series(db, filters)
    bdays, stacks = queries.breach_series(db, filters)
    windows = queries.window_table(db, filters)
    articles = queries.article_table(db, filters)
    choices = queries.distinct_values(db)
    score_svg = charts.line_chart(days, series, title="平均得分 / mean score per window", y_label="分")
    breach_svg = charts.bar_chart(bdays, stacks, title="违规 / breaches per article", y_label="条")
    return render(request, "dashboard.html", score_svg=score_svg, breach_svg=breach_svg,
                  windows=windows, articles=articles, filters=shown, choices=choices)


@router.get("/errors", response_class=HTMLResponse)
def errors(request: Request, user: User = INSPECTOR) -> Response:
    """The inputs the batch could not analyse (still failing), newest first, and why."""
    rows = store_of(request).latest_errors()
    return render(request, "errors.html", errors=rows)


@router.get("/api/interactions", response_model=None)
def api_interactions(request: Request, limit: int = 100, offset: int = 0,
                     user: User = INSPECTOR) -> dict[str, list[InteractionRow]]:
    """JSON: interactions matching the filters, worst first."""
    rows = store_of(request).interactions(filters_of(request), order="score",
                                                limit=min(max(limit, 1), 1000), offset=max(offset, 0))
    return {"interactions": rows}


@router.get("/api/interactions/{pk}", response_model=None)
def api_interaction(request: Request, pk: int, user: User = INSPECTOR) -> dict[str, object]:
    """JSON: one interaction's row, report, findings (with ids and verdicts) and reviews."""
    store = store_of(request)
    row, report = store.interaction(pk), store.report(pk)
    findings, reviews, blind = seen_by(store, pk, user)
    if blind:
        row = _own_score(row, report, findings)
    return {"interaction": {k: v for k, v in row.items() if k not in ("input", "audio")},
            "report": report.to_dict(), "findings": findings, "reviews": reviews,
            "blind": blind}
