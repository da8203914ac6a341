"""Article 10 cues read by what the citizen's turn does (issue 23, session 10).

A rating reported is the evaluation done, not praise owing thanks; a pointed
question out of earlier trips is settled by its answer in fact; a grumble that
takes the answer up (早说不就好了，行，我记下了) owes no calming. Each kind has a
near miss that still owes. All wording here is our own.
"""

from __future__ import annotations

import pytest
from typed_turns import typed_record

import analyzer
from analyzer.rules.context import pointed_question, rating_only

GREET = ("staff", "您好，请问您办什么业务？")
CLOSE = ("staff", "麻烦您给我的服务评个价，您慢走。")


def _record(turns):
    return typed_record(turns, record_id="turn")


def _rules(turns):
    return {f.rule for f in analyzer.analyze(_record(turns)).findings}


@pytest.mark.parametrize("said", ["评价器上我按了，五颗星。", "给你点了个非常满意。", "满分给你打上了啊。",
                                  "按好了，最满意那个键。"])
def test_a_rating_reported_is_no_praise_owing_thanks(said):
    assert rating_only(said)
    turns = [GREET, ("citizen", "我来换新的社保卡。"), ("staff", "好的，卡做好了，您核对一下，麻烦给评个价。"),
             ("citizen", said), ("staff", "您慢走。")]
    assert "A10-G-PRAISE" not in _rules(turns)


@pytest.mark.parametrize("said", ["小伙子真有耐心，给你点个满意。", "服务挺好，五星给你了。"])
def test_praise_beside_a_rating_still_owes_thanks(said):
    assert not rating_only(said)
    turns = [GREET, ("citizen", "我来换新的社保卡。"), ("staff", "好的，卡做好了，您核对一下，麻烦给评个价。"),
             ("citizen", said), ("staff", "您慢走。")]
    assert "A10-G-PRAISE" in _rules(turns)


def _pressed(question, reply):
    return [GREET, ("citizen", "我来交上回缺的那份证明。"),
            ("staff", "好的，证明我收下了，您这边还要补一张村里的意见，不好意思，清单给您写好了。"),
            ("citizen", question), ("staff", reply), CLOSE]


@pytest.mark.parametrize(("question", "reply"), [
    ("这回补完总不会再差别的了吧？", "不会，补上这张就全了。"),
    ("我这都第三回来了，下回来总能办成了吧？", "能办成，清单上的就是全部。"),
])
def test_a_pointed_question_out_of_earlier_trips_is_settled_by_its_answer(question, reply):
    assert pointed_question(question)
    assert "A10-G-UPSET" not in _rules(_pressed(question, reply))


def test_an_outburst_answered_coldly_still_owes_calming():
    assert not pointed_question("凭什么又让我多跑一趟？")
    assert "A10-G-UPSET" in _rules(_pressed("凭什么又让我多跑一趟？", "规定就是这样，我也没办法。"))


def test_a_pointed_question_answered_coldly_still_owes_calming():
    assert "A10-G-UPSET" in _rules(_pressed("我都跑三趟了，下回总能办成了吧？", "能不能办成看你自己，规定就这样。"))


def test_a_grumble_taking_up_the_answer_owes_no_calming():
    turns = [GREET, ("citizen", "我都跑了三个地方了，这个补贴到底归谁管？"),
             ("staff", "您别急，归区民政局社会救助科，在人民路八号二楼，电话八六六一二三四。"),
             ("citizen", "早告诉我这个不就省事了。行，我记下了。"), CLOSE]
    assert "A10-G-UPSET" not in _rules(turns)


def test_a_grumble_still_asking_keeps_owing():
    from analyzer.rules.context import settled_grumble
    from analyzer.types import Utterance

    said = Utterance("citizen", 0.0, 2.0, "早说不就完了？凭什么让我白跑？")
    assert not settled_grumble([said], 0)


@pytest.mark.parametrize("hello", ["叔叔好，您这边坐，今天来办点什么？", "大姐早上好！来，坐下说，办啥？"])
def test_a_greeting_by_the_citizens_address_is_a_greeting(hello):
    turns = [("staff", hello), ("citizen", "我来领残疾人补贴。"), ("staff", "好的，身份证给我看一下。"), CLOSE]
    assert "A8-G-GREETING" not in _rules(turns)


def test_an_address_without_a_hello_is_still_no_greeting():
    turns = [("staff", "大姐，身份证给我。"), ("citizen", "我来领残疾人补贴。"), ("staff", "好的，等着。"), CLOSE]
    assert "A8-G-GREETING" in _rules(turns)


