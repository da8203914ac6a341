"""Measurable duties beyond Chapter 3: Articles 5, 16, 17, 18 and 25 (analyzer.rules.duties).

Each rule is run through the real pipeline (lexicon, matcher, cues, scoring),
with a case that must give the finding and a near case that must not.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import analyzer
from analyzer.errors import OptionError
from analyzer.i18n import language
from analyzer.options import AnalyzerOptions
from analyzer.text.lexicon import load_lexicon

OPTS = AnalyzerOptions().with_overrides({"classifier.enabled": False})
GREET = ("staff", 0.0, 2.0, "您好，请问要办理什么业务？")


def _record(turns, **extra):
    return {"id": "duty", "channel": extra.pop("channel", "counter"),
            "utterances": [{"speaker": s, "start": a, "end": b, "text": t, **({"level_dbfs": lv}
                            if lv is not None else {})}
                           for s, a, b, t, *rest in turns for lv in [rest[0] if rest else None]],
            **extra}


def _found(turns, rule, options=OPTS, **extra):
    report = analyzer.analyze(_record(turns, **extra), options)
    return [f for f in report.findings if f.rule == rule], report


# ------------------------------------------------------------------ Article 5
def test_a_question_the_clerk_goes_past_is_unanswered():
    turns = [GREET, ("citizen", 3, 7, "我来办高龄补贴，我闺女能不能替我领？"),
             ("staff", 7.5, 9, "你先把这张表填一下。"), ("citizen", 9.5, 10, "好。"),
             ("staff", 40, 42, "行了，在这儿签字。"), ("staff", 43, 46, "请您为我的服务做个评价，您慢走。")]
    found, report = _found(turns, "A5-ANSWER")
    assert len(found) == 1 and found[0].kind == "unanswered" and found[0].article == 5
    assert "闺女" in found[0].evidence and found[0].start == 3 and found[0].end == 9
    assert set(found[0].detail["kinds"]) == {"who", "yesno"} and report.score < 100


def test_the_second_of_two_questions_needs_its_own_answer():
    turns = [GREET, ("citizen", 3, 8, "我来补社保卡，是不是要交工本费？做好了能寄到单位吗？"),
             ("staff", 8.5, 11, "工本费二十元，请您先去那边拍张照。"), ("citizen", 11.5, 12, "好的。"),
             ("staff", 40, 43, "请您为我的服务做个评价，您慢走。")]
    (f,) = _found(turns, "A5-ANSWER")[0]
    assert "寄到单位" in f.detail["question"] and "工本费" not in f.detail["question"]
    answered = [*turns[:3], ("staff", 11, 12, "可以寄，留个地址。"), *turns[3:]]
    assert not _found(answered, "A5-ANSWER")[0]


def test_an_answer_of_the_questions_kind_in_other_words_counts():
    for question, reply in (("办下来要多长时间？", "七个工作日。"), ("要不要交钱啊？", "免费的。"),
                            ("复印机在哪儿？", "出门右手边。"), ("要带啥？", "带个户口本就行。"),
                            ("这个表咋填？", "您先写名字，再写地址。"),
                            ("万一到时候来不了呢？", "没关系，打电话改个时间。")):
        turns = [GREET, ("citizen", 3, 6, question), ("staff", 6.5, 9, reply),
                 ("staff", 20, 22, "请您为我的服务做个评价，您慢走。")]
        assert not _found(turns, "A5-ANSWER")[0], question


def test_a_reply_that_is_not_the_procedure_may_be_an_answer():
    """Only going on with the procedure shows the question was passed over."""
    turns = [GREET, ("citizen", 3, 6, "别的材料都够了？"), ("staff", 6.5, 8, "就差户口本。"),
             ("staff", 20, 22, "请您为我的服务做个评价，您慢走。")]
    assert not _found(turns, "A5-ANSWER")[0]
    decided = [GREET, ("citizen", 3, 6, "那就办加急的吧。"), ("staff", 6.5, 8, "好，签个字。"),
               ("staff", 20, 22, "请您为我的服务做个评价，您慢走。")]
    assert not _found(decided, "A5-ANSWER")[0]  # 吧。 decides, it does not ask


CLOSE = ("staff", 60, 63, "请您为我的服务做个评价，您慢走。")


def test_an_answer_to_the_other_question_does_not_answer_this_one():
    """Two questions of different kinds: 三天 answers when, not how much; the clerk then moves on."""
    turns = [GREET, ("citizen", 3, 8, "换个驾照要几天？"), ("citizen", 8.2, 10, "得交多少钱？"),
             ("staff", 10.5, 12, "三天左右。"), ("citizen", 12.5, 13, "嗯。"),
             ("staff", 20, 23, "您把体检表给我。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER")[0]
    assert "多少钱" in f.detail["question"]
    both = [*turns[:3], ("staff", 10.5, 12, "三天左右，工本费十元。"), *turns[4:]]
    assert not _found(both, "A5-ANSWER")[0]


def test_a_yes_or_no_word_inside_the_procedure_is_no_answer():
    """核对 holds 对 and 别眨眼 holds 别, yet neither says yes or no to 能邮寄吗."""
    for reply in ("来，您核对一下手机号。", "看这边镜头，别眨眼。"):
        turns = [GREET, ("citizen", 3, 6, "证办好了能邮寄吗？"), ("staff", 6.5, 9, reply),
                 ("citizen", 9.5, 10, "哦。"), ("staff", 30, 32, "好了，这是您的回执。"), CLOSE]
        assert _found(turns, "A5-ANSWER")[0], reply
    for reply in ("能，填个地址就行。", "这个寄不了，得本人来取。", "邮寄也能办。"):
        turns = [GREET, ("citizen", 3, 6, "证办好了能邮寄吗？"), ("staff", 6.5, 9, reply), CLOSE]
        assert not _found(turns, "A5-ANSWER")[0], reply


def test_a_stall_promises_an_answer_but_is_none():
    """稍等，我查一下 answers nothing; the answer that follows it does, and only it."""
    turns = [GREET, ("citizen", 3, 6, "这个证多久能办下来？"), ("staff", 6.5, 8, "稍等，我查一下。"),
             ("staff", 20, 23, "您在这儿签个字。"), CLOSE]
    assert _found(turns, "A5-ANSWER")[0]
    answered = [*turns[:3], ("staff", 15, 17, "查到了，十个工作日。"), *turns[3:]]
    assert not _found(answered, "A5-ANSWER")[0]


def test_asking_whether_this_is_the_place_is_answered_by_taking_the_matter_up():
    turns = [GREET, ("citizen", 3, 6, "营业执照变更是在这儿办吧？"),
             ("staff", 6.5, 9, "身份证给我，我先登记一下。"), CLOSE]
    assert not _found(turns, "A5-ANSWER")[0]


def test_a_question_the_citizen_answers_himself_or_a_request_owes_no_answer():
    mine = [GREET, ("citizen", 3, 5, "我那张回执放哪儿了？"), ("citizen", 9, 10, "哦，在兜里呢。"),
            ("staff", 11, 13, "请您把表填一下。"), CLOSE]  # found after a pause: a turn of its own
    assert not _found(mine, "A5-ANSWER")[0]
    request = [GREET, ("citizen", 3, 5, "能不能先帮我复印一下？"), ("staff", 6, 8, "好了，给您。"), CLOSE]
    assert not _found(request, "A5-ANSWER")[0]


def test_a_question_repeated_to_a_silent_clerk_is_ignoring_not_article_5():
    """A typed transcript: the citizen calling again is Article 8's 不理不睬, one finding."""
    turns = [GREET, ("citizen", 3, 5, "请问残疾证在哪里补办？"),
             ("citizen", 11, 13, "同志？听见没有？"), ("staff", 14, 16, "在三号窗口。")]
    found, report = _found(turns, "A5-ANSWER")
    assert not found and any(f.rule == "A8-IGNORE" for f in report.findings)
    one_turn = [GREET, ("citizen", 3, 5, "这个怎么办？"), ("citizen", 5.5, 7, "我带了身份证。"),
                ("staff", 8, 10, "给我看一下。")]
    assert not _found(one_turn, "A5-ANSWER")[0]


def test_a_last_question_counts_only_when_the_visit_ended():
    turns = [GREET, ("citizen", 3, 5, "我想办居住证。"), ("staff", 6, 8, "好的。"),
             ("citizen", 9, 11, "要多久能拿到？")]
    assert not _found(turns, "A5-ANSWER")[0]  # typed, no duration: may have been cut
    found, _ = _found(turns, "A5-ANSWER", duration=20.0)  # the citizen asked, then silence
    assert len(found) == 1 and "直到办事结束" in found[0].evidence  # Chinese first
    with language("en"):
        found, _ = _found(turns, "A5-ANSWER", duration=20.0)
    assert len(found) == 1 and "visit ended" in found[0].evidence


# ----------------------------------------------------------------- Article 16
def test_not_ours_without_a_pointer_owes_one():
    turns = [GREET, ("citizen", 3, 5, "我想办营业执照。"), ("staff", 6, 8, "这个不归我们管。"),
             ("citizen", 9, 10, "那我去哪里？"), ("staff", 11, 12, "你自己想办法吧。")]
    found, _ = _found(turns, "A16-G-POINTER")
    assert len(found) == 1 and found[0].kind == "missing" and found[0].article == 16
    assert found[0].detail["cue"] == "not_ours" and "不归我们管" in found[0].evidence


@pytest.mark.parametrize("pointer", ["请您到市场监管局大厅办理。", "您到五号窗口办理就行。",
                                     "他们的电话是六六八八一二三四。"])
def test_a_pointer_to_window_hall_or_phone_satisfies_it(pointer):
    turns = [GREET, ("citizen", 3, 5, "我想办营业执照。"), ("staff", 6, 8, "这个不归我们管。"),
             ("staff", 8.5, 11, pointer)]
    assert not _found(turns, "A16-G-POINTER")[0]


# ----------------------------------------------------------------- Article 17
def test_staff_cutting_in_is_an_interruption_but_a_backchannel_is_not():
    long_citizen = ("citizen", 3, 9, "我想问一下这个社保转移要怎么弄我之前在外地交的")
    found, _ = _found([GREET, long_citizen, ("staff", 5, 8, "你先别说了听我讲")], "A17-INTERRUPT")
    assert len(found) == 1 and found[0].detail["overlap_seconds"] >= 1.0
    assert not _found([GREET, long_citizen, ("staff", 5, 5.4, "嗯")], "A17-INTERRUPT")[0]
    late = [GREET, long_citizen, ("staff", 8.6, 10, "好的我来看一下")]  # 0.4 s overlap
    assert not _found(late, "A17-INTERRUPT")[0]


def test_raised_voices_over_overlapping_turns_are_a_quarrel():
    calm = [("staff", 10.0 * i, 10.0 * i + 3, "好的请稍等", -30.0) for i in range(4)]
    calm += [("citizen", 10.0 * i + 4, 10.0 * i + 7, "我明白了", -32.0) for i in range(4)]
    hot = [("staff", 50, 54, "我说了不行就是不行", -18.0),
           ("citizen", 52, 57, "你凭什么不给我办", -20.0),
           ("staff", 56, 59, "你爱去哪去哪", -19.0)]
    found, _ = _found(calm + hot, "A17-QUARREL")
    assert len(found) == 1 and found[0].detail["how"] in ("levels", "both")
    assert found[0].start >= 50
    assert not _found(calm, "A17-QUARREL")[0]
    # one side loud alone is not a quarrel
    alone = calm + [("staff", 50, 54, "我说了不行就是不行", -18.0),
                    ("citizen", 55, 57, "好吧", -32.0)]
    assert not _found(alone, "A17-QUARREL")[0]


def test_heated_words_back_and_forth_are_a_quarrel_without_audio():
    turns = [GREET, ("citizen", 3, 5, "我想办居住证。"),
             ("staff", 6, 8, "没看我正忙着吗？"), ("citizen", 9, 11, "你什么态度！"),
             ("staff", 12, 14, "我就是这样的，你能把我怎么样？"), ("citizen", 15, 17, "太不像话了！")]
    found, _ = _found(turns, "A17-QUARREL")
    assert len(found) == 1 and found[0].detail["how"] == "words"
    one_way = turns[:4]  # staff rude once, the citizen upset once: no back and forth
    assert not _found(one_way, "A17-QUARREL")[0]
    # the citizen's one protest between two rude lines is no back and forth either (issue 23, duty4)
    assert not _found(turns[:5], "A17-QUARREL")[0]


def test_a_clerk_who_stays_sharp_after_the_citizens_reply_is_quarrelling():
    """Citizen heated, clerk sharp, the citizen answers (not heated in words), the clerk sharp again,
    the citizen heated again: each side heated twice, back and forth."""
    turns = [GREET, ("citizen", 3, 5, "我想办居住证。"), ("citizen", 6, 8, "你什么态度！"),
             ("staff", 9, 11, "我就是这样的，你能把我怎么样？"), ("citizen", 12, 14, "那我找你们领导去。"),
             ("staff", 15, 16, "你去投诉好了！"), ("citizen", 16.5, 18, "太不像话了！")]
    found, _ = _found(turns, "A17-QUARREL")
    assert len(found) == 1 and found[0].detail["how"] == "words"
    # two sharp sentences in one breath, with no reply between, are one turn: no back and forth
    one_breath = [*turns[:4], ("staff", 12, 13, "你去投诉好了！"), ("citizen", 14, 15, "行。")]
    assert not _found(one_breath, "A17-QUARREL")[0]


# ----------------------------------------------------------------- Article 18
def test_materials_added_after_the_list_are_piecemeal():
    turns = [GREET, ("citizen", 3, 5, "我想办居住证。"), ("staff", 6, 8, "您需要带身份证和租房合同。"),
             ("citizen", 9, 10, "好的我明天带来。"), ("staff", 11, 13, "哦对了还需要一张照片。")]
    found, _ = _found(turns, "A18-PIECEMEAL")
    assert len(found) == 1 and found[0].article == 18 and "照片" in found[0].evidence
    at_once = [GREET, ("citizen", 3, 5, "我想办居住证。"),
               ("staff", 6, 9, "您需要带身份证，还有照片也要带。")]
    assert not _found(at_once, "A18-PIECEMEAL")[0]


def _handed_then(told, added):
    """A list told, the papers handed over and looked at, then one more staff sentence."""
    return [GREET, ("citizen", 3, 5, "我来办个手续。"), ("staff", 6, 9, told),
            ("citizen", 9.5, 10, "好嘞。"), ("citizen", 60, 63, "都拿来了，你看看。"),
            ("staff", 64, 66, "嗯，我看一下。"), ("staff", 67, 69, added)]


def test_a_material_added_in_plain_words_after_the_papers_came_is_piecemeal():
    """还得再准备 / 也得有 + a material, said after the papers came back, adds one (act heard or not)."""
    for told, added in (("您带户口本和身份证过来。", "嗯，还得再准备一张银行卡。"),
                        ("带上发票和身份证就行。", "噢，病历也得有。")):
        found = _found(_handed_then(told, added), "A18-PIECEMEAL", ACTS_ON)[0]
        assert len(found) == 1 and found[0].detail["added"] == added, added
    handed = [GREET, ("citizen", 3, 5, "我来办居住证。"), ("staff", 6, 9, "您带户口本和身份证过来。"),
              ("citizen", 9.5, 10, "好嘞。"), ("citizen", 60, 63, "这是户口本，这是身份证。"),
              ("staff", 64, 66, "好了，已经受理了。"), ("staff", 67, 69, "嗯，还得再准备一张银行卡。")]
    assert _found(handed, "A18-PIECEMEAL", ACTS_ON)[0]  # handing them over closed the list


def test_saying_where_to_get_a_paper_is_no_list_of_materials():
    """到社区开就可以 tells where, it names no material: a later 还差一份证明 adds to no list."""
    turns = [GREET, ("citizen", 3, 5, "这个证明去哪开？"), ("staff", 6, 8, "到社区开就可以。"),
             ("citizen", 8.5, 9, "好的。"), ("staff", 10, 12, "我先核对一下信息。"),
             ("staff", 13, 15, "您这个手续不全，还差一份证明。")]
    assert not _found(turns, "A18-PIECEMEAL", ACTS_ON)[0]


def test_a_copy_missing_is_of_a_material_told_but_asking_for_originals_adds_one():
    told = "带上租房合同和营业执照的复印件。"
    assert not _found(_handed_then(told, "您这还缺一份复印件。"), "A18-PIECEMEAL", ACTS_ON)[0]
    assert _found(_handed_then(told, "另外还得带原件。"), "A18-PIECEMEAL", ACTS_ON)[0]


def test_a_citizen_reporting_an_earlier_visit_is_marked_and_costs_nothing():
    turns = [GREET, ("citizen", 3, 6, "上次没说还要户口本，我又跑了一趟。"),
             ("staff", 7, 9, "不好意思，给您添麻烦了。")]
    found, report = _found(turns, "A18-EARLIER")
    assert len(found) == 1 and found[0].detail["about"] == "earlier_visit"
    assert found[0].kind == "earlier_visit"
    assert found[0].points == 0  # the deduction applied: the earlier visit is not this one's


# ----------------------------------------------------------------- Article 25
CLOSED = [GREET, ("citizen", 3, 5, "我想办居住证。"), ("staff", 6, 8, "下班了，明天再来。")]


def test_sent_away_as_closing_within_service_hours_weighs_more():
    inside, r_in = _found(CLOSED, "A25-HOURS", started_at="2026-11-03T10:15:00+08:00")
    assert len(inside) == 1 and inside[0].detail["within_service_hours"]
    phrase = next(f for f in r_in.findings if f.rule == "A9-F-01")
    assert phrase.detail["hours"]["within_service_hours"]
    assert "在工作时间内" in phrase.detail["hours"]["said"]
    with language("en"):
        english = next(f for f in _found(CLOSED, "A25-HOURS", started_at="2026-11-03T10:15:00+08:00"
                                         )[1].findings if f.rule == "A9-F-01")
    assert "within service hours" in english.detail["hours"]["said"]
    outside, r_out = _found(CLOSED, "A25-HOURS", started_at="2026-11-03T18:20:00+08:00")
    assert not outside
    assert r_in.score < r_out.score  # same words, more weight inside the hours
    weekend, _ = _found(CLOSED, "A25-HOURS", started_at="2026-11-07T10:15:00+08:00")  # Saturday
    assert not weekend


def test_service_hours_are_configurable_per_hall_and_checked():
    opts = OPTS.with_overrides({"duties.hall_hours": [["东城", "09:00-12:00,13:00-19:00"]]})
    late = dict(started_at="2026-11-03T18:30:00+08:00")
    assert _found(CLOSED, "A25-HOURS", opts, hall="东城", **late)[0]
    assert not _found(CLOSED, "A25-HOURS", opts, hall="西城", **late)[0]
    with pytest.raises(OptionError, match="duties"):
        OPTS.with_overrides({"duties.service_hours": ["8:30 to 12"]})


def test_a_call_that_rang_out_unanswered_within_hours_is_article_7():
    record = dict(channel="phone", rings=6)
    found, report = _found([], "A7-UNANSWERED", started_at="2026-11-03T10:15:00+08:00", **record)
    assert len(found) == 1 and found[0].article == 7 and "始终无人接听" in found[0].evidence
    with language("en"):
        english = _found([], "A7-UNANSWERED", started_at="2026-11-03T10:15:00+08:00", **record)[0]
    assert "never answered" in english[0].evidence
    assert not any(f.rule == "A7-RING" for f in report.findings)  # not "answered after 6 rings"
    assert not _found([], "A7-UNANSWERED", started_at="2026-11-03T20:15:00+08:00", **record)[0]
    assert not _found([], "A7-UNANSWERED", started_at="2026-11-03T10:15:00+08:00",
                      channel="phone", rings=2)[0]  # the caller gave up before the third ring
    # the third ring rang out unanswered: the allowed rings are spent, the duty broken
    assert _found([], "A7-UNANSWERED", started_at="2026-11-03T10:15:00+08:00",
                  channel="phone", rings=3)[0]
    answered = [("staff", 30, 33, "您好，这里是东城区政务大厅三号窗口。")]
    assert not _found(answered, "A7-UNANSWERED", started_at="2026-11-03T10:15:00+08:00",
                      **record)[0]


