"""The hall's time: days, service hours and every time shown on the hall's clock, never UTC."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from analyzer import analyze
from analyzer.halltime import HallZones
from analyzer.options import AnalyzerOptions
from analyzer.speech.decode import DecodedAudio, decode_audio
from analyzer.speech.meta import CallMeta
from analyzer.speech.recording import start_of
from analyzer.store import Store, analysis_key, content_hash_of_interaction
from analyzer.store.filters import Filter
from analyzer.text.transcript import parse_interaction

#: 23:30 UTC on Friday 20 November is 07:30 on Saturday 21 November in Beijing.
LATE_UTC = "2026-11-20T23:30:00Z"


def test_zones_convert_absolute_times_and_keep_local_ones() -> None:
    zones = HallZones(halls=(("柏林分厅", "Europe/Berlin"),))
    assert zones.day(LATE_UTC) == "2026-11-21"
    assert zones.show(LATE_UTC) == "2026-11-21 07:30"
    assert zones.day(LATE_UTC, "柏林分厅") == "2026-11-21"
    assert zones.show(LATE_UTC, "柏林分厅") == "2026-11-21 00:30"
    assert zones.show("2026-11-20T09:00:00") == "2026-11-20 09:00"  # written locally: kept
    assert zones.show("2026-11-20") == "2026-11-20" and zones.show("") == "–"
    assert zones.show(LATE_UTC, utc=True) == "2026-11-20 23:30 UTC"  # only when asked
    with pytest.raises(ValueError, match="unknown time zone"):
        HallZones("Mars/Olympus")


def _interaction(started_at: str, closing: bool = False) -> dict:
    said = "下班了，明天再来" if closing else "好的，请您稍等"
    return {
        "id": "late-call", "channel": "counter", "hall": "东城区政务服务大厅", "window": "3",
        "staff": "S-0101", "started_at": started_at,
        "utterances": [
            {"speaker": "staff", "start": 0.0, "end": 2.0, "text": "您好，请问办理什么业务？"},
            {"speaker": "citizen", "start": 2.5, "end": 5.0, "text": "我来交材料。"},
            {"speaker": "staff", "start": 5.5, "end": 8.0, "text": said},
        ],
    }


def _store(db: Path, record: dict, options: AnalyzerOptions | None = None) -> int:
    interaction = parse_interaction(record, "<test>")
    report = analyze(interaction, options or AnalyzerOptions())
    digest = content_hash_of_interaction(interaction)
    with Store(db) as store:
        if options is not None:
            store.begin_run(options.to_dict(), ["conduct", "batch"])
        return store.save_report(report, run_id=None, content_hash=digest, path="x.json",
                                 key=analysis_key(digest, "", str(report.analyzer.lexicon_version)),
                                 interaction=interaction)


def test_the_store_counts_an_interaction_on_the_halls_day(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    _store(db, _interaction(LATE_UTC))
    with Store(db, readonly=True) as store:
        assert [r["day"] for r in store.interactions(Filter())] == ["2026-11-21"]
        assert store.interactions(Filter(since="2026-11-20", until="2026-11-20")) == []


def test_a_hall_in_another_zone_counts_its_own_day(tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    options = AnalyzerOptions().with_overrides({"halls.timezone": "America/New_York"})
    _store(db, _interaction(LATE_UTC), options)
    with Store(db, readonly=True) as store:
        assert [r["day"] for r in store.interactions(Filter())] == ["2026-11-20"]
        assert store.hall_zones().zone_name("东城区政务服务大厅") == "America/New_York"


def test_service_hours_are_the_halls_hours_whatever_the_offset_written() -> None:
    # 01:00 UTC on a Friday is 09:00 in Beijing: within service hours (Article 25)
    inside = analyze(parse_interaction(_interaction("2026-11-20T01:00:00Z", closing=True), "<t>"),
                     AnalyzerOptions())
    assert "A25-HOURS" in {f.rule for f in inside.findings}
    # 11:00 UTC is 19:00 in Beijing: the hall is closed, closing is no breach of Article 25
    after = analyze(parse_interaction(_interaction("2026-11-20T11:00:00Z", closing=True), "<t>"),
                    AnalyzerOptions())
    assert "A25-HOURS" not in {f.rule for f in after.findings}


def test_a_recording_without_start_time_is_dated_from_its_metadata_or_file(tmp_path) -> None:
    audio = DecodedAudio(np.zeros((1, 16000), np.float32), 16000, 1.0, "x.wav")
    assert start_of("x.wav", audio, CallMeta(started_at="2026-11-20T09:00:00+08:00")) == \
        ("2026-11-20T09:00:00+08:00", "given")
    tagged = DecodedAudio(audio.samples, 16000, 1.0, "x.wav", created="2026-11-20T01:00:00.000000Z")
    assert start_of("x.wav", tagged, CallMeta()) == ("2026-11-20T01:00:00+00:00", "metadata")
    wav = tmp_path / "call.wav"
    from audio_factory import write_wav

    write_wav(wav, np.zeros(32000, np.float32))
    ended = 1_795_000_000.0  # the recorder closed the file as the call ended
    os.utime(wav, (ended, ended))
    started, source = start_of(wav, decode_audio(wav), CallMeta())
    two_seconds_before = dt.datetime.fromtimestamp(ended - 2.0, dt.UTC)
    assert source == "file_time" and dt.datetime.fromisoformat(started) == two_seconds_before


@pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg writes the creation_time tag")
def test_the_decoder_reads_the_creation_time_tag(tmp_path: Path) -> None:
    out = tmp_path / "tagged.m4a"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=f=440:d=1", "-metadata",
                    "creation_time=2026-11-20T01:00:00Z", str(out)], check=True)
    audio = decode_audio(out)
    assert start_of(out, audio, CallMeta())[1] == "metadata"
    assert HallZones().show(start_of(out, audio, CallMeta())[0]) == "2026-11-20 09:00"


def test_no_page_shows_a_utc_time(tmp_path: Path) -> None:
    from fastapi.testclient import TestClient

    from analyzer.web import auth, create_app

    db = tmp_path / "r.sqlite"
    pk = _store(db, _interaction(LATE_UTC, closing=True))
    con = auth.connect(db)
    auth.add_user(con, "insp", "inspector", "inspector-pass-1")
    con.close()
    app = create_app(db)
    try:
        client = TestClient(app, headers={"accept": "text/html"}, follow_redirects=False)
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)[1]
        assert client.post("/login", data={"name": "insp", "password": "inspector-pass-1",
                                           "csrf_token": token, "next": "/"}).status_code == 303
        pages = {path: client.get(path).text for path in
                 ("/queue", f"/interactions/{pk}", "/dashboard", "/errors", "/search?q=您好")}
    finally:
        app.state.store.close()
    assert "2026-11-21 07:30" in pages["/queue"]
    assert "2026-11-21 07:30" in pages[f"/interactions/{pk}"]
    for path, page in pages.items():
        assert not re.search(r"\d{2}:\d{2}(:\d{2})?(\+00:00|Z\b)|\bUTC\b", page), path
