"""Article 6 remarks the uncivil classifier misses (analyzer.rules.civility), and a bare phone hello.

Sentences written for these tests from the code's own categories (损害形象,
大声呵斥, 冷言相对); each kind has a civil near miss that must pass.
"""

from __future__ import annotations

import pytest

import analyzer
from analyzer.options import AnalyzerOptions
from analyzer.rules.civility import remark

OPTS = AnalyzerOptions()
GREET = ("staff", 0.0, 2.0, "您好，请问要办理什么业务？")


def _record(turns, **extra):
    return {"id": "civility", "channel": extra.pop("channel", "counter"),
            "utterances": [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in turns],
            **extra}


def _a6(turns, **extra):
    report = analyzer.analyze(_record(turns, **extra), OPTS)
    return [f for f in report.findings if f.article == 6]


@pytest.mark.parametrize(("text", "kind"), [
    ("你这表填得乱七八糟的。", "belittling"),
    ("这么简单都填不对。", "belittling"),
    ("哎呀，你们这些老年人就是麻烦。", "complaining"),
    ("又是这种事，一天到晚没完没了。", "complaining"),
    ("你给我站好了！", "scolding"),
    ("你怎么回事！", "scolding"),
])
def test_a_remark_on_the_citizen_or_his_matter_is_uncivil(text, kind):
    assert remark(text) == kind
    found = _a6([GREET, ("citizen", 3, 5, "我来交材料。"), ("staff", 6, 8, text)])
    assert [f.rule for f in found] == ["A6-UNCIVIL"] and found[0].start == 6  # once, by either
    if found[0].detail.get("method") == "pattern":
        assert found[0].detail["subtype"] == kind


@pytest.mark.parametrize("text", [
    "您这字有点看不清，麻烦重写一下。",  # a request, politely put
    "这个字写错了，改一下。",  # the work, not the person
    "这种事找社区就行。",  # the matter, no complaint
    "写得挺好的。",
    "你怎么来了？",  # no exclamation, no reproach
])
def test_a_civil_remark_on_the_same_things_is_not(text):
    assert remark(text) is None


def test_a_bare_hello_on_picking_up_is_article_7_not_article_6():
    call = [("staff", 6.0, 6.5, "喂？"), ("citizen", 7, 10, "你好，我想问下社保卡补办要带啥？"),
            ("staff", 10.5, 13, "带身份证就行。")]
    assert not _a6(call, channel="phone", rings=2)
    report = analyzer.analyze(_record(call, channel="phone", rings=2), OPTS)
    assert any(f.article == 7 for f in report.findings)  # the greeting without hall and window


@pytest.mark.parametrize(("text", "kind"), [
    ("你这填的谁认得出来。", "belittling"),  # who could read it: nobody
    ("净是这种扯皮的事。", "complaining"),  # nothing but this kind of matter
    ("这活儿一天到晚累死了。", "complaining"),  # the job itself, in front of the citizen
    ("吵什么吵，排好队。", "scolding"),  # a reduplicated "what are you V-ing for"
    ("嚷嚷什么嚷嚷", "scolding"),
])
def test_rhetorical_belittling_grumbling_and_shouting_down_are_uncivil(text, kind):
    assert remark(text) == kind


@pytest.mark.parametrize("text", [
    "您叫什么名字？",  # 叫什么 asks, it does not shout anyone down
    "这种事情不麻烦，一会儿就好。",  # the matter owned as easy
    "有什么急事先跟我说。",
    "您这个字谁写的？我核对一下签名。",
])
def test_the_same_words_in_an_ordinary_question_are_civil(text):
    assert remark(text) is None


def test_shouting_down_beside_a_forbidden_phrase_is_article_6_as_well():
    busy = ("staff", 6, 9, "没看见我这正忙着吗？")
    shout = ("staff", 6, 9, "吵什么吵！没看见我这正忙着吗？")
    rules = {f.rule for f in analyzer.analyze(_record([GREET, ("citizen", 3, 5, "同志同志！"), shout]),
                                              OPTS).findings}
    assert {"A6-UNCIVIL", "A9-F-03"} <= rules
    # the forbidden phrase alone is Article 9's only: the same words are not counted twice
    found = analyzer.analyze(_record([GREET, ("citizen", 3, 5, "同志同志！"), busy]), OPTS).findings
    assert "A9-F-03" in {f.rule for f in found} and not [f for f in found if f.article == 6]


