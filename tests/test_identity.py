"""An interaction is an event, not a byte string (issue 26, #1).

Identical audio replaced an existing interaction: two copies of one recording with
different sidecars (id, staff, hall, day) ended as one row in the batch, and over the live
listener a second call with identical audio re-assigned a reviewed, appealed interaction to
another clerk, hall and day, with no audit row, while its verdicts and open appeal stayed
attached; seven short identical calls became two rows, and the batch then called their
WAVs "already done". Now each interaction is stored under its identity
(:func:`analyzer.pipeline.identity_of`: its content with the id and start time its input
gives), identical audio is a warning, and a database of version 7 keeps every row and key.
"""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from month_fixture import old_schema

from analyzer import analyze
from analyzer.options import AnalyzerOptions
from analyzer.pipeline import AnalysisResult, identity_of
from analyzer.store import Store
from analyzer.text.transcript import parse_interaction

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"


def _call(call_id: str, staff: str, hall: str, started_at: str):
    from analyzer.stream.line import LineHeader

    return LineHeader(call_id=call_id, sample_rate=8000, channels=1, encoding="s16le",
                      channel="phone", hall=hall, staff=staff, started_at=started_at)


def _store(db: Path, folder: Path, header, samples: np.ndarray, outcome: AnalysisResult):
    """The listener keeping a finished call: its spooled audio, then its result."""
    from analyzer.stream.record import store_call
    from analyzer.stream.spool import Spooled

    raw = folder.parent / f"{header.call_id}.raw"  # the call as the line sent it
    raw.write_bytes(samples.tobytes())
    return store_call(db, folder, Spooled(header, "test", raw, 0.0), AnalyzerOptions(), outcome)


def _outcome(header) -> AnalysisResult:
    """What the stream's close gives for a call: the core's result for its transcript."""
    record = json.loads((EXAMPLES / "phone-five-rings.json").read_text("utf-8"))
    record.update(id=header.call_id, staff=header.staff, hall=header.hall,
                  started_at=header.started_at)
    interaction = parse_interaction(record, "<live>")
    return AnalysisResult(analyze(interaction), interaction)


def test_a_second_live_call_with_identical_audio_is_a_call_of_its_own(tmp_path: Path,
                                                                     caplog) -> None:
    db, folder = tmp_path / "r.sqlite", tmp_path / "calls"
    samples = (np.sin(np.arange(8000) / 5.0) * 3000).astype("<i2")  # the same audio each time
    first = _call("c-1", "S-0001", "东城", "2026-11-20T09:00:00+08:00")
    stored = _store(db, folder, first, samples, _outcome(first))
    with Store(db) as store:
        f = next(f for f in store.findings(stored.pk) if f["points"] > 0)
        store.set_verdict(f["id"], "confirm", "", "insp")
        appeal = store.file_appeal(f["id"], "不服", "clerk-1")
    calls = [_call(f"c-{n}", "S-0002", "西城", f"2026-11-2{n}T10:00:00+08:00")
             for n in range(2, 8)]
    with caplog.at_level(logging.WARNING, logger="analyzer"):
        for header in calls:
            _store(db, folder, header, samples, _outcome(header))
    assert "same content" in caplog.text
    with Store(db, readonly=True) as store:
        rows = {r["interaction_id"]: r for r in store.interactions()}
        assert len(rows) == 7  # seven calls, seven rows
        mine = store.interaction(stored.pk)
        assert (mine["staff"], mine["hall"], mine["day"]) == ("S-0001", "东城", "2026-11-20")
        assert store.appeals(staff="S-0001")[0].id == appeal  # the first clerk still sees it
        assert not [t for t in store.audit("interaction", stored.pk)
                    if t.action == "reattributed"]


def test_the_same_call_stored_again_is_replaced_and_the_change_audited(tmp_path: Path) -> None:
    """Same identity (content, id, start): a re-analysis, in place; a changed staff id is a
    re-attribution with its audit row."""
    db = tmp_path / "r.sqlite"
    report = analyze(EXAMPLES / "counter-forbidden.json")
    interaction = parse_interaction(
        json.loads((EXAMPLES / "counter-forbidden.json").read_text("utf-8")), "x.json",
        default_id="counter-forbidden")
    ident = identity_of("abc", report.id, report.started_at)
    with Store(db) as store:
        pk = store.save_report(report, run_id=None, content_hash="abc", path="x.json",
                               key="k1", interaction=interaction, identity=ident)
        again = store.save_report(replace(report, staff="S-0999"), run_id=None,
                                  content_hash="abc", path="x.json", key="k1",
                                  interaction=replace(interaction, staff="S-0999"),
                                  identity=ident)
        other = store.save_report(report, run_id=None, content_hash="abc", path="y.json",
                                  key="k2", interaction=interaction,
                                  identity=identity_of("abc", "another-id", ""))
        assert again == pk != other
        assert store.interaction(pk)["staff"] == "S-0999"
        assert [t.action for t in store.audit("interaction", pk)][-1] == "reattributed"


