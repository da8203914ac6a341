"""Context rules: greetings, leaving, replies owed after a cue, forbidden phrases.

These run the real lexicon and matcher, so they break if a context rule, a
lexicon group or the role-aware matching breaks.
"""

from __future__ import annotations

import pytest

from analyzer.options import AnalyzerOptions
from analyzer.rules.context import context_findings, detect_cues, owed_groups
from analyzer.text.lexicon import load_lexicon
from analyzer.text.match import find_phrases
from analyzer.types import Interaction, Utterance

OPTS = AnalyzerOptions().with_overrides({"classifier.enabled": False})


def _inter(turns, channel="counter", gap=1.0, length=3.0):
    """Build an interaction from (speaker, text) or (speaker, text, start) turns."""
    utts, t = [], 0.0
    for turn in turns:
        speaker, text = turn[0], turn[1]
        if len(turn) > 2:
            t = turn[2]
        utts.append(Utterance(speaker, t, t + length, text))
        t += length + gap
    return Interaction(id="t", channel=channel, utterances=utts)


def _run(inter, options=OPTS):
    lex = load_lexicon()
    hits = find_phrases(inter.utterances, lex, options.match)
    cues = detect_cues(inter, hits, options, lex)
    return context_findings(inter, hits, cues, lex, options.context), cues


def _missing(findings):
    return sorted(f.rule for f in findings if f.kind == "missing")


GREET = ("staff", "您好，请问要办理什么业务？")
EVAL = ("staff", "请您为我的服务做出评价，谢谢。")
BYE = ("staff", "请您慢走，再见。")
ASK = ("citizen", "我来办理营业执照变更。")
WAIT = ("staff", "好的，请您稍等。")
DONE = ("staff", "您的手续已办好，请核对。")
OK = ("citizen", "好的。")


def test_model_counter_visit_owes_nothing():
    findings, cues = _run(_inter([GREET, ASK, WAIT, DONE, OK, EVAL, OK, BYE]))
    assert findings == [] and cues == []


def test_counter_greeting_missing_names_window_and_first_words():
    findings, _ = _run(_inter([ASK, ("staff", "身份证给我。"), WAIT, DONE, OK, EVAL, BYE]))
    [f] = findings
    assert f.rule == "A8-G-GREETING" and f.article == 8 and f.kind == "missing"
    assert f.canonical == "您好,请问要办理什么业务?"
    assert "身份证给我" in f.evidence
    assert f.start == 4.0 and f.end >= 24.0  # from the first staff words, greeting_window 20 s
    assert f.confidence == pytest.approx(0.95)


def test_counter_greeting_in_second_turn_counts_but_late_greeting_does_not():
    early = [ASK, ("staff", "请坐。"), GREET, DONE, OK, EVAL, BYE]
    assert _run(_inter(early))[0] == []
    late = [ASK, ("staff", "请坐。"), WAIT, ("citizen", "好", 40.0), ("staff", "您好，请问要办理什么业务？", 60.0),
            DONE, OK, EVAL, BYE]
    assert _missing(_run(_inter(late))[0]) == ["A8-G-GREETING"]


def test_phone_greeting_must_be_the_first_staff_words():
    good = _inter([("staff", "您好，这里是东城区政务大厅三号窗口。"), ASK, WAIT], channel="phone")
    assert _run(good)[0] == []
    split = _inter([("staff", "您好，"), ("staff", "这里是东城区政务大厅三号窗口。"), ASK],
                   channel="phone", gap=0.3)
    assert _run(split)[0] == []
    late = _inter([("staff", "等一下啊。"), ("staff", "您好，这里是东城区政务大厅三号窗口。"), ASK],
                  channel="phone")
    [f] = _run(late)[0]
    assert f.rule == "A7-G-GREETING" and f.article == 7
    assert "等一下" in f.evidence and f.end == 3.0


