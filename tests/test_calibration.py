"""Calibration between inspectors: Cohen's kappa against a hand computation, the raw counts,
the disagreements and the supervisor's ruling as the reference."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from month_fixture import build_month_db, private_copy

from analyzer.cli import main
from analyzer.store import Filter, Store
from analyzer.store import periods as P
from analyzer.store.calibration import build_calibration, cohen_kappa

MONTH = P.month("2026-11")
#: (insp, insp2) verdicts on ten findings: 4 both confirm, 2 only insp confirms,
#: 1 only insp2 confirms, 3 both dismiss.
TABLE = ([("confirm", "confirm")] * 4 + [("confirm", "dismiss")] * 2 + [("dismiss", "confirm")]
         + [("dismiss", "dismiss")] * 3)


@pytest.fixture(scope="module")
def month_db(tmp_path_factory) -> Path:
    return build_month_db(tmp_path_factory.mktemp("calibration") / "results.sqlite")


@pytest.fixture()
def db(month_db: Path, tmp_path: Path) -> Path:
    return private_copy(month_db, tmp_path)


def test_kappa_matches_a_hand_computation() -> None:
    # po = (4 + 3) / 10 = 0.7; insp confirms 6/10, insp2 5/10:
    # pe = 0.6·0.5 + 0.4·0.5 = 0.5; kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    assert cohen_kappa(4, 2, 1, 3) == pytest.approx(0.4)
    assert cohen_kappa(5, 0, 0, 5) == pytest.approx(1.0)
    # agreeing only as often as chance: kappa 0
    assert cohen_kappa(1, 1, 1, 1) == pytest.approx(0.0)
    assert cohen_kappa(0, 0, 0, 0) is None
    assert cohen_kappa(3, 0, 0, 0) is None  # both always confirm: chance agreement is 1


def test_pairs_disagreements_and_the_reference(db: Path) -> None:
    with Store(db) as store:
        found = store.findings(filters=Filter(since=MONTH.since, until=MONTH.until))[:10]
        for f, (a, b) in zip(found, TABLE, strict=True):
            store.set_verdict(f["id"], a, "", "insp")
            store.set_verdict(f["id"], b, "", "insp2")
        # the supervisor rules on two of the three disagreements: with insp, then with insp2
        store.set_verdict(found[4]["id"], "confirm", "", "sup")
        store.set_verdict(found[6]["id"], "confirm", "", "sup")
        c = build_calibration(store, MONTH, referees=["sup"])
    overall = next(p for p in c.pairs if p.rule == "")
    assert (overall.a, overall.b) == ("insp", "insp2")
    t = overall.agreement
    assert (t.both_confirm, t.only_a, t.only_b, t.both_dismiss) == (4, 2, 1, 3)
    assert t.observed == pytest.approx(0.7) and t.kappa == pytest.approx(0.4)
    per_rule = [p for p in c.pairs if p.rule]
    assert sum(p.agreement.n for p in per_rule) == 10
    assert {p.rule for p in per_rule} == {f["rule"] for f in found}
    assert sorted(d.finding_id for d in c.disagreements) == sorted(
        f["id"] for f in found[4:7])
    ruled = {d.finding_id: (d.ruling, d.ruled_by) for d in c.disagreements}
    assert ruled[found[4]["id"]] == ("confirm", "sup") and ruled[found[5]["id"]] == ("", "")
    # insp confirmed found[4] (agrees), dismissed found[6] (not); insp2 the reverse;
    # the analyzer raised both, so a confirming ruling agrees with it
    assert c.reference == {"insp": (1, 2), "insp2": (1, 2), "analyzer": (2, 2)}


def test_report_calibration_text_and_json(db: Path) -> None:
    with Store(db) as store:
        found = store.findings(filters=Filter(since=MONTH.since, until=MONTH.until))[:10]
        for f, (a, b) in zip(found, TABLE, strict=True):
            store.set_verdict(f["id"], a, "", "insp")
            store.set_verdict(f["id"], b, "", "insp2")
    runner = CliRunner()
    out = runner.invoke(main, ["report", "--db", str(db), "--calibration", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    overall = next(p for p in data["pairs"] if p["rule"] == "")
    assert (overall["both_confirm"], overall["only_a_confirms"], overall["only_b_confirms"],
            overall["both_dismiss"], overall["kappa"]) == (4, 2, 1, 3, 0.4)
    assert len(data["disagreements"]) == 3
    text = runner.invoke(main, ["report", "--db", str(db), "--calibration", "--lang", "en"])
    assert text.exit_code == 0 and "0.40" in text.output and "Disagreements: 3" in text.output
