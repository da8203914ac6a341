"""`conduct stream --listen`: a real WebSocket server, real clients, the results database."""

from __future__ import annotations

import asyncio
import json
import re
import wave

import numpy as np
import pytest
from audio_factory import SR, pcm_bytes, phone_call, resample, speech, to_int16
from live_fixture import healed, listener

from analyzer.errors import AudioError
from analyzer.stream.line import ENCODINGS, FrameDecoder, LineHeader

websockets = pytest.importorskip("websockets")

HEADER = {"call_id": "c-1", "sample_rate": 8000, "channels": 1, "encoding": "mulaw",
          "channel": "phone", "hall": "East hall", "window": "3", "staff": "S042"}


def test_header_is_checked_field_by_field():
    header = LineHeader.parse(json.dumps(HEADER))
    assert (header.call_id, header.sample_rate, header.encoding, header.staff) == (
        "c-1", 8000, "mulaw", "S042")
    for bad, message in [
        (b"\x00\x01", "text frame"),
        ("not json", "not JSON"),
        ("[1, 2]", "JSON object"),
        (json.dumps({**HEADER, "rate": 8000}), "unknown header field"),
        (json.dumps({k: v for k, v in HEADER.items() if k != "encoding"}), "'encoding' is missing"),
        (json.dumps({**HEADER, "encoding": "opus"}), "must be one of s16le, mulaw, alaw"),
        (json.dumps({**HEADER, "sample_rate": 100}), "8000 to 48000"),
        (json.dumps({**HEADER, "channels": True}), "must be an integer"),
        (json.dumps({**HEADER, "call_id": "../etc/passwd"}), "call_id"),
        # issue 26 #17: a trailing newline passed the regex ($) and became a file name
        (json.dumps({**HEADER, "call_id": "c-1\n"}), "'call_id' must be"),
        # #16: started_at was not checked (garbage, NUL, 3,000 characters were stored)
        (json.dumps({**HEADER, "started_at": "next tuesday"}), "'started_at' must be an ISO"),
        (json.dumps({**HEADER, "started_at": "2023-05-04T09:30:00\u0000"}), "control character"),
        (json.dumps({**HEADER, "started_at": "2" * 3000}), "longer than 64"),
        # #18: deep nesting was a RecursionError traceback
        ('{"call_id": ' + "[" * 2000 + "]" * 2000 + "}", "nested too deeply"),
        # #5 / #21: unpaired surrogates, controls and bidi overrides in the text fields
        (json.dumps({**HEADER, "hall": "East \ud800"}), "'hall' holds an unpaired surrogate"),
        (json.dumps({**HEADER, "staff": "S-\u202e1000"}), "'staff' holds the format character"),
        (json.dumps({**HEADER, "window": "3\r=1"}), "'window' holds the control character"),
        (json.dumps({**HEADER, "hall": "x" * 201}), "longer than 200"),
        ('{"call_id": "a", "call_id": "b"}', "given twice"),
        (json.dumps({**HEADER, "stereo_speakers": ["staff"]}), "two of staff, citizen"),
    ]:
        with pytest.raises(AudioError, match=message):
            LineHeader.parse(bad)
    good = LineHeader.parse(json.dumps({**HEADER, "started_at": "2023-05-04T09:30:00+08:00",
                                        "stereo_speakers": ["citizen", "staff"]}))
    assert good.stereo_speakers == ("citizen", "staff")
    assert LineHeader.parse(json.dumps(good.to_dict())) == good  # what the spool keeps


def test_g711_and_pcm_frames_decode_to_the_samples_sent():
    audioop = pytest.importorskip("audioop")  # the standard library's G.711 (Python < 3.13)
    x = to_int16(0.5 * np.sin(np.linspace(0, 200, 4000)).astype(np.float32))
    for encoding, encode, decode in [("mulaw", audioop.lin2ulaw, audioop.ulaw2lin),
                                     ("alaw", audioop.lin2alaw, audioop.alaw2lin)]:
        sent = encode(x.tobytes(), 2)
        decoder = FrameDecoder(LineHeader.parse(json.dumps({**HEADER, "encoding": encoding})))
        got = np.concatenate([decoder.decode(sent[i:i + 333]) for i in range(0, len(sent), 333)])
        np.testing.assert_array_equal(got, np.frombuffer(decode(sent, 2), "<i2"))
        assert np.abs(got.astype(float) - x).max() < 0.05 * 32768  # close to what was spoken
    stereo = FrameDecoder(LineHeader.parse(json.dumps(
        {**HEADER, "encoding": "s16le", "channels": 2})))
    pcm = np.arange(10, dtype="<i2").tobytes()
    assert stereo.decode(pcm[:7]).tolist() == [0, 1]  # a split sample frame waits for the rest
    assert stereo.decode(pcm[7:]).tolist() == list(range(2, 10))
    assert set(ENCODINGS) == {"s16le", "mulaw", "alaw"}


