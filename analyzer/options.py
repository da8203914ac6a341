"""The analyzer's options: one frozen dataclass per stage, with its defaults defined once.

:class:`AnalyzerOptions` groups the blocks that shape a report and is
recorded into every report (``report.analyzer.options``), so an inspector
can see which thresholds produced a finding; :class:`PackOptions` (how the
recognizer batches speech) and :class:`StreamOptions` (live input) are part
of it too. Import option blocks from here.

Every block checks itself when built (:mod:`analyzer.validation`): a bad
value is an :class:`~analyzer.errors.OptionError` naming the option, e.g.
``rings.max_rings: expected an integer, got 'four'``. The services'
settings (the listener, the review app) are in :mod:`analyzer.config`; the
command line's ``--set KEY=VALUE`` is read by :mod:`analyzer.cli.overrides`.

Each block is owned by the stage module named in its docstring; add a field
there with a comment giving its unit, and its range to ``_RANGES``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import TYPE_CHECKING, Any, ClassVar

from analyzer.errors import OptionError
from analyzer.validation import NONNEG, UNIT, Checked, Range, with_dotted

if TYPE_CHECKING:
    from analyzer.halltime import HallZones

#: Which speech pieces may share a batch window (see :class:`PackOptions`).
SHARE_MODES: tuple[str, ...] = ("channel", "recording", "plan", "any")
#: What is done first for a piece whose packed window lost its words (:class:`PackOptions`).
LOST_MODES: tuple[str, ...] = ("redecode", "repack")
#: Who speaks on a channel.
ROLES: tuple[str, ...] = ("staff", "citizen")
#: Who speaks on a mono recording: told apart ("auto") or one party.
MONO_ROLES: tuple[str, ...] = ("auto", *ROLES)

@dataclass(frozen=True)
class MatchOptions(Checked):
    """Lexicon matching (``analyzer.text.match``)."""

    SECTION: ClassVar[str] = "match"
    _RANGES: ClassVar[dict[str, Range]] = {"min_confidence": UNIT, "exact_confidence": UNIT, "join_gap": NONNEG, "fuzzy_threshold": UNIT, "min_pinyin_chars": NONNEG, "min_fuzzy_chars": NONNEG, "max_slot_chars": (1, None), "unknown_speaker_weight": UNIT}

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
class ContextOptions(Checked):
    """Context rules: greetings, farewells, owed replies (``analyzer.rules.context``)."""

    SECTION: ClassVar[str] = "context"
    _RANGES: ClassVar[dict[str, Range]] = {"greeting_window": NONNEG, "greeting_turns": (1, None), "farewell_window": NONNEG, "farewell_turns": (1, None), "reply_window": NONNEG, "reply_turns": (1, None), "reply_before_turns": NONNEG, "min_staff_utterances": NONNEG, "phone_greeting_turns": (1, None), "ended_silence": NONNEG, "missing_confidence": UNIT, "assumed_speaker_weight": UNIT, "min_cue_confidence": UNIT}
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {
        "leaving_channels": ("counter", "phone"),
        "reply_before_kinds": ("praise", "suggestion", "upset", "incomplete_materials", "not_ours")}

    greeting_window: float = 20.0  # s from the first staff speech to greet
    greeting_turns: int = 2  # or within this many first staff utterances
    farewell_window: float = 30.0  # s before the end to ask for evaluation / say goodbye
    farewell_turns: int = 3  # or within this many last staff utterances
    reply_window: float = 30.0  # s after a citizen trigger for the owed reply
    reply_turns: int = 3  # or within this many staff utterances after it
    # the owed reply also counts in this many staff utterances just before the cue (0: after only),
    # for these cue kinds: an apology and the list said as the lack came to light, before the
    # utterance that turned the citizen away (analyzer.rules.context.reply_span)
    reply_before_turns: int = 2
    reply_before_kinds: tuple[str, ...] = ("incomplete_materials",)
    min_staff_utterances: int = 1  # below this, owed-phrase rules are not judged
    phone_greeting_turns: int = 1  # Article 7 greeting must be in the first N staff utterances
    leaving_channels: tuple[str, ...] = ("counter",)  # Article 10 leaving is judged on these
    ended_silence: float = 1.0  # s of silence before a recording's end: the visit ended, not cut
    missing_confidence: float = 0.95  # confidence of a missing phrase in a typed transcript
    assumed_speaker_weight: float = 0.8  # factor on a forbidden hit whose speaker was assumed (mono)
    min_cue_confidence: float = 0.6  # weaker cues (e.g. unsure classifier guesses) owe no reply


@dataclass(frozen=True)
class RingOptions(Checked):
    """Ring counting from call records and from audio (``analyzer.speech.rings``)."""

    SECTION: ClassVar[str] = "rings"
    _RANGES: ClassVar[dict[str, Range]] = {"max_rings": NONNEG, "cadence_on": (0.01, None), "cadence_off": (0.0, None), "frequencies": (50.0, 4000.0), "min_tone_ratio": UNIT, "pattern": (0.01, None), "frequency_tolerance": (0.1, None), "min_tone_dbfs": (None, 0.0), "min_tone_seconds": NONNEG, "cadence_tolerance": UNIT, "confirm_seconds": NONNEG}

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

    def _check_more(self) -> None:
        if len(self.pattern) % 2:
            raise OptionError(f"expected on/off pairs (an even count of seconds), got "
                              f"{list(self.pattern)}", field="rings.pattern")
        if not self.frequencies:
            raise OptionError("expected at least one frequency", field="rings.frequencies")


@dataclass(frozen=True)
class AcousticOptions(Checked):
    """Loudness, speech rate and silence measures (``analyzer.rules.acoustics``)."""

    SECTION: ClassVar[str] = "acoustics"
    _RANGES: ClassVar[dict[str, Range]] = {"shout_over_median_db": NONNEG, "shout_min_dbfs": (None, 0.0), "min_chars_per_minute": NONNEG, "max_chars_per_minute": NONNEG, "rate_min_seconds": NONNEG, "ignore_seconds": NONNEG, "ignore_typed_seconds": NONNEG, "shout_min_seconds": NONNEG, "shout_min_utterances": (1, None), "hangup_window": NONNEG, "farewell_lookback": NONNEG}

    shout_over_median_db: float = 10.0  # dB above the staff's own median level
    shout_min_dbfs: float = -12.0  # dBFS absolute floor for a shout
    min_chars_per_minute: float = 120.0  # slower than this is hard to follow
    max_chars_per_minute: float = 330.0  # faster than this is rushed
    rate_min_seconds: float = 20.0  # judge rate only on this much staff speech
    ignore_seconds: float = 15.0  # citizen spoke, staff silent this long = ignoring
    # typed transcripts (no audio): the citizen called again after this many s without a reply
    ignore_typed_seconds: float = 3.0
    shout_min_seconds: float = 0.5  # s, shorter utterances are not judged for shouting
    shout_min_utterances: int = 3  # staff utterances needed for a meaningful median
    hangup_window: float = 3.0  # s, call ending this soon after a citizen question = hang-up
    farewell_lookback: float = (
        60.0  # s before the end in which a staff farewell excuses the hang-up
    )


@dataclass(frozen=True)
class VadOptions(Checked):
    """Voice activity detection: the one Silero VAD setting of every path
    (``analyzer.speech.packing.vad_pieces``; the stream's segmenter uses the
    same threshold, silence and padding)."""

    SECTION: ClassVar[str] = "asr.vad"
    _RANGES: ClassVar[dict[str, Range]] = {
        "threshold": UNIT, "phone_threshold": UNIT, "pad_ms": NONNEG, "context_ms": NONNEG,
        "min_silence_ms": NONNEG, "min_speech_ms": NONNEG, "max_piece_seconds": (1.0, 30.0)}

    enabled: bool = True  # False: fixed 28 s pieces, silence included
    threshold: float = 0.5  # Silero speech probability above which audio is speech
    # Silero scores telephone-band speech lower: on the benchmark calls 0.5 found 57 % of
    # the speech (9 of 20 turns lost), 0.3 found 81 % (none lost). Used for recordings
    # at <= 8 kHz or whose channel is "phone".
    phone_threshold: float = 0.3
    pad_ms: int = 200  # ms of audio kept either side of a speech piece
    # ms of audio Whisper also hears either side of a piece, beyond pad_ms, up to the
    # neighbouring speech; not part of the piece: its bounds, word times and what the
    # verifier hears stay pad_ms. With 200 ms of padding alone a soft first syllable was
    # cut and misheard (benchmarks/cer.py; docs/benchmarks/cer.md)
    context_ms: int = 200
    min_silence_ms: int = 500  # silence this long ends a piece
    min_speech_ms: int = 0  # shorter speech bursts are dropped (faster-whisper's default)
    max_piece_seconds: float = 28.0  # longer speech is cut (a piece fits one 30 s window)


#: How recognised numbers are written: as said (三号窗口) or as Whisper wrote them (3号窗口).
NUMBER_STYLES: tuple[str, ...] = ("spoken", "digits")


@dataclass(frozen=True)
class ASROptions(Checked):
    """Speech recognition (``analyzer.speech.asr``)."""

    SECTION: ClassVar[str] = "asr"
    _RANGES: ClassVar[dict[str, Range]] = {"cpu_threads": NONNEG, "beam_size": (1, 20), "temperature": (0.0, 1.0), "repetition_penalty": (1.0, 3.0), "beam_below_logprob": (-10.0, 0.0), "no_speech_threshold": UNIT, "compression_ratio_threshold": NONNEG, "split_gap": NONNEG}
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"device": ("cpu", "cuda", "auto"), "lexicon_prompt": ("", "prompt", "hotwords"), "numbers": NUMBER_STYLES, "decoding": ("beam", "greedy_first", "by_role"), "mono_roles": MONO_ROLES, "stereo_speakers": ROLES}

    model: str = ""  # CTranslate2 model folder; empty: the bundled Whisper base
    device: str = "cpu"  # cpu | cuda | auto
    # int8 weights with float32 compute on CPU (within 0.002 CER of float32 on the clean
    # real clips, ~30 % less CPU); a GPU run uses float16 (`conduct batch --device cuda`)
    compute_type: str = "int8_float32"
    # telephone-band lines (see for_line) with int8 weights use this compute type instead
    # ("": compute_type). int8 itself loses narrow-band speech, not the engine: on the
    # real-speech phone clips plain faster-whisper given int8_float32 read 0.090 against
    # its float32 default's 0.064, the engine 0.077 int8 and 0.051 float32 (same VAD
    # pieces fed to plain transcribe: 0.077 / 0.051; no temperature fallback ran). Plain
    # faster-whisper runs this model float32 on a CPU (stored float16). "float32" hears
    # phone lines so on every path (analyze, batch, stream), ~1.6x the CPU per phone
    # second; a batch worker holds one model: the driver sends phone lines to workers
    # holding this one only (analyzer.batch.executor.by_model), fewer at once
    # (held_inflight; <= 1 GiB, benchmarks/worker_memory.py). int16 heard the phone clips
    # as float32 did, but only through MKL (CT2_USE_MKL=1), ~8x the CPU here. Off by
    # default (""): on the hall corpus (2 calls in 11 recordings) float32 phone lines cost
    # the batch 23 % more CPU (50.0 vs 40.6 CPU-s; 18.2 vs 24.6 h/h, 1.14x vs 1.55x the
    # mix peer; benchmarks/throughput.py, session 9), the phrase detector's phone
    # calibration was made on int8 hearing (models/phrase_detector.json, benchmarks/
    # verify.py), and phone-line findings are at P/R 1.00 with it.
    phone_compute_type: str = ""
    cpu_threads: int = 0  # 0: let CTranslate2 decide
    language: str = "zh"
    # Beam 5 keeps the real clips at plain faster-whisper's error rate (greedy decoding
    # lost 4 of their 78 characters; benchmarks/throughput.py)
    beam_size: int = 5
    # "beam": every bin decoded with the beam; "greedy_first": greedy decoding, the beam
    # only for bins whose greedy text is unsure or loops (faster-whisper's thresholds);
    # "by_role": greedy first only for bins of a channel known to be the citizen's (the
    # staff's speech, where phrases are judged, and mono recordings keep the beam)
    decoding: str = "beam"
    beam_below_logprob: float = -1.0  # greedy_first, by_role: mean token log-probability under this
    temperature: float = 0.0  # one fixed temperature: no fallback re-decoding storms
    # >1 breaks repetition loops (您好,请问您好,您好,…); used only to decode again a channel
    # (batch: a window) whose first, unpenalised decoding looped
    repetition_penalty: float = 1.2
    vad: VadOptions = field(default_factory=VadOptions)
    no_speech_threshold: float = 0.6  # drop segments whose no-speech probability is higher
    compression_ratio_threshold: float = 2.4  # drop segments more repetitive than this (gzip ratio)
    # text given to Whisper as the previous context of every window. Off by default: a
    # line of hall speech with numbers in characters lowered CER on customer-service
    # speech (0.122 -> 0.110) but leaked into read speech ("…在拨呢材料一共三份", loops of
    # "材料？", a clip lost; real-speech-2 0.223 -> 0.299); benchmarks/cer.py --set
    initial_prompt: str = ""
    hotwords: str = ""  # words Whisper is nudged towards
    lexicon_prompt: str = (
        ""  # "prompt" or "hotwords": that from the lexicon's required phrases instead
    )
    # "spoken": numbers written as said (三号窗口, 一万四千四百元; analyzer.speech.spoken);
    # "digits": as Whisper wrote them (3号窗口, 14400元)
    numbers: str = "spoken"
    split_gap: float = 1.0  # s; a pause between words this long starts a new utterance
    # who speaks on a mono recording (or a stereo one whose channels carry the same mix):
    # "auto" tells the parties apart (analyzer.speech.attribution); "staff" / "citizen"
    # charge every word to that party (the microphone's owner, speaker_known false)
    mono_roles: str = "auto"
    stereo_speakers: tuple[str, str] = ("staff", "citizen")  # channel 0, channel 1
    hall_speakers: tuple[
        tuple[str, str, str], ...
    ] = ()  # (hall, channel-0 role, channel-1 role) per hall

    def for_line(self, native_rate: int, channel: str | None) -> ASROptions:
        """These options for a recording's line: telephone band (native rate at
        most 8 kHz, or ``channel`` "phone") gets ``vad.phone_threshold`` and, where
        the weights are int8, ``phone_compute_type``."""
        narrow = 0 < native_rate <= 8000 or channel == "phone"
        if not narrow:
            return self
        line = self
        if self.vad.phone_threshold != self.vad.threshold:
            line = replace(line, vad=replace(self.vad, threshold=self.vad.phone_threshold))
        if self.phone_compute_type and self.compute_type.startswith("int8"):
            line = replace(line, compute_type=self.phone_compute_type)
        return line


@dataclass(frozen=True)
class AttributionOptions(Checked):
    """Who said it: crosstalk, background speech, same-mix stereo and mono speaker turns
    (:mod:`analyzer.speech.attribution`). What it dropped or re-attributed is in every
    report's ``analyzer.asr.attribution`` block."""

    SECTION: ClassVar[str] = "attribution"
    _RANGES: ClassVar[dict[str, Range]] = {
        "crosstalk_db": NONNEG, "repeat_similarity": UNIT, "background_db": NONNEG,
        "same_mix_correlation": UNIT, "same_mix_db": NONNEG, "turn_gap": NONNEG,
        "min_speaker_seconds": NONNEG, "min_separation": UNIT, "review_below": UNIT}

    enabled: bool = True
    # a word on one channel that the other channel hears this much louder is the other
    # party's voice leaking in (dropped, or given to that party when its channel lost it)
    crosstalk_db: float = 10.0
    # share (0-1) of a leaked stretch's characters the other channel's text must repeat
    # for it to count as a repetition (recorded; leakage is judged by level)
    repeat_similarity: float = 0.5
    # speech this far (dB) below the channel's foreground speaker (the median level of
    # its loud utterances, and at most this far below the loudest channel's) is
    # background: neighbouring windows, the PA, a radio
    background_db: float = 15.0
    # a stereo file whose channels correlate this much and differ by at most same_mix_db
    # carries one mix twice: it is analysed as mono
    same_mix_correlation: float = 0.95
    same_mix_db: float = 3.0
    # mono: a pause this long (s) between words may be a change of speaker
    turn_gap: float = 0.3
    # mono: a second voice needs this much speech (s) to be a speaker of its own
    min_speaker_seconds: float = 1.0
    # mono: two voice clusters this far apart (silhouette, 0-1) are two speakers
    min_separation: float = 0.12
    # a finding on words attributed to their speaker with confidence below this (0-1)
    # is held for review: reported, but it deducts nothing until an inspector confirms
    # it (analyzer.pipeline.scoring.hold_uncertain; 0: never held). 0.62: just above
    # every wrong mono attribution of benchmarks/mono_roles.py's development visits
    # (seed 13: wrong ones 0.54-0.61, right ones mostly 0.64-0.99)
    review_below: float = 0.62
    # mono: the enrolled staff voices (a JSON file `conduct staff enroll` writes); the
    # interaction's clerk's voice, when enrolled, decides which voice is the clerk
    voices: str = ""