@pytest.mark.parametrize("text", [
    "这么大岁数了，连个出生日期都填不对？",
    "您连自己的住址都说不清楚吗？",
    "身份证号都记不住啊？",
    "你念过书没有？",
])
def test_mocking_what_the_citizen_can_do_in_a_rhetorical_question_is_uncivil(text):
    """'Even that you cannot do?' mocks the citizen, whatever the thing and whether 您 is said."""
    assert remark(text) == "belittling"
    assert _a6([GREET, ("citizen", 3, 5, "我来交申请表。"), ("staff", 6, 8, text)])


@pytest.mark.parametrize("text", [
    "这几样您都带了吗？", "这个我也不知道，我帮您问问。", "都不清楚的话去导服台问一下。", "我今天连饭都没吃上。",
])
def test_a_question_about_what_was_brought_or_the_clerks_own_lot_is_no_mocking(text):
    assert remark(text) is None


@pytest.mark.parametrize("floor", ["嗯嗯，你说。", "在的，你说吧。", "是的，请讲。"])
def test_handing_a_caller_the_floor_is_terse_not_uncivil_nor_heat_in_a_quarrel(floor):
    """A phone reply that only acknowledges and says 'go on' is no Article 6 remark, and an upset
    caller answered so is not quarrelling with the clerk (Article 17)."""
    from analyzer.rules.civility import go_ahead

    assert go_ahead(floor) and not go_ahead("说！") and not go_ahead("你说什么？")
    turns = [("staff", 0.0, 3.0, "您好，市政务服务大厅医保窗口。"),
             ("citizen", 3.5, 9.0, "喂，我那个生育津贴两个月了还没发，你们到底在干什么？"), ("staff", 9.2, 10.2, floor),
             ("citizen", 10.5, 16.0, "材料早就交齐了，一分钱没见着，像话吗！"), ("staff", 16.2, 17.2, floor),
             ("citizen", 17.5, 20.0, "我就等你们一句话！"),
             ("staff", 20.5, 24.0, "您把身份证号报一下，我马上给您查。"), ("citizen", 24.5, 26.0, "好。"),
             ("staff", 30.0, 34.0, "查到了，已经审核通过，这周五前到账。请您对我的服务做个评价，再见。")]
    report = analyzer.analyze(_record(turns, channel="phone", rings=1), OPTS)
    assert not [f for f in report.findings if f.article in (6, 17)], report.findings


@pytest.mark.parametrize("text", ["嗯。还要办别的吗？", "早，您好，办点啥？", "要正本还是副本？"])
def test_a_work_question_after_a_greeting_or_offering_a_choice_is_terse_not_uncivil(text):
    from analyzer.rules.civility import terse_question

    assert terse_question(text)
    assert not terse_question("你到底要正本还是副本？")  # impatient words are still judged


@pytest.mark.parametrize("text", ["证件！说了三遍了，你耳朵是聋了吗？", "你眼睛长哪儿了，表上那么大个字。", "你瞎啊？"])
def test_mocking_the_citizens_hearing_or_sight_is_belittling(text):
    """Session 7, kind from train-halls-5: a rhetorical jab at the citizen's senses; a kind
    offer about them (您耳朵不太好的话…, 你看不清的话我帮你) is none."""
    assert remark(text) == "belittling", text
    for kind in ("阿姨，您耳朵不太好的话，我说慢一点。", "你眼睛看不清的话，我帮你念一遍。"):
        assert remark(kind) is None, kind


@pytest.mark.parametrize("text", ["周六那个聚餐你去不去？我订好位子了。", "哎，份子钱我给你垫上了啊，回头还我。",
                                  "喂？…对，今晚打麻将，三缺一，我下了班就过去。"])
def test_the_clerks_private_life_over_the_counter_is_unrelated_chat(text):
    """Session 7, kind from train-halls-5 (a private call) and -3 (a chat with a colleague):
    Article 6's 谈论与工作无关的内容, found in the turn itself."""
    assert remark(text) == "unrelated_chat", text
    said = [("citizen", "你好，我来交医保。"), ("staff", "身份证给我。"), ("staff", text),
            ("citizen", "同志？"), ("staff", "好了，交上了，请您评价，慢走。")]
    turns = [(who, 3.0 * k, 3.0 * k + 2.5, t) for k, (who, t) in enumerate(said)]
    assert [f for f in _a6(turns) if f.evidence == text], text
    assert remark("您这个医保交完了，晚上回去可以放心吃火锅了。") is None  # small talk with the citizen


@pytest.mark.parametrize("text", ["停停停，你绕了半天了，直接说办啥。", "打住打住，别啰嗦了，证件给我。",
                                  "你这说半天也说不明白，到底要干啥？"])
def test_cutting_the_citizen_off_is_scolding(text):
    """Session 7, kind from train-halls-3/-4 (and -8): stopping the citizen mid-story and
    ordering him to the point; the same asked with 您 is no remark."""
    assert remark(text) == "scolding", text
    assert remark("您慢慢说，不着急，我听着。") is None


