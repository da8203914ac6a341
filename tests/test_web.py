"""The review web app: login, roles, CSRF, session expiry, path confinement of recordings,
range requests, verdicts with the review-adjusted score, the dismissals export, the
dashboard and the trainers' example pages.

Each test runs the app in process (Starlette's ``TestClient``: real ASGI, no socket) over
its own copy of the review database, so the tests are independent and run one at a time
in any order; the copies come from one database built per session
(:func:`web_fixture.build_review_db`). Time is the app's injected clock, never a sleep.
One smoke test starts the real ``conduct serve`` (uvicorn) and drives it over HTTP.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_fixture import USERS, build_review_db, copy_db, running_server

from analyzer.speech.clips import PathRefused, resolve_recording
from analyzer.store import Store
from analyzer.web import create_app

HTML = {"accept": "text/html"}


class Clock:
    """The app's clock: seconds since the epoch, moved by the test."""

    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return build_review_db(tmp_path_factory.getbasetemp() / "review-db")


@pytest.fixture()
def db(review, tmp_path) -> Path:
    """This test's own copy of the review database."""
    return copy_db(review, tmp_path / "web-db")


@pytest.fixture()
def clock() -> Clock:
    return Clock()


def make_app(db: Path, recordings: Path | None, clock: Clock, **settings) -> Iterator[FastAPI]:
    app = create_app(db, recordings, clock=clock, **settings)
    yield app
    app.state.store.close()


@pytest.fixture()
def app(db, review, clock) -> Iterator[FastAPI]:
    yield from make_app(db, review.recordings, clock)


def anonymous(app: FastAPI) -> TestClient:
    """A browser without a session."""
    return TestClient(app, headers=HTML, follow_redirects=False)


def login(app: FastAPI, name: str, password: str | None = None) -> TestClient:
    """A client logged in as ``name`` (through the login form, with its CSRF token)."""
    client = anonymous(app)
    r = _try_login(client, name, password or USERS[name][1])
    assert r.status_code == 303, r.text
    return client


def csrf_of(client: TestClient, path: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(path).text).group(1)


def _try_login(client: TestClient, name: str, password: str, **form: str) -> httpx.Response:
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    return client.post("/login", data={"name": name, "password": password,
                                       "csrf_token": token, "next": "/", **form})


PROTECTED = ["/", "/queue", "/interactions/1", "/audio/6", "/dashboard", "/dismissals.csv",
             "/examples", "/examples/clip/6?start=0&end=2", "/api/interactions",
             "/api/interactions/1", "/static/style.css", "/static/app.js", "/no-such-page"]


@pytest.mark.parametrize("path", PROTECTED)
def test_nothing_is_served_without_login(app: FastAPI, path: str) -> None:
    client = anonymous(app)
    page = client.get(path)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    api = client.get(path, headers={"accept": "application/json"})
    assert api.status_code in (303, 401)
    assert "RIFF" not in api.text and "interaction_id" not in api.text


def test_posts_without_login_are_refused(app: FastAPI, db: Path) -> None:
    client = anonymous(app)
    assert client.post("/findings/1/verdict", data={"verdict": "dismiss"}).status_code == 401
    assert client.post("/examples/export", data={"practice": "bad"}).status_code == 401
    with Store(db) as store:
        assert store.reviews(pk=1) == []