@pytest.mark.parametrize("retort", ["嫌慢？嫌慢你上12345告我去。", "没瞅见我这儿正忙着吗？一边等着。"])
def test_an_upset_citizen_met_with_a_forbidden_phrase_is_that_phrases_breach(retort):
    turns = [GREET, ("citizen", "我来交医保报销的单子。"), ("staff", "放这儿吧。"),
             ("citizen", "同志，我在这儿站了快半小时了，到底还要等多久？你们这办事效率也太差了！"),
             ("staff", retort), ("staff", "好了，单子收了。"), CLOSE]
    found = analyzer.analyze(_record(turns)).findings
    assert any(f.kind == "forbidden" for f in found)
    assert "A10-G-UPSET" not in {f.rule for f in found}


def test_an_upset_citizen_met_with_silence_on_the_matter_still_owes_calming():
    turns = [GREET, ("citizen", "我来交医保报销的单子。"), ("staff", "放这儿吧。"),
             ("citizen", "同志，我在这儿站了快半小时了，你们这办事效率也太差了！"),
             ("staff", "单子给我。"), ("staff", "好了，单子收了。"), CLOSE]
    assert "A10-G-UPSET" in _rules(turns)


def test_an_upset_citizen_told_his_matter_is_done_now_is_calmed():
    turns = [GREET, ("citizen", "我来领失业金。"), ("staff", "身份证给我。"),
             ("citizen", "这都第三次了，今天再不给我弄我就找你们领导。"),
             ("staff", "今天就能给您办，我现在录入。"), ("staff", "好了，下个月十号到账。"), CLOSE]
    assert "A10-G-UPSET" not in _rules(turns)


def test_the_citizens_protest_at_a_retort_is_the_retorts_episode():
    turns = [GREET, ("citizen", "我来交医保报销的单子。"), ("staff", "放这儿吧。"),
             ("citizen", "同志，我在这儿站了快半小时了，到底还要等多久？"),
             ("staff", "嫌慢？嫌慢你上12345告我去。"), ("citizen", "我就问一句，你凶什么凶。"),
             ("staff", "好了，单子收了。"), CLOSE]
    assert "A10-G-UPSET" not in _rules(turns)


def test_a_citizen_reporting_his_rating_needs_no_evaluation_request_at_the_end():
    turns = [GREET, ("citizen", "我来办老年优待证。"), ("staff", "好的，证办好了，您收好。"),
             ("citizen", "真快，评价器上给你按个满分。"), ("staff", "谢谢您！"),
             ("citizen", "这天冷得，出门得多穿点。"), ("staff", "是，您路上慢点，再见。")]
    assert "A10-G-EVALUATE" not in _rules(turns)


def test_without_a_rating_the_evaluation_request_is_still_owed():
    turns = [GREET, ("citizen", "我来办老年优待证。"), ("staff", "好的，证办好了，您收好。"),
             ("citizen", "这天冷得，出门得多穿点。"), ("staff", "是，您路上慢点，再见。")]
    assert "A10-G-EVALUATE" in _rules(turns)


@pytest.mark.parametrize(("said", "owed"), [("当天就能批？那可太好了！", False),
                                            ("当天就能批？你们效率真高！", True)])
def test_gladness_at_the_news_is_no_praise_unless_it_judges_the_service(said, owed):
    from analyzer.rules.context import relief_only

    assert relief_only(said) is not owed
    turns = [GREET, ("citizen", "我来交建房审批的材料。"), ("staff", "材料齐了，我现在给您报上去，当天就能批下来。"),
             ("citizen", said), ("staff", "批下来会发短信。麻烦您给评个价，您慢走。")]
    assert ("A10-G-PRAISE" in _rules(turns)) is owed


def test_not_knowing_whether_the_citizen_has_the_paper_owes_no_apology_yet():
    turns = [GREET, ("citizen", "我来变更合作社的法人。"),
             ("staff", "决议上得有公章，这份没盖。我不清楚您今天拿没拿公章，您在包里找找看。"),
             ("citizen", "带了带了，在这儿。"), ("staff", "好，盖上就行。"), CLOSE]
    assert not {"A10-G-APOLOGY", "A10-G-MATERIAL-LIST"} & _rules(turns)


def test_an_indignant_outburst_met_with_a_retort_still_owes_calming():
    turns = [GREET, ("citizen", "我来交医保报销的单子。"), ("staff", "放这儿吧。"),
             ("citizen", "凭什么他后来的先办？你们这什么破规矩！"),
             ("staff", "嫌慢？嫌慢你上12345告我去。"), ("staff", "好了，单子收了。"), CLOSE]
    assert "A10-G-UPSET" in _rules(turns)
