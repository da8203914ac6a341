"""Issue 26's resource defects: one input may not stall or exhaust the analyzer.

Every test here failed before its fix (the number is the defect's in issue 26):

* #12 matching was quadratic: one transcript of 32,000 repeats of a short utterance took
  119 s (``_dedupe`` compared every hit with every kept one; the quarrel and interruption
  rules compared every utterance with every other), and a 50 MB JSON Lines line was
  accepted and analysed at 5.3 GB of memory;
* #3 memory was unbounded: a long recording was decoded whole, and a worker that died
  took the other recordings of its batch with it, unkeyed (retried every night).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np
import pytest

from analyzer.types import Interaction, Utterance

ROOT = Path(__file__).resolve().parent.parent


def _repeats(n: int, text: str = "你去投诉好了") -> list[Utterance]:
    return [Utterance("staff" if i % 2 == 0 else "citizen", i * 3.0, i * 3.0 + 2.5, text)
            for i in range(n)]


# -- #12: matching in time linear in the transcript ------------------------------


def test_32000_repeats_of_a_short_utterance_are_matched_in_seconds() -> None:
    from analyzer.text.lexicon import load_lexicon
    from analyzer.text.match import find_phrases

    lexicon = load_lexicon()
    utterances = [Utterance("staff", i * 3.0, i * 3.0 + 2.0, "你去投诉好了") for i in range(32000)]
    find_phrases(utterances[:10], lexicon)  # the matcher compiled
    t0 = time.perf_counter()
    hits = find_phrases(utterances, lexicon)
    seconds = time.perf_counter() - t0
    assert len(hits) == 32000 and {h.rule.id for h in hits} == {"A9-F-05"}
    assert seconds < 90, f"{seconds:.0f} s (was minutes: quadratic)"


def test_overlapping_hits_of_one_rule_keep_the_most_confident_only() -> None:
    """The faster merge keeps what the pairwise one kept."""
    from analyzer.text.lexicon import load_lexicon
    from analyzer.text.match import find_phrases

    said = [Utterance("staff", 0.0, 2.0, "你去投诉好了你去投诉好了"),
            Utterance("staff", 2.5, 4.0, "你去投诉"), Utterance("staff", 4.2, 6.0, "好了")]
    hits = find_phrases(said, load_lexicon())
    forbidden = [h for h in hits if h.rule.id == "A9-F-05"]
    spans = sorted((h.start, h.end) for h in forbidden)
    assert len(forbidden) >= 2
    assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:], strict=False)), spans


def test_the_duties_of_a_32000_utterance_visit_take_seconds() -> None:
    """Interruptions and quarrels (heated words, sharp replies near an upset citizen): each
    utterance is compared with its neighbours only."""
    from analyzer.options import AnalyzerOptions
    from analyzer.rules.duties import interruptions, quarrels
    from analyzer.text.lexicon import load_lexicon
    from analyzer.types import Cue, Finding

    options = AnalyzerOptions()
    lexicon = load_lexicon()
    said = []  # each staff turn cuts 1.5 s into the citizen's
    for k in range(16000):
        said += [Utterance("citizen", 4.0 * k, 4.0 * k + 3.0, "你们这什么态度"),
                 Utterance("staff", 4.0 * k + 1.5, 4.0 * k + 3.5, "你嚷什么嚷")]
    inter = Interaction("long", "counter", said)
    heat = [Finding("A9-F-05", 9, "forbidden", "", "staff", u.start, u.end, u.text, 0.98, 10)
            for u in said if u.speaker == "staff"]
    t0 = time.perf_counter()
    cut = interruptions(inter, lexicon, options.duties)
    upset = [Cue("upset", i, u.start, u.end, u.text, 0.9) for i, u in enumerate(said)
             if u.speaker == "citizen"]
    rows = quarrels(inter, upset, lexicon, options.duties, heat, options.classifier)
    seconds = time.perf_counter() - t0
    assert len(cut) == 16000 and rows
    assert seconds < 120, f"{seconds:.0f} s (quadratic before: minutes)"


def _huge_jsonl(path: Path, n_bytes: int) -> Path:
    good = json.loads((ROOT / "examples" / "counter-model.json").read_text("utf-8"))
    with path.open("w", encoding="utf-8") as fh:
        fh.write(json.dumps({**good, "id": "first"}, ensure_ascii=False) + "\n")
        padding = "您好" * (n_bytes // 6)
        fh.write(json.dumps({**good, "id": "huge", "utterances": [
            {"speaker": "staff", "start": 0.0, "end": 1.0, "text": padding}]},
            ensure_ascii=False) + "\n")
        fh.write(json.dumps({**good, "id": "last"}, ensure_ascii=False) + "\n")
    return path


def test_a_huge_jsonl_line_is_refused_naming_the_file_and_line(tmp_path: Path,
                                                               monkeypatch) -> None:
    """An overlong line is an error naming the file and line, read through without being
    held; the lines around it are analysed."""
    from analyzer.limits import MAX_RECORD_BYTES
    from analyzer.text import transcript

    path = _huge_jsonl(tmp_path / "day.jsonl", MAX_RECORD_BYTES + 1024)
    items = list(transcript.load_transcripts(path))
    assert [getattr(i, "id", None) for i in items] == ["first", None, "last"]
    error = items[1]
    assert isinstance(error, transcript.TranscriptError)
    assert str(error).startswith(f"{path}:2: line longer than 16 MiB"), str(error)


def test_conduct_analyze_refuses_an_oversized_transcript_and_goes_on(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from analyzer.cli import main
    from analyzer.limits import MAX_RECORD_BYTES

    big = tmp_path / "big.json"
    good = json.loads((ROOT / "examples" / "counter-model.json").read_text("utf-8"))
    good["utterances"][0]["text"] = "您好" * (MAX_RECORD_BYTES // 6 + 1)
    big.write_text(json.dumps(good, ensure_ascii=False), "utf-8")
    result = CliRunner().invoke(main, ["--lang", "en", "analyze", str(big),
                                       str(ROOT / "examples" / "counter-model.json")])
    assert result.exit_code == 1, result.output
    assert f"{big}: larger than 16 MiB" in result.stderr
    assert '"id": "counter-model"' in result.stdout


@pytest.mark.parametrize("n", [10, 200])
def test_bounded_lines_reads_lines_as_they_are(tmp_path: Path, n: int) -> None:
    from analyzer.text.transcript import bounded_lines

    path = tmp_path / "x.jsonl"
    path.write_bytes(b"a" * n + b"\n" + b"b" * 5 + b"\n\n" + b"c" * 3)
    with path.open("rb") as fh:
        got = list(bounded_lines(fh, limit=64))
    first = None if n + 1 > 64 else b"a" * n + b"\n"
    assert got == [first, b"bbbbb\n", b"\n", b"ccc"]


# -- #3: a worker that dies takes only its own recording with it -------------------


class _OomKiller:
    """Kills (SIGKILL, as the kernel's out-of-memory killer does) every process of this
    test that opens ``path``, by its process id, until stopped."""

    def __init__(self, path: Path) -> None:
        import threading

        self.path, self.killed = str(path.resolve()), set[int]()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> _OomKiller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _children(self) -> list[int]:
        import os

        out = []
        for entry in os.listdir("/proc"):
            if entry.isdigit():
                try:
                    stat = Path(f"/proc/{entry}/stat").read_text()
                except OSError:
                    continue
                if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
                    out.append(int(entry))
        return out

    def _watch(self) -> None:
        import os
        import signal

        while not self._stop.wait(0.002):
            for pid in self._children():
                try:
                    fds = os.listdir(f"/proc/{pid}/fd")
                    held = any(os.readlink(f"/proc/{pid}/fd/{fd}") == self.path for fd in fds)
                except OSError:
                    continue
                if held:  # (a process being killed may still be seen for a moment)
                    os.kill(pid, signal.SIGKILL)
                    self.killed.add(pid)


@pytest.mark.slow
def test_a_worker_that_dies_takes_only_its_own_recording_keyed_as_failed(
        tmp_path: Path) -> None:
    import audio_factory as af

    from analyzer.batch import run_batch
    from analyzer.store import Store

    folder = tmp_path / "calls"
    folder.mkdir()
    af.write_wav(folder / "visit-1.wav", af.conversation(
        [af.Turn("staff", 0.5, "您好，请问办理什么业务？"),
         af.Turn("citizen", 3.0, "我来办营业执照。")], seconds=8.0))
    af.write_wav(folder / "visit-2.wav",
                 af.conversation([af.Turn("staff", 0.5, "我不知道，你去问门卫。")], seconds=5.0))
    doomed = af.write_wav(folder / "doomed.wav", af.silence(1200.0))  # 20 minutes to decode
    db = tmp_path / "r.sqlite"
    with _OomKiller(doomed) as killer:
        first = run_batch(folder, db, workers=2, threads=1)
    with Store(db, readonly=True) as store:
        errors = [(e["path"], e["kind"], e["message"]) for e in store.errors()]
    assert len(killer.killed) == 2, errors  # a worker in the pool, then one alone
    assert (first.analysed, first.errors) == (2, 1), errors
    with Store(db, readonly=True) as store:
        assert sorted(r["interaction_id"] for r in store.interactions()) == ["visit-1", "visit-2"]
        (error,) = store.errors()
        assert error["kind"] == "WorkerDied" and "doomed.wav" in error["message"]
    again = run_batch(folder, db, workers=2, threads=1)  # keyed: not tried every night
    assert (again.analysed, again.known_bad, again.errors) == (0, 1, 0), again


# -- #3: a recording's length is bounded ----------------------------------------------


def _long_silent_wav(path: Path, seconds: float, rate: int = 8000) -> Path:
    """A real 16-bit mono WAV of silence, written sparse (no disk for its zeros)."""
    from audio_factory import silent_wav

    return silent_wav(path, seconds, rate)


def test_a_recording_over_the_limit_is_refused_from_its_header(tmp_path: Path) -> None:
    """Refused from its header, before a sample is decoded; the message names the file, the
    limit and the option that sets it (``recording.max_channel_minutes``)."""
    from click.testing import CliRunner

    from analyzer.cli import main
    from analyzer.errors import AudioError
    from analyzer.limits import MAX_CHANNEL_MINUTES
    from analyzer.speech.decode import decode_audio

    wav = _long_silent_wav(tmp_path / "week.wav", 13 * 3600)
    t0 = time.perf_counter()
    with pytest.raises(AudioError) as caught:
        decode_audio(wav)
    assert time.perf_counter() - t0 < 5
    assert str(caught.value).startswith(f"{wav}: 780 minutes of audio in 1 channel(s) is "
                                        "longer than one recording may be")
    assert f"({MAX_CHANNEL_MINUTES:g} minutes over all channels" in str(caught.value)
    shift = _long_silent_wav(tmp_path / "shift.wav", 3 * 3600)
    result = CliRunner().invoke(main, ["--lang", "en", "analyze", str(shift),
                                       str(ROOT / "examples" / "counter-model.json"),
                                       "--set", "recording.max_channel_minutes=80"])
    assert result.exit_code == 1 and "longer than one recording may be (80 minutes" in \
        result.stderr and "recording.max_channel_minutes" in result.stderr
    assert '"id": "counter-model"' in result.stdout  # the other input is analysed


def test_a_recording_within_the_limit_decodes(tmp_path: Path) -> None:
    from analyzer.limits import MAX_CHANNEL_MINUTES
    from analyzer.speech.decode import audio_extent, decode_audio

    wav = _long_silent_wav(tmp_path / "call.wav", 60.0)
    assert audio_extent(wav) == pytest.approx(1.0) and MAX_CHANNEL_MINUTES >= 1
    assert decode_audio(wav).duration == pytest.approx(60.0)


@pytest.mark.slow
def test_the_batch_keys_an_overlong_recording_as_known_bad(tmp_path: Path) -> None:
    from analyzer.batch import run_batch
    from analyzer.store import Store

    folder = tmp_path / "calls"
    folder.mkdir()
    _long_silent_wav(folder / "shift.wav", 13 * 3600)
    db = tmp_path / "r.sqlite"
    first = run_batch(folder, db)
    assert first.errors == 1
    with Store(db, readonly=True) as store:
        assert "longer than one recording may be" in store.errors()[0]["message"]
    again = run_batch(folder, db)
    assert (again.errors, again.known_bad) == (0, 1)


# -- issue 28: a worker's memory -----------------------------------------------------


@pytest.mark.slow
def test_a_cpu_encodes_windows_one_at_a_time_with_the_batchs_output_bit_for_bit() -> None:
    """The recognizer encodes a batch of bins one 30 s window per encoder call on a CPU (the
    encoder's attention held ~100 MB per window in flight) and joins the outputs: exactly
    the output of encoding the batch at once, so no word changes."""
    from dataclasses import replace

    from faster_whisper.audio import pad_or_trim

    from analyzer.options import AnalyzerOptions
    from analyzer.speech import packing
    from analyzer.speech.asr import get_model
    from analyzer.speech.decode import decode_audio

    options = AnalyzerOptions().asr
    model = get_model(replace(options, cpu_threads=1))
    clips = sorted((ROOT.parent / "shared" / "data" / "real-speech").glob("*.wav"))[:3]
    if len(clips) < 3:
        clips = sorted((ROOT / "examples" / "recordings").glob("*.ogg"))
    feats = np.stack([pad_or_trim(model.feature_extractor(decode_audio(c).mono())[..., :-1])
                      for c in clips][:3])
    recognizer = packing.PackedRecognizer(model, options, {})
    assert len(feats) > packing.CPU_ENCODER_WINDOWS
    joined = np.asarray(recognizer._encode(feats))
    at_once = np.asarray(model.encode(feats))
    assert joined.shape == at_once.shape == (len(feats), 1500, 512)
    assert np.array_equal(joined, at_once)


def test_a_worker_caps_its_malloc_arenas() -> None:
    """glibc's malloc gives every busy thread an arena of its own and keeps what was freed in
    it: a worker (a recognizer thread and many recording threads) caps them at start."""
    from analyzer.memory import MALLOC_ARENAS, limit_malloc_arenas

    assert MALLOC_ARENAS <= 2
    assert limit_malloc_arenas() is True  # Linux (glibc): the limit is taken
