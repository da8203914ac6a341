"""Transcript search: SQLite FTS5 by phrase, speaker and filters; by sound (pinyin);
the index follows re-analysis and is built for databases from before it."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from pathlib import Path

import httpx
import pytest
from web_fixture import USERS, build_review_db, copy_db

from analyzer.store import MIGRATIONS, Filter, Store
from analyzer.store.schema import statements
from analyzer.text.search import index_forms, phrase_query


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    return build_review_db(tmp_path_factory.getbasetemp() / "review-db")


@pytest.fixture()
def db(review, tmp_path) -> Path:
    return copy_db(review, tmp_path / "db")


def test_index_forms_and_queries() -> None:
    chars, sounds = index_forms("記性真差！")
    assert chars == "记 性 真 差" and len(sounds.split()) == 4
    assert index_forms("记性镇差")[1] == sounds  # 真 zhen / 镇 zhen: the same sound
    assert phrase_query("你好") == 'chars : "你 好"'
    with pytest.raises(ValueError, match="nothing to search"):
        phrase_query("，。!")


def test_phrase_speaker_and_filters(db: Path) -> None:
    with Store(db) as store:
        hits = store.search("下班了")
        assert {h.interaction_id for h in hits} >= {"phone-audio-script"}
        h = next(h for h in hits if h.interaction_id == "phone-audio-script")
        assert h.speaker == "staff" and "下班了" in h.text and h.start == pytest.approx(9.0, abs=0.5)
        assert store.search("下班了", speaker="citizen") == []
        assert store.search("下班了", filters=Filter(hall="西城区政务服务大厅")) == []
        assert store.search("下班了", filters=Filter(hall="东城区政务服务大厅"))
        every = {h.utterance_id for h in store.search("您")}
        like = {r[0] for r in store._query("SELECT id FROM utterances WHERE text LIKE '%您%'")}
        assert every == like  # the index finds what a scan finds
        with pytest.raises(ValueError, match="speaker"):
            store.search("您", speaker="robot")


def test_pinyin_finds_a_garbled_homophone(db: Path) -> None:
    with Store(db) as store:
        pk = store.interactions(Filter(staff="S-0202"))[0]["id"]
        report = store.report(pk)
        report.utterances[3].text = "你这记性镇差"  # what a recognizer might write
        row = store.interaction(pk)
        store.save_report(report, run_id=None, content_hash=row["content_hash"],
                          path=row["source_path"], key=row["key"])
        assert store.search("记性真差") == []
        found = store.search("记性真差", pinyin=True)
        assert [(h.interaction_pk, h.text) for h in found] == [(pk, "你这记性镇差")]
        assert store.search("有牌子自己看") == []  # the replaced utterance no longer matches


def test_a_database_from_before_the_index_is_indexed(review, tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)")
    for version, step in MIGRATIONS[:3]:
        for statement in statements(step):
            con.execute(statement)
        con.execute("INSERT INTO schema_version VALUES (?, 'then')", (version,))
    con.execute("ATTACH DATABASE ? AS new", (str(review.db),))
    for table in ("interactions", "utterances", "findings"):
        cols = ", ".join(f'"{r[1]}"' for r in con.execute(f"PRAGMA main.table_info({table})"))
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM new.{table}")
    con.commit()
    con.close()
    with Store(path) as store:
        assert store.search("下班了") and store.search("请您慢走", speaker="staff")


def _get(db: Path, name: str, path: str) -> httpx.Response:
    from analyzer.web import create_app

    async def script() -> httpx.Response:
        transport = httpx.ASGITransport(app=create_app(db))
        async with httpx.AsyncClient(transport=transport, base_url="http://app") as client:
            page = await client.get("/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
            await client.post("/login", data={"name": name, "password": USERS[name][1],
                                              "csrf_token": token, "next": "/"})
            return await client.get(path, headers={"accept": "text/html"})

    return asyncio.run(script())


def test_search_page_links_inspectors_to_the_second_and_masks_for_trainers(db: Path) -> None:
    page = _get(db, "insp", "/search?q=身份证号&speaker=citizen")
    assert page.status_code == 200
    assert re.search(r'href="/interactions/\d+\?t=3\.0#u1"', page.text)
    assert "110101199003078515" in page.text or "一一零一零一" in page.text
    masked = _get(db, "trainer", "/search?q=身份证号")
    assert masked.status_code == 200 and "/interactions/" not in masked.text
    assert "一一零一零一一九九零零三零七八五一五" not in masked.text and "13812345678" not in masked.text
    assert _get(db, "insp", "/search?q=下班了&speaker=robot").status_code == 400
    empty = _get(db, "insp", "/search?q=，，")
    assert empty.status_code == 200 and "nothing to search" in empty.text
