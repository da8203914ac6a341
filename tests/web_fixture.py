"""A real results database for the web app and example tests.

:func:`build_review_db` runs the real analyzer (``analyzer.analyze``) on the
shipped example transcripts, on transcripts written here (one with a
citizen's phone number, ID card number and address), and on one short stereo
WAV synthesised with espeak-ng (staff on the left channel, citizen on the
right), and stores every report with the real :class:`analyzer.store.Store`.
It also adds users of each role with :mod:`analyzer.web.auth`.

The WAV is stored twice: once analysed from audio (faster-whisper, the
product's audio path) and once as the typed transcript of the same script,
whose times are those of the synthesised turns and whose ``audio`` entry
points at the WAV. The second gives the browser test findings at known times
in a playable recording.

The build is cached in the given folder, so test modules sharing a pytest
base temp folder build it once.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from audio_factory import Turn, conversation, write_wav

from analyzer import analyze
from analyzer.options import AnalyzerOptions
from analyzer.store import Store, analysis_key, content_hash_of_file, content_hash_of_interaction
from analyzer.text.transcript import parse_interaction
from analyzer.web import auth

ROOT = Path(__file__).resolve().parent.parent
#: The analyzer's defaults (learned classifiers included).
OPTIONS = AnalyzerOptions()
USERS = {
    "insp": ("inspector", "inspector-pass-1"),
    "trainer": ("trainer", "trainer-pass-1"),
    "sup": ("supervisor", "supervisor-pass-1"),
    "sup2": ("supervisor", "supervisor-pass-2"),
    "boss": ("admin", "admin-pass-123"),
}
PHONE_SCRIPT = [
    Turn("staff", 0.3, "您好，这里是东城政务大厅三号窗口"),
    Turn("citizen", 4.0, "我的电话是幺三八一二三四五六七八"),
    Turn("staff", 9.0, "下班了，明天再来"),
    Turn("staff", 12.0, "请您慢走，再见"),
]


@dataclass
class ReviewFixture:
    """Paths and keys of a built review database."""

    db: Path
    recordings: Path
    wav: Path
    pks: dict[str, int] = field(default_factory=dict)


def _store_report(store: Store, report, interaction, content_hash: str, path: str) -> int:
    key = analysis_key(content_hash, str(report.analyzer.model or ""),
                       str(report.analyzer.lexicon_version))
    return store.save_report(report, run_id=None, content_hash=content_hash, path=path, key=key,
                             interaction=interaction)


def _transcripts(wav_rel: str, turns: list[Turn]) -> list[dict]:
    """Transcript records written for these tests (besides the shipped examples)."""
    phone = {
        "id": "phone-audio-script", "channel": "phone", "hall": "东城区政务服务大厅", "window": "3",
        "staff": "S-0101", "started_at": "2026-11-20T09:00:00+08:00", "rings": 2,
        "audio": wav_rel,
        "utterances": [{"speaker": t.speaker, "start": round(t.start, 3), "end": round(t.end, 3),
                        "text": t.text} for t in turns],
    }
    pii = {
        "id": "counter-pii", "channel": "counter", "hall": "西城区政务服务大厅", "window": "5",
        "staff": "S-0202", "started_at": "2026-11-21T10:00:00+08:00",
        "utterances": [
            {"speaker": "staff", "start": 0.0, "end": 2.5, "text": "您好，请问要办理什么业务？"},
            {"speaker": "citizen", "start": 3.0, "end": 9.0,
             "text": "我要寄证件，身份证号是一一零一零一一九九零零三零七八五一五，电话13812345678"},
            {"speaker": "citizen", "start": 9.5, "end": 14.0,
             "text": "我住在北京市朝阳区建国路八十八号三单元502室"},
            {"speaker": "staff", "start": 15.0, "end": 17.0, "text": "有牌子，自己看。"},
            {"speaker": "staff", "start": 18.0, "end": 21.0, "text": "请您为我的服务做出评价，谢谢"},
            {"speaker": "staff", "start": 21.5, "end": 23.0, "text": "请您慢走，再见"},
        ],
    }
    return [phone, pii]


def build_review_db(base: Path, *, with_asr: bool = True) -> ReviewFixture:
    """Build (or reuse) the review database under ``base``.

    Args:
        base: A folder for the database and the recordings.
        with_asr: Also analyse the WAV from audio with faster-whisper.
    """
    recordings = base / "recordings"
    fixture = ReviewFixture(base / "results.sqlite", recordings, recordings / "calls" / "phone-a.wav")
    done = base / ("done-asr.json" if with_asr else "done.json")
    if done.exists():
        fixture.pks = json.loads(done.read_text())
        return fixture
    if base.exists():
        shutil.rmtree(base)
    fixture.wav.parent.mkdir(parents=True)
    turns = [Turn(t.speaker, t.start, t.text) for t in PHONE_SCRIPT]
    write_wav(fixture.wav, conversation(turns, tail=1.0))
    with Store(fixture.db) as store:
        for path in sorted((ROOT / "examples").glob("*.json")):
            report = analyze(path, OPTIONS)
            interaction = parse_interaction(json.loads(path.read_text("utf-8")), str(path),
                                            default_id=path.stem)
            fixture.pks[report.id] = _store_report(
                store, report, interaction, content_hash_of_interaction(interaction), str(path))
        for record in _transcripts("calls/phone-a.wav", turns):
            interaction = parse_interaction(record, "<test>")
            report = analyze(interaction, OPTIONS)
            fixture.pks[report.id] = _store_report(
                store, report, interaction, content_hash_of_interaction(interaction), f"{record['id']}.json")
        if with_asr:
            sidecar = fixture.wav.with_suffix(".json")
            sidecar.write_text(json.dumps({
                "id": "phone-audio-asr", "channel": "phone", "hall": "东城区政务服务大厅",
                "window": "3", "staff": "S-0101", "started_at": "2026-11-22T09:00:00+08:00"},
                ensure_ascii=False), "utf-8")
            report = analyze(fixture.wav, OPTIONS)
            fixture.pks[report.id] = _store_report(
                store, report, None, content_hash_of_file(fixture.wav), str(fixture.wav))
    with Store(fixture.db) as store:
        store.set_staff([("S-0101", "王小明", "东城区政务服务大厅"),
                         ("S-0202", "李四", "西城区政务服务大厅")], user="fixture")
    con = auth.connect(fixture.db)
    for name, (role, password) in USERS.items():
        auth.add_user(con, name, role, password)
    con.close()
    done.write_text(json.dumps(fixture.pks))
    return fixture


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(db: Path, recordings: Path | None, *extra: str) -> Iterator[str]:
    """Run ``conduct serve`` (real uvicorn) on a free port; yield its base URL."""
    import httpx

    port = free_port()
    cmd = [sys.executable, "-m", "analyzer.cli", "serve", "--db", str(db), "--port", str(port), *extra]
    if recordings is not None:
        cmd += ["--recordings-root", str(recordings)]
    log = db.parent / f"server-{port}.log"
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(base + "/login", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start: {log.read_text()}") from None
                time.sleep(0.2)
        yield base
    finally:
        stop_process(proc, 10)


def stop_process(proc: subprocess.Popen, timeout: float) -> None:
    """Terminate a test server, killing it if it does not exit within ``timeout`` seconds."""
    proc.terminate()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()


def copy_db(fixture: ReviewFixture, dest: Path) -> Path:
    """A private copy of the fixture database (tests that write verdicts use one each)."""
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / "results.sqlite"
    src, out = sqlite3.connect(fixture.db), sqlite3.connect(target)
    try:
        src.backup(out)
    finally:
        src.close()
        out.close()
    return target


def asgi_get(db: Path, name: str, password: str, path: str,
             headers: dict[str, str] | None = None):
    """Log in to the app in-process (``httpx.ASGITransport``) and GET ``path``; the response."""
    import asyncio
    import re

    import httpx

    from analyzer.web import create_app

    async def script():
        transport = httpx.ASGITransport(app=create_app(db))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            page = await client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            await client.post("/login", data={"name": name, "password": password,
                                              "csrf_token": token, "next": "/"})
            return await client.get(path, headers=headers or {})

    return asyncio.run(script())
