"""Writes: runs, errors, analysed interactions"""

from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
from collections.abc import Sequence
from typing import cast

from analyzer.errors import InvalidRequest, shown
from analyzer.halltime import HallZones
from analyzer.limits import identifier_problem
from analyzer.store.base import StoreBase
from analyzer.store.database import inserted_id
from analyzer.store.filters import SqlValue
from analyzer.store.hits import HitRow, write_example_hits
from analyzer.store.masked import masked_texts, write_masked
from analyzer.store.records import (
    Stored,
    _day,
    _interaction_of_report,
    interaction_to_dict,
    recording_names,
    zones_of_report,
)
from analyzer.store.reviews import apply_reviews
from analyzer.store.rows import ErrorRow, JsonObject, LatestErrorRow, RunRow
from analyzer.store.schema import now
from analyzer.text.search import index_forms
from analyzer.types import Interaction, InteractionReport

logger = logging.getLogger("analyzer")


class WritesMixin(StoreBase):
    """Writes: runs, errors, analysed interactions (mixed into :class:`analyzer.store.Store`)."""

    # -- runs and errors --------------------------------------------------

    def begin_run(
        self,
        options: JsonObject,
        argv: Sequence[str],
        *,
        engine: str = "local",
        model: str = "",
        lexicon_version: str = "",
    ) -> int:
        """Record the start of a batch run and return its id.

        Runs of this host still marked ``running`` whose process is gone (a
        ``kill -9``, a crash, a power cut) are marked ``interrupted`` first.
        """
        host = socket.gethostname()

        def job(db: sqlite3.Connection) -> int:
            for run_id, pid in db.execute(
                    "SELECT id, pid FROM runs WHERE status = 'running' AND host = ?", (host,)
            ).fetchall():
                if pid is not None and not _alive(int(pid)):
                    db.execute("UPDATE runs SET status = 'interrupted', finished_at = ? "
                               "WHERE id = ?", (now(), run_id))
            cur = db.execute(
                "INSERT INTO runs (started_at, argv, options, engine, model, lexicon_version, "
                "pid, host) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (now(), json.dumps(list(argv), ensure_ascii=False),
                 json.dumps(options, ensure_ascii=False, default=str), engine, model,
                 lexicon_version, os.getpid(), host),
            )
            return inserted_id(cur)

        return self.db.write(job)

    def finish_run(self, run_id: int, stats: JsonObject, status: str = "done") -> None:
        """Record the end of a run with its counts (files, hours, errors...)."""
        self.db.write(lambda db: db.execute(
            "UPDATE runs SET finished_at = ?, status = ?, stats = ? WHERE id = ?",
            (now(), status, json.dumps(stats, ensure_ascii=False, default=str), run_id)))

    def hall_zones(self) -> HallZones:
        """The halls' zones of the newest run's options (``[halls]``), else the default.

        The analysis configuration names each hall's zone once; the pages and
        reports read it from here, so every time shown is on the same clock
        the days were counted in.
        """
        row = self._query("SELECT options FROM runs ORDER BY id DESC LIMIT 1")
        if not row:
            return HallZones()
        try:
            options = json.loads(row[0]["options"] or "{}")
        except ValueError:
            return HallZones()
        return HallZones.of(options.get("halls") if isinstance(options, dict) else None)

    def runs(self) -> list[RunRow]:
        """Every run, newest first, with ``options``/``argv``/``stats`` decoded."""
        out = []
        for row in self._query("SELECT * FROM runs ORDER BY id DESC"):
            d = dict(row)
            for k in ("argv", "options", "stats"):
                d[k] = json.loads(d[k])
            out.append(cast(RunRow, d))
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
        return self.db.write(lambda db: inserted_id(db.execute(
            "INSERT INTO errors (run_id, path, kind, message, at, key) VALUES (?, ?, ?, ?, ?, ?)",
            (run_id, shown(path), kind, shown(error), now(), key))))

    def known_bad(self, key: str) -> bool:
        """True when an input with this analysis key already failed as bad input."""
        return bool(self._query("SELECT 1 FROM errors WHERE key = ? LIMIT 1", (key,)))

    def errors(self, run_id: int | None = None) -> list[ErrorRow]:
        """Error rows (of one run, or all runs), oldest first."""
        if run_id is None:
            rows = self._query("SELECT * FROM errors ORDER BY id")
        else:
            rows = self._query("SELECT * FROM errors WHERE run_id = ? ORDER BY id", (run_id,))
        return cast(list[ErrorRow], [dict(r) for r in rows])

    def latest_errors(self) -> list[LatestErrorRow]:
        """The inputs that still fail: the newest error row of each path that has
        not been analysed since, newest first (``run_id``, ``path``, ``kind``,
        ``message``, ``at``)."""
        rows = self._query(
            "SELECT e.run_id, e.path, e.kind, e.message, e.at FROM errors e "
            "WHERE e.id = (SELECT MAX(x.id) FROM errors x WHERE x.path = e.path) "
            "AND NOT EXISTS (SELECT 1 FROM interactions i WHERE i.source_path = e.path "
            "AND i.analyzed_at >= e.at) ORDER BY e.id DESC")
        return cast(list[LatestErrorRow], [dict(r) for r in rows])

    # -- interactions -----------------------------------------------------

    def has_key(self, key: str) -> bool:
        """True when this exact analysis (content + model + lexicon) is stored."""
        return bool(self._query("SELECT 1 FROM interactions WHERE key = ?", (key,)))

    def lookup(self, identity: str) -> Stored | None:
        """What is stored for an interaction's identity (any model / lexicon), or None."""
        rows = self._query(
            "SELECT id, key, model, lexicon_version FROM interactions WHERE identity = ?",
            (identity,),
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
        audio: JsonObject | None = None,
        model: str | None = None,
        lexicon_version: str | None = None,
        examples: Sequence[HitRow] | None = None,
        actor: str | None = None,
        identity: str | None = None,
    ) -> int:
        """Store one analysed interaction in one transaction; returns its pk.

        An interaction with the same ``identity`` is replaced in place (same
        pk; re-analysis with another model or lexicon, or a changed sidecar).
        Another interaction with the same content is no reason to replace it
        (an interaction is an event, not a byte string): it is logged as a
        warning, and both are kept. Reviews survive
        a replacement: each is re-attached to the new finding with the same
        rule and start time, and the review-adjusted score follows. The
        audit trail gets a row when the interaction is first stored and when
        a re-analysis changes who, where or when it is charged to, its
        analysis or its score (under ``actor``). Its transcript with personal
        data masked is indexed for trainers' search, and the file names of
        its recordings are kept (who a recording belongs to).

        Args:
            report: The analyzer's report.
            run_id: The batch run (None outside a batch).
            content_hash: sha256 of the recording / transcript record.
            path: The input path it came from.
            key: :func:`analysis_key` of (identity, model, lexicon version).
            interaction: The analysed input (kept for re-scoring without
                transcribing again). Default: rebuilt from the report.
            audio: Audio-only results to keep for re-scoring (``ring``,
                ``findings`` measured on audio, ``asr_info``).
            model: Model identity stored with it (default: the report's
                ``analyzer.model``; ``transcript`` for typed transcripts).
            lexicon_version: Default: the report's ``analyzer.lexicon_version``.
            examples: The report's good-practice candidates under
                ``lexicon_version`` (:func:`analyzer.training.examples.candidates`),
                kept with it so trainers' searches never match the store
                again; None leaves it to :func:`~analyzer.training.examples.index_examples`.
            actor: Who stores it, for the audit trail (default ``batch run N``,
                or ``analyzer`` outside a batch).
            identity: The interaction's identity
                (:func:`analyzer.pipeline.identity_of`); default: from
                ``content_hash``, the report's id and its start time.

        Raises:
            InvalidRequest: Its id, hall, window or staff id holds a control
                or format character (:func:`analyzer.limits.identifier_problem`),
                whichever path it came by (transcript, sidecar, live header).
        """
        check_identifiers(report)
        if interaction is None:
            interaction = _interaction_of_report(report)
        if model is None:
            model = report.analyzer.model or ""
        if lexicon_version is None:
            lexicon_version = report.analyzer.lexicon_version
        analyzed = now()
        row = _interaction_row(report, interaction, audio, analyzed)
        row.update(key=key, content_hash=content_hash, model=model,
                   lexicon_version=lexicon_version, run_id=run_id, source_path=shown(path),
                   changed_by=actor or (f"batch run {run_id}" if run_id else "analyzer"))
        if not identity:
            from analyzer.pipeline.result import identity_of

            identity = identity_of(content_hash, report.id, interaction.started_at)
        row["identity"] = identity
        masked = masked_texts(report.utterances)  # before the write: the writer never waits
        names = recording_names(row["source_path"], interaction_to_dict(interaction))  # type: ignore[arg-type]

        def job(db: sqlite3.Connection) -> int:
            old = db.execute(
                "SELECT id FROM interactions WHERE identity = ?", (identity,)).fetchone()
            if old is None:
                _warn_same_content(db, content_hash, report.id, row["source_path"])
                cols = ", ".join(f'"{c}"' for c in row)
                pk = inserted_id(db.execute(
                    f"INSERT INTO interactions ({cols}) VALUES ({', '.join('?' * len(row))})",
                    list(row.values())))
            else:  # the score follows the reviews below: one change, one audit row
                pk = int(old[0])
                update = {k: v for k, v in row.items() if k not in ("score", "grade")}
                update["rescored_at"] = analyzed
                sets = ", ".join(f'"{c}" = ?' for c in update)
                db.execute(f"UPDATE interactions SET {sets} WHERE id = ?",
                           [*update.values(), pk])
                db.execute("DELETE FROM utterances WHERE interaction_pk = ?", (pk,))
                db.execute("DELETE FROM findings WHERE interaction_pk = ?", (pk,))
                db.execute("DELETE FROM recording_names WHERE interaction_pk = ?", (pk,))
            _insert_children(db, pk, report)
            write_masked(db, pk, masked)
            db.executemany("INSERT INTO recording_names VALUES (?, ?)",
                           [(name, pk) for name in sorted(names)])
            if old is not None:
                _relink_reviews(db, pk)
                apply_reviews(db, pk, str(row["changed_by"]))
            if examples is not None:
                write_example_hits(db, pk, lexicon_version, examples)
            return pk

        return self.db.write(job)