@dataclass(frozen=True)
class ClassifierOptions(Checked):
    """Learned detectors (``analyzer.rules.learned``)."""

    SECTION: ClassVar[str] = "classifier"
    _RANGES: ClassVar[dict[str, Range]] = {"uncivil_threshold": UNIT, "cue_threshold": UNIT, "assumed_speaker_weight": UNIT}

    enabled: bool = True
    # Defaults are the thresholds analyzer.training.classifiers.train picks on out-of-fold
    # training predictions (lowest reaching precision 0.93 / 0.8).
    uncivil_threshold: float = 0.75  # flag staff speech when P(uncivil)=1-P(civil) >= this
    cue_threshold: float = 0.3  # probability at/above which a citizen cue counts
    model_dir: str = ""  # folder of uncivil.onnx, cues.onnx, metadata.json; "": models/classifiers
    assumed_speaker_weight: float = 0.8  # confidence factor when the staff speaker was assumed (mono)
    acts: bool = True  # the staff act detector (paraphrased forbidden phrases, owed acts, duties)


@dataclass(frozen=True)
class JudgeOptions(Checked):
    """The turn-level judge beside the rules (:mod:`analyzer.rules.judge`).

    On by default. The per-article veto and add bars are part of the weights
    file, chosen by nested leave-one-set-out on the training sets and their
    first-run records (``docs/manual/judge.md`` lists the shipped ones);
    these options only switch sides.
    """

    SECTION: ClassVar[str] = "judge"
    _RANGES: ClassVar[dict[str, Range]] = {"review_probability": UNIT}

    enabled: bool = True
    model: str = ""  # judge weights JSON file; "": the shipped models/judge.json
    veto: bool = True  # drop a rule finding the judge rates below its article's veto bar
    add: bool = True  # file a finding where the rules are silent, at/above the add bar
    # a judge-only finding with probability below this (0-1) is held for review
    # (review="judge"): reported, deducting nothing until an inspector confirms it
    review_probability: float = 0.9


