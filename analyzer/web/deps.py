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

from analyzer import i18n
from analyzer.config import WebConfig
from analyzer.halltime import HallZones
from analyzer.i18n import _, label
from analyzer.store import Store
from analyzer.store.database import Database
from analyzer.web import auth

#: The cookie that remembers the language for the login page (the account keeps the choice).
LANG_COOKIE = "conduct_lang"
LANG_COOKIE_AGE = 365 * 24 * 3600


def known_language(lang: str) -> str:
    """``lang`` normalized, or "" when the product does not speak it."""
    try:
        return i18n.normalize(lang) if lang else ""
    except ValueError:
        return ""


def language_of(request: Request) -> str:
    """The request's language: the user's choice, else the browser's cookie, else Chinese."""
    session = getattr(request.state, "session", None)
    if session is not None and session.user.lang:
        return known_language(session.user.lang) or i18n.DEFAULT
    return known_language(request.cookies.get(LANG_COOKIE, "")) or i18n.DEFAULT


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
            raise HTTPException(status_code=403, detail=_("this page is for %(roles)s users") % {"roles": " / ".join(
            label(r) for r in roles)})
        return user

    return Depends(check)


def check_own(user: auth.User, staff_id: str) -> None:
    """Refuse a ``staff`` account anything but its own staff id's pages (403)."""
    if user.role == "staff" and staff_id != user.staff_id:
        raise HTTPException(status_code=403, detail=_("a staff account sees its own results only"))


async def check_csrf(request: Request) -> None:
    """Refuse a POST whose CSRF token (form field or header) is not the session's."""
    given = request.headers.get("x-csrf-token")
    if given is None:
        form = await request.form()
        value = form.get("csrf_token")
        given = value if isinstance(value, str) else None
    if not auth.tokens_match(request.state.session.csrf_token, given):
        raise HTTPException(status_code=403, detail=_("missing or wrong CSRF token; reload the page"))


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
                raise HTTPException(status_code=400, detail=_("article must be a number"))
            out[key] = int(value)
        elif choices and key in choices and value not in choices[key]:
            raise HTTPException(status_code=400,
                                detail=_("%(key)s must be one of %(values)s") % {
                                    "key": key, "values": ", ".join(choices[key])})
        else:
            out[key] = value
    return out


def render(request: Request, name: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a template with the user, the CSRF token, the language and the halls' clocks."""
    session = getattr(request.state, "session", None)
    lang = language_of(request)
    context.update(
        user=session.user if session else None,
        csrf_token=session.csrf_token if session else "",
        lang=lang,
        html_lang="zh-CN" if lang == "zh_CN" else lang,
        here=request.url.path + (f"?{request.url.query}" if request.url.query else ""),
    )
    context.setdefault("zones", hall_zones(request))
    templates: Jinja2Templates = request.app.state.templates
    with i18n.language(lang):
        return templates.TemplateResponse(request, name, context, status_code=status_code)


def hall_zones(request: Request) -> HallZones:
    """The halls' clocks, as the analysis configuration set them (:meth:`Store.hall_zones`)."""
    return store_of(request).hall_zones()


def today(request: Request, hall: str = "") -> str:
    """Today on the hall's clock (``YYYY-MM-DD``), by the app's clock."""
    return hall_zones(request).today(clock_of(request), hall).isoformat()

