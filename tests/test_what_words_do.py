"""Words that share a Chapter 3 phrase's concept but do not do what it does, and the ones that do.

Issue 23, session 12: kinds of false finding read from train-halls-23 … -26 (their
first-run reports), each written here in our own words. Every case pairs the
harmless reading with the breach it must not hide.
"""

from __future__ import annotations

import pytest
from typed_turns import typed_record

import analyzer

GREET = ("staff", "您好，请问办理什么？")


def _rules(turns, **kw):
    return {f.rule for f in analyzer.analyze(typed_record(turns, record_id="words", **kw)).findings}


# ------------------------------------------------------------- Article 8: not knowing, nobody sent on
def test_not_knowing_a_fact_with_nobody_sent_on_is_no_brush_off():
    """我不知道，你去问XX pushes the citizen off; not knowing a third party's affairs, or how long
    something lasts, and saying what happens instead sends nobody anywhere."""
    from analyzer.rules.acts import sends_on

    assert not sends_on("那家厂子的考勤我这儿不知道，所以得您拿工资条来。")
    assert sends_on("我不知道，你找街道问问去。")
    assert sends_on("这个我不清楚，你问别人去。")
    for said in ("那家厂子的考勤我这儿不知道，所以得您拿工资条来。",
                 "你亲戚是怎么报的我又不知道，咱们只说您这一份。"):
        turns = [GREET, ("citizen", "我想问问补发工资的事，别人怎么就能报？"), ("staff", said)]
        assert "A8-F-01" not in _rules(turns), said
    pushed = [GREET, ("citizen", "护照加急在哪儿办？"), ("staff", "这个我真不知道，你去找别人问吧。")]
    assert "A8-F-01" in _rules(pushed)


# ------------------------------------------------------------- Article 7: the hotline's greeting
@pytest.mark.parametrize("greeting", ["您好，市民服务热线，八号座席为您服务。", "您好，12345热线，工号0417，请讲。"])
def test_a_hotline_seat_naming_the_line_greets_as_the_phone_greeting_asks(greeting):
    from analyzer.rules.acts import names_the_line

    assert names_the_line(greeting)
    assert not names_the_line("喂，哪位？")
    turns = [("staff", greeting), ("citizen", "我问下医保卡挂失怎么弄。"), ("staff", "带身份证到社保大厅一号窗口。")]
    assert "A7-G-GREETING" not in _rules(turns, channel="phone", rings=1)
    bare = [("staff", "喂，说。"), ("citizen", "我问下医保卡挂失怎么弄。"), ("staff", "带身份证到社保大厅一号窗口。")]
    assert "A7-G-GREETING" in _rules(bare, channel="phone", rings=1)


# ------------------------------------------------------------- Article 9: words reported, small talk, a taunt
def test_a_forbidden_phrase_read_back_from_a_complaint_is_not_the_clerks():
    """A hotline seat repeating what the caller says another clerk told him reports it."""
    from analyzer.rules.acts import reported_only

    assert reported_only("f_complain", "您是说窗口那位跟您讲“嫌慢你就去告”，对不对？")
    assert not reported_only("f_complain", "他说“你告去吧”，那你就去告好了。")
    turns = [("staff", "您好，12345热线，六号座席。"), ("citizen", "我要反映，车管所那个窗口的人骂我。"),
             ("staff", "您是说窗口那位跟您讲“嫌慢你就去告”，对不对？"), ("citizen", "对，就这么说的。")]
    assert "A9-F-05" not in _rules(turns, channel="phone", rings=1)


def test_busy_said_in_answer_to_the_citizens_small_talk_rebukes_nobody():
    from analyzer.rules.acts import answers_small_talk

    assert answers_small_talk("忙着呢，月底都这样，您这个快。", "你们这阵子忙不忙？")
    assert not answers_small_talk("忙着呢，月底都这样，您这个快。", "我这个要多久？")
    assert not answers_small_talk("催什么催，没看我忙着呢？", "你们忙吗？")
    chat = [GREET, ("citizen", "今天排了这么长的队，你们忙坏了吧？"),
            ("staff", "是啊，一上午没停，您这个快，两分钟。")]
    assert "A9-F-03" not in _rules(chat)
    rebuke = [GREET, ("citizen", "你们忙不忙啊？先给我看看这个。"), ("staff", "没看见我手上正忙着吗？")]
    assert "A9-F-03" in _rules(rebuke)


