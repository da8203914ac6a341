"""docs/schema/ agrees with the code: real inputs and reports validate, fields match."""

from __future__ import annotations

import json
from dataclasses import fields
from pathlib import Path

import jsonschema
import pytest
from referencing import Registry, Resource

import analyzer
from analyzer.text.transcript import TOP_KEYS, UTTERANCE_KEYS
from analyzer.types import CHANNELS, FINDING_KINDS, SPEAKERS, VETO_EXEMPT_REASONS, Finding

ROOT = Path(__file__).resolve().parent.parent
SCHEMAS = ROOT / "docs" / "schema"
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))


def _schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def _validator(name: str) -> jsonschema.protocols.Validator:
    registry = Registry().with_resources(
        (s["$id"], Resource.from_contents(s)) for s in map(_schema, (
            "transcript.schema.json", "report.schema.json")))
    schema = _schema(name)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, registry=registry)


def test_transcript_schema_names_the_keys_the_reader_knows():
    schema = _schema("transcript.schema.json")
    assert set(schema["properties"]) == set(TOP_KEYS)
    utterance = schema["$defs"]["utterance"]
    assert set(utterance["properties"]) == set(UTTERANCE_KEYS)
    assert utterance["properties"]["speaker"]["enum"] == list(SPEAKERS)
    assert schema["properties"]["channel"]["enum"] == list(CHANNELS)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_bundled_transcripts_validate(path):
    _validator("transcript.schema.json").validate(json.loads(path.read_text(encoding="utf-8")))


def test_a_typo_in_an_utterance_is_refused_by_schema_and_reader():
    record = {"id": "x", "channel": "counter",
              "utterances": [{"speeker": "staff", "start": 0, "end": 1, "text": "您好"}]}
    with pytest.raises(jsonschema.ValidationError):
        _validator("transcript.schema.json").validate(record)
    with pytest.raises(analyzer.AnalyzerError):
        analyzer.analyze(record)


def test_report_schema_matches_the_dataclasses():
    schema = _schema("report.schema.json")
    finding = schema["$defs"]["finding"]
    assert set(finding["properties"]) == {f.name for f in fields(Finding)}
    assert finding["properties"]["kind"]["enum"] == list(FINDING_KINDS)
    assert finding["properties"]["veto_exempt"]["enum"] == list(VETO_EXEMPT_REASONS)


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_reports_validate(path):
    report = analyzer.analyze(str(path)).to_dict()
    assert report["findings"] or report["score"] == 100
    _validator("report.schema.json").validate(json.loads(json.dumps(report, ensure_ascii=False)))
