"""What the analysis core produces for one interaction, and what identifies an analysis.

An :class:`AnalysisResult` is the report with everything needed to keep it:
the interaction analysed (kept so a changed lexicon can re-score it without
recognising the audio again), what only the audio gave
(:class:`AudioResults`), and the analysis key (:class:`AnalysisKey`: the
content, the recognizer that heard it, the lexicon version). ``conduct
analyze`` prints its report; the batch and the live recorder keep it with
:func:`analyzer.persist.persist`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from analyzer.options import AnalyzerOptions
from analyzer.types import Finding, Interaction, InteractionReport, RingResult

#: The recognizer identity of a typed transcript (no recognition happened).
TRANSCRIPT_MODEL = "transcript"


@dataclass(frozen=True)
class AudioResults:
    """What only the audio gave: kept in the store so a re-score needs no recognition.

    Attributes:
        ring: Rings heard in the audio, or None.
        findings: Measured findings (loudness...).
        asr_info: The recognizer's audit block (with the attribution).
    """

    ring: RingResult | None = None
    findings: tuple[Finding, ...] = ()
    asr_info: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data, as the store keeps it."""
        ring = None if self.ring is None else {
            "rings": self.ring.rings, "source": self.ring.source,
            "answer_time": self.ring.answer_time,
            "ring_spans": [list(s) for s in self.ring.ring_spans],
            "confidence": self.ring.confidence}
        return {"ring": ring, "findings": [f.to_dict() for f in self.findings],
                "asr_info": self.asr_info}

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> AudioResults:
        """Rebuild from :meth:`to_dict` (an empty dict: a typed transcript)."""
        d = d or {}
        ring_d = d.get("ring")
        ring = None if not ring_d else RingResult(
            **{**ring_d, "ring_spans": [tuple(s) for s in ring_d.get("ring_spans", [])]})
        return cls(ring=ring, findings=tuple(Finding(**f) for f in d.get("findings", [])),
                   asr_info=d.get("asr_info") or {})


def identity_of(content_hash: str, interaction_id: str, started_at: str) -> str:
    """An interaction's identity: its content *and* its id and start time, as its input says.

    An interaction is an event (a call, a visit), not a byte string: two copies
    of one recording with different ids or start times (sidecars, manifest
    rows, live headers) are two interactions, and identical audio is at most
    a warning. The same recording met again with the same id and time (the
    nightly batch meeting a live call's WAV, a folder moved) is the same one.
    ``interaction_id`` is the id the input gives (a recording without one:
    its file's stem); ``started_at`` the start time it gives ("" when none:
    never one derived later from the file or the clock).
    """
    blob = f"{content_hash}\0{interaction_id}\0{started_at}"
    return hashlib.sha256(blob.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class AnalysisKey:
    """What identifies one analysis (``analyzer.store.analysis_key`` hashes it).

    Attributes:
        content_hash: sha256 of the recording's bytes, or of a transcript record.
        model: The recognizer's identity (:func:`model_identity`), or
            :data:`TRANSCRIPT_MODEL` for a typed transcript.
        lexicon_version: The lexicon's version.
        identity: The interaction's identity (:func:`identity_of`): an
            analysis is of one interaction; "" where the caller cannot say
            (the store then takes it from the report's id and start time).
    """

    content_hash: str
    model: str
    lexicon_version: str
    identity: str = ""


@dataclass(frozen=True)
class AnalysisResult:
    """One interaction analysed by the core.

    Attributes:
        report: The scored report.
        interaction: The interaction analysed (recognised, with its metadata).
        audio: What only the audio gave (None: a typed transcript).
        key: What identifies this analysis, where the caller knows the content
            (the batch, the live recorder); None for a one-off analysis.
        path: The input file the store names (a recording, a transcript file).
        duration: Seconds of audio recognised (0 for a transcript).
    """

    report: InteractionReport
    interaction: Interaction
    audio: AudioResults | None = None
    key: AnalysisKey | None = None
    path: str = ""
    duration: float = 0.0


def model_identity(options: AnalyzerOptions) -> str:
    """Which recognizer produced a transcript: model folder + recognition options.

    A different model, or options that change the words (language, beam,
    VAD, prompt, packing), make recordings be transcribed again; device,
    threads, compute type and bins per call do not.
    """
    from analyzer.speech.asr import model_path

    path = model_path(options.asr)
    asr = asdict(options.asr)
    for k in ("device", "cpu_threads", "compute_type", "model"):
        asr.pop(k, None)
    asr["pack"] = {k: v for k, v in asdict(options.pack).items() if k != "batch_size"}
    if asr["pack"].get("min_window_seconds") == 30.0:  # full windows: as before the option
        del asr["pack"]["min_window_seconds"]
    blob = json.dumps(asr, sort_keys=True, default=str)
    return f"{path.name}/{hashlib.sha256(blob.encode()).hexdigest()[:10]}"
