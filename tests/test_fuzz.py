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

import numpy as np
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


# ---------------------------------------------------------------- TOML depth and size


@FUZZ
@given(st.integers(min_value=0, max_value=3000),
       st.lists(st.sampled_from(["[", "{a = ", "[1, ", '{"k" = [']), min_size=1, max_size=3),
       st.sampled_from(["lexicon", "template"]))
def test_lexicon_nesting_at_any_depth_loads_or_is_a_lexicon_error(depth, openers, which):
    """Arrays and inline tables nested to any depth: a value or a LexiconError naming the
    line, never a RecursionError (issue 26, #18)."""
    from analyzer.errors import LexiconError
    from analyzer.rules.score import template_from_text
    from analyzer.text.lexicon import load_lexicon

    closers = {"[": "]", "{a = ": "}", "[1, ": "]", '{"k" = [': "]}"}
    opened = [openers[i % len(openers)] for i in range(depth)]
    value = "".join(opened) + "1" + "".join(closers[o] for o in reversed(opened))
    text = '[lexicon]\nname = "fuzz"\nversion = "1"\nx = ' + value + "\n"
    try:
        if which == "lexicon":
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(tmp) / "deep.toml"
                path.write_text(text, encoding="utf-8")
                load_lexicon([path])
        else:
            template_from_text(text, "deep.toml")
    except LexiconError as exc:
        if "nested deeper" in str(exc):
            assert exc.line == 4
    except RecursionError:  # pragma: no cover - the defect this test holds
        pytest.fail(f"RecursionError at depth {depth}")


@FUZZ
@given(st.integers(min_value=0, max_value=96 * 1024), st.sampled_from(["#", "x = ", '"']),
       st.sampled_from(["lexicon", "template"]))
def test_a_configuration_file_of_any_size_loads_or_is_refused(size, filler, which):
    """Files around the size limit (shrunk here to 64 KiB, above the shipped files): read
    whole, or refused with a LexiconError naming the file (issue 26, #19)."""
    from analyzer import limits
    from analyzer.errors import LexiconError
    from analyzer.rules.score import load_template
    from analyzer.text.lexicon import load_lexicon

    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        mp.setattr(limits, "MAX_CONFIG_BYTES", 64 * 1024)
        path = Path(tmp) / "big.toml"
        head = '[lexicon]\nname = "fuzz"\nversion = "1"\n'
        path.write_text(head + (filler + "a" * size)[: max(size, 0)], encoding="utf-8")
        try:
            load_lexicon([path]) if which == "lexicon" else load_template(path)
        except LexiconError as exc:
            assert exc.source == str(path)
            big = path.stat().st_size > 64 * 1024
            assert ("larger than" in str(exc)) == big, (big, str(exc))


# ---------------------------------------------------------------- audio headers


def _wav(fmt: int, channels: int, rate: int, byte_rate: int, align: int, bits: int,
         data: bytes, data_size: int | None, fmt_size: int = 16) -> bytes:
    import struct

    head = struct.pack("<HHIIHH", fmt, channels, rate, byte_rate, align, bits)
    head = (head + b"\0" * max(fmt_size - len(head), 0))[:fmt_size]
    size = len(data) if data_size is None else data_size
    body = (b"WAVE" + b"fmt " + struct.pack("<I", fmt_size) + head + b"data"
            + struct.pack("<I", size) + data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


U16, U32 = st.integers(0, 0xFFFF), st.integers(0, 0xFFFFFFFF)
HEADER = st.fixed_dictionaries({
    "fmt": st.sampled_from([0, 1, 2, 3, 6, 7, 0x11, 0x55, 0xFFFE]) | U16,
    "channels": st.sampled_from([0, 1, 2, 3, 8, 255, 0xFFFF]) | U16,
    "rate": st.sampled_from([0, 1, 8000, 16000, 44100, 192000, 0xFFFFFFFF]) | U32,
    "byte_rate": st.sampled_from([0, 16000, 32000]) | U32,
    "align": st.sampled_from([0, 1, 2, 4, 0xFFFF]) | U16,
    "bits": st.sampled_from([0, 1, 8, 16, 24, 32, 64, 0xFFFF]) | U16,
    "data": st.binary(max_size=512),
    "data_size": st.none() | st.sampled_from([0, 1, 0xFFFFFFFF]) | U32,
    "fmt_size": st.sampled_from([14, 16, 18, 40]),
})


@FUZZ
@given(HEADER)
def test_any_wav_header_decodes_or_is_an_audio_error(header):
    """A WAV header saying anything (0 channels, 65535 channels, a rate of 0 or 4 GHz, a
    data size beyond the file): samples or an AudioError naming the file (issue 26, #14)."""
    from analyzer.errors import AudioError
    from analyzer.speech.decode import decode_audio

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "fuzz.wav"
        path.write_bytes(_wav(**header))
        try:
            audio = decode_audio(path)
        except AudioError as exc:
            assert exc.source == str(path)
            return
        assert audio.samples.ndim == 2 and audio.samples.shape[0] >= 1
        assert np.isfinite(audio.samples).all()
