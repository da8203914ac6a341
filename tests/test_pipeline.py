"""The pipeline end to end on transcripts: reports, rings, audit block, inputs, stage timer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import analyzer
from analyzer.errors import AnalyzerError, LexiconError, TranscriptError
from analyzer.i18n import language
from analyzer.options import AnalyzerOptions
from analyzer.pipeline import (
    STAGES,
    StageTimer,
    analyze_inputs,
    analyze_interaction,
    iter_inputs,
)
from analyzer.text.transcript import parse_interaction
from analyzer.types import Interaction, InteractionReport

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _example(name: str) -> dict:
    return json.loads((EXAMPLES / f"{name}.json").read_text(encoding="utf-8"))


def _rules(report: InteractionReport) -> list[str]:
    return sorted(f.rule for f in report.findings)


def test_model_visit_scores_100():
    report = analyzer.analyze(EXAMPLES / "counter-model.json")
    assert report.findings == []
    assert (report.score, report.grade) == (100, "优秀")
    assert report.id == "counter-model" and report.channel == "counter"
    assert report.rings is None and report.ring_source is None


def test_forbidden_visit_is_vetoed_with_evidence():
    report = analyzer.analyze(EXAMPLES / "counter-forbidden.json")
    rules = _rules(report)
    for rule in ("A9-F-03", "A8-F-01", "A9-F-05", "A9-F-02", "A8-G-GREETING", "A10-G-UPSET",
                 "A10-G-EVALUATE", "A10-G-GOODBYE"):
        assert rule in rules
    assert report.score <= 59 and report.grade == "不合格"
    veto = next(f for f in report.findings if f.rule == "A9-F-05")
    assert veto.detail["veto"] and veto.points > 0
    assert veto.start == 51.0 and "投诉" in veto.evidence
    assert [f.start for f in report.findings] == sorted(f.start for f in report.findings)
    assert report.score == max(0, min(59, 100 - sum(f.points for f in report.findings)))


def test_phone_rings_from_the_record():
    report = analyzer.analyze(EXAMPLES / "phone-five-rings.json")
    assert (report.rings, report.ring_source, report.answer_time) == (5, "record", 23.0)
    [ring] = [f for f in report.findings if f.kind == "ring"]
    assert ring.rule == "A7-RING" and ring.article == 7
    assert ring.detail["rings"] == 5 and ring.detail["max_rings"] == 3
    assert "响铃 5 声" in ring.evidence  # the evidence speaks the language of the analysis
    with language("en"):
        english = analyzer.analyze(EXAMPLES / "phone-five-rings.json")
    assert "5 rings" in next(f for f in english.findings if f.kind == "ring").evidence
    # the limit is an option: with 5 allowed rings there is no finding
    relaxed = analyzer.analyze(EXAMPLES / "phone-five-rings.json",
                               AnalyzerOptions().with_overrides({"rings.max_rings": 5}))
    assert not [f for f in relaxed.findings if f.kind == "ring"]
    assert relaxed.analyzer.options["rings"]["max_rings"] == 5


def test_ring_seconds_use_the_cadence():
    d = _example("phone-praise-suggestion")
    d["started_at"] = "2023-05-05T15:02:00+08:00"  # within the service hours, which the three rings bind
    d["ring_seconds"] = 16.0  # 4 rings at one ring per 5 s
    report = analyzer.analyze(d)
    assert report.rings == 4 and "A7-RING" in _rules(report)
    d["ring_seconds"] = 15.0
    assert "A7-RING" not in _rules(analyzer.analyze(d))


def test_praise_handled_suggestion_not():
    report = analyzer.analyze(EXAMPLES / "phone-praise-suggestion.json")
    missing = [f for f in report.findings if f.kind == "missing"]
    assert [f.rule for f in missing] == ["A10-G-SUGGESTION"]
    assert "停车位" in missing[0].evidence
    assert report.rings == 2


def test_upset_citizen_materials_list_missing():
    report = analyzer.analyze(EXAMPLES / "counter-upset-materials.json")
    assert _rules(report) == ["A10-G-MATERIAL-LIST"]
    assert report.score == 95 and report.grade == "优秀"


def test_audit_block_records_versions_and_options():
    report = analyzer.analyze(EXAMPLES / "counter-model.json")
    block = report.analyzer
    assert block.version == analyzer.__version__
    assert block.lexicon_version.startswith("chapter3")
    assert block.lexicon_sources and block.lexicon_sources[0].endswith("chapter3.toml")
    assert block.scoring_template and block.scoring_template.source.endswith("scoring.toml")
    assert block.model is None  # a typed transcript used no speech model
    assert block.options == json.loads(json.dumps(AnalyzerOptions().to_dict()))
    json.dumps(report.to_dict(), ensure_ascii=False)  # the whole report is JSON-able


def test_analyze_accepts_dict_interaction_and_rejects_bad_sources(tmp_path: Path):
    d = _example("counter-forbidden")
    by_dict = analyzer.analyze(d)
    by_inter = analyzer.analyze(parse_interaction(d))
    assert _rules(by_dict) == _rules(by_inter)
    with pytest.raises(TranscriptError):
        analyzer.analyze({"id": "x", "channel": "fax", "utterances": []})
    with pytest.raises(AnalyzerError, match="unsupported input"):
        analyzer.analyze(tmp_path / "notes.txt")
    with pytest.raises(TypeError):
        analyzer.analyze(42)


def test_hall_lexicon_and_template_are_used(tmp_path: Path):
    hall = tmp_path / "hall.toml"
    hall.write_text(
        '[lexicon]\nname = "county"\nversion = "1"\n\n'
        '[[rule]]\nid = "LOCAL-F-01"\narticle = 6\nkind = "forbidden"\nrole = "staff"\n'
        'context = "handling"\ncanonical = "自己去网上查"\nseverity = "major"\npoints = 8\n'
        'title = "推诿到网上"\n',
        encoding="utf-8",
    )
    d = _example("counter-model")
    d["utterances"][2]["text"] = "这个你自己去网上查。"
    options = AnalyzerOptions(lexicon=(str(hall),))
    report = analyzer.analyze(d, options)
    [f] = [f for f in report.findings if f.rule == "LOCAL-F-01"]
    assert f.points == 8
    # the hall's points count in the score (the same words are also a redirect with nowhere
    # named, Article 16's, with or without the layer)
    assert report.score == 100 - sum(g.points for g in report.findings)
    assert "county" in report.analyzer.lexicon_version
    bad = tmp_path / "bad-scoring.toml"
    bad.write_text((ROOT / "lexicons" / "scoring.toml").read_text(encoding="utf-8")
                   .replace('"A6-RATE" = 3', '"NO-SUCH" = 3'), encoding="utf-8")
    with pytest.raises(LexiconError, match="NO-SUCH"):
        analyzer.analyze(d, options.with_overrides({"score.template": str(bad)}))


def test_iter_inputs_expands_folders_and_yields_errors(tmp_path: Path):
    (tmp_path / "a.json").write_text(json.dumps(_example("counter-model")), encoding="utf-8")
    sub = tmp_path / "day"
    sub.mkdir()
    lines = [json.dumps(_example("phone-five-rings")), "{oops",
             json.dumps(_example("counter-forbidden"))]
    (sub / "b.jsonl").write_text("\n".join(lines), encoding="utf-8")
    (sub / "readme.txt").write_text("not an input", encoding="utf-8")
    (tmp_path / ".hidden.json").write_text("{}", encoding="utf-8")
    items = list(iter_inputs([tmp_path, tmp_path / "missing.json"]))
    kinds = [type(i).__name__ for i in items]
    assert kinds == ["Interaction", "Interaction", "TranscriptError", "Interaction",
                     "AnalyzerError"]
    assert items[2].line == 2 and items[2].source.endswith("b.jsonl")
    assert "no such file" in str(items[4])


def test_analyze_inputs_goes_on_after_bad_inputs(tmp_path: Path):
    good = tmp_path / "good.json"
    good.write_text(json.dumps(_example("counter-model")), encoding="utf-8")
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "b", "channel": "counter", "utterances": [{"speaker": "staff"}]}',
                   encoding="utf-8")
    out = list(analyze_inputs([bad, good]))
    assert isinstance(out[0], TranscriptError) and "utterances[0].start" in str(out[0])
    assert isinstance(out[1], InteractionReport) and out[1].score == 100


def test_stage_timer_covers_every_stage():
    ticks = iter(range(0, 1000, 10))  # a clock that moves 10 s each time it is read
    timer = StageTimer(clock=lambda: float(next(ticks)))
    inter = parse_interaction(_example("counter-forbidden"))
    analyze_interaction(inter, timer=timer)
    # every stage timed exactly once, each between its own two readings of the clock
    assert dict(timer.seconds) == {stage: 10.0 for stage in STAGES}


def test_extra_findings_and_audio_ring_are_merged():
    from analyzer.types import Finding, RingResult

    d = _example("phone-praise-suggestion")
    d["started_at"] = "2023-05-05T15:02:00+08:00"  # within the service hours, which the three rings bind
    inter: Interaction = parse_interaction(d)
    shout = Finding(rule="A6-SHOUT", article=6, kind="acoustic", canonical="高声说话",
                    speaker="staff", start=17.5, end=21.0, evidence="-8 dBFS, +14 dB",
                    confidence=0.95, points=10)
    ring = RingResult(rings=6, source="audio", answer_time=27.0,
                      ring_spans=[(i * 5.0, i * 5.0 + 1) for i in range(6)], confidence=0.9)
    report = analyze_interaction(inter, extra_findings=[shout, shout], ring=ring,
                                 asr_info={"model": "/models/whisper-base"})
    assert _rules(report).count("A6-SHOUT") == 1
    assert (report.rings, report.ring_source) == (6, "audio")
    assert report.analyzer.model == "/models/whisper-base"
    ring_f = next(f for f in report.findings if f.rule == "A7-RING")
    assert ring_f.end == 26.0 and ring_f.confidence == 0.9


def test_recordings_route_to_the_audio_path_and_sidecars_are_not_transcripts(tmp_path: Path):
    (tmp_path / "call.wav").write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")  # corrupt recording
    (tmp_path / "call.json").write_text('{"channel": "phone", "rings": 2}', encoding="utf-8")
    (tmp_path / "visit.json").write_text(json.dumps(_example("counter-model")), encoding="utf-8")
    items = list(iter_inputs([tmp_path]))
    assert items[0] == tmp_path / "call.wav" and isinstance(items[1], Interaction)
    assert len(items) == 2  # call.json is call.wav's sidecar
    out = list(analyze_inputs([tmp_path]))
    from analyzer.errors import AudioError

    assert isinstance(out[0], AudioError) and out[0].source.endswith("call.wav")
    assert isinstance(out[1], InteractionReport)
    with pytest.raises(AudioError):
        analyzer.analyze(tmp_path / "call.wav")


def test_forced_hang_up_is_weighted_and_vetoes_above_the_template_confidence(tmp_path: Path):
    d = _example("phone-five-rings")
    d["rings"], d["ring_seconds"] = 1, 3.0
    d["utterances"] = d["utterances"][:3] + [
        {"speaker": "staff", "start": 9.5, "end": 11.0, "text": "自己上网查。"},
        {"speaker": "citizen", "start": 11.3, "end": 13.0, "text": "那网址是多少？"}]
    d["duration"] = 14.0
    opts = AnalyzerOptions().with_overrides({"classifier.enabled": False})
    report = analyzer.analyze(d, opts)
    hangup = next(f for f in report.findings if f.rule == "A7-HANGUP")
    assert hangup.kind == "hangup" and hangup.detail["rule_points"] == 30
    if hangup.confidence < 0.8:  # below the shipped veto's min_confidence: weighted, no veto
        assert "veto" not in hangup.detail
        assert hangup.points == int(30 * hangup.confidence + 0.5)
    strict = tmp_path / "strict.toml"
    strict.write_text((ROOT / "lexicons" / "scoring.toml").read_text(encoding="utf-8")
                      .replace("min_confidence = 0.8", "min_confidence = 0.5"), encoding="utf-8")
    report = analyzer.analyze(d, opts.with_overrides({"score.template": str(strict)}))
    hangup = next(f for f in report.findings if f.rule == "A7-HANGUP")
    assert "挂断" in hangup.detail["veto"]
    assert report.grade == "不合格" and report.score <= 59


def test_a_hall_may_disable_the_ring_rule(tmp_path: Path):
    hall = tmp_path / "no-ring.toml"
    hall.write_text('[lexicon]\nname = "h"\nversion = "1"\n\n[[disable]]\nid = "A7-RING"\n'
                    'reason = "calls answered by the switchboard"\n', encoding="utf-8")
    report = analyzer.analyze(EXAMPLES / "phone-five-rings.json",
                              AnalyzerOptions(lexicon=(str(hall),)))
    assert report.rings == 5 and "A7-RING" not in _rules(report)
