"""Article 5 (询问有答声), session 13: which citizen words are owed an answer, and what answers them.

Written in our own words from the kinds the training sets showed (train-halls-15 … -30); none of
these wordings is taken from a measure set.
"""

from __future__ import annotations

import pytest

import analyzer
from analyzer.options import AnalyzerOptions
from analyzer.rules.answers import answers, questions, says_yes_or_no

OPTS = AnalyzerOptions().with_overrides({"classifier.enabled": False})
ACTS_ON = AnalyzerOptions()
GREET = ("staff", 0.0, 2.0, "您好，请问要办理什么业务？")
CLOSE = ("staff", 60, 63, "请您为我的服务做个评价，您慢走。")


def _found(turns, options=OPTS):
    record = {"id": "owed", "channel": "counter",
              "utterances": [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in turns]}
    return [f for f in analyzer.analyze(record, options).findings if f.rule == "A5-ANSWER"]


# ------------------------------------------------------------------ what is asked
@pytest.mark.parametrize("said", ["你们怎么没早点一起讲？", "为啥不提前告诉一声呢？", "我哪晓得有这规矩。"])
def test_a_reproach_or_a_protest_asks_nothing(said):
    """Why was it not said (怎么没…讲) reproaches; 我哪晓得 says I did not know: no question put."""
    assert questions(said) == []


def test_i_do_not_know_where_still_asks_where():
    """我哪知道 with a where in it still asks where to go."""
    (q,) = questions("我哪知道该去哪个窗口？")
    assert "place" in q.kinds


def test_a_statement_said_back_in_surprise_is_no_question_when_a_real_one_follows():
    """啊？下个月才生效？那这个月怎么交？: the surprise repeats what the clerk said; the how is asked."""
    asked = questions("啊？下个月才生效？那这个月怎么交？")
    assert [q.text for q in asked] == ["那这个月怎么交？"]
    assert len(questions("收不收押金？那这个月怎么交？")) == 2  # A-not-A still asks


def test_what_to_fetch_asks_for_materials():
    assert "material" in questions("那我回去要准备些啥？")[0].kinds


# ------------------------------------------------------------------ what answers it
def test_an_assent_then_the_work_answers_a_yes_or_no():
    """能在这儿交吗？ … 嗯，您先填这张单子: a yes, then the procedure."""
    q = questions("这个能在这儿交吗？")[0]
    assert answers(q, "嗯，您先填这张单子。")
    assert not answers(q, "嗯。还有别的事没有？")  # an assent that only closes passes it over


def test_an_assent_that_only_closes_leaves_the_question_owed():
    turns = [GREET, ("citizen", 3, 8, "我来交物业补贴的表。我闺女在外地读书，这个要不要写上她？"),
             ("staff", 9, 10, "嗯。还有别的事没有？"), ("citizen", 11, 12, "那……没有了。"), CLOSE]
    assert len(_found(turns)) == 1


def test_one_belief_checked_twice_is_confirmed_by_either_answer():
    """就缺户口本是吧？其他都行？ … 其他的都没问题: the check confirmed once, for both wordings."""
    turns = [GREET, ("citizen", 3, 8, "就缺户口本是吧？其他都行？"),
             ("staff", 9, 12, "其他的都看过了，没问题，补了户口本再来这个窗口。"),
             ("citizen", 13, 14, "好，明天来。"), CLOSE]
    assert not _found(turns)


def test_a_way_is_answered_by_what_to_bring():
    q = questions("失业金怎么领？")[0]
    assert answers(q, "带上身份证和银行卡过来就行。")


def test_a_phone_number_question_is_answered_by_a_number():
    q = questions("那边有电话没有？")[0]
    assert answers(q, "你打12333问一下。")


def test_a_thing_to_bring_named_in_an_instruction_answers_what_to_bring():
    q = questions("那我先带些什么过来？")[0]
    assert answers(q, "您先把房产证带上，其他的来了再说。", heard=frozenset())


