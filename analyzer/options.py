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


@dataclass(frozen=True)
class RingOptions:
    """Ring counting from call records and from audio (``analyzer.rings``)."""

    max_rings: int = 3  # Article 7: answer within three rings
    cadence_on: float = 1.0  # s of tone per ring (China: 1 s on)
    cadence_off: float = 4.0  # s of silence per ring (China: 4 s off)
    frequencies: tuple[float, ...] = (450.0,)  # Hz of the ringback tone
    min_tone_ratio: float = 0.5  # share of band energy that must be tone


@dataclass(frozen=True)
class AcousticOptions:
    """Loudness, speech rate and silence measures (``analyzer.acoustics``)."""

    shout_over_median_db: float = 10.0  # dB above the staff's own median level
    shout_min_dbfs: float = -12.0  # dBFS absolute floor for a shout
    min_chars_per_minute: float = 120.0  # slower than this is hard to follow
    max_chars_per_minute: float = 330.0  # faster than this is rushed
    rate_min_seconds: float = 20.0  # judge rate only on this much staff speech
    ignore_seconds: float = 15.0  # citizen spoke, staff silent this long = ignoring


@dataclass(frozen=True)
class ASROptions:
    """Speech recognition (``analyzer.asr``)."""

    model: str = ""  # CTranslate2 model folder; empty: the bundled Whisper base
    device: str = "cpu"  # cpu | cuda | auto
    compute_type: str = "int8"  # int8 on CPU, float16 on GPU
    cpu_threads: int = 0  # 0: let CTranslate2 decide
    language: str = "zh"
    beam_size: int = 1
    vad: bool = True
    vad_min_silence_ms: int = 500
    no_speech_threshold: float = 0.6  # drop segments whose no-speech probability is higher
    initial_prompt: str = ""  # measured in benchmarks/; empty by default
    mono_speaker: str = "staff"  # who speaks into a mono recording's microphone
    stereo_speakers: tuple[str, str] = ("staff", "citizen")  # channel 0, channel 1


@dataclass(frozen=True)
class ClassifierOptions:
    """Learned detectors (``analyzer.learned``)."""

    enabled: bool = True
    uncivil_threshold: float = 0.7  # probability above which an utterance is uncivil
    cue_threshold: float = 0.6  # probability above which a citizen cue counts


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
