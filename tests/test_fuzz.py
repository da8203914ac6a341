"""Fuzzing the parsers: every input gives an AnalyzerError subclass (or a 4xx), never another exception.

Covered: the transcript parser (JSON records and JSONL files, through the
whole text pipeline), the lexicon and override loader, the scoring template
and the web app's query-parameter parser. Hypothesis keeps no database here
(``database=None``) and each property runs a bounded number of examples, so
the suite stays around a minute in CI.
"""

from __future__ import annotations

import contextlib
import json
import math
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analyzer.errors import AnalyzerError
from analyzer.options import AnalyzerOptions

FUZZ = settings(max_examples=120, deadline=None, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

#: Keys a transcript (and an utterance) knows, mixed with unknown ones.
KEYS = ["id", "channel", "hall", "window", "staff", "started_at", "rings", "ring_seconds",
        "duration", "utterances", "speaker", "start", "end", "text", "words", "confidence",
        "speaker_known", "heard", "rule", "margin", "x"]
SCALARS = (st.none() | st.booleans() | st.integers(min_value=-(10**30), max_value=10**30)
           | st.floats(allow_nan=True, allow_infinity=True)
           | st.text(alphabet=st.characters(codec=None), max_size=12)
           | st.sampled_from(["counter", "phone", "staff", "citizen", "您好", "\ud800",
                              "2023-W18-4", "20230504T093000+0800", "1e300"]))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                      | st.dictionaries(st.sampled_from(KEYS), inner, max_size=5), max_leaves=25)
UTTERANCE = st.fixed_dictionaries(
    {"speaker": st.sampled_from(["staff", "citizen", "unknown", "boss"]),
     "start": SCALARS, "end": SCALARS, "text": SCALARS},
    optional={k: VALUES for k in ("words", "confidence", "speaker_known", "heard", "x")})
RECORD = st.fixed_dictionaries(
    {"channel": st.sampled_from(["counter", "phone", "tv"]) | SCALARS,
     "utterances": st.lists(UTTERANCE, max_size=4) | VALUES},
    optional={k: VALUES for k in ("id", "hall", "window", "staff", "started_at", "rings",
                                  "ring_seconds", "duration", "x")})


def _only_analyzer_errors(fn, *args) -> None:
    with contextlib.suppress(AnalyzerError):
        fn(*args)


@FUZZ
@given(RECORD)
def test_any_transcript_record_is_a_report_or_an_analyzer_error(record):
    from analyzer.pipeline import analyze

    _only_analyzer_errors(analyze, record)


def _dumps(value) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except (ValueError, UnicodeEncodeError):
        return json.dumps(value, ensure_ascii=True)


@FUZZ
@given(st.lists(RECORD.map(_dumps) | st.text(max_size=40), min_size=1, max_size=4))
def test_any_jsonl_file_gives_reports_and_analyzer_errors(lines):
    from analyzer.pipeline import analyze_inputs

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "day.jsonl"
        path.write_text("\n".join(lines), encoding="utf-8", errors="surrogatepass")
        for item in analyze_inputs([path], AnalyzerOptions()):
            assert not isinstance(item, BaseException) or isinstance(item, AnalyzerError)


def test_deep_nesting_and_huge_numbers_are_analyzer_errors(tmp_path):
    from analyzer.pipeline import analyze_inputs

    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    big = tmp_path / "big.json"
    big.write_text('{"channel": "phone", "rings": ' + "9" * 5000 + ', "utterances": []}',
                   encoding="utf-8")
    items = list(analyze_inputs([deep, big], AnalyzerOptions()))
    assert len(items) == 2 and all(isinstance(i, AnalyzerError) for i in items)


# ---------------------------------------------------------------- TOML files

TOML_KEYS = ["name", "version", "id", "article", "kind", "role", "context", "canonical",
             "variants", "severity", "points", "title", "group", "owed", "fuzzy", "rules",
             "max_score", "cap_grade", "min_confidence", "min", "full", "floor",
             "max_deductions_per_rule", "A9-F-05", "disable", "rule", "override", "grades"]
TOML_VALUES = st.sampled_from(['"x"', '"A9-F-05"', "1", "-1", "5", "0.5", "1e300", "true",
                               "[1]", '["A9-F-05"]', "[]", "{a = 1}", '"您好,XXX"', '"$"',
                               "99999999999999999999", '"不合格"'])
HEADERS = st.sampled_from(["[lexicon]", "[[rule]]", "[[override]]", "[[disable]]", "[points]",
                           "[kinds]", "[confidence]", "[limits]", "[[grades]]", "[[veto]]",
                           "[x]", "[[x]]"])
LINE = HEADERS | st.builds(lambda k, v: f'"{k}" = {v}' if "-" in k else f"{k} = {v}",
                           st.sampled_from(TOML_KEYS), TOML_VALUES) | st.text(max_size=10)
