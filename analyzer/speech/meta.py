"""What is known about an interaction besides its audio or text: one typed record, one reader.

A recording's sidecar ``<stem>.json``, a batch manifest's row, a live line's
header and the ``meta`` argument of :func:`analyzer.pipeline.analyze` all
become a :class:`CallMeta`, read and checked here:

* :data:`~analyzer.types.META_KEYS`: ``id``, ``channel`` (``counter`` | ``phone``), ``hall``,
  ``window`` (the service counter), ``staff``, ``started_at``, and for calls
  the phone system's ``rings`` / ``ring_seconds`` (the call record: it wins
  over the audio);
* :data:`ROLE_KEYS`: ``stereo_speakers`` (the role on each of a stereo
  recording's two channels) and ``mono_roles`` (``auto`` | ``staff`` |
  ``citizen``), read by :func:`analyzer.speech.tracks.resolve_tracks`;
* ``meta``: a hall's own fields, kept uninterpreted in :attr:`CallMeta.extra`
  (the interaction's ``meta``), as in a transcript.

The contract is strict, as a transcript's is: a key that is none of these is
an error naming the closest known key (``ring: unknown key; did you mean
'rings'?``, :func:`analyzer.text.transcript.unknown_key`), so no typo in a
sidecar or a manifest changes a score silently. A sidecar may be a whole
transcript written next to its recording (its ``utterances``, ``duration``
and ``audio`` are not metadata and are not read here); keys starting with
``_`` are comments. A manifest row may have ``path`` and the metadata
columns, nothing else.

Where two sources say something, the nearer one wins: a manifest row over
the sidecar (:meth:`CallMeta.over`), the ``meta`` argument over both.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from analyzer.errors import ManifestError, TranscriptError
from analyzer.limits import MAX_RECORD_BYTES, identifier_problem, size_text
from analyzer.types import CHANNELS, META_KEYS, Interaction

#: Who speaks on which channel, per recording (see :mod:`analyzer.speech.tracks`).
ROLE_KEYS: tuple[str, ...] = ("stereo_speakers", "mono_roles")
#: Keys of a sidecar that are never metadata (a transcript written next to its recording).
_NOT_META = ("utterances", "transcript", "duration", "audio")
#: The object of a hall's own fields (kept in :attr:`CallMeta.extra`).
HALL_FIELDS = "meta"
#: Every key a sidecar (or the ``meta`` argument of ``analyze``) may have.
SIDECAR_KEYS: frozenset[str] = frozenset({*META_KEYS, *ROLE_KEYS, *_NOT_META, HALL_FIELDS})
#: Every column a manifest row may have.
MANIFEST_KEYS: frozenset[str] = frozenset({"path", *META_KEYS, *ROLE_KEYS})


@dataclass(frozen=True)
class CallMeta:
    """What is known about one interaction besides its audio (see the module docstring).

    Attributes:
        id: The interaction's id ("" : the recording's stem).
        channel: ``counter``, ``phone`` or "" (not known: told from the audio).
        hall: Service hall.
        window: The service counter (window) name or number.
        staff: Staff member id.
        started_at: ISO-8601 start.
        rings: Rings before the answer from the call record, or None.
        ring_seconds: Seconds of ringing from the call record, or None.
        stereo_speakers: The roles on channel 0 and 1, or None (the options decide).
        mono_roles: ``auto``, ``staff``, ``citizen`` or "" (the options decide).
        extra: A sidecar's ``meta`` object (the hall's own fields), kept in the
            interaction's ``meta``.
        where: The file these came from (a sidecar, a manifest), for error messages.
    """

    id: str = ""
    channel: str = ""
    hall: str = ""
    window: str = ""
    staff: str = ""
    started_at: str = ""
    rings: int | None = None
    ring_seconds: float | None = None
    stereo_speakers: tuple[str, str] | None = None
    mono_roles: str = ""
    extra: Mapping[str, Any] = field(default_factory=dict)
    where: str = ""

    @classmethod
    def parse(cls, data: Mapping[str, Any], *, where: str, line: int | None = None,
              keep_extra: bool = True) -> CallMeta:
        """The metadata in a sidecar's object or a manifest's row, checked.

        Empty cells and ``null`` say nothing. ``rings`` and ``ring_seconds``
        must be numbers (text of a number is read), not negative; ``channel``
        one of ``counter`` and ``phone``. An unknown key is an error (see the
        module docstring).

        Args:
            data: The JSON object or CSV row.
            where: The file it came from (named by errors).
            line: The manifest line, when it is one.
            keep_extra: A sidecar's object (:data:`SIDECAR_KEYS`; its ``meta``
                becomes :attr:`extra`); False: a manifest's row
                (:data:`MANIFEST_KEYS`).

        Raises:
            ManifestError: A field has a bad value, or a manifest row has an
                unknown column (the message names it).
            TranscriptError: A sidecar has an unknown key or a ``meta`` that is
                not an object, or ``stereo_speakers`` does not list two roles.
        """
        _check_keys(data, where, line, sidecar=keep_extra)
        values: dict[str, Any] = {}
        for key in META_KEYS:
            value = data.get(key)
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            values[key] = _field(key, value, where, line)
        speakers = data.get("stereo_speakers")
        if speakers:
            if not isinstance(speakers, (list, tuple)) or len(speakers) != 2:
                raise TranscriptError(f"stereo_speakers must list two roles, got {speakers!r}",
                                      source=where, field="stereo_speakers")
            values["stereo_speakers"] = (str(speakers[0]), str(speakers[1]))
        if data.get("mono_roles"):
            values["mono_roles"] = str(data["mono_roles"])
        if keep_extra and data.get(HALL_FIELDS) is not None:
            hall = data[HALL_FIELDS]
            if not isinstance(hall, Mapping):
                raise TranscriptError(f"expected an object of the hall's own fields, got "
                                      f"{type(hall).__name__}", source=where, field=HALL_FIELDS)
            values["extra"] = dict(hall)
        return cls(**values, where=where)

    def over(self, base: CallMeta) -> CallMeta:
        """These values where they say something, ``base``'s elsewhere (``self`` wins)."""
        given = {f.name: getattr(self, f.name) for f in fields(self)
                 if f.name not in ("extra", "where") and getattr(self, f.name) not in ("", None)}
        return replace(base, **given, extra={**base.extra, **self.extra},
                       where=base.where or self.where)

    def apply_to(self, interaction: Interaction) -> None:
        """Fill a transcript's metadata with these values (where they say something)."""
        for key in ("hall", "window", "staff", "started_at", "channel"):
            if getattr(self, key):
                setattr(interaction, key, getattr(self, key))
        if self.rings is not None:
            interaction.rings = self.rings
        if self.ring_seconds is not None:
            interaction.ring_seconds = self.ring_seconds