@pytest.mark.parametrize("text", ["这事不归我们这儿管，你去别的窗口问问吧。",
                                  "这个不归我们管，你找街道去。"])
def test_a_curt_redirect_is_article_16s_not_a_cold_reply_too(text):
    from analyzer.rules.learned import uncivil_findings
    from analyzer.text.lexicon import load_lexicon

    turns = [GREET, ("citizen", 3, 5, "我来办医保转移。"), ("staff", 6, 9, text)]
    report = analyzer.analyze(_record(turns), OPTS)
    heard = uncivil_findings(report.utterances, load_lexicon(), OPTS.classifier)
    assert [f.detail["subtype"] for f in heard if f.detail["utterance"] == 2] == ["cold"]
    assert not [f for f in report.findings if f.article == 6]


def test_a_rude_redirect_stays_uncivil():
    turns = [GREET, ("citizen", 3, 5, "我来办医保转移。"), ("staff", 6, 9, "不归我管，滚去别的窗口问，烦死了。")]
    assert _a6(turns)


@pytest.mark.parametrize("text", ["那件大衣打完折才三百多，我也买了一件。", "昨天双十一我网购了一堆东西。"])
def test_shopping_told_to_a_colleague_is_unrelated_chat(text):
    assert remark(text) == "unrelated_chat"


@pytest.mark.parametrize(("text", "terse"), [("出生证明呢？医院开的那种。", True), ("要几份？复印件。", True),
                                             ("要几份？快点。", False), ("几张？你到底懂不懂。", False)])
def test_a_terse_question_with_a_short_gloss_is_still_terse(text, terse):
    from analyzer.rules.civility import terse_question

    assert terse_question(text) is terse


@pytest.mark.parametrize("text", [
    "小周，我月底想请三天假回趟老家，你帮我顶一下班行不？",
    "下礼拜我调休，周三那天你替我盯着窗口。",
])
def test_planning_the_clerks_own_leave_with_a_colleague_is_unrelated_chat(text):
    assert remark(text) == "unrelated_chat"
    found = _a6([GREET, ("citizen", 3, 5, "我来办居住证登记。"), ("staff", 6, 9, text),
                 ("staff", 10, 12, "身份证给我。")])
    assert [f.rule for f in found] == ["A6-UNCIVIL"] and found[0].start == 6


@pytest.mark.parametrize("text", [
    "办这个的同事休假了，他回来我给您打电话。",  # a colleague's leave, told the citizen as the reason
    "请假条得单位盖章才行。",  # a leave note is the citizen's matter
])
def test_leave_told_as_the_citizens_matter_or_a_colleagues_absence_is_no_chat(text):
    assert remark(text) is None


def test_the_citizen_sent_home_for_a_paper_is_no_chat():
    assert remark("那你得回老家拿去，拿来再办。") is None


@pytest.mark.parametrize("text", [
    "你这方言说得，我半句都听不懂。".replace("半句", "一句"),
    "说话跟嘴里塞了团棉花似的。",
    "嘿，你这口音也太逗了。",
    "你们山里人说事都这么绕吗？",
    "大妈，您这讲了半天跟没说一样。",
])
def test_mocking_how_a_caller_speaks_is_belittling(text):
    assert remark(text) == "belittling"
    call = [("staff", 0.0, 3.0, "您好，城西政务中心社保窗口，请讲。"),
            ("citizen", 3.5, 8.0, "喂，那个，俺想问问那个，就是那个养老的事。"), ("staff", 8.5, 11.0, text),
            ("citizen", 11.5, 13.0, "啊？"), ("staff", 13.5, 16.0, "身份证带来窗口办。再见。")]
    assert [f.rule for f in _a6(call, channel="phone", rings=1)] == ["A6-UNCIVIL"]


@pytest.mark.parametrize("text", ["您说话声音大一点，我这边听不清。", "方言我听不太懂，您说普通话行吗？",
                                  "说话慢一点，跟我一样慢慢说。"])
def test_asking_a_caller_to_speak_up_or_slowly_is_civil(text):
    assert remark(text) is None


@pytest.mark.parametrize("text", ["小李，我老公这礼拜又出差，晚上娃的补课班你说我咋去接？",
                                  "周四下午娃学校开家长会，到时候你帮我看一会儿窗口。"])
def test_the_clerks_home_told_to_a_colleague_is_unrelated_chat(text):
    assert remark(text) == "unrelated_chat"


@pytest.mark.parametrize("text", ["嗯。还有其他事没？", "好，还有别的问题吗？没有我就挂了，再见。",
                                  "还有事吗？没有就下一位。"])
