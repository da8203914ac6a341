"""The review app's month pages in-process (``httpx.ASGITransport``): every role on every
route, names only for the roles that may see them, an appeal from filing to ruling,
rectifications, and the migration of web tables made before the supervisor role."""

from __future__ import annotations

import asyncio
import re
import sqlite3
import time
from pathlib import Path

import httpx
import pytest
from month_fixture import build_month_db, private_copy

from analyzer.halltime import HallZones
from analyzer.store import Filter, Store
from analyzer.web import auth, create_app

PASSWORD = "password-123"
ROLE_USERS = {"inspector": "insp", "supervisor": "sup", "trainer": "tr", "admin": "boss",
              "staff": "clerk"}
HTML = {"accept": "text/html"}


@pytest.fixture(scope="module")
def month_db(tmp_path_factory) -> Path:
    """The month, built once for the module; tests use copies (:func:`db`)."""
    path = build_month_db(tmp_path_factory.mktemp("web-month") / "results.sqlite")
    con = auth.connect(path)
    for role, name in ROLE_USERS.items():
        auth.add_user(con, name, role, PASSWORD, staff_id="S-0001" if role == "staff" else "")
    auth.add_user(con, "sup2", "supervisor", PASSWORD)
    con.close()
    with Store(path) as store:
        store.set_staff([("S-0001", "张三", "第1政务服务大厅")], user="test")
    return path


@pytest.fixture()
def db(month_db: Path, tmp_path: Path) -> Path:
    """This test's own copy of the month (every test writes: sessions, verdicts, indexes)."""
    return private_copy(month_db, tmp_path)


class Session:
    """One logged-in user of an in-process app."""

    def __init__(self, client: httpx.AsyncClient, token: str) -> None:
        self.client, self.token = client, token

    async def get(self, path: str) -> httpx.Response:
        return await self.client.get(path, headers=HTML)

    async def post(self, path: str, data: dict[str, str] | None = None) -> httpx.Response:
        return await self.client.post(path, data={**(data or {}), "csrf_token": self.token},
                                      headers=HTML)


async def login(app, name: str) -> Session:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app")
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post("/login", data={"name": name, "password": PASSWORD,
                                          "csrf_token": token, "next": "/"})
    assert r.status_code == 303, r.text
    home = await client.get("/", headers=HTML, follow_redirects=True)  # its forms carry the token
    token = re.search(r'name="csrf_token" value="([^"]+)"', home.text).group(1)
    return Session(client, token)


def _ids(db: Path) -> dict[str, int]:
    with Store(db) as store:
        f = next(f for f in store.findings(filters=Filter(staff="S-0001")) if f["points"] > 0)
        if f["verdict"] != "confirm":
            store.set_verdict(f["id"], "confirm", "", "insp")
        appeals = store.appeals()
        aid = appeals[0].id if appeals else store.file_appeal(f["id"], "for the test", "sup2")
        rid = store.set_rectification("S-0001", "2026-11", "培训", "2026-12-10", "sup2")
        if not store.assignments(inspector="insp"):
            from analyzer.rules.score import SamplingRules
            from analyzer.store.periods import month

            store.sample(month("2026-11"), SamplingRules(), ["insp"], seed="1", user="test")
        sid = store.assignments(inspector="insp")[0].id
    return {"pk": f["interaction_pk"], "fid": f["id"], "aid": aid, "rid": rid, "sid": sid}