# ----------------------------------------------------------------- the rules as data
def test_every_new_rule_cites_the_seed_and_has_points(seed_path: Path):
    text = re.sub(r"\n\d+、", "", seed_path.read_text(encoding="utf-8"))
    lex = load_lexicon()
    template = analyzer.pipeline.get_template(OPTS, lex)
    new = [r for r in lex.rules if r.article in (5, 16, 17, 18, 25) or r.id == "A7-UNANSWERED"]
    assert {r.article for r in new} == {5, 7, 16, 17, 18, 25}
    for rule in new:
        assert rule.cite in text, rule.id
    for rid in ("A5-ANSWER", "A16-G-POINTER", "A17-INTERRUPT", "A17-QUARREL", "A18-PIECEMEAL",
                "A18-EARLIER", "A25-HOURS", "A7-UNANSWERED"):
        assert rid in template.points, rid


def test_the_options_applied_are_recorded():
    opts = OPTS.with_overrides({"duties.interrupt_seconds": 2.5})
    report = analyzer.analyze(_record([GREET]), opts)
    assert report.analyzer.options["duties"]["interrupt_seconds"] == 2.5


def test_heated_turns_far_apart_are_not_a_quarrel():
    turns = [("staff", 0, 2, "没看我正忙着吗？"), ("citizen", 3, 5, "我想办居住证。"),
             ("staff", 6, 8, "好的请稍等。"), ("citizen", 9, 11, "你什么态度！"),
             ("staff", 12, 14, "您的材料我看一下。"), ("citizen", 15, 16, "好的。"),
             ("staff", 17, 19, "你去投诉好了。")]
    assert not _found(turns, "A17-QUARREL")[0]


def test_a_question_without_its_mark_is_still_a_question():
    """Whisper often writes a question with a full stop: 大概有多久能办好。"""
    turns = [GREET, ("citizen", 3, 5, "大概有多久能办好。"), ("staff", 5.5, 7, "你先去取个号。"),
             ("staff", 30, 33, "请您为我的服务做个评价，您慢走。")]
    found, _ = _found(turns, "A5-ANSWER")
    assert len(found) == 1 and not found[0].detail["question_mark"]


# Article 5 with the staff act detector on (the product's defaults): its answer acts
# (ans_cost, ans_time, ans_place, ans_material, ans_way, ans_yesno) say whether a reply
# answers at all, so words that only look like an answer (行 is also a row of a form)
# do not answer a question the clerk went past.
ACTS_ON = AnalyzerOptions()


