"""The learned classifiers: shipped ONNX models, data split, findings, cues, retraining."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.errors import ModelError
from analyzer.options import ClassifierOptions
from analyzer.rules import learned
from analyzer.text.lexicon import load_lexicon
from analyzer.text.normalize import normalize
from analyzer.types import LEARNED_CUE_KINDS, Cue, Finding, Utterance

ROOT = Path(__file__).resolve().parent.parent
MODELS = ROOT / "models" / "classifiers"
DATA = MODELS / "data"
OPTS = ClassifierOptions()


def _rows(name: str) -> list[dict]:
    with (DATA / name).open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


@pytest.fixture(scope="module")
def meta() -> dict:
    return json.loads((MODELS / "metadata.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def lexicon():
    return load_lexicon()


def _utts(*pairs: tuple[str, str]) -> list[Utterance]:
    return [Utterance(spk, float(i), i + 0.8, text) for i, (spk, text) in enumerate(pairs)]


def test_shipped_models_are_small_onnx_files(meta):
    for task in ("uncivil", "cues"):
        path = MODELS / meta[task]["file"]
        assert path.suffix == ".onnx"
        assert 0 < path.stat().st_size < 2 * 1024 * 1024
        assert path.stat().st_size == meta[task]["onnx_bytes"]
    assert "civil" in meta["uncivil"]["labels"]
    assert set(LEARNED_CUE_KINDS) | {"other"} == set(meta["cues"]["labels"])


@pytest.mark.parametrize("text", [
    "下班了,明天再来", "快点,我要下班了", "没看我正忙着吗", "你去投诉好了",
    "我就是这样的,你能把我怎么样", "你的记性真差", "你到底想怎么样",
])
def test_uncivil_seed_and_paraphrase_examples_are_flagged(text):
    pred = learned.classify([text], "uncivil")[0]
    assert pred is not None and pred.probability >= OPTS.uncivil_threshold, pred


@pytest.mark.parametrize("text", [
    "您好,请问您要办理什么业务?", "请您稍等", "请您为我的服务做出评价,谢谢",
    "对不起,请您补全手续再来办理", "谢谢您的肯定,这是我们应该做的",
])
def test_civil_seed_phrases_are_not_flagged(text):
    pred = learned.classify([text], "uncivil")[0]
    assert pred.probability < OPTS.uncivil_threshold, pred


@pytest.mark.parametrize(("text", "kind"), [
    ("你们服务真好,太感谢了", "praise"),
    ("我建议你们多开几个窗口", "suggestion"),
    ("你们这是什么态度,我要投诉", "upset"),
    ("我忘带户口本了", "incomplete_materials"),
    ("好的,我先去缴费", "other"),
])
def test_cue_examples(text, kind):
    pred = learned.classify([text], "cues")[0]
    assert learned.decide("cues", pred, OPTS.cue_threshold) == kind, pred


def test_recognition_variants_score_like_the_clean_text():
    import opencc

    text = "我就是这样的,你能把我怎么样"
    trad = opencc.OpenCC("s2t").convert(text)
    clean, t, bare = learned.classify([text, trad, text.replace(",", "")], "uncivil")
    assert t.probability == pytest.approx(clean.probability)
    assert bare.probability == pytest.approx(clean.probability)


def test_runtime_does_not_import_sklearn():
    code = ("import sys; from analyzer.rules import learned; "
            "p = learned.classify(['你去投诉好了'], 'uncivil')[0]; "
            "assert p.probability > 0.5; print('sklearn' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_split_keeps_whole_phrasings_out_of_training(meta):
    for task in ("uncivil", "cues"):
        rows = _rows(f"{task}.jsonl")
        held = set(meta[task]["test_phrasings"])
        train_groups = {r["template"] for r in rows if r["template"] not in held}
        assert held and not held & train_groups
        for label in meta[task]["labels"]:
            assert any(r["label"] == label and r["template"] in held for r in rows), label
        train_texts = {normalize(r["text"]) for r in rows if r["template"] not in held}
        para = [normalize(r["text"]) for r in _rows(f"{task}_paraphrases.jsonl")]
        assert not set(para) & train_texts


def test_data_rows_carry_phrasing_and_noise():
    rows = _rows("uncivil.jsonl")
    assert {"civil", "scolding", "cold", "inflaming", "unrelated_chat"} == {r["label"] for r in rows}
    noise = {n for r in rows for n in r["noise"]}
    assert {"homophone", "traditional", "no_punct", "no_particles"} <= noise
    assert all(r["uncivil"] == (r["label"] != "civil") for r in rows)
    assert {r["label"] for r in _rows("cues.jsonl")} == set(LEARNED_CUE_KINDS) | {"other"}


def _held_out(task: str, meta: dict) -> tuple[list[str], list[str]]:
    held = set(meta[task]["test_phrasings"])
    rows = [r for r in _rows(f"{task}.jsonl") if r["template"] in held]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def _precision_recall(truth: list[bool], pred: list[bool]) -> tuple[float, float]:
    tp = sum(t and p for t, p in zip(truth, pred, strict=True))
    return tp / max(1, sum(pred)), tp / max(1, sum(truth))


def test_held_out_floor_metrics(meta):
    texts, labels = _held_out("uncivil", meta)
    preds = learned.classify(texts, "uncivil")
    flagged = [p.probability >= OPTS.uncivil_threshold for p in preds]
    p, r = _precision_recall([lab != "civil" for lab in labels], flagged)
    assert p >= 0.85 and r >= 0.7, (p, r)

    texts, labels = _held_out("cues", meta)
    decided = [learned.decide("cues", p, OPTS.cue_threshold) for p in learned.classify(texts, "cues")]
    for kind in LEARNED_CUE_KINDS:
        p, r = _precision_recall([lab == kind for lab in labels], [d == kind for d in decided])
        assert p >= 0.7 and r >= 0.3, (kind, p, r)


def test_paraphrase_floor_metrics():
    rows = _rows("uncivil_paraphrases.jsonl")
    preds = learned.classify([r["text"] for r in rows], "uncivil")
    p, r = _precision_recall([r["uncivil"] for r in rows],
                             [q.probability >= OPTS.uncivil_threshold for q in preds])
    assert p >= 0.85 and r >= 0.65, (p, r)


def test_uncivil_findings_shape_threshold_and_skip(lexicon):
    utts = _utts(("staff", "您好,请问您要办理什么业务"), ("citizen", "你们这是什么态度"),
                 ("staff", "你去投诉好了"), ("staff", "一边等着去,没看我正忙着"),
                 ("staff", "请您慢走,再见"))
    found = learned.uncivil_findings(utts, lexicon, OPTS)
    assert [f.detail["utterance"] for f in found] == [2, 3]
    rule = lexicon.get("A6-UNCIVIL")
    probs = learned.classify([utts[2].text, utts[3].text], "uncivil")
    for f, pred in zip(found, probs, strict=True):
        assert isinstance(f, Finding)
        assert (f.rule, f.article, f.kind, f.speaker) == ("A6-UNCIVIL", 6, "uncivil", "staff")
        assert f.points == rule.points
        assert f.confidence == pytest.approx(pred.probability)
        assert f.detail["subtype"] in ("scolding", "cold", "inflaming", "unrelated_chat")
        assert f.detail["model"] == learned.model_info()["uncivil"]["model"]
    assert (found[0].start, found[0].end, found[0].evidence) == (2.0, 2.8, "你去投诉好了")

    assert [f.detail["utterance"] for f in learned.uncivil_findings(utts, lexicon, OPTS, skip={2})] == [3]
    mono = [replace(u, speaker_known=False) for u in utts]
    assumed = learned.uncivil_findings(mono, lexicon, OPTS)
    assert [f.confidence for f in assumed] == pytest.approx(
        [f.confidence * OPTS.assumed_speaker_weight for f in found])
    assert all(f.detail["speaker_known"] is False for f in assumed)
    strict = replace(OPTS, uncivil_threshold=max(p.probability for p in probs) + 1e-6)
    assert learned.uncivil_findings(utts, lexicon, strict) == []
    assert learned.uncivil_findings(utts, lexicon, replace(OPTS, enabled=False)) == []


def test_learned_finding_weighs_below_lexicon_hits(lexicon):
    """Issue 6: a classifier finding deducts less than any forbidden-phrase hit."""
    from analyzer.rules.score import load_template, rule_points

    template = load_template()
    found = learned.uncivil_findings(_utts(("staff", "你去投诉好了")), lexicon, OPTS)
    learned_points = rule_points(found[0], template)
    for rule in lexicon.select(kind="forbidden"):
        hit = Finding(rule.id, rule.article, "forbidden", rule.canonical, "staff", 0.0, 1.0,
                      rule.canonical, 0.98, rule.points, {"group": rule.group})
        assert learned_points < rule_points(hit, template), rule.id


def test_citizen_cues_shape_and_threshold():
    utts = _utts(("citizen", "我忘带户口本了"), ("staff", "你们服务真好"),
                 ("citizen", "你们服务真好,太感谢了"), ("citizen", "好的"), ("citizen", ""))
    cues = learned.citizen_cues(utts, OPTS)
    assert [(c.kind, c.utterance) for c in cues] == [("incomplete_materials", 0), ("praise", 2)]
    for c in cues:
        assert isinstance(c, Cue) and c.source == "classifier"
        assert c.confidence >= OPTS.cue_threshold
        assert (c.start, c.end, c.evidence) == (utts[c.utterance].start, utts[c.utterance].end,
                                                utts[c.utterance].text)
    top = max(c.confidence for c in cues)
    assert learned.citizen_cues(utts, replace(OPTS, cue_threshold=top + 1e-6)) == []
    assert learned.citizen_cues(utts, replace(OPTS, enabled=False)) == []


def test_missing_or_corrupt_model_is_a_model_error(tmp_path, meta):
    with pytest.raises(ModelError, match="metadata"):
        learned.classify(["你好"], "uncivil", ClassifierOptions(model_dir=str(tmp_path)))
    (tmp_path / "metadata.json").write_text(json.dumps({"cues": meta["cues"]}), encoding="utf-8")
    with pytest.raises(ModelError, match="'uncivil'"):
        learned.classify(["你好"], "uncivil", ClassifierOptions(model_dir=str(tmp_path)))
    (tmp_path / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    learned.load_metadata.cache_clear()
    (tmp_path / "uncivil.onnx").write_bytes(b"not an onnx model")
    with pytest.raises(ModelError, match="uncivil.onnx"):
        learned.classify(["你好"], "uncivil", ClassifierOptions(model_dir=str(tmp_path)))


def test_option_defaults_are_the_trained_thresholds(meta):
    assert meta["uncivil"]["cv_threshold"]["threshold"] == OPTS.uncivil_threshold
    assert meta["cues"]["cv_threshold"]["threshold"] == OPTS.cue_threshold


def test_the_act_card_measures_each_forbidden_intent_against_its_polite_near_misses(meta):
    """Paraphrase precision is the model's own: cross-validated against near-miss phrasings."""
    from analyzer.rules.acts import PARAPHRASE_RULES
    from analyzer.training.classifiers import acts

    near = meta["acts"]["near_misses"]
    tables = {p.table for p in acts.phrasings()}
    for intent in PARAPHRASE_RULES:
        assert acts.NEAR + intent.removeprefix("f_") in tables, intent
        assert near["cv"][intent]["near_rows"] > 0 and near["test"][intent]["near_rows"] > 0
    # near-miss rows are in training, none of them does a forbidden intent by itself
    assert all(not p.acts & set(PARAPHRASE_RULES) for p in acts.phrasings()
               if p.table.startswith(acts.NEAR))
    for split in ("cv", "test"):
        assert near[split]["forbidden"]["precision"] >= 0.95, (split, near[split]["forbidden"])