def test_a_yes_about_another_thing_is_no_yes_to_the_question():
    """我爱人能替我来吗？ … 营业执照没问题: the no-problem is the licence's, not the spouse's."""
    assert not says_yes_or_no("营业执照没问题。", "我爱人能替我来吗？")
    assert says_yes_or_no("她来也行。", "我爱人能替我来吗？")
    assert says_yes_or_no("可以，带她身份证。", "我爱人能替我来吗？")


def test_the_clerk_coming_back_to_the_question_later_answers_it():
    turns = [GREET, ("citizen", 3, 8, "退休金一直没到，我想反映，反映找哪儿？"),
             ("staff", 9, 12, "您先别急，我先查一下是哪一步卡住了，身份证给我。"),
             ("citizen", 13, 15, "给。那现在咋弄？"),
             ("staff", 16, 20, "您的银行卡挂失过，重新登记一张就能发。"),
             ("citizen", 21, 22, "好，用这张。"),
             ("staff", 40, 46, "登记好了。您刚才问反映，我们中心的监督电话是八二一二三四五，一楼服务台也能登记。"),
             ("citizen", 47, 48, "不用了，知道了。"), CLOSE]
    assert not _found(turns)


def test_a_like_question_after_the_talk_moved_on_does_not_undo_an_answer():
    """就这两样？ … 嗯，就这些 … (new question) … 到底几样？: the later doubt is about what came since."""
    turns = [GREET, ("citizen", 3, 8, "生育津贴咋报？要带些啥？"),
             ("staff", 9, 12, "带上身份证和出生证明就行。"), ("citizen", 13, 14, "就这两样？"),
             ("staff", 15, 16, "嗯，就这些。"), ("citizen", 17, 19, "那结婚证要不要？"),
             ("staff", 20, 23, "哦对，结婚证也要，还有银行卡。"), ("citizen", 24, 27, "你这一会儿一样的，到底几样？"),
             ("staff", 28, 33, "对不起，一共四样：身份证、出生证明、结婚证、银行卡。"), ("citizen", 34, 35, "行。"), CLOSE]
    assert not _found(turns)


# ------------------------------------------------------------------ the next one called over it
def test_a_ticket_called_over_a_question_leaves_it_owed():
    turns = [GREET, ("citizen", 3, 8, "我来办营业执照变更，那公章要不要带？"),
             ("staff", 9, 11, "三号窗口，C023号在吗？C023？"), ("citizen", 12, 13, "……算了，我问别人吧。")]
    assert len(_found(turns)) == 1


def test_a_request_met_by_calling_the_next_is_left_unanswered():
    """能不能先在这儿把证明开了？ is a request, taken up or refused — 下一位，二十号！ does neither."""
    turns = [GREET, ("citizen", 3, 8, "我那个收入证明，能不能先在这儿开了？"),
             ("staff", 9, 10, "下一位，二十号！"), ("citizen", 11, 12, "哎，我还没说完……")]
    assert len(_found(turns)) == 1
    taken_up = [GREET, ("citizen", 3, 8, "我那个收入证明，能不能先在这儿开了？"),
                ("staff", 9, 12, "好，身份证给我。"), ("citizen", 13, 14, "给。"), CLOSE]
    assert not _found(taken_up)


# ------------------------------------------------------------------ from train-halls-31/-32
def test_what_are_you_doing_reproaches():
    assert questions("材料交了四个月了，你们到底在干啥？") == []


def test_the_clerks_words_thrown_back_ask_nothing():
    """啥叫X？ saying the clerk's own words back is a retort, not a question (echo of what she said)."""
    turns = [GREET, ("citizen", 3, 6, "原件被单位收走了，我上哪儿弄去？"),
             ("staff", 7, 9, "那是你跟单位之间的事。"), ("citizen", 10, 12, "啥叫我跟单位之间的事？"),
             ("staff", 13, 15, "原件拿来就能办。"), ("citizen", 16, 17, "行吧。"), CLOSE]
    assert not [f for f in _found(turns) if "啥叫" in f.detail["question"]]


def test_asking_what_the_citizen_wants_takes_the_question_up():
    q = questions("扣了的钱他们弄哪儿去了？")[0]
    assert answers(q, "您先坐。您是想查记录，还是想反映单位的事？")


