"""Enrolled staff voices anchor mono roles (issue 25, item 4: ``conduct staff enroll``).

A clerk's voice is enrolled from a stereo recording of their own (the staff
channel, the citizen's leak silenced); a mono visit in which the *citizen*
opens, closes and sits nearer the microphone, with words that read alike
for both roles, fools every other signal: without the enrolled voice the
roles come out swapped, with it they come out right. Generated speech
(``audio_factory``), utterances timed on it, the real diarizer.
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from audio_factory import SR, place, speech, write_wav
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.errors import AudioError, OptionError
from analyzer.options import AnalyzerOptions
from analyzer.speech.attribution import attribute
from analyzer.speech.enroll import measure
from analyzer.speech.voices import load_voices
from analyzer.types import Utterance, Word

STAFF, CITIZEN = 30, 80  # espeak pitches of the two voices
VISIT = [("citizen", "你好，我来交一下材料"), ("staff", "好的，材料给我看一下"),
         ("citizen", "这些够不够"), ("staff", "还差一份复印件"), ("citizen", "那我明天再来，谢谢")]


def _mono_visit() -> tuple[np.ndarray, list[Utterance], list[str]]:
    clips, utts, t = [], [], 0.3
    for who, text in VISIT:
        clip = speech(text, pitch=STAFF if who == "staff" else CITIZEN,
                      dbfs=-24 if who == "staff" else -18)  # the citizen leans in
        clips.append((t, clip))
        seconds = clip.size / SR
        chars = [c for c in text if c not in "，？。"]
        step = seconds / len(chars)
        words = tuple(Word(c, t + i * step, t + (i + 1) * step, 0.9) for i, c in enumerate(chars))
        utts.append(Utterance("staff", t, t + seconds, "".join(chars), words, 0.9, False))
        t += seconds + 1.0
    return place(clips, t + 0.5), utts, [who for who, _ in VISIT]


def _stereo_of_the_clerk(path):
    """A past stereo recording: the clerk on channel 0, a citizen on channel 1."""
    staff = [(0.3, speech("您好，请问要办理什么业务？", pitch=STAFF)),
             (5.0, speech("请您出示一下身份证", pitch=STAFF)),
             (9.0, speech("这个业务需要填写一张申请表", pitch=STAFF)),
             (14.0, speech("请您稍等，我帮您查询", pitch=STAFF))]
    citizen = [(3.5, speech("我想补办社保卡", pitch=CITIZEN)),
               (12.0, speech("好的，这张表怎么填写", pitch=CITIZEN)),
               (18.0, speech("营业执照变更需要什么材料？请问公积金在哪里提取？", pitch=CITIZEN))]
    a, b = place(staff, 26.0), place(citizen, 26.0)
    return write_wav(path, np.stack([a + 0.08 * b, b + 0.08 * a]))  # each hears the other


@pytest.fixture(scope="module")
def enrolled(tmp_path_factory) -> tuple:
    folder = tmp_path_factory.mktemp("voices")
    recording = _stereo_of_the_clerk(folder / "past-visit.wav")
    voices = folder / "voices.json"
    result = CliRunner().invoke(main, ["--lang", "en", "staff", "enroll", "S-1001",
                                       str(recording), "--voices", str(voices)])
    assert result.exit_code == 0, result.output
    return voices, recording, result.output


def test_enroll_keeps_the_clerks_voice_in_the_voices_file(enrolled, tmp_path):
    voices, recording, output = enrolled
    assert "enrolled S-1001" in output
    kept = load_voices(voices)["S-1001"]
    assert kept.seconds >= 6.0 and kept.recordings == ("past-visit.wav",)
    data = json.loads(voices.read_text(encoding="utf-8"))
    assert data["format"] == 1 and list(data["voices"]) == ["S-1001"]
    # the clerk's channel, not the citizen's: the voice's pitch is the clerk's
    swapped = AnalyzerOptions().with_overrides({"asr.stereo_speakers": ["citizen", "staff"]})
    other = measure("S-1001", [recording], swapped)
    assert other.features[0] > kept.features[0] + 3  # semitones: the higher citizen voice
    # a second clerk joins the file; the first stays
    copy = tmp_path / "voices.json"
    copy.write_text(voices.read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["staff", "enroll", "S-1002", str(recording),
                                       "--voices", str(copy), "--set",
                                       'asr.stereo_speakers=["citizen","staff"]'])
    assert result.exit_code == 0, result.output
    assert sorted(load_voices(copy)) == ["S-1001", "S-1002"]


def test_enroll_refuses_too_little_speech_and_names_the_input(tmp_path):
    short = write_wav(tmp_path / "short.wav", place([(0.2, speech("您好", pitch=STAFF))], 2.0))
    with pytest.raises(AudioError, match="short.wav"):
        measure("S-1", [short], AnalyzerOptions())
    result = CliRunner().invoke(main, ["staff", "enroll", "S-1", str(short), "--voices",
                                       str(tmp_path / "v.json")])
    assert result.exit_code == 2 and "short.wav" in result.output
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(OptionError, match="bad.json"):
        load_voices(bad)


def test_the_enrolled_voice_anchors_mono_roles_when_the_citizen_opens(enrolled):
    voices, _, _ = enrolled
    samples, utts, truth = _mono_visit()
    plain = AnalyzerOptions()
    anchored = plain.with_overrides({"attribution.voices": str(voices)})
    for options, staff in ((plain, "S-1001"), (anchored, "S-9999")):  # no voice for the clerk
        out, record = attribute([("staff", samples, list(utts))], SR, options, "mono",
                                staff=staff)
        right = sum(u.speaker == t for u, t in zip(out, truth, strict=True))
        assert right < len(truth) / 2, [u.speaker for u in out]  # opens, closes, louder: swapped
        assert record.voice == ""
    out, record = attribute([("staff", samples, list(utts))], SR, anchored, "mono",
                            staff="S-1001")
    assert [u.speaker for u in out] == truth
    assert record.voice.startswith("S-1001 ")
    staff = next(s for s in record.speakers if s.role == "staff")
    assert staff.signals["vote_enrolled"] > 0 and staff.signals["vote_opens"] < 0
    assert record.to_dict()["voice"] == record.voice
