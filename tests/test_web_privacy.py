"""What the review app shows trainers and staff accounts (issue 26, #4, #8 and #9).

* #4 A trainer's transcript search matched the raw text and masked only what it showed:
  extending a prefix one digit at a time while an interaction still matched recovered a
  masked phone or ID number; rows showed staff ids. Trainers now search a masked index.
* #8 A staff account fetched another clerk's recording through its own typed
  transcript's ``audio`` entry: the check used the row's staff id, not the recording's
  owner.
* #9 Staff accounts saw citizens' unmasked personal data in their interactions and in
  finding evidence, and the names of the inspectors and supervisors who judged them.

The app runs in process (Starlette's ``TestClient``) over a private copy of the review
database (:func:`web_fixture.build_review_db`, typed transcripts only: no model needed).
"""

from __future__ import annotations

import io
import re
import wave
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from web_fixture import USERS, build_review_db, copy_db

from analyzer import analyze
from analyzer.store import Store, analysis_key, content_hash_of_interaction
from analyzer.text.transcript import parse_interaction
from analyzer.web import auth, create_app

HTML = {"accept": "text/html"}
PHONE = "13812345678"
ID_CARD = "一一零一零一一九九零零三零七八五一五"
#: Accounts with names that appear nowhere else on the pages.
PEOPLE = {"zhao-qa": ("inspector", "password-zhao"), "qian-lead": ("supervisor", "password-qian"),
          "sun-lead": ("supervisor", "password-sun"),
          "clerk-a": ("staff", "password-clerk-a"), "clerk-b": ("staff", "password-clerk-b")}
STAFF_IDS = {"clerk-a": "S-0202", "clerk-b": "S-0101"}


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return build_review_db(tmp_path_factory.getbasetemp() / "review-db-typed", with_asr=False)


@pytest.fixture()
def db(review, tmp_path) -> Path:
    path = copy_db(review, tmp_path / "web-db")
    with auth.connect(path) as con:
        for name, (role, password) in PEOPLE.items():
            auth.add_user(con, name, role, password, staff_id=STAFF_IDS.get(name, ""))
    return path


@pytest.fixture()
def app(db, review) -> Iterator[FastAPI]:
    app = create_app(db, review.recordings)
    yield app
    app.state.store.close()


def login(app: FastAPI, name: str) -> TestClient:
    client = TestClient(app, headers=HTML, follow_redirects=False)
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)
    password = PEOPLE[name][1] if name in PEOPLE else USERS[name][1]
    r = client.post("/login", data={"name": name, "password": password, "csrf_token": token,
                                    "next": "/"})
    assert r.status_code == 303, r.text
    return client


def _store(db: Path, record: dict, path: str) -> int:
    interaction = parse_interaction(record, "<test>")
    report = analyze(interaction)
    digest = content_hash_of_interaction(interaction)
    with Store(db) as store:
        return store.save_report(report, run_id=None, content_hash=digest, path=path,
                                 key=analysis_key(digest, "transcript", "x"),
                                 interaction=interaction)


def _rows(page: str) -> list[str]:
    return re.findall(r'<td class="text">(.*?)</td>', page)


# -- #4 trainers' search ---------------------------------------------------


def test_a_trainer_cannot_recover_a_masked_number_digit_by_digit(app: FastAPI) -> None:
    trainer, inspector = login(app, "trainer"), login(app, "insp")
    assert _rows(inspector.get(f"/search?q={PHONE}").text)  # the number is said
    assert _rows(inspector.get(f"/search?q={ID_CARD[:6]}").text)
    for secret in (PHONE, ID_CARD, "建国路八十八号"):
        for n in range(3, len(secret) + 1):
            page = trainer.get(f"/search?q={secret[:n]}")
            assert page.status_code == 200
            assert not _rows(page.text), (secret[:n], _rows(page.text))


