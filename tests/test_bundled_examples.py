"""The bundled examples behind the README's first command give the reports they show."""

from __future__ import annotations

from pathlib import Path

import pytest

import analyzer
from analyzer.options import AnalyzerOptions

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_transcript_examples_cover_good_and_bad_practice():
    reports = {p.stem: analyzer.analyze(p) for p in sorted(EXAMPLES.glob("*.json"))}
    assert reports["counter-model"].findings == []
    assert reports["counter-model"].score == 100
    bad = reports["counter-forbidden"]
    assert {f.kind for f in bad.findings} >= {"forbidden", "missing"}
    assert bad.score < 60
    assert reports["phone-five-rings"].rings == 5
    assert any(f.rule == "A7-RING" for f in reports["phone-five-rings"].findings)


@pytest.mark.slow
def test_recorded_phone_call_counts_rings_from_the_audio():
    report = analyzer.analyze(EXAMPLES / "recordings" / "phone-call.ogg")
    assert report.channel == "phone"
    assert (report.rings, report.ring_source) == (5, "audio")
    ring = [f for f in report.findings if f.rule == "A7-RING"]
    assert ring and ring[0].detail
    staff = [u for u in report.utterances if u.speaker == "staff"]
    assert staff and staff[0].start >= report.answer_time - 1.0


@pytest.mark.slow
def test_recorded_counter_visit_flags_the_forbidden_phrase():
    options = AnalyzerOptions()
    report = analyzer.analyze(EXAMPLES / "recordings" / "counter-visit.ogg", options)
    assert {u.speaker for u in report.utterances} == {"staff", "citizen"}
    forbidden = [f for f in report.findings if f.kind == "forbidden"]
    assert [f.rule for f in forbidden] == ["A10-F-01"]
    # the finding points at the second it was said (word timestamps)
    assert 14.0 < forbidden[0].start < forbidden[0].end < 21.0
