"""The results database: SQLite, one transaction per interaction.

The batch writes every analysed interaction here; the review web app and
``conduct report`` read it. The schema carries its version in the
``schema_version`` table and is brought up to date by ordered migrations when
a store is opened, so an old results file keeps working after an upgrade.

Tables:
    runs: one row per ``conduct batch`` invocation (argv, options, counts).
    interactions: one row per interaction content, identified by
        ``content_hash`` (sha256 of the recording bytes, or of the transcript
        record). ``key`` = sha256(content_hash, model, lexicon version) names
        the analysis; a batch skips an interaction whose key is stored.
        ``auto_score`` is what the analyzer gave, ``score`` the score after
        inspectors' verdicts (dismissed findings no longer deduct).
    utterances, findings: the transcript and the evidence, one row each.
    errors: inputs that could not be analysed (run, path, kind, message).
    reviews: inspectors' verdicts on findings (confirm | dismiss | comment).

Example::

    with Store("results.sqlite") as store:
        for row in store.interactions({"hall": "东城", "review": "unreviewed"}):
            print(row["id"], row["score"], row["n_findings"])
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from analyzer.errors import StoreError
from analyzer.types import Finding, Interaction, InteractionReport, Utterance

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
MIGRATIONS: tuple[tuple[int, str | Callable[[sqlite3.Connection], None]], ...] = (
    (1, _SCHEMA_V1),
    (2, _SCHEMA_V2),
)
SCHEMA_VERSION = MIGRATIONS[-1][0]


def now() -> str:
    """UTC time as ISO-8601 with seconds, the store's time format."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def analysis_key(content_hash: str, model: str, lexicon_version: str) -> str:
    """The identity of one analysis: content + model + lexicon version."""
    return hashlib.sha256(f"{content_hash}\0{model}\0{lexicon_version}".encode()).hexdigest()


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


@dataclass(frozen=True)
class Stored:
    """What the store knows about one content hash (see :meth:`Store.lookup`)."""

    pk: int
    key: str
    model: str
    lexicon_version: str


def _day(started_at: str, fallback: str) -> str:
    text = started_at or fallback
    return text[:10] if len(text) >= 10 else ""