def test_a_trainer_finds_masked_utterances_without_staff_ids(app: FastAPI, db: Path) -> None:
    trainer = login(app, "trainer")
    page = trainer.get("/search?q=寄证件").text
    rows = _rows(page)
    assert len(rows) == 1 and "[身份证号]" in rows[0] and "[电话号码]" in rows[0]
    assert PHONE not in page and ID_CARD not in page
    with Store(db, readonly=True) as store:
        staff_ids = {r["staff"] for r in store.interactions() if r["staff"]}
    everything = trainer.get("/search?q=您好").text
    assert _rows(everything)
    assert not [s for s in staff_ids if s in everything], "trainers see no staff id"
    assert 'name="staff"' not in everything
    # a staff filter is no oracle either: it is not a trainer's filter at all
    assert _rows(trainer.get("/search?q=您好&staff=S-9999").text) == _rows(everything)


def test_trainers_example_views_hold_no_staff_ids(app: FastAPI, db: Path) -> None:
    import json

    from click.testing import CliRunner

    from analyzer.cli import main

    with Store(db, readonly=True) as store:
        staff_ids = {r["staff"] for r in store.interactions() if r["staff"]}
    page = login(app, "trainer").get("/examples?go=1").text
    assert "第" in page and not [s for s in staff_ids if s in page]
    out = CliRunner().invoke(main, ["examples", "search", "--db", str(db), "--format", "json"])
    examples = json.loads(out.stdout)
    assert examples and all(e["staff"] == "" for e in examples)


def test_the_masked_index_follows_reanalysis_and_costs_a_row_per_utterance(db: Path) -> None:
    with Store(db) as store:
        pk = next(r["id"] for r in store.interactions() if r["interaction_id"] == "counter-pii")
        n = len(store.report(pk).utterances)
        assert store._query("SELECT COUNT(*) FROM utterances_masked m JOIN utterances u "
                            "ON u.id = m.rowid WHERE u.interaction_pk = ?", (pk,))[0][0] == n
        row = store.interaction(pk)
        interaction, _ = store.stored_input(pk)
        store.save_report(store.report(pk), run_id=None, content_hash=row["content_hash"],
                          path=row["source_path"], key=row["key"], interaction=interaction)
        total = store._query("SELECT COUNT(*) FROM utterances_masked")[0][0]
        assert total == store._query("SELECT COUNT(*) FROM utterances")[0][0]
        assert not store.search(PHONE, masked=True)


# -- #8 whose recording ------------------------------------------------------


def _claim(db: Path, wav_rel: str, staff: str, ident: str) -> int:
    record = {"id": ident, "channel": "phone", "hall": "西城区政务服务大厅", "staff": staff,
              "audio": wav_rel, "utterances": [
                  {"speaker": "staff", "start": 0.3, "end": 3.0, "text": "您好，请讲"}]}
    return _store(db, record, f"{ident}.json")


def test_a_staff_account_cannot_fetch_another_clerks_recording(app: FastAPI, db: Path,
                                                                review) -> None:
    theirs = _claim(db, "calls/phone-a.wav", "S-0202", "typed-by-clerk-a")
    clerk = login(app, "clerk-a")
    assert clerk.get(f"/interactions/{theirs}").status_code == 200  # its own row ...
    audio = clerk.get(f"/audio/{theirs}")
    assert audio.status_code == 404 and b"RIFF" not in audio.content  # ... not B's call
    assert 'id="no-audio"' in clerk.get(f"/interactions/{theirs}").text
    # the recording analysed from the file is B's: B hears it, A never does
    with Store(db) as store:
        script = store.report(next(r["id"] for r in store.interactions()
                                   if r["interaction_id"] == "phone-audio-script"))
    owner = _store_from_wav(db, script, review.wav)
    assert login(app, "clerk-b").get(f"/audio/{owner}").status_code == 200
    assert clerk.get(f"/audio/{theirs}").status_code == 404
    assert login(app, "insp").get(f"/audio/{theirs}").status_code == 200  # inspectors hear all


