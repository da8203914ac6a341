"""Is a recording a telephone line, whatever its container says? (one job)

A phone call is often stored at 16 kHz or more although it went through an
8 kHz line (a recorder or a gateway that resamples it): the container's rate
then says "wideband" while the speech is telephone band, and Silero scores
telephone-band speech lower (``VadOptions.phone_threshold``). Such a line is
told by its content: speech that passed an 8 kHz stage has essentially no
energy above 4 kHz (the line's Nyquist frequency), while wideband speech keeps
its fricatives there (:func:`band_drop_db`).

:func:`line_rate` is the rate a recording's line is heard at: its native rate,
or :data:`PHONE_RATE` when every channel is telephone band by content. A live
line (:class:`analyzer.stream.live.StreamAnalyzer`) is judged by the same rule
(:func:`narrow_channels`) on its audio so far, each time it reaches one of
:data:`LIVE_CHECKS`. :func:`line_compute_type` tells the batch driver, before a
recording is analysed, which model its line is heard with (a telephone line
may be heard with other weights, ``asr.phone_compute_type``), so a worker holds
one model only. The interaction's channel (counter or phone rules) is not
decided here.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from analyzer.errors import AudioError
from analyzer.speech.decode import CUT_SEARCH_SECONDS, DecodedAudio, decode_blocks

if TYPE_CHECKING:
    from analyzer.options import ASROptions

#: The sample rate of a telephone line, Hz.
PHONE_RATE = 8000
#: The band an 8 kHz line carries at its top (Hz): speech is strong there.
CARRIED = (2000.0, 3300.0)
#: A band an 8 kHz line cannot carry (above its 4 kHz Nyquist frequency, past a
#: resampler's transition band), Hz.
BEYOND = (4500.0, 7500.0)
#: A channel whose mean power density in :data:`BEYOND` is this many dB or more
#: below that in :data:`CARRIED` is telephone band. Measured: 8 kHz lines (mu-law,
#: resampled to 16 kHz by ffmpeg or the benchmark) -54 to -81 dB; wideband speech,
#: generated (clean, hall, mono) and real (114 shared clips) -24 to +4 dB. A line
#: upsampled with dither keeps a flat noise floor and is not told (-13 dB).
NARROW_DB = -40.0
#: Seconds of each channel examined (from the start).
SECONDS = 120.0
#: Frame length of the spectrum, samples.
FRAME = 512
#: A live line's audio so far is judged when it reaches each of these seconds; the
#: last is :data:`SECONDS`, so a call heard that long is judged on what a recording of
#: it would be (a shorter one: on all of it, at its end).
LIVE_CHECKS = (4.0, 10.0, 20.0, 40.0, 80.0, SECONDS)


def band_drop_db(samples: np.ndarray, sample_rate: int) -> float | None:
    """How far (dB) the power density of :data:`BEYOND` lies under that of :data:`CARRIED`,
    over the channel's louder half of frames.

    Args:
        samples: One channel's float samples.
        sample_rate: Their rate in Hz.

    Returns:
        The difference in dB (0: as strong; -60: a telephone line), or None when
        the rate cannot carry :data:`BEYOND` or the channel is silent.
    """
    if sample_rate < 2 * BEYOND[1]:
        return None
    x = np.asarray(samples[: int(SECONDS * sample_rate)], dtype=np.float64)
    n = (x.size // FRAME) * FRAME
    if n == 0:
        return None
    frames = x[:n].reshape(-1, FRAME)
    energy = (frames**2).mean(axis=1)
    loud = frames[energy > np.median(energy)]
    if loud.size == 0:
        return None
    power = (np.abs(np.fft.rfft(loud * np.hanning(FRAME), axis=1)) ** 2).sum(axis=0)
    freqs = np.fft.rfftfreq(FRAME, 1.0 / sample_rate)
    carried = float(power[(freqs >= CARRIED[0]) & (freqs < CARRIED[1])].mean())
    beyond = float(power[(freqs >= BEYOND[0]) & (freqs < BEYOND[1])].mean())
    if carried <= 0.0:
        return None
    return 10.0 * float(np.log10(max(beyond, 1e-30) / carried))


def narrow_channels(channels: Iterable[np.ndarray], sample_rate: int) -> bool:
    """True when every channel that says something is telephone band by content
    (a silent channel says nothing; all silent: False).

    Args:
        channels: Each channel's float samples (only the first :data:`SECONDS` are read).
        sample_rate: Their rate in Hz.
    """
    drops = [band_drop_db(ch, sample_rate) for ch in channels]
    measured = [d for d in drops if d is not None]
    return bool(measured) and all(d <= NARROW_DB for d in measured)


def telephone_band(audio: DecodedAudio) -> bool:
    """True when every channel of ``audio`` is telephone band by content (or by its rate)."""
    if 0 < audio.native_rate <= PHONE_RATE:
        return True
    return narrow_channels(audio.samples, audio.sample_rate)


def line_rate(audio: DecodedAudio) -> int:
    """The rate ``audio``'s line is heard at: :data:`PHONE_RATE` for a telephone-band line,
    else the recording's native rate (what ``ASROptions.for_line`` reads)."""
    if audio.native_rate and audio.native_rate <= PHONE_RATE:
        return audio.native_rate
    return PHONE_RATE if telephone_band(audio) else audio.native_rate


def line_compute_type(path: str | Path, channel: str | None, asr: ASROptions) -> str:
    """The compute type a recording's line is heard with (``ASROptions.for_line``), judged
    before it is analysed, as the file path judges it: by its channel, its native rate
    and its first :data:`SECONDS` of content (only decoded when the band decides it).

    Args:
        path: The recording.
        channel: Its metadata's channel ("phone": a telephone line whatever its audio).
        asr: The run's recognition options.

    Returns:
        ``asr.for_line(...).compute_type``; an undecodable recording gets
        ``asr.compute_type`` (its analysis reports the fault).
    """
    phone = asr.for_line(PHONE_RATE, "phone").compute_type
    if phone == asr.compute_type or channel == "phone":
        return phone
    # (a block is cut up to CUT_SEARCH_SECONDS early: the first then holds SECONDS whole)
    blocks = decode_blocks(path, block_seconds=SECONDS + CUT_SEARCH_SECONDS)
    try:
        first = next(blocks, None)
    except AudioError:
        return asr.compute_type
    finally:
        blocks.close()
    return asr.compute_type if first is None else asr.for_line(line_rate(first),
                                                               channel).compute_type
