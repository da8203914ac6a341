"""Rule health from verdicts: each rule's precision, its interval, reasons, trend and bar.

The figures are checked against a hand computation (the Wilson interval) and
against counts made here from the finding rows themselves, for whole months
(the monthly rollup) and for any span of days (the daily rollup).
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from click.testing import CliRunner
from month_fixture import build_month_db, private_copy

from analyzer.cli import main
from analyzer.errors import InvalidRequest, LexiconError
from analyzer.rules.score import load_template, template_from_text
from analyzer.store import Filter, Store
from analyzer.store import periods as P
from analyzer.store.health import Verdicts, build_rule_health, trend_months, wilson
from analyzer.store.ranking import build_ranking

MONTH = P.month("2026-11")


@pytest.fixture(scope="module")
def month_db(tmp_path_factory) -> Path:
    return build_month_db(tmp_path_factory.mktemp("health") / "results.sqlite")


@pytest.fixture()
def db(month_db: Path, tmp_path: Path) -> Path:
    return private_copy(month_db, tmp_path)


def bar(tmp_path: Path, **values: object) -> Path:
    """The shipped template with its [rule_health] table replaced."""
    text = load_template().text.split("[rule_health]")[0]
    lines = [f"{k} = {json.dumps(v)}" for k, v in values.items()]
    path = tmp_path / "scoring.toml"
    path.write_text(text + "[rule_health]\n" + "\n".join(lines) + "\n", "utf-8")
    return path


def busiest_rule(store: Store) -> str:
    """The rule with the most findings in the month."""
    found = store.findings(filters=Filter(since=MONTH.since, until=MONTH.until))
    return Counter(f["rule"] for f in found).most_common(1)[0][0]


def judge(store: Store, rule: str, verdicts: list[tuple[str, str]]) -> list[int]:
    """Give the month's first findings of ``rule`` these (verdict, reason) in turn."""
    found = [f for f in store.findings(filters=Filter(since=MONTH.since, until=MONTH.until))
             if f["rule"] == rule]
    ids = []
    for f, (verdict, reason) in zip(found, verdicts, strict=False):
        store.set_verdict(f["id"], verdict, "", "insp", reason=reason)
        ids.append(f["id"])
    assert len(ids) == len(verdicts)
    return ids


def counted(store: Store, since: str, until: str) -> dict[str, Verdicts]:
    """Per rule, from the finding rows (not the rollups)."""
    out: dict[str, Verdicts] = defaultdict(Verdicts)
    for f in store.findings(filters=Filter(since=since, until=until)):
        out[f["rule"]] += Verdicts(1, f["verdict"] == "confirm", f["verdict"] == "dismiss")
    return dict(out)


def test_the_wilson_interval_matches_a_hand_computation() -> None:
    # 8 of 10: p = 0.8, z = 1.96; centre 0.8 + z²/20 = 0.99207, spread
    # z·sqrt(0.016 + z²/400) = 0.31362, divided by 1 + z²/10 = 1.38415
    low, high = wilson(8, 10)
    assert (round(low, 4), round(high, 4)) == (0.4902, 0.9433)
    assert wilson(0, 0) is None
    low, high = wilson(5, 5)
    assert high == 1.0 and round(low, 4) == 0.5655  # 5/(5 + z²) = 0.5655
    assert wilson(0, 4)[0] == 0.0
    v = Verdicts(findings=40, confirmed=6, dismissed=4)
    assert (v.reviewed, v.reviewed_share, v.precision) == (10, 0.25, 0.6)


def test_figures_match_the_finding_rows_for_months_and_days(db: Path, tmp_path: Path) -> None:
    with Store(db) as store:
        rule = busiest_rule(store)
        judge(store, rule, [("confirm", "")] * 3 + [("dismiss", "misheard")] * 2
              + [("dismiss", "context")])
        other = next(r for r, _n in Counter(
            f["rule"] for f in store.findings(filters=Filter(since=MONTH.since,
                                                             until=MONTH.until))).most_common()
            if r != rule)
        judge(store, other, [("confirm", "")])
        template = load_template()
        health = build_rule_health(store, MONTH, template)
        expected = counted(store, MONTH.since, MONTH.until)
        assert {r.rule: r.figures for r in health.rows} == expected
        row = health.rule(rule)
        assert row is not None
        assert (row.figures.confirmed, row.figures.dismissed) == (3, 3)
        assert row.figures.precision == 0.5
        assert row.reasons == {"misheard": 2, "context": 1}
        assert row.status == "too_few"  # 6 reviewed < 20
        assert health.total == sum(expected.values(), Verdicts())
        by_article: dict[int, Verdicts] = defaultdict(Verdicts)
        for r in health.rows:
            by_article[r.article] += r.figures
        assert {a.article: a.figures for a in health.articles} == dict(by_article)
        # the trend's last month is the period; the month before holds the previous month's
        assert [m for m, _v in row.trend][-2:] == ["2026-10", "2026-11"]
        assert row.trend[-1][1] == row.figures
        prev = counted(store, "2026-10-01", "2026-10-31").get(rule, Verdicts())
        assert row.trend[-2][1] == prev
        # any span of days reads the daily rollup and agrees with the rows too
        days = P.days("2026-11-05", "2026-11-17")
        span = build_rule_health(store, days, template)
        assert {r.rule: r.figures for r in span.rows} == counted(store, days.since, days.until)
        # per hall: the halls add up to the rule
        split = build_rule_health(store, MONTH, template, by_hall=True)
        halls = [r for r in split.rows if r.hall and r.rule == rule]
        assert len(halls) >= 2 and sum((r.figures for r in halls), Verdicts()) == row.figures
        one = build_rule_health(store, MONTH, template, hall=halls[0].hall)
        assert one.rule(rule).figures == halls[0].figures


