"""The listener's door and limits (issue 26 #2, #3, #5, #6, #15), the PBX protocols and the
line client (issue 27): a real LiveServer on real sockets, in-process, hearing through a
stand-in recognizer (no model is loaded; the words are not what is tested here)."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import socket
import time
import uuid
import wave
from pathlib import Path

import numpy as np
import pytest
from audio_factory import SR, speech, to_int16, write_wav
from live_fixture import Running

from analyzer.config import ListenConfig
from analyzer.errors import AudioError, OptionError
from analyzer.options import AnalyzerOptions
from analyzer.types import Utterance, Word

websockets = pytest.importorskip("websockets")

LINE_TOKEN, MONITOR_TOKEN = "line-token-0123456789", "monitor-token-0123456789"
HEADER = {"call_id": "c-1", "sample_rate": 8000, "channels": 1, "encoding": "s16le",
          "channel": "phone", "hall": "East hall", "window": "3", "staff": "S042"}


class Hears:
    """A stand-in recognizer: every piece it is given is heard as ``text``."""

    def __init__(self, text: str = "请您稍等") -> None:
        self.text = text

    def transcribe_many(self, tracks, options, *, verifier=None, cut=True):
        out = []
        for t in tracks:
            end = round(t.offset + t.samples.size / SR, 3)
            out.append([] if t.context else [Utterance(
                t.speaker, round(t.offset, 3), end, self.text,
                (Word(self.text, round(t.offset, 3), end),), 0.9, t.known)])
        return out


def _server(tmp: Path, access=None, **config):
    from analyzer.stream.server import LiveServer

    settings = {"db": tmp / "results.sqlite", "record_dir": tmp / "calls", **config}
    return LiveServer(AnalyzerOptions(), ListenConfig(**settings), access, recognizer=Hears())


def _pcm(seconds_of_speech: str = "请您稍等", rate: int = 8000) -> bytes:
    from audio_factory import resample

    x = np.concatenate([np.zeros(SR // 2, np.float32), speech(seconds_of_speech),
                        np.zeros(SR, np.float32)])
    return to_int16(resample(x, SR, rate)).tobytes()


async def _line(url: str, header: dict | str, audio: bytes = b"", *, token: str = "",
                chunk: int = 1600, end: bool = True, **connect) -> tuple[list[dict], int | None]:
    """A line by hand: header, audio, end; its events and close code."""
    headers = {"Authorization": f"Bearer {token}"} if token else None
    async with websockets.connect(url, additional_headers=headers, max_size=None,
                                  **connect) as ws:
        events: list[dict] = []

        async def receive() -> None:
            with contextlib.suppress(websockets.exceptions.ConnectionClosed):
                async for m in ws:
                    events.append(json.loads(m))

        receiving = asyncio.create_task(receive())
        with contextlib.suppress(websockets.exceptions.ConnectionClosed):  # refused early
            await ws.send(header if isinstance(header, str) else json.dumps(header))
            for i in range(0, len(audio), chunk):
                await ws.send(audio[i:i + chunk])
            if end:
                await ws.send(json.dumps({"type": "end"}))
        await receiving
        return events, ws.close_code


def _status(coro) -> int:
    """The HTTP status a refused WebSocket handshake got."""
    with pytest.raises(websockets.exceptions.InvalidStatus) as refused:
        asyncio.run(coro)
    return refused.value.response.status_code


def _tokens(tmp: Path) -> Path:
    path = tmp / "tokens.toml"
    digest = hashlib.sha256(MONITOR_TOKEN.encode()).hexdigest()
    path.write_text(f'[[line]]\nname = "pbx-east"\ntoken = "{LINE_TOKEN}"\nhalls = ["East hall"]\n'
                    f'\n[[monitor]]\nname = "review-app"\ntoken_sha256 = "{digest}"\n',
                    encoding="utf-8")
    return path


def test_each_door_opens_only_to_its_own_token_and_origin(tmp_path):
    """#2: a token per line source and per monitor, an Origin check, separate addresses."""
    from analyzer.stream.access import load_access

    access = load_access(_tokens(tmp_path), origins=["https://review.example"])
    with Running(_server(tmp_path, access)) as served:
        lines, monitor = served.doors.lines, served.doors.monitor
        assert _status(_line(lines, HEADER)) == 401  # anonymous
        assert _status(_line(lines, HEADER, token=MONITOR_TOKEN)) == 403  # the wrong door's
        assert _status(websockets.connect(monitor).__aenter__()) == 401
        assert _status(websockets.connect(monitor, additional_headers={
            "Authorization": f"Bearer {LINE_TOKEN}"}).__aenter__()) == 403
        assert _status(websockets.connect(monitor, origin="http://evil.example",
                                          additional_headers={"Authorization":
                                                              f"Bearer {MONITOR_TOKEN}"}
                                          ).__aenter__()) == 403
        assert _status(_line(lines, HEADER, token=LINE_TOKEN,
                             origin="http://evil.example")) == 403
        assert _status(_line(lines.rstrip("/") + "/monitor", HEADER, token=LINE_TOKEN)) == 404
        assert _status(_line(monitor.removesuffix("/monitor") + "/", HEADER,
                             token=MONITOR_TOKEN)) == 404

        async def watched() -> tuple[list[dict], list[dict], list[dict]]:
            auth = {"Authorization": f"Bearer {MONITOR_TOKEN}"}
            async with websockets.connect(monitor, additional_headers=auth,
                                          origin="https://review.example") as feed:
                snapshot = json.loads(await feed.recv())
                other, _ = await _line(lines, {**HEADER, "hall": "West hall"}, _pcm(),
                                       token=LINE_TOKEN)
                ours, _ = await _line(lines + "/?token=" + LINE_TOKEN, HEADER, _pcm())
                seen = []
                while not any(e["type"] == "ended" for e in seen):
                    seen.append(json.loads(await asyncio.wait_for(feed.recv(), 30)))
                return [snapshot], other, ours + seen

        snapshot, other, ours = asyncio.run(watched())
    assert snapshot == [{"type": "lines", "lines": []}]
    assert "may not send calls of hall 'West hall'" in other[0]["message"]
    assert any(e["type"] == "stored" for e in ours)
    sidecar = json.loads((tmp_path / "calls" / "c-1.json").read_text(encoding="utf-8"))
    assert sidecar["meta"]["line_source"] == "pbx-east"  # who sent it is kept with the call