@dataclass(frozen=True)
class ScoreOptions(Checked):
    """Scoring (``analyzer.rules.score``)."""

    SECTION: ClassVar[str] = "score"

    template: str = ""  # scoring template path; empty: lexicons/scoring.toml


@dataclass(frozen=True)
class DutyOptions(Checked):
    """Measurable duties beyond Chapter 3 (:mod:`analyzer.rules.duties`).

    Articles 5 (询问有答声), 17 (interruptions, quarrels), 18 (一次性告知) and
    25 (service hours); Article 16's pointer is an owed reply of the context
    rules (``context.reply_*``).
    """

    SECTION: ClassVar[str] = "duties"
    _RANGES: ClassVar[dict[str, Range]] = {
        "turn_gap": NONNEG, "interrupt_seconds": NONNEG, "interrupt_min_chars": (0, None),
        "quarrel_window": NONNEG, "quarrel_over_median_db": NONNEG,
        "quarrel_min_utterances": (1, None), "in_hours_weight": NONNEG,
        "quarrel_uncivil_threshold": UNIT,
        "service_days": (1, 7)}

    turn_gap: float = 2.0  # s; one party's utterances this close are one turn (Article 5)
    interrupt_seconds: float = 1.0  # s of overlap with the citizen's speech = cutting in
    interrupt_min_chars: int = 3  # shorter staff speech (嗯, 好的) is backchannel, not cutting in
    quarrel_window: float = 20.0  # s; both sides heated within this window = a quarrel episode
    quarrel_over_median_db: float = 6.0  # dB above a party's own median level = raised
    quarrel_min_utterances: int = 3  # utterances a party needs for a meaningful median level
    quarrel_uncivil_threshold: float = 0.4  # P(uncivil) that makes staff words near an outburst heated
    service_hours: tuple[str, ...] = ("08:30-12:00", "14:30-18:00")  # Article 25, local time
    hall_hours: tuple[tuple[str, str], ...] = ()  # (hall, "08:30-12:00,14:00-17:30") per hall
    service_days: tuple[int, ...] = (1, 2, 3, 4, 5)  # ISO weekdays the hall serves
    # forbidden phrases that send the citizen away for the hour (下班了，明天再来); rushing a
    # citizen who is still served (快点，我要下班了) is Article 9 only, not 25
    closing_rules: tuple[str, ...] = ("A9-F-01",)
    in_hours_weight: float = 1.0  # factor on A25-HOURS' confidence (it adds its points)

    def _check_more(self) -> None:
        for spec in (*self.service_hours, *(h for _, h in self.hall_hours)):
            parse_hours(spec, "duties.service_hours")

    def hours_for(self, hall: str) -> tuple[tuple[int, int], ...]:
        """Service periods of ``hall`` as (start, end) minutes after midnight."""
        specs: tuple[str, ...] = self.service_hours
        for name, spec in self.hall_hours:
            if name == hall:
                specs = tuple(spec.split(","))
        return tuple(p for s in specs for p in parse_hours(s, "duties.hall_hours"))