def test_leaving_missing_evaluation_and_goodbye():
    findings, _ = _run(_inter([GREET, ASK, WAIT, DONE, OK, ("staff", "好了，走吧。")]))
    assert _missing(findings) == ["A10-G-EVALUATE", "A10-G-GOODBYE"]
    f = next(f for f in findings if f.rule == "A10-G-EVALUATE")
    assert f.article == 10 and "走吧" in f.evidence
    assert f.end == pytest.approx(23.0)  # the end of the interaction


def test_leaving_not_judged_on_short_or_phone_or_citizenless_interactions():
    assert _run(_inter([GREET, ASK]))[0] == []  # cut short: 2 utterances
    phone = _inter([("staff", "您好，这里是东城区政务大厅三号窗口。"), ASK, WAIT, DONE, OK],
                   channel="phone")
    assert _run(phone)[0] == []
    staff_only = _inter([GREET, WAIT, DONE, ("staff", "嗯。")])
    assert _run(staff_only)[0] == []


def test_no_staff_speech_owes_nothing():
    assert _run(_inter([ASK, ("citizen", "有人吗？"), ("citizen", "喂？"), OK]))[0] == []


def test_praise_owes_thanks():
    base = [GREET, ASK, DONE, ("citizen", "你们服务真好，效率真高。")]
    findings, cues = _run(_inter(base + [("staff", "不客气。"), EVAL, BYE]))
    assert [c.kind for c in cues] == ["praise"]
    [f] = findings
    assert f.rule == "A10-G-PRAISE" and f.detail["cue"] == "praise"
    assert "服务真好" in f.evidence and f.start == cues[0].start
    thanked = base + [("staff", "谢谢您的肯定，这是我们应该做的。"), EVAL, BYE]
    assert _run(_inter(thanked))[0] == []


def test_suggestion_owes_supervision_phrase_within_the_window():
    base = [GREET, ASK, DONE, ("citizen", "我有个建议，停车位太少了。")]
    [f] = _run(_inter(base + [("staff", "好的。"), EVAL, BYE]))[0]
    assert f.rule == "A10-G-SUGGESTION" and "停车位" in f.evidence
    good = base + [("staff", "谢谢您，欢迎您监督和帮助。"), EVAL, BYE]
    assert _run(_inter(good))[0] == []
    too_late = base + [("staff", "好的。"), ("staff", "嗯。"), ("staff", "下一个。"),
                       ("staff", "谢谢您，欢迎您监督和帮助。", 100.0), EVAL, BYE]
    assert _missing(_run(_inter(too_late))[0]) == ["A10-G-SUGGESTION"]


def test_incomplete_materials_owes_apology_and_material_list():
    base = [GREET, ASK, ("staff", "您的材料还缺一份户口本复印件。")]
    findings, cues = _run(_inter(base + [("staff", "您下次带来吧。"), OK, EVAL, BYE]))
    assert cues[0].kind == "incomplete_materials"
    assert _missing(findings) == ["A10-G-APOLOGY", "A10-G-MATERIAL-LIST"]
    apology = base + [("staff", "对不起，请您补全手续再来办理。"), OK, EVAL, BYE]
    assert _missing(_run(_inter(apology))[0]) == ["A10-G-MATERIAL-LIST"]


def test_upset_citizen_owes_an_explanation_any_alternative():
    base = [GREET, ("citizen", "我已经跑了好几趟了，太过分了！")]
    assert _missing(_run(_inter(base + [("staff", "那没办法。"), OK, EVAL, BYE]))[0]) == [
        "A10-G-UPSET"]
    alt = base + [("staff", "请您按照户籍科要求准备好材料，我们将及时为您办理。"), OK, EVAL, BYE]
    assert _run(_inter(alt))[0] == []


def test_cue_without_later_staff_speech_is_not_judged():
    # the recording ends on the citizen's praise: nothing owed can be judged
    findings, cues = _run(_inter([GREET, ASK, DONE, EVAL, BYE, ("citizen", "你们服务真好。")]))
    assert cues and findings == []


