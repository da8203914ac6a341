"""A real two-node Ray cluster on this machine: a node lost mid-batch loses no recording.

The test starts a Ray head and a second Ray node (two ``ray start --block``
processes, one CPU each, their own ports, temporary folders and a fresh
authentication token), runs ``conduct batch --executor ray --address ...
--ship-audio`` with two actors (one lands on each node), kills the second node's whole
process tree with SIGKILL once the first results are stored, and checks that
the batch still ends with every recording stored exactly once. Teardown stops
both nodes by the process ids this test started, never by name.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

RAY_BIN = Path(sys.executable).with_name("ray")
#: Six chunks of four (the executor's default chunk) for two actors holding two calls each:
#: when the first chunk's results are stored, the second node still holds a call it has
#: not finished, so killing it always loses work (with three chunks, a quiet machine could
#: finish the second node's only call before the driver stored anything).
RECORDINGS = 24
TURNS = [
    ("您好，请问您要办理什么业务？", "我想补办社保卡。"),
    ("请出示您的身份证。", "好的，给您。"),
    ("您好，请坐，有什么可以帮您？", "我来交医保。"),
    ("请稍等，我帮您查一下。", "谢谢你。"),
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ports() -> list[str]:
    """Every port a node opens, chosen free: two nodes share this machine."""
    args: list[str] = []
    for flag in ("--node-manager-port", "--object-manager-port", "--metrics-export-port",
                 "--dashboard-agent-listen-port", "--dashboard-agent-grpc-port",
                 "--runtime-env-agent-port", "--min-worker-port"):
        args += [flag, str(_free_port())]
    return [*args, "--max-worker-port", "0"]


def _children() -> dict[int, list[int]]:
    kids: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        kids.setdefault(ppid, []).append(int(entry.name))
    return kids


def _tree(pid: int) -> list[int]:
    """``pid`` and every process below it (read from /proc)."""
    kids, out, todo = _children(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += kids.get(p, [])
    return out


def _ours(pid: int, mark: bytes) -> bool:
    """``pid`` is alive and carries this cluster's token in its environment
    (a process id seen earlier may belong to someone else by now)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state != "Z" and mark in Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return False


def _kill(pids: Iterable[int], mark: bytes) -> None:
    for pid in pids:
        if _ours(pid, mark):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@dataclass
