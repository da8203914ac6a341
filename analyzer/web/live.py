"""The live monitor: the lines a ``conduct stream --listen`` server is analysing now.

``GET /live`` is the page (supervisors, inspectors and admins: watching the
lines is a supervisor's job); ``GET /live/events`` is its feed as
server-sent events: the app connects to the listener's ``/monitor``
WebSocket (:attr:`analyzer.config.WebConfig.live_url`, with the monitor
token :attr:`~analyzer.config.WebConfig.live_token` when the listener asks
for one) and relays each message as one ``data:`` line. The first message
is the ``lines`` snapshot (every line in progress with its events so far),
then each line's events as they happen: ``line`` when one opens, ``ring``,
``answered``, ``partial``, ``utterance``, ``finding``, ``stored`` (its
interaction's row) and ``ended`` (with the report's score, grade and ring
count). The page (``static/live.js``) keeps one card per line; once a call
is stored, each finding on its card plays its own words from the recording.
Without a configured listener the page says so and opens no feed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from analyzer import i18n
from analyzer.web.auth import User
from analyzer.web.deps import config_of, render, require_role

logger = logging.getLogger("analyzer")

router = APIRouter()
WATCHERS = require_role("inspector", "supervisor")
#: Seconds between comment lines that keep an idle feed open through proxies.
KEEPALIVE_SECONDS = 15.0
#: Seconds before the feed tries the listener again after losing it.
RETRY_SECONDS = 2.0


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request, user: User = WATCHERS) -> Response:
    """The live monitor page."""
    return render(request, "live.html", live_url=config_of(request).live_url)


@router.get("/live/events")
async def live_events(request: Request, user: User = WATCHERS) -> Response:
    """The listener's monitor feed as server-sent events."""
    config = config_of(request)
    words = {"off": i18n.gettext("The live feed is off: no live listener is configured "
                                 "(conduct serve --live)."),
             "lost": i18n.gettext("Live listener unreachable: %(error)s")}
    return StreamingResponse(_relay(request, config.live_url, words, config.live_token),
                             media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _relay(request: Request, url: str, words: dict[str, str], token: str = ""
                 ) -> AsyncIterator[str]:
    """Relay the listener's ``/monitor`` messages until the browser goes away.

    When the listener cannot be reached (or is not configured) the feed says
    so with a ``monitor`` event and, when configured, tries again.
    """
    from websockets.asyncio.client import connect
    from websockets.exceptions import WebSocketException

    if not url:
        yield _event({"type": "monitor", "state": "off",
                      "message": words["off"]})
        return
    target = url.rstrip("/") + "/monitor"
    while not await request.is_disconnected():
        try:
            headers = {"Authorization": f"Bearer {token}"} if token else None
            async with connect(target, max_size=None, open_timeout=5,
                               additional_headers=headers) as ws:
                yield _event({"type": "monitor", "state": "connected"})
                while not await request.is_disconnected():
                    try:
                        message = await asyncio.wait_for(ws.recv(), KEEPALIVE_SECONDS)
                    except TimeoutError:
                        yield ": keepalive\n\n"
                        continue
                    text = message.decode("utf-8", "replace") if isinstance(message, bytes) \
                        else message
                    yield f"data: {text}\n\n"
        except (OSError, WebSocketException, TimeoutError) as exc:
            logger.warning("live listener %s unreachable: %s", target, exc)
            yield _event({"type": "monitor", "state": "lost",
                          "message": words["lost"] % {"error": exc}})
        await asyncio.sleep(RETRY_SECONDS)


def _event(data: dict[str, object]) -> str:
    return f"data: {json.dumps(data, ensure_ascii=False)}\n\n"
