"""A greeting said over a telephone line is found.

The bundled phone call, as a user's phone system would store it: one 8 kHz
channel (the two parties mixed), as an MP3 and as G.711 mu-law WAV. The
clerk's greeting must be heard, so no "greeting missing" finding; with the
greeting silenced, the same file must report it missing (the check is live).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from audio_factory import write_wav

import analyzer
from analyzer.speech.decode import decode_audio

ROOT = Path(__file__).resolve().parent.parent
CALL = ROOT / "examples" / "recordings" / "phone-call.ogg"
GREETING = "A7-G-GREETING"


def _phone(tmp_path: Path, name: str, *codec: str) -> Path:
    """The example call as one 8 kHz channel in ``name`` (with its sidecar: a phone line)."""
    out = tmp_path / name
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(CALL), "-ac", "1",
                    "-ar", "8000", *codec, str(out)], check=True)
    shutil.copy(CALL.with_suffix(".json"), out.with_suffix(".json"))
    return out


def _missing(report: analyzer.InteractionReport) -> set[str]:
    return {f.rule for f in report.findings if f.kind == "missing"}


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
@pytest.mark.parametrize(("name", "codec"), [("call.mp3", ()),
                                             ("call.wav", ("-acodec", "pcm_mulaw"))])
def test_a_greeting_said_over_a_phone_line_is_found(tmp_path: Path, name: str,
                                                    codec: tuple[str, ...]) -> None:
    path = _phone(tmp_path, name, *codec)
    report = analyzer.analyze(path)
    assert report.channel == "phone"
    staff = [u for u in report.utterances if u.speaker == "staff"]
    assert staff and "您好" in staff[0].text  # the clerk's first words, heard as the clerk's
    assert GREETING not in _missing(report), [u.text for u in report.utterances]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="needs ffmpeg")
def test_a_phone_call_whose_greeting_is_silenced_reports_it_missing(tmp_path: Path) -> None:
    path = _phone(tmp_path, "call.wav")
    heard = analyzer.analyze(path)
    first = min(u.start for u in heard.utterances if u.speaker == "staff")
    end = min(u.start for u in heard.utterances if u.start > first + 0.5)
    samples = decode_audio(path).samples[0].copy()
    a, b = int((first - 0.3) * 16000), int((end - 0.2) * 16000)
    samples[a:b] = 0.0  # the greeting, and only it, silenced
    write_wav(tmp_path / "quiet-16k.wav", samples)
    quiet = tmp_path / "quiet.wav"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(tmp_path / "quiet-16k.wav"),
                    "-ar", "8000", "-acodec", "pcm_mulaw", str(quiet)], check=True)
    shutil.copy(path.with_suffix(".json"), quiet.with_suffix(".json"))
    assert GREETING in _missing(analyzer.analyze(quiet))
