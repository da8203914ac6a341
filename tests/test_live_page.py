"""The live monitor page in a real browser, fed by a call through `conduct stream --listen`.

A real listener, a real `conduct serve --live`, Debian's Chromium: an
inspector opens Live, a phone call is sent to the listener at its real
rate, and the clerk's forbidden phrase shows on the page while the call is
still going; once it has ended the finding links to the stored interaction.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time

import pytest
from audio_factory import SR, pcm_bytes, phone_call
from live_fixture import listener, paced_line
from test_browser import ARGS, CHROMIUM, log_in
from web_fixture import USERS, running_server

from analyzer.store import Store
from analyzer.web import auth

SCRIPT = [("staff", "您好，请问有什么可以帮您？"), ("citizen", "我想问一下营业执照怎么办理"),
          ("staff", "我不知道，你去问别人"), ("citizen", "我上次来的时候材料不全，还要带什么？"),
          ("staff", "请您对我的服务做出评价，谢谢，再见")]


def _database(folder) -> object:
    db = folder / "results.sqlite"
    Store(db).close()
    con = auth.connect(db)
    role, password = USERS["insp"]
    auth.add_user(con, "insp", role, password)
    con.close()
    return db


@pytest.mark.browser
@pytest.mark.slow
def test_live_page_shows_a_forbidden_phrase_while_the_call_goes_on(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    assert USERS["insp"][0] == "inspector"
    db = _database(tmp_path)
    call, turns, _, _ = phone_call(rings=2, script=SCRIPT)
    phrase_end = next(t.end for t in turns if "别人" in t.text)
    header = {"call_id": "live-1", "sample_rate": SR, "channels": 2, "encoding": "s16le",
              "channel": "phone", "hall": "East hall", "window": "3", "staff": "S042"}
    with listener(db, tmp_path / "calls") as (url, _), \
            running_server(db, None, "--live", url) as base, \
            sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page()
        log_in(page, base, "insp")
        page.goto(base + "/live")
        page.wait_for_selector("#live-state[data-state=connected]", timeout=30_000)
        sent: dict[str, object] = {}

        def send() -> None:
            sent["start"] = time.monotonic()
            sent["events"] = asyncio.run(paced_line(url, header, pcm_bytes(call), SR * 4))

        line = threading.Thread(target=send)
        line.start()
        card = page.locator("section.live-line[data-call=live-1]")
        card.wait_for(timeout=30_000)
        finding = card.locator("li.live-finding[data-rule=A8-F-01]")
        finding.wait_for(timeout=call.shape[1] / SR * 1000 + 60_000)
        seen = time.monotonic() - float(sent["start"])  # on the replay's wall clock
        ended_then = "ended" in (card.get_attribute("class") or "")
        page.screenshot(path=str(tmp_path / "live.png"), full_page=True)
        line.join(timeout=600)
        events = sent["events"]
        assert not ended_then  # the finding was on the page while the call was live
        assert seen < call.shape[1] / SR  # ... before the last of its audio had been sent
        print(f"forbidden phrase end {phrase_end:.2f} s -> on the page at {seen:.2f} s "
              f"({seen - phrase_end:.2f} s later)")
        assert card.locator(".live-rings").inner_text().startswith("铃响")
        assert card.locator("ol.live-transcript li.staff").count() >= 2
        # the call ends: its finding links to the stored interaction
        stored = next(e for e in events if e["type"] == "stored")
        link = finding.locator("a.rule")
        page.wait_for_function(
            "el => el.getAttribute('href')", arg=link.element_handle(), timeout=30_000)
        assert link.get_attribute("href") == f"/interactions/{stored['interaction']}"
        link.click()
        page.wait_for_load_state()
        assert page.url.endswith(f"/interactions/{stored['interaction']}")
        assert "A8-F-01" in page.content()
        browser.close()
    report = next(e for e in events if e["type"] == "report")["report"]
    assert json.dumps(report, ensure_ascii=False).count("A8-F-01") >= 1


def _get(db, name: str, password: str, path: str, **settings):
    """Log in in-process (``httpx.ASGITransport``) and GET ``path``."""
    import re

    import httpx

    from analyzer.web import create_app

    async def script():
        transport = httpx.ASGITransport(app=create_app(db, **settings))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            page = await client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            await client.post("/login", data={"name": name, "password": password,
                                              "csrf_token": token, "next": "/"})
            return await client.get(path)

    return asyncio.run(script())


@pytest.mark.parametrize("role", ["inspector", "trainer"])
def test_live_page_is_for_inspectors_and_says_when_no_listener_is_set(tmp_path, role):
    db = _database(tmp_path)
    con = auth.connect(db)
    auth.add_user(con, "tina", role, "role-pass-123")
    con.close()
    page = _get(db, "tina", "role-pass-123", "/live", live_url="ws://127.0.0.1:9")
    feed = _get(db, "tina", "role-pass-123", "/live/events")
    if role == "trainer":
        assert page.status_code == 403 and feed.status_code == 403
        return
    assert page.status_code == 200 and "/static/live.js" in page.text
    assert 'data-url="ws://127.0.0.1:9"' in page.text
    assert feed.headers["content-type"].startswith("text/event-stream")
    (line,) = [x for x in feed.text.splitlines() if x.startswith("data: ")]
    assert json.loads(line[6:])["state"] == "off"  # no listener configured: said, not hung


def test_live_url_must_be_a_websocket_address(tmp_path):
    from analyzer.config import WebConfig
    from analyzer.errors import OptionError

    with pytest.raises(OptionError, match="web.live_url"):
        WebConfig(db=tmp_path / "x.sqlite", live_url="http://127.0.0.1:8765")
