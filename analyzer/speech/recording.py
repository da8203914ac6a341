"""The audio path: a recording in, an :class:`~analyzer.types.Interaction` with findings out.

Stages, each in its own module: decode (:mod:`analyzer.speech.decode`) -> speech
recognition per channel (:mod:`analyzer.speech.asr`) -> rings before the first staff
speech (:mod:`analyzer.speech.rings`) -> loudness (:mod:`analyzer.rules.acoustics`).
Phrase matching, context rules and scoring are the same as for transcripts
and run afterwards in :func:`analyzer.pipeline.analyze_interaction`.

Roles: on a stereo recording each channel is one party (default channel 0
staff, channel 1 citizen; per run ``ASROptions.stereo_speakers``, per hall
``ASROptions.hall_speakers`` or the sidecar's ``stereo_speakers``). A mono
recording is one microphone whose owner comes from configuration
(``ASROptions.mono_speaker``), so its utterances carry ``speaker_known=False``.

Metadata: a sidecar ``<stem>.json`` next to the recording may give ``id``,
``channel`` (counter|phone), ``hall``, ``window``, ``staff``, ``started_at``,
``rings``, ``ring_seconds`` (the call record: wins over the audio),
``stereo_speakers`` and ``mono_speaker``; the ``meta`` argument overrides it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.errors import TranscriptError, shown
from analyzer.options import AnalyzerOptions, ASROptions
from analyzer.speech.decode import DecodedAudio, decode_audio
from analyzer.types import SPEAKERS, Finding, Interaction, RingResult, Utterance

if TYPE_CHECKING:
    from analyzer.speech.verify import Verifier

#: A recognizer with :func:`analyzer.speech.engine.transcribe`'s signature.
Transcriber = Callable[..., list[Utterance]]

_INTERACTION_KEYS = (
    "id",
    "channel",
    "hall",
    "window",
    "staff",
    "started_at",
    "rings",
    "ring_seconds",
)
#: Recordings at or below this native rate are phone calls unless told otherwise.
_PHONE_RATE = 8000


@dataclass
class AudioAnalysis:
    """What the audio path found in one recording.

    Attributes:
        interaction: The recognised conversation with the metadata.
        ring: Rings before answer (record or audio), or None for counter audio.
        findings: Findings only the audio shows (staff shouting).
        asr_info: Model folder, its SHA-256 and the recognition options.
        audio: The decoded samples.
    """

    interaction: Interaction
    ring: RingResult | None
    findings: list[Finding]
    asr_info: dict[str, Any]
    audio: DecodedAudio


@dataclass(frozen=True)
class Track:
    """One party's signal: the channel index (None: channel mix) and its role."""

    channel: int | None
    speaker: str
    known: bool = True


