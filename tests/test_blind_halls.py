"""Format invariants of the blind hall set (benchmarks/data/blind-halls).

The set is measured by benchmarks/articles.py exactly as dialogues-dev is; these tests
check only that it keeps the dev set's format (quotes locate one staff utterance, ids,
dates, ring fields, label lists), not how the analyzer scores on it.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

import pytest

SET = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls"
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}


def _load() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    lines = (SET / "interactions.jsonl").read_text(encoding="utf-8").splitlines()
    labels = json.loads((SET / "labels.json").read_text(encoding="utf-8"))
    return [json.loads(x) for x in lines], labels


@pytest.fixture(scope="module")
def blind_set() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The written interactions and labels."""
    return _load()


def test_ids_match_and_run_in_order(blind_set: Any) -> None:
    inter, labels = blind_set
    assert [i["id"] for i in inter] == [f"bh-{n:04d}" for n in range(1, 41)]
    assert [lab["id"] for lab in labels] == [i["id"] for i in inter]


def test_dates_are_working_days_in_range_with_offset(blind_set: Any) -> None:
    inter, _ = blind_set
    for rec in inter:
        started = dt.datetime.fromisoformat(rec["started_at"])
        assert started.utcoffset() == dt.timedelta(hours=8), rec["id"]
        assert dt.date(2026, 11, 3) <= started.date() <= dt.date(2026, 12, 14), rec["id"]
        assert started.weekday() < 5, rec["id"]


def test_channels_and_ring_fields(blind_set: Any) -> None:
    inter, _ = blind_set
    phones = [r for r in inter if r["channel"] == "phone"]
    assert len(phones) == 6 and sum(r["channel"] == "counter" for r in inter) == 34
    for rec in inter:
        ring_fields = {"rings", "ring_seconds"} & rec.keys()
        assert len(ring_fields) == (1 if rec["channel"] == "phone" else 0), rec["id"]
    assert sum(not r["utterances"] for r in phones) == 2


def test_quotes_locate_exactly_one_staff_utterance(blind_set: Any) -> None:
    inter, labels = blind_set
    for rec, lab in zip(inter, labels, strict=True):
        staff = [u["text"] for u in rec["utterances"] if u["speaker"] == "staff"]
        for breach in lab["breaches"]:
            assert breach["speaker"] == "staff"
            if breach["quote"]:
                hits = [t for t in staff if breach["quote"] in t]
                assert len(hits) == 1, (rec["id"], breach["quote"])


def test_label_lists_are_consistent(blind_set: Any) -> None:
    _, labels = blind_set
    for lab in labels:
        breached = [b["article"] for b in lab["breaches"]]
        assert len(breached) == len(set(breached)), lab["id"]
        assert set(breached) <= ARTICLES and set(lab["clean_articles"]) <= ARTICLES
        assert not set(breached) & set(lab["clean_articles"]), lab["id"]
        arguable = ARTICLES - set(breached) - set(lab["clean_articles"])
        assert not arguable or lab["note"], lab["id"]
    for art in ARTICLES:
        assert sum(b["article"] == art for lab in labels for b in lab["breaches"]) >= 3, art


def test_utterance_times_run_forward(blind_set: Any) -> None:
    inter, _ = blind_set
    for rec in inter:
        starts = [u["start"] for u in rec["utterances"]]
        assert starts == sorted(starts), rec["id"]
        assert all(u["end"] > u["start"] >= 0 for u in rec["utterances"]), rec["id"]


def test_rebuild_from_source_gives_the_written_files(blind_set: Any) -> None:
    spec = importlib.util.spec_from_file_location("blind_build", SET / "build.py")
    assert spec is not None and spec.loader is not None
    build = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = build  # dataclasses look their module up there
    spec.loader.exec_module(build)
    inter, labels = build.build()
    assert (inter, labels) == blind_set
    assert build.check(inter, labels) == []
