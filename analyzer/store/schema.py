"""Schema of the results database: tables, ordered migrations, time format."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime

VERDICTS: tuple[str, ...] = ("confirm", "dismiss", "comment")
REVIEW_STATES: tuple[str, ...] = ("unreviewed", "reviewed", "confirmed", "dismissed")
GROUPS: tuple[str, ...] = ("hall", "window", "staff", "channel", "day", "article", "rule")

_SCHEMA_V1 = """
CREATE TABLE runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    status TEXT NOT NULL DEFAULT 'running',
    argv TEXT NOT NULL DEFAULT '[]',
    options TEXT NOT NULL DEFAULT '{}',
    engine TEXT NOT NULL DEFAULT '',
    model TEXT NOT NULL DEFAULT '',
    lexicon_version TEXT NOT NULL DEFAULT '',
    stats TEXT NOT NULL DEFAULT '{}'
);
CREATE TABLE interactions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    content_hash TEXT NOT NULL UNIQUE,
    model TEXT NOT NULL DEFAULT '',
    lexicon_version TEXT NOT NULL DEFAULT '',
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    interaction_id TEXT NOT NULL,
    source_path TEXT NOT NULL DEFAULT '',
    channel TEXT NOT NULL,
    hall TEXT NOT NULL DEFAULT '',
    window TEXT NOT NULL DEFAULT '',
    staff TEXT NOT NULL DEFAULT '',
    started_at TEXT NOT NULL DEFAULT '',
    day TEXT NOT NULL DEFAULT '',
    duration REAL,
    auto_score INTEGER NOT NULL,
    auto_grade TEXT NOT NULL,
    score INTEGER NOT NULL,
    grade TEXT NOT NULL,
    rings INTEGER,
    ring_source TEXT,
    answer_time REAL,
    n_findings INTEGER NOT NULL DEFAULT 0,
    report_json TEXT NOT NULL,
    input_json TEXT NOT NULL,
    audio_json TEXT NOT NULL DEFAULT '{}',
    analyzed_at TEXT NOT NULL,
    rescored_at TEXT
);
CREATE INDEX ix_interactions_hall ON interactions(hall, window);
CREATE INDEX ix_interactions_day ON interactions(day);
CREATE INDEX ix_interactions_staff ON interactions(staff);
CREATE TABLE utterances (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    interaction_pk INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    speaker TEXT NOT NULL,
    start REAL NOT NULL,
    "end" REAL NOT NULL,
    text TEXT NOT NULL,
    confidence REAL NOT NULL,
    words_json TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX ix_utterances_interaction ON utterances(interaction_pk);
CREATE TABLE findings (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    interaction_pk INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    rule TEXT NOT NULL,
    article INTEGER NOT NULL,
    kind TEXT NOT NULL,
    canonical TEXT NOT NULL,
    speaker TEXT NOT NULL,
    start REAL,
    "end" REAL,
    evidence TEXT NOT NULL,
    confidence REAL NOT NULL,
    points INTEGER NOT NULL,
    detail_json TEXT NOT NULL DEFAULT '{}',
    verdict TEXT
);
CREATE INDEX ix_findings_interaction ON findings(interaction_pk);
CREATE INDEX ix_findings_rule ON findings(article, rule);
CREATE TABLE errors (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER REFERENCES runs(id) ON DELETE SET NULL,
    path TEXT NOT NULL,
    kind TEXT NOT NULL,
    message TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX ix_errors_run ON errors(run_id);
CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    finding_id INTEGER REFERENCES findings(id) ON DELETE SET NULL,
    interaction_pk INTEGER NOT NULL REFERENCES interactions(id) ON DELETE CASCADE,
    rule TEXT NOT NULL,
    start REAL,
    verdict TEXT NOT NULL CHECK (verdict IN ('confirm', 'dismiss', 'comment')),
    comment TEXT NOT NULL DEFAULT '',
    user TEXT NOT NULL DEFAULT '',
    at TEXT NOT NULL
);
CREATE INDEX ix_reviews_finding ON reviews(finding_id);
CREATE INDEX ix_reviews_interaction ON reviews(interaction_pk);
"""

#: Version 2: an error row may carry the analysis key (content + model +
#: lexicon) of an input that is bad in itself, so later runs skip it.
_SCHEMA_V2 = """
ALTER TABLE errors ADD COLUMN key TEXT;
CREATE INDEX ix_errors_key ON errors(key);
"""

#: Ordered migrations: (version it brings the schema to, SQL script or callable).
#: Version 3: which process runs a batch, so a run killed before it could say so
#: is marked ``interrupted`` when the next run starts.
_SCHEMA_V3 = """
ALTER TABLE runs ADD COLUMN pid INTEGER;
ALTER TABLE runs ADD COLUMN host TEXT;
"""

MIGRATIONS: tuple[tuple[int, str | Callable[[sqlite3.Connection], None]], ...] = (
    (1, _SCHEMA_V1),
    (2, _SCHEMA_V2),
    (3, _SCHEMA_V3),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def now() -> str:
    """UTC time as ISO-8601 with seconds, the store's time format."""
    return datetime.now(UTC).isoformat(timespec="seconds")
