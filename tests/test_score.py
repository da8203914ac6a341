"""Scoring: points, confidence weighting, repeats, grade bands, vetoes, template errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from analyzer.errors import LexiconError
from analyzer.rules.score import check_template, load_template, score
from analyzer.text.lexicon import load_lexicon
from analyzer.types import Finding


def _f(rule="A9-F-01", kind="forbidden", points=10, confidence=0.98, start=1.0, **detail):
    return Finding(rule=rule, article=9, kind=kind, canonical="下班了,明天再来", speaker="staff",
                   start=start, end=start + 1, evidence="下班了明天再来", confidence=confidence,
                   points=points, detail=dict(detail))


def test_no_findings_is_100_and_top_grade():
    assert score([])[:2] == (100, "优秀")


def test_deductions_and_bands():
    t = load_template()
    value, grade, out = score([_f(start=5), _f("A9-F-02", start=1)], t)
    assert value == 80 and grade == "良好"
    assert [f.rule for f in out] == ["A9-F-02", "A9-F-01"]  # time order
    assert all(f.points == 10 and f.detail["rule_points"] == 10 for f in out)
    value, grade, _ = score([_f(rule=f"R{i}", start=i) for i in range(4)], t)
    assert (value, grade) == (60, "合格")
    value, grade, _ = score([_f(rule=f"R{i}", start=i) for i in range(5)], t)
    assert (value, grade) == (50, "不合格")


def test_confidence_weighting():
    t = load_template()
    _, _, [full] = score([_f(confidence=0.9)], t)
    _, _, [part] = score([_f(confidence=0.74)], t)
    _, _, [none] = score([_f(confidence=0.49)], t)
    assert (full.points, part.points, none.points) == (10, 7, 0)
    assert none.detail["rule_points"] == 10  # still reported, for review


def test_template_points_override_lexicon_points_by_rule_and_group():
    t = load_template()
    _, _, [ring] = score([_f("A7-RING", kind="ring", points=3)], t)
    assert ring.points == t.points["A7-RING"] == 10
    _, _, [f] = score([_f("X-1", points=0)], t)
    assert f.points == t.kind_points["forbidden"]


def test_repeats_deduct_at_most_the_limit():
    t = load_template()
    value, _, out = score([_f(start=i) for i in range(4)], t)
    assert [f.points for f in out] == [10, 10, 0, 0]
    assert value == 80


def test_veto_caps_score_and_grade():
    t = load_template()
    value, grade, out = score([_f("A9-F-05", points=15)], t)
    assert value == 59 and grade == "不合格"
    assert "你去投诉好了" in out[0].detail["veto"]
    # a low-confidence veto hit does not veto
    value, grade, out = score([_f("A9-F-05", points=15, confidence=0.7)], t)
    assert value == 89 and grade == "良好" and "veto" not in out[0].detail  # 15 x 0.7 -> 11


def test_rescoring_scored_findings_is_idempotent():
    t = load_template()
    first = score([_f(confidence=0.7), _f("A9-F-05", points=15, start=3)], t)
    again = score(first[2], t)
    assert again[:2] == first[:2]
    assert [f.points for f in again[2]] == [f.points for f in first[2]]


def test_shipped_template_names_only_known_rules():
    lex = load_lexicon()
    ids = {r.id for r in lex.rules} | {r.group for r in lex.rules}
    check_template(load_template(), ids)  # does not raise


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "hall-scoring.toml"
    path.write_text(text, encoding="utf-8")
    return path


GOOD = Path(__file__).resolve().parent.parent / "lexicons" / "scoring.toml"


def test_template_errors_name_file_and_line(tmp_path: Path):
    text = GOOD.read_text(encoding="utf-8")
    cases = [
        (text.replace('"A7-RING" = 10', '"A7-RING" = "ten"'), '"A7-RING" = "ten"', "whole number"),
        (text.replace("full = 0.9", "full = 1.9"), "full = 1.9", "[0, 1]"),
        (text.replace('min = 75', 'min = 95'), "min = 95", "highest first"),
        (text.replace('cap_grade = "不合格"', 'cap_grade = "差"', 1), 'cap_grade = "差"', "unknown grade"),
        (text.replace("[points]", "[points\n"), "[points", "invalid TOML"),
    ]
    for bad, marker, words in cases:
        path = _write(tmp_path, bad)
        with pytest.raises(LexiconError) as info:
            load_template(path)
        err = info.value
        assert err.source == str(path.resolve())
        assert words in err.message, (marker, err)
        line = next(i for i, ln in enumerate(bad.splitlines(), 1) if marker in ln)
        if marker.startswith("cap_grade"):
            assert err.line is not None and err.line <= line  # the [[veto]] block holding it
        else:
            assert err.line == line, (marker, err)


def test_unknown_rule_id_in_template_names_its_line(tmp_path: Path):
    text = GOOD.read_text(encoding="utf-8").replace('"A6-RATE" = 3', '"A6-RAET" = 3')
    path = _write(tmp_path, text)
    t = load_template(path)
    lex = load_lexicon()
    with pytest.raises(LexiconError) as info:
        check_template(t, {r.id for r in lex.rules} | {r.group for r in lex.rules})
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if "A6-RAET" in ln)
    assert info.value.line == line and "A6-RAET" in info.value.message
