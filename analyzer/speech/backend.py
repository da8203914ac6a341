"""The faster-whisper and CTranslate2 interfaces the analyzer relies on, checked once.

Besides faster-whisper's public ``WhisperModel.transcribe`` the recognizer
uses parts that are not its documented API: the Silero session behind
``faster_whisper.vad.get_vad_model``, ``WhisperModel.encode``,
``feature_extractor``, ``find_alignment``, ``hf_tokenizer``, the
CTranslate2 model's ``generate`` and ``align``, and helpers of
``faster_whisper.transcribe`` / ``.audio`` / ``.tokenizer``. pyproject.toml
pins both libraries to the versions this was tested with; :func:`check_backend`
fails loudly, naming the versions, when an installed version lacks one of them.
"""

from __future__ import annotations

import functools
import importlib
import inspect
from importlib.metadata import PackageNotFoundError, version

from analyzer.errors import ModelError

#: module -> names it must have.
REQUIRED_FUNCTIONS: dict[str, tuple[str, ...]] = {
    "faster_whisper": ("WhisperModel",),
    "faster_whisper.vad": ("VadOptions", "get_speech_timestamps", "get_vad_model"),
    "faster_whisper.transcribe": ("get_compression_ratio", "get_suppressed_tokens"),
    "faster_whisper.audio": ("pad_or_trim",),
    "faster_whisper.tokenizer": ("Tokenizer",),
}
#: Methods of ``faster_whisper.WhisperModel`` the packed recognizer calls.
WHISPER_METHODS: tuple[str, ...] = ("encode", "find_alignment", "get_prompt")
#: Methods of ``ctranslate2.models.Whisper`` (``WhisperModel.model``).
CT2_METHODS: tuple[str, ...] = ("generate", "align", "encode")
#: ``VadOptions`` fields the analyzer sets.
VAD_FIELDS: tuple[str, ...] = ("threshold", "min_silence_duration_ms", "max_speech_duration_s",
                               "speech_pad_ms")


def versions() -> dict[str, str]:
    """Installed versions of faster-whisper and ctranslate2 (``"missing"`` if absent)."""
    out = {}
    for dist in ("faster-whisper", "ctranslate2"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "missing"
    return out


@functools.cache
def check_backend() -> None:
    """Check once per process that the installed libraries have what the analyzer uses.

    Raises:
        ModelError: Something is missing; the message names it and the
            installed versions.
    """
    missing = [f"{m}.{n}" for m, names in REQUIRED_FUNCTIONS.items() for n in names
               if not hasattr(_module(m), n)]
    fw = _module("faster_whisper")
    whisper = getattr(fw, "WhisperModel", None)
    missing += [f"WhisperModel.{m}" for m in WHISPER_METHODS if not hasattr(whisper, m)]
    ct2 = _module("ctranslate2.models")
    missing += [f"ctranslate2.models.Whisper.{m}" for m in CT2_METHODS
                if not hasattr(getattr(ct2, "Whisper", None), m)]
    get_vad_model = getattr(_module("faster_whisper.vad"), "get_vad_model", None)
    if get_vad_model is not None and not hasattr(get_vad_model(), "session"):
        missing.append("get_vad_model().session")  # the stream runs Silero on it directly
    vad = getattr(_module("faster_whisper.vad"), "VadOptions", None)
    if vad is not None:
        params = inspect.signature(vad).parameters
        missing += [f"VadOptions({f}=)" for f in VAD_FIELDS if f not in params]
    if missing:
        found = ", ".join(f"{k} {v}" for k, v in versions().items())
        raise ModelError(f"the installed speech libraries ({found}) lack {', '.join(missing)}; "
                         "install the versions pyproject.toml pins",
                         source="faster-whisper")


def _module(name: str) -> object | None:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None
