"""A long recording analysed a block at a time, in memory bounded by the block: how the
blocks' analyses become one.

A recording longer than ``recording.block_seconds`` (10 minutes per channel)
is not decoded whole: :func:`analyzer.speech.decode.decode_blocks` reads and
resamples it a block at a time, each block cut at a pause; each block goes
through the same audio path as a short recording (crosstalk, VAD, the
recognition engine, attribution, levels, loudness:
:func:`analyzer.speech.recording.analyze_blocks`) as soon as it is read, and
only its utterances and findings are kept, moved to recording time by the
functions here. So a
three-hour recording holds one block of samples at a time, whatever its
length; a silent one is read through and holds nothing.

What the blocks share: the tracks (who speaks on which channel, and the
same-mix decision) are decided on the first block and kept; the interaction's
channel and its rings (before the first staff speech) come from the first
block. What each block decides alone: crosstalk and background (levels
around each utterance), mono speaker turns (voices clustered within the
block) and the staff's usual loudness.

A live call is concluded the same way when it ends
(:meth:`analyzer.stream.live.StreamAnalyzer.close`): its samples are read
back from the file they were kept in, in the same blocks, and each block
gets the utterances recognised live that start in it (:func:`heard_in`) and
the crosstalk silenced in it (:func:`dropped_in`), at block time.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from analyzer.speech.decode import DecodedAudio
from analyzer.types import Finding, Utterance

if TYPE_CHECKING:
    from analyzer.speech.attribution import Dropped


def without_samples(audio: DecodedAudio, duration: float) -> DecodedAudio:
    """``audio``'s facts (rate, channels, codec) with no samples held, lasting ``duration``."""
    return replace(audio, samples=np.zeros((audio.channels, 0), dtype=np.float32),
                   duration=duration, offset=0.0, total=duration)


def moved(finding: Finding, offset: float) -> Finding:
    """``finding`` with its evidence times moved by ``offset`` seconds."""
    if not offset:
        return finding
    return replace(finding,
                   start=None if finding.start is None else round(finding.start + offset, 3),
                   end=None if finding.end is None else round(finding.end + offset, 3))


def joined_attribution(parts: Sequence[tuple[float, Mapping[str, Any]]]) -> dict[str, Any]:
    """The blocks' attribution blocks (``(offset, block)`` each) as one: the first block's
    mode and correlation, every block's dropped stretches (at recording time) and voices,
    and the blocks' count (``blocks``)."""
    first: dict[str, Any] = dict(parts[0][1]) if parts else {}
    dropped, speakers = [], []
    for offset, info in parts:
        for d in info.get("dropped", ()):
            dropped.append({**d, "start": round(d["start"] + offset, 3),
                            "end": round(d["end"] + offset, 3)})
        speakers += list(info.get("speakers", ()))
    first.update(dropped=dropped, speakers=speakers, blocks=len(parts))
    return first


def starts_in(block: DecodedAudio, start: float) -> bool:
    """Whether something starting at ``start`` (recording seconds) belongs to ``block``: it
    starts within it (the last block, whose ``total`` is known, takes anything after)."""
    return start >= block.offset and (bool(block.total)
                                      or start < block.offset + block.duration)


def heard_in(block: DecodedAudio, utterances: Sequence[Utterance]) -> list[Utterance]:
    """The utterances (at recording time) that start in ``block``, at block time."""
    from analyzer.speech.engine import shifted

    return [shifted(u, -block.offset) if block.offset else u
            for u in utterances if starts_in(block, u.start)]


def dropped_in(block: DecodedAudio, dropped: Sequence[Dropped]) -> list[Dropped]:
    """The stretches silenced (at recording time) that start in ``block``, at block time."""
    return [replace(d, start=round(d.start - block.offset, 3), end=round(d.end - block.offset, 3))
            if block.offset else d for d in dropped if starts_in(block, d.start)]