def test_login_checks_password_and_csrf(app: FastAPI) -> None:
    client = anonymous(app)
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    wrong = client.post("/login", data={"name": "insp", "password": "nope-nope", "csrf_token": token})
    assert wrong.status_code == 401 and "conduct_session" not in wrong.headers.get("set-cookie", "")
    unknown = client.post("/login", data={"name": "ghost", "password": "whatever1", "csrf_token": token})
    assert unknown.status_code == 401
    forged = anonymous(app).post("/login", data={"name": "insp", "password": USERS["insp"][1],
                                                 "csrf_token": "forged"})
    assert forged.status_code == 403
    ok = client.post("/login", data={"name": "insp", "password": USERS["insp"][1], "csrf_token": token,
                                     "next": "https://evil.example/"})
    assert ok.status_code == 303 and ok.headers["location"] == "/"  # no open redirect
    cookie = ok.headers["set-cookie"]
    for response in (page, ok, client.get("/queue")):
        assert response.headers.get("x-frame-options") == "DENY", (response.request.url, dict(response.headers))
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"]
    assert "conduct_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_roles(app: FastAPI, review) -> None:
    inspector_only = ["/queue", "/interactions/1", "/audio/6", "/dashboard", "/dismissals.csv",
                      "/api/interactions", "/api/interactions/1"]
    trainer_only = ["/examples",
                    f"/examples/clip/{review.pks['phone-audio-script']}?start=0&end=3"]
    trainer, inspector, admin = login(app, "trainer"), login(app, "insp"), login(app, "boss")
    for path in inspector_only:
        r = trainer.get(path)
        assert r.status_code == 403, path
        assert "interaction_id" not in r.text and "RIFF" not in r.text
        assert inspector.get(path).status_code in (200, 206), path
        assert admin.get(path).status_code in (200, 206), path
    for path in trainer_only:
        assert inspector.get(path).status_code == 403, path
        assert trainer.get(path).status_code == 200, path
        assert admin.get(path).status_code == 200, path
    r = inspector.post("/examples/export", data={"practice": "bad", "csrf_token": csrf_of(inspector, "/queue")})
    assert r.status_code == 403
    assert trainer.get("/").headers["location"] == "/examples"
    assert inspector.get("/").headers["location"] == "/queue"
    # The trainer's navigation has no inspector links.
    page = trainer.get("/examples").text
    assert 'href="/queue"' not in page and 'href="/dashboard"' not in page


def test_every_post_route_checks_csrf(app: FastAPI, db: Path) -> None:
    def walk(routes):  # included routers (no prefix) wrap their routes
        for r in routes:
            inner = getattr(r, "original_router", None)
            yield from walk(inner.routes) if inner is not None else [r]

    posts = [r.path for r in walk(app.routes) if "POST" in (getattr(r, "methods", None) or ())
             and r.path != "/login"]
    assert {"/logout", "/findings/{finding_id}/verdict", "/examples/export"} <= set(posts)
    admin = login(app, "boss")
    for path in posts:
        url = path.replace("{finding_id}", "1")
        for data in ({}, {"csrf_token": "wrong"}):
            r = admin.post(url, data={"verdict": "dismiss", "practice": "bad", **data})
            assert r.status_code == 403, (url, data)
    with Store(db) as store:
        assert store.reviews(pk=1) == []
    assert admin.get("/queue").status_code == 200  # the logout above did not happen either


def test_sessions_expire_and_logout_ends_them(app: FastAPI, db: Path, clock: Clock) -> None:
    client = login(app, "insp")
    assert client.get("/queue").status_code == 200
    token_hash = hashlib.sha256(client.cookies["conduct_session"].encode()).hexdigest()
    clock.advance(app.state.config.max_age + 1)  # past the session's life (busy all along)
    r = client.get("/queue")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM sessions WHERE token_hash = ?",
                           (token_hash,)).fetchone()[0] == 0
    client = login(app, "insp")
    clock.advance(app.state.config.idle_timeout - 1)
    assert client.get("/queue").status_code == 200  # used in time: still live
    clock.advance(app.state.config.idle_timeout + 1)
    assert client.get("/queue").status_code == 303  # idle too long
    client = login(app, "insp")
    cookie = client.cookies.get("conduct_session")
    r = client.post("/logout", data={"csrf_token": csrf_of(client, "/queue")})
    assert r.status_code == 303
    stale = anonymous(app)
    stale.cookies.set("conduct_session", cookie)
    assert stale.get("/queue").status_code == 303


