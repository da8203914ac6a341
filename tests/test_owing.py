"""When a citizen's turn owes the clerk a reply (Article 10): the owing model and the words that confirm a cue."""

from __future__ import annotations

import math

import pytest

from analyzer.options import ClassifierOptions
from analyzer.rules import context as C
from analyzer.rules import learned
from analyzer.types import Utterance


def _meta() -> dict:
    return learned.load_metadata(str(learned.model_dir(ClassifierOptions())))["cues"]


def _pred(probs: dict[str, float]) -> learned.Prediction:
    label = max(probs, key=probs.__getitem__)
    return learned.Prediction(label, probs[label], probs)


PROBS = {"incomplete_materials": 0.01, "other": 0.14, "praise": 0.8, "suggestion": 0.03, "upset": 0.02}


def test_the_owing_model_decides_where_it_exists_and_the_bar_elsewhere():
    """A model whose weights favour a mark owes on it; without a model the kind's bar decides."""
    n = len(learned.OWE_FEATURES)
    exclaims = learned.OWE_FEATURES.index("exclaims")
    coef = [0.0] * n
    coef[exclaims] = 4.0
    meta = {"owe_threshold": {"threshold": 0.9, "per_kind": {"praise": {"threshold": 0.75}}},
            "owe_model": {"praise": {"features": list(learned.OWE_FEATURES), "coef": coef,
                                     "intercept": -2.0, "threshold": 0.8}}}
    pred = _pred(PROBS)
    assert learned.owes_reply(meta, pred, "praise", "你们这儿办事真是快！")  # sigmoid(2) = 0.88
    assert not learned.owes_reply(meta, pred, "praise", "你们这儿办事真是快。")  # sigmoid(-2)
    assert 1 / (1 + math.exp(2.0)) < 0.8 < 1 / (1 + math.exp(-2.0))
    no_model = {k: v for k, v in meta.items() if k != "owe_model"}
    assert learned.owes_reply(no_model, pred, "praise", "你们这儿办事真是快")  # 0.8 >= its own bar 0.75
    assert not learned.owes_reply(no_model, _pred({**PROBS, "praise": 0.7, "other": 0.24}), "praise",
                                  "你们这儿办事真是快")
    assert not learned.owes_reply(no_model, pred, "praise", "好")  # under MIN_OWING_CUE_CHARS


def test_a_hail_or_thanks_with_an_exclamation_carries_no_mood():
    exclaims = learned.OWE_FEATURES.index("exclaims")
    feats = lambda text: learned.owe_features(PROBS, "praise", text)  # noqa: E731
    assert feats("你好！我来拿证。")[exclaims] == 0.0
    assert feats("同志！谢谢！")[exclaims] == 0.0
    assert feats("我都跑了三趟了！")[exclaims] == 1.0
    short = learned.OWE_FEATURES.index("short")
    assert feats("行，给你。")[short] == 1.0 and feats("你们这个大厅弄得真亮堂")[short] == 0.0


def test_the_shipped_owing_models_reach_the_precision_bar_per_kind():
    from analyzer.training.classifiers.train import OWE_PRECISION

    models = _meta()["owe_model"]
    assert {"praise", "suggestion", "upset"} <= models.keys()
    for kind, model in models.items():
        assert model["precision"] >= OWE_PRECISION, kind
        assert len(model["coef"]) == len(learned.OWE_FEATURES)


@pytest.mark.parametrize(("text", "owes"), [
    ("你们这到底怎么回事！我都跑了三趟了，每次都说不行！", True),  # an outburst owes calming
    ("要得要得，给你。", False),  # an acknowledgement owes nothing
    ("嗯，好的，那我明天再来。", False),
])
def test_an_outburst_owes_and_an_acknowledgement_does_not(text, owes):
    utts = [Utterance("staff", 0.0, 2.0, "您这个还差一份证明。"), Utterance("citizen", 2.5, 5.0, text)]
    cues = [c for c in learned.citizen_cues(utts, ClassifierOptions()) if c.kind in ("praise", "suggestion", "upset")]
    assert any(c.owes for c in cues) == owes, [(c.kind, round(c.confidence, 2), c.owes) for c in cues]


@pytest.mark.parametrize(("text", "confirms"), [
    ("应该没有，都是代账公司在弄。", False),  # 应该 of what probably is
    ("材料应该就是这些吧，那我放这儿了？", False),
    ("我给我妈办退休，能不能加个急？她下个月要用。", False),  # a request in the citizen's own case
    ("我们公司的名字能不能改一下后面两个字？", False),
    ("你们应该在门口多放几把椅子。", True),  # what ought to be done: a suggestion
    ("我提个意见，你们那个取号机能不能换个大屏的？", True),
    ("以后能不能把表格放网上让人下载？", True),
])
def test_words_confirm_a_suggestion_only_about_the_service(text, confirms):
    assert C._in_words("suggestion", text) == confirms
