"""Transcript input contract: strict validation with errors naming file, line and field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.errors import TranscriptError
from analyzer.text.transcript import load_transcripts, parse_interaction
from analyzer.types import Interaction


def _record(**over):
    d = {
        "id": "t1", "channel": "counter", "hall": "东城区政务服务大厅", "window": "3",
        "started_at": "2023-05-04T09:30:00+08:00",
        "utterances": [
            {"speaker": "staff", "start": 0.0, "end": 2.0, "text": "您好，请问要办理什么业务？"},
            {"speaker": "citizen", "start": 2.5, "end": 4.0, "text": "我办营业执照。"},
            {"speaker": "staff", "start": 4.5, "end": 6.0, "text": "请您稍等。"},
        ],
    }
    d.update(over)
    return d


def _utt_change(i, **over):
    d = _record()
    d["utterances"][i].update(over)
    return d


def test_valid_record_parses_all_fields():
    d = _record(channel="phone", rings=2, ring_seconds=7.5, staff="S-1", meta={"queue": {"a": 1}})
    inter = parse_interaction(d, "calls.json")
    assert isinstance(inter, Interaction)
    assert (inter.id, inter.channel, inter.rings, inter.ring_seconds) == ("t1", "phone", 2, 7.5)
    assert inter.hall == "东城区政务服务大厅" and inter.window == "3" and inter.staff == "S-1"
    assert [u.speaker for u in inter.utterances] == ["staff", "citizen", "staff"]
    assert inter.meta == {"queue": {"a": 1}}
    assert inter.end_time == 6.0


def test_utterances_are_sorted_by_start():
    d = _record()
    d["utterances"].reverse()
    inter = parse_interaction(d)
    assert [u.start for u in inter.utterances] == [0.0, 2.5, 4.5]


@pytest.mark.parametrize(
    "record, field, words",
    [
        (_utt_change(2, end=1.0), "utterances[2].end", "start"),
        (_utt_change(1, speaker="clerk"), "utterances[1].speaker", "staff"),
        (_utt_change(0, start="0"), "utterances[0].start", "number"),
        (_utt_change(0, start=-1), "utterances[0].start", ">= 0"),
        (_utt_change(1, text=None), "utterances[1].text", "string"),
        (_utt_change(1, speeker="staff"), "utterances[1].speeker", "unknown key"),
        (_utt_change(1, confidence=1.5), "utterances[1].confidence", "[0, 1]"),
        (_record(channel="video"), "channel", "counter"),
        (_record(rings=4), "rings", "phone"),
        (_record(channel="phone", rings=-1), "rings", ">= 0"),
        (_record(channel="phone", rings=2.5), "rings", "whole number"),
        (_record(channel="phone", ring_seconds="8"), "ring_seconds", "number"),
        (_record(started_at="yesterday"), "started_at", "ISO-8601"),
        (_record(utterances={"a": 1}), "utterances", "list"),
        (_record(hall=3.5), "hall", "string"),
        (_record(id=""), "id", "non-empty"),
    ],
)
def test_violations_name_the_field_and_expectation(record, field, words):
    with pytest.raises(TranscriptError) as info:
        parse_interaction(record, "visit.json")
    err = info.value
    assert err.field == field
    assert err.source == "visit.json"
    assert words in err.message
    assert str(err).startswith(f"visit.json: {field}: ")


def test_missing_keys():
    d = _record()
    del d["utterances"][1]["end"]
    with pytest.raises(TranscriptError, match=r"utterances\[1\]\.end: missing"):
        parse_interaction(d, "x.json")
    d = _record()
    del d["channel"]
    with pytest.raises(TranscriptError, match="channel: missing"):
        parse_interaction(d, "x.json")


def test_json_file_id_defaults_to_stem(tmp_path: Path):
    d = _record()
    del d["id"]
    path = tmp_path / "visit-0504.json"
    path.write_text(json.dumps(d, ensure_ascii=False), encoding="utf-8")
    [inter] = list(load_transcripts(path))
    assert inter.id == "visit-0504"
    assert inter.source == str(path)


def test_jsonl_bad_lines_are_errors_and_good_lines_still_load(tmp_path: Path):
    lines = [
        json.dumps(_record(id="a"), ensure_ascii=False),
        "",
        "{not json",
        json.dumps(_utt_change(2, end=1.0) | {"id": "c"}, ensure_ascii=False),
        json.dumps(_record(id="a"), ensure_ascii=False),
        json.dumps({k: v for k, v in _record().items() if k != "id"}, ensure_ascii=False),
        json.dumps(_record(id="e"), ensure_ascii=False),
    ]
    path = tmp_path / "day.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    items = list(load_transcripts(path))
    ok = [i for i in items if isinstance(i, Interaction)]
    errors = [i for i in items if isinstance(i, TranscriptError)]
    assert [i.id for i in ok] == ["a", "e"]
    assert ok[0].source == f"{path}:1"
    assert [(e.line, e.field) for e in errors] == [
        (3, None), (4, "utterances[2].end"), (5, "id"), (6, "id")]
    assert "invalid JSON" in errors[0].message
    assert "duplicate id 'a'" in errors[2].message
    assert str(errors[1]).startswith(f"{path}:4: utterances[2].end:")


def test_file_level_errors(tmp_path: Path):
    empty = tmp_path / "empty.json"
    empty.write_text("  \n", encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "id": "x",\n  "channel": counter\n}', encoding="utf-8")
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"id": "é"}'.encode("latin-1"))
    array = tmp_path / "many.json"
    array.write_text("[]", encoding="utf-8")
    missing = tmp_path / "nope.json"
    results = {p.name: list(load_transcripts(p)) for p in (empty, broken, latin, array, missing)}
    for name, items in results.items():
        assert len(items) == 1 and isinstance(items[0], TranscriptError), name
        assert items[0].source.endswith(name)
    assert "empty" in results["empty.json"][0].message
    assert results["broken.json"][0].line == 3
    assert "UTF-8" in results["latin.json"][0].message
    assert ".jsonl" in results["many.json"][0].message
    assert "cannot read" in results["nope.json"][0].message


def test_report_transcript_round_trips_as_input():
    d = _record()
    d["utterances"][0].update(confidence=0.8, speaker_known=False,
                              words=[["您好", 0.0, 0.5, 0.9], {"text": "请问", "start": 0.6,
                                                               "end": 1.0}])
    inter = parse_interaction(d)
    u = inter.utterances[0]
    assert u.confidence == 0.8 and u.speaker_known is False
    assert [w.text for w in u.words] == ["您好", "请问"]
    again = parse_interaction(_record(utterances=[x.to_dict() for x in inter.utterances]))
    assert again.utterances[0].to_dict() == u.to_dict()


def test_jsonl_non_utf8_line_is_an_error_for_that_line_only(tmp_path: Path):
    good = json.dumps(_record(id="a"), ensure_ascii=False).encode("utf-8")
    bad = json.dumps(_record(id="b"), ensure_ascii=False).encode("gbk")
    path = tmp_path / "mixed.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + good + b"\n" + bad + b"\n")
    items = list(load_transcripts(path))
    assert isinstance(items[0], Interaction) and items[0].id == "a"
    assert isinstance(items[1], TranscriptError) and items[1].line == 2
    assert "UTF-8" in items[1].message
