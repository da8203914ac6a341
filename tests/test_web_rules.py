"""The supervisors' rule health page in-process: figures as the store computes them, a
dismissal's reason from the inspector's form to the page, the 红黑榜's under-review marks."""

from __future__ import annotations

import asyncio
import re
from collections import Counter
from pathlib import Path

import pytest
from month_fixture import private_copy
from test_web_month import ROLE_USERS, login
from test_web_month import month_db as month_db  # noqa: F401  (the module's fixture)

from analyzer.rules.score import load_template
from analyzer.store import Filter, Store
from analyzer.store import periods as P
from analyzer.store.health import build_rule_health
from analyzer.web import create_app

MONTH = P.month("2026-11")


@pytest.fixture()
def db(month_db: Path, tmp_path: Path) -> Path:  # noqa: F811
    return private_copy(month_db, tmp_path)


def _rule_and_findings(db: Path) -> tuple[str, list[int]]:
    with Store(db, readonly=True) as store:
        found = store.findings(filters=Filter(since=MONTH.since, until=MONTH.until))
    rule = Counter(f["rule"] for f in found).most_common(1)[0][0]
    return rule, [f["id"] for f in found if f["rule"] == rule]


def _precision(page: str, rule: str) -> str:
    row = re.search(rf'<tr class="rule [a-z_]+" id="rule-{re.escape(rule)}".*?</tr>', page, re.S)
    assert row, f"no row for {rule}"
    return re.search(r'data-precision="([^"]*)"', row.group(0)).group(1)


def test_a_dismissal_with_its_reason_lowers_the_precision_on_the_page(db: Path) -> None:
    rule, ids = _rule_and_findings(db)

    async def script() -> tuple[str, str, str, str, int]:
        app = create_app(db)
        insp = await login(app, ROLE_USERS["inspector"])
        sup = await login(app, ROLE_USERS["supervisor"])
        assert (await insp.get("/rules")).status_code == 403
        for fid in ids[:2]:
            r = await insp.post(f"/findings/{fid}/verdict", {"verdict": "confirm"})
            assert r.status_code == 303
        before = await sup.get("/rules?period=2026-11")
        r = await insp.post(f"/findings/{ids[2]}/verdict",
                            {"verdict": "dismiss", "reason": "misheard", "comment": "噪声"})
        assert r.status_code == 303
        after = await sup.get("/rules?period=2026-11")
        bad = await insp.post(f"/findings/{ids[3]}/verdict",
                              {"verdict": "dismiss", "reason": "no-such-reason"})
        ranking = await sup.get("/ranking?period=2026-11")
        return before.text, after.text, ranking.text, _precision(after.text, rule), \
            bad.status_code

    before, after, ranking, precision, bad = asyncio.run(script())
    assert _precision(before, rule) == "1.0000" and precision == "0.6667"
    assert "听错（识别错误） ×1" in after and "规则健康" in after
    assert bad == 400
    with Store(db, readonly=True) as store:
        row = build_rule_health(store, MONTH, load_template()).rule(rule)
    assert (row.figures.confirmed, row.figures.dismissed, row.reasons) == (2, 1, {"misheard": 1})
    assert f'data-status="{row.status}"' in after and row.status == "too_few"
    assert 'id="under-review"' in ranking and rule in ranking and "条待复核" in ranking


def test_two_inspectors_disagree_and_a_supervisor_rules(db: Path) -> None:
    from test_web_month import PASSWORD

    from analyzer.web import auth

    con = auth.connect(db)
    auth.add_user(con, "insp2", "inspector", PASSWORD)
    con.close()
    _rule, ids = _rule_and_findings(db)

    async def script() -> tuple[str, str, int]:
        app = create_app(db)
        one = await login(app, ROLE_USERS["inspector"])
        two = await login(app, "insp2")
        sup = await login(app, ROLE_USERS["supervisor"])
        for fid, (a, b) in zip(ids[:3], [("confirm", "confirm"), ("confirm", "dismiss"),
                                          ("dismiss", "dismiss")], strict=True):
            assert (await one.post(f"/findings/{fid}/verdict", {"verdict": a})).status_code == 303
            assert (await two.post(f"/findings/{fid}/verdict", {"verdict": b})).status_code == 303
        before = await sup.get("/calibration?period=2026-11")
        r = await sup.post(f"/calibration/{ids[1]}/ruling",
                           {"verdict": "dismiss", "period": "2026-11"})
        after = await sup.get("/calibration?period=2026-11")
        refused = await one.post(f"/calibration/{ids[1]}/ruling", {"verdict": "confirm"})
        return before.text, after.text, r.status_code, refused.status_code

    before, after, ruled, refused = asyncio.run(script())
    assert ruled == 303 and refused == 403
    overall = re.search(r'<tr class="overall" data-a="insp" data-b="insp2".*?</tr>', before, re.S)
    cells = re.findall(r"<td[^>]*>([^<]*)</td>", overall.group(0))
    assert cells[3:8] == ["3", "1", "1", "0", "1"]  # n, both confirm, only A, only B, both dismiss
    assert "意见不一致：1 条" in before and f'data-finding="{ids[1]}"' in before
    assert "sup 裁定" in after
    assert re.search(r'data-who="insp">insp: 0/1', after) and \
        re.search(r'data-who="insp2">insp2: 1/1', after)
