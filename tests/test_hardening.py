"""Hostile and broken inputs (part of the hardening work): the batch goes on, the app answers 4xx."""

from __future__ import annotations

import asyncio
import json
import re
import shutil
from pathlib import Path

import httpx
import pytest

from analyzer.batch import run_batch
from analyzer.store import Store
from analyzer.web import auth, create_app

ROOT = Path(__file__).resolve().parent.parent
GOOD = json.loads((ROOT / "examples" / "counter-model.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("bad", [
    '{"id": "m", "channel": "phone", "rings": 99999999999999999999, "utterances": []}',
    '{"id": "s", "channel": "counter", "hall": "\\ud800", "utterances": []}',
], ids=["rings-overflow", "lone-surrogate"])
def test_one_bad_record_is_an_error_row_and_the_batch_goes_on(tmp_path, bad):
    folder = tmp_path / "in"
    folder.mkdir()
    good = {**GOOD, "id": "good-1"}
    (folder / "day.jsonl").write_text(bad + "\n" + json.dumps(good, ensure_ascii=False) + "\n",
                                      encoding="utf-8")
    shutil.copy(ROOT / "examples" / "counter-forbidden.json", folder / "later.json")
    db = tmp_path / "r.sqlite"
    summary = run_batch(folder, db)
    assert summary.errors == 1 and summary.analysed == 2
    with Store(db, readonly=True) as store:
        ids = {r["interaction_id"] for r in store.interactions()}
        (error,) = store.errors()
    assert ids == {"good-1", "counter-forbidden"}
    assert "day.jsonl" in error["path"]
    again = run_batch(folder, db)  # and every re-run goes on too
    assert again.skipped == 2 and again.errors == 1


@pytest.fixture
def app_db(tmp_path) -> Path:
    db = tmp_path / "r.sqlite"
    run_batch(ROOT / "examples" / "counter-model.json", db)
    with auth.connect(db) as con:
        auth.add_user(con, "boss", "admin", "admin-pass-123")
    return db


async def _login(client: httpx.AsyncClient) -> None:
    page = await client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = await client.post("/login", data={"name": "boss", "password": "admin-pass-123",
                                          "csrf_token": token, "next": "/"})
    assert r.status_code == 303


def _in_process(db: Path, script) -> object:
    async def run():
        transport = httpx.ASGITransport(app=create_app(db))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            return await script(client)
    return asyncio.run(run())


def test_out_of_range_numbers_are_4xx_not_500(app_db):
    async def script(client):
        await _login(client)
        huge = "99999999999999999999999"
        paths = [f"/audio/{huge}", f"/interactions/{huge}", f"/api/interactions/{huge}",
                 f"/api/interactions?offset={huge}", "/queue?article=%C2%B2",
                 "/queue?article=99999999999999999999"]
        return {p: (await client.get(p)).status_code for p in paths}

    codes = _in_process(app_db, script)
    assert all(400 <= c < 500 for c in codes.values()), codes


def test_login_takes_only_a_small_urlencoded_form(app_db):
    async def script(client):
        page = await client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        multipart = await client.post("/login", files={"f": ("x.bin", b"0" * 10000)},
                                      data={"csrf_token": token})
        big = await client.post("/login", data={"name": "x" * 10000, "csrf_token": token})
        return multipart.status_code, big.status_code

    assert _in_process(app_db, script) == (415, 413)


def test_the_last_admin_cannot_give_up_the_admin_role(app_db):
    with auth.connect(app_db) as con:
        with pytest.raises(ValueError, match="last admin"):
            auth.add_user(con, "boss", "trainer", "admin-pass-123")
        auth.add_user(con, "second", "admin", "admin-pass-456")
        auth.add_user(con, "boss", "trainer", "admin-pass-123")  # now another admin exists
        roles = {u["name"]: u["role"] for u in auth.list_users(con)}
    assert roles == {"boss": "trainer", "second": "admin"}


def test_links_that_lead_nowhere_and_folders_named_like_audio_are_reported(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(ROOT / "examples" / "counter-model.json", folder / "ok.json")
    (folder / "gone.wav").symlink_to(tmp_path / "missing.wav")
    (folder / "loop.wav").symlink_to(folder / "loop.wav")
    (folder / "x.wav").mkdir()
    (folder / "inside.json").symlink_to(folder / "ok.json")  # resolves inside: fine
    db = tmp_path / "r.sqlite"
    summary = run_batch(folder, db)
    with Store(db, readonly=True) as store:
        errors = {Path(e["path"]).name: e["message"] for e in store.errors()}
    assert set(errors) == {"gone.wav", "loop.wav", "x.wav"}
    assert "symbolic link" in errors["gone.wav"] and "folder" in errors["x.wav"]
    assert summary.errors == 3 and summary.analysed + summary.skipped == 2


@pytest.mark.parametrize("started_at", ["20230504T093000+0800", "2023-W18-4",
                                        "2023-05-04T09:30:00+08:00"])
def test_every_iso_form_of_a_start_time_gives_its_day(tmp_path, started_at):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "v.json").write_text(json.dumps({**GOOD, "started_at": started_at},
                                              ensure_ascii=False), encoding="utf-8")
    db = tmp_path / "r.sqlite"
    run_batch(folder, db)
    with Store(db, readonly=True) as store:
        (row,) = store.interactions({"since": "2023-05-04", "until": "2023-05-04"})
    assert row["day"] == "2023-05-04"


def test_a_killed_run_is_marked_interrupted_when_the_next_starts(tmp_path):
    import subprocess
    import sys

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    with Store(tmp_path / "r.sqlite") as store:
        killed = store.begin_run({}, ["conduct", "batch"])
        live = store.begin_run({}, ["conduct", "batch"])  # this process: still alive
        with store.transaction() as db:
            db.execute("UPDATE runs SET pid = ? WHERE id = ?", (dead.pid, killed))
        store.begin_run({}, ["conduct", "batch"])
        status = {r["id"]: r["status"] for r in store.runs()}
    assert status[killed] == "interrupted" and status[live] == "running"
