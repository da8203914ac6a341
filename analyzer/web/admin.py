"""Admins' page: the review app's accounts.

An admin adds users or resets a user's role and password, disables or
enables accounts (disabling ends the user's sessions at once) and lifts a
login lock (:func:`analyzer.web.auth.login_lock`). ``conduct users`` does
the same from the command line.
"""

from __future__ import annotations

import sqlite3

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from analyzer.web import auth
from analyzer.web.auth import User
from analyzer.web.deps import auth_db, check_csrf, render, require_role

router = APIRouter()
ADMIN = require_role("admin")


def _users(request: Request, con: sqlite3.Connection) -> list[dict]:
    """Every account with the minutes left on its login lock (0: not locked)."""
    config = request.app.state.config
    rows = auth.list_users(con)
    for row in rows:
        wait = auth.login_lock(con, row["name"], None, limit=config.login_max_failures,
                               window=config.login_window)
        row["locked_minutes"] = int(wait // 60) + 1 if wait > 0 else 0
    return rows


def _page(request: Request, status: int = 200, error: str = "", notice: str = "") -> Response:
    with auth_db(request) as con:
        users = _users(request, con)
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
        with auth_db(request) as con:
            auth.add_user(con, name, role, str(form.get("password", "")),
                          staff_id=str(form.get("staff_id", "") or ""))
    except ValueError as exc:
        return _page(request, 400, error=str(exc))
    return _page(request, notice=f"Saved {name} ({role}).")


@router.post("/admin/users/{user_id}/{action}", dependencies=[Depends(check_csrf)])
def change_user(request: Request, user_id: int, action: str, user: User = ADMIN) -> Response:
    """``disable``, ``enable`` or ``unlock`` one account."""
    if action not in ("disable", "enable", "unlock"):
        raise HTTPException(status_code=404, detail=f"no action {action!r}")
    if action == "disable" and user_id == user.id:
        return _page(request, 400, error="You cannot disable your own account.")
    with auth_db(request) as con:
        row = con.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone()
        if row is None:
            raise HTTPException(status_code=404, detail=f"no user with id {user_id}")
        if action == "unlock":
            auth.clear_login_failures(con, row["name"])
        else:
            auth.set_disabled(con, user_id, action == "disable")
    return RedirectResponse("/admin/users", status_code=303)