def _warn_same_content(db: sqlite3.Connection, content_hash: str, ident: str,
                       path: SqlValue) -> None:
    """Log that a new interaction has the content of a stored one (both are kept)."""
    same = db.execute("SELECT interaction_id, source_path FROM interactions "
                      "WHERE content_hash = ? LIMIT 1", (content_hash,)).fetchone()
    if same is not None:
        logger.warning("%s: interaction %s has the same content as stored interaction %s "
                       "(%s); kept as an interaction of its own", path, ident, same[0],
                       same[1])


def check_identifiers(report: InteractionReport) -> None:
    """Refuse a report whose id, hall, window or staff id could render as another.

    Raises:
        InvalidRequest: Naming the field and the character.
    """
    for field, value in (("id", report.id), ("hall", report.hall), ("window", report.window),
                         ("staff", report.staff)):
        problem = identifier_problem(str(value or ""))
        if problem:
            raise InvalidRequest(f"{field}: {problem}", source=report.source or None)


def _interaction_row(report: InteractionReport, interaction: Interaction,
                     audio: JsonObject | None, analyzed: str) -> dict[str, SqlValue]:
    """The ``interactions`` columns that come from the report, its input and audio results."""
    return {
        "interaction_id": report.id, "channel": report.channel,
        "hall": report.hall or "", "window": report.window or "", "staff": report.staff or "",
        "started_at": report.started_at or "", "day": _day(report.started_at, analyzed,
                                                      zones_of_report(report), report.hall or ""),
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
        "INSERT INTO utterances_fts (rowid, chars, pinyin) VALUES (?, ?, ?)",
        [(uid, *index_forms(text)) for uid, text in db.execute(
            "SELECT id, text FROM utterances WHERE interaction_pk = ? ORDER BY idx", (pk,))],
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


def _relink_reviews(db: sqlite3.Connection, pk: int) -> None:
    """Re-attach reviews and appeals to the new finding of the same rule and start."""
    for table in ("reviews", "appeals"):
        _relink(db, pk, table)


def _relink(db: sqlite3.Connection, pk: int, table: str) -> None:
    reviews = db.execute(
        f"SELECT id, rule, start FROM {table} WHERE interaction_pk = ?", (pk,)
    ).fetchall()
    for rid, rule, start in reviews:
        match = db.execute(
            "SELECT id FROM findings WHERE interaction_pk = ? AND rule = ? "
            "AND ((start IS NULL AND ? IS NULL) OR ABS(start - ?) < 0.5) ORDER BY idx LIMIT 1",
            (pk, rule, start, start),
        ).fetchone()
        db.execute(f"UPDATE {table} SET finding_id = ? WHERE id = ?",
                   (match[0] if match else None, rid))


def _alive(pid: int) -> bool:
    """True when a process with this id exists on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True

