"""Transcript input: read and strictly validate the input contract.

One interaction per ``.json`` file, or many as JSON Lines (``.jsonl``, one
interaction per line)::

    {"id": str, "channel": "counter"|"phone", "hall": str, "window": str,
     "started_at": ISO-8601, "rings": int (phone, optional),
     "ring_seconds": float (phone, optional), "staff": str (optional),
     "duration": s (optional), "audio": str (optional),
     "meta": {...} (optional: the hall's own fields),
     "utterances": [{"speaker": "staff"|"citizen"|"unknown",
                     "start": s, "end": s, "text": str}]}

The contract is strict: an unknown key, at the top or in an utterance, is an
error naming it and the closest known key (``ring: unknown key; did you mean
'rings'?``), so a typo never changes a score silently. A hall's own fields go
under ``meta``, which is kept as given (``Interaction.meta``, the report's
``meta``, the store).

Every violation becomes a :class:`~analyzer.errors.TranscriptError` naming
the file, the line (JSON Lines, or the JSON syntax error's line) and the field
(``utterances[2].end``) with what was expected. :func:`load_transcripts`
yields errors instead of raising them, so one bad record never stops the
others of the same run.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO

from analyzer.errors import JsonInputError, TranscriptError, shown
from analyzer.limits import MAX_RECORD_BYTES, identifier_problem, size_text
from analyzer.types import (
    CHANNELS,
    HEARD_KEYS,
    HEARD_REQUIRED,
    META_KEYS,
    REJECT_REASONS,
    SPEAKERS,
    Heard,
    Interaction,
    Utterance,
    Word,
)

#: Keys of an interaction record (the call metadata :data:`~analyzer.types.META_KEYS`,
#: the utterances, and ``duration``, ``audio``, ``meta``); any other key is an error
#: (:func:`unknown_key`). ``meta`` holds the hall's own fields, kept as given; ``audio``
#: (the recording of a typed transcript) is kept as ``Interaction.meta["audio"]``.
TOP_KEYS = frozenset({*META_KEYS, "utterances", "duration", "audio", "meta"})
#: Keys allowed in an utterance (``words``, ``confidence``, ``speaker_known``
#: are what the analyzer's own reports carry, so a report's transcript can be
#: fed back in). Any other key is an error, to catch typos such as ``speeker``.
UTTERANCE_KEYS = frozenset({"speaker", "start", "end", "text", "words", "confidence",
                            "speaker_known", "heard", "level_dbfs", "speaker_confidence"})

TRANSCRIPT_SUFFIXES = (".json", ".jsonl")


def unknown_key(key: str, known: Iterable[str], what: str = "an interaction") -> str:
    """The message for an unknown key: the closest known key, or the keys allowed.

    >>> unknown_key("ring", TOP_KEYS)
    "unknown key; did you mean 'rings'?"
    """
    import difflib

    names = sorted(known)
    close = difflib.get_close_matches(str(key), names, n=1, cutoff=0.6)
    if close:
        return f"unknown key; did you mean {close[0]!r}?"
    hint = "; put a hall's own fields under 'meta'" if "meta" in names else ""
    return f"unknown key; {what} has {names}{hint}"


class _Ctx:
    """Where a record came from, for error messages."""

    def __init__(self, source: str, line: int | None) -> None:
        self.source = source
        self.line = line

    def error(self, field: str | None, message: str) -> TranscriptError:
        return TranscriptError(message, source=self.source, line=self.line, field=field)


def load_transcripts(path: str | Path) -> Iterator[Interaction | TranscriptError]:
    """Read one ``.json`` or ``.jsonl`` file, yielding interactions and errors.

    Args:
        path: A ``.json`` file (one interaction) or ``.jsonl`` file (one per
            non-blank line).

    Yields:
        An :class:`Interaction` for every valid record and a
        :class:`TranscriptError` for every invalid one (never raised).
    """
    path = Path(path)
    source = shown(path)
    try:
        if path.suffix.lower() == ".jsonl":
            with path.open("rb") as fh:
                yield from _load_jsonl(bounded_lines(fh), source)
            return
        with path.open("rb") as fh:
            raw = fh.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        yield TranscriptError(f"cannot read file: {exc.strerror or exc}", source=source)
        return
    if len(raw) > MAX_RECORD_BYTES:
        yield TranscriptError(f"larger than {size_text(MAX_RECORD_BYTES)}; one interaction "
                              "must be smaller (split the file)", source=source)
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        yield TranscriptError(
            f"not UTF-8 text (byte {exc.start}); transcripts must be UTF-8 JSON", source=source
        )
        return
    yield _load_json(text, source, default_id=shown(path.stem))


#: Deepest nesting of arrays and objects an input may have (a transcript needs 4).
MAX_JSON_DEPTH = 32
#: Largest whole number an input may hold (SQLite's 64-bit integers).
MAX_INT = 2**63 - 1
#: Largest time in seconds (about 115 days): anything larger is a unit mistake.
MAX_SECONDS = 1e7


def read_json(text: str) -> Any:
    """Decode JSON input within the analyzer's limits (the one reader of every JSON input).

    Transcripts, JSON Lines records, manifests and sidecars all go through
    it: nesting at most :data:`MAX_JSON_DEPTH`, integers within SQLite's
    range, no ``NaN``/``Infinity``, text that is valid Unicode (no lone
    surrogates such as ``\\ud800``), and no key twice in one object.

    Raises:
        JsonInputError: Naming the problem (and the line of a syntax error).
    """
    def constant(name: str) -> Any:
        raise JsonInputError(f"{name} is not a number JSON allows")

    def unique(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
        obj = dict(pairs)
        if len(obj) != len(pairs):  # JSON allows it; the last value would silently win
            seen: set[str] = set()
            for key, _value in pairs:
                if key in seen:
                    raise JsonInputError(f"duplicate key {key!r} in one object")
                seen.add(key)
        return obj

    try:
        data = json.loads(text, parse_constant=constant, object_pairs_hook=unique)
    except json.JSONDecodeError as exc:
        raise JsonInputError(f"invalid JSON: {exc.msg} (column {exc.colno})", exc.lineno) from None
    except RecursionError:
        raise JsonInputError(f"nested deeper than {MAX_JSON_DEPTH} levels") from None
    except JsonInputError:
        raise
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        raise JsonInputError(f"invalid JSON: {exc}") from None
    problem = json_problem(data)
    if problem:
        raise JsonInputError(problem)
    return data


def json_problem(value: Any) -> str | None:
    """Why a decoded value is beyond the input limits, or None (checked without recursion)."""
    stack: list[tuple[Any, str, int]] = [(value, "", 0)]
    while stack:
        item, where, depth = stack.pop()
        at = f" at {where}" if where else ""
        if depth > MAX_JSON_DEPTH:
            return f"nested deeper than {MAX_JSON_DEPTH} levels{at}"
        if isinstance(item, dict):
            stack += [(k, f"{where}.{k}" if where else str(k), depth + 1) for k in item
                      if not isinstance(k, str) or not _encodable(k)]
            stack += [(v, f"{where}.{k}" if where else str(k), depth + 1) for k, v in item.items()]
        elif isinstance(item, list | tuple):
            stack += [(v, f"{where}[{i}]", depth + 1) for i, v in enumerate(item)]
        elif isinstance(item, str):
            if not _encodable(item):
                return f"text that is not valid Unicode (a lone surrogate){at}"
        elif isinstance(item, bool) or item is None:
            continue
        elif isinstance(item, int) and abs(item) > MAX_INT:
            return f"a whole number beyond 64 bits{at}"
        elif isinstance(item, float) and not math.isfinite(item):
            return f"a number that is not finite{at}"
    return None


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _load_json(text: str, source: str, default_id: str) -> Interaction | TranscriptError:
    if not text.strip():
        return TranscriptError("empty file; expected one JSON interaction object", source=source)
    try:
        data = read_json(text)
    except JsonInputError as exc:
        return TranscriptError(exc.message, source=source, line=exc.line)
    if isinstance(data, list):
        return TranscriptError(
            "expected one interaction object, got a JSON array; put many interactions "
            "in a .jsonl file, one per line", source=source)
    try:
        return parse_interaction(data, source, default_id=default_id)
    except TranscriptError as exc:
        return exc


def bounded_lines(fh: BinaryIO, limit: int = MAX_RECORD_BYTES) -> Iterator[bytes | None]:
    """The lines of a binary file, None for each line longer than ``limit`` bytes.

    An overlong line is read through in pieces and never held whole, so one
    huge line costs no more memory than ``limit``.
    """
    while True:
        line = fh.readline(limit + 1)
        if not line:
            return
        if len(line) <= limit:
            yield line
            continue
        while line and not line.endswith(b"\n"):  # skip the rest of the line
            line = fh.readline(1 << 20)
        yield None


def _load_jsonl(lines: Iterable[bytes | None],
                source: str) -> Iterator[Interaction | TranscriptError]:
    """Stream a JSON Lines file: one record (or one error) per non-blank line."""
    seen: dict[str, int] = {}
    any_record = False
    for lineno, raw in enumerate(lines, start=1):
        if raw is None or len(raw) > MAX_RECORD_BYTES:
            any_record = True
            yield TranscriptError(f"line longer than {size_text(MAX_RECORD_BYTES)}; one "
                                  "interaction must be smaller", source=source, line=lineno)
            continue
        try:
            line = raw.decode("utf-8-sig" if lineno == 1 else "utf-8")
        except UnicodeDecodeError as exc:
            any_record = True
            yield TranscriptError(f"not UTF-8 text (byte {exc.start} of the line)",
                                  source=source, line=lineno)
            continue
        if not line.strip():
            continue
        any_record = True
        item = _jsonl_record(line, source, lineno, seen)
        if isinstance(item, Interaction):
            seen[item.id] = lineno
        yield item
    if not any_record:
        yield TranscriptError("empty file; expected one JSON interaction per line",
                              source=source)


def _jsonl_record(line: str, source: str, lineno: int,
                  seen: dict[str, int]) -> Interaction | TranscriptError:
    try:
        data = read_json(line)
    except JsonInputError as exc:
        return TranscriptError(exc.message, source=source, line=lineno)
    try:
        inter = parse_interaction(data, source, line=lineno)
    except TranscriptError as exc:
        return exc
    if inter.id in seen:
        return TranscriptError(
            f"duplicate id {inter.id!r} (first on line {seen[inter.id]}); ids must be "
            "unique within a file", source=source, line=lineno, field="id")
    return inter


def parse_interaction(
    d: Any, source: str = "<dict>", line: int | None = None, *, default_id: str | None = None
) -> Interaction:
    """Validate one interaction record and build an :class:`Interaction`.

    Args:
        d: The decoded JSON object.
        source: Where it came from (a path), for error messages.
        line: Its line in a JSON Lines file, for error messages.
        default_id: The id to use when the record has none (a ``.json``
            file's stem); when None, ``id`` is required.

    Returns:
        The interaction, utterances sorted by start time.

    Raises:
        TranscriptError: On the first violation of the input contract.
    """
    ctx = _Ctx(source, line)
    if not isinstance(d, dict):
        raise ctx.error(None, f"expected a JSON object (an interaction), got {_kind(d)}")
    problem = json_problem(d)  # a dict from the Python API gets the same limits
    if problem:
        raise ctx.error(None, problem)
    unknown = sorted(str(k) for k in set(d) - TOP_KEYS)
    if unknown:
        raise ctx.error(unknown[0], unknown_key(unknown[0], TOP_KEYS))
    ident = d.get("id", default_id)
    if ident is None:
        raise ctx.error("id", "missing; expected a non-empty string")
    ident = _identifier(ctx, "id", ident)
    if not ident.strip():
        raise ctx.error("id", "expected a non-empty string")
    channel = d.get("channel")
    if channel not in CHANNELS:
        raise ctx.error("channel", f"expected one of {list(CHANNELS)}, got {channel!r}"
                        if "channel" in d else f"missing; expected one of {list(CHANNELS)}")
    rings, ring_seconds = _ring_fields(ctx, d, channel)
    if "utterances" not in d:
        raise ctx.error("utterances", "missing; expected a list of utterance objects")
    if not isinstance(d["utterances"], list):
        raise ctx.error("utterances", f"expected a list, got {_kind(d['utterances'])}")
    utterances = [_utterance(ctx, i, u) for i, u in enumerate(d["utterances"])]
    utterances.sort(key=lambda u: (u.start, u.end))
    duration = d.get("duration")
    if duration is not None:
        duration = _number(ctx, "duration", duration)
    return Interaction(
        id=ident,
        channel=channel,
        utterances=utterances,
        hall=_identifier(ctx, "hall", d.get("hall", ""), allow_int=False),
        window=_identifier(ctx, "window", d.get("window", "")),
        staff=_identifier(ctx, "staff", d.get("staff", "")),
        started_at=_timestamp(ctx, d.get("started_at", "")),
        rings=rings,
        ring_seconds=ring_seconds,
        source=source if line is None else f"{source}:{line}",
        duration=duration,
        meta=_meta(ctx, d),
    )


def _meta(ctx: _Ctx, d: dict[str, Any]) -> dict[str, Any]:
    """The hall's own ``meta`` object, with ``audio`` (a typed transcript's recording) in it."""
    meta = d.get("meta", {})
    if not isinstance(meta, dict):
        raise ctx.error("meta", f"expected an object of the hall's own fields, got {_kind(meta)}")
    meta = dict(meta)
    if "audio" in d:
        audio = _string(ctx, "audio", d["audio"])
        if meta.get("audio", audio) != audio:
            raise ctx.error("audio", f"differs from meta.audio ({meta['audio']!r}); give one")
        meta["audio"] = audio
    return meta


def _ring_fields(ctx: _Ctx, d: dict[str, Any], channel: str) -> tuple[int | None, float | None]:
    rings = d.get("rings")
    ring_seconds = d.get("ring_seconds")
    if channel != "phone":
        for key, value in (("rings", rings), ("ring_seconds", ring_seconds)):
            if value is not None:
                raise ctx.error(key, "only a phone call has rings; channel is 'counter'")
    if rings is not None and (isinstance(rings, bool) or not isinstance(rings, int)
                              or not 0 <= rings <= 10**6):
        raise ctx.error("rings", f"expected a whole number >= 0 and <= 1000000, got {rings!r}")
    if ring_seconds is not None:
        ring_seconds = _number(ctx, "ring_seconds", ring_seconds)
    return rings, ring_seconds


def _utterance(ctx: _Ctx, i: int, u: Any) -> Utterance:
    where = f"utterances[{i}]"
    if not isinstance(u, dict):
        raise ctx.error(where, f"expected an utterance object, got {_kind(u)}")
    unknown = sorted(str(k) for k in set(u) - UTTERANCE_KEYS)
    if unknown:
        raise ctx.error(f"{where}.{unknown[0]}",
                        unknown_key(unknown[0], UTTERANCE_KEYS, "an utterance"))
    for key in ("speaker", "start", "end", "text"):
        if key not in u:
            raise ctx.error(f"{where}.{key}", "missing; expected "
                            + {"speaker": f"one of {list(SPEAKERS)}", "text": "a string"}.get(
                                key, "a time in seconds >= 0"))
    if u["speaker"] not in SPEAKERS:
        raise ctx.error(f"{where}.speaker", f"expected one of {list(SPEAKERS)}, "
                        f"got {u['speaker']!r}")
    start = _number(ctx, f"{where}.start", u["start"])
    end = _number(ctx, f"{where}.end", u["end"])
    if end < start:
        raise ctx.error(f"{where}.end", f"expected a time >= start ({start}), got {end}")
    if not isinstance(u["text"], str):
        raise ctx.error(f"{where}.text", f"expected a string, got {_kind(u['text'])}")
    confidence = 1.0
    if "confidence" in u:
        confidence = _number(ctx, f"{where}.confidence", u["confidence"])
        if confidence > 1.0:
            raise ctx.error(f"{where}.confidence", f"expected a number in [0, 1], got {confidence}")
    known = u.get("speaker_known", True)
    if not isinstance(known, bool):
        raise ctx.error(f"{where}.speaker_known", f"expected true or false, got {known!r}")
    level = u.get("level_dbfs")
    if level is not None:
        level = _score(ctx, f"{where}.level_dbfs", level)
    sure = 1.0
    if "speaker_confidence" in u:
        sure = _number(ctx, f"{where}.speaker_confidence", u["speaker_confidence"])
        if sure > 1.0:
            raise ctx.error(f"{where}.speaker_confidence", f"expected a number in [0, 1], got {sure}")
    return Utterance(speaker=u["speaker"], start=start, end=end, text=u["text"],
                     words=_words(ctx, where, u.get("words", [])), confidence=confidence,
                     speaker_known=known, heard=_heard(ctx, where, u.get("heard", [])),
                     level_dbfs=level, speaker_confidence=sure)


def _heard(ctx: _Ctx, where: str, items: Any) -> tuple[Heard, ...]:
    """An utterance's ``heard`` list (acoustic verification written by the audio path)."""
    if not isinstance(items, list):
        raise ctx.error(f"{where}.heard", f"expected a list, got {_kind(items)}")
    out = []
    for j, h in enumerate(items):
        field = f"{where}.heard[{j}]"
        if not isinstance(h, dict) or set(h) - set(HEARD_KEYS):
            raise ctx.error(field, f"expected an object with keys from {list(HEARD_KEYS)}")
        for key in ("rule", "phrase", "evidence", "competitor", "source", "reason"):
            if key in h:
                _string(ctx, f"{field}.{key}", h[key])
        if "accepted" in h and not isinstance(h["accepted"], bool):
            raise ctx.error(f"{field}.accepted", f"expected true or false, got {h['accepted']!r}")
        if h.get("reason", "") not in ("", *REJECT_REASONS):
            raise ctx.error(f"{field}.reason", f"expected one of {list(REJECT_REASONS)}, "
                                               f"got {h['reason']!r}")
        missing = [k for k in HEARD_REQUIRED if k not in h]
        if missing:
            raise ctx.error(f"{field}.{missing[0]}", "missing")
        nums = {k: _number(ctx, f"{field}.{k}", h[k]) for k in (
            "start", "end", "confidence", "similarity", "text_similarity", "word_confidence")
            if k in h}
        scores = {k: _score(ctx, f"{field}.{k}", h[k]) for k in
                  ("margin", "phrase_score", "hypothesis_score", "competitor_margin")
                  if h.get(k) is not None}
        out.append(Heard.from_dict({**h, **nums, **scores}))
    return tuple(out)