#: Every route of the app and the roles it lets through (admin: all of them).
ROUTES: list[tuple[str, str, set[str]]] = [
    ("GET", "/queue", {"inspector"}),
    ("GET", "/interactions/{pk}", {"inspector", "supervisor", "staff"}),  # staff: S-0001's own
    ("GET", "/audio/{pk}", {"inspector", "supervisor", "staff"}),
    ("GET", "/dismissals.csv", {"inspector"}),
    ("GET", "/dashboard", {"inspector"}),
    ("GET", "/errors", {"inspector"}),
    ("GET", "/api/interactions", {"inspector"}),
    ("GET", "/api/interactions/{pk}", {"inspector"}),
    ("POST", "/findings/{fid}/verdict", {"inspector"}),
    ("POST", "/assignments/{sid}/done", {"inspector"}),
    ("GET", "/examples", {"trainer"}),
    ("GET", "/examples/clip/{pk}?start=0&end=2", {"trainer"}),
    ("POST", "/examples/export", {"trainer"}),
    ("GET", "/staff", {"inspector", "supervisor"}),
    ("GET", "/staff/S-0001", {"inspector", "supervisor", "staff"}),
    ("GET", "/ranking", {"inspector", "supervisor"}),
    ("GET", "/ranking/print", {"inspector", "supervisor"}),
    ("GET", "/appeals", {"supervisor"}),
    ("POST", "/findings/{fid}/appeal", {"supervisor", "staff"}),
    ("POST", "/appeals/{aid}/ruling", {"supervisor"}),
    ("POST", "/rectifications", {"supervisor"}),
    ("POST", "/rectifications/{rid}/done", {"supervisor"}),
    ("GET", "/sampling", {"supervisor"}),
    ("POST", "/sampling", {"supervisor"}),
    ("GET", "/search?q=您好", {"inspector", "supervisor", "trainer"}),
    ("GET", "/admin/users", set()),
    ("POST", "/admin/users", set()),
    ("GET", "/rules", {"supervisor"}),
    ("GET", "/calibration", {"supervisor"}),
    ("GET", "/admin/backtest", set()),
]


@pytest.mark.parametrize("role", list(ROLE_USERS))
def test_each_role_on_each_route(db: Path, role: str) -> None:
    path = db
    ids = _ids(path)

    async def script() -> list[str]:
        app = create_app(path)
        me = await login(app, ROLE_USERS[role])
        wrong = []
        for method, route, roles in ROUTES:
            url = route.format(**ids)
            r = await (me.get(url) if method == "GET" else me.post(url, {"reason": "x"}))
            allowed = role == "admin" or role in roles
            if allowed == (r.status_code == 403):
                wrong.append(f"{role} {method} {url}: {r.status_code}")
            if not allowed and r.status_code == 403:
                assert "interaction_id" not in r.text and "张三" not in r.text
        return wrong

    assert asyncio.run(script()) == []


def test_names_only_for_supervisors_and_admins(db: Path) -> None:
    async def script() -> dict[str, dict[str, bool]]:
        app = create_app(db)
        seen = {}
        for role in ("inspector", "supervisor", "admin"):
            me = await login(app, ROLE_USERS[role])
            seen[role] = {}
            for url in ("/staff?period=2026-11", "/staff/S-0001?period=2026-11",
                        "/ranking/print?period=2026-11"):
                r = await me.get(url)
                assert r.status_code == 200, (role, url, r.text[:300])
                seen[role][url] = "张三" in r.text
        return seen

    seen = asyncio.run(script())
    assert not any(seen["inspector"].values())
    assert seen["supervisor"]["/staff?period=2026-11"] and seen["admin"]["/staff/S-0001?period=2026-11"]


def test_staff_page_shows_the_store_results(db: Path) -> None:
    async def script() -> str:
        me = await login(create_app(db), "sup")
        return (await me.get("/staff/S-0001?period=2026-11")).text

    page = asyncio.run(script())

    async def days() -> httpx.Response:
        me = await login(create_app(db), "insp")
        return await me.get("/staff/S-0001?since=2026-11-01&until=2026-11-10")

    span = asyncio.run(days())
    assert span.status_code == 200 and "2026-10-22..2026-10-31" in span.text  # the trend's span
    with Store(db, readonly=True) as store:
        from analyzer.store.periods import month

        r = store.results("staff", month("2026-11"), "不合格", Filter(staff="S-0001"))[0]
    assert f'id="mean-score">{r.figures.mean_score}<' in page
    assert f'{r.trend:+.1f}' in page
    for link in r.worst:
        assert f'href="/interactions/{link.pk}"' in page


