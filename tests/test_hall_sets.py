"""Format invariants shared by the hall sets written blind in the dev set's format.

One table of folders (``benchmarks/data/``), one loader and one set of checks, so a
new blind or training set is one row here. What only one set has (a rebuild from its
hand-written source, its own validator) stays in that set's own test file.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

DATA = Path(__file__).resolve().parent.parent / "benchmarks" / "data"
ARTICLES = {5, 6, 7, 8, 9, 10, 16, 17, 18, 25}


def set_script(folder: Path, name: str) -> ModuleType:
    """One set's own script (``build.py``, ``validate.py``) in ``folder``, loaded as a module."""
    spec = importlib.util.spec_from_file_location(
        f"{folder.name.replace('-', '_')}_{name}", folder / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # a script's dataclasses look their module up while they are built
    spec.loader.exec_module(module)
    return module


#: folder -> (id prefix, interactions)
SETS: dict[str, tuple[str, int]] = {
    "blind-halls-3": ("b3", 40),
    "blind-halls-4": ("b4", 40),
    "blind-halls-5": ("b5", 40),
    "blind-halls-6": ("b6", 40),
    "blind-halls-7": ("b7", 40),
    "blind-halls-8": ("b8", 40),
    "blind-halls-9": ("b9", 40),
    "blind-halls-10": ("b10", 40),
    "blind-halls-11": ("b11", 40),
    "blind-halls-12": ("b12", 40),
    "blind-halls-13": ("b13", 40),
    "blind-halls-14": ("b14", 40),
    "blind-halls-15": ("b15", 40),
    "blind-halls-16": ("b16", 40),
    "train-halls-1": ("t1", 60),
    "train-halls-2": ("t2", 50),
    "train-halls-3": ("t3", 60),
    "train-halls-4": ("t4", 60),
    "train-halls-5": ("t5", 50),
    "train-halls-6": ("t6", 50),
    "train-halls-7": ("t7", 50),
    "train-halls-8": ("t8", 50),
    "train-halls-9": ("t9", 50),
    "train-halls-10": ("t10", 50),
    "train-halls-11": ("t11", 50),
    "train-halls-12": ("t12", 50),
    "train-halls-13": ("t13", 50),
    "train-halls-14": ("t14", 50),
    "train-halls-15": ("t15", 50),
    "train-halls-16": ("t16", 50),
    "train-halls-17": ("t17", 50),
    "train-halls-18": ("t18", 50),
    "train-halls-19": ("t19", 50),
    "train-halls-20": ("t20", 50),
    "train-halls-22": ("t22", 50),
    "train-halls-23": ("t23", 50),
    "blind-halls-17": ("b17", 40),
    "blind-halls-18": ("b18", 40),
    "blind-halls-19": ("b19", 40),
    "blind-halls-20": ("b20", 40),
    "blind-halls-21": ("b21", 40),
    "blind-halls-22": ("b22", 40),
    "blind-halls-23": ("b23", 40),
    "blind-halls-24": ("b24", 40),
    "blind-halls-25": ("b25", 40),
    "blind-halls-26": ("b26", 40),
    "blind-halls-27": ("b27", 40),
    "blind-halls-28": ("b28", 40),
    "train-halls-21": ("t21", 50),
    "train-halls-24": ("t24", 50),
    "train-halls-25": ("t25", 50),
    "train-halls-26": ("t26", 50),
    "train-halls-27": ("t27", 50),
    "train-halls-28": ("t28", 50),
    "train-halls-29": ("t29", 50),
    "train-halls-30": ("t30", 50),
    "train-halls-31": ("t31", 50),
    "train-halls-32": ("t32", 50),
    "train-halls-33": ("t33", 50),
    "train-halls-34": ("t34", 50),
}

Pair = tuple[dict[str, Any], dict[str, Any]]


def load(folder: str) -> list[Pair]:
    """The interactions of one folder, each with its label object, in file order."""
    with open(DATA / folder / "interactions.jsonl", encoding="utf-8") as fh:
        inters = [json.loads(line) for line in fh if line.strip()]
    with open(DATA / folder / "labels.json", encoding="utf-8") as fh:
        labels = json.load(fh)
    return list(zip(inters, labels, strict=True))


LOADED = {folder: load(folder) for folder in SETS}
PAIRS = [(folder, rec, lab) for folder, pairs in LOADED.items() for rec, lab in pairs]
IDS = [rec["id"] for _, rec, _ in PAIRS]


@pytest.mark.parametrize("folder", SETS)
def test_interactions_numbered_with_matching_labels(folder: str) -> None:
    prefix, count = SETS[folder]
    pairs = LOADED[folder]
    assert [rec["id"] for rec, _ in pairs] == [f"{prefix}-{n:04d}" for n in range(1, count + 1)]
    assert all(rec["id"] == lab["id"] for rec, lab in pairs)


@pytest.mark.parametrize("folder", SETS)
def test_every_article_breached_at_least_three_times(folder: str) -> None:
    counts = Counter(b["article"] for _, lab in LOADED[folder] for b in lab["breaches"])
    assert all(counts[a] >= 3 for a in ARTICLES), counts


@pytest.mark.parametrize(("folder", "rec", "lab"), PAIRS, ids=IDS)
def test_each_quote_locates_one_staff_utterance(folder: str, rec: dict, lab: dict) -> None:
    articles = [b["article"] for b in lab["breaches"]]
    assert len(articles) == len(set(articles)), "one breach per article"
    for breach in lab["breaches"]:
        assert breach["article"] in ARTICLES and breach["speaker"] == "staff"
        assert breach["duty"]
        if breach["quote"]:
            holders = [u for u in rec["utterances"] if breach["quote"] in u["text"]]
            assert len(holders) == 1 and holders[0]["speaker"] == "staff", breach


@pytest.mark.parametrize(("folder", "rec", "lab"), PAIRS, ids=IDS)
def test_no_article_both_breached_and_clean(folder: str, rec: dict, lab: dict) -> None:
    breached = {b["article"] for b in lab["breaches"]}
    clean = set(lab["clean_articles"])
    assert not breached & clean and clean <= ARTICLES
    if ARTICLES - breached - clean:
        assert lab["note"].strip(), "an unscored article needs a note"


@pytest.mark.parametrize(("folder", "rec", "lab"), PAIRS, ids=IDS)
def test_channel_fields_and_rings(folder: str, rec: dict, lab: dict) -> None:
    if rec["channel"] == "phone":
        assert ("rings" in rec) != ("ring_seconds" in rec)
        pickup = 5 * (rec["rings"] - 1) if "rings" in rec else rec["ring_seconds"]
        assert all(u["start"] >= pickup for u in rec["utterances"]), "words before the pick-up"
    else:
        assert rec["channel"] == "counter" and rec["utterances"]
        assert "rings" not in rec and "ring_seconds" not in rec


@pytest.mark.parametrize(("folder", "rec", "lab"), PAIRS, ids=IDS)
def test_working_day_and_times_forward(folder: str, rec: dict, lab: dict) -> None:
    started = datetime.fromisoformat(rec["started_at"])
    offset = started.utcoffset()
    assert started.weekday() < 5 and offset is not None and offset.total_seconds() == 8 * 3600
    for u in rec["utterances"]:
        assert 0 <= u["start"] < u["end"] and u["speaker"] in {"staff", "citizen"}
