"""Example search and training packs (analyzer.training.examples, ``conduct examples``)."""

from __future__ import annotations

import io
import json
import wave
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from web_fixture import build_review_db, copy_db

from analyzer.cli import main
from analyzer.store import Store
from analyzer.training.examples import export_pack, search_examples

SECRETS = ("13812345678", "110101199003078515", "一一零一零一一九九零零三零七八五一五", "建国路", "幺三八一二三四五六七八")


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return build_review_db(tmp_path_factory.getbasetemp() / "review-db")


@pytest.fixture()
def store(review, tmp_path):
    with Store(copy_db(review, tmp_path / "db")) as s:
        yield s


def test_bad_practice_is_each_breach_not_dismissed(store) -> None:
    bad = search_examples(store, practice="bad")
    rules = {e.rule for e in bad}
    assert {"A9-F-01", "A9-F-05", "A8-F-02"} <= rules
    assert all(e.practice == "bad" and e.kind in ("forbidden", "uncivil", "acoustic", "hangup") for e in bad)
    assert "A7-RING" not in rules  # no span of speech to learn from
    target = next(e for e in bad if e.rule == "A8-F-02")
    store.set_verdict(target.finding_id, "dismiss", "false alarm", "insp")
    assert target.key not in {e.key for e in search_examples(store, practice="bad")}


def test_good_practice_is_a_required_phrase_said_well(store) -> None:
    good = search_examples(store, practice="good", article=7)
    greeting = [e for e in good if e.rule == "A7-R-01" and e.interaction_id == "phone-audio-script"]
    assert len(greeting) == 1
    assert greeting[0].text == "您好，这里是东城政务大厅三号窗口" and greeting[0].speaker == "staff"
    assert all(e.article == 7 and e.practice == "good" for e in good)
    farewell = search_examples(store, practice="good", rule="A10-R-01")
    assert {e.interaction_id for e in farewell} >= {"counter-pii"}
    assert all(e.method in ("exact", "variant") and e.confidence >= 0.9 for e in good + farewell)


def test_filters_by_hall_and_date(store) -> None:
    west = search_examples(store, hall="西城区政务服务大厅")
    assert west and {e.hall for e in west} == {"西城区政务服务大厅"}
    day = search_examples(store, since="2026-11-20", until="2026-11-20")
    assert day and {e.day for e in day} == {"2026-11-20"}
    with pytest.raises(ValueError):
        search_examples(store, practice="ugly")


def _read_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as w:
        pcm = np.frombuffer(w.readframes(w.getnframes()), "<i2").reshape(-1, w.getnchannels())
        return pcm.T.astype(np.float32) / 32767.0, w.getframerate()


def test_pack_has_clips_transcripts_manifest_and_masks_pii(store, review, tmp_path: Path) -> None:
    examples = [e for e in search_examples(store) if e.interaction_id in ("phone-audio-script", "counter-pii")]
    out = tmp_path / "pack.zip"
    summary = export_pack(examples, out, store=store, recordings_root=review.recordings, pad=6.0)
    assert summary.examples == len(examples) >= 4
    with zipfile.ZipFile(out) as zf:
        manifest = json.loads(zf.read("manifest.json"))["examples"]
        everything = "".join(zf.read(n).decode("utf-8") for n in zf.namelist() if not n.endswith(".wav"))
        clips = {m["key"]: zf.read(m["clip"]) for m in manifest if m["clip"]}
    for secret in SECRETS:
        assert secret not in everything
    assert "[电话号码]" in everything and "[身份证号]" in everything and "[地址]" in everything
    assert all("staff" not in m for m in manifest)
    phone = [m for m in manifest if m["interaction_id"] == "phone-audio-script"]
    pii = [m for m in manifest if m["interaction_id"] == "counter-pii"]
    assert all(m["clip"] for m in phone) and not any(m["clip"] for m in pii)  # counter-pii has no audio
    assert summary.clips == len(phone) and sorted(summary.missing_audio) == sorted(m["key"] for m in pii)
    for m in phone:
        assert {"rule", "article", "canonical", "practice", "clip_start", "clip_end", "transcript"} <= set(m)
        samples, sr = _read_wav(clips[m["key"]])
        assert sr == 16000 and samples.shape[0] == 2
        assert abs(samples.shape[1] / sr - (m["clip_end"] - m["clip_start"])) < 0.05