def test_repeated_cue_in_one_episode_gives_one_finding():
    turns = [GREET, ("citizen", "你们服务真好。"), ("staff", "没事。"), ("citizen", "真的，服务态度真好。"),
             ("staff", "嗯。"), EVAL, BYE]
    assert _missing(_run(_inter(turns))[0]) == ["A10-G-PRAISE"]


def test_forbidden_phrase_is_staff_only():
    staff = _run(_inter([GREET, ("citizen", "我要投诉你。"), ("staff", "你去投诉好了。")]))[0]
    forbidden = [f for f in staff if f.kind == "forbidden"]
    assert [f.rule for f in forbidden] == ["A9-F-05"]
    f = forbidden[0]
    assert f.canonical == "你去投诉好了" and f.speaker == "staff" and f.article == 9
    assert f.start == 8.0 and "投诉" in f.evidence and f.confidence > 0.9
    citizen = _run(_inter([GREET, ("citizen", "不行的话你去投诉好了，我跟你说。")]))[0]
    assert not [f for f in citizen if f.kind == "forbidden"]


def test_owed_groups_come_from_the_lexicon():
    lex = load_lexicon()
    assert {g.id for g in owed_groups(lex, "leaving")} == {"A10-G-EVALUATE", "A10-G-GOODBYE"}
    upset = {g.id: g.rule_ids for g in owed_groups(lex, "upset_citizen")}
    assert upset == {"A10-G-UPSET": frozenset({"A10-R-07", "A10-R-08"})}
    # A7-R-03 (请问您要办理什么业务) is a phone phrase but not owed at a fixed moment
    assert {g.id for g in owed_groups(lex, "phone_greeting")} == {"A7-G-GREETING"}


def test_learned_cues_count_when_the_classifier_is_on():
    # no lexicon cue words: only the learned cue classifier sees a suggestion here
    turns = [GREET, ASK, DONE, ("citizen", "我觉得你们可以在门口多放几把椅子。"), ("staff", "好的。"),
             EVAL, BYE]
    on = AnalyzerOptions()
    findings, cues = _run(_inter(turns), on)
    assert [(c.kind, c.source) for c in cues] == [("suggestion", "classifier")]
    [f] = findings
    assert f.rule == "A10-G-SUGGESTION" and f.detail["cue_source"] == "classifier"
    assert f.confidence == pytest.approx(0.95 * cues[0].confidence)
    assert _run(_inter(turns))[0] == []  # classifier off: nothing owed


def test_lexicon_cue_wins_over_classifier_cue_on_the_same_utterance():
    turns = [GREET, ASK, ("citizen", "我有个建议，门口多放几把椅子。"), ("staff", "好的。"), EVAL, BYE]
    _, cues = _run(_inter(turns), AnalyzerOptions())
    assert [(c.kind, c.source) for c in cues] == [("suggestion", "lexicon")]


def test_forbidden_hit_on_an_assumed_speaker_weighs_less():
    inter = _inter([GREET, ("staff", "你去投诉好了。")])
    known = [f for f in _run(inter)[0] if f.kind == "forbidden"][0]
    for u in inter.utterances:
        u.speaker_known = False  # a mono recording: the microphone owner was assumed
    assumed = [f for f in _run(inter)[0] if f.kind == "forbidden"][0]
    assert assumed.confidence == pytest.approx(known.confidence * 0.8)
    assert assumed.detail["speaker_assumed"] is True


def test_unsure_cues_owe_no_reply():
    from analyzer.types import Cue

    inter = _inter([GREET, ("citizen", "今天天气不错。"), ("staff", "是啊。"), EVAL, BYE])
    lex = load_lexicon()
    hits = find_phrases(inter.utterances, lex, OPTS.match)
    unsure = Cue("upset", 1, 4.0, 7.0, "今天天气不错。", 0.54, "classifier")
    sure = Cue("upset", 1, 4.0, 7.0, "今天天气不错。", 0.9, "classifier")
    assert context_findings(inter, hits, [unsure], lex, OPTS.context) == []
    assert _missing(context_findings(inter, hits, [sure], lex, OPTS.context)) == ["A10-G-UPSET"]


