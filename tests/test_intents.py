"""Forbidden intents read from their parts (issue 23 item 2): :mod:`analyzer.rules.intents`.

Each line here is our own wording (none is taken from the blind paraphrase corpora,
the hall sets or dialogues-dev). The first group is heard by the intent rules where
the act model alone does not hear it (checked in the test, so a model that learns
them turns the test into a check of the merge, not a silent pass).
"""

from __future__ import annotations

import pytest
from typed_turns import typed_record

import analyzer
from analyzer.options import AnalyzerOptions
from analyzer.rules.acts import PARAPHRASE_RULES, heard_acts
from analyzer.rules.intents import INTENT_CONFIDENCE, helps, intent_acts

GREET = ("staff", "您好，请问您办什么业务？")
EVAL = ("staff", "请您为我的服务做出评价，谢谢。")
BYE = ("staff", "您慢走，再见。")
ASK = ("citizen", "同志，我想问一下这个怎么办。")


def _record(turns):
    return typed_record(turns, record_id="intent")


def _forbidden_on_reply(line, before=None):
    """The forbidden findings on the clerk's reply ``line`` in a minimal visit."""
    turns = [GREET, ("citizen", before) if before else ASK, ("staff", line), ("citizen", "哦。"), EVAL, BYE]
    record = _record(turns)
    u = record["utterances"][2]
    return [f for f in analyzer.analyze(record).findings
            if f.kind == "forbidden" and f.start < u["end"] and f.end > u["start"]]


def _model_heard(line):
    heard = heard_acts([line], AnalyzerOptions())
    assert heard is not None
    return {a for a in heard[0] if a in PARAPHRASE_RULES}


@pytest.mark.parametrize(("line", "act"), [
    ("你看看我，像闲着的样子吗？等着。", "f_busy"),
    ("这句话我都交代过三回了，你怎么还来问？", "f_said_already"),
    ("窗口都关了，收拾完了，你改日再来吧。", "f_off_work"),
    ("我就这么个脾气，你算老几来管我？", "f_defiant"),
])
def test_an_intent_the_act_model_misses_is_found_by_its_construction(line, act):
    assert act not in _model_heard(line)
    found = [f for f in _forbidden_on_reply(line) if f.rule == PARAPHRASE_RULES[act]]
    assert found, line
    assert found[0].detail["detector"] == "intent rules"
    assert found[0].detail["method"] == "paraphrase"
    assert found[0].confidence == pytest.approx(INTENT_CONFIDENCE * 0.95, abs=0.01)


def test_an_intent_both_detectors_hear_says_so_with_the_models_confidence():
    line = "这事我真不清楚，你去别的地方问问吧。"
    assert "f_dont_know" in _model_heard(line)
    found = [f for f in _forbidden_on_reply(line) if f.rule == "A8-F-01"]
    assert found and found[0].detail["detector"] == "act detector + intent rules"
    assert found[0].confidence != pytest.approx(INTENT_CONFIDENCE * 0.95, abs=1e-4)


@pytest.mark.parametrize("line", [
    "这个我不清楚，我帮您问一下我们科长。",
    "公告栏上写着呢，您要的是三号窗口，我带您过去。",
    "您慢慢填，不着急，填好了叫我。",
    "您记不住没关系，我给您写在纸上。",
    "我刚才可能没说清楚，我再给您讲一遍。",
])
def test_a_clerk_who_helps_performs_no_forbidden_intent(line):
    assert intent_acts(line) == {}
    assert _forbidden_on_reply(line) == []


@pytest.mark.parametrize("line", ["我这边正在忙，请您稍等一下，马上给您办。",
                                  "今天已经下班了，实在抱歉，明天一早我先给您办。"])
def test_the_act_models_hit_is_dropped_where_the_clerk_helps(line):
    assert _model_heard(line), "the act model hears a forbidden intent here (else this tests nothing)"
    assert _forbidden_on_reply(line) == []


def test_waving_a_complaint_through_needs_the_threat_before_it():
    dare = "随便你，去吧。"
    assert intent_acts(dare, "你再这样我就去投诉你！") == {"f_complain": "threat+go-ahead"}
    assert {f.rule for f in _forbidden_on_reply(dare, "你再这样我就去投诉你！")} == {"A9-F-05"}
    assert intent_acts(dare, "那我去隔壁窗口问问行吗？") == {}
    assert _forbidden_on_reply(dare, "那我去隔壁窗口问问行吗？") == []


