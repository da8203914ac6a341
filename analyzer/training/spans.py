"""The span of personal data that the masker's finders return."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PiiSpan:
    """A piece of personal data found in a text.

    Attributes:
        kind: ``id_card``, ``phone``, ``bank_card``, ``plate`` (a licence
            plate), ``account`` (e-mail, WeChat, QQ and other account names),
            ``number`` (another number of a person: passport, permit,
            social-security, housing-fund …), ``address`` or ``name``.
        start: Offset of the first character in the text.
        end: Offset after the last character.
        text: The characters as found.
        digits: The number as ASCII digits (empty for addresses and names).
    """

    kind: str
    start: int
    end: int
    text: str
    digits: str = ""