def test_data_build_is_reproducible():
    from analyzer.training.classifiers import build_data

    for task in ("uncivil", "cues"):
        assert [*build_data.expand(task), *build_data.more_rows(task)] == _rows(f"{task}.jsonl")
    assert build_data.acts_rows() == _rows("acts.jsonl")


@pytest.mark.slow
def test_training_reproduces_shipped_models(tmp_path, meta):
    """The one training command, re-run, gives the shipped data hashes, metrics and model."""
    from analyzer.training.classifiers import train

    new = train.train_all(tmp_path, timing=False)
    for task in ("uncivil", "cues"):
        a, b = meta[task], new[task]
        for key in ("data_sha256", "paraphrases_sha256", "normalized_sha256", "labels", "n_train",
                    "n_test", "test_phrasings", "C", "threshold", "cv_threshold", "metrics",
                    *(("owe_threshold", "owe_model") if task == "cues" else ())):
            assert a[key] == b[key], (task, key)
        assert b["onnx_max_abs_diff"] < 1e-4
        texts = _held_out(task, meta)[0][:200]
        shipped = learned.classify(texts, task)
        retrained = learned.classify(texts, task, ClassifierOptions(model_dir=str(tmp_path)))
        for x, y in zip(shipped, retrained, strict=True):
            assert x.probabilities == pytest.approx(y.probabilities, abs=1e-5)
    a, b = meta["acts"], new["acts"]
    for key in ("data_sha256", "normalized_sha256", "labels", "n_train", "n_test", "C",
                "thresholds", "metrics"):
        assert a[key] == b[key], ("acts", key)
    texts = ["您好，请坐，办什么？", "催什么催，没见我这儿正忙着吗", "麻烦您给我的服务打个分，您慢走"]
    shipped = learned.act_probabilities(texts)
    retrained = learned.act_probabilities(texts, ClassifierOptions(model_dir=str(tmp_path)))
    for x, y in zip(shipped, retrained, strict=True):
        assert x == pytest.approx(y, abs=1e-5)


