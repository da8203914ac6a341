"""Speech recognition: accuracy on real Mandarin, hallucination guards, word times."""

from __future__ import annotations

import csv
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from audio_factory import music, noise, silence

from analyzer.options import AnalyzerOptions, ASROptions, VadOptions
from analyzer.speech.asr import asr_info, get_model, is_hallucination
from analyzer.speech.decode import decode_audio
from analyzer.speech.engine import transcribe
from analyzer.text.evaluation import (
    cer_text,
    char_error_rate,
    edit_distance,
    error_kinds,
    phrase_found,
)
from analyzer.text.normalize import to_simplified

#: Whisper base (int8, greedy) reads the five real-speech clips at about 12 %
#: CER (benchmarks/cer.py); the floor leaves room for run-to-run noise only.
CER_FLOOR = 0.2


@pytest.mark.parametrize(
    "text",
    [
        "字幕由Amara.org社区提供",
        "请不吝点赞 订阅 转发 打赏支持明镜与点点栏目",
        "谢谢观看！",
        "感謝收看",
        "中文字幕志愿者 李宗盛",
        "好的好的好的好的好的好的",
        "对对对对对对对对对对",
        "。。。",
    ],
)
def test_known_hallucinations_are_recognised(text: str) -> None:
    assert is_hallucination(text)


@pytest.mark.parametrize(
    "text", ["您好，请问您要办理什么业务？", "对对对，好的", "谢谢您的肯定", "请您慢走，再见"]
)
def test_real_speech_is_not_a_hallucination(text: str) -> None:
    assert not is_hallucination(text)


def test_cer_and_phrase_recall_measures() -> None:
    assert char_error_rate([("您好，请问", "您好请问")]) == 0.0
    assert char_error_rate([("甚至出现交易", "甚至出现交通")]) == pytest.approx(1 / 6)
    assert cer_text("請問 您好！") == "请问您好"
    assert phrase_found("请您慢走", "好的，请您慢走，再见")
    assert not phrase_found("请您慢走", "好的再见")
    assert phrase_found("请您为我的服务做出评价", "请您为我的服务做出平价", max_cer=0.1)


def test_edits_sorted_by_kind() -> None:
    """Each edit counted once, by the first kind that fits; the kinds sum to the
    edit distance (our own sentences)."""
    kinds = error_kinds("请到三号窗口，办理营业执照的手续", "请到3号窗口办理营业直照的手续吧")
    assert kinds == {"number": 1, "homophone": 1, "clip edge": 1}
    assert error_kinds("您好，请问您办理什么", "您好青问您办理什么") == {"clause edge": 1}
    assert error_kinds("您好，请问您办理什么", "您好请问你办理什么") == {"substitution": 1}
    assert error_kinds("请问您要办理什么业务", "请问您要理什么业务") == {"deletion": 1}
    assert error_kinds("请问您要办理什么业务", "请问您要办好理什么业务") == {"insertion": 1}
    assert error_kinds("请问您要办理什么业务", "请问您要搬家什么业务") == {
        "homophone": 1, "substitution": 1}
    pair = ("欢迎大家来体验达摩院推出的语音识别模型", "欢迎大家来体验大魔院推出的与您识别")
    assert sum(error_kinds(*pair).values()) == edit_distance(*map(cer_text, pair))