class RayNode:
    """One ``ray start --block`` process and every process it started."""

    proc: subprocess.Popen[bytes]
    log: Path
    mark: bytes
    seen: set[int] = field(default_factory=set)

    def wait_started(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_text(errors="replace")
            if "Ray runtime started" in text:
                self.seen.update(_tree(self.proc.pid))
                return
            if self.proc.poll() is not None:
                break
            time.sleep(0.5)
        raise AssertionError(f"ray start did not come up:\n{self.log.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the node's whole tree at once: the machine is gone."""
        pids = _tree(self.proc.pid)
        self.seen.update(pids)
        _kill(pids, self.mark)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        """Stop it as ``ray start --block`` stops on SIGTERM, then kill what is left."""
        self.seen.update(_tree(self.proc.pid))
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(timeout=30)
        _kill(sorted(self.seen - {self.proc.pid}), self.mark)
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


@dataclass
class Cluster:
    """A head and a second node on this machine, and how to reach them."""

    address: str
    env: dict[str, str]
    head: RayNode
    second: RayNode


def _start(args: list[str], log: Path, env: dict[str, str]) -> RayNode:
    with open(log, "wb") as out:
        proc = subprocess.Popen([str(RAY_BIN), "start", "--block", *args], env=env, stdout=out,
                                stderr=subprocess.STDOUT, start_new_session=True)
    return RayNode(proc, log, f"RAY_AUTH_TOKEN={env['RAY_AUTH_TOKEN']}".encode())


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    pytest.importorskip("ray")
    # Ray's sockets live under its temporary folder, and a Unix socket path has
    # at most 107 bytes: pytest's tmp_path is too deep for them.
    base = Path(tempfile.mkdtemp(prefix="cray", dir="/tmp"))
    port = _free_port()
    env = dict(os.environ, RAY_AUTH_MODE="token", RAY_AUTH_TOKEN=secrets.token_hex(32),
               RAY_USAGE_STATS_ENABLED="0", PYTHONUNBUFFERED="1")
    common = ["--node-ip-address", "127.0.0.1", "--num-cpus", "1",
              "--object-store-memory", str(100 * 1024 * 1024), "--disable-usage-stats"]
    nodes: list[RayNode] = []
    try:
        head = _start(["--head", "--port", str(port), "--temp-dir", str(base / "h"),
                       "--include-dashboard", "false", "--dashboard-port", str(_free_port()),
                       "--ray-client-server-port", str(_free_port()),
                       "--resources", json.dumps({"head_node": 1}), *common, *_ports()],
                      tmp_path / "head.log", env)
        nodes.append(head)
        head.wait_started()
        second = _start(["--address", f"127.0.0.1:{port}", "--temp-dir", str(base / "n"),
                         "--resources", json.dumps({"second_node": 1}), *common, *_ports()],
                        tmp_path / "second.log", env)
        nodes.append(second)
        second.wait_started()
        yield Cluster(f"127.0.0.1:{port}", env, head, second)
    finally:
        for node in reversed(nodes):
            node.stop()
        shutil.rmtree(base, ignore_errors=True)


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as con:
            return int(con.execute("SELECT COUNT(*) FROM interactions").fetchone()[0])
    except sqlite3.OperationalError:  # schema not created yet
        return 0


@pytest.mark.ray
@pytest.mark.slow
def test_batch_on_two_nodes_survives_losing_one(cluster: Cluster, tmp_path: Path) -> None:
    af = pytest.importorskip("audio_factory")
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(RECORDINGS):
        staff, citizen = TURNS[i % len(TURNS)]
        af.write_wav(folder / f"visit-{i:02d}.wav", af.gain(af.conversation(
            [af.Turn("staff", 0.3, staff), af.Turn("citizen", 3.2, citizen)], seconds=6.0),
            -0.5 * i))  # every file different content
    db = tmp_path / "r.sqlite"
    summary = tmp_path / "summary.json"
    cmd = [sys.executable, "-m", "analyzer.cli", "-v", "batch", str(folder), "--db", str(db),
           "--executor", "ray", "--address", cluster.address, "--workers", "2",
           "--threads-per-worker", "1", "--no-progress", "--format", "json", "-o", str(summary),
           "--ship-audio", "--set", "classifier.enabled=false"]
    log = tmp_path / "batch.log"
    with open(log, "wb") as out:
        batch = subprocess.Popen(cmd, env=cluster.env, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 420
        while _count(db) == 0 and batch.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert batch.poll() is None, f"batch ended before a node was lost:\n{log.read_text()}"
        stored_before = _count(db)
        assert 0 < stored_before < RECORDINGS
        cluster.second.kill()
        rc = batch.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        if batch.poll() is None:
            batch.kill()
            batch.wait()
    assert rc == 0, log.read_text()[-4000:]
    stats = json.loads(summary.read_text())
    assert stats["analysed"] == RECORDINGS and stats["errors"] == 0
    # the lost node held recordings that another actor analysed
    assert stats["timings"]["n_ray_actors_lost"] >= 1
    assert stats["timings"]["n_recordings_resent"] >= 1
    with sqlite3.connect(db) as con:
        ids = [r[0] for r in con.execute("SELECT interaction_id FROM interactions")]
        paths = {r[0] for r in con.execute("SELECT source_path FROM interactions")}
        status = con.execute("SELECT status, engine FROM runs").fetchall()
        utterances = con.execute("SELECT COUNT(DISTINCT interaction_pk) FROM utterances")
    assert sorted(ids) == [f"visit-{i:02d}" for i in range(RECORDINGS)]  # each exactly once
    assert status == [("done", "RayExecutor")]
    assert utterances.fetchone()[0] == RECORDINGS
    # shipped as bytes, analysed from the actors' temporary copies, stored under the driver's paths
    assert paths == {str(folder / f"visit-{i:02d}.wav") for i in range(RECORDINGS)}
