"""A labelled interaction as the judge's trainers read it (:mod:`analyzer.training.judge`,
:mod:`analyzer.training.flags`): one place, so neither trainer imports the other's module.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from analyzer.rules.judge import Unit
from analyzer.types import Finding, Utterance


@dataclass
class Item:
    """One labelled interaction, analysed once with the judge off."""

    source: str
    record: dict[str, Any]
    breaches: list[dict[str, Any]]
    clean: set[int]
    utterances: list[Utterance] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    channel: str = "counter"
    acts: list[Mapping[str, float] | None] = field(default_factory=list)
    cues: list[Mapping[str, float] | None] = field(default_factory=list)
    units: list[Unit] = field(default_factory=list)
    labels: list[int | None] = field(default_factory=list)
    vectors: list[dict[int, float]] = field(default_factory=list)
    blocks: dict[tuple[int, str], tuple[Any, list[int], list[int | None]]] = field(
        default_factory=dict)
    started_at: str = ""
    #: The veto model's units (:func:`analyzer.training.flags.flag_units`), built on first use.
    veto_units: list[tuple[int, tuple[str, ...], int | None]] | None = None
    #: Those units' labelled rows as token ids (:func:`analyzer.training.flags.fit_flags`'s cache).
    veto_rows: tuple[Any, Any, list[int]] | None = None
    #: True: ``findings`` are the ones the rules filed at the set's first run (an older
    #: commit, :mod:`analyzer.training.first_runs`), not today's; the veto model trains on
    #: them, the turn models never do.
    first_run: bool = False
    #: Per finding, its label as recorded with it (1 true, 0 false, None neither); None:
    #: labelled by :func:`analyzer.training.flags.flag_label`.
    finding_labels: list[int | None] | None = None


def breach_span(item: Item, breach: Mapping[str, Any]) -> tuple[float, float] | None:
    """The times of the utterance a labelled breach names (by index or quote), if any."""
    utts = item.record["utterances"]
    if breach.get("utterance") is not None:
        u = utts[breach["utterance"]]
        return (u["start"], u["end"])
    if not breach.get("quote"):
        return None
    spans = [(u["start"], u["end"]) for u in utts if breach["quote"] in u["text"]]
    return spans[0] if spans else None