def test_pipeline_uses_both_classifiers_and_records_thresholds():
    """Through the real pipeline: a paraphrased rudeness is scored, a praise cue makes a reply owed."""
    from analyzer.options import AnalyzerOptions
    from analyzer.pipeline import analyze_interaction
    from analyzer.types import Interaction

    utts = _utts(("staff", "您好,请问您要办理什么业务?"), ("citizen", "我想办社保卡,你们这小伙子服务真周到"),
                 ("staff", "你到底想怎么样"), ("citizen", "好的"),
                 ("staff", "请您为我的服务做出评价,谢谢"), ("staff", "请您慢走,再见"))
    report = analyze_interaction(Interaction("h7", "counter", utts))
    uncivil = [f for f in report.findings if f.kind == "uncivil"]
    assert [(f.rule, f.evidence) for f in uncivil] == [("A6-UNCIVIL", "你到底想怎么样")]
    praise = [f for f in report.findings if f.detail.get("cue_source") == "classifier"]
    assert [f.rule for f in praise] == ["A10-G-PRAISE"]
    assert report.analyzer.options["classifier"]["uncivil_threshold"] == OPTS.uncivil_threshold

    off = AnalyzerOptions().with_overrides({"classifier.enabled": False})
    quiet = analyze_interaction(Interaction("h7", "counter", utts), off)
    assert not [f for f in quiet.findings if f.kind == "uncivil" or f.detail.get("cue_source") == "classifier"]