def parse_hours(spec: str, field: str) -> tuple[tuple[int, int], ...]:
    """``"08:30-12:00"`` (or several joined by commas) as minutes after midnight.

    Raises:
        OptionError: The text is not ``HH:MM-HH:MM`` with start before end.
    """
    out = []
    for part in (p.strip() for p in spec.split(",") if p.strip()):
        try:
            a, b = (t.strip() for t in part.split("-"))
            (h1, m1), (h2, m2) = (map(int, a.split(":")), map(int, b.split(":")))
        except ValueError:
            raise OptionError(f"expected HH:MM-HH:MM, got {part!r}", field=field) from None
        start, end = h1 * 60 + m1, h2 * 60 + m2
        if not (0 <= start < end <= 24 * 60 and m1 < 60 and m2 < 60):
            raise OptionError(f"expected a period within one day, got {part!r}", field=field)
        out.append((start, end))
    return tuple(out)


@dataclass(frozen=True)
class HallOptions(Checked):
    """The halls' clocks (:mod:`analyzer.halltime`).

    Every time shown, every day an interaction is counted in (reports, the
    红黑榜) and the service hours (Article 25) are on the hall's clock;
    stored times stay absolute.
    """

    SECTION: ClassVar[str] = "halls"

    timezone: str = "Asia/Shanghai"  # IANA zone of every hall not in hall_timezones
    hall_timezones: tuple[tuple[str, str], ...] = ()  # (hall, IANA zone) exceptions

    def _check_more(self) -> None:
        from analyzer.halltime import zone

        for name in (self.timezone, *(z for _, z in self.hall_timezones)):
            try:
                zone(name)
            except ValueError as exc:
                raise OptionError(str(exc), field="halls.timezone") from None

    def zones(self) -> HallZones:
        """The zones as :class:`~analyzer.halltime.HallZones`."""
        from analyzer.halltime import HallZones

        return HallZones(self.timezone, self.hall_timezones)


