"""Article 6 in everyday words: what a remark does to the citizen, not which stock phrase it is.

Issue 23, session 13: kinds of missed uncivil language read from train-halls-16, -19, -20,
-22, -28 and -30 (training sets), each written here in our own words. Every case pairs the
breach with the harmless words nearest to it.
"""

from __future__ import annotations

from typed_turns import typed_record

import analyzer

GREET = ("staff", "您好，请问办理什么？")


def _a6(turns, **kw):
    return [f for f in analyzer.analyze(typed_record(turns, record_id="remarks", **kw)).findings
            if f.article == 6]


# ------------------------------------------------------------- cutting the citizen off
def test_a_doubled_enough_that_silences_the_citizen_cuts_him_off():
    """好了好了 then "don't tell me that / just say what you want" stops his account; 好了好了
    calming him, or "enough" taking his matter up, silences nobody."""
    from analyzer.rules.civility import remark

    assert remark("好了好了，前面那些甭讲，就说你来干嘛的。") == "cutting_off"
    assert remark("得了得了，问这么多有啥用，回家等电话。") == "cutting_off"
    assert remark("好了好了，别着急，我现在就给你查。") is None
    assert remark("行了，这些不用说了，材料都在系统里。") is None  # no doubled "enough": informs
    turns = [GREET, ("citizen", "我跟你讲，我们厂前年改制，后来老板跑了，我们几个就……"),
             ("staff", "好了好了，前面那些甭讲，就说你来干嘛的。")]
    assert _a6(turns)


# ------------------------------------------------------------- laughing at him
def test_a_laugh_closing_a_remark_at_the_citizen_mocks_him():
    """A laugh after words at the citizen (…也值得专门跑一趟，呵呵) laughs at him; a laugh opening a
    friendly turn (哈哈，您这精神头真好) shares a joke."""
    from analyzer.rules.civility import remark

    assert remark("就这么两百块也值得专门跑一趟，呵呵。") == "laughing_at"
    assert remark("哈哈，您这精神头真好。身份证给我一下。") is None
    assert remark("哈哈，不急不急，慢慢填。") is None
    turns = [GREET, ("citizen", "我来办个体户执照，这是申请表。"),
             ("staff", "就这么两百块也值得专门跑一趟，呵呵。")]
    assert _a6(turns)


# ------------------------------------------------------------- reproached for coming late, typed as a group
def test_coming_late_reproached_across_a_comma_and_a_group_typed_by_its_folly():
    from analyzer.rules.civility import remark

    assert remark("房子都拆了一年了，现在才来问补偿？") == "late_reproach"
    assert remark("材料都交齐了，三天后来拿。") is None
    assert remark("你们城里人就讲究这个，麻烦。") == "typecasting"
    assert remark("你们村里人就是这个情况的，可以一起报。") is None


# ------------------------------------------------------------- a greeting excuses nothing said after it
def test_a_greeting_opening_the_turn_does_not_soften_the_remark_after_it():
    from analyzer.rules.civility import remark

    assert remark("你好，我瞅瞅……你这表填得乱七八糟，重来。") == "belittling"
    assert remark("你这表填得乱七八糟，请重新填一张。") is None  # the courtesy is in it
    turns = [("citizen", "同志，低保的表我填好了。"), ("staff", "你好，我瞅瞅……你这表填得乱七八糟，重来。")]
    assert _a6(turns)


# ------------------------------------------------------------- a private call the classifier half heard
def test_a_private_call_is_one_finding_from_its_pick_up_even_where_the_classifier_flagged_a_turn():
    """The classifier hears the end of the call (孩子作业…我挂了) as unrelated talk; the call began
    at the pick-up, and one finding spans it, not one on its last turn only."""
    turns = [("staff", "您好，坐，办什么？"), ("citizen", "我来交房产证的复印件。"),
             ("staff", "您等一下啊。喂，老公？我今天加班，你六点去接一下娃，钥匙在鞋柜上。"),
             ("citizen", "……"),
             ("staff", "他作业晚上你盯着点，别让他光玩手机。行，就这样，我挂了。"),
             ("staff", "不好意思，复印件给我吧。")]
    found = _a6(turns)
    calls = [f for f in found if f.detail.get("subtype") == "private_call"]
    assert len(calls) == 1
    rec = typed_record(turns, record_id="remarks")
    pick_up, hang_up = rec["utterances"][2], rec["utterances"][4]
    assert calls[0].start == pick_up["start"] and calls[0].end == hang_up["end"]
    assert all(f.start >= pick_up["start"] and f.end <= hang_up["end"] for f in found)


# ------------------------------------------------------------- session 13, train-halls-31/-32 kinds
def test_fact_questions_are_curt_not_uncivil_and_a_botched_easy_form_or_a_daily_crowd_is_mocked():
    """A question with two facts to choose from, or how old/how long, asks the work; "even this
    easy form you got wrong" and "your kind, several a day" belittle and complain."""
    from analyzer.rules.civility import remark, terse_question

    assert terse_question("这车是过户以前撞的还是过户以后撞的？")
    assert terse_question("老人今年多大了？")
    assert not terse_question("你到底多大了还不会填？")
    assert remark("这么简单一页纸都能写错，重写。") == "belittling"
    assert remark("表上写的都没错，签字吧。") is None
    assert remark("你们这种情况一天跑来十几个。") == "complaining"
    assert remark("你们这种材料一天能办好几个，不用等。") is None  # no burden said with it


def test_group_buying_with_a_colleague_is_unrelated_chat():
    from analyzer.rules.civility import remark

    assert remark("那家的鸡蛋比超市便宜一半，你要不要也拼一份？") == "unrelated_chat"
    assert remark("复印在超市旁边那家打印店。") is None