def _store_from_wav(db: Path, report, wav: Path) -> int:
    """``report`` stored as if analysed from ``wav`` (its input path is the recording)."""
    interaction = parse_interaction({"id": "phone-audio-asr", "channel": "phone",
                                     "staff": "S-0101", "utterances": []}, "<test>")
    with Store(db) as store:
        return store.save_report(report, run_id=None, content_hash="wav-hash", path=str(wav),
                                 key="wav-key", interaction=interaction)


# -- #9 what staff see ---------------------------------------------------------


def _judge(db: Path, ident: str) -> tuple[int, int]:
    """Confirm a finding of ``ident`` (zhao-qa), appeal it (qian-lead), rule (sun-lead)."""
    with Store(db) as store:
        pk = next(r["id"] for r in store.interactions() if r["interaction_id"] == ident)
        f = next(f for f in store.findings(pk) if f["points"] > 0)
        store.set_verdict(f["id"], "confirm", f"市民电话{PHONE}已核实", "zhao-qa")
        aid = store.file_appeal(f["id"], f"市民身份证{ID_CARD}", "qian-lead")
        store.rule_appeal(aid, "upheld", f"回访{PHONE}", "sun-lead")
        store.set_rectification("S-0202", "2026-11", "服务用语培训", "2026-12-30", "qian-lead")
    return pk, f["id"]


def test_a_staff_account_sees_masked_citizen_data_and_no_reviewer_names(app: FastAPI,
                                                                         db: Path) -> None:
    pk, _fid = _judge(db, "counter-pii")
    clerk = login(app, "clerk-a")
    inspector = login(app, "zhao-qa")
    full = inspector.get(f"/interactions/{pk}").text
    assert PHONE in full and "zhao-qa" in full  # what the staff page leaves out is there
    pages = {"interaction": clerk.get(f"/interactions/{pk}"),
             "staff": clerk.get("/staff/S-0202?period=2026-11")}
    for what, page in pages.items():
        assert page.status_code == 200, what
        text = page.text
        for secret in (PHONE, ID_CARD, "建国路八十八号", "zhao-qa", "qian-lead", "sun-lead"):
            assert secret not in text, (what, secret)
    text = pages["interaction"].text
    assert "[电话号码]" in text and "[身份证号]" in text
    assert "质检员" in text and "主管" in text


def test_a_staff_account_hears_its_recording_with_personal_data_masked(app: FastAPI,
                                                                       review) -> None:
    from analyzer.speech.clips import read_segment
    from analyzer.training.privacy import mask_utterances

    with Store(app.state.store.path, readonly=True) as store:
        pk = next(r["id"] for r in store.interactions()
                  if r["interaction_id"] == "phone-audio-script")
        _masked, spans = mask_utterances(store.report(pk).utterances)
    assert spans, "the citizen says a phone number"
    clerk = login(app, "clerk-b")
    r = clerk.get(f"/audio/{pk}")
    assert r.status_code == 200 and r.headers["content-type"] == "audio/wav"
    with wave.open(io.BytesIO(r.content)) as w:
        rate = w.getframerate()
        heard = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32767
    original = read_segment(review.wav, 0.0, 3600.0, rate).mean(axis=0)
    n = min(len(heard), len(original))
    inside, core = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for a, b, _kind in spans:  # the tone covers each span widened by mask_audio's pad
        inside[max(int((a - 0.2) * rate), 0):int((b + 0.2) * rate)] = True
        core[int(a * rate):int(b * rate)] = True
    assert core.any() and not inside.all()
    assert np.abs(heard[:n][~inside] - original[:n][~inside]).max() < 0.01
    spectrum = np.abs(np.fft.rfft(heard[:n][core]))
    assert abs(np.fft.rfftfreq(int(core.sum()), 1 / rate)[spectrum.argmax()] - 1000) < 20
    part = clerk.get(f"/audio/{pk}", headers={"range": "bytes=0-99"})
    assert part.status_code == 206 and len(part.content) == 100
    assert login(app, "clerk-a").get(f"/audio/{pk}").status_code == 403  # not its own
