"""The live monitor: the lines a ``conduct stream --listen`` server is analysing now.

``GET /live`` is the page (inspectors and admins); ``GET /live/events`` is
its feed as server-sent events: the app connects to the listener's
``/monitor`` WebSocket (:attr:`analyzer.config.WebConfig.live_url`) and
relays each message as one ``data:`` line. The first message is the
``lines`` snapshot (every line in progress with its events so far), then
each line's events as they happen: ``line`` when one opens, ``ring``,
``partial``, ``utterance``, ``finding``, ``stored`` (its interaction's row)
and ``ended``. The page (``static/live.js``) keeps one card per line.
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
INSPECTOR = require_role("inspector")
#: Seconds between comment lines that keep an idle feed open through proxies.
KEEPALIVE_SECONDS = 15.0
#: Seconds before the feed tries the listener again after losing it.
RETRY_SECONDS = 2.0


@router.get("/live", response_class=HTMLResponse)
def live_page(request: Request, user: User = INSPECTOR) -> Response:
    """The live monitor page."""
    return render(request, "live.html", live_url=config_of(request).live_url)


@router.get("/live/events")
async def live_events(request: Request, user: User = INSPECTOR) -> Response:
    """The listener's monitor feed as server-sent events."""
    url = config_of(request).live_url
    words = {"off": i18n.gettext("The live feed is off: no live listener is configured "
                                 "(conduct serve --live)."),
             "lost": i18n.gettext("Live listener unreachable: %(error)s")}
    return StreamingResponse(_relay(request, url, words), media_type="text/event-stream",
                             headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})


async def _relay(request: Request, url: str, words: dict[str, str]) -> AsyncIterator[str]:
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
            async with connect(target, max_size=None, open_timeout=5) as ws:
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
