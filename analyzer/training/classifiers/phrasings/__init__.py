"""Hand-written phrasings: the source of the labelled training data (data files here).

Each phrasing is one way of saying something in a service hall, written by
hand from the seed (Chapter 3, Articles 6-10 of the 2023 code of conduct) and
from everyday counter speech. ``{slot}`` marks a place that
:mod:`analyzer.training.classifiers.build_data` fills from the slot tables;
every generated row keeps its phrasing id (``template``), and the train/test
split keeps whole phrasings out of training.

The strings live in TOML files beside this module, read through
:mod:`importlib.resources` (so they ship in the wheel):

* ``uncivil.toml``, ``cues.toml``: one table per label (in label order), the
  ``uncivil`` and ``cues`` tasks; ``common.toml``: their slots, lead-ins,
  particles, and the ids of phrasings that quote the seed (``source`` is
  ``seed`` for them). Ids: the letter says the label, the number the phrasing.
  Civil phrasings deliberately include hard negatives that share words with
  uncivil ones (下班, 投诉, 不清楚, 刚才, 牌子, 正在忙), and both 你 and 您 occur in
  every class, so neither a single word nor the polite pronoun decides the label.
* ``acts-*.toml`` and ``acts-slots.toml``: the staff *acts* (what a clerk's
  words do: greet, ask for an evaluation, say goodbye, calm, turn away for
  missing materials, a forbidden phrase's intent, defer for the time, redirect
  ...), multi-label, read by :mod:`analyzer.training.classifiers.acts`.

The paraphrase sets (``models/classifiers/data/*_paraphrases.jsonl``) were
written separately and are not derived from anything here. This module keeps
the names the builders import (:data:`SLOTS`, :data:`TASKS`, ...).
"""

from __future__ import annotations

import functools
import tomllib
from importlib import resources
from typing import Any


def read(name: str) -> dict[str, Any]:
    """Parse one phrasing file of this package (``uncivil.toml``, ``acts-owed.toml`` ...)."""
    return _read(name)


@functools.cache
def _read(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{name}: {exc}") from None


_COMMON = read("common.toml")

#: Slot fillers shared by the uncivil and cues phrasings.
SLOTS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _COMMON["slots"].items()}
#: Lead-ins that may open any utterance of the given side (politeness markers).
POLITE_LEADS: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _COMMON["polite_leads"].items()}
#: Impatient lead-ins, only ever added to uncivil staff phrasings.
IMPATIENT_LEADS: tuple[str, ...] = tuple(_COMMON["impatient_leads"])
#: Sentence-final particles that may be added or dropped.
PARTICLES: tuple[str, ...] = tuple(_COMMON["particles"])
#: Phrasings that quote or closely follow the seed (recorded as ``source``).
SEED_IDS: frozenset[str] = frozenset(_COMMON["seed_ids"])
#: label -> phrasings, per task. The first label of ``uncivil`` is the civil class.
TASKS: dict[str, dict[str, dict[str, str]]] = {
    task: read(f"{task}.toml") for task in ("uncivil", "cues")
}
#: Which side speaks each task's utterances.
SIDES: dict[str, str] = dict(_COMMON["sides"])