def test_the_listener_will_not_serve_beyond_loopback_without_tokens(tmp_path):
    from click.testing import CliRunner

    from analyzer.cli import main

    with pytest.raises(OptionError, match="--tokens"):
        _server(tmp_path, host="0.0.0.0")
    with pytest.raises(OptionError, match="--tokens"):
        _server(tmp_path, monitor_host="0.0.0.0")
    result = CliRunner().invoke(main, ["stream", "--listen", "0.0.0.0:0"])
    assert result.exit_code == 2 and "--tokens" in result.output
    bad = tmp_path / "t.toml"
    bad.write_text('[[line]]\nname = "a"\ntoken = "short"\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["stream", "--listen", "127.0.0.1:0", "--tokens", str(bad)])
    assert result.exit_code == 2 and "t.toml" in result.output and "16 characters" in result.output


def test_a_lone_surrogate_in_a_header_is_refused_and_every_feed_goes_on(tmp_path):
    """#5: such a header silenced every /monitor and the /live relay and lost its call."""
    from analyzer.stream.link import wire

    bad = json.dumps({**HEADER, "call_id": "bad"}).replace('"East hall"', '"East \\ud800"')
    with Running(_server(tmp_path)) as served:
        async def session() -> tuple[list[dict], int | None, list[dict]]:
            async with websockets.connect(served.doors.monitor) as feed:
                await feed.recv()
                refused, code = await _line(served.doors.lines, bad, _pcm())
                await _line(served.doors.lines, HEADER, _pcm())
                seen = []
                while not any(e["type"] == "ended" for e in seen):
                    seen.append(json.loads(await asyncio.wait_for(feed.recv(), 30)))
                return refused, code, seen

        refused, code, seen = asyncio.run(session())
    assert code == 1008 and "'hall'" in refused[0]["message"]
    assert "surrogate" in refused[0]["message"]
    assert {e["call_id"] for e in seen} == {"c-1"}  # the monitor still hears the next call
    assert json.loads(wire({"text": "a\ud800b"}))["text"] == "a\ud800b"  # escaped, not raised
    wire({"text": "a\ud800b"}).encode("utf-8")


def test_an_idle_line_is_ended_and_frees_its_place(tmp_path):
    """#6: lines that sent only their header held their places for ever."""
    with Running(_server(tmp_path, max_lines=2, idle_seconds=0.5)) as served:
        async def session() -> tuple[list, list[dict]]:
            idle = [asyncio.create_task(_line(served.doors.lines, {**HEADER, "call_id": f"i{k}"},
                                              end=False)) for k in range(2)]
            await asyncio.sleep(0.2)
            busy, _ = await _line(served.doors.lines, {**HEADER, "call_id": "x"}, end=False)
            ended = await asyncio.gather(*idle)
            taken, _ = await _line(served.doors.lines, HEADER, _pcm())
            return [busy, *ended], taken

        (busy, *ended), taken = asyncio.run(session())
    assert "2 lines are live" in busy[0]["message"]  # full while the idle ones held on
    for events, code in ended:
        assert code == 1008 and any("no audio for 0.5 s" in e.get("message", "") for e in events)
    assert [e["type"] for e in taken][-2:] == ["stored", "ended"]  # then a line is taken


def test_a_line_past_its_limit_is_ended_and_what_it_sent_is_kept(tmp_path):
    """#3: no limit on a call's length or bytes; 1 GiB of audio took 5.5 GiB of memory."""
    audio = _pcm("请您稍等，我帮您查询一下，请您出示身份证") * 2
    with Running(_server(tmp_path, max_call_seconds=2.0)) as served:
        events, code = asyncio.run(_line(served.doors.lines, HEADER, audio))
    assert code == 1008
    assert any("passed its limit of 2 s" in e.get("message", "") for e in events)
    stored = next(e for e in events if e["type"] == "stored")
    with wave.open(stored["recording"], "rb") as w:
        assert w.getnframes() == 2 * 8000  # the first 2 s, kept


def test_a_calls_audio_is_on_disk_as_it_arrives_not_in_memory(tmp_path):
    """#3 and #7: the spool holds what arrived at once; the analysis keeps its audio in a file."""
    from analyzer.stream.spool import SampleFile

    server = _server(tmp_path)
    with Running(server) as served:
        async def session() -> tuple[int, int, bool]:
            async with websockets.connect(served.doors.lines) as ws:
                await ws.send(json.dumps(HEADER))
                sent = _pcm()[:8000 * 2 * 2]  # 2 s
                await ws.send(sent)
                while "c-1" not in server.lines or server.lines["c-1"].spool.bytes < len(sent):
                    await asyncio.sleep(0.05)
                session = server.lines["c-1"]
                on_disk = session.spool.raw.stat().st_size
                await ws.send(json.dumps({"type": "end"}))
                async for _ in ws:
                    pass
                return len(sent), on_disk, isinstance(session.analyzer.audio, SampleFile)

        sent, on_disk, spilled = asyncio.run(session())
    assert on_disk == sent and spilled
    assert not list((tmp_path / "calls" / ".spool").glob("c-1*"))  # kept: the spool is gone


def test_a_live_recording_never_replaces_a_file(tmp_path):
    """#15: a live call's sidecar overwrote an existing <call_id>.json (a typed transcript)."""
    from analyzer.stream.line import LineHeader
    from analyzer.stream.record import write_recording

    folder = tmp_path / "calls"
    folder.mkdir()
    transcript = folder / "c-1.json"
    transcript.write_text('{"channel": "counter", "utterances": []}', encoding="utf-8")
    (folder / "c-1-2.wav").write_bytes(b"RIFF")  # another call's recording, no sidecar yet
    raw = tmp_path / "c-1.raw"
    raw.write_bytes(_pcm())
    header = LineHeader.parse(json.dumps(HEADER))
    path = write_recording(folder, header, raw)
    assert path == folder / "c-1-3.wav" and (folder / "c-1-3.json").is_file()
    assert transcript.read_text(encoding="utf-8") == '{"channel": "counter", "utterances": []}'
    assert (folder / "c-1-2.wav").read_bytes() == b"RIFF"
    with wave.open(str(path), "rb") as w:
        assert w.getframerate() == 8000 and w.getnframes() == len(_pcm()) // 2


def _audiosocket_call(port: int, call: uuid.UUID, pcm: bytes, kind: int = 0x10) -> bytes | None:
    """Asterisk's side of an AudioSocket call: UUID, 20 ms slin frames, a DTMF, hangup;
    what came back (None: the listener closed the connection on it)."""
    try:
        return _audiosocket_send(port, call, pcm, kind)
    except (ConnectionResetError, BrokenPipeError):
        return None


def _audiosocket_send(port: int, call: uuid.UUID, pcm: bytes, kind: int) -> bytes:
    from analyzer.stream.pbx import message

    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(message(0x01, call.bytes))
        frame = 320 if kind == 0x10 else 640
        for k, i in enumerate(range(0, len(pcm), frame)):
            sock.sendall(message(kind, pcm[i:i + frame]))
            if k == 5:
                sock.sendall(message(0x03, b"5"))  # a key pressed: passed over
        sock.sendall(message(0x00))
        sock.shutdown(socket.SHUT_WR)
        got = b""
        while data := sock.recv(4096):
            got += data
        return got


def test_asterisk_audiosocket_calls_are_taken_as_lines(tmp_path):
    """AudioSocket as docs.asterisk.org describes it; peers allowed by address only."""
    from analyzer.stream.access import Access

    server = _server(tmp_path, audiosocket_host="127.0.0.1", audiosocket_hall="Hotline hall",
                     audiosocket_window="12345")
    call = uuid.UUID("3b2a0f4e-8c1d-4c4e-9a59-2f1e0b6c7d81")
    with Running(server) as served:
        port = int(served.doors.audiosocket.rsplit(":", 1)[1])
        back = _audiosocket_call(port, call, _pcm())
        deadline = time.monotonic() + 60
        while not (tmp_path / "calls" / f"{call}.json").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    assert back == b""  # nothing is played to the caller
    sidecar = json.loads((tmp_path / "calls" / f"{call}.json").read_text(encoding="utf-8"))
    assert (sidecar["id"], sidecar["hall"], sidecar["window"], sidecar["channel"]) == (
        str(call), "Hotline hall", "12345", "phone")
    assert sidecar["meta"]["line_source"] == "audiosocket 127.0.0.1"
    with wave.open(str(tmp_path / "calls" / f"{call}.wav"), "rb") as w:
        assert (w.getframerate(), w.getnchannels(), w.getnframes()) == (8000, 1,
                                                                       len(_pcm()) // 2)
    closed = Access(audiosocket_peers=("10.0.0.0/8",))
    refused = _server(tmp_path / "refused", closed, audiosocket_host="127.0.0.1")
    with Running(refused) as served:
        port = int(served.doors.audiosocket.rsplit(":", 1)[1])
        assert _audiosocket_call(port, call, _pcm()) in (b"", None)  # closed on it
    kept = tmp_path / "refused" / "calls"  # made at start, but nothing taken into it
    assert not [p for p in kept.rglob("*") if p.is_file()]


def test_freeswitch_mod_audio_fork_calls_are_taken_as_lines(tmp_path):
    """mod_audio_fork: metadata text frame (a dialplan's single quotes), L16 stereo frames,
    a send_text frame, close; events back as its ``transcription`` messages."""
    staff = to_int16(np.frombuffer(_pcm(rate=16000), "<i2").astype(np.float32) / 32768)
    stereo = np.stack([np.zeros_like(staff), staff], axis=1).ravel().astype("<i2").tobytes()
    with Running(_server(tmp_path)) as served:
        async def fork() -> tuple[list[dict], str | None]:
            url = served.doors.lines + "/audio_fork?rate=16k&mix=stereo&staff=1"
            async with websockets.connect(url, subprotocols=["audio.drachtio.org"]) as ws:
                await ws.send("{'callid': 'fs-77', 'hall': 'East hall', 'from': '1000'}")
                for i in range(0, len(stereo), 1280):
                    await ws.send(stereo[i:i + 1280])
                    if i == 12800:
                        await ws.send('{"event": "dtmf", "digit": "1"}')
                await ws.close()
                return [], ws.subprotocol

        _, protocol = asyncio.run(fork())
        deadline = time.monotonic() + 60
        while not (tmp_path / "calls" / "fs-77.json").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    assert protocol == "audio.drachtio.org"
    sidecar = json.loads((tmp_path / "calls" / "fs-77.json").read_text(encoding="utf-8"))
    assert sidecar["stereo_speakers"] == ["citizen", "staff"] and sidecar["hall"] == "East hall"
    with wave.open(str(tmp_path / "calls" / "fs-77.wav"), "rb") as w:
        assert (w.getframerate(), w.getnchannels()) == (16000, 2)


def test_fork_header_reads_the_url_and_metadata_and_names_what_is_wrong():
    from analyzer.stream.pbx import fork_header

    h = fork_header("/audio_fork?rate=8000&mix=mono", '{"uuid": "u-1", "timestamp": '
                                                      '"2026-11-12 10:55:00"}')
    assert (h.call_id, h.sample_rate, h.channels, h.started_at) == ("u-1", 8000, 1,
                                                                    "2026-11-12 10:55:00")
    assert fork_header("/audio_fork", "").call_id.startswith("fork-")
    for path, meta, message in [("/audio_fork?rate=fast", "{}", "rate"),
                                ("/audio_fork?mix=quad", "{}", "mix"),
                                ("/audio_fork?staff=2", "{}", "staff"),
                                ("/audio_fork", "[1]", "JSON object"),
                                ("/audio_fork", b"\x00", "binary"),
                                ("/audio_fork", '{"hall": "\\ud800"}', "surrogate")]:
        with pytest.raises(AudioError, match=message):
            fork_header(path, meta)


def test_conduct_line_send_feeds_a_recording_to_the_listener(tmp_path):
    """The shipped client: the header from the options and the sidecar, G.711 on the wire."""
    from click.testing import CliRunner

    from analyzer.cli import main

    x = np.frombuffer(_pcm(rate=16000), "<i2").astype(np.float32) / 32768
    path = write_wav(tmp_path / "desk.wav", np.stack([x, np.zeros_like(x)]))
    (tmp_path / "desk.json").write_text(json.dumps({"id": "desk-9", "channel": "counter",
                                                    "hall": "East hall", "staff": "S042"}),
                                        encoding="utf-8")
    with Running(_server(tmp_path)) as served:
        result = CliRunner().invoke(main, ["line", "send", str(path), served.doors.lines,
                                           "--encoding", "mulaw", "--rate", "8000", "--fast",
                                           "--window", "7"])
        refused = CliRunner().invoke(main, ["line", "send", str(path),
                                            served.doors.monitor.removesuffix("/monitor")])
    assert result.exit_code == 0, result.output
    events = [json.loads(x) for x in result.output.splitlines()]
    assert [e["type"] for e in events][-3:] == ["report", "stored", "ended"]
    report = next(e for e in events if e["type"] == "report")["report"]
    assert (report["id"], report["channel"], report["hall"], report["window"],
            report["staff"]) == ("desk-9", "counter", "East hall", "7", "S042")
    assert refused.exit_code == 2 and "refused the line: HTTP 404" in refused.output
