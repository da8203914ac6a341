"""Learning from verdicts (issue 30 item 4): the learned detectors' confirmed and dismissed
findings become masked training rows, a retrained model's card records their share, and
the gate lets a model go live only when the backtest loses no confirmed finding."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.options import AnalyzerOptions
from analyzer.persist import persist
from analyzer.pipeline import analyze_transcript, get_lexicon
from analyzer.pipeline.result import AnalysisKey
from analyzer.resources import data_path
from analyzer.store import Store
from analyzer.text.transcript import parse_interaction

#: A counter visit with a rude line the lexicon does not know (the uncivil classifier's)
#: naming the citizen, and a forbidden phrase in other words (the act detector's).
TURNS = [("staff", "您好，请问办理什么业务？"), ("citizen", "我想问问这个怎么办。"),
         ("staff", "王小明，你到底想怎么样"), ("citizen", "我就问问。"),
         ("staff", "催啥催，没瞧见我这手上正弄着吗？"), ("citizen", "哦。"),
         ("staff", "请您为我的服务做出评价，谢谢。"), ("staff", "请您慢走，再见。")]


def _store(path: Path) -> Path:
    options = AnalyzerOptions()
    lexicon = get_lexicon(options)
    data = {"id": "verdicts-1", "channel": "counter", "hall": "东城区政务服务大厅", "window": "3",
            "staff": "S-0001", "started_at": "2026-11-03T10:00:00+08:00",
            "utterances": [{"speaker": s, "start": 4.0 * k, "end": 4.0 * k + 3.0, "text": t}
                           for k, (s, t) in enumerate(TURNS)]}
    digest = hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()
    result = analyze_transcript(parse_interaction(data), options, lexicon=lexicon,
                                key=AnalysisKey(digest, "transcript", lexicon.version))
    with Store(path) as store:
        persist(store, result, lexicon=lexicon)
    return path


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return _store(tmp_path / "results.sqlite")


def _learned(store: Store) -> tuple[dict, dict]:
    found = store.findings()
    uncivil = next(f for f in found if f["kind"] == "uncivil")
    para = next(f for f in found if f["kind"] == "forbidden"
                and f["detail"].get("method") == "paraphrase")
    return uncivil, para


def test_verdicts_become_masked_rows_and_their_share_is_counted(db: Path, tmp_path: Path
                                                                ) -> None:
    from analyzer.rules.acts import PARAPHRASE_RULES
    from analyzer.training.verdicts import merge_data, verdict_examples

    with Store(db) as store:
        uncivil, para = _learned(store)
        assert verdict_examples(store) == []  # no verdict, no example
        store.set_verdict(uncivil["id"], "confirm", "", "insp")
        store.set_verdict(para["id"], "dismiss", "", "insp", reason="context")
        examples = {e.task: e for e in verdict_examples(store)}
    subtype = uncivil["detail"]["subtype"]
    assert examples["uncivil"].labels == (subtype,) and examples["uncivil"].verdict == "confirm"
    assert "王小明" not in examples["uncivil"].text and "[" in examples["uncivil"].text  # masked
    assert examples["acts"].labels == () and examples["acts"].verdict == "dismiss"
    assert para["rule"] in PARAPHRASE_RULES.values()
    source = data_path("models", "classifiers", "data")
    shares = merge_data(source, tmp_path / "data", list(examples.values()))
    for task, name in (("uncivil", "uncivil.jsonl"), ("acts", "acts.jsonl")):
        before = (source / name).read_text("utf-8").splitlines()
        after = (tmp_path / "data" / name).read_text("utf-8").splitlines()
        assert after[:len(before)] == before and len(after) == len(before) + 1
        row = json.loads(after[-1])
        assert row["source"] == "verdict" and row["template"].startswith("verdict-")
        assert shares[task]["rows"] == 1 and shares[task]["of_rows"] == len(after)
        assert shares[task]["share"] == round(1 / len(after), 4)
    assert json.loads((tmp_path / "data" / "uncivil.jsonl").read_text("utf-8")
                      .splitlines()[-1])["label"] == subtype


@pytest.mark.slow
def test_a_retrained_model_records_its_verdicts_and_goes_live_only_through_the_gate(
        db: Path, tmp_path: Path) -> None:
    with Store(db) as store:
        uncivil, _para = _learned(store)
        store.set_verdict(uncivil["id"], "confirm", "", "insp")
    candidate, live = tmp_path / "candidate", tmp_path / "live"
    out = CliRunner().invoke(main, ["train", "verdicts", "--db", str(db), "--candidate",
                                    str(candidate), "--lang", "en"])
    assert out.exit_code == 0, out.output
    card = json.loads((candidate / "metadata.json").read_text("utf-8"))
    assert card["uncivil"]["verdicts"]["rows"] == 1 and card["uncivil"]["verdicts"]["confirmed"] == 1
    assert 0 < card["uncivil"]["verdicts"]["share"] < 0.01
    assert "verdicts" not in card["acts"]  # only the task with verdict rows was retrained
    shipped = json.loads(data_path("models", "classifiers", "metadata.json").read_text("utf-8"))
    assert card["uncivil"]["model_id"] != shipped["uncivil"]["model_id"]
    # the retrained model keeps the confirmed finding: it goes live
    ok = CliRunner().invoke(main, ["train", "gate", "--db", str(db), "--model", str(candidate),
                                   "--live", str(live), "--no-progress", "--workers", "1",
                                   "--lang", "en"])
    assert ok.exit_code == 0, ok.output
    assert "0 confirmed findings would vanish" in ok.output
    assert json.loads((live / "metadata.json").read_text("utf-8")) == card
    # a model that reads that sub-type as civil would lose it: refused, nothing goes live
    broken = tmp_path / "broken"
    shutil.copytree(candidate, broken)
    meta = json.loads((broken / "metadata.json").read_text("utf-8"))
    labels = meta["uncivil"]["labels"]
    a, b = labels.index("civil"), labels.index(uncivil["detail"]["subtype"])
    labels[a], labels[b] = labels[b], labels[a]
    (broken / "metadata.json").write_text(json.dumps(meta), "utf-8")
    refused = CliRunner().invoke(main, ["train", "gate", "--db", str(db), "--model",
                                        str(broken), "--live", str(tmp_path / "other"),
                                        "--no-progress", "--workers", "1", "--lang", "en"])
    assert refused.exit_code == 1, refused.output
    assert "1 confirmed findings would vanish" in refused.output
    assert "does not go live" in refused.output
    assert not (tmp_path / "other").exists()
