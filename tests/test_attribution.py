"""Who said it: crosstalk, background speech, same-mix stereo, mono speaker turns (issue 13).

The recordings in ``tests/data/attribution`` are one counter visit as a hall
records it (``make_recordings.py`` there): natural voices, each microphone
hearing the other party 22 dB down, the next windows and the PA 32 dB down,
reverb; the citizen says 你们再这样拖，我就去投诉好了. Each failure of the issue
is shown to happen with ``attribution.enabled=false`` (or
``asr.mono_roles=staff``) and to be gone with the defaults.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from audio_factory import SR, db_to_amp, noise, speech

from analyzer.options import AnalyzerOptions, AttributionOptions
from analyzer.pipeline import analyze, analyze_interaction
from analyzer.speech.attribution import (
    attribute,
    background,
    crosstalk,
    same_mix,
    similarity,
)
from analyzer.speech.crosstalk import CrosstalkGate, silence_crosstalk
from analyzer.speech.diarize import pieces, pitch, two_voices
from analyzer.types import Interaction, InteractionReport, Utterance, Word

DATA = Path(__file__).resolve().parent / "data" / "attribution"
SCRIPT = json.loads((DATA / "hall.json").read_text(encoding="utf-8"))
OPTS = AttributionOptions()


def _utt(speaker: str, start: float, text: str, step: float = 0.25) -> Utterance:
    """An utterance whose characters are words ``step`` seconds apart."""
    words = tuple(Word(ch, round(start + i * step, 3), round(start + (i + 1) * step, 3), 0.9)
                  for i, ch in enumerate(text))
    return Utterance(speaker, words[0].start, words[-1].end, text, words, 0.9)


def _burst(seconds: float, at: float, total: float, dbfs: float, seed: int = 0) -> np.ndarray:
    x = np.zeros(int(total * SR), dtype=np.float32)
    a = int(at * SR)
    x[a : a + int(seconds * SR)] = noise(seconds, dbfs=dbfs, seed=seed)
    return x


# -- pieces on synthetic signals -----------------------------------------------


def test_same_mix_is_told_from_two_microphones():
    voice = speech("您好，请问要办理什么业务？")
    assert same_mix(np.stack([voice, voice * 0.9]), OPTS) == pytest.approx(1.0, abs=1e-3)
    other = speech("我想补办社保卡", pitch=70)
    n = min(voice.size, other.size)
    leaky = np.stack([voice[:n] + db_to_amp(-22) * other[:n], other[:n] + db_to_amp(-22) * voice[:n]])
    assert same_mix(leaky, OPTS) is None
    assert same_mix(np.stack([voice, voice * db_to_amp(-8)]), OPTS) is None  # levels differ


def test_leaked_stretches_are_silenced_before_recognition():
    total = 4.0
    staff = _burst(1.5, 0.5, total, -20.0, seed=1)
    citizen = _burst(1.0, 2.5, total, -20.0, seed=2)
    x = np.stack([staff + db_to_amp(-22) * citizen, citizen + db_to_amp(-22) * staff])
    out, dropped = silence_crosstalk(x, SR, ["staff", "citizen"], OPTS)
    assert np.abs(out[1, int(0.6 * SR):int(1.9 * SR)]).max() == 0.0  # staff's voice on ch 1
    assert np.abs(out[0, int(2.6 * SR):int(3.4 * SR)]).max() == 0.0  # citizen's on ch 0
    assert np.allclose(out[0, int(0.6 * SR):int(1.9 * SR)], x[0, int(0.6 * SR):int(1.9 * SR)])
    spans = sorted((d.speaker, round(d.start, 1), round(d.end, 1)) for d in dropped)
    assert [s[0] for s in spans] == ["citizen", "staff"]
    assert all(d.action == "silenced" and d.reference_db - d.level_db >= 20 for d in dropped)
    off = AttributionOptions(crosstalk_db=30.0)  # the option decides
    assert not silence_crosstalk(x, SR, ["staff", "citizen"], off)[1]


def test_a_live_line_silences_the_same_crosstalk_as_the_recording_a_moment_behind():
    """CrosstalkGate fed in odd chunks gives back exactly silence_crosstalk's samples and
    items, at most about 0.6 s after the audio came (random levels, alternating patterns)."""
    rng = np.random.default_rng(7)
    for trial in range(60):
        frames = int(rng.integers(1, 160))
        if trial % 3 == 0:  # flags flipping every frame: the smoothing must agree too
            a = np.where(np.arange(frames) % 2 == 0, 0.3, 0.001)
            b = np.where(np.arange(frames) % 3 == 0, 0.001, 0.3)
        else:
            a, b = (rng.choice([0.0, 1e-4, 0.01, 0.3], size=frames) for _ in range(2))
        n = frames * 800 - int(rng.integers(0, 800))
        x = np.stack([np.repeat(a, 800)[:n], np.repeat(b, 800)[:n]]).astype(np.float32)
        x *= rng.standard_normal(x.shape).astype(np.float32)
        want, items = silence_crosstalk(x, SR, ["staff", "citizen"], OPTS)
        gate = CrosstalkGate(["staff", "citizen"], OPTS, SR)
        parts, i, behind = [], 0, 0
        while i < n:
            step = int(rng.integers(1, 3000))
            parts.append(gate.feed(x[:, i:i + step]))
            i += step
            behind = max(behind, gate.delay - step)
        parts.append(gate.flush())
        np.testing.assert_array_equal(np.concatenate(parts, axis=1), want)
        assert [d.to_dict() for d in gate.dropped] == [d.to_dict() for d in items]
        assert behind <= 12 * 800  # a dozen 50 ms level frames


def test_crosstalk_repeated_is_dropped_and_lost_is_given_to_its_speaker():
    """The issue's first failure: the clerk's greeting heard on the citizen channel only."""
    total = 6.0
    staff_sig = _burst(2.5, 0.5, total, -20.0, seed=3)
    citizen_sig = _burst(1.5, 4.0, total, -20.0, seed=4)
    ch0 = staff_sig + db_to_amp(-22) * citizen_sig
    ch1 = citizen_sig + db_to_amp(-22) * staff_sig
    greeting = _utt("citizen", 0.6, "您好请问要办理什么业务", 0.2)  # the staff channel lost it
    echo = _utt("staff", 4.1, "我想补办")  # the citizen's words leaking into the staff mic
    own = _utt("citizen", 4.1, "我想补办")
    kept, dropped = crosstalk([("staff", ch0, [echo]), ("citizen", ch1, [greeting, own])], SR, OPTS)
    assert [u.text for u in kept[0]] == ["您好请问要办理什么业务"]
    assert kept[0][0].speaker == "staff" and kept[0][0].speaker_confidence < 1.0
    assert [u.text for u in kept[1]] == ["我想补办"]
    moves = {(d.speaker, d.action, d.to_speaker) for d in dropped}
    assert moves == {("citizen", "reattributed", "staff"), ("staff", "dropped", "")}
    repeated = next(d for d in dropped if d.action == "dropped")
    assert repeated.similarity == 1.0 and repeated.repeats == "我想补办"
    # through the pipeline: the greeting was said, so it is not reported missing
    utts, record = attribute([("staff", ch0, [echo]), ("citizen", ch1, [greeting, own])], SR,
                             AnalyzerOptions(), "stereo")
    report = analyze_interaction(Interaction("x", "counter", utts, duration=total))
    assert "A8-G-GREETING" not in {f.rule for f in report.findings}
    assert len(record.dropped) == 2
    before = analyze_interaction(Interaction("x", "counter", [echo, greeting, own],
                                             duration=total))
    assert "A8-G-GREETING" in {f.rule for f in before.findings}


def test_background_far_below_the_speaker_is_cut_out_word_by_word():
    total = 6.0
    sig = _burst(2.0, 0.5, total, -20.0, seed=5) + _burst(1.5, 3.0, total, -56.0, seed=6)
    u = _utt("citizen", 0.5, "我想补办社保卡")  # 0.5-2.25 s: own voice
    tail = Utterance("citizen", 3.0, 4.5, "请问社保卡在哪里",
                     tuple(Word(ch, 3.0 + i * 0.18, 3.18 + i * 0.18, 0.9)
                           for i, ch in enumerate("请问社保卡在哪里")), 0.9)
    joined = Utterance("citizen", u.start, tail.end, u.text + tail.text, u.words + tail.words, 0.9)
    kept, dropped = background([("citizen", sig, [joined])], SR, OPTS)
    assert [k.text for k in kept[0]] == ["我想补办社保卡"]
    assert [(d.reason, d.text) for d in dropped] == [("background", "请问社保卡在哪里")]
    assert dropped[0].reference_db - dropped[0].level_db > OPTS.background_db
    loose = AttributionOptions(background_db=45.0)
    assert not background([("citizen", sig, [joined])], SR, loose)[1]


def _timed(speaker: str, spans: list[tuple[str, float, float]]) -> Utterance:
    words = tuple(Word(t, a, b, 0.9) for t, a, b in spans)
    return Utterance(speaker, words[0].start, words[-1].end, "".join(t for t, _, _ in spans),
                     words, 0.9)


def test_a_soft_last_syllable_before_a_pause_is_not_background():
    """Issue 25: a clause's soft last syllable (a fricative through a phone band) and the
    comma the recognizer times over the pause after it read, together, as a quiet
    stretch of 0.6 s: the word was cut out as background although the speaker said it.
    A pause is no speech: the syllable alone is a lone quiet word between loud ones."""
    total = 4.0
    sig = (_burst(1.5, 0.5, total, -20.0, seed=7) + _burst(0.2, 2.0, total, -40.0, seed=8)
           + _burst(0.9, 2.6, total, -20.0, seed=9))
    spans = [(ch, 0.5 + i * 0.25, 0.75 + i * 0.25) for i, ch in enumerate("大家各自安")]
    spans += [("息", 2.0, 2.2), ("，", 2.2, 2.6)]
    spans += [(ch, 2.6 + i * 0.3, 2.9 + i * 0.3) for i, ch in enumerate("明天见")]
    u = _timed("staff", spans)
    kept, dropped = background([("staff", sig, [u])], SR, OPTS)
    assert dropped == []
    assert [k.text for k in kept[0]] == ["大家各自安息，明天见"]
    # a real background stretch (the next window) is still cut, a pause inside it or not
    sig = _burst(1.7, 0.5, total, -20.0, seed=7) + _burst(1.4, 2.6, total, -56.0, seed=9)
    tail = [("请", 2.6, 2.9), ("问", 2.9, 3.2), ("，", 3.2, 3.5), ("在", 3.5, 3.7),
            ("哪", 3.7, 3.85), ("里", 3.85, 4.0)]
    kept, dropped = background([("staff", sig, [_timed("staff", spans[:7] + tail)])], SR, OPTS)
    assert [(d.reason, d.text) for d in dropped] == [("background", "请问，在哪里")]
    assert [k.text for k in kept[0]] == ["大家各自安息，"]


def test_similarity_counts_repeated_characters_in_order():
    assert similarity("请您稍等一下", "请您稍等一下我帮您查询") == 1.0
    assert similarity("请您稍等", "我想补办") == 0.0
    assert 0.4 < similarity("请您慢走再见", "请您妈走再见") < 1.0


def test_pitch_and_two_voices_tell_low_from_high():
    low, high = speech("请您稍等一下", pitch=30), speech("请您稍等一下", pitch=75)
    f_low, f_high = float(np.median(pitch(low))), float(np.median(pitch(high)))
    assert 60 < f_low < f_high < 400 and f_high / f_low > 1.2
    rng = np.random.default_rng(0)
    x = np.concatenate([rng.normal(0, 0.1, (5, 3)), rng.normal(3, 0.1, (4, 3))])
    labels, _, sil = two_voices(x, np.ones(9))
    assert len(set(labels[:5])) == 1 and len(set(labels[5:])) == 1 and labels[0] != labels[5]
    assert sil > 0.8
    _, _, one = two_voices(rng.normal(0, 1, (9, 3)), np.ones(9))
    assert one < sil


def test_pieces_cut_at_pauses():
    u = _utt("staff", 0.0, "您好请问")
    later = Word("办", 2.0, 2.3, 0.9)
    both = Utterance("staff", 0.0, 2.3, "您好请问办", u.words + (later,), 0.9)
    assert [(i, p.text) for i, p in pieces([both], 0.3)] == [(0, "您好请问"), (0, "办")]


def test_speaker_confidence_round_trips_and_weighs_findings():
    u = Utterance("staff", 0.0, 1.0, "你去投诉好了", speaker_known=False, speaker_confidence=0.7)
    assert Utterance.from_dict(u.to_dict()).speaker_confidence == 0.7
    sure = analyze_interaction(Interaction("a", "counter", [Utterance("staff", 0.0, 1.0,
                                                                      "你去投诉好了")]))
    unsure = analyze_interaction(Interaction("b", "counter", [u]))
    f_sure = next(f for f in sure.findings if f.rule == "A9-F-05")
    f_unsure = next(f for f in unsure.findings if f.rule == "A9-F-05")
    assert f_unsure.confidence == pytest.approx(f_sure.confidence * 0.7)
    assert f_unsure.points < f_sure.points
    assert "attributed" in f_unsure.detail["attribution"]
    typed = analyze({"id": "c", "channel": "counter", "utterances": [u.to_dict()]})
    assert typed.utterances[0].speaker_confidence == 0.7


# -- the failures on the hall recordings -------------------------------


def _during(u: Utterance, spans: list[dict]) -> bool:
    mid = (u.start + u.end) / 2
    return any(s["start"] <= mid <= s["end"] for s in spans)


def _turn_of(u: Utterance) -> dict | None:
    mid = (u.start + u.end) / 2
    found = [t for t in SCRIPT["turns"] if t["start"] - 0.5 <= mid <= t["end"] + 0.5]
    return found[0] if len(found) == 1 else None


@pytest.fixture(scope="module")
def stereo() -> dict[str, InteractionReport]:
    off = AnalyzerOptions().with_overrides({"attribution.enabled": False})
    path = DATA / "hall-stereo.ogg"
    return {"on": analyze(path), "off": analyze(path, off)}


@pytest.fixture(scope="module")
def mono() -> dict[str, InteractionReport]:
    staff = AnalyzerOptions().with_overrides({"asr.mono_roles": "staff"})
    path = DATA / "hall-mono.ogg"
    return {"auto": analyze(path), "staff": analyze(path, staff)}


def _charged_to_staff(report: InteractionReport) -> list[str]:
    """Forbidden and uncivil findings whose evidence lies in a citizen turn."""
    citizen = [t for t in SCRIPT["turns"] if t["speaker"] == "citizen"]
    return [f.rule for f in report.findings if f.kind in ("forbidden", "uncivil")
            and f.start is not None and any(t["start"] - 0.5 <= f.start <= t["end"] + 0.5
                                            for t in citizen)]


@pytest.mark.slow
def test_stereo_crosstalk_and_background_do_not_become_turns(stereo):
    off, on = stereo["off"], stereo["on"]
    # without the stage: the citizen's complaint leaks into the clerk's microphone and is
    # charged to the clerk, and the next windows' talk becomes turns
    # (which rule it trips depends on how the leaked words are heard: a forbidden phrase or
    # the uncivil model)
    assert _charged_to_staff(off)
    assert any(_turn_of(u) is None and _during(u, SCRIPT["background"]) for u in off.utterances)
    # with it: every utterance is its own party's, in a turn of the visit
    assert _charged_to_staff(on) == []
    for u in on.utterances:
        turn = _turn_of(u)
        assert turn is not None and turn["speaker"] == u.speaker, (u, turn)
    said = {t["speaker"] for t in SCRIPT["turns"]}
    assert {u.speaker for u in on.utterances} == said
    block = on.analyzer.asr["attribution"]
    assert block["mode"] == "stereo"
    reasons = {(d["reason"], d["action"]) for d in block["dropped"]}
    assert {("crosstalk", "silenced"), ("background", "dropped")} <= reasons
    background_texts = [d["text"] for d in block["dropped"] if d["reason"] == "background"]
    assert background_texts and all(d["reference_db"] - d["level_db"] > OPTS.background_db
                                    for d in block["dropped"] if d["reason"] == "background")
    assert on.analyzer.options["attribution"]["background_db"] == OPTS.background_db
    assert not [f for f in on.findings if f.kind == "missing"]  # the visit was complete


@pytest.mark.slow
def test_mono_turns_are_told_apart_and_the_citizen_is_not_charged(mono):
    charged, told = mono["staff"], mono["auto"]
    assert _charged_to_staff(charged)  # the mono failure: the citizen's words charged
    assert charged.analyzer.asr["attribution"]["mono_roles"] == "staff"
    assert _charged_to_staff(told) == []
    right = [(_turn_of(u) or {}).get("speaker") == u.speaker for u in told.utterances]
    assert sum(right) / len(right) >= 0.9, [(u.speaker, u.text) for u in told.utterances]
    assert all(0.5 <= u.speaker_confidence < 1.0 and not u.speaker_known
               for u in told.utterances)
    complaint = next(u for u in told.utterances if "投诉" in u.text)
    assert complaint.speaker == "citizen"
    from analyzer.pipeline import get_lexicon
    from analyzer.rules.context import detect_cues
    from analyzer.text.match import find_phrases

    interaction = Interaction("m", "counter", told.utterances, duration=told.duration)
    opts = AnalyzerOptions()
    hits = find_phrases(told.utterances, get_lexicon(opts), opts.match)
    cues = detect_cues(interaction, hits, opts, get_lexicon(opts))
    assert any(told.utterances[c.utterance].speaker == "citizen" for c in cues)
    block = told.analyzer.asr["attribution"]
    assert block["mode"] == "mono" and block["mono_roles"] == "auto"
    roles = sorted(s["role"] for s in block["speakers"])
    assert roles == ["citizen", "staff"]
    staff = next(s for s in block["speakers"] if s["role"] == "staff")
    assert staff["signals"]["vote_opens"] == 1.0 and staff["confidence"] > 0.8


@pytest.mark.slow
def test_same_mix_stereo_is_analysed_as_mono(tmp_path):
    from audio_factory import write_wav

    from analyzer.speech.decode import decode_audio

    x = decode_audio(DATA / "hall-mono.ogg").samples[0]
    path = write_wav(tmp_path / "twice.wav", np.stack([x, x]))
    report = analyze(path)
    block = report.analyzer.asr["attribution"]
    assert block["mode"] == "same_mix" and block["correlation"] > 0.99
    assert {u.speaker for u in report.utterances} == {"staff", "citizen"}
    assert _charged_to_staff(report) == []


@pytest.mark.slow
def test_review_app_shows_roles_confidence_and_what_was_left_out(stereo, mono, tmp_path):
    """The review page of each recording: attributed roles, their confidence, the dropped."""
    from web_fixture import asgi_get

    from analyzer.store import Store, analysis_key
    from analyzer.web import auth

    db = tmp_path / "results.sqlite"
    pks = {}
    with Store(db) as store:
        for name, report in (("stereo", stereo["on"]), ("mono", mono["auto"])):
            key = analysis_key(name, str(report.analyzer.model or ""),
                               str(report.analyzer.lexicon_version))
            pks[name] = store.save_report(report, run_id=None, content_hash=name,
                                          path=report.source, key=key)
    con = auth.connect(db)
    auth.add_user(con, "insp", "inspector", "inspector-pass-1")
    con.close()
    page = asgi_get(db, "insp", "inspector-pass-1", f"/interactions/{pks['mono']}").text
    assert "说话人 · 单声道 (自动区分)" in page
    sure = [u.speaker_confidence for u in mono["auto"].utterances]
    assert page.count('class="attributed"') == len(sure)
    assert f"≈{sure[0]:.2f}" in page
    assert "服务对象 · " in page and "工作人员 · " in page  # the two voices and their roles
    page = asgi_get(db, "insp", "inspector-pass-1", f"/interactions/{pks['stereo']}").text
    dropped = stereo["on"].analyzer.asr["attribution"]["dropped"]
    assert f"剔除 {len(dropped)} 段" in page
    assert page.count('<li class="background">') == sum(d["reason"] == "background"
                                                          for d in dropped)
    assert page.count('<li class="crosstalk">') == sum(d["reason"] == "crosstalk" for d in dropped)
    text = next(d["text"] for d in dropped if d["reason"] == "background")
    assert f"“{text}”" in page


def _mono_visit() -> tuple[np.ndarray, list[Utterance], list[str]]:
    """Espeak turns of two voices on one track, with utterances timed on them."""
    script = [("staff", "您好，请问要办理什么业务？"), ("citizen", "我想补办社保卡"),
              ("staff", "请您出示一下身份证"), ("citizen", "身份证在这里，给您"),
              ("staff", "请您慢走，再见")]
    clips, utts, t = [], [], 0.3
    for who, text in script:
        clip = speech(text, pitch=30 if who == "staff" else 80, dbfs=-20 if who == "staff" else -24)
        clips.append((t, clip))
        seconds = clip.size / SR
        chars = [c for c in text if c not in "，？"]
        step = seconds / len(chars)
        words = tuple(Word(c, t + i * step, t + (i + 1) * step, 0.9) for i, c in enumerate(chars))
        utts.append(Utterance("staff", t, t + seconds, "".join(chars), words, 0.9, False))
        t += seconds + 1.2
    from audio_factory import place

    return place(clips, t + 0.5), utts, [who for who, _ in script]


def test_mono_voices_and_roles_without_recognition(tmp_path):
    from analyzer.options import ClassifierOptions
    from analyzer.speech.diarize import diarize

    samples, utts, truth = _mono_visit()
    out, voices = diarize(utts, samples, SR, OPTS, ClassifierOptions())
    assert [u.speaker for u in out] == truth
    assert all(0.5 <= u.speaker_confidence < 1.0 for u in out)
    assert sorted(v["role"] for v in voices) == ["citizen", "staff"]
    # a classifier folder without the roles model: opening, closing and level still decide
    import shutil

    from analyzer.rules.learned import model_dir

    old = tmp_path / "models"
    shutil.copytree(model_dir(), old)
    (old / "roles.onnx").unlink()
    meta = json.loads((old / "metadata.json").read_text(encoding="utf-8"))
    del meta["roles"]
    (old / "metadata.json").write_text(json.dumps(meta), encoding="utf-8")
    out, _ = diarize(utts, samples, SR, OPTS, ClassifierOptions(model_dir=str(old)))
    assert [u.speaker for u in out] == truth
    from analyzer.rules.learned import model_info

    assert set(model_info(ClassifierOptions(model_dir=str(old)))) == {"uncivil", "cues", "acts"}
    one = AttributionOptions(min_separation=0.99)  # the option decides: one voice, the clerk's
    out, voices = diarize(utts, samples, SR, one, ClassifierOptions())
    assert {u.speaker for u in out} == {"staff"} and len(voices) == 1
    assert all(u.speaker_confidence == 1.0 for u in out)
