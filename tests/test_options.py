"""Option blocks are validated when built, and --set errors name the option."""

from __future__ import annotations

import subprocess
import sys

import pytest

from analyzer.cli.overrides import parse_override
from analyzer.config import WebConfig
from analyzer.errors import OptionError
from analyzer.options import (
    AnalyzerOptions,
    ASROptions,
    PackOptions,
    RingOptions,
    StreamOptions,
    VadOptions,
)


@pytest.mark.parametrize("build, message", [
    (lambda: RingOptions(max_rings="four"), "rings.max_rings: expected an integer"),
    (lambda: RingOptions(max_rings=True), "rings.max_rings: expected an integer"),
    (lambda: RingOptions(pattern=(1.0, 2.0, 3.0)), "rings.pattern: expected on/off pairs"),
    (lambda: RingOptions(pattern=(1.0, -4.0)), "rings.pattern: expected a value >= 0.01"),
    (lambda: RingOptions(cadence_on=float("nan")), "rings.cadence_on: expected a finite number"),
    (lambda: ASROptions(device="tpu"), "asr.device: expected one of 'cpu', 'cuda', 'auto'"),
    (lambda: VadOptions(threshold=1.5), "asr.vad.threshold: expected a value in [0, 1]"),
    (lambda: ASROptions(stereo_speakers=("staff",)), "asr.stereo_speakers: expected a list of 2"),
    (lambda: ASROptions(stereo_speakers=("staff", "boss")), "asr.stereo_speakers: expected one of"),
    (lambda: PackOptions(share="everything"), "pack.share: expected one of 'channel'"),
    (lambda: StreamOptions(partial_interval=-1.0), "stream.partial_interval"),
    (lambda: WebConfig(db="x.sqlite", idle_timeout=0), "web.idle_timeout: expected a value >= 1"),
])
def test_bad_values_are_refused_when_built(build, message):
    with pytest.raises(OptionError, match="^" + message.replace("[", r"\[").replace("(", r"\(")):
        build()


def test_values_are_normalised_to_their_declared_type():
    rings = RingOptions(max_rings=4, cadence_on=1, pattern=[0.4, 0.2, 0.4, 2])
    assert rings.cadence_on == 1.0 and isinstance(rings.cadence_on, float)
    assert rings.pattern == (0.4, 0.2, 0.4, 2.0)
    assert WebConfig(db="x.sqlite").db.name == "x.sqlite"


@pytest.mark.parametrize("item, message", [
    ("rings.max_rings=four", "rings.max_rings: expected an integer, got 'four'"),
    ("rings.pattern=[1,2,3]", "rings.pattern: expected on/off pairs"),
    ("rings.pattern=[1,", "rings.pattern: expected a list"),
    ("classifier.enabled=maybe", "classifier.enabled: expected true or false"),
    ("rings.nope=1", "rings.nope: unknown option"),
    ("rings=1", "rings: is a group of options"),
    ("max_rings", "--set: expected KEY=VALUE"),
])
def test_overrides_name_the_option_and_the_type(item, message):
    options = AnalyzerOptions()
    with pytest.raises(OptionError) as err:
        options.with_overrides(dict([parse_override(options, item)]))
    assert str(err.value).startswith(message)


def test_overrides_are_typed_like_their_default():
    options = AnalyzerOptions()
    parsed = dict(parse_override(options, s) for s in (
        "rings.max_rings=4", "rings.pattern=[0.4,0.2,0.4,2]", "classifier.enabled=false",
        "asr.stereo_speakers=citizen,staff", "context.reply_window=12"))
    applied = options.with_overrides(parsed)
    assert applied.rings.max_rings == 4 and applied.rings.pattern == (0.4, 0.2, 0.4, 2.0)
    assert applied.classifier.enabled is False
    assert applied.asr.stereo_speakers == ("citizen", "staff")
    assert applied.context.reply_window == 12.0
    assert applied.to_dict()["rings"]["pattern"] == (0.4, 0.2, 0.4, 2.0)  # what is recorded


@pytest.mark.parametrize("setting", ["rings.max_rings=four", "rings.pattern=[1,2,3]"])
def test_cli_reports_a_bad_set_cleanly(setting, repo_root):
    done = subprocess.run(
        [sys.executable, "-m", "analyzer", "analyze", str(repo_root / "examples" / "counter-model.json"),
         "--set", setting], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert setting.split("=")[0] in done.stderr


@pytest.mark.parametrize("build, message", [
    (lambda: ASROptions(beam_size=0), "asr.beam_size: expected a value in [1, 20]"),
    (lambda: ASROptions(no_speech_threshold=1.5), "asr.no_speech_threshold: expected a value"),
    (lambda: VadOptions(phone_threshold=2.0), "asr.vad.phone_threshold: expected a value"),
    (lambda: VadOptions(min_silence_ms=-1), "asr.vad.min_silence_ms: expected a value >= 0"),
])
def test_every_declared_range_is_checked(build, message):
    with pytest.raises(OptionError, match="^" + message.replace("[", r"\[")):
        build()


def test_a_range_for_a_field_a_block_lacks_is_refused_at_definition():
    from dataclasses import dataclass
    from typing import ClassVar

    from analyzer.validation import Checked

    with pytest.raises(TypeError, match="vad_threshold"):
        @dataclass(frozen=True)
        class Stale(Checked):
            _RANGES: ClassVar[dict[str, tuple[float | None, float | None]]] = {
                "vad_threshold": (0.0, 1.0)}
            beam_size: int = 5
