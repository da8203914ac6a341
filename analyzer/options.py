"""Options of every stage, with their defaults defined once.

Each stage has its own frozen dataclass; :class:`AnalyzerOptions` groups them.
The whole tree is recorded into every report (``report.analyzer.options``) so
an inspector can see which thresholds produced a finding.

Each block is owned by the stage module named in its docstring; add a field
there with a comment giving its unit.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, is_dataclass, replace
from typing import Any


@dataclass(frozen=True)
class MatchOptions:
    """Lexicon matching (``analyzer.match``)."""

    fuzzy: bool = True  # match homophones / near-homophones through pinyin
    min_confidence: float = 0.6  # drop fuzzy hits below this confidence
    exact_confidence: float = 0.98  # confidence of a verbatim hit
    join_gap: float = 3.0  # s; join consecutive same-speaker utterances this close
    fuzzy_threshold: float = 0.85  # 0-1 similarity a pinyin/fuzzy alignment needs
    min_pinyin_chars: int = 3  # phrases shorter than this (chars) match verbatim only
    min_fuzzy_chars: int = 6  # shorter phrases allow homophones but no missing/extra chars
    max_slot_chars: int = 8  # chars a slot (XX / XXX) may span (at least 1)
    unknown_speaker_weight: float = 0.8  # confidence factor, role-bound rule on "unknown"; 0: off


@dataclass(frozen=True)
class ContextOptions:
    """Context rules: greetings, farewells, owed replies (``analyzer.context``)."""

    greeting_window: float = 20.0  # s from the first staff speech to greet
    greeting_turns: int = 2  # or within this many first staff utterances
    farewell_window: float = 30.0  # s before the end to ask for evaluation / say goodbye
    farewell_turns: int = 3  # or within this many last staff utterances
    reply_window: float = 30.0  # s after a citizen trigger for the owed reply
    reply_turns: int = 3  # or within this many staff utterances after it
    min_staff_utterances: int = 1  # below this, owed-phrase rules are not judged
    phone_greeting_turns: int = 1  # Article 7 greeting must be in the first N staff utterances
    leaving_channels: tuple[str, ...] = ("counter",)  # Article 10 leaving is judged on these
    farewell_min_utterances: int = 4  # shorter interactions (cut short) are not judged for leaving
    missing_confidence: float = 0.95  # confidence of a missing phrase in a typed transcript
    assumed_speaker_weight: float = 0.8  # factor on a forbidden hit whose speaker was assumed (mono)
    min_cue_confidence: float = 0.6  # weaker cues (e.g. unsure classifier guesses) owe no reply


@dataclass(frozen=True)
class RingOptions:
    """Ring counting from call records and from audio (``analyzer.rings``)."""

    max_rings: int = 3  # Article 7: answer within three rings
    cadence_on: float = 1.0  # s of tone per ring (China: 1 s on)
    cadence_off: float = 4.0  # s of silence per ring (China: 4 s off)
    frequencies: tuple[float, ...] = (450.0,)  # Hz of the ringback tone
    min_tone_ratio: float = 0.5  # share of band energy that must be tone
    pattern: tuple[
        float, ...
    ] = ()  # s, on/off/on/off... of one ring period; () = (cadence_on, cadence_off)
    frequency_tolerance: float = 8.0  # Hz, spectral peak must lie this close to each frequency
    min_tone_dbfs: float = -55.0  # dBFS, quieter tone frames are ignored
    min_tone_seconds: float = 0.15  # s, shorter tone bursts are ignored
    cadence_tolerance: float = 0.35  # relative tolerance on ring length and ring period
    confirm_seconds: float = 0.3  # s of tone before a live stream counts a ring


@dataclass(frozen=True)
class AcousticOptions:
    """Loudness, speech rate and silence measures (``analyzer.acoustics``)."""

    shout_over_median_db: float = 10.0  # dB above the staff's own median level
    shout_min_dbfs: float = -12.0  # dBFS absolute floor for a shout
    min_chars_per_minute: float = 120.0  # slower than this is hard to follow
    max_chars_per_minute: float = 330.0  # faster than this is rushed
    rate_min_seconds: float = 20.0  # judge rate only on this much staff speech
    ignore_seconds: float = 15.0  # citizen spoke, staff silent this long = ignoring
    shout_min_seconds: float = 0.5  # s, shorter utterances are not judged for shouting
    shout_min_utterances: int = 3  # staff utterances needed for a meaningful median
    hangup_window: float = 3.0  # s, call ending this soon after a citizen question = hang-up
    farewell_lookback: float = (
        60.0  # s before the end in which a staff farewell excuses the hang-up
    )


@dataclass(frozen=True)
class ASROptions:
    """Speech recognition (``analyzer.asr``)."""

    model: str = ""  # CTranslate2 model folder; empty: the bundled Whisper base
    device: str = "cpu"  # cpu | cuda | auto
    compute_type: str = "int8"  # int8 on CPU, float16 on GPU
    cpu_threads: int = 0  # 0: let CTranslate2 decide
    language: str = "zh"
    beam_size: int = 1
    temperature: float = 0.0  # one fixed temperature: no fallback re-decoding storms
    # >1 breaks repetition loops (您好,请问您好,您好,…); used only to decode again a channel
    # (batch: a window) whose first, unpenalised decoding looped
    repetition_penalty: float = 1.2
    vad: bool = True
    vad_threshold: float = 0.5  # Silero speech probability above which audio is speech
    # Silero scores telephone-band speech lower: on the benchmark calls 0.5 found 57 % of
    # the speech (9 of 20 turns lost), 0.3 found 81 % (none lost). Used for recordings
    # at <= 8 kHz or whose channel is "phone".
    phone_vad_threshold: float = 0.3
    vad_min_silence_ms: int = 500
    no_speech_threshold: float = 0.6  # drop segments whose no-speech probability is higher
    compression_ratio_threshold: float = 2.4  # drop segments more repetitive than this (gzip ratio)
    initial_prompt: str = ""  # text prompt given to Whisper as previous context
    hotwords: str = ""  # words Whisper is nudged towards
    lexicon_prompt: str = (
        ""  # "", "prompt" or "hotwords": build that from lexicon phrases (see benchmarks/cer.py)
    )
    split_gap: float = 1.0  # s; a pause between words this long starts a new utterance
    mono_speaker: str = "staff"  # who speaks into a mono recording's microphone
    stereo_speakers: tuple[str, str] = ("staff", "citizen")  # channel 0, channel 1
    hall_speakers: tuple[
        tuple[str, str, str], ...
    ] = ()  # (hall, channel-0 role, channel-1 role) per hall

    def for_line(self, native_rate: int, channel: str | None) -> ASROptions:
        """These options for a recording's line: telephone band (native rate at
        most 8 kHz, or ``channel`` "phone") gets ``phone_vad_threshold``."""
        narrow = 0 < native_rate <= 8000 or channel == "phone"
        if not narrow or self.phone_vad_threshold == self.vad_threshold:
            return self
        return replace(self, vad_threshold=self.phone_vad_threshold)


@dataclass(frozen=True)
class ClassifierOptions:
    """Learned detectors (``analyzer.learned``)."""

    enabled: bool = True
    # Defaults are the thresholds models.classifiers.train picks on out-of-fold
    # training predictions (lowest reaching precision 0.93 / 0.8).
    uncivil_threshold: float = 0.5  # flag staff speech when P(uncivil)=1-P(civil) >= this
    cue_threshold: float = 0.4  # probability at/above which a citizen cue counts
    model_dir: str = ""  # folder of uncivil.onnx, cues.onnx, metadata.json; "": models/classifiers
    assumed_speaker_weight: float = 0.8  # confidence factor when the staff speaker was assumed (mono)


@dataclass(frozen=True)
class ScoreOptions:
    """Scoring (``analyzer.score``)."""

    template: str = ""  # scoring template path; empty: lexicons/scoring.toml


@dataclass(frozen=True)
class AnalyzerOptions:
    """Every option of the analyzer, grouped by stage.

    Attributes:
        lexicon: Extra lexicon files layered over the shipped one, in order
            (a county hall's local rules, Article 28).
    """

    lexicon: tuple[str, ...] = ()
    match: MatchOptions = field(default_factory=MatchOptions)
    context: ContextOptions = field(default_factory=ContextOptions)
    rings: RingOptions = field(default_factory=RingOptions)
    acoustics: AcousticOptions = field(default_factory=AcousticOptions)
    asr: ASROptions = field(default_factory=ASROptions)
    classifier: ClassifierOptions = field(default_factory=ClassifierOptions)
    score: ScoreOptions = field(default_factory=ScoreOptions)

    def to_dict(self) -> dict[str, Any]:
        """Return the options as plain JSON-able data, for the audit block."""
        return asdict(self)

    def with_overrides(self, overrides: dict[str, Any]) -> AnalyzerOptions:
        """Return a copy with dotted-key overrides applied.

        Args:
            overrides: e.g. ``{"rings.max_rings": 4, "asr.model": "/m"}``.

        Raises:
            KeyError: When a key names no option.
        """
        opts: Any = self
        for key, value in overrides.items():
            opts = _set_dotted(opts, key.split("."), value)
        return opts


def _set_dotted(obj: Any, path: list[str], value: Any) -> Any:
    names = {f.name for f in fields(obj)}
    if path[0] not in names:
        raise KeyError(f"unknown option {'.'.join(path)!r}")
    if len(path) == 1:
        current = getattr(obj, path[0])
        if isinstance(current, tuple) and isinstance(value, list):
            value = tuple(value)
        return replace(obj, **{path[0]: value})
    child = getattr(obj, path[0])
    if not is_dataclass(child):
        raise KeyError(f"option {path[0]!r} has no sub-options")
    return replace(obj, **{path[0]: _set_dotted(child, path[1:], value)})
