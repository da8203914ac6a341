"""Who said it: crosstalk, background speech, same-mix stereo and mono speaker turns.

A counter is not a recording booth. Each party's microphone also hears the
other party and the windows next door, and many halls record with one desk
microphone. This stage runs on the recognised utterances of a recording,
before phrase matching, in :func:`analyzer.speech.recording.conclude` (so
``conduct analyze``, the batch and the live stream share it; a live call runs
the rules that need the whole call when it ends, and its report says so in
``attribution.at_call_end``):

* **same mix** (:func:`same_mix`): a stereo file whose two channels carry the
  same signal is analysed as mono;
* **crosstalk** (:func:`crosstalk`, stereo): a word on one channel that the
  other channel hears ``crosstalk_db`` louder is the other party's voice
  leaking in (a longer leaked stretch was silenced before recognition:
  :mod:`analyzer.speech.crosstalk`). A leaked stretch the other channel transcribed too (the two
  transcripts repeat each other) is dropped; one the other channel lost is
  given to that party;
* **background** (:func:`background`): an utterance ``background_db`` below
  its channel's foreground speaker (the median level of the channel's loud
  utterances, and never further than ``background_db`` below the loudest
  channel's) is a neighbouring window, the PA or a radio, and is dropped;
* **mono speaker turns** (:mod:`analyzer.speech.diarize`, ``asr.mono_roles =
  "auto"``): the channel is split into speaker-homogeneous pieces, clustered
  by voice, and the staff cluster is chosen from what was said, who opened and
  closed, and level.

Everything dropped or re-attributed is an :class:`Dropped` item of the
recording's :class:`Attribution`, recorded in the report's audit block
(``analyzer.asr.attribution``) and shown by the review app.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

import numpy as np

from analyzer.options import AnalyzerOptions, AttributionOptions
from analyzer.rules.acoustics import LEVEL_FRAME_SECONDS, utterance_level
from analyzer.types import Utterance, Word

#: Frames quieter than this (dBFS) carry no speech worth comparing.
SILENT_DB = -70.0
#: Samples summed at a time by :func:`same_mix` (float64 copies of one block only).
_SUM_BLOCK = 1 << 20
#: Seconds around a leaked stretch searched for the other channel's words.
_NEAR = 0.5
#: Background stretches shorter than this (s) stay (word times are approximate).
_MIN_BACKGROUND = 0.4


@dataclass(frozen=True)
class Dropped:
    """A stretch of speech that did not become the speaker's utterance, and why.

    Attributes:
        speaker: The role of the channel it was heard on.
        start: Start, seconds.
        end: End, seconds.
        text: What was recognised.
        reason: ``crosstalk`` (the other party's voice leaking in) or
            ``background`` (far below the channel's foreground speaker).
        action: ``dropped`` (recognised, then left out), ``silenced`` (leaked
            audio never sent to recognition) or ``reattributed`` (given to
            ``to_speaker``).
        level_db: Its level on the channel it was heard on (dBFS).
        reference_db: The level it was compared with: the other channel's
            (crosstalk) or the channel's foreground speaker's (background).
        threshold_db: The difference the option asks for.
        to_speaker: Who it was given to (re-attributed), else "".
        repeats: The other channel's text over the same time (crosstalk).
        similarity: Share of its characters that text repeats (0-1), or None.
    """

    speaker: str
    start: float
    end: float
    text: str
    reason: str
    action: str
    level_db: float | None
    reference_db: float | None
    threshold_db: float
    to_speaker: str = ""
    repeats: str = ""
    similarity: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (an item of ``attribution.dropped``)."""
        d = asdict(self)
        for key in ("start", "end"):
            d[key] = round(d[key], 3)
        for key in ("level_db", "reference_db", "similarity"):
            if d[key] is not None:
                d[key] = round(d[key], 2)
        return d


@dataclass(frozen=True)
class SpeakerInfo:
    """One voice found on a mono recording and the role it was given.

    Attributes:
        cluster: The voice's index (0, 1).
        role: ``staff`` or ``citizen``.
        seconds: Speech attributed to it.
        utterances: Pieces attributed to it.
        confidence: How sure the role decision is (0.5-1).
        signals: The signals of the role decision (text classifier's mean
            staff probability, opened, closed, level), each with its vote.
    """

    cluster: int
    role: str
    seconds: float
    utterances: int
    confidence: float
    signals: dict[str, float]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form (an item of ``attribution.speakers``)."""
        return {**asdict(self), "seconds": round(self.seconds, 2),
                "confidence": round(self.confidence, 4),
                "signals": {k: round(v, 4) for k, v in self.signals.items()}}


@dataclass
class Attribution:
    """How the speech of one recording was attributed (the audit block's ``attribution``).

    Attributes:
        mode: ``stereo`` (one party per channel), ``mono`` (one microphone)
            or ``same_mix`` (a stereo file carrying one mix, analysed as mono).
        mono_roles: The ``asr.mono_roles`` applied (mono and same mix).
        dropped: What did not become an utterance of the speaker it was heard
            as, and why.
        speakers: Mono with ``mono_roles = "auto"``: the voices found.
        correlation: Same-mix check: the correlation of the two channels.
        at_call_end: A live call: the rules that needed the whole call and ran
            when it ended (its live events came before them); empty for a
            recording analysed whole.
        voice: Mono: the enrolled voice that anchored the roles (``staff id``
            and the first 12 hex digits of its digest), else "".
    """

    mode: str
    mono_roles: str = ""
    dropped: list[Dropped] = field(default_factory=list)
    speakers: list[SpeakerInfo] = field(default_factory=list)
    correlation: float | None = None
    at_call_end: tuple[str, ...] = ()
    voice: str = ""

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> Attribution | None:
        """Rebuild from :meth:`to_dict` (a stored report's block); None when absent."""
        if not d:
            return None
        return cls(mode=d.get("mode", ""), mono_roles=d.get("mono_roles", ""),
                   dropped=[Dropped(**x) for x in d.get("dropped", ())],
                   speakers=[SpeakerInfo(**x) for x in d.get("speakers", ())],
                   correlation=d.get("correlation"),
                   at_call_end=tuple(d.get("at_call_end", ())), voice=d.get("voice", ""))

    def add(self, dropped: Sequence[Dropped]) -> None:
        """Record more dropped stretches (kept in time order)."""
        self.dropped = sorted([*self.dropped, *dropped], key=lambda d: (d.start, d.end))

    def to_dict(self) -> dict[str, Any]:
        """The JSON form recorded in ``analyzer.asr.attribution``."""
        d: dict[str, Any] = {
            "mode": self.mode,
            "mono_roles": self.mono_roles,
            "correlation": None if self.correlation is None else round(self.correlation, 4),
            "dropped": [d.to_dict() for d in self.dropped],
            "speakers": [s.to_dict() for s in self.speakers],
        }
        if self.at_call_end:
            d["at_call_end"] = list(self.at_call_end)
        if self.voice:
            d["voice"] = self.voice
        return d


def same_mix(samples: np.ndarray, options: AttributionOptions) -> float | None:
    """The channels' correlation when a stereo signal carries one mix twice, else None.

    Args:
        samples: ``(2, n)`` float32 samples.
        options: ``same_mix_correlation`` and ``same_mix_db``.
    """
    if samples.ndim != 2 or samples.shape[0] != 2 or samples.shape[1] < 1600:
        return None
    n = samples.shape[1]
    # sums in float64 over blocks of the float32 samples: no whole-recording float64 copies
    sa = sb = saa = sbb = sab = 0.0
    for i in range(0, n, _SUM_BLOCK):
        a, b = (np.asarray(c[i:i + _SUM_BLOCK], dtype=np.float64) for c in samples)
        sa, sb = sa + float(a.sum()), sb + float(b.sum())
        saa, sbb, sab = saa + float(a @ a), sbb + float(b @ b), sab + float(a @ b)
    pa, pb = saa / n, sbb / n
    if pa < 1e-10 or pb < 1e-10:
        return None
    if abs(10.0 * np.log10(pa / pb)) > options.same_mix_db:
        return None
    ma, mb = sa / n, sb / n
    va, vb = max(pa - ma * ma, 0.0), max(pb - mb * mb, 0.0)
    if va * vb <= 0.0:
        return None
    corr = (sab / n - ma * mb) / np.sqrt(va * vb)
    return corr if corr >= options.same_mix_correlation else None


def frame_levels(samples: np.ndarray, sample_rate: int) -> np.ndarray:
    """Level of every 50 ms frame in dBFS (the frames of :func:`utterance_level`)."""
    n = int(LEVEL_FRAME_SECONDS * sample_rate)
    x = np.asarray(samples, dtype=np.float64)
    frames = x[: x.size - x.size % n].reshape(-1, n) if x.size >= n else np.zeros((0, n))
    return 10.0 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def _span_frames(levels: np.ndarray, start: float, end: float) -> np.ndarray:
    a = int(max(0.0, start) / LEVEL_FRAME_SECONDS)
    b = max(a + 1, int(np.ceil(max(0.0, end) / LEVEL_FRAME_SECONDS)))
    return levels[a:b]


def _leak_margin(own: np.ndarray, other: np.ndarray, start: float, end: float) -> float | None:
    """Median dB by which ``other`` is louder than ``own`` over a span (None: silent)."""
    a, b = _span_frames(own, start, end), _span_frames(other, start, end)
    n = min(a.size, b.size)
    if not n:
        return None
    a, b = a[:n], b[:n]
    live = np.maximum(a, b) > SILENT_DB
    if not live.any():
        return None
    return float(np.median(b[live] - a[live]))


def is_pause(word: Word) -> bool:
    """True for a punctuation token: the recognizer times it over the pause after a
    word (``安息`` 7.08-7.30 s, ``，`` 7.30-7.62 s), so it is silence, not speech."""
    return all(unicodedata.category(c)[0] in "PZ" for c in word.text)


def runs(flags: Sequence[bool], pauses: Sequence[bool] = ()) -> list[tuple[int, int, bool]]:
    """(first, last + 1, flag) of each run of equal flags; a lone word between two
    runs of the other flag joins them (word times are approximate).

    ``pauses`` (one per flag; :func:`is_pause`) mark items that are no speech: a
    pause timed as punctuation has its own level, but it says nothing about whose
    voice or how far away. It neither makes a run nor keeps a lone word from its
    neighbours, and goes with the word before it (the first word's after it).
    """
    flags = list(flags)
    spoken = [i for i in range(len(flags)) if not (pauses and pauses[i])]
    for a, i, b in zip(spoken, spoken[1:], spoken[2:], strict=False):
        if flags[a] == flags[b] != flags[i]:
            flags[i] = flags[a]
    if spoken:
        for i in range(len(flags)):
            if pauses and pauses[i]:
                flags[i] = flags[max((j for j in spoken if j < i), default=spoken[0])]
    out: list[tuple[int, int, bool]] = []
    for i, f in enumerate(flags):
        if out and out[-1][2] == f:
            out[-1] = (out[-1][0], i + 1, f)
        else:
            out.append((i, i + 1, f))
    return out


def similarity(text: str, other: str) -> float:
    """Share of ``text``'s characters that ``other`` repeats, in order (0-1)."""
    from analyzer.text.normalize import normalize

    a, b = normalize(text), normalize(other)
    if not a or not b:
        return 0.0
    blocks = difflib.SequenceMatcher(None, a, b, autojunk=False).get_matching_blocks()
    return sum(m.size for m in blocks) / len(a)


def _own_words(utterances: Sequence[Utterance], start: float, end: float) -> str:
    """The text of the words of ``utterances`` inside [start - near, end + near]."""
    lo, hi = start - _NEAR, end + _NEAR
    out = []
    for u in utterances:
        for w in u.words or (Word(u.text, u.start, u.end),):
            if w.end > lo and w.start < hi:
                out.append(w.text)
    return "".join(out).strip()


def crosstalk(tracks: Sequence[tuple[str, np.ndarray, list[Utterance]]], sample_rate: int,
              options: AttributionOptions) -> tuple[list[list[Utterance]], list[Dropped]]:
    """Leakage between the two channels of a stereo recording, removed or re-attributed.

    Args:
        tracks: ``(speaker, samples, utterances)`` of each of the two channels.
        sample_rate: Rate of the samples.
        options: ``crosstalk_db`` (how much louder the other channel must be)
            and ``repeat_similarity``.

    Returns:
        Each channel's kept utterances (leaked stretches the other channel
        lost are added to that channel's list), and what was dropped or moved.
    """
    levels = [frame_levels(s, sample_rate) for _, s, _ in tracks]
    own_words = [[_leak_split(u, levels[k], levels[1 - k], options) for u in utts]
                 for k, (_, _, utts) in enumerate(tracks)]
    kept: list[list[Utterance]] = [[] for _ in tracks]
    dropped: list[Dropped] = []
    for k, (speaker, _, _) in enumerate(tracks):
        other_speaker, clean_other = tracks[1 - k][0], [p for p, leak, _ in
                                                        _flat(own_words[1 - k]) if not leak]
        for piece, leak, margin in _flat(own_words[k]):
            if not leak:
                kept[k].append(piece)
                continue
            said = _own_words(clean_other, piece.start, piece.end)
            sim = similarity(piece.text, said) if said else None
            moved = (sim or 0.0) < options.repeat_similarity  # the other channel lost it
            if moved:
                kept[1 - k].append(replace(piece, speaker=other_speaker,
                                           speaker_confidence=min(piece.speaker_confidence, 0.9)))
            level = utterance_level(tracks[k][1], sample_rate, piece.start, piece.end)
            dropped.append(Dropped(
                speaker=speaker, start=piece.start, end=piece.end, text=piece.text,
                reason="crosstalk", action="reattributed" if moved else "dropped",
                level_db=level, reference_db=None if level is None else level + margin,
                threshold_db=options.crosstalk_db, to_speaker=other_speaker if moved else "",
                repeats=said[:80], similarity=sim))
    for utts in kept:
        utts.sort(key=lambda u: (u.start, u.end))
    return kept, dropped


def _flat(split: Sequence[list[tuple[Utterance, bool, float]]]
          ) -> list[tuple[Utterance, bool, float]]:
    return [item for pieces in split for item in pieces]


def _leak_split(u: Utterance, own: np.ndarray, other: np.ndarray, options: AttributionOptions
                ) -> list[tuple[Utterance, bool, float]]:
    """``u`` cut into its own and its leaked stretches: (piece, leaked, margin dB)."""
    words = u.words or (Word(u.text, u.start, u.end, u.confidence),)
    margins = [_leak_margin(own, other, w.start, w.end) for w in words]
    flags = [m is not None and m >= options.crosstalk_db for m in margins]
    pauses = [is_pause(w) for w in words]
    out = []
    for a, b, leak in runs(flags, pauses):
        part = [m for m, pause in zip(margins[a:b], pauses[a:b], strict=True)
                if m is not None and not pause]
        piece = u.part(words[a:b]) if u.words else u
        out.append((piece, leak, float(np.median(part)) if part else 0.0))
    return out


def background(tracks: Sequence[tuple[str, np.ndarray, list[Utterance]]], sample_rate: int,
               options: AttributionOptions) -> tuple[list[list[Utterance]], list[Dropped]]:
    """Speech far below its channel's foreground speaker, cut out.

    A channel's foreground level is the median level of its utterances
    within ``background_db`` of its loudest; it is raised to at most
    ``background_db`` below the loudest channel's foreground (a channel that
    hears only the next window is not its own reference). Words more than
    ``background_db`` below it are background: a stretch of them is cut out
    of its utterance (the next window's talk often runs into the party's own
    words with no pause between).

    Args:
        tracks: ``(speaker, samples, utterances)`` of each channel.
        sample_rate: Rate of the samples.
        options: ``background_db``.

    Returns:
        Each channel's kept utterances, and what was dropped.
    """
    gap = options.background_db
    fore = []
    for _, s, utts in tracks:
        levels = [utterance_level(s, sample_rate, u.start, u.end) for u in utts]
        fore.append(_foreground([lv for lv in levels if lv is not None], gap))
    loudest = max((f for f in fore if f is not None), default=None)
    kept: list[list[Utterance]] = []
    dropped: list[Dropped] = []
    for (speaker, samples, utts), own in zip(tracks, fore, strict=True):
        if own is None or loudest is None:
            kept.append(list(utts))
            continue
        ref = max(own, loudest - gap)
        keep = []
        for u in utts:
            for piece, quiet, level in _quiet_split(u, samples, sample_rate, ref - gap):
                if not quiet:
                    keep.append(piece)
                    continue
                dropped.append(Dropped(speaker=speaker, start=piece.start, end=piece.end,
                                       text=piece.text, reason="background", action="dropped",
                                       level_db=level, reference_db=ref, threshold_db=gap))
        kept.append(keep)
    return kept, dropped


def _quiet_split(u: Utterance, samples: np.ndarray, sample_rate: int, floor: float
                 ) -> list[tuple[Utterance, bool, float | None]]:
    """``u`` cut into its loud and its quiet (below ``floor`` dBFS) stretches."""
    words = u.words or (Word(u.text, u.start, u.end, u.confidence),)
    levels = [utterance_level(samples, sample_rate, w.start, max(w.end, w.start + 0.1))
              for w in words]
    flags = [lv is not None and lv < floor for lv in levels]
    pauses = [is_pause(w) for w in words]
    out: list[tuple[Utterance, bool, float | None]] = []
    for a, b, quiet in runs(flags, pauses):
        piece = u.part(words[a:b]) if u.words else u
        said = [w for w, pause in zip(words[a:b], pauses[a:b], strict=True) if not pause]
        start, end = (said[0].start, said[-1].end) if said else (piece.start, piece.start)
        level = utterance_level(samples, sample_rate, start, end)
        # a word or two timed a little before the speech starts reads as quiet: a
        # background stretch must last and measure quiet as a whole, its words
        # without the pauses timed as punctuation after them
        quiet = quiet and end - start >= _MIN_BACKGROUND and level is not None \
            and level < floor
        if out and not quiet and not out[-1][1] and u.words:  # loud again: one piece
            prev = out[-1][0]
            out[-1] = (u.part([w for w in words if prev.start <= w.start <= piece.end]),
                       False, None)
        else:
            out.append((piece, quiet, level))
    return out


def _foreground(levels: Sequence[float], gap: float) -> float | None:
    """The median of the levels within ``gap`` dB of the loudest (None: no levels)."""
    if not levels:
        return None
    top = max(levels)
    return float(np.median([lv for lv in levels if lv >= top - gap]))


def attribute(tracks: Sequence[tuple[str, np.ndarray, list[Utterance]]], sample_rate: int,
              options: AnalyzerOptions, mode: str, correlation: float | None = None,
              staff: str = "") -> tuple[list[Utterance], Attribution]:
    """Crosstalk (stereo), background and mono speaker turns for one recording.

    Args:
        tracks: ``(speaker, samples, utterances)`` per track: two for stereo,
            one for mono (or a same-mix stereo file).
        sample_rate: Rate of the samples.
        options: ``attribution.*``, ``asr.mono_roles`` and the classifiers' folder.
        mode: ``stereo``, ``mono`` or ``same_mix``.
        correlation: The same-mix check's channel correlation, when it ran.
        staff: The interaction's staff id: its enrolled voice
            (``attribution.voices``) anchors mono roles.

    Returns:
        The utterances of the recording in time order, and what was done.
    """
    att = options.attribution
    record = Attribution(mode=mode, mono_roles="" if mode == "stereo" else options.asr.mono_roles,
                         correlation=correlation)
    per_track = [list(utts) for _, _, utts in tracks]
    if att.enabled and len(tracks) == 2:
        per_track, dropped = crosstalk(tracks, sample_rate, att)
        record.dropped += dropped
    if att.enabled:
        per_track, dropped = background(
            [(spk, s, utts) for (spk, s, _), utts in zip(tracks, per_track, strict=True)],
            sample_rate, att)
        record.dropped += dropped
    if len(tracks) == 1 and options.asr.mono_roles == "auto" and att.enabled:
        from analyzer.speech.diarize import diarize
        from analyzer.speech.voices import voice_of

        enrolled = voice_of(att.voices, staff)
        per_track[0], voices = diarize(per_track[0], tracks[0][1], sample_rate, att,
                                       options.classifier,
                                       None if enrolled is None else enrolled.vector())
        if enrolled is not None:
            record.voice = f"{enrolled.staff} {enrolled.sha256[:12]}"
        record.speakers = [SpeakerInfo(**v) for v in voices]
    record.dropped.sort(key=lambda d: (d.start, d.end))
    utterances = sorted((u for utts in per_track for u in utts), key=lambda u: (u.start, u.end))
    return utterances, record
