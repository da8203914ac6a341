"""Issue 26's defects in the input-loading, store and CLI layers, each held by a test.

Every test here failed before its fix (the number is the defect's in issue 26):

* #13 CSV formula cells through an embedded carriage return;
* #14 a WAV whose header says 0 channels crashed ``conduct analyze`` and lost the inputs after it;
* #18 deeply nested TOML in a lexicon was a RecursionError traceback;
* #19 ``--lexicon /dev/zero`` read until memory ran out;
* #20 an admin who confirmed a finding could rule on the appeal against it;
* #21 ids with bidirectional overrides or NUL, and JSON with duplicate keys, were accepted.

The audit trail (#10, #11) is held by ``tests/test_audit_trail.py``; the web app's views
(#4, #8, #9) by ``tests/test_web_privacy.py``.
"""

from __future__ import annotations

import csv
import io
import json
import struct
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.errors import AudioError, InvalidRequest, LexiconError, TranscriptError

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


# -- #13: CSV cells ------------------------------------------------------


@pytest.mark.parametrize("cell", ["ok\r=1+1", "ok\n=1+1", "ok\r\n@SUM(A1)", "=1+1", "\r=1",
                                  "-2+3", "a\u2028=1"])
def test_no_csv_cell_becomes_a_formula_in_a_spreadsheet(cell: str) -> None:
    """A spreadsheet reads a line break outside quotes as a new row: every cell holding one
    is quoted, so no part of it starts a cell of its own."""
    from analyzer.tables import write_csv

    text = write_csv(["comment", "n"], [{"comment": cell, "n": 1}])
    # what a spreadsheet sees: rows split at line breaks outside quotes, like csv's reader
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2, repr(text)
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@")), (cell, text)
    assert rows[1][0].lstrip("'") == cell


def test_the_dismissals_export_keeps_a_comment_with_a_carriage_return_in_one_cell(
        tmp_path: Path) -> None:
    from analyzer.batch import run_batch
    from analyzer.store import Store
    from analyzer.web import queries

    db = tmp_path / "r.sqlite"
    run_batch(EXAMPLES / "counter-forbidden.json", db)
    with Store(db) as store:
        f = store.findings(1)[0]
        store.set_verdict(f["id"], "dismiss", "ok\r=1+1", "insp")
        text = queries.dismissals_csv(queries.dismissals(store.db, None))
    rows = list(csv.reader(io.StringIO(text, newline="")))
    assert len(rows) == 2 and not any(v.startswith("=") for r in rows for v in r)


# -- #14: a WAV header with 0 channels ------------------------------------


def wav_bytes(channels: int, rate: int = 16000, frames: int = 1600, bits: int = 16,
              fmt: int = 1) -> bytes:
    """A RIFF/WAVE file whose header says what the arguments say (data may not match)."""
    align = channels * bits // 8
    data = np.zeros(frames * max(channels, 1), dtype="<i2").tobytes()
    head = struct.pack("<HHIIHH", fmt, channels, rate, rate * align, align, bits)
    body = (b"WAVE" + b"fmt " + struct.pack("<I", len(head)) + head + b"data"
            + struct.pack("<I", len(data)) + data)
    return b"RIFF" + struct.pack("<I", len(body)) + body


def test_a_wav_with_zero_channels_is_an_audio_error_naming_it(tmp_path: Path) -> None:
    from analyzer.speech.decode import decode_audio

    path = tmp_path / "zero.wav"
    path.write_bytes(wav_bytes(0))
    with pytest.raises(AudioError, match="0 channels") as err:
        decode_audio(path)
    assert err.value.source == str(path)


