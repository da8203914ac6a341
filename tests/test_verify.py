"""Acoustic verification: candidates, acceptance, the acoustic hit, and every path on real audio."""

from __future__ import annotations

import json
import subprocess
import sys
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
    text = "这个给你看一下"
    middle = {c.rule.id: c.source for c in verifier.candidates(text)}
    first = {c.rule.id: c.source for c in verifier.candidates(text, first=True)}
    last = {c.rule.id: c.source for c in verifier.candidates(text, last=True)}
    assert first.get("A8-R-01") == "owed" and "A8-R-01" not in middle
    assert last.get("A10-R-02") == "owed" and "A10-R-02" not in middle and "A10-R-02" not in first


def test_candidates_from_the_beams_other_hypotheses(verifier):
    alt = "没看我正忙着吗"
    cands = verifier.candidates("没有看过就忘了", [alt])
    assert [c.source for c in cands if c.rule.id == "A9-F-03"] == ["nbest"]


def _scored(verifier, rule_id: str, phrase: str, start: int, end: int, margin: float) -> Scored:
    rule = verifier.lexicon.get(rule_id)
    return Scored(Candidate(rule, phrase, start, end, "pinyin"), margin, -10.0 + margin, -10.0)


def test_acceptance_needs_the_margin_and_a_lead_over_overlapping_rivals(verifier):
    words = [Word("请您收等一下", 1.0, 2.5)]
    text = "请您收等一下"
    good = _scored(verifier, "A7-R-04", "请您稍等一下", 0, 6, -0.2)
    rival = _scored(verifier, "A10-R-02", "请您慢走,再见", 0, 6, -3.4)
    heard = verifier.accept([good, rival], words, text)
    assert [h.rule for h in heard] == ["A7-R-04"]
    assert heard[0].competitor == "请您慢走,再见" and heard[0].competitor_margin == -3.4
    assert (heard[0].start, heard[0].end) == (1.0, 2.5)
    low = _scored(verifier, "A7-R-04", "请您稍等一下", 0, 6, verifier.options.min_margin - 0.5)
    assert verifier.accept([low], words, text) == []
    close = _scored(verifier, "A10-R-02", "请您慢走,再见", 0, 6, -0.3)
    assert verifier.accept([good, close], words, text) == []  # neither leads by the gap


def test_nested_phrases_are_not_rivals(verifier):
    words = [Word("请您稍等一下", 0.0, 1.0)]
    a = _scored(verifier, "A7-R-04", "请您稍等一下", 0, 6, -0.2)
    b = _scored(verifier, "A9-R-01", "请您稍等", 0, 4, -0.1)
    assert {h.rule for h in verifier.accept([a, b], words, "请您稍等一下")} == {"A7-R-04",
                                                                            "A9-R-01"}


def test_confidence_rises_with_the_margin(verifier):
    bar = verifier.options.min_margin
    assert verifier.confidence(bar) == pytest.approx(0.6)
    assert verifier.confidence(bar / 2) < verifier.confidence(0.0) == pytest.approx(0.9)


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
    assert "A10-F-02" not in {f.rule for f in plain.findings}


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

    utt = Utterance("staff", 0.5, 3.0, "好的你的激性遵查瞎",
                    heard=(_heard(competitor="请您慢走,再见", competitor_margin=-4.25),))
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
    assert [f["detail"]["method"] for f in found] == [FOUND_BY[rule]]
    by_text = [f for f in report_off["findings"]
               if f["rule"] == rule and f["detail"]["method"] != "paraphrase"]
    if FOUND_BY[rule] != "acoustic":  # the text finds it: the verifier is not needed
        assert [f["detail"]["method"] for f in by_text] == [FOUND_BY[rule]]
        return
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
    assert found == FOUND_BY


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
        assert "A9-F-03" in {f["rule"] for f in report["findings"]}
        if context:
            assert "A9-F-03" in heard
