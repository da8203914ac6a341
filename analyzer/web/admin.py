"""Admins' pages: the review app's accounts, and the backtest of new rules.

An admin adds users or resets a user's role and password, disables or
enables accounts (disabling ends the user's sessions at once) and lifts a
login lock (:func:`analyzer.web.auth.login_lock`). ``conduct users`` does
the same from the command line.

``/admin/backtest`` runs ``conduct lexicon backtest`` on the app's store,
read-only, with a pasted lexicon override (and scoring template): the
findings that would appear and disappear, the verdicts' side, grades and
红黑榜 places (:mod:`analyzer.batch.backtest`).
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from analyzer.batch.backtest import Backtest, run_backtest
from analyzer.errors import AnalyzerError, InvalidRequest
from analyzer.i18n import _, label
from analyzer.web import auth
from analyzer.web.auth import User
from analyzer.web.deps import (
    check_csrf,
    clock_of,
    config_of,
    database,
    render,
    require_role,
    store_of,
)

router = APIRouter()
ADMIN = require_role("admin")


def _users(request: Request) -> list[tuple[auth.Account, int]]:
    """Every account with the minutes left on its login lock (0: not locked)."""
    config = config_of(request)
    db, now = database(request), clock_of(request)
    out = []
    for account in auth.list_users(db):
        wait = auth.login_lock(db, account.name, None, limit=config.login_max_failures,
                               seconds=config.login_failure_seconds, now=now)
        out.append((account, int(wait // 60) + 1 if wait > 0 else 0))
    return out


def _page(request: Request, status: int = 200, error: str = "", notice: str = "") -> Response:
    users = _users(request)
    return render(request, "users.html", status, users=users, roles=auth.ROLES, error=error,
                  notice=notice)


@router.get("/admin/users", response_class=HTMLResponse)
def users_page(request: Request, user: User = ADMIN) -> Response:
    """The accounts, with forms to add, reset, disable, enable and unlock."""
    return _page(request)


@router.post("/admin/users", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
async def save_user(request: Request, user: User = ADMIN) -> Response:
    """Add a user, or reset an existing user's role and password."""
    form = await request.form()
    name, role = str(form.get("name", "")).strip(), str(form.get("role", ""))
    try:
        auth.add_user(database(request), name, role, str(form.get("password", "")),
                      staff_id=str(form.get("staff_id", "") or ""), by=user.name)
    except InvalidRequest as exc:
        return _page(request, 400, error=str(exc))
    return _page(request, notice=_("Saved %(name)s (%(role)s).") % {"name": name,
                                                                    "role": label(role)})


@router.post("/admin/users/{user_id}/{action}", dependencies=[Depends(check_csrf)])
def change_user(request: Request, user_id: int, action: str, user: User = ADMIN) -> Response:
    """``disable``, ``enable`` or ``unlock`` one account."""
    if action not in ("disable", "enable", "unlock"):
        raise HTTPException(status_code=404, detail=_("no action %(action)r") % {"action": action})
    if action == "disable" and user_id == user.id:
        return _page(request, 400, error=_("You cannot disable your own account."))
    db = database(request)
    account = auth.account(db, user_id)  # NotFound: a 404
    if action == "unlock":
        auth.clear_login_failures(db, account.name, by=user.name)
    else:
        auth.set_disabled(db, user_id, action == "disable", by=user.name)
    return RedirectResponse("/admin/users", status_code=303)


#: Largest lexicon or template text the backtest form takes (characters).
MAX_RULES_TEXT = 200_000


@router.get("/admin/backtest", response_class=HTMLResponse)
def backtest_form(request: Request, user: User = ADMIN) -> Response:
    """The backtest form: a lexicon override (and a scoring template) to try on the store."""
    return render(request, "backtest.html", result=None, lexicon_text="", template_text="",
                  error="")


@router.post("/admin/backtest", response_class=HTMLResponse, dependencies=[Depends(check_csrf)])
async def backtest_run(request: Request, user: User = ADMIN) -> Response:
    """Run ``conduct lexicon backtest`` read-only on the app's store and show the diff."""
    form = await request.form()
    lexicon_text = str(form.get("lexicon", "") or "")[:MAX_RULES_TEXT]
    template_text = str(form.get("template", "") or "")[:MAX_RULES_TEXT]
    if not lexicon_text.strip():
        return render(request, "backtest.html", 400, result=None, lexicon_text="",
                      template_text=template_text, error=_("paste the new lexicon"))
    try:
        result = await run_in_threadpool(_backtest, request, lexicon_text, template_text)
    except AnalyzerError as exc:
        return render(request, "backtest.html", 400, result=None, lexicon_text=lexicon_text,
                      template_text=template_text, error=str(exc))
    return render(request, "backtest.html", result=result, lexicon_text=lexicon_text,
                  template_text=template_text, error="")


def _backtest(request: Request, lexicon_text: str, template_text: str) -> Backtest:
    """The backtest of the pasted rules, read-only, the latest month's 红黑榜 compared."""
    import tempfile
    from dataclasses import replace
    from pathlib import Path

    from analyzer.options import AnalyzerOptions
    from analyzer.pipeline import get_lexicon
    from analyzer.pipeline.scoring import get_template
    from analyzer.store import periods

    config = config_of(request)
    store = store_of(request)
    with tempfile.TemporaryDirectory(prefix="conduct-backtest-") as folder:
        lexicon = Path(folder) / "new-lexicon.toml"
        lexicon.write_text(lexicon_text, "utf-8")
        template = Path(folder) / "new-scoring.toml"
        if template_text.strip():
            template.write_text(template_text, "utf-8")
        base = AnalyzerOptions()
        options = replace(base, lexicon=(*config.lexicon, str(lexicon)),
                          score=replace(base.score, template=str(template) if template_text.strip()
                                        else config.scoring_template or ""))
        try:
            new_lexicon = get_lexicon(options)
            scoring = get_template(options, new_lexicon)
        except AnalyzerError as exc:  # named as the form names it, not by the temporary file
            raise InvalidRequest(str(exc).replace(folder + "/", "")) from None
        span = store.day_span()
        period = periods.month(span[1][:7] if span else "1970-01")
        return run_backtest(store, options, new_lexicon, scoring, period=period)