def test_what_to_put_in_a_box_is_answered_by_the_thing_put():
    q = questions("这一栏写什么？")[0]
    assert answers(q, "勾第二个，灵活就业。")
    assert answers(q, "写你的开户行。")


def test_saying_so_i_ask_asks_it_again():
    q = questions("那我这个能不能退一部分？")[0]
    from analyzer.rules.answers import asks_again
    assert asks_again(q, "对啊，所以我问，我去年交的能不能退那点差价？")
    assert not asks_again(q, "我就问一下，班车几点有？")


def test_a_condition_or_an_apology_is_no_yes_or_no():
    assert not says_yes_or_no("测绘完了，在公示，没问题就报上去。")
    assert not says_yes_or_no("不好意思，户口本补上再来。")
    assert says_yes_or_no("不行，得本人来。")


def test_a_question_between_two_needs_one_named():
    """一次补齐，还是每个月补？ … 你先把户口本拿来: neither named, the question passed over."""
    turns = [GREET, ("citizen", 3, 8, "停发的那两个月，是一次补齐，还是每个月跟着补？"),
             ("staff", 9, 11, "你先把户口本拿来。认证我先给你做了，脸对着屏幕。"),
             ("citizen", 12, 13, "……好了？"), ("staff", 14, 16, "好了。户口本补上再来。"), CLOSE]
    found = _found(turns)
    assert len(found) == 1 and "还是" in found[0].detail["question"]


# ------------------------------------------------------------------ from train-halls-33/-34 (read after measuring)
@pytest.mark.parametrize("said", ["现在不才三点一刻吗？", "一个月也领不到几个钱。", "我们店里招了几个临时工"])
def test_an_assertion_or_a_few_asks_nothing(said):
    """不才…吗 asserts; 不…几个 / 了几个 say a few, no how many."""
    assert questions(said) == []


def test_how_many_still_asks():
    assert questions("你们招了几个人？")


def test_is_this_the_office_is_answered_by_taking_the_matter_up():
    """喂，是税务那边吗？我问一下… … 能，…: the office that takes it up has said yes, whichever it answers."""
    asked = questions("喂，是税务那边吗？我问一下发票能不能在网上开？")
    assert answers(asked[0], "能啊，电子税务局上就能开。", others=asked[1:])


def test_the_yes_no_verb_must_be_the_one_asked_about():
    """要交费吗？ … 地址要写到园区: the 要 governs another verb, no yes; and 地块 is no money."""
    q = questions("这个登记要交费吗？")[0]
    assert not answers(q, "地址要写到哪个园区，最好把地块编号也写上。")
    assert answers(q, "要交，二十块。")
    assert answers(questions("证能寄到家吗？")[0], "就能寄，留个地址。")


def test_asking_what_was_asked_takes_it_up():
    q = questions("现在能问了吧？")[0]
    assert answers(q, "好了，您好，您刚才问啥？")


def test_a_list_handed_over_answers_what_to_bring():
    q = questions("补办要带些啥？")[0]
    assert answers(q, "我都给您写在这张纸上了，您收好。", heard=frozenset())


def test_an_assured_can_is_a_yes_whatever_verb_follows():
    """今天能办完吗？ … 马上就能给您打出来: 就能 says yes though the verb is another."""
    assert answers(questions("今天能办完吗？")[0], "马上就能给您打出来。")


def test_a_nod_gives_no_place_or_time():
    """几号窗口？ … 嗯。: a bare nod to a where or a when passes it over; to a yes/no it is a yes."""
    turns = [GREET, ("citizen", 3, 6, "这个办完了，抵押登记去几号窗口？"), ("staff", 7, 8, "嗯。"),
             ("citizen", 9, 10, "好吧。"), ("staff", 30, 32, "证件给您，拿好。"), CLOSE]
    assert len(_found(turns)) == 1
    yes = [GREET, ("citizen", 3, 6, "这个在您这儿办对吧？"), ("staff", 7, 8, "嗯。"),
           ("citizen", 9, 10, "好。"), ("staff", 30, 32, "证件给您，拿好。"), CLOSE]
    assert not _found(yes)
