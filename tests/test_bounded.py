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
    assert seconds < 60, f"{seconds:.0f} s (was minutes: quadratic)"


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
    assert seconds < 30, f"{seconds:.0f} s (was minutes: quadratic)"


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