def _g711(x: np.ndarray, encoding: str) -> bytes:
    """Encode float samples as G.711 with the decoder's own tables (nearest code)."""
    from analyzer.stream.line import _TABLES

    table = _TABLES[encoding].astype(np.int32)
    order = np.argsort(table)
    ints = to_int16(x).astype(np.int32)
    pos = np.clip(np.searchsorted(table[order], ints), 1, 255)
    lower, upper = order[pos - 1], order[pos]
    pick = np.where(np.abs(table[lower] - ints) <= np.abs(table[upper] - ints), lower, upper)
    return pick.astype(np.uint8).tobytes()


def _lines() -> dict[str, tuple[dict, bytes]]:
    """Three calls: stereo s16le 16 kHz with a forbidden phrase, mono mu-law and A-law 8 kHz."""
    script = [("staff", "您好，请问有什么可以帮您？"), ("citizen", "我想问一下营业执照怎么办理"),
              ("staff", "我不知道，你去问别人")]
    call, _, _, _ = phone_call(rings=2, script=script)
    counter = np.concatenate([np.zeros(SR // 2), speech("请您对我的服务做出评价，谢谢，再见"),
                              np.zeros(SR)])
    narrow = resample(counter.astype(np.float32), SR, 8000)
    base = {"hall": "East hall", "window": "3", "staff": "S042"}
    return {
        "stereo": ({**base, "call_id": "stereo", "sample_rate": SR, "channels": 2,
                    "encoding": "s16le", "channel": "phone"}, pcm_bytes(call)),
        "mu": ({**base, "call_id": "mu", "sample_rate": 8000, "channels": 1,
                "encoding": "mulaw", "channel": "counter"}, _g711(narrow, "mulaw")),
        "a": ({**base, "call_id": "a", "sample_rate": 8000, "channels": 1,
               "encoding": "alaw", "channel": "counter"}, _g711(narrow, "alaw")),
    }


async def _call(url: str, header: dict, audio: bytes, chunk: int) -> list[dict]:
    async with websockets.connect(url, max_size=None) as ws:
        await ws.send(json.dumps(header))
        for i in range(0, len(audio), chunk):
            await ws.send(audio[i:i + chunk])
            await asyncio.sleep(0)
        await ws.send(json.dumps({"type": "end"}))
        return [json.loads(m) async for m in ws]


async def _bad_line(url: str, first: str | bytes) -> tuple[list[dict], int | None]:
    events = []
    async with websockets.connect(url) as ws:
        await ws.send(first)
        try:
            while True:
                events.append(json.loads(await ws.recv()))
        except websockets.exceptions.ConnectionClosed:
            return events, ws.close_code


async def _dropped(url: str, audio: bytes) -> None:
    ws = await websockets.connect(url)
    await ws.send(json.dumps({**HEADER, "call_id": "dropped", "encoding": "s16le",
                              "sample_rate": SR, "channel": "counter"}))
    await ws.send(audio)
    while json.loads(await ws.recv())["type"] != "utterance":
        pass  # the server has taken the audio (its speech has ended and was heard)
    ws.transport.abort()  # the line drops: no close frame


async def _session(url: str, monitor_url: str) -> dict:
    lines = _lines()
    seen: list[dict] = []

    async def watch(monitor) -> None:
        while sum(e["type"] == "ended" for e in seen) < 4:  # 3 calls + the dropped one
            seen.append(json.loads(await monitor.recv()))

    async with websockets.connect(monitor_url, max_size=None) as monitor:
        snapshot = json.loads(await monitor.recv())
        watching = asyncio.create_task(watch(monitor))
        speech_pcm = to_int16(np.concatenate([speech("请您稍等"), np.zeros(SR)])).tobytes()
        results = await asyncio.gather(
            *(_call(url, header, audio, 1600) for header, audio in lines.values()),
            _bad_line(url, json.dumps({**HEADER, "encoding": "opus"})),
            _bad_line(url, b"\x00\x01binary first"),
            _dropped(url, speech_pcm))
        await asyncio.wait_for(watching, 600)
    return {"snapshot": snapshot, "calls": dict(zip(lines, results[:3], strict=True)),
            "bad_header": results[3], "binary_header": results[4], "monitor": seen}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`conduct stream --listen` on a free port, with a results database; 3 lines + bad ones."""
    tmp = tmp_path_factory.mktemp("listen")
    db, folder = tmp / "results.sqlite", tmp / "calls"
    with listener(db, folder) as served:
        result = asyncio.run(_session(served.url, served.monitor))
    yield {**result, "db": db, "folder": folder, "returncode": served.proc.returncode,
           "log": "".join(served.stderr)}


@pytest.mark.slow
def test_three_concurrent_lines_each_get_their_events_and_report(served):
    """Each line gets its events and report. The G.711 counter lines (μ-law, A-law) must
    carry the clerk's words *live*: in the transcript the line tells before its report —
    each utterance as first heard, healed by the ``revision`` the utterance's second
    hearing tells where that hearing (the file path's bin and window, the report's words)
    changed them. The first hearing alone is not asked for: in a short first window
    (``stream.first_window_seconds`` 15 or 20) the A-law line's first hearing lost 服务, and
    its second hearing, told while the line is still open, gives it back. And the healed
    transcript is the stored report's, word for word."""
    calls = served["calls"]
    for name, events in calls.items():
        types = [e["type"] for e in events]
        assert types[-3:] == ["report", "stored", "ended"], (name, types)
        assert all(e["call_id"] == name for e in events)
        assert "utterance" in types and all("emitted_at" in e for e in events[:-2])
        report = events[types.index("report")]["report"]
        assert report["id"] == name and (report["hall"], report["staff"]) == ("East hall", "S042")
    stereo = calls["stereo"]
    assert "ring" in [e["type"] for e in stereo]
    assert "A8-F-01" in {e.get("rule") for e in stereo if e["type"] == "finding"}
    assert {u["speaker"] for u in stereo if u["type"] == "utterance"} == {"staff", "citizen"}
    for name in ("mu", "a"):  # G.711 lines are heard: the counter clerk's words come through
        events = calls[name]
        shown = healed(events)
        text = "".join(u["text"] for u in shown)
        words = re.sub(r"[，,。.！!？?、\s]", "", text)  # the words, however the build punctuates them
        assert "服务" in words and "谢谢" in words, (name, text, events)
        report = next(e for e in events if e["type"] == "report")["report"]
        assert [(u["speaker"], u["text"]) for u in shown] == [
            (u["speaker"], u["text"]) for u in report["transcript"]], (name, events)


@pytest.mark.slow
def test_bad_lines_get_an_error_and_close_alone(served):
    events, code = served["bad_header"]
    assert events[0]["type"] == "error" and "encoding" in events[0]["message"] and code == 1008
    events, code = served["binary_header"]
    assert "text frame" in events[0]["message"] and code == 1008
    dropped = [e for e in served["monitor"] if e.get("call_id") == "dropped"]
    assert any(e["type"] == "error" and "dropped" in e["message"] for e in dropped)
    assert any(e["type"] == "ended" and e["dropped"] for e in dropped)  # what came is kept


@pytest.mark.slow
def test_monitor_sees_every_line_and_finished_calls_are_stored_as_the_batch_would(served):
    from analyzer.batch import run_batch
    from analyzer.store import Store

    assert served["snapshot"] == {"type": "lines", "lines": []}
    monitor = served["monitor"]
    opened = {e["call_id"] for e in monitor if e["type"] == "line"}
    assert {"stereo", "mu", "a", "dropped"} <= opened
    assert any(e["type"] == "finding" and e["call_id"] == "stereo" for e in monitor)
    ended = {e["call_id"]: e for e in monitor if e["type"] == "ended"}
    with Store(served["db"], readonly=True) as store:
        rows = {r["interaction_id"]: r for r in store.interactions()}
    assert {"stereo", "mu", "a", "dropped"} <= set(rows)
    assert ended["stereo"]["interaction"] == rows["stereo"]["id"]
    assert (served["folder"] / "stereo.wav").is_file()
    assert json.loads((served["folder"] / "stereo.json").read_text())["staff"] == "S042"
    # the nightly batch over the recordings finds every call already analysed
    summary = run_batch(served["folder"], served["db"])
    assert summary.skipped == 4 and summary.analysed == 0
    assert served["returncode"] == 0
    # the listener logs each call: who sent it, its metadata, length, findings, where it went
    log = served["log"]
    assert "line stereo opened by loopback: phone, 2 ch, 16000 Hz s16le, hall 'East hall'" in log
    ended = next(x for x in log.splitlines() if x.startswith("INFO: call stereo from loopback"))
    assert "ended after" in ended and "A8-F-01" in ended
    assert f"stored as interaction {rows['stereo']['id']}" in ended


def test_listen_options_are_checked(tmp_path):
    from click.testing import CliRunner

    from analyzer.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["stream", "--listen", "localhost"])
    assert result.exit_code == 2 and "HOST:PORT" in result.output
    result = runner.invoke(main, ["stream", "-", "--db", str(tmp_path / "r.sqlite")])
    assert result.exit_code == 2 and "--listen" in result.output
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    result = runner.invoke(main, ["stream", "--listen", "127.0.0.1:0", "--db", str(bad)])
    assert result.exit_code == 2 and "bad.sqlite" in result.output