def test_a_complaint_dare_is_not_also_plain_defiance():
    heard = intent_acts("告去吧，我不怕。", "我要去举报你！")
    assert set(heard) == {"f_complain"}


@pytest.mark.parametrize(("line", "act"), [
    ("身份证都能落家里，你这记性也是没谁了。", "f_memory"),
    ("材料要求公告栏上贴着呢，你自己过去瞧。", "f_read_sign"),
    ("快着点儿签，我还得赶车回家呢。", "f_hurry"),
])
def test_constructions_name_the_parts_they_read(line, act):
    assert act in intent_acts(line)
    assert "+" in intent_acts(line)[act]


@pytest.mark.parametrize("line", ["有不明白的地方，您随时打窗口电话问。", "表上哪栏不知道就回去问问你们单位会计。"])
def test_the_citizens_own_not_knowing_is_no_clerk_disclaiming(line):
    assert "f_dont_know" not in intent_acts(line)


# ---------------------------------------------------------------- near misses with risky words (session 9)
@pytest.mark.parametrize(("line", "before"), [
    ("我不忙，你说吧，哪个证明？", None),  # not busy: the opposite of the brush-off
    ("帮不上忙了，这个要去四楼的公积金中心问。", None),  # 忙 in 帮忙
    ("忙是忙，不过你这个十分钟就能给你弄好。", None),  # busy, yet serving
    ("刚才在忙着录系统，没听清楚，你再说一遍。", None),  # asks to hear it again
    ("人多忙不过来的话，你可以在手机上先网上预约。", None),  # a way offered
    ("投诉表在这儿，你填好交给我，我转给科长。", "我要投诉刚才那个窗口！"),  # the complaint taken in hand
    ("档案室的人下乡去了，不在单位，你改天再来拿吧。", None),  # another day for a reason of the matter
])
def test_innocent_lines_with_risky_words_are_not_forbidden(line, before):
    assert _forbidden_on_reply(line, before) == []


@pytest.mark.parametrize(("line", "before"), [
    ("你以为我不忙啊？一边等着去！", None),  # 不忙 inside a rebuke stays a rebuke
    ("意见簿在那儿，爱写不写。", "我要给你们提意见！"),  # a dare beside the complaint book
    ("都几点了，关门了，你改天再来吧。", None),  # closed for the hour
])
def test_the_forbidden_intent_beside_the_risky_word_is_still_heard(line, before):
    assert _forbidden_on_reply(line, before) != []


@pytest.mark.parametrize("line", [
    "你莫看到我这忙得脚不沾地嗦？等倒。",  # south-western
    "冇见我手上一堆嘢咩？等阵。",  # Cantonese
    "没看见我这儿手都不得闲吗？",
])
def test_cant_you_see_im_busy_in_dialect_is_the_busy_phrase(line):
    assert intent_acts(line).get("f_busy")
    assert [f.rule for f in _forbidden_on_reply(line, "同志，我这个啥时候能好？")] == ["A9-F-03"]


@pytest.mark.parametrize("line", ["你得闲的时候过来就行。", "我们这周都不得空下乡，材料您直接交窗口。"])
def test_free_time_or_a_schedule_in_dialect_is_no_brush_off(line):
    assert "f_busy" not in intent_acts(line)


def test_the_clerk_not_following_a_caller_is_no_said_already_reproach():
    line = "您讲了好一阵我也没听明白您要办哪样，你们山里人说事都这么绕吗？"
    assert "f_said_already" not in intent_acts(line)
    rules = {f.rule for f in _forbidden_on_reply(line, "喂，那个，俺想问问，就是那个，俺家那个事。")}
    assert not rules & {"A10-F-01", "A10-F-02"}


@pytest.mark.parametrize("line", ["您记性好使着呢，比我强。", "阿姨，您脑子灵着呢，就是这表太绕。"])
def test_reassuring_the_citizen_about_his_memory_is_no_mockery(line):
    assert not {f.rule for f in _forbidden_on_reply(line, "哎呀，我这记性，又忘了带老花镜。")} & {"A10-F-02"}


def test_asking_a_colleague_about_the_fee_is_no_closing():
    line = "这我得确认下……老刘，换证现在还收不收工本费了？"
    assert "f_off_work" not in intent_acts(line, "换证要交钱吗？")
    assert intent_acts("收工了收工了，明天再来。").get("f_off_work")