@dataclass(frozen=True)
class VerifyOptions(Checked):
    """Phrase detection from audio in staff speech: candidates, acoustic scores, a
    calibrated acceptance (:mod:`analyzer.speech.verify`, :mod:`analyzer.speech.detector`).

    A phrase the recognizer garbled is still "heard": the candidate's text is
    scored against the staff piece's encoder output (CTranslate2 forced
    alignment) and compared with the recognizer's own hypothesis; the phrase
    detector turns that margin, the text and pinyin similarity, the lead over
    rival phrases and the word confidences into a probability. The bars were
    chosen on generated speech (``analyzer/training/detector.py``; the model
    card ``analyzer/_data/models/phrase_detector.md`` gives the figures).
    """

    SECTION: ClassVar[str] = "verify"
    _RANGES: ClassVar[dict[str, Range]] = {
        "prefilter": UNIT, "owed_prefilter": UNIT, "min_margin": (None, 0.0),
        "accept_probability": UNIT,
        "review_probability": UNIT, "missing_review_probability": UNIT, "nbest": (1, 5), "max_candidates": (1, 64),
        "owed_turns": (0, 10), "pad_seconds": (0.0, 2.0),
    }
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"kinds": ("forbidden", "required")}

    enabled: bool = True
    kinds: tuple[str, ...] = ("forbidden", "required")  # rule kinds verified
    prefilter: float = 0.4  # pinyin similarity (0-1) a stretch needs to be a candidate
    nbest: int = 3  # beam hypotheses searched for phrases (1: the best only)
    owed_turns: int = 2  # first/last staff pieces also try the greeting/farewell phrases
    owed_prefilter: float = 0.2  # pinyin similarity an owed phrase's best stretch needs
    max_candidates: int = 8  # candidates scored per staff piece (best prefilter first)
    min_margin: float = -6.0  # log-prob per phrase character vs the hypothesis: below, not scored
    accept_probability: float = 0.8  # detector probability a phrase needs to be heard
    review_probability: float = 0.95  # heard below it: a finding held for review, no deduction
    # an owed phrase tried but not accepted with at least this probability: its "missing"
    # finding is held for review (1: never). 0.05 = 1 - the missing precision aimed at
    # (0.95): the detector is calibrated, so such a claim is wrong at least this often
    missing_review_probability: float = 0.05
    pad_seconds: float = 0.3  # encoder frames kept either side of the piece

    def _check_more(self) -> None:
        if self.review_probability < self.accept_probability:
            raise OptionError("must be at least verify.accept_probability "
                              f"({self.accept_probability}), got {self.review_probability}",
                              field="verify.review_probability")