@pytest.mark.slow
def test_two_copies_of_one_recording_with_different_sidecars_are_two_interactions(
        tmp_path: Path) -> None:
    from audio_factory import Turn, conversation, write_wav

    from analyzer.batch import run_batch

    src = tmp_path / "calls"
    src.mkdir()
    wav = write_wav(src / "a.wav", conversation([Turn("staff", 0.3, "您好，请问要办理什么业务"),
                                                  Turn("citizen", 3.0, "我来办理营业执照")],
                                                 tail=0.5))
    shutil.copy(wav, src / "b.wav")
    for name, ident, staff, hall, day in (("a", "call-a", "S-0001", "东城", "2026-11-02"),
                                          ("b", "call-b", "S-0002", "西城", "2026-11-03")):
        (src / f"{name}.json").write_text(json.dumps(
            {"id": ident, "channel": "counter", "staff": staff, "hall": hall,
             "started_at": f"{day}T09:00:00+08:00"}, ensure_ascii=False), "utf-8")
    db = tmp_path / "r.sqlite"
    first = run_batch(src, db)
    assert first.analysed == 2, first
    with Store(db, readonly=True) as store:
        rows = sorted((r["interaction_id"], r["staff"], r["hall"], r["day"])
                      for r in store.interactions())
    assert rows == [("call-a", "S-0001", "东城", "2026-11-02"),
                    ("call-b", "S-0002", "西城", "2026-11-03")]
    moved = tmp_path / "moved"
    shutil.copytree(src, moved)  # the same calls met again elsewhere: done already
    again = run_batch(moved, db)
    assert (again.analysed, again.skipped) == (0, 2)


def test_a_version_7_database_keeps_its_rows_and_keys(tmp_path: Path) -> None:
    """Upgraded, every interaction gets its identity and the key of that identity, so the
    next batch over the same inputs analyses nothing again and reviews stay put."""
    from analyzer.batch import run_batch
    from analyzer.store import analysis_key
    from analyzer.store.schema import SCHEMA_VERSION

    src = tmp_path / "src"
    src.mkdir()
    for name in ("counter-forbidden.json", "counter-model.json", "phone-five-rings.json"):
        shutil.copy(EXAMPLES / name, src / name)
    new = tmp_path / "new.sqlite"
    run_batch(src, new)
    old = tmp_path / "v7.sqlite"
    con = old_schema(old, 7, foreign_keys=True)
    con.execute("ATTACH DATABASE ? AS new", (str(new),))
    for table in ("runs", "interactions", "utterances", "findings"):
        cols = [r[1] for r in con.execute(f"PRAGMA main.table_info({table})")]
        names = ", ".join(f'"{c}"' for c in cols)
        values = ", ".join("'test'" if c == "changed_by" else f'"{c}"' for c in cols)
        con.execute(f"INSERT INTO main.{table} ({names}) SELECT {values} FROM new.{table}")
    for pk, content, model, lexicon in con.execute(
            "SELECT id, content_hash, model, lexicon_version FROM main.interactions").fetchall():
        con.execute("UPDATE main.interactions SET key = ?, changed_by = 'test' WHERE id = ?",
                    (analysis_key(content, model, lexicon), pk))  # version 7's keys
    con.execute("DETACH DATABASE new")
    con.close()
    with Store(old) as store:
        assert store.schema_version() == SCHEMA_VERSION >= 8  # later ones follow
        fid = store.findings(1)[0]["id"]
        store.set_verdict(fid, "dismiss", "误报", "insp")
        n = len(store.interactions())
    again = run_batch(src, old)
    assert (again.analysed, again.rescored, again.skipped) == (0, 0, n)
    with Store(old, readonly=True) as store:
        assert len(store.interactions()) == n and store.findings(1)[0]["verdict"] == "dismiss"
    con = sqlite3.connect(old)
    assert con.execute("PRAGMA foreign_key_check").fetchall() == []
    assert con.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    with pytest.raises(sqlite3.DatabaseError):  # the guards are back, keyed by identity
        con.execute("INSERT OR REPLACE INTO interactions SELECT * FROM interactions WHERE id = 1")
    con.close()
