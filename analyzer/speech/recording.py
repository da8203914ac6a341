"""The audio path: a recording in, an :class:`~analyzer.types.Interaction` with findings out.

Stages, each in its own module: decode (:mod:`analyzer.speech.decode`) -> who
speaks on which channel (:mod:`analyzer.speech.tracks`) -> crosstalk silenced
(:mod:`analyzer.speech.crosstalk`) -> speech recognition of the tracks
(a :class:`~analyzer.speech.tracks.Recognizer`, by default the one recognition
engine) -> :func:`conclude`: crosstalk, background and mono speaker turns
(:mod:`analyzer.speech.attribution`), levels, the interaction, rings before
the first staff speech (:mod:`analyzer.speech.rings`) and loudness
(:mod:`analyzer.rules.acoustics`). Phrase matching, context rules and scoring
are the same as for transcripts and run afterwards
(:func:`analyzer.pipeline.analyze_interaction`).

:func:`conclude` is everything after recognition: the live stream
(:mod:`analyzer.stream`) recognises as the audio arrives and calls it when the
call ends, with the whole call's audio, so a live call and its recording get
the same roles, attribution, rings and loudness.

Roles and metadata: :func:`analyzer.speech.tracks.resolve_tracks` and
:class:`analyzer.speech.meta.CallMeta` (a sidecar ``<stem>.json`` next to the
recording; the ``meta`` argument overrides it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.errors import shown
from analyzer.options import AnalyzerOptions, ASROptions
from analyzer.speech.decode import DecodedAudio, decode_blocks
from analyzer.speech.meta import CallMeta, read_meta
from analyzer.speech.stages import stage
from analyzer.speech.tracks import Recognizer, Track, resolve_tracks
from analyzer.types import Finding, Interaction, RingResult, Utterance

if TYPE_CHECKING:
    from analyzer.speech.attribution import Dropped
    from analyzer.speech.verify import Verifier

#: Recordings at or below this native rate are phone calls unless told otherwise.
_PHONE_RATE = 8000


@dataclass
class AudioAnalysis:
    """What the audio path found in one recording.

    Attributes:
        interaction: The recognised conversation with the metadata.
        ring: Rings before answer (record or audio), or None for counter audio.
        findings: Findings only the audio shows (staff shouting).
        asr_info: Model folder, its SHA-256, the recognition options and the attribution.
        audio: The decoded samples (a recording analysed in blocks: its facts, no samples).
    """

    interaction: Interaction
    ring: RingResult | None
    findings: list[Finding]
    asr_info: dict[str, Any]
    audio: DecodedAudio

    @property
    def heard_speech(self) -> bool:
        """True when some speech was recognised, or rings were heard (an unanswered call)."""
        rang = self.ring is not None and bool(self.ring.rings)
        return rang or any(u.text.strip() for u in self.interaction.utterances)


@dataclass
class Heard:
    """A recording's tracks and what the recognizer heard on each, before attribution.

    Attributes:
        audio: The whole recording (its original samples, not the silenced ones).
        tracks: Who speaks on which channel.
        utterances: Each track's recognised utterances.
        meta: The interaction's metadata.
        correlation: The same-mix check's channel correlation (None: separate channels).
        silenced: Crosstalk silenced before recognition.
        at_call_end: The attribution rules that ran only when a live call ended.
    """

    audio: DecodedAudio
    tracks: list[Track]
    utterances: list[list[Utterance]]
    meta: CallMeta
    correlation: float | None = None
    silenced: Sequence[Dropped] = ()
    at_call_end: tuple[str, ...] = ()


def analyze_recording(
    path: str | Path,
    options: AnalyzerOptions | None = None,
    meta: CallMeta | Mapping[str, Any] | None = None,
    *,
    audio: DecodedAudio | None = None,
    recognizer: Recognizer | None = None,
) -> AudioAnalysis:
    """Decode, transcribe and measure one recording.

    Args:
        path: The recording (WAV, FLAC, MP3, M4A/AAC, OGG/Opus).
        options: Analyzer options (``asr``, ``rings``, ``acoustics`` are used).
        meta: The recording's metadata (:mod:`analyzer.speech.meta`): a
            :class:`~analyzer.speech.meta.CallMeta` is taken as complete (read
            with its sidecar already, as :func:`analyzer.pipeline.discover` does);
            a mapping goes over the sidecar ``<stem>.json``; None: the sidecar's.
        audio: Already decoded samples (the batch decodes ahead).
        recognizer: Hears the tracks instead of the process's recognition engine
            (:func:`analyzer.speech.engine.get_engine`; the batch passes its worker's,
            shared by the recordings in flight).

    Returns:
        The interaction, ring result, acoustic findings and ASR audit block.

    Raises:
        AudioError: The recording cannot be decoded.
        TranscriptError: The sidecar metadata is malformed.
        ModelError: The speech model is missing or corrupt.
    """
    from analyzer.speech import asr

    options = options or AnalyzerOptions()
    known = meta if isinstance(meta, CallMeta) else read_meta(path, meta)
    if audio is None:  # read as it is analysed: a long recording a block at a time
        return analyze_blocks(path, options, known, recognizer, asr.asr_info(options.asr))
    heard = hear(path, options, known, audio, recognizer)
    return conclude(heard, options, source=path, asr_info=asr.asr_info(options.asr))


#: A long recording's tracks and same-mix correlation, decided on its first block.
Layout = tuple[list[Track], float | None]
#: What a block was heard as: its tracks and what was recognised on each, given the block
#: and the layout decided on the first block (None for the first block itself).
HearBlock = Callable[[DecodedAudio, Layout | None], Heard]


def analyze_blocks(path: str | Path, options: AnalyzerOptions, meta: CallMeta,
                   recognizer: Recognizer | None,
                   asr_info: Mapping[str, Any] | None) -> AudioAnalysis:
    """Decode and analyse ``path`` a block at a time (:mod:`analyzer.speech.blocks`).

    Each block (:func:`~analyzer.speech.decode.decode_blocks`) is heard and
    concluded as it is read (:func:`conclude_blocks`); only its utterances
    and findings are kept. A recording no longer than one block is one block:
    exactly what decoding it whole and analysing it gives (its samples are
    kept in the result).

    Raises:
        AudioError: The recording cannot be decoded (after the blocks before the fault).
    """
    blocks = decode_blocks(path, block_seconds=options.recording.block_seconds,
                           max_channel_minutes=options.recording.max_channel_minutes)
    return conclude_blocks(
        blocks, lambda block, layout: hear(path, options, meta, block, recognizer, layout=layout),
        options, meta, source=path, asr_info=asr_info)


def conclude_blocks(blocks: Iterator[DecodedAudio], heard_of: HearBlock,
                    options: AnalyzerOptions, meta: CallMeta, *, source: str | Path,
                    asr_info: Mapping[str, Any] | None) -> AudioAnalysis:
    """A recording (or a live call that has ended) concluded a block at a time.

    Each block is heard (``heard_of``: recognised now, for a recording; what
    a live call recognised as it arrived, for a call) and concluded (:func:`conclude`)
    as soon as it is read; only its utterances and findings are kept, and the
    blocks' analyses become one (:mod:`analyzer.speech.blocks`). One block is
    exactly :func:`conclude` of the whole (its samples kept in the result).

    Args:
        blocks: The samples, a block at a time (each with its ``offset``; the
            last with the ``total`` length).
        heard_of: What each block was heard as, given the first block's layout.
        options: Analyzer options.
        meta: The interaction's metadata.
        source: The recording (or the live call's id), named in the report.
        asr_info: The recognizer's audit block (None: not known).
    """
    from analyzer.speech.blocks import without_samples

    parts: list[tuple[float, AudioAnalysis]] = []  # (offset, analysis): no block's samples
    layout: Layout | None = None
    total = 0.0
    while True:
        with stage("decode"):
            block = next(blocks, None)
        if block is None:
            break
        heard = heard_of(block, layout)
        layout = layout or (heard.tracks, heard.correlation)
        part = conclude(heard, options, source=source, asr_info=asr_info)
        if parts or block.offset or block.total != block.duration:  # not the only block
            part = replace(part, audio=without_samples(block, block.duration))
        parts.append((block.offset, part))
        total = block.total
        del heard, block  # held until the next block is read otherwise
    if len(parts) == 1 or layout is None:
        return parts[0][1]
    return _joined(source, parts, meta, layout[0], total)


def _joined(path: str | Path, parts: list[tuple[float, AudioAnalysis]], meta: CallMeta,
            tracks: list[Track], total: float) -> AudioAnalysis:
    """One recording's analysis from its blocks' (times moved to recording time); the
    channel and rings are the first block's (:mod:`analyzer.speech.blocks`)."""
    from analyzer.speech.blocks import joined_attribution, moved, without_samples
    from analyzer.speech.engine import shifted

    first = parts[0][1]
    whole = without_samples(parts[-1][1].audio, total)
    utterances = [shifted(u, offset) for offset, part in parts
                  for u in part.interaction.utterances]
    interaction = build_interaction(path, whole, utterances, meta, tracks)
    interaction.channel = first.interaction.channel
    findings = [moved(f, offset) for offset, part in parts for f in part.findings]
    info = dict(first.asr_info)
    info["attribution"] = joined_attribution(
        [(offset, part.asr_info.get("attribution") or {}) for offset, part in parts])
    return AudioAnalysis(interaction, first.ring, findings, info, whole)


def hear(path: str | Path, options: AnalyzerOptions, meta: CallMeta, audio: DecodedAudio,
         recognizer: Recognizer | None, layout: Layout | None = None) -> Heard:
    """Who speaks where, crosstalk silenced, and each track recognised.

    ``layout`` (the tracks and the same-mix correlation) is decided here
    unless given: a long recording's later blocks keep its first block's
    (:mod:`analyzer.speech.blocks`).
    """
    from analyzer.speech.attribution import same_mix
    from analyzer.speech.band import line_rate
    from analyzer.speech.crosstalk import silence_crosstalk
    from analyzer.speech.verify import get_verifier

    if layout is not None:
        tracks, correlation = layout
    else:
        with stage("same_mix"):
            correlation = (same_mix(audio.samples, options.attribution)
                           if audio.channels == 2 and options.attribution.enabled else None)
        tracks = resolve_tracks(audio.channels, options.asr,
                                replace(meta, where=meta.where or str(path)),
                                same_mix=correlation is not None)
    # a phone call stored at a wideband rate is still a phone line (by its content)
    line = options.asr.for_line(line_rate(audio), meta.channel)
    recognise = _line_recognizer(recognizer, line, options)
    heard_audio: DecodedAudio = audio
    silenced: list[Dropped] = []
    if len(tracks) == 2 and options.attribution.enabled:  # leaked speech is never recognised
        with stage("crosstalk"):
            samples, silenced = silence_crosstalk(audio.samples, audio.sample_rate,
                                                  [t.speaker for t in tracks],
                                                  options.attribution)
        heard_audio = replace(audio, samples=samples)
    utterances = transcribe_each(heard_audio, tracks, line, recognise, get_verifier(options))
    return Heard(audio, tracks, utterances, meta, correlation, silenced)


def _line_recognizer(recognizer: Recognizer | None, line: ASROptions,
                     options: AnalyzerOptions) -> Recognizer:
    """The recognizer of a recording's line: the caller's, unless it holds a model of
    another compute type than the line needs (a phone line: ``asr.phone_compute_type``);
    then, as with no recognizer given, the engine of the line's options."""
    from analyzer.speech.engine import get_engine

    held = getattr(recognizer, "options", None)
    if recognizer is not None and not (isinstance(held, ASROptions)
                                       and held.compute_type != line.compute_type):
        return recognizer
    return get_engine(line, options.pack)


def conclude(heard: Heard, options: AnalyzerOptions, *, source: str | Path,
             asr_info: Mapping[str, Any] | None) -> AudioAnalysis:
    """Everything after recognition, for a recording or a live call that has ended.

    Crosstalk, background and mono speaker turns
    (:func:`analyzer.speech.attribution.attribute`), levels on each speaker's
    own track, the interaction with its metadata, rings before the first
    staff speech and loudness.

    Args:
        heard: The tracks and what was recognised on each.
        options: Analyzer options.
        source: The recording (or the live call's id), named in the report.
        asr_info: The recognizer's audit block (None: not known).
    """
    from analyzer.speech.attribution import attribute

    audio, tracks = heard.audio, heard.tracks
    mode = ("stereo" if len(tracks) == 2 else
            "same_mix" if heard.correlation is not None else "mono")
    with stage("attribution"):
        utterances, attribution = attribute(
            [(t.speaker, t.signal(audio), utts)
             for t, utts in zip(tracks, heard.utterances, strict=True)],
            audio.sample_rate, options, mode, heard.correlation, staff=heard.meta.staff)
    attribution.add(heard.silenced)
    attribution.at_call_end = heard.at_call_end
    with stage("levels"):
        utterances = with_levels(utterances, audio, tracks)
    interaction = build_interaction(source, audio, utterances, heard.meta, tracks)
    with stage("rings"):
        ring = find_rings(interaction, audio, tracks, options)
    if not interaction.channel:  # not given and not 8 kHz: phone if ringback was heard
        interaction.channel = "phone" if ring is not None and ring.rings else "counter"
    if interaction.channel != "phone":
        ring = None
    with stage("loudness"):
        findings = acoustic_findings(interaction, audio, tracks, options)
    info = {**(asr_info or {}), "attribution": attribution.to_dict()}
    return AudioAnalysis(interaction, ring, findings, info, audio)


def with_levels(utterances: Sequence[Utterance], audio: DecodedAudio, tracks: list[Track]
                ) -> list[Utterance]:
    """The utterances with ``level_dbfs`` measured on their speaker's own track.

    On a mono recording (or a speaker without a track of their own) the one
    track is measured.
    """
    from analyzer.rules.acoustics import utterance_level

    samples = {t.speaker: t.signal(audio) for t in tracks}
    default = tracks[0].signal(audio)
    return [replace(u, level_dbfs=utterance_level(samples.get(u.speaker, default),
                                                  audio.sample_rate, u.start, u.end))
            for u in utterances]


def transcribe_each(
    audio: DecodedAudio, tracks: list[Track], options: ASROptions, recognise: Recognizer,
    verifier: Verifier | None = None,
) -> list[list[Utterance]]:
    """Recognise every track of a recording together; each track's utterances in time order.

    The recognizer hears all tracks in one call: the packed recognizer lays
    both parties' speech into shared bins. ``verifier`` (None: off) hears
    lexicon phrases in the staff tracks (:mod:`analyzer.speech.verify`).
    """
    out = [list(found) for found in recognise.transcribe_many(
        [t.cut(audio) for t in tracks], options, verifier=verifier)]
    for found in out:
        found.sort(key=lambda u: (u.start, u.end))
    return out


def build_interaction(
    path: str | Path,
    audio: DecodedAudio,
    utterances: list[Utterance],
    meta: CallMeta,
    tracks: list[Track],
) -> Interaction:
    """The :class:`Interaction` of a recording: metadata, transcript, audio facts."""
    channel = meta.channel or ("phone" if 0 < audio.native_rate <= _PHONE_RATE else "")
    extra = dict(meta.extra)
    extra["audio"] = {
        "channels": audio.channels,
        "native_rate": audio.native_rate,
        "codec": audio.codec,
        "roles": [t.speaker for t in tracks],
        "speaker_known": all(t.known for t in tracks),
    }
    started_at, started_from = start_of(path, audio, meta)
    return Interaction(
        id=meta.id or shown(Path(path).stem),
        channel=channel,
        utterances=utterances,
        hall=meta.hall,
        window=meta.window,
        staff=meta.staff,
        started_at=started_at,
        started_at_source=started_from,
        rings=meta.rings,
        ring_seconds=meta.ring_seconds,
        source=shown(path),
        duration=audio.duration,
        meta=extra,
    )


def start_of(path: str | Path, audio: DecodedAudio, meta: CallMeta) -> tuple[str, str]:
    """When the recording started, and where that was read: ``(started_at, source)``.

    The metadata given (a sidecar, a manifest row, the caller) wins
    (``given``); else the container's ``creation_time`` tag (``metadata``);
    else the file's modification time less the recording's length
    (``file_time``: a recorder writes the file as the call ends). Times are
    absolute (with their UTC offset); the hall's clock is applied where they
    are shown (:mod:`analyzer.halltime`).
    """
    import datetime as dt

    if meta.started_at:
        return meta.started_at, "given"
    if audio.created:
        try:
            created = dt.datetime.fromisoformat(audio.created.replace("Z", "+00:00"))
        except ValueError:
            created = None
        if created is not None:
            if created.tzinfo is None:
                created = created.replace(tzinfo=dt.UTC)  # the tag is written in UTC
            return created.isoformat(timespec="seconds"), "metadata"
    try:
        mtime = Path(path).stat().st_mtime
    except OSError:
        return "", ""
    start = dt.datetime.fromtimestamp(mtime - audio.duration, dt.UTC)
    return start.isoformat(timespec="seconds"), "file_time"


def find_rings(
    interaction: Interaction, audio: DecodedAudio, tracks: list[Track], options: AnalyzerOptions
) -> RingResult | None:
    """Rings before the answer: the call record if it has them, else the ringback heard.

    The audio is searched on the citizen (line) channel, or the mono signal,
    up to the first staff speech. Counter recordings (channel known to be
    ``counter``) are not searched. A recording whose channel is not known is
    searched, and becomes ``phone`` when rings are heard.
    """
    from analyzer.speech.rings import detect_rings, rings_from_record

    if interaction.channel == "counter":
        return None
    record = rings_from_record(interaction, options.rings)
    if record is not None:
        return record
    line = next((t for t in tracks if t.speaker == "citizen"), None)
    samples: np.ndarray = (
        audio.mono() if line is None and len(tracks) > 1 else (line or tracks[0]).signal(audio)
    )
    staff_starts = [u.start for u in interaction.utterances if u.speaker == "staff"]
    answer = min(staff_starts) if staff_starts else None
    return detect_rings(samples, audio.sample_rate, options.rings, answer_time=answer)


def acoustic_findings(
    interaction: Interaction, audio: DecodedAudio, tracks: list[Track], options: AnalyzerOptions
) -> list[Finding]:
    """Shouting, heard on the staff track.

    Speech rate and ignoring are timed from the transcript, so
    :func:`analyzer.pipeline.analyze_interaction` measures them for
    transcripts and recordings alike.
    """
    from analyzer.rules.acoustics import loudness_findings
    from analyzer.text.lexicon import load_lexicon

    lexicon = load_lexicon(options.lexicon)
    findings: list[Finding] = []
    staff = next((t for t in tracks if t.speaker == "staff"), None)
    if staff is not None:
        utterances = [u for u in interaction.utterances if u.speaker == "staff"]
        findings.extend(loudness_findings(staff.signal(audio), audio.sample_rate, utterances,
                                          options.acoustics, lexicon))
    findings.sort(key=lambda f: (f.start is None, f.start or 0.0))
    return findings
