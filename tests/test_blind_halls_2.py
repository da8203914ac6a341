"""Format invariants of the second blind hall set (benchmarks/data/blind-halls-2)."""

from __future__ import annotations

import math
from datetime import datetime, time
from pathlib import Path

import pytest
from test_hall_sets import load

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-2"
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}
ABSENCE_PREFIXES = ("missing:", "ignored", "unanswered", "answered after", "call not answered")


def _load() -> tuple[list[dict], list[dict]]:
    pairs = load("blind-halls-2")
    return [rec for rec, _ in pairs], [lab for _, lab in pairs]


INTERS, LABELS = _load()
PAIRS = list(zip(INTERS, LABELS, strict=True))


def test_ids_match_and_are_numbered() -> None:
    assert len(INTERS) == len(LABELS) == 40
    assert [r["id"] for r in INTERS] == [lab["id"] for lab in LABELS]
    assert [r["id"] for r in INTERS] == [f"b2-{n:04d}" for n in range(1, 41)]


def test_channel_mix() -> None:
    phones = [r for r in INTERS if r["channel"] == "phone"]
    assert len(phones) == 6
    assert {r["channel"] for r in INTERS} == {"counter", "phone"}
    assert sum(1 for r in phones if not r["utterances"]) == 2


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=[r["id"] for r in INTERS])
def test_quotes_locate_one_staff_utterance(rec: dict, lab: dict) -> None:
    for breach in lab["breaches"]:
        assert breach["speaker"] == "staff"
        assert breach["article"] in ARTICLES
        if breach["quote"]:
            hits = [u for u in rec["utterances"] if breach["quote"] in u["text"]]
            assert len(hits) == 1
            assert hits[0]["speaker"] == "staff"
        else:
            assert breach["duty"].startswith(ABSENCE_PREFIXES)


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=[r["id"] for r in INTERS])
def test_label_lists_are_consistent(rec: dict, lab: dict) -> None:
    breached = [b["article"] for b in lab["breaches"]]
    assert len(breached) == len(set(breached)) <= 2
    assert not set(breached) & set(lab["clean_articles"])
    assert set(lab["clean_articles"]) <= ARTICLES
    if set(breached) | set(lab["clean_articles"]) != ARTICLES:
        assert "unscored" in lab["note"]


@pytest.mark.parametrize("rec", INTERS, ids=[r["id"] for r in INTERS])
def test_times_and_dates(rec: dict) -> None:
    when = datetime.fromisoformat(rec["started_at"])
    assert when.utcoffset() is not None and when.utcoffset().total_seconds() == 8 * 3600
    assert when.weekday() < 5
    assert "2026-11-03" <= when.date().isoformat() <= "2026-12-14"
    assert time(7, 0) <= when.time() <= time(19, 0)
    starts = [u["start"] for u in rec["utterances"]]
    assert starts == sorted(starts)
    for utt in rec["utterances"]:
        assert utt["speaker"] in {"staff", "citizen"}
        assert 0 <= utt["start"] < utt["end"]
        assert utt["text"].strip()
    if rec["channel"] == "phone":
        assert ("rings" in rec) != ("ring_seconds" in rec)
        rings = rec["rings"] if "rings" in rec else math.floor(rec["ring_seconds"] / 5) + 1
        if rec["utterances"]:
            assert rec["utterances"][0]["start"] > 5 * (rings - 1)


def test_article_coverage_and_clean_share() -> None:
    counts = {a: 0 for a in ARTICLES}
    for lab in LABELS:
        for breach in lab["breaches"]:
            counts[breach["article"]] += 1
    assert min(counts.values()) >= 3
    clean = sum(1 for lab in LABELS if not lab["breaches"])
    assert 0.35 <= clean / len(LABELS) <= 0.45
