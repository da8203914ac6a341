"""Full-text search over stored transcripts (SQLite FTS5, see :mod:`analyzer.text.search`)."""

from __future__ import annotations

from dataclasses import dataclass

from analyzer.errors import InvalidRequest
from analyzer.store.base import StoreBase
from analyzer.store.filters import Filter, SqlValue, where_clause
from analyzer.text.search import phrase_query

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
               filters: Filter | None = None, limit: int = 100, offset: int = 0
               ) -> list[SearchHit]:
        """Utterances that say ``phrase`` (newest stored first).

        Args:
            phrase: Words as said (any script; punctuation and fillers ignored).
            speaker: Only utterances of this speaker.
            pinyin: Match by sound (homophones and near-homophones) instead of
                by characters.
            filters: Conditions on the interactions.
            limit, offset: The page of results.

        Raises:
            InvalidRequest: An empty phrase, or an unknown speaker.
        """
        if speaker not in (None, "", *SEARCH_SPEAKERS):
            raise InvalidRequest(f"speaker must be one of {', '.join(SEARCH_SPEAKERS)}")
        where, params = where_clause(filters)
        clauses = ["utterances_fts MATCH ?"]
        values: list[SqlValue] = [phrase_query(phrase, pinyin=pinyin)]
        if speaker:
            clauses.append("u.speaker = ?")
            values.append(speaker)
        where = " WHERE " + " AND ".join(clauses) + (where.replace(" WHERE ", " AND ", 1)
                                                     if where else "")
        rows = self._query(
            'SELECT u.id, u.interaction_pk, i.interaction_id, u.idx, u.speaker, u.start, u."end", '
            "u.text, i.hall, i.window, i.staff, i.day FROM utterances_fts "
            "JOIN utterances u ON u.id = utterances_fts.rowid "
            f"JOIN interactions i ON i.id = u.interaction_pk{where} "
            "ORDER BY utterances_fts.rowid DESC LIMIT ? OFFSET ?",
            [*values, *params, limit, offset])
        return [SearchHit(*r) for r in rows]