def test_a_short_visit_that_ended_is_judged_for_leaving():
    """The issue's visit: greeting, a request, 下班了，明天再来 — three turns, judged."""
    visit = _inter([("staff", "您好，请问要办理什么业务？"), ("citizen", "我想办社保卡。"),
                    ("staff", "下班了，明天再来。")])
    findings, _ = _run(visit)
    missing = [f for f in findings if f.kind == "missing"]
    assert sorted(f.rule for f in missing) == ["A10-G-EVALUATE", "A10-G-GOODBYE"]
    assert {f.detail["visit_ended"] for f in missing} == {"farewell"}
    assert "A9-F-01" in {f.rule for f in findings}


def test_how_a_recorded_visit_ended_decides_whether_leaving_is_judged():
    from analyzer.options import ContextOptions
    from analyzer.rules.context import visit_ended

    turns = [("staff", "您好，请问要办理什么业务？"), ("citizen", "我想办社保卡，需要什么材料？")]
    opts = ContextOptions()
    left = _inter(turns)
    left.duration = left.utterances[-1].end + 5.0  # silence after the citizen's last words
    assert visit_ended(left, [], opts) == "citizen_left"
    assert _missing(_run(left)[0]) == ["A10-G-EVALUATE", "A10-G-GOODBYE"]
    cut = _inter(turns)
    cut.duration = cut.utterances[-1].end + 0.2  # speech runs to the edge: cut
    assert visit_ended(cut, [], opts) is None
    assert _missing(_run(cut)[0]) == []
    typed = _inter(turns)  # a typed transcript ending on the citizen's question
    assert visit_ended(typed, [], opts) is None


def test_plain_questions_owe_no_reply():
    """The issue's three questions: the classifier may call them cues, none owes a reply."""
    from analyzer import analyze

    for question in ("请问社保在哪个窗口？", "这个证明去哪里开？", "我材料带齐了吗？"):
        record = {"id": "q", "channel": "counter", "utterances": [
            {"speaker": "staff", "start": 0.0, "end": 2.0, "text": "您好，请问要办理什么业务？"},
            {"speaker": "citizen", "start": 3.0, "end": 5.0, "text": question},
            {"speaker": "staff", "start": 6.0, "end": 8.0, "text": "在三号窗口，您往右走。"},
            {"speaker": "staff", "start": 9.0, "end": 11.0, "text": "请您为我的服务做出评价，谢谢。"},
            {"speaker": "staff", "start": 11.5, "end": 13.0, "text": "请您慢走，再见。"}]}
        report = analyze(record)
        owed = [f for f in report.findings if f.kind == "missing" and "cue" in f.detail]
        assert owed == [], (question, [(f.rule, f.detail["cue"]) for f in owed])


def test_a_classifier_cue_owes_only_above_its_precision_threshold(monkeypatch):
    from analyzer.options import ClassifierOptions
    from analyzer.rules import learned
    from analyzer.training.classifiers.train import OWE_PRECISION

    meta = learned.load_metadata(str(learned.model_dir(ClassifierOptions())))["cues"]
    owe = meta["owe_threshold"]
    assert owe["precision"] >= OWE_PRECISION and owe["threshold"] > meta["threshold"]
    for model in meta["owe_model"].values():
        assert model["precision"] >= OWE_PRECISION and model["features"] == list(learned.OWE_FEATURES)
    text = "你们服务真是太好了，特别感谢"
    utts = [Utterance("citizen", 0.0, 2.0, text)]
    (cue,) = learned.citizen_cues(utts, ClassifierOptions())
    (pred,) = learned.classify([text], "cues")
    assert cue.owes == learned.owes_reply(meta, pred, cue.kind, text)


