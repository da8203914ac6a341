"""The data contract: reports round-trip through JSON, options are auditable."""

from __future__ import annotations

import json

import pytest

from analyzer.errors import AnalyzerError, LexiconError, OptionError
from analyzer.options import AnalyzerOptions
from analyzer.types import Finding, InteractionReport, Utterance, Word


def _report() -> InteractionReport:
    utt = Utterance(
        "staff", 0.0, 2.5, "您好，请问要办理什么业务？",
        words=(Word("您好", 0.0, 0.6, 0.9), Word("请问", 0.7, 1.1, 0.8)),
        confidence=0.87, speaker_known=False,
    )
    finding = Finding(
        rule="A9-F-01", article=9, kind="forbidden", canonical="下班了，明天再来",
        speaker="staff", start=1.0, end=2.0, evidence="下班了明天再来",
        confidence=0.9, points=10, detail={"method": "exact"},
    )
    return InteractionReport(
        id="x1", channel="counter", score=90, grade="优秀", findings=[finding],
        utterances=[utt], hall="市大厅", window="3", analyzer={"version": "t"},
    )


def test_report_round_trips_through_json():
    report = _report()
    data = json.loads(json.dumps(report.to_dict(), ensure_ascii=False))
    again = InteractionReport.from_dict(data)
    assert again.to_dict() == report.to_dict()
    assert again.utterances[0].words[1].text == "请问"
    assert again.utterances[0].speaker_known is False
    assert again.findings[0].detail == {"method": "exact"}


def test_report_contract_fields():
    d = _report().to_dict()
    for key in ("id", "channel", "score", "grade", "rings", "findings", "analyzer", "transcript"):
        assert key in d
    f = d["findings"][0]
    for key in ("rule", "article", "kind", "canonical", "speaker", "start", "end",
                "evidence", "confidence", "points"):
        assert key in f


def test_options_overrides_and_audit():
    opts = AnalyzerOptions().with_overrides({"rings.max_rings": 4, "asr.stereo_speakers": ["citizen", "staff"]})
    assert opts.rings.max_rings == 4
    assert opts.asr.stereo_speakers == ("citizen", "staff")
    assert AnalyzerOptions().rings.max_rings == 3  # defaults untouched
    assert opts.to_dict()["rings"]["max_rings"] == 4
    with pytest.raises(OptionError, match="rings.nope"):
        AnalyzerOptions().with_overrides({"rings.nope": 1})


def test_errors_name_their_input():
    err = LexiconError("unknown kind 'x'", source="local.toml", line=12, field="kind")
    assert str(err) == "local.toml:12: kind: unknown kind 'x'"
    assert isinstance(err, AnalyzerError)


def test_the_audit_block_round_trips_and_keeps_what_it_does_not_know():
    from analyzer.types import AuditBlock, InteractionReport

    block = {"version": "1", "lexicon_version": "lex@1", "lexicon_sources": ["a.toml"],
             "scoring_template": {"source": "s.toml", "version": "2", "sha256": "x",
                                  "text": "[template]"},
             "model": None, "options": {"rings": {"max_rings": 3}},
             "asr": {"attribution": {"mode": "stereo"}}, "from_a_newer_version": [1, 2]}
    audit = AuditBlock.from_dict(block)
    assert audit.scoring_template is not None and audit.scoring_template.text == "[template]"
    assert audit.options["rings"]["max_rings"] == 3 and audit.classifier is None
    assert audit.to_dict() == block  # nothing lost, nothing added
    report = InteractionReport(id="r", channel="counter", score=100, grade="优秀", findings=[],
                               analyzer=block)  # the JSON form is read as a block
    assert isinstance(report.analyzer, AuditBlock)
    assert InteractionReport.from_dict(report.to_dict()).analyzer == audit
