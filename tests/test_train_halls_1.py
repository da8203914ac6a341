"""train-halls-1 beyond the shared format checks (tests/test_hall_sets.py): its writer's conventions."""

from __future__ import annotations

import pytest
from test_hall_sets import ARTICLES, load

PAIRS = load("train-halls-1")
ABSENCE = ("missing:", "call not answered", "answered after", "ignored the citizen")


@pytest.mark.parametrize(("rec", "lab"), PAIRS, ids=[rec["id"] for rec, _ in PAIRS])
def test_absences_name_their_duty_and_notes_name_unscored_articles(rec: dict, lab: dict) -> None:
    for breach in lab["breaches"]:
        if not breach["quote"]:
            assert breach["duty"].startswith(ABSENCE), breach
    breached = {b["article"] for b in lab["breaches"]}
    unscored = ARTICLES - breached - set(lab["clean_articles"])
    assert all(f"{art}:" in lab["note"] for art in unscored), lab
