"""Full-text search over stored transcripts (SQLite FTS5, see :mod:`analyzer.text.search`).

Inspectors and supervisors search the transcripts as stored; trainers search
the masked index (:mod:`analyzer.store.masked`), never the raw text.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import threading
from dataclasses import dataclass

from analyzer.errors import InvalidRequest
from analyzer.store.base import StoreBase
from analyzer.store.filters import Filter, SqlValue, where_clause
from analyzer.store.masked import MASK_VERSION, masked_texts, write_masked
from analyzer.text.search import phrase_query
from analyzer.types import InteractionReport, Utterance

#: One masked indexing at a time (in this process).
_INDEXING = threading.Lock()
#: Speakers a search may be limited to.
SEARCH_SPEAKERS: tuple[str, ...] = ("staff", "citizen", "unknown")


@dataclass(frozen=True)
class SearchHit:
    """One utterance that says the phrase, and where in its recording."""

    utterance_id: int
    interaction_pk: int
    interaction_id: str
    idx: int
    speaker: str
    start: float
    end: float
    text: str
    hall: str
    window: str
    staff: str
    day: str


class SearchMixin(StoreBase):
    """Transcript search (mixed into :class:`analyzer.store.Store`)."""

    def search(self, phrase: str, *, speaker: str | None = None, pinyin: bool = False,
               filters: Filter | None = None, limit: int = 100, offset: int = 0,
               masked: bool = False) -> list[SearchHit]:
        """Utterances that say ``phrase`` (newest stored first).

        Args:
            phrase: Words as said (any script; punctuation and fillers ignored).
            speaker: Only utterances of this speaker.
            pinyin: Match by sound (homophones and near-homophones) instead of
                by characters.
            filters: Conditions on the interactions.
            limit, offset: The page of results.
            masked: Trainers' search: match the masked transcripts only
                (:mod:`analyzer.store.masked`; interactions not indexed yet
                are indexed first), show the masked text, and no staff id or
                interaction id. A filter on the staff id is refused.

        Raises:
            InvalidRequest: An empty phrase, an unknown speaker, or a staff
                filter on a masked search.
        """
        if speaker not in (None, "", *SEARCH_SPEAKERS):
            raise InvalidRequest(f"speaker must be one of {', '.join(SEARCH_SPEAKERS)}")
        if masked and filters is not None and filters.staff:
            raise InvalidRequest("a masked search cannot filter by staff id")
        if masked and not self.readonly:
            self.index_masked(wait=False)  # what is not indexed yet does not match at all
        index = "utterances_masked" if masked else "utterances_fts"
        where, params = where_clause(filters)
        clauses = [f"{index} MATCH ?"]
        values: list[SqlValue] = [phrase_query(phrase, pinyin=pinyin)]
        if speaker:
            clauses.append("u.speaker = ?")
            values.append(speaker)
        where = " WHERE " + " AND ".join(clauses) + (where.replace(" WHERE ", " AND ", 1)
                                                     if where else "")
        shown = ("'', u.idx, u.speaker, u.start, u.\"end\", utterances_masked.text, i.hall, "
                 "i.window, '', i.day"
                 if masked else 'i.interaction_id, u.idx, u.speaker, u.start, u."end", u.text, '
                 "i.hall, i.window, i.staff, i.day")
        rows = self._query(
            f"SELECT u.id, u.interaction_pk, {shown} FROM {index} "
            f"JOIN utterances u ON u.id = {index}.rowid "
            f"JOIN interactions i ON i.id = u.interaction_pk{where} "
            f"ORDER BY {index}.rowid DESC LIMIT ? OFFSET ?",
            [*values, *params, limit, offset])
        return [SearchHit(*r) for r in rows]

    def unmasked(self) -> list[int]:
        """Interactions whose masked transcript is not indexed, or was by another version."""
        return [int(r[0]) for r in self._query(
            "SELECT i.id FROM interactions i LEFT JOIN masked_index m ON m.interaction_pk = i.id "
            "WHERE m.version IS NOT ? ORDER BY i.id", (MASK_VERSION,))]

    def index_masked(self, chunk: int = 200, *, wait: bool = True) -> int:
        """Index the masked transcripts :meth:`unmasked` lists; returns how many.

        Masking runs on the calling thread, writing in transactions of
        ``chunk`` interactions; one re-analysed meanwhile is left as its
        re-analysis indexed it. One indexing runs at a time: with ``wait``
        False a call returns 0 at once while another runs (the review app
        indexes an upgraded database in the background from its start).
        """
        if not _INDEXING.acquire(blocking=wait):
            return 0
        try:
            pending = self.unmasked()
            for k in range(0, len(pending), chunk):
                texts = {pk: masked_texts(self._stored_utterances(pk))
                         for pk in pending[k:k + chunk]}

                def job(db: sqlite3.Connection, texts: dict[int, list[str]] = texts) -> None:
                    for pk, masked in texts.items():
                        with contextlib.suppress(ValueError):  # re-analysed meanwhile
                            write_masked(db, pk, masked)

                self.db.write(job)
            return len(pending)
        finally:
            _INDEXING.release()

    def _stored_utterances(self, pk: int) -> list[Utterance]:
        """The stored report's utterances of ``pk`` (what the masker reads)."""
        rows = self._query("SELECT report_json FROM interactions WHERE id = ?", (pk,))
        if not rows:
            return []
        return InteractionReport.from_dict(json.loads(rows[0][0])).utterances