@dataclass(frozen=True)
class PackOptions(Checked):
    """How speech pieces are packed into 30 s windows for batched decoding
    (``analyzer.speech.packing``); every path's recognizer packs (a file alone
    is a batch of one). Recorded in every report (``options.pack``).

    Attributes:
        pieces_per_window: At most this many VAD speech pieces share a 30 s
            window; 0: as many as fit, 1: every piece alone.
        share: Which pieces may share a window: ``channel`` packs the
            consecutive speech pieces of one channel of one recording, silence
            cut out, as faster-whisper's batched pipeline does; ``recording``
            (default) packs both channels of one recording in time order (the
            conversation, both parties, silence cut out), so a recording's
            words never depend on which other recordings were in flight;
            ``plan`` (batch only, opt-in) packs the recordings of one group
            of a deterministic day plan together (:mod:`analyzer.batch.plan`:
            the run's recordings sorted by identity, up to 16 recordings and 10
            minutes a group), so a recording's words depend on the run's set
            of recordings, never on workers, threads or timing; ``any`` packs
            across recordings too (fullest windows, but a transcript then
            depends on which recordings happened to be in flight).
        batch_size: Windows per encoder/decoder call; 0: 4 on CPU, 16 on a GPU.
        lost: What happens first to a piece whose packed window gave it (almost)
            no words (Whisper jumped over it): ``redecode`` (default) decodes its
            window again from the piece's start on the window's own encoder
            output (no new encoder pass; the window alone, so batch-independent);
            ``repack`` lays it out in a new window with the recording's other
            lost pieces, encoded again. Either way a piece still without words
            is then heard in a new window, and at last in a window of its own.
        min_window_seconds: The shortest encoder input, seconds (30: every window is
            encoded as Whisper's full 30 s, the default). Below 30, a window whose
            audio is shorter is encoded at its own length plus at least 1 s of
            silence, in whole steps of 5 s and never below this: a 4 s clip alone
            costs the encoder a fraction of 30 s. The length is the window's own
            (never its batch's), so a recording's words still depend on nothing
            else; windows of one length are encoded and decoded together.
    """

    SECTION: ClassVar[str] = "pack"
    _RANGES: ClassVar[dict[str, Range]] = {
        "pieces_per_window": NONNEG, "batch_size": (0, 256),
        "min_window_seconds": (5.0, 30.0)}
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"share": SHARE_MODES,
                                                      "lost": LOST_MODES}

    pieces_per_window: int = 0
    share: str = "recording"
    batch_size: int = 0
    lost: str = "redecode"
    min_window_seconds: float = 30.0  # seconds; the shortest encoder input (30: always full)

    def windows_per_call(self, device: str) -> int:
        """``batch_size``, or the default for ``device`` (4 on CPU, 16 on a GPU).

        On 2 CPU cores batches of 4 windows were faster than 8 (which hold
        recordings back until 8 windows are full) and than 2 (less decoder
        batching); see the README's batch section. A GPU wants wide batches.
        """
        return self.batch_size or (4 if device == "cpu" else 16)


@dataclass(frozen=True)
class RecordingOptions(Checked):
    """How a recording is read (``analyzer.speech.decode``, ``analyzer.speech.recording``):
    its length limit and the blocks a long one is analysed in.

    A recording longer than one block is read, resampled, cut into speech
    and recognised a block at a time, so the memory of its analysis is
    bounded by the block, not by the recording (see the manual's
    "Long recordings").
    """

    SECTION: ClassVar[str] = "recording"
    _RANGES: ClassVar[dict[str, Range]] = {
        "max_channel_minutes": (1.0, 100000.0), "block_seconds": (60.0, 7200.0)}

    # longest recording accepted, minutes of audio summed over its channels (720: a 6-hour
    # stereo recording); refused from its header, or when decoding passes it
    max_channel_minutes: float = 720.0
    # s of audio (per channel) analysed at a time; a recording longer than this is analysed
    # in blocks cut at a pause (its memory: about 30 MB per channel-minute of a block)
    block_seconds: float = 600.0