TOML = st.lists(LINE, max_size=14).map("\n".join)


@FUZZ
@given(TOML)
def test_any_lexicon_layer_loads_or_is_a_lexicon_error(text):
    from analyzer.text.lexicon import load_lexicon

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "local.toml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        _only_analyzer_errors(load_lexicon, [path])


@FUZZ
@given(TOML)
def test_any_scoring_template_loads_or_is_a_lexicon_error(text):
    from analyzer.rules.score import template_from_text

    _only_analyzer_errors(template_from_text, text, "<fuzz>")


# ---------------------------------------------------------------- query strings


@FUZZ
@given(st.dictionaries(st.sampled_from(["practice", "article", "rule", "hall", "since", "until",
                                        "x"]),
                       st.text(alphabet=st.characters(codec=None), max_size=12), max_size=6))
def test_any_query_string_is_parsed_or_refused_with_a_400(values):
    from fastapi import HTTPException

    from analyzer.web.deps import query_values

    try:
        out = query_values(values, ("practice", "article", "rule", "hall", "since", "until"),
                           {"practice": ("good", "bad")})
    except HTTPException as exc:
        assert exc.status_code == 400
        return
    assert all(isinstance(v, int | str) for v in out.values())
    assert not isinstance(out.get("article"), float) or math.isfinite(out["article"])


@pytest.mark.parametrize("path", ["/queue?article=%C2%B2", "/queue?since=%00",
                                  "/queue?review=%F0%9F%98%80", "/api/interactions?offset=-1"])
def test_odd_query_strings_answer_4xx_in_process(tmp_path, path):
    from web_fixture import asgi_get

    from analyzer.batch import run_batch
    from analyzer.web import auth

    db = tmp_path / "r.sqlite"
    run_batch(Path(__file__).resolve().parent.parent / "examples" / "counter-model.json", db)
    with auth.connect(db) as con:
        auth.add_user(con, "insp", "inspector", "inspector-pass-1")

    assert asgi_get(db, "insp", "inspector-pass-1", path).status_code < 500


# ---------------------------------------------------------------- live line headers

LINE_FIELDS = ["call_id", "sample_rate", "channels", "encoding", "channel", "hall", "window",
               "staff", "started_at", "stereo_speakers", "rate", "x"]
LINE_VALUES = (SCALARS | st.sampled_from(["c-1", "c-1\n", 8000, 16000, 48000, 1, 2, "s16le",
                                          "mulaw", "alaw", "phone", "counter", "S-\u202e1",
                                          "2023-05-04T09:30:00+08:00", "2023-05-04",
                                          ["citizen", "staff"], ["staff"]])
               | st.lists(SCALARS, max_size=3))
LINE_HEADER = (st.dictionaries(st.sampled_from(LINE_FIELDS), LINE_VALUES, max_size=10)
               .map(_dumps)
               | st.text(alphabet=st.characters(codec=None), max_size=60)
               | st.integers(0, 3000).map(lambda n: "[" * n + "]" * n)
               | st.binary(max_size=20))


@FUZZ
@given(LINE_HEADER)
def test_any_live_header_is_a_line_or_an_audio_error_that_can_be_shown(frame):
    """Issue 26 #5, #16-#18: whatever a line's first frame holds, it is refused with an
    AudioError (whose message can be sent to the line and the monitors), or it is a header
    every field of which can be written (a file name, the database, a monitor)."""
    from analyzer.errors import AudioError
    from analyzer.stream.line import _ID, LineHeader
    from analyzer.stream.link import wire

    try:
        header = LineHeader.parse(frame)
    except AudioError as exc:
        wire({"type": "error", "message": str(exc)}).encode("utf-8")
        return
    assert _ID.fullmatch(header.call_id)
    for name in ("hall", "window", "staff", "started_at"):
        value = getattr(header, name)
        value.encode("utf-8")
        assert value.isprintable() or value == ""
    assert LineHeader.parse(json.dumps(header.to_dict())) == header


@FUZZ
@given(st.dictionaries(st.sampled_from(["rate", "mix", "staff", "token", "x"]),
                       st.text(alphabet=st.characters(codec=None), max_size=8), max_size=4),
       LINE_HEADER)
def test_any_audio_fork_connection_is_a_line_or_an_audio_error(query, metadata):
    from urllib.parse import urlencode

    from analyzer.errors import AudioError
    from analyzer.stream.pbx import fork_header

    try:
        path = "/audio_fork?" + urlencode(query)
    except UnicodeEncodeError:
        return  # not a URL a client can send
    with contextlib.suppress(AudioError):
        header = fork_header(path, metadata)
        assert header.channels in (1, 2) and 8000 <= header.sample_rate <= 48000
