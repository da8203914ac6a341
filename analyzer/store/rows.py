"""The shapes of the rows the store's reads return.

Rows stay plain dicts (templates, the JSON API and ``conduct errors
--format json`` take them as they are), typed here so that a reader knows
which keys a row has and the type checker holds the code to them. The
JSON columns come back decoded (``detail``, ``words``, ``argv``, ``input``).
"""

from __future__ import annotations

from typing import Any, TypedDict

#: A JSON object as stored (a report's detail, an input's metadata).
JsonObject = dict[str, Any]
#: An aggregate row of :meth:`analyzer.store.Store.summary` (its group columns and measures).
SummaryRow = dict[str, str | int | float | None]


class InteractionColumns(TypedDict):
    """The ``interactions`` columns every interaction row has (not the JSON blobs)."""

    id: int
    key: str
    identity: str
    content_hash: str
    model: str
    lexicon_version: str
    run_id: int | None
    interaction_id: str
    source_path: str
    channel: str
    hall: str
    window: str
    staff: str
    started_at: str
    day: str
    duration: float | None
    auto_score: int
    auto_grade: str
    score: int
    grade: str
    rings: int | None
    ring_source: str | None
    answer_time: float | None
    n_findings: int
    analyzed_at: str
    rescored_at: str | None


class InteractionRow(InteractionColumns):
    """One row of :meth:`~analyzer.store.Store.interactions`."""

    n_unreviewed: int


class InteractionRecord(InteractionColumns):
    """:meth:`~analyzer.store.Store.interaction`: the row with its stored input and audio results."""

    input: JsonObject
    audio: JsonObject


class RecordingRef(TypedDict):
    """What :func:`analyzer.speech.clips.recording_of` reads of an interaction."""

    source_path: str
    input: JsonObject


class FindingRow(TypedDict):
    """One finding with its interaction's keys (:meth:`~analyzer.store.Store.findings`)."""

    id: int
    interaction_pk: int
    idx: int
    rule: str
    article: int
    kind: str
    canonical: str
    speaker: str
    start: float | None
    end: float | None
    evidence: str
    confidence: float
    points: int
    detail: JsonObject
    verdict: str | None
    hall: str
    window: str
    staff: str
    day: str
    interaction_id: str


class ExampleFindingRow(FindingRow):
    """A finding offered as a bad-practice example (with the interaction's channel)."""

    channel: str


class UtteranceRow(TypedDict):
    """One stored utterance (:meth:`~analyzer.store.Store.utterances`)."""

    id: int
    interaction_pk: int
    idx: int
    speaker: str
    start: float
    end: float
    text: str
    confidence: float
    words: list[JsonObject]


class ReviewRow(TypedDict):
    """One inspector's verdict or comment (:meth:`~analyzer.store.Store.reviews`)."""

    id: int
    finding_id: int | None
    interaction_pk: int
    rule: str
    start: float | None
    verdict: str
    comment: str
    user: str
    at: str
    reason: str


class ErrorRow(TypedDict):
    """An input a batch could not analyse (:meth:`~analyzer.store.Store.errors`)."""

    id: int
    run_id: int | None
    path: str
    kind: str
    message: str
    at: str
    key: str | None


class LatestErrorRow(TypedDict):
    """An input that still fails (:meth:`~analyzer.store.Store.latest_errors`)."""

    run_id: int | None
    path: str
    kind: str
    message: str
    at: str


class RunRow(TypedDict):
    """One batch run (:meth:`~analyzer.store.Store.runs`), its JSON columns decoded."""

    id: int
    started_at: str
    finished_at: str | None
    status: str
    argv: list[str]
    options: JsonObject
    engine: str
    model: str
    lexicon_version: str
    stats: JsonObject
    pid: int | None
    host: str | None


class GoodHitRow(TypedDict):
    """A kept good-practice candidate (:meth:`~analyzer.store.Store.good_hits`)."""

    id: int
    interaction_pk: int
    lexicon_version: str
    article: int
    rule: str
    canonical: str
    day: str
    hall: str
    speaker: str
    start: float
    end: float
    evidence: str
    confidence: float
    method: str
    interaction_id: str
    channel: str
    window: str
    staff: str
