"""The review web app: FastAPI, server-rendered Jinja2 pages, one SQLite file.

:func:`create_app` builds the application over a results database written by
``conduct batch`` (:class:`analyzer.store.Store`). A middleware lets nothing
through without a live session except the login form; role checks
(:func:`require_role`) keep trainers out of inspector pages; every POST route
checks the session's CSRF token (:func:`check_csrf`).
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

from analyzer import i18n
from analyzer.config import WebConfig
from analyzer.errors import (
    AnalyzerError,
    InvalidRequest,
    NotFound,
    ReviewConflict,
    StoreError,
    require,
)
from analyzer.halltime import HallZones
from analyzer.i18n import _
from analyzer.resources import package_path
from analyzer.web import auth
from analyzer.web.deps import (
    LANG_COOKIE,
    LANG_COOKIE_AGE,
    check_csrf,
    clock_of,
    config_of,
    current_user,
    database,
    known_language,
    language_of,
    render,
    wants_html,
)

require("fastapi", "web")
require("jinja2", "web")

from fastapi import Depends, FastAPI, HTTPException, Request  # noqa: E402
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response  # noqa: E402
from fastapi.staticfiles import StaticFiles  # noqa: E402
from fastapi.templating import Jinja2Templates  # noqa: E402
from jinja2 import pass_context  # noqa: E402
from jinja2.runtime import Context  # noqa: E402
from starlette.concurrency import run_in_threadpool  # noqa: E402
from starlette.exceptions import HTTPException as StarletteHTTPException  # noqa: E402

HERE = package_path("web")
logger = logging.getLogger("analyzer")
SESSION_COOKIE = "conduct_session"
LOGIN_CSRF_COOKIE = "conduct_login_csrf"
#: Paths served without a session.
PUBLIC_PATHS: frozenset[str] = frozenset({"/login", "/favicon.ico"})


def create_app(
    db: str | Path,
    recordings_root: str | Path | None = None,
    *,
    clock: Callable[[], float] = time.time,
    **settings: Any,
) -> FastAPI:
    """Build the review app over a results database.

    Args:
        db: The results database; must exist (run ``conduct batch`` first).
        recordings_root: Folder holding the recordings (see :class:`WebConfig`).
        clock: Seconds since the epoch, now: what sessions and login locks
            are timed by (tests give their own).
        **settings: Other :class:`WebConfig` fields.

    Raises:
        StoreError: The database is missing or not a results database.
    """
    from analyzer.store import Store

    if not Path(db).is_file():
        raise StoreError("no such results database (run `conduct batch` first)", source=str(db))
    root = Path(recordings_root).resolve() if recordings_root else None
    config = WebConfig(db=Path(db).resolve(), recordings_root=root, **settings)
    store = Store(config.db)
    try:
        auth.migrate(store.db)  # the web tables, once, before requests arrive
    except BaseException:
        store.close()
        raise

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        from analyzer.web.recordings import remove_copies

        await run_in_threadpool(_warm_up, config)
        # an upgraded database's trainers' index is made in the background, not in a request
        threading.Thread(target=_index_masked, args=(store,), name="masked-index",
                         daemon=True).start()
        yield
        store.close()
        remove_copies(getattr(_app.state, "masked_dir", None))  # staff's masked audio

    app = FastAPI(title="conduct review", docs_url=None, redoc_url=None, openapi_url=None,
                  lifespan=lifespan)
    app.state.config = config
    app.state.store = store
    app.state.clock = clock
    app.state.templates = _templates()
    app.middleware("http")(_session_guard)
    _add_error_handlers(app)
    _add_login_routes(app)
    from analyzer.web import admin, health, inspect, live, month, search, train

    app.include_router(inspect.router)
    app.include_router(month.router)
    app.include_router(health.router)
    app.include_router(search.router)
    app.include_router(train.router)
    app.include_router(admin.router)
    app.include_router(live.router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    return app


def _index_masked(store: Any) -> None:
    """Index the masked transcripts not indexed yet (logged, never raised: a search retries)."""
    try:
        n = store.index_masked()
    except Exception:  # noqa: BLE001 - a closed store at shutdown, a busy file
        logger.warning("trainers' masked index: not brought up to date", exc_info=True)
        return
    if n:
        logger.info("trainers' masked index: %d interactions indexed", n)


def _warm_up(config: WebConfig) -> None:
    """Load what pages load lazily (the lexicon, the text normalizer and pinyin tables).

    Run once when the server starts, so no user's first search or example
    page waits for it.
    """
    from analyzer.text.lexicon import load_lexicon
    from analyzer.text.search import index_forms

    index_forms("您好")
    try:
        load_lexicon(config.lexicon)
    except AnalyzerError:  # the pages say so themselves
        logger.warning("the lexicon %s does not load", config.lexicon, exc_info=True)


def _templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.globals["inline_css"] = (HERE / "static" / "style.css").read_text("utf-8")
    templates.env.filters["secs"] = format_seconds
    i18n.install(templates.env)
    templates.env.filters["when"] = when
    return templates


@pass_context
def when(context: Context, value: object, hall: str = "", seconds: bool = False) -> str:
    """A stored time on the hall's clock (``zones`` in the page's context), as people read it."""
    zones = context.get("zones") or HallZones()
    return str(zones.show(value if isinstance(value, str) or value is None else str(value),
                          hall or "", seconds=seconds))


def format_seconds(value: float | None) -> str:
    """``83.25`` -> ``1:23.2``; None -> ``–``."""
    if value is None:
        return "–"
    minutes, seconds = divmod(float(value), 60)
    return f"{int(minutes)}:{seconds:04.1f}"


#: Headers on every response: no framing, no third-party content, no caching.
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": (
        "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        "media-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


#: What a middleware calls to answer the request.
CallNext = Callable[[Request], Awaitable[Response]]


async def _session_guard(request: Request, call_next: CallNext) -> Response:
    """Add the security headers to whatever :func:`_guarded` answers."""
    response = await _guarded(request, call_next)
    for key, value in SECURITY_HEADERS.items():
        response.headers.setdefault(key, value)
    response.headers.setdefault("Cache-Control", "no-store")
    return response


async def _guarded(request: Request, call_next: CallNext) -> Response:
    """Let a request through only with a live session (or to the login form)."""
    i18n.set_language(language_of(request))
    if request.url.path in PUBLIC_PATHS:
        return await call_next(request)
    config: WebConfig = config_of(request)
    token = request.cookies.get(SESSION_COOKIE)

    session = await run_in_threadpool(lambda: auth.load_session(
        database(request), token, idle_timeout=config.idle_timeout, now=clock_of(request)))
    if session is None:
        if wants_html(request) and request.method in ("GET", "HEAD"):
            target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
            response: Response = RedirectResponse(f"/login?next={quote(target)}", status_code=303)
        else:
            response = JSONResponse({"detail": "login required"}, status_code=401)
        if token:
            response.delete_cookie(SESSION_COOKIE, path="/")
        return response
    request.state.session = session
    i18n.set_language(language_of(request))
    return await call_next(request)


def _error_response(request: Request, status: int, message: str) -> Response:
    message = i18n.gettext(message)
    if wants_html(request) and hasattr(request.state, "session"):
        return render(request, "error.html", status, status=status, message=message)
    return JSONResponse({"detail": message}, status_code=status)


def _add_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error_response(request, exc.status_code, str(exc.detail))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error_response(request, 404, exc.message)

    @app.exception_handler(ReviewConflict)
    async def conflict(request: Request, exc: ReviewConflict) -> Response:
        return _error_response(request, 409, exc.message)

    @app.exception_handler(InvalidRequest)
    async def invalid(request: Request, exc: InvalidRequest) -> Response:
        return _error_response(request, 400, exc.message)

    @app.exception_handler(StoreError)
    async def broken_store(request: Request, exc: StoreError) -> Response:
        # the database itself failed (damaged, unreadable): the server's fault, not the request's
        logger.error("results database error on %s: %s", request.url.path, exc)
        return _error_response(request, 500, f"the results database failed: {exc.message}")

    @app.exception_handler(OverflowError)
    async def out_of_range(request: Request, exc: OverflowError) -> Response:
        # an id or offset beyond SQLite's 64-bit integers names nothing that exists
        return _error_response(request, 404, "no such item (number out of range)")


def _add_login_routes(app: FastAPI) -> None:
    @app.get("/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/", lang: str = "") -> Response:
        token = request.cookies.get(LOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
        chosen = known_language(lang)
        if chosen:
            i18n.set_language(chosen)
        response = render(request, "login.html", next=_safe_next(next), login_csrf=token, error="")
        _set_cookie(request, response, LOGIN_CSRF_COOKIE, token, max_age=3600)
        if chosen:
            _set_cookie(request, response, LANG_COOKIE, chosen, max_age=LANG_COOKIE_AGE)
        return response

    @app.post("/language", dependencies=[Depends(check_csrf)])
    async def choose_language(request: Request) -> Response:
        """Keep the user's language (every page from now on, on every browser)."""
        form = await request.form()
        chosen = known_language(str(form.get("lang", "")))
        if not chosen:
            raise InvalidRequest(f"language must be one of {', '.join(i18n.LANGUAGES)}")
        user = current_user(request)
        await run_in_threadpool(auth.set_language, database(request), user.id, chosen)
        target = _safe_next(str(form.get("next", "/")))
        response = RedirectResponse(target, status_code=303)
        _set_cookie(request, response, LANG_COOKIE, chosen, max_age=LANG_COOKIE_AGE)
        return response

    @app.post("/login", response_class=HTMLResponse)
    async def login(request: Request) -> Response:
        form = await _small_urlencoded_form(request)
        name, password = str(form.get("name", "")), str(form.get("password", ""))
        target = _safe_next(str(form.get("next", "/")))
        cookie = request.cookies.get(LOGIN_CSRF_COOKIE)
        if not auth.tokens_match(cookie, str(form.get("csrf_token", ""))):
            raise HTTPException(status_code=403, detail=_("missing or wrong CSRF token; reload the page"))
        config: WebConfig = config_of(request)
        address = request.client.host if request.client else ""

        def check() -> auth.LoginOutcome:
            return auth.attempt_login(database(request), name, password, address,
                                      limit=config.login_max_failures,
                                      seconds=config.login_failure_seconds,
                                      now=clock_of(request))

        outcome = await run_in_threadpool(check)
        if isinstance(outcome, auth.LockedOut):
            minutes = max(1, int(outcome.wait // 60) + 1)
            error = i18n.ngettext("Too many failed logins. Try again in %(n)d minute.",
                                  "Too many failed logins. Try again in %(n)d minutes.",
                                  minutes, n=minutes)
            response = render(request, "login.html", 429, next=target, login_csrf=cookie,
                              error=error)
            response.headers["Retry-After"] = str(int(outcome.wait) + 1)
            return response
        if isinstance(outcome, auth.Refused):
            return render(request, "login.html", 401, next=target, login_csrf=cookie,
                          error=i18n.gettext("Wrong name or password."))
        user = outcome.user
        token, _session = await run_in_threadpool(lambda: auth.create_session(
            database(request), user, max_age=config.max_age, now=clock_of(request)))
        done = RedirectResponse(target, status_code=303)
        _set_cookie(request, done, SESSION_COOKIE, token, max_age=int(config.max_age))
        done.delete_cookie(LOGIN_CSRF_COOKIE, path="/")
        return done

    @app.post("/logout", dependencies=[Depends(check_csrf)])
    def logout(request: Request) -> Response:
        auth.end_session(database(request), request.cookies.get(SESSION_COOKIE))
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE, path="/")
        return response

    @app.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        """No icon (pages declare an empty one): 204, not a logged 401 or 404."""
        return Response(status_code=204)

    @app.get("/")
    def home(request: Request) -> Response:
        user = current_user(request)
        if user.role == "staff":
            return RedirectResponse(f"/staff/{quote(user.staff_id, safe='')}", status_code=303)
        start = ("/queue" if user.may("inspector") else "/appeals" if user.may("supervisor")
                 else "/examples")
        return RedirectResponse(start, status_code=303)


#: Largest login form read (name, password, CSRF token, next): bytes.
MAX_LOGIN_FORM = 4096


async def _small_urlencoded_form(request: Request) -> dict[str, str]:
    """The login form, read only as a small urlencoded body (no multipart spooled to disk).

    Raises:
        HTTPException: 415 for another content type, 413 for a body over
            :data:`MAX_LOGIN_FORM` bytes.
    """
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/x-www-form-urlencoded":
        raise HTTPException(status_code=415, detail=_("the login form must be urlencoded"))
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_LOGIN_FORM:
            raise HTTPException(status_code=413, detail=_("login form too large"))
    from urllib.parse import parse_qs

    fields = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True)
    return {k: v[0] for k, v in fields.items()}


def _safe_next(target: str) -> str:
    """Only local paths may be redirected to after login (no open redirect)."""
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name, value, max_age=max_age, path="/", httponly=True, samesite="strict",
        secure=config_of(request).secure_cookies,
    )
