"""Text: transcripts in, lexicon hits out.

``transcript`` (the input contract), ``normalize`` (script, width,
punctuation, fillers), ``lexicon`` (the Chapter 3 rules as data), ``match``
(exact, pinyin and fuzzy phrase matching) and ``evaluation`` (character error
rate and phrase recall).
"""
