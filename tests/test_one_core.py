"""One analysis core: analyze, batch, stream and --listen give a recording the same roles,
words and findings (issue 24).

The recording is the hall visit of ``tests/data/attribution`` (natural voices, each
microphone hearing the other party 22 dB down, the next windows' talk and the PA
further down, reverb) with its two channels swapped, as a hall that wires the citizen's
microphone to channel 0 records it; the hall's mapping (``asr.hall_speakers``) says so.
Each path must give the clerk's words to the clerk, silence and drop the same crosstalk,
and find the same breaches. The stream and the line recognise each utterance when it
ends, so packing is one piece per bin on every path (``pack.pieces_per_window=1``, and
no live context, ``stream.context_seconds=0``; with the defaults each path hears a piece
beside its neighbours in the bin); partial decoding is off (its events are the stream's
own).
"""

from __future__ import annotations

import asyncio
import json
import wave
from pathlib import Path

import pytest
from audio_factory import SR, write_wav
from click.testing import CliRunner
from live_fixture import listener

import analyzer
from analyzer.batch import run_batch
from analyzer.options import AnalyzerOptions
from analyzer.speech.decode import decode_audio
from analyzer.store import Store

DATA = Path(__file__).resolve().parent / "data" / "attribution"
SCRIPT = json.loads((DATA / "hall.json").read_text(encoding="utf-8"))
HALL = "东区大厅"
#: The options of every path, as ``--set`` gives them on the command line.
SETTINGS = ('asr.hall_speakers=[["东区大厅", "citizen", "staff"]]',
            "pack.pieces_per_window=1", "stream.partial_interval=0", "stream.context_seconds=0")


def _options() -> AnalyzerOptions:
    from analyzer.cli.analyze import build_options

    return build_options((), SETTINGS)


@pytest.fixture(scope="module")
def recording(tmp_path_factory) -> Path:
    """The hall visit with its channels swapped (citizen on 0), and its sidecar."""
    folder = tmp_path_factory.mktemp("one-core") / "in"
    folder.mkdir()
    audio = decode_audio(DATA / "hall-stereo.ogg")
    path = write_wav(folder / "visit.wav", audio.samples[::-1].copy())
    (folder / "visit.json").write_text(json.dumps({"hall": HALL, "channel": "counter"},
                                                  ensure_ascii=False), encoding="utf-8")
    return path


async def _line(url: str, pcm: bytes) -> list[dict]:
    import websockets

    header = {"call_id": "visit", "sample_rate": SR, "channels": 2, "encoding": "s16le",
              "channel": "counter", "hall": HALL, "window": "3", "staff": "S042"}
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps(header, ensure_ascii=False))
        for i in range(0, len(pcm), 6400):
            await ws.send(pcm[i:i + 6400])
        await ws.send(json.dumps({"type": "end"}))
        return [json.loads(m) async for m in ws]


@pytest.fixture(scope="module")
def reports(recording: Path, tmp_path_factory) -> dict[str, dict]:
    """The report of each path, as JSON."""
    from analyzer.cli import main

    options = _options()
    out = {"analyze": analyzer.analyze(recording, options).to_dict()}
    tmp = tmp_path_factory.mktemp("one-core-db")
    run_batch(recording.parent, tmp / "batch.sqlite", options)
    with Store(tmp / "batch.sqlite", readonly=True) as store:
        (row,) = store.interactions()
        out["batch"] = store.report(row["id"]).to_dict()
    argv = ["stream", str(recording)] + [a for s in SETTINGS for a in ("--set", s)]
    result = CliRunner().invoke(main, argv, catch_exceptions=False)
    assert result.exit_code == 0, result.output
    out["stream"] = json.loads(result.output.splitlines()[-1])["report"]
    with wave.open(str(recording), "rb") as w:
        pcm = w.readframes(w.getnframes())  # the WAV's own samples, interleaved s16le
    flags = [a for s in SETTINGS for a in ("--set", s)]
    with listener(tmp / "live.sqlite", tmp / "calls", *flags) as served:
        events = asyncio.run(_line(served.url, pcm))
    assert [e["type"] for e in events][-3:] == ["report", "stored", "ended"]
    out["listen"] = next(e for e in events if e["type"] == "report")["report"]
    with Store(tmp / "live.sqlite", readonly=True) as store:
        (row,) = store.interactions()
        stored = store.report(row["id"]).to_dict()
    assert stored["transcript"] == out["listen"]["transcript"]  # kept as it was told
    return out


def _turn(u: dict) -> dict | None:
    mid = (u["start"] + u["end"]) / 2
    found = [t for t in SCRIPT["turns"] if t["start"] - 0.6 <= mid <= t["end"] + 0.6]
    return found[0] if len(found) == 1 else None


def _words(report: dict) -> list[tuple[str, float, float, str]]:
    return [(u["speaker"], u["start"], u["end"], u["text"]) for u in report["transcript"]]


def _findings(report: dict) -> list[tuple[str, str, str]]:
    return sorted((f["rule"], f["kind"], f["speaker"]) for f in report["findings"])


def _dropped(report: dict) -> list[tuple[str, str, str, float, float]]:
    return [(d["reason"], d["action"], d["speaker"], d["start"], d["end"])
            for d in report["analyzer"]["asr"]["attribution"]["dropped"]]


@pytest.mark.slow
def test_every_path_gives_the_swapped_hall_the_same_roles_words_and_findings(reports):
    filed = reports["analyze"]
    assert filed["transcript"] and filed["hall"] == HALL
    for u in filed["transcript"]:  # the hall's mapping: the clerk is on channel 1
        turn = _turn(u)
        assert turn is not None and turn["speaker"] == u["speaker"], (u, turn)
    assert {u["speaker"] for u in filed["transcript"]} == {"staff", "citizen"}
    assert not any("投诉" in u["text"] for u in filed["transcript"] if u["speaker"] == "staff")
    assert {(d[0], d[1]) for d in _dropped(filed)} >= {("crosstalk", "silenced")}
    for path in ("batch", "stream", "listen"):
        report = reports[path]
        assert _words(report) == _words(filed), path
        assert _findings(report) == _findings(filed), path
        assert _dropped(report) == _dropped(filed), path
        assert report["score"] == filed["score"], path
    for path in ("stream", "listen"):  # what needed the whole call ran when it ended
        block = reports[path]["analyzer"]["asr"]["attribution"]
        assert block["at_call_end"] == ["crosstalk", "background"]
    assert "at_call_end" not in filed["analyzer"]["asr"]["attribution"]


def test_a_live_line_takes_its_roles_from_the_hall_mapping():
    """Without recognition: the stream resolves roles as a recording does (header's hall)."""
    from analyzer.speech.meta import CallMeta
    from analyzer.stream import StreamAnalyzer

    class Deaf:
        def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
            return [[] for _ in tracks]

    options = _options()
    swapped = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=Deaf(),
                             about=CallMeta(hall=HALL))
    plain = StreamAnalyzer(options, SR, 2, channel="counter", recognizer=Deaf())
    assert [t.speaker for t in swapped.tracks] == ["citizen", "staff"]
    assert [t.speaker for t in plain.tracks] == ["staff", "citizen"]
