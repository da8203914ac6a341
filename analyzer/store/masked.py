"""The trainers' search index: each transcript with personal data masked (schema version 7).

Trainers never see personal data, and a search is as much a view as a page:
searching the raw transcripts and masking only what is shown let a trainer
recover a masked phone or ID number one digit at a time (extend the prefix
while an interaction still matches). So trainers search
``utterances_masked``, an FTS5 index of the masked text
(:func:`analyzer.training.privacy.mask_utterances` over the whole
transcript), kept with the transcript: written in the same transaction as
the utterances, removed with them (a trigger), and re-made for interactions
indexed by an older analyzer (``masked_index.version``), whose masker may
have missed what this one finds. Only the masked text is stored there; it is
also what the results show.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence

from analyzer._version import __version__
from analyzer.text.search import index_forms
from analyzer.types import Utterance

#: What ``masked_index.version`` records: the analyzer whose masker made the index.
MASK_VERSION = __version__


def masked_texts(utterances: Sequence[Utterance]) -> list[str]:
    """Each utterance's text with personal data masked (in the transcript's context)."""
    if not utterances:
        return []
    from analyzer.training.privacy import mask_utterances

    masked, _spans = mask_utterances(list(utterances))
    return [u.text for u in masked]


def write_masked(db: sqlite3.Connection, pk: int, texts: Sequence[str]) -> None:
    """Index interaction ``pk``'s masked utterances (in the caller's write transaction).

    ``texts`` are in the order of the interaction's utterances (``idx``).
    """
    ids = [int(r[0]) for r in db.execute(
        "SELECT id FROM utterances WHERE interaction_pk = ? ORDER BY idx", (pk,))]
    if len(ids) != len(texts):
        raise ValueError(f"interaction {pk}: {len(ids)} utterances, {len(texts)} masked texts")
    db.execute("DELETE FROM utterances_masked WHERE rowid IN "
               "(SELECT id FROM utterances WHERE interaction_pk = ?)", (pk,))
    db.executemany("INSERT INTO utterances_masked (rowid, chars, pinyin, text) "
                   "VALUES (?, ?, ?, ?)",
                   [(uid, *index_forms(text), text) for uid, text in zip(ids, texts, strict=True)])
    db.execute("INSERT INTO masked_index (interaction_pk, version) VALUES (?, ?) "
               "ON CONFLICT(interaction_pk) DO UPDATE SET version = excluded.version",
               (pk, MASK_VERSION))
