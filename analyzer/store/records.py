"""Identities and serialised forms of what the store keeps."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analyzer.halltime import HallZones
from analyzer.types import Interaction, InteractionReport, Utterance


def analysis_key(identity: str, model: str, lexicon_version: str) -> str:
    """What names one analysis: the interaction's identity
    (:func:`analyzer.pipeline.identity_of`) + model + lexicon version."""
    return hashlib.sha256(f"{identity}\0{model}\0{lexicon_version}".encode()).hexdigest()


def interaction_to_dict(interaction: Interaction) -> dict[str, Any]:
    """Serialise an :class:`Interaction` (kept so it can be re-scored later)."""
    return {
        "id": interaction.id,
        "channel": interaction.channel,
        "hall": interaction.hall,
        "window": interaction.window,
        "staff": interaction.staff,
        "started_at": interaction.started_at,
        "rings": interaction.rings,
        "ring_seconds": interaction.ring_seconds,
        "source": interaction.source,
        "duration": interaction.duration,
        "meta": interaction.meta,
        "utterances": [u.to_dict() for u in interaction.utterances],
    }


def interaction_from_dict(d: dict[str, Any]) -> Interaction:
    """Rebuild an :class:`Interaction` from :func:`interaction_to_dict`."""
    utterances = [Utterance.from_dict(u) for u in d.get("utterances", [])]
    fields = {k: d.get(k) for k in ("hall", "window", "staff", "started_at", "source")}
    return Interaction(
        id=d["id"],
        channel=d["channel"],
        utterances=utterances,
        rings=d.get("rings"),
        ring_seconds=d.get("ring_seconds"),
        duration=d.get("duration"),
        meta=d.get("meta") or {},
        **{k: v or "" for k, v in fields.items()},
    )


def content_hash_of_interaction(interaction: Interaction) -> str:
    """sha256 of a transcript record's content (canonical JSON)."""
    d = interaction_to_dict(interaction)
    d.pop("source", None)
    blob = json.dumps(d, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def content_hash_of_file(path: str | Path, chunk: int = 1 << 20) -> str:
    """sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            h.update(block)
    return h.hexdigest()


def _interaction_of_report(report: InteractionReport) -> Interaction:
    return Interaction(
        id=report.id, channel=report.channel, utterances=list(report.utterances),
        hall=report.hall, window=report.window, staff=report.staff,
        started_at=report.started_at, rings=report.rings, source=report.source,
        duration=report.duration,
    )


@dataclass(frozen=True)
class Stored:
    """What the store knows about one interaction (see :meth:`Store.lookup`)."""

    pk: int
    key: str
    model: str
    lexicon_version: str


def _day(started_at: str, fallback: str, zones: HallZones | None = None, hall: str = "") -> str:
    """The hall's calendar day (``YYYY-MM-DD``) an interaction started.

    Any ISO-8601 form counts (``2023-05-04T09:30+08:00``, basic
    ``20230504T093000+0800``, week date ``2023-W18-4``), so every stored
    interaction is found by the date filters. A time with an offset is moved
    to the hall's zone (a call at 23:30 UTC is the next morning in Beijing);
    one without is the hall's own clock. Without a start time the analysis
    time is used, and text that is no date gives "".
    """
    zones = zones or HallZones()
    for text in (started_at, fallback):
        if text:
            day = zones.day(text, hall)
            if day:
                return day
    return ""


def zones_of_report(report: InteractionReport) -> HallZones:
    """The hall zones the report's analysis ran with (the default for older reports)."""
    options = getattr(report.analyzer, "options", None)
    return HallZones.of(options.get("halls") if isinstance(options, dict) else None)


def error_text(path: str, message: str) -> str:
    """An input error as one line, ``FILE[:LINE]: what went wrong``.

    The message already names its input when it starts with the path (an
    :class:`~analyzer.errors.AnalyzerError` does); otherwise the path goes first.
    The batch's stderr lines, ``conduct errors`` and ``conduct report`` all use it.
    """
    path, message = str(path or ""), str(message)
    return message if not path or message.startswith(path) else f"{path}: {message}"


def recording_names(source_path: str | None, stored_input: dict[str, Any]) -> set[str]:
    """The file names of the recordings a stored interaction names (``recording_names``).

    Its input path and the input's
    :data:`~analyzer.speech.clips.INPUT_RECORDING_KEYS` (a typed transcript's
    ``audio`` entry): every place :func:`analyzer.speech.clips.recording_of`
    may find its recording. Only names with an audio suffix count.
    """
    from analyzer.speech.clips import INPUT_RECORDING_KEYS
    from analyzer.speech.decode import AUDIO_SUFFIXES

    refs: list[object] = [source_path]
    for keys in INPUT_RECORDING_KEYS:
        value: object = stored_input
        for key in keys:
            value = value.get(key) if isinstance(value, dict) else None
        refs.append(value)
    names = set()
    for ref in refs:
        if isinstance(ref, str) and ref and "\x00" not in ref:
            name = Path(ref).name
            if Path(name).suffix.lower() in AUDIO_SUFFIXES:
                names.add(name)
    return names