def test_a_later_word_that_only_looks_like_an_answer_leaves_the_question_open():
    turns = [GREET, ("citizen", 3, 6, "请问公积金在哪个窗口办？"),
             ("staff", 6.5, 8.5, "您先把手指放这儿按一下。"), ("citizen", 9, 9.5, "嗯。"),
             ("staff", 12, 14, "行，我这边给您登记。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "公积金" in f.detail["question"]
    answered = [*turns[:4], ("staff", 12, 14, "公积金在二楼八号窗口。"), CLOSE]
    assert not _found(answered, "A5-ANSWER", ACTS_ON)[0]


def test_a_question_whether_it_can_be_done_now_is_answered_by_when():
    """现在能办吗 asks about the time: 九点才开 answers it, though it says no yes or no."""
    turns = [GREET, ("citizen", 3, 6, "这会儿能交材料吗？"),
             ("staff", 6.5, 10, "系统九点才开，您先把表填上，一会儿叫您。"), CLOSE]
    assert not _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert not _found(turns, "A5-ANSWER")[0]


def test_which_one_is_answered_by_pointing_at_it_even_inside_an_instruction():
    """哪个 has no answer act of its own: 点这个绿色的 answers it by the words alone."""
    turns = [GREET, ("citizen", 3, 5, "先点哪个？"), ("staff", 5.5, 8, "点这个绿色的按钮，然后选社保。"),
             ("citizen", 8.5, 9, "哦。"), ("staff", 20, 22, "好了，办好了。"), CLOSE]
    assert not _found(turns, "A5-ANSWER", ACTS_ON)[0]


def test_a_question_whether_it_can_be_done_now_or_today_is_answered_by_when():
    """这会儿能…吗 / 今天能…吗 ask about the time: a time answers them, with no yes or no."""
    for question, reply in (("这会儿能交材料吗？", "系统九点开，您先把表填上。"),
                            ("今天能拿到吗？", "下礼拜三，您先在这儿签字。")):
        turns = [GREET, ("citizen", 3, 6, question), ("staff", 6.5, 10, reply),
                 ("citizen", 10.5, 11, "哦。"), ("staff", 30, 32, "好了，办好了。"), CLOSE]
        for options in (OPTS, ACTS_ON):
            assert not _found(turns, "A5-ANSWER", options)[0], (question, options.classifier.enabled)


def test_a_citizen_who_finds_what_he_asked_after_answered_himself():
    turns = [GREET, ("citizen", 3, 6, "我来领证。我那副老花镜放哪了呢？"),
             ("citizen", 9, 10, "哦，找着了。"), ("staff", 11, 13, "您在这儿签个字。"),
             ("citizen", 13.5, 14, "好。"), ("staff", 30, 32, "好了，办好了。"), CLOSE]
    assert not _found(turns, "A5-ANSWER", ACTS_ON)[0]


def test_saying_the_work_is_done_is_no_yes():
    """行了，这个弄完了 closes the work; it does not say yes to 收入证明也能开吗."""
    turns = [GREET, ("citizen", 3, 6, "收入证明也能开吗？"), ("staff", 6.5, 8, "行了，这个弄完了。"),
             ("citizen", 8.5, 9.5, "谢谢啊。"), CLOSE]
    assert _found(turns, "A5-ANSWER", ACTS_ON)[0]
    yes = [*turns[:2], ("staff", 6.5, 8, "行，您稍等我给您打出来。"), *turns[3:]]
    assert not _found(yes, "A5-ANSWER", ACTS_ON)[0]


def test_taking_the_matter_in_says_yes_to_is_it_here():
    """录进去 holds 去 but sends nobody away: 是在这儿交吧 is answered by taking it up."""
    turns = [GREET, ("citizen", 3, 5, "是在这儿交吧？"), ("staff", 5.5, 8, "嗯，我先把您的信息录进去。"),
             ("citizen", 8.5, 9, "好。"), ("staff", 30, 32, "好了，办好了。"), CLOSE]
    assert not _found(turns, "A5-ANSWER", ACTS_ON)[0]


def test_an_answer_of_another_kind_leaves_the_second_question_open():
    """收不收工本费 asks a cost; 户口本要不要 a material. Naming the papers answers only the second."""
    turns = [GREET, ("citizen", 3, 8, "收不收工本费？户口本要不要？"),
             ("staff", 8.5, 11, "户口本和结婚证都要原件。"), ("citizen", 11.5, 12, "好的。"),
             ("staff", 30, 32, "你先把这张表填了。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "工本费" in f.detail["question"] and "cost" in f.detail["kinds"]


def test_a_sum_of_money_counts_no_copies():
    """三十块 answers how much, not how many copies: the number is the money's."""
    turns = [GREET, ("citizen", 3, 8, "这个收不收钱？复印件要几份？"),
             ("staff", 8.5, 11, "三十块，那边机器上交。"), ("citizen", 11.5, 12, "嗯嗯。"),
             ("staff", 30, 32, "你先把这张表填了。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "复印件" in f.detail["question"]


def test_a_later_word_that_echoes_the_verb_about_something_else_is_no_answer():
    """要本人来吗 is not answered later by 要带户口本 (materials), nor 在哪儿 by 所需 (a list)."""
    turns = [GREET, ("citizen", 3, 6, "要本人来办吗？"), ("staff", 6.5, 8, "您先在这儿按个手印。"),
             ("citizen", 8.5, 9, "嗯。"), ("staff", 12, 15, "要带户口本和结婚证，就这些。"), CLOSE]
    assert _found(turns, "A5-ANSWER", ACTS_ON)[0]
    where = [GREET, ("citizen", 3, 6, "复印的地方在哪儿？"), ("staff", 6.5, 8, "您先在这儿按个手印。"),
             ("citizen", 8.5, 9, "嗯。"), ("staff", 12, 15, "这是所需材料的清单，您拿好。"), CLOSE]
    assert _found(where, "A5-ANSWER", ACTS_ON)[0]


def test_an_instruction_that_is_no_step_of_the_way_does_not_answer_how():
    """Mid-visit, 这个流程怎么走 is not answered by 您核对一下信息; opening a visit, 居住证怎么办
    asks for the service, and taking it up answers it."""
    turns = [GREET, ("citizen", 3, 5, "我来办居住证。"), ("staff", 5.5, 7, "好的，我看一下。"),
             ("citizen", 8, 10, "这个流程是怎么走的？"), ("staff", 10.5, 12, "您核对一下信息。"),
             ("citizen", 12.5, 13, "嗯。"), ("staff", 40, 42, "好了，办好了。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "流程" in f.detail["question"]
    opening = [GREET, ("citizen", 3, 6, "你好，居住证怎么办？"), ("staff", 6.5, 8, "您核对一下信息。"),
               ("citizen", 8.5, 9, "嗯。"), ("staff", 40, 42, "好了，办好了。"), CLOSE]
    assert not _found(opening, "A5-ANSWER", ACTS_ON)[0]


def test_a_sum_of_money_is_no_answer_to_a_second_yes_or_no_question():
    """收费吗？能寄到家吗？ … 收二十块钱: the reply is heard giving a cost only; 能寄吗 stays open."""
    turns = [GREET, ("citizen", 3, 7, "这个收费吗？办好了能寄到家里吗？"), ("staff", 7.5, 9, "收二十块钱。"),
             ("citizen", 9.5, 10, "嗯。"), ("staff", 30, 32, "您在这儿签个字。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "寄" in f.detail["question"]
    both = [*turns[:2], ("staff", 7.5, 9, "收二十块钱，能寄，留个地址就行。"), *turns[3:]]
    assert not _found(both, "A5-ANSWER", ACTS_ON)[0]


def test_a_question_answered_in_forbidden_words_is_that_phrase_article_not_article_5():
    """你的记性真差 … is Article 10's forbidden phrase; the clerk did reply, so no A5 besides."""
    turns = [GREET, ("citizen", 3, 6, "结婚证也要带吗？"), ("staff", 6.5, 9, "你的记性真差，先把这张单子签了。"),
             ("citizen", 9.5, 10, "哦。"), ("staff", 30, 32, "好了，办好了。"), CLOSE]
    found, report = _found(turns, "A5-ANSWER", ACTS_ON)
    assert not found and any(f.rule == "A10-F-02" for f in report.findings)


def test_a_telling_is_read_from_the_words_only_with_a_need_and_a_material():
    from analyzer.rules.materials import told_by_words
    from analyzer.types import Utterance

    def staff(text):
        return Utterance(speaker="staff", start=0.0, end=1.0, text=text)

    for said in ("户口本得带上。", "您还缺个结婚证。", "结婚证和户口本您准备好。"):
        (cue,) = told_by_words([staff(said)], [])
        assert cue.kind == "materials_listed" and cue.source == "pattern", said
    for said in ("外地交的社保先开转出凭证。", "户口本带了吗？", "要，交个押金一百，退卡时退您。"):
        assert not told_by_words([staff(said)], []), said


def test_a_yes_or_no_belongs_to_the_question_the_reply_talks_about():
    """两个是否问题: 驾照要体检表吗？ 今天能拿到吗？ … a reply about the form (要，体检表原件) says
    nothing of today; a later sentence naming the licence again (驾照一共六十块) still does not."""
    turns = [GREET, ("citizen", 3, 6, "我来换驾照。"), ("staff", 6.5, 8, "好的，身份证给我。"),
             ("citizen", 8.5, 13, "体检表要原件吗？今天能拿到新证吗？"),
             ("staff", 13.5, 17, "体检表要原件，复印的不行。您先到那边拍个照。"), ("citizen", 17.5, 18, "好。"),
             ("staff", 50, 53, "换驾照一共六十块，您扫这个码。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "今天" in f.detail["question"]
    told = [*turns[:7], ("staff", 54, 56, "今天就能拿，半小时后到三号窗口取。"), CLOSE]
    assert not _found(told, "A5-ANSWER", ACTS_ON)[0]


def test_a_counter_question_about_the_procedure_is_no_clarification():
    """您要哪一档？ asks the citizen's choice, not what he meant: 公积金能一起转吗 stays open;
    a bare 哪个？ asks what he meant and may come before the answer."""
    turns = [GREET, ("citizen", 3, 7, "我来转社保关系，顺带问问，公积金能一起转吗？"),
             ("staff", 7.5, 10, "社保请您出示身份证。您要转到哪一个统筹地区？"), ("citizen", 10.5, 11, "省内。"),
             ("staff", 40, 42, "好了，转出单您收好。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "公积金" in f.detail["question"]
    asked_back = [*turns[:2], ("staff", 7.5, 9, "哪个？"), *turns[3:]]
    assert not _found(asked_back, "A5-ANSWER", ACTS_ON)[0]


def test_an_instruction_heard_answering_nothing_does_not_answer_by_its_words():
    """身份证复印件要带吗？ … 您先去那边复印一下 names a copy but tells nothing about bringing one."""
    turns = [GREET, ("citizen", 3, 6, "我办居住证。"), ("citizen", 6.5, 9, "租房合同要带吗？"),
             ("staff", 9.5, 11, "您先去那边把身份证复印一下。"), ("citizen", 11.5, 12, "行。"),
             ("staff", 40, 42, "好了，办好了。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "合同" in f.detail["question"]


def test_whether_someone_else_may_act_is_a_question_not_a_request():
    """我老伴能帮我来领吗 asks who may collect (owed an answer); 能帮我复印一下吗 asks the clerk."""
    turns = [GREET, ("citizen", 3, 6, "我老伴能帮我来领吗？"), ("staff", 6.5, 8, "来，看这个镜头。"),
             ("citizen", 8.5, 9, "好。"), ("staff", 40, 42, "好了，办好了。"), CLOSE]
    assert _found(turns, "A5-ANSWER", ACTS_ON)[0]
    asked = [*turns[:1], ("citizen", 3, 6, "同志，能帮我复印一下吗？"), *turns[2:]]
    assert not _found(asked, "A5-ANSWER", ACTS_ON)[0]


def test_after_a_redirect_a_question_of_cost_or_time_is_still_owed_an_answer():
    """Sent elsewhere for one thing, the citizen asks what it costs: where to go is Article 16's, the
    cost is not."""
    turns = [GREET, ("citizen", 3, 5, "我办不动产登记。"), ("citizen", 5.5, 8, "交税去哪个窗口？"),
             ("staff", 8.5, 11, "交税不归我们管，你去别处问。"), ("citizen", 11.5, 14, "那这个登记得花多少钱？"),
             ("staff", 14.5, 16, "您在这儿签字。"), ("citizen", 16.5, 17, "嗯。"),
             ("staff", 40, 42, "好了，办好了。"), CLOSE]
    found, report = _found(turns, "A5-ANSWER", ACTS_ON)
    assert [f.detail["question"] for f in found] == ["那这个登记得花多少钱？"]
    assert any(f.article == 16 for f in report.findings)


def test_a_further_material_on_a_return_visit_was_not_told_at_once():
    """我又来了，上回说差结婚证 … 另外还得有单位的收入证明: the last visit did not tell all of it,
    even when the clerk asks after it in the same breath."""
    turns = [GREET, ("citizen", 3, 7, "同志我又来了，上回你说差结婚证，这回带来了。"),
             ("staff", 8, 12, "好，结婚证有了。另外还得有单位开的收入证明，您带了吗？"),
             ("citizen", 12.5, 14, "这个没人跟我说过。"), ("staff", 15, 17, "那您先回去开一下。")]
    (f,) = _found(turns, "A18-PIECEMEAL", ACTS_ON)[0]
    assert f.detail["how"] == "across_visits" and "收入证明" in f.detail["added"]


def test_asking_for_the_papers_on_a_return_visit_reveals_nothing():
    """第二趟来了 … 要身份证，再加一张户口本 (a list to check) … 都在这儿: no new requirement; nor
    is 还要一张照片 when the citizen hands it over at once."""
    listed = [GREET, ("citizen", 3, 6, "这是我第二趟来了，办居住证。"),
              ("staff", 7, 10, "要身份证，再加一张户口本。"), ("citizen", 10.5, 12, "都在这儿，给你。"),
              ("staff", 30, 32, "好了，办好了。")]
    assert not _found(listed, "A18-PIECEMEAL", ACTS_ON)[0]
    handed = [*listed[:2], ("staff", 7, 10, "还要一张照片。"), ("citizen", 10.5, 12, "给，照片在这儿。"),
              *listed[4:]]
    assert not _found(handed, "A18-PIECEMEAL", ACTS_ON)[0]


# ------------------------------------------------------------------ Article 10 (owed replies)
def _owed(turns, rule):
    return _found(turns, rule, ACTS_ON)[0]


def test_a_suggestion_the_model_is_unsure_of_owes_thanks_when_its_words_suggest():
    """得多放几把椅子 proposes a change in so many words: left without thanks it is a finding."""
    turns = [GREET, ("citizen", 3, 5, "我来办社保卡。"), ("citizen", 5.5, 8, "你们这儿得多放几把椅子。"),
             ("staff", 8.5, 10, "好，您稍等。"), ("staff", 30, 32, "好了，办好了。"), CLOSE]
    assert _owed(turns, "A10-G-SUGGESTION")
    thanked = [*turns[:3], ("staff", 8.5, 10, "谢谢您的建议，我们会向领导反映。"), *turns[4:]]
    assert not _owed(thanked, "A10-G-SUGGESTION")


def test_words_confirm_a_cue_only_of_their_own_kind():
    from analyzer.rules.context import _in_words

    assert _in_words("praise", "小姑娘办事挺细心的嘛。") and _in_words("suggestion", "排队的地方该装个空调。")
    assert not _in_words("praise", "你们这办事效率高吗？")  # asked, not praised
    assert not _in_words("suggestion", "我来办社保卡。") and not _in_words("praise", "辛苦了，谢谢。")
    assert _in_words("upset", "凭什么他先办我后办？") and _in_words("upset", "我都跑了四趟了！")
    assert not _in_words("upset", "我来办社保卡，要跑几趟？") and _in_words("praise", "这姑娘真不赖。")


def test_an_upset_citizen_calmed_or_explained_to_in_other_words_is_answered():
    upset = ("citizen", 5.5, 8, "你们这是什么破流程，我都跑断腿了！")
    for reply in ("您先别着急，我这就给您办。", "是这样的，这个要先审核，我帮您催一下。"):
        turns = [GREET, ("citizen", 3, 5, "我来办低保。"), upset, ("staff", 8.5, 11, reply),
                 ("staff", 30, 32, "好了，办好了。"), CLOSE]
        assert not _owed(turns, "A10-G-UPSET"), reply
    ignored = [GREET, ("citizen", 3, 5, "我来办低保。"), upset, ("staff", 8.5, 10, "把表填了。"),
               ("staff", 30, 32, "好了，办好了。"), CLOSE]
    assert _owed(ignored, "A10-G-UPSET")
    rude = [*ignored[:3], ("staff", 8.5, 10, "我就是这样的，爱办不办。"), *ignored[4:]]
    assert _owed(rude, "A10-G-UPSET")  # 就是这样的 is no explanation


def test_a_complaint_about_the_time_answered_with_a_time_owes_no_calming():
    """都九点了，不是八点半开门吗？ … 系统九点一刻才开，再等五分钟: answered in fact."""
    turns = [("citizen", 0, 3, "同志，能办了吗？"), ("staff", 3.5, 5, "稍等，系统还没好。"),
             ("citizen", 6, 9, "这都九点了，你们不是八点半上班吗？"),
             ("staff", 9.5, 12, "系统九点一刻才开，再等五分钟。"), ("staff", 300, 302, "您好，办什么？"),
             ("citizen", 303, 305, "换社保卡。"), ("staff", 306, 308, "好了，办好了。"), CLOSE]
    assert not _owed(turns, "A10-G-UPSET")


def test_sent_back_for_a_missing_paper_without_apology_or_list_is_owed_both():
    """少了一个签字 … 补上再拿过来 turns the citizen away for a missing paper: the apology (and the
    list) are owed, in whatever words the clerk turned him away; 记不全 is the clerk's memory."""
    away = [GREET, ("citizen", 3, 5, "我来办退休审批，材料都在这。"),
            ("staff", 6, 10, "申请表上少了您爱人的签名，让她签了再拿过来。"), ("citizen", 10.5, 11, "啊，好吧。")]
    assert _found(away, "A10-G-APOLOGY", ACTS_ON)[0]  # naming the one missing paper may be its list
    other = [*away[:2], ("staff", 6, 10, "您这少了一个担保人的签字，先补上，补完了拿过来我再看。"), away[3]]
    assert _found(other, "A10-G-APOLOGY", ACTS_ON)[0]
    handled = [*away[:2], ("staff", 6, 12, "对不起，您这证明缺个单位公章，这是材料清单，请您补全手续再来办理。"),
               away[3]]
    assert not _found(handled, "A10-G-APOLOGY", ACTS_ON)[0]
    memory = [*away[:2], ("staff", 6, 10, "其他的我也记不全了，下回来再说吧。"), away[3]]
    assert not _found(memory, "A10-G-APOLOGY", ACTS_ON)[0]


def test_a_colleague_away_is_a_deferral_within_the_hours_not_the_closing_phrase():
    """办这个的老师开会去了，你明天再来 sends the citizen away for a colleague's absence, not for the
    hour: Article 25 within service hours, not 下班了，明天再来 (Article 9); the hour said in so many
    words stays Article 9's."""
    away = [GREET, ("citizen", 3, 5, "我想办居住证。"), ("staff", 6, 9, "办这个的老师今天开会去了，你明天再来。")]
    found, report = _found(away, "A25-HOURS", ACTS_ON, started_at="2026-11-04T10:15:00+08:00")
    assert found and not any(f.article == 9 for f in report.findings)
    closing = [*away[:2], ("staff", 6, 9, "我这儿到点下班了，你明天再来。")]
    report = _found(closing, "A25-HOURS", ACTS_ON, started_at="2026-11-04T10:15:00+08:00")[1]
    assert any(f.rule == "A9-F-01" for f in report.findings)


def test_an_afterthought_naming_the_material_in_the_next_clause_adds_it():
    """噢还落下一样，病历: the afterthought and the material in two clauses are one addition."""
    turns = _handed_then("您带户口本和身份证过来。", "噢还落下一样，病历。")
    (f,) = _found(turns, "A18-PIECEMEAL", ACTS_ON)[0]
    assert f.detail["how"] == "added"


def test_a_reply_to_the_other_question_of_the_turn_is_read_as_a_first_reply():
    """复印机在哪儿？要交多少钱？ … 拐过去，挨着六号那边: the first reply answers where (leniently,
    as a first reply, heard or not) and so leaves the cost open."""
    turns = [GREET, ("citizen", 3, 5, "我来办居住证。"), ("citizen", 5.5, 9, "复印机在哪儿？要交多少钱？"),
             ("staff", 9.5, 11, "拐过去，挨着六号那边。"), ("citizen", 11.5, 12, "哦。"),
             ("staff", 30, 32, "请您核对一下信息。"), ("staff", 40, 42, "好了，办好了。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "多少钱" in f.detail["question"]


def test_sent_elsewhere_in_other_words_owes_a_pointer_a_named_window_pays_it():
    """换个地方问吧 sends the citizen away naming nowhere (Article 16); 不归我们管，您到三楼六号窗口
    names where."""
    turns = [GREET, ("citizen", 3, 5, "我想问问公租房怎么申请。"), ("staff", 6, 8, "大姐，您换个地方问吧。"),
             ("citizen", 8.5, 9, "哦。")]
    assert _found(turns, "A16-G-POINTER", ACTS_ON)[0]
    pointed = [*turns[:2], ("staff", 6, 8, "这个不归我们管，您到三楼六号窗口。"), turns[3]]
    assert not _found(pointed, "A16-G-POINTER", ACTS_ON)[0]


def _staff_finding(rule, article, kind, text, i, method="paraphrase"):
    from analyzer.types import Finding

    return Finding(rule=rule, article=article, kind=kind, canonical=rule, speaker="staff", start=6.0,
                   end=8.0, evidence=text, confidence=0.9, points=10,
                   detail={"method": method, "utterances": [i]})


def test_hurrying_one_still_served_is_the_rush_not_a_closing_within_the_hours():
    """A closing reading (A9-F-01) of the very words found as the rush (A9-F-02: 磨蹭什么，我都快下班了)
    with no 'come again' in them is no refusal for the hour: no A25, no second Article 9 finding;
    with 明天再来 in the words it stays both."""
    from analyzer.rules.duties import service_hours
    from analyzer.text.transcript import parse_interaction

    def run(text):
        turns = [GREET, ("citizen", 3, 5, "我来办养老认证。"), ("staff", 6, 8, text)]
        inter = parse_interaction(_record(turns, started_at="2026-11-04T15:05:00+08:00"))
        found = [_staff_finding("A9-F-01", 9, "forbidden", text, 2),
                 _staff_finding("A9-F-02", 9, "forbidden", text, 2)]
        return {f.rule for f in service_hours(inter, [], load_lexicon(), OPTS.duties, found)}

    assert run("磨蹭什么，我都快下班了。") == {"A9-F-02"}
    assert run("磨蹭什么，我都快下班了，明天再来吧。") == {"A9-F-01", "A9-F-02", "A25-HOURS"}


def test_the_next_step_later_is_no_requeue():
    """表审完了再去照相 puts a step after another, no queue and no shuttle: no A17 run-around;
    回来重新排队 is one."""
    from analyzer.rules.duties import runarounds
    from analyzer.text.transcript import parse_interaction
    from analyzer.types import Cue

    def run(text):
        inter = parse_interaction(_record([GREET, ("citizen", 3, 5, "要先去照相吗？"), ("staff", 6, 8, text)]))
        return runarounds(inter, [Cue("requeue", 2, 6.0, 8.0, text, 0.9, "classifier")], load_lexicon())

    assert not run("先不忙，材料审完了再去照相。")
    assert run("你先去复印，回来重新排队。")


def test_cutting_the_caller_off_to_hang_up_is_the_hang_up_not_an_interruption_besides():
    """Talked over to end the call (行了，先这样吧，挂了): Article 7's forced hang-up, no A17-INTERRUPT;
    cutting in mid-call and going on is still an interruption."""
    call = [("staff", 0.0, 3.0, "您好，这里是市政务大厅社保窗口。"),
            ("citizen", 3.5, 12.0, "我想问一下我父亲的养老金这个月怎么没到账，银行那边说要问你们"),
            ("staff", 8.0, 10.0, "行了，先这样吧，挂了。")]
    report = analyzer.analyze(_record(call, channel="phone"), ACTS_ON)
    rules = {f.rule for f in report.findings}
    assert "A7-HANGUP" in rules and "A17-INTERRUPT" not in rules
    going_on = [*call[:2], ("staff", 8.0, 10.0, "你等等，你先听我说完这个规定。"),
                ("citizen", 12.5, 14, "好，您说。"), ("staff", 14.5, 20, "养老金每月十五号发，您再等两天，还没到就再打来。"),
                ("citizen", 20.5, 21.5, "好的，谢谢。"), ("staff", 22, 23, "不客气，再见。")]
    rules = {f.rule for f in analyzer.analyze(_record(going_on, channel="phone"), ACTS_ON).findings}
    assert "A17-INTERRUPT" in rules and "A7-HANGUP" not in rules


def test_a_question_answered_only_when_asked_again_was_passed_over():
    """饮水机在哪儿？ … 您先按个手印 … 饮水机在哪儿？ … 门口左手边: the first reply went on with the
    procedure and the answer came only when the citizen asked again; a clerk who first said
    稍等，我查一下 had promised it."""
    turns = [GREET, ("citizen", 3, 5, "我来办社保卡。"), ("citizen", 5.5, 7, "饮水机在哪儿？"),
             ("staff", 7.5, 9, "您先按个手印。"), ("citizen", 9.5, 10, "好。"),
             ("citizen", 20, 22, "同志，饮水机在哪儿？"), ("staff", 22.5, 24, "门口左手边。"),
             ("staff", 40, 42, "好了，办好了。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert f.end == 9 and "饮水机" in f.detail["question"]
    promised = [*turns[:3], ("staff", 7.5, 9, "稍等，我查一下。"), *turns[4:]]
    assert not _found(promised, "A5-ANSWER", ACTS_ON)[0]


def test_a_redirect_of_the_business_later_does_not_excuse_an_earlier_question():
    """这个表去哪儿领？ … 您看一下镜头 … (later) 这个不在我们这儿办，您去别处看看: the question was passed
    over before anyone was sent away."""
    turns = [GREET, ("citizen", 3, 5, "我来交医保。"), ("citizen", 5.5, 7, "这个表去哪儿领？"),
             ("staff", 7.5, 9, "您看一下镜头。"), ("citizen", 9.5, 10, "好。"),
             ("staff", 12, 14, "好的，我登记一下。"), ("staff", 16, 18, "这个不在我们这儿办，您去别处看看。"),
             ("staff", 40, 42, "好了。"), CLOSE]
    found = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert [f.detail["question"] for f in found] == ["这个表去哪儿领？"]


def test_a_sum_a_verdict_and_a_lack_of_papers_are_read_from_the_words():
    """一共四十 is a sum of money; 别的都对 answers 对不对; 签名不全 is a lack of papers, 纪不全 (记不全
    misheard) the clerk's memory."""
    from analyzer.rules.answers import Question, answers, says_yes_or_no
    from analyzer.rules.context import incomplete_by_words
    from analyzer.types import Utterance

    cost = Question("这个要交钱吗？", frozenset({"cost", "yesno"}))
    assert answers(cost, "两本一共四十。", first=True, heard=frozenset())
    assert says_yes_or_no("地址写错了一个字，别的都对。")

    def staff(text):
        return [Utterance(speaker="staff", start=0.0, end=2.0, text=text)]

    assert incomplete_by_words(staff("申请表签名不全，补上再拿过来。"))
    assert not incomplete_by_words(staff("其他的我也纪不全了，您下回来再问。"))


def test_being_made_to_queue_again_is_read_from_the_words_alone():
    """先去二号窗口交钱，回来再排个号 re-queues the citizen whatever the act detector heard;
    回来直接找我，不用重新排队 spares the queue."""
    from analyzer.rules.duties import runarounds
    from analyzer.text.transcript import parse_interaction

    def run(text):
        inter = parse_interaction(_record([GREET, ("citizen", 3, 5, "我来办居住证。"), ("staff", 6, 9, text)]))
        return runarounds(inter, [], load_lexicon())

    assert run("您先去二号窗口交钱，回来再排个号。")
    assert run("两个窗口都得去，每次都要取号。")
    assert not run("您先去二号窗口交钱，回来直接找我，不用重新排队。")


def test_materials_told_one_per_turn_make_the_third_piecemeal_without_an_afterthought():
    """One item a turn, the citizen answering each: the third, in a later turn, was not told at once."""
    turns = [GREET, ("citizen", 3, 6, "我想给孩子办医保，要些什么？"),
             ("staff", 6.5, 9, "先得有孩子的户口簿。"), ("citizen", 9.5, 10.5, "行，这个家里有。"),
             ("staff", 11, 13, "还要家长的身份证。"), ("citizen", 13.5, 16, "你就不能一回都讲完吗？"),
             ("staff", 16.5, 19, "另外银行卡也要一张。"), ("citizen", 19.5, 21, "那我先回去拿。"), CLOSE]
    found = _found(turns, "A18-PIECEMEAL")[0]
    assert [f.start for f in found] == [16.5] and found[0].detail["how"] == "added"
    asked = [*turns[:3], ("citizen", 9.5, 10.5, "户口簿要原件吗？"), *turns[4:]]
    assert not _found(asked, "A18-PIECEMEAL")[0]  # answering a question about the first item
    listed = [GREET, turns[1], ("staff", 6.5, 12, "孩子的户口簿、家长的身份证，还有一张银行卡。"),
              turns[7], CLOSE]
    assert not _found(listed, "A18-PIECEMEAL")[0]


def test_a_phone_answer_that_leaves_the_materials_for_the_visit_is_piecemeal():
    """The caller asks what to bring; 来了再跟您说 tells none of it (the dev labels: Art. 18)."""
    turns = [("staff", 0, 3, "您好，这里是区政务服务中心。"),
             ("citizen", 3.5, 6, "请问开无犯罪记录证明得带什么东西？"),
             ("staff", 6.5, 10, "要的东西有好几样，您到窗口来了我再一样样跟您说。"),
             ("citizen", 10.5, 11, "哦，好。"), ("staff", 11.5, 13, "不客气，再见。")]
    (f,) = _found(turns, "A18-PIECEMEAL", channel="phone")[0]
    assert f.detail["how"] == "deferred" and f.start == 6.5
    assert not _found(turns, "A18-PIECEMEAL", channel="counter")[0]  # already at the counter
    hours = [*turns[:2], ("staff", 6.5, 10, "您明天过来以后再说吧，我们五点下班。"), *turns[3:]]
    hours[1] = ("citizen", 3.5, 6, "请问你们几点下班？")
    assert not _found(hours, "A18-PIECEMEAL", channel="phone")[0]  # nothing about materials


def test_hurrying_past_a_question_neither_answers_nor_excuses_it():
    """A rush (forbidden words) in reply to a question: the rush is Art. 9's, the question still Art. 5's."""
    turns = [GREET, ("citizen", 3, 5, "我来拿残疾证。"), ("staff", 5.5, 7, "证件给我。"),
             ("citizen", 7.5, 8, "给。"), ("staff", 30, 32, "好了，这里签个名。"),
             ("citizen", 32.5, 36, "这个证过几年要换新的吗？"),
             ("staff", 36.5, 39, "快点快点，别耽误时间，签完就走吧。"), ("citizen", 39.5, 40, "噢。"), CLOSE]
    found, report = _found(turns, "A5-ANSWER", ACTS_ON)
    assert len(found) == 1 and "换新" in found[0].detail["question"]
    assert any(f.rule == "A9-F-02" for f in report.findings)
    closing = [*turns[:5], ("citizen", 32.5, 35, "费用要我自己出吗？"),
               ("staff", 36.5, 39, "你弄快点，马上关门了。"), *turns[7:]]
    assert _found(closing, "A5-ANSWER", ACTS_ON)[0]  # neither 快点 nor 要 of 关门 answers it


def test_a_short_question_checking_the_list_is_not_upset():
    """就差这一个？ checks what the clerk said; a classifier upset cue on it owes no calming."""
    from analyzer.rules.context import _not_the_kind

    for text in ("就差这一个？", "只要这两份吗？", "那就只缺章了？"):
        assert _not_the_kind("upset", text), text
    for text in ("怎么又差一个？", "就差这一个你都不能通融？凭什么！", "为什么不早说？"):
        assert not _not_the_kind("upset", text), text
    turns = [GREET, ("citizen", 3, 6, "我来办护照。"),
             ("staff", 6.5, 10, "不好意思，您还缺户口簿复印件，请您补全手续再来办理，这是材料清单，请您收好。"),
             ("citizen", 10.5, 11, "就差这一个？"), ("staff", 11.5, 12, "对。"),
             ("citizen", 12.5, 13, "好，我去弄。"), CLOSE]
    assert not _found(turns, "A10-G-UPSET", ACTS_ON)[0]


def test_a_plain_question_after_the_clerks_apology_owes_no_calming(monkeypatch):
    """The classifier may hear a question about the list as upset; after 抱歉 and the list, it is owed nothing."""
    import analyzer.rules.learned as learned
    from analyzer.types import Cue

    def heard_upset(utts, options):
        return [Cue("upset", i, u.start, u.end, u.text, 0.9, "classifier")
                for i, u in enumerate(utts) if u.speaker == "citizen" and "？" in u.text]

    monkeypatch.setattr(learned, "citizen_cues", heard_upset)
    apology = "抱歉，您还缺结婚证复印件，请您补全手续再来办理，这是材料清单，请您收好。"
    turns = [GREET, ("citizen", 3, 6, "我来办独生子女证。"), ("staff", 6.5, 10, apology),
             ("citizen", 10.5, 12, "补完了直接来找你？"), ("staff", 12.5, 13, "对。"),
             ("citizen", 13.5, 14, "好，我去弄。"), CLOSE]
    assert not _found(turns, "A10-G-UPSET", ACTS_ON)[0]
    cross = [*turns[:3], ("citizen", 10.5, 12, "怎么不早说？"), *turns[4:]]
    assert _found(cross, "A10-G-UPSET", ACTS_ON)[0]  # a reproach still owes calming
    blunt = [*turns[:2], ("staff", 6.5, 10, "还缺结婚证复印件，补全手续再来办理，这是材料清单，请您收好。"),
             *turns[3:]]
    assert _found(blunt, "A10-G-UPSET", ACTS_ON)[0]  # no apology before it


def test_a_statement_ending_in_ma_asserts_it_asks_nothing():
    """嘛 closing a statement is assertive (an excuse, a claim); only a question mark makes it ask."""
    for excuse in ("车检晚了两天，这也不能全怪我嘛。", "我又没有骗你们嘛。"):
        turns = [GREET, ("citizen", 3, 6, excuse), ("staff", 7, 9, "把行驶证给我。"), CLOSE]
        assert not _found(turns, "A5-ANSWER")[0], excuse
    asked = [GREET, ("citizen", 3, 6, "车检晚了两天，这个也能补办嘛？"), ("staff", 7, 9, "把行驶证给我。"), CLOSE]
    assert _found(asked, "A5-ANSWER")[0]


IN_HOURS = {"started_at": "2026-11-04T10:15:00+08:00"}


def test_the_hours_told_when_asked_defer_nothing():
    """The clerk stating the schedule in reply to the citizen's question informs; it puts nothing off."""
    for reply in ("星期天不办公，工作日上午九点到十二点都能来，下午四点以后不收件了。",
                  "周六周日休息，平时中午十二点到两点午休，其余时间都行。",
                  "礼拜天不开门，周一到周五上午八点半到十二点，下午两点半到六点，你那时候再来。"):
        turns = [GREET, ("citizen", 3, 5, "你们礼拜天上班吗？"), ("staff", 6, 10, reply),
                 ("citizen", 11, 12, "晓得了。"), CLOSE]
        assert not _found(turns, "A25-HOURS", ACTS_ON, **IN_HOURS)[0], reply
    refused = [GREET, ("citizen", 3, 5, "你们几点下班？"), ("staff", 6, 10, "现在已经不收件了，你明天再来。"), CLOSE]
    assert _found(refused, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]


def test_a_matter_not_ready_yet_is_no_deferral_for_the_hour():
    """Article 25 is work put off for the time of day; a document still being made defers nothing."""
    for reply in ("电脑上看还在制证，今天领不走，过几天再来问。", "批文还没下来，你下礼拜再来看看。"):
        turns = [GREET, ("citizen", 3, 5, "我来取我的残疾证。"), ("staff", 6, 10, reply),
                 ("citizen", 11, 12, "行吧。"), CLOSE]
        found, report = _found(turns, "A25-HOURS", ACTS_ON, **IN_HOURS)
        assert not found and not any(f.article == 9 for f in report.findings), reply
    lunch = [GREET, ("citizen", 3, 5, "我来取我的残疾证。"), ("staff", 6, 10, "中午休息了，不办了，下午再来。"), CLOSE]
    assert _found(lunch, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]


def test_a_visit_closed_on_a_pick_up_instruction_and_thanks_still_owes_the_closing():
    """A typed visit that ends with the clerk saying when to collect and the citizen only saying
    thanks has ended: the instruction is no farewell, so evaluation and goodbye are owed."""
    body = [GREET, ("citizen", 3, 5, "我来办健康证。"), ("staff", 6, 8, "体检表给我。"), ("citizen", 9, 10, "给你。")]
    for end, thanks in (("行，弄好了，五个工作日后过来领卡。", "嗯，谢谢啊。"), ("可以了，下周二凭这张单子来取。", "好的好的。")):
        rules = {f.rule for f in _found([*body, ("staff", 30, 33, end), ("citizen", 34, 35, thanks)],
                                        "A10-G-GOODBYE", ACTS_ON)[1].findings}
        assert {"A10-G-EVALUATE", "A10-G-GOODBYE"} <= rules, end
    plan = [*body, ("staff", 30, 33, "可以了，下周二凭这张单子来取。"), ("citizen", 34, 35, "行，那我周二下午过来。")]
    assert _found(plan, "A10-G-GOODBYE", ACTS_ON)[0]  # accepting and restating the plan ends it too
    asking = [*body, ("staff", 30, 33, "可以了，下周二凭这张单子来取。"), ("citizen", 34, 35, "那要是我没空呢？")]
    assert not _found(asking, "A10-G-GOODBYE", ACTS_ON)[0]  # cut before the answer: not judged
    closed = [*body, ("staff", 30, 33, "可以了，下周二凭这张单子来取。"), ("staff", 33, 36, CLOSE[3]),
              ("citizen", 37, 38, "好的，谢谢。")]
    assert not _found(closed, "A10-G-GOODBYE", ACTS_ON)[0]


def test_sent_to_phone_an_office_without_its_number_is_a_vague_redirect():
    """打电话问问 needs the number: naming the office to ring, and 'look the number up yourself'
    when asked for it, points the citizen nowhere; the number itself, or the office's floor, does.
    The office alone to go to says whom, not where (issue 23, duty4)."""
    from analyzer.rules.destinations import names_destination

    assert not names_destination("这个归公积金中心管，你打个电话问问他们。")
    assert names_destination("你打0931-8765432问问公积金中心。")
    assert names_destination("你打电话问也行，或者直接去公积金中心三楼。")
    assert not names_destination("你直接去公积金中心问吧。")
    turns = [GREET, ("citizen", 3, 6, "我想把公积金取出来装修。"),
             ("staff", 7, 10, "这个归公积金中心管，你打个电话问问他们。"), ("citizen", 11, 12, "号码是多少？"),
             ("staff", 13, 15, "网上一搜就出来了。"), CLOSE]
    assert _found(turns, "A16-G-POINTER", ACTS_ON)[0]


def test_bounced_between_windows_and_sent_on_again_is_a_run_around():
    """A citizen another window sent here, or on a third trip, sent on once more is run around;
    made to queue again after asking elsewhere is too."""
    bounced = [GREET, ("citizen", 3, 6, "我办独生子女证，七号窗口叫我来这儿办。"),
               ("staff", 7, 10, "这个不归我们管，你去大厅门口的导服台问问。"), ("citizen", 11, 12, "唉。"), CLOSE]
    assert _found(bounced, "A17-RUNAROUND", ACTS_ON)[0]
    trips = [GREET, ("citizen", 3, 6, "我来来回回跑了四趟了，到底哪儿能办？"),
             ("staff", 7, 10, "这个不归我们管，你去别的地方问问。"), CLOSE]
    assert _found(trips, "A17-RUNAROUND", ACTS_ON)[0]
    requeue = [GREET, ("citizen", 3, 6, "我办独生子女证。"),
               ("staff", 7, 10, "你先去导服台问清楚，回来再排一下队。"), CLOSE]
    assert _found(requeue, "A17-RUNAROUND", ACTS_ON)[0]
    first = [GREET, ("citizen", 3, 6, "我办独生子女证。"), ("staff", 7, 10, "这个在二楼八号窗口办。"), CLOSE]
    assert not _found(first, "A17-RUNAROUND", ACTS_ON)[0]


def test_a_list_the_citizen_answers_with_you_did_not_say_that_last_time_is_piecemeal():
    """On a return visit the clerk's list names an item the last visit left out; the evidence is the
    citizen's reply right after it: the list (not only the reply) is the Article 18 lapse."""
    lst = ("staff", 7, 11, "营业执照、法人身份证、公章，还有租房合同。")
    turns = [GREET, ("citizen", 3, 6, "我来办税务登记。"), lst, ("citizen", 12, 15, "租房合同？上回你可没跟我说啊。"),
             ("staff", 16, 18, "那你下次带过来。"), CLOSE]
    found = _found(turns, "A18-PIECEMEAL", ACTS_ON)[0]
    assert found and found[0].start == 7 and found[0].detail["how"] == "across_visits"
    brought = [*turns[:3], ("citizen", 12, 15, "上回你说要租房合同，我带来了。"), CLOSE]
    assert not _found(brought, "A18-PIECEMEAL", ACTS_ON)[0]


def test_a_question_answered_by_calling_the_next_citizen_is_passed_over():
    """下一位 answers nothing: the clerk has turned to the next citizen, so the question asked just
    before it is unanswered, even when the citizen tries again after the call."""
    from analyzer.rules.answers import calls_next

    assert calls_next("行了，下一个！") and calls_next("请三十一号到四号窗口。")
    assert not calls_next("这个去下一个窗口办。") and not calls_next("十五号来拿。")
    asked = [GREET, ("citizen", 3, 7, "我来补办医保卡。补卡的话要等几天？"), ("staff", 8, 10, "单子拿着，下一位。")]
    for tail in ([], [("citizen", 11, 12, "哎，同志……")]):
        (f,) = _found([*asked, *tail], "A5-ANSWER", ACTS_ON)[0]
        assert "几天" in f.detail["question"]
    answered = [GREET, ("citizen", 3, 7, "我来补办医保卡。补卡的话要等几天？"),
                ("staff", 8, 10, "三个工作日，单子拿着。"), ("staff", 11, 13, "请您为我的服务做个评价，您慢走。下一位。")]
    assert not _found(answered, "A5-ANSWER", ACTS_ON)[0]


def test_sent_away_for_the_clerks_meal_or_break_is_the_closing_phrase_in_other_words():
    """'We're off to eat, come back this afternoon' inside the hours is 下班了，明天再来 paraphrased
    (Article 9) and a deferral (Article 25); the same break told politely, or the hours told as a
    schedule, is no forbidden phrase."""
    from analyzer.rules.acts import off_for_a_break

    body = [GREET, ("citizen", 3, 5, "我来交一下残疾人补贴的申请。")]
    for reply in ("到点吃饭了，你下午上班了再过来。", "我这要去午休了，两点半以后来吧。"):
        assert off_for_a_break(reply), reply
        report = _found([*body, ("staff", 6, 9, reply), ("citizen", 10, 11, "唉。"), CLOSE],
                        "A9-F-01", ACTS_ON, **IN_HOURS)[1]
        rules = {f.rule for f in report.findings}
        assert {"A9-F-01", "A25-HOURS"} <= rules, (reply, rules)
    for reply in ("不好意思，我们要午休了，您下午两点半再来。", "中午十二点到两点半休息，下午两点半以后来。",
                  "马上吃饭了，不过您这个我现在就给您办。"):
        assert not off_for_a_break(reply), reply


def test_a_visit_concluded_with_all_done_and_the_citizens_thanks_still_owes_the_closing():
    """'It's all sorted' (都弄妥了, 您的全好了) concludes the business like 办好了 does, and a short
    thanks or leave-taking with a form of address (谢谢您啊师傅, 那我先走了) only acknowledges it:
    the visit has ended without evaluation or goodbye. A thanks that goes on to ask keeps it open."""
    from analyzer.rules.context import acknowledges_conclusion
    from analyzer.types import Utterance

    def ack(staff, citizen):
        return acknowledges_conclusion(Utterance("staff", 0, 1, staff), Utterance("citizen", 1, 2, citizen))

    assert ack("您的全好了。", "哟，真快，谢谢您啊师傅。") and ack("这下都弄妥了。", "那我先走了。")
    assert not ack("这下都弄妥了。", "谢谢，那社保卡什么时候能用？") and not ack("您把表填一下。", "谢谢。")
    body = [GREET, ("citizen", 3, 5, "我来给孩子办医保参保。"), ("staff", 6, 8, "户口本给我看一下。"), ("citizen", 9, 10, "给。")]
    turns = [*body, ("staff", 30, 32, "您的全好了。"), ("citizen", 33, 35, "哟，真快，谢谢您啊师傅。")]
    rules = {f.rule for f in _found(turns, "A10-G-GOODBYE", ACTS_ON)[1].findings}
    assert {"A10-G-EVALUATE", "A10-G-GOODBYE"} <= rules


def test_sent_back_to_the_window_that_sent_the_citizen_is_a_run_around():
    """A citizen another office sent up here (让我上来, 说到你们这办), or who answers the redirect
    that he has just come from there, is run around when the clerk sends him back; a window named
    by its business (公积金窗口) is a concrete destination, not a vague redirect."""
    from analyzer.rules.destinations import names_destination

    assert names_destination("你回公积金窗口。") and not names_destination("你去别的窗口问问。")
    told_first = [GREET, ("citizen", 3, 6, "楼下税务科叫我上来找你们开完税证明。"),
                  ("staff", 7, 10, "完税证明归税务科开，你还是下楼找他们。"), ("citizen", 11, 12, "唉。"), CLOSE]
    told_after = [GREET, ("citizen", 3, 6, "我想开个完税证明。"), ("staff", 7, 10, "这个你回公积金窗口那边问。"),
                  ("citizen", 11, 13, "我刚从公积金窗口过来的呀！"), CLOSE]
    for turns in (told_first, told_after):
        found, report = _found(turns, "A17-RUNAROUND", ACTS_ON)
        assert found and found[0].start == 7, turns[1][3]
        assert not any(f.article == 16 for f in report.findings)
    onward = [GREET, ("citizen", 3, 6, "我想开个完税证明。"), ("staff", 7, 10, "这个你去公积金窗口那边问。"),
              ("citizen", 11, 13, "好的，我这就过去。"), CLOSE]
    assert not _found(onward, "A17-RUNAROUND", ACTS_ON)[0]


def test_the_clerk_owning_that_last_visit_left_an_item_out_is_piecemeal_across_visits():
    """The clerk herself saying she did not mention an item last time (the item named in the same
    breath or just before) tells materials across visits; asking whether a colleague said it does not."""
    for said in ([("staff", 7, 10, "另外还得有一份租赁合同，这个上一回忘了跟您交代。")],
                 [("staff", 7, 9, "还缺个社区出的居住证明。"), ("staff", 9, 11, "哎，怪我，那次给您说漏了。")]):
        turns = [GREET, ("citizen", 3, 6, "我来办居住证，材料应该都齐了。"), *said, ("citizen", 12, 13, "行吧。"), CLOSE]
        found = _found(turns, "A18-PIECEMEAL", ACTS_ON)[0]
        assert found and found[0].detail["how"] == "across_visits" and found[0].start == said[-1][1]
    asked = [GREET, ("citizen", 3, 6, "我来办居住证，材料应该都齐了。"),
             ("staff", 7, 10, "还要一份租赁合同，上回我同事没跟您说吗？"), ("citizen", 11, 12, "说了，我带来了。"), CLOSE]
    assert not _found(asked, "A18-PIECEMEAL", ACTS_ON)[0]


def test_take_it_to_the_leader_in_a_dispute_is_no_redirect_owing_a_destination():
    """'If you don't accept it, go to my boss' answers a dispute (the quarrel's, Article 17): no matter
    is sent elsewhere, so no named destination is owed (Article 16); a matter sent to a person
    elsewhere still is a redirect."""
    from analyzer.rules.acts import heard_acts

    said = ["条件不够就是不够，你不服气找领导去！", "你要是有意见，可以跟我们科长反映。"]
    assert all("redirect" not in acts for acts in heard_acts(said, ACTS_ON) or [])
    turns = [GREET, ("citizen", 3, 6, "凭什么别人能办我不能办？你们这是刁难人！"),
             ("staff", 7, 10, "谁刁难你了？我按规定来的！"), ("citizen", 11, 13, "你这叫什么服务态度！"),
             ("staff", 14, 17, "条件不够就是不够，你不服气找领导去！"), CLOSE]
    found, report = _found(turns, "A16-G-POINTER", ACTS_ON)
    assert not found and any(f.rule == "A17-QUARREL" for f in report.findings)
    assert "redirect" in heard_acts(["这个我们办不了，您找三楼的负责人。"], ACTS_ON)[0]
    assert "redirect" not in heard_acts(["有本事你找上面的人去。"], ACTS_ON)[0]  # a dare, no matter sent


def test_where_on_a_screen_or_paper_and_what_to_do_next_are_answers():
    """'Where do I find the number?' answered 'it's in the confirmation text', and 'what do I do
    then?' answered with the instruction of what to do, are answered questions (Article 5)."""
    screen = [GREET, ("citizen", 3, 6, "网上申请交了，怎么看办到哪一步了？"), ("staff", 7, 9, "登录以后点办件查询，输入受理号。"),
              ("citizen", 10, 12, "受理号在哪儿看？"), ("staff", 13, 15, "提交成功那条短信里就有。"), ("citizen", 16, 17, "好。"), CLOSE]
    assert not _found(screen, "A5-ANSWER", ACTS_ON)[0]
    next_step = [GREET, ("citizen", 3, 6, "我来办护照，材料在这。"), ("staff", 7, 9, "您这少一张户籍证明。"),
                 ("citizen", 10, 11, "那咋办呢？"), ("staff", 12, 15, "不好意思，得麻烦您回派出所开一张再来。"),
                 ("citizen", 16, 17, "行吧。"), CLOSE]
    assert not _found(next_step, "A5-ANSWER", ACTS_ON)[0]
    passed = [GREET, ("citizen", 3, 6, "网上申请交了，受理号在哪儿看？"), ("staff", 7, 9, "身份证放这儿，签个字。"),
              ("citizen", 10, 11, "好。"), CLOSE]
    assert _found(passed, "A5-ANSWER", ACTS_ON)[0]


def test_asking_where_the_office_is_after_a_redirect_and_getting_the_next_ticket_called_is_unanswered():
    """After a redirect, 'where is it?' is Article 16's to judge, unless the clerk meets it by calling
    the next ticket (下一位，B017号): then it is passed over (Article 5), ticket number and all."""
    turns = [GREET, ("citizen", 3, 6, "我想给老人办高龄补贴。"), ("staff", 7, 9, "这个不在我们这办，你去民政那边。"),
             ("citizen", 10, 12, "民政在哪个楼啊？"), ("staff", 13, 14, "下一位，B017号。"), ("citizen", 15, 16, "哎……")]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "民政在哪" in f.detail["question"]


def test_a_rhetorical_question_or_a_statement_of_not_knowing_is_owed_no_answer():
    """不是九点开门吗？ / 不就盖个章吗？ / 就不能通融一下？ / 早怎么不说？ assert or reproach; 不知道
    放哪了 states: none is a question left unanswered (Article 5). A plain question still is."""
    from analyzer.rules.answers import questions

    for said in ("你们不是九点开门吗？", "就盖个章，不就一分钟的事吗？", "你们就不能通融一下？", "早怎么不说？",
                 "那张回执我也不知道放哪了。"):
        assert not questions(said), said
        assert questions(said, rhetorical=True) or "不知道" in said
    turns = [GREET, ("citizen", 3, 6, "我来取营业执照。你们不是九点开门吗？"), ("staff", 7, 9, "身份证给我。"),
             ("citizen", 10, 11, "给。"), CLOSE]
    assert not _found(turns, "A5-ANSWER", ACTS_ON)[0]
    asked = [GREET, ("citizen", 3, 6, "我来取营业执照。你们几点开门？"), ("staff", 7, 9, "身份证给我。"),
             ("citizen", 10, 11, "给。"), CLOSE]
    assert _found(asked, "A5-ANSWER", ACTS_ON)[0]


def test_didnt_i_tell_you_last_time_denied_by_the_citizen_is_piecemeal_too():
    """The clerk asking 'didn't I tell you last time?' about a new item, and the citizen saying no,
    owns the gap as surely as 'I forgot to tell you' (刚才漏了 counts as an earlier telling too);
    drawings are materials (平面图)."""
    asked = [GREET, ("citizen", 3, 6, "我把你上周说的营业执照复印件拿来了。"),
             ("staff", 7, 11, "嗯，这个行了。还得有店面的平面图，上回没让您一起带吗？"),
             ("citizen", 12, 13, "没有啊，就说了执照。"), ("staff", 14, 15, "那您再跑一趟。"), CLOSE]
    found = _found(asked, "A18-PIECEMEAL", ACTS_ON)[0]
    assert found and found[0].start == 7
    told = [*asked[:3], ("citizen", 12, 13, "说了，图在这儿。"), CLOSE]
    assert not _found(told, "A18-PIECEMEAL", ACTS_ON)[0]


def test_sending_the_citizen_to_search_online_is_a_vague_redirect():
    """'Look it up online, it's all there' sends the citizen elsewhere and names no place; a site
    named, or online offered beside serving him, is no such brush-off."""
    turns = [GREET, ("citizen", 3, 6, "我想问问电动车上牌在哪儿办？"), ("staff", 7, 9, "那个您自己上网搜吧，网上都有。"),
             ("citizen", 10, 11, "哦……"), CLOSE]
    assert _found(turns, "A16-G-POINTER", ACTS_ON)[0]
    served = [GREET, ("citizen", 3, 6, "我来交医保，进度能查吗？"), ("staff", 7, 9, "能，交完以后在甘快办上也能查。"),
              ("citizen", 10, 11, "好。"), CLOSE]
    assert not _found(served, "A16-G-POINTER", ACTS_ON)[0]


def test_leaving_for_a_break_and_passing_the_citizen_on_is_a_deferral_not_the_phrase():
    """'I'm off to the canteen, go to the next window after twelve' puts the work off for the hour
    (Article 25) without sending the citizen to come again (no Article 9 phrase); 'lunch in a
    moment, come back this afternoon' is both; hurrying one still served is neither."""
    from analyzer.rules.acts import deferred_for_a_break, off_for_a_break

    body = [GREET, ("citizen", 3, 5, "我来交一下社保补缴的材料。")]
    passed = "哎，我这就去食堂了，你十二点以后找隔壁窗口的同事吧。"
    assert deferred_for_a_break(passed) and not off_for_a_break(passed)
    rules = {f.rule for f in _found([*body, ("staff", 6, 9, passed), ("citizen", 10, 11, "啊？"), CLOSE],
                                    "A25-HOURS", ACTS_ON, **IN_HOURS)[1].findings}
    assert "A25-HOURS" in rules and "A9-F-01" not in rules
    back = "我一会儿就午休了，你下午三点以后再过来。"
    assert deferred_for_a_break(back) and off_for_a_break(back)
    assert not deferred_for_a_break("快点签，我要下班了。")


def test_that_is_all_and_a_sum_in_hundreds_are_answers():
    """'Anything else?' answered 'that's all for now' is a no; 'how much?' answered with a sum in
    hundreds (一年两千多) is a cost, 元 or not."""
    for question, reply in (("还要别的吗？", "先就这几样，拿来再说。"), ("一年交多少钱？", "看档次，最低的一年两千多。")):
        turns = [GREET, ("citizen", 3, 6, f"我来办灵活就业参保。{question}"), ("staff", 7, 9, reply),
                 ("citizen", 10, 11, "好。"), CLOSE]
        assert not _found(turns, "A5-ANSWER", ACTS_ON)[0], question


@pytest.mark.parametrize("later", ["我核一下……营业执照、章程都在，股东会决议也在。",
                                   "没有租房合同也行，房东出个证明也算。",
                                   "还得有张变更登记表，我帮您打印，您签个字。"])
def test_a_material_found_present_an_alternative_or_a_form_the_clerk_provides_adds_nothing(later):
    """Checking that a paper is there, accepting another paper instead, or a form the clerk prints
    herself asks the citizen for nothing more: no piecemeal telling."""
    turns = [GREET, ("citizen", 3, 6, "我来办公司变更登记。"),
             ("staff", 7, 10, "要带营业执照、公司章程和租房合同。"), ("citizen", 11, 12, "都带了，给你。"),
             ("staff", 20, 24, later), ("citizen", 25, 26, "好。"), CLOSE]
    assert not _found(turns, "A18-PIECEMEAL", ACTS_ON)[0], later


def test_an_addition_the_citizen_protests_was_not_told_at_once_is_piecemeal():
    """The citizen's reply is the evidence: 你刚才咋不一块儿讲？ / 上回你说带房本就够了啊 right after the
    clerk names a new paper makes that paper an addition, even with no earlier list in the visit;
    after the protest, one more item asked after (还有一个，X你带了没？) is piecemeal too. 'You have
    not told me yet' (还没说呢) asks for an answer, it protests nothing."""
    body = [GREET, ("citizen", 3, 6, "我来给孩子办个转学手续，东西都在这儿。"), ("staff", 7, 8, "好，我瞧瞧。")]
    added = ("staff", 30, 33, "另外还得开一张原学校的学籍证明。")
    for protest in ("啊？你刚才咋不一块儿讲？", "上回你说带房本就够了啊。", "你能不能一下子说全了？"):
        turns = [*body, added, ("citizen", 34, 36, protest), ("staff", 37, 39, "现在说也不晚。"), CLOSE]
        found = _found(turns, "A18-PIECEMEAL", ACTS_ON)[0]
        assert [f.start for f in found] == [30] and found[0].detail["how"] == "protested", protest
    calm = [*body, added, ("citizen", 34, 36, "行，我下午去学校开。"), CLOSE]
    assert not _found(calm, "A18-PIECEMEAL", ACTS_ON)[0]
    asked = [*body, added, ("citizen", 34, 36, "那学费多少你还没说呢。"), CLOSE]
    assert not _found(asked, "A18-PIECEMEAL", ACTS_ON)[0]
    more = [*body, added, ("citizen", 34, 36, "开学籍证明？之前没说过要这个啊。"),
            ("staff", 37, 40, "还有一个，孩子的预防接种证你带了没？"), ("citizen", 41, 42, "也没有。"), CLOSE]
    found = _found(more, "A18-PIECEMEAL", ACTS_ON)[0]
    assert [f.start for f in found] == [30, 37]
    unfit = [*body, ("staff", 30, 33, "您这个不符合条件，办不了。"), ("citizen", 34, 36, "你咋不早说？"), CLOSE]
    assert not _found(unfit, "A18-PIECEMEAL", ACTS_ON)[0]


def test_a_question_the_citizen_has_to_ask_again_is_read_strictly():
    """Asked twice: the citizen's repeat (那到底几天能拿？, an elliptical 那手续费呢？, an insisting
    我问你能不能…) says the first reply did not answer, so it is not taken as an answer leniently;
    left unanswered, one finding runs from the first asking to the reply to the last one. An answer
    after the repeat, or a new question about the same thing, is no lapse."""
    asked = [GREET, ("citizen", 3, 6, "我来领结婚证的补证，多少天能拿到？"),
             ("staff", 7, 9, "您这个是在本区登记的吧？"), ("citizen", 10, 12, "对。那到底多少天能拿到？"),
             ("staff", 13, 16, "材料没问题，回去等通知吧。"), CLOSE]
    (f,) = _found(asked, "A5-ANSWER", ACTS_ON)[0]
    assert f.start == 3 and f.end == 16
    told = [*asked[:4], ("staff", 13, 16, "五个工作日。"), CLOSE]
    assert not _found(told, "A5-ANSWER", ACTS_ON)[0]
    fee = [GREET, ("citizen", 3, 6, "换个新本，手续费多少？"), ("staff", 7, 9, "您先把这张表填了。"),
           ("citizen", 10, 11, "那手续费呢？"), ("staff", 12, 14, "填好给我。"), CLOSE]
    (f,) = _found(fee, "A5-ANSWER", ACTS_ON)[0]
    assert f.start == 3 and f.end == 14 and f.detail["asked_again"] == ["那手续费呢？"]
    asked_back = [*fee[:2], ("staff", 7, 9, "您是换本还是补本？"), fee[3], ("staff", 12, 14, "不收手续费。"), CLOSE]
    assert not _found(asked_back, "A5-ANSWER", ACTS_ON)[0]
    new_about = [GREET, ("citizen", 3, 6, "在手机上怎么认证？"), ("staff", 7, 10, "下个App，点认证，刷脸就行。"),
                 ("citizen", 11, 13, "刷脸是对着手机吗？"), ("staff", 14, 16, "对，看着镜头。"), CLOSE]
    assert not _found(new_about, "A5-ANSWER", ACTS_ON)[0]
    yes_then = [GREET, ("citizen", 3, 6, "结婚证也得带来啊？"), ("staff", 7, 9, "得带。没有结婚证办不了。"),
                ("citizen", 10, 12, "那就缺结婚证？"), ("staff", 13, 14, "对。"), CLOSE]
    assert not _found(yes_then, "A5-ANSWER", ACTS_ON)[0]  # a further yes/no, no repeat


def test_where_asked_after_being_sent_off_to_nowhere_needs_a_destination():
    """Sent off with nothing named (你去别处打听打听), the citizen asks where, then (那去哪儿？ 那归谁管？)
    and is again told no place (反正不在我这儿, 这我也讲不清): the question is unanswered, beside Article
    16's vague redirect. Told a concrete place it is answered; after a bare 不归我们管 (sent nowhere yet)
    the vague reply to "where?" is the redirect itself, Article 16's only."""
    body = [GREET, ("citizen", 3, 6, "我想给院子里的老树办个砍伐手续。"),
            ("staff", 7, 9, "这事我们不管，你去别处打听打听。")]
    for ask, reply in (("那去哪儿？", "反正不在我这儿。"), ("那归谁管呢？", "这我也讲不清。")):
        turns = [*body, ("citizen", 10, 11, ask), ("staff", 12, 14, reply), ("citizen", 15, 16, "唉。")]
        (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
        assert f.start == 10 and f.end == 14 and f.detail["after_vague_redirect"], ask
    told = [*body, ("citizen", 10, 11, "那去哪儿？"), ("staff", 12, 14, "园林局，人民路26号。"), ("citizen", 15, 16, "好。")]
    assert not _found(told, "A5-ANSWER", ACTS_ON)[0]
    bare = [*body[:2], ("staff", 7, 9, "这事不归我们管。"), ("citizen", 10, 11, "那去哪儿？"),
            ("staff", 12, 14, "反正不在我这儿。"), ("citizen", 15, 16, "唉。")]
    assert not _found(bare, "A5-ANSWER", ACTS_ON)[0]


def test_ringing_an_office_by_name_or_looking_it_up_online_points_nowhere():
    """打房管局的电话问问 / 你打电话到房管局问 names the office to ring, not a number or a place to go;
    网上查一下嘛 (without 上网) sends the citizen to search: both are vague redirects. Going there, or
    the number, is concrete."""
    from analyzer.rules.destinations import names_destination

    assert not names_destination("这个不归我们管，你打房管局的电话问问。")
    assert not names_destination("你打电话到房管局问，号码自己找找。")
    assert names_destination("你直接到房管局二楼去办。")
    turns = [GREET, ("citizen", 3, 6, "我想问问老房子加装电梯的补贴怎么申请？"),
             ("staff", 7, 10, "这个就网上查一下嘛，都有。"), ("citizen", 11, 12, "哦。"), CLOSE]
    assert _found(turns, "A16-G-POINTER", ACTS_ON)[0]


def test_replies_that_answer_a_yes_no_or_what_question_in_its_own_terms():
    """Answers an inspector accepts though no yes/no word opens them: the question's own word said
    back (这就弄完了？ … 弄完了，…), the thing named in quotes (叫个啥？ … “XX通”，…), the clerk saying it is
    done here (是在你这儿吗？ … 我这里就能办); a repeated denial (不对不对) asks nothing, nor does a
    reproach (你咋又要复印件？)."""
    from analyzer.rules.answers import questions

    assert not questions("不对不对，是我爱人的。") and not questions("你咋又要复印件？")
    for question, reply in (("这就弄完了？", "弄完了，您拿好。"), ("那个软件叫个啥？", "“我的兰州”，我给您写下来。"),
                            ("居住证是在你这儿弄吗？", "您好，我这里就能办，先拍个照。")):
        turns = [GREET, ("citizen", 3, 6, question), ("staff", 6.5, 9, reply),
                 ("staff", 20, 22, "请您为我的服务做个评价，您慢走。")]
        assert not _found(turns, "A5-ANSWER", ACTS_ON)[0], question
    passed = [GREET, ("citizen", 3, 6, "这就弄完了？"), ("staff", 6.5, 9, "您先在这儿签个字。"),
              ("staff", 20, 22, "请您为我的服务做个评价，您慢走。")]
    assert _found(passed, "A5-ANSWER", ACTS_ON)[0]


def test_a_cold_refusal_met_by_pleas_and_plain_words_before_an_outburst_are_no_quarrel():
    """One-sided heat is no quarrel: 下班了，明天再来 turned away (Articles 9 and 25) and the citizen
    pleading twice is a refusal, not 你来我往; plain staff words said before the citizen's outburst
    answer nothing of it. The same citizen answered with heat, back and forth, is a quarrel."""
    turns = [GREET, ("citizen", 3, 5, "我来交社保，东西都带齐了。"), ("staff", 6, 8, "下班了，明天再来。"),
             ("citizen", 9, 11, "这才四点多，你们不是六点才下班吗？"), ("staff", 12, 14, "下班了，明天再来吧。"),
             ("citizen", 15, 17, "我跟单位请了假才来的，你这什么态度！"), ("staff", 18, 20, "下班了，明天再来。")]
    assert not _found(turns, "A17-QUARREL", ACTS_ON)[0]
    heated = [*turns[:6], ("staff", 18, 20, "我什么态度？你爱办不办，跟我嚷什么嚷！"),
              ("citizen", 21, 23, "你这人怎么这样说话！我要投诉你！"), ("staff", 24, 26, "你去投诉好了，我就这样！")]
    assert _found(heated, "A17-QUARREL", ACTS_ON)[0]


def test_sent_on_again_in_words_after_saying_another_window_sent_him_is_a_run_around():
    """The citizen says this is his third trip or that the other window sent him here, and the clerk
    sends him off again in words (你还得去三号, 你再回税务那边去): a run-around even where no redirect
    cue was heard. Sending him to pay and come back is the normal flow."""
    came = ("citizen", 3, 8, "我这都跑第三趟了，六号窗口说要先在你这儿盖章。")
    for reply in ("那不对，你还得去六号窗口。", "六号弄错了，你再下去跟他们说清楚。"):
        turns = [GREET, came, ("staff", 9, 12, reply), ("citizen", 13, 14, "唉。"), CLOSE]
        found = _found(turns, "A17-RUNAROUND", ACTS_ON)[0]
        assert found and found[0].start == 9, reply
    flow = [GREET, came, ("staff", 9, 12, "好，我给您盖，盖完您去二楼缴费再回来。"), ("citizen", 13, 14, "好。"), CLOSE]
    assert not _found(flow, "A17-RUNAROUND", ACTS_ON)[0]


def test_a_question_trailed_off_again_or_beside_a_redirect_is_still_owed():
    """那补贴那个…… trails off asking again what was asked about the 补贴; a counter-question (带了没有？)
    says no yes or no; and a clerk who sends the citizen elsewhere answers where to go, not a second
    question of the same turn (how many years?)."""
    turns = [GREET, ("citizen", 3, 8, "我来换老年证，顺便问一下，这个证能不能免公交费？"),
             ("staff", 9, 10, "旧证给我。"), ("citizen", 11, 13, "给……那公交费那个……"),
             ("staff", 14, 16, "照片带了没有？"), ("citizen", 17, 18, "带了。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert f.start == 3 and f.end == 16  # to the reply to the repeat
    told = [*turns[:4], ("staff", 14, 16, "能免，刷这个证就行。"), *turns[5:]]
    assert not _found(told, "A5-ANSWER", ACTS_ON)[0]
    away = [GREET, ("citizen", 3, 8, "你好，我想问下，申请廉租房是在这儿办吗？一般要排队几年？"),
            ("staff", 9, 12, "这个我们窗口不管，你得找住建局。下一位。"), ("citizen", 13, 14, "唉。"), CLOSE]
    found = _found(away, "A5-ANSWER", ACTS_ON)[0]
    assert [f.detail["question"] for f in found] == ["一般要排队几年？"]



def test_a_presence_check_a_complete_list_kept_on_file_and_a_remark_on_time_tell_nothing_piecemeal():
    """X也有吧？ checks a paper is there, it asks for no new one; 就这两样 … 其余的我先给您登记着 says the
    list is complete (the rest is kept on file, not put off); 上回那位说三天就好 is about time, not about
    what the last visit told him to bring."""
    from analyzer.rules.materials import _is_new, earlier_visits, piecemeal
    from analyzer.types import Cue, Interaction, Utterance

    lex = load_lexicon()
    utts = [Utterance("staff", 0, 2, "请把身份证和产权证给我。"), Utterance("citizen", 3, 4, "都在这儿。"),
            Utterance("staff", 5, 8, "银行的授权书也有吧？好，有。请在这儿签字。")]
    assert not _is_new(utts, Cue("materials_added", 2, 5, 8, utts[2].text, 0.8))
    more = [*utts[:2], Utterance("staff", 5, 8, "还得要银行的授权书。")]
    assert _is_new(more, Cue("materials_added", 2, 5, 8, more[2].text, 0.8))

    def deferred(text):
        inter = Interaction(id="m", channel="counter", utterances=[Utterance("staff", 0, 4, text)])
        return piecemeal(inter, [Cue("materials_deferred", 0, 0, 4, text, 0.8)], lex)

    assert not deferred("就这两样，都写在单子上了。其余的材料我先给您登记着，下次带这两样来就行。")
    assert deferred("先把这两样补上，其余的材料下次再说。")

    def earlier(text):
        inter = Interaction(id="e", channel="counter", utterances=[Utterance("citizen", 0, 4, text)])
        return earlier_visits(inter, [Cue("earlier_visit", 0, 0, 4, text, 0.8)], lex)

    assert not earlier("上回那位同志说三天就好，能快点吗？")
    assert earlier("上回那位同志就说了带户口本。")


def test_business_taken_up_now_with_its_result_later_is_no_deferral():
    """今天先给您录完，明天上午出证 / 这是您的受理单，三个工作日后来取: the work is done now, the later
    day is the result's; 今天办不了，明天再来 puts the business itself off (Article 25)."""
    from analyzer.rules.duties import SERVED_NOW

    assert SERVED_NOW.search("今天先给您录完，明天上午出证，您十点以后来领。")
    assert SERVED_NOW.search("好了，这是您的受理单，三个工作日后来取。")
    assert not SERVED_NOW.search("今天办不了，明天再来吧。")
    body = [GREET, ("citizen", 3, 5, "我来换驾驶证。")]
    served = [*body, ("staff", 6, 10, "今天先给您录完，明天上午出证，您明天十点以后来领。"), ("citizen", 11, 12, "好。"), CLOSE]
    assert not _found(served, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]
    put_off = [*body, ("staff", 6, 10, "今天办不了，您明天再来吧。"), ("citizen", 11, 12, "好吧。"), CLOSE]
    assert _found(put_off, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]


# A5: what the clerk's reply does, clause by clause (issue 23, duty3)
@pytest.mark.parametrize("question, reply", [
    # a yes/no answered by saying what happens, an instruction's verb (按) inside the statement
    ("住院花的钱以后能报销吗？", "票据由医保中心按比例结算，门诊的归单位。"),
    # a how answered by where to look, 站 of 网站 no instruction to stand
    ("那以后咋知道寄到没有？", "回执上印着单号，邮政网站能查物流。"),
    # a no given as the reason, 放 of 放完 no instruction to put
    ("这会儿还来得及吗？", "实在抱歉，上午的号已经放完了，系统也关了。"),
])
def test_a_statement_in_the_reply_engages_the_question(question, reply):
    turns = [GREET, ("citizen", 3, 7, question), ("staff", 7.5, 11, reply),
             ("citizen", 11.5, 12, "哦，这样啊。"), CLOSE]
    assert _found(turns, "A5-ANSWER")[0] == []


@pytest.mark.parametrize("reply", [
    "身份证给我一下。",  # the object first, then the instruction
    "眼睛看这边，别动。",  # an instruction with no verb at its head
    "表格两边都要签名。",  # an instruction put as a duty
])
def test_a_reply_that_only_directs_the_work_passes_the_question_over(reply):
    turns = [GREET, ("citizen", 3, 7, "证办好了能寄到家里吗？"), ("staff", 7.5, 11, reply),
             ("citizen", 11.5, 12, "好。"), ("staff", 30, 33, "好了，这是受理单。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER")[0]
    assert "寄到家里" in f.detail["question"]


def test_reply_moves_read_each_clause_at_its_head():
    from analyzer.rules.answers import passes_over, reply_moves

    assert reply_moves("住院的票据由医保中心按比例结算") == {"statement"}
    assert reply_moves("不好意思，请在这儿签字") == {"courtesy", "instruction"}
    assert reply_moves("您先稍等，我扫描一下") == {"instruction", "procedure"}
    assert reply_moves("您叫什么名字？我查一下") == {"asks", "statement"}  # looking it up promises
    assert passes_over("下一位。") and not passes_over("好的。")


def test_the_clerks_private_chat_is_no_heat_of_a_quarrel():
    """Talk of the clerk's evening plans is Article 6's (unrelated talk), not a retort to the citizen:
    an angry citizen between two such lines makes no quarrel (issue 23, duty3)."""
    turns = [GREET, ("citizen", 3, 6, "我来续签居住证。"),
             ("staff", 7, 10, "小王，晚上那个饭局你去不去？"),
             ("citizen", 10.5, 13, "我都等半天了，你们还在这儿聊天！"),
             ("staff", 13.5, 16, "饭局定在七点，别迟到啊。"),
             ("citizen", 16.5, 19, "你们这叫什么服务态度！"),
             ("staff", 19.5, 22, "好了，这是您的回执。"), CLOSE]
    found, report = _found(turns, "A17-QUARREL", AnalyzerOptions())  # the sharp-reply reading on
    assert found == []
    assert sum(f.rule == "A6-UNCIVIL" for f in report.findings) == 2  # the chat itself is still found


# A16: a redirect read in its visit (issue 23, duty3)
def test_sending_on_again_points_to_the_window_already_named():
    """Sent to a named window, the citizen comes back doubting; 那你过去问问吧 sends him to that window,
    not to nowhere. A new vague place (他们那边, 别处) is no pointing back, and the hall's own name in
    the greeting is no destination the citizen was sent to."""
    turns = [GREET, ("citizen", 3, 6, "我来办失业登记。"),
             ("staff", 6.5, 9, "失业登记不在我这儿，您到二楼十二号窗口。"),
             ("citizen", 40, 44, "我刚去了，那边说不归他们管，让我回来找你。"),
             ("staff", 44.5, 47, "没错，你再过去问问吧。"),
             ("citizen", 47.5, 48, "……行。")]
    assert not _found(turns, "A16-G-POINTER", ACTS_ON)[0]
    vague = [*turns[:4], ("staff", 44.5, 47, "这个也不归我们，你去别处问问吧。"), turns[5]]
    assert _found(vague, "A16-G-POINTER", ACTS_ON)[0]
    hall = [("staff", 0, 2, "您好，七里河区政务中心三号窗口。"), ("citizen", 3, 6, "我来办失业登记。"),
            ("staff", 6.5, 9, "这个不归我们管，你去问问吧。"), ("citizen", 9.5, 10, "……行。")]
    assert _found(hall, "A16-G-POINTER", ACTS_ON)[0]


def test_a_window_number_after_go_and_tell_is_named():
    from analyzer.rules.destinations import names_destination, points_back

    assert names_destination("这个要盖章，你去跟6号说一声。")
    assert points_back("对，你去吧。") and not points_back("你去他们那边问问吧。")


def test_a_question_that_checks_the_clerks_own_words_asks_nothing_new():
    """完税证明是吧？ right after the clerk named 完税证明 checks what was heard: its answer came first.
    A question with something the clerk did not say (原件) still asks (issue 23, duty3)."""
    def visit(question):
        return [GREET, ("citizen", 3, 6, "我来办二手房过户。"),
                ("staff", 6.5, 10, "过户前要先到税务窗口开完税证明。"),
                ("citizen", 10.5, 12, question), ("staff", 12.5, 15, "您先去那边把身份证复印一下。"),
                ("citizen", 15.5, 16, "好。"), CLOSE]

    assert _found(visit("完税证明是吧？"), "A5-ANSWER")[0] == []
    (f,) = _found(visit("完税证明要原件吗？"), "A5-ANSWER")[0]
    assert "原件" in f.detail["question"]


# A17: a quarrel is heat from both sides, back and forth (issue 23, duty4)
def test_one_sharp_protest_is_no_quarrel():
    """A clerk who snaps once at a complaining citizen, who protests once and moves on, was uncivil
    (Article 6's); a quarrel needs each side heated at least twice, answering each other."""
    turns = [GREET, ("citizen", 3, 7, "我都来三回了，你们到底能不能给我办！"),
             ("staff", 7.5, 10, "我就是这样的，你能把我怎么样？"),
             ("citizen", 10.5, 13, "你这什么态度！算了，表给我吧。"),
             ("staff", 13.5, 15, "好，表在这儿，填完给我。"), CLOSE]
    assert not _found(turns, "A17-QUARREL", AnalyzerOptions())[0]
    longer = [*turns[:4], ("staff", 13.5, 15, "你去投诉好了，我就这样！"),
              ("citizen", 15.5, 17, "有你这么办事的吗？你叫什么名字！"), CLOSE]
    assert _found(longer, "A17-QUARREL", AnalyzerOptions())[0]


def test_a_cold_brush_off_is_no_heat_but_a_rebuke_with_it_is():
    """不归我们管，你去别处问问 sends the citizen away coldly (Article 16's), however curt the uncivil
    classifier hears it: an upset citizen between two such lines makes no quarrel. The same
    redirect said with a rebuke of the citizen's manner (你冲我喊有啥用) is heat."""
    from analyzer.rules.duties import heat_in

    turns = [GREET, ("citizen", 3, 7, "我的补贴三个月没到账，你们到底管不管！"),
             ("staff", 7.5, 10, "补贴发放不归我们管，你去别的地方问问。"),
             ("citizen", 10.5, 13, "又让我去别的地方？你们就会推！"),
             ("staff", 13.5, 16, "反正我这儿查不了，你问问别人吧。"),
             ("citizen", 16.5, 18, "唉，什么服务！")]
    assert not _found(turns, "A17-QUARREL", AnalyzerOptions())[0]
    assert not heat_in("补贴发放不归我们管，你去别的地方问问。")
    assert heat_in("补贴发放不归我们管，你冲我喊有啥用？")
    assert heat_in("那你找单位去，跟我说也没用！")


def test_a_retort_answers_heat_with_heat():
    """我嚷？ 谁迟到了？ throw the other party's accusation back: heat, right after a heated turn.
    The same shape after a plain instruction (我签？ after 你在这签字) checks it, and a bare
    exclamation of assent (行行行！) gives in."""
    from analyzer.rules.duties import answered_heat
    from analyzer.types import Utterance

    def utts(*pairs):
        return [Utterance(s, float(2 * i), float(2 * i + 1), t) for i, (s, t) in enumerate(pairs)]

    hot = utts(("citizen", "你们上班迟到还有理了？"), ("staff", "谁迟到了？我早就到了。"),
               ("citizen", "你糊弄谁呢，牌子上写着两点半！"))
    assert answered_heat(hot, {0}) == {1, 2}  # the retort is heated, and so is the answer to it
    plain = utts(("staff", "你在这签字。"), ("citizen", "我签？"))
    assert answered_heat(plain, set()) == set()
    assert answered_heat(utts(("staff", "你嚷什么嚷！"), ("citizen", "行行行！")), {0}) == set()
    assert answered_heat(utts(("staff", "你嚷什么嚷！"), ("citizen", "我嚷？")), {0}) == {1}


def test_a_run_around_protested_at_once_runs_over_the_clerks_reply():
    """Sent off again on a third trip, the citizen objects at once and the clerk stands by it: the
    run-around finding spans the objection and the clerk's reply to it."""
    came = ("citizen", 3, 8, "我这都跑第三趟了，六号窗口说要先在你这儿盖章。")
    turns = [GREET, came, ("staff", 9, 12, "那不对，你还得去六号窗口。"),
             ("citizen", 12.5, 15, "又让我去六号？你们到底有没有个准话，太欺负人了！"),
             ("staff", 15.5, 18, "规定就是这样，我也没办法。"), CLOSE]
    found = _found(turns, "A17-RUNAROUND", ACTS_ON)[0]
    assert found and found[0].start == 9 and found[0].end == 18
    calm = [*turns[:3], ("citizen", 12.5, 15, "好的，那我过去。"), ("staff", 15.5, 18, "好。"), CLOSE]
    found = _found(calm, "A17-RUNAROUND", ACTS_ON)[0]
    assert found and found[0].end == 12


# A16: an office named alone says whom, not where (issue 23, duty4)
def test_an_office_named_without_a_place_is_a_vague_redirect():
    """归林业局管，你去林业局问问 tells the citizen whom to see, not where to go: no address, floor,
    window or number, so the redirect is vague, with or without the level (县林业局). The way there
    (人民路上, 进东门右手边) or the office's floor is a place; the clerk's own window (我们这个户政窗口不管)
    is where the citizen already stands."""
    from analyzer.rules.destinations import names_destination

    assert not names_destination("这个归林业局管，你去林业局问问。")
    assert not names_destination("归县林业局管，我们这儿不办。")
    assert not names_destination("狩猎证我们户政窗口不管，你到别处问问。")
    assert names_destination("林业局在人民路上，进门右手边就是。")
    assert names_destination("你去林业局三楼的审批科。")
    assert names_destination("你去二楼的林业窗口。")
    turns = [GREET, ("citizen", 3, 6, "我想办个木材运输证，在这儿办吗？"),
             ("staff", 7, 10, "这个不归我们管，你去林业局问问。"), ("citizen", 11, 12, "哦，好吧。"), CLOSE]
    assert _found(turns, "A16-G-POINTER", ACTS_ON)[0]
    placed = [*turns[:2], ("staff", 7, 10, "这个不归我们管，你去人民路上的林业局，进门右手边就是。"), *turns[3:]]
    assert not _found(placed, "A16-G-POINTER", ACTS_ON)[0]


# A5: questions and answers as written (issue 23, duty4)
def test_a_final_me_asks_and_a_yes_answers_it():
    """今天还能交么？ ends on the particle 么 (the traditional-to-simplified conversion writes it 幺):
    a yes/no question, and 能，… answers it; a 幺 read out in a number stays a digit."""
    from analyzer.rules.answers import questions

    q = questions("今天还能交么？")
    assert q and "yesno" in q[0].kinds
    turns = [GREET, ("citizen", 3, 6, "我来交医保，今天还能交么？"), ("staff", 6.5, 8, "能，卡给我。"),
             ("citizen", 8.5, 9, "给。"), CLOSE]
    assert not _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "幺" in questions("号码是幺三幺？")[0].text


def test_right_here_answers_where_and_a_statement_about_papers_answers_which():
    """表在哪儿领？ … 这儿就有，我给您拿一张 says where; 啥地方不对？ … 您交的照片是彩色的，要黑白的
    answers in a statement, though an instruction's verb (交) opens its subject."""
    from analyzer.rules.answers import reply_moves

    turns = [GREET, ("citizen", 3, 6, "申请表在哪儿领？"), ("staff", 6.5, 9, "这儿就有，我给您拿一张，回去填好。"),
             ("citizen", 9.5, 10, "好。"), CLOSE]
    assert not _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert reply_moves("您交的照片是彩色的") == {"statement"}
    assert reply_moves("您把照片交了") == {"instruction"}


def test_trailing_off_is_no_question_but_a_trailing_repeat_is():
    """我回去问问我们会计，看行不行…… is the citizen thinking aloud; 我就问那个几号能到…… trails
    off asking again what was asked."""
    from analyzer.rules.answers import questions

    assert questions("那我回去问问我们会计，看行不行……") == []
    assert questions("我就问那个几号能到……")


def test_an_answer_given_off_the_record_and_said_back_is_an_answer():
    """A trainee turns to her colleague; the citizen says back what the colleague told him (那位大姐说…):
    his question got its answer, though the clerk's own words did not give it."""
    turns = [GREET, ("citizen", 3, 8, "我问一下，单位的税号要不要跟着变？"),
             ("staff", 8.5, 11, "大姐，你过来帮我看一下。"),
             ("citizen", 20, 26, "哦，那位大姐说税号不用变，税务那边自动同步，明白了。"),
             ("staff", 26.5, 29, "您这材料齐了，我给您录入。"), CLOSE]
    assert not _found(turns, "A5-ANSWER", ACTS_ON)[0]
    silent = [*turns[:3], ("citizen", 20, 26, "哦，那我先等着吧。"), turns[4], CLOSE]
    assert _found(silent, "A5-ANSWER", ACTS_ON)[0]


def test_a_yes_word_opening_a_subject_is_no_yes():
    """能报的是门诊部分 tells what can be claimed; it says no yes to 住院的能不能报？"""
    from analyzer.rules.answers import says_yes_or_no

    assert not says_yes_or_no("能报的是门诊部分，住院另算。")
    assert says_yes_or_no("能报的，您放心。") and says_yes_or_no("能，您放心。")


def test_a_curt_pass_over_or_a_question_back_leaves_the_question_owed():
    """还有事吗？ heard as curt is Article 6's tone at most; it answers nothing, so 周六开不开门？ stays
    owed. 照片带了没有？ asks back and answers 要交钱吗？ no more than an instruction would."""
    turns = [GREET, ("citizen", 3, 6, "顺便问一下，你们周六开不开门？"), ("staff", 6.5, 7.5, "还有事吗？"),
             ("citizen", 8, 9, "没了。"), CLOSE]
    assert _found(turns, "A5-ANSWER", AnalyzerOptions())[0]
    back = [GREET, ("citizen", 2.5, 3, "我办居住证。"), ("staff", 3.2, 3.8, "好的。"),
            ("citizen", 4, 6, "办这个证要交钱吗？"), ("staff", 6.5, 8, "照片带了没有？"),
            ("citizen", 8.5, 9, "带了，给。"), ("staff", 20, 22, "好了，下周来拿。"), CLOSE]
    assert _found(back, "A5-ANSWER", ACTS_ON)[0]
    # the citizen's opening words, taken up by the greeting that asks his business, are no pass-over
    opening = [("citizen", 0, 3, "请问社保卡在哪个窗口换？"), ("staff", 3.5, 5, "您好，您办什么业务？"),
               ("citizen", 5.5, 7, "换社保卡。"), ("staff", 7.5, 9, "在我这儿就能换，身份证给我。"), CLOSE]
    assert not _found(opening, "A5-ANSWER", ACTS_ON)[0]


def test_musing_is_no_question():
    """看你们几点开门。 waits and sees; 我钥匙丢哪了…… searches his own pockets: nothing asked of
    the clerk. With a question mark the same words ask."""
    from analyzer.rules.answers import questions

    assert questions("行，我就坐这儿，看你们几点开门。") == []
    assert questions("钥匙……我钥匙丢哪了……哎") == []
    assert questions("我钥匙丢哪了？")


# issue 23 (duty5): Article 5 absences and Article 25 readings, in our own words
def test_a_question_put_while_the_clerk_chats_with_a_colleague_is_still_owed():
    """The clerk's words to a colleague (小赵，… then 小赵你…) are said past the citizen: his
    question in between is passed over by the instruction that follows, not answered by the chat."""
    turns = [GREET, ("citizen", 3, 5, "我来领残疾人补贴。"), ("staff", 6, 8, "身份证给我。"),
             ("staff", 20, 26, "小赵，周末那个火锅你去不去？我请客。"),
             ("citizen", 27, 30, "同志，这个补贴多久能打到卡上？"),
             ("staff", 31, 36, "小赵你到时候把你对象也叫上，人多热闹。"),
             ("staff", 40, 42, "来，这儿签个字。"), ("citizen", 43, 44, "签好了。"), CLOSE]
    (f,) = _found(turns, "A5-ANSWER", ACTS_ON)[0]
    assert "多久" in f.detail["question"]
    answered = [*turns[:6], ("staff", 38, 40, "一般十个工作日到账。"), *turns[6:]]
    assert not _found(answered, "A5-ANSWER", ACTS_ON)[0]


def test_which_weekday_asks_a_time_and_a_few_asks_nothing():
    from analyzer.rules.answers import questions

    (q,) = questions("那星期几来合适？")
    assert "time" in q.kinds
    assert not questions("就剩这几个钱……") and not questions("我还有几个朋友的……")
    assert questions("要复印几份？")[0].kinds == {"amount"}


def test_a_question_passed_over_is_not_answered_by_the_closing_words_about_something_else():
    """Passed over by a signature request, a time question is not answered at the close by a time
    about another thing (回执 … 五个工作日); said about what was asked (补发 …), it is."""
    turns = [GREET, ("citizen", 3, 5, "我来办养老金资格认证。"), ("staff", 6, 8, "身份证给我。"),
             ("citizen", 9, 13, "停发的那两个月哪个月补发？"), ("staff", 14, 15, "在这儿签字。"),
             ("citizen", 16, 17, "好了。"),
             ("staff", 40, 44, "好了，回执您拿好，五个工作日办结。请您为我的服务做个评价，您慢走。")]
    assert _found(turns, "A5-ANSWER", ACTS_ON)[0]
    about = [*turns[:6], ("staff", 40, 44, "好了，停发的下个月一起补发。请您为我的服务做个评价，您慢走。")]
    assert not _found(about, "A5-ANSWER", ACTS_ON)[0]


def test_the_work_reported_done_passes_a_choice_question_over():
    """这钱打我的卡还是打他的卡？ met only by 您的业务已办好，请核对 is passed over (the work reported,
    an instruction): the clerk said nothing of the choice."""
    from analyzer.rules.answers import reply_moves

    assert reply_moves("您的业务已办好，请核对一下。") == {"procedure", "instruction"}
    turns = [GREET, ("citizen", 3, 5, "我来办独生子女奖励。"), ("staff", 6, 8, "户口本、身份证拿来。"),
             ("citizen", 9, 13, "给您。这钱是打我的卡上还是打我爱人的卡上？"),
             ("staff", 40, 42, "您的业务已办好，请核对一下。"), ("citizen", 43, 44, "哦。"), CLOSE]
    assert _found(turns, "A5-ANSWER", ACTS_ON)[0]


def test_a_come_again_for_a_missing_paper_or_a_step_dated_is_not_the_hour():
    """Sent to come again because he is short of a paper (户口本落在老家了 … 那您改天再来), or told
    the date of a step of his matter (后天上午派人上门核查), nobody is put off for the hour
    (Article 25, and no 下班了，明天再来 paraphrase either); the clerk's own hands are (我这儿
    腾不出手，你过两天再来)."""
    body = [GREET, ("citizen", 3, 5, "我来办低保申请。"), ("staff", 6, 8, "还得要户口本原件。")]
    short = [*body, ("citizen", 9, 11, "户口本落在老家了。"), ("staff", 12, 13, "那您改天再来。"),
             ("citizen", 14, 15, "好吧。"), CLOSE]
    found, report = _found(short, "A25-HOURS", ACTS_ON, **IN_HOURS)
    assert not found and not [f for f in report.findings if f.rule == "A9-F-01"]
    dated = [*body, ("citizen", 9, 11, "带着呢，给您。"),
             ("staff", 12, 16, "收好了，后天上午派人上门核查，核查完了审核。"), ("citizen", 17, 18, "好的。"), CLOSE]
    assert not _found(dated, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]
    busy = [*body, ("citizen", 9, 11, "带着呢，给您。"),
            ("staff", 12, 16, "先搁这儿吧，我这会儿腾不出手，你过两天再来。"), ("citizen", 17, 18, "啊？"), CLOSE]
    assert _found(busy, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]


def test_agreeing_to_the_citizens_own_plan_or_telling_the_hours_asked_defers_nothing():
    """那我明天再来 … 好，那您明天再来: the plan is the citizen's own; the hours told when asked (中午
    休息吗？ … 中午十二点到两点半午休，下午再来吧) are information. Either way no Article 25 and no Article 9."""
    body = [GREET, ("citizen", 3, 6, "我想问问办房产证要带啥。"),
            ("staff", 7, 10, "身份证、购房合同、完税证明。")]
    plan = [*body, ("citizen", 11, 14, "今天排队的人太多了，那我明天再来。"),
            ("staff", 15, 16, "好，那您明天再来，直接找我就行。"), CLOSE]
    found, report = _found(plan, "A25-HOURS", ACTS_ON, **IN_HOURS)
    assert not found and not [f for f in report.findings if f.rule == "A9-F-01"]
    hours = [*body, ("citizen", 11, 14, "你们中午休息吗？"),
             ("staff", 15, 18, "中午十二点到两点半午休，下午再来吧。"), CLOSE]
    found, report = _found(hours, "A25-HOURS", ACTS_ON, **IN_HOURS)
    assert not found and not [f for f in report.findings if f.rule == "A9-F-01"]


def test_sent_off_to_fetch_a_paper_on_a_third_trip_is_a_run_around():
    """我跑第四回了 … 让你家里人送来，送来再说: sent off again to come back; on a first visit the
    same words are Article 18's matter at most, no run-around."""
    trip = [GREET, ("citizen", 3, 6, "同志，这是我跑第四回了，材料都在这儿。"),
            ("staff", 7, 10, "还差一份社区的证明。"), ("citizen", 11, 13, "证明在我老伴那儿。"),
            ("staff", 14, 16, "那让你老伴送来，送来再说。"), ("citizen", 17, 18, "唉。")]
    assert any("送来再说" in f.evidence for f in _found(trip, "A17-RUNAROUND", ACTS_ON)[0])
    first = [trip[0], ("citizen", 3, 6, "同志，我来办低保，材料都在这儿。"), *trip[2:]]
    assert not _found(first, "A17-RUNAROUND", ACTS_ON)[0]


def test_a_copy_told_in_answer_to_the_citizens_question_is_one_telling():
    """要带户口本、身份证和结婚证 … 结婚证要原件吗？ … 原件核对完退给您，另外带一份复印件: the answer
    to his question about a paper told, not an item added."""
    told = [GREET, ("citizen", 3, 5, "办生育登记要带啥？"),
            ("staff", 6, 9, "需要户口本、身份证和结婚证，就这些，一次带齐就能办。")]
    asked = [*told, ("citizen", 10, 12, "结婚证要原件吗？"),
             ("staff", 13, 16, "原件我们核对完就退给您，另外带一份复印件留档。"), ("citizen", 17, 18, "好，记下了。"), CLOSE]
    assert not _found(asked, "A18-PIECEMEAL", ACTS_ON)[0]


def test_whom_to_ask_after_not_ours_in_words_is_article_16s_and_a_nod_confirms_a_check():
    """这个不归我们这儿了 … 那我该找谁？ is where to go (Article 16's), not an unanswered question;
    那我可以走了？ … 嗯。 is confirmed."""
    from analyzer.rules.duties import NOT_OURS

    assert NOT_OURS.search("您户口迁走了，这个补贴就不归我们这儿发了。")
    turns = [GREET, ("citizen", 3, 6, "我的高龄补贴今年咋没发？"),
             ("staff", 7, 11, "您户口迁走了，这个补贴就不归我们这儿发了。"), ("citizen", 12, 13, "那我该找谁？"),
             ("staff", 14, 16, "您现在住哪个社区？"), ("citizen", 17, 18, "新华社区。"),
             ("staff", 19, 23, "去新华街道办事处二楼的民政窗口问。"), ("citizen", 24, 25, "那我可以走了？"),
             ("staff", 26, 26.5, "嗯。")]
    assert not _found(turns, "A5-ANSWER", ACTS_ON)[0]


def test_asking_a_colleague_or_putting_off_without_a_reason_are_read_for_what_they_do():
    """小刘，这个现在还收不收费？ asks a colleague, no closing for the hour; 这礼拜我先不收，你下周再
    拿来 puts the business off, no reason given (Article 25)."""
    from analyzer.rules.duties import asks_only, deferred_by_words

    assert asks_only("这个我问问……小刘，补办结婚证现在还收不收费？")
    assert deferred_by_words("这个你下周再拿来，这礼拜我先不收。")
    assert not deferred_by_words("证明没带齐，我先不收，你补齐了下周再来。")
    body = [GREET, ("citizen", 3, 5, "我来交建房申请，材料都齐了。")]
    colleague = [*body, ("staff", 6, 10, "这个我问问……小刘，建房申请现在还收不收工本费？"),
                 ("staff", 12, 14, "不收费，您把材料给我。"), ("citizen", 15, 16, "好。"), CLOSE]
    found, report = _found(colleague, "A25-HOURS", ACTS_ON, **IN_HOURS)
    assert not found and not [f for f in report.findings if f.rule == "A9-F-01"]
    put_off = [*body, ("staff", 6, 10, "先放这儿，这礼拜我先不收，你下周再拿来。"), ("citizen", 11, 12, "啊？"), CLOSE]
    assert _found(put_off, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]


def test_sent_back_where_he_came_from_runs_on_to_the_clerk_standing_by_it_and_sent_on_is_no_run_around():
    """镇上的所让我来这儿的 answering 回镇派出所开 is sent back (the finding runs on to 你还是回去找他们,
    the clerk standing by it); 街道的人让我来的 answering 去市里吧 is sent on to a third place: a
    redirect (Article 16's to judge), no run-around."""
    back = [GREET, ("citizen", 3, 6, "我来开户口迁移证明。"), ("staff", 7, 10, "这个得回镇派出所开，我们开不了。"),
            ("citizen", 11, 14, "我就是从镇派出所过来的，他们让我来这儿。"),
            ("staff", 15, 18, "他们搞错了，你还是回去找他们。"), ("citizen", 19, 20, "唉。")]
    (f,) = _found(back, "A17-RUNAROUND", ACTS_ON)[0]
    assert f.start == 7 and f.end == 18
    onward = [GREET, ("citizen", 3, 6, "我来申请人才公寓。"), ("staff", 7, 10, "这个我们街道办不了，去市里吧。"),
              ("citizen", 11, 14, "可我们街道的人让我来的呀。"), ("staff", 15, 18, "新申请都在市里受理。"),
              ("citizen", 19, 20, "那好吧。")]
    assert not _found(onward, "A17-RUNAROUND", ACTS_ON)[0]


def test_pleading_the_rules_coldly_is_no_heat_of_a_quarrel():
    """凭什么不给办！ … 规定就是这样，我也没办法 … 你们就是为难人！ … 有意见你去反映: one side heated,
    the other refusing coldly — no 你来我往; 规定就这样！你喊啥！ said in heat is a retort."""
    cold = [GREET, ("citizen", 3, 6, "凭什么不给我办？我都跑两趟了！"),
            ("staff", 7, 10, "规定就是这样，我也没办法。"), ("citizen", 11, 13, "你们就是故意为难人！"),
            ("staff", 14, 17, "有意见你去反映，电话在墙上。"), ("citizen", 18, 19, "行，我去反映。")]
    assert not _found(cold, "A17-QUARREL", ACTS_ON)[0]
    hot = [*cold[:2], ("staff", 7, 10, "规定就这样！你喊啥喊！"), cold[3],
           ("staff", 14, 17, "谁为难你了？爱办不办！"), ("citizen", 18, 19, "你什么态度！")]
    assert _found(hot, "A17-QUARREL", ACTS_ON)[0]


def test_a_question_back_answered_by_the_citizen_makes_the_clerks_next_turn_the_reply():
    """多久能报下来？ … 您是职工医保还是居民医保？ … 职工的。 … 职工医保一个月左右到账: one exchange,
    the question answered; 还有事吗？ asks nothing back, it closes (the question left owed)."""
    from analyzer.rules.answers import reply_moves

    assert reply_moves("还有事吗？") == {"closing"} and reply_moves("还有别的事没？") == {"closing"}
    body = [GREET, ("citizen", 3, 4, "我来问住院报销的事。"), ("staff", 5, 6, "您说。"),
            ("citizen", 7, 8, "我住院的钱多久能报下来？")]
    back = [*body, ("staff", 9, 11, "您是职工医保还是居民医保？"), ("citizen", 12, 13, "职工的。"),
            ("staff", 14, 18, "职工医保一个月左右到账。"), ("citizen", 19, 20, "好，谢谢。"),
            ("staff", 21, 24, "不客气，请您对我的服务做个评价，再见。")]
    assert not _found(back, "A5-ANSWER", ACTS_ON)[0]
    closed = [*body, ("staff", 9, 11, "还有事吗？"), ("citizen", 12, 13, "啊？没了。"),
              ("staff", 21, 24, "请您对我的服务做个评价，再见。")]
    assert _found(closed, "A5-ANSWER", ACTS_ON)[0]


def test_someday_then_only_is_no_question_and_a_receipt_handed_over_is_the_procedure():
    from analyzer.rules.answers import questions, reply_moves

    assert not questions("哪天跑不动了才算歇。") and questions("哪天能办好？")
    assert reply_moves("回执，拿好。") == {"procedure", "instruction"}


def test_the_chat_going_on_about_its_own_things_is_still_no_reply():
    """The clerk's chat (双十一, then 那双靴子) goes on without the name or the shop word: still said past
    the citizen, whose question in between is owed."""
    turns = [GREET, ("citizen", 3, 5, "我来补办社保卡。"), ("staff", 6, 8, "身份证给我。"),
             ("staff", 10, 15, "小张，双十一你抢到那双靴子没有？"),
             ("citizen", 16, 19, "同志，补的卡几天能拿到？"),
             ("staff", 20, 25, "那双靴子我看又涨了一百，早知道就下单了。"),
             ("staff", 30, 32, "这儿签字。"), ("citizen", 33, 34, "签好了。"), CLOSE]
    assert _found(turns, "A5-ANSWER", ACTS_ON)[0]


def test_standing_by_one_more_trip_after_a_third_is_a_run_around_unless_a_way_round_is_offered():
    body = [GREET, ("citizen", 3, 6, "这都第三趟了，上回说差的户口页我带来了。"),
            ("staff", 7, 10, "户口页行了，还差一张结婚证复印件。"), ("citizen", 11, 14, "你让我再跑第四趟？")]
    stands = [*body, ("staff", 15, 18, "没有结婚证复印件审不了，我也没办法。"), ("citizen", 19, 20, "唉。")]
    assert any("第四趟" in f.evidence for f in _found(stands, "A17-RUNAROUND", ACTS_ON)[0])
    spared = [*body, ("staff", 15, 18, "不用再跑了，您拍个照发过来，我先给您办。"), ("citizen", 19, 20, "那好。")]
    assert not any("第四趟" in f.evidence for f in _found(spared, "A17-RUNAROUND", ACTS_ON)[0])


def test_a_call_putting_the_materials_off_after_a_question_back_defers_them():
    """要带啥？ … 孩子上户口没有？ … 还没上。 … 你先来吧，来了再说: the materials asked two turns
    back are put off until the visit (Article 18)."""
    turns = [("staff", 0, 3, "您好，镇便民服务中心医保窗口，请讲。"),
             ("citizen", 4, 8, "我家孩子刚出生，想问问办医保要带啥？"), ("staff", 9, 11, "孩子上户口没有？"),
             ("citizen", 12, 13, "还没上呢。"), ("staff", 14, 17, "那你先来吧，来了再说，电话里讲不明白。"),
             ("citizen", 18, 19, "哦，好吧。")]
    assert _found(turns, "A18-PIECEMEAL", ACTS_ON, channel="phone")[0]


def test_a_printout_reported_and_what_to_check_only_direct_the_work_and_a_card_paid_into_is_no_material():
    """回执打出来了，请您核对一下，名字、医院、日期 passes a question over (the work reported, what to
    check); 钱会打到您的社保卡上 names where the money goes, no paper to bring."""
    from analyzer.rules.answers import reply_moves
    from analyzer.rules.materials import _NOT_ASKED

    assert reply_moves("回执打出来了，请您核对一下，名字、医院、日期。") == {"procedure", "instruction"}
    assert _NOT_ASKED.search("审核通过以后，钱会打到您的社保卡上")
    turns = [GREET, ("citizen", 3, 5, "我来办异地就医备案。"), ("staff", 6, 8, "身份证给我。"),
             ("citizen", 9, 12, "给。那我在外地买药也能刷卡吗？"),
             ("staff", 20, 24, "回执打出来了，请您核对一下，名字、医院、日期。"), ("citizen", 25, 26, "对着呢。"), CLOSE]
    assert _found(turns, "A5-ANSWER", ACTS_ON)[0]


def test_a_question_met_by_a_deferral_for_the_hour_is_article_25s_not_an_unanswered_one():
    """才十一点半，半小时还办不完？ … 录入要一个钟头，弄一半就到点了，下午三点以后来: the 到点了 is the reason
    for putting the business off (Article 25), no rush passing the question over."""
    turns = [GREET, ("citizen", 3, 5, "我来办房屋抵押登记，材料都齐了。"),
             ("staff", 6, 9, "这都快十二点了，你下午再来吧。"), ("citizen", 10, 12, "才十一点半，半小时还办不完？"),
             ("staff", 13, 17, "录入要一个钟头，弄一半就到点了，下午三点以后来。"), ("citizen", 18, 19, "唉。")]
    assert not _found(turns, "A5-ANSWER", ACTS_ON, started_at="2026-11-04T11:30:00+08:00")[0]
    assert _found(turns, "A25-HOURS", ACTS_ON, started_at="2026-11-04T11:30:00+08:00")[0]


def test_readings_from_the_last_training_sets_in_our_own_words():
    """补贴一个月给多少？ asks a sum; 谁晓得哪儿填错了！ asks nothing; 缺啥我现在就告诉您 puts nothing
    off; after a third trip, 你回去让单位盖了章再拿来 sends the citizen off again."""
    from analyzer.rules.answers import questions
    from analyzer.rules.materials import TOLD_NOW

    assert questions("那补贴一个月给多少？")[0].kinds == {"cost"}
    assert not questions("谁晓得哪儿填错了！")
    assert TOLD_NOW.search("您别急，我先帮您把材料看一遍，缺啥我现在就告诉您。")
    trip = [GREET, ("citizen", 3, 6, "同志，我这是第三趟了，证明带来了。"),
            ("staff", 7, 10, "证明上还得有单位的公章。"), ("citizen", 11, 13, "啊？上回没说要盖章啊。"),
            ("staff", 14, 17, "没章不行，你回去让单位盖好了再拿过来。"), ("citizen", 18, 19, "唉。")]
    assert any("再拿过来" in f.evidence for f in _found(trip, "A17-RUNAROUND", ACTS_ON)[0])


# ------------------------------------------------- issue 23, session 11: duties as fresh sets say them
def test_who_is_answered_by_naming_the_person_or_the_office():
    """交给谁？ is answered by 给我就行; 找哪个单位？ after a question back about the case, by an office
    with its floor and window: a who-question answered by a person or a place named."""
    me = [GREET, ("citizen", 3, 6, "材料齐了以后，是交给你还是交给谁？"), ("staff", 6.5, 7, "交给我。"),
          ("citizen", 8, 10, "那工本费多少钱？"), ("staff", 10.5, 12, "十块。"), CLOSE]
    assert not _found(me, "A5-ANSWER", ACTS_ON)[0]
    office = [GREET, ("citizen", 3, 7, "小区物业占了我们的车位，这种事该找谁？"),
              ("staff", 7.5, 9, "您是业主还是租户？"), ("citizen", 9.5, 10.5, "业主。"),
              ("staff", 11, 16, "区住建局物业科管这个，在政务中心三楼十二号窗口。"),
              ("citizen", 17, 19, "十二号窗口。那要带房本吗？"), ("staff", 19.5, 21, "要带，还有身份证。"), CLOSE]
    assert not _found(office, "A5-ANSWER", ACTS_ON)[0]


def test_soon_answers_how_long():
    """还得等多久？ … 快了，正在打印: 'soon' is an answer of the time kind, vague as it is."""
    turns = [GREET, ("citizen", 3, 5, "同志，我这个还得等多久？"), ("staff", 5.5, 7, "快了快了，正在打印。"),
             ("staff", 30, 32, "好了，您拿好。"), CLOSE]
    assert not _found(turns, "A5-ANSWER", ACTS_ON)[0]


def test_a_question_asked_again_in_a_fragment_or_a_demand_stays_owed():
    """多少钱？ passed over, then 那钱呢…… cut off by 下一位: asked twice, the finding runs to the call
    of the next citizen. 哪天截止？ put off, then 你就告诉我个日子: the demand asks it again, so the
    put-off in forbidden words no longer excuses the question."""
    fragment = [GREET, ("citizen", 3, 6, "这个补助一个月能发多少钱？"), ("staff", 6.5, 8, "身份证是你本人的吧？"),
                ("citizen", 8.5, 9, "是。"), ("staff", 10, 12, "表我录好了。"), ("citizen", 13, 14, "那钱大概……"),
                ("staff", 14.5, 16, "好了，下一位！")]
    (f,) = _found(fragment, "A5-ANSWER", ACTS_ON)[0]
    assert f.start == 3 and f.end == 16
    demand = [("staff", 0, 2, "您好，县社保局养老窗口。"), ("citizen", 3, 6, "我问一下，今年的认证哪天截止？"),
              ("staff", 6.5, 9, "没看我这儿正忙着吗，回头再打。"), ("citizen", 9.5, 11, "你就告诉我个日子就行……"),
              ("staff", 11.5, 13, "说了忙，回头再打。"), ("citizen", 13.5, 14, "那好吧。")]
    assert _found(demand, "A5-ANSWER", ACTS_ON, channel="phone", started_at="2026-11-03T10:15:00+08:00")[0]


def test_a_vague_place_in_reply_to_where_then_is_article_16s_alone():
    """Sent off with nothing named, asked where then, told 县里吧，你去那边打听 (a level of government,
    no office): the vagueness is Article 16's vague redirect, one finding; told nothing at all
    (这我可说不上来) the question itself is left unanswered (Article 5) as before."""
    body = [GREET, ("citizen", 3, 6, "我想问问宅基地确权的事。"), ("staff", 7, 9, "这个不归我们，你去别的地方问问。")]
    vague = [*body, ("citizen", 10, 11, "那去哪儿问？"), ("staff", 12, 14, "县里吧，你去那边打听。"), ("citizen", 15, 16, "唉。")]
    found, report = _found(vague, "A5-ANSWER", ACTS_ON)
    assert not found and any(f.article == 16 for f in report.findings)
    nothing = [*body, ("citizen", 10, 11, "那去哪儿问？"), ("staff", 12, 14, "这我可说不上来。"), ("citizen", 15, 16, "唉。")]
    assert _found(nothing, "A5-ANSWER", ACTS_ON)[0]


def test_back_from_where_he_was_pointed_his_question_is_a_new_one():
    """Pointed at the sample on the wall, the citizen comes back (看了，…), remarks that his differs and
    asks where to get a copy made: no longer "where, then?" about the pointing, and a where-question
    beside a remark is still owed its answer, so a reply going on with the work leaves it unanswered."""
    turns = [GREET, ("citizen", 3, 6, "这个申请书要写哪些内容啊？"), ("staff", 6.5, 8, "那边墙上有范本，自己过去看。"),
             ("citizen", 60, 66, "看了，我们这个财产那块儿写得不太一样……对了，要是得改的话，复印在哪儿复印？"),
             ("staff", 66.5, 68, "申请书先给我。"),
             ("citizen", 68.5, 69, "给。"), ("staff", 90, 93, "在这签字，这是回执。"), CLOSE]
    assert _found(turns, "A5-ANSWER", ACTS_ON)[0]
    advice = [GREET, ("citizen", 3, 7, "叫号的时候最好能告诉大家要等多久。"),
              ("staff", 7.5, 10, "这个建议很好，谢谢您，我们会改进。"), CLOSE]
    assert not _found(advice, "A5-ANSWER", ACTS_ON)[0]  # a suggestion with no question mark asks nothing


def test_waiting_on_the_spot_or_a_paper_short_is_no_deferral():
    """二十分钟，您坐那边等会儿，我叫您 serves today; 没有户口本今天办不了，明天拿来吧 names the paper
    short (the matter's reason). 今天不收了，你明天再拿过来 and 系统下午三点才开，你坐那边等 put the
    work off for the clerk's side or the hour: deferrals."""
    wait = [GREET, ("citizen", 3, 5, "今天能拿证吗？"), ("staff", 5.5, 8, "能，二十分钟。您坐那边等会儿，我叫您。"),
            ("citizen", 8.5, 9, "好。")]
    assert not _found(wait, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]
    paper = [GREET, ("citizen", 3, 5, "我来办低保。"), ("staff", 5.5, 7, "户口本呢？"),
             ("citizen", 7.5, 9, "户口本？没人说要带啊。"), ("staff", 9.5, 12, "要核对户籍，没有户口本今天办不了，明天拿来吧。"),
             ("citizen", 12.5, 13, "好吧。")]
    rules = {f.rule for f in _found(paper, "A25-HOURS", ACTS_ON, **IN_HOURS)[1].findings}
    assert "A25-HOURS" not in rules and "A9-F-01" not in rules
    refused = [GREET, ("citizen", 3, 5, "我来交申请材料。"), ("staff", 5.5, 7, "今天不收了，你明天再拿过来。"),
               ("citizen", 7.5, 8, "啊？")]
    assert _found(refused, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]
    hour = [GREET, ("citizen", 3, 5, "我来交表。"), ("staff", 5.5, 8, "我们下午系统三点才开，你坐那边等一会儿。"),
            ("citizen", 8.5, 9, "好吧。")]
    assert _found(hour, "A25-HOURS", ACTS_ON, started_at="2026-11-03T14:40:00+08:00")[0]


def test_sent_back_to_the_window_that_sent_him_after_going_there_once():
    """Sent to window 5 first (an ordinary redirect), he comes back: 5号窗口说得在你们这办. Sent to
    window 5 again, then again over his protest (去吧去吧): one run-around finding, running over the
    protest. Told 补齐了直接来找我，不用再从头排, nobody queues again."""
    turns = [GREET, ("citizen", 3, 5, "我来办失业金。"), ("staff", 5.5, 8, "您先去5号窗口打一份缴费记录。"),
             ("citizen", 8.5, 9, "好，5号窗口。"), ("citizen", 200, 204, "同志，5号窗口说打不了，说得在你们这查。"),
             ("staff", 204.5, 208, "我们这只管审核，记录就是5号窗口打，你再去跟他说。"),
             ("citizen", 208.5, 211, "我都说了，他说就是你们这儿的事！"), ("staff", 211.5, 213, "就去5号窗口。"),
             ("citizen", 213.5, 216, "这都第二趟了，你们就不能打个电话问问？"), ("staff", 216.5, 218, "去吧去吧。")]
    found = _found(turns, "A17-RUNAROUND", ACTS_ON)[0]
    assert len(found) == 1 and found[0].start == 204.5 and found[0].end == 218
    spared = [GREET, ("citizen", 3, 5, "我来办营业执照变更。"),
              ("staff", 5.5, 9, "还差股东会决议，这是清单。补齐了您直接到我这个窗口，不用再从头排。"),
              ("citizen", 9.5, 10, "好的。")]
    assert not _found(spared, "A17-RUNAROUND", ACTS_ON)[0]


def test_materials_told_after_a_fact_asked_or_put_off_on_the_phone():
    """A list in full, then the clerk asks a fact (孩子几岁了？) and adds what the answer makes needed:
    one telling, not piecemeal, though the matter is called 收养登记. On a call, 先带身份证来，其他的
    看了材料再告诉您 puts the rest off (Article 18). At the counter, an item added and protested as not
    said on the phone (电话里没说这个啊) is not told at once."""
    adopt = [GREET, ("citizen", 3, 6, "我们想收养亲戚家的孩子。"),
             ("staff", 7, 14, "材料还差几样，我一次说全：体检证明、送养人的户口本和身份证、书面收养协议。"),
             ("citizen", 15, 16, "还得他们来呀？"),
             ("staff", 16.5, 20, "对，收养登记要双方到场。另外，孩子现在几岁了？"), ("citizen", 20.5, 21, "十岁了。"),
             ("staff", 21.5, 25, "十岁，那还得征得孩子本人同意，到时候孩子也一起来。"), ("citizen", 25.5, 26, "好。")]
    assert not _found(adopt, "A18-PIECEMEAL", ACTS_ON)[0]
    call = [("staff", 0, 2, "您好，县人社局退休窗口。"), ("citizen", 3, 6, "我想办提前退休，要准备点啥？"),
            ("staff", 6.5, 10, "先带身份证人过来，其他的看了档案再告诉您。"), ("citizen", 10.5, 11, "好吧。")]
    assert _found(call, "A18-PIECEMEAL", ACTS_ON, channel="phone")[0]
    counter = [GREET, ("citizen", 3, 6, "前天打电话问过，材料都带来了。"), ("staff", 6.5, 8, "好，我看一下。"),
               ("staff", 20, 24, "还得有个事故经过说明，单位盖章。"), ("citizen", 24.5, 26, "啊？电话里没说这个啊！"),
               ("staff", 26.5, 29, "是我电话里漏说了，对不起。"), ("citizen", 29.5, 30, "行吧。")]
    (f,) = _found(counter, "A18-PIECEMEAL", ACTS_ON)[0]
    assert f.start == 20


def test_what_the_citizen_says_to_himself_or_throws_back_asks_nothing():
    """身份证塞哪了…… (searching his own bag, no question mark) and 我咋没问？ (thrown back at the clerk)
    put no question to her."""
    musing = [GREET, ("citizen", 3, 6, "我来换证。身份证塞哪了……"), ("staff", 6.5, 8, "不着急，您慢慢找，先把旧证给我。"),
              ("citizen", 9, 10, "给。"), ("staff", 30, 32, "好了，这是新证。"), CLOSE]
    assert not _found(musing, "A5-ANSWER", ACTS_ON)[0]
    retort = [GREET, ("citizen", 3, 5, "我来交房屋合同。"), ("staff", 5.5, 8, "这合同没备案，你来之前怎么不问清楚？"),
              ("citizen", 8.5, 9.5, "我咋没问？"), ("staff", 10, 12, "那你说这算谁的？"), ("citizen", 12.5, 13, "行吧。")]
    assert not _found(retort, "A5-ANSWER", ACTS_ON)[0]


def test_anything_more_is_answered_by_more_and_a_polite_check_by_its_no():
    """还有别的吗？ … 三张。还有，户口本也带上: more told answers it. 您快下班了吧？…表在哪儿领？ … 没事，
    您说。表在…: the no opening the reply is the check's, the place the other question's."""
    more = [GREET, ("citizen", 3, 6, "照片要几张？还有别的吗？"), ("staff", 6.5, 9, "三张。还有，户口本也带上。"),
            ("citizen", 9.5, 10, "好。"), CLOSE]
    assert not _found(more, "A5-ANSWER", ACTS_ON)[0]
    check = [("staff", 0, 2, "您好，这里是城关镇便民服务中心综合窗口。"),
             ("citizen", 3, 7, "你好，您快下班了吧？我就问一句，申请表在哪儿领？"),
             ("staff", 7.5, 11, "没事，您说。申请表在一楼大厅服务台领。"), ("citizen", 11.5, 12, "好的，谢谢。"),
             ("staff", 12.5, 14, "不客气，请您给我的服务做个评价，再见。")]
    assert not _found(check, "A5-ANSWER", ACTS_ON, channel="phone")[0]


def test_a_side_question_may_wait_for_the_business_in_hand():
    """我是来领社保卡的，顺便问一下…要不要备案？ … 社保卡先给您取 … 那备案的事呢？ … 个人去的话要在网上申请:
    a question put by the way, answered when raised again after the business, was not passed over."""
    turns = [GREET, ("citizen", 3, 8, "我是来领社保卡的，顺便问一下，我拿这个卡去外地看病，要不要备案？"),
             ("staff", 8.5, 9.5, "社保卡先给您取。"), ("staff", 30, 32, "这是您的社保卡，请核对一下信息。"),
             ("citizen", 33, 35, "对的。那备案的事呢？"),
             ("staff", 35.5, 42, "跟单位走的话单位统一办，个人去的话要在网上申请异地就医备案。"),
             ("citizen", 43, 44, "哦，那我自己在网上弄。"), CLOSE]
    assert not _found(turns, "A5-ANSWER", ACTS_ON)[0]


def test_a_cost_put_as_free_or_paid_and_a_question_lost_behind_a_call_or_a_colleague():
    """是免费给还是要自己出钱？ asks a cost: an instruction passes it over. A question put while the clerk
    takes a call (我接个电话。……喂，…) or speaks to a colleague by name (小刘，…) is owed by what she says
    to the citizen next; an instruction then passes it over."""
    cost = [GREET, ("citizen", 3, 7, "轮椅是白给还是要自己出一部分钱？"), ("staff", 7.5, 9, "你先把残疾证复印件拿过来登记。"),
            ("citizen", 10, 12, "那要等多久？"), ("staff", 12.5, 14, "一个月左右。"), CLOSE]
    assert _found(cost, "A5-ANSWER", ACTS_ON)[0]
    call = [GREET, ("citizen", 3, 6, "我来办老年卡。"), ("staff", 6.5, 8, "好的，身份证给我。"),
            ("citizen", 9, 13, "对了，我老伴的能不能我一起代办了？"),
            ("staff", 13.5, 20, "您稍等，我接个电话。……喂，对，城关便民服务站。……名单下午送过去。好。"),
            ("staff", 21, 23, "您这个照片背面写一下名字。"), ("citizen", 24, 26, "写好了，你看对不对？"),
            ("staff", 26.5, 27, "对的。"), CLOSE]
    assert _found(call, "A5-ANSWER", ACTS_ON)[0]
    colleague = [*call[:4], ("staff", 13.5, 20, "小刘，复印机又卡了？你把纸往外抽，慢点。"), *call[5:]]
    assert _found(colleague, "A5-ANSWER", ACTS_ON)[0]


def test_no_deferral_on_a_private_call_in_a_rush_or_pending_a_signature():
    """我还没下班呢 said to her mother on a private call, 我马上下班了，你赶紧说完 (a rush: he is still being
    served, Article 9's) and 科长签了我才能给您，您下周二再来 (the matter pending a signature, no hour)
    defer no work for the hour."""
    private = [GREET, ("citizen", 3, 5, "我来交表。"), ("staff", 5.5, 6.5, "放这儿吧。"),
               ("staff", 7, 14, "喂，妈。……我还没下班呢，今天顶班，晚上你们先吃吧。"), ("staff", 15, 17, "好，表我收了。"),
               CLOSE]
    assert not _found(private, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]
    rush = [("staff", 0, 2, "您好，这里是东城便民服务站。"), ("citizen", 3, 6, "我想问一下补办社保卡的事。"),
            ("staff", 6.5, 9, "都来了再说吧，我这儿马上下班了，你赶紧的说完。"), ("citizen", 9.5, 10, "好好。")]
    assert not _found(rush, "A25-HOURS", ACTS_ON, channel="phone", started_at="2026-11-04T17:40:00+08:00")[0]
    signed = [GREET, ("citizen", 3, 5, "我来领补助。"),
              ("staff", 5.5, 9, "这个要本人当面签收，科长签了我才能给您。您下周二再来一趟吧。"), ("citizen", 9.5, 10, "好吧。")]
    assert not _found(signed, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]
    meal = [GREET, ("citizen", 3, 5, "我想问一下公积金提取的事。"), ("staff", 5.5, 7, "你等会儿，我先去吃个饭。"),
            ("citizen", 7.5, 8, "好吧。")]
    assert _found(meal, "A25-HOURS", ACTS_ON, **IN_HOURS)[0]  # her own meal is no private call


def test_a_step_of_the_procedure_is_no_material_added():
    """All told at once on a list; later 先报失，然后去拍照 names steps, no paper and no word of more."""
    turns = [GREET, ("citizen", 3, 5, "我护照丢了，要补办。"),
             ("staff", 6, 12, "需要三样：身份证、遗失情况说明、报失登记表，就这些，齐了就能办。"),
             ("citizen", 13, 15, "说明写好了，都在这儿。"), ("staff", 40, 42, "好，我看一下……可以。先报失，然后去拍照。"),
             ("citizen", 43, 44, "好的。"), CLOSE]
    assert not _found(turns, "A18-PIECEMEAL", ACTS_ON)[0]


def test_a_requirement_that_changed_since_the_last_visit_is_no_piecemeal():
    """上次怎么不说 answered by the rule having changed (这个月起要原件) leaves nothing out; unanswered it does."""
    def visit(reply):
        return [GREET, ("citizen", 3, 6, "我来办落户，这是材料。"),
                ("staff", 7, 10, "还差一份房屋产权证明的原件。"),
                ("citizen", 11, 14, "上次怎么不说？我都跑两回了。"), ("staff", 15, 19, reply), CLOSE]
    assert not _found(visit("不好意思，原来只要复印件，这个月起要原件了，新规定。"), "A18-PIECEMEAL", ACTS_ON)[0]
    assert _found(visit("不好意思，您补上再来吧。"), "A18-PIECEMEAL", ACTS_ON)[0]


# ------------------------------------------------- Article 5, session 12 (duty7)
def test_putting_a_question_off_or_winding_up_answers_nothing():
    """过两天再问 / 好，先这样: a put-off or a wind-up is no answer, whatever number or 好 is in it."""
    def visit(reply):
        return [GREET, ("citizen", 3, 6, "我想问问，生育津贴一般能领多少钱？"), ("staff", 7, 10, reply),
                ("citizen", 10.5, 11, "哦，好吧。")]
    for reply in ("我这边排了七八个人，你回头再问吧。", "好，先就这样，您忙完再来问。"):
        found, _ = _found(visit(reply), "A5-ANSWER")
        assert found and found[0].end >= 7, reply
    assert not _found(visit("按工资算，大概一万二左右，您回头再问也行。"), "A5-ANSWER")[0]


def test_calling_the_next_with_a_busy_reason_passes_the_question_over():
    """那手续怎么弄？ … 行了，后头还有一大堆人，下一位: the busy reason beside the call answers nothing."""
    turns = [GREET, ("citizen", 3, 5, "我给老伴办残疾证。"), ("staff", 6, 8, "表填好了，收下了。"),
             ("citizen", 9, 12, "那复评的手续怎么弄？她下不了楼。"), ("staff", 12.5, 14, "行了，我后面还有一屋子人呢，下一位。")]
    found, _ = _found(turns, "A5-ANSWER")
    assert found and found[0].start == 9


def test_just_these_few_says_no_more_will_be_asked():
    """会不会回头又加一样？ … 就这四样: a "these N, that's all" answers whether more is coming."""
    turns = [GREET, ("citizen", 3, 6, "单子上就这四样了吧？会不会回头又加一样？"),
             ("staff", 7, 10, "就这四样。"), CLOSE]
    assert not _found(turns, "A5-ANSWER")[0]
    turns[2] = ("staff", 7, 10, "您先到旁边把表填了。")
    assert _found(turns, "A5-ANSWER")[0]


def test_asking_for_the_id_to_look_it_up_then_answering_is_an_answer():
    """多久能批？ … 您身份证号报一下 … (the number) … 查到了，下周三前批下来: the look-up was her reply,
    even when the citizen, forgetful, asks the same again afterwards."""
    turns = [GREET, ("citizen", 2.5, 3, "我来交低保的补充材料。"), ("staff", 3.2, 3.8, "好，收下了。"),
             ("citizen", 4, 6, "我那个低保申请，多久能批下来？"), ("staff", 7, 9, "您叫啥名字？把身份证递给我。"),
             ("citizen", 9.5, 13, "李秀兰，给。"), ("staff", 20, 24, "查到了，在审，下周三以前有结果。"),
             ("citizen", 25, 27, "哦。那多久能批下来来着？"), ("staff", 28, 30, "下周三以前。"), CLOSE]
    assert not _found(turns, "A5-ANSWER")[0]
    # asked back and then only the procedure: still passed over
    turns[6] = ("staff", 20, 24, "好，签个字，拿好回执。")
    turns[7:9] = [("citizen", 25, 26, "哦。")]
    assert _found(turns, "A5-ANSWER")[0]


def test_a_caller_giving_in_to_a_wind_up_leaves_the_question_to_article_5():
    """电话: 能补办不？去哪办？ … 好，就这样，你有空再打 … 啊？那好吧。 The call ended on his consent (no
    forced hang-up); the questions dropped are unanswered."""
    turns = [("staff", 0, 3, "您好，这里是城关镇便民服务中心，请问您办什么业务？"),
             ("citizen", 4, 8, "我想问一下，我的合作医疗证丢了，能补办不？去哪办？"),
             ("staff", 9, 11, "好，就这样，你有空再打。"), ("citizen", 11.5, 13, "啊？那好吧。")]
    found, report = _found(turns, "A5-ANSWER", channel="phone", rings=1)
    assert found and found[0].article == 5
    assert not [f for f in report.findings if f.rule == "A7-HANGUP"]


# ------------------------------------------- Articles 17 and 18, session 12 (duty7)
def test_a_third_party_told_to_come_to_this_window_is_no_run_around():
    """跑了三趟 … 让你们单位的经办人带公函到我们这个窗口来取: nobody is sent elsewhere; 去社保局 still is."""
    def visit(reply):
        return [GREET, ("citizen", 3, 7, "我这都跑了三趟了，社保局说是你们这儿的事！"),
                ("staff", 8, 14, reply), ("citizen", 15, 16, "好。"), CLOSE]
    here = "查到了，不是您的问题。让你们单位的经办人带公函到我们这个窗口来取就行，不用您再跑。"
    assert not _found(visit(here), "A17-RUNAROUND", ACTS_ON)[0]
    assert _found(visit("这个你还得去社保局问。"), "A17-RUNAROUND", ACTS_ON)[0]


def test_the_paper_he_says_he_was_sent_for_is_no_new_material():
    """上回你叫我开个收入证明 … 贷款才要那个证明: pointing back to the paper he reports is no new one."""
    def visit(reply):
        return [GREET, ("citizen", 3, 8, "我第二回来了。上回你叫我开个收入证明，单位说办贷款用不上，让我回来问你。"),
                ("staff", 9, 13, reply), ("citizen", 14, 16, "上回你可没讲是办哪样才要！"),
                ("staff", 17, 19, "好，我给您说清楚。"), CLOSE]
    assert not _found(visit("贷款是不用，您要办的是提取，提取才要那个证明。"), "A18-PIECEMEAL", ACTS_ON)[0]
    assert _found(visit("贷款是不用，您要办的是提取，提取还要婚姻证明。"), "A18-PIECEMEAL", ACTS_ON)[0]


def test_a_list_given_before_in_writing_answers_the_protest():
    """电话里没说要这个 … 那天给您发过短信，上面都写着: nothing was held back; a note written now is no excuse."""
    def visit(reply):
        return [GREET, ("citizen", 3, 6, "我前天打电话问过，你们说的我都带来了。"),
                ("staff", 7, 10, "还差一份户籍证明。"), ("citizen", 11, 13, "户籍证明？电话里没说啊！"),
                ("staff", 14, 18, reply), ("citizen", 19, 20, "哦，行。"), CLOSE]
    assert not _found(visit("您别急，那天我们给您发过一条短信，材料单上六样都写着呢。"), "A18-PIECEMEAL", ACTS_ON)[0]
    assert _found(visit("不好意思，我给您写在这张单子上，上面写着呢。"), "A18-PIECEMEAL", ACTS_ON)[0]


# ------------------------------------- from train-halls-27's kinds, session 12 (duty7)
def test_calling_the_next_ticket_over_a_question_ends_the_visit_with_it_unanswered():
    """补贴多久发一次？ … 请三十一号到四号窗口: the call of the next ends the visit; the question is owed,
    even with no closing after it."""
    turns = [GREET, ("citizen", 3, 5, "我来办临时救助。"), ("staff", 6, 20, "办好了，这是回执。"),
             ("citizen", 21, 24, "好。那这补贴多久发一次？"), ("staff", 25, 27, "请三十一号到四号窗口办理。"),
             ("citizen", 28, 29, "我还没问完……"), ("staff", 30, 31, "三十一号！三十一号人呢？"), ("citizen", 32, 33, "算了。")]
    found, _ = _found(turns, "A5-ANSWER")
    assert found and found[0].start == 21


def test_saying_i_asked_that_already_shows_the_first_reply_went_past_it():
    """顺便问一句…能在这儿交不？ … (about the business) … 我刚才问的…能不能在这儿交？ … 不在这儿: answered only
    the second time, even though asked by the way and the first reply said something."""
    turns = [GREET, ("citizen", 3, 6, "我来取证。顺便问一句，我闺女的城乡居民医保能在这儿交不？"),
             ("staff", 7, 10, "取证先签字，这个本子回去放好，别受潮。"),
             ("citizen", 11, 14, "好。那我刚才问的医保，能不能在这儿交？"), ("staff", 15, 17, "这儿交不了，得去税务。"), CLOSE]
    found, _ = _found(turns, "A5-ANSWER")
    assert found and found[0].start == 3
    turns[3] = ("citizen", 11, 14, "好。")
    assert not _found(turns, "A5-ANSWER")[0]  # never asked again: the side question may wait


def test_a_question_restated_is_answered_by_the_reply_to_the_restatement():
    """今天还来得及办吗？ … 你快点说 … 哦，就是说过期的还能补吗？ … 能补，带身份证: one question, answered."""
    turns = [GREET, ("citizen", 3, 6, "我驾驶证过期了，今天还来得及办吗？"), ("staff", 7, 9, "你快点说，我这马上要交班了。"),
             ("citizen", 10, 12, "哦，就是说过期的还能补吗？"), ("staff", 13, 16, "能补，带身份证和体检表来就行。"), CLOSE]
    assert not _found(turns, "A5-ANSWER")[0]


def test_not_closing_time_yet_said_to_serve_is_no_deferral():
    """11:57 还没到点呢，您坐: served. 13:35 (afternoon opening 14:30 not yet) 还没到点，两点半以后再说: deferred."""
    def visit(reply, at):
        return [("citizen", 0, 2, "同志，还能办吗？我怕你们中午关门。"), ("staff", 2.5, 5, reply),
                ("citizen", 5.5, 7, "我办个独生子女证。")], {"started_at": at}
    turns, when = visit("没事，还没到点呢，您坐，办什么？", "2026-11-04T11:57:00+08:00")
    assert not _found(turns, "A25-HOURS", ACTS_ON, **when)[0]
    turns, when = visit("还没到点呢，两点半以后再说。", "2026-11-04T14:35:00+08:00")
    assert _found(turns, "A25-HOURS", ACTS_ON, **when)[0]


# ------------------------------------- from train-halls-28's kinds, session 12 (duty7)
def test_is_it_done_answered_by_its_done():
    """好了没有啊？ … 好了，您拿好: the done-question answered by saying it is done."""
    turns = [GREET, ("citizen", 3, 5, "补办社保卡。"), ("staff", 6, 8, "身份证给我，看这边拍照。"),
             ("citizen", 30, 31, "师傅，好了没有啊？"), ("staff", 35, 37, "好了，您拿好，核对一下。"), CLOSE]
    assert not _found(turns, "A5-ANSWER")[0]


def test_not_started_yet_with_a_wait_on_the_spot_still_defers():
    """14:40 还没开始呢，你先坐这边等，四点以后再说: waiting for her to begin is work deferred; 在这儿稍等，
    马上给您办 is a wait while served."""
    def visit(reply):
        return [("citizen", 0, 2, "你好，我来办低保年审。"), ("staff", 2.5, 6, reply), ("citizen", 6.5, 7, "哦。")]
    when = {"started_at": "2026-11-04T14:40:00+08:00"}
    assert _found(visit("还没开始呢，你先坐这边等，四点以后再说。"), "A25-HOURS", ACTS_ON, **when)[0]
    assert not _found(visit("您好，在这儿稍等，我马上给您办。"), "A25-HOURS", ACTS_ON, **when)[0]


def test_someone_away_told_in_answer_defers_nothing_unless_the_citizen_is_sent_off():
    """主任开会去了，你现在找不着他 (he asked for the head) defers nothing; 科长下乡去了，明天再来 does."""
    def visit(reply):
        return [GREET, ("citizen", 3, 5, "我要找你们主任。"), ("staff", 6, 8, reply),
                ("citizen", 9, 10, "那你先给我办吧。"), ("staff", 11, 30, "好，办好了，您核对一下。"), CLOSE]
    assert not _found(visit("主任开会去了，你现在找不着他。"), "A25-HOURS", ACTS_ON, **IN_HOURS)[0]
    assert _found(visit("科长下乡去了，明天再来。"), "A25-HOURS", ACTS_ON, **IN_HOURS)[0]
    assert _found(visit("管这个的同事培训去了，我先不接，你下午再跑一趟。"), "A25-HOURS", ACTS_ON, **IN_HOURS)[0]


# ------------------------------------- from train-halls-29's kinds, session 12 (duty7)
def test_a_sum_told_answers_how_much_whatever_else_is_said():
    """最多能借多少？ … 按两个人的缴存算，最多能借四十万，表您先填一下: the sum is the answer."""
    turns = [GREET, ("citizen", 3, 5, "我们两口子来办公积金贷款。"), ("staff", 6, 9, "好，材料我看一下……齐了。"),
             ("citizen", 10, 12, "那最多能借多少？"),
             ("staff", 13, 18, "按两个人的缴存和收入算，最多能借四十万，表您先填一下，签字的地方我圈出来了。"), CLOSE]
    assert not _found(turns, "A5-ANSWER")[0]


def test_a_requirement_new_this_month_is_no_piecemeal_across_visits():
    """上回问过 … 从本月一号起还得有社区证明，上回还没有这条规定: nothing was left out last time."""
    def visit(reply):
        return [GREET, ("citizen", 3, 7, "我上周来问过，你们说带户口本和身份证就行，我都带来了。"),
                ("staff", 8, 14, reply), ("citizen", 15, 16, "哦，那行。"), CLOSE]
    assert not _found(visit("好。不过从本月一号起，还得有一份社区出的居住证明，上周还没有这条规定。"),
                      "A18-PIECEMEAL", ACTS_ON)[0]
    assert _found(visit("好。不过还得有一份社区出的居住证明。"), "A18-PIECEMEAL", ACTS_ON)[0]


def test_a_coat_in_the_clerks_chat_is_no_material():
    """她对同事说 我那件到现在还没到: no paper added after the list."""
    turns = [GREET, ("citizen", 3, 5, "我来领失业金。"), ("staff", 6, 9, "好，身份证、银行卡给我一下。"),
             ("citizen", 10, 11, "给。"), ("staff", 12, 16, "小李，你网上买的那双靴子到了吗？我那件到现在还没发货。"),
             ("staff", 17, 20, "好了，办好了，每月十五号到账。"), CLOSE]
    assert not _found(turns, "A18-PIECEMEAL", ACTS_ON)[0]