def test_analyze_goes_on_after_a_zero_channel_wav(tmp_path: Path) -> None:
    bad = tmp_path / "a-zero.wav"
    bad.write_bytes(wav_bytes(0))
    good = tmp_path / "b-visit.json"
    good.write_text((EXAMPLES / "counter-model.json").read_text("utf-8"), "utf-8")
    result = CliRunner().invoke(main, ["analyze", str(bad), str(good), "--format", "jsonl"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert f"{bad}" in result.stderr and "0 channels" in result.stderr
    reports = [json.loads(line) for line in result.stdout.splitlines() if line.strip()]
    assert [r["id"] for r in reports] == ["counter-model"]


def test_the_batch_keeps_a_zero_channel_wav_as_known_bad_input(tmp_path: Path) -> None:
    """It was keyed as a ValueError (the machine's fault), so every run retried it."""
    from analyzer.batch import run_batch
    from analyzer.store import Store

    src = tmp_path / "in"
    src.mkdir()
    (src / "zero.wav").write_bytes(wav_bytes(0))
    db = tmp_path / "r.sqlite"
    first = run_batch(src, db)
    with Store(db, readonly=True) as store:
        errors = store.errors()
    assert first.errors == 1 and errors[0]["kind"] == "AudioError" and errors[0]["key"]
    assert run_batch(src, db).known_bad == 1  # not retried


# -- #18, #19: configuration files within limits ----------------------------


def _lexicon_header() -> str:
    return '[lexicon]\nname = "local"\nversion = "1"\n'


def test_a_deeply_nested_lexicon_is_exit_2_naming_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "deep.toml"
    path.write_text(_lexicon_header() + "x = " + "[" * 5000 + "]" * 5000 + "\n", "utf-8")
    result = CliRunner().invoke(main, ["analyze", str(EXAMPLES / "counter-model.json"),
                                       "--lexicon", str(path)])
    assert result.exit_code == 2, result.output
    assert not isinstance(result.exception, RecursionError)
    assert f"{path}:4:" in result.stderr and "nested deeper" in result.stderr


@pytest.mark.parametrize("nested", ["[" * 3000 + "]" * 3000, "{a = " * 3000 + "1" + "}" * 3000])
def test_a_deeply_nested_scoring_template_is_a_lexicon_error(nested: str) -> None:
    from analyzer.rules.score import template_from_text

    with pytest.raises(LexiconError, match="nested deeper") as err:
        template_from_text('[points]\n\nx = ' + nested + "\n", "deep.toml")
    assert err.value.line == 3


def test_brackets_inside_toml_strings_are_not_nesting() -> None:
    from analyzer.limits import toml_nesting_problem

    text = ('a = "' + "[" * 100 + '"\nb = \'' + "{" * 100 + "'\nc = \"\"\"\n" + "[" * 100
            + '\n"""\n# ' + "[" * 100 + '\nd = [[1], [2, "]"]]\n')
    assert toml_nesting_problem(text) is None


def test_lexicon_from_dev_zero_is_refused_at_once() -> None:
    result = CliRunner().invoke(main, ["analyze", str(EXAMPLES / "counter-model.json"),
                                       "--lexicon", "/dev/zero"])
    assert result.exit_code == 2, result.output
    assert "/dev/zero" in result.stderr and "not a regular file" in result.stderr


def test_an_oversized_lexicon_or_template_is_refused(tmp_path: Path) -> None:
    from analyzer import limits
    from analyzer.rules.score import load_template
    from analyzer.text.lexicon import load_lexicon

    big = tmp_path / "big.toml"
    big.write_text(_lexicon_header() + "# " + "x" * limits.MAX_CONFIG_BYTES + "\n", "utf-8")
    with pytest.raises(LexiconError, match="larger than") as err:
        load_lexicon([big])
    assert err.value.source == str(big)
    with pytest.raises(LexiconError, match="larger than"):
        load_template(big)


def test_a_fifo_template_is_refused_without_blocking(tmp_path: Path) -> None:
    import os

    from analyzer.rules.score import load_template

    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with pytest.raises(LexiconError, match="not a regular file"):
        load_template(fifo)


# -- #20: who may rule on an appeal ------------------------------------------


def test_whoever_confirmed_a_finding_may_not_rule_on_its_appeal(tmp_path: Path) -> None:
    from analyzer.batch import run_batch
    from analyzer.errors import ReviewConflict
    from analyzer.store import Store

    db = tmp_path / "r.sqlite"
    run_batch(EXAMPLES / "counter-forbidden.json", db)
    with Store(db) as store:
        f = next(f for f in store.findings(1) if f["points"] > 0)
        store.set_verdict(f["id"], "confirm", "", "boss")
        aid = store.file_appeal(f["id"], "他没有说这句话", "sup")
        with pytest.raises(ReviewConflict, match="confirmed"):
            store.rule_appeal(aid, "upheld", "证据确凿", "boss")
        assert store.appeal(aid).status == "open"
        # a confirmation reconsidered before the appeal still counts: whoever confirmed it
        # at any time judged the finding already
        g = next(g for g in store.findings(1) if g["points"] > 0 and g["id"] != f["id"])
        store.set_verdict(g["id"], "confirm", "", "boss")
        store.set_verdict(g["id"], "dismiss", "", "insp")
        store.set_verdict(g["id"], "confirm", "", "insp")
        bid = store.file_appeal(g["id"], "reason", "sup")
        with pytest.raises(ReviewConflict, match="confirmed"):
            store.rule_appeal(bid, "overturned", "x", "boss")
        assert store.rule_appeal(aid, "upheld", "证据确凿", "sup2").status == "upheld"


# -- #21: ids and duplicate keys ---------------------------------------------


BAD_IDS = ["S-\u202e1000", "S-0001\x00", "S-\u200f0001", "S-00\n01", "S-\u2066x\u2069",
           "S-\ufeff1"]


@pytest.mark.parametrize("bad", BAD_IDS)
@pytest.mark.parametrize("field", ["staff", "id", "hall", "window"])
def test_transcript_ids_with_control_or_format_characters_are_refused(bad: str,
                                                                      field: str) -> None:
    from analyzer.text.transcript import parse_interaction

    record = json.loads((EXAMPLES / "counter-model.json").read_text("utf-8"))
    record[field] = bad
    with pytest.raises(TranscriptError, match="control or format character") as err:
        parse_interaction(record, "visit.json")
    assert err.value.field == field and "U+" in str(err.value)


def test_ordinary_ids_are_kept() -> None:
    from analyzer.limits import identifier_problem

    for fine in ("S-0001", "东城区政务服务大厅", "第 3 窗口", "A\u3000B", "7", "x" * 200):
        assert identifier_problem(fine) is None, fine
    assert "longer" in (identifier_problem("x" * 300) or "")


def test_duplicate_json_keys_are_refused_with_the_line(tmp_path: Path) -> None:
    from analyzer.text.transcript import load_transcripts

    record = (EXAMPLES / "counter-model.json").read_text("utf-8")
    data = json.loads(record)
    line = json.dumps(data, ensure_ascii=False)
    twice = line[:-1] + ', "staff": "S-9999"}'
    inner = line.replace('"speaker": "staff"', '"speaker": "staff", "speaker": "citizen"', 1)
    path = tmp_path / "day.jsonl"
    path.write_text(line.replace('"counter-model"', '"a"') + "\n" + twice + "\n" + inner + "\n",
                    "utf-8")
    items = list(load_transcripts(path))
    assert not isinstance(items[0], TranscriptError)
    for item, key, lineno in ((items[1], "staff", 2), (items[2], "speaker", 3)):
        assert isinstance(item, TranscriptError), item
        assert item.line == lineno and f"duplicate key {key!r}" in str(item)


def test_the_store_refuses_a_report_whose_ids_hold_format_characters(tmp_path: Path) -> None:
    """The last line: a report from any path (a sidecar, a live header, the Python API)
    whose ids would render as something else never reaches the results."""
    from dataclasses import replace

    from analyzer import analyze
    from analyzer.store import Store

    report = analyze(EXAMPLES / "counter-model.json")
    spoofed = replace(report, staff="S-\u202e1000")
    with Store(tmp_path / "r.sqlite") as store, pytest.raises(InvalidRequest, match="staff"):
        store.save_report(spoofed, run_id=None, content_hash="h", path="x.json", key="k")


def test_the_batch_keeps_a_spoofed_sidecar_as_an_error_row(tmp_path: Path) -> None:
    from analyzer.batch import run_batch
    from analyzer.store import Store

    src = tmp_path / "in"
    src.mkdir()
    manifest = src / "day.jsonl"
    good = json.loads((EXAMPLES / "counter-model.json").read_text("utf-8"))
    good["id"] = "good"
    manifest.write_text(json.dumps(good, ensure_ascii=False) + "\n", "utf-8")
    db = tmp_path / "r.sqlite"
    bad = dict(good, id="bad", staff="S-\u202e1000")
    (src / "bad.json").write_text(json.dumps(bad, ensure_ascii=False), "utf-8")
    run_batch(src, db)
    with Store(db) as store:
        assert [r["interaction_id"] for r in store.interactions()] == ["good"]
        errors = store.errors()
        assert len(errors) == 1 and "U+202E" in errors[0]["message"]


def test_a_sidecar_or_manifest_with_a_spoofed_staff_id_is_refused_naming_it(
        tmp_path: Path) -> None:
    """Metadata of recordings (sidecars, manifest rows, live headers) enters through one
    reader, which refuses what the transcript reader refuses."""
    from analyzer.errors import ManifestError
    from analyzer.speech.meta import CallMeta

    with pytest.raises(ManifestError, match="control or format") as err:
        CallMeta.parse({"staff": "S-\u202e1000", "hall": "东城"}, where="call.json")
    assert err.value.field == "staff" and err.value.source == "call.json"
    assert CallMeta.parse({"staff": "S-0001"}, where="call.json").staff == "S-0001"


@pytest.mark.parametrize("bad", ["S-\u202e1000", "S-1\x00"])
def test_accounts_refuse_names_and_staff_ids_with_format_characters(tmp_path: Path,
                                                                      bad: str) -> None:
    from analyzer.web import auth

    db = tmp_path / "r.sqlite"
    with auth.connect(db) as con:
        with pytest.raises(InvalidRequest, match="control or format"):
            auth.add_user(con, "clerk", "staff", "password-123", staff_id=bad)
        with pytest.raises(InvalidRequest, match="control or format"):
            auth.add_user(con, "in" + bad, "inspector", "password-123")
    result = CliRunner().invoke(main, ["users", "add", "clerk", "--role", "staff", "--db",
                                       str(db), "--password-stdin", "--staff-id", bad],
                                input="password-123\n")
    assert result.exit_code == 2 and "control or format" in result.stderr


def test_rectifications_and_the_directory_refuse_spoofed_staff_ids(tmp_path: Path) -> None:
    from analyzer.store import Store

    with Store(tmp_path / "r.sqlite") as store:
        with pytest.raises(InvalidRequest, match="control or format"):
            store.set_rectification("S-\u202e1000", "2026-11", "培训", "2026-12-01", "sup")
        with pytest.raises(InvalidRequest, match="control or format"):
            store.set_staff([("S-\u202e1000", "张三", "大厅")], user="admin")