class Store:
    """A results database (SQLite file), safe to share between threads.

    Args:
        path: The SQLite file; created (with the current schema) if missing.
        readonly: Open read-only (the web app, ``conduct report``); never
            migrates, fails if the file is missing.

    Raises:
        StoreError: The file is not a SQLite database, or its schema is newer
            than this analyzer knows.
    """

    def __init__(self, path: str | Path, *, readonly: bool = False) -> None:
        self.path = str(path)
        self._lock = threading.RLock()
        try:
            if readonly:
                if not Path(self.path).exists():
                    raise StoreError("no such results database", source=self.path)
                uri = f"file:{Path(self.path).resolve()}?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, isolation_level=None,
                                           check_same_thread=False, timeout=30)
            else:
                Path(self.path).parent.mkdir(parents=True, exist_ok=True)
                self._db = sqlite3.connect(self.path, isolation_level=None,
                                           check_same_thread=False, timeout=30)
            self._db.row_factory = sqlite3.Row
            self._db.execute("PRAGMA busy_timeout = 30000")
            self._db.execute("PRAGMA foreign_keys = ON")
            if not readonly:
                self._db.execute("PRAGMA journal_mode = WAL")
                self._db.execute("PRAGMA synchronous = NORMAL")
                self._migrate()
            else:
                self._check_version()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open results database: {exc}", source=self.path) from exc

    # -- life cycle -------------------------------------------------------

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction (``BEGIN IMMEDIATE`` ... ``COMMIT``)."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _query(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # -- schema -----------------------------------------------------------

    def schema_version(self) -> int:
        """The schema version of this file (0 for an empty file)."""
        with self._lock:
            has = self._db.execute(
                "SELECT 1 FROM sqlite_master WHERE type='table' AND name='schema_version'"
            ).fetchone()
            if not has:
                return 0
            row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
            return int(row[0] or 0)

    def _check_version(self) -> int:
        version = self.schema_version()
        if version > SCHEMA_VERSION:
            raise StoreError(
                f"results database has schema version {version}, newer than this "
                f"analyzer's {SCHEMA_VERSION}; upgrade the analyzer",
                source=self.path,
            )
        return version

    def _migrate(self) -> None:
        with self.transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS schema_version "
                "(version INTEGER PRIMARY KEY, applied_at TEXT NOT NULL)"
            )
        current = self._check_version()
        for version, step in MIGRATIONS:
            if version <= current:
                continue
            with self.transaction() as db:
                if callable(step):
                    step(db)
                else:
                    for statement in step.split(";"):
                        if statement.strip():
                            db.execute(statement)
                db.execute("INSERT INTO schema_version VALUES (?, ?)", (version, now()))

    # -- runs and errors --------------------------------------------------

    def begin_run(
        self,
        options: dict[str, Any],
        argv: Sequence[str],
        *,
        engine: str = "local",
        model: str = "",
        lexicon_version: str = "",
    ) -> int:
        """Record the start of a batch run and return its id."""
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO runs (started_at, argv, options, engine, model, lexicon_version) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (now(), json.dumps(list(argv), ensure_ascii=False),
                 json.dumps(options, ensure_ascii=False, default=str), engine, model,
                 lexicon_version),
            )
            return int(cur.lastrowid)

    def finish_run(self, run_id: int, stats: dict[str, Any], status: str = "done") -> None:
        """Record the end of a run with its counts (files, hours, errors...)."""
        with self.transaction() as db:
            db.execute(
                "UPDATE runs SET finished_at = ?, status = ?, stats = ? WHERE id = ?",
                (now(), status, json.dumps(stats, ensure_ascii=False, default=str), run_id),
            )

    def runs(self) -> list[dict[str, Any]]:
        """Every run, newest first, with ``options``/``argv``/``stats`` decoded."""
        out = []
        for row in self._query("SELECT * FROM runs ORDER BY id DESC"):
            d = dict(row)
            for k in ("argv", "options", "stats"):
                d[k] = json.loads(d[k])
            out.append(d)
        return out

    def save_error(
        self, run_id: int | None, path: str, error: BaseException | str, kind: str | None = None,
        key: str | None = None,
    ) -> int:
        """Record an input that could not be analysed; returns the error row id.

        Args:
            run_id: The run it happened in.
            path: The input (file, or ``file:line`` for a JSONL record).
            error: The exception (its class name becomes ``kind``) or a message.
            kind: Overrides the kind (e.g. ``AudioError``, ``NoSpeech``).
            key: The input's analysis key when the input itself is bad (not the
                machine): :meth:`known_bad` then finds it.
        """
        if kind is None:
            kind = type(error).__name__ if isinstance(error, BaseException) else "Error"
        with self.transaction() as db:
            cur = db.execute(
                "INSERT INTO errors (run_id, path, kind, message, at, key) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (run_id, str(path), kind, str(error), now(), key),
            )
            return int(cur.lastrowid)

    def known_bad(self, key: str) -> bool:
        """True when an input with this analysis key already failed as bad input."""
        return bool(self._query("SELECT 1 FROM errors WHERE key = ? LIMIT 1", (key,)))

    def errors(self, run_id: int | None = None) -> list[dict[str, Any]]:
        """Error rows (of one run, or all runs), oldest first."""
        if run_id is None:
            rows = self._query("SELECT * FROM errors ORDER BY id")
        else:
            rows = self._query("SELECT * FROM errors WHERE run_id = ? ORDER BY id", (run_id,))
        return [dict(r) for r in rows]

    # -- interactions -----------------------------------------------------

    def has_key(self, key: str) -> bool:
        """True when this exact analysis (content + model + lexicon) is stored."""
        return bool(self._query("SELECT 1 FROM interactions WHERE key = ?", (key,)))

    def lookup(self, content_hash: str) -> Stored | None:
        """What is stored for a content hash (any model / lexicon), or None."""
        rows = self._query(
            "SELECT id, key, model, lexicon_version FROM interactions WHERE content_hash = ?",
            (content_hash,),
        )
        return Stored(*rows[0]) if rows else None

    def save_report(
        self,
        report: InteractionReport,
        *,
        run_id: int | None,
        content_hash: str,
        path: str,
        key: str,
        interaction: Interaction | None = None,
        audio: dict[str, Any] | None = None,
        model: str | None = None,
        lexicon_version: str | None = None,
    ) -> int:
        """Store one analysed interaction in one transaction; returns its pk.

        An interaction with the same ``content_hash`` is replaced in place
        (same pk; re-analysis with another model or lexicon). Reviews survive
        a replacement: each is re-attached to the new finding with the same
        rule and start time.

        Args:
            report: The analyzer's report.
            run_id: The batch run (None outside a batch).
            content_hash: sha256 of the recording / transcript record.
            path: The input path it came from.
            key: :func:`analysis_key` of (content_hash, model, lexicon version).
            interaction: The analysed input (kept for re-scoring without
                transcribing again). Default: rebuilt from the report.
            audio: Audio-only results to keep for re-scoring (``ring``,
                ``findings`` measured on audio, ``asr_info``).
            model: Model identity stored with it (default: the report's
                ``analyzer.model``; ``transcript`` for typed transcripts).
            lexicon_version: Default: the report's ``analyzer.lexicon_version``.
        """
        if interaction is None:
            interaction = _interaction_of_report(report)
        if model is None:
            model = str(report.analyzer.get("model", "") or "")
        if lexicon_version is None:
            lexicon_version = str(report.analyzer.get("lexicon_version", "") or "")
        analyzed = now()
        row = {
            "key": key, "content_hash": content_hash, "model": model,
            "lexicon_version": lexicon_version, "run_id": run_id,
            "interaction_id": report.id, "source_path": str(path), "channel": report.channel,
            "hall": report.hall or "", "window": report.window or "", "staff": report.staff or "",
            "started_at": report.started_at or "", "day": _day(report.started_at, analyzed),
            "duration": report.duration, "auto_score": report.score, "auto_grade": report.grade,
            "score": report.score, "grade": report.grade, "rings": report.rings,
            "ring_source": report.ring_source, "answer_time": report.answer_time,
            "n_findings": len(report.findings),
            "report_json": json.dumps(report.to_dict(), ensure_ascii=False, default=str),
            "input_json": json.dumps(interaction_to_dict(interaction), ensure_ascii=False,
                                     default=str),
            "audio_json": json.dumps(audio or {}, ensure_ascii=False, default=str),
            "analyzed_at": analyzed,
        }
        with self.transaction() as db:
            old = db.execute(
                "SELECT id FROM interactions WHERE content_hash = ?", (content_hash,)
            ).fetchone()
            if old is None:
                cols = ", ".join(f'"{c}"' for c in row)
                cur = db.execute(
                    f"INSERT INTO interactions ({cols}) VALUES ({', '.join('?' * len(row))})",
                    list(row.values()),
                )
                pk = int(cur.lastrowid)
            else:
                pk = int(old[0])
                row["rescored_at"] = analyzed
                sets = ", ".join(f'"{c}" = ?' for c in row)
                db.execute(f"UPDATE interactions SET {sets} WHERE id = ?", [*row.values(), pk])
                db.execute("DELETE FROM utterances WHERE interaction_pk = ?", (pk,))
                db.execute("DELETE FROM findings WHERE interaction_pk = ?", (pk,))
            self._insert_children(db, pk, report)
            if old is not None:
                self._relink_reviews(db, pk)
                self._apply_reviews(db, pk)
        return pk

    @staticmethod
    def _insert_children(db: sqlite3.Connection, pk: int, report: InteractionReport) -> None:
        db.executemany(
            'INSERT INTO utterances (interaction_pk, idx, speaker, start, "end", text, '
            "confidence, words_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (pk, i, u.speaker, u.start, u.end, u.text, u.confidence,
                 json.dumps(u.to_dict().get("words", []), ensure_ascii=False))
                for i, u in enumerate(report.utterances)
            ],
        )
        db.executemany(
            "INSERT INTO findings (interaction_pk, idx, rule, article, kind, canonical, speaker, "
            'start, "end", evidence, confidence, points, detail_json) '
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (pk, i, f.rule, f.article, f.kind, f.canonical, f.speaker, f.start, f.end,
                 f.evidence, f.confidence, f.points,
                 json.dumps(f.detail, ensure_ascii=False, default=str))
                for i, f in enumerate(report.findings)
            ],
        )

    @staticmethod
    def _relink_reviews(db: sqlite3.Connection, pk: int) -> None:
        reviews = db.execute(
            "SELECT id, rule, start FROM reviews WHERE interaction_pk = ?", (pk,)
        ).fetchall()
        for rid, rule, start in reviews:
            match = db.execute(
                "SELECT id FROM findings WHERE interaction_pk = ? AND rule = ? "
                "AND ((start IS NULL AND ? IS NULL) OR ABS(start - ?) < 0.5) ORDER BY idx LIMIT 1",
                (pk, rule, start, start),
            ).fetchone()
            db.execute("UPDATE reviews SET finding_id = ? WHERE id = ?",
                       (match[0] if match else None, rid))

    def report(self, pk: int, *, reviewed: bool = False) -> InteractionReport:
        """The stored report of interaction ``pk``.

        Args:
            pk: Interaction primary key.
            reviewed: Drop findings an inspector dismissed and use the
                review-adjusted score and grade.

        Raises:
            StoreError: No such interaction.
        """
        rows = self._query("SELECT report_json, score, grade FROM interactions WHERE id = ?",
                           (pk,))
        if not rows:
            raise StoreError(f"no interaction with id {pk}", source=self.path)
        report = InteractionReport.from_dict(json.loads(rows[0]["report_json"]))
        if reviewed:
            dismissed = {r["idx"] for r in self.findings(pk) if r["verdict"] == "dismiss"}
            report.findings = [f for i, f in enumerate(report.findings) if i not in dismissed]
            report.score, report.grade = rows[0]["score"], rows[0]["grade"]
        return report

    def interaction(self, pk: int) -> dict[str, Any]:
        """One interaction row (without the JSON blobs) plus decoded ``input``/``audio``."""
        rows = self._query("SELECT * FROM interactions WHERE id = ?", (pk,))
        if not rows:
            raise StoreError(f"no interaction with id {pk}", source=self.path)
        d = dict(rows[0])
        d.pop("report_json")
        d["input"] = json.loads(d.pop("input_json"))
        d["audio"] = json.loads(d.pop("audio_json"))
        return d

    def stored_input(self, pk: int) -> tuple[Interaction, dict[str, Any]]:
        """The stored input of ``pk`` and its audio-only results, for re-scoring."""
        d = self.interaction(pk)
        return interaction_from_dict(d["input"]), d["audio"]

    # -- queries ----------------------------------------------------------

    def _where(self, filters: dict[str, Any] | None) -> tuple[str, list[Any]]:
        """SQL WHERE clause over ``interactions i`` for the documented filters."""
        f = {k: v for k, v in (filters or {}).items() if v not in (None, "")}
        clauses: list[str] = []
        params: list[Any] = []
        for col in ("hall", "window", "staff", "channel", "run_id", "model", "lexicon_version"):
            if col in f:
                clauses.append(f'i."{col}" = ?')
                params.append(f[col])
        if "since" in f:
            clauses.append("i.day >= ?")
            params.append(str(f["since"])[:10])
        if "until" in f:
            clauses.append("i.day <= ?")
            params.append(str(f["until"])[:10])
        if "min_score" in f:
            clauses.append("i.score >= ?")
            params.append(f["min_score"])
        if "max_score" in f:
            clauses.append("i.score <= ?")
            params.append(f["max_score"])
        if "flagged" in f:
            clauses.append("i.n_findings > 0" if f["flagged"] else "i.n_findings = 0")
        sub = []
        for col in ("article", "rule", "kind"):
            if col in f:
                sub.append(f"x.{col} = ?")
                params.append(f[col])
        if sub:
            clauses.append("EXISTS (SELECT 1 FROM findings x WHERE x.interaction_pk = i.id AND "
                           + " AND ".join(sub) + ")")
        if "review" in f:
            clauses.append(_review_clause(f["review"]))
        if "q" in f:
            clauses.append("EXISTS (SELECT 1 FROM utterances u WHERE u.interaction_pk = i.id "
                           "AND u.text LIKE ?)")
            params.append(f"%{f['q']}%")
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def interactions(
        self,
        filters: dict[str, Any] | None = None,
        *,
        limit: int | None = None,
        offset: int = 0,
        order: str = "started_at",
    ) -> list[dict[str, Any]]:
        """Interaction rows matching ``filters`` (no JSON blobs).

        Args:
            filters: Any of ``hall``, ``window``, ``staff``, ``channel``,
                ``run_id``, ``since``/``until`` (dates ``YYYY-MM-DD``, on
                ``started_at``, else on the analysis date), ``article``,
                ``rule``, ``kind`` (has such a finding), ``review``
                (``unreviewed``: a finding has no verdict; ``reviewed``: every
                finding has one; ``confirmed``/``dismissed``: some finding
                has that verdict), ``flagged`` (bool), ``min_score``,
                ``max_score``, ``q`` (text in the transcript).
            limit: At most this many rows.
            offset: Skip this many rows first.
            order: ``started_at`` (default), ``score`` (worst first) or ``id``.

        Returns:
            Dicts with the interactions columns (``id`` is the pk,
            ``interaction_id`` the input's id) plus ``n_unreviewed``.
        """
        where, params = self._where(filters)
        order_sql = {"started_at": "i.day, i.started_at, i.id", "score": "i.score, i.id",
                     "id": "i.id"}.get(order)
        if order_sql is None:
            raise ValueError(f"unknown order {order!r}")
        sql = (
            "SELECT i.id, i.key, i.content_hash, i.model, i.lexicon_version, i.run_id, "
            "i.interaction_id, i.source_path, i.channel, i.hall, i.window, i.staff, "
            "i.started_at, i.day, i.duration, i.auto_score, i.auto_grade, i.score, i.grade, "
            "i.rings, i.ring_source, i.answer_time, i.n_findings, i.analyzed_at, "
            "i.rescored_at, (SELECT COUNT(*) FROM findings x WHERE x.interaction_pk = i.id "
            "AND x.verdict IS NULL) AS n_unreviewed "
            f"FROM interactions i{where} ORDER BY {order_sql}"
        )
        if limit is not None:
            sql += " LIMIT ? OFFSET ?"
            params += [limit, offset]
        return [dict(r) for r in self._query(sql, params)]

    def count(self, filters: dict[str, Any] | None = None) -> int:
        """Number of interactions matching ``filters`` (see :meth:`interactions`)."""
        where, params = self._where(filters)
        return int(self._query(f"SELECT COUNT(*) FROM interactions i{where}", params)[0][0])

    def findings(self, pk: int | None = None, filters: dict[str, Any] | None = None
                 ) -> list[dict[str, Any]]:
        """Finding rows (``id`` is the finding id used by :meth:`set_verdict`).

        Args:
            pk: Only this interaction's findings.
            filters: Interaction filters (see :meth:`interactions`).
        """
        where, params = self._where(filters)
        if pk is not None:
            where += (" AND " if where else " WHERE ") + "i.id = ?"
            params.append(pk)
        rows = self._query(
            "SELECT f.*, i.hall, i.window, i.staff, i.day, i.interaction_id FROM findings f "
            f"JOIN interactions i ON i.id = f.interaction_pk{where} ORDER BY f.interaction_pk, "
            "f.idx",
            params,
        )
        out = []
        for r in rows:
            d = dict(r)
            d["detail"] = json.loads(d.pop("detail_json"))
            out.append(d)
        return out

    def utterances(self, pk: int) -> list[dict[str, Any]]:
        """The transcript of interaction ``pk``, in order."""
        rows = self._query("SELECT * FROM utterances WHERE interaction_pk = ? ORDER BY idx",
                           (pk,))
        out = []
        for r in rows:
            d = dict(r)
            d["words"] = json.loads(d.pop("words_json"))
            out.append(d)
        return out

    def summary(self, by: str, filters: dict[str, Any] | None = None) -> list[dict[str, Any]]:
        """Aggregates per group, for the report and the web app's dashboards.

        Args:
            by: ``hall``, ``window`` (per hall and window), ``staff``,
                ``channel``, ``day``, ``article`` or ``rule``.
            filters: Interaction filters (see :meth:`interactions`).

        Returns:
            For interaction groups: dicts with the group columns and
            ``interactions``, ``flagged``, ``findings``, ``mean_score``,
            ``min_score``, ``hours``. For ``article``/``rule``: the group
            columns (``article``, ``rule``, ``kind`` for rules) and
            ``findings``, ``interactions``, ``points``, ``confirmed``,
            ``dismissed``, ``unreviewed``.
        """
        if by not in GROUPS:
            raise ValueError(f"unknown group {by!r}; choose from {', '.join(GROUPS)}")
        where, params = self._where(filters)
        if by in ("article", "rule"):
            cols = "f.article" if by == "article" else "f.article, f.rule, f.kind"
            sql = (
                f"SELECT {cols}, COUNT(*) AS findings, COUNT(DISTINCT f.interaction_pk) AS "
                "interactions, SUM(f.points) AS points, "
                "TOTAL(f.verdict = 'confirm') AS confirmed, TOTAL(f.verdict = 'dismiss') AS "
                "dismissed, TOTAL(f.verdict IS NULL) AS unreviewed FROM findings f JOIN "
                f"interactions i ON i.id = f.interaction_pk{where} GROUP BY {cols} "
                f"ORDER BY {cols}"
            )
        else:
            cols = {"window": "i.hall, i.window"}.get(by, f"i.{by}")
            sql = (
                f"SELECT {cols}, COUNT(*) AS interactions, SUM(i.n_findings > 0) AS flagged, "
                "SUM(i.n_findings) AS findings, ROUND(AVG(i.score), 1) AS mean_score, "
                "MIN(i.score) AS min_score, ROUND(COALESCE(SUM(i.duration), 0) / 3600.0, 3) "
                f"AS hours FROM interactions i{where} GROUP BY {cols} ORDER BY {cols}"
            )
        return [dict(r) for r in self._query(sql, params)]

    # -- reviews ----------------------------------------------------------

    def set_verdict(self, finding_id: int, verdict: str, comment: str = "", user: str = ""
                    ) -> int:
        """Record an inspector's verdict on a finding; returns the review id.

        ``confirm``/``dismiss`` set the finding's current verdict (the latest
        wins) and recompute the interaction's review-adjusted ``score`` and
        ``grade`` (dismissed findings no longer count); ``comment`` only adds
        a note. ``auto_score`` never changes.

        Raises:
            ValueError: Unknown verdict.
            StoreError: No such finding.
        """
        if verdict not in VERDICTS:
            raise ValueError(f"verdict must be one of {VERDICTS}, not {verdict!r}")
        with self.transaction() as db:
            row = db.execute("SELECT interaction_pk, rule, start FROM findings WHERE id = ?",
                             (finding_id,)).fetchone()
            if row is None:
                raise StoreError(f"no finding with id {finding_id}", source=self.path)
            cur = db.execute(
                "INSERT INTO reviews (finding_id, interaction_pk, rule, start, verdict, comment, "
                "user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (finding_id, row[0], row[1], row[2], verdict, comment, user, now()),
            )
            if verdict != "comment":
                db.execute("UPDATE findings SET verdict = ? WHERE id = ?", (verdict, finding_id))
                self._apply_reviews(db, row[0])
            return int(cur.lastrowid)

    def reviews(self, *, finding_id: int | None = None, pk: int | None = None
                ) -> list[dict[str, Any]]:
        """Review rows of one finding or one interaction, oldest first."""
        if finding_id is not None:
            rows = self._query("SELECT * FROM reviews WHERE finding_id = ? ORDER BY id",
                               (finding_id,))
        else:
            rows = self._query("SELECT * FROM reviews WHERE interaction_pk = ? ORDER BY id",
                               (pk,))
        return [dict(r) for r in rows]

    def _apply_reviews(self, db: sqlite3.Connection, pk: int) -> None:
        """Recompute the review-adjusted score of ``pk`` from its verdicts."""
        for fid, verdict in db.execute(
            "SELECT finding_id, verdict FROM reviews WHERE interaction_pk = ? "
            "AND verdict != 'comment' AND finding_id IS NOT NULL ORDER BY id", (pk,)
        ).fetchall():
            db.execute("UPDATE findings SET verdict = ? WHERE id = ?", (verdict, fid))
        report_json, auto_score, auto_grade = db.execute(
            "SELECT report_json, auto_score, auto_grade FROM interactions WHERE id = ?", (pk,)
        ).fetchone()
        dismissed = {r[0] for r in db.execute(
            "SELECT idx FROM findings WHERE interaction_pk = ? AND verdict = 'dismiss'", (pk,))}
        score, grade = auto_score, auto_grade
        if dismissed:
            report = InteractionReport.from_dict(json.loads(report_json))
            kept = [f for i, f in enumerate(report.findings) if i not in dismissed]
            score, grade = rescore_findings(kept, report)
        db.execute("UPDATE interactions SET score = ?, grade = ? WHERE id = ?", (score, grade, pk))


