"""Articles 17 and 25 read by what the talk does (session 13), in our own words (no measure set's).

Each kind has a near case that must keep (or still not give) the finding.
"""

from __future__ import annotations

import analyzer
from analyzer.options import AnalyzerOptions

OPTS = AnalyzerOptions()
GREET = ("staff", 0.0, 2.0, "您好，请问办理什么业务？")


def _report(turns, started_at=None, channel="counter"):
    record = {"id": "said", "channel": channel, "hall": "",
              "utterances": [{"speaker": s, "start": a, "end": b, "text": t} for s, a, b, t in turns]}
    if started_at:
        record["started_at"] = started_at
    return analyzer.analyze(record, OPTS)


def _rules(turns, rule, **kw):
    return [f for f in _report(turns, **kw).findings if f.rule == rule]


# ----------------------------------------------------------------- Article 17: quarrels in words
def _dispute(clerk_first, clerk_second):
    return [GREET, ("citizen", 3, 8, "我这个月的养老金咋少了两百？你们是不是算错了！"),
            ("staff", 8.5, 12, clerk_first),
            ("citizen", 12.5, 16, "系统也是人弄的！我看就是你们搞错了，故意坑我们老百姓！"),
            ("staff", 16.5, 20, clerk_second),
            ("citizen", 20.5, 23, "你这人咋这么说话！我要找你们领导！")]


def test_the_citizens_words_thrown_back_in_a_question_make_a_quarrel_without_rude_words():
    assert _rules(_dispute("算错啥了？系统算的，一分不差。", "你说搞错就搞错了？单子在这，你自己看。"),
                  "A17-QUARREL")
    # the same dispute answered calmly: a citizen venting alone
    assert not _rules(_dispute("您别急，我给您一项一项查一下。", "您看，这两百是医保个人账户划走的，单子上有。"),
                      "A17-QUARREL")


def test_the_blame_thrown_back_and_a_dismissal_make_a_quarrel():
    assert _rules(_dispute("我怎么知道你要加急？你自己不先说，倒怪我？", "是我的问题还是你的问题？单子上写得清清楚楚。"),
                  "A17-QUARREL")
    assert _rules(_dispute("那是你自己没问清楚，还怪我？", "我就是这么算的，你爱信不信。"), "A17-QUARREL")


def test_a_retort_throws_the_accused_word_back_with_its_object():
    turns = [GREET, ("citizen", 3, 8, "补贴凭啥只给一半？你们是不是扣了我的钱！"),
             ("staff", 8.5, 11, "谁扣你的了？钱是财政直接打到卡上的。"),
             ("citizen", 11.5, 15, "不是你们扣的还能是谁！你们就会推！"),
             ("staff", 15.5, 18, "我推啥了？我说的都是实话，你爱信不信。"),
             ("citizen", 18.5, 21, "行，我去区上告你们！")]
    assert _rules(turns, "A17-QUARREL")


# ----------------------------------------------------------------- Article 17: cutting in
def test_cutting_in_with_a_forbidden_phrase_is_that_phrases_breach_not_a_second_one():
    long_turn = ("citizen", 3, 12, "我跟你说，我们家这个情况比较特殊，我老伴前年走了，儿子在外地打工，我一个人……")
    busy = [GREET, long_turn, ("staff", 9, 13, "老人家，我这边忙得很，你没看见后面一堆人排着吗？"),
            ("citizen", 13.5, 15, "办低保。")]
    assert not _rules(busy, "A17-INTERRUPT")  # the busy phrase is Article 9's breach
    scolded = [GREET, long_turn, ("staff", 9, 13, "你先别说了，听我讲。"), ("citizen", 13.5, 15, "哦。")]
    assert _rules(scolded, "A17-INTERRUPT")  # an uncivil manner is how she cut in: still Article 17's
    plain = [GREET, long_turn, ("staff", 9, 13, "您先把这张登记表填一下，填完给我。"),
             ("citizen", 13.5, 15, "好的。")]
    assert _rules(plain, "A17-INTERRUPT")  # a plain cut-in over the citizen's words stays Article 17's


# ----------------------------------------------------------------- Article 25: put off for the hour
def test_the_day_closing_and_the_business_sent_to_tomorrow_is_put_off_within_the_hours():
    turns = [("staff", 1, 3, "您好，社保中心咨询窗口。"), ("citizen", 3.5, 8, "你好，我想问一下灵活就业的缴费基数今年调了没有？"),
             ("staff", 8.5, 12, "这边马上要下班了，明天上班时间你再打吧。"), ("citizen", 12.5, 14, "哦……好吧。")]
    assert _rules(turns, "A25-HOURS", started_at="2026-12-02T17:35:00+08:00", channel="phone")
    # after the hours the same words put nothing off that the hours owed
    assert not _rules(turns, "A25-HOURS", started_at="2026-12-02T18:20:00+08:00", channel="phone")


def test_the_clerks_own_work_not_started_is_put_off_but_the_matters_is_not():
    idle = [("citizen", 1, 3, "同志，我来交一下复印件。"), ("staff", 3.5, 5, "还没开始呢，等会儿。"),
            ("citizen", 5.5, 8, "都两点五十了。")]
    assert _rules(idle, "A25-HOURS", started_at="2026-12-02T14:50:00+08:00")
    matter = [("citizen", 1, 3, "同志，我那个申请审得咋样了？"), ("staff", 3.5, 7, "审核还没开始，排在后面，三个工作日后出结果。"),
              ("citizen", 7.5, 8, "好，谢谢。")]
    assert not _rules(matter, "A25-HOURS", started_at="2026-12-02T14:50:00+08:00")


