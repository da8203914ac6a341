"""Acoustic verification: candidates, acceptance, the acoustic hit, and every path on real audio."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from analyzer.errors import OptionError, TranscriptError
from analyzer.options import AnalyzerOptions, MatchOptions, VerifyOptions
from analyzer.pipeline import analyze, get_lexicon
from analyzer.speech.verify import Candidate, Scored, Verifier
from analyzer.text.match import find_phrases, near_phrases
from analyzer.types import Heard, Utterance, Word

DATA = Path(__file__).resolve().parent / "data" / "verify"
#: Natural-voice stereo recordings (clerk on channel 0) whose staff turn Whisper
#: base garbles: 没看我正忙着吗 is written 没看我这么忙着嘛, 你的记性真差 as
#: 你的激性遵查瞎 (benchmarks/natural_voice.py, voice jf_alpha).
GARBLED = {"A9-F-03": DATA / "busy-garbled.flac", "A10-F-02": DATA / "memory-garbled.flac"}


@pytest.fixture(scope="module")
def lexicon():
    return get_lexicon(AnalyzerOptions())


@pytest.fixture(scope="module")
def verifier(lexicon):
    return Verifier(lexicon, VerifyOptions(), MatchOptions())


def _heard(rule: str = "A10-F-02", margin: float = -0.4, **kw) -> Heard:
    base = dict(rule=rule, phrase="你的记性真差", start=1.0, end=2.0, evidence="你的激性遵查",
                margin=margin, confidence=0.8, phrase_score=-9.0, hypothesis_score=-6.6)
    return Heard(**{**base, **kw})


def test_a_garbled_stretch_is_a_candidate_covering_what_was_garbled(lexicon, verifier):
    text = "游汪带材料了,你的记性准挑下次带起再来。"
    near = {n.rule.id: n for n in near_phrases(text, lexicon, kinds=("forbidden",),
                                               speaker="staff", min_similarity=0.4)}
    assert "A10-F-02" in near
    n = near["A10-F-02"]
    assert text[n.start : n.end] == "你的记性准挑"  # 准挑 is where 真差 was said
    cands = verifier.candidates(text)
    assert any(c.rule.id == "A10-F-02" and c.source == "pinyin" for c in cands)


def test_a_phrase_the_text_shows_verbatim_is_left_to_the_text_matcher(verifier):
    assert not [c for c in verifier.candidates("好的，你的记性真差。") if c.rule.id == "A10-F-02"]


def test_owed_phrases_are_tried_only_at_the_ends_of_a_visit(verifier):
    greeting, farewell = "你好,有什么事", "再见了您呐"
    middle = {c.rule.id for c in verifier.candidates(greeting)}
    first = {c.rule.id: c.source for c in verifier.candidates(greeting, first=True)}
    last = {c.rule.id: c.source for c in verifier.candidates(farewell, last=True)}
    assert first.get("A8-R-01") == "owed" and "A8-R-01" not in middle
    assert last.get("A10-R-02") == "owed"
    assert "A10-R-02" not in {c.rule.id for c in verifier.candidates(farewell, first=True)}


def test_an_owed_phrase_nothing_resembles_is_not_tried(verifier):
    """Under verify.owed_prefilter no owed phrase was said on generated speech: not worth
    an alignment."""
    text = "这个给你看一下"
    assert verifier.lexicon.get("A8-R-01").id not in {
        c.rule.id for c in verifier.candidates(text, first=True, last=True)}


def test_candidates_from_the_beams_other_hypotheses(verifier):
    alt = "没看我正忙着吗"
    cands = verifier.candidates("没有看过就忘了", [alt])
    assert [c.source for c in cands if c.rule.id == "A9-F-03"] == ["nbest"]


def _scored(verifier, rule_id: str, phrase: str, start: int, end: int, margin: float,
            similarity: float = 0.6) -> Scored:
    rule = verifier.lexicon.get(rule_id)
    return Scored(Candidate(rule, phrase, start, end, "pinyin", similarity), margin,
                  -10.0 + margin, -10.0)


def test_a_stretch_with_errors_one_and_two_characters_apart_is_still_a_candidate(verifier):
    """你的戒性盾塔 shares one pinyin bigram of five with 你的记性真差 (the issue's miss)."""
    for text, rule in (("好的你的戒性盾塔下次带来", "A10-F-02"), ("没看我就忙着吗", "A9-F-03"),
                       ("一去投诉好了", "A9-F-05")):
        assert rule in {c.rule.id for c in verifier.candidates(text)}, text


def test_every_candidate_comes_back_accepted_or_rejected_with_its_reason(verifier):
    words = [Word("请您收等一下", 1.0, 2.5, 0.4)]
    text = "请您收等一下"
    good = _scored(verifier, "A7-R-04", "请您稍等一下", 0, 6, -0.2, 0.9)
    rival = _scored(verifier, "A10-R-02", "请您慢走,再见", 0, 6, -3.4, 0.4)
    tried = {h.rule: h for h in verifier.accept([good, rival], words, text)}
    assert tried["A7-R-04"].accepted and tried["A7-R-04"].reason == ""
    assert not tried["A10-R-02"].accepted and tried["A10-R-02"].reason in ("probability", "rival")
    assert tried["A7-R-04"].confidence > tried["A10-R-02"].confidence
    assert tried["A7-R-04"].competitor == "请您慢走,再见"
    assert tried["A7-R-04"].competitor_margin == -3.4
    assert (tried["A7-R-04"].start, tried["A7-R-04"].end) == (1.0, 2.5)
    assert tried["A7-R-04"].word_confidence == pytest.approx(0.4)
    floor = verifier.options.min_margin
    far = _scored(verifier, "A7-R-04", "请您稍等一下", 0, 6, floor - 0.5)
    [h] = verifier.accept([far], words, text)
    assert (h.accepted, h.reason) == (False, "margin")


def test_of_two_overlapping_phrases_only_the_more_probable_is_heard(verifier):
    words = [Word("请您收等一下", 1.0, 2.5, 0.6)]
    a = _scored(verifier, "A7-R-04", "请您稍等一下", 0, 6, -0.1, 0.9)
    b = _scored(verifier, "A10-R-02", "请您慢走,再见", 0, 6, -0.15, 0.5)
    tried = {h.rule: h for h in verifier.accept([a, b], words, "请您收等一下")}
    assert sum(h.accepted for h in tried.values()) <= 1
    loser = min(tried.values(), key=lambda h: h.confidence)
    assert not loser.accepted


def test_nested_phrases_are_not_rivals(verifier):
    words = [Word("请您稍等一下", 0.0, 1.0, 0.6)]
    a = _scored(verifier, "A7-R-04", "请您稍等一下", 0, 6, -0.2, 0.9)
    b = _scored(verifier, "A9-R-01", "请您稍等", 0, 4, -0.1, 0.9)
    assert {h.rule for h in verifier.accept([a, b], words, "请您稍等一下")
            if h.accepted} == {"A7-R-04", "A9-R-01"}


def test_the_probability_rises_with_the_margin(verifier):
    words = [Word("你的激性遵查", 0.0, 1.0, 0.5)]
    probs = [verifier.accept([_scored(verifier, "A10-F-02", "你的记性真差", 0, 6, m)], words,
                             "你的激性遵查")[0].confidence for m in (-4.0, -2.0, -0.5, 0.5)]
    assert probs == sorted(probs) and probs[0] < probs[-1]


def test_a_heard_phrase_becomes_an_acoustic_finding_with_its_scores(lexicon):
    utt = Utterance("staff", 0.5, 3.0, "好的你的激性遵查瞎", heard=(_heard(),))
    hits = find_phrases([utt], lexicon)
    acoustic = [h for h in hits if h.method == "acoustic"]
    assert [h.rule.id for h in acoustic] == ["A10-F-02"]
    report = analyze({"id": "v", "channel": "counter", "utterances": [utt.to_dict()]})
    finding = next(f for f in report.findings if f.rule == "A10-F-02")
    assert finding.detail["method"] == "acoustic"
    assert finding.detail["acoustic"]["heard_as"] == "你的激性遵查"
    assert finding.detail["acoustic"]["margin"] == -0.4
    plain = analyze({"id": "v", "channel": "counter",
                     "utterances": [Utterance("staff", 0.5, 3.0, utt.text).to_dict()]})
    # without the audio no acoustic finding; the act detector may still read the homophone
    # 激性 (= 记性) from the text alone, and then says it was a paraphrase
    assert all(f.detail.get("method") == "paraphrase" for f in plain.findings if f.rule == "A10-F-02")


def test_a_finding_carries_the_probability_and_below_the_bar_goes_to_review(lexicon):
    def report(p: float):
        utt = Utterance("staff", 0.5, 3.0, "好的你的激性遵查瞎", heard=(_heard(confidence=p),))
        return analyze({"id": "v", "channel": "counter", "utterances": [utt.to_dict()]})

    bar = VerifyOptions().review_probability
    sure, unsure = report(min(1.0, bar + 0.1)), report(bar - 0.2)
    [f] = [f for f in sure.findings if f.rule == "A10-F-02"]
    assert f.detail["acoustic"]["probability"] == pytest.approx(min(1.0, bar + 0.1))
    assert f.review == "" and f.points > 0
    [g] = [f for f in unsure.findings if f.rule == "A10-F-02"]
    assert g.review == "detector" and g.points == 0 and g.detail["held_points"] > 0
    assert g.detail["probability"] == pytest.approx(bar - 0.2) and g.detail["review_bar"] == bar
    assert unsure.score > sure.score  # held: no deduction until an inspector confirms


def test_a_rejected_candidate_is_listed_in_the_report_and_finds_nothing(lexicon):
    rejected = _heard(confidence=0.1, accepted=False, reason="probability")
    utt = Utterance("staff", 0.5, 3.0, "好的你的激性遵查瞎", heard=(rejected,))
    report = analyze({"id": "v", "channel": "counter", "utterances": [utt.to_dict()]})
    # the rejected candidate finds nothing; the act detector may still read the homophone
    # 激性 (= 记性) from the text alone, and then says it was a paraphrase
    assert all(f.detail.get("method") == "paraphrase" for f in report.findings if f.rule == "A10-F-02")
    [item] = report.to_dict()["transcript"][0]["heard"]
    assert (item["phrase"], item["margin"], item["accepted"], item["reason"]) == (
        "你的记性真差", -0.4, False, "probability")


def test_no_second_hit_where_the_text_already_shows_the_phrase(lexicon):
    utt = Utterance("staff", 0.0, 2.0, "你的记性真差", heard=(_heard(start=0.0, end=2.0),))
    hits = [h for h in find_phrases([utt], lexicon) if h.rule.id == "A10-F-02"]
    assert [h.method for h in hits] == ["exact"]


def test_a_citizen_never_gets_a_staff_phrase_heard(lexicon):
    utt = Utterance("citizen", 0.0, 2.0, "你的激性遵查", heard=(_heard(),))
    assert not [h for h in find_phrases([utt], lexicon) if h.rule.id == "A10-F-02"]


def test_heard_items_survive_the_transcript_round_trip():
    utt = Utterance("staff", 0.5, 3.0, "好的你的激性遵查瞎", heard=(_heard(competitor="请您慢走",
                                                                    competitor_margin=-4.0),))
    record = {"id": "v", "channel": "counter", "utterances": [utt.to_dict()]}
    back = analyze(json.loads(json.dumps(record, ensure_ascii=False)))
    assert back.utterances[0].heard == utt.heard


def test_a_malformed_heard_item_names_the_field():
    bad = _heard().to_dict() | {"margin": "high"}
    record = {"id": "v", "channel": "counter",
              "utterances": [{"speaker": "staff", "start": 0, "end": 1, "text": "x", "heard": [bad]}]}
    with pytest.raises(TranscriptError, match=r"heard\[0\]\.margin"):
        analyze(record)
    wrong = {"id": "v", "channel": "counter", "utterances": [
        {"speaker": "staff", "start": 0, "end": 1, "text": "x",
         "heard": [_heard(accepted=False).to_dict() | {"reason": "too quiet"}]}]}
    with pytest.raises(TranscriptError, match=r"heard\[0\]\.reason"):
        analyze(wrong)


def test_verify_options_are_validated_and_recorded():
    with pytest.raises(OptionError, match="verify.min_margin"):
        VerifyOptions(min_margin=0.5)
    with pytest.raises(OptionError, match="verify.kinds"):
        VerifyOptions(kinds=("cue",))
    report = analyze({"id": "v", "channel": "counter", "utterances": []},
                     AnalyzerOptions().with_overrides({"verify.min_margin": -1.5}))
    assert report.analyzer.options["verify"]["min_margin"] == -1.5


def test_the_review_app_explains_a_heard_finding(tmp_path):
    """Stored through the batch, shown on the interaction page: phrase, score, rival."""
    from web_fixture import asgi_get

    from analyzer.batch import run_batch
    from analyzer.store import Store
    from analyzer.web import auth

    tried = _heard(rule="A9-F-03", phrase="没看我正忙着吗", evidence="好的你", margin=-3.7,
                   confidence=0.07, accepted=False, reason="probability")
    utt = Utterance("staff", 0.5, 3.0, "好的你的激性遵查瞎",
                    heard=(_heard(competitor="请您慢走,再见", competitor_margin=-4.25), tried))
    record = {"id": "heard-1", "channel": "counter", "utterances": [utt.to_dict()]}
    path = tmp_path / "heard-1.json"
    path.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "r.sqlite"
    run_batch(path, db)
    with auth.connect(db) as con:
        auth.add_user(con, "insp", "inspector", "inspector-pass-1")
    with Store(db) as store:
        pk = store.interactions()[0]["id"]
        assert store.stored_input(pk)[0].utterances[0].heard == utt.heard  # kept for re-scoring

    page = asgi_get(db, "insp", "inspector-pass-1", f"/interactions/{pk}",
                    {"accept": "text/html"}).text
    from analyzer.i18n import gettext, language

    with language("zh_CN"):  # the page's default language
        heard_as = gettext("Heard, not read: the recognizer wrote")
        competitor = gettext("best other phrase %(phrase)s at %(margin).2f",
                             phrase="“请您慢走,再见”", margin=-4.25)
    assert heard_as != "Heard, not read: the recognizer wrote"  # the catalogue translated it
    assert heard_as in page and "<mark>你的激性遵查</mark>" in page
    assert "“你的记性真差”" in page and "-0.40" in page
    assert competitor in page
    with language("zh_CN"):
        rejected_as = gettext("below the acceptance probability")
        tried_title = gettext("phrases tried from the audio and rejected")
    assert rejected_as != "below the acceptance probability" and tried_title in page
    table = page[page.index('class="detail tried"'):]
    assert "“没看我正忙着吗”" in table and "-3.70" in table and rejected_as in table


# ---------------------------------------------------------------- real audio


def _cli(*args: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analyzer.cli", *args], capture_output=True,
                          text=True, timeout=900, **kw)


#: How each garbled phrase is found from the audio. 你的记性真差 comes out as 你的激性遵查:
#: only the acoustic verifier hears it. Since Whisper hears each piece with the audio
#: around it (asr.vad.context_ms), 没看我正忙着吗 comes out as 没看我睁忙着嘛, close enough
#: for the text's pinyin matcher (it read 没看我就忙着吗 before).
FOUND_BY = {"A9-F-03": "pinyin", "A10-F-02": "acoustic"}


@pytest.mark.slow
@pytest.mark.parametrize("rule", sorted(GARBLED))
def test_conduct_analyze_hears_the_garbled_phrase(rule, tmp_path):
    """Both phrases of the issue are found from the audio; a phrase the text garbles
    beyond the matchers is found acoustically, and missed without the verifier."""
    path = GARBLED[rule]
    on = _cli("analyze", str(path), "--format", "json")
    off = _cli("analyze", str(path), "--format", "json", "--set", "verify.enabled=false")
    assert on.returncode in (0, 1) and off.returncode in (0, 1), on.stderr + off.stderr
    report_on, report_off = json.loads(on.stdout), json.loads(off.stdout)
    found = [f for f in report_on["findings"] if f["rule"] == rule]
    by_text = [f for f in report_off["findings"]
               if f["rule"] == rule and f["detail"]["method"] != "paraphrase"]
    if by_text:  # this recognizer's text carries the phrase: the verifier is not needed
        # (how far Whisper garbles a clip moves with the CTranslate2 build: FOUND_BY is the
        # reading of the build the clips were made with; the acoustic path on an exact garble is
        # held by the _OneCharacterOff tests below, whatever the build writes)
        assert [f["detail"]["method"] for f in found] == [f["detail"]["method"] for f in by_text]
        assert found[0]["detail"]["method"] in ("exact", "pinyin")
        return
    assert [f["detail"]["method"] for f in found] == ["acoustic"]
    assert found[0]["detail"]["acoustic"]["margin"] >= report_on["analyzer"]["options"][
        "verify"]["min_margin"]
    # the lexicon alone misses it in the text; the act detector may still read the intent
    assert not by_text
    staff_text = "".join(u["text"] for u in report_off["transcript"] if u["speaker"] == "staff")
    assert "记性真差" not in staff_text


@pytest.mark.slow
def test_the_batch_hears_it_too(tmp_path):
    db = tmp_path / "results.sqlite"
    proc = _cli("batch", str(DATA), "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    import sqlite3

    with sqlite3.connect(db) as con:
        rows = [json.loads(r[0]) for r in con.execute("SELECT report_json FROM interactions")]
    found = {f["rule"]: f["detail"]["method"] for r in rows for f in r["findings"]
             if f["kind"] == "forbidden"}
    assert set(found) == set(FOUND_BY)  # both phrases, nothing else
    for rule, method in found.items():  # by the text where this build's text carries it, else heard
        assert method in ("exact", "pinyin", "acoustic"), (rule, method)


@pytest.mark.slow
def test_the_stream_hears_it_too():
    """Each live piece alone in its bin (no live context) garbles the words as the file
    path's test clip does, and the verifier hears the phrase; with the default live context
    (the conversation before it in the bin) the stream finds the phrase as well."""
    for context in ("0", None):
        extra = ["--set", f"stream.context_seconds={context}"] if context else []
        proc = _cli("stream", str(GARBLED["A9-F-03"]), "--channel", "counter", *extra)
        assert proc.returncode == 0, proc.stderr
        events = [json.loads(line) for line in proc.stdout.splitlines()]
        report = events[-1]["report"]
        heard = [h["rule"] for u in report["transcript"] for h in u.get("heard", [])]
        found = {f["rule"]: f["detail"]["method"] for f in report["findings"] if f["kind"] == "forbidden"}
        assert "A9-F-03" in found
        if context and found["A9-F-03"] == "acoustic":
            assert "A9-F-03" in heard


class _OneCharacterOff(Verifier):
    """The recognizer's text with the forbidden phrase written one character off.

    Whisper's own garble of the clip (没看我这么忙着嘛) is replaced, where the
    phrase aligns, by 没看我就忙着吗 (one character in seven, the issue's miss),
    so the detector is tried on exactly that garble against the real audio.
    """

    garble = "没看我就忙着吗"

    def plan(self, words, alternatives=(), *, first=False, last=False):
        from analyzer.text.near import locate

        text = "".join(w.text for w in words).strip()
        near = locate(self.lexicon.get("A9-F-03"), text, self.match)
        if near is None or not words:
            return super().plan(words, alternatives, first=first, last=last)
        chars = text[: near.start] + self.garble + text[near.end :]
        t0, t1 = words[0].start, words[-1].end
        step = (t1 - t0) / len(chars)
        fake = [Word(c, round(t0 + k * step, 3), round(t0 + (k + 1) * step, 3), 0.6)
                for k, c in enumerate(chars)]
        return super().plan(fake, alternatives, first=first, last=last)


@pytest.mark.slow
def test_a_one_character_garble_of_a_long_forbidden_phrase_is_found_from_audio(lexicon):
    from analyzer.speech.decode import decode_audio
    from analyzer.speech.engine import transcribe

    options = AnalyzerOptions()
    audio = decode_audio(GARBLED["A9-F-03"])
    verifier = _OneCharacterOff(lexicon, options.verify, options.match)
    assert "A9-F-03" not in {h.rule.id for h in find_phrases(
        [Utterance("staff", 0.0, 1.0, "好的，没看我就忙着吗")], lexicon)}  # the text misses it
    utts = transcribe(audio.samples[0], options.asr, speaker="staff", verifier=verifier)
    tried = [h for u in utts for h in u.heard if h.rule == "A9-F-03"]
    assert tried and tried[0].evidence.startswith("没看我就忙着")
    assert tried[0].accepted, tried
    assert tried[0].confidence >= options.verify.accept_probability
    report = analyze({"id": "one-off", "channel": "counter",
                      "utterances": [replace(u, text="好的，没看我就忙着吗").to_dict()
                                     if any(h.rule == "A9-F-03" for h in u.heard) else u.to_dict()
                                     for u in utts]})
    [finding] = [f for f in report.findings if f.rule == "A9-F-03"]
    assert finding.detail["method"] == "acoustic"
    assert finding.detail["acoustic"]["probability"] == tried[0].confidence
