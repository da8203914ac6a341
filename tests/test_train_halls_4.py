"""train-halls-4 beyond the shared format checks (tests/test_hall_sets.py): its writer's conventions."""

from __future__ import annotations

import pytest
from test_hall_sets import load

PAIRS = load("train-halls-4")


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=[rec["id"] for rec, _ in PAIRS])
def test_inapplicable_articles_listed_clean_and_starts_in_order(rec: dict, lab: dict) -> None:
    # Art. 8 does not apply to a call, Art. 7 not to a counter visit (dev README)
    assert (8 if rec["channel"] == "phone" else 7) in lab["clean_articles"]
    starts = [u["start"] for u in rec["utterances"]]
    assert starts == sorted(starts)
