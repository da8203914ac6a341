"""The audio path: channel roles, rings before answer, sidecar metadata, full reports."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from audio_factory import SR, Turn, conversation, place, ringback, speech, stereo, write_wav
from click.testing import CliRunner

from analyzer.errors import AudioError, TranscriptError
from analyzer.options import AnalyzerOptions, ASROptions, VadOptions
from analyzer.speech.meta import CallMeta, read_meta
from analyzer.speech.recording import analyze_recording
from analyzer.speech.tracks import resolve_tracks

#: Turns at least 2.5 s apart, so an utterance is attributed to its turn by
#: time even though Whisper's word times on synthetic speech drift by ~1 s.
TURNS = [
    Turn("staff", 0.5, "您好，请问要办理什么业务？"),
    Turn("citizen", 6.5, "我想办理营业执照。"),
    Turn("staff", 12.0, "请您慢走，再见。"),
]
SLACK = 1.0


def _span_of(start: float, end: float, turns: list[Turn]) -> Turn | None:
    """The scripted turn whose span (plus ``SLACK``) holds the utterance's midpoint."""
    mid = (start + end) / 2
    found = [t for t in turns if t.start - SLACK <= mid <= t.end + SLACK]
    return found[0] if len(found) == 1 else None


@pytest.fixture(scope="module")
def counter_wav(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("counter") / "visit.wav"
    write_wav(path, conversation(TURNS))
    return path


@pytest.fixture(scope="module")
def counter(counter_wav: Path):
    return analyze_recording(counter_wav, AnalyzerOptions())


def _roles(channels: int, opts: ASROptions, meta: dict) -> list[str]:
    return [t.speaker for t in resolve_tracks(channels, opts, CallMeta.parse(meta, where="x"))]


def test_channel_roles_per_run_per_hall_and_sidecar() -> None:
    opts = ASROptions(hall_speakers=(("东区大厅", "citizen", "staff"),))
    assert _roles(2, opts, {}) == ["staff", "citizen"]
    assert _roles(2, opts, {"hall": "东区大厅"}) == ["citizen", "staff"]
    meta = {"hall": "东区大厅", "stereo_speakers": ["staff", "citizen"]}
    assert _roles(2, opts, meta) == ["staff", "citizen"]
    swapped = replace(opts, stereo_speakers=("citizen", "staff"))
    assert _roles(2, swapped, {}) == ["citizen", "staff"]
    mono = resolve_tracks(1, ASROptions(mono_roles="citizen"), CallMeta())
    assert [(t.speaker, t.known) for t in mono] == [("citizen", False)]
    with pytest.raises(TranscriptError, match="stereo_speakers"):
        _roles(2, opts, {"stereo_speakers": ["staff", "boss"]})


def test_sidecar_metadata(tmp_path: Path) -> None:
    wav = tmp_path / "call.wav"
    (tmp_path / "call.json").write_text(json.dumps({"hall": "A", "rings": 2}), encoding="utf-8")
    meta = read_meta(wav, {"hall": "B"})
    assert meta.hall == "B" and meta.rings == 2  # the argument overrides the sidecar
    (tmp_path / "call.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(TranscriptError) as err:
        read_meta(wav)
    assert str(tmp_path / "call.json") in str(err.value)


def test_a_sidecar_typo_is_an_error_naming_the_closest_key(tmp_path: Path) -> None:
    """A misspelt sidecar key would drop the call record's rings (a changed score)."""
    wav = tmp_path / "call.wav"
    side = tmp_path / "call.json"
    side.write_text(json.dumps({"hall": "A", "ring": 5}), encoding="utf-8")
    with pytest.raises(TranscriptError) as err:
        read_meta(wav)
    assert err.value.field == "ring" and "did you mean 'rings'?" in str(err.value)
    assert str(side) in str(err.value)
    side.write_text(json.dumps({"hall": "A", "operator_note": "x"}), encoding="utf-8")
    with pytest.raises(TranscriptError, match="under 'meta'"):
        read_meta(wav)
    side.unlink()
    with pytest.raises(TranscriptError, match="did you mean 'staff'"):
        read_meta(wav, {"staf": "S-1"})  # the meta argument follows the same contract


def test_a_sidecar_keeps_the_halls_own_fields_under_meta(tmp_path: Path) -> None:
    wav = tmp_path / "call.wav"
    side = tmp_path / "call.json"
    side.write_text(json.dumps({"hall": "A", "rings": 2, "_comment": "exported by PBX",
                                "meta": {"queue_ticket": "A017"}}), encoding="utf-8")
    meta = read_meta(wav)
    assert meta.rings == 2 and dict(meta.extra) == {"queue_ticket": "A017"}
    side.write_text(json.dumps({"hall": "A", "meta": ["A017"]}), encoding="utf-8")
    with pytest.raises(TranscriptError, match="object of the hall's own fields"):
        read_meta(wav)


def test_undecodable_recording_names_the_file(tmp_path: Path) -> None:
    bad = tmp_path / "broken.wav"
    bad.write_bytes(b"RIFF\x00\x00\x00\x00WAVEjunk")
    with pytest.raises(AudioError) as err:
        analyze_recording(bad)
    assert str(bad) in str(err.value)


@pytest.mark.slow
def test_stereo_channels_give_roles(counter) -> None:
    utterances = counter.interaction.utterances
    assert {u.speaker for u in utterances} == {"staff", "citizen"}
    for u in utterances:
        turn = _span_of(u.start, u.end, TURNS)
        assert turn is not None and turn.speaker == u.speaker, (u, turn)
        assert u.speaker_known
        assert u.level_dbfs is not None and -60.0 < u.level_dbfs < 0.0  # its own channel's level
    assert [u.start for u in utterances] == sorted(u.start for u in utterances)
    assert counter.interaction.channel == "counter" and counter.ring is None
    assert counter.asr_info["model_sha256"] and counter.asr_info["options"]["language"] == "zh"


@pytest.mark.slow
def test_swapped_roles_and_mono(counter_wav: Path, tmp_path: Path) -> None:
    meta = {"stereo_speakers": ["citizen", "staff"], "channel": "counter"}
    swapped = analyze_recording(counter_wav, AnalyzerOptions(), meta)
    for u in swapped.interaction.utterances:
        turn = _span_of(u.start, u.end, TURNS)
        assert turn is not None and turn.speaker != u.speaker
    mono_path = tmp_path / "mono.wav"
    write_wav(mono_path, conversation(TURNS[:2]).mean(axis=0))
    charged = analyze_recording(mono_path, AnalyzerOptions().with_overrides(
        {"asr.mono_roles": "staff"}))
    assert charged.interaction.utterances
    assert all(u.speaker == "staff" and not u.speaker_known for u in charged.interaction.utterances)
    assert charged.interaction.meta["audio"]["speaker_known"] is False
    assert charged.asr_info["attribution"]["mono_roles"] == "staff"
    told = analyze_recording(mono_path, AnalyzerOptions())  # mono_roles "auto": turns told apart
    for u in told.interaction.utterances:
        turn = _span_of(u.start, u.end, TURNS)
        assert turn is not None and turn.speaker == u.speaker and not u.speaker_known, (u, turn)
        assert 0.5 <= u.speaker_confidence < 1.0
    assert {u.speaker for u in told.interaction.utterances} == {"staff", "citizen"}
    assert [s["role"] for s in told.asr_info["attribution"]["speakers"]].count("staff") == 1


@pytest.fixture(scope="module")
def phone_wav(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float]:
    """Five rings of China's 450 Hz ringback on the line, then staff answers."""
    rings, _ = ringback("cn", rings=5)
    answer = rings.size / SR + 0.3
    staff = place([(answer, speech("您好，请问要办理什么业务？", pitch=35))])
    line = place([(0.0, rings), (answer + 4.0, speech("我想问一下社保。", pitch=70))])
    path = tmp_path_factory.mktemp("phone") / "call.wav"
    write_wav(path, stereo(staff, line))
    return path, answer


@pytest.mark.slow
def test_rings_heard_before_first_staff_speech(phone_wav: tuple[Path, float]) -> None:
    path, answer = phone_wav
    result = analyze_recording(path, AnalyzerOptions())
    assert result.interaction.channel == "phone"  # no metadata: rings heard make it a call
    assert result.ring is not None and result.ring.source == "audio"
    assert result.ring.rings == 5
    first_staff = min(u.start for u in result.interaction.utterances if u.speaker == "staff")
    assert abs(first_staff - answer) < 1.0
    # the call record wins over the audio, and says so
    record = analyze_recording(path, AnalyzerOptions(), {"channel": "phone", "rings": 2})
    assert (record.ring.rings, record.ring.source) == (2, "record")


@pytest.mark.slow
def test_conduct_analyze_recording_gives_full_report(phone_wav: tuple[Path, float]) -> None:
    from analyzer.cli import main

    path, _ = phone_wav
    result = CliRunner().invoke(main, ["analyze", str(path), "--set", "classifier.enabled=false"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["channel"] == "phone" and report["source"] == str(path)
    assert (report["rings"], report["ring_source"]) == (5, "audio")
    assert "A7-RING" in [f["rule"] for f in report["findings"]]  # 5 rings > 3
    assert report["transcript"] and all(u["words"] for u in report["transcript"])
    assert report["analyzer"]["model"]
    assert np.isclose(report["duration"], 25.0 + 0.3 + 4.0, atol=3.0)


def test_telephone_band_recordings_get_the_phone_vad_threshold(tmp_path: Path) -> None:
    """Silero scores phone-band speech lower: 8 kHz or channel=phone lowers the threshold."""
    x = stereo(place([(0.5, speech("您好"))], 3.0), place([], 3.0))
    write_wav(tmp_path / "counter.wav", x)
    write_wav(tmp_path / "call.wav", x[:, ::2].copy(), 8000)
    write_wav(tmp_path / "told.wav", x)
    (tmp_path / "told.json").write_text('{"channel": "phone"}', encoding="utf-8")
    seen: dict[str, set[float]] = {}

    class Recognise:
        def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
            seen.setdefault(current, set()).add(options.vad.threshold)
            return [[] for _ in tracks]

    opts = AnalyzerOptions(asr=ASROptions(vad=VadOptions(threshold=0.5, phone_threshold=0.3)))
    for current in ("counter", "call", "told"):
        analyze_recording(tmp_path / f"{current}.wav", opts, recognizer=Recognise())
    assert seen == {"counter": {0.5}, "call": {0.3}, "told": {0.3}}
