"""Articles 7, 9 and 10 read from what the words do (issue 23, session 13).

Kinds read from train-halls-31 and -32 (training sets), each written here in our own words,
each beside the harmless words nearest to it.
"""

from __future__ import annotations

from typed_turns import typed_record

import analyzer


def _rules(turns, **kw):
    return {f.rule for f in analyzer.analyze(typed_record(turns, record_id="owe", **kw)).findings}


def test_a_phone_greeting_naming_the_office_and_its_window_is_the_seeds_greeting():
    """这里是XXX大厅XXX窗口 without 这里是 or 请问 still says who answers."""
    from analyzer.rules.acts import names_the_line

    assert names_the_line("您好，县医保局异地备案三号窗口。")
    assert names_the_line("您好，城东街道便民服务中心户籍窗口。")
    assert not names_the_line("您好，请讲。")
    assert not names_the_line("喂，窗口。")  # no salutation, nothing named


def test_where_would_i_find_the_time_for_you_is_the_busy_brush_off():
    from analyzer.rules.intents import intent_acts

    assert "f_busy" in intent_acts("后头站了一排人，我哪有工夫跟你在电话上一条条念。", "那要带什么？")
    assert "f_busy" not in intent_acts("我哪有那么多材料要您带，就身份证。", "要带什么？")


def test_the_complaint_channel_told_and_the_right_to_complain_told_dare_nobody():
    from analyzer.rules.intents import intent_acts

    assert "f_complain" not in intent_acts("投诉电话就写在门口牌子上，有事可以打。", "")
    assert "f_complain" not in intent_acts("就算没签合同也可以投诉，劳动监察在三楼。", "")
    assert "f_complain" in intent_acts("你嫌慢就去投诉好了。", "你们怎么这么慢？")


def test_told_twice_already_is_said_already_not_help():
    """给您讲 offers to explain; 给您讲了两遍了 reproaches the asking again."""
    from analyzer.rules.intents import helps, intent_acts

    assert "f_said_already" in intent_acts("这个我都给您讲了三遍了，怎么还问？", "那照片要几张？")
    assert helps("f_said_already", "我再给您讲一下，照片要两张。")


def test_asking_the_clerk_to_explain_is_no_outburst():
    """看不懂，你给我讲讲 asks for the explanation; 凭什么不给我讲 is indignant."""
    turns = [("staff", "您好，请问办理什么业务？"), ("citizen", "我想问问退休要办哪些手续。"),
             ("staff", "流程在那边墙上，你自己看。"),
             ("citizen", "我看了，太绕了看不懂，你跟我讲讲嘛。"),
             ("staff", "单位会给你报，你带身份证和社保卡就行。"), ("citizen", "好的，谢谢。"),
             ("staff", "嗯，请评个价，慢走。")]
    assert "A10-G-UPSET" not in _rules(turns)


def test_the_application_named_is_no_courtesy_and_dialect_self_looks_for_itself():
    """申请 names the application: its 请 is no please, so 申请的材料墙上贴着，你自己看 still
    sends the citizen to the sign, and so does 您自个儿瞅去; the paper in his own hand is no sign."""
    from analyzer.rules.civility import remark
    from analyzer.rules.intents import intent_acts

    assert "f_read_sign" in intent_acts("申请要交的东西，大厅那块牌子上都有，你自己去看。", "要带什么？")
    assert "f_read_sign" in intent_acts("窗户边贴着一张单子，您自个儿瞅去。", "要带什么？")
    assert "f_read_sign" not in intent_acts("请您看一下牌子上第三条。", "要带什么？")
    assert "f_read_sign" not in intent_acts("去哪儿申请，回执上都写着，您照着办。", "那我去哪儿？")
    assert remark("你这申请表填得乱七八糟。") == "belittling"
