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
def test_cutting_in_with_words_that_are_their_own_breach_is_not_a_second_one():
    long_turn = ("citizen", 3, 12, "我跟你说，我们家这个情况比较特殊，我老伴前年走了，儿子在外地打工，我一个人……")
    scolded = [GREET, long_turn, ("staff", 9, 13, "停停停，我不听这些，你就说你要办啥。"),
               ("citizen", 13.5, 15, "办低保。")]
    assert not _rules(scolded, "A17-INTERRUPT")
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