def _score(ctx: _Ctx, field: str, value: Any) -> float:
    """A finite number of either sign (a log-probability)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ctx.error(field, f"expected a finite number, got {value!r}")
    return float(value)


def _words(ctx: _Ctx, where: str, words: Any) -> tuple[Word, ...]:
    if not isinstance(words, list):
        raise ctx.error(f"{where}.words", f"expected a list, got {_kind(words)}")
    out = []
    for j, w in enumerate(words):
        field = f"{where}.words[{j}]"
        if isinstance(w, dict):
            w = [w.get("text"), w.get("start"), w.get("end"), w.get("probability", 1.0)]
        if not isinstance(w, list) or len(w) not in (3, 4) or not isinstance(w[0], str):
            raise ctx.error(field, "expected [text, start, end, probability?] or "
                            "{text, start, end, probability?}")
        nums = [_number(ctx, field, x) for x in w[1:]]
        out.append(Word(w[0], *nums))
    return tuple(out)


def _number(ctx: _Ctx, field: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ctx.error(field, f"expected a number >= 0, got {_kind(value)} {value!r}")
    if not math.isfinite(value) or value < 0 or value > MAX_SECONDS:
        raise ctx.error(field, f"expected a finite number >= 0 and <= {MAX_SECONDS:g}, got {value!r}")
    return float(value)


def _string(ctx: _Ctx, field: str, value: Any, *, allow_int: bool = False) -> str:
    if allow_int and isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if not isinstance(value, str):
        raise ctx.error(field, f"expected a string, got {_kind(value)} {value!r}")
    return value


def _identifier(ctx: _Ctx, field: str, value: Any, *, allow_int: bool = True) -> str:
    """An id, hall, window or staff id: a string without control or format characters."""
    text = _string(ctx, field, value, allow_int=allow_int)
    problem = identifier_problem(text)
    if problem:
        raise ctx.error(field, problem)
    return text


def _timestamp(ctx: _Ctx, value: Any) -> str:
    text = _string(ctx, "started_at", value)
    if text:
        try:
            datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ctx.error("started_at", "expected an ISO-8601 time such as "
                            f"2023-05-04T09:30:00+08:00, got {text!r}") from None
    return text


def _kind(value: Any) -> str:
    names: dict[type, str] = {dict: "an object", list: "a list", str: "a string",
                              bool: "a boolean", type(None): "null", int: "a number",
                              float: "a number"}
    return names.get(type(value), type(value).__name__)
