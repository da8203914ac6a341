"""``conduct analyze``: the real command, through click's runner and once as a process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.cli import main

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["analyze", *args], catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_one_input_gives_one_json_report():
    code, out, err = _run(str(EXAMPLES / "phone-five-rings.json"),
                          "--set", "classifier.enabled=false")
    assert code == 0, err
    report = json.loads(out)
    assert report["id"] == "phone-five-rings" and report["rings"] == 5
    assert [f["rule"] for f in report["findings"]] == ["A7-RING"]
    assert report["analyzer"]["options"]["classifier"]["enabled"] is False
    assert report["analyzer"]["options"]["rings"]["max_rings"] == 3


@pytest.mark.slow
def test_many_inputs_give_json_lines():
    """The README's first command: transcripts and (through Whisper) recordings, one line each."""
    code, out, _ = _run(str(EXAMPLES))
    assert code == 0
    reports = [json.loads(line) for line in out.splitlines()]
    sidecars = (EXAMPLES / "recordings").glob("*.json")
    expected = [p.stem for p in EXAMPLES.glob("*.json")]
    expected += [json.loads(p.read_text(encoding="utf-8"))["id"] for p in sidecars]
    assert sorted(r["id"] for r in reports) == sorted(expected)
    code, out2, _ = _run(str(EXAMPLES / "counter-model.json"), "--format", "jsonl")
    assert len(out2.splitlines()) == 1 and json.loads(out2)["score"] == 100


def test_text_format_shows_score_grade_and_evidence():
    code, out, _ = _run(str(EXAMPLES / "counter-forbidden.json"), "--format", "text")
    assert code == 0
    assert "等级 不合格" in out and "一票否决" in out  # Chinese by default
    assert "A9-F-05  第9条  禁用语  00:51.0–00:53.0" in out
    assert "规范: 你去投诉好了" in out
    assert "证据: 工作人员: “你去投诉好了”" in out
    assert "置信度 0.98" in out
    assert "2023-05-04 16:52" in out  # the hall's clock, not the ISO text
    code, out, _ = _run(str(EXAMPLES / "counter-forbidden.json"), "--format", "text",
                        "--lang", "en")
    assert code == 0 and "grade 不合格" in out and "veto" in out
    assert "A9-F-05  Art. 9  forbidden  00:51.0–00:53.0" in out
    assert "evidence: staff: “你去投诉好了”" in out and "confidence 0.98" in out


def test_bad_inputs_are_reported_and_good_ones_still_analyzed(tmp_path: Path):
    bad = tmp_path / "bad.jsonl"
    good = json.loads((EXAMPLES / "counter-model.json").read_text(encoding="utf-8"))
    broken = dict(good, id="broken")
    broken["utterances"] = [dict(good["utterances"][0], end=-3)]
    bad.write_text(json.dumps(good, ensure_ascii=False) + "\n"
                   + json.dumps(broken, ensure_ascii=False) + "\n", encoding="utf-8")
    out_file = tmp_path / "reports.jsonl"
    code, out, err = _run(str(bad), str(tmp_path / "missing.json"),
                          str(EXAMPLES / "phone-five-rings.json"), "-o", str(out_file))
    assert code == 1
    assert f"error: {bad}:2: utterances[0].end:" in err
    assert "missing.json: no such file" in err
    assert "2 input(s) failed, 2 report(s) written" in err
    ids = [json.loads(line)["id"] for line in out_file.read_text(encoding="utf-8").splitlines()]
    assert ids == ["counter-model", "phone-five-rings"]
    assert out == ""


def test_set_overrides_and_lexicon_option(tmp_path: Path):
    code, out, _ = _run(str(EXAMPLES / "phone-five-rings.json"), "--set", "rings.max_rings=5")
    report = json.loads(out)
    assert not [f for f in report["findings"] if f["kind"] == "ring"]
    assert report["rings"] == 5 and report["analyzer"]["options"]["rings"]["max_rings"] == 5
    county = ROOT / "lexicons" / "examples" / "county-override.toml"
    code, out, _ = _run(str(EXAMPLES / "counter-forbidden.json"), "--lexicon", str(county))
    report = json.loads(out)
    veto = next(f for f in report["findings"] if f["rule"] == "A9-F-05")
    assert veto["detail"]["rule_points"] == 20  # the county's override of the shipped 15
    assert report["analyzer"]["options"]["lexicon"] == [str(county)]
    for bad in ("rings.max_ringz=4", "rings.max_rings=four", "noequals", "rings=3"):
        result = CliRunner().invoke(main, ["analyze", str(EXAMPLES), "--set", bad])
        assert result.exit_code == 2 and "--set" in result.output, bad


