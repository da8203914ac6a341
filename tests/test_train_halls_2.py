"""Format invariants of the second hand-written training set (benchmarks/data/train-halls-2)."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter
from datetime import datetime
from pathlib import Path
from types import ModuleType

import pytest

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data" / "train-halls-2"
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}


def _load() -> list[tuple[dict, dict]]:
    with open(DATA / "interactions.jsonl", encoding="utf-8") as fh:
        inters = [json.loads(line) for line in fh if line.strip()]
    with open(DATA / "labels.json", encoding="utf-8") as fh:
        labels = json.load(fh)
    return list(zip(inters, labels, strict=True))


PAIRS = _load()
IDS = [rec["id"] for rec, _ in PAIRS]


def _module(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"train_halls_2_{name}", DATA / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_fifty_interactions_numbered_with_matching_labels() -> None:
    assert [rec["id"] for rec, _ in PAIRS] == [f"t2-{n:04d}" for n in range(1, 51)]
    assert all(rec["id"] == lab["id"] for rec, lab in PAIRS)


def test_every_article_breached_at_least_three_times() -> None:
    counts = Counter(b["article"] for _, lab in PAIRS for b in lab["breaches"])
    assert min(counts[a] for a in ARTICLES) >= 3, counts


def test_source_rebuilds_the_committed_files() -> None:
    build = _module("build")
    built = [build.build(item) for item in build.parse(DATA / "source.txt")]
    assert [inter for inter, _ in built] == [rec for rec, _ in PAIRS]
    assert [lab for _, lab in built] == [lab for _, lab in PAIRS]


def test_validator_passes() -> None:
    assert _module("validate").check() == []


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=IDS)
def test_each_quote_locates_one_staff_utterance(rec: dict, lab: dict) -> None:
    for breach in lab["breaches"]:
        assert breach["article"] in ARTICLES and breach["speaker"] == "staff"
        if breach["quote"]:
            holders = [u for u in rec["utterances"] if breach["quote"] in u["text"]]
            assert len(holders) == 1 and holders[0]["speaker"] == "staff", breach


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=IDS)
def test_no_article_both_breached_and_clean(rec: dict, lab: dict) -> None:
    breached = [b["article"] for b in lab["breaches"]]
    assert len(breached) == len(set(breached))
    assert not set(breached) & set(lab["clean_articles"])
    assert set(lab["clean_articles"]) <= ARTICLES


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=IDS)
def test_working_day_and_times_forward(rec: dict, lab: dict) -> None:
    started = datetime.fromisoformat(rec["started_at"])
    assert started.weekday() < 5 and started.utcoffset() is not None
    assert started.utcoffset().total_seconds() == 8 * 3600
    for u in rec["utterances"]:
        assert 0 <= u["start"] < u["end"] and u["speaker"] in {"staff", "citizen"}
