"""The nightly batch: folders and manifests, error rows, resume after kill -9, re-scoring.

Most tests run on transcripts (fast); ``test_audio_batch_*`` runs the real
Whisper model on two short generated recordings.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from analyzer.batch.runner import run_batch
from analyzer.errors import ManifestError
from analyzer.options import AnalyzerOptions
from analyzer.pipeline import Task, analyze, discover
from analyzer.speech.decode import SAMPLE_RATE
from analyzer.speech.packing import BIN_SECONDS, GAP_SECONDS, Bin, Packer, Piece
from analyzer.speech.packing import assign_words as map_words
from analyzer.store import Filter, Store

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
COUNTY = ROOT / "lexicons" / "examples" / "county-override.toml"
#: The learned classifier is tested by its owner; these tests check the batch.
OPTIONS = AnalyzerOptions().with_overrides({"classifier.enabled": False})


def _record(i: int, hall: str = "东城区政务服务大厅") -> dict:
    return {
        "id": f"rec-{i:04d}", "channel": "counter", "hall": hall, "window": str(i % 5),
        "staff": f"S-{i % 3}", "started_at": f"2023-05-0{1 + i % 5}T09:00:00+08:00",
        "utterances": [
            {"speaker": "staff", "start": 0.0, "end": 2.0, "text": "您好，请问您要办理什么业务？"},
            {"speaker": "citizen", "start": 2.5, "end": 4.0, "text": f"我来办第{i}号业务。"},
            {"speaker": "staff", "start": 5.0, "end": 7.0,
             "text": "我不知道，你去问门卫。" if i % 2 else "请您稍等一下。"},
        ],
    }


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    """Examples, a JSONL with a bad line, malformed files, fake and empty audio."""
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    for f in EXAMPLES.glob("*.json"):
        shutil.copy(f, folder / f.name)
    lines = [json.dumps(_record(1), ensure_ascii=False), "{not json",
             json.dumps(_record(2), ensure_ascii=False)]
    (folder / "sub" / "day.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "broken.json").write_text('{"id": "x", "channel": "counter", "utterances": 5}')
    (folder / "sub" / "fake.wav").write_text("this is not audio")
    (folder / "sub" / "empty.wav").write_bytes(b"")
    return folder


def test_discover_folder_sidecars_and_manifest(tmp_path: Path) -> None:
    (tmp_path / "a.wav").write_bytes(b"RIFF")
    (tmp_path / "a.json").write_text('{"hall": "东城", "rings": "4", "channel": "phone"}')
    (tmp_path / "t.json").write_text("{}")
    (tmp_path / ".hidden.json").write_text("{}")
    items = list(discover(tmp_path))
    assert [(t.kind, Path(t.path).name) for t in items if isinstance(t, Task)] == [
        ("audio", "a.wav"), ("transcript", "t.json")]
    meta = items[0].meta
    assert (meta.hall, meta.rings, meta.channel) == ("东城", 4, "phone")
    manifest = tmp_path / "m.csv"
    manifest.write_text("path,hall,window,rings\na.wav,西城,3,\n,x,1,\nt.json,南城,2,-1\n"
                        "notes.txt,x,1,\n", encoding="utf-8")
    items = list(discover(manifest))
    assert isinstance(items[0], Task) and items[0].meta.hall == "西城"
    assert items[0].meta.rings == 4  # from the sidecar; the empty manifest cell says nothing
    errors = [i for i in items if isinstance(i, ManifestError)]
    assert [(e.line, e.field) for e in errors] == [(3, "path"), (4, "rings"), (5, "path")]
    assert all(str(manifest) in str(e) for e in errors)
    manifest.write_text("path,hall,rigns\na.wav,西城,5\n", encoding="utf-8")
    [typo] = list(discover(manifest))  # a misspelt column would drop every row's rings
    assert isinstance(typo, ManifestError) and typo.field == "rigns"
    assert "did you mean 'rings'?" in str(typo)


def test_batch_folder_reports_match_single_analysis_and_errors_are_rows(
        mixed_folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    summary = run_batch(mixed_folder, db, OPTIONS)
    n_examples = len(list(EXAMPLES.glob("*.json")))
    assert summary.analysed == n_examples + 2
    assert summary.errors == 4
    with Store(db) as store:
        errors = {Path(e["path"].split(":")[0]).name: e for e in store.errors()}
        assert set(errors) == {"day.jsonl", "broken.json", "fake.wav", "empty.wav"}
        assert errors["day.jsonl"]["path"].endswith("day.jsonl:2")
        assert errors["fake.wav"]["kind"] == "AudioError"
        assert errors["broken.json"]["kind"] == "TranscriptError"
        for f in EXAMPLES.glob("*.json"):
            row = store.interactions(Filter())
            pk = next(r["id"] for r in row if Path(r["source_path"]).name == f.name)
            expected = analyze(mixed_folder / f.name, OPTIONS).to_dict()
            assert store.report(pk).to_dict() == expected
        assert store.runs()[0]["stats"]["analysed"] == n_examples + 2


def test_second_run_skips_everything_and_manifest_metadata_applies(
        mixed_folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    first = run_batch(mixed_folder, db, OPTIONS)
    again = run_batch(mixed_folder, db, OPTIONS)
    assert again.analysed == 0 and again.skipped == first.analysed
    manifest = tmp_path / "m.csv"
    manifest.write_text(f"path,hall,window,staff\n{mixed_folder / 'sub' / 'day.jsonl'},北城,9,S-9\n",
                        encoding="utf-8")
    run_batch(manifest, db, OPTIONS)
    with Store(db) as store:
        north = store.interactions(Filter(hall="北城"))
        assert sorted(r["interaction_id"] for r in north) == ["rec-0001", "rec-0002"]
        assert {r["window"] for r in north} == {"9"}


def test_lexicon_change_rescores_in_place(mixed_folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    run_batch(mixed_folder, db, OPTIONS)
    with Store(db) as store:
        before = {r["interaction_id"]: r for r in store.interactions()}
    county = OPTIONS.with_overrides({"lexicon": [str(COUNTY)]})
    summary = run_batch(mixed_folder, db, county)
    assert summary.rescored == len(before) and summary.analysed == 0
    with Store(db) as store:
        after = {r["interaction_id"]: r for r in store.interactions()}
        assert set(after) == set(before)
        assert all(after[k]["id"] == before[k]["id"] for k in after)
        assert {r["lexicon_version"] for r in after.values()} != {
            r["lexicon_version"] for r in before.values()}
        # the county file makes A9-F-05 cost 20 points: the forbidden example drops
        assert after["counter-forbidden"]["score"] < before["counter-forbidden"]["score"]


def test_kill_9_and_resume_stores_every_interaction_exactly_once(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    total = 0
    for f in range(8):
        recs = [_record(f * 100 + i) for i in range(60)]
        total += len(recs)
        (folder / f"day-{f}.jsonl").write_text(
            "\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    db = tmp_path / "r.sqlite"
    cmd = [sys.executable, "-m", "analyzer.cli", "batch", str(folder), "--db", str(db),
           "--no-progress", "--set", "classifier.enabled=false"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    stored = 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        stored = _count(db)
        if stored >= 40:
            break
        time.sleep(0.05)
    assert proc.poll() is None, "batch finished before it could be killed; make it longer"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 40 <= _count(db) < total
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as con:
        ids = [r[0] for r in con.execute("SELECT interaction_id FROM interactions")]
        runs = con.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    assert len(ids) == total and len(set(ids)) == total
    assert runs == 2


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            return con.execute("SELECT COUNT(*) FROM interactions").fetchone()[0]
    except sqlite3.OperationalError:  # schema not created yet
        return 0


def _piece(job: int, start: float, seconds: float) -> Piece:
    return Piece(job, 0, start, np.full(int(seconds * SAMPLE_RATE), 0.1, np.float32))


def test_packer_fills_bins_across_recordings() -> None:
    packer = Packer(batch_size=2)
    released: list[Bin] = []
    for job in range(6):
        for k in range(4):
            released += packer.add(_piece(job, 10.0 * k, 3.0))
    for batch in packer.flush():
        released += batch
    pieces = [p for w in released for _, p in w.pieces]
    assert len(pieces) == 24 and len({(p.job, p.start) for p in pieces}) == 24
    assert all(w.used <= BIN_SECONDS for w in released)
    per_bin = int((BIN_SECONDS + GAP_SECONDS) // (3.0 + GAP_SECONDS))
    assert len(released) == -(-24 // per_bin)  # 24 x 3 s in full 30 s bins, not 24
    assert len({p.job for _, p in released[0].pieces}) > 1  # several recordings share one


def test_words_map_back_to_their_recording_and_time() -> None:
    bin_ = Bin()
    bin_.add(_piece(0, 100.0, 2.0))
    bin_.add(_piece(1, 7.0, 3.0))
    second = 2.0 + GAP_SECONDS
    hello = {"word": "您好", "start": 0.2, "end": 0.8, "probability": 0.9}
    # alignment put the first word of the second segment in the gap: the segment decides
    bye = [{"word": "再", "start": second - 0.5, "end": second + 1.2, "probability": 0.8},
           {"word": "见", "start": second + 1.2, "end": second + 1.5, "probability": 0.8}]
    segments = [{"start": 0.0, "end": 2.0, "words": [hello]},
                {"start": second, "end": second + 2.0, "words": bye}]
    mapped = map_words(bin_, segments)
    assert [(w.text, w.start) for w in mapped[(0, 0, 100.0)]] == [("您好", 100.2)]
    assert [(w.text, w.start, w.end) for w in mapped[(1, 0, 7.0)]] == [
        ("再", 7.0, 8.2), ("见", 8.2, 8.5)]
    # one segment running over both pieces is split word by word
    spanning = [{"start": 0.0, "end": second + 2.0, "words": [hello, *bye[1:]]}]
    mapped = map_words(bin_, spanning)
    assert [w.text for w in mapped[(0, 0, 100.0)]] == ["您好"]
    assert [w.text for w in mapped[(1, 0, 7.0)]] == ["见"]


@pytest.fixture(scope="module")
def audio_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two short generated counter recordings, a silent one, and a transcript."""
    af = pytest.importorskip("audio_factory")
    folder = tmp_path_factory.mktemp("audio")
    turns = [af.Turn("staff", 0.3, "您好，请问您要办理什么业务？"),
             af.Turn("citizen", 3.5, "我想补办社保卡。"),
             af.Turn("staff", 6.5, "请您慢走，再见。")]
    af.write_wav(folder / "visit-1.wav", af.conversation(turns, seconds=10.0))
    af.write_wav(folder / "visit-2.wav",
                 af.conversation([af.Turn("staff", 0.5, "我不知道，你去问门卫。")], seconds=5.0))
    (folder / "visit-2.json").write_text('{"hall": "东城区政务服务大厅", "window": "4"}',
                                         encoding="utf-8")
    af.write_wav(folder / "silence.wav", af.silence(4.0))
    shutil.copy(EXAMPLES / "counter-forbidden.json", folder / "typed.json")
    return folder