def test_bad_lexicon_stops_before_analyzing(tmp_path: Path):
    lex = tmp_path / "hall.toml"
    lex.write_text('[lexicon]\nname = "x"\nversion = "1"\n\n[[rule]]\nid = "L-1"\n'
                   'article = 99\n', encoding="utf-8")
    code, out, err = _run(str(EXAMPLES), "--lexicon", str(lex))
    assert code == 2 and out == ""
    assert f"{lex}:" in err


def test_console_script_runs_as_a_process(tmp_path: Path):
    out = tmp_path / "out.json"
    script = Path(sys.executable).with_name("conduct")  # the installed console script
    command = [str(script)] if script.exists() else [sys.executable, "-m", "analyzer.cli"]
    proc = subprocess.run(
        [*command, "analyze", str(EXAMPLES / "counter-upset-materials.json"), "-o", str(out)],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["id"] == "counter-upset-materials"
    assert [f["rule"] for f in report["findings"]] == ["A10-G-MATERIAL-LIST"]


@pytest.mark.slow
def test_recording_goes_through_the_audio_path(tmp_path: Path):
    """A stereo counter recording: transcribed (Whisper base), then the same rules."""
    from audio_factory import Turn, conversation, write_wav

    call = conversation([Turn("staff", 0.5, "您好，请问要办理什么业务？"),
                         Turn("citizen", 4.0, "我来办理营业执照。")])
    write_wav(tmp_path / "visit.wav", call)
    (tmp_path / "visit.json").write_text('{"id": "v1", "channel": "counter"}', encoding="utf-8")
    code, out, err = _run(str(tmp_path), "--set", "classifier.enabled=false")
    assert code == 0, err
    report = json.loads(out)  # one report: the sidecar is metadata, not a transcript
    assert report["id"] == "v1" and report["channel"] == "counter"
    assert report["analyzer"]["model"]  # the speech model used is recorded
    # what Whisper makes of synthetic speech is the audio tests' business; here: it
    # produced a timed transcript with channel roles, and the rules ran on it
    assert report["transcript"] and report["transcript"][0]["words"]
    assert {u["speaker"] for u in report["transcript"]} <= {"staff", "citizen"}
    assert 0 <= report["score"] <= 100 and report["grade"]

    # --model takes any other CTranslate2 Whisper folder, and the report names it
    from analyzer.speech.model import ensure_model

    other = tmp_path / "site-model"
    other.symlink_to(ensure_model(), target_is_directory=True)
    code, out, err = _run(str(tmp_path / "visit.wav"), "--model", str(other),
                          "--set", "classifier.enabled=false")
    assert code == 0, err
    assert json.loads(out)["analyzer"]["model"] == str(other)
    code, out, err = _run(str(tmp_path / "visit.wav"), "--model", str(tmp_path / "nowhere"))
    assert code == 2 and "nowhere" in err


def test_sink_formats():
    import io

    from analyzer.i18n import language
    from analyzer.sink import write_reports
    from analyzer.types import Finding, InteractionReport

    f = Finding(rule="A8-IGNORE", article=8, kind="acoustic", canonical="不理不睬", speaker="staff",
                start=None, end=None, evidence="no staff speech", confidence=0.7, points=11)
    reports = [InteractionReport(id=f"r{i}", channel="counter", score=89, grade="良好",
                                 findings=[f]) for i in range(2)]
    one = io.StringIO()
    assert write_reports(reports[:1], "json", one) == 1
    assert json.loads(one.getvalue())["id"] == "r0" and one.getvalue().startswith("{\n")
    two = io.StringIO()
    write_reports(iter(reports), "json", two)
    assert [json.loads(line)["id"] for line in two.getvalue().splitlines()] == ["r0", "r1"]
    text = io.StringIO()
    with language("en"):
        write_reports(reports, "text", text)
    out = text.getvalue()
    assert "(whole interaction)" in out and "-11  A8-IGNORE  Art. 8" in out
    assert "2 interactions analyzed, 2 flagged, mean score 89.0" in out
    chinese = io.StringIO()
    write_reports(reports, "text", chinese)
    assert "（整个服务过程）" in chinese.getvalue()
    assert "共分析 2 次服务，2 条有问题，平均分 89.0" in chinese.getvalue()
    with pytest.raises(ValueError):
        write_reports(reports, "xml", io.StringIO())