def test_a_matter_sent_to_the_office_that_handles_it_is_no_dare_to_complain():
    """你到社区反映一下 takes the matter where it belongs (whether that says where is Article 16's);
    a dare with 反映 is still 你去投诉好了."""
    from analyzer.rules.acts import act_blocked

    assert act_blocked("f_complain", "这事不归我们，你找有关部门反映吧。")
    assert not act_blocked("f_complain", "随你，爱上哪反映上哪反映。")
    sent = [GREET, ("citizen", "楼上漏水好几个月了，这能管不？"), ("staff", "这个我们管不着，你到社区反映一下吧。")]
    assert "A9-F-05" not in _rules(sent)
    dare = [GREET, ("citizen", "你们办事这么慢，我要投诉！"), ("staff", "随你，爱上哪反映上哪反映。")]
    assert "A9-F-05" in _rules(dare)


def test_a_taunt_at_the_citizens_own_matter_is_no_defiance_of_the_clerk():
    """我就是这样的，你能把我怎么样 defies what the citizen could do to the clerk; 有本事 aimed at his
    own paper is heat in a quarrel, not that phrase. Aimed at the clerk it still is."""
    from analyzer.rules.intents import intent_acts

    assert "f_defiant" not in intent_acts("有本事你自己去把户口迁回来！", "凭啥不给我办？")
    assert "f_defiant" in intent_acts("有本事你找我们领导去，我就这脾气。", "你这什么态度？")


# ------------------------------------------------------------- Article 6: the rule as the reason
def test_the_rule_said_to_decide_it_is_curt_not_uncivil():
    from analyzer.rules.civility import rule_explained

    assert rule_explained("政策就是这样，先去填表吧。")
    assert rule_explained("系统就这么设的，过了号要重新取。")
    assert not rule_explained("去填表吧。")


# ------------------------------------------------------------- Article 10: asking the clerk to slow down
def test_asking_the_clerk_to_slow_down_is_no_outburst():
    from analyzer.rules.context import _not_the_kind

    assert _not_the_kind("upset", "您讲得太快了，我记不下来，能慢一点吗？")
    assert not _not_the_kind("upset", "凭什么说这么快？我跑了三趟了！")


# ------------------------------------------------------------- Article 8: a known citizen welcomed
def test_hailing_a_known_citizen_and_asking_him_to_sit_greets_him():
    from analyzer.rules.context import welcomes_to_sit

    assert welcomes_to_sit("哎，刘大爷来了！快坐快坐，又来给孙子办医保？")
    assert not welcomes_to_sit("坐那边等着，叫号再过来。")
    assert welcomes_to_sit("阿姨您别急，坐下慢慢说。")
    assert not welcomes_to_sit("材料不全，坐下也没用。")  # no one hailed
    welcomed = [("staff", "哎，刘大爷来了！快坐快坐，又来给孙子办医保？"), ("citizen", "对，还是那个事。"),
                ("staff", "户口本给我一下。")]
    assert "A8-G-GREETING" not in _rules(welcomed)
    ordered = [("staff", "坐那边等着，叫号再过来。"), ("citizen", "好。"), ("staff", "户口本给我一下。")]
    assert "A8-G-GREETING" in _rules(ordered)


