"""Tracks, the recognizer protocol, and the one resolver of who speaks on which channel.

A :class:`Track` is one party's signal: its role (``staff``, ``citizen``),
whether that role is known or assumed, which row of the decoded samples it
is (:attr:`Track.row`: 0 or 1 of a stereo recording, 0 of a mono one, None
for the two rows mixed), and, once cut, its samples and where they start.
The file path (:mod:`analyzer.speech.recording`), the batch, the stream and
the recognition engine (:mod:`analyzer.speech.engine`) all pass tracks.

A :class:`Recognizer` hears tracks: the one recognition engine does, and so
does any object with its :meth:`~Recognizer.transcribe_many`.

:func:`resolve_tracks` decides the roles, for every path. On a stereo
recording each channel is one party: the metadata's ``stereo_speakers``
(a sidecar's) first, then the hall's mapping (``ASROptions.hall_speakers``),
then ``ASROptions.stereo_speakers`` (default channel 0 staff, channel 1
citizen). A mono recording, or a stereo one whose channels carry the same
mix, is one track whose role is assumed (``speaker_known`` false):
``mono_roles`` of the metadata, else of the options; ``auto`` is recognised
as the clerk's and the speaker turns are told apart afterwards
(:mod:`analyzer.speech.attribution`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Protocol

import numpy as np

from analyzer.errors import TranscriptError
from analyzer.options import MONO_ROLES, ASROptions
from analyzer.speech.meta import CallMeta
from analyzer.types import SPEAKERS, Utterance, Word

if TYPE_CHECKING:
    from analyzer.speech.decode import DecodedAudio
    from analyzer.speech.verify import Verifier


def _no_samples() -> np.ndarray:
    return np.zeros(0, dtype=np.float32)


@dataclass(frozen=True, eq=False)
class Track:
    """One party's signal in a recording.

    Attributes:
        speaker: The role of everything said on it (``staff``, ``citizen``).
        known: False when the role is assumed (one microphone for both parties).
        row: The row of the decoded ``(channels, n)`` samples it is, or None
            for the rows mixed (a stereo file carrying one mix twice).
        samples: Its float32 samples at 16 kHz, once cut (:meth:`cut`, :meth:`of`).
        offset: Where ``samples`` start in the recording, in seconds.
        context: Speech given only as the company of the other tracks' speech
            in their bin (a live line's previous turns, in time order before
            the piece being recognised, as a recording's bin holds them): it
            is not verified, not recognised again when its words are lost,
            and its utterances are not returned.
        lead: Seconds at the start of ``samples`` heard only as the context of
            the speech after them (an already cut piece's context,
            :func:`analyzer.speech.packing.heard_span`): no word is timed there.
        trail: Seconds at the end of ``samples`` heard so.
        again: Speech heard a second time (a live line's closed bin,
            :mod:`analyzer.stream.again`): its request gives way to every first
            hearing, between its stages too (:class:`analyzer.stream.scheduler.Prioritised`).
        peek: With ``again``: a call's open bin heard early for the findings of a clerk's
            clause the first hearing nearly heard (:meth:`analyzer.stream.again.FileBins.peek`);
            it goes before the second hearings of closed bins.
        recheck: With ``context``: the words a first hearing gave this piece, a clerk's
            clause in which the acoustic verifier tried a forbidden phrase and rejected it
            (a live line's suspect): the verifier tries its candidates again on this
            piece's slice of the request's encoder output (with the speech after it in the
            bin), and its utterances are returned with what was heard (recording times;
            no decoding: :meth:`analyzer.stream.online.OnlinePolicy.context`).
        hear: With ``context``: its words are wanted too (a live line's citizen utterance
            kept back, ``stream.fold_kept``): decoded a second time on the bin's encoder
            output from the piece's own start (no encoder pass of its own; the words of
            the other pieces are those decoded without it), its utterances returned.
        window: The shortest encoder input, in seconds, the bin of this request's
            pieces may be heard in (0: the engine's ``pack.min_window_seconds``): a live
            line's first hearing (``stream.first_window_seconds``), whose bin holds only as
            much context as that window does; never shorter than the bin's audio needs
            (:func:`analyzer.speech.packing.window_seconds`).
    """

    speaker: str
    known: bool = True
    row: int | None = 0
    samples: np.ndarray = field(default_factory=_no_samples, repr=False)
    offset: float = 0.0
    context: bool = False
    lead: float = 0.0
    trail: float = 0.0
    again: bool = False
    peek: bool = False
    recheck: tuple[Word, ...] = ()
    hear: bool = False
    window: float = 0.0

    def of(self, samples: np.ndarray, offset: float = 0.0) -> Track:
        """This track with ``samples`` (starting ``offset`` seconds into the recording)."""
        return replace(self, samples=samples, offset=offset)

    def cut(self, audio: DecodedAudio) -> Track:
        """This track with its samples taken from a decoded recording."""
        return self.of(self.signal(audio))

    def signal(self, audio: DecodedAudio) -> np.ndarray:
        """This track's mono signal in a decoded recording (its row, or the mix)."""
        return audio.mono() if self.row is None else audio.samples[self.row]


class Recognizer(Protocol):
    """What hears speech: the recognition engine (:mod:`analyzer.speech.engine`) or a stand-in."""

    def transcribe_many(self, tracks: Sequence[Track], options: ASROptions, *,
                        verifier: Verifier | None = None, cut: bool = True
                        ) -> list[list[Utterance]]:
        """Recognise the tracks of one recording together; utterances per track.

        Args:
            tracks: The tracks, with their samples (16 kHz mono) and offsets.
            options: Recognition options (the line's VAD and decoding policy).
            verifier: Hears lexicon phrases in staff tracks (None: text only).
            cut: False when each track is already one speech piece (the
                stream's segmenter cut it): recognised as it is.

        Returns:
            Each track's utterances in time order, at recording times
            (the track's offset added).
        """
        ...


def resolve_tracks(channels: int, options: ASROptions, meta: CallMeta, *,
                   same_mix: bool = False) -> list[Track]:
    """Who speaks on which channel (see the module docstring for the precedence).

    Args:
        channels: The recording's (or line's) channels, 1 or 2.
        options: Recognition options (``stereo_speakers``, ``hall_speakers``,
            ``mono_roles``).
        meta: The interaction's metadata (``stereo_speakers``, ``mono_roles``, ``hall``).
        same_mix: The two channels carry one mix: one track of their mix.

    Returns:
        Two tracks (rows 0 and 1) for stereo, else one assumed track.

    Raises:
        TranscriptError: A role in the metadata or options is not a speaker.
    """
    where = meta.where
    if channels == 2 and not same_mix:
        roles = _stereo_roles(options, meta)
        for role in roles:
            _check_role(role, where, "stereo_speakers")
        return [Track(roles[0], row=0), Track(roles[1], row=1)]
    given = meta.mono_roles or options.mono_roles
    if given not in MONO_ROLES:
        raise TranscriptError(f"mono_roles: {given!r} is not one of {', '.join(MONO_ROLES)}",
                              source=where, field="mono_roles")
    speaker = "staff" if given == "auto" else given
    return [Track(speaker, known=False, row=0 if channels == 1 else None)]


def _stereo_roles(options: ASROptions, meta: CallMeta) -> tuple[str, str]:
    if meta.stereo_speakers:
        return meta.stereo_speakers
    for hall, first, second in options.hall_speakers:
        if meta.hall and hall == meta.hall:
            return str(first), str(second)
    return str(options.stereo_speakers[0]), str(options.stereo_speakers[1])


def _check_role(role: str, source: str, name: str) -> None:
    if role not in SPEAKERS:
        raise TranscriptError(
            f"{name}: {role!r} is not one of {', '.join(SPEAKERS)}", source=source, field=name
        )