@dataclass(frozen=True)
class StreamOptions(Checked):
    """Live analysis (``analyzer.stream``): incremental recognition and answering.

    Speech is cut as every path cuts it (:class:`VadOptions`); these are only
    what a live line adds.
    """

    SECTION: ClassVar[str] = "stream"
    _RANGES: ClassVar[dict[str, Range]] = {
        "partial_interval": (0.0, 10.0), "answer_min_speech_ms": NONNEG,
        "context_seconds": (0.0, 28.0), "first_window_seconds": (5.0, 30.0),
        "defer_behind": NONNEG, "again_hold_lag": NONNEG,
        "peek_after": (0.0, 30.0), "pause_min_seconds": (0.0, 10.0),
        "max_ring_seconds": NONNEG, "engine_at_once": (0, 256), "partial_lines": (0, 1000),
        "feed_ms": (0, 1000)}
    _CHOICES: ClassVar[dict[str, tuple[str, ...]]] = {"partial_speakers": ROLES,
                                                      "peek": ("bin", "clause", "align"),
                                                      "first_order": ("clauses", "strict", "peeks",
                                                                      "arrival")}

    # s of new speech after which a growing utterance is decoded again (partial events and
    # LocalAgreement commits); 0: not while the speaker talks on (see decode_at_pause)
    partial_interval: float = 1.0
    # lines on the listener's engine up to which growing speech is decoded every
    # partial_interval (each decoding is a full encoder pass: with 4 calls on a CPU they took
    # a fifth of the engine's ticks and a clerk's clause on another line waited behind them);
    # with more lines only at pauses and ends; 0: any number
    partial_lines: int = 1
    # decode a growing utterance once its speaker has paused for asr.vad.pad_ms: a forbidden
    # phrase before a pause is told then, and if the pause ends the utterance that decoding
    # is its final recognition (the same samples; no second encoder pass)
    decode_at_pause: bool = True
    # s of speech an utterance must hold so far before it is decoded at a pause: the shipped
    # lexicon's shortest forbidden phrase is 5 characters (0.6 s at 8 characters a second,
    # faster than a hall clerk speaks), so a shorter clause cannot hold one and waits for
    # its next pause or its end (an encoder pass saved where the speaker goes on); 0: every
    # pause
    pause_min_seconds: float = 0.6
    # s of the call's latest speech (both parties, in time order) put before a live piece in
    # its 30 s bin, as a recording's bin holds the conversation around a piece (28: as much
    # as the bin holds beside the piece; the decoder starts after it, so it costs no
    # decoding; with 12 a clause of a scripted call was misread that the file path read
    # right); 0: alone
    context_seconds: float = 28.0
    # s of encoder input a first hearing (a clerk's clause at its pause or end, a periodic
    # decoding, a citizen's utterance) is heard in: its bin holds the piece and only as much
    # of the context as fits this window less 1 s of silence, and is encoded at that length
    # (analyzer.speech.packing.window_seconds; a longer piece in a longer window, 5 s steps);
    # 30: the context fills a full 30 s window, as the file path's bins are heard. The
    # second hearings and peeks keep the file path's bins and windows
    # (pack.min_window_seconds), so the stored report's words do not change. Scripted calls
    # on the audio clock: CPU per call-s 0.337 (30) -> 0.236 (15) / 0.211 (10), 11/11 file
    # findings live, 0 invented in each; idle box, real time, four calls: phrase end ->
    # finding p95 12.64 s (30) -> 2.40 s (15). 15 since session 12: a first hearing's words
    # may be worse (the A-law counter line of tests/test_listen.py lost its 服务 with 15 and
    # 20), and the second hearing heals the live transcript (a revision event with the file
    # path's words, told once the piece's bin has closed; the test asks for that)
    first_window_seconds: float = 15.0
    # whose growing speech is decoded before it ends: forbidden phrases are the staff's, and
    # each decoding costs a full 30 s encoder pass (the citizen's text comes at its end)
    partial_speakers: tuple[str, ...] = ("staff",)
    # s a line may fall behind before the ended utterances of the other speakers (the
    # citizen's) are kept back and recognised together, up to one bin of them in one
    # encoder pass, once the line has caught up, the bin is full or the call ends; 0: never
    defer_behind: float = 2.0
    # with several lines on the listener's engine, a citizen's ended utterances are kept
    # back for the clerk's next request, whose bin holds them already as context, and are
    # decoded there from their own start on its encoder output (a second decoding, no
    # encoder pass of their own); the clerk's bin and words are those it has without
    # folding. Scripted calls, 4-line policy on the audio clock: CPU per call-s 0.429 ->
    # 0.377, the same 11/11 findings, the citizen's words later (utterance end -> event p95
    # 1.09 -> 5.51 s; at most 12 s, live.KEPT_WAIT). Off: each its own request.
    # (Session 8's folding decoded them as the bin's own speech, before the clerk's clause,
    # and lost 2 of 10 forbidden findings)
    fold_kept: bool = True
    # hear each closed 30 s bin of the call again as the file path bins it (the conversation
    # before and after each piece, analyzer.stream.again): its words replace the first
    # hearing's and a forbidden phrase the first hearing missed is told then (one more
    # encoder pass per bin of speech); off: the first hearing's words are the report's
    hear_again: bool = True
    # while a line of the listener lags its audio by more than this (s), the closed bins'
    # second hearings wait (a stage that ran between two of a lagging line's clauses held
    # the next one up for the whole stage); 0: they wait only for first hearings
    again_hold_lag: float = 1.0
    # while a clerk (partial_speakers) is speaking on any line of the listener, the closed
    # bins' second hearings do not start a stage, for scheduler.TALK_HOLD_MAX (10 s) at most
    # (peeks, and second hearings due after scheduler.AGAIN_MAX_WAIT, do): that clerk's
    # clause comes at its pause or end, and a stage begun just before held it up for the
    # whole stage (the decoder cannot be interrupted). Four scripted calls at once, 4-line
    # policy, on a simulated budget (stream_latency.py --audio-clock --budget-cores N):
    # phrase end -> finding p95 0.86 -> 0.78 s at 2 cores (one call alone 0.67 s), 2.01 ->
    # 1.80 s at 1.2; revisions as before (p95 ~27.6 s after the piece). Off: they wait only
    # for first hearings and lagging lines
    again_hold_talk: bool = True
    # a clerk's clause in which the acoustic verifier tried a forbidden phrase and rejected
    # it: the call's open bin is heard early, once the next piece has joined it, and a
    # forbidden phrase heard there is told then (the speech after a clause can decide it);
    # the words stay the closed bin's. Off: such a phrase waits for its bin to close
    peek_suspects: bool = True
    # s of speech under way after a suspect clause that let its open bin be peeked at before
    # that speech ends (the bin with the speech so far; once it has ended, once more unless
    # the phrase was told): on call-d its two near misses came 2.6 s of audio after their
    # phrases instead of 5.2 and 4.3 s; 0: only once the next piece has ended
    peek_after: float = 1.0
    # such a clause (a suspect) is also re-checked, with no encoder pass and no decoding of
    # its own, on the encoder output of the line's next first hearings whose bins hold it
    # with at least peek_after s of speech after it (the live piece's context): the verifier
    # tries its first-hearing candidates again on its slice (Whisper.align), and a forbidden
    # phrase it accepts at the file path's bar is told then, marked again. Off: call-d's two
    # near misses scored 0.74-0.78 there (bar 0.8) in every re-check, found by the peeks
    recheck_suspects: bool = False
    # how a peek hears its open bin: "bin" decodes the whole bin from its start and verifies
    # the clause in those words (a second hearing: it gives way to every first hearing, on a
    # saturated box until the call had ended); "clause" encodes the bin and decodes it only
    # from the suspect clause's start (the speech after it with it), verifying the clause in
    # those words; "align" decodes nothing: the clause's first-hearing words are re-checked
    # on the bin's encoder output by forced alignment. "clause" and "align" are asked as a
    # first hearing (one encoder pass, little or no decoding)
    peek: str = "clause"
    answer_min_speech_ms: int = 300  # staff speech this long answers a call
    max_ring_seconds: float = 180.0  # s of pre-answer audio kept for the final ring count
    # requests of the listener's lines let into its recognition engine at a time, the most
    # urgent first (the clerks' clauses, then the others in the order they came): on a CPU a
    # batch of several bins costs about as much per bin as each bin alone, so a clerk's clause
    # that came during a batch of four bins waited for all four, then went in another batch;
    # with 1 it waits for one bin at most. 0: 1 on a CPU, no cap on a GPU (a batch of several
    # bins costs little more than one there); 256: no cap in practice
    engine_at_once: int = 0
    # ms of a listener line's audio analysed at a time at least: frames that arrive meanwhile
    # wait in the spool (a line's end, and a backlog, go at once). Every analysis step runs
    # the line's front end (resampling, ring tones, crosstalk gate, VAD) and a hop to the
    # line's thread: with the shipped client's 20 ms frames a step per frame cost the front
    # end alone 0.024 CPU s per call-second, 0.012 in steps of 0.1 s; an event comes up to
    # this much later. 0: each frame as it arrives. Off by default: four scripted calls in
    # real time on the shared box (load 7-14, two runs) cost the listener 0.243 / 0.250 CPU s
    # per call-second with 100 against 0.268 / 0.281 with 0, at the same phrase p95 (4.00 /
    # 3.65 s against 3.63 / 3.61 s) but a median 1.0-1.7 s later (not understood yet)
    feed_ms: int = 0
    # how the listener's first hearings wait for the engine (analyzer.stream.scheduler
    # .first_rank): "clauses" serves the clerks' clauses first, then peeks at suspect
    # clauses (as a clause once they have waited 3 s, the scheduler's max_wait), then the
    # rest (the citizens' words, as a clause after 12 s); "strict": peeks too wait for
    # every clause up to 12 s (the clauses' tail before the peeks'); "peeks": a peek ranks
    # as a clause (the peeks' findings before the clauses' tail); "arrival" (sessions
    # 7-9): a citizen's utterance that waited 3 s went before the clauses after it.
    # Scripted calls x4 on a simulated 2-core budget (stream_latency.py --budget-cores 2):
    # clauses = arrival (no citizen's own request is left with folding): first hearings p95
    # 1.92 s, all findings 6.19 s; peeks 2.54 / 4.45 s; strict = clauses at 2 cores.
    # Real time, idle box (session 10): clauses first hearings p95 6.05 s, all findings
    # 9.33 s; peeks 5.30 / 6.09 s, 11/11 live and 0 invented either way: the default.
    first_order: str = "peeks"

    def at_once(self, device: str) -> int:
        """``engine_at_once``, or the default for ``device``: 1, or 0 (no cap) on a GPU
        (``asr.device`` ``cuda``)."""
        return self.engine_at_once or (0 if device == "cuda" else 1)


@dataclass(frozen=True)
class AnalyzerOptions(Checked):
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
    judge: JudgeOptions = field(default_factory=JudgeOptions)
    score: ScoreOptions = field(default_factory=ScoreOptions)
    pack: PackOptions = field(default_factory=PackOptions)
    verify: VerifyOptions = field(default_factory=VerifyOptions)
    duties: DutyOptions = field(default_factory=DutyOptions)
    attribution: AttributionOptions = field(default_factory=AttributionOptions)
    stream: StreamOptions = field(default_factory=StreamOptions)
    halls: HallOptions = field(default_factory=HallOptions)
    recording: RecordingOptions = field(default_factory=RecordingOptions)

    def to_dict(self) -> dict[str, Any]:
        """Return the options as plain JSON-able data, for the audit block."""
        return asdict(self)

    def with_overrides(self, overrides: Mapping[str, object]) -> AnalyzerOptions:
        """Return a copy with dotted-key overrides applied.

        Args:
            overrides: e.g. ``{"rings.max_rings": 4, "asr.model": "/m"}``.

        Raises:
            OptionError: A key names no option, or a value is invalid.
        """
        opts = self
        for key, value in overrides.items():
            opts = with_dotted(opts, key, value)
        return opts
