"""A long recording analysed a block at a time, in memory bounded by the block.

A recording longer than ``recording.block_seconds`` (10 minutes per channel)
is not decoded whole: :func:`analyzer.speech.decode.decode_blocks` reads and
resamples it a block at a time, each block cut at a pause; each block goes
through the same audio path as a short recording (crosstalk, VAD, the
recognition engine, attribution, levels, loudness:
:func:`~analyzer.speech.recording.hear` and
:func:`~analyzer.speech.recording.conclude`) as soon as it is read, and only
its utterances and findings are kept, moved to recording time. So a
three-hour recording holds one block of samples at a time, whatever its
length; a silent one is read through and holds nothing.

What the blocks share: the tracks (who speaks on which channel, and the
same-mix decision) are decided on the first block and kept; the interaction's
channel and its rings (before the first staff speech) come from the first
block. What each block decides alone: crosstalk and background (levels
around each utterance), mono speaker turns (voices clustered within the
block) and the staff's usual loudness.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from analyzer.options import AnalyzerOptions
from analyzer.speech.decode import DecodedAudio, decode_blocks
from analyzer.speech.meta import CallMeta
from analyzer.speech.recording import AudioAnalysis, build_interaction, conclude, hear
from analyzer.speech.stages import stage
from analyzer.speech.tracks import Recognizer, Track
from analyzer.types import Finding


def analyze_blocks(path: str | Path, options: AnalyzerOptions, meta: CallMeta,
                   recognizer: Recognizer | None,
                   asr_info: Mapping[str, Any] | None) -> AudioAnalysis:
    """Decode and analyse ``path`` a block at a time (see the module docstring).

    A recording no longer than one block is one block: exactly what decoding
    it whole and analysing it gives (its samples are kept in the result).

    Raises:
        AudioError: The recording cannot be decoded (after the blocks before the fault).
    """
    parts: list[tuple[DecodedAudio, AudioAnalysis]] = []
    layout: tuple[list[Track], float | None] | None = None
    blocks = decode_blocks(path, block_seconds=options.recording.block_seconds,
                           max_channel_minutes=options.recording.max_channel_minutes)
    while True:
        with stage("decode"):
            block = next(blocks, None)
        if block is None:
            break
        heard = hear(path, options, meta, block, recognizer, layout=layout)
        layout = layout or (heard.tracks, heard.correlation)
        part = conclude(heard, options, source=path, asr_info=asr_info)
        if parts or block.offset or block.total != block.duration:  # not the only block
            part = replace(part, audio=_without_samples(block, block.duration))
        parts.append((block, part))
    if len(parts) == 1 or layout is None:
        return parts[0][1]
    return _joined(path, parts, meta, layout[0])


def _without_samples(audio: DecodedAudio, duration: float) -> DecodedAudio:
    """``audio``'s facts (rate, channels, codec) with no samples held, lasting ``duration``."""
    return replace(audio, samples=np.zeros((audio.channels, 0), dtype=np.float32),
                   duration=duration, offset=0.0, total=duration)


def _joined(path: str | Path, parts: list[tuple[DecodedAudio, AudioAnalysis]],
            meta: CallMeta, tracks: list[Track]) -> AudioAnalysis:
    """One recording's analysis from its blocks' (times moved to recording time)."""
    from analyzer.speech.engine import shifted

    first = parts[0][1]
    whole = _without_samples(parts[-1][0], parts[-1][0].total)
    utterances = [shifted(u, block.offset) for block, part in parts
                  for u in part.interaction.utterances]
    interaction = build_interaction(path, whole, utterances, meta, tracks)
    interaction.channel = first.interaction.channel  # decided on the first block (rings)
    findings = [_moved(f, block.offset) for block, part in parts for f in part.findings]
    info = dict(first.asr_info)
    info["attribution"] = _attribution(parts)
    return AudioAnalysis(interaction, first.ring, findings, info, whole)


def _moved(finding: Finding, offset: float) -> Finding:
    """``finding`` with its evidence times moved by ``offset`` seconds."""
    if not offset:
        return finding
    return replace(finding,
                   start=None if finding.start is None else round(finding.start + offset, 3),
                   end=None if finding.end is None else round(finding.end + offset, 3))


def _attribution(parts: list[tuple[DecodedAudio, AudioAnalysis]]) -> dict[str, Any]:
    """The blocks' attribution blocks as one: the first block's mode and correlation, every
    block's dropped stretches (at recording time) and voices, and the blocks' count."""
    first: dict[str, Any] = dict(parts[0][1].asr_info.get("attribution") or {})
    dropped, speakers = [], []
    for block, part in parts:
        block_info = part.asr_info.get("attribution") or {}
        for d in block_info.get("dropped", ()):
            dropped.append({**d, "start": round(d["start"] + block.offset, 3),
                            "end": round(d["end"] + block.offset, 3)})
        speakers += list(block_info.get("speakers", ()))
    first.update(dropped=dropped, speakers=speakers, blocks=len(parts))
    return first