def test_a_cue_after_the_reply_is_a_new_episode():
    """Not ours, pointed; later another matter not ours, not pointed: that one is owed."""
    turns = [GREET, ("staff", "这个不归我们管。"), ("staff", "请您到五号窗口办理。"),
             ("citizen", "还有一个事。"), ("staff", "这个我们也不负责。"), ("staff", "我也没办法。")]
    missing = [f for f in _run(_inter(turns))[0] if f.rule == "A16-G-POINTER"]
    assert len(missing) == 1 and "也不负责" in missing[0].evidence


def test_an_earlier_visit_is_not_an_incomplete_materials_cue():
    """上次没说还要户口本: the classifier reads incomplete materials; it is about that visit."""
    options = AnalyzerOptions()  # classifier on
    turns = [GREET, ("citizen", "上次没说还要户口本啊。"), ("staff", "不好意思，我这次都跟您说清楚。"),
             EVAL, BYE]
    findings, cues = _run(_inter(turns), options)
    assert {c.kind for c in cues} == {"earlier_visit"}
    assert not _missing(findings)


@pytest.mark.parametrize("ask", ["啊？闺女你再讲一遍，我这耳朵不灵了。", "什么？大点声，我听不见。"])
def test_a_citizen_asking_to_hear_the_clerk_is_not_upset(ask):
    """A hard-of-hearing citizen asking the clerk to speak up owes no calming (session 7, kind
    from train-halls-6); indignation in the same words still does."""
    from analyzer import analyze

    def record(said):
        texts = [("staff", "您好，请问办什么？"), ("citizen", "我来领高龄补贴。"),
                 ("staff", "高龄补贴要带身份证和存折。"), ("citizen", said),
                 ("staff", "身份证和存折，两样。"), ("citizen", "好，我知道了。"),
                 ("staff", "请您为我的服务做出评价，谢谢，您慢走。")]
        return {"id": "h", "channel": "counter", "utterances": [
            {"speaker": sp, "start": 3.0 * k, "end": 3.0 * k + 2.5, "text": t}
            for k, (sp, t) in enumerate(texts)]}

    assert "A10-G-UPSET" not in {f.rule for f in analyze(record(ask)).findings}, ask
    angry = analyze(record("什么态度！大点声会死啊？我跑了三趟了！"))
    assert "A10-G-UPSET" in {f.rule for f in angry.findings}


def test_a_callers_question_after_a_hello_is_no_praise():
    """喂，… 吗？ asks (session 7, kind from train-halls-3): a hello before a one-clause question
    does not make it two clauses, so the classifier's praise on it owes no thanks."""
    from analyzer.rules.context import _not_the_kind

    assert _not_the_kind("praise", "喂，您好，请问是城东社区服务中心吗？")
    assert _not_the_kind("praise", "有你这么办事的吗？")
    assert not _not_the_kind("praise", "真快啊，是新来的吧？")


# The owed-reply window (context.reply_span): an apology and the list said as the lack
# came to light count, not only those said after the turning-away. These run the act
# detector too (the pipeline's hits), so the apology and the list may be in any words.
FULL = AnalyzerOptions().with_overrides({"judge.enabled": False})


def _run_acts(turns, options=FULL):
    from analyzer.rules.acts import act_hits

    inter = _inter(turns)
    lex = load_lexicon()
    hits = find_phrases(inter.utterances, lex, options.match)
    hits = [*hits, *act_hits(inter, hits, lex, options)]
    cues = detect_cues(inter, hits, options, lex)
    return _missing(context_findings(inter, hits, cues, lex, options.context)), cues


CLOSE = [OK, EVAL, BYE]


def test_a_list_told_before_the_turning_away_counts_when_it_names_the_lack():
    turns = [GREET, ASK, ("staff", "办这个要带户口本、结婚证和两张两寸照片。"),
             ("citizen", "哎呀，结婚证我没带。"),
             ("staff", "对不起，结婚证没带今天办不了，您回去拿了再来。"), *CLOSE]
    missing, cues = _run_acts(turns)
    assert 4 in [c.utterance for c in cues if c.kind == "incomplete_materials"]
    assert missing == []
    after_only = FULL.with_overrides({"context.reply_before_turns": 0})
    assert _run_acts(turns, after_only)[0] == ["A10-G-MATERIAL-LIST"]