def _review_clause(state: str) -> str:
    if state not in REVIEW_STATES:
        raise ValueError(f"review must be one of {REVIEW_STATES}, not {state!r}")
    has = "EXISTS (SELECT 1 FROM findings x WHERE x.interaction_pk = i.id AND {})"
    return {
        "unreviewed": has.format("x.verdict IS NULL"),
        "reviewed": "i.n_findings > 0 AND NOT " + has.format("x.verdict IS NULL"),
        "confirmed": has.format("x.verdict = 'confirm'"),
        "dismissed": has.format("x.verdict = 'dismiss'"),
    }[state]


def rescore_findings(findings: list[Finding], report: InteractionReport) -> tuple[int, str]:
    """Score and grade of ``findings`` under the report's scoring template.

    Uses the scoring stage (``analyzer.score``) with the template recorded in
    the report's options, so dismissing a veto finding lifts the veto too.
    """
    from analyzer.score import load_template, score

    template_path = (report.analyzer.get("options", {}).get("score", {}) or {}).get("template")
    result = score(list(findings), load_template(template_path or None))
    return int(result[0]), str(result[1])


def _interaction_of_report(report: InteractionReport) -> Interaction:
    return Interaction(
        id=report.id, channel=report.channel, utterances=list(report.utterances),
        hall=report.hall, window=report.window, staff=report.staff,
        started_at=report.started_at, rings=report.rings, source=report.source,
        duration=report.duration,
    )