@pytest.fixture(scope="module")
def real_clips(real_speech_dir: Path) -> list[tuple[Path, str]]:
    with open(real_speech_dir / "manifest.tsv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    return [(real_speech_dir / r["file"], r["reference_text"]) for r in rows]


@pytest.mark.slow
def test_real_speech_cer_under_floor(real_clips: list[tuple[Path, str]]) -> None:
    options = ASROptions()
    pairs = []
    for path, reference in real_clips:
        audio = decode_audio(path)
        utterances = transcribe(audio.samples[0], options, speaker="citizen")
        text = "".join(u.text for u in utterances)
        assert to_simplified(text) == text  # simplified characters out
        for u in utterances:
            assert u.speaker == "citizen" and u.speaker_known
            assert u.words, "word timestamps expected"
            assert u.start == u.words[0].start and u.end == u.words[-1].end
            starts = [w.start for w in u.words]
            assert starts == sorted(starts)
            assert all(0.0 <= w.start <= w.end <= audio.duration + 0.5 for w in u.words)
        pairs.append((reference, text))
    cer = char_error_rate(pairs)
    assert cer < CER_FLOOR, (cer, pairs)


@pytest.mark.slow
def test_offset_shifts_every_time(real_clips: list[tuple[Path, str]]) -> None:
    path, _ = real_clips[-1]
    samples = decode_audio(path).samples[0]
    base = transcribe(samples, ASROptions(), speaker="staff")
    shifted = transcribe(samples, ASROptions(), speaker="staff", offset=100.0, speaker_known=False)
    assert [u.text for u in base] == [u.text for u in shifted]
    assert shifted[0].start == pytest.approx(base[0].start + 100.0, abs=1e-3)
    assert shifted[0].words[-1].end == pytest.approx(base[0].words[-1].end + 100.0, abs=1e-3)
    assert not shifted[0].speaker_known


@pytest.mark.slow
@pytest.mark.parametrize("vad", [True, False])
def test_silence_noise_and_music_give_no_words(vad: bool) -> None:
    """Whisper invents sentences on non-speech; VAD and the no-speech rule both stop it."""
    options = replace(ASROptions(), vad=VadOptions(enabled=vad))
    signals = (
        (silence(8.0), noise(8.0, dbfs=-45.0), music(6.0)) if vad else (noise(5.0, dbfs=-45.0),)
    )
    for signal in signals:
        assert transcribe(signal, options, speaker="staff") == []


@pytest.mark.slow
def test_model_loaded_once_and_audited() -> None:
    options = ASROptions()
    assert get_model(options) is get_model(replace(options, beam_size=5))
    info = asr_info(options)
    assert Path(info["model"], "model.bin").is_file()
    assert len(info["model_sha256"]) == 64 and info["options"]["language"] == "zh"
    assert info["model_load_seconds"] is not None
    # the audit block loads nothing: a batch worker holds its line's model only
    from analyzer.speech.asr import models_loaded

    held = models_loaded()
    other = asr_info(replace(options, compute_type="int16"))
    assert other["model_load_seconds"] is None and models_loaded() == held


def test_transcribe_rejects_stereo() -> None:
    with pytest.raises(ValueError, match="mono"):
        transcribe(np.zeros((2, 16000), dtype=np.float32), ASROptions(), speaker="staff")


def test_a_repetition_loop_is_detected_by_its_compression_ratio() -> None:
    from analyzer.speech.asr import loops

    options = ASROptions()
    assert loops("好的" + "寫" * 60, options)
    assert not loops("您好，请问您要办理什么业务？我想给孩子办理出生登记。", options)
    assert not loops("好的" + "寫" * 60, replace(options, compression_ratio_threshold=0.0))


@pytest.mark.slow
def test_clean_speech_is_decoded_once_without_the_penalty(
        real_clips: list[tuple[Path, str]], monkeypatch: pytest.MonkeyPatch) -> None:
    """The repetition penalty changes clean speech: only a looping window gets it."""
    from analyzer.speech.packing import PackedRecognizer

    options = ASROptions()
    penalties: list[float] = []
    real = PackedRecognizer._generate

    def spy(self, encoded, n, repetition_penalty):
        penalties.append(repetition_penalty)
        return real(self, encoded, n, repetition_penalty)

    monkeypatch.setattr(PackedRecognizer, "_generate", spy)
    path, _ = real_clips[0]
    assert transcribe(decode_audio(path).samples[0], options, speaker="staff")
    assert penalties == [1.0]


def test_a_bin_reaches_the_encoder_as_faster_whisper_gives_it_a_clip() -> None:
    """The encoder input past a bin's audio is zeros, as faster-whisper's ``transcribe``
    pads a clip's spectrogram (not the spectrogram of padded silence)."""
    from faster_whisper.audio import pad_or_trim
    from faster_whisper.feature_extractor import FeatureExtractor

    from analyzer.speech.packing import Bin, Piece, bin_features

    rng = np.random.default_rng(0)
    clip = (0.1 * rng.standard_normal(3 * 16000)).astype(np.float32)
    window = Bin()
    window.add(Piece(0, 0, 0.0, clip))
    extractor = FeatureExtractor(feature_size=80)
    feats = bin_features(extractor, [window])
    assert feats.shape == (1, 80, 3000)
    assert np.array_equal(feats[0, :, 400:], np.zeros((80, 2600), np.float32))
    plain = pad_or_trim(extractor(np.append(clip, np.float32(0)))[..., :-1])
    assert np.allclose(feats[0], plain)


#: Customer-service clips whose sentences hold spoken numbers (三十六个月, 一万四千四百元,
#: 七十到九十, 五十五六十): plain faster-whisper writes them in digits.
NUMBER_CLIPS = ("cs_finance_200031.flac", "cs_finance_200020.flac", "cs_finance_200050.flac",
                "cs_insurance_000012.flac")


@pytest.mark.slow
def test_the_engine_hears_numbers_as_said_better_than_plain_faster_whisper() -> None:
    """On real speech, the engine's text is no worse than the library it wraps.

    Plain ``WhisperModel.transcribe(clip, language="zh", beam_size=5)`` with the same
    model (its default compute type) against the one engine (int8), on real
    customer-service clips: the engine writes numbers as they were said, as the
    human references do, so its character error rate is lower.
    """
    from conftest import shared_path
    from faster_whisper import WhisperModel

    from analyzer.speech.asr import model_path

    folder = shared_path("data", "customer-service-speech")
    with open(folder / "manifest.tsv", encoding="utf-8") as fh:
        refs = {r["file"]: r["reference_text"] for r in csv.DictReader(fh, delimiter="\t")}
    plain_model = WhisperModel(str(model_path(ASROptions())), device="cpu")
    plain, ours = [], []
    for name in NUMBER_CLIPS:
        segments, _ = plain_model.transcribe(str(folder / name), language="zh", beam_size=5)
        plain.append((refs[name], "".join(s.text for s in segments)))
        heard = transcribe(decode_audio(folder / name).samples[0], ASROptions(), speaker="staff")
        ours.append((refs[name], "".join(u.text for u in heard)))
    assert any(any(c.isdigit() for c in text) for _, text in plain)  # the library's digits
    assert not any(any(c.isdigit() for c in text) for _, text in ours)  # ours: as said
    assert char_error_rate(ours) < char_error_rate(plain), (ours, plain)


@pytest.mark.slow
def test_greedy_first_takes_the_beam_only_for_unsure_bins() -> None:
    """``asr.decoding = "greedy_first"``: a bin whose greedy decoding is unsure (mean
    token log-probability under ``beam_below_logprob``) is decoded again with the beam;
    a confident one keeps its greedy text."""
    from conftest import shared_path

    from analyzer.speech.packing import Bin, PackedRecognizer, Piece

    clips = sorted(shared_path("data", "real-speech-2").glob("*.wav"))[:8]

    def heard(options: ASROptions, nbest: int = 1) -> tuple[list[str], dict, list[int]]:
        timings: dict = {}
        recognizer = PackedRecognizer(get_model(options), options, timings)
        recognizer.nbest = nbest  # the acoustic verifier asks for the beam's n-best
        bins = []
        for k, path in enumerate(clips):
            bin_ = Bin()
            bin_.add(Piece(k, 0, 0.0, decode_audio(path).samples[0]))
            bins.append(bin_)
        got = recognizer.recognise_full(bins)
        texts = ["".join(w["word"] for seg in segs for w in seg["words"])
                 for segs in got.segments]
        return texts, timings, [len(alt) for alt in got.alternatives]

    beam, _, _ = heard(ASROptions())
    greedy, _, _ = heard(ASROptions(beam_size=1))
    assert greedy != beam  # the clips tell the two decodings apart
    unsure, t_unsure, _ = heard(ASROptions(decoding="greedy_first", beam_below_logprob=-0.0001))
    sure, t_sure, _ = heard(ASROptions(decoding="greedy_first", beam_below_logprob=-10.0))
    assert unsure == beam and t_unsure["n_beam_bins"] == len(clips)
    assert sure == greedy and t_sure["n_beam_bins"] == 0
    assert t_sure["n_greedy_bins"] == len(clips)
    # with the verifier on (n-best 3): confident bins stay greedy, with no other
    # hypotheses; bins decoded again with the beam bring the verifier its n-best
    sure3, t_sure3, alts = heard(ASROptions(decoding="greedy_first", beam_below_logprob=-10.0),
                                 nbest=3)
    assert sure3 == greedy and t_sure3["n_beam_bins"] == 0 and set(alts) == {0}
    unsure3, _, alts = heard(ASROptions(decoding="greedy_first", beam_below_logprob=-0.0001),
                             nbest=3)
    assert unsure3 == beam and set(alts) == {2}


@pytest.mark.slow
def test_greedy_first_takes_the_beam_for_a_bin_that_is_likely_silence() -> None:
    """A bin whose greedy decoding says "no speech" is decoded again with the beam, so
    whether its words are dropped is decided as ``decoding="beam"`` decides it."""
    from analyzer.speech.packing import Bin, PackedRecognizer, Piece

    hiss = (np.random.default_rng(0).standard_normal(16000 * 3) * 1e-4).astype(np.float32)

    def heard(options: ASROptions) -> tuple[list, dict]:
        timings: dict = {}
        bin_ = Bin()
        bin_.add(Piece(0, 0, 0.0, hiss))
        return PackedRecognizer(get_model(options), options, timings).recognise([bin_]), timings

    first, timings = heard(ASROptions(decoding="greedy_first", beam_below_logprob=-10.0))
    assert timings["n_beam_bins"] == 1  # not for its log-probability: for its silence
    assert first == heard(ASROptions())[0]


def test_by_role_marks_only_bins_of_a_known_citizen_channel_for_greedy_first() -> None:
    """``asr.decoding = "by_role"``: a bin is decoded greedily first only when every piece
    in it is of a channel known to be the citizen's; the staff's, a mixed bin (a visit
    packed per recording) and a mono recording's (role assumed) keep the beam."""
    from analyzer.speech.packing import Bin, PackedRecognizer, Piece

    def bin_of(*roles: str) -> Bin:
        b = Bin()
        for k, role in enumerate(roles):
            b.add(Piece(0, k, float(k), np.zeros(16000, dtype=np.float32), role=role))
        return b

    bins = [bin_of("citizen"), bin_of("citizen", "citizen"), bin_of("staff"),
            bin_of("staff", "citizen"), bin_of(""), Bin()]
    recognizer = object.__new__(PackedRecognizer)  # the policy needs no model
    recognizer.options = ASROptions(decoding="by_role")
    assert recognizer.greedy_first(bins) == [True, True, False, False, False, False]
    recognizer.options = ASROptions(decoding="greedy_first")
    assert recognizer.greedy_first(bins) == [True] * len(bins)
    for options in (ASROptions(), ASROptions(decoding="by_role", beam_size=1)):
        recognizer.options = options
        assert recognizer.greedy_first(bins) == [False] * len(bins)


@pytest.mark.slow
def test_by_role_hears_the_staff_with_the_beam_and_the_citizen_greedily_first() -> None:
    """One stereo request, a channel per bin (``pack.share = "channel"``): with
    ``by_role`` the staff's words are the beam's and the citizen's those of greedy first,
    each the same as with that policy for the whole request; a mono recording's track
    (role assumed) keeps the beam."""
    from conftest import shared_path

    from analyzer.speech.engine import PackedTranscriber
    from analyzer.speech.packing import run_steps
    from analyzer.speech.tracks import Track

    clips = sorted(shared_path("data", "real-speech-2").glob("*.wav"))[:2]
    staff, citizen = (decode_audio(p).samples[0] for p in clips)

    def heard(options: ASROptions, tracks: list[Track]) -> tuple[list[list[str]], dict]:
        timings: dict = {}
        engine = PackedTranscriber(get_model(options), options, 4, timings, share="channel")
        utts = run_steps(engine.transcribe_steps(tracks, options))
        return [[u.text for u in track] for track in utts], timings

    stereo = [Track("staff", row=0).of(staff, 0.0), Track("citizen", row=1).of(citizen, 0.0)]
    sure = -10.0  # no greedy decoding is taken again with the beam
    by_role, t_role = heard(ASROptions(decoding="by_role", beam_below_logprob=sure), stereo)
    beam, _ = heard(ASROptions(), stereo)
    greedy, t_greedy = heard(ASROptions(decoding="greedy_first", beam_below_logprob=sure),
                             stereo)
    assert t_greedy["n_greedy_bins"] == 2 and t_role["n_greedy_bins"] == 1
    assert by_role[0] == beam[0] and by_role[1] == greedy[1] and by_role[0]
    mono = [Track("staff", known=False, row=0).of(citizen, 0.0)]
    got, t_mono = heard(ASROptions(decoding="by_role", beam_below_logprob=sure), mono)
    assert got == heard(ASROptions(), mono)[0] and "n_greedy_bins" not in t_mono


def test_a_phone_line_with_int8_weights_gets_the_phone_compute_type() -> None:
    """``asr.phone_compute_type`` replaces int8 weights on telephone-band lines only (off by
    default: the batch's CPU; float32 is what plain faster-whisper runs this model with,
    and int8 itself loses narrow-band speech, in the library as in the engine)."""
    assert ASROptions().for_line(8000, None).compute_type == ASROptions().compute_type
    assert ASROptions().for_line(16000, None).compute_type == ASROptions().compute_type
    asr = ASROptions(phone_compute_type="float32")
    assert asr.compute_type.startswith("int8")
    assert asr.for_line(8000, None).compute_type == asr.phone_compute_type == "float32"
    assert asr.for_line(16000, "phone").compute_type == "float32"
    assert asr.for_line(16000, "counter").compute_type == asr.compute_type
    assert ASROptions(compute_type="float16").for_line(8000, None).compute_type == "float16"
    assert ASROptions(phone_compute_type="").for_line(8000, None).compute_type == "int8_float32"


def test_a_recognizer_holding_another_compute_type_gives_a_phone_line_to_its_engine(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The batch's worker holds the int8 model: a phone recording is heard by the engine
    of the line's options (``recording._line_recognizer``), not by the worker's model;
    a clean line, and a recognizer without options (a caller's own), are kept."""
    from analyzer.options import AnalyzerOptions
    from analyzer.speech import engine, recording

    class Held:
        options = ASROptions()

    made: list[ASROptions] = []
    monkeypatch.setattr(engine, "get_engine", lambda line, pack=None: made.append(line) or "line")
    opts = AnalyzerOptions(asr=ASROptions(phone_compute_type="float32"))
    held, own = Held(), object()
    phone, clean = opts.asr.for_line(8000, None), opts.asr.for_line(16000, None)
    assert recording._line_recognizer(held, clean, opts) is held
    assert recording._line_recognizer(own, phone, opts) is own
    assert recording._line_recognizer(held, phone, opts) == "line"
    assert [m.compute_type for m in made] == ["float32"]


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("sox") is None, reason="needs sox")
def test_real_speech_over_a_phone_line_is_heard_as_well_as_by_the_library(tmp_path: Path) -> None:
    """Real read clips as 8 kHz mu-law lines: with ``asr.phone_compute_type="float32"``
    the engine's character error rate is no worse
    than plain faster-whisper's with float32 weights on the same lines (the int8 model
    misheard narrow-band speech mid-word: 需要…比武 for 希望…比我). Compared on the same
    machine, since the exact text differs from one CPU to another."""
    from conftest import shared_path
    from faster_whisper import WhisperModel

    import analyzer
    from analyzer.speech.asr import model_path

    folder = shared_path("data", "real-speech")
    with open(folder / "manifest.tsv", encoding="utf-8") as fh:
        refs = {r["file"]: r["reference_text"] for r in csv.DictReader(fh, delimiter="\t")}
    plain_model = WhisperModel(str(model_path(ASROptions())), device="cpu",
                               compute_type="float32")
    options = AnalyzerOptions(asr=ASROptions(phone_compute_type="float32"))
    plain, ours = [], []
    for name, ref in sorted(refs.items()):
        line = tmp_path / name
        subprocess.run(["sox", str(folder / name), "-c", "1", "-e", "mu-law", "-b", "8",
                        str(line), "sinc", "300-3400", "rate", "8000"], check=True)
        segments, _ = plain_model.transcribe(str(line), language="zh", beam_size=5)
        plain.append((ref, "".join(s.text for s in segments)))
        heard = analyzer.analyze(line, options=options).utterances
        ours.append((ref, "".join(u.text for u in heard)))
    assert char_error_rate(ours) <= char_error_rate(plain) + 0.03, (ours, plain)
