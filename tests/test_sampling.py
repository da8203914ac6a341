"""Sampling and assignment: the template's [sampling] rules, seeded and reproducible; one
inspector per interaction; the queue shows what is assigned, overdue and done."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from datetime import date
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from month_fixture import build_month_db, private_copy

from analyzer.cli import main
from analyzer.errors import ReviewConflict
from analyzer.rules.score import SamplingRules, load_template
from analyzer.store import Filter, Store
from analyzer.store.periods import month
from analyzer.web import auth, create_app

NOV = month("2026-11")
RULES = SamplingRules(below=60, share=0.1, min_per_staff=4, due_days=7)


@pytest.fixture(scope="module")
def month_db(tmp_path_factory) -> Path:
    return build_month_db(tmp_path_factory.mktemp("sampling") / "results.sqlite")


@pytest.fixture()
def db(month_db: Path, tmp_path: Path) -> Path:
    """A private copy (tests that write)."""
    return private_copy(month_db, tmp_path)


def test_the_sample_follows_the_rules_and_the_seed(db: Path, month_db: Path, tmp_path: Path
                                                   ) -> None:
    with Store(db) as store:
        rows = store.interactions(Filter(since=NOV.since, until=NOV.until))
        result = store.sample(NOV, RULES, ["wang", "li"], seed="7", user="t",
                              today=date(2026, 12, 1))
        got = store.assignments(period="2026-11", limit=10**6)
    picked = {a.interaction_pk: a for a in got}
    low = {r["id"] for r in rows if r["score"] < 60}
    assert low <= set(picked) and result.chosen["below"] == len(low)
    rest = len(rows) - len(low)
    assert result.chosen["share"] == round(rest * 0.1)
    per_staff: dict[str, int] = {}
    for a in got:
        per_staff[a.staff] = per_staff.get(a.staff, 0) + 1
    assert min(per_staff.values()) >= 4 and len(per_staff) == 12
    assert {a.inspector for a in got} == {"li", "wang"}
    assert abs(result.per_inspector["li"] - result.per_inspector["wang"]) <= 1
    assert {a.due for a in got} == {"2026-12-08"}
    # the same database, rules and seed: the same sample; another seed: another
    twin = tmp_path / "twin.sqlite"
    src, out = sqlite3.connect(month_db), sqlite3.connect(twin)
    src.backup(out)
    src.close()
    out.close()
    with Store(twin) as store:
        store.sample(NOV, RULES, ["li", "wang"], seed="7", user="t")
        assert {(a.interaction_pk, a.inspector, a.reason)
                for a in store.assignments(limit=10**6)} == \
            {(a.interaction_pk, a.inspector, a.reason) for a in got}
    other = tmp_path / "other.sqlite"
    src, out = sqlite3.connect(month_db), sqlite3.connect(other)
    src.backup(out)
    src.close()
    out.close()
    with Store(other) as store:
        store.sample(NOV, RULES, ["li", "wang"], seed="8", user="t")
        assert {a.interaction_pk for a in store.assignments(limit=10**6)} != set(picked)


def test_one_inspector_at_a_time_and_states(db: Path) -> None:
    with Store(db) as store:
        store.sample(NOV, RULES, ["wang"], seed="1", user="t", today=date(2026, 11, 1))
        again = store.sample(NOV, RULES, ["li"], seed="1", user="t")
        assert again.per_inspector == {} and again.already > 0  # nobody assigned twice
        mine = store.assignments(inspector="wang", limit=10**6)
        assert store.assignments(inspector="li") == []
        clean = next(a for a in mine if a.n_findings == 0)
        flagged = next(a for a in mine if a.n_findings > 0)
        assert clean.state("2026-11-05") == "open" and clean.state("2026-11-30") == "overdue"
        done = store.complete_assignment(clean.id, "wang")
        assert done.state("2026-12-31") == "done"
        with pytest.raises(ReviewConflict):
            store.complete_assignment(clean.id, "wang")
        for f in store.findings(flagged.interaction_pk):
            store.set_verdict(f["id"], "confirm", "", "wang")
        assert store.assignment(flagged.id).state("2026-12-31") == "done"  # every finding judged
        store.reassign(mine[-1].id, "li", "boss")
        assert store.assignment(mine[-1].id).inspector == "li"
        actions = [t.action for t in store.audit("assignment", mine[-1].id)]
        assert actions == ["assigned", "reassigned"]
        assert [t.action for t in store.audit("assignment", clean.id)] == ["assigned", "done"]
    con = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError):
        con.execute("INSERT INTO assignments (interaction_pk, inspector, period, reason, seed, "
                    "assigned_at, due, updated_by) VALUES (?, 'x', '2026-11', 'share', '1', '', "
                    "'', 'x')", (clean.interaction_pk,))
    con.close()


def test_bad_sampling_rules_name_the_line(tmp_path: Path) -> None:
    from analyzer.errors import LexiconError

    path = tmp_path / "scoring.toml"
    path.write_text(load_template().text.replace("share = 0.05", "share = 5"), "utf-8")
    with pytest.raises(LexiconError, match=r"scoring.toml:\d+: share: expected a share"):
        load_template(path)


def test_cli_and_the_queue_show_the_assignments(db: Path) -> None:
    out = CliRunner().invoke(main, ["sample", "--db", str(db), "--month", "2026-11",
                                    "--inspector", "insp", "--inspector", "other", "--seed", "3"])
    assert out.exit_code == 0, out.output
    assert "below" in out.output and "insp:" in out.output
    con = auth.connect(db)
    auth.add_user(con, "insp", "inspector", "password-123")
    auth.add_user(con, "other", "inspector", "password-123")
    con.close()
    with Store(db) as store:
        mine = store.assignments(inspector="insp", limit=10**6)
        theirs = store.assignments(inspector="other", limit=1)[0]

    async def script() -> tuple[str, int, int]:
        app = create_app(db)
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app")
        page = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        await client.post("/login", data={"name": "insp", "password": "password-123",
                                          "csrf_token": token, "next": "/"})
        queue = await client.get("/queue", headers={"accept": "text/html"})
        token = re.search(r'name="csrf_token" value="([^"]+)"', queue.text).group(1)
        ok = await client.post(f"/assignments/{mine[0].id}/done", data={"csrf_token": token})
        refused = await client.post(f"/assignments/{theirs.id}/done", data={"csrf_token": token})
        return queue.text, ok.status_code, refused.status_code

    page, ok, refused = asyncio.run(script())
    assert f"待抽检 {len(mine)}" in page and 'id="assigned"' in page
    assert mine[0].interaction_id in page and theirs.interaction_id not in page.split("</section>")[0]
    assert ok == 303 and refused == 403


def test_a_calibration_share_goes_to_two_different_inspectors(db: Path) -> None:
    from analyzer.errors import InvalidRequest

    team = ["wang", "li", "zhao"]
    with Store(db) as store:
        with pytest.raises(InvalidRequest, match="two or more"):
            store.sample(NOV, RULES, ["wang"], seed="1", user="t", calibration=0.2)
        result = store.sample(NOV, RULES, team, seed="1", user="t", calibration=0.25,
                              today=date(2026, 11, 1))
        made = store.assignments(period="2026-11", limit=10**6)
        twice = [a for a in made if a.second is not None]
        assert result.calibration == len(twice) == round(len(made) * 0.25) > 0
        assert all(a.second != a.inspector and a.second in team for a in twice)
        assert sum(result.per_second.values()) == len(twice) and len(result.per_second) == 3
        # each inspector's queue holds what they got first or second
        for name in team:
            mine = {a.id for a in store.assignments(inspector=name, limit=10**6)}
            assert mine == {a.id for a in made if name in (a.inspector, a.second)}
        tally = store.assignment_tally("2026-11", "2026-11-02")
        assert sum(sum(t.values()) for t in tally.values()) == len(made) + len(twice)
        # done only when the second inspector has judged every finding too
        pair = next(a for a in twice if a.n_findings > 0)
        found = store.findings(pair.interaction_pk)
        for f in found:
            store.set_verdict(f["id"], "confirm", "", pair.inspector)
        assert store.assignment(pair.id).state("2026-11-02") == "open"
        for f in found:
            store.set_verdict(f["id"], "dismiss", "", pair.second, reason="context")
        assert store.assignment(pair.id).state("2026-11-02") == "done"
        # never the same person twice: not by reassignment, not in the table
        with pytest.raises(ReviewConflict, match="second inspector"):
            store.reassign(pair.id, pair.second, "boss")
        assert sorted(t.action for t in store.audit("assignment", pair.id)) == [
            "assigned", "calibration"]
    con = sqlite3.connect(db)
    with pytest.raises(sqlite3.IntegrityError, match="two different inspectors"):
        con.execute("UPDATE assignments SET second = inspector WHERE id = ?", (pair.id,))
    con.close()


def test_a_store_from_before_calibration_gets_the_second_inspector(tmp_path: Path) -> None:
    """An older file keeps its assignments; the migration adds the second inspector and
    the guard (the version is found by what it adds, not by its number)."""
    from month_fixture import old_schema

    from analyzer.store.schema import MIGRATIONS

    adds = next(v for v, step in MIGRATIONS if isinstance(step, str)
                and "ADD COLUMN second" in step)
    path = tmp_path / "old.sqlite"
    con = old_schema(path, adds - 1)
    con.execute("INSERT INTO assignments (interaction_pk, inspector, period, reason, seed, "
                "assigned_at, due, updated_by) VALUES (1, 'wang', '2026-11', 'share', '1', "
                "'2026-11-01', '2026-11-08', 'boss')")
    con.close()
    with Store(path) as store:
        assert store.schema_version() >= adds
        row = store.db.query("SELECT inspector, second FROM assignments")[0]
        assert (row[0], row[1]) == ("wang", None)
    con = sqlite3.connect(path)
    with pytest.raises(sqlite3.IntegrityError, match="two different inspectors"):
        con.execute("UPDATE assignments SET second = 'wang', updated_by = 'boss'")
    con.close()


def test_a_calibration_review_is_blind_until_one_has_judged(db: Path) -> None:
    """Inspector B, given the calibration copy, sees none of A's verdicts, comments and
    reasons (page and JSON) until B has judged every finding; a supervisor sees them all."""
    team = ["wang", "li"]
    with Store(db) as store:
        store.sample(NOV, RULES, team, seed="1", user="t", calibration=0.5,
                     today=date(2026, 11, 1))
        pair = max((a for a in store.assignments(period="2026-11", limit=10**6)
                    if a.second is not None), key=lambda a: a.n_findings)
        found = store.findings(pair.interaction_pk)
        assert len(found) > 1
        for f in found:
            store.set_verdict(f["id"], "dismiss", "A-SAYS-FALSE-ALARM", pair.inspector,
                              reason="context")
    con = auth.connect(db)
    for name in team:
        auth.add_user(con, name, "inspector", "password-123")
    auth.add_user(con, "boss", "supervisor", "password-123")
    con.close()
    with Store(db) as store:
        day = store.interaction(pair.interaction_pk)["day"]
    app = create_app(db)
    url = f"/interactions/{pair.interaction_pk}"
    near = f"/queue?staff={pair.staff}&since={day}&until={day}"
    others: dict[str, dict[str, str]] = {}

    async def look(name: str, judge: bool = False) -> tuple[str, dict, str]:
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app")
        page = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        await client.post("/login", data={"name": name, "password": "password-123",
                                          "csrf_token": token, "next": "/"})
        before = (await client.get(url)).text
        api = (await client.get(f"/api{url}")).json() if name != "boss" else {}
        others.setdefault(name, {k: (await client.get(path)).text for k, path in (
            ("queue", near), ("dismissed", near + "&review=dismissed"),
            ("unreviewed", near + "&review=unreviewed"), ("csv", "/dismissals.csv"))})
        if judge:
            token = re.search(r'name="csrf_token" value="([^"]+)"', before).group(1)
            for k, f in enumerate(found):
                said = await client.post(f"/findings/{f['id']}/verdict", data={
                    "csrf_token": token, "verdict": "confirm", "comment": "B-SAYS-REAL"},
                    headers={"accept": "application/json"})
                if k < len(found) - 1:  # still blind: the score of B's own verdicts
                    assert said.json()["score"] == said.json()["auto_score"]
        after = (await client.get(url)).text
        await client.aclose()
        return before, api, after

    boss, _, _ = asyncio.run(look("boss"))
    assert "A-SAYS-FALSE-ALARM" in boss and 'id="blind"' not in boss
    assert 'data-verdict="dismiss"' in boss
    asyncio.run(look(pair.inspector))  # what A (who has judged) sees before B judges
    b_before, b_api, b_after = asyncio.run(look(pair.second, judge=True))
    # blind: none of A's verdict, comment, reason or name; B's findings unreviewed
    assert 'id="blind"' in b_before and "A-SAYS-FALSE-ALARM" not in b_before
    assert 'data-verdict="dismiss"' not in b_before and f"· {pair.inspector} ·" not in b_before
    assert b_before.count('data-verdict="none"') == len(found)
    assert b_api["blind"] is True and b_api["reviews"] == []
    assert all(f["verdict"] is None for f in b_api["findings"])
    assert b_api["interaction"]["score"] == b_api["interaction"]["auto_score"]
    assert "校准复核" in b_before  # the notice, in Chinese
    # once B has judged every finding, both reviews are shown
    assert 'id="blind"' not in b_after and "A-SAYS-FALSE-ALARM" in b_after
    assert "B-SAYS-REAL" in b_after
    # A (who judged first) now sees B's verdicts too
    a_before, a_api, _ = asyncio.run(look(pair.inspector))
    assert a_api["blind"] is False and "B-SAYS-REAL" in a_before
    # nor could B, before judging, read A's verdicts off the queue (score, review filter) or the
    # dismissals export, which A (who has judged) saw whole then
    row = re.compile(r'<td class="score grade-\w+">(\d+) <small>\w*</small></td>\s*'
                     rf'<td>(\d+)</td>\s*<td><a href="{url}">')
    seen, a_saw = others[pair.second], others[pair.inspector]
    shown, auto = row.search(seen["queue"]).groups()
    assert shown == auto and row.search(a_saw["queue"]).group(1) != auto
    assigned = re.search(rf'<a href="{url}">[^<]+</a></td><td>[^<]*</td><td>(\d+)</td>',
                         seen["queue"])
    assert assigned is not None and assigned.group(1) == auto
    assert row.search(seen["dismissed"]) is None and row.search(seen["unreviewed"])
    assert row.search(a_saw["dismissed"]) and row.search(a_saw["unreviewed"]) is None
    assert "A-SAYS-FALSE-ALARM" in a_saw["csv"] and pair.interaction_id in a_saw["csv"]
    assert "A-SAYS-FALSE-ALARM" not in seen["csv"] and pair.interaction_id not in seen["csv"]
