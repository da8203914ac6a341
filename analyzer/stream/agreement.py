"""LocalAgreement: the words two consecutive hypotheses agree on are committed.

A growing utterance is decoded again every ``StreamOptions.partial_interval``
seconds of new audio (from its start, by the one recognition engine). The
words at the end of a hypothesis are unstable (the speaker is mid-word, the
decoder has little right context); the words that two hypotheses in a row
agree on, after what is already committed, are taken as final for live use.
This is whisper_streaming's LocalAgreement-2 policy (Macháček et al., 2023):

* only words starting after the last committed word (less 0.1 s) count,
  and a head of up to 5 words repeating the committed tail is dropped
  (the decoder wrote them again);
* the longest common prefix of the previous hypothesis's and this one's
  remaining words is committed.

Committed words are never taken back; the utterance's final text is its
recognition once it has ended (the same as the file path's), which may
differ where the decoder changed its mind.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from analyzer.types import Word

#: Words starting this long before the last committed word's end may still be new.
TIME_SLACK = 0.1
#: Longest head of a hypothesis compared against the committed tail.
MAX_NGRAM = 5
_NOT_WORD = re.compile(r"[\s\W_]+", re.UNICODE)


def word_key(word: Word) -> str:
    """How two hypotheses' words are compared: the text without spaces and punctuation."""
    bare = _NOT_WORD.sub("", word.text)
    return bare or word.text.strip()


@dataclass
class LocalAgreement:
    """The committed words of one growing utterance (see the module docstring).

    Attributes:
        committed: Words committed so far, in order.
        pending: The previous hypothesis's words after the committed ones.
    """

    committed: list[Word] = field(default_factory=list)
    pending: list[Word] = field(default_factory=list)

    @property
    def committed_end(self) -> float:
        """End time of the last committed word (0 when none)."""
        return self.committed[-1].end if self.committed else 0.0

    def update(self, hypothesis: Sequence[Word]) -> list[Word]:
        """Take a new hypothesis of the whole utterance; return the words it commits."""
        new = self._after_committed(hypothesis)
        commit: list[Word] = []
        for old, cur in zip(self.pending, new, strict=False):
            if word_key(old) != word_key(cur):
                break
            commit.append(cur)
        self.committed += commit
        self.pending = new[len(commit):]
        return commit

    def tentative(self) -> list[Word]:
        """The latest hypothesis's words not committed yet."""
        return list(self.pending)

    def _after_committed(self, hypothesis: Sequence[Word]) -> list[Word]:
        """The hypothesis's words after the committed ones."""
        if not self.committed:
            return [w for w in hypothesis if word_key(w)]
        limit = self.committed_end - TIME_SLACK
        new = [w for w in hypothesis if w.start > limit and word_key(w)]
        if new and abs(new[0].start - self.committed_end) < 1.0:
            tail = [word_key(w) for w in self.committed]
            for n in range(min(len(tail), len(new), MAX_NGRAM), 0, -1):
                if tail[-n:] == [word_key(w) for w in new[:n]]:
                    new = new[n:]
                    break
        return new
