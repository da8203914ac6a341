"""Format invariants of the fourth blind hall set (benchmarks/data/blind-halls-4)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "blind-halls-4"
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}


def _load() -> list[tuple[dict, dict]]:
    with open(DATA / "interactions.jsonl", encoding="utf-8") as fh:
        inters = [json.loads(line) for line in fh if line.strip()]
    with open(DATA / "labels.json", encoding="utf-8") as fh:
        labels = json.load(fh)
    return list(zip(inters, labels, strict=True))


PAIRS = _load()
IDS = [rec["id"] for rec, _ in PAIRS]


def test_forty_interactions_numbered_with_matching_labels() -> None:
    assert [rec["id"] for rec, _ in PAIRS] == [f"b4-{n:04d}" for n in range(1, 41)]
    assert all(rec["id"] == lab["id"] for rec, lab in PAIRS)


def test_every_article_breached_at_least_three_times() -> None:
    counts = Counter(b["article"] for _, lab in PAIRS for b in lab["breaches"])
    assert all(counts[a] >= 3 for a in ARTICLES), counts


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=IDS)
def test_each_quote_locates_one_staff_utterance(rec: dict, lab: dict) -> None:
    articles = [b["article"] for b in lab["breaches"]]
    assert len(articles) == len(set(articles))
    for breach in lab["breaches"]:
        assert breach["article"] in ARTICLES and breach["speaker"] == "staff"
        if breach["quote"]:
            holders = [u for u in rec["utterances"] if breach["quote"] in u["text"]]
            assert len(holders) == 1 and holders[0]["speaker"] == "staff", breach


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=IDS)
def test_no_article_both_breached_and_clean(rec: dict, lab: dict) -> None:
    breached = {b["article"] for b in lab["breaches"]}
    assert not breached & set(lab["clean_articles"])
    assert set(lab["clean_articles"]) <= ARTICLES
    if ARTICLES - breached - set(lab["clean_articles"]):
        assert lab["note"], "an unscored article needs a note"


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=IDS)
def test_channel_keys_and_rings(rec: dict, lab: dict) -> None:
    extra = set(rec) - {"id", "channel", "hall", "window", "staff", "started_at", "utterances"}
    if rec["channel"] == "phone":
        assert extra in ({"rings"}, {"ring_seconds"})
        pickup = 5 * (rec["rings"] - 1) if "rings" in rec else rec["ring_seconds"]
        assert all(u["start"] >= pickup for u in rec["utterances"])
    else:
        assert rec["channel"] == "counter" and not extra


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=IDS)
def test_working_day_and_times_forward(rec: dict, lab: dict) -> None:
    started = datetime.fromisoformat(rec["started_at"])
    assert started.weekday() < 5 and started.utcoffset() is not None
    assert started.utcoffset().total_seconds() == 8 * 3600
    for u in rec["utterances"]:
        assert 0 <= u["start"] < u["end"] and u["speaker"] in {"staff", "citizen"}
