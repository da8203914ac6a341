"""Admins' page: the review app's accounts.

An admin adds users or resets a user's role and password, disables or
enables accounts (disabling ends the user's sessions at once) and lifts a
login lock (:func:`analyzer.web.auth.login_lock`). ``conduct users`` does
the same from the command line.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from analyzer.errors import InvalidRequest
from analyzer.i18n import _, label
from analyzer.web import auth
from analyzer.web.auth import User
from analyzer.web.deps import check_csrf, clock_of, config_of, database, render, require_role

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
                      staff_id=str(form.get("staff_id", "") or ""))
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
        auth.clear_login_failures(db, account.name)
    else:
        auth.set_disabled(db, user_id, action == "disable")
    return RedirectResponse("/admin/users", status_code=303)