def test_a_curt_contradiction_said_over_his_outburst_and_saying_it_again_make_a_quarrel():
    turns = [GREET, ("citizen", 3, 8, "我这几年的补贴为啥不补？又不是我编出来的！"),
             ("staff", 8.5, 11, "按规定从材料交齐的次月算起。"),
             ("citizen", 11.5, 17, "那是你们当年没告诉我要交这个！我问了三遍你们都说不缺！"),
             ("staff", 16.5, 19, "不清楚当年谁办的，系统里就是今年交齐的。"),
             ("citizen", 19.5, 23, "我一个老汉上哪儿弄当年的东西去！我就问你补不补？"),
             ("staff", 23.5, 26, "我再说一遍，不补，就从四月份开始。"),
             ("citizen", 26, 28.5, "凭啥不补！凭啥！"),
             ("staff", 28, 30, "凭的是文件，不是凭谁嗓门大。")]
    assert _rules(turns, "A17-QUARREL")
    calm = [*turns[:6], ("staff", 23.5, 26, "您别急，我把文件拿给您看，您看这一条。"),
            ("citizen", 26.5, 28.5, "唉，那你给我看看。"), ("staff", 29, 31, "您看，这里写着从交齐次月起算。")]
    assert not _rules(calm, "A17-QUARREL")


def test_a_platform_that_sent_the_citizen_is_no_window_that_bounced_him():
    """站长说平台给上了保障，让我来社保问问: his employer's platform, not a counter of the hall."""
    turns = [GREET, ("citizen", 3, 8, "我是跑外卖的，摔伤了，站长说平台给上了个保障，让我自己来社保问问。"),
             ("staff", 8.5, 11, "那你这个认定不在我们这儿办，你去人社那边问问吧。")]
    assert not _rules(turns, "A17-RUNAROUND")
    bounced = [GREET, ("citizen", 3, 8, "三号窗口让我来找你们的，说是归你们管。"),
               ("staff", 8.5, 11, "这个不在我们这儿办，你去人社那边问问吧。")]
    assert _rules(bounced, "A17-RUNAROUND")


def test_a_matter_still_under_review_is_not_put_off_for_the_hour():
    """在走复核，复核完了才能拨付: the matter is not ready; no hour is the reason."""
    from analyzer.rules.duties import not_ready

    assert not_ready("……在走复核，复核完了才能拨付，时间还没到。")
    assert not_ready("审批完了才能发证。")
    assert not not_ready("复核的同事下班了，明天再来。")
    turns = [("citizen", 1, 4, "我的工伤待遇交上去三个月了，钱咋还没下来？"),
             ("staff", 4.5, 8, "在走复核，复核完了才能拨付，还得等。"), ("citizen", 8.5, 10, "那好吧。")]
    assert not _rules(turns, "A25-HOURS", started_at="2026-12-02T15:40:00+08:00")


# ----------------------------------------------------------------- Article 7: the three rings bind the hours
def _late_pickup(started_at):
    record = {"id": "ring", "channel": "phone", "hall": "", "started_at": started_at, "rings": 6,
              "utterances": [{"speaker": "staff", "start": 26.0, "end": 29.0, "text": "您好，这里是镇便民服务站民政窗口。"},
                             {"speaker": "citizen", "start": 30.0, "end": 34.0, "text": "我问一下高龄补贴这个月咋还没到？"},
                             {"speaker": "staff", "start": 34.5, "end": 40.0, "text": "高龄补贴按季度发，月底一起打到卡上。"},
                             {"speaker": "citizen", "start": 40.5, "end": 42.0, "text": "哦，好的，谢谢。"},
                             {"speaker": "staff", "start": 42.5, "end": 45.0, "text": "不客气，请您对我的服务做个评价，再见。"}]}
    return [f for f in analyzer.analyze(record, OPTS).findings if f.rule == "A7-RING"]


def test_a_late_pick_up_in_the_lunch_break_owes_no_three_rings():
    assert _late_pickup("2026-12-02T10:20:00+08:00")  # within the hours: six rings is late
    assert not _late_pickup("2026-12-02T12:21:00+08:00")  # the lunch break: nobody was owed three rings


# ----------------------------------------------------------------- Article 25: the one who does it away
def test_work_put_off_because_the_one_who_does_it_is_away_is_deferred():
    for said in ("这块一直是小李在弄，她这礼拜休年假，你下礼拜一以后再过来吧。",
                 "管审核的两个人都去市里培训了，报上去也没人审，你过了元旦再来吧。"):
        turns = [("citizen", 1, 4, "同志，我来交低保的申请。"), ("staff", 4.5, 9, said), ("citizen", 9.5, 11, "啊？那好吧。")]
        assert _rules(turns, "A25-HOURS", started_at="2026-12-02T10:40:00+08:00"), said
    here = [("citizen", 1, 4, "同志，我来交低保的申请。"), ("staff", 4.5, 9, "小李休年假了，我替她收，您把材料给我。"),
            ("citizen", 9.5, 11, "好，给你。")]
    assert not _rules(here, "A25-HOURS", started_at="2026-12-02T10:40:00+08:00")
