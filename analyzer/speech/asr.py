"""Speech recognition: the model, the decoding policy's rules, one-channel transcription.

The model is loaded once per process and shared (:func:`get_model`).
Speech is recognised by the one recognition engine
(:mod:`analyzer.speech.engine`, :func:`analyzer.speech.engine.transcribe` for
one channel); this module holds the rules that engine applies. Recognition is tuned for a
compliance check, where a made-up sentence is worse than a missed one:

* language fixed to Mandarin (``zh``), no language detection;
* Silero VAD (bundled with faster-whisper) skips silence, so silence costs
  nothing and cannot be "heard" as words;
* one fixed temperature and no conditioning on the previous text, so a bad
  window cannot trigger a storm of re-decodes or carry a loop forward; a
  window whose text ran into a repetition loop (compressing more than
  ``compression_ratio_threshold``) is decoded once more with
  ``repetition_penalty`` (not on the first pass: the penalty changes the
  words of clean speech too — on the hall corpus it raised the character
  error rate from 0.167 to 0.207);
* windows whose no-speech probability is high, known
  Whisper boilerplate (``字幕由…提供``, ``请不吝点赞订阅``, ``谢谢观看``) and
  repetition loops are dropped;
* output converted to simplified characters (Whisper base often answers in
  traditional ones) with OpenCC ``t2s``.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

from analyzer.errors import ModelError, require
from analyzer.options import ASROptions
from analyzer.text.normalize import to_simplified  # the shared OpenCC t2s converter (H1)
from analyzer.types import Word

logger = logging.getLogger("analyzer")

#: Boilerplate Whisper learned from subtitled video: a segment containing one
#: of these anywhere is dropped.
HALLUCINATION_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p)
    for p in (
        r"字幕.{0,20}(提供|制作|翻译|校对|志愿者)",
        r"(提供|制作).{0,3}字幕",
        r"字幕\s*(by|BY|By)",
        r"[Aa]mara\.?org",
        r"请?不吝.{0,6}(点赞|订阅)",
        r"(点赞|订阅|转发|打赏).{0,4}(订阅|转发|打赏|支持)",
        r"明镜.{0,3}点点",
        r"(谢谢|感谢|多谢).{0,3}(观看|收看|收听)",
        r"(下期|下集|下次节目)再见",
        r"独播剧场|YoYo Television",
        r"中文字幕",
    )
)
_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
_MODEL_LOCK = threading.Lock()
#: Seconds each model this process loaded took, by (folder, device, compute type, threads).
_LOAD_SECONDS: dict[tuple[str, str, str, int], float] = {}


@functools.lru_cache(maxsize=4)
def _load(path: str, device: str, compute_type: str, cpu_threads: int) -> tuple[Any, float]:
    fw = require("faster_whisper")
    from analyzer.speech.backend import check_backend

    check_backend()
    logger.info("loading speech model %s (%s, %s, %d threads)", path, device, compute_type,
                cpu_threads)
    started = time.perf_counter()
    try:
        model = fw.WhisperModel(
            path, device=device, compute_type=compute_type, cpu_threads=cpu_threads
        )
    except (RuntimeError, ValueError, OSError) as exc:
        raise ModelError(f"faster-whisper cannot load this model: {exc}", source=path) from exc
    seconds = _LOAD_SECONDS[(path, device, compute_type, cpu_threads)] = (
        time.perf_counter() - started)
    return model, seconds


def model_path(options: ASROptions) -> Path:
    """The model folder ``options`` selects (``options.model``, ``$CONDUCT_MODEL`` or bundled)."""
    from analyzer.speech.model import resolve_model

    return resolve_model(options.model)


def get_model(options: ASROptions) -> Any:
    """Return the ``faster_whisper.WhisperModel`` for ``options``, loading it once.

    Models are cached per (folder, device, compute type, threads) for the
    life of the process and shared by every caller.

    Raises:
        ModelError: The model folder is missing, corrupt or unloadable.
    """
    path = str(model_path(options))
    with _MODEL_LOCK:
        model, _ = _load(path, options.device, options.compute_type, options.cpu_threads)
    return model


def models_loaded() -> int:
    """Speech models this process holds (loaded by :func:`get_model`, still cached)."""
    return int(_load.cache_info().currsize)


def release_models() -> None:
    """Forget the speech models this process has loaded (:func:`get_model` loads again);
    their memory goes once nothing else refers to them (a batch worker switching
    models, :func:`analyzer.batch.worker.process_main`)."""
    with _MODEL_LOCK:
        _load.cache_clear()


def asr_info(options: ASROptions) -> dict[str, Any]:
    """The audit block of the recognizer: model folder, its SHA-256, load time, options.

    Loads nothing: the load time is that of the model of ``options``' compute type when
    this process has loaded it (None otherwise; a telephone line may be heard with
    another, ``ASROptions.for_line``, and a batch worker holds only its line's model).
    """
    path = str(model_path(options))
    load_seconds = _LOAD_SECONDS.get((path, options.device, options.compute_type,
                                      options.cpu_threads))
    return {
        "model": path,
        "model_sha256": _model_sha(path),
        "model_load_seconds": None if load_seconds is None else round(load_seconds, 3),
        "options": asdict(options),
    }


@functools.lru_cache(maxsize=8)
def _model_sha(path: str) -> str:
    from analyzer.speech.model import _marker_ok, load_record, sha256_file

    record = load_record()
    if _marker_ok(Path(path), record):
        return str(record["files"]["model.bin"]["sha256"])
    return sha256_file(Path(path) / "model.bin")


def loops(text: str, options: ASROptions) -> bool:
    """True when decoded text repeats itself (a decoding loop).

    A text of over 20 characters compressing (gzip) more than
    ``options.compression_ratio_threshold`` (0: never) is a loop; the
    channel (or, in the batch, the window) is then decoded again with
    ``options.repetition_penalty``.
    """
    from faster_whisper.transcribe import get_compression_ratio

    limit = options.compression_ratio_threshold
    return bool(limit) and len(text) > 20 and get_compression_ratio(text) > limit


def prompt_texts(options: ASROptions) -> tuple[str | None, str | None]:
    """The text prompt and hotwords the decoder is given (``initial_prompt``,
    ``hotwords``, or the lexicon's phrases when ``lexicon_prompt`` asks)."""
    prompt, hotwords = options.initial_prompt or None, options.hotwords or None
    if options.lexicon_prompt == "prompt" and not prompt:
        prompt = lexicon_prompt()
    elif options.lexicon_prompt == "hotwords" and not hotwords:
        hotwords = lexicon_prompt()
    return prompt, hotwords


@functools.lru_cache(maxsize=1)
def lexicon_prompt(max_chars: int = 150) -> str:
    """A prompt of the lexicon's required phrases (greetings, farewells, replies).

    Each canonical phrase is split at its punctuation into clauses; clauses
    with a placeholder (``XXX``) are left out, the rest deduplicated, joined
    with ``，`` and capped at ``max_chars``. Used when ``ASROptions.lexicon_prompt`` is set;
    ``benchmarks/cer.py`` measures whether it helps.
    """
    from analyzer.text.lexicon import load_lexicon

    clauses: list[str] = []
    for rule in load_lexicon().select(kind="required"):
        for clause in _CLAUSE_SPLIT.split(_PLACEHOLDER.sub("", rule.canonical)):
            if len(clause) >= 2 and "X" not in clause and clause not in clauses:
                clauses.append(clause)
    return _join_capped(clauses, max_chars)


_PLACEHOLDER = re.compile(r"[(（][^)）]*[)）]")
_CLAUSE_SPLIT = re.compile(r"[,，。.?？!！、;；:：\s]+")


def _join_capped(phrases: Iterable[str], max_chars: int) -> str:
    out = ""
    for phrase in phrases:
        nxt = f"{out}，{phrase}" if out else phrase
        if len(nxt) > max_chars:
            break
        out = nxt
    return out + ("。" if out else "")


def is_hallucination(text: str) -> bool:
    """True for Whisper boilerplate or a repetition loop (see module docstring)."""
    simple = to_simplified(text)
    bare = _PUNCT.sub("", simple)
    if not bare:
        return True
    if any(p.search(simple) for p in HALLUCINATION_PATTERNS):
        return True
    return _loop_share(bare) >= 0.5


def _loop_share(text: str) -> float:
    """Share of ``text`` covered by one unit repeated back to back (``好的好的好的好的…``)."""
    best = 0
    for size in range(1, 9):
        need = 6 if size == 1 else 4
        for match in re.finditer(rf"(.{{{size}}})\1{{{need - 1},}}", text):
            best = max(best, len(match.group(0)))
    return best / len(text)


def written_words(words: Sequence[Word], options: ASROptions) -> list[Word]:
    """Recognised words as the transcript writes them.

    Simplified characters (OpenCC ``tw2s`` over the words' text as a whole, so
    phrase conversions apply, then given back word by word) and, with
    ``options.numbers`` "spoken", numbers as said (:mod:`analyzer.speech.spoken`).
    """
    from analyzer.speech.spoken import spoken_words

    joined = "".join(w.text for w in words)
    simple = to_simplified(joined)
    if len(simple) == len(joined):
        out, i = [], 0
        for w in words:
            out.append(replace(w, text=simple[i:i + len(w.text)]))
            i += len(w.text)
    else:  # a conversion changed the length: word by word keeps each word's own text
        out = [replace(w, text=to_simplified(w.text)) for w in words]
    return spoken_words(out) if options.numbers == "spoken" else out


def split_at_pauses(words: Sequence[Word], gap: float) -> list[list[Word]]:
    """Group consecutive words, starting a new group at each pause of ``gap`` seconds."""
    if not words:
        return []
    pieces: list[list[Word]] = [[words[0]]]
    for prev, cur in zip(words, words[1:], strict=False):
        if cur.start - prev.end >= gap:
            pieces.append([])
        pieces[-1].append(cur)
    return pieces