# ------------------------------------------------------------- Article 6: the clerk's own life at the counter
def test_a_gift_sum_weighed_or_a_weekend_errand_on_a_call_is_unrelated_talk():
    """Talk of the clerk's own life in front of the citizen: a wedding gift's sum weighed with a
    colleague, a weekend errand arranged on a private call. Said to the citizen with 您, a sum is work."""
    from analyzer.rules.civility import SINGLE

    chat = [("staff", "您好，办什么？"), ("citizen", "我来交农合。"),
            ("staff", "小赵，老周闺女结婚，礼钱随多少合适？"), ("citizen", "同志，我这个交多少？"),
            ("staff", "一年三百八。")]
    assert "A6-UNCIVIL" in _rules(chat)
    assert not SINGLE["unrelated_chat"].search("这个档次一年交三百八，您看交哪一档。")
    call = [("staff", "您好，办什么？"), ("citizen", "我来交农合。"), ("staff", "身份证给我。"),
            ("staff", "喂？嗯，那台车礼拜六我送去保养，你别管了。", 2.0), ("citizen", "同志？"),
            ("staff", "好，挂了。")]
    assert "A6-UNCIVIL" in _rules(call)


# ------------------------------------------------------------- Article 8: a typed wait that was the citizen's errand
def test_a_citizen_back_from_an_errand_was_not_ignored_meanwhile():
    """Typed visit: sent to pay at another window, the citizen comes back minutes later and hails
    the clerk; the gap was his absence. Hailing her again while she sits idle still is ignoring."""
    sent = [("staff", "您好，办什么？"), ("citizen", "过户，材料在这儿。"),
            ("staff", "先到三楼收费处交登记费，交完拿票回来找我。"), ("citizen", "老伴，听清了没？三楼收费处。"),
            ("citizen", "师傅，费交好了，这是收据。", 300.0), ("staff", "收到，给您办。")]
    assert "A8-IGNORE" not in _rules(sent)
    ignored = [("staff", "您好，办什么？"), ("citizen", "过户，材料在这儿。"),
               ("staff", "放那儿吧。"), ("citizen", "那我等着？"),
               ("citizen", "师傅，你看看我这个呀？", 300.0), ("staff", "收到，给您办。")]
    assert "A8-IGNORE" in _rules(ignored)


# ------------------------------------------------------------- Article 9: the hour given, the manner owned
@pytest.mark.parametrize("said", ["哟，都快五点半了，你明天赶早来吧。", "行了，今天就到这儿吧，剩下的礼拜一再来。"])
def test_the_hour_given_or_the_day_called_off_with_come_later_is_the_closing_phrase(said):
    from analyzer.rules.acts import act_blocked
    from analyzer.rules.intents import intent_acts

    assert "f_off_work" in intent_acts(said, "我这个能办吗？", blocked=act_blocked)
    # another day offered as a choice, today still served: no sending away
    assert "f_off_work" not in intent_acts("都快五点半了，您明天来也行，今天也能办。", "我这个能办吗？",
                                           blocked=act_blocked)


def test_the_clerks_manner_owned_and_objection_waved_off_is_defiance():
    from analyzer.rules.intents import intent_acts

    assert "f_defiant" in intent_acts("我做事一向就这样，你有意见也没用。", "你能不能好好说？")
    assert "f_defiant" not in intent_acts("这个事我们一向是这样办的，流程都一样。", "为啥要这么多章？")


# ------------------------------------------------------------- Article 8: shown where on the form
def test_showing_where_on_the_form_to_write_is_no_read_the_sign_brush_off():
    from analyzer.rules.acts import act_blocked

    assert act_blocked("f_read_sign", "就填在“用途”这一栏这儿，你看。")
    assert not act_blocked("f_read_sign", "墙上都写着呢，你自己看。")


# ------------------------------------------------------------- train-halls-27 kinds
def test_a_procedures_steps_listed_are_no_help_that_excuses_sending_away():
    """要录系统、拍照片 lists what the work takes; it offers the citizen nothing (a photo taken for him,
    我给您拍个照, still helps)."""
    from analyzer.rules.intents import helps, intent_acts

    said = "这个要录系统、拍照片，录不完了。到点了，你下午再来吧。"
    assert not helps("f_off_work", said)
    assert "f_off_work" in intent_acts(said, "现在还能办吗？")
    assert helps("f_off_work", "我给您拍个照，下午再来取。")


