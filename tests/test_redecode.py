"""A piece that lost its words in a packed bin is decoded again on the bin's own encoder
output (``pack.lost = "redecode"``): no new encoder pass, words independent of the batch."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from analyzer.errors import OptionError
from analyzer.options import AnalyzerOptions, ASROptions, PackOptions
from analyzer.pipeline.result import model_identity
from analyzer.speech.packing import Bin


def test_the_lost_piece_rule_is_an_option_and_part_of_the_model_identity() -> None:
    assert PackOptions().lost == "redecode"
    with pytest.raises(OptionError):
        PackOptions(lost="again")
    options = AnalyzerOptions()
    repack = replace(options, pack=replace(options.pack, lost="repack"))
    assert model_identity(options) != model_identity(repack)  # other words: transcribed again


def _bin_of_clips(count: int) -> Bin:
    """One packed bin of the first pieces of ``count`` real clips (and its pieces)."""
    from conftest import shared_path

    from analyzer.speech.decode import decode_audio
    from analyzer.speech.packing import vad_pieces

    clips = sorted(shared_path("data", "real-speech-2").glob("*.wav"))[:count]
    bin_ = Bin()
    for k, path in enumerate(clips):
        bin_.add(vad_pieces(decode_audio(path).samples[0], k, 0, ASROptions())[0])
    return bin_


@pytest.mark.slow
def test_a_bin_decoded_again_from_a_piece_hears_that_piece_on_the_same_encoder_output(
) -> None:
    """Decoding a bin again from its second piece's start, on the encoder output of its
    first decoding, gives that piece its words (as the first decoding heard them) and
    nothing before it; the encoder is not run again."""
    from analyzer.speech.asr import get_model
    from analyzer.speech.packing import PackedRecognizer, assign_words
    from analyzer.text.evaluation import char_error_rate

    options = ASROptions()
    timings: dict[str, float] = {}
    recognizer = PackedRecognizer(get_model(options), options, timings)
    recognizer.nbest = 3
    bin_ = _bin_of_clips(3)
    assert len(bin_.pieces) == 3
    first = recognizer.recognise_full([bin_])
    encoder = timings["features+encoder"]
    heard = assign_words(bin_, first.segments[0])
    offset, piece = bin_.pieces[1]
    key = (piece.job, piece.track, piece.start)
    start = offset - piece.lead
    segments, others = recognizer.decode_from(bin_, first.encoded, 0, start)
    assert timings["features+encoder"] == encoder and timings["n_bins"] == 1
    words = [w for seg in segments for w in seg["words"]]
    assert words and min(float(w["start"]) for w in words) >= start - 0.02
    again = assign_words(bin_, segments)
    assert not again.get((bin_.pieces[0][1].job, 0, bin_.pieces[0][1].start))
    text = "".join(w.text for w in again[key])
    before = "".join(w.text for w in heard[key])
    assert before and char_error_rate([(before, text)]) < 0.2, (before, text)
    assert len(others) == 2 and all(seg["start"] >= start - 0.02 for alt in others
                                    for seg in alt)


@pytest.mark.slow
def test_a_lost_piece_is_decoded_again_first_and_one_still_lost_goes_on_to_a_new_bin(
) -> None:
    """A citizen's near-silent piece after the clerk's speech comes back without words:
    with ``redecode`` its bin is decoded once more from the piece (on the same encoder
    output); the decoder, started there, writes the end of the clerk's clip again
    (measured), which is no hearing of the piece: it goes on, as with ``repack``, to a
    bin of its own and stays wordless; the clerk's words are the same either way."""
    import numpy as np
    from conftest import shared_path

    from analyzer.speech.asr import get_model
    from analyzer.speech.decode import decode_audio
    from analyzer.speech.engine import PackedTranscriber
    from analyzer.speech.packing import run_steps
    from analyzer.speech.tracks import Track

    options = ASROptions()
    clip = decode_audio(sorted(shared_path("data", "real-speech-2").glob("*.wav"))[0]).samples[0]
    quiet = np.random.default_rng(0).normal(0.0, 1e-4, 2 * 16000).astype(np.float32)
    tracks = [Track("staff", row=0).of(clip, 0.0),
              Track("citizen", row=1).of(quiet, clip.size / 16000 + 1.0)]

    def heard(lost: str) -> tuple[list[list[str]], dict[str, float]]:
        timings: dict[str, float] = {}
        engine = PackedTranscriber(get_model(options), options, 4, timings, lost=lost)
        utts = run_steps(engine.transcribe_steps(tracks, options, cut=False))
        return [[u.text for u in track] for track in utts], timings

    repacked, t_repack = heard("repack")
    redecoded, t_redecode = heard("redecode")
    assert t_repack["n_retried_pieces"] == 1 and "n_redecoded_pieces" not in t_repack
    assert t_redecode["n_redecoded_pieces"] == 1 and "n_redecoded_found" not in t_redecode
    assert t_redecode["n_retried_pieces"] == 1 and t_redecode["n_bins"] == t_repack["n_bins"]
    assert redecoded == repacked and redecoded[0] and not redecoded[1]


def test_words_decoded_again_that_repeat_the_bins_other_speech_are_no_hearing() -> None:
    from analyzer.speech.engine import _repeats
    from analyzer.types import Word

    def said(text: str) -> list[Word]:
        return [Word(ch, 0.0, 0.1, 0.9) for ch in text]

    clerk = said("而对面螺式成交一直作用最大的线构")
    assert _repeats(said("作用最大的线构"), clerk)
    assert not _repeats(said("你们几点下班？"), said("请您再说一遍好吗？"))
    assert not _repeats(said("身份证带了吗"), said("请您出示一下身份证"))  # a word shared
    assert not _repeats([], clerk)


def test_a_piece_decoded_again_is_aligned_once_from_its_own_start() -> None:
    """A bin decoded again from a piece's start (``decode_from``: a lost piece, a live
    line's context) is aligned on its encoder frames from there only: the whole-bin
    alignment, thrown away before, is not made (one ``find_alignment`` call per such
    row, none for the whole bin). A bin decoded from its start is aligned whole, once."""
    from analyzer.speech.packing import Bin, PackedRecognizer, Piece

    calls: list[tuple[int, list[int]]] = []

    class Model:
        frames_per_second = 100

        def find_alignment(self, tokenizer, tokens, encoded, frames):  # noqa: ANN001
            calls.append((np.asarray(encoded).shape[1], list(frames)))
            return [[{"word": "字", "start": 0.5, "end": 0.7, "tokens": t, "probability": 1.0}]
                    for t in tokens]

    recognizer = object.__new__(PackedRecognizer)
    recognizer.model, recognizer.tokenizer = Model(), None
    bin_ = Bin()
    bin_.add(Piece(0, 0, 0.0, np.zeros(16000 * 8, dtype=np.float32)))
    encoded = np.zeros((1, 1500, 4), dtype=np.float32)
    segments = [[{"tokens": [1, 2]}]]

    words = recognizer._align([bin_], segments, encoded, [4.0])[0]
    assert calls == [(1500 - 200, [800 - 400])]  # the tail alone: frames from 4 s on
    assert words[0]["start"] == 4.5  # back in bin time
    calls.clear()
    recognizer._align([bin_], segments, encoded, [0.0])
    assert calls == [(1500, [800])]  # decoded from the start: the whole bin, once