def test_an_appeal_from_filing_to_ruling(db: Path) -> None:
    path = db
    with Store(path) as store:
        f = next(f for f in store.findings(filters=Filter(staff="S-0003")) if f["points"] > 0)
        store.set_verdict(f["id"], "confirm", "", "insp")
        before = store.interaction(f["interaction_pk"])["score"]

    async def script() -> None:
        app = create_app(path)
        sup, sup2, insp = (await login(app, "sup"), await login(app, "sup2"),
                           await login(app, "insp"))
        page = await sup.get(f"/interactions/{f['interaction_pk']}")
        assert f'action="/findings/{f["id"]}/appeal"' in page.text
        assert "/verdict" not in page.text  # supervisors do not review
        assert (await sup.post(f"/findings/{f['id']}/appeal", {"reason": ""})).status_code == 400
        r = await sup.post(f"/findings/{f['id']}/appeal", {"reason": "当时是对同事说的"})
        assert r.status_code == 303
        aid = int(r.headers["location"].rsplit("-", 1)[1])
        again = await sup.post(f"/findings/{f['id']}/appeal", {"reason": "again"})
        assert again.status_code == 409
        blocked = await insp.post(f"/findings/{f['id']}/verdict", {"verdict": "dismiss"})
        assert blocked.status_code == 409
        assert (await sup.post(f"/appeals/{aid}/ruling", {"outcome": "overturned",
                                                         "comment": "mine"})).status_code == 409
        r = await sup2.post(f"/appeals/{aid}/ruling", {"outcome": "overturned",
                                                      "comment": "录音证实"})
        assert r.status_code == 303
        page = (await sup2.get("/appeals?status=overturned")).text
        assert f'id="appeal-{aid}"' in page and "录音证实" in page and "filed" in page

    asyncio.run(script())
    with Store(path) as store:
        a = store.appeal(store.appeals()[0].id)
        assert a.status == "overturned" and a.ruled_by == "sup2"
        assert store.interaction(f["interaction_pk"])["score"] == a.score_after > before


def test_rectification_set_and_done_over_http(db: Path) -> None:
    path = db

    async def script() -> None:
        sup = await login(create_app(path), "sup")
        bad = await sup.post("/rectifications", {"staff": "S-0002", "period": "2026-11",
                                                 "action": "x", "follow_up": "later"})
        assert bad.status_code == 400
        r = await sup.post("/rectifications", {"staff": "S-0002", "period": "2026-11",
                                               "action": "服务规范再培训",
                                               "follow_up": "2026-12-15"})
        assert r.status_code == 303
        with Store(path) as store:
            rid = store.rectifications(staff="S-0002")[0].id
        r = await sup.post(f"/rectifications/{rid}/done", {"note": "已培训"})
        assert r.status_code == 303
        again = await sup.post(f"/rectifications/{rid}/done", {"note": "again"})
        assert again.status_code == 409

    asyncio.run(script())
    with Store(path) as store:
        assert [t.action for t in store.audit("rectification")] == ["set", "done"]