def test_recording_paths_stay_inside_the_root(tmp_path: Path) -> None:
    root = tmp_path / "rec"
    (root / "a").mkdir(parents=True)
    inside = root / "a" / "x.wav"
    inside.write_bytes(b"RIFF")
    outside = tmp_path / "secret.wav"
    outside.write_bytes(b"RIFF")
    (root / "link.wav").symlink_to(outside)
    (root / "notes.txt").write_text("hi")
    assert resolve_recording(root, "a/x.wav") == inside.resolve()
    assert resolve_recording(root, str(inside)) == inside.resolve()
    assert resolve_recording(root, "a/../a/x.wav") == inside.resolve()
    for bad in ("../secret.wav", "a/../../secret.wav", str(outside), "link.wav", "notes.txt",
                "a/x.wav\x00.txt", "", "/etc/passwd", "a/missing.wav"):
        with pytest.raises(PathRefused):
            resolve_recording(root, bad)
    with pytest.raises(PathRefused):
        resolve_recording(None, "a/x.wav")


def test_a_stored_path_outside_the_root_is_never_served(app: FastAPI, db: Path, review) -> None:
    outside = review.recordings.parent / "outside.wav"
    outside.write_bytes(review.wav.read_bytes())
    inspector = login(app, "insp")
    with sqlite3.connect(db) as con:
        pk = con.execute("SELECT id FROM interactions WHERE interaction_id = 'counter-model'"
                         ).fetchone()[0]
    for evil in ("../outside.wav", str(outside)):
        with sqlite3.connect(db) as con:
            con.execute("UPDATE interactions SET source_path = ?, input_json = json_set("
                        "input_json, '$.meta.audio', ?) WHERE id = ?", (evil, evil, pk))
        r = inspector.get(f"/audio/{pk}")
        assert r.status_code == 404 and not r.content.startswith(b"RIFF")