def test_pack_audio_masks_the_spoken_phone_number(store, review, tmp_path: Path) -> None:
    """The citizen's number (right channel) becomes a 1 kHz tone; the rest is unchanged."""
    from audio_factory import read_wav

    greeting = [e for e in search_examples(store, rule="A7-R-01") if e.interaction_id == "phone-audio-script"]
    out = tmp_path / "pack.zip"
    export_pack(greeting, out, store=store, recordings_root=review.recordings, pad=12.0)
    with zipfile.ZipFile(out) as zf:
        m = json.loads(zf.read("manifest.json"))["examples"][0]
        clip, sr = _read_wav(zf.read(m["clip"]))
    original, _ = read_wav(review.wav)
    report = store.report(review.pks["phone-audio-script"])
    turn = report.utterances[1]  # the citizen says the number, typed transcript: estimated span
    assert turn.speaker == "citizen" and "幺三八" in turn.text
    a, b = int(turn.start * sr), int(turn.end * sr)
    start = int(m["clip_start"] * sr)
    masked = clip[1, a - start + sr // 2 : b - start - sr // 2]
    spectrum = np.abs(np.fft.rfft(masked))
    assert abs(np.argmax(spectrum) * sr / masked.size - 1000) < 5
    head = int(0.2 * sr)  # the greeting before it is untouched
    np.testing.assert_allclose(clip[0, :head], original[0, start : start + head], atol=2e-4)


def test_cli_search_and_export(review, tmp_path: Path) -> None:
    db = copy_db(review, tmp_path / "db")
    runner = CliRunner()
    r = runner.invoke(main, ["examples", "search", "--db", str(db), "--practice", "bad", "--format", "json"])
    assert r.exit_code == 0, r.output
    found = json.loads(r.stdout)
    assert {"A9-F-01", "A9-F-05"} <= {e["rule"] for e in found}
    assert all(s not in r.stdout for s in SECRETS)
    out = tmp_path / "pack.zip"
    r = runner.invoke(main, ["examples", "export", "--db", str(db), "--article", "7", "--practice", "good",
                             "-o", str(out), "--recordings-root", str(review.recordings), "--mask", "silence"])
    assert r.exit_code == 0, r.output
    with zipfile.ZipFile(out) as zf:
        rules = {m["rule"] for m in json.loads(zf.read("manifest.json"))["examples"]}
    assert rules and all(rule.startswith("A7-") for rule in rules)
    r = runner.invoke(main, ["examples", "export", "--db", str(db), "--rule", "NO-SUCH", "-o", str(out)])
    assert r.exit_code != 0 and "no examples" in r.output


@pytest.mark.parametrize(("args", "suffix", "channels"), [
    (["-ac", "1", "-ar", "8000", "-c:a", "pcm_mulaw"], ".wav", 1),  # phone line recording
    (["-c:a", "libmp3lame"], ".mp3", 2),
])
def test_clips_cut_from_other_formats(review, tmp_path: Path, args, suffix, channels) -> None:
    import subprocess

    from analyzer.errors import AudioError
    from analyzer.speech.clips import read_segment

    out = tmp_path / f"call{suffix}"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(review.wav), *args, str(out)], check=True)
    clip = read_segment(out, 2.0, 5.0, 16000)
    assert clip.shape == (channels, 48000) and np.abs(clip).max() > 0.05
    (tmp_path / "bad.wav").write_bytes(b"RIFF not really")
    with pytest.raises(AudioError, match="bad.wav"):
        read_segment(tmp_path / "bad.wav", 0, 1)


def test_kept_candidates_give_what_matching_in_memory_gives(store, review, tmp_path) -> None:
    from analyzer.text.lexicon import load_lexicon
    from analyzer.training import examples as ex

    lexicon = load_lexicon()
    cold_path = copy_db(review, tmp_path / "cold")
    with Store(cold_path, readonly=True) as cold:
        in_memory = search_examples(cold, practice="good", lexicon=lexicon)
        assert cold.unindexed(lexicon.version)  # a read-only store keeps nothing
    assert store.unindexed(lexicon.version)
    kept = search_examples(store, practice="good", lexicon=lexicon)
    assert store.unindexed(lexicon.version) == []  # matched once, kept
    assert [e.key for e in kept] == [e.key for e in in_memory] and kept
    assert [(e.text, e.method, e.confidence) for e in kept] == \
        [(e.text, e.method, e.confidence) for e in in_memory]
    calls = []
    original = ex.candidates
    ex.candidates = lambda *a: calls.append(a) or original(*a)
    try:
        again = search_examples(store, practice="good", lexicon=lexicon)
    finally:
        ex.candidates = original
    assert calls == [] and [e.key for e in again] == [e.key for e in kept]
    # dismissing every staff finding lifts every taint: the same answer both ways
    with Store(cold_path) as writable:  # verdicts only; nothing matched or kept
        for f in writable.findings():
            if f["speaker"] == "staff":
                writable.set_verdict(f["id"], "dismiss", "", "insp")
                store.set_verdict(f["id"], "dismiss", "", "insp")
    with Store(cold_path, readonly=True) as cold:
        assert cold.unindexed(lexicon.version)
        memory = search_examples(cold, practice="good", lexicon=lexicon)
    kept = search_examples(store, practice="good", lexicon=lexicon)
    assert [e.key for e in kept] == [e.key for e in memory] and len(kept) > len(again)
