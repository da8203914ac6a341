"""What the review app's routers share: database access, the user, roles, CSRF, forms, pages.

Routers (``inspect``, ``train``, ``admin``) and ``app`` import from here;
nothing here imports them, so the web package has no import cycle.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from analyzer.config import WebConfig
from analyzer.store import Store
from analyzer.store.database import Database
from analyzer.web import auth


def store_of(request: Request) -> Store:
    """The app's results database (one per app; its pool serves every request)."""
    store: Store = request.app.state.store
    return store


def config_of(request: Request) -> WebConfig:
    """The app's settings."""
    config: WebConfig = request.app.state.config
    return config


def database(request: Request) -> Database:
    """The results database's pool: the accounts and the dashboards read through it."""
    return store_of(request).db


def clock_of(request: Request) -> float:
    """Now, on the app's clock (tests give the app one; default ``time.time``)."""
    clock: Callable[[], float] = request.app.state.clock
    return clock()


def wants_html(request: Request) -> bool:
    """True for a browser (pages, redirects); False for scripts (JSON errors)."""
    return "text/html" in request.headers.get("accept", "")


def current_user(request: Request) -> auth.User:
    """The logged-in user (the guard guarantees there is one)."""
    session: auth.Session = request.state.session
    return session.user


def require_role(*roles: str) -> Any:
    """A dependency that lets through users with one of ``roles`` (or admins)."""

    def check(request: Request) -> auth.User:
        user = current_user(request)
        if not user.may(*roles):
            raise HTTPException(status_code=403, detail=f"this page is for {' / '.join(roles)} users")
        return user

    return Depends(check)


def check_own(user: auth.User, staff_id: str) -> None:
    """Refuse a ``staff`` account anything but its own staff id's pages (403)."""
    if user.role == "staff" and staff_id != user.staff_id:
        raise HTTPException(status_code=403, detail="a staff account sees its own results only")


async def check_csrf(request: Request) -> None:
    """Refuse a POST whose CSRF token (form field or header) is not the session's."""
    given = request.headers.get("x-csrf-token")
    if given is None:
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not auth.tokens_match(request.state.session.csrf_token, given):
        raise HTTPException(status_code=403, detail="missing or wrong CSRF token; reload the page")


def query_values(values: Mapping[str, Any], keys: tuple[str, ...],
                 choices: dict[str, tuple[str, ...]] | None = None) -> dict[str, str | int]:
    """Filter values from a query string or form: empty ones dropped, checked.

    ``article`` must be a number (returned as int); a key in ``choices`` must
    be one of its values. A bad value is a 400, naming the field.
    """
    out: dict[str, str | int] = {}
    for key in keys:
        value = str(values.get(key, "") or "").strip()
        if not value:
            continue
        if key == "article":
            if not (value.isascii() and value.isdigit()) or len(value) > 9:
                raise HTTPException(status_code=400, detail="article must be a number")
            out[key] = int(value)
        elif choices and key in choices and value not in choices[key]:
            raise HTTPException(status_code=400,
                                detail=f"{key} must be one of {', '.join(choices[key])}")
        else:
            out[key] = value
    return out


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the user, the CSRF token and the navigation."""
    session = getattr(request.state, "session", None)
    context.update(
        user=session.user if session else None,
        csrf_token=session.csrf_token if session else "",
    )
    templates: Jinja2Templates = request.app.state.templates
    return templates.TemplateResponse(request, name, context, status_code=status_code)