def test_verdicts_recompute_the_score(app: FastAPI, db: Path, review) -> None:
    from analyzer.rules.score import load_template, score

    pk = review.pks["counter-forbidden"]
    inspector = login(app, "insp")
    before = inspector.get(f"/api/interactions/{pk}").json()
    auto = before["interaction"]["auto_score"]
    findings = before["findings"]
    assert len(findings) >= 3 and before["interaction"]["score"] == auto
    token = csrf_of(inspector, f"/interactions/{pk}")
    dismissed, confirmed = findings[0], findings[1]
    r = inspector.post(f"/findings/{dismissed['id']}/verdict",
                       data={"verdict": "dismiss", "comment": "误报: 是同事之间说的", "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"].endswith(f"#finding-{dismissed['id']}")
    inspector.post(f"/findings/{confirmed['id']}/verdict", data={"verdict": "confirm", "csrf_token": token})
    inspector.post(f"/findings/{confirmed['id']}/verdict",
                   data={"verdict": "comment", "comment": "录音清楚", "csrf_token": token})
    after = inspector.get(f"/api/interactions/{pk}").json()
    with Store(db) as store:
        report = store.report(pk)
    kept = [f for i, f in enumerate(report.findings) if i != dismissed["idx"]]
    expected = score(kept, load_template(report.analyzer.scoring_template.source))[0]
    assert after["interaction"]["auto_score"] == auto
    assert after["interaction"]["score"] == expected > auto
    reviews = after["reviews"]
    assert [(r["finding_id"], r["verdict"], r["user"]) for r in reviews] == [
        (dismissed["id"], "dismiss", "insp"), (confirmed["id"], "confirm", "insp"),
        (confirmed["id"], "comment", "insp")]
    assert all(re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d", r["at"]) for r in reviews)
    page = inspector.get(f"/interactions/{pk}").text
    assert f'<div class="big" id="score">{expected}</div>' in page
    assert f'<span id="auto-score">{auto}</span>' in page
    assert "误报: 是同事之间说的" in page and "录音清楚" in page
    only_confirmed = score([report.findings[confirmed["idx"]]],
                           load_template(report.analyzer.scoring_template.source))[0]
    assert f'<span id="confirmed-score">{only_confirmed}</span>' in page
    bad = inspector.post(f"/findings/{confirmed['id']}/verdict", data={"verdict": "approve", "csrf_token": token})
    assert bad.status_code == 400
    missing = inspector.post("/findings/99999/verdict", data={"verdict": "confirm", "csrf_token": token})
    assert missing.status_code == 404
    # The dismissal reaches the lexicon owners' export.
    rows = list(csv.DictReader(io.StringIO(inspector.get("/dismissals.csv").text.lstrip("\ufeff"))))
    assert [(r["rule"], r["dismissed_by"], r["comment"]) for r in rows] == [
        (dismissed["rule"], "insp", "误报: 是同事之间说的")]


def test_queue_filters_and_order(app: FastAPI) -> None:
    inspector = login(app, "insp")
    rows = inspector.get("/api/interactions").json()["interactions"]
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores)
    page = inspector.get("/queue", params={"hall": "西城区政务服务大厅"}).text
    assert "counter-pii" in page and "counter-forbidden" not in page
    page = inspector.get("/queue", params={"rule": "A7-RING"}).text
    assert "phone-five-rings" in page and "counter-pii" not in page
    page = inspector.get("/queue", params={"since": "2026-11-21", "until": "2026-11-21"}).text
    assert "counter-pii" in page and "phone-audio-script" not in page
    assert "counter-model" not in inspector.get("/queue").text  # not flagged: not in the queue
    assert inspector.get("/queue", params={"review": "bogus"}).status_code == 400


def test_interaction_page_shows_evidence(app: FastAPI, review) -> None:
    inspector = login(app, "insp")
    page = inspector.get(f"/interactions/{review.pks['phone-audio-script']}").text
    assert '<audio id="player"' in page
    assert 'class="turn staff' in page and 'class="turn citizen' in page
    assert "<mark>下班了，明天再来</mark>" in page
    assert "第9条 · A9-F-01" in page and 'data-start="9.0"' in page
    assert "下班了,明天再来" in page or "下班了，明天再来" in page  # seed wording
    # a Friday at 09:00: sent away within service hours (Article 25), shown with the phrase
    assert "工作时间（第二十五条）: 09:00 说出，在工作时间内" in page
    assert "A25-HOURS" in page
    five = inspector.get(f"/interactions/{review.pks['phone-five-rings']}").text
    assert re.search(r'id="rings">5', five)


def test_dashboard_draws_svg_charts(app: FastAPI) -> None:
    page = login(app, "insp").get("/dashboard").text
    assert page.count("<svg") == 2 and ("<polyline" in page or "<circle" in page)
    assert "<rect class=\"bar" in page and "第9条" in page and "11-20" in page


def test_trainer_examples_are_masked_and_exported(app: FastAPI, review) -> None:
    trainer = login(app, "trainer")
    page = trainer.get("/examples", params={"practice": "bad"}).text
    assert "A9-F-05" in page and "A8-F-02" in page
    good = trainer.get("/examples", params={"practice": "good", "article": "7"}).text
    assert "A7-R-01" in good and "A9-F" not in good
    all_text = trainer.get("/examples", params={"go": "1"}).text
    assert "13812345678" not in all_text and "建国路" not in all_text
    token = csrf_of(trainer, "/examples")
    r = trainer.post("/examples/export", data={"practice": "bad", "rule": "A9-F-01", "csrf_token": token})
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(r.content)) as zf:
        names = zf.namelist()
        assert "manifest.json" in names and "manifest.csv" in names
        assert any(n.startswith("clips/") and n.endswith(".wav") for n in names)
    clip = trainer.get(f"/examples/clip/{review.pks['phone-audio-script']}", params={"start": 0, "end": 3})
    assert clip.status_code == 200 and clip.content[:4] == b"RIFF"
    assert trainer.get(f"/examples/clip/{review.pks['phone-audio-script']}",
                       params={"start": 0, "end": 999}).status_code == 400