def analyze_recording(
    path: str | Path,
    options: AnalyzerOptions | None = None,
    meta: dict[str, Any] | None = None,
    *,
    audio: DecodedAudio | None = None,
    transcriber: Transcriber | None = None,
) -> AudioAnalysis:
    """Decode, transcribe and measure one recording.

    Args:
        path: The recording (WAV, FLAC, MP3, M4A/AAC, OGG/Opus).
        options: Analyzer options (``asr``, ``rings``, ``acoustics`` are used).
        meta: Metadata overriding the sidecar ``<stem>.json`` (see module docstring).
        audio: Already decoded samples (the batch decodes ahead).
        transcriber: A recognizer to use instead of the process's recognition engine
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
    from analyzer.speech.engine import get_engine

    options = options or AnalyzerOptions()
    meta = load_meta(path, meta)
    audio = audio if audio is not None else decode_audio(path)
    tracks = channel_tracks(audio.channels, options.asr, meta, str(path))
    line = options.asr.for_line(audio.native_rate, meta.get("channel"))
    from analyzer.speech.verify import get_verifier

    recognise = transcriber or get_engine(line, options.pack)
    utterances = transcribe_tracks(audio, tracks, line, recognise, get_verifier(options))
    interaction = build_interaction(path, audio, utterances, meta, tracks)
    ring = find_rings(interaction, audio, tracks, options)
    if not interaction.channel:  # not given and not 8 kHz: phone if ringback was heard
        interaction.channel = "phone" if ring is not None and ring.rings else "counter"
    if interaction.channel != "phone":
        ring = None
    findings = acoustic_findings(interaction, audio, tracks, options)
    return AudioAnalysis(interaction, ring, findings, asr.asr_info(options.asr), audio)


def read_sidecar(recording: str | Path) -> dict[str, Any]:
    """The sidecar metadata ``<stem>.json`` next to a recording ({} when there is none).

    The one reader of sidecars: ``conduct analyze``, the batch and the stream
    all call it. The returned dict carries ``_sidecar`` (the file's path) so
    later errors can name it.

    Raises:
        TranscriptError: The sidecar is unreadable, not JSON, or not an object.
    """
    sidecar = Path(recording).with_suffix(".json")
    if not sidecar.is_file():
        return {}
    from analyzer.text.transcript import read_json

    try:
        data = read_json(sidecar.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise TranscriptError(f"sidecar metadata is not valid JSON: {exc}",
                              source=str(sidecar)) from None
    if not isinstance(data, dict):
        raise TranscriptError("sidecar metadata must be a JSON object", source=str(sidecar))
    meta = {k: v for k, v in data.items() if k not in ("utterances", "transcript")}
    meta["_sidecar"] = str(sidecar)
    return meta


def load_meta(path: str | Path, meta: dict[str, Any] | None = None) -> dict[str, Any]:
    """The sidecar next to ``path`` (:func:`read_sidecar`) merged under ``meta``.

    Raises:
        TranscriptError: The sidecar is malformed.
    """
    return {**read_sidecar(path), **(meta or {})}


def channel_tracks(
    channels: int, options: ASROptions, meta: dict[str, Any], source: str = ""
) -> list[Track]:
    """Who speaks on which channel (see the module docstring for the precedence).

    Raises:
        TranscriptError: A role in the metadata or options is not a speaker.
    """
    where = meta.get("_sidecar", source)
    if channels == 2:
        roles = _stereo_roles(options, meta)
        for role in roles:
            _check_role(role, where, "stereo_speakers")
        return [Track(0, roles[0]), Track(1, roles[1])]
    speaker = str(meta.get("mono_speaker") or options.mono_speaker)
    _check_role(speaker, where, "mono_speaker")
    return [Track(0 if channels == 1 else None, speaker, known=False)]


def _stereo_roles(options: ASROptions, meta: dict[str, Any]) -> tuple[str, str]:
    given = meta.get("stereo_speakers")
    if given:
        if not isinstance(given, (list, tuple)) or len(given) != 2:
            raise TranscriptError(
                f"stereo_speakers must list two roles, got {given!r}",
                source=meta.get("_sidecar"),
                field="stereo_speakers",
            )
        return str(given[0]), str(given[1])
    hall = str(meta.get("hall", ""))
    for entry in options.hall_speakers:
        if hall and entry[0] == hall:
            return str(entry[1]), str(entry[2])
    return str(options.stereo_speakers[0]), str(options.stereo_speakers[1])


def _check_role(role: str, source: str, name: str) -> None:
    if role not in SPEAKERS:
        raise TranscriptError(
            f"{name}: {role!r} is not one of {', '.join(SPEAKERS)}", source=source, field=name
        )


def track_samples(audio: DecodedAudio, track: Track) -> np.ndarray:
    """The mono signal of one track."""
    return audio.mono() if track.channel is None else audio.samples[track.channel]


def transcribe_tracks(
    audio: DecodedAudio, tracks: list[Track], options: ASROptions, recognise: Transcriber,
    verifier: Verifier | None = None,
) -> list[Utterance]:
    """Recognise every track and merge the utterances in time order.

    A recognizer that offers ``transcribe_many(tracks, options)`` (tracks as
    ``(samples, speaker, speaker_known)``, one utterance list back per track)
    hears all tracks of the recording in one call: the batch's packed
    recognizer lays both parties' speech into shared windows. Otherwise each
    track is recognised on its own. ``verifier`` (None: off) hears lexicon
    phrases in the staff tracks (:mod:`analyzer.speech.verify`).
    """
    utterances: list[Utterance] = []
    extra = {"verifier": verifier} if verifier is not None else {}
    many = getattr(recognise, "transcribe_many", None)
    if many is not None:
        given = [(track_samples(audio, t), t.speaker, t.known) for t in tracks]
        for (samples, _, _), found in zip(given, many(given, options, **extra), strict=True):
            utterances.extend(with_levels(found, samples, audio.sample_rate))
    else:
        for track in tracks:
            samples = track_samples(audio, track)
            found = recognise(samples, options, speaker=track.speaker, offset=0.0,
                              speaker_known=track.known, **extra)
            utterances.extend(with_levels(found, samples, audio.sample_rate))
    utterances.sort(key=lambda u: (u.start, u.end))
    return utterances


def with_levels(utterances: Iterable[Utterance], samples: np.ndarray, sample_rate: int
                ) -> list[Utterance]:
    """The utterances with ``level_dbfs`` measured on their own channel's samples."""
    from analyzer.rules.acoustics import utterance_level

    return [replace(u, level_dbfs=utterance_level(samples, sample_rate, u.start, u.end))
            for u in utterances]


def build_interaction(
    path: str | Path,
    audio: DecodedAudio,
    utterances: list[Utterance],
    meta: dict[str, Any],
    tracks: list[Track],
) -> Interaction:
    """The :class:`Interaction` of a recording: metadata, transcript, audio facts."""
    channel = str(meta.get("channel") or ("phone" if 0 < audio.native_rate <= _PHONE_RATE else ""))
    extra = {k: v for k, v in meta.items() if k not in _INTERACTION_KEYS and not k.startswith("_")}
    extra["audio"] = {
        "channels": audio.channels,
        "native_rate": audio.native_rate,
        "codec": audio.codec,
        "roles": [t.speaker for t in tracks],
        "speaker_known": all(t.known for t in tracks),
    }
    return Interaction(
        id=str(meta.get("id") or shown(Path(path).stem)),
        channel=channel,
        utterances=utterances,
        hall=str(meta.get("hall", "")),
        window=str(meta.get("window", "")),
        staff=str(meta.get("staff", "")),
        started_at=str(meta.get("started_at", "")),
        rings=meta.get("rings"),
        ring_seconds=meta.get("ring_seconds"),
        source=shown(path),
        duration=audio.duration,
        meta=extra,
    )


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
    samples = (
        audio.mono()
        if line is None and len(tracks) > 1
        else track_samples(audio, line or tracks[0])
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
        findings.extend(
            loudness_findings(
                track_samples(audio, staff),
                audio.sample_rate,
                utterances,
                options.acoustics,
                lexicon,
            )
        )
    findings.sort(key=lambda f: (f.start is None, f.start or 0.0))
    return findings