@pytest.mark.slow
def test_audio_batch_two_workers_then_rescore_without_transcribing(
        audio_folder: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    summary = run_batch(audio_folder, db, OPTIONS, workers=2, threads=1)
    assert summary.analysed == 3 and summary.errors == 1
    assert summary.audio_seconds == pytest.approx(15.0, abs=0.1)
    assert summary.timings.get("features+encoder", 0) > 0
    # where the two workers' cores waited: before their first recording (start-up,
    # model load), and after their last while the other still worked
    assert summary.timings["idle_start"] > 0.0 and summary.timings["idle_tail"] >= 0.0
    # the recordings' own CPU besides the model (their threads' CPU seconds): the VAD
    # is part of it, and it is far under the recordings' wall time in the worker
    assert 0.0 < summary.timings["cpu_vad"] <= summary.timings["cpu_file"]
    assert "CPU of each recording's own work" in summary.text()
    with Store(db) as store:
        assert "no speech" in store.errors()[0]["message"]
        rows = {r["interaction_id"]: r for r in store.interactions()}
        assert rows["visit-2"]["hall"] == "东城区政务服务大厅" and rows["visit-2"]["window"] == "4"
        single = analyze(audio_folder / "visit-1.wav", OPTIONS).to_dict()
        batch = store.report(rows["visit-1"]["id"]).to_dict()
        assert batch.keys() == single.keys()
        assert batch["analyzer"]["lexicon_version"] == single["analyzer"]["lexicon_version"]
        assert batch["duration"] == pytest.approx(10.0, abs=0.05)
        speakers = {u["speaker"] for u in batch["transcript"]}
        assert speakers == {"staff", "citizen"}
        for u in batch["transcript"]:
            assert 0.0 <= u["start"] <= u["end"] <= 10.0 and u["words"]
        texts = {k: [u["text"] for u in store.utterances(r["id"])] for k, r in rows.items()}
    county = OPTIONS.with_overrides({"lexicon": [str(COUNTY)]})
    again = run_batch(audio_folder, db, county, workers=2, threads=1)
    assert again.rescored == 3 and again.analysed == 0
    assert again.audio_seconds == 0.0 and "features+encoder" not in again.timings
    with Store(db) as store:
        rows2 = {r["interaction_id"]: r for r in store.interactions()}
        assert {k: r["id"] for k, r in rows2.items()} == {k: r["id"] for k, r in rows.items()}
        assert {k: [u["text"] for u in store.utterances(r["id"])]
                for k, r in rows2.items()} == texts
        assert all(r["lexicon_version"].endswith("example-county@1") or "county" in
                   r["lexicon_version"] for r in rows2.values())


@pytest.mark.slow
def test_known_bad_recordings_are_skipped_until_retry_errors(
        audio_folder: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    shutil.copy(audio_folder / "silence.wav", folder / "silence.wav")  # no speech, no rings
    (folder / "fake.wav").write_text("this is not audio")
    db = tmp_path / "r.sqlite"
    first = run_batch(folder, db, OPTIONS)
    assert first.errors == 2 and first.known_bad == 0
    second = run_batch(folder, db, OPTIONS)
    assert second.errors == 0 and second.known_bad == 2 and second.analysed == 0
    with Store(db) as store:
        assert len(store.errors()) == 2  # the re-run recorded nothing new
        assert {e["kind"] for e in store.errors()} == {"AnalyzerError", "AudioError"}
    retried = run_batch(folder, db, OPTIONS, retry_errors=True)
    assert retried.errors == 2 and retried.known_bad == 0
    county = OPTIONS.with_overrides({"lexicon": [str(COUNTY)]})  # a new key: tried again
    assert run_batch(folder, db, county).errors == 2


def test_pieces_per_window_limits_sharing() -> None:
    packer = Packer(batch_size=8, pieces_per_window=2)
    released: list[Bin] = []
    for job in range(5):
        released += packer.add(_piece(job, 0.0, 3.0))
    for batch in packer.flush():
        released += batch
    assert [len(w.pieces) for w in released] == [2, 2, 1]  # 15 s of room left, still capped


def test_channel_sharing_never_mixes_recordings() -> None:
    """share="channel": a bin holds one recording channel's own pieces, in order."""
    packer = Packer(batch_size=2, pieces_per_window=0, share="channel")
    released: list[Bin] = []
    for t in (0.0, 5.0, 10.0):  # two jobs interleaved, as concurrent recordings arrive
        released += packer.add(_piece(0, t, 4.0))
        released += packer.add(_piece(1, t, 4.0))
    assert released == []  # nothing full yet: room left and both jobs still open
    released += packer.close(0)
    released += packer.close(1)
    for batch in packer.flush():
        released += batch
    assert len(released) == 2
    for bin_ in released:
        jobs = {p.job for _, p in bin_.pieces}
        assert len(jobs) == 1
        assert [p.start for _, p in bin_.pieces] == [0.0, 5.0, 10.0]


def test_closed_job_releases_its_bins() -> None:
    """Once a channel has no more pieces its bins go, without waiting for a stall."""
    packer = Packer(batch_size=1, pieces_per_window=0, share="channel")
    assert packer.add(_piece(7, 0.0, 3.0)) == []
    batch = packer.close(7)
    assert len(batch) == 1 and batch[0].owner == (7, 0) and batch[0].closed
    assert packer.open == []


def test_recording_sharing_packs_both_channels_in_time_order() -> None:
    """share="recording": both parties of one recording share bins, in time order."""
    packer = Packer(batch_size=4, pieces_per_window=0, share="recording")
    turns = [(0, 0.0), (1, 4.0), (0, 8.0), (1, 12.0), (0, 16.0), (1, 20.0), (0, 24.0)]
    released: list[Bin] = []
    for channel, start in turns:  # recording 0's conversation ...
        released += packer.add(Piece(0, channel, start, np.full(3 * SAMPLE_RATE, 0.1,
                                                                np.float32)))
        released += packer.add(_piece(1, start, 3.0))  # ... while recording 1 arrives too
    released += packer.close(0) + packer.close(1)
    for batch in packer.flush():
        released += batch
    mine = [w for w in released if w.owner == 0]
    assert {p.job for w in mine for _, p in w.pieces} == {0}  # never another recording
    assert len(mine) == 1  # 7 x 3 s + gaps fit one bin: both channels share it
    assert [(p.track, p.start) for _, p in mine[0].pieces] == turns
    # a third recording cannot join recording 0's open bin
    packer = Packer(batch_size=4, share="recording")
    packer.add(_piece(0, 0.0, 3.0))
    packer.add(_piece(2, 0.0, 3.0))
    assert len(packer.open) == 2


def test_one_segment_over_a_whole_bin_is_split_by_word_times() -> None:
    """Whisper may write three pieces' speech as one segment: each piece keeps its words."""
    bin_ = Bin()
    for job, start in enumerate((1.0, 11.0, 20.0)):
        bin_.add(_piece(job, start, 3.0))
    offsets = [off for off, _ in bin_.pieces]
    words = [{"word": text, "start": off + 0.5, "end": off + 1.5, "probability": 0.9}
             for text, off in zip(("您好", "请稍等", "再见"), offsets, strict=True)]
    mapped = map_words(bin_, [{"start": 0.0, "end": bin_.used, "words": words}])
    assert [w.text for w in mapped[(0, 0, 1.0)]] == ["您好"]
    assert [(w.text, w.start) for w in mapped[(1, 0, 11.0)]] == [("请稍等", 11.5)]
    assert [w.text for w in mapped[(2, 0, 20.0)]] == ["再见"]


@pytest.mark.slow
def test_a_looping_window_is_recognised_again_with_the_repetition_penalty() -> None:
    """Windows decode without the penalty; one whose text repeats itself is flagged."""
    from analyzer.speech.asr import get_model
    from analyzer.speech.packing import PackedRecognizer

    asr = OPTIONS.asr
    recognizer = PackedRecognizer(get_model(asr), asr, {})
    encode = recognizer.tokenizer.encode
    assert recognizer._loops(encode("好的" + "寫" * 60))
    assert recognizer._loops(encode("您好请问" * 12))
    assert not recognizer._loops(encode("您好，请问您要办理什么业务？我想给孩子办理出生登记。"))
    assert not recognizer._loops(encode("好的谢谢"))  # short text never counts as a loop


def test_a_large_jsonl_is_spread_over_the_workers_with_progress_per_record(tmp_path: Path
                                                                           ) -> None:
    from analyzer.batch import runner, transcripts

    folder = tmp_path / "in"
    folder.mkdir()
    lines = [json.dumps(_record(i), ensure_ascii=False) for i in range(150)]
    lines[70] = '{"id": "broken", "channel": "counter", "utterances": [{"speeker": "staff"}]}'
    (folder / "night.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    options = AnalyzerOptions().with_overrides({"classifier.enabled": False})
    steps: list[int] = []

    class Bar:
        def __init__(self, total: int) -> None:
            steps.append(total)

        def update(self, n: int) -> None:
            steps.append(-n)

        def close(self) -> None:
            pass

        def set_postfix_str(self, *a, **k) -> None:
            pass

    original, pooled = runner._progress, transcripts.pooled
    used: list[int] = []
    runner._progress = lambda total, enabled: Bar(total)
    transcripts.pooled = lambda planned, options, workers: (
        used.append(workers), pooled(planned, options, workers))[1]
    try:
        spread = run_batch(folder, tmp_path / "two.sqlite", options, workers=2)
    finally:
        runner._progress, transcripts.pooled = original, pooled
    assert used == [2]  # the records went to two worker processes
    one = run_batch(folder, tmp_path / "one.sqlite", options, workers=1)
    assert steps[0] == 150 and -sum(steps[1:]) == 150  # one step per record
    assert spread.analysed == one.analysed == 149 and spread.errors == one.errors == 1
    assert spread.timings.get("matching", 0) > 0
    with Store(tmp_path / "two.sqlite") as a, Store(tmp_path / "one.sqlite") as b:
        rows_a = {r["interaction_id"]: (r["score"], r["n_findings"]) for r in a.interactions()}
        rows_b = {r["interaction_id"]: (r["score"], r["n_findings"]) for r in b.interactions()}
        assert rows_a == rows_b and len(rows_a) == 149
        assert [e["path"] for e in a.errors()] == [e["path"] for e in b.errors()]
        assert a.errors()[0]["path"].endswith("night.jsonl:71")


@pytest.mark.slow
def test_phone_lines_are_heard_by_workers_holding_the_phone_model_alone(tmp_path: Path) -> None:
    from analyzer.speech.recording import analyze_recording

    folder = tmp_path / "in"
    shutil.copytree(EXAMPLES / "recordings", folder)
    options = OPTIONS.with_overrides({"asr.phone_compute_type": "float32"})
    assert options.asr.phone_compute_type == "float32" != options.asr.compute_type
    summary = run_batch(folder, tmp_path / "r.sqlite", options, workers=1)
    assert summary.analysed == 2 and summary.errors == 0
    # the counter visit and the phone call ran on one worker process holding one model
    # at a time (it let the first go before loading the second), never both at once
    assert summary.timings["n_models_held"] == 1
    assert summary.timings["model_load"] > 0
    with Store(tmp_path / "r.sqlite") as store:
        rows = {Path(r["source_path"]).stem: r["id"] for r in store.interactions(Filter())}
        for stem in ("phone-call", "counter-visit"):
            stored = [u.text for u in store.report(rows[stem]).utterances]
            alone = analyze_recording(folder / f"{stem}.ogg", options)  # the file path
            assert stored == [u.text for u in alone.interaction.utterances], stem
