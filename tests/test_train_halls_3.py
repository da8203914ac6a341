"""Format invariants of the third hand-written training set (benchmarks/data/train-halls-3)."""

from __future__ import annotations

import importlib.util
import json
from datetime import datetime
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-3"
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}


def _load() -> list[tuple[dict, dict]]:
    with open(DATA / "interactions.jsonl", encoding="utf-8") as fh:
        inters = [json.loads(line) for line in fh if line.strip()]
    with open(DATA / "labels.json", encoding="utf-8") as fh:
        labels = json.load(fh)
    return list(zip(inters, labels, strict=True))


PAIRS = _load()


def test_sixty_interactions_numbered_with_matching_labels() -> None:
    assert [rec["id"] for rec, _ in PAIRS] == [f"t3-{n:04d}" for n in range(1, 61)]
    assert all(rec["id"] == lab["id"] for rec, lab in PAIRS)


def test_every_article_breached_at_least_three_times() -> None:
    counts = {a: 0 for a in ARTICLES}
    for _, lab in PAIRS:
        for breach in lab["breaches"]:
            counts[breach["article"]] += 1
    assert min(counts.values()) >= 3, counts


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=[rec["id"] for rec, _ in PAIRS])
def test_each_quote_locates_one_staff_utterance(rec: dict, lab: dict) -> None:
    for breach in lab["breaches"]:
        assert breach["article"] in ARTICLES and breach["speaker"] == "staff"
        if breach["quote"]:
            holders = [u for u in rec["utterances"] if breach["quote"] in u["text"]]
            assert len(holders) == 1 and holders[0]["speaker"] == "staff", breach


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=[rec["id"] for rec, _ in PAIRS])
def test_no_article_both_breached_and_clean(rec: dict, lab: dict) -> None:
    breached = [b["article"] for b in lab["breaches"]]
    assert len(breached) == len(set(breached))
    assert not set(breached) & set(lab["clean_articles"])
    assert set(lab["clean_articles"]) <= ARTICLES
    if ARTICLES - set(breached) - set(lab["clean_articles"]):
        assert lab["note"].strip()


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=[rec["id"] for rec, _ in PAIRS])
def test_working_day_and_times_forward(rec: dict, lab: dict) -> None:
    started = datetime.fromisoformat(rec["started_at"])
    assert started.weekday() < 5 and started.utcoffset() is not None
    assert started.utcoffset().total_seconds() == 8 * 3600
    for u in rec["utterances"]:
        assert 0 <= u["start"] < u["end"] and u["speaker"] in {"staff", "citizen"}
    if rec["channel"] == "phone":
        assert ("rings" in rec) != ("ring_seconds" in rec)


def test_files_rebuild_from_the_hand_written_source() -> None:
    spec = importlib.util.spec_from_file_location("train3_build", DATA / "build_times.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    rebuilt = module.parse(DATA / "source.txt")
    assert [(inter, lab) for inter, lab in rebuilt] == PAIRS