def test_a_yes_then_anything_else_is_curt_not_uncivil_and_lunch_plans_are_chat():
    from analyzer.rules.civility import SINGLE, anything_else

    assert anything_else("对。还有别的事吗？")
    assert not anything_else("对。还有别的事吗？快点。")
    assert SINGLE["unrelated_chat"].search("老张，晚上去不去吃那家新开的烤鱼？")


def test_the_sample_shown_at_the_counter_is_no_read_the_sign():
    from analyzer.rules.acts import act_blocked

    assert act_blocked("f_read_sign", "这里，照着样表一栏一栏填。")
    assert not act_blocked("f_read_sign", "样表在墙上，你自己照着看。")


# ------------------------------------------------------------- Article 8 vs 16: not knowing the number of the office named
def test_not_knowing_the_number_of_the_office_one_sent_the_citizen_to_is_the_redirects():
    """The clerk sent the caller to another office; asked for its number she does not know it. That
    redirect names no destination (Article 16); it is no second, Article 8 brush-off. Not knowing
    the answer to the caller's own question, then sending him on, still is."""
    turns = [("staff", "您好，这里是市政务服务中心咨询窗口，请讲。"), ("citizen", "我问下创业贷款的贴息在哪儿申请？"),
             ("staff", "那个不是我们这儿管的，你打电话问问就业局吧。"), ("citizen", "就业局的电话是多少？"),
             ("staff", "这我也不清楚，你自己查查。")]
    rules = _rules(turns, channel="phone", rings=1)
    assert "A8-F-01" not in rules and "A16-G-POINTER" in rules
    from analyzer.rules.civility import sends_to_the_web

    assert sends_to_the_web("这我也不清楚，你自己查查。")  # curt, Article 16's, no cold A6 either
    assert not sends_to_the_web("自己查去！")
    pushed = [("staff", "您好，这里是市政务服务中心咨询窗口，请讲。"), ("citizen", "我问下创业贷款的贴息在哪儿申请？"),
              ("staff", "这我也不清楚，你问问别人去。")]
    assert "A8-F-01" in _rules(pushed, channel="phone", rings=1)


# ------------------------------------------------------------- train-halls-28 kinds: mockery in everyday words
def test_everyday_mockery_and_cold_reproach_are_uncivil():
    """No stock phrase: typing the citizen's people (你们山上来的，次次都这样), scolding how he talks
    (罗里罗嗦，一句话都说不明白), reproaching him for coming late to what befell him (…都过了半年了才来办)."""
    from analyzer.rules.civility import remark

    assert remark("你们山上来的，次次都这样。") == "typecasting"
    assert remark("你们山上来的人每次都这样准时，挺好。") is None
    assert remark("罗里罗嗦，一句话都说不明白。") == "scolding"
    assert remark("房子都塌了半年了才来报？") == "scolding"
    turns = [GREET, ("citizen", "我来给老伴办丧葬补助，这是证明。"), ("staff", "房子都塌了半年了才来报？你们山上来的，次次都这样。")]
    assert "A6-UNCIVIL" in _rules(turns)


def test_the_rule_given_and_the_clerk_not_the_one_to_tell_is_explained_not_cold():
    from analyzer.rules.civility import rule_explained

    assert rule_explained("这是上级规定的，跟我说也没用。")
    assert not rule_explained("跟我说也没用。")


def test_blaming_the_citizens_age_for_his_memory_mocks_it():
    from analyzer.rules.intents import intent_acts

    assert "f_memory" in intent_acts("你这把年纪记不住了，讲了也白说。", "麻烦再讲一遍？")
    # help offered after the jibe does not take it back; help with no jibe mocks nobody
    assert "f_memory" in intent_acts("你这把年纪记不住了，讲了也白说，我给您写张条。", "麻烦再讲一遍？")
    from analyzer.rules.intents import helps

    assert helps("f_memory", "您记不住没事，我给您写张条。")
    assert "f_memory" not in intent_acts("这个年纪记不住很正常，我给您写下来。", "麻烦再讲一遍？")