def test_trainers_hear_only_the_examples_not_the_recordings(app: FastAPI, review) -> None:
    """Clips exist only within an example's padded span: stepping through a recording fails."""
    trainer = login(app, "trainer")
    page = trainer.get("/examples", params={"go": "1"}).text
    listed = re.findall(r'src="(/examples/clip/\d+\?start=[\d.]+&amp;end=[\d.]+)"', page)
    assert listed
    for url in listed:
        assert trainer.get(url.replace("&amp;", "&")).status_code == 200, url
    pk = review.pks["phone-audio-script"]
    denied = [(5.0, 9.0), (30.0, 35.0), (0.0, 40.0)]  # between examples; past the end; all
    for start, end in denied:
        r = trainer.get(f"/examples/clip/{pk}", params={"start": start, "end": end})
        assert r.status_code == 404 and r.content[:4] != b"RIFF", (start, end)
    steps = [trainer.get(f"/examples/clip/{pk}", params={"start": t, "end": t + 3}).status_code
             for t in range(0, 15, 3)]
    assert steps.count(200) < len(steps)


def test_cli_users_add_then_login(app: FastAPI, db: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from analyzer.cli import main

    runner = CliRunner()
    r = runner.invoke(main, ["users", "add", "newbie", "--role", "trainer", "--db", str(db),
                             "--password-stdin"], input="a-long-password\n")
    assert r.exit_code == 0, r.output
    assert login(app, "newbie", "a-long-password").get("/examples").status_code == 200
    r = runner.invoke(main, ["users", "add", "x", "--role", "trainer", "--db", str(db), "--password-stdin"],
                      input="short\n")
    assert r.exit_code == 2 and "at least 8" in r.output
    r = runner.invoke(main, ["users", "add", "x", "--role", "boss", "--db", str(db), "--password-stdin"],
                      input="a-long-password\n")
    assert r.exit_code != 0
    r = runner.invoke(main, ["users", "add", "clerk", "--role", "staff", "--db", str(db),
                             "--password-stdin"], input="a-long-password\n")
    assert r.exit_code == 2 and "--staff-id" in r.output  # a staff account is someone
    r = runner.invoke(main, ["users", "add", "clerk", "--role", "staff", "--staff-id", "S-7",
                             "--db", str(db), "--password-stdin"], input="a-long-password\n")
    assert r.exit_code == 0, r.output
    listed = runner.invoke(main, ["users", "list", "--db", str(db)]).output
    assert "clerk\tstaff S-7\t" in listed
    home = login(app, "clerk", "a-long-password").get("/")
    assert home.status_code == 303 and home.headers["location"] == "/staff/S-7"
    with sqlite3.connect(db) as con:
        stored = con.execute("SELECT password_hash FROM users WHERE name = 'newbie'").fetchone()[0]
    assert stored.startswith("$argon2id$") and "a-long-password" not in stored
    r = runner.invoke(main, ["serve", "--db", str(tmp_path / "missing.sqlite")])
    assert r.exit_code == 2 and "no such results database" in r.output


def test_idle_sessions_end(tmp_path: Path) -> None:
    from analyzer.web import auth

    con = auth.connect(tmp_path / "a.sqlite")
    auth.add_user(con, "u", "inspector", "password-1")
    user = auth.authenticate(con, "u", "password-1")
    assert user is not None and auth.authenticate(con, "u", "password-2") is None
    token, _ = auth.create_session(con, user, max_age=3600, now=1000.0)
    assert auth.load_session(con, token, idle_timeout=60, now=1030.0).user.name == "u"
    assert auth.load_session(con, token, idle_timeout=60, now=1080.0).user.name == "u"
    assert auth.load_session(con, token, idle_timeout=60, now=1200.0) is None  # 120 s idle
    assert auth.load_session(con, token, idle_timeout=3600, now=1201.0) is None  # deleted
    con.close()


def test_relative_paths_from_the_working_folder_stay_confined(tmp_path: Path, monkeypatch) -> None:
    root = tmp_path / "rec"
    root.mkdir()
    (root / "a.wav").write_bytes(b"RIFF")
    (tmp_path / "b.wav").write_bytes(b"RIFF")
    monkeypatch.chdir(tmp_path)
    assert resolve_recording(root, "rec/a.wav") == (root / "a.wav").resolve()  # as a batch stored it
    with pytest.raises(PathRefused, match="outside"):
        resolve_recording(root, "b.wav")


def test_transcript_text_is_escaped(app: FastAPI, db: Path, review) -> None:
    pk = review.pks["counter-model"]
    with sqlite3.connect(db) as con:
        con.execute("UPDATE interactions SET report_json = json_set(report_json, '$.transcript[0].text', "
                    "'<script>alert(1)</script>') WHERE id = ?", (pk,))
    page = login(app, "insp").get(f"/interactions/{pk}").text
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_recording_analysed_from_audio_is_reviewable(app: FastAPI, review) -> None:
    """The WAV went through faster-whisper; its page plays the recording itself."""
    pk = review.pks["phone-audio-asr"]
    inspector = login(app, "insp")
    data = inspector.get(f"/api/interactions/{pk}").json()
    assert data["interaction"]["source_path"] == str(review.wav)
    assert {u["speaker"] for u in data["report"]["transcript"]} == {"staff", "citizen"}
    assert any(u.get("words") for u in data["report"]["transcript"])
    assert '<audio id="player"' in inspector.get(f"/interactions/{pk}").text
    assert inspector.get(f"/audio/{pk}").content == review.wav.read_bytes()


def test_repeated_failed_logins_lock_the_account_for_a_while(db: Path, clock: Clock) -> None:
    for app in make_app(db, None, clock, login_max_failures=3, login_failure_seconds=4.0):
        client = anonymous(app)
        for _ in range(3):
            assert _try_login(client, "insp", "guess-guess").status_code == 401
        locked = _try_login(client, "insp", USERS["insp"][1])  # right password, still refused
        assert locked.status_code == 429 and "登录失败次数过多" in locked.text
        assert int(locked.headers["retry-after"]) >= 1
        assert "conduct_session" not in locked.headers.get("set-cookie", "")
        assert _try_login(client, "trainer", USERS["trainer"][1]).status_code == 303  # others fine
        clock.advance(3.9)
        assert _try_login(client, "insp", USERS["insp"][1]).status_code == 429  # not yet
        clock.advance(0.3)  # the failures leave the window
        assert _try_login(client, "insp", USERS["insp"][1]).status_code == 303
    with sqlite3.connect(db) as con:  # a good login clears the account's failures
        assert con.execute("SELECT COUNT(*) FROM login_failures WHERE name = 'insp'"
                           ).fetchone()[0] == 0


def test_one_address_guessing_many_accounts_is_locked_too(tmp_path: Path) -> None:
    from analyzer.web import auth

    with auth.connect(tmp_path / "r.sqlite") as con:
        for i in range(2 * auth.ADDRESS_FACTOR):  # never twice the same name
            assert auth.login_lock(con, f"user{i}", "10.0.0.9", limit=2, seconds=60, now=100.0) == 0
            auth.record_login(con, f"user{i}", "10.0.0.9", False, now=100.0 + i)
        wait = auth.login_lock(con, "someone", "10.0.0.9", limit=2, seconds=60, now=120.0)
        assert wait == pytest.approx(100.0 + 60 - 120.0)
        assert auth.login_lock(con, "someone", "10.0.0.8", limit=2, seconds=60, now=120.0) == 0
        assert auth.login_lock(con, "someone", "10.0.0.9", limit=2, seconds=60, now=161.0) == 0


def _user_id(db: Path, name: str) -> int:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT id FROM users WHERE name = ?", (name,)).fetchone()[0]


def test_admin_page_adds_disables_enables_and_unlocks_users(app: FastAPI, db: Path) -> None:
    admin, inspector = login(app, "boss"), login(app, "insp")
    assert inspector.get("/admin/users").status_code == 403
    assert login(app, "trainer").get("/admin/users").status_code == 403
    page = admin.get("/admin/users")
    assert page.status_code == 200 and 'id="user-insp"' in page.text
    token = csrf_of(admin, "/admin/users")
    new = {"name": "newbie", "role": "inspector", "password": "newbie-pass-1"}
    assert admin.post("/admin/users", data=new).status_code == 403  # no CSRF token
    short = admin.post("/admin/users", data={**new, "password": "short", "csrf_token": token})
    assert short.status_code == 400 and "at least 8 characters" in short.text
    saved = admin.post("/admin/users", data={**new, "csrf_token": token})
    assert saved.status_code == 200 and 'id="user-newbie"' in saved.text
    newbie = login(app, "newbie", "newbie-pass-1")
    assert newbie.get("/queue").status_code == 200
    uid = _user_id(db, "newbie")
    assert admin.post(f"/admin/users/{uid}/disable",
                      data={"csrf_token": token}).status_code == 303
    assert newbie.get("/queue").status_code == 303  # the session ended at once
    client = anonymous(app)
    assert _try_login(client, "newbie", "newbie-pass-1").status_code == 401
    assert admin.post(f"/admin/users/{uid}/enable", data={"csrf_token": token}).status_code == 303
    for _ in range(5):  # the default limit: 5 failures
        _try_login(client, "newbie", "wrong-wrong")
    assert _try_login(client, "newbie", "newbie-pass-1").status_code == 429
    assert "已锁定" in admin.get("/admin/users").text
    assert admin.post(f"/admin/users/{uid}/unlock", data={"csrf_token": token}).status_code == 303
    assert _try_login(client, "newbie", "newbie-pass-1").status_code == 303
    me = admin.post(f"/admin/users/{_user_id(db, 'boss')}/disable", data={"csrf_token": token})
    assert me.status_code == 400 and "不能停用自己的账号" in me.text
    assert admin.post("/admin/users/99999/enable", data={"csrf_token": token}).status_code == 404


def test_recording_refs_find_the_recordings_the_whole_rows_find(db: Path, review) -> None:
    from analyzer.speech.clips import recording_of

    with Store(db, readonly=True) as store:
        pks = [r["id"] for r in store.interactions()]
        refs = store.recording_refs(pks)
        whole = {pk: recording_of(review.recordings, store.interaction(pk)) for pk in pks}
    found = {pk: recording_of(review.recordings, refs[pk]) for pk in pks}
    assert found == whole and any(whole.values()) and not all(whole.values())


def test_the_real_server_serves_pages_ranges_and_refuses_path_tricks(db: Path, review) -> None:
    """The one test over a real ``conduct serve`` (uvicorn, a socket): login, headers, a page,
    range requests on a recording, URL tricks, logout."""
    with running_server(db, review.recordings) as base:
        client = httpx.Client(base_url=base, headers=HTML, follow_redirects=False)
        assert client.get("/queue").status_code == 303  # no session yet
        r = _try_login(client, "insp", USERS["insp"][1])
        assert r.status_code == 303 and "HttpOnly" in r.headers["set-cookie"]
        page = client.get("/queue")
        assert page.status_code == 200 and "counter-pii" in page.text
        assert page.headers["x-frame-options"] == "DENY"
        pk = review.pks["phone-audio-script"]
        data = review.wav.read_bytes()
        part = client.get(f"/audio/{pk}", headers={"Range": "bytes=100-199"})
        assert part.status_code == 206
        assert part.headers["content-range"] == f"bytes 100-199/{len(data)}"
        assert part.content == data[100:200]
        assert client.get(f"/audio/{pk}").content == data
        assert client.get(f"/audio/{review.pks['counter-model']}").status_code == 404  # transcript only
        for path in ("/static/../results.sqlite", "/static/%2e%2e/app.py",
                     "/static/..%2F..%2Fweb%2Fapp.py", "/audio/..%2F..%2Fetc%2Fpasswd",
                     "/static//etc/passwd"):
            r = client.get(path)
            assert r.status_code in (404, 422), path
            assert b"SQLite format" not in r.content and b"import" not in r.content
        r = client.post("/logout", data={"csrf_token": csrf_of(client, "/queue")})
        assert r.status_code == 303 and client.get("/queue").status_code == 303