def test_if_you_had_asked_id_have_said_is_no_said_already_nor_a_complaint_dare():
    line = "上回你也没提体检报告啊，你要是问了我肯定就说了。"
    assert intent_acts(line, "上回你咋没说要体检报告？") == {}
    assert not {f.rule for f in _forbidden_on_reply(line, "上回你咋没说要体检报告？")} & {"A10-F-01", "A9-F-05"}


def test_not_knowing_yet_and_asking_what_to_look_it_up_with_is_no_dont_know_phrase():
    line = "您家老人医保断没断过，我现在还不知道，您方便把他身份证号念一下。"
    assert "f_dont_know" not in intent_acts(line)
    assert not {f.rule for f in _forbidden_on_reply(line, "我爸的养老金交够年限了没有？")} & {"A8-F-01"}
    assert intent_acts("这个我还不清楚，你去社区问问。").get("f_dont_know")


@pytest.mark.parametrize("line", ["户口页盖没盖章我也不清楚，您把本子翻开看看。",
                                  "我也不知道那边窗口今天在不在班。"])
def test_not_knowing_whether_and_sending_nobody_to_ask_is_no_dont_know_phrase(line):
    assert helps("f_dont_know", line)
    assert "f_dont_know" not in intent_acts(line)


def test_not_knowing_whether_and_sending_to_ask_is_still_the_phrase():
    assert not helps("f_dont_know", "有没有这个政策我不知道，你去街道问问。")


def test_not_knowing_and_phoning_to_ask_herself_is_no_dont_know_phrase():
    """The clerk who does not know and rings the office to find out sends nobody (issue 23, cue6)."""
    line = "他们办公室今天有没有人我也说不准，您稍等，我给街道办打个电话问一下。"
    assert not {f.rule for f in _forbidden_on_reply(line, "街道那个证明今天能开吗？")} & {"A8-F-01"}


@pytest.mark.parametrize("line", ["这张复印件上的字太淡了，看不清，您再印一张。",
                                  "嗯，对，钢印压得不清楚，得重新压。",
                                  "你们单位财务上肯定清楚，你回去问问会计。"])
def test_a_thing_not_legible_or_another_who_knows_is_no_dont_know_phrase(line):
    """不清楚 said of a stamp or a copy, and knowing said of another (他们肯定清楚), disclaim
    nothing of the clerk's own; the plain disclaimer still is the phrase (issue 23, cue6)."""
    assert helps("f_dont_know", line)
    assert not helps("f_dont_know", "这事我不清楚，你回单位问问吧。")


def test_a_complaint_taken_in_hand_is_no_dare():
    assert helps("f_complain", "您反映的这个情况我们记录下来了，三天内给您答复。")
    assert helps("f_complain", "您这个投诉我们受理了。")


def test_the_clerk_owning_her_own_forgetting_mocks_nobody():
    """我这个脑子，忘了跟您说 blames the clerk herself: neither 你的记性真差 nor 我已经说过了
    (issue 23, cue6); the citizen's memory mocked still is."""
    line = "哎呀，看我这个脑子，刚才忘了跟您说了，还得带一张户口本首页复印件。"
    assert not {f.rule for f in _forbidden_on_reply(line, "那我现在能交了吧？")} & {"A10-F-01", "A10-F-02"}


@pytest.mark.parametrize("line", ["是啊，这阵子挺忙的，一到月底都来办这个。", "嗯，年底了，最近天天忙，您这个马上好。"])
def test_the_seasons_workload_told_as_small_talk_is_no_busy_rebuke(line):
    """Busy over a season (最近, 月底, 天天) answers small talk; 没看我正忙着 rebukes the citizen now
    (issue 23, cue6)."""
    assert helps("f_busy", line)
    assert not {f.rule for f in _forbidden_on_reply(line, "今天人真多啊，你们平时也这么多人？")} & {"A9-F-03"}
    assert not helps("f_busy", "最近忙得很，没看我这儿一堆人排着吗？")


def test_a_paper_to_bring_another_day_is_no_closing_phrase():
    """没有X今天办不了，明天拿来吧 sends the citizen for the paper, not away for the hour; 下班了，明天带来
    still closes (issue 23, cue6)."""
    line = "没有结婚证今天办不了，明天拿来吧。"
    assert helps("f_off_work", line)
    assert "A9-F-01" not in {f.rule for f in _forbidden_on_reply(line, "结婚证也要？没人说啊。")}
    assert not helps("f_off_work", "我这下班了，明天带来吧。")