def test_web_tables_from_before_the_supervisor_role_are_upgraded(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    old = auth._SCHEMA.replace("'inspector', 'supervisor', 'trainer', 'admin', 'staff'",
                               "'inspector', 'trainer', 'admin'")
    old = re.sub(r",\n\s*changed_by [^\n]*", "", old)  # (version 5's column)
    old = re.sub(r",\n\s*staff_id [^\n]*\n", "\n", old)  # the users table of version 2
    assert "staff" not in old
    con.executescript(old)
    con.execute("INSERT INTO web_meta VALUES ('schema_version', '2')")
    con.execute("INSERT INTO users (name, role, password_hash) VALUES ('old', 'inspector', 'h')")
    con.execute("INSERT INTO sessions VALUES ('t', 1, 'c', 0, 0, 1e12)")
    con.commit()
    con.close()
    con = auth.connect(path)
    try:
        auth.add_user(con, "chief", "supervisor", PASSWORD)
        assert {u.name: u.role for u in auth.list_users(con)} == {
            "old": "inspector", "chief": "supervisor"}
        assert con.query("SELECT COUNT(*) FROM sessions")[0][0] == 1
        assert con.query("SELECT value FROM web_meta")[0][0] == str(auth.WEB_SCHEMA_VERSION)
        assert [(t.user, t.action) for t in _account_trail(path)] == [("cli:" + _login(),
                                                                       "created")]
        auth.add_user(con, "clerk", "staff", PASSWORD, staff_id="S-0009")  # version 4's role
    finally:
        con.close()


def test_the_queue_counts_finding_filters_only_up_to_its_cap(db: Path,
                                                             monkeypatch: pytest.MonkeyPatch
                                                             ) -> None:
    from analyzer.web import inspect

    monkeypatch.setattr(inspect, "QUEUE_COUNT_CAP", 20)
    monkeypatch.setattr(inspect, "PAGE_SIZE", 10)
    with Store(db, readonly=True) as store:
        matches = store.count(Filter(article=9, flagged=True))
        flagged = store.count(Filter(flagged=True))
    assert matches > 40  # four pages at least

    async def script() -> tuple[str, str, str]:
        me = await login(create_app(db), "insp")
        return ((await me.get("/queue?article=9")).text,
                (await me.get("/queue?article=9&page=3")).text, (await me.get("/queue")).text)

    first, second, plain = asyncio.run(script())
    assert "共 20+ 条" in first and "第 1 / 2+ 页" in first and "page=2" in first
    assert "共 30+ 条" in second and "page=4" in second  # the cap follows the page asked for
    assert f"共 {flagged} 条" in plain  # exact from the rollups


def test_the_examples_page_pages_through_a_search_in_its_order(db: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    from analyzer.training.examples import search_examples
    from analyzer.web import train

    monkeypatch.setattr(train, "PAGE_SIZE", 4)

    async def script(numbers: tuple[int, ...] = (1, 2)) -> list[str]:
        me = await login(create_app(db), "tr")
        return [(await me.get(f"/examples?practice=bad&article=9&page={n}")).text
                for n in numbers]

    pages = asyncio.run(script())
    rows = [re.findall(r'<tr class="bad">.*?<td class="day">[^<]*', p, re.S) for p in pages]
    assert [len(r) for r in rows] == [4, 4]
    assert "第 1–4 条案例" in pages[0] and "page=2" in pages[0]
    assert "第 5–8 条案例" in pages[1] and "page=1" in pages[1] and "page=3" in pages[1]
    with Store(db, readonly=True) as store:
        expected = search_examples(store, practice="bad", article=9, limit=8)
    said = [re.search(r"<td>第\d+条 · ([^<]+)</td>.*<td class=\"day\">(.*)", r, re.S).groups()
            for r in rows[0] + rows[1]]
    assert said == [(e.rule, e.day) for e in expected]
    monkeypatch.setattr(train, "EXPORT_LIMIT", 8)  # a search holds two pages now
    last, beyond = asyncio.run(script((2, 3)))
    assert "page=3" not in last and "第 5–8 条案例" in beyond  # no page past the limit


def test_a_supervisor_samples_a_month_from_the_page(db: Path) -> None:
    from collections import Counter

    path = db
    con = auth.connect(path)
    auth.add_user(con, "insp2", "inspector", PASSWORD)
    con.close()

    async def script() -> list[httpx.Response]:
        me = await login(create_app(path), "sup")
        data = {"period": "2026-11", "seed": "7", "inspector": ["insp", "insp2"]}
        refused = await me.post("/sampling", {**data, "inspector": "boss"})  # not an inspector
        first = await me.post("/sampling", data)
        again = await me.post("/sampling", data)
        return [refused, first, again, await me.get("/sampling?period=2026-11")]

    refused, first, again, page = asyncio.run(script())
    assert refused.status_code == 400
    assert first.status_code == 200 and "随机种子 <code>7</code>" in first.text
    assert "insp2 新分配" in first.text
    with Store(path, readonly=True) as store:
        made = store.assignments(period="2026-11", limit=100000)
        today = HallZones().today(time.time()).isoformat()  # the page's day: the hall's
        tally = store.assignment_tally("2026-11", today)
    assert {a.inspector for a in made} == {"insp", "insp2"}
    assert f"此前已分配 {len(made)} 条" in again.text  # the same seed: nothing new
    for name in ("insp", "insp2"):
        states = Counter(a.state(today) for a in made if a.inspector == name)
        assert tally[name] == {s: states.get(s, 0) for s in ("open", "overdue", "done")}
        assert f"<td>{name}</td><td class=\"open\">{tally[name]['open']}</td>" in page.text


def test_a_staff_account_sees_and_appeals_only_its_own(db: Path) -> None:
    path = db
    with Store(path) as store:
        own = next(f for f in store.findings(filters=Filter(staff="S-0001"))
                   if f["points"] > 0 and not store.appeals(pk=f["interaction_pk"]))
        other = next(f for f in store.findings(filters=Filter(staff="S-0002")) if f["points"] > 0)
        for f in (own, other):
            store.set_verdict(f["id"], "confirm", "", "insp")
        before = store.interaction(own["interaction_pk"])["score"]

    async def script() -> dict[str, httpx.Response]:
        me = await login(create_app(path), "clerk")
        out = {"home": await me.client.get("/", headers=HTML),
               "mine": await me.get("/staff/S-0001"), "theirs": await me.get("/staff/S-0002"),
               "their call": await me.get(f"/interactions/{other['interaction_pk']}"),
               "their appeal": await me.post(f"/findings/{other['id']}/appeal",
                                             {"reason": "not me"}),
               "my call": await me.get(f"/interactions/{own['interaction_pk']}"),
               "ranking": await me.get("/ranking"), "queue": await me.get("/queue")}
        out["my appeal"] = await me.post(f"/findings/{own['id']}/appeal",
                                         {"reason": "我当时已经道歉"})
        sup = await login(create_app(path), "sup")
        appeal_id = re.search(r'id="appeal-(\d+)"', (await sup.get("/appeals")).text).group(1)
        out["ruling"] = await sup.post(f"/appeals/{appeal_id}/ruling",
                                       {"outcome": "overturned", "comment": "录音证实"})
        return out

    r = asyncio.run(script())
    assert r["home"].headers["location"] == "/staff/S-0001"
    assert r["mine"].status_code == 200 and "我的结果" in r["mine"].text
    for refused in ("theirs", "their call", "their appeal", "ranking", "queue"):
        assert r[refused].status_code == 403, refused
    assert r["my call"].status_code == 200 and "/appeal" in r["my call"].text
    assert r["my appeal"].status_code == 303
    assert r["my appeal"].headers["location"] == "/staff/S-0001#appeals"
    assert r["ruling"].status_code == 303
    with Store(path, readonly=True) as store:
        appeal = next(a for a in store.appeals(staff="S-0001") if a.finding_id == own["id"])
        after = store.interaction(own["interaction_pk"])["score"]
    assert appeal.filed_by == "clerk" and appeal.status == "overturned" and after > before
    assert not store_appeals_for(path, other["id"])


def store_appeals_for(path: Path, finding_id: int) -> list:
    with Store(path, readonly=True) as store:
        return [a for a in store.appeals() if a.finding_id == finding_id]


def test_a_staff_account_needs_its_staff_id(db: Path) -> None:
    con = auth.connect(db)
    with pytest.raises(ValueError, match="staff-id"):
        auth.add_user(con, "nobody", "staff", PASSWORD)
    with pytest.raises(ValueError, match="staff-id"):
        auth.add_user(con, "insp9", "inspector", PASSWORD, staff_id="S-0001")
    con.close()


def _account_trail(path: Path) -> list:
    """The accounts' audit rows (web schema 5 guards an upgraded users table too)."""
    with Store(path, readonly=True) as store:
        return store.audit("account")


def _login() -> str:
    from analyzer.web.auth import local_actor

    return local_actor().removeprefix("cli:")