def test_the_bar_from_the_template_judges_a_rule(db: Path, tmp_path: Path) -> None:
    template = load_template(bar(tmp_path, min_precision=0.75, min_reviewed=4, trend_months=3))
    with Store(db) as store:
        rule = busiest_rule(store)
        ids = judge(store, rule, [("confirm", "")] * 4)
        health = build_rule_health(store, MONTH, template)
        assert health.rule(rule).status == "ok" and len(health.months) == 3
        assert rule not in health.under_review()
        for fid in ids[:2]:  # an inspector changes their mind: 2 of 4
            store.set_verdict(fid, "dismiss", "", "insp", reason="wrong_speaker")
        health = build_rule_health(store, MONTH, template)
        row = health.rule(rule)
        assert (row.figures.precision, row.status) == (0.5, "below_bar")
        assert rule in health.under_review()
        # the 红黑榜 marks that rule's findings as under review
        ranking = build_ranking(store, MONTH, template)
        assert rule in ranking.under_review
        marked = [e for groups in ranking.lists.values() for entries in groups.values()
                  for e in entries if e.result.by_rule.get(rule)]
        for e in marked:
            assert e.under_review == sum(n for r, n in e.result.by_rule.items()
                                         if r in ranking.under_review)


def test_a_bad_bar_names_its_line() -> None:
    text = load_template().text.replace("min_precision = 0.8", "min_precision = 1.5")
    with pytest.raises(LexiconError, match="min_precision") as info:
        template_from_text(text, "mine.toml")
    assert info.value.line and "mine.toml" in str(info.value)
    with pytest.raises(LexiconError, match="unknown \\[rule_health\\] key"):
        template_from_text(load_template().text.replace("trend_months", "trend_month"),
                           "x.toml")


def test_a_reason_is_only_for_a_dismissal(db: Path) -> None:
    with Store(db) as store:
        fid = store.findings(filters=Filter(since=MONTH.since, until=MONTH.until))[0]["id"]
        with pytest.raises(InvalidRequest):
            store.set_verdict(fid, "confirm", "", "insp", reason="misheard")
        with pytest.raises(InvalidRequest):
            store.set_verdict(fid, "dismiss", "", "insp", reason="because")
        store.set_verdict(fid, "dismiss", "", "insp", reason="said_otherwise")
        assert store.reviews(finding_id=fid)[-1]["reason"] == "said_otherwise"


def test_trend_months_cross_the_year() -> None:
    assert trend_months(P.month("2026-02"), 4) == ["2025-11", "2025-12", "2026-01", "2026-02"]


def test_report_rules_writes_text_csv_and_json(db: Path, tmp_path: Path) -> None:
    with Store(db) as store:
        rule = busiest_rule(store)
        judge(store, rule, [("confirm", "")] * 2 + [("dismiss", "misheard")])
        expected = build_rule_health(store, MONTH, load_template()).rule(rule)
    runner = CliRunner()
    out = runner.invoke(main, ["report", "--db", str(db), "--rules", "--month", "2026-11",
                               "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    row = next(r for r in data["rules"] if r["rule"] == rule)
    assert (row["confirmed"], row["dismissed"], row["precision"]) == (2, 1, 0.6667)
    assert row["findings"] == expected.figures.findings
    assert row["interval"] == [round(x, 4) for x in wilson(2, 3)]
    assert row["reasons"] == {"misheard": 1} and row["status"] == "too_few"
    assert rule in data["under_review"]
    text = runner.invoke(main, ["report", "--db", str(db), "--rules", "--lang", "en"])
    assert text.exit_code == 0, text.output
    assert "Rule health from verdicts" in text.output and rule in text.output
    assert "67%" in text.output and "misheard (recognition error) ×1" in text.output
    zh = runner.invoke(main, ["report", "--db", str(db), "--rules", "--by-hall"])
    assert zh.exit_code == 0 and "规则健康" in zh.output
    target = tmp_path / "rules.csv"
    done = runner.invoke(main, ["report", "--db", str(db), "--rules", "-o", str(target)])
    assert done.exit_code == 0, done.output
    lines = target.read_text("utf-8-sig").splitlines()
    assert len(lines) > 3 and any(rule in line and ",2,1," in line for line in lines)
    bad = runner.invoke(main, ["report", "--db", str(db), "--rules", "--by", "staff"])
    assert bad.exit_code == 2