@pytest.mark.slow
def test_a_killed_listener_loses_no_call_in_progress(tmp_path):
    """Issue 26 #7: kill -9 of the listener lost every call in progress (audio was held in
    memory until the call ended). Now it is on disk as it arrives; the next start analyses
    and stores it before taking new lines."""
    import contextlib
    import os
    import signal
    import threading
    import time

    from live_fixture import paced_line

    from analyzer.store import Store

    db, folder = tmp_path / "results.sqlite", tmp_path / "calls"
    script = [("staff", "您好，请问有什么可以帮您？"), ("citizen", "我想问一下营业执照怎么办理"),
              ("staff", "请您带上身份证到三号窗口办理"), ("citizen", "好的，谢谢你"),
              ("staff", "请您对我的服务做出评价，谢谢，再见")]
    call, _, _, _ = phone_call(rings=1, script=script)
    pcm = pcm_bytes(call)
    header = {**HEADER, "call_id": "killed", "sample_rate": SR, "channels": 2,
              "encoding": "s16le"}
    raw = folder / ".spool" / "killed.raw"
    with listener(db, folder) as served:
        def send() -> None:
            with contextlib.suppress(websockets.exceptions.ConnectionClosed):  # killed
                asyncio.run(paced_line(served.url, header, pcm, SR * 4))

        line = threading.Thread(target=send, daemon=True)
        line.start()
        deadline = time.monotonic() + 120
        while (not raw.exists() or raw.stat().st_size < 8 * SR * 4) \
                and time.monotonic() < deadline:
            time.sleep(0.1)
        os.kill(served.proc.pid, signal.SIGKILL)  # mid-call, no chance to clean up
        served.proc.wait(30)
        on_disk = raw.stat().st_size
    assert on_disk >= 8 * SR * 4 and not list(folder.glob("killed*.wav"))
    with listener(db, folder) as again:
        log = "".join(again.stderr)
    assert "call killed recovered from the spool" in log, log
    with wave.open(str(folder / "killed.wav"), "rb") as w:
        assert w.getnframes() * 4 == on_disk  # everything the dead listener had taken
    assert json.loads((folder / "killed.json").read_text(encoding="utf-8"))["staff"] == "S042"
    with Store(db, readonly=True) as store:
        (row,) = [r for r in store.interactions() if r["interaction_id"] == "killed"]
        report = store.report(row["id"]).to_dict()
    assert report["transcript"]  # analysed as the recording it now is
    assert not raw.exists()