def test_asking_whether_there_is_anything_else_closes_curtly_not_uncivilly(text):
    from analyzer.rules.civility import anything_else

    assert anything_else(text)
    call = [("staff", 0.0, 3.0, "您好，城西政务中心社保窗口，请讲。"),
            ("citizen", 3.5, 6.0, "我问一下社保卡丢了在哪补？"),
            ("staff", 6.5, 9.0, "带身份证到一楼五号窗口补。"), ("citizen", 9.5, 10.5, "好的。"),
            ("staff", 11.0, 13.0, text)]
    assert not _a6(call, channel="phone", rings=1)


@pytest.mark.parametrize("text", ["还有事吗？没事赶紧走吧。", "还有事没？烦死了。", "还有事吗？没事别在这站着。"])
def test_anything_else_with_a_shove_is_still_judged(text):
    from analyzer.rules.civility import anything_else

    assert not anything_else(text)


@pytest.mark.parametrize("text", ["今天就要？你当这儿是照相馆呢，立等可取。", "三天就想拿证？你当我是神仙啊？"])
def test_a_request_mocked_by_a_derisive_likening_is_belittling(text):
    assert remark(text) == "belittling"


def test_likening_in_an_explanation_is_civil():
    assert remark("您当这是押金就行，办完退给您。") is None


def test_a_private_call_picked_up_after_asking_the_citizen_to_wait():
    turns = [GREET, ("citizen", 3, 6, "我来给我妈办高龄补贴。"),
             ("staff", 7, 12, "阿姨您稍等一下啊。喂，老公？……你六点去培训班接一下闹闹，记得带件外套。"),
             ("staff", 13, 15, "行，就这样，挂了。"), ("staff", 16, 18, "阿姨，身份证和户口本给我。")]
    found = _a6(turns)
    assert [f.detail.get("subtype") for f in found] == ["private_call"] and found[0].end == 15


@pytest.mark.parametrize("text", ["你调休批了没有？我想连着休到元旦。", "双十二那双靴子你也帮我拍一双，我回头转你钱。"])
def test_leave_and_online_shopping_with_a_colleague_are_unrelated_chat(text):
    assert remark(text) == "unrelated_chat"


@pytest.mark.parametrize("text", ["这是上面定的规定，我也没办法。", "排队顺序是系统排的，我这儿改不了。"])
def test_the_rule_given_as_why_the_clerk_cannot_help_is_no_cold_reply(text):
    from analyzer.rules.civility import rule_explained

    assert rule_explained(text)
    found = _a6([GREET, ("citizen", 3, 6, "能不能让我先办？我赶时间。"), ("staff", 6.5, 9, text)])
    assert not [f for f in found if f.detail.get("subtype") == "cold"]


def test_the_rule_with_rude_words_is_still_judged():
    from analyzer.rules.civility import RUDE, rule_explained

    text = "规定就这样，我也没办法，爱办不办。"
    assert rule_explained(text) and RUDE.search(text)


@pytest.mark.parametrize("text", ["哎哟，瞧我这脑子，复印件忘了给您盖章了，请您稍等一下。",
                                  "身份证给您放袋子里了，不好意思，您收好。"])
def test_a_courteous_turn_to_the_citizen_as_you_polite_is_no_remark(text):
    """您 with a courtesy and no reproach is a request or an apology, whatever the classifier hears;
    a reproach beside the courtesy (您这记性, 嚷) or a plain 你 keeps it judged (issue 23, cue6)."""
    from analyzer.rules.civility import courteous

    assert courteous(text)
    assert not courteous("请您别在这儿嚷，您这记性也真是。")
    assert not courteous("你稍等，急什么。")


@pytest.mark.parametrize("text", ["这个在市政府网站上能查到，您上去搜一下。", "那个公众号里都有，你翻翻看。"])
def test_sending_the_citizen_to_the_web_is_curt_not_uncivil(text):
    """Whether the web says where is Article 16's question; the turn is no Article 6 remark unless it
    reproaches (自己不看怪谁) (issue 23, cue6)."""
    from analyzer.rules.civility import sends_to_the_web

    assert sends_to_the_web(text)
    assert not sends_to_the_web("网上早就公示了，你自己不看怪谁？")


@pytest.mark.parametrize("text", ["说吧，什么事儿？", "嗯，你讲，啥事。"])
def test_handing_the_floor_with_what_is_it_is_a_go_ahead(text):
    from analyzer.rules.civility import go_ahead, terse_question

    assert go_ahead(text)
    assert terse_question("房子您想好写哪个名字了吗？")  # a work question put with 您
    assert not terse_question("你到底想好写哪个名字了吗？")
