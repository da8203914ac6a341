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


# ------------------------------------------------------------------ Article 6: private talk at the window
def _visit(*turns: tuple[str, str]) -> list[Utterance]:
    return [Utterance(sp, 3.0 * k, 3.0 * k + 2.5, text) for k, (sp, text) in enumerate(turns)]


def test_a_private_call_at_the_window_is_one_finding_over_the_call():
    from analyzer.options import AnalyzerOptions
    from analyzer.pipeline.scoring import get_lexicon
    from analyzer.rules.civility import private_calls, remark_findings

    utts = _visit(("staff", "您好，请坐，办什么？"), ("citizen", "我来换社保卡。"),
                  ("staff", "身份证给我，我录一下。"),
                  ("staff", "喂？哎，老公，我上着班呢。闺女今天你去接，晚上吃什么你定。"),
                  ("citizen", "……"),
                  ("staff", "嗯，她钢琴课七点下，先这样，挂了。"),
                  ("staff", "不好意思，让您久等了，卡下周到。"))
    assert private_calls(utts) == [[3, 5]]
    (f,) = [f for f in remark_findings(utts, get_lexicon(AnalyzerOptions())) if f.detail["subtype"] == "private_call"]
    assert (f.article, f.start, f.end) == (6, utts[3].start, utts[5].end)
    lexicon = get_lexicon(AnalyzerOptions())
    # a forbidden phrase said on the call: that turn is the phrase's, the call gives none
    assert remark_findings(utts, lexicon, flagged={5}, forbidden_only={5}) == []
    # a turn of it the uncivil classifier flagged: still the one call finding, and the classifier's
    # finding on that turn is dropped (judged once; session 13)
    assert [f.detail["subtype"] for f in remark_findings(utts, lexicon, flagged={5})] == ["private_call"]


@pytest.mark.parametrize("turns", [
    # a work call: the system, a file, a colleague asked to help
    (("staff", "您好，办什么？"), ("citizen", "开个证明。"), ("staff", "喂，小李，系统又卡住了，你帮我看一下服务器。"),
     ("staff", "好，先这样。"), ("staff", "您稍等一下，系统马上就好。")),
    # a work call about a citizen's family: not the clerk's own
    (("staff", "您好，办什么？"), ("citizen", "我来问低保。"), ("staff", "喂，王姐，张大爷他儿子那份材料到了没？"),
     ("staff", "行，回头说。")),
    # a phone line's own pick-up: the caller is the citizen
    (("staff", "喂，您好，市民服务中心。"), ("citizen", "我想问我妈的养老金怎么领。"),
     ("staff", "您妈妈的身份证号报一下。")),
    # the clerk tells the citizen about a child's papers: the work
    (("staff", "您好。"), ("citizen", "给孩子办医保。"), ("staff", "孩子放学以后带户口本来就行。")),
])
def test_a_work_call_or_talk_of_the_citizens_family_is_no_private_call(turns):
    from analyzer.rules.civility import private_calls

    assert private_calls(_visit(*turns)) == []


def test_a_stage_note_of_the_phone_ringing_starts_a_call():
    from analyzer.rules.civility import private_calls

    utts = _visit(("citizen", "你好，我办过户。"), ("staff", "【手机响】嗯，我在上班呢，周末那个饭局我去。"),
                  ("staff", "过户是吧，房本给我。"))
    assert private_calls(utts) == [[1]]


@pytest.mark.parametrize(("text", "spelled"), [
    ("梅是梅花的梅，芳是芬芳的芳？", True), ("李是木子李吧？", True),
    ("你是干什么的你？", False), ("这是谁的这", False),
])
def test_spelling_out_a_name_is_no_remark(text, spelled):
    from analyzer.rules.civility import spells_out

    assert spells_out(text) == spelled


# ------------------------------------------------------------------ Article 10: the lack told, got round, supposed
def _missing_replies(turns):
    import analyzer

    utts, t = [], 0.0
    for speaker, text in turns:
        utts.append({"speaker": speaker, "start": t, "end": t + 2.5, "text": text})
        t += 3.0
    record = {"id": "a10", "channel": "counter", "started_at": "2026-11-04T10:00:00+08:00", "utterances": utts}
    return sorted(f.rule for f in analyzer.analyze(record).findings
                  if f.kind == "missing" and f.detail.get("cue") == "incomplete_materials")


GREET = ("staff", "您好，请问办什么？")
CLOSE = ("staff", "请您对我的服务做个评价，您慢走。")


def test_a_lack_got_round_at_the_counter_owes_no_apology():
    turns = [GREET, ("citizen", "办低保年审，材料都在这。"),
             ("staff", "我看一下……还差一样，银行卡的复印件。"),
             ("citizen", "卡我带着呢，给你。"),
             ("staff", "好，我给您复印一下，材料齐了。"), CLOSE]
    assert _missing_replies(turns) == []


def test_a_lack_not_got_round_still_owes_the_apology():
    turns = [GREET, ("citizen", "办低保年审，材料都在这。"),
             ("staff", "还差一样，银行卡的复印件，补齐了再来。"),
             ("citizen", "啊？那我回去拿。"), ("staff", "行。"), CLOSE]
    assert "A10-G-APOLOGY" in _missing_replies(turns)


def test_a_lack_only_supposed_is_no_lack():
    turns = [GREET, ("citizen", "补办结婚证要带什么？"),
             ("staff", "户口本带了吗？要是没带，刷身份证也可以。"),
             ("citizen", "带了。"), ("staff", "好，给您办。"), CLOSE]
    assert _missing_replies(turns) == []


def test_the_lack_told_again_after_its_apology_and_list_owes_nothing_more():
    turns = [GREET, ("citizen", "我来申请建设工程的许可。"),
             ("staff", "不好意思，还差两样：一是消防验收意见，二是监理合同。"),
             ("citizen", "消防那个还没批下来。"),
             ("staff", "那等批下来两样一起拿过来，这是材料清单，我都给您勾好了。"),
             ("citizen", "行。"),
             ("staff", "对不起，请您补全手续再来办理，评价器上给个评价，慢走。")]
    assert _missing_replies(turns) == []


@pytest.mark.parametrize(("text", "kind"), [
    ("哎，你上次说的那家做头发的店叫啥来着？", "unrelated_chat"),  # the clerk's leisure, to a colleague
    ("你们山里的人讲话咋都这么啰嗦。", "belittling"),  # all of the citizen's people made fun of
    ("您可以把这个链接转发到朋友圈。", None),  # said to the citizen with 您: the work
    ("你们公司的人怎么都这么早来？", None),  # a question of time, no mockery
])
def test_leisure_talk_and_mocking_the_citizens_people(text, kind):
    from analyzer.rules.civility import single_remark

    assert single_remark(text) == kind


@pytest.mark.parametrize(("text", "ruled_out"), [
    ("你能不能一次都讲清楚？", True),  # asks for the whole list: Article 18's, no outburst
    ("麻烦你一口气全告诉我吧，我记个本子上。", True),
    ("凭什么不一次说全？我都跑了三趟了！", False),  # words of upset: an outburst still
])
def test_asking_for_everything_at_once_is_no_outburst(text, ruled_out):
    assert C.all_at_once(text) == ruled_out
