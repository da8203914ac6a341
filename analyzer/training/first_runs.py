"""The training sets' first-run findings as labelled units for the veto model.

Once the rules are fixed on a training set its false findings are gone, so the
veto model (:mod:`analyzer.training.flags`) trained on today's findings has
seen almost none of the false findings rules make on wording they were not
fixed from. Each training set's ``first-run.json`` (written by
``benchmarks/first_run.py``) keeps the findings the rules filed at the commit
of the set's first run, each labelled as ``benchmarks/articles.py`` scores it.
Here every such interaction becomes one more :class:`Item` of its set (same
source, so a leave-one-set-out fold holds out its first run too) whose
findings are the old ones and whose visit (utterances, channel, hour, act and
cue probabilities) is today's analysis of the same record: the features are
today's feature code on the old finding and its visit.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from analyzer.training.items import Item
from analyzer.types import Finding

#: The record's file name in each set's folder.
FILE = "first-run.json"
_FIELDS = {f.name for f in dataclasses.fields(Finding)}


def to_finding(data: Mapping[str, Any]) -> Finding:
    """A recorded finding (an older commit's ``Finding`` as a dict) as today's ``Finding``.

    Records written before ``Finding.veto_exempt`` existed (session 13) get the marker
    today's rules set on the same finding: ``timing`` on a forced hang-up, ``reply`` on a
    missing calming its commit marked as met with a cold reply.
    """
    kept = {k: v for k, v in data.items() if k in _FIELDS}
    if "veto_exempt" not in data:
        old = "timing" if data.get("kind") == "hangup" else (
            "reply" if (data.get("detail") or {}).get("reply") == "cold" else "")
        kept |= {"veto_exempt": old} if old else {}
    return Finding(**kept)


def _label(value: bool | None) -> int | None:
    return None if value is None else int(value)


def first_run_items(items: Sequence[Item], data: Path) -> list[Item]:
    """Per set of ``items`` with a first-run record under ``data``, its interactions again.

    ``items`` must be analysed already (:func:`analyzer.training.judge.prepare`); each
    first-run item shares its record, labels and analysis with the item of the same id
    and carries the first run's findings and their recorded labels instead of today's.
    """
    by_id = {(i.source, i.record["id"]): i for i in items if not i.first_run}
    out = []
    for source in dict.fromkeys(i.source for i in items if not i.first_run):
        path = data / source / FILE
        if not path.is_file():
            continue
        record = json.loads(path.read_text("utf-8"))
        for inter in record["interactions"]:
            base = by_id[(source, inter["id"])]
            out.append(dataclasses.replace(
                base, findings=[to_finding(f) for f in inter["findings"]],
                finding_labels=[_label(f["label"]) for f in inter["findings"]],
                first_run=True, units=[], labels=[], vectors=[], blocks={}, veto_units=None, veto_rows=None))
    return out
