"""How transcripts are indexed for full-text search, and how a phrase becomes a query.

SQLite's FTS5 (unicode61 tokenizer) splits text at spaces, so each utterance
is indexed in two columns of space-separated tokens:

* ``chars``: the normalized text (:func:`analyzer.text.normalize.normalize`:
  simplified script, no punctuation or fillers) one character per token, so a
  phrase of any length matches as a sequence of adjacent characters;
* ``pinyin``: each character's fuzzy-folded reading
  (:func:`analyzer.text.pinyin.code`, the matcher's own), so a phrase matches
  its homophones and near-homophones: 记性真差 finds 记性镇差.

A phrase is normalized the same way and quoted as an FTS5 phrase query.
"""

from __future__ import annotations

from analyzer.text.normalize import normalize
from analyzer.text.pinyin import code


def index_forms(text: str) -> tuple[str, str]:
    """The ``chars`` and ``pinyin`` columns of one utterance."""
    chars = list(normalize(text))
    return " ".join(chars), " ".join(code(ch) for ch in chars)


def phrase_query(phrase: str, *, pinyin: bool = False) -> str:
    """An FTS5 query matching ``phrase`` in the ``chars`` column (or by sound in ``pinyin``).

    Raises:
        ValueError: Nothing searchable is left once the phrase is normalized.
    """
    chars, sounds = index_forms(phrase)
    tokens = sounds if pinyin else chars
    if not tokens.strip():
        raise ValueError(f"nothing to search for in {phrase!r}")
    quoted = tokens.replace('"', '""')
    return f'{"pinyin" if pinyin else "chars"} : "{quoted}"'
