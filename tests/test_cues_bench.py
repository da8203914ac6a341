"""``benchmarks/cues.py`` counts precision, recall and false owes as its docstring says, on turns
written here (none from any corpus)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _module():
    sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
    spec = importlib.util.spec_from_file_location("cues_bench", ROOT / "benchmarks" / "cues.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["cues_bench"] = mod
    spec.loader.exec_module(mod)
    return mod


B = _module()


def _row(i: int, cue: str, family: str, text: str = "", before: str = "") -> dict:
    return {"id": f"t-{i}", "text": text or f"第{i}句。", "before": before, "channel": "counter",
            "cue": cue, "family": family, "note": ""}


def test_score_counts_per_cue_and_per_none_family() -> None:
    rows = [_row(1, "praise", "direct"), _row(2, "praise", "direct"), _row(3, "praise", "indirect"),
            _row(4, "suggestion", "opinion"), _row(5, "suggestion", "opinion"),
            _row(6, "upset", "angry"),
            _row(7, "none", "plain_thanks"), _row(8, "none", "plain_thanks"), _row(9, "none", "question")]
    owed = [{"praise"}, set(), {"suggestion"},          # praise: 1 hit, 1 missed, 1 owing another cue
            {"suggestion", "praise"}, {"suggestion"},   # suggestion: 2 hits; row 4 also owes praise
            {"upset", "incomplete_materials"},          # kinds outside the three are ignored
            {"praise"}, set(), {"upset"}]               # none: 2 of 3 falsely owe
    heard = [{"praise"}, {"praise"}, {"suggestion"}, {"suggestion"}, set(), {"upset"}, set(), set(), set()]
    r = B.score(rows, owed, heard)
    p, s, u = (r["cues"][k] for k in ("praise", "suggestion", "upset"))
    assert (p["n"], p["tp"], p["fp"], p["other"], p["heard"]) == (3, 1, 2, 1, 2)  # fp: rows 4 and 7
    assert p["precision"] == round(1 / 3, 3) and p["recall"] == round(1 / 3, 3)
    assert (s["n"], s["tp"], s["fp"], s["other"], s["heard"]) == (2, 2, 1, 0, 1)  # fp: row 3
    assert s["precision"] == round(2 / 3, 3) and s["recall"] == 1.0
    assert (u["n"], u["tp"], u["fp"], u["precision"], u["recall"]) == (1, 1, 1, 0.5, 1.0)
    assert r["any"] == {"n": 6, "owed": 5, "recall": round(5 / 6, 3)}
    assert r["none"]["n"] == 3 and r["none"]["owed"] == 2 and r["none"]["false_owe_rate"] == round(2 / 3, 3)
    fams = r["none"]["families"]
    assert fams["plain_thanks"] == {"n": 2, "owed": 1, "praise": 1, "suggestion": 0, "upset": 0}
    assert fams["question"] == {"n": 1, "owed": 1, "praise": 0, "suggestion": 0, "upset": 1}
    table = "\n".join(B.table("citizen-turns-2", r))
    assert "blind measure" in table and "第" not in table  # no text of a blind corpus is printed


def test_empty_cue_has_no_rates() -> None:
    r = B.score([_row(1, "none", "info")], [set()])
    assert r["cues"]["praise"]["precision"] is None and r["cues"]["praise"]["recall"] is None
    assert r["none"]["false_owe_rate"] == 0.0


def test_frame_puts_the_turn_between_its_before_and_a_reply() -> None:
    record, at = B.frame(_row(1, "praise", "x", "你们这服务真周到。", "好了，证件收好。"))
    assert [u["speaker"] for u in record["utterances"]] == ["staff", "citizen", "staff"] and at == 1
    record, at = B.frame(_row(2, "praise", "x", "你们这服务真周到。"))
    assert [u["speaker"] for u in record["utterances"]] == ["citizen", "staff"] and at == 0


def test_measure_runs_the_analyzers_cue_side() -> None:
    from analyzer.options import AnalyzerOptions

    rows = [_row(1, "praise", "direct", "小同志服务真周到，给你点个赞！", "好了，您的证办好了。"),
            _row(2, "none", "ack", "好的。", "您先坐一下。")]
    r = B.measure("tiny", AnalyzerOptions(), rows=rows)
    assert r["n"] == 2 and r["cues"]["praise"]["n"] == 1
    assert r["cues"]["praise"]["tp"] == 1  # plain praise in its own words owes the thanks
    assert r["none"]["families"]["ack"]["owed"] == 0  # a bare 好的 owes nothing


def test_a_trained_on_corpus_is_scored_on_its_held_out_turns_only() -> None:
    from analyzer.training.classifiers.build_data import TURN_CORPORA

    assert B.held_out("citizen-turns-2") is None  # never trained on: scored whole
    for name in TURN_CORPORA:
        held = B.held_out(name)
        ids = {r["id"] for r in B.load(B.DATA / name / "utterances.jsonl")}
        assert held and held < ids  # a proper, non-empty part