def _check_keys(data: Mapping[str, Any], where: str, line: int | None, *, sidecar: bool) -> None:
    """Raise on the first key that is neither metadata nor allowed beside it (sorted order)."""
    from analyzer.text.transcript import unknown_key

    known = SIDECAR_KEYS if sidecar else MANIFEST_KEYS
    unknown = sorted(str(k) for k in data if str(k) not in known and not str(k).startswith("_"))
    if not unknown:
        return
    key = unknown[0]
    if sidecar:
        raise TranscriptError(unknown_key(key, known - set(_NOT_META), "a sidecar"),
                              source=where, field=key)
    raise ManifestError(unknown_key(key, known, "a manifest row"), source=where, line=line,
                        field=key)


def _field(key: str, value: Any, where: str, line: int | None) -> Any:
    """One metadata field, typed (raises :class:`ManifestError` naming it)."""
    if key in ("rings", "ring_seconds"):
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise ManifestError(f"{key} must be a number, not {value!r}", source=where,
                                line=line, field=key) from None
        if number < 0:
            raise ManifestError(f"{key} must not be negative", source=where, line=line,
                                field=key)
        return int(number) if key == "rings" else number
    if key == "channel" and str(value) not in CHANNELS:
        raise ManifestError(f"channel must be counter or phone, not {value!r}", source=where,
                            line=line, field=key)
    text = str(value).strip()
    if key in ("id", "hall", "window", "staff"):  # could render as another id (issue 26 #21)
        problem = identifier_problem(text)
        if problem:
            raise ManifestError(f"{key} {problem}", source=where, line=line, field=key)
    return text


def sidecar_path(recording: str | Path) -> Path:
    """Where a recording's sidecar metadata lives: ``<stem>.json`` beside it."""
    return Path(recording).with_suffix(".json")


def read_sidecar(recording: str | Path) -> CallMeta:
    """The sidecar metadata ``<stem>.json`` next to a recording (empty when there is none).

    The one reader of sidecars: ``conduct analyze``, the batch and the stream
    all call it.

    Raises:
        TranscriptError: The sidecar is unreadable, not JSON, or not an object.
        ManifestError: A field of it has a bad value.
    """
    sidecar = sidecar_path(recording)
    if not sidecar.is_file():
        return CallMeta()
    from analyzer.text.transcript import read_json

    try:
        with sidecar.open("rb") as fh:
            raw = fh.read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        raise TranscriptError(f"sidecar metadata is unreadable: {exc.strerror or exc}",
                              source=str(sidecar)) from None
    if len(raw) > MAX_RECORD_BYTES:
        raise TranscriptError(f"sidecar metadata is larger than {size_text(MAX_RECORD_BYTES)}",
                              source=str(sidecar))
    try:
        data = read_json(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise TranscriptError(f"sidecar metadata is not valid JSON: {exc}",
                              source=str(sidecar)) from None
    if not isinstance(data, dict):
        raise TranscriptError("sidecar metadata must be a JSON object", source=str(sidecar))
    return CallMeta.parse(data, where=str(sidecar))


def read_meta(recording: str | Path, given: CallMeta | Mapping[str, Any] | None = None
              ) -> CallMeta:
    """A recording's sidecar (:func:`read_sidecar`) with ``given`` over it.

    Raises:
        TranscriptError: The sidecar is malformed.
        ManifestError: A field has a bad value.
    """
    sidecar = read_sidecar(recording)
    if given is None:
        return sidecar
    if not isinstance(given, CallMeta):
        given = CallMeta.parse(given, where=sidecar.where or str(recording))
    return given.over(sidecar)