def test_apology_and_list_spread_over_two_turns_count():
    turns = [GREET, ASK, ("staff", "您这还差户口本原件和结婚证复印件。"),
             ("staff", "抱歉啊，今天办不了，补齐了再来。"), *CLOSE]
    assert _run_acts(turns)[0] == []
    assert _run_acts(turns, FULL.with_overrides({"context.reply_before_turns": 0}))[0] == [
        "A10-G-MATERIAL-LIST"]


def test_a_list_for_another_matter_is_no_list_of_the_lack():
    other = ("staff", "迁户口要带户口本、出生证明和准迁证，在一楼办。")
    missing, _ = _run_acts([GREET, ASK, other, ("citizen", "好。"),
                            ("staff", "对不起，您这个还缺租房合同，补齐了再来。"), *CLOSE])
    assert "A10-G-MATERIAL-LIST" in missing


def test_an_apology_long_before_the_lack_does_not_count():
    turns = [GREET, ASK, ("staff", "不好意思，让您久等了。"), ("citizen", "没事。"),
             ("staff", "您先坐。"), ("citizen", "好。"), ("staff", "我看一下。"), ("staff", "嗯。"),
             ("staff", "您这还缺一份房产证复印件，补上再来。"), *CLOSE]
    assert "A10-G-APOLOGY" in _run_acts(turns)[0]


def test_the_look_back_is_for_the_kinds_named():
    # a thanks said before the praise answers nothing: praise is not a look-back kind
    turns = [GREET, ASK, ("staff", "谢谢您的肯定，这是我们应该做的。"), ("citizen", "你们服务真好。"),
             ("staff", "嗯。"), EVAL, BYE]
    assert _missing(_run(_inter(turns))[0]) == ["A10-G-PRAISE"]
    praise_too = OPTS.with_overrides({"context.reply_before_kinds": ("praise",)})
    assert _missing(_run(_inter(turns), praise_too)[0]) == []


@pytest.mark.parametrize("bad", ["context.reply_before_turns=-1",
                                 "context.reply_before_kinds=greeting"])
def test_reply_before_options_are_validated(bad):
    from analyzer.cli.overrides import parse_override
    from analyzer.errors import OptionError

    with pytest.raises(OptionError):
        OPTS.with_overrides(dict([parse_override(OPTS, bad)]))


@pytest.mark.parametrize("reply", ["您先坐下喝口水，咱们慢慢说。", "这事有办法，我去请示一下领导。",
                                   "您别走，我帮您协调一下。"])
def test_soothing_or_offering_a_way_answers_an_outburst(reply):
    base = [GREET, ("citizen", "我都跑了好几趟了，太过分了！")]
    assert _missing(_run(_inter(base + [("staff", reply), OK, EVAL, BYE]))[0]) == []
    assert _missing(_run(_inter(base + [("staff", "把表填了。"), OK, EVAL, BYE]))[0]) == [
        "A10-G-UPSET"]


@pytest.mark.parametrize("line", ["我想问问，以后要是还来补材料，中午你们这儿有人值班没有？",
                                  "以后换证也是在这个窗口办吗？"])
def test_a_question_of_what_the_service_is_is_no_suggestion(line):
    """Asking what the service is (中午有人没有？ 以后也在这儿办吗？) proposes no change: no suggestion
    cue, whatever the classifier heard; a question that proposes one still is (issue 23, cue6)."""
    from analyzer.rules.context import _not_the_kind

    assert _not_the_kind("suggestion", line)
    assert not _not_the_kind("suggestion", "你们以后能不能弄成手机上就能预约的？")
    turns = [GREET, ASK, DONE, ("citizen", line), ("staff", "有的，中午有人轮班。"), EVAL, BYE]
    _, cues = _run(_inter(turns), AnalyzerOptions())
    assert "suggestion" not in {c.kind for c in cues}
